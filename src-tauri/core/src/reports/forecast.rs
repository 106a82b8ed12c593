//! The forecast by expected close month: open deals weighted by their
//! stage's probability and at full amount (best case), against what was
//! won in each month so far. One chart per currency.
//!
//! An open deal without an expected close date has no month and is left
//! out; one whose date has passed stays in its month, so a forecast that
//! slipped shows where it was promised.

use super::{currency_of, month_key, weighted, Builder, Chart, ChartId, DrillKind, LabelKind, PerCurrency, Query};
use crate::error::Result;
use crate::store::sql;

/// ?1 first day, ?2 last day of the period (calendar dates); ?3, ?4 its
/// instants.
pub const DEALS: &str = "
SELECT d.id, d.amount, d.currency, d.owner_id, c.segment, d.pipeline_id, s.kind, s.probability,
       d.expected_close, d.won_at
  FROM deals d
  JOIN stages s ON s.id = d.stage_id
  JOIN companies c ON c.id = d.company_id
 WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL
   AND ((s.kind = 'open' AND d.expected_close BETWEEN ?1 AND ?2)
     OR (s.kind = 'won' AND d.won_at >= ?3 AND d.won_at < ?4))
 ORDER BY d.id";

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let months = q.months();
    let setup = |b: &mut Builder| {
        for m in &months {
            b.category(m, m, LabelKind::Month);
        }
        b.series("weighted", "weighted", LabelKind::Code);
        b.series("best_case", "best_case", LabelKind::Code);
        b.series("won", "won", LabelKind::Code);
    };
    let mut money = PerCurrency::new();
    // Yen always has its chart, empty or not: the view's place for it stays.
    money.of("JPY", setup);
    q.conn.query(
        DEALS,
        sql::params![q.filter.from.to_string(), q.filter.to.to_string(), q.start, q.end],
        |r| {
            let id: String = r.get(0)?;
            let amount: i64 = r.get(1)?;
            let currency = currency_of(&r.get::<String>(2)?);
            let owner: Option<String> = r.get(3)?;
            let segment: String = r.get(4)?;
            let pipeline: String = r.get(5)?;
            if !q.keeps(owner.as_deref(), &segment, Some(&pipeline)) {
                return Ok(());
            }
            let kind: String = r.get(6)?;
            let b = money.of(&currency, setup);
            if kind == "open" {
                let probability: i32 = r.get(7)?;
                let close: String = r.get(8)?;
                let Some(ci) = close.get(..7).and_then(|m| months.iter().position(|x| x == m)) else {
                    return Ok(());
                };
                b.add(0, ci, weighted(amount, probability) as f64, Some(&id));
                b.add(1, ci, amount as f64, Some(&id));
            } else {
                let won: String = r.get(9)?;
                let Some(day) = q.local_day(&won) else {
                    return Ok(());
                };
                let Some(ci) = months.iter().position(|m| *m == month_key(day)) else {
                    return Ok(());
                };
                b.add(2, ci, amount as f64, Some(&id));
            }
            Ok(())
        },
    )?;
    Ok(money.build(ChartId::Forecast, false, DrillKind::Deals))
}
