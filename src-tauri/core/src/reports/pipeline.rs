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

use super::{
    currency_of, json_at, json_of, weighted, Builder, Chart, ChartId, DrillKind, LabelKind, PerCurrency, Query, Unit,
};
use crate::clock::to_db;
use crate::error::Result;
use crate::store::sql;
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
    q.conn.query(
        "SELECT id, name, probability FROM stages
          WHERE pipeline_id = ?1 AND deleted_at IS NULL AND kind = 'open' ORDER BY position, id",
        sql::params![pipeline],
        |r| {
            Ok(StageInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                probability: r.get(2)?,
            })
        },
    )
}

pub const DEALS: &str = "
SELECT d.id, d.stage_id, d.amount, d.currency, d.owner_id, c.segment, d.created_at, s.kind = 'open'
  FROM deals d
  JOIN stages s ON s.id = d.stage_id
  JOIN companies c ON c.id = d.company_id
 WHERE d.pipeline_id = ?1 AND d.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL
   AND (s.kind = 'open' OR COALESCE(d.won_at, d.lost_at, d.updated_at) > ?2)
 ORDER BY d.id";

/// The moves of the pipeline's deals since `?2`, oldest first: a deal's
/// first one left the stage it was in then.
pub const MOVES_SINCE: &str = "
SELECT a.deal_id, a.body FROM activities a JOIN deals d ON d.id = a.deal_id
 WHERE d.pipeline_id = ?1 AND a.kind = 'stage_change' AND a.deleted_at IS NULL AND a.occurred_at > ?2
 ORDER BY a.occurred_at, a.id";

/// The edits of the pipeline's deals since `?2`, oldest first: the first
/// that changed an amount (or a currency) says what it was then.
pub const EDITS_SINCE: &str = "
SELECT l.entity_id, l.detail FROM audit_log l JOIN deals d ON d.id = l.entity_id
 WHERE l.entity = 'deal' AND d.pipeline_id = ?1 AND l.at > ?2
 ORDER BY l.at, l.id";

/// What each deal was a week ago where it has changed since: its stage,
/// amount and currency then. The outer `Option` says whether a change was found, the inner what it
/// recorded (as `json_extract` read it, a missing value is none).
#[derive(Default)]
struct Then {
    stage: Option<Option<String>>,
    amount: Option<Option<i64>>,
    currency: Option<Option<String>>,
}

fn as_week_ago(q: &Query, pipeline: &str, week_ago: &str) -> Result<HashMap<String, Then>> {
    let mut then: HashMap<String, Then> = HashMap::new();
    for (deal, body) in q.conn.query(MOVES_SINCE, sql::params![pipeline, week_ago], |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?))
    })? {
        let t = then.entry(deal).or_default();
        t.stage.get_or_insert_with(|| {
            json_at(&json_of(&body), &["from_stage_id"]).and_then(|v| v.as_str().map(String::from))
        });
    }
    for (deal, detail) in q.conn.query(EDITS_SINCE, sql::params![pipeline, week_ago], |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?))
    })? {
        let t = then.entry(deal).or_default();
        if t.amount.is_some() && t.currency.is_some() {
            continue;
        }
        let detail = json_of(&detail);
        if t.amount.is_none() && json_at(&detail, &["amount"]).is_some() {
            t.amount = Some(json_at(&detail, &["amount", "from"]).and_then(|v| v.as_i64()));
        }
        if t.currency.is_none() && json_at(&detail, &["currency"]).is_some() {
            t.currency = Some(json_at(&detail, &["currency", "from"]).and_then(|v| v.as_str().map(String::from)));
        }
    }
    Ok(then)
}

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
    let then = as_week_ago(q, pipeline, &week_ago)?;
    q.conn.query(DEALS, sql::params![pipeline, &week_ago], |r| {
        let id: String = r.get(0)?;
        let stage: String = r.get(1)?;
        let amount: i64 = r.get(2)?;
        let currency = currency_of(&r.get::<String>(3)?);
        let owner: Option<String> = r.get(4)?;
        let segment: String = r.get(5)?;
        if !q.keeps(owner.as_deref(), &segment, None) {
            return Ok(());
        }
        let created: String = r.get(6)?;
        let open_now: bool = r.get(7)?;
        if open_now {
            if let Some(&ci) = index.get(stage.as_str()) {
                count.add(now_s, ci, 1.0, Some(&id));
                let b = money.of(&currency, setup);
                b.add(0, ci, amount as f64, Some(&id));
                b.add(1, ci, amount as f64, Some(&id));
            }
        }
        if created.as_str() > week_ago.as_str() {
            return Ok(());
        }
        let was = then.get(&id);
        let stage_then = was.and_then(|t| t.stage.clone().flatten()).unwrap_or(stage);
        let Some(&ci) = index.get(stage_then.as_str()) else {
            return Ok(()); // closed (or in another stage kind) a week ago
        };
        let amount_then = was.and_then(|t| t.amount.flatten()).unwrap_or(amount);
        let currency_then = was
            .and_then(|t| t.currency.clone().flatten())
            .map_or(currency, |c: String| currency_of(&c));
        count.add(ago_s, ci, 1.0, Some(&id));
        money
            .of(&currency_then, setup)
            .add(2, ci, amount_then as f64, Some(&id));
        Ok(())
    })?;
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
