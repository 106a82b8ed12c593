//! How this desktop sends a sequence's automatic mails, and where the
//! runner's outcome goes (the log).

use std::sync::Arc;

use kizuna_core::mail::{self, SendOutcome, Smtp};
use kizuna_core::sequences::engine::{MailSender, OutgoingMail, RunReport, Sent};
use kizuna_core::sequences::runner::RunSink;
use kizuna_core::store::write::Store;
use kizuna_core::Error;

use crate::state::Slot;

/// Sends through the member's SMTP account on this computer (the mail
/// module): the account and the password from the credential store are read
/// at each send, so a password saved a minute ago is used, and the session
/// lock is held only for that read, never during the SMTP conversation.
pub struct Sender {
    session: Arc<Slot>,
    transport: Smtp,
}

impl Sender {
    pub fn new(session: Arc<Slot>) -> Sender {
        Sender {
            session,
            transport: Smtp::new(),
        }
    }

    fn account(&self) -> kizuna_core::Result<Option<mail::Sender>> {
        let mut guard = self.session.0.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(session) => session.mail_sender(),
            None => Ok(None),
        }
    }
}

impl MailSender for Sender {
    fn send_once(&self, db: &mut dyn Store, mail: &OutgoingMail) -> kizuna_core::Result<Sent> {
        let sender = self.account()?.ok_or(Error::MailNoAccount)?;
        match mail::send_once(db, mail, &sender, &self.transport)? {
            SendOutcome::Sent { .. } => Ok(Sent::Sent),
            SendOutcome::AlreadySent { .. } => Ok(Sent::AlreadySent),
            // Not sent here and not known to be sent: the step stays due
            // with the reason and the ledger answers on the next try.
            SendOutcome::ClaimedElsewhere { computer_id, since } => {
                Err(Error::MailSendingElsewhere { computer_id, since })
            }
            SendOutcome::Unknown { computer_id, since } => Err(Error::MailOutcomeUnknown { computer_id, since }),
        }
    }
}

/// The runner's outcome in the desktop's log: a failed run is logged once
/// per run, a send with its counts.
pub struct RunLog;

impl RunSink for RunLog {
    fn ran(&self, report: &RunReport) {
        if report.sent + report.failed > 0 {
            tracing::info!(sent = report.sent, failed = report.failed, "sequence mails");
        }
    }
    fn failed(&self, error: &kizuna_core::Error) {
        tracing::warn!(code = %error.code(), "sequence steps could not run: {error}");
    }
}
