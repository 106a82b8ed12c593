//! A support case: opening it, the status machine, assignee, priority,
//! version-checked edits and soft deletion. Every step is also a case event
//! and a timeline entry ([`crate::support::thread`]).

use crate::clock::{from_db, to_db};
use crate::engine_text::EngineText;
use crate::error::{known, Error, Result};
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::support::sla;
use crate::support::thread::{self, EventKind, Step};
use crate::team::settings::TeamSettings;
use crate::validate::{non_empty, required};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

const SUBJECT_MAX: usize = 200;
/// A pasted mail with its quoted history fits; a whole file does not.
pub(crate) const BODY_MAX: usize = 100_000;
/// Colleagues' clocks drift; a case received in the future is a typo.
const FUTURE_SLACK_MINUTES: i64 = 60;

/// The stored code of each value, both ways.
macro_rules! codes {
    ($name:ident { $($variant:ident => $code:literal),* $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),*
                }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

/// How the customer reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Channel {
    Phone,
    Mail,
    Web,
    Visit,
}
codes!(Channel { Phone => "phone", Mail => "mail", Web => "web", Visit => "visit" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Category {
    Question,
    Trouble,
    Request,
    Complaint,
}
codes!(Category { Question => "question", Trouble => "trouble", Request => "request", Complaint => "complaint" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Priority {
    Urgent,
    High,
    Normal,
    Low,
}
codes!(Priority { Urgent => "urgent", High => "high", Normal => "normal", Low => "low" });

/// new → in_progress → waiting (for the customer) → resolved → closed;
/// a resolved or closed case may be reopened (back to in_progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaseStatus {
    New,
    InProgress,
    Waiting,
    Resolved,
    Closed,
}
codes!(CaseStatus { New => "new", InProgress => "in_progress", Waiting => "waiting", Resolved => "resolved", Closed => "closed" });

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::New,
        CaseStatus::InProgress,
        CaseStatus::Waiting,
        CaseStatus::Resolved,
        CaseStatus::Closed,
    ];

    /// Where the case may go from here, for the page's buttons.
    pub fn next(self) -> Vec<CaseStatus> {
        CaseStatus::ALL.into_iter().filter(|s| self.can_go_to(*s)).collect()
    }

    /// Still being worked on: its service levels run.
    pub fn is_open(self) -> bool {
        matches!(self, CaseStatus::New | CaseStatus::InProgress | CaseStatus::Waiting)
    }

    /// The steps the status machine allows from here. Going back to `new`
    /// is never one: someone has looked at the case. Closing needs it
    /// resolved first (the customer confirmed, or stayed silent).
    pub fn can_go_to(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, to),
            (New, InProgress | Waiting | Resolved)
                | (InProgress, Waiting | Resolved)
                | (Waiting, InProgress | Resolved)
                | (Resolved, Closed | InProgress)
                | (Closed, InProgress)
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewCase {
    /// Chosen by the caller when the case may wait in the outbox, so a reply
    /// queued after it can name it; `None`: a new id.
    #[serde(default)]
    pub id: Option<String>,
    pub company_id: String,
    /// The contact who asked.
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub contract_id: Option<String>,
    pub subject: String,
    pub body: String,
    pub channel: Channel,
    pub category: Category,
    pub priority: Priority,
    /// `None`: nobody yet (the support members see it as new).
    pub assignee_id: Option<String>,
    /// RFC 3339, when the customer asked; `None`: now.
    pub received_at: Option<String>,
}

/// What a version-checked edit may change; status, assignee and priority
/// have their own steps (each is an event on the thread).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseEdit {
    pub subject: String,
    pub body: String,
    pub channel: Channel,
    pub category: Category,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub contract_id: Option<String>,
}

/// What a step needs of the stored case.
pub(crate) struct Head {
    pub id: String,
    pub number: i64,
    pub company_id: String,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub subject: String,
    pub status: CaseStatus,
    pub priority: Priority,
    pub received_at: String,
    pub first_response_at: Option<String>,
    pub version: i64,
}

/// The live case, checked against the version the user saw (`None`: any).
pub(crate) fn head(ctx: &WriteCtx, id: &str, version: Option<i64>) -> Result<Head> {
    let row = ctx.sql().query_opt(
        "SELECT id, number, company_id, contact_id, deal_id, subject, status, priority, received_at,
                    first_response_at, version
               FROM support_cases WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| {
            Ok((
                Head {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    company_id: r.get(2)?,
                    contact_id: r.get(3)?,
                    deal_id: r.get(4)?,
                    subject: r.get(5)?,
                    status: CaseStatus::New,
                    priority: Priority::Normal,
                    received_at: r.get(8)?,
                    first_response_at: r.get(9)?,
                    version: r.get(10)?,
                },
                r.get::<String>(6)?,
                r.get::<String>(7)?,
            ))
        },
    )?;
    let Some((mut h, status, priority)) = row else {
        return Err(Error::NotFound {
            entity: "support_case",
            id: id.to_string(),
        });
    };
    h.status = known("support_cases", id, &status, CaseStatus::parse)?;
    h.priority = known("support_cases", id, &priority, Priority::parse)?;
    if version.is_some_and(|v| v != h.version) {
        ctx.expect_one("support_case", "support_cases", id, 0)?;
    }
    Ok(h)
}

/// Links must belong to the case's company; a member must be active.
struct Links {
    contact_id: Option<String>,
    deal_id: Option<String>,
    contract_id: Option<String>,
}

fn check_links(
    ctx: &WriteCtx,
    company_id: &str,
    contact_id: &Option<String>,
    deal_id: &Option<String>,
    contract_id: &Option<String>,
) -> Result<Links> {
    let owned = |table: &str, id: &str| -> Result<bool> {
        let sql = format!("SELECT 1 FROM {table} WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL");
        Ok(ctx
            .sql()
            .query_opt(&sql, sql::params![id, company_id], |_| Ok(()))?
            .is_some())
    };
    let links = Links {
        contact_id: non_empty(contact_id),
        deal_id: non_empty(deal_id),
        contract_id: non_empty(contract_id),
    };
    for (field, table, value) in [
        ("contact_id", "contacts", &links.contact_id),
        ("deal_id", "deals", &links.deal_id),
        ("contract_id", "contracts", &links.contract_id),
    ] {
        if let Some(v) = value {
            if !owned(table, v)? {
                return Err(Error::invalid(field, "other_company"));
            }
        }
    }
    Ok(links)
}

/// An active member's name, or `Invalid(assignee_id, unknown)`.
fn member_name(ctx: &WriteCtx, id: &str) -> Result<String> {
    ctx.sql()
        .query_opt(
            "SELECT display_name FROM users WHERE id = ?1 AND deleted_at IS NULL AND deactivated_at IS NULL",
            sql::params![id],
            |r| r.get(0),
        )?
        .ok_or(Error::invalid("assignee_id", "unknown"))
}

fn body(value: &str) -> Result<()> {
    if value.chars().count() > BODY_MAX {
        return Err(Error::invalid("body", "too_long"));
    }
    Ok(())
}

/// Opens a case: numbered, due times planned from when it was received, on
/// the customer's timeline. Returns its id.
pub fn open(ctx: &WriteCtx, c: &NewCase) -> Result<String> {
    let subject = required("subject", &c.subject, SUBJECT_MAX)?;
    body(&c.body)?;
    let company_ok = ctx
        .sql()
        .query_opt(
            "SELECT 1 FROM companies WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![&c.company_id],
            |_| Ok(()),
        )?
        .is_some();
    if !company_ok {
        return Err(Error::invalid("company_id", "unknown"));
    }
    let links = check_links(ctx, &c.company_id, &c.contact_id, &c.deal_id, &c.contract_id)?;
    let assignee = non_empty(&c.assignee_id);
    if let Some(a) = &assignee {
        member_name(ctx, a)?;
    }
    let now = ctx.clock.now();
    let received = match c.received_at.as_deref().map(str::trim) {
        None | Some("") => now,
        Some(t) => from_db(t).ok_or(Error::invalid("received_at", "format"))?,
    };
    if received > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
        return Err(Error::invalid("received_at", "in_future"));
    }
    let id = non_empty(&c.id).unwrap_or_else(new_id);
    let team = TeamSettings::load(ctx.sql())?;
    let plan = sla::plan(&team, c.priority, received, ctx.clock.offset());
    let number: i64 = ctx.sql().query_one(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM support_cases",
        sql::params![],
        |r| r.get(0),
    )?;
    ctx.sql().execute(
        "INSERT INTO support_cases (id, number, company_id, contact_id, deal_id, contract_id, subject, body, channel,
                                    category, priority, status, assignee_id, received_at,
                                    first_response_due, first_response_warn_at, resolution_due, resolution_warn_at,
                                    next_due, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'new', ?12, ?13, ?14, ?15, ?16, ?17, ?14, ?18, ?18, ?19)", sql::params![
            id,
            number,
            c.company_id,
            links.contact_id,
            links.deal_id,
            links.contract_id,
            subject,
            c.body,
            c.channel.as_str(),
            c.category.as_str(),
            c.priority.as_str(),
            assignee,
            to_db(received),
            plan.first_response_due,
            plan.first_response_warn_at,
            plan.resolution_due,
            plan.resolution_warn_at,
            ctx.now,
            ctx.user_id
        ])?;
    let h = head(ctx, &id, None)?;
    thread::step(
        ctx,
        &h,
        &Step {
            kind: EventKind::Opened,
            body: &c.body,
            detail: json!({ "channel": c.channel, "category": c.category, "priority": c.priority }),
            at: Some(&to_db(received)),
            text: EngineText::CaseOpened {
                case_id: id.clone(),
                number,
                subject: subject.clone(),
                category: c.category.as_str().into(),
                channel: c.channel.as_str().into(),
            },
        },
    )?;
    ctx.audit(
        Entity::SupportCase,
        &id,
        "insert",
        json!({ "number": number, "subject": subject, "company_id": c.company_id, "category": c.category }),
    )?;
    ctx.changed(Entity::SupportCase, &id, "insert")?;
    Ok(id)
}

/// Bumps the case's version after a step; the row must still be at `h.version`.
pub(crate) fn touch(ctx: &WriteCtx, h: &Head, set: &str, extra: &[sql::Value]) -> Result<i64> {
    let statement = format!(
        "UPDATE support_cases SET {set}{sep} version = version + 1, updated_at = ?1, updated_by = ?2
          WHERE id = ?3 AND version = ?4 AND deleted_at IS NULL",
        sep = if set.is_empty() { "" } else { "," }
    );
    let mut values = sql::params![&ctx.now, ctx.user_id, &h.id, h.version].to_vec();
    values.extend_from_slice(extra);
    let n = ctx.sql().execute(&statement, &values)?;
    ctx.expect_one("support_case", "support_cases", &h.id, n)?;
    Ok(h.version + 1)
}

/// Edits what was asked, if nobody changed the case since `version`.
/// Returns the new version.
pub fn update(ctx: &WriteCtx, id: &str, version: i64, e: &CaseEdit) -> Result<i64> {
    let h = head(ctx, id, Some(version))?;
    let subject = required("subject", &e.subject, SUBJECT_MAX)?;
    body(&e.body)?;
    let links = check_links(ctx, &h.company_id, &e.contact_id, &e.deal_id, &e.contract_id)?;
    let v = touch(
        ctx,
        &h,
        "subject = ?5, body = ?6, channel = ?7, category = ?8, contact_id = ?9, deal_id = ?10, contract_id = ?11",
        sql::params![
            &subject,
            &e.body,
            &e.channel.as_str(),
            &e.category.as_str(),
            &links.contact_id,
            &links.deal_id,
            &links.contract_id,
        ],
    )?;
    ctx.audit(
        Entity::SupportCase,
        id,
        "update",
        json!({ "subject": subject, "category": e.category }),
    )?;
    ctx.changed(Entity::SupportCase, id, "update")?;
    Ok(v)
}

/// Moves the case along the status machine. An impossible step is
/// `Invalid(status, not_allowed)`. Resolving stamps `resolved_at` and stops
/// the clocks; reopening (from resolved or closed) gives the resolution a
/// new due time from now, since the old one says nothing about the new work.
pub fn set_status(ctx: &WriteCtx, id: &str, version: i64, to: CaseStatus) -> Result<i64> {
    let h = head(ctx, id, Some(version))?;
    if !h.status.can_go_to(to) {
        return Err(Error::invalid("status", "not_allowed"));
    }
    let reopened = !h.status.is_open() && to.is_open();
    let v = if reopened {
        let team = TeamSettings::load(ctx.sql())?;
        let (due, warn) = sla::resolution(&team, h.priority, ctx.clock.now(), ctx.clock.offset());
        touch(
            ctx,
            &h,
            "status = ?5, resolved_at = NULL, closed_at = NULL, resolution_due = ?6, resolution_warn_at = ?7,
             next_due = CASE WHEN first_response_at IS NULL THEN first_response_due ELSE ?6 END",
            sql::params![&to.as_str(), &due, &warn],
        )?
    } else {
        let set = match to {
            CaseStatus::Resolved => "status = ?5, resolved_at = ?1, next_due = NULL",
            CaseStatus::Closed => {
                "status = ?5, closed_at = ?1, resolved_at = COALESCE(resolved_at, ?1), next_due = NULL"
            }
            _ => "status = ?5",
        };
        touch(ctx, &h, set, sql::params![&to.as_str()])?
    };
    let detail = json!({ "from": h.status, "to": to });
    thread::step(
        ctx,
        &h,
        &Step {
            kind: EventKind::Status,
            body: "",
            detail: detail.clone(),
            at: None,
            text: EngineText::CaseStatusChanged {
                case_id: h.id.clone(),
                number: h.number,
                subject: h.subject.clone(),
                from: h.status.as_str().into(),
                to: to.as_str().into(),
            },
        },
    )?;
    ctx.audit(Entity::SupportCase, id, "status", detail)?;
    ctx.changed(Entity::SupportCase, id, "update")?;
    Ok(v)
}

/// Gives the case to a member (`None`: nobody).
pub fn assign(ctx: &WriteCtx, id: &str, version: i64, assignee_id: Option<&str>) -> Result<i64> {
    let h = head(ctx, id, Some(version))?;
    let assignee = assignee_id.map(str::trim).filter(|s| !s.is_empty());
    let name = assignee.map(|a| member_name(ctx, a)).transpose()?;
    let v = touch(ctx, &h, "assignee_id = ?5", sql::params![&assignee])?;
    thread::step(
        ctx,
        &h,
        &Step {
            kind: EventKind::Assign,
            body: "",
            detail: json!({ "to": assignee }),
            at: None,
            text: EngineText::CaseAssigned {
                case_id: h.id.clone(),
                number: h.number,
                subject: h.subject.clone(),
                assignee: name,
            },
        },
    )?;
    ctx.audit(Entity::SupportCase, id, "assign", json!({ "to": assignee }))?;
    ctx.changed(Entity::SupportCase, id, "update")?;
    Ok(v)
}

/// Changes the priority and plans both targets again from when the case
/// was received (a target already met stays met).
pub fn set_priority(ctx: &WriteCtx, id: &str, version: i64, priority: Priority) -> Result<i64> {
    let h = head(ctx, id, Some(version))?;
    if h.priority == priority {
        return Ok(h.version);
    }
    let team = TeamSettings::load(ctx.sql())?;
    let received = from_db(&h.received_at).unwrap_or_else(|| ctx.clock.now());
    let plan = sla::plan(&team, priority, received, ctx.clock.offset());
    let v = touch(
        ctx,
        &h,
        "priority = ?5, first_response_due = ?6, first_response_warn_at = ?7, resolution_due = ?8,
         resolution_warn_at = ?9,
         next_due = CASE WHEN next_due IS NULL THEN NULL WHEN first_response_at IS NULL THEN ?6 ELSE ?8 END",
        sql::params![
            &priority.as_str(),
            &plan.first_response_due,
            &plan.first_response_warn_at,
            &plan.resolution_due,
            &plan.resolution_warn_at,
        ],
    )?;
    let detail = json!({ "from": h.priority, "to": priority });
    thread::step(
        ctx,
        &h,
        &Step {
            kind: EventKind::Priority,
            body: "",
            detail: detail.clone(),
            at: None,
            text: EngineText::CasePriorityChanged {
                case_id: h.id.clone(),
                number: h.number,
                subject: h.subject.clone(),
                from: h.priority.as_str().into(),
                to: priority.as_str().into(),
            },
        },
    )?;
    ctx.audit(Entity::SupportCase, id, "priority", detail)?;
    ctx.changed(Entity::SupportCase, id, "update")?;
    Ok(v)
}

/// Soft-deletes a case logged by mistake, with its timeline entries (they
/// leave the customer's timeline and the search index).
pub fn delete(ctx: &WriteCtx, id: &str, version: i64) -> Result<()> {
    let h = head(ctx, id, Some(version))?;
    touch(ctx, &h, "deleted_at = ?1, next_due = NULL", sql::params![])?;
    let entries: Vec<String> = ctx.sql().query(
        "SELECT activity_id FROM case_events WHERE case_id = ?1 AND activity_id IS NOT NULL",
        sql::params![id],
        |r| r.get(0),
    )?;
    for a in &entries {
        ctx.sql().execute(
            "UPDATE activities SET deleted_at = ?2, version = version + 1, updated_at = ?2, updated_by = ?3
              WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![a, ctx.now, ctx.user_id],
        )?;
        ctx.changed(Entity::Activity, a, "delete")?;
    }
    ctx.audit(
        Entity::SupportCase,
        id,
        "delete",
        json!({ "number": h.number, "subject": h.subject }),
    )?;
    ctx.changed(Entity::SupportCase, id, "delete")
}
