//! The once-only ledger (`mail_sends`, migration 0017): a logical mail is
//! claimed in a short write transaction before it is handed to the server,
//! so the member's other computers, sharing the team file, see the claim
//! and leave it alone.
//!
//! The crash rule: a claim is a promise to report back within [`LEASE`].
//! One older than that means the computer died or lost the share mid-send,
//! and nobody can know whether the server took the mail. It becomes
//! `unknown` and is never resent by itself: the user looks in their sent
//! folder and says which ([`resolve_unknown`]). A duplicate to a customer
//! is worse than a mail a person decides to send again.

use crate::clock::from_db;
use crate::error::{Error, Result};
use crate::mail::message::{build, OutgoingMail};
use crate::mail::transport::Transport;
use crate::mail::Sender;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::{Saves, WriteCtx};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

/// How long a claim may stay unreported: far beyond a send's timeout
/// (30 s, transport.rs) and a save's wait for the share.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SendState {
    Claimed,
    Sent,
    Failed,
    Unknown,
}

impl SendState {
    fn as_str(self) -> &'static str {
        match self {
            SendState::Claimed => "claimed",
            SendState::Sent => "sent",
            SendState::Failed => "failed",
            SendState::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<SendState> {
        match s {
            "claimed" => Some(SendState::Claimed),
            "sent" => Some(SendState::Sent),
            "failed" => Some(SendState::Failed),
            "unknown" => Some(SendState::Unknown),
            _ => None,
        }
    }
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MailSend {
    pub key: String,
    pub member_id: String,
    pub state: SendState,
    pub computer_id: String,
    pub claimed_at: String,
    pub finished_at: Option<String>,
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub message_id: Option<String>,
    /// The `ErrorCode` of the last failure, for the UI to translate.
    pub error_code: Option<String>,
    /// The server's words.
    pub error: Option<String>,
    #[ts(type = "number")]
    pub attempts: i64,
    #[ts(type = "number")]
    pub version: i64,
}

/// What [`send_once`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SendOutcome {
    /// Handed to the server just now.
    Sent { message_id: String },
    /// Sent before (by this or another computer); nothing done.
    AlreadySent { at: String },
    /// Another computer (or another thread here) claimed it within the
    /// lease and is sending; nothing done.
    ClaimedElsewhere { computer_id: String, since: String },
    /// A claim was never reported back: the outcome is unknown and waits
    /// for the user ([`resolve_unknown`]); nothing done.
    Unknown { computer_id: String, since: String },
}

const COLUMNS: &str = "key, member_id, state, computer_id, claimed_at, finished_at, to_name, to_address, \
                       subject, body, message_id, error_code, error, attempts, version";

fn row(r: &sql::Row) -> Result<MailSend> {
    let key: String = r.get(0)?;
    let state = crate::error::known("mail_sends", &key, &r.get::<String>(2)?, SendState::parse)?;
    Ok(MailSend {
        member_id: r.get(1)?,
        state,
        computer_id: r.get(3)?,
        claimed_at: r.get(4)?,
        finished_at: r.get(5)?,
        to_name: r.get(6)?,
        to_address: r.get(7)?,
        subject: r.get(8)?,
        body: r.get(9)?,
        message_id: r.get(10)?,
        error_code: r.get(11)?,
        error: r.get(12)?,
        attempts: r.get(13)?,
        version: r.get(14)?,
        key,
    })
}

/// The ledger's row for `key`, if it was ever claimed.
pub fn get<'c>(conn: impl Into<Sql<'c>>, key: &str) -> Result<Option<MailSend>> {
    let conn = conn.into();
    conn.query_opt(
        &format!("SELECT {COLUMNS} FROM mail_sends WHERE key = ?1"),
        sql::params![key],
        row,
    )
}

/// The member's mails that failed or whose fate is unknown, oldest first:
/// what the UI shows for a decision or a retry.
pub fn needing_attention<'c>(conn: impl Into<Sql<'c>>, member_id: &str) -> Result<Vec<MailSend>> {
    let conn = conn.into();
    let rows = conn.query(
        &format!(
        "SELECT {COLUMNS} FROM mail_sends WHERE member_id = ?1 AND state IN ('failed', 'unknown') ORDER BY claimed_at"
    ),
        sql::params![member_id],
        row,
    )?;
    Ok(rows)
}

enum Claim {
    Go,
    Not(SendOutcome),
}

fn set_state(ctx: &WriteCtx, key: &str, state: SendState, detail: serde_json::Value) -> Result<()> {
    ctx.changed(Entity::MailSend, key, state.as_str())?;
    ctx.audit(Entity::MailSend, key, state.as_str(), detail)?;
    Ok(())
}

fn claim(ctx: &WriteCtx, mail: &OutgoingMail, computer_id: &str) -> Result<Claim> {
    let found = get(ctx.sql(), &mail.key)?;
    let Some(found) = found else {
        ctx.sql().execute(
            "INSERT INTO mail_sends (key, member_id, state, computer_id, claimed_at, to_name, to_address, subject, body)
             VALUES (?1, ?2, 'claimed', ?3, ?4, ?5, ?6, ?7, ?8)", sql::params![mail.key, ctx.user_id, computer_id, ctx.now, mail.to_name, mail.to_address, mail.subject, mail.body])?;
        set_state(
            ctx,
            &mail.key,
            SendState::Claimed,
            json!({ "computer_id": computer_id }),
        )?;
        return Ok(Claim::Go);
    };
    match found.state {
        SendState::Sent => Ok(Claim::Not(SendOutcome::AlreadySent {
            at: found.finished_at.unwrap_or(found.claimed_at),
        })),
        SendState::Unknown => Ok(Claim::Not(SendOutcome::Unknown {
            computer_id: found.computer_id,
            since: found.claimed_at,
        })),
        SendState::Claimed => {
            let expired = from_db(&found.claimed_at).map_or(true, |at| ctx.clock.now() - at > LEASE);
            if !expired {
                return Ok(Claim::Not(SendOutcome::ClaimedElsewhere {
                    computer_id: found.computer_id,
                    since: found.claimed_at,
                }));
            }
            ctx.sql().execute(
                "UPDATE mail_sends SET state = 'unknown', finished_at = ?2, version = version + 1 WHERE key = ?1",
                sql::params![mail.key, ctx.now],
            )?;
            set_state(
                ctx,
                &mail.key,
                SendState::Unknown,
                json!({ "computer_id": found.computer_id }),
            )?;
            Ok(Claim::Not(SendOutcome::Unknown {
                computer_id: found.computer_id,
                since: found.claimed_at,
            }))
        }
        SendState::Failed => {
            // The text may have changed since (a template fixed): the
            // ledger keeps what this attempt sends.
            ctx.sql().execute(
                "UPDATE mail_sends SET state = 'claimed', computer_id = ?2, claimed_at = ?3, finished_at = NULL,
                        to_name = ?4, to_address = ?5, subject = ?6, body = ?7, message_id = NULL,
                        error_code = NULL, error = NULL, attempts = attempts + 1, version = version + 1
                 WHERE key = ?1 AND state = 'failed'",
                sql::params![
                    mail.key,
                    computer_id,
                    ctx.now,
                    mail.to_name,
                    mail.to_address,
                    mail.subject,
                    mail.body
                ],
            )?;
            set_state(
                ctx,
                &mail.key,
                SendState::Claimed,
                json!({ "computer_id": computer_id }),
            )?;
            Ok(Claim::Go)
        }
    }
}

/// Sends `mail` unless it was sent, is being sent, or its fate is unknown
/// (see the module's crash rule). A failed send is recorded with the error
/// and frees the key for the next call, then returned as the error.
pub fn send_once(
    db: &mut (impl Saves + ?Sized),
    mail: &OutgoingMail,
    sender: &Sender,
    transport: &dyn Transport,
) -> Result<SendOutcome> {
    // Built first: a mail that cannot be built never claims its key.
    let (message, message_id) = build(mail, &sender.account)?;
    match db.save(|ctx| claim(ctx, mail, &sender.computer_id))? {
        Claim::Go => {}
        Claim::Not(outcome) => return Ok(outcome),
    }
    match transport.send(&sender.account, sender.password.as_deref(), &message) {
        Ok(()) => {
            // If this write fails (the share went away), the claim stays and
            // turns `unknown` after the lease: never a silent second send.
            db.save(|ctx| {
                ctx.sql().execute(
                    "UPDATE mail_sends SET state = 'sent', finished_at = ?2, message_id = ?3, version = version + 1
                     WHERE key = ?1 AND state = 'claimed'",
                    sql::params![mail.key, ctx.now, message_id],
                )?;
                set_state(ctx, &mail.key, SendState::Sent, json!({ "message_id": message_id }))
            })?;
            Ok(SendOutcome::Sent { message_id })
        }
        Err(e) => {
            let (code, detail) = (e.code().to_string(), e.to_string());
            db.save(|ctx| {
                ctx.sql().execute(
                    "UPDATE mail_sends SET state = 'failed', finished_at = ?2, error_code = ?3, error = ?4, version = version + 1
                     WHERE key = ?1 AND state = 'claimed'", sql::params![mail.key, ctx.now, code, detail])?;
                set_state(ctx, &mail.key, SendState::Failed, json!({ "error_code": code }))
            })?;
            Err(e)
        }
    }
}

/// The user's answer for a mail whose fate was unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Resolution {
    /// It is in the sent folder: record it as sent.
    WasSent,
    /// It did not leave: free the key so the next [`send_once`] sends it.
    SendAgain,
}

/// Settles an `unknown` mail as the user decided, based on the row's
/// `version` (a colleague's computer may have settled it first).
pub fn resolve_unknown(db: &mut impl Saves, key: &str, version: i64, resolution: Resolution) -> Result<()> {
    db.save(|ctx| {
        let (state, detail) = match resolution {
            Resolution::WasSent => (SendState::Sent, None),
            Resolution::SendAgain => (SendState::Failed, Some("the user found it was not sent")),
        };
        let rows = ctx.sql().execute(
            "UPDATE mail_sends SET state = ?3, finished_at = ?4, error_code = NULL, error = ?5, version = version + 1
             WHERE key = ?1 AND version = ?2 AND state = 'unknown'",
            sql::params![key, version, state.as_str(), ctx.now, detail],
        )?;
        if rows != 1 {
            return Err(match get(ctx.sql(), key)? {
                None => Error::NotFound {
                    entity: "mail_send",
                    id: key.to_string(),
                },
                Some(now) => Error::Conflict {
                    entity: "mail_send",
                    id: key.to_string(),
                    current_version: now.version,
                    current: serde_json::to_value(&now).unwrap_or_default(),
                },
            });
        }
        set_state(ctx, key, state, json!({ "resolution": resolution }))
    })
}
