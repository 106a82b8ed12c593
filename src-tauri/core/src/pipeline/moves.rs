//! Moving a deal between stages, the board's hot path, and the sales
//! methods it carries (docs/sales-methods.md): entering closing asks for the
//! customer's decision deadline and plans a reminder for it; a lost deal
//! keeps its reason and competitor and gets a re-approach planned
//! (失注=関係断絶にしない); every stage change is written on the customer's
//! timeline; a drop rewrites one row (fractional positions).

use super::deal::{
    cancel_open_follow_ups, ensure_version, get, plan_decision_deadline, plan_reminder, target_stage, Deal,
};
use crate::changeset::Changes;
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::follow_up::FollowUpKind;
use crate::pipeline::stage::{self, StageKind};
use crate::store::changes::Entity;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::team::settings::TeamSettings;
use crate::timeline::activity::{self, ActivityKind};
use crate::validate::required;
use chrono::{Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

const LOST_REASON_MAX: usize = 100;
const LOST_DETAIL_MAX: usize = 2_000;
const LOST_TO_MAX: usize = 200;

/// Below this gap between two neighbours a midpoint would soon stop being
/// distinguishable in a double, so the column is renumbered instead.
pub(super) const MIN_POSITION_GAP: f64 = 1e-9;

/// What the user said about a lost deal.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LostInfo {
    /// One of the team's preset reasons, or typed; required.
    pub reason: String,
    /// Free text; may be empty.
    pub detail: String,
    /// The competitor who won; may be empty.
    pub lost_to: String,
    /// When the competitor's contract ends, if known: the re-approach is
    /// planned before it.
    pub competitor_contract_end: Option<NaiveDate>,
}

/// A drag and drop (or keyboard move) of a card on the board.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MoveDeal {
    pub deal_id: String,
    /// The version the board showed; a colleague's change meanwhile is a conflict.
    #[ts(type = "number")]
    pub version: i64,
    pub to_stage_id: String,
    /// Position among the OTHER cards of the target column, 0 = top; None = bottom.
    pub index: Option<u32>,
    /// Required when entering a closing stage.
    pub decision_deadline: Option<NaiveDate>,
    /// Required when entering the lost stage.
    pub lost: Option<LostInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MoveOutcome {
    #[ts(type = "number")]
    pub version: i64,
    /// The card's new sort key inside its column.
    pub position: f64,
    /// The decision-deadline or re-approach follow-up this move planned.
    pub follow_up_id: Option<String>,
    pub reapproach_on: Option<NaiveDate>,
}

/// When to re-approach a lost customer, with the team's default of six
/// months when the competitor's contract end is unknown.
pub fn reapproach_date(today: NaiveDate, competitor_contract_end: Option<NaiveDate>, lead_days: u32) -> NaiveDate {
    reapproach_date_with(today, competitor_contract_end, lead_days, 6)
}

/// `lead_days` before the competitor's contract ends, so the customer hears
/// from us while they are deciding whether to renew. When that moment has
/// already come (the end is close or even past) the re-approach is tomorrow:
/// the window is open now, but not on the very day the customer said no,
/// which would be pushy. When nobody knows the end, `unknown_months`
/// calendar months after today (month-end safe: Aug 31 + 6 months = Feb 28,
/// or 29 in a leap year).
pub fn reapproach_date_with(
    today: NaiveDate,
    competitor_contract_end: Option<NaiveDate>,
    lead_days: u32,
    unknown_months: u32,
) -> NaiveDate {
    let tomorrow = today.succ_opt().unwrap_or(today);
    match competitor_contract_end {
        Some(end) => end
            .checked_sub_signed(Duration::days(i64::from(lead_days)))
            .filter(|d| *d > today)
            .unwrap_or(tomorrow),
        None => today
            .checked_add_months(Months::new(unknown_months.max(1)))
            .unwrap_or(tomorrow),
    }
}

/// The sort key for a card dropped at `index` among the other cards of the
/// column: midway between its new neighbours, so a drop writes one row.
/// Only when the gap has worn too thin is the column renumbered 1..n.
fn place(ctx: &WriteCtx, stage_id: &str, deal_id: &str, index: Option<u32>) -> Result<f64> {
    let others: Vec<(String, f64)> = ctx.sql().query(
        "SELECT id, position FROM deals
         WHERE stage_id = ?1 AND deleted_at IS NULL AND id <> ?2
         ORDER BY position, id",
        sql::params![stage_id, deal_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let slot = index.map_or(others.len(), |i| (i as usize).min(others.len()));
    let before = slot.checked_sub(1).map(|i| others[i].1);
    let after = others.get(slot).map(|o| o.1);
    let fits = match (before, after) {
        (None, None) => Some(1.0),
        (Some(a), None) => Some(a + 1.0),
        (None, Some(b)) => Some(b - 1.0),
        (Some(a), Some(b)) if b - a >= MIN_POSITION_GAP => Some(a + (b - a) / 2.0).filter(|m| *m > a && *m < b),
        _ => None,
    };
    if let Some(p) = fits.filter(|p| p.is_finite()) {
        return Ok(p);
    }
    // Renumbering keeps the order, which is all a position means, so it does
    // not bump the other cards' versions: a colleague dragging one of them
    // meanwhile has nothing to conflict with (their position is recomputed
    // from this order in their own transaction). The change log still tells
    // open boards to refresh the column.
    for (k, (id, _)) in others.iter().enumerate() {
        ctx.sql().execute(
            "UPDATE deals SET position = ?2 WHERE id = ?1",
            sql::params![id, (k + 1) as f64],
        )?;
        ctx.changed(Entity::Deal, id, "update")?;
    }
    Ok(slot as f64 + 0.5)
}

/// The lost info as stored: trimmed, empty parts as NULL.
struct Lost {
    reason: String,
    detail: Option<String>,
    lost_to: Option<String>,
    competitor_contract_end: Option<NaiveDate>,
}

fn check_lost(l: Option<&LostInfo>) -> Result<Lost> {
    let Some(l) = l else {
        return Err(Error::invalid("lost_reason", "required"));
    };
    let reason = required("lost_reason", &l.reason, LOST_REASON_MAX)?;
    let optional = |field: &'static str, v: &str, max: usize| -> Result<Option<String>> {
        let v = v.trim();
        if v.chars().count() > max {
            return Err(Error::invalid(field, "too_long"));
        }
        Ok((!v.is_empty()).then(|| v.to_string()))
    };
    Ok(Lost {
        reason,
        detail: optional("lost_detail", &l.detail, LOST_DETAIL_MAX)?,
        lost_to: optional("lost_to", &l.lost_to, LOST_TO_MAX)?,
        competitor_contract_end: l.competitor_contract_end,
    })
}

/// Moves a card: to another position in its column (a reorder, nothing else
/// changes; `decision_deadline` and `lost` are ignored) or to another stage
/// of the same pipeline, with what entering that stage means. One
/// transaction; a stale version is a conflict and writes nothing.
pub fn move_to(ctx: &WriteCtx, m: &MoveDeal) -> Result<MoveOutcome> {
    let old = get(ctx.sql(), &m.deal_id)?;
    ensure_version(ctx, &old, m.version)?;
    let to = target_stage(ctx.sql(), &m.to_stage_id)?;
    if to.pipeline_id != old.pipeline_id {
        return Err(Error::invalid("stage", "other_pipeline"));
    }
    let old_position: f64 =
        ctx.sql()
            .query_one("SELECT position FROM deals WHERE id = ?1", sql::params![&old.id], |r| {
                r.get(0)
            })?;

    if to.id == old.stage_id {
        return reorder(ctx, &old, old_position, m.index);
    }

    let from = stage::stage(ctx.sql(), &old.stage_id)?
        .map(|(s, _)| s)
        .ok_or_else(|| Error::Internal(format!("deal {} points at a missing stage", old.id)))?;
    let today = ctx.clock.today();
    let closing = to.kind == StageKind::Open && to.is_closing;

    // Judge the user's input before writing anything.
    let deadline = if closing {
        let d = m
            .decision_deadline
            .ok_or(Error::invalid("decision_deadline", "required"))?;
        if d < today {
            return Err(Error::invalid("decision_deadline", "past"));
        }
        Some(d)
    } else {
        None
    };
    let lost = match to.kind {
        StageKind::Lost => Some(check_lost(m.lost.as_ref())?),
        _ => None,
    };
    let settings = TeamSettings::load(ctx.sql())?;
    let reapproach_on = lost.as_ref().map(|l| {
        reapproach_date_with(
            today,
            l.competitor_contract_end,
            settings.reapproach_lead_days,
            settings.reapproach_unknown_months,
        )
    });

    // Any stage change retires the decision-deadline reminder: entering
    // closing again plans a new one below; won or lost means the customer
    // decided; back to an earlier open stage (a new quote, say) means they
    // are not deciding now, and a reminder at the old date would be noise.
    // The date itself stays on the deal as history.
    cancel_open_follow_ups(ctx, &old.id, FollowUpKind::DecisionDeadline, "stage_change")?;
    // A re-approach belongs to a lost deal only; reopening or winning it
    // retires the one planned when it was lost.
    cancel_open_follow_ups(ctx, &old.id, FollowUpKind::Reapproach, "stage_change")?;

    // The reminder a move implies: the deal's owner (or whoever moved it)
    // is told at 09:00 on the day.
    let mut follow_up_id = None;
    if let Some(d) = deadline {
        follow_up_id = Some(plan_decision_deadline(ctx, &old, d, "stage_change")?);
    }
    if let Some(day) = reapproach_on {
        follow_up_id = Some(plan_reminder(
            ctx,
            &old,
            FollowUpKind::Reapproach,
            EngineText::Reapproach {
                company: old.company_name.clone(),
            },
            day,
        )?);
    }

    // The new state of the deal. Won and lost facts belong to the stage the
    // deal is in: leaving won or lost clears them (the audit log keeps the
    // old values), so a reopened deal does not show a stale reason.
    let decision_deadline = deadline.or(old.decision_deadline);
    let won_at = (to.kind == StageKind::Won).then(|| ctx.now.clone());
    let lost_at = lost.as_ref().map(|_| ctx.now.clone());
    let position = place(ctx, &to.id, &old.id, m.index)?;

    let n = ctx.sql().execute(
        "UPDATE deals SET stage_id = ?3, position = ?4, stage_entered_at = ?5, decision_deadline = ?6,
                          won_at = ?7, lost_at = ?8, lost_reason = ?9, lost_detail = ?10, lost_to = ?11,
                          competitor_contract_end = ?12, reapproach_on = ?13,
                          version = version + 1, updated_at = ?5, updated_by = ?14
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            old.id,
            m.version,
            to.id,
            position,
            ctx.now,
            decision_deadline.map(|d| d.to_string()),
            won_at,
            lost_at,
            lost.as_ref().map(|l| l.reason.clone()),
            lost.as_ref().and_then(|l| l.detail.clone()),
            lost.as_ref().and_then(|l| l.lost_to.clone()),
            lost.as_ref()
                .and_then(|l| l.competitor_contract_end)
                .map(|d| d.to_string()),
            reapproach_on.map(|d| d.to_string()),
            ctx.user_id
        ],
    )?;
    ctx.expect_one("deal", "deals", &old.id, n)?;

    // The timeline entry: our bookkeeping, not a touch with the customer, so
    // it does not move last_activity_at or last_contact_at (moving a deal is
    // already "alive" through stage_entered_at). The body keeps the move's
    // data; the summary says what happened, in each reader's language.
    let mut body = json!({
        "from_stage_id": from.id,
        "to_stage_id": to.id,
        "from": from.name,
        "to": to.name,
    });
    if let Some(d) = deadline {
        body["decision_deadline"] = json!(d);
    }
    if let Some(l) = &lost {
        body["lost_reason"] = json!(l.reason);
        body["lost_detail"] = json!(l.detail);
        body["lost_to"] = json!(l.lost_to);
        body["competitor_contract_end"] = json!(l.competitor_contract_end);
        body["reapproach_on"] = json!(reapproach_on);
    }
    let (from_name, to_name) = (from.name.clone(), to.name.clone());
    // A loss's reason and competitor are in the body, shown with the entry.
    let text = match deadline {
        Some(deadline) => EngineText::MovedToClosing {
            from: from_name,
            to: to_name,
            deadline,
        },
        None => EngineText::StageChanged {
            from: from_name,
            to: to_name,
        },
    };
    activity::record(
        ctx,
        &activity::Record {
            company_id: &old.company_id,
            contact_id: old.contact_id.as_deref(),
            deal_id: Some(&old.id),
            kind: ActivityKind::StageChange,
            occurred_at: &ctx.now,
            text: &text,
            body: &body.to_string(),
        },
    )?;

    let mut changes = Changes::default();
    changes.note("stage_id", &old.stage_id, &to.id);
    changes.note("position", old_position, position);
    changes.note("decision_deadline", old.decision_deadline, decision_deadline);
    changes.note("won_at", &old.won_at, &won_at);
    changes.note("lost_at", &old.lost_at, &lost_at);
    changes.note("lost_reason", &old.lost_reason, lost.as_ref().map(|l| &l.reason));
    changes.note(
        "lost_detail",
        &old.lost_detail,
        lost.as_ref().and_then(|l| l.detail.as_ref()),
    );
    changes.note("lost_to", &old.lost_to, lost.as_ref().and_then(|l| l.lost_to.as_ref()));
    changes.note(
        "competitor_contract_end",
        old.competitor_contract_end,
        lost.as_ref().and_then(|l| l.competitor_contract_end),
    );
    changes.note("reapproach_on", old.reapproach_on, reapproach_on);
    ctx.audit(Entity::Deal, &old.id, "update", changes.into_value())?;
    ctx.changed(Entity::Deal, &old.id, "update")?;

    Ok(MoveOutcome {
        version: m.version + 1,
        position,
        follow_up_id,
        reapproach_on,
    })
}

/// A move inside the column: only the card's position changes; no timeline
/// entry (nothing happened with the customer) and the stage clock keeps running.
fn reorder(ctx: &WriteCtx, old: &Deal, old_position: f64, index: Option<u32>) -> Result<MoveOutcome> {
    // Dropping a card where it already is writes nothing, so the version the
    // colleagues' boards hold stays valid.
    let current_slot: usize = ctx.sql().query_one(
        "SELECT COUNT(*) FROM deals
         WHERE stage_id = ?1 AND deleted_at IS NULL AND id <> ?2 AND (position < ?3 OR (position = ?3 AND id < ?2))",
        sql::params![old.stage_id, old.id, old_position],
        |r| r.get::<i64>(0),
    )? as usize;
    let others: usize = ctx.sql().query_one(
        "SELECT COUNT(*) FROM deals WHERE stage_id = ?1 AND deleted_at IS NULL AND id <> ?2",
        sql::params![old.stage_id, old.id],
        |r| r.get::<i64>(0),
    )? as usize;
    let wanted = index.map_or(others, |i| (i as usize).min(others));
    if wanted == current_slot {
        return Ok(MoveOutcome {
            version: old.version,
            position: old_position,
            follow_up_id: None,
            reapproach_on: None,
        });
    }
    let position = place(ctx, &old.stage_id, &old.id, index)?;
    let n = ctx.sql().execute(
        "UPDATE deals SET position = ?3, version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![old.id, old.version, position, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("deal", "deals", &old.id, n)?;
    ctx.audit(
        Entity::Deal,
        &old.id,
        "update",
        json!({ "position": { "from": old_position, "to": position } }),
    )?;
    ctx.changed(Entity::Deal, &old.id, "update")?;
    Ok(MoveOutcome {
        version: old.version + 1,
        position,
        follow_up_id: None,
        reapproach_on: None,
    })
}
