use crate::engine_text::EngineText;
use crate::error::Result;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, ActivityKind};

/// A 'handoff' entry on the customer's timeline (and the deal's), now; a
/// question or answer keeps its words in the body.
pub(super) fn record(
    ctx: &WriteCtx,
    company_id: &str,
    deal_id: Option<&str>,
    text: EngineText,
    body: &str,
) -> Result<String> {
    activity::record(
        ctx,
        &activity::Record {
            company_id,
            contact_id: None,
            deal_id,
            kind: ActivityKind::Handoff,
            occurred_at: &ctx.now,
            text: &text,
            body,
        },
    )
}

/// A member's name, as the timeline says who did something.
pub(super) fn member_name(ctx: &WriteCtx, id: &str) -> Result<String> {
    Ok(ctx
        .sql()
        .query_opt("SELECT display_name FROM users WHERE id = ?1", sql::params![id], |r| {
            r.get(0)
        })?
        .unwrap_or_default())
}
