//! The customer timeline (顧客タイムライン): every touch with a customer.

use crate::company::required;
use crate::db::WriteCtx;
use crate::error::Result;
use crate::id::new_id;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ActivityKind {
    /// 対面の商談
    Meeting,
    Call,
    Email,
    Sns,
    Note,
    Quote,
    Support,
    StageChange,
    Contract,
    Handoff,
    System,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Meeting => "meeting",
            ActivityKind::Call => "call",
            ActivityKind::Email => "email",
            ActivityKind::Sns => "sns",
            ActivityKind::Note => "note",
            ActivityKind::Quote => "quote",
            ActivityKind::Support => "support",
            ActivityKind::StageChange => "stage_change",
            ActivityKind::Contract => "contract",
            ActivityKind::Handoff => "handoff",
            ActivityKind::System => "system",
        }
    }
    /// Touches that count as contact with the customer (not bookkeeping).
    pub fn is_touch(self) -> bool {
        matches!(
            self,
            ActivityKind::Meeting
                | ActivityKind::Call
                | ActivityKind::Email
                | ActivityKind::Sns
                | ActivityKind::Quote
                | ActivityKind::Support
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Direction {
    /// We contacted them.
    Outbound,
    /// They contacted us.
    Inbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewActivity {
    pub company_id: String,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    /// RFC 3339; the time of the touch, not of the typing.
    pub occurred_at: String,
    pub summary: String,
    pub body: String,
    pub minutes: String,
    pub next_todos: String,
    pub next_appointment_at: Option<String>,
    pub signals: Vec<String>,
}

/// Adds an entry to the timeline and moves the company's last contact and the
/// deal's last activity forward (never backward: a late-logged old call does
/// not make a customer look freshly contacted).
pub fn log(ctx: &WriteCtx, a: &NewActivity) -> Result<String> {
    let summary = required("summary", &a.summary, 500)?;
    let id = new_id();
    let signals = serde_json::to_string(&a.signals).unwrap_or_else(|_| "[]".into());
    ctx.tx.execute(
        "INSERT INTO activities (id, company_id, contact_id, deal_id, kind, direction, occurred_at, summary, body,
                                 minutes, next_todos, next_appointment_at, signals, author_id,
                                 created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?14)",
        params![
            id,
            a.company_id,
            a.contact_id,
            a.deal_id,
            a.kind.as_str(),
            a.direction.map(Direction::as_str),
            a.occurred_at,
            summary,
            a.body,
            a.minutes,
            a.next_todos,
            a.next_appointment_at,
            signals,
            ctx.user_id,
            ctx.now
        ],
    )?;
    if a.kind.is_touch() {
        ctx.tx.execute(
            "UPDATE companies SET last_contact_at = ?2
             WHERE id = ?1 AND (last_contact_at IS NULL OR last_contact_at < ?2)",
            params![a.company_id, a.occurred_at],
        )?;
    }
    if let Some(deal_id) = &a.deal_id {
        ctx.tx.execute(
            "UPDATE deals SET last_activity_at = ?2
             WHERE id = ?1 AND (last_activity_at IS NULL OR last_activity_at < ?2)",
            params![deal_id, a.occurred_at],
        )?;
    }
    ctx.changed("activity", &id, "insert")?;
    Ok(id)
}
