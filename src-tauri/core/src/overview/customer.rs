//! The header of a customer's page: the customer with what is open, what
//! runs and what comes next, read from the pipeline, the contracts and the
//! follow-ups together. It lives above them all, so none of them needs to
//! know the others.

use crate::clock::Clock;
use crate::contracts::contract::{stored_date, ContractStatus};
use crate::customers::company::{self, Segment};
use crate::customers::health::{self, Health};
use crate::engine_text::EngineText;
use crate::error::{known, Result};
use crate::followups::follow_up::{DueState, FollowUpKind};
use crate::store::sql::{self, Sql};
use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

/// An open deal in the customer's header.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SummaryDeal {
    pub id: String,
    pub title: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub stage_name: String,
}

/// A current contract in the customer's header.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SummaryContract {
    pub id: String,
    pub plan: String,
    pub end_date: NaiveDate,
    pub status: ContractStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SummaryFollowUp {
    pub id: String,
    pub kind: FollowUpKind,
    pub title: String,
    /// A title the engine wrote, to show in the reader's language.
    pub engine_text: Option<EngineText>,
    pub due_at: String,
    /// Overdue, today or upcoming in the user's zone: judged like the
    /// board's next step, so both say "overdue" about the same date.
    pub state: DueState,
    pub assignee_name: Option<String>,
}

/// The header of a customer's page: who looks after them, what is open, what
/// runs, when we last spoke, and what comes next.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CompanySummary {
    pub company_id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub name: String,
    pub name_kana: String,
    pub industry: String,
    pub segment: Segment,
    pub address: String,
    pub phone: String,
    pub website: String,
    pub tags: Vec<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    /// Open deals in pipeline order (stage, then card position).
    pub open_deals: Vec<SummaryDeal>,
    /// Active and in-renewal contracts, the one ending first first.
    pub contracts: Vec<SummaryContract>,
    pub last_contact_at: Option<String>,
    /// The team's earliest open follow-up for this customer (any assignee).
    pub next_follow_up: Option<SummaryFollowUp>,
    /// Support's view of the customer (docs/customer-health.md).
    pub health: Health,
    /// Archived: the page says so and offers to unarchive.
    pub archived_at: Option<String>,
}

/// The detail header of a customer.
pub fn summary<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, id: &str) -> Result<CompanySummary> {
    let conn = conn.into();
    let c = company::get(conn, id)?;
    // A merged-away id shows the survivor (company::get follows the alias).
    let id = c.id.clone();
    let id = id.as_str();
    let open_deals = conn.query(
        "SELECT d.id, d.title, d.amount, d.currency, s.name
         FROM deals d JOIN stages s ON s.id = d.stage_id
         WHERE d.company_id = ?1 AND d.deleted_at IS NULL AND s.kind = 'open'
         ORDER BY s.position, d.position, d.id",
        sql::params![id],
        |r| {
            Ok(SummaryDeal {
                id: r.get("id")?,
                title: r.get("title")?,
                amount: r.get("amount")?,
                currency: r.get("currency")?,
                stage_name: r.get("name")?,
            })
        },
    )?;
    let contracts = conn.query(
        "SELECT id, plan, end_date, status FROM contracts
         WHERE company_id = ?1 AND deleted_at IS NULL AND status IN ('active', 'in_renewal')
         ORDER BY end_date, id",
        sql::params![id],
        |r| {
            let id: String = r.get("id")?;
            Ok(SummaryContract {
                plan: r.get("plan")?,
                end_date: known("contracts", &id, &r.get::<String>("end_date")?, stored_date)?,
                status: known("contracts", &id, &r.get::<String>("status")?, ContractStatus::parse)?,
                id,
            })
        },
    )?;
    let next_follow_up = conn.query_opt(
        "SELECT f.id, f.kind, f.title, f.due_at, u.display_name, f.text_kind, f.text_params
         FROM follow_ups f LEFT JOIN users u ON u.id = f.assignee_id
         WHERE f.company_id = ?1 AND f.status = 'open' AND f.deleted_at IS NULL
         ORDER BY f.due_at, f.id LIMIT 1",
        sql::params![id],
        |r| {
            let due_at: String = r.get("due_at")?;
            Ok(SummaryFollowUp {
                id: r.get("id")?,
                kind: known(
                    "follow_ups",
                    &r.get::<String>("id")?,
                    &r.get::<String>("kind")?,
                    FollowUpKind::parse,
                )?,
                title: r.get("title")?,
                engine_text: EngineText::from_cells(r.get(5)?, r.get(6)?),
                state: DueState::of(&due_at, clock),
                due_at,
                assignee_name: r.get("display_name")?,
            })
        },
    )?;
    Ok(CompanySummary {
        company_id: c.id,
        version: c.version,
        name: c.name,
        name_kana: c.name_kana,
        industry: c.industry,
        segment: c.segment,
        address: c.address,
        phone: c.phone,
        website: c.website,
        tags: c.tags,
        owner_id: c.owner_id,
        owner_name: c.owner_name,
        open_deals,
        contracts,
        last_contact_at: c.last_contact_at,
        next_follow_up,
        health: health::of(conn, clock, id)?,
        archived_at: c.archived_at,
    })
}
