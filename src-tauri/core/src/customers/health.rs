//! Customer health (docs/customer-health.md): what support saw of a customer
//! in the last 90 days and what they said at their last renewal hearing, as
//! one indicator — good, watch or at risk — with the reasons that made it so.
//!
//! It lives here, beside the companies, because the customer list sorts by
//! it and the folders above (the nobody-forgotten list, the pushiness guard,
//! the renewal board, the customer page) all read it: one arithmetic and one
//! grouped query for all of them. The support cases it counts are written
//! by `support/`; this reads their table only.

use crate::clock::{to_db, Clock};
use crate::error::Result;
use crate::store::sql::{self, Row, Sql};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// How far back complaints and breaches count.
pub const WINDOW_DAYS: i64 = 90;

/// Breaches in the window from which a customer is at risk (one or two: watch).
const BREACHES_AT_RISK: u32 = 3;
/// Complaints in the window from which a customer is at risk, even resolved.
const COMPLAINTS_AT_RISK: u32 = 2;
/// Open cases at once from which a customer is watched.
const OPEN_CASES_WATCH: u32 = 3;
/// Hearing satisfaction (1–5) at or below which a customer is at risk; one
/// more is watched.
const SATISFACTION_AT_RISK: u8 = 2;
const SATISFACTION_WATCH: u8 = 3;

/// What the indicator is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HealthFacts {
    /// Cases not yet resolved (new, in progress, waiting for the customer).
    pub open_cases: u32,
    /// Of those, complaints.
    pub open_complaints: u32,
    /// Complaints received in the window, whatever their status now.
    pub complaints: u32,
    /// Service-level breaches whose due time fell in the window: a first
    /// response or a resolution that came after its due time, or is still
    /// missing past it. One case can breach twice.
    pub breaches: u32,
    /// The satisfaction (1–5) heard at the latest renewal hearing.
    pub satisfaction: Option<u8>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HealthLevel {
    /// Worst first, so sorting by level puts the customers to look at on top.
    AtRisk,
    Watch,
    #[default]
    Good,
}

/// Why a customer is not simply good: a code the UI words, with its number
/// (cases, breaches, or the satisfaction score).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HealthReasonKind {
    OpenComplaint,
    Complaints,
    Breaches,
    OpenCases,
    LowSatisfaction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HealthReason {
    pub kind: HealthReasonKind,
    pub count: u32,
    /// This reason alone puts the customer at risk (else: watch).
    pub at_risk: bool,
}

/// The indicator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export)]
pub struct Health {
    pub level: HealthLevel,
    /// Most serious first; empty when good.
    pub reasons: Vec<HealthReason>,
    pub facts: HealthFacts,
}

impl Health {
    /// The arithmetic: each fact past its threshold is a reason, and the
    /// worst reason is the level.
    pub fn judge(facts: HealthFacts) -> Health {
        let mut reasons = Vec::new();
        let mut reason = |kind, count: u32, at_risk: bool| reasons.push(HealthReason { kind, count, at_risk });
        if facts.open_complaints > 0 {
            reason(HealthReasonKind::OpenComplaint, facts.open_complaints, true);
        }
        // Open complaints are among the complaints received; a resolved one
        // still weighs: the customer remembers it at the next renewal.
        if facts.complaints > 0 {
            reason(
                HealthReasonKind::Complaints,
                facts.complaints,
                facts.complaints >= COMPLAINTS_AT_RISK,
            );
        }
        if facts.breaches > 0 {
            reason(
                HealthReasonKind::Breaches,
                facts.breaches,
                facts.breaches >= BREACHES_AT_RISK,
            );
        }
        if facts.open_cases >= OPEN_CASES_WATCH {
            reason(HealthReasonKind::OpenCases, facts.open_cases, false);
        }
        if let Some(s) = facts.satisfaction.filter(|s| *s <= SATISFACTION_WATCH) {
            reason(
                HealthReasonKind::LowSatisfaction,
                u32::from(s),
                s <= SATISFACTION_AT_RISK,
            );
        }
        reasons.sort_by_key(|r| !r.at_risk);
        let level = match reasons.first() {
            None => HealthLevel::Good,
            Some(r) if r.at_risk => HealthLevel::AtRisk,
            Some(_) => HealthLevel::Watch,
        };
        Health { level, reasons, facts }
    }
}

/// Per company, the case facts as of `?2` (now) with the window opening at
/// `?1`; the caller adds its own `AND` and the grouping. Timestamps are the
/// clock's one text form, so comparing text compares instants. A case
/// resolved or closed without a reply has no first response missing: the
/// resolution answered it. Conditions are counted with CASE, not summed as
/// SQLite's 0/1: a server's comparison is a boolean, which does not add.
pub const CASE_FACTS: &str = "
SELECT sc.company_id,
       SUM(CASE WHEN sc.status IN ('new','in_progress','waiting') THEN 1 ELSE 0 END) AS open_cases,
       SUM(CASE WHEN sc.status IN ('new','in_progress','waiting') AND sc.category = 'complaint' THEN 1 ELSE 0 END)
         AS open_complaints,
       SUM(CASE WHEN sc.category = 'complaint' AND sc.received_at >= ?1 AND sc.received_at <= ?2 THEN 1 ELSE 0 END)
         AS complaints,
       SUM(CASE WHEN sc.first_response_due >= ?1 AND sc.first_response_due < ?2
                 AND COALESCE(sc.first_response_at, sc.resolved_at, sc.closed_at, ?2) > sc.first_response_due
                THEN 1 ELSE 0 END
         + CASE WHEN sc.resolution_due >= ?1 AND sc.resolution_due < ?2
                 AND COALESCE(sc.resolved_at, sc.closed_at, ?2) > sc.resolution_due
                THEN 1 ELSE 0 END) AS breaches
  FROM support_cases sc
 WHERE sc.deleted_at IS NULL";

/// Per company, the satisfaction of its latest hearing: the contract
/// period ending last among those with one (the later id on a tie), with
/// `filter` added to the contracts' conditions.
macro_rules! latest_satisfaction {
    ($filter:literal) => {
        concat!(
            "SELECT company_id, satisfaction FROM (
               SELECT k.company_id, k.satisfaction,
                      ROW_NUMBER() OVER (PARTITION BY k.company_id ORDER BY k.end_date DESC, k.id DESC) AS latest
                 FROM contracts k
                WHERE k.deleted_at IS NULL AND k.satisfaction IS NOT NULL",
            $filter,
            ") AS hearings WHERE latest = 1"
        )
    };
}

/// [`latest_satisfaction`] of every company.
pub const SATISFACTION_OF_ALL: &str = latest_satisfaction!("");
/// [`latest_satisfaction`] of company ?1.
pub const SATISFACTION_OF_ONE: &str = latest_satisfaction!(" AND k.company_id = ?1");

/// The window's bounds as stored text: (opening, now).
pub fn window(now: DateTime<Utc>) -> (String, String) {
    (to_db(now - Duration::days(WINDOW_DAYS)), to_db(now))
}

fn case_facts(r: &Row) -> Result<HealthFacts> {
    let n =
        |i: usize| -> Result<u32> { Ok(r.get::<Option<i64>>(i)?.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32) };
    Ok(HealthFacts {
        open_cases: n(1)?,
        open_complaints: n(2)?,
        complaints: n(3)?,
        breaches: n(4)?,
        satisfaction: None,
    })
}

fn score(raw: Option<i64>) -> Option<u8> {
    raw.map(|s| s.clamp(0, 5) as u8)
}

/// One customer's health (the customer page, the pushiness guard): the
/// company's own cases through its index, whatever the file's size.
pub fn of<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, company_id: &str) -> Result<Health> {
    let conn = conn.into();
    let (from, now) = window(clock.now());
    let mut facts = conn
        .query_opt(
            &format!("{CASE_FACTS} AND sc.company_id = ?3 GROUP BY sc.company_id"),
            sql::params![from, now, company_id],
            case_facts,
        )?
        .unwrap_or_default();
    facts.satisfaction = conn
        .query_opt(SATISFACTION_OF_ONE, sql::params![company_id], |r| {
            r.get::<Option<i64>>(1)
        })?
        .and_then(score);
    Ok(Health::judge(facts))
}

/// Every customer's health at once, by company id (the customer list, the
/// renewal board): two grouped queries, one pass over the cases. A company
/// missing from the map is good.
pub fn all<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock) -> Result<HashMap<String, Health>> {
    let conn = conn.into();
    let (from, now) = window(clock.now());
    let mut facts: HashMap<String, HealthFacts> = conn
        .query(
            &format!("{CASE_FACTS} GROUP BY sc.company_id"),
            sql::params![from, now],
            |r| Ok((r.get(0)?, case_facts(r)?)),
        )?
        .into_iter()
        .collect();
    for (company, satisfaction) in conn.query(SATISFACTION_OF_ALL, &[], |r| {
        Ok((r.get::<String>(0)?, r.get::<Option<i64>>(1)?))
    })? {
        facts.entry(company).or_default().satisfaction = score(satisfaction);
    }
    Ok(facts.into_iter().map(|(id, f)| (id, Health::judge(f))).collect())
}

/// The companies with an open complaint (the nobody-forgotten list's key
/// accounts, the pushiness guard), as a condition on `c.id`.
pub(crate) const OPEN_COMPLAINT: &str = "EXISTS (SELECT 1 FROM support_cases oc
     WHERE oc.company_id = c.id AND oc.deleted_at IS NULL AND oc.category = 'complaint'
       AND oc.status IN ('new','in_progress','waiting'))";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{company, fixture, insert_case, Case};

    fn facts(
        open_cases: u32,
        open_complaints: u32,
        complaints: u32,
        breaches: u32,
        satisfaction: Option<u8>,
    ) -> HealthFacts {
        HealthFacts {
            open_cases,
            open_complaints,
            complaints,
            breaches,
            satisfaction,
        }
    }

    fn level(f: HealthFacts) -> HealthLevel {
        Health::judge(f).level
    }

    #[test]
    fn the_worst_reason_decides_the_level() {
        use HealthLevel::*;
        assert_eq!(Health::judge(HealthFacts::default()), Health::default());
        assert_eq!(
            level(facts(2, 0, 0, 0, Some(4))),
            Good,
            "two open questions and a happy hearing"
        );
        assert_eq!(level(facts(3, 0, 0, 0, None)), Watch, "three open cases at once");
        assert_eq!(level(facts(0, 0, 1, 0, None)), Watch, "one complaint, resolved");
        assert_eq!(level(facts(0, 0, 2, 0, None)), AtRisk, "two complaints in 90 days");
        assert_eq!(
            level(facts(1, 1, 1, 0, Some(5))),
            AtRisk,
            "an open complaint outweighs a happy hearing"
        );
        assert_eq!(level(facts(0, 0, 0, 2, None)), Watch);
        assert_eq!(level(facts(0, 0, 0, 3, None)), AtRisk);
        assert_eq!(level(facts(0, 0, 0, 0, Some(3))), Watch);
        assert_eq!(level(facts(0, 0, 0, 0, Some(2))), AtRisk);

        let h = Health::judge(facts(3, 0, 1, 3, Some(3)));
        assert_eq!(
            h.reasons
                .iter()
                .map(|r| (r.kind, r.count, r.at_risk))
                .collect::<Vec<_>>(),
            [
                (HealthReasonKind::Breaches, 3, true),
                (HealthReasonKind::Complaints, 1, false),
                (HealthReasonKind::OpenCases, 3, false),
                (HealthReasonKind::LowSatisfaction, 3, false),
            ],
            "at-risk reasons first, then in the order of the rules"
        );
    }

    #[test]
    fn complaints_count_for_exactly_90_days_resolved_or_not_and_deleted_cases_never() {
        let mut f = fixture(); // now: 2026-11-25T01:00:00Z
        let c = company(&mut f.db, "クレーム商事");
        let complaint = |received_at| Case {
            category: "complaint",
            received_at,
            ..Case::default()
        };
        // Exactly 90 days before now: inside. One second earlier: outside.
        insert_case(&f.db, &c, &complaint("2026-08-27T01:00:00Z"));
        insert_case(&f.db, &c, &complaint("2026-08-27T00:59:59Z"));
        let h = of(f.db.sql(), &f.clock, &c).unwrap();
        assert_eq!(
            (h.facts.complaints, h.facts.open_complaints, h.level),
            (1, 0, HealthLevel::Watch)
        );

        // An open complaint, then the same deleted: it no longer counts.
        let open = insert_case(
            &f.db,
            &c,
            &Case {
                status: "in_progress",
                resolved_at: None,
                resolution_due: "2026-12-01T05:00:00Z",
                ..complaint("2026-11-24T01:00:00Z")
            },
        );
        let h = of(f.db.sql(), &f.clock, &c).unwrap();
        assert_eq!(
            (h.facts.complaints, h.facts.open_complaints, h.facts.open_cases),
            (2, 1, 1)
        );
        assert_eq!(h.level, HealthLevel::AtRisk);
        assert_eq!(h.reasons[0].kind, HealthReasonKind::OpenComplaint);
        f.db.sql()
            .execute(
                "UPDATE support_cases SET deleted_at = '2026-11-25T00:00:00Z' WHERE id = ?1",
                sql::params![&open],
            )
            .unwrap();
        let h = of(f.db.sql(), &f.clock, &c).unwrap();
        assert_eq!(
            (h.facts.complaints, h.facts.open_complaints, h.facts.open_cases),
            (1, 0, 0)
        );
    }

    #[test]
    fn a_breach_is_a_late_or_still_missing_answer_due_within_the_window() {
        let mut f = fixture(); // now: 2026-11-25T01:00:00Z
        let c = company(&mut f.db, "遅延工業");
        // On time: nothing.
        insert_case(&f.db, &c, &Case::default());
        // Answered an hour late, resolved late: two breaches.
        insert_case(
            &f.db,
            &c,
            &Case {
                first_response_at: Some("2026-11-18T06:00:00Z"),
                resolved_at: Some("2026-11-21T00:00:00Z"),
                ..Case::default()
            },
        );
        // No answer yet and its first response was due an hour ago: one
        // breach; its resolution is not due yet.
        insert_case(
            &f.db,
            &c,
            &Case {
                status: "new",
                received_at: "2026-11-24T20:00:00Z",
                first_response_due: "2026-11-25T00:00:00Z",
                first_response_at: None,
                resolution_due: "2026-11-27T00:00:00Z",
                resolved_at: None,
                ..Case::default()
            },
        );
        // Not answered, but not due yet either.
        insert_case(
            &f.db,
            &c,
            &Case {
                status: "new",
                received_at: "2026-11-25T00:30:00Z",
                first_response_due: "2026-11-25T04:00:00Z",
                first_response_at: None,
                resolution_due: "2026-11-28T00:00:00Z",
                resolved_at: None,
                ..Case::default()
            },
        );
        // Late, but due before the window opened: history.
        insert_case(
            &f.db,
            &c,
            &Case {
                received_at: "2026-08-01T00:00:00Z",
                first_response_due: "2026-08-01T04:00:00Z",
                first_response_at: Some("2026-08-03T00:00:00Z"),
                resolution_due: "2026-08-05T00:00:00Z",
                resolved_at: Some("2026-08-10T00:00:00Z"),
                ..Case::default()
            },
        );
        let h = of(f.db.sql(), &f.clock, &c).unwrap();
        assert_eq!((h.facts.breaches, h.facts.open_cases), (3, 2));
        assert_eq!(h.level, HealthLevel::AtRisk);
    }

    #[test]
    fn the_latest_hearing_gives_the_satisfaction_and_the_grouped_read_agrees() {
        let mut f = fixture();
        let happy = company(&mut f.db, "満足");
        let unhappy = company(&mut f.db, "不満");
        let older = crate::testutil::contract(&mut f, &unhappy, "2025-01-01", "2025-12-31", 100);
        let newer = crate::testutil::contract(&mut f, &unhappy, "2026-01-01", "2026-12-31", 100);
        let mine = crate::testutil::contract(&mut f, &happy, "2026-01-01", "2026-12-31", 100);
        for (id, s) in [(&older, 5), (&newer, 2), (&mine, 4)] {
            f.db.sql()
                .execute(
                    "UPDATE contracts SET satisfaction = ?2 WHERE id = ?1",
                    sql::params![id, s],
                )
                .unwrap();
        }
        insert_case(
            &f.db,
            &happy,
            &Case {
                category: "complaint",
                ..Case::default()
            },
        );
        let one = of(f.db.sql(), &f.clock, &unhappy).unwrap();
        assert_eq!((one.facts.satisfaction, one.level), (Some(2), HealthLevel::AtRisk));
        let every = all(f.db.sql(), &f.clock).unwrap();
        assert_eq!(every[&unhappy], one);
        assert_eq!(every[&happy], of(f.db.sql(), &f.clock, &happy).unwrap());
        assert_eq!(every[&happy].level, HealthLevel::Watch);
        assert!(!every.contains_key(&company(&mut f.db, "新規")));
    }
}
