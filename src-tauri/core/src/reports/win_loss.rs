//! Why and how often deals are won: the win rate and the days to a win by
//! the stage a deal entered, the reasons deals were lost, and the
//! competitors who won them with the re-approaches planned.
//!
//! The deals counted are those decided in the period (won or lost then).
//! Which stages a deal entered comes from its `stage_change` timeline
//! entries; the stage it was created in is the one its first move left
//! (or where it still is), entered when it was created.

use super::pipeline::open_stages;
use super::{json_at, json_of, Builder, Chart, ChartId, DrillKind, LabelKind, Query, Unit};
use crate::error::Result;
use crate::store::sql;
use chrono::NaiveDate;
use std::collections::HashMap;

pub const DECIDED: &str = "
SELECT d.id, d.stage_id, d.owner_id, c.segment, d.pipeline_id, s.kind, d.created_at,
       COALESCE(d.won_at, d.lost_at), d.lost_reason, d.lost_to,
       EXISTS (SELECT 1 FROM follow_ups f WHERE f.deal_id = d.id AND f.kind = 'reapproach'
                AND f.status = 'open' AND f.deleted_at IS NULL)
  FROM deals d
  JOIN stages s ON s.id = d.stage_id
  JOIN companies c ON c.id = d.company_id
 WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL
   AND ((s.kind = 'won' AND d.won_at >= ?1 AND d.won_at < ?2)
     OR (s.kind = 'lost' AND d.lost_at >= ?1 AND d.lost_at < ?2))
 ORDER BY d.id";

pub const MOVES: &str = "
SELECT occurred_at, body
  FROM activities
 WHERE deal_id = ?1 AND kind = 'stage_change' AND deleted_at IS NULL
 ORDER BY occurred_at, id";

/// Each stage a deal entered, with the first time it did.
fn entries(q: &Query, deal: &str, created: &str, current: &str) -> Result<HashMap<String, String>> {
    let moves: Vec<(String, Option<String>, Option<String>)> = q.conn.query(MOVES, sql::params![deal], |r| {
        let body = json_of(&r.get::<String>(1)?);
        let stage = |key| json_at(&body, &[key]).and_then(|v| v.as_str().map(String::from));
        Ok((r.get(0)?, stage("from_stage_id"), stage("to_stage_id")))
    })?;
    let mut out = HashMap::new();
    let first = moves
        .first()
        .and_then(|m| m.1.clone())
        .unwrap_or_else(|| current.to_string());
    out.insert(first, created.to_string());
    for (at, _, to) in moves {
        if let Some(to) = to {
            out.entry(to).or_insert(at);
        }
    }
    Ok(out)
}

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let stages = open_stages(q)?;
    let mut win = Builder::new();
    let mut days = Builder::new();
    for s in &stages {
        win.category(&s.id, &s.name, LabelKind::Text);
        days.category(&s.id, &s.name, LabelKind::Text);
    }
    let rate_s = win.series("win_rate", "win_rate", LabelKind::Code);
    let days_s = days.series("days_to_win", "days_to_win", LabelKind::Code);
    // Per stage: (won ids, lost ids, days of each win).
    let mut tally: Vec<(Vec<String>, Vec<String>, Vec<i64>)> = vec![Default::default(); stages.len()];
    let index: HashMap<&str, usize> = stages.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();

    let mut reasons = Builder::new();
    let reason_s = reasons.series("lost", "lost", LabelKind::Code);
    let mut rivals = Builder::new();
    let lost_s = rivals.series("lost", "lost", LabelKind::Code);
    let re_s = rivals.series("reapproach", "reapproach", LabelKind::Code);

    q.conn.query(DECIDED, sql::params![&q.start, &q.end], |r| {
        let id: String = r.get(0)?;
        let stage: String = r.get(1)?;
        let owner: Option<String> = r.get(2)?;
        let segment: String = r.get(3)?;
        let pipeline: String = r.get(4)?;
        if !q.keeps(owner.as_deref(), &segment, Some(&pipeline)) {
            return Ok(());
        }
        let won = r.get::<String>(5)? == "won";
        let created: String = r.get(6)?;
        let closed: String = r.get(7)?;
        if !won {
            let reason: Option<String> = r.get(8)?;
            let reason = reason.filter(|x| !x.trim().is_empty());
            let ci = match &reason {
                Some(x) => reasons.category(x, x, LabelKind::Text),
                None => reasons.category("", "none", LabelKind::Code),
            };
            reasons.add(reason_s, ci, 1.0, Some(&id));
            let to: Option<String> = r.get(9)?;
            let to = to.filter(|x| !x.trim().is_empty());
            let ci = match &to {
                Some(x) => rivals.category(x, x, LabelKind::Text),
                None => rivals.category("", "unknown", LabelKind::Code),
            };
            rivals.add(lost_s, ci, 1.0, Some(&id));
            if r.get::<bool>(10)? {
                rivals.add(re_s, ci, 1.0, Some(&id));
            } else {
                rivals.add(re_s, ci, 0.0, None);
            }
        }
        if q.pipeline_id.as_deref() != Some(pipeline.as_str()) {
            return Ok(());
        }
        let closed_day = q.local_day(&closed);
        for (stage_id, at) in entries(q, &id, &created, &stage)? {
            let Some(&ci) = index.get(stage_id.as_str()) else {
                continue;
            };
            let t = &mut tally[ci];
            if won {
                t.0.push(id.clone());
                if let (Some(c), Some(e)) = (closed_day, q.local_day(&at)) {
                    t.2.push(days_between(e, c));
                }
            } else {
                t.1.push(id.clone());
            }
        }
        Ok(())
    })?;
    for (ci, (won, lost, d)) in tally.into_iter().enumerate() {
        let decided = won.len() + lost.len();
        let rate = (decided > 0).then(|| round1(won.len() as f64 * 100.0 / decided as f64));
        let avg = (!d.is_empty()).then(|| round1(d.iter().sum::<i64>() as f64 / d.len() as f64));
        days.set(days_s, ci, avg, won.clone());
        win.set(rate_s, ci, rate, won.into_iter().chain(lost).collect());
    }
    Ok(vec![
        win.build(ChartId::WinRate, Unit::Percent, None, false, DrillKind::Deals),
        days.build(ChartId::CycleDays, Unit::Days, None, false, DrillKind::Deals),
        reasons.build(ChartId::LostReasons, Unit::Count, None, false, DrillKind::Deals),
        rivals.build(ChartId::LostTo, Unit::Count, None, false, DrillKind::Deals),
    ])
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days().max(0)
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
