//! The customer timeline (顧客タイムライン): logging, editing and deleting a
//! touch with a customer, its buying signals, and the company's last contact
//! that follows the touches. Reading the timeline is in [`crate::timeline::entries`].

use crate::changeset::Changes;
use crate::clock::{from_db, to_db};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::validate::{non_empty, required};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

const SUMMARY_MAX: usize = 500;
/// Minutes of a long meeting pasted from a document fit; a runaway paste of
/// a whole file does not.
const TEXT_MAX: usize = 100_000;
/// The buying signals a team agreed on (docs/sales-methods.md, "Buying signals"); the UI translates each.
pub const FIXED_SIGNALS: [&str; 5] = [
    "replied_thanks",
    "positive_quote",
    "questions_after_meeting",
    "second_visit",
    "answered_question",
];
/// A team's own signal is stored as `custom:<text>`.
pub const CUSTOM_SIGNAL_PREFIX: &str = "custom:";
const CUSTOM_SIGNAL_MAX: usize = 40;
const SIGNALS_MAX: usize = 20;
/// People met on one touch; a seminar with more is logged without names.
const CONTACTS_MAX: usize = 20;
/// How far ahead of this PC's clock a touch may be dated: colleagues' clocks
/// drift, but a touch that has not happened yet is not contact, and it would
/// make the customer look contacted until that day (retention alerts).
const FUTURE_SLACK_MINUTES: i64 = 60;

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
    pub const ALL: [ActivityKind; 11] = [
        ActivityKind::Meeting,
        ActivityKind::Call,
        ActivityKind::Email,
        ActivityKind::Sns,
        ActivityKind::Note,
        ActivityKind::Quote,
        ActivityKind::Support,
        ActivityKind::StageChange,
        ActivityKind::Contract,
        ActivityKind::Handoff,
        ActivityKind::System,
    ];

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

    pub fn parse(s: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|k| k.as_str() == s)
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

    /// Written by people. Stage changes and system entries are the engine's
    /// own record of what happened and are neither logged nor edited by hand.
    pub fn is_loggable(self) -> bool {
        !matches!(self, ActivityKind::StageChange | ActivityKind::System)
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
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "outbound" => Some(Direction::Outbound),
            "inbound" => Some(Direction::Inbound),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewActivity {
    pub company_id: String,
    /// The company's contacts this touch was with, in the order picked;
    /// empty: nobody in particular. (Absent in work queued by an older
    /// version: none.)
    #[serde(default)]
    pub contact_ids: Vec<String>,
    pub deal_id: Option<String>,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    /// RFC 3339; the time of the touch, not of the typing.
    pub occurred_at: String,
    pub summary: String,
    pub body: String,
    /// 議事録 of a meeting.
    pub minutes: String,
    pub next_todos: String,
    /// RFC 3339; plans an appointment follow-up for the author.
    pub next_appointment_at: Option<String>,
    /// Buying-signal codes: one of [`FIXED_SIGNALS`] or `custom:<text>`.
    pub signals: Vec<String>,
}

/// An edit of a timeline entry by its author; the company does not change.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ActivityEdit {
    #[serde(default)]
    pub contact_ids: Vec<String>,
    pub deal_id: Option<String>,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub occurred_at: String,
    pub summary: String,
    pub body: String,
    pub minutes: String,
    pub next_todos: String,
    pub next_appointment_at: Option<String>,
    pub signals: Vec<String>,
}

impl From<&NewActivity> for ActivityEdit {
    fn from(a: &NewActivity) -> Self {
        ActivityEdit {
            contact_ids: a.contact_ids.clone(),
            deal_id: a.deal_id.clone(),
            kind: a.kind,
            direction: a.direction,
            occurred_at: a.occurred_at.clone(),
            summary: a.summary.clone(),
            body: a.body.clone(),
            minutes: a.minutes.clone(),
            next_todos: a.next_todos.clone(),
            next_appointment_at: a.next_appointment_at.clone(),
            signals: a.signals.clone(),
        }
    }
}

/// Validates buying-signal codes and returns them normalised: trimmed,
/// `custom:` texts trimmed, duplicates dropped, in the order ticked.
/// Reasons (field `signals`): `unknown`, `empty` (a custom signal without
/// text), `too_long` (custom text over 40 characters), `too_many`.
pub fn check_signals(signals: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in signals {
        let s = s.trim();
        let code = if FIXED_SIGNALS.contains(&s) {
            s.to_string()
        } else if let Some(text) = s.strip_prefix(CUSTOM_SIGNAL_PREFIX) {
            let text = text.trim();
            if text.is_empty() {
                return Err(Error::invalid("signals", "empty"));
            }
            if text.chars().count() > CUSTOM_SIGNAL_MAX {
                return Err(Error::invalid("signals", "too_long"));
            }
            if text.chars().any(char::is_control) {
                return Err(Error::invalid("signals", "unknown"));
            }
            format!("{CUSTOM_SIGNAL_PREFIX}{text}")
        } else {
            return Err(Error::invalid("signals", "unknown"));
        };
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > SIGNALS_MAX {
        return Err(Error::invalid("signals", "too_many"));
    }
    Ok(out)
}

/// An instant typed by a user or sent by the UI, in the one stored form
/// (UTC, seconds, `Z`), so that text order is time order.
fn instant(field: &'static str, value: &str) -> Result<String> {
    from_db(value.trim())
        .map(to_db)
        .ok_or_else(|| Error::invalid(field, "format"))
}

fn limited(field: &'static str, value: &str) -> Result<()> {
    if value.chars().count() > TEXT_MAX {
        return Err(Error::invalid(field, "too_long"));
    }
    Ok(())
}

/// The fields of a timeline entry, validated and normalised.
struct Checked {
    occurred_at: String,
    summary: String,
    next_appointment_at: Option<String>,
    signals: String,
    contact_ids: Vec<String>,
    deal_id: Option<String>,
}

/// `old` is the entry being edited: a contact or deal it already names may
/// since have been deleted without making the entry uneditable.
fn check(ctx: &WriteCtx, company_id: &str, e: &ActivityEdit, old: Option<&Stored>) -> Result<Checked> {
    if !e.kind.is_loggable() {
        return Err(Error::invalid("kind", "not_loggable"));
    }
    let summary = required("summary", &e.summary, SUMMARY_MAX)?;
    // Body, minutes and to-dos are stored exactly as typed (no trim): a pasted
    // mail keeps its layout.
    limited("body", &e.body)?;
    limited("minutes", &e.minutes)?;
    limited("next_todos", &e.next_todos)?;
    let occurred_at = instant("occurred_at", &e.occurred_at)?;
    let latest = to_db(ctx.clock.now() + Duration::minutes(FUTURE_SLACK_MINUTES));
    if occurred_at > latest {
        return Err(Error::invalid("occurred_at", "in_future"));
    }
    let next_appointment_at = match e.next_appointment_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(instant("next_appointment_at", t)?),
    };
    let signals = serde_json::to_string(&check_signals(&e.signals)?).unwrap_or_else(|_| "[]".into());
    let exists = |statement: &str, a: &str, b: &str| -> Result<bool> {
        Ok(ctx
            .sql()
            .query_opt(statement, sql::params![a, b], |_| Ok(()))?
            .is_some())
    };
    let mut contact_ids: Vec<String> = Vec::new();
    for c in &e.contact_ids {
        let c = c.trim();
        if c.is_empty() || contact_ids.iter().any(|k| k == c) {
            continue;
        }
        let kept = old.is_some_and(|o| o.contact_ids.iter().any(|k| k == c));
        if !kept
            && !exists(
                "SELECT 1 FROM contacts WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL",
                c,
                company_id,
            )?
        {
            return Err(Error::invalid("contact_ids", "other_company"));
        }
        contact_ids.push(c.to_string());
    }
    if contact_ids.len() > CONTACTS_MAX {
        return Err(Error::invalid("contact_ids", "too_many"));
    }
    let deal_id = non_empty(&e.deal_id);
    if let Some(d) = &deal_id {
        let unchanged = old.is_some_and(|o| o.deal_id.as_deref() == Some(d.as_str()));
        if !unchanged
            && !exists(
                "SELECT 1 FROM deals WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL",
                d,
                company_id,
            )?
        {
            return Err(Error::invalid("deal_id", "other_company"));
        }
    }
    Ok(Checked {
        occurred_at,
        summary,
        next_appointment_at,
        signals,
        contact_ids,
        deal_id,
    })
}

/// Names the contacts of an entry: the link rows, in the order picked. (The
/// entry's own `contact_id` holds the first of them, see migration 0007.)
fn link_contacts(ctx: &WriteCtx, activity_id: &str, contact_ids: &[String]) -> Result<()> {
    ctx.sql().execute(
        "DELETE FROM activity_contacts WHERE activity_id = ?1",
        sql::params![activity_id],
    )?;
    for (i, c) in contact_ids.iter().enumerate() {
        ctx.sql().execute(
            "INSERT INTO activity_contacts (activity_id, contact_id, position) VALUES (?1, ?2, ?3)",
            sql::params![activity_id, c, i as i64],
        )?;
    }
    Ok(())
}

/// The contacts an entry names, in the order picked (deleted ones too: the
/// entry is history).
pub fn contact_ids<'c>(conn: impl Into<Sql<'c>>, activity_id: &str) -> Result<Vec<String>> {
    conn.into().query(
        "SELECT contact_id FROM activity_contacts WHERE activity_id = ?1 ORDER BY position",
        sql::params![activity_id],
        |r| r.get(0),
    )
}

/// Adds an entry to the timeline. A touch moves the company's last contact
/// and the deal's last activity forward (never backward: a late-logged old
/// call does not make a customer look freshly contacted). A next appointment
/// plans an `appointment` follow-up for the author at that time.
pub fn log(ctx: &WriteCtx, a: &NewActivity) -> Result<String> {
    let company: Option<String> = ctx.sql().query_opt(
        "SELECT name FROM companies WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![&a.company_id],
        |r| r.get(0),
    )?;
    let Some(company_name) = company else {
        return Err(Error::invalid("company_id", "unknown"));
    };
    let c = check(ctx, &a.company_id, &ActivityEdit::from(a), None)?;
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO activities (id, company_id, contact_id, deal_id, kind, direction, occurred_at, summary, body,
                                 minutes, next_todos, next_appointment_at, signals, author_id,
                                 created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?14)",
        sql::params![
            id,
            a.company_id,
            c.contact_ids.first(),
            c.deal_id,
            a.kind.as_str(),
            a.direction.map(Direction::as_str),
            c.occurred_at,
            c.summary,
            a.body,
            a.minutes,
            a.next_todos,
            c.next_appointment_at,
            c.signals,
            ctx.user_id,
            ctx.now
        ],
    )?;
    link_contacts(ctx, &id, &c.contact_ids)?;
    if a.kind.is_touch() {
        let n = ctx.sql().execute(
            "UPDATE companies SET last_contact_at = ?2
             WHERE id = ?1 AND (last_contact_at IS NULL OR last_contact_at < ?2)",
            sql::params![a.company_id, c.occurred_at],
        )?;
        if n > 0 {
            ctx.changed(Entity::Company, &a.company_id, "update")?;
        }
    }
    if let Some(deal_id) = &c.deal_id {
        ctx.sql().execute(
            "UPDATE deals SET last_activity_at = ?2
             WHERE id = ?1 AND (last_activity_at IS NULL OR last_activity_at < ?2)",
            sql::params![deal_id, c.occurred_at],
        )?;
    }
    if let Some(at) = &c.next_appointment_at {
        plan_appointment(ctx, &id, &a.company_id, &company_name, c.deal_id.as_deref(), at)?;
    }
    ctx.audit(
        Entity::Activity,
        &id,
        "insert",
        json!({ "kind": a.kind.as_str(), "summary": c.summary, "company_id": a.company_id }),
    )?;
    ctx.changed(Entity::Activity, &id, "insert")?;
    Ok(id)
}

/// An entry the engine records: bookkeeping of what happened (a stage
/// change, a contract event), not a touch with the customer, so neither the
/// last contact nor the deal's last activity moves. Its summary is stored as
/// what happened ([`EngineText`]), with the words in the writer's language
/// beside it.
pub(crate) struct Record<'a> {
    pub company_id: &'a str,
    pub contact_id: Option<&'a str>,
    pub deal_id: Option<&'a str>,
    pub kind: ActivityKind,
    pub occurred_at: &'a str,
    pub text: &'a EngineText,
    /// Details kept as they are (the problems heard, a stage change's data).
    pub body: &'a str,
}

pub(crate) fn record(ctx: &WriteCtx, r: &Record) -> Result<String> {
    let id = new_id();
    let (text_kind, text_params) = r.text.to_columns();
    ctx.sql().execute(
        "INSERT INTO activities (id, company_id, contact_id, deal_id, kind, occurred_at, summary, body, author_id,
                                 created_at, updated_at, updated_by, text_kind, text_params, search_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?9, ?11, ?12, ?13)",
        sql::params![
            id,
            r.company_id,
            r.contact_id,
            r.deal_id,
            r.kind.as_str(),
            r.occurred_at,
            r.text.render(ctx.lang),
            r.body,
            ctx.user_id,
            ctx.now,
            text_kind,
            text_params,
            r.text.search_text()
        ],
    )?;
    ctx.changed(Entity::Activity, &id, "insert")?;
    Ok(id)
}

/// Marks the summary of an entry just logged as the engine's words (the
/// thank-you mail recorded without a subject).
pub(crate) fn set_engine_text(ctx: &WriteCtx, id: &str, text: &EngineText) -> Result<()> {
    let (text_kind, text_params) = text.to_columns();
    ctx.sql().execute(
        "UPDATE activities SET text_kind = ?2, text_params = ?3, search_text = ?4 WHERE id = ?1",
        sql::params![id, text_kind, text_params, text.search_text()],
    )?;
    Ok(())
}

/// What an edit or delete needs to know of the stored entry.
struct Stored {
    company_id: String,
    contact_ids: Vec<String>,
    deal_id: Option<String>,
    kind: ActivityKind,
    direction: Option<Direction>,
    occurred_at: String,
    summary: String,
    body: String,
    minutes: String,
    next_todos: String,
    next_appointment_at: Option<String>,
    signals: Vec<String>,
    author_id: Option<String>,
    version: i64,
}

/// The entry the author may change: live, theirs, and written by a person.
fn editable(ctx: &WriteCtx, id: &str, version: i64) -> Result<Stored> {
    let row = ctx.sql().query_opt(
        "SELECT company_id, deal_id, kind, direction, occurred_at, summary, body, minutes, next_todos,
                    next_appointment_at, signals, author_id, version
             FROM activities WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| {
            Ok(Stored {
                company_id: r.get(0)?,
                contact_ids: Vec::new(),
                deal_id: r.get(1)?,
                kind: crate::error::known_in_row("activities", id, r.get(2)?, ActivityKind::parse)?,
                direction: r.get::<Option<String>>(3)?.as_deref().and_then(Direction::parse),
                occurred_at: r.get(4)?,
                summary: r.get(5)?,
                body: r.get(6)?,
                minutes: r.get(7)?,
                next_todos: r.get(8)?,
                next_appointment_at: r.get(9)?,
                signals: serde_json::from_str(&r.get::<String>(10)?).unwrap_or_default(),
                author_id: r.get(11)?,
                version: r.get(12)?,
            })
        },
    )?;
    let Some(mut old) = row else {
        return Err(Error::NotFound {
            entity: "activity",
            id: id.to_string(),
        });
    };
    // Colleagues read each other's entries but never rewrite them: the
    // timeline is the team's memory of who said what.
    if old.author_id.as_deref() != Some(ctx.user_id) {
        return Err(Error::invalid("activity", "not_author"));
    }
    if !old.kind.is_loggable() {
        return Err(Error::invalid("activity", "not_editable"));
    }
    // A support case's steps are the case's record: changed on the case
    // (support/), never rewritten here behind its thread's back.
    let of_case = ctx
        .sql()
        .query_opt(
            "SELECT 1 FROM case_events WHERE activity_id = ?1",
            sql::params![id],
            |_| Ok(()),
        )?
        .is_some();
    if of_case {
        return Err(Error::invalid("activity", "not_editable"));
    }
    if old.version != version {
        ctx.expect_one("activity", "activities", id, 0)?;
    }
    old.contact_ids = contact_ids(ctx.sql(), id)?;
    Ok(old)
}

/// The author edits their entry. Returns the new version (unchanged when
/// nothing changed). Last contact and last activity are recomputed, since
/// the time or kind may have moved either way; a changed next appointment
/// replaces the planned appointment follow-up.
pub fn update_activity(ctx: &WriteCtx, id: &str, version: i64, e: &ActivityEdit) -> Result<i64> {
    let old = editable(ctx, id, version)?;
    let c = check(ctx, &old.company_id, e, Some(&old))?;
    let signals: Vec<String> = serde_json::from_str(&c.signals).unwrap_or_default();
    let mut changes = Changes::default();
    changes.note("contact_ids", &old.contact_ids, &c.contact_ids);
    changes.note("deal_id", &old.deal_id, &c.deal_id);
    changes.note("kind", old.kind, e.kind);
    changes.note("direction", old.direction, e.direction);
    changes.note("occurred_at", &old.occurred_at, &c.occurred_at);
    changes.note("summary", &old.summary, &c.summary);
    changes.note("body", &old.body, &e.body);
    changes.note("minutes", &old.minutes, &e.minutes);
    changes.note("next_todos", &old.next_todos, &e.next_todos);
    changes.note("next_appointment_at", &old.next_appointment_at, &c.next_appointment_at);
    changes.note("signals", &old.signals, &signals);
    if changes.is_empty() {
        return Ok(old.version);
    }
    // A summary the engine wrote (a thank-you mail without subject) that
    // its author rewrote is theirs from then on: the kind no longer applies.
    let n = ctx.sql().execute(
        "UPDATE activities SET contact_id = ?3, deal_id = ?4, kind = ?5, direction = ?6, occurred_at = ?7,
                               summary = ?8, body = ?9, minutes = ?10, next_todos = ?11, next_appointment_at = ?12,
                               signals = ?13, version = version + 1, updated_at = ?14, updated_by = ?15,
                               text_kind = CASE WHEN summary = ?8 THEN text_kind END,
                               text_params = CASE WHEN summary = ?8 THEN text_params END,
                               search_text = CASE WHEN summary = ?8 THEN search_text END
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            id,
            version,
            c.contact_ids.first(),
            c.deal_id,
            e.kind.as_str(),
            e.direction.map(Direction::as_str),
            c.occurred_at,
            c.summary,
            e.body,
            e.minutes,
            e.next_todos,
            c.next_appointment_at,
            c.signals,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.expect_one("activity", "activities", id, n)?;
    if old.contact_ids != c.contact_ids {
        link_contacts(ctx, id, &c.contact_ids)?;
    }
    if old.next_appointment_at != c.next_appointment_at || old.deal_id != c.deal_id {
        cancel_appointments(ctx, id)?;
        if let Some(at) = &c.next_appointment_at {
            let name: String = ctx.sql().query_one(
                "SELECT name FROM companies WHERE id = ?1",
                sql::params![&old.company_id],
                |r| r.get(0),
            )?;
            plan_appointment(ctx, id, &old.company_id, &name, c.deal_id.as_deref(), at)?;
        }
    }
    recompute_last_contact(ctx, &old.company_id)?;
    for deal in [&old.deal_id, &c.deal_id].into_iter().flatten() {
        recompute_last_activity(ctx, deal)?;
    }
    ctx.audit(Entity::Activity, id, "update", changes.into_value())?;
    ctx.changed(Entity::Activity, id, "update")?;
    Ok(version + 1)
}

/// The author removes their entry (soft: colleagues see that something was
/// removed, not what). The company's last contact and the deal's last
/// activity fall back to the remaining touches, so a mistaken entry does not
/// keep a customer looking contacted; its planned appointment is cancelled.
pub fn delete_activity(ctx: &WriteCtx, id: &str, version: i64) -> Result<()> {
    let old = editable(ctx, id, version)?;
    let n = ctx.sql().execute(
        "UPDATE activities SET deleted_at = ?3, version = version + 1, updated_at = ?3, updated_by = ?4
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("activity", "activities", id, n)?;
    cancel_appointments(ctx, id)?;
    recompute_last_contact(ctx, &old.company_id)?;
    if let Some(deal) = &old.deal_id {
        recompute_last_activity(ctx, deal)?;
    }
    ctx.audit(
        Entity::Activity,
        id,
        "delete",
        json!({ "kind": old.kind.as_str(), "summary": old.summary }),
    )?;
    ctx.changed(Entity::Activity, id, "delete")?;
    Ok(())
}

fn plan_appointment(
    ctx: &WriteCtx,
    activity_id: &str,
    company_id: &str,
    company_name: &str,
    deal_id: Option<&str>,
    due_at: &str,
) -> Result<String> {
    follow_up::create_titled(
        ctx,
        &NewFollowUp {
            kind: FollowUpKind::Appointment,
            title: String::new(),
            due_at: due_at.to_string(),
            assignee_id: Some(ctx.user_id.to_string()),
            company_id: Some(company_id.to_string()),
            deal_id: deal_id.map(String::from),
            contract_id: None,
            activity_id: Some(activity_id.to_string()),
        },
        &EngineText::NextAppointment {
            company: company_name.to_string(),
        },
    )
}

/// Cancels the open appointment follow-ups planned from an entry (done ones
/// stay done: that appointment took place).
fn cancel_appointments(ctx: &WriteCtx, activity_id: &str) -> Result<()> {
    let open: Vec<(String, i64)> = ctx.sql().query(
        "SELECT id, version FROM follow_ups
         WHERE activity_id = ?1 AND kind = 'appointment' AND status = 'open' AND deleted_at IS NULL",
        sql::params![activity_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (id, version) in open {
        follow_up::close(ctx, &id, version, "cancelled", "appointment changed")?;
    }
    Ok(())
}

/// The latest live touch of a company. One walk down the per-kind index for
/// each touch kind, each stopping at the first live entry: constant however
/// long the customer's history is.
pub fn latest_touch<'c>(conn: impl Into<Sql<'c>>, company_id: &str) -> Result<Option<String>> {
    let conn = conn.into();
    let mut latest: Option<String> = None;
    for kind in ActivityKind::ALL.into_iter().filter(|k| k.is_touch()) {
        let t: Option<String> = conn.query_opt(
            "SELECT occurred_at FROM activities
             WHERE company_id = ?1 AND kind = ?2 AND deleted_at IS NULL
             ORDER BY occurred_at DESC, id DESC LIMIT 1",
            sql::params![company_id, kind.as_str()],
            |r| r.get(0),
        )?;
        latest = latest.max(t);
    }
    Ok(latest)
}

/// Sets last_contact_at from the live touches. It is derived data, so it
/// neither bumps the company's version (a colleague editing the company's
/// address must not get a conflict because someone logged a call) nor goes
/// to the audit log; the change log still tells open lists to refresh.
pub(crate) fn recompute_last_contact(ctx: &WriteCtx, company_id: &str) -> Result<()> {
    let latest = latest_touch(ctx.sql(), company_id)?;
    let n = ctx.sql().execute(
        "UPDATE companies SET last_contact_at = ?2 WHERE id = ?1 AND last_contact_at IS DISTINCT FROM ?2",
        sql::params![company_id, latest],
    )?;
    if n > 0 {
        ctx.changed(Entity::Company, company_id, "update")?;
    }
    Ok(())
}

/// The deal's last activity from its live entries written by people (stage
/// changes do not count, as in [`log`]); derived like last contact.
fn recompute_last_activity(ctx: &WriteCtx, deal_id: &str) -> Result<()> {
    let latest: Option<String> = ctx.sql().query_opt(
        "SELECT occurred_at FROM activities
         WHERE deal_id = ?1 AND deleted_at IS NULL AND kind NOT IN ('stage_change', 'system')
         ORDER BY occurred_at DESC, id DESC LIMIT 1",
        sql::params![deal_id],
        |r| r.get(0),
    )?;
    let n = ctx.sql().execute(
        "UPDATE deals SET last_activity_at = ?2 WHERE id = ?1 AND last_activity_at IS DISTINCT FROM ?2",
        sql::params![deal_id, latest],
    )?;
    if n > 0 {
        ctx.changed(Entity::Deal, deal_id, "update")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::team_db::TeamDb;
    use crate::testutil::{assert_invalid, colleague, entry, fixture, log, seed_pipeline, Fixture, Seed};
    use crate::{Clock, ErrorCode};

    fn setup() -> (Fixture, Seed) {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        (f, s)
    }

    fn last_contact(db: &TeamDb, company_id: &str) -> Option<String> {
        db.sql()
            .query_one(
                "SELECT last_contact_at FROM companies WHERE id = ?1",
                sql::params![company_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn last_activity(db: &TeamDb, deal_id: &str) -> Option<String> {
        db.sql()
            .query_one(
                "SELECT last_activity_at FROM deals WHERE id = ?1",
                sql::params![deal_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn version(db: &TeamDb, id: &str) -> i64 {
        db.sql()
            .query_one("SELECT version FROM activities WHERE id = ?1", sql::params![id], |r| {
                r.get(0)
            })
            .unwrap()
    }

    /// (kind, status, due_at, title, assignee, deal, activity) of the company's follow-ups.
    type FollowUpRow = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    fn follow_ups(db: &TeamDb, company_id: &str) -> Vec<FollowUpRow> {
        db.sql()
            .query(
                "SELECT kind, status, due_at, title, assignee_id, deal_id, activity_id FROM follow_ups
                 WHERE company_id = ?1 ORDER BY created_at, id",
                sql::params![company_id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .unwrap()
    }

    fn edit_of(a: &NewActivity) -> ActivityEdit {
        ActivityEdit::from(a)
    }

    #[test]
    fn a_meeting_log_keeps_minutes_and_plans_the_next_appointment() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "基幹システム刷新", s.stage("提案"), 1_000_000, "JPY");
        let mut a = entry(
            &s.company_id,
            ActivityKind::Meeting,
            "2026-11-25T10:00:00+09:00",
            "初回訪問",
        );
        a.deal_id = Some(deal.clone());
        a.minutes = "・現行の運用で月末に作業が集中\n・決裁者は部長".into();
        a.next_todos = "・概算見積の送付".into();
        // Typed in Tokyo time; stored in UTC like every instant.
        a.next_appointment_at = Some("2026-12-03T14:00:00+09:00".into());
        a.signals = vec!["second_visit".into()];
        let id = log(&mut f.db, &a);
        let (occurred, minutes, todos, next, signals): (String, String, String, String, String) = f
            .db
            .sql()
            .query_one(
                "SELECT occurred_at, minutes, next_todos, next_appointment_at, signals FROM activities WHERE id = ?1",
                sql::params![&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(occurred, "2026-11-25T01:00:00Z");
        assert_eq!(minutes, a.minutes);
        assert_eq!(todos, a.next_todos);
        assert_eq!(next, "2026-12-03T05:00:00Z");
        assert_eq!(signals, r#"["second_visit"]"#);
        assert_eq!(
            follow_ups(&f.db, &s.company_id),
            vec![(
                "appointment".into(),
                "open".into(),
                "2026-12-03T05:00:00Z".into(),
                "次回アポイント: 株式会社テスト".into(),
                Some(f.db.user().id.clone()),
                Some(deal.clone()),
                Some(id.clone()),
            )]
        );
        assert_eq!(
            last_contact(&f.db, &s.company_id).as_deref(),
            Some("2026-11-25T01:00:00Z")
        );
        assert_eq!(last_activity(&f.db, &deal).as_deref(), Some("2026-11-25T01:00:00Z"));
        // The title is stored as what it is, and read in each reader's language.
        let planned = follow_up::list_open(f.db.sql(), &f.clock, None).unwrap();
        let text = planned[0].engine_text.clone().expect("the engine titled it");
        assert_eq!(
            text,
            EngineText::NextAppointment {
                company: "株式会社テスト".into()
            }
        );
        assert_eq!(
            text.render(crate::language::Language::En),
            "Next appointment: 株式会社テスト"
        );
    }

    #[test]
    fn signals_are_fixed_codes_or_short_custom_texts() {
        let ok = check_signals(&[
            " replied_thanks ".into(),
            "custom:  予算確保済み ".into(),
            "replied_thanks".into(),
            format!("custom:{}", "あ".repeat(40)),
        ])
        .unwrap();
        assert_eq!(
            ok,
            vec![
                "replied_thanks".to_string(),
                "custom:予算確保済み".into(),
                format!("custom:{}", "あ".repeat(40))
            ]
        );
        for code in FIXED_SIGNALS {
            assert_eq!(check_signals(&[code.into()]).unwrap(), vec![code.to_string()]);
        }
        assert_invalid(check_signals(&["asked_questions".into()]), "signals", "unknown");
        assert_invalid(check_signals(&["Replied_Thanks".into()]), "signals", "unknown");
        assert_invalid(check_signals(&["custom:   ".into()]), "signals", "empty");
        assert_invalid(
            check_signals(&[format!("custom:{}", "あ".repeat(41))]),
            "signals",
            "too_long",
        );
        assert_invalid(check_signals(&["custom:a\nb".into()]), "signals", "unknown");
        let many: Vec<String> = (0..21).map(|i| format!("custom:{i}")).collect();
        assert_invalid(check_signals(&many), "signals", "too_many");
    }

    #[test]
    fn logging_validates_what_it_stores() {
        let (mut f, s) = setup();
        let other = crate::testutil::company(&mut f.db, "他社");
        let theirs = Seed {
            company_id: other.clone(),
            ..seed_clone(&s)
        }
        .deal(&mut f.db, "他社案件", s.stage("提案"), 1, "JPY");
        let base = entry(&s.company_id, ActivityKind::Call, "2026-11-25T09:00:00+09:00", "電話");
        type Case = (Box<dyn Fn(&mut NewActivity)>, &'static str, &'static str);
        let cases: Vec<Case> = vec![
            (Box::new(|a| a.summary = "  ".into()), "summary", "required"),
            (Box::new(|a| a.summary = "あ".repeat(501)), "summary", "too_long"),
            (Box::new(|a| a.body = "x".repeat(100_001)), "body", "too_long"),
            (Box::new(|a| a.minutes = "x".repeat(100_001)), "minutes", "too_long"),
            (Box::new(|a| a.kind = ActivityKind::StageChange), "kind", "not_loggable"),
            (Box::new(|a| a.kind = ActivityKind::System), "kind", "not_loggable"),
            (
                Box::new(|a| a.occurred_at = "yesterday".into()),
                "occurred_at",
                "format",
            ),
            (
                // Now is 10:00 Tokyo; an hour of clock drift is tolerated, more is not.
                Box::new(|a| a.occurred_at = "2026-11-25T11:01:00+09:00".into()),
                "occurred_at",
                "in_future",
            ),
            (
                Box::new(|a| a.next_appointment_at = Some("next week".into())),
                "next_appointment_at",
                "format",
            ),
            (Box::new(|a| a.company_id = "nope".into()), "company_id", "unknown"),
            (
                Box::new(|a| a.contact_ids = vec!["nope".into()]),
                "contact_ids",
                "other_company",
            ),
            (
                Box::new(move |a| a.deal_id = Some(theirs.clone())),
                "deal_id",
                "other_company",
            ),
            (Box::new(|a| a.signals = vec!["bogus".into()]), "signals", "unknown"),
        ];
        for (change, field, reason) in cases {
            let mut a = base.clone();
            change(&mut a);
            assert_invalid(f.db.write(|ctx| super::log(ctx, &a)), field, reason);
        }
        let count: i64 =
            f.db.sql()
                .query_one("SELECT COUNT(*) FROM activities", &[], |r| r.get(0))
                .unwrap();
        assert_eq!(count, 0);
        // An hour ahead is fine; an empty appointment is none.
        let mut a = base.clone();
        a.occurred_at = "2026-11-25T11:00:00+09:00".into();
        a.next_appointment_at = Some(" ".into());
        log(&mut f.db, &a);
        assert!(follow_ups(&f.db, &s.company_id).is_empty());
    }

    fn seed_clone(s: &Seed) -> Seed {
        Seed {
            pipeline_id: s.pipeline_id.clone(),
            stages: s.stages.clone(),
            company_id: s.company_id.clone(),
        }
    }

    #[test]
    fn last_contact_follows_touches_and_never_moves_backwards() {
        let (mut f, s) = setup();
        let c = &s.company_id;
        assert_eq!(last_contact(&f.db, c), None);
        // A note is not contact with the customer.
        log(&mut f.db, &entry(c, ActivityKind::Note, "2026-11-20T10:00:00Z", "メモ"));
        assert_eq!(last_contact(&f.db, c), None);
        log(&mut f.db, &entry(c, ActivityKind::Call, "2026-11-20T10:00:00Z", "電話"));
        assert_eq!(last_contact(&f.db, c).as_deref(), Some("2026-11-20T10:00:00Z"));
        // A call logged late, dated before the last contact, does not move it back.
        log(
            &mut f.db,
            &entry(c, ActivityKind::Call, "2026-11-01T10:00:00Z", "先月の電話"),
        );
        assert_eq!(last_contact(&f.db, c).as_deref(), Some("2026-11-20T10:00:00Z"));
        for kind in [
            ActivityKind::Meeting,
            ActivityKind::Email,
            ActivityKind::Sns,
            ActivityKind::Quote,
            ActivityKind::Support,
        ] {
            f.clock.advance(Duration::hours(1));
            let at = to_db(f.clock.now());
            log(&mut f.db, &entry(c, kind, &at, kind.as_str()));
            assert_eq!(last_contact(&f.db, c), Some(at), "{kind:?} is a touch");
        }
        for kind in [ActivityKind::Note, ActivityKind::Contract, ActivityKind::Handoff] {
            f.clock.advance(Duration::hours(1));
            let before = last_contact(&f.db, c);
            log(&mut f.db, &entry(c, kind, &to_db(f.clock.now()), kind.as_str()));
            assert_eq!(last_contact(&f.db, c), before, "{kind:?} is not a touch");
        }
    }

    #[test]
    fn deleting_a_mistaken_touch_gives_back_the_previous_last_contact() {
        let (mut f, s) = setup();
        let c = &s.company_id;
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let mut first = entry(c, ActivityKind::Call, "2026-11-10T10:00:00Z", "電話");
        first.deal_id = Some(deal.clone());
        let first = log(&mut f.db, &first);
        let mut wrong = entry(c, ActivityKind::Meeting, "2026-11-24T10:00:00Z", "別の顧客の訪問");
        wrong.deal_id = Some(deal.clone());
        let wrong = log(&mut f.db, &wrong);
        assert_eq!(last_contact(&f.db, c).as_deref(), Some("2026-11-24T10:00:00Z"));
        f.db.write(|ctx| delete_activity(ctx, &wrong, 1)).unwrap();
        assert_eq!(last_contact(&f.db, c).as_deref(), Some("2026-11-10T10:00:00Z"));
        assert_eq!(last_activity(&f.db, &deal).as_deref(), Some("2026-11-10T10:00:00Z"));
        assert_eq!(version(&f.db, &wrong), 2);
        f.db.write(|ctx| delete_activity(ctx, &first, 1)).unwrap();
        assert_eq!(last_contact(&f.db, c), None);
        assert_eq!(last_activity(&f.db, &deal), None);
        // Gone is gone: a second delete or an edit finds nothing.
        let e = f.db.write(|ctx| delete_activity(ctx, &first, 2)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        let a = entry(c, ActivityKind::Call, "2026-11-10T10:00:00Z", "電話");
        let e =
            f.db.write(|ctx| update_activity(ctx, &first, 2, &edit_of(&a)))
                .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        let audit: i64 =
            f.db.sql()
                .query_one(
                    "SELECT COUNT(*) FROM audit_log WHERE entity = 'activity' AND action = 'delete'",
                    &[],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(audit, 2);
    }

    #[test]
    fn editing_the_time_or_kind_recomputes_last_contact() {
        let (mut f, s) = setup();
        let c = &s.company_id;
        log(&mut f.db, &entry(c, ActivityKind::Call, "2026-11-10T10:00:00Z", "電話"));
        let a = entry(c, ActivityKind::Meeting, "2026-11-24T10:00:00Z", "訪問");
        let id = log(&mut f.db, &a);
        // The meeting really was a month ago.
        let mut e = edit_of(&a);
        e.occurred_at = "2026-10-24T10:00:00Z".into();
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 1, &e)).unwrap(), 2);
        assert_eq!(last_contact(&f.db, c).as_deref(), Some("2026-11-10T10:00:00Z"));
        // Back to the 24th, but it was only an internal note.
        e.occurred_at = "2026-11-24T10:00:00Z".into();
        e.kind = ActivityKind::Note;
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 2, &e)).unwrap(), 3);
        assert_eq!(last_contact(&f.db, c).as_deref(), Some("2026-11-10T10:00:00Z"));
        e.kind = ActivityKind::Meeting;
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 3, &e)).unwrap(), 4);
        assert_eq!(last_contact(&f.db, c).as_deref(), Some("2026-11-24T10:00:00Z"));
        // Saving without a change keeps the version.
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 4, &e)).unwrap(), 4);
    }

    #[test]
    fn only_the_author_edits_or_deletes_and_a_stale_version_is_a_conflict() {
        let (mut f, s) = setup();
        let a = entry(&s.company_id, ActivityKind::Call, "2026-11-25T09:00:00+09:00", "電話");
        let id = log(&mut f.db, &a);
        let mut sato = colleague(&f, "sato", "佐藤");
        let mut e = edit_of(&a);
        e.summary = "書き換え".into();
        assert_invalid(
            sato.write(|ctx| update_activity(ctx, &id, 1, &e)),
            "activity",
            "not_author",
        );
        assert_invalid(sato.write(|ctx| delete_activity(ctx, &id, 1)), "activity", "not_author");
        assert_eq!(version(&f.db, &id), 1);
        // The author edits; a second window still on version 1 gets a conflict.
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 1, &e)).unwrap(), 2);
        e.summary = "古い画面から".into();
        let err = f.db.write(|ctx| update_activity(ctx, &id, 1, &e)).unwrap_err();
        assert!(matches!(err, Error::Conflict { current_version: 2, .. }), "{err:?}");
        let err = f.db.write(|ctx| delete_activity(ctx, &id, 1)).unwrap_err();
        assert!(matches!(err, Error::Conflict { current_version: 2, .. }), "{err:?}");
        // Changes are audited field by field.
        let detail: String =
            f.db.sql()
                .query_one(
                    "SELECT detail FROM audit_log WHERE entity_id = ?1 AND action = 'update'",
                    sql::params![&id],
                    |r| r.get(0),
                )
                .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail, json!({ "summary": { "from": "電話", "to": "書き換え" } }));
    }

    #[test]
    fn stage_changes_are_history_nobody_edits() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        s.move_deal(&mut f.db, &deal, 1, s.stage("見積"));
        let id: String =
            f.db.sql()
                .query_one("SELECT id FROM activities WHERE kind = 'stage_change'", &[], |r| {
                    r.get(0)
                })
                .unwrap();
        assert_invalid(
            f.db.write(|ctx| delete_activity(ctx, &id, 1)),
            "activity",
            "not_editable",
        );
        let a = entry(&s.company_id, ActivityKind::Note, "2026-11-25T00:00:00Z", "x");
        assert_invalid(
            f.db.write(|ctx| update_activity(ctx, &id, 1, &edit_of(&a))),
            "activity",
            "not_editable",
        );
    }

    #[test]
    fn moving_or_removing_the_next_appointment_replans_its_follow_up() {
        let (mut f, s) = setup();
        let c = &s.company_id;
        let mut a = entry(c, ActivityKind::Meeting, "2026-11-25T09:00:00+09:00", "訪問");
        a.next_appointment_at = Some("2026-12-03T05:00:00Z".into());
        let id = log(&mut f.db, &a);
        let mut e = edit_of(&a);
        // Editing the minutes leaves the appointment alone.
        e.minutes = "議事録を追記".into();
        f.db.write(|ctx| update_activity(ctx, &id, 1, &e)).unwrap();
        assert_eq!(follow_ups(&f.db, c).len(), 1);
        // Moved: the old one is cancelled, a new one planned.
        e.next_appointment_at = Some("2026-12-10T05:00:00Z".into());
        f.db.write(|ctx| update_activity(ctx, &id, 2, &e)).unwrap();
        let fus = follow_ups(&f.db, c);
        let states: Vec<(&str, &str)> = fus.iter().map(|x| (x.1.as_str(), x.2.as_str())).collect();
        assert_eq!(
            states,
            vec![("cancelled", "2026-12-03T05:00:00Z"), ("open", "2026-12-10T05:00:00Z")]
        );
        // Removed: nothing stays open.
        e.next_appointment_at = None;
        f.db.write(|ctx| update_activity(ctx, &id, 3, &e)).unwrap();
        assert!(follow_ups(&f.db, c).iter().all(|x| x.1 == "cancelled"));
        // Set again, then the entry deleted: cancelled with it.
        e.next_appointment_at = Some("2026-12-17T05:00:00Z".into());
        f.db.write(|ctx| update_activity(ctx, &id, 4, &e)).unwrap();
        assert_eq!(follow_ups(&f.db, c).iter().filter(|x| x.1 == "open").count(), 1);
        f.db.write(|ctx| delete_activity(ctx, &id, 5)).unwrap();
        assert!(follow_ups(&f.db, c).iter().all(|x| x.1 == "cancelled"));
    }

    #[test]
    fn an_edit_may_keep_a_contact_deleted_since() {
        let (mut f, s) = setup();
        let contact = crate::testutil::contact(&mut f.db, &s.company_id, "山田 花子", "");
        let mut a = entry(&s.company_id, ActivityKind::Call, "2026-11-25T00:00:00Z", "電話");
        a.contact_ids = vec![contact.clone()];
        let id = log(&mut f.db, &a);
        f.db.write(|ctx| crate::customers::contact::delete_contact(ctx, &contact, 1))
            .unwrap();
        let mut e = edit_of(&a);
        e.summary = "電話（折り返し）".into();
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 1, &e)).unwrap(), 2);
        // But a new entry cannot name a deleted contact.
        assert_invalid(f.db.write(|ctx| super::log(ctx, &a)), "contact_ids", "other_company");
    }

    #[test]
    fn a_touch_names_the_contacts_met_and_an_edit_changes_them() {
        let (mut f, s) = setup();
        let yamada = crate::testutil::contact(&mut f.db, &s.company_id, "山田 花子", "");
        let ito = crate::testutil::contact(&mut f.db, &s.company_id, "伊藤 誠", "");
        let mut a = entry(&s.company_id, ActivityKind::Meeting, "2026-11-25T00:00:00Z", "訪問");
        a.contact_ids = vec![ito.clone(), " ".into(), yamada.clone(), ito.clone()];
        let id = log(&mut f.db, &a);
        assert_eq!(contact_ids(f.db.sql(), &id).unwrap(), [ito.clone(), yamada.clone()]);
        let first: Option<String> =
            f.db.sql()
                .query_one(
                    "SELECT contact_id FROM activities WHERE id = ?1",
                    sql::params![&id],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(
            first.as_deref(),
            Some(ito.as_str()),
            "the first one picked, for older readers"
        );
        let shown = crate::timeline::entries::entry(f.db.sql(), &id).unwrap();
        let names: Vec<&str> = shown.contacts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["伊藤 誠", "山田 花子"], "in the order picked");

        // Only Yamada was there after all.
        let mut e = edit_of(&a);
        e.contact_ids = vec![yamada.clone()];
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 1, &e)).unwrap(), 2);
        assert_eq!(contact_ids(f.db.sql(), &id).unwrap(), [yamada.as_str()]);
        let detail: String =
            f.db.sql()
                .query_one(
                    "SELECT detail FROM audit_log WHERE entity_id = ?1 AND action = 'update'",
                    sql::params![&id],
                    |r| r.get(0),
                )
                .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(
            detail,
            json!({ "contact_ids": { "from": [ito, yamada], "to": [yamada] } })
        );
        assert_eq!(
            f.db.write(|ctx| update_activity(ctx, &id, 2, &e)).unwrap(),
            2,
            "no change, no new version"
        );
        // Nobody in particular.
        e.contact_ids.clear();
        assert_eq!(f.db.write(|ctx| update_activity(ctx, &id, 2, &e)).unwrap(), 3);
        assert!(contact_ids(f.db.sql(), &id).unwrap().is_empty());
        assert!(crate::timeline::entries::entry(f.db.sql(), &id)
            .unwrap()
            .contacts
            .is_empty());
    }

    #[test]
    fn a_touch_names_only_live_contacts_of_its_own_company_and_not_too_many() {
        let (mut f, s) = setup();
        let other = crate::testutil::company(&mut f.db, "他社");
        let theirs = crate::testutil::contact(&mut f.db, &other, "他社の人", "");
        let mut a = entry(&s.company_id, ActivityKind::Call, "2026-11-25T00:00:00Z", "電話");
        a.contact_ids = vec![theirs];
        assert_invalid(f.db.write(|ctx| super::log(ctx, &a)), "contact_ids", "other_company");
        a.contact_ids = (0..21)
            .map(|i| crate::testutil::contact(&mut f.db, &s.company_id, &format!("参加者{i}"), ""))
            .collect();
        assert_invalid(f.db.write(|ctx| super::log(ctx, &a)), "contact_ids", "too_many");
        a.contact_ids.truncate(20);
        log(&mut f.db, &a);
        let links: i64 =
            f.db.sql()
                .query_one("SELECT COUNT(*) FROM activity_contacts", &[], |r| r.get(0))
                .unwrap();
        assert_eq!(links, 20, "nothing of the refused ones was written");
    }

    #[test]
    fn touch_kinds_match_the_sql_of_the_migration() {
        // The FTS triggers and last-contact queries name kinds in SQL; the
        // CHECK constraint of 0001 lists the same set as ActivityKind.
        let sql = include_str!("../../migrations/0001_init.sql");
        for k in ActivityKind::ALL {
            assert!(sql.contains(&format!("'{}'", k.as_str())), "{k:?}");
            assert_eq!(ActivityKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ActivityKind::parse("visit"), None);
    }
}
