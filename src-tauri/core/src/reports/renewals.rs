//! Are customers renewing: renewals and churn by the month the contract
//! ended (count, and rate by count and by amount per currency), whether the
//! renewed ones grew or shrank, why the others left, and what comes up for
//! renewal in the next 90 days.
//!
//! Counted as `contracts::renewal::rate` counts: the contracts ending in
//! the period that were decided (renewed or churned). A renewal is an
//! upsell when the next contract is worth more than the one it follows, a
//! downsell when less, whatever was proposed.

use super::win_loss::round1;
use super::{currency_of, months_between, Builder, Chart, ChartId, DrillKind, LabelKind, Query, Unit};
use crate::error::Result;
use crate::store::sql;
use chrono::Duration;
use std::collections::BTreeMap;

/// How far ahead "renewals due" looks.
pub const DUE_WITHIN_DAYS: i64 = 90;

pub const DECIDED: &str = "
SELECT k.id, k.owner_id, c.segment, k.status, k.end_date, k.currency, k.amount,
       COALESCE(n.amount, k.amount), k.churn_reason
  FROM contracts k
  JOIN companies c ON c.id = k.company_id
  LEFT JOIN contracts n ON n.id = k.next_contract_id
 WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL
   AND k.status IN ('renewed', 'churned') AND k.end_date BETWEEN ?1 AND ?2
 ORDER BY k.id";

pub const DUE: &str = "
SELECT k.id, k.owner_id, c.segment, k.end_date
  FROM contracts k
  JOIN companies c ON c.id = k.company_id
 WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL
   AND k.status IN ('active', 'in_renewal') AND k.end_date BETWEEN ?1 AND ?2
 ORDER BY k.id";

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let months = q.months();
    let mut by_month = Builder::new();
    let mut rate = Builder::new();
    let mut kinds = Builder::new();
    for m in &months {
        by_month.category(m, m, LabelKind::Month);
        rate.category(m, m, LabelKind::Month);
        kinds.category(m, m, LabelKind::Month);
    }
    let renewed_s = by_month.series("renewed", "renewed", LabelKind::Code);
    let churned_s = by_month.series("churned", "churned", LabelKind::Code);
    for k in ["upsell", "same", "downsell"] {
        kinds.series(k, k, LabelKind::Code);
    }
    let mut reasons = Builder::new();
    let reason_s = reasons.series("churned", "churned", LabelKind::Code);
    // Per month: renewed ids, all decided ids; per currency and month:
    // (renewed amount, decided amount).
    let mut counts: Vec<(Vec<String>, Vec<String>)> = vec![Default::default(); months.len()];
    let mut amounts: BTreeMap<String, Vec<(i64, i64, Vec<String>)>> = BTreeMap::new();

    q.conn.query(
        DECIDED,
        sql::params![q.filter.from.to_string(), q.filter.to.to_string()],
        |r| {
            let id: String = r.get(0)?;
            let owner: Option<String> = r.get(1)?;
            let segment: String = r.get(2)?;
            if !q.keeps(owner.as_deref(), &segment, None) {
                return Ok(());
            }
            let renewed = r.get::<String>(3)? == "renewed";
            let end: String = r.get(4)?;
            let Some(mi) = end.get(..7).and_then(|m| months.iter().position(|x| x == m)) else {
                return Ok(());
            };
            let currency = currency_of(&r.get::<String>(5)?);
            let amount: i64 = r.get(6)?;
            let next: i64 = r.get(7)?;
            let per = amounts
                .entry(currency)
                .or_insert_with(|| vec![Default::default(); months.len()]);
            per[mi].1 += amount;
            per[mi].2.push(id.clone());
            counts[mi].1.push(id.clone());
            if renewed {
                by_month.add(renewed_s, mi, 1.0, Some(&id));
                per[mi].0 += amount;
                counts[mi].0.push(id.clone());
                let kind = match next.cmp(&amount) {
                    std::cmp::Ordering::Greater => 0,
                    std::cmp::Ordering::Equal => 1,
                    std::cmp::Ordering::Less => 2,
                };
                kinds.add(kind, mi, 1.0, Some(&id));
            } else {
                by_month.add(churned_s, mi, 1.0, Some(&id));
                let reason: Option<String> = r.get(8)?;
                let ci = match reason.filter(|x| !x.trim().is_empty()) {
                    Some(x) => reasons.category(&x, &x, LabelKind::Text),
                    None => reasons.category("", "none", LabelKind::Code),
                };
                reasons.add(reason_s, ci, 1.0, Some(&id));
            }
            Ok(())
        },
    )?;
    let by_count = rate.series("by_count", "by_count", LabelKind::Code);
    for (mi, (renewed, decided)) in counts.into_iter().enumerate() {
        let value = (!decided.is_empty()).then(|| round1(renewed.len() as f64 * 100.0 / decided.len() as f64));
        rate.set(by_count, mi, value, decided);
    }
    for (currency, per) in amounts {
        let key = format!("by_amount:{currency}");
        let s = rate.series(&key, &key, LabelKind::Code);
        for (mi, (renewed, decided, ids)) in per.into_iter().enumerate() {
            let value = (decided > 0).then(|| round1(renewed as f64 * 100.0 / decided as f64));
            rate.set(s, mi, value, ids);
        }
    }

    let mut due = Builder::new();
    let until = q.today + Duration::days(DUE_WITHIN_DAYS);
    for m in months_between(q.today, until) {
        due.category(&m, &m, LabelKind::Month);
    }
    let due_s = due.series("due", "due", LabelKind::Code);
    q.conn
        .query(DUE, sql::params![q.today.to_string(), until.to_string()], |r| {
            let id: String = r.get(0)?;
            let owner: Option<String> = r.get(1)?;
            let segment: String = r.get(2)?;
            if !q.keeps(owner.as_deref(), &segment, None) {
                return Ok(());
            }
            let end: String = r.get(3)?;
            let month = end.get(..7).unwrap_or_default();
            let ci = due.category(month, month, LabelKind::Month);
            due.add(due_s, ci, 1.0, Some(&id));
            Ok(())
        })?;
    Ok(vec![
        by_month.build(ChartId::RenewalsByMonth, Unit::Count, None, true, DrillKind::Contracts),
        rate.build(ChartId::RenewalRate, Unit::Percent, None, false, DrillKind::Contracts),
        kinds.build(ChartId::RenewalKinds, Unit::Count, None, true, DrillKind::Contracts),
        reasons.build(ChartId::ChurnReasons, Unit::Count, None, false, DrillKind::Contracts),
        due.build(ChartId::RenewalsDue, Unit::Count, None, false, DrillKind::Contracts),
    ])
}
