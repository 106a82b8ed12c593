//! The pipeline by stage (count, amount, weighted amount) and as it stood a
//! week ago, for "what changed since last week".
//!
//! Nothing stores yesterday's board, but the file records every change that
//! made today's: a stage move is a `stage_change` timeline entry whose body
//! names the stage left (`from_stage_id`), and an edit of the amount or
//! currency is an audit entry with the old value (`amount.from`). So a deal
//! stood a week ago in the stage its first move after that moment left, or
//! where it is now if it has not moved since; with the amount its first
//! amount edit since replaced, or today's. A deal created since did not
//! exist yet.

use super::{currency_of, weighted, Builder, Chart, ChartId, DrillKind, LabelKind, PerCurrency, Query, Unit};
use crate::clock::to_db;
use crate::error::Result;
use chrono::Duration;
use std::collections::HashMap;

pub struct StageInfo {
    pub id: String,
    pub name: String,
    pub probability: i32,
}

/// The open stages of the charted pipeline, in board order.
pub fn open_stages(q: &Query) -> Result<Vec<StageInfo>> {
    let Some(pipeline) = &q.pipeline_id else {
        return Ok(Vec::new());
    };
    let mut st = q.conn.prepare_cached(
        "SELECT id, name, probability FROM stages
          WHERE pipeline_id = ?1 AND deleted_at IS NULL AND kind = 'open' ORDER BY position, id",
    )?;
    let rows = st.query_map([pipeline], |r| {
        Ok(StageInfo {
            id: r.get(0)?,
            name: r.get(1)?,
            probability: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open now, or closed since the week began: the deals that can count now
/// or a week ago. ?1 pipeline, ?2 a week ago.
pub const DEALS: &str = "
SELECT d.id, d.stage_id, d.amount, d.currency, d.owner_id, c.segment, d.created_at,
       s.kind = 'open',
       (SELECT json_extract(a.body, '$.from_stage_id') FROM activities a
         WHERE a.deal_id = d.id AND a.kind = 'stage_change' AND a.deleted_at IS NULL AND a.occurred_at > ?2
         ORDER BY a.occurred_at, a.id LIMIT 1),
       (SELECT json_extract(l.detail, '$.amount.from') FROM audit_log l
         WHERE l.entity = 'deal' AND l.entity_id = d.id AND l.at > ?2
           AND json_extract(l.detail, '$.amount') IS NOT NULL ORDER BY l.at, l.id LIMIT 1),
       (SELECT json_extract(l.detail, '$.currency.from') FROM audit_log l
         WHERE l.entity = 'deal' AND l.entity_id = d.id AND l.at > ?2
           AND json_extract(l.detail, '$.currency') IS NOT NULL ORDER BY l.at, l.id LIMIT 1)
  FROM deals d
  JOIN stages s ON s.id = d.stage_id
  JOIN companies c ON c.id = d.company_id
 WHERE d.pipeline_id = ?1 AND d.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL
   AND (s.kind = 'open' OR COALESCE(d.won_at, d.lost_at, d.updated_at) > ?2)";

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let stages = open_stages(q)?;
    let Some(pipeline) = &q.pipeline_id else {
        return Ok(Vec::new());
    };
    let week_ago = to_db(q.now - Duration::days(7));
    let index: HashMap<&str, usize> = stages.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();

    let mut count = Builder::new();
    for s in &stages {
        count.category(&s.id, &s.name, LabelKind::Text);
    }
    let now_s = count.series("now", "now", LabelKind::Code);
    let ago_s = count.series("week_ago", "week_ago", LabelKind::Code);
    let mut money = PerCurrency::new();
    let setup = |b: &mut Builder| {
        for s in &stages {
            b.category(&s.id, &s.name, LabelKind::Text);
        }
        b.series("amount", "amount", LabelKind::Code);
        b.series("weighted", "weighted", LabelKind::Code);
        b.series("week_ago", "week_ago", LabelKind::Code);
    };

    // Yen always has its chart, empty or not: the view's place for it stays.
    money.of("JPY", setup);
    let mut st = q.conn.prepare_cached(DEALS)?;
    let mut rows = st.query(rusqlite::params![pipeline, week_ago])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let stage: String = r.get(1)?;
        let amount: i64 = r.get(2)?;
        let currency = currency_of(&r.get::<_, String>(3)?);
        let owner: Option<String> = r.get(4)?;
        let segment: String = r.get(5)?;
        if !q.keeps(owner.as_deref(), &segment, None) {
            continue;
        }
        let created: String = r.get(6)?;
        let open_now: bool = r.get(7)?;
        if open_now {
            if let Some(&ci) = index.get(stage.as_str()) {
                count.add(now_s, ci, 1.0, Some(&id));
                let b = money.of(&currency, setup);
                b.add(0, ci, amount as f64, Some(&id));
                // Weighed below on the stage's total, as the board weighs a column.
                b.add(1, ci, amount as f64, Some(&id));
            }
        }
        if created.as_str() > week_ago.as_str() {
            continue;
        }
        let stage_then: String = r.get::<_, Option<String>>(8)?.unwrap_or(stage);
        let Some(&ci) = index.get(stage_then.as_str()) else {
            continue; // closed (or in another stage kind) a week ago
        };
        let amount_then: i64 = r.get::<_, Option<i64>>(9)?.unwrap_or(amount);
        let currency_then = r.get::<_, Option<String>>(10)?.map_or(currency, |c| currency_of(&c));
        count.add(ago_s, ci, 1.0, Some(&id));
        money
            .of(&currency_then, setup)
            .add(2, ci, amount_then as f64, Some(&id));
    }
    for b in money.0.values_mut() {
        for (ci, s) in stages.iter().enumerate() {
            let total = b.value(1, ci).unwrap_or(0.0) as i64;
            b.replace(1, ci, weighted(total, s.probability) as f64);
        }
    }
    let mut charts = vec![count.build(ChartId::PipelineCount, Unit::Count, None, false, DrillKind::Deals)];
    charts.extend(money.build(ChartId::PipelineAmount, false, DrillKind::Deals));
    Ok(charts)
}
