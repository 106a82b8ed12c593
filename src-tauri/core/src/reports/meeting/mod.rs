//! The weekly sales meeting (営業会議, docs/meeting.md): per member, the
//! deals that moved in the week, those going cold, decision deadlines in
//! the next 7 days, the deals lost with their reasons, and follow-ups
//! overdue — one page per member, for the screen, the projector and paper.
//!
//! Each section asks the folder that owns its rule: going cold is the
//! board's rule (`pipeline::board`, its cold-only filter), overdue is the
//! follow-ups list's (`followups::follow_up`), a decision deadline counts
//! only in a closing stage as on the board's cards, and a loss's reason,
//! competitor and re-approach are what `pipeline::moves` stored.
//!
//! What happened (moved, lost) is read for any past week; what stands
//! (going cold, deadlines, overdue) is judged now, so only the current
//! week shows it: a deal's touches, stage and follow-ups since a past week
//! would make a "going cold then" a guess.
//!
//! Reads run on a read-only connection of their own ([`meeting_from_file`]),
//! a few short statements, each releasing the file before the next, so a
//! colleague's save never waits for the whole report.

pub mod week;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, Bucket, FollowUpItem, FollowUpKind};
use crate::pipeline::board::{self, BoardFilter, DealCard, MAX_PAGE};
use crate::pipeline::stage::{self, StageKind};
use crate::store::sql::{self, Row, Sql};
use crate::team::member;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;

/// Decision deadlines this many days ahead of today are on the agenda.
pub const DEADLINE_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Meeting {
    /// Monday of the week shown, on the user's calendar.
    pub week_start: NaiveDate,
    /// Its Sunday.
    pub week_end: NaiveDate,
    /// The user's today, which the standing sections were judged against.
    pub today: NaiveDate,
    /// The week holding today: only then are going cold, deadlines and
    /// overdue follow-ups shown (they are judged now).
    pub current: bool,
    /// Every active member, in name order, then deactivated members who
    /// still own something shown, then deals and follow-ups with nobody's
    /// name (`member_id` None) when there are any.
    pub members: Vec<MeetingMember>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MeetingMember {
    /// None: the deals and follow-ups nobody owns.
    pub member_id: Option<String>,
    pub name: Option<String>,
    pub active: bool,
    pub moved: Vec<MovedDeal>,
    /// Open deals idle past their stage's idle days, coldest first.
    pub cold: Vec<DealCard>,
    pub deadlines: Vec<DeadlineDeal>,
    pub lost: Vec<LostDeal>,
    /// Open follow-ups assigned to the member from before today (snoozed
    /// ones are not late until they come back), oldest first.
    pub overdue: Vec<FollowUpItem>,
}

impl MeetingMember {
    fn new(member_id: Option<String>, name: Option<String>, active: bool) -> Self {
        MeetingMember {
            member_id,
            name,
            active,
            moved: Vec::new(),
            cold: Vec::new(),
            deadlines: Vec::new(),
            lost: Vec::new(),
            overdue: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.moved.is_empty()
            && self.cold.is_empty()
            && self.deadlines.is_empty()
            && self.lost.is_empty()
            && self.overdue.is_empty()
    }
}

/// What every section says of a deal, and where a click opens it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MeetingDeal {
    pub id: String,
    pub pipeline_id: String,
    pub stage_id: String,
    pub stage_name: String,
    pub stage_kind: StageKind,
    pub title: String,
    pub company_id: String,
    pub company_name: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    #[serde(skip)]
    owner_id: Option<String>,
}

/// A deal whose stage changed in the week: from where it stood before the
/// week's first move to where the week's last move took it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MovedDeal {
    pub deal: MeetingDeal,
    /// Stage names as the moves recorded them.
    pub from: String,
    pub to: String,
    /// Stage changes in the week (2 or more: it went back and forth).
    pub moves: u32,
    pub last_moved_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeadlineDeal {
    pub deal: MeetingDeal,
    pub decision_deadline: NaiveDate,
    /// Negative: the date has passed and the customer has not decided.
    pub days_left: i32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LostDeal {
    pub deal: MeetingDeal,
    pub lost_at: String,
    pub reason: String,
    /// The competitor who won, when known.
    pub lost_to: Option<String>,
    pub detail: Option<String>,
    pub reapproach_on: Option<NaiveDate>,
    /// The re-approach follow-up is still open (not cancelled or done).
    pub reapproach_planned: bool,
}

/// A clock standing at one moment, for a report run off the session.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
}

impl Clock for At {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn offset(&self) -> FixedOffset {
        self.offset
    }
}

/// The meeting of the week holding `week` (any day of it; None: this week).
/// A week after this one is refused: nothing has happened in it yet.
pub fn meeting<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, week: Option<NaiveDate>) -> Result<Meeting> {
    let conn = conn.into();
    let today = clock.today();
    let this_week = week::monday_of(today);
    let monday = week.map_or(this_week, week::monday_of);
    if monday > this_week {
        return Err(Error::invalid("week", "future"));
    }
    let current = monday == this_week;
    let bounds = week::bounds(monday, clock.offset());

    let mut by_owner: BTreeMap<Option<String>, MeetingMember> = BTreeMap::new();
    fn slot<'a>(
        by_owner: &'a mut BTreeMap<Option<String>, MeetingMember>,
        owner: &Option<String>,
    ) -> &'a mut MeetingMember {
        by_owner
            .entry(owner.clone())
            .or_insert_with(|| MeetingMember::new(owner.clone(), None, true))
    }

    let lost = lost(conn, &bounds)?;
    // A deal lost this week is talked about once, with its reason, under lost.
    let lost_ids: std::collections::HashSet<&str> = lost.iter().map(|l| l.deal.id.as_str()).collect();
    for m in moved(conn, &bounds)? {
        if !lost_ids.contains(m.deal.id.as_str()) {
            slot(&mut by_owner, &m.deal.owner_id).moved.push(m);
        }
    }
    for l in lost {
        slot(&mut by_owner, &l.deal.owner_id).lost.push(l);
    }
    if current {
        for c in going_cold(conn, clock)? {
            slot(&mut by_owner, &c.owner_id).cold.push(c);
        }
        for d in deadlines(conn, today)? {
            slot(&mut by_owner, &d.deal.owner_id).deadlines.push(d);
        }
        for f in follow_up::list_open(conn, clock, None)? {
            if f.bucket == Bucket::Overdue {
                slot(&mut by_owner, &f.assignee_id).overdue.push(f);
            }
        }
    }

    // Every active member gets their turn, even with nothing to show: in
    // the meeting "nothing moved" is itself worth a word. Someone who left
    // the team appears only while something of theirs is on the agenda.
    let mut members = Vec::new();
    for m in member::members(conn)? {
        let key = Some(m.id.clone());
        let found = by_owner.remove(&key);
        if !m.active && found.as_ref().map_or(true, MeetingMember::is_empty) {
            continue;
        }
        let mut entry = found.unwrap_or_else(|| MeetingMember::new(key, None, true));
        entry.name = Some(m.display_name);
        entry.active = m.active;
        members.push(entry);
    }
    // Deactivated members come after the active ones (members() orders so);
    // what is left has no owner, or one merged away, which is nobody's now.
    let mut nobody = MeetingMember::new(None, None, true);
    for (_, rest) in by_owner {
        nobody.moved.extend(rest.moved);
        nobody.cold.extend(rest.cold);
        nobody.deadlines.extend(rest.deadlines);
        nobody.lost.extend(rest.lost);
        nobody.overdue.extend(rest.overdue);
    }
    if !nobody.is_empty() {
        members.push(nobody);
    }
    for m in &mut members {
        m.cold
            .sort_by(|a, b| b.cold_days.cmp(&a.cold_days).then_with(|| a.id.cmp(&b.id)));
    }

    Ok(Meeting {
        week_start: monday,
        week_end: monday + Duration::days(6),
        today,
        current,
        members,
    })
}

/// The deal columns every section reads (0 to 10), and where they come from.
const DEAL_COLUMNS: &str = "d.id, d.pipeline_id, d.stage_id, s.name, s.kind, d.title, d.company_id, c.name, d.amount,
        d.currency, d.owner_id";
const DEAL_FROM: &str = "FROM deals d
     JOIN stages s ON s.id = d.stage_id
     JOIN companies c ON c.id = d.company_id";
/// A deleted deal, or one of an archived customer, is never on the agenda.
const LIVE: &str = "d.deleted_at IS NULL AND c.archived_at IS NULL";

fn deal(r: &Row) -> Result<MeetingDeal> {
    let id: String = r.get(0)?;
    let kind: String = r.get(4)?;
    Ok(MeetingDeal {
        stage_kind: crate::error::known("stages", &r.get::<String>(2)?, &kind, StageKind::parse)?,
        id,
        pipeline_id: r.get(1)?,
        stage_id: r.get(2)?,
        stage_name: r.get(3)?,
        title: r.get(5)?,
        company_id: r.get(6)?,
        company_name: r.get(7)?,
        amount: r.get(8)?,
        currency: r.get(9)?,
        owner_id: r.get(10)?,
    })
}

/// Deals with a stage change in the week, the latest mover first. The
/// stage changes are the timeline entries `pipeline::moves` writes; their
/// body keeps the stage names as they were.
fn moved(conn: Sql, bounds: &week::Bounds) -> Result<Vec<MovedDeal>> {
    let rows = conn.query(
        &format!(
            "SELECT {DEAL_COLUMNS}, a.occurred_at, a.body
           {DEAL_FROM}
           JOIN activities a ON a.deal_id = d.id
          WHERE a.kind = 'stage_change' AND a.deleted_at IS NULL AND a.occurred_at >= ?1 AND a.occurred_at < ?2
            AND {LIVE}
          ORDER BY d.id, a.occurred_at, a.id"
        ),
        sql::params![bounds.from, bounds.until],
        |r| Ok((deal(r)?, r.get::<String>(11)?, r.get::<String>(12)?)),
    )?;
    let name = |body: &str, key: &str| -> String {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get(key).and_then(|s| s.as_str()).map(String::from))
            .unwrap_or_default()
    };
    let mut out: Vec<MovedDeal> = Vec::new();
    for (d, at, body) in rows {
        if let Some(m) = out.last_mut().filter(|m| m.deal.id == d.id) {
            m.to = name(&body, "to");
            m.moves += 1;
            m.last_moved_at = at;
            continue;
        }
        out.push(MovedDeal {
            from: name(&body, "from"),
            to: name(&body, "to"),
            moves: 1,
            last_moved_at: at,
            deal: d,
        });
    }
    out.sort_by(|a, b| {
        b.last_moved_at
            .cmp(&a.last_moved_at)
            .then_with(|| a.deal.id.cmp(&b.deal.id))
    });
    Ok(out)
}

/// Deals lost in the week and still lost (reopening one clears its loss).
fn lost(conn: Sql, bounds: &week::Bounds) -> Result<Vec<LostDeal>> {
    conn.query(
        &format!(
            "SELECT {DEAL_COLUMNS}, d.lost_at, d.lost_reason, d.lost_to, d.lost_detail, d.reapproach_on,
                EXISTS (SELECT 1 FROM follow_ups f WHERE f.deal_id = d.id AND f.kind = ?3
                          AND f.status = 'open' AND f.deleted_at IS NULL)
           {DEAL_FROM}
          WHERE s.kind = 'lost' AND d.lost_at IS NOT NULL AND d.lost_at >= ?1 AND d.lost_at < ?2 AND {LIVE}
          ORDER BY d.lost_at, d.id",
        ),
        sql::params![bounds.from, bounds.until, FollowUpKind::Reapproach.as_str()],
        |r| {
            let day: Option<String> = r.get(15)?;
            Ok(LostDeal {
                deal: deal(r)?,
                lost_at: r.get(11)?,
                reason: r.get::<Option<String>>(12)?.unwrap_or_default(),
                lost_to: r.get(13)?,
                detail: r.get(14)?,
                reapproach_on: day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                reapproach_planned: r.get(16)?,
            })
        },
    )
}

/// Open deals in a closing stage whose decision deadline falls within the
/// next [`DEADLINE_DAYS`] days, or has passed without a decision — the
/// board's rule: the deadline counts only while the deal is closing.
fn deadlines(conn: Sql, today: NaiveDate) -> Result<Vec<DeadlineDeal>> {
    let until = today + Duration::days(DEADLINE_DAYS);
    let rows = conn.query(
        &format!(
            "SELECT {DEAL_COLUMNS}, d.decision_deadline
           {DEAL_FROM}
          WHERE s.kind = 'open' AND s.is_closing = 1 AND d.decision_deadline IS NOT NULL
            AND d.decision_deadline <= ?1 AND {LIVE}
          ORDER BY d.decision_deadline, d.id",
        ),
        sql::params![until.to_string()],
        |r| Ok((deal(r)?, r.get::<String>(11)?)),
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(deal, day)| {
            let d = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?;
            Some(DeadlineDeal {
                deal,
                decision_deadline: d,
                days_left: (d - today).num_days() as i32,
            })
        })
        .collect())
}

/// Every pipeline's cold cards, as the board's "going cold" filter shows
/// them (each column asked for all of its cards).
fn going_cold(conn: Sql, clock: &dyn Clock) -> Result<Vec<DealCard>> {
    let filter = BoardFilter {
        cold_only: true,
        ..Default::default()
    };
    let mut out = Vec::new();
    for p in stage::all_with_stages(conn)? {
        let all: HashMap<String, u32> = p
            .stages
            .iter()
            .filter(|s| s.kind == StageKind::Open)
            .map(|s| (s.id.clone(), MAX_PAGE))
            .collect();
        let b = board::load_keeping(conn, clock, Some(&p.pipeline.id), &filter, &all)?;
        out.extend(b.columns.into_iter().flat_map(|c| c.cards));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
