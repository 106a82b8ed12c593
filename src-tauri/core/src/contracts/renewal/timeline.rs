//! A contract's events on the customer's timeline.

use crate::engine_text::EngineText;
use crate::error::Result;
use crate::pipeline::deal::reminder_at;
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, ActivityKind};
use chrono::NaiveDate;

/// A 'contract' entry on the customer's timeline, now.
pub(super) fn record(ctx: &WriteCtx, company_id: &str, text: EngineText, body: &str) -> Result<()> {
    record_at(ctx, company_id, &ctx.now, text, body)
}

fn record_at(ctx: &WriteCtx, company_id: &str, at: &str, text: EngineText, body: &str) -> Result<()> {
    activity::record(
        ctx,
        &activity::Record {
            company_id,
            contact_id: None,
            deal_id: None,
            kind: ActivityKind::Contract,
            occurred_at: at,
            text: &text,
            body,
        },
    )
    .map(drop)
}

/// The start of a contract on the timeline, at its start (a contract entered
/// after it began belongs where it began in the history), never in the future.
pub(crate) fn record_created(
    ctx: &WriteCtx,
    company_id: &str,
    plan: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<()> {
    let at = reminder_at(start, ctx.clock.offset()).min(ctx.now.clone());
    let text = EngineText::ContractStarted {
        plan: plan.to_string(),
        start,
        end,
    };
    record_at(ctx, company_id, &at, text, "")
}

pub(crate) fn record_changed(
    ctx: &WriteCtx,
    company_id: &str,
    plan: &str,
    old_end: &str,
    end: NaiveDate,
    amount: i64,
    currency: &str,
) -> Result<()> {
    let text = EngineText::ContractChanged {
        plan: plan.to_string(),
        old_end: NaiveDate::parse_from_str(old_end, "%Y-%m-%d")
            .ok()
            .filter(|d| *d != end),
        end,
        amount,
        currency: currency.to_string(),
    };
    record(ctx, company_id, text, "")
}
