//! Mail Kizuna sends itself, through the member's own company SMTP server
//! (issue 16; decisions in docs/mail.md).
//!
//! The layer sits just above `store` and `team`: domain modules that send
//! (the 追客 sequences) use it, never the other way round.
//!
//! # For the scheduler: sending one due automatic mail
//!
//! 1. The shell finds who is sending on this computer:
//!    [`sender`]`(config.smtp_account(member_id), &Vault::kizuna(), member_id, computer_id)`
//!    gives `Ok(None)` when the member connected no server (the mail stays a
//!    draft to open in the mail program), `Err(MailNoPassword)` when the
//!    account needs a password this computer's credential store does not
//!    hold, else the [`Sender`].
//! 2. Per due mail, with a key naming the logical mail once and for all
//!    (`seq:<enrolment id>:<step id>`):
//!    [`send_once`]`(&mut db, &OutgoingMail { key, to_name, to_address, subject, body }, &sender, &Smtp::new())`.
//!    - `Ok(SendOutcome::Sent { message_id })`: it left now; log it on the
//!      timeline with the exact text.
//!    - `Ok(AlreadySent | ClaimedElsewhere | Unknown)`: do nothing now;
//!      another computer of this member sent or is sending it, or a crash
//!      left its fate unknown (shown to the user, who decides with
//!      [`resolve_unknown`]). Never resend on your own.
//!    - `Err(e)` with an `ErrorCode::Mail*` code: the server refused or was
//!      away; the ledger says `failed` with the error ([`get`]), the key is
//!      free again, and the next call retries it. Keep the step due and show
//!      the error.
//!
//! The engine tests use [`RecordingTransport`]; the integration tests
//! (tests/mail_smtp.rs) a real SMTP server.

mod account;
mod ledger;
mod message;
mod secret;
pub mod suppression;
mod transport;

#[cfg(test)]
mod tests;

pub use account::{Security, SmtpAccount};
pub use ledger::{
    get, needing_attention, resolve_unknown, send_once, MailSend, Resolution, SendOutcome, SendState, LEASE,
};
pub use message::{build, OutgoingMail};
pub use secret::Vault;
pub use transport::{RecordingTransport, Smtp, Transport};

use crate::error::{Error, Result};
use crate::language::Language;

/// Everything needed to send as one member from this computer.
#[derive(Clone)]
pub struct Sender {
    pub account: SmtpAccount,
    /// `None` for a server that takes mail without logging in (user name empty).
    pub password: Option<String>,
    /// This computer profile's id (`UserConfig::computer_id`), named in the
    /// ledger's claims.
    pub computer_id: String,
}

impl std::fmt::Debug for Sender {
    // The password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("account", &self.account)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("computer_id", &self.computer_id)
            .finish()
    }
}

/// The member's account with its password from the credential store:
/// `None` without an account; [`Error::MailNoPassword`] when the account
/// logs in but this computer keeps no password for it.
pub fn sender(
    account: Option<SmtpAccount>,
    vault: &Vault,
    member_id: &str,
    computer_id: &str,
) -> Result<Option<Sender>> {
    let Some(account) = account else {
        return Ok(None);
    };
    let password = if account.user.is_empty() {
        None
    } else {
        Some(vault.password(member_id)?.ok_or(Error::MailNoPassword)?)
    };
    Ok(Some(Sender {
        account,
        password,
        computer_id: computer_id.to_string(),
    }))
}

/// Sends a short mail to the sender's own address, outside the ledger
/// (nothing to send once): the Settings button that proves the account
/// works. Returns the Message-ID.
pub fn send_test(sender: &Sender, transport: &dyn Transport, lang: Language) -> Result<String> {
    let (subject, body) = match lang {
        Language::Ja => (
            "Kizuna テストメール",
            "このメールは Kizuna の「メール送信」の設定から送ったテストです。\n届いていれば、Kizuna はこのサーバーからメールを送れます。\n",
        ),
        Language::En => (
            "Kizuna test mail",
            "This mail was sent from Kizuna's \"Sending mail\" settings as a test.\nIf it reached you, Kizuna can send mail through this server.\n",
        ),
    };
    let mail = OutgoingMail {
        key: "test".into(),
        to_name: sender.account.from_name.clone(),
        to_address: sender.account.from_address.clone(),
        subject: subject.into(),
        body: body.into(),
    };
    let (message, message_id) = build(&mail, &sender.account)?;
    transport.send(&sender.account, sender.password.as_deref(), &message)?;
    Ok(message_id)
}
