//! Who is being neglected: customers past their keep-in-touch interval,
//! week by week, and open deals going cold, by owner.
//!
//! A customer is kept in touch with when it bought or has a running
//! contract and no re-approach is planned (`followups::retention`, as the
//! reminders judge it today). At the end of each week (or now, for the
//! current one) it is past its interval when its last touch before then —
//! or its creation, when never touched — is more than its interval
//! (its own, or its segment's) in days ago. A deal goes cold as the board
//! says: open and idle for longer than its stage's idle days.

use super::{day_start, Builder, Chart, ChartId, DrillKind, LabelKind, Query, Unit};
use crate::clock::from_db;
use crate::error::Result;
use crate::followups::retention::RETAINED;
use crate::store::sql;
use crate::team::settings::TeamSettings;
use chrono::Duration;

pub const TOUCH: &str = "kind IN ('meeting', 'call', 'email', 'sns', 'quote') AND deleted_at IS NULL";

pub fn customers_sql() -> String {
    format!(
        "SELECT c.id, c.owner_id, c.segment, c.created_at,
                COALESCE(c.retention_days, CASE c.segment WHEN 'key' THEN ?1 ELSE ?2 END)
           FROM companies c
          WHERE c.deleted_at IS NULL AND c.archived_at IS NULL AND {RETAINED}
          ORDER BY c.id"
    )
}

/// A customer's last touch before ?2.
pub fn before_sql() -> String {
    format!(
        "SELECT occurred_at FROM activities WHERE company_id = ?1 AND {TOUCH} AND occurred_at < ?2
          ORDER BY occurred_at DESC LIMIT 1"
    )
}

/// A customer's touches from ?2 up to ?3.
pub fn during_sql() -> String {
    format!(
        "SELECT occurred_at FROM activities WHERE company_id = ?1 AND {TOUCH}
            AND occurred_at >= ?2 AND occurred_at < ?3 ORDER BY occurred_at"
    )
}

pub const GOING_COLD: &str = "
SELECT d.id, d.owner_id, COALESCE(u.display_name, ''), c.segment, d.pipeline_id, s.idle_days,
       CASE WHEN COALESCE(d.last_activity_at, '') > d.stage_entered_at
            THEN d.last_activity_at ELSE d.stage_entered_at END
  FROM deals d
  JOIN stages s ON s.id = d.stage_id AND s.kind = 'open'
  JOIN companies c ON c.id = d.company_id
  LEFT JOIN users u ON u.id = d.owner_id
 WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL AND s.idle_days > 0
 ORDER BY d.id";

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let team = TeamSettings::load(q.conn)?;
    let weeks = q.weeks();
    // The moment each week is judged at: its end, or now for the current one.
    let ends: Vec<_> = weeks
        .iter()
        .map(|w| day_start(*w + Duration::days(7), q.offset).min(q.now))
        .collect();
    let mut past = Builder::new();
    for w in &weeks {
        past.category(&w.to_string(), &w.to_string(), LabelKind::Week);
    }
    let past_s = past.series("past_interval", "past_interval", LabelKind::Code);
    let (before, during) = (before_sql(), during_sql());
    q.conn.query(
        &customers_sql(),
        sql::params![team.retention_days_key, team.retention_days_other],
        |r| {
            let id: String = r.get(0)?;
            let owner: Option<String> = r.get(1)?;
            let segment: String = r.get(2)?;
            if !q.keeps(owner.as_deref(), &segment, None) {
                return Ok(());
            }
            let created: String = r.get(3)?;
            let interval: i64 = r.get(4)?;
            let Some(created_at) = from_db(&created) else {
                return Ok(());
            };
            let last_before: Option<String> = q.conn.query_opt(&before, sql::params![id, q.start], |r| r.get(0))?;
            let touches: Vec<String> = q.conn.query(&during, sql::params![id, q.start, q.end], |r| r.get(0))?;
            let mut last = last_before.as_deref().and_then(from_db).unwrap_or(created_at);
            let mut t = touches.iter().filter_map(|s| from_db(s)).peekable();
            for (wi, end) in ends.iter().enumerate() {
                while let Some(next) = t.peek() {
                    if next < end {
                        last = last.max(*next);
                        t.next();
                    } else {
                        break;
                    }
                }
                if created_at < *end && (*end - last).num_days() > interval {
                    past.add(past_s, wi, 1.0, Some(&id));
                }
            }
            Ok(())
        },
    )?;

    let mut cold = Builder::new();
    let cold_s = cold.series("going_cold", "going_cold", LabelKind::Code);
    q.conn.query(GOING_COLD, sql::params![], |r| {
        let id: String = r.get(0)?;
        let owner: Option<String> = r.get(1)?;
        let name: String = r.get(2)?;
        let segment: String = r.get(3)?;
        let pipeline: String = r.get(4)?;
        if !q.keeps(owner.as_deref(), &segment, Some(&pipeline)) {
            return Ok(());
        }
        let idle_days: i64 = r.get(5)?;
        let alive: String = r.get(6)?;
        let Some(day) = q.local_day(&alive) else {
            return Ok(());
        };
        if (q.today - day).num_days() <= idle_days {
            return Ok(());
        }
        let ci = match &owner {
            Some(o) => cold.category(o, &name, LabelKind::Text),
            None => cold.category("", "nobody", LabelKind::Code),
        };
        cold.add(cold_s, ci, 1.0, Some(&id));
        Ok(())
    })?;
    Ok(vec![
        past.build(ChartId::KeepInTouch, Unit::Count, None, false, DrillKind::Companies),
        cold.build(ChartId::GoingCold, Unit::Count, None, false, DrillKind::Deals),
    ])
}
