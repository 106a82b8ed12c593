//! Service levels: when a case must first be answered and resolved, in the
//! team's business hours, and how each target stands now.
//!
//! The due times are fixed when a case is opened (and again when its
//! priority changes or it is reopened), in the office's zone, so every
//! desktop agrees on the moment a case breaches and the reminder scheduler
//! can find it by SQL. The warning time is the due time less the team's
//! `sla_warn_minutes`, also counted in business minutes.

use crate::clock::{from_db, to_db};
use crate::support::case::Priority;
use crate::team::settings::{SlaTarget, TeamSettings};
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use ts_rs::TS;

/// What reading a case or a lead needs to say how its targets stand: who
/// reads, the team's targets and business hours, and when.
pub struct Reader<'a> {
    pub user_id: &'a str,
    pub team: &'a TeamSettings,
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
}

/// Runs `read` as member `user_id`, with the team's settings, at `clock`'s now.
pub(crate) fn as_member<T>(
    conn: crate::store::sql::Sql,
    clock: &dyn crate::clock::Clock,
    user_id: &str,
    read: impl FnOnce(&Reader) -> crate::error::Result<T>,
) -> crate::error::Result<T> {
    let team = TeamSettings::load(conn)?;
    read(&Reader {
        user_id,
        team: &team,
        now: clock.now(),
        offset: clock.offset(),
    })
}

/// The stored due and warning times of a case's two targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub first_response_due: String,
    pub first_response_warn_at: String,
    pub resolution_due: String,
    pub resolution_warn_at: String,
}

pub(crate) fn target(team: &TeamSettings, priority: Priority) -> SlaTarget {
    match priority {
        Priority::Urgent => team.case_sla.urgent,
        Priority::High => team.case_sla.high,
        Priority::Normal => team.case_sla.normal,
        Priority::Low => team.case_sla.low,
    }
}

/// Due times `hours` of business time after `from`, warned
/// `sla_warn_minutes` of business time before (never before `from`).
fn due_and_warning(team: &TeamSettings, from: DateTime<Utc>, hours: u32, offset: FixedOffset) -> (String, String) {
    let minutes = i64::from(hours) * 60;
    let hours_ = &team.business_hours;
    let due = hours_.add(from, minutes, offset);
    let warn = hours_.add(from, (minutes - i64::from(team.sla_warn_minutes)).max(0), offset);
    (to_db(due), to_db(warn))
}

/// Both targets of a case of `priority` counted from `from`.
pub(crate) fn plan(team: &TeamSettings, priority: Priority, from: DateTime<Utc>, offset: FixedOffset) -> Plan {
    let t = target(team, priority);
    let (first_response_due, first_response_warn_at) = due_and_warning(team, from, t.first_response_hours, offset);
    let (resolution_due, resolution_warn_at) = due_and_warning(team, from, t.resolution_hours, offset);
    Plan {
        first_response_due,
        first_response_warn_at,
        resolution_due,
        resolution_warn_at,
    }
}

/// Only the resolution target, counted from `from` (a reopened case).
pub(crate) fn resolution(
    team: &TeamSettings,
    priority: Priority,
    from: DateTime<Utc>,
    offset: FixedOffset,
) -> (String, String) {
    due_and_warning(team, from, target(team, priority).resolution_hours, offset)
}

/// How a target stands, for the badge the inbox and the case page show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlaState {
    /// Not done, more than the warning left.
    OnTrack,
    /// Not done, within the team's warning (business minutes) of the due time.
    DueSoon,
    /// Past the due time, or done after it.
    Breached,
    /// Done in time.
    Met,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SlaView {
    pub state: SlaState,
    pub due_at: String,
    /// Business minutes left (negative: how far past it, in business
    /// minutes); `None` once the target is done.
    #[ts(type = "number | null")]
    pub minutes_left: Option<i64>,
}

/// How a target due at `due` stands at `now`, done at `done` (if it is).
pub fn view(team: &TeamSettings, due: &str, done: Option<&str>, now: DateTime<Utc>, offset: FixedOffset) -> SlaView {
    let due_t = from_db(due).unwrap_or(now);
    let hours = &team.business_hours;
    let (state, minutes_left) = match done.and_then(from_db) {
        Some(d) if d <= due_t => (SlaState::Met, None),
        Some(_) => (SlaState::Breached, None),
        None if now >= due_t => (SlaState::Breached, Some(-hours.minutes_between(due_t, now, offset))),
        None => {
            let left = hours.minutes_between(now, due_t, offset);
            let state = if left <= i64::from(team.sla_warn_minutes) {
                SlaState::DueSoon
            } else {
                SlaState::OnTrack
            };
            (state, Some(left))
        }
    };
    SlaView {
        state,
        due_at: due.to_string(),
        minutes_left,
    }
}
