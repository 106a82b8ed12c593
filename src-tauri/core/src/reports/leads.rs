//! Inbound leads (docs/leads.md) as the manager reads them: where they
//! came from and what became of them, and whether each got its first
//! answer within the team's target.
//!
//! A lead counts in the period it was received in. The owner filter is the
//! lead's owner; the segment filter does not apply (a lead has no customer
//! segment until it becomes one). A built-in source is a code the window
//! words; a team's own source is shown as the team wrote it.

use super::{service_level, Builder, Chart, ChartId, DrillKind, LabelKind, Query, Unit, SERVICE_LEVELS};
use crate::clock::to_db;
use crate::error::Result;
use crate::store::sql;
use crate::team::settings::LEAD_SOURCES;

/// ?1, ?2: the period's instants.
pub const LEADS: &str = "
SELECT id, source, status, owner_id, received_at, first_response_due, first_response_at
  FROM leads
 WHERE deleted_at IS NULL AND received_at >= ?1 AND received_at < ?2
 ORDER BY received_at, id";

pub const STATUSES: [&str; 5] = ["new", "contacted", "qualified", "nurture", "disqualified"];

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let weeks = q.weeks();
    let now = to_db(q.now);
    let mut by_source = Builder::new();
    for s in STATUSES {
        by_source.series(s, &format!("lead_{s}"), LabelKind::Code);
    }
    let mut response = Builder::new();
    for w in &weeks {
        response.category(&w.to_string(), &w.to_string(), LabelKind::Week);
    }
    for l in SERVICE_LEVELS {
        response.series(l, &format!("sla_{l}"), LabelKind::Code);
    }
    q.conn.query(LEADS, sql::params![&q.start, &q.end], |r| {
        let owner: Option<String> = r.get(3)?;
        if !q.keeps_owner(owner.as_deref()) {
            return Ok(());
        }
        let id: String = r.get(0)?;
        let source: String = r.get(1)?;
        let status: String = r.get(2)?;
        let ci = if LEAD_SOURCES.contains(&source.as_str()) {
            by_source.category(&source, &format!("source_{source}"), LabelKind::Code)
        } else {
            by_source.category(&source, &source, LabelKind::Text)
        };
        if let Some(si) = STATUSES.iter().position(|s| *s == status) {
            by_source.add(si, ci, 1.0, Some(&id));
        }
        let at: String = r.get(4)?;
        let due: String = r.get(5)?;
        let answered: Option<String> = r.get(6)?;
        // A lead closed without an answer (disqualified as spam) was not
        // left waiting: it has no first-response figure.
        if answered.is_none() && matches!(status.as_str(), "disqualified" | "qualified") {
            return Ok(());
        }
        let Some(day) = q.local_day(&at) else {
            return Ok(());
        };
        let monday = super::monday(day).to_string();
        let Some(wi) = weeks.iter().position(|w| w.to_string() == monday) else {
            return Ok(());
        };
        let level = service_level(&due, answered.as_deref(), &now);
        let si = SERVICE_LEVELS
            .iter()
            .position(|l| *l == level)
            .expect("a level of the list");
        response.add(si, wi, 1.0, Some(&id));
        Ok(())
    })?;
    Ok(vec![
        by_source.build(ChartId::LeadsBySource, Unit::Count, None, true, DrillKind::Leads),
        response.build(ChartId::LeadResponse, Unit::Count, None, true, DrillKind::Leads),
    ])
}
