//! Contracts (契約) and their renewals (定期契約の先行管理).

use crate::error::{known, Error, Result};
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::deletion::{self, Batch, Deletion, Table};
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::validate::required;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Billing {
    Monthly,
    Annual,
}

impl Billing {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Billing::Monthly => "monthly",
            Billing::Annual => "annual",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<Billing> {
        match s {
            "monthly" => Some(Billing::Monthly),
            "annual" => Some(Billing::Annual),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ContractStatus {
    Active,
    InRenewal,
    Renewed,
    Churned,
}

impl ContractStatus {
    pub(crate) fn parse(s: &str) -> Option<ContractStatus> {
        match s {
            "active" => Some(ContractStatus::Active),
            "in_renewal" => Some(ContractStatus::InRenewal),
            "renewed" => Some(ContractStatus::Renewed),
            "churned" => Some(ContractStatus::Churned),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewContract {
    pub company_id: String,
    pub deal_id: Option<String>,
    pub plan: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub auto_renew: bool,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub billing: Billing,
    pub notice_days: i32,
    pub owner_id: Option<String>,
    /// Lead times for this contract's hearing and proposal; `None`: the team's.
    #[serde(default)]
    pub hearing_days: Option<i32>,
    #[serde(default)]
    pub proposal_days: Option<i32>,
}

/// A contract as it will be stored: the checks shared by create and edit.
pub(crate) struct Checked {
    plan: String,
    currency: String,
    company_name: String,
    owner: String,
}

impl Checked {
    /// What the renewal planner needs of this contract period.
    pub(crate) fn period<'a>(&'a self, id: &'a str, c: &'a NewContract) -> crate::contracts::renewal::Period<'a> {
        crate::contracts::renewal::Period {
            contract_id: id,
            company_id: &c.company_id,
            company_name: &self.company_name,
            plan: &self.plan,
            end: c.end_date,
            notice_days: i64::from(c.notice_days),
            hearing_days: c.hearing_days.map(i64::from),
            proposal_days: c.proposal_days.map(i64::from),
            owner_id: Some(&self.owner),
        }
    }
}

fn check(ctx: &WriteCtx, c: &NewContract) -> Result<Checked> {
    let plan = required("plan", &c.plan, 200)?;
    if c.end_date < c.start_date {
        return Err(Error::invalid("end_date", "before_start"));
    }
    if c.amount < 0 {
        return Err(Error::invalid("amount", "negative"));
    }
    let currency = crate::validate::currency(&c.currency)?;
    if !(0..=365).contains(&c.notice_days) {
        return Err(Error::invalid("notice_days", "range"));
    }
    for (field, days) in [("hearing_days", c.hearing_days), ("proposal_days", c.proposal_days)] {
        if days.is_some_and(|d| !(1..=365).contains(&d)) {
            return Err(Error::invalid(field, "range"));
        }
    }
    let company_name: String = ctx
        .sql()
        .query_opt(
            "SELECT name FROM companies WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![&c.company_id],
            |r| r.get("name"),
        )?
        .ok_or(Error::invalid("company_id", "unknown"))?;
    Ok(Checked {
        plan,
        currency,
        company_name,
        owner: c.owner_id.clone().unwrap_or_else(|| ctx.user_id.to_string()),
    })
}

/// Checks and stores a contract period: a new contract, or (with
/// `previous`) the period a renewal starts. The one place a contract row is
/// inserted, so both are held to the same rules. The caller plans its
/// renewal work and says on the timeline how it began.
pub(crate) fn insert(ctx: &WriteCtx, c: &NewContract, previous: Option<&str>) -> Result<(String, Checked)> {
    let checked = check(ctx, c)?;
    let (plan, currency, owner) = (&checked.plan, &checked.currency, &checked.owner);
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO contracts (id, company_id, deal_id, previous_contract_id, plan, start_date, end_date, auto_renew,
                                amount, currency, billing, notice_days, owner_id, hearing_days, proposal_days,
                                created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17)",
        sql::params![
            id,
            c.company_id,
            c.deal_id,
            previous,
            plan,
            c.start_date.to_string(),
            c.end_date.to_string(),
            c.auto_renew,
            c.amount,
            currency,
            c.billing.as_str(),
            c.notice_days,
            owner,
            c.hearing_days,
            c.proposal_days,
            ctx.now,
            ctx.user_id
        ],
    )?;
    Ok((id, checked))
}

pub fn create(ctx: &WriteCtx, c: &NewContract) -> Result<String> {
    let (id, checked) = insert(ctx, c, None)?;
    let plan = &checked.plan;
    crate::contracts::renewal::plan_work(ctx, &checked.period(&id, c), None)?;
    crate::contracts::renewal::record_created(ctx, &c.company_id, plan, c.start_date, c.end_date)?;
    ctx.audit(
        Entity::Contract,
        &id,
        "insert",
        serde_json::json!({ "plan": plan, "end_date": c.end_date }),
    )?;
    ctx.changed(Entity::Contract, &id, "insert")?;
    Ok(id)
}

/// Edits a running contract (not one already renewed or churned), if
/// nobody changed it since `version`. A new end, notice period or lead time
/// moves the renewal work not done yet; the change goes on the timeline.
pub fn update(ctx: &WriteCtx, id: &str, version: i64, c: &NewContract) -> Result<()> {
    let stored: Option<(String, String, Option<String>, String)> = ctx.sql().query_opt(
        "SELECT company_id, status, renewal_stage, end_date FROM contracts WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| {
            Ok((
                r.get("company_id")?,
                r.get("status")?,
                r.get("renewal_stage")?,
                r.get("end_date")?,
            ))
        },
    )?;
    let Some((company_id, status, stage, old_end)) = stored else {
        return Err(Error::NotFound {
            entity: "contract",
            id: id.to_string(),
        });
    };
    if company_id != c.company_id {
        return Err(Error::invalid("company_id", "other_company"));
    }
    if !matches!(
        known("contracts", id, &status, ContractStatus::parse)?,
        ContractStatus::Active | ContractStatus::InRenewal
    ) {
        return Err(Error::invalid("contract", "decided"));
    }
    let checked = check(ctx, c)?;
    let (plan, currency, owner) = (&checked.plan, &checked.currency, &checked.owner);
    let n = ctx.sql().execute(
        "UPDATE contracts SET plan = ?3, start_date = ?4, end_date = ?5, auto_renew = ?6, amount = ?7, currency = ?8,
                billing = ?9, notice_days = ?10, owner_id = ?11, hearing_days = ?12, proposal_days = ?13,
                version = version + 1, updated_at = ?14, updated_by = ?15
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            id,
            version,
            plan,
            c.start_date.to_string(),
            c.end_date.to_string(),
            c.auto_renew,
            c.amount,
            currency,
            c.billing.as_str(),
            c.notice_days,
            owner,
            c.hearing_days,
            c.proposal_days,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.expect_one("contract", "contracts", id, n)?;
    crate::contracts::renewal::replan_work(ctx, stage.as_deref(), &checked.period(id, c))?;
    crate::contracts::renewal::record_changed(ctx, &c.company_id, plan, &old_end, c.end_date, c.amount, currency)?;
    ctx.audit(
        Entity::Contract,
        id,
        "update",
        serde_json::json!({ "plan": plan, "end_date": c.end_date, "amount": c.amount }),
    )?;
    ctx.changed(Entity::Contract, id, "update")
}

/// Removes a contract entered by mistake (or one the team no longer wants
/// to see), with its open renewal work: the hearing, proposal and other
/// follow-ups not done yet go in the same batch, so no reminder is left
/// about a contract nobody can open, and Undo brings them all back. Work
/// already done and the contract's timeline lines stay as history. A
/// colleague's change since `version` is a conflict and removes nothing.
pub fn delete(ctx: &WriteCtx, id: &str, version: i64) -> Result<Deletion> {
    let (company_id, plan): (String, String) = ctx
        .sql()
        .query_opt(
            "SELECT company_id, plan FROM contracts WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![id],
            |r| Ok((r.get("company_id")?, r.get("plan")?)),
        )?
        .ok_or_else(|| Error::NotFound {
            entity: "contract",
            id: id.to_string(),
        })?;
    let mut batch = Batch::new(ctx);
    batch.mark_one(Table::Contracts, id, version, serde_json::json!({ "plan": plan }))?;
    batch.mark_where(Table::FollowUps, "contract_id = ?1 AND status = 'open'", id)?;
    deletion::note(
        ctx,
        &company_id,
        &format!("契約を削除: {plan}"),
        serde_json::json!({ "event": "contract_deleted", "title": plan, "contract_id": id, "deletion_id": batch.id() }),
    )?;
    Ok(batch.finish())
}

/// A date as the contracts table stores it.
pub(crate) fn stored_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}
