//! Enrolling a target in a sequence, and the state a record shows. A target
//! is a kind and an id (a contact, a deal; a lead is one more kind), resolved
//! at enrolment to the company whose answers stop it, the person written to
//! and the owner whose desktop does the steps.

use crate::clock::Clock;
use crate::engine_text::EngineText;
use crate::error::{Error, ErrorCode, ErrorPayload, Result};
use crate::followups::follow_up;
use crate::id::new_id;
use crate::sequences::definition::{self, Step};
use crate::sequences::engine;
use crate::sequences::stop::StopReason;
use crate::sequences::template::{self, RenderedMail};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, ActivityKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TargetKind {
    Contact,
    Deal,
    Lead,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Contact => "contact",
            TargetKind::Deal => "deal",
            TargetKind::Lead => "lead",
        }
    }
    pub fn parse(s: &str) -> Option<TargetKind> {
        match s {
            "contact" => Some(TargetKind::Contact),
            "deal" => Some(TargetKind::Deal),
            "lead" => Some(TargetKind::Lead),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Target {
    pub kind: TargetKind,
    pub id: String,
}

/// An enrolment as stored, with its sequence's name and steps.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub sequence_id: String,
    pub sequence_name: String,
    pub language: crate::language::Language,
    pub steps: Vec<Step>,
    pub target_kind: TargetKind,
    pub target_id: String,
    pub company_id: Option<String>,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub deal_stage_id: Option<String>,
    pub owner_id: String,
    pub status: String,
    pub step_index: usize,
    pub due_at: Option<String>,
    pub waiting: Option<String>,
    pub last_error: Option<String>,
    pub follow_up_id: Option<String>,
    pub confirmed_step: Option<usize>,
    pub claimed_at: Option<String>,
    pub stop_reason: Option<String>,
    pub stopped_at: Option<String>,
    pub started_at: String,
    pub version: i64,
}

const SELECT: &str = "SELECT e.id, e.sequence_id, s.name, s.language, s.steps, e.target_kind, e.target_id,
        e.company_id, e.contact_id, e.deal_id, e.deal_stage_id, e.owner_id, e.status, e.step_index, e.due_at,
        e.waiting, e.last_error, e.follow_up_id, e.confirmed_step, e.claimed_at, e.stop_reason, e.stopped_at,
        e.started_at, e.version
   FROM sequence_enrolments e JOIN sequences s ON s.id = e.sequence_id";

fn from_row(r: &sql::Row) -> Result<Row> {
    let id: String = r.get(0)?;
    let steps: String = r.get(4)?;
    let language = crate::error::known("sequences", &id, &r.get::<String>(3)?, |l| match l {
        "ja" => Some(crate::language::Language::Ja),
        "en" => Some(crate::language::Language::En),
        _ => None,
    })?;
    Ok(Row {
        sequence_id: r.get(1)?,
        sequence_name: r.get(2)?,
        language,
        steps: serde_json::from_str(&steps)
            .map_err(|e| Error::Internal(format!("sequence_enrolments {id}: steps that do not read: {e}")))?,
        target_kind: crate::error::known("sequence_enrolments", &id, &r.get::<String>(5)?, TargetKind::parse)?,
        target_id: r.get(6)?,
        company_id: r.get(7)?,
        contact_id: r.get(8)?,
        deal_id: r.get(9)?,
        deal_stage_id: r.get(10)?,
        owner_id: r.get(11)?,
        status: r.get(12)?,
        step_index: r.get::<i64>(13)?.max(0) as usize,
        due_at: r.get(14)?,
        waiting: r.get(15)?,
        last_error: r.get(16)?,
        follow_up_id: r.get(17)?,
        confirmed_step: r.get::<Option<i64>>(18)?.map(|i| i.max(0) as usize),
        claimed_at: r.get(19)?,
        stop_reason: r.get(20)?,
        stopped_at: r.get(21)?,
        started_at: r.get(22)?,
        version: r.get(23)?,
        id,
    })
}

pub fn row<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Row> {
    let conn = conn.into();
    conn.query_opt(
        &format!("{SELECT} WHERE e.id = ?1 AND e.deleted_at IS NULL"),
        sql::params![id],
        from_row,
    )?
    .ok_or_else(|| Error::NotFound {
        entity: "enrolment",
        id: id.to_string(),
    })
}

pub fn active_of_company<'c>(conn: impl Into<Sql<'c>>, company_id: &str) -> Result<Vec<Row>> {
    let conn = conn.into();
    let rows = conn.query(
        &format!("{SELECT} WHERE e.company_id = ?1 AND e.status = 'active' AND e.deleted_at IS NULL ORDER BY e.id"),
        sql::params![company_id],
        from_row,
    )?;
    Ok(rows)
}

/// The owner's active enrolments whose step is due by `now`, earliest first.
pub fn due_of<'c>(conn: impl Into<Sql<'c>>, owner_id: &str, now: &str) -> Result<Vec<Row>> {
    let conn = conn.into();
    let rows = conn.query(
        &format!(
            "{SELECT} WHERE e.owner_id = ?1 AND e.status = 'active' AND e.deleted_at IS NULL AND e.due_at <= ?2
          ORDER BY e.due_at, e.id"
        ),
        sql::params![owner_id, now],
        from_row,
    )?;
    Ok(rows)
}

/// Cancels the follow-up that stood for a step (it may be done already).
pub(crate) fn cancel_follow_up(ctx: &WriteCtx, follow_up_id: Option<&str>, why: &str) -> Result<()> {
    let Some(id) = follow_up_id else { return Ok(()) };
    let open: Option<i64> = ctx.sql().query_opt(
        "SELECT version FROM follow_ups WHERE id = ?1 AND status = 'open' AND deleted_at IS NULL",
        sql::params![id],
        |r| r.get(0),
    )?;
    match open {
        Some(v) => follow_up::close(ctx, id, v, "cancelled", why),
        None => Ok(()),
    }
}

/// A line on the customer's timeline (and the deal's); an enrolled lead
/// keeps it on its own history too (most have no customer yet).
pub(crate) fn on_timeline(ctx: &WriteCtx, e: &Row, text: &EngineText) -> Result<()> {
    if e.target_kind == TargetKind::Lead {
        crate::leads::lead::event(ctx, &e.target_id, "sequence", "", text)?;
    }
    let Some(company_id) = &e.company_id else { return Ok(()) };
    activity::record(
        ctx,
        &activity::Record {
            company_id,
            contact_id: e.contact_id.as_deref(),
            deal_id: e.deal_id.as_deref(),
            kind: ActivityKind::System,
            occurred_at: &ctx.now,
            text,
            body: "",
        },
    )?;
    Ok(())
}

struct Resolved {
    company_id: Option<String>,
    contact_id: Option<String>,
    deal_id: Option<String>,
    deal_stage_id: Option<String>,
    owner_id: Option<String>,
}

/// The first contact of a company (the senior person is entered first).
fn first_contact<'c>(conn: impl Into<Sql<'c>>, company_id: &str) -> Result<Option<String>> {
    let conn = conn.into();
    conn.query_opt(
        "SELECT id FROM contacts WHERE company_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
        sql::params![company_id],
        |r| r.get(0),
    )
}

fn resolve<'c>(conn: impl Into<Sql<'c>>, t: &Target) -> Result<Resolved> {
    let conn = conn.into();
    let missing = || Error::NotFound {
        entity: "enrolment_target",
        id: t.id.clone(),
    };
    match t.kind {
        TargetKind::Deal => {
            let (company_id, contact_id, stage_id, owner_id): (String, Option<String>, String, Option<String>) = conn
                .query_opt(
                    "SELECT d.company_id, d.contact_id, d.stage_id, COALESCE(d.owner_id, c.owner_id)
                       FROM deals d JOIN companies c ON c.id = d.company_id
                      WHERE d.id = ?1 AND d.deleted_at IS NULL",
                    sql::params![&t.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?
                .ok_or_else(missing)?;
            let contact_id = match contact_id {
                Some(c) => Some(c),
                None => first_contact(conn, &company_id)?,
            };
            Ok(Resolved {
                company_id: Some(company_id),
                contact_id,
                deal_id: Some(t.id.clone()),
                deal_stage_id: Some(stage_id),
                owner_id,
            })
        }
        TargetKind::Contact => {
            let (company_id, owner_id): (String, Option<String>) = conn
                .query_opt(
                    "SELECT p.company_id, c.owner_id FROM contacts p JOIN companies c ON c.id = p.company_id
                      WHERE p.id = ?1 AND p.deleted_at IS NULL",
                    sql::params![&t.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .ok_or_else(missing)?;
            Ok(Resolved {
                company_id: Some(company_id),
                contact_id: Some(t.id.clone()),
                deal_id: None,
                deal_stage_id: None,
                owner_id,
            })
        }
        // A lead is followed up while it is open: new, answered, or back
        // with marketing. It is written to as it reached us unless it is a
        // lost deal's, which has its customer and contact already.
        TargetKind::Lead => {
            let (status, company_id, contact_id, owner_id): (String, Option<String>, Option<String>, Option<String>) =
                conn.query_opt(
                    "SELECT status, company_id, contact_id, owner_id FROM leads WHERE id = ?1 AND deleted_at IS NULL",
                    sql::params![&t.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?
                .ok_or_else(missing)?;
            if !matches!(status.as_str(), "new" | "contacted" | "nurture") {
                return Err(Error::invalid("target", "lead_closed"));
            }
            Ok(Resolved {
                company_id,
                contact_id,
                deal_id: None,
                deal_stage_id: None,
                owner_id,
            })
        }
    }
}

/// Enrols a target: the first step falls due now (or after the waits the
/// sequence opens with); the owner is the deal's or the customer's owner,
/// else the one who enrols. One active enrolment per target and sequence.
pub fn enrol(ctx: &WriteCtx, sequence_id: &str, target: &Target) -> Result<String> {
    let seq = definition::get(ctx.sql(), sequence_id)?;
    if ctx
        .sql()
        .query_one(
            "SELECT deleted_at IS NOT NULL FROM sequences WHERE id = ?1",
            sql::params![sequence_id],
            |r| r.get::<bool>(0),
        )
        .unwrap_or(true)
    {
        return Err(Error::invalid("sequence_id", "deleted"));
    }
    let r = resolve(ctx.sql(), target)?;
    let already = ctx.sql().query_opt("SELECT 1 FROM sequence_enrolments
              WHERE sequence_id = ?1 AND target_kind = ?2 AND target_id = ?3 AND status = 'active' AND deleted_at IS NULL", sql::params![sequence_id, target.kind.as_str(), target.id], |_| Ok(()))?
        .is_some();
    if already {
        return Err(Error::invalid("sequence_id", "already_enrolled"));
    }
    let owner = r.owner_id.unwrap_or_else(|| ctx.user_id.to_string());
    let (index, due_at) = engine::settle(ctx.sql(), ctx.clock, &seq.steps, 0, ctx.clock.now())?;
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO sequence_enrolments (id, sequence_id, target_kind, target_id, company_id, contact_id, deal_id,
                                          deal_stage_id, owner_id, status, step_index, due_at, started_at,
                                          created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10, ?11, ?12, ?12, ?12, ?13)",
        sql::params![
            id,
            sequence_id,
            target.kind.as_str(),
            target.id,
            r.company_id,
            r.contact_id,
            r.deal_id,
            r.deal_stage_id,
            owner,
            index as i64,
            due_at,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.audit(
        Entity::Enrolment,
        &id,
        "insert",
        json!({ "sequence_id": sequence_id, "target_kind": target.kind.as_str(), "target_id": target.id }),
    )?;
    ctx.changed(Entity::Enrolment, &id, "insert")?;
    let e = row(ctx.sql(), &id)?;
    on_timeline(ctx, &e, &EngineText::SequenceEnrolled { sequence: seq.name })?;
    Ok(id)
}

/// A late automatic mail: the owner says send it (`send`), or skip it and
/// go on with the next step.
pub fn confirm_late(ctx: &WriteCtx, id: &str, version: i64, send: bool) -> Result<()> {
    let e = row(ctx.sql(), id)?;
    if e.version != version {
        return ctx.expect_one("enrolment", "sequence_enrolments", id, 0);
    }
    if e.status != "active" || e.waiting.as_deref() != Some("confirm_late") {
        return Err(Error::invalid("enrolment", "not_waiting"));
    }
    cancel_follow_up(ctx, e.follow_up_id.as_deref(), "late mail decided")?;
    if send {
        let n = ctx.sql().execute(
            "UPDATE sequence_enrolments SET confirmed_step = step_index, waiting = NULL, follow_up_id = NULL,
                    version = version + 1, updated_at = ?3, updated_by = ?4
              WHERE id = ?1 AND version = ?2",
            sql::params![id, version, ctx.now, ctx.user_id],
        )?;
        ctx.expect_one("enrolment", "sequence_enrolments", id, n)?;
        ctx.audit(Entity::Enrolment, id, "update", json!({ "late_mail": "send" }))?;
        ctx.changed(Entity::Enrolment, id, "update")
    } else {
        ctx.audit(Entity::Enrolment, id, "update", json!({ "late_mail": "skip" }))?;
        engine::advance(ctx, &e, ctx.clock.now())
    }
}

/// A mail a sequence sent, for the record's panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SentMail {
    pub step_index: u32,
    pub activity_id: String,
    pub sent_at: String,
}

/// An enrolment as a record shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EnrolmentView {
    pub id: String,
    pub sequence_id: String,
    pub sequence_name: String,
    pub target: Target,
    pub company_id: Option<String>,
    pub owner_id: String,
    pub owner_name: String,
    /// active, stopped, done.
    pub status: String,
    /// The current step (from 0) and how many there are.
    pub step_index: u32,
    pub steps_total: u32,
    pub current_step: Option<Step>,
    /// When the current step is due.
    pub due_at: Option<String>,
    /// Why it waits: pushy, complaint, confirm_late, send_failed.
    pub waiting: Option<String>,
    /// Why the last send failed, typed so the reader's language words it.
    pub last_error: Option<ErrorPayload>,
    pub stop_reason: Option<StopReason>,
    pub stopped_at: Option<String>,
    pub started_at: String,
    /// The current mail step, exactly as it would go out.
    pub draft: Option<RenderedMail>,
    pub sent: Vec<SentMail>,
    #[ts(type = "number")]
    pub version: i64,
}

fn view<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, e: Row) -> Result<EnrolmentView> {
    let conn = conn.into();
    let owner_name: String = conn
        .query_opt(
            "SELECT display_name FROM users WHERE id = ?1",
            sql::params![&e.owner_id],
            |r| r.get(0),
        )?
        .unwrap_or_default();
    let current = (e.status == "active")
        .then(|| e.steps.get(e.step_index).cloned())
        .flatten();
    let draft = match &current {
        Some(Step::Mail { subject, body, .. }) => {
            let target = Target {
                kind: e.target_kind,
                id: e.target_id.clone(),
            };
            let f = template::facts_for(
                conn,
                &target,
                e.company_id.as_deref(),
                e.contact_id.as_deref(),
                &e.owner_id,
            )?;
            Some(template::mail(subject, body, &f, e.language, clock.offset()))
        }
        _ => None,
    };
    let sent = conn.query(
        "SELECT step_index, activity_id, sent_at FROM sequence_sends WHERE enrolment_id = ?1 ORDER BY step_index",
        sql::params![&e.id],
        |r| {
            Ok(SentMail {
                step_index: r.get(0)?,
                activity_id: r.get(1)?,
                sent_at: r.get(2)?,
            })
        },
    )?;
    Ok(EnrolmentView {
        stop_reason: e.stop_reason.as_deref().and_then(StopReason::parse),
        target: Target {
            kind: e.target_kind,
            id: e.target_id.clone(),
        },
        step_index: e.step_index as u32,
        steps_total: e.steps.len() as u32,
        current_step: current,
        draft,
        sent,
        owner_name,
        id: e.id,
        sequence_id: e.sequence_id,
        sequence_name: e.sequence_name,
        company_id: e.company_id,
        owner_id: e.owner_id,
        status: e.status,
        due_at: e.due_at,
        waiting: e.waiting,
        last_error: e.last_error.as_deref().map(send_error),
        stopped_at: e.stopped_at,
        started_at: e.started_at,
        version: e.version,
    })
}

/// A send error as stored by `engine::record_failed`; text that is not one
/// (a hand edit) is shown as an internal error with its words.
fn send_error(stored: &str) -> ErrorPayload {
    serde_json::from_str(stored).unwrap_or_else(|_| ErrorPayload {
        code: ErrorCode::Internal,
        message: stored.to_string(),
        field: None,
        reason: None,
        current: None,
    })
}

/// The enrolments a record shows: a deal's or a contact's own, or for a
/// customer every enrolment of its contacts and deals. Active first, then
/// the latest.
pub fn for_record<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, kind: &str, id: &str) -> Result<Vec<EnrolmentView>> {
    let conn = conn.into();
    let filter = match kind {
        "company" => "e.company_id = ?1",
        "deal" => "e.deal_id = ?1",
        "contact" => "e.contact_id = ?1",
        "lead" => "e.target_kind = 'lead' AND e.target_id = ?1",
        _ => return Err(Error::invalid("kind", "unknown")),
    };
    let rows = {
        let rows = conn.query(
            &format!(
                "{SELECT} WHERE {filter} AND e.deleted_at IS NULL
              ORDER BY e.status <> 'active', e.started_at DESC, e.id LIMIT 50"
            ),
            sql::params![id],
            from_row,
        )?;
        rows
    };
    rows.into_iter().map(|e| view(conn, clock, e)).collect()
}

pub fn get<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, id: &str) -> Result<EnrolmentView> {
    let conn = conn.into();
    view(conn, clock, row(conn, id)?)
}
