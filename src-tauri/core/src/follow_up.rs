//! Follow-ups (追客): the next thing someone promised to do for a customer.

use crate::clock::{from_db, Clock};
use crate::company::required;
use crate::db::WriteCtx;
use crate::error::Result;
use crate::id::new_id;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FollowUpKind {
    FollowUp,
    DecisionDeadline,
    Reapproach,
    Renewal,
    Retention,
    Appointment,
}

impl FollowUpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::FollowUp => "follow_up",
            FollowUpKind::DecisionDeadline => "decision_deadline",
            FollowUpKind::Reapproach => "reapproach",
            FollowUpKind::Renewal => "renewal",
            FollowUpKind::Retention => "retention",
            FollowUpKind::Appointment => "appointment",
        }
    }
    pub fn parse(s: &str) -> FollowUpKind {
        match s {
            "decision_deadline" => FollowUpKind::DecisionDeadline,
            "reapproach" => FollowUpKind::Reapproach,
            "renewal" => FollowUpKind::Renewal,
            "retention" => FollowUpKind::Retention,
            "appointment" => FollowUpKind::Appointment,
            _ => FollowUpKind::FollowUp,
        }
    }
}

/// Where a due time stands relative to the user's today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DueState {
    Overdue,
    Today,
    Upcoming,
}

impl DueState {
    /// Judged by the user's calendar day: something due at 9:00 is still
    /// today's work at 15:00, and only earlier days are overdue.
    pub fn of(due_at: &str, clock: &dyn Clock) -> DueState {
        let Some(due) = from_db(due_at) else {
            return DueState::Upcoming;
        };
        let due_day = due.with_timezone(&clock.offset()).date_naive();
        let today = clock.today();
        if due_day < today {
            DueState::Overdue
        } else if due_day == today {
            DueState::Today
        } else {
            DueState::Upcoming
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewFollowUp {
    pub kind: FollowUpKind,
    pub title: String,
    pub due_at: String,
    pub assignee_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub contract_id: Option<String>,
    pub activity_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FollowUpItem {
    pub id: String,
    pub kind: FollowUpKind,
    pub title: String,
    pub due_at: String,
    pub state: DueState,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
}

pub fn create(ctx: &WriteCtx, f: &NewFollowUp) -> Result<String> {
    let title = required("title", &f.title, 300)?;
    if from_db(&f.due_at).is_none() {
        return Err(crate::Error::invalid("due_at", "format"));
    }
    let id = new_id();
    ctx.tx.execute(
        "INSERT INTO follow_ups (id, kind, title, due_at, assignee_id, company_id, deal_id, contract_id, activity_id,
                                 created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
        params![
            id,
            f.kind.as_str(),
            title,
            f.due_at,
            f.assignee_id,
            f.company_id,
            f.deal_id,
            f.contract_id,
            f.activity_id,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.changed("follow_up", &id, "insert")?;
    Ok(id)
}

/// Open follow-ups, earliest first; for one assignee or the whole team.
pub fn list_open(conn: &Connection, clock: &dyn Clock, assignee_id: Option<&str>) -> Result<Vec<FollowUpItem>> {
    let mut st = conn.prepare(
        "SELECT f.id, f.kind, f.title, f.due_at, f.assignee_id, u.display_name, f.company_id, c.name, f.deal_id, d.title
         FROM follow_ups f
         LEFT JOIN users u ON u.id = f.assignee_id
         LEFT JOIN companies c ON c.id = f.company_id
         LEFT JOIN deals d ON d.id = f.deal_id
         WHERE f.status = 'open' AND f.deleted_at IS NULL AND (?1 IS NULL OR f.assignee_id = ?1)
         ORDER BY f.due_at, f.id",
    )?;
    let rows = st
        .query_map([assignee_id], |r| {
            let due_at: String = r.get(3)?;
            Ok(FollowUpItem {
                id: r.get(0)?,
                kind: FollowUpKind::parse(&r.get::<_, String>(1)?),
                title: r.get(2)?,
                state: DueState::of(&due_at, clock),
                due_at,
                assignee_id: r.get(4)?,
                assignee_name: r.get(5)?,
                company_id: r.get(6)?,
                company_name: r.get(7)?,
                deal_id: r.get(8)?,
                deal_title: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
