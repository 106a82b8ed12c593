//! Support cases (docs/support.md) as the manager reads them: how many came
//! in each week and of what kind, and whether the team met its service
//! levels on them.
//!
//! A case counts in the week (on the user's calendar) it was received. The
//! owner filter is the customer's account owner, as for deals and
//! customers: "my rep's customers", not who in support answered. Its
//! service levels are the targets fixed when it was opened (`support::sla`):
//! met when answered (resolved) by the due time, late when after it,
//! overdue when still open past it, pending when still open before it.

use super::{service_level, Builder, Chart, ChartId, DrillKind, LabelKind, Query, Unit, SERVICE_LEVELS};
use crate::clock::to_db;
use crate::error::Result;
use crate::store::sql;

/// ?1, ?2: the period's instants.
pub const CASES: &str = "
SELECT s.id, s.category, s.received_at, c.owner_id, c.segment,
       s.first_response_due, s.first_response_at,
       s.resolution_due, COALESCE(s.resolved_at, s.closed_at)
  FROM support_cases s
  JOIN companies c ON c.id = s.company_id
 WHERE s.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL
   AND s.received_at >= ?1 AND s.received_at < ?2
 ORDER BY s.id";

pub const CATEGORIES: [&str; 4] = ["question", "trouble", "request", "complaint"];

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let weeks = q.weeks();
    let now = to_db(q.now);
    let mut received = Builder::new();
    for w in &weeks {
        received.category(&w.to_string(), &w.to_string(), LabelKind::Week);
    }
    for c in CATEGORIES {
        received.series(c, &format!("case_{c}"), LabelKind::Code);
    }
    let mut levels = Builder::new();
    for target in ["first_response", "resolution"] {
        levels.category(target, target, LabelKind::Code);
    }
    for l in SERVICE_LEVELS {
        levels.series(l, &format!("sla_{l}"), LabelKind::Code);
    }
    q.conn.query(CASES, sql::params![&q.start, &q.end], |r| {
        let id: String = r.get(0)?;
        let owner: Option<String> = r.get(3)?;
        let segment: String = r.get(4)?;
        if !q.keeps(owner.as_deref(), &segment, None) {
            return Ok(());
        }
        let category: String = r.get(1)?;
        let at: String = r.get(2)?;
        if let (Some(si), Some(day)) = (CATEGORIES.iter().position(|c| *c == category), q.local_day(&at)) {
            let monday = super::monday(day).to_string();
            if let Some(wi) = weeks.iter().position(|w| w.to_string() == monday) {
                received.add(si, wi, 1.0, Some(&id));
            }
        }
        for (ci, (due, done)) in [(5, 6), (7, 8)].into_iter().enumerate() {
            let due: String = r.get(due)?;
            let done: Option<String> = r.get(done)?;
            let level = service_level(&due, done.as_deref(), &now);
            let si = SERVICE_LEVELS
                .iter()
                .position(|l| *l == level)
                .expect("a level of the list");
            levels.add(si, ci, 1.0, Some(&id));
        }
        Ok(())
    })?;
    Ok(vec![
        received.build(ChartId::SupportReceived, Unit::Count, None, true, DrillKind::Cases),
        levels.build(ChartId::SupportServiceLevels, Unit::Count, None, true, DrillKind::Cases),
    ])
}
