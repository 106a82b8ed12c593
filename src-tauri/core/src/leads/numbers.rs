//! The numbers a manager asks for (docs/leads.md): leads by source per
//! month, the median first-response time in business minutes, how many
//! leads of each source became a deal and a won deal, and how many nurtured
//! leads came back. Months are the office's (the clock's offset); the
//! period is the `months` whole months up to and including this one.

use crate::clock::{from_db, to_db, Clock};
use crate::error::Result;
use crate::store::sql::{self, Sql};
use crate::team::settings::TeamSettings;
use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SourceMonth {
    /// "2026-11"
    pub month: String,
    pub source: String,
    pub leads: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SourceConversion {
    pub source: String,
    pub leads: u32,
    /// Converted into a deal.
    pub deals: u32,
    /// Whose deal was won.
    pub won: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LeadNumbers {
    /// The first month counted ("2026-06").
    pub since: String,
    pub by_month: Vec<SourceMonth>,
    /// Business minutes from receiving a lead to its first answer, the
    /// median over the answered leads received in the period.
    #[ts(type = "number | null")]
    pub median_first_response_minutes: Option<i64>,
    pub answered: u32,
    pub by_source: Vec<SourceConversion>,
    /// Nurtured leads (and lost deals) that came back in the period.
    pub resurfaced: u32,
    /// On the nurture list now.
    pub nurturing: u32,
}

/// The start of the month `months - 1` months before `now`'s, in the office's zone.
fn period_start(now: DateTime<Utc>, offset: FixedOffset, months: u32) -> (DateTime<Utc>, String) {
    let local = now.with_timezone(&offset).date_naive();
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap_or(local);
    let first = first
        .checked_sub_months(Months::new(months.clamp(1, 36) - 1))
        .unwrap_or(first);
    let start = first
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(offset).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    (start, first.format("%Y-%m").to_string())
}

/// The median of `v` (the lower middle of an even count, so it is a
/// minute someone actually took).
fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
}

pub fn numbers<'c>(
    conn: impl Into<Sql<'c>>,
    team: &TeamSettings,
    now: DateTime<Utc>,
    offset: FixedOffset,
    months: u32,
) -> Result<LeadNumbers> {
    let conn = conn.into();
    let (start, since) = period_start(now, offset, months);
    let start_db = to_db(start);
    // Counted here by the office's month: SQL's date functions differ
    // between the two stores.
    let mut counted: BTreeMap<(String, String), u32> = BTreeMap::new();
    for (received, source) in conn.query(
        "SELECT received_at, source FROM leads
          WHERE deleted_at IS NULL AND origin = 'inquiry' AND received_at >= ?1",
        sql::params![start_db],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
    )? {
        let Some(at) = from_db(&received) else { continue };
        let month = at.with_timezone(&offset).format("%Y-%m").to_string();
        *counted.entry((month, source)).or_default() += 1;
    }
    let by_month = counted
        .into_iter()
        .map(|((month, source), leads)| SourceMonth { month, source, leads })
        .collect();
    let answered: Vec<(String, String)> = conn.query(
        "SELECT received_at, first_response_at FROM leads
          WHERE deleted_at IS NULL AND origin = 'inquiry' AND received_at >= ?1 AND first_response_at IS NOT NULL",
        sql::params![start_db],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let minutes: Vec<i64> = answered
        .iter()
        .filter_map(|(a, b)| Some(team.business_hours.minutes_between(from_db(a)?, from_db(b)?, offset)))
        .collect();
    let by_source = conn.query(
        "SELECT l.source, COUNT(*), COUNT(l.converted_at), COUNT(CASE WHEN s.kind = 'won' THEN 1 END)
           FROM leads l
           LEFT JOIN deals d ON d.id = l.deal_id AND l.converted_at IS NOT NULL AND d.deleted_at IS NULL
           LEFT JOIN stages s ON s.id = d.stage_id
          WHERE l.deleted_at IS NULL AND l.origin = 'inquiry' AND l.received_at >= ?1
          GROUP BY l.source ORDER BY COUNT(*) DESC, l.source",
        sql::params![start_db],
        |r| {
            Ok(SourceConversion {
                source: r.get(0)?,
                leads: r.get(1)?,
                deals: r.get(2)?,
                won: r.get(3)?,
            })
        },
    )?;
    let (resurfaced, nurturing): (u32, u32) = conn.query_one(
        "SELECT COUNT(CASE WHEN resurfaced_at >= ?1 THEN 1 END), COUNT(CASE WHEN status = 'nurture' THEN 1 END)
           FROM leads WHERE deleted_at IS NULL",
        sql::params![start_db],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(LeadNumbers {
        since,
        by_month,
        answered: u32::try_from(minutes.len()).unwrap_or(u32::MAX),
        median_first_response_minutes: median(minutes),
        by_source,
        resurfaced,
        nurturing,
    })
}

/// The numbers as the member reading `conn` sees them now.
pub fn view<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, months: u32) -> Result<LeadNumbers> {
    let conn = conn.into();
    let team = TeamSettings::load(conn)?;
    numbers(conn, &team, clock.now(), clock.offset(), months)
}
