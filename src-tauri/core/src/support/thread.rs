//! A case's thread: replies to the customer, internal notes, and the record
//! of every step. Each entry is a case event and, beside it, an entry on
//! the customer's timeline (kind `support`), so sales sees the trouble
//! before the next call and the Japanese search finds what was said.

use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::support::case::{self, CaseStatus, Head, BODY_MAX};
use crate::timeline::activity::{self, ActivityKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventKind {
    Opened,
    /// Said to the customer.
    Reply,
    /// Said only within the team.
    Note,
    Status,
    Assign,
    Priority,
    /// Handed to sales (issue 15, the hand-off side).
    Handoff,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Reply => "reply",
            EventKind::Note => "note",
            EventKind::Status => "status",
            EventKind::Assign => "assign",
            EventKind::Priority => "priority",
            EventKind::Handoff => "handoff",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        [
            EventKind::Opened,
            EventKind::Reply,
            EventKind::Note,
            EventKind::Status,
            EventKind::Assign,
            EventKind::Priority,
            EventKind::Handoff,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One entry to record.
pub(crate) struct Step<'a> {
    pub kind: EventKind,
    pub body: &'a str,
    pub detail: serde_json::Value,
    /// When it happened, if not now (a case received before it was logged).
    pub at: Option<&'a str>,
    pub text: EngineText,
}

/// Records a step: the timeline entry, then the case event naming it.
pub(crate) fn step(ctx: &WriteCtx, h: &Head, s: &Step) -> Result<String> {
    let at = s.at.unwrap_or(&ctx.now);
    let activity_id = activity::record(
        ctx,
        &activity::Record {
            company_id: &h.company_id,
            contact_id: h.contact_id.as_deref(),
            deal_id: h.deal_id.as_deref(),
            kind: ActivityKind::Support,
            occurred_at: at,
            text: &s.text,
            body: s.body,
        },
    )?;
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO case_events (id, case_id, kind, body, detail, author_id, at, activity_id, created_at, updated_at,
                                  updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?6)",
        sql::params![
            id,
            h.id,
            s.kind.as_str(),
            s.body,
            s.detail.to_string(),
            ctx.user_id,
            at,
            activity_id,
            ctx.now
        ],
    )?;
    Ok(id)
}

/// A reply or a note to add to a case. Appending needs no version: two
/// people may write on the same case at once and both are kept.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPost {
    pub case_id: String,
    pub body: String,
}

fn post_body(body: &str) -> Result<()> {
    if body.trim().is_empty() {
        return Err(Error::invalid("body", "required"));
    }
    if body.chars().count() > BODY_MAX {
        return Err(Error::invalid("body", "too_long"));
    }
    Ok(())
}

/// Answers the customer. The first reply is the first response (its target
/// is met or breached from then on) and takes a new case into progress;
/// a resolved or closed case is reopened first (`Invalid(status,
/// not_allowed)` otherwise), so nothing is said on a case nobody watches.
/// Returns the event id.
pub fn reply(ctx: &WriteCtx, p: &NewPost) -> Result<String> {
    post_body(&p.body)?;
    let h = case::head(ctx, &p.case_id, None)?;
    if !h.status.is_open() {
        return Err(Error::invalid("status", "not_allowed"));
    }
    let first = h.first_response_at.is_none();
    let status = if h.status == CaseStatus::New {
        CaseStatus::InProgress
    } else {
        h.status
    };
    case::touch(
        ctx,
        &h,
        "status = ?5, first_response_at = COALESCE(first_response_at, ?1),
         next_due = CASE WHEN next_due IS NULL THEN NULL ELSE resolution_due END",
        sql::params![&status.as_str()],
    )?;
    let id = step(
        ctx,
        &h,
        &Step {
            kind: EventKind::Reply,
            body: &p.body,
            detail: json!({ "first_response": first }),
            at: None,
            text: EngineText::CaseReplied {
                case_id: h.id.clone(),
                number: h.number,
                subject: h.subject.clone(),
            },
        },
    )?;
    // A reply is contact with the customer, like any touch.
    ctx.sql().execute(
        "UPDATE companies SET last_contact_at = ?2 WHERE id = ?1 AND (last_contact_at IS NULL OR last_contact_at < ?2)",
        sql::params![h.company_id, ctx.now],
    )?;
    ctx.audit(
        Entity::SupportCase,
        &h.id,
        "reply",
        json!({ "event_id": id, "first_response": first }),
    )?;
    ctx.changed(Entity::SupportCase, &h.id, "update")?;
    Ok(id)
}

/// An internal note: for the team only, on any case (a closed one too).
pub fn note(ctx: &WriteCtx, p: &NewPost) -> Result<String> {
    post_body(&p.body)?;
    let h = case::head(ctx, &p.case_id, None)?;
    case::touch(ctx, &h, "", sql::params![])?;
    let id = step(
        ctx,
        &h,
        &Step {
            kind: EventKind::Note,
            body: &p.body,
            detail: json!({}),
            at: None,
            text: EngineText::CaseNoted {
                case_id: h.id.clone(),
                number: h.number,
                subject: h.subject.clone(),
            },
        },
    )?;
    ctx.audit(Entity::SupportCase, &h.id, "note", json!({ "event_id": id }))?;
    ctx.changed(Entity::SupportCase, &h.id, "update")?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseEvent {
    pub id: String,
    pub kind: EventKind,
    pub body: String,
    /// A step's from/to (codes) as recorded.
    #[ts(type = "Record<string, unknown>")]
    pub detail: serde_json::Value,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub at: String,
    /// The step in words, for the reader's language.
    pub text: Option<EngineText>,
}

/// A case's thread, oldest first.
pub fn events<'c>(conn: impl Into<Sql<'c>>, case_id: &str) -> Result<Vec<CaseEvent>> {
    // Ids are UUIDv7, made in time order: two steps of one moment keep the
    // order they were written in.
    conn.into().query(
        "SELECT e.id, e.kind, e.body, e.detail, e.author_id, u.display_name, e.at, a.text_kind, a.text_params
           FROM case_events e
           LEFT JOIN users u ON u.id = e.author_id
           LEFT JOIN activities a ON a.id = e.activity_id
          WHERE e.case_id = ?1 AND e.deleted_at IS NULL
          ORDER BY e.at, e.id",
        sql::params![case_id],
        |r| {
            let id: String = r.get(0)?;
            let kind = crate::error::known_in_row("case_events", &id, r.get(1)?, EventKind::parse)?;
            Ok(CaseEvent {
                kind,
                body: r.get(2)?,
                detail: serde_json::from_str(&r.get::<String>(3)?).unwrap_or_default(),
                author_id: r.get(4)?,
                author_name: r.get(5)?,
                at: r.get(6)?,
                text: EngineText::from_cells(r.get(7)?, r.get(8)?),
                id,
            })
        },
    )
}
