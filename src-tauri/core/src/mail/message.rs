//! One mail as it goes out: UTF-8 throughout, headers as RFC 2047 encoded
//! words, the body base64 (docs/mail.md says why not ISO-2022-JP).

use crate::error::{Error, Result};
use crate::mail::account::SmtpAccount;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, Message};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A mail a domain module wants sent once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutgoingMail {
    /// Names the logical mail for good (`seq:<enrolment>:<step>`): the
    /// ledger sends each key at most once.
    pub key: String,
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

const SUBJECT_MAX: usize = 500;
const NAME_MAX: usize = 200;
const BODY_MAX: usize = 200_000;
const KEY_MAX: usize = 300;

/// Line breaks in one-line fields become spaces: a header must not be able
/// to start another header.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The body with CRLF line ends, as RFC 5322 wants text sent.
fn crlf(body: &str) -> String {
    body.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n")
}

fn mailbox(field: &'static str, name: &str, address: &str) -> Result<Mailbox> {
    let address = crate::email::check(field, address)?;
    if address.is_empty() {
        return Err(Error::invalid(field, "required"));
    }
    let parsed = address.parse().map_err(|_| Error::invalid(field, "format"))?;
    let name = one_line(name);
    Ok(Mailbox::new((!name.is_empty()).then_some(name), parsed))
}

impl OutgoingMail {
    pub(crate) fn validate(&self) -> Result<()> {
        if self.key.trim().is_empty() || self.key.len() > KEY_MAX {
            return Err(Error::invalid("key", "format"));
        }
        if one_line(&self.subject).is_empty() {
            return Err(Error::invalid("subject", "required"));
        }
        if self.subject.chars().count() > SUBJECT_MAX {
            return Err(Error::invalid("subject", "too_long"));
        }
        if self.to_name.chars().count() > NAME_MAX {
            return Err(Error::invalid("to_name", "too_long"));
        }
        if self.body.len() > BODY_MAX {
            return Err(Error::invalid("body", "too_long"));
        }
        Ok(())
    }
}

/// The message and its Message-ID (`<uuid@sender's domain>`), which the
/// ledger keeps so a sent mail can be found in the recipient's server logs.
pub fn build(mail: &OutgoingMail, account: &SmtpAccount) -> Result<(Message, String)> {
    mail.validate()?;
    let from = mailbox("from_address", &account.from_name, &account.from_address)?;
    let to = mailbox("to_address", &mail.to_name, &mail.to_address)?;
    let domain = from.email.domain().to_string();
    let message_id = format!("<{}@{}>", crate::id::new_id(), domain);
    // Base64 always: Japanese text is shorter in it than quoted-printable,
    // and no line of it can be mangled by a relay that rewraps long lines.
    let body = Body::new_with_encoding(crlf(&mail.body), ContentTransferEncoding::Base64)
        .map_err(|_| Error::Internal("base64 refused a body".into()))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(one_line(&mail.subject))
        .date_now()
        .message_id(Some(message_id.clone()))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| Error::Internal(format!("building the mail: {e}")))?;
    Ok((message, message_id))
}
