//! Closing a lead ends the 追客 that followed it: a disqualified or removed
//! lead is not written to again, and a converted one is the deal's work now.
//! The leads layer cannot see sequences (they sit above it), so the two
//! writes are joined here, in one transaction.

use crate::error::Result;
use crate::leads::{lead, qualify};
use crate::sequences::stop;
use crate::store::write::WriteCtx;

pub fn disqualify(ctx: &WriteCtx, id: &str, version: i64, reason: &str) -> Result<i64> {
    let v = qualify::disqualify(ctx, id, version, reason)?;
    stop::after_lead_change(ctx, id)?;
    Ok(v)
}

pub fn delete(ctx: &WriteCtx, id: &str, version: i64) -> Result<()> {
    lead::delete(ctx, id, version)?;
    stop::after_lead_change(ctx, id)
}
