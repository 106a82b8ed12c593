//! Support → sales: from a case, support hands the account owner (the
//! customer's owner) something only sales can act on — an opportunity (more
//! seats, a higher plan), a renewal risk on a running contract, or a
//! complaint that needs the owner. It becomes the owner's follow-up (handed
//! over by the support member, so the reminders tell the owner at once), it
//! stands on the customer's timeline and in the case's thread, and the deal
//! or contract it concerns says where it came from ("from case #12").
//!
//! The case is read by SQL (`support_cases`: id, number, company_id,
//! subject), so this needs nothing of the cases engine but its table.

use crate::engine_text::{EngineText, ToSalesKind};
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::handoff::timeline;
use crate::id::new_id;
use crate::pipeline::deal::{self, NewDeal};
use crate::pipeline::stage::{self, StageKind};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::validate::{optional, required};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// The deal an opportunity opens in the first stage of the team's first
/// pipeline, linked to its case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OpportunityDeal {
    pub title: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ToSalesInput {
    pub case_id: String,
    pub kind: ToSalesKind,
    pub note: String,
    /// A renewal risk: the customer's contract it is about.
    pub contract_id: Option<String>,
    /// An opportunity: a deal to open for it now.
    pub deal: Option<OpportunityDeal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ToSalesOutcome {
    pub id: String,
    pub owner_id: String,
    pub owner_name: String,
    pub follow_up_id: String,
    pub deal_id: Option<String>,
}

/// What the case dialog needs to offer the hand-over: who will get it and
/// the contracts a renewal risk may name.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ToSalesTarget {
    pub case_id: String,
    #[ts(type = "number")]
    pub case_number: i64,
    pub subject: String,
    pub company_id: String,
    pub company_name: String,
    /// `None`: the customer has no owner, and the hand-over is refused.
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub contracts: Vec<ContractChoice>,
    /// What was handed to sales from this case already.
    pub handed: Vec<CaseHandoff>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ContractChoice {
    pub id: String,
    pub plan: String,
    pub end_date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseHandoff {
    pub id: String,
    pub kind: ToSalesKind,
    pub note: String,
    pub owner_name: String,
    pub deal_id: Option<String>,
    pub contract_id: Option<String>,
    pub created_at: String,
}

const NOTE_MAX: usize = 4000;

struct Case {
    number: i64,
    company_id: String,
    company_name: String,
    owner_id: Option<String>,
}

fn case<'c>(conn: impl Into<Sql<'c>>, case_id: &str) -> Result<(Case, String)> {
    let conn = conn.into();
    conn.query_opt(
        "SELECT s.number, s.company_id, c.name, c.owner_id, s.subject
           FROM support_cases s JOIN companies c ON c.id = s.company_id
          WHERE s.id = ?1 AND s.deleted_at IS NULL",
        sql::params![case_id],
        |r| {
            Ok((
                Case {
                    number: r.get(0)?,
                    company_id: r.get(1)?,
                    company_name: r.get(2)?,
                    owner_id: r.get(3)?,
                },
                r.get(4)?,
            ))
        },
    )?
    .ok_or_else(|| Error::NotFound {
        entity: "support_case",
        id: case_id.to_string(),
    })
}

/// Who a hand-over from this case would go to, and what it may name.
pub fn target<'c>(conn: impl Into<Sql<'c>>, case_id: &str) -> Result<ToSalesTarget> {
    let conn = conn.into();
    let (c, subject) = case(conn, case_id)?;
    let owner_name: Option<String> = match &c.owner_id {
        Some(id) => conn.query_opt("SELECT display_name FROM users WHERE id = ?1", sql::params![id], |r| {
            r.get(0)
        })?,
        None => None,
    };
    let contracts = {
        conn.query(
            "SELECT id, plan, end_date FROM contracts
              WHERE company_id = ?1 AND deleted_at IS NULL AND status IN ('active','in_renewal')
              ORDER BY end_date, id",
            sql::params![&c.company_id],
            |r| {
                Ok(ContractChoice {
                    id: r.get(0)?,
                    plan: r.get(1)?,
                    end_date: r.get(2)?,
                })
            },
        )?
    };
    Ok(ToSalesTarget {
        case_id: case_id.to_string(),
        case_number: c.number,
        subject,
        company_id: c.company_id,
        company_name: c.company_name,
        owner_id: c.owner_id,
        owner_name,
        contracts,
        handed: for_case(conn, case_id)?,
    })
}

/// What was handed to sales from a case, oldest first.
pub fn for_case<'c>(conn: impl Into<Sql<'c>>, case_id: &str) -> Result<Vec<CaseHandoff>> {
    let conn = conn.into();
    let rows = conn.query(
        "SELECT h.id, h.kind, h.note, COALESCE(u.display_name, ''), h.deal_id, h.contract_id, h.created_at
           FROM case_handoffs h LEFT JOIN users u ON u.id = h.owner_id
          WHERE h.case_id = ?1 AND h.deleted_at IS NULL ORDER BY h.created_at, h.id",
        sql::params![case_id],
        |r| {
            let id: String = r.get(0)?;
            Ok(CaseHandoff {
                kind: crate::error::known_in_row("case_handoffs", &id, r.get(1)?, ToSalesKind::parse)?,
                id,
                note: r.get(2)?,
                owner_name: r.get(3)?,
                deal_id: r.get(4)?,
                contract_id: r.get(5)?,
                created_at: r.get(6)?,
            })
        },
    )?;
    Ok(rows)
}

/// Hands the account owner what support found in a case.
pub fn hand_to_sales(ctx: &WriteCtx, input: &ToSalesInput) -> Result<ToSalesOutcome> {
    let (c, _) = case(ctx.sql(), &input.case_id)?;
    let note = match input.kind {
        // A complaint or a risk means nothing without what was said.
        ToSalesKind::Complaint | ToSalesKind::RenewalRisk => required("note", &input.note, NOTE_MAX)?,
        ToSalesKind::Opportunity => optional("note", &input.note, NOTE_MAX)?,
    };
    let owner_id = c.owner_id.clone().ok_or(Error::invalid("owner_id", "none"))?;
    let contract_id = match (input.kind, &input.contract_id) {
        (ToSalesKind::RenewalRisk, Some(id)) => {
            let ok = ctx
                .sql()
                .query_opt(
                    "SELECT 1 FROM contracts WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL",
                    sql::params![id, c.company_id],
                    |_| Ok(()),
                )?
                .is_some();
            if !ok {
                return Err(Error::invalid("contract_id", "other_company"));
            }
            Some(id.clone())
        }
        (ToSalesKind::RenewalRisk, None) => return Err(Error::invalid("contract_id", "required")),
        _ => None,
    };
    let deal_id = match (input.kind, &input.deal) {
        (ToSalesKind::Opportunity, Some(d)) => Some(open_deal(ctx, &c, &owner_id, d, &note)?),
        _ => None,
    };
    let follow_up_id = follow_up::plan_titled(
        ctx,
        &NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: String::new(),
            // Now: the owner hears of it at once (the reminder of a due follow-up).
            due_at: ctx.now.clone(),
            assignee_id: Some(owner_id.clone()),
            company_id: Some(c.company_id.clone()),
            deal_id: deal_id.clone(),
            contract_id: contract_id.clone(),
            activity_id: None,
        },
        &EngineText::CaseToSalesDue {
            company: c.company_name.clone(),
            kind: input.kind,
            case_number: c.number,
        },
    )?;
    let owner_name = timeline::member_name(ctx, &owner_id)?;
    let activity_id = timeline::record(
        ctx,
        &c.company_id,
        deal_id.as_deref(),
        EngineText::CaseHandedToSales {
            kind: input.kind,
            case_number: c.number,
            owner: owner_name.clone(),
        },
        &note,
    )?;
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO case_handoffs (id, case_id, company_id, kind, note, owner_id, follow_up_id, deal_id, contract_id,
                                    created_at, created_by, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10, ?11)",
        sql::params![
            id,
            input.case_id,
            c.company_id,
            input.kind.as_str(),
            note,
            owner_id,
            follow_up_id,
            deal_id,
            contract_id,
            ctx.now,
            ctx.user_id
        ],
    )?;
    // The case's own thread says it too (its 'handoff' event).
    ctx.sql().execute(
        "INSERT INTO case_events (id, case_id, kind, body, detail, author_id, at, activity_id, created_at, updated_at, updated_by)
         VALUES (?1, ?2, 'handoff', ?3, ?4, ?5, ?6, ?7, ?6, ?6, ?5)", sql::params![
            new_id(),
            input.case_id,
            note,
            json!({ "kind": input.kind.as_str(), "owner_id": owner_id, "deal_id": deal_id, "contract_id": contract_id })
                .to_string(),
            ctx.user_id,
            ctx.now,
            activity_id
        ])?;
    ctx.audit(
        Entity::Handoff,
        &id,
        "insert",
        json!({ "case_id": input.case_id, "kind": input.kind.as_str(), "owner_id": owner_id }),
    )?;
    ctx.changed(Entity::Handoff, &id, "insert")?;
    ctx.changed(Entity::SupportCase, &input.case_id, "update")?;
    Ok(ToSalesOutcome {
        id,
        owner_id,
        owner_name,
        follow_up_id,
        deal_id,
    })
}

/// The opportunity as a deal of the owner's, in the first open stage of the
/// team's first pipeline.
fn open_deal(ctx: &WriteCtx, c: &Case, owner_id: &str, d: &OpportunityDeal, note: &str) -> Result<String> {
    let pipeline = stage::list(ctx.sql())?
        .into_iter()
        .next()
        .ok_or(Error::invalid("pipeline", "none"))?;
    let first = stage::stages(ctx.sql(), &pipeline.id)?
        .into_iter()
        .find(|s| s.kind == StageKind::Open)
        .ok_or(Error::invalid("stage", "none"))?;
    deal::create(
        ctx,
        &NewDeal {
            pipeline_id: pipeline.id,
            stage_id: first.id,
            company_id: c.company_id.clone(),
            contact_id: None,
            title: d.title.clone(),
            amount: d.amount,
            currency: d.currency.clone(),
            owner_id: Some(owner_id.to_string()),
            expected_close: None,
            decision_deadline: None,
            notes: note.to_string(),
        },
    )
}

/// The case number a deal came from, for its card.
pub fn deal_origin<'c>(conn: impl Into<Sql<'c>>, deal_id: &str) -> Result<Option<i64>> {
    let conn = conn.into();
    conn.query_opt(
        "SELECT s.number FROM case_handoffs h JOIN support_cases s ON s.id = h.case_id
              WHERE h.deal_id = ?1 AND h.deleted_at IS NULL ORDER BY h.created_at DESC LIMIT 1",
        sql::params![deal_id],
        |r| r.get(0),
    )
}
