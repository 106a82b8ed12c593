//! Deals (案件): a sales opportunity moving through a pipeline's stages.

use crate::company::required;
use crate::db::WriteCtx;
use crate::error::{Error, Result};
use crate::id::new_id;
use chrono::NaiveDate;
use rusqlite::params;
use serde::Deserialize;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct NewDeal {
    pub pipeline_id: String,
    pub stage_id: String,
    pub company_id: String,
    pub contact_id: Option<String>,
    pub title: String,
    /// In the currency's minor unit (yen have none).
    #[ts(type = "number")]
    pub amount: i64,
    /// ISO 4217; JPY when empty.
    pub currency: String,
    pub owner_id: Option<String>,
    pub expected_close: Option<NaiveDate>,
    pub decision_deadline: Option<NaiveDate>,
    pub notes: String,
}

pub fn validate_currency(c: &str) -> Result<String> {
    let c = c.trim().to_ascii_uppercase();
    if c.is_empty() {
        return Ok("JPY".into());
    }
    if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        return Err(Error::invalid("currency", "format"));
    }
    Ok(c)
}

/// Adds a deal at the bottom of its stage column.
pub fn create(ctx: &WriteCtx, d: &NewDeal) -> Result<String> {
    let title = required("title", &d.title, 200)?;
    if d.amount < 0 {
        return Err(Error::invalid("amount", "negative"));
    }
    let currency = validate_currency(&d.currency)?;
    let id = new_id();
    let position: f64 = ctx.tx.query_row(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM deals WHERE stage_id = ?1 AND deleted_at IS NULL",
        [&d.stage_id],
        |r| r.get(0),
    )?;
    ctx.tx.execute(
        "INSERT INTO deals (id, pipeline_id, stage_id, company_id, contact_id, title, amount, currency, owner_id,
                            position, expected_close, decision_deadline, stage_entered_at, notes,
                            created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?13, ?15)",
        params![
            id,
            d.pipeline_id,
            d.stage_id,
            d.company_id,
            d.contact_id,
            title,
            d.amount,
            currency,
            d.owner_id,
            position,
            d.expected_close.map(|x| x.to_string()),
            d.decision_deadline.map(|x| x.to_string()),
            ctx.now,
            d.notes,
            ctx.user_id
        ],
    )?;
    ctx.audit(
        "deal",
        &id,
        "insert",
        serde_json::json!({ "title": title, "stage_id": d.stage_id, "amount": d.amount }),
    )?;
    ctx.changed("deal", &id, "insert")?;
    Ok(id)
}
