//! The renewal rate of the contracts ending within a period.

use crate::clock::Clock;
use crate::error::Result;
use crate::store::sql::{self, Sql};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

/// Amounts in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RateAmounts {
    pub currency: String,
    /// What the decided contracts were worth before renewal.
    #[ts(type = "number")]
    pub due: i64,
    /// Of that, what the renewed ones were worth (their old amount).
    #[ts(type = "number")]
    pub renewed: i64,
    /// What the renewed ones are worth now (after up- and downsells).
    #[ts(type = "number")]
    pub renewed_new: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReasonCount {
    pub reason: String,
    pub count: u32,
}

/// The renewal rate of the contracts ending within a period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RenewalRate {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub renewed: u32,
    pub churned: u32,
    /// Renewed out of decided; `None` when nothing was decided.
    pub rate_by_count: Option<f64>,
    /// Renewed amount out of the decided amount, in the main currency.
    pub rate_by_amount: Option<f64>,
    pub amounts: Vec<RateAmounts>,
    pub churn_reasons: Vec<ReasonCount>,
    /// Still running, ending in the next 90 days.
    pub upcoming_count: u32,
    pub upcoming_amounts: Vec<RateAmounts>,
}

pub fn rate<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, from: NaiveDate, to: NaiveDate) -> Result<RenewalRate> {
    let conn = conn.into();
    // In the order they were decided in (the end date, then id), so the
    // churn reasons' ties and the amounts add up the same on both stores.
    let decided_rows = conn.query(
        "SELECT k.status, k.currency, k.amount, COALESCE(n.amount, k.amount) AS new_amount, k.churn_reason
         FROM contracts k LEFT JOIN contracts n ON n.id = k.next_contract_id
         WHERE k.deleted_at IS NULL AND k.status IN ('renewed','churned') AND k.end_date BETWEEN ?1 AND ?2
         ORDER BY k.end_date, k.id",
        sql::params![from.to_string(), to.to_string()],
        |r| {
            Ok((
                r.get::<String>("status")?,
                r.get::<String>("currency")?,
                r.get::<i64>("amount")?,
                r.get::<i64>("new_amount")?,
                r.get::<Option<String>>("churn_reason")?,
            ))
        },
    )?;
    let (mut renewed, mut churned) = (0u32, 0u32);
    let mut amounts: Vec<RateAmounts> = Vec::new();
    let mut reasons: Vec<ReasonCount> = Vec::new();
    for (status, currency, amount, new_amount, churn_reason) in decided_rows {
        let a = match amounts.iter_mut().position(|a| a.currency == currency) {
            Some(i) => &mut amounts[i],
            None => {
                amounts.push(RateAmounts {
                    currency,
                    due: 0,
                    renewed: 0,
                    renewed_new: 0,
                });
                amounts.last_mut().expect("just pushed")
            }
        };
        a.due += amount;
        if status == "renewed" {
            renewed += 1;
            a.renewed += amount;
            a.renewed_new += new_amount;
        } else {
            churned += 1;
            let reason: String = churn_reason.unwrap_or_default();
            match reasons.iter_mut().find(|x| x.reason == reason) {
                Some(x) => x.count += 1,
                None => reasons.push(ReasonCount { reason, count: 1 }),
            }
        }
    }
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    amounts.sort_by_key(|a| std::cmp::Reverse(a.due));
    let decided = renewed + churned;
    let today = clock.today();
    let mut upcoming_count = 0;
    let upcoming_amounts = conn
        .query(
            // CAST: the server's sum of bigints is a numeric.
            "SELECT currency, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS due FROM contracts
             WHERE deleted_at IS NULL AND status IN ('active','in_renewal') AND end_date BETWEEN ?1 AND ?2
             GROUP BY currency ORDER BY SUM(amount) DESC, currency",
            sql::params![today.to_string(), (today + Duration::days(90)).to_string()],
            |r| Ok((r.get::<String>("currency")?, r.get::<u32>("n")?, r.get::<i64>("due")?)),
        )?
        .into_iter()
        .map(|(currency, n, sum)| {
            upcoming_count += n;
            RateAmounts {
                currency,
                due: sum,
                renewed: 0,
                renewed_new: 0,
            }
        })
        .collect();
    Ok(RenewalRate {
        from,
        to,
        renewed,
        churned,
        rate_by_count: (decided > 0).then(|| f64::from(renewed) / f64::from(decided)),
        rate_by_amount: amounts
            .first()
            .filter(|a| a.due > 0)
            .map(|a| a.renewed as f64 / a.due as f64),
        amounts,
        churn_reasons: reasons,
        upcoming_count,
        upcoming_amounts,
    })
}
