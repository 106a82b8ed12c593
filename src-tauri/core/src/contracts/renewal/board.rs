//! The renewal board and the company page's contracts: one card per contract period.

use super::{RenewalStep, TimeLeft};
use crate::clock::Clock;
use crate::contracts::contract::{stored_date, Billing, ContractStatus};
use crate::customers::health::{self, Health};
use crate::engine_text::{EngineText, ProposalKind};
use crate::error::{known, Error, Result};
use crate::store::sql::{self, Row, Sql};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

/// A contract on the renewal board.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RenewalCard {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub company_id: String,
    pub company_name: String,
    pub plan: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Calendar days from the user's today to the end (negative: past).
    #[ts(type = "number")]
    pub days_left: i64,
    pub time_left: TimeLeft,
    pub notice_deadline: NaiveDate,
    pub notice_days: i32,
    /// The contract's own lead times (`None`: the team's).
    pub hearing_days: Option<i32>,
    pub proposal_days: Option<i32>,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub billing: Billing,
    pub auto_renew: bool,
    pub status: ContractStatus,
    pub step: RenewalStep,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub satisfaction: Option<u8>,
    pub hearing_notes: String,
    pub proposal_kind: Option<ProposalKind>,
    #[ts(type = "number | null")]
    pub proposed_amount: Option<i64>,
    pub churn_reason: Option<String>,
    /// The support case that flagged this contract as a renewal risk.
    #[ts(type = "number | null")]
    pub from_case: Option<i64>,
    /// The renewal follow-up due next, if any.
    pub next_due_at: Option<String>,
    pub next_title: Option<String>,
    /// Its title as the engine wrote it, to show in the reader's language.
    pub next_engine_text: Option<EngineText>,
    /// The period that followed, once renewed.
    pub next_contract_id: Option<String>,
    /// The customer's health (docs/customer-health.md) on the renewal board,
    /// so nobody proposes a renewal to a customer with open complaints as if
    /// nothing happened; `None` where the page already shows it.
    pub health: Option<Health>,
}

const CARD: &str = "SELECT k.id, k.version, k.company_id, c.name, k.plan, k.start_date, k.end_date, k.notice_days,
        k.amount, k.currency, k.billing, k.auto_renew, k.status, k.renewal_stage, k.owner_id, u.display_name,
        k.satisfaction, k.hearing_notes, k.proposal_kind, k.proposed_amount, k.churn_reason, k.next_contract_id,
        nf.due_at, nf.title, k.hearing_days, k.proposal_days, nf.text_kind, nf.text_params,
        (SELECT MAX(s.number) FROM case_handoffs h JOIN support_cases s ON s.id = h.case_id
          WHERE h.contract_id = k.id AND h.kind = 'renewal_risk' AND h.deleted_at IS NULL) AS from_case
   FROM contracts k JOIN companies c ON c.id = k.company_id LEFT JOIN users u ON u.id = k.owner_id
   LEFT JOIN follow_ups nf ON nf.id = (
        SELECT f.id FROM follow_ups f WHERE f.contract_id = k.id AND f.status = 'open' AND f.deleted_at IS NULL
         ORDER BY f.due_at LIMIT 1)";

fn card(r: &Row, today: NaiveDate) -> Result<RenewalCard> {
    let id: String = r.get("id")?;
    let date = |column: &str| known("contracts", &id, &r.get::<String>(column)?, stored_date);
    let end = date("end_date")?;
    let notice: i64 = r.get("notice_days")?;
    let status = known("contracts", &id, &r.get::<String>("status")?, ContractStatus::parse)?;
    let stage: Option<String> = r.get("renewal_stage")?;
    let proposal_kind = r
        .get::<Option<String>>("proposal_kind")?
        .map(|k| known("contracts", &id, &k, ProposalKind::parse))
        .transpose()?;
    let days_left = (end - today).num_days();
    Ok(RenewalCard {
        version: r.get("version")?,
        company_id: r.get("company_id")?,
        company_name: r.get("name")?,
        plan: r.get("plan")?,
        start_date: date("start_date")?,
        end_date: end,
        days_left,
        time_left: TimeLeft::of(days_left),
        notice_deadline: end - Duration::days(notice.max(0)),
        notice_days: notice as i32,
        hearing_days: r.get("hearing_days")?,
        proposal_days: r.get("proposal_days")?,
        amount: r.get("amount")?,
        currency: r.get("currency")?,
        billing: known("contracts", &id, &r.get::<String>("billing")?, Billing::parse)?,
        auto_renew: r.get("auto_renew")?,
        status,
        step: RenewalStep::of(status, stage.as_deref()),
        owner_id: r.get("owner_id")?,
        owner_name: r.get("display_name")?,
        satisfaction: r.get::<Option<i64>>("satisfaction")?.map(|s| s.clamp(0, 5) as u8),
        hearing_notes: r.get("hearing_notes")?,
        proposal_kind,
        proposed_amount: r.get("proposed_amount")?,
        churn_reason: r.get("churn_reason")?,
        from_case: r.get("from_case")?,
        next_contract_id: r.get("next_contract_id")?,
        next_due_at: r.get("due_at")?,
        next_title: r.get("title")?,
        next_engine_text: EngineText::from_cells(r.get(26)?, r.get(27)?),
        health: None,
        id,
    })
}

pub fn get<'c>(conn: impl Into<Sql<'c>>, today: NaiveDate, id: &str) -> Result<RenewalCard> {
    conn.into()
        .query_opt(
            &format!("{CARD} WHERE k.id = ?1 AND k.deleted_at IS NULL"),
            sql::params![id],
            |r| card(r, today),
        )?
        .ok_or_else(|| Error::NotFound {
            entity: "contract",
            id: id.to_string(),
        })
}

/// The renewal board: running contracts ending within `horizon_days` (or
/// past their end), and those renewed or churned in the last 30 days, so the
/// last columns show what was just decided. Soonest end first.
pub fn board<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, horizon_days: i64) -> Result<Vec<RenewalCard>> {
    let conn = conn.into();
    let today = clock.today();
    let until = (today + Duration::days(horizon_days)).to_string();
    let recent = (today - Duration::days(30)).to_string();
    let mut rows = conn.query(
        &format!(
            "{CARD}
             WHERE k.deleted_at IS NULL
               AND ((k.status IN ('active','in_renewal') AND k.end_date <= ?1)
                 OR (k.status IN ('renewed','churned') AND substr(COALESCE(k.decided_at, k.updated_at), 1, 10) >= ?2)
                 OR (k.status = 'renewed' AND k.renewal_stage = 'post_renewal'))
             ORDER BY k.end_date, c.name_kana, k.id"
        ),
        sql::params![until, recent],
        |r| card(r, today),
    )?;
    let health = health::all(conn, clock)?;
    for card in &mut rows {
        card.health = Some(health.get(&card.company_id).cloned().unwrap_or_default());
    }
    Ok(rows)
}

/// A company's contracts, newest period first (the company page).
pub fn for_company<'c>(conn: impl Into<Sql<'c>>, today: NaiveDate, company_id: &str) -> Result<Vec<RenewalCard>> {
    conn.into().query(
        &format!("{CARD} WHERE k.company_id = ?1 AND k.deleted_at IS NULL ORDER BY k.end_date DESC, k.id"),
        sql::params![company_id],
        |r| card(r, today),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_on_the_board_carries_its_customers_health() {
        use crate::customers::health::HealthLevel;
        use crate::testutil::{insert_case, Case};
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        contract(&mut f, &s.company_id, "2026-01-01", "2026-12-31", 100_000);
        let level = |f: &crate::testutil::Fixture| {
            board(f.db.sql(), &f.clock, 90).unwrap()[0]
                .health
                .as_ref()
                .map(|h| h.level)
        };
        assert_eq!(level(&f), Some(HealthLevel::Good));
        insert_case(
            &f.db,
            &s.company_id,
            &Case {
                category: "complaint",
                status: "new",
                first_response_at: None,
                resolved_at: None,
                first_response_due: "2026-11-26T00:00:00Z",
                resolution_due: "2026-11-30T00:00:00Z",
                ..Case::default()
            },
        );
        assert_eq!(level(&f), Some(HealthLevel::AtRisk));
    }
    use crate::testutil::{assert_unknown, contract, fixture, seed_pipeline, store_unknown};

    #[test]
    fn an_unknown_status_or_billing_is_an_error_naming_the_contract() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let paused = contract(&mut f, &s.company_id, "2026-01-09", "2027-01-08", 600_000);
        let quarterly = contract(&mut f, &s.company_id, "2026-02-01", "2027-01-31", 100_000);
        let today = f.clock.today();
        store_unknown(
            &f,
            &format!("UPDATE contracts SET status = 'paused' WHERE id = '{paused}'"),
        );
        store_unknown(
            &f,
            &format!("UPDATE contracts SET billing = 'quarterly' WHERE id = '{quarterly}'"),
        );
        assert_unknown(get(f.db.sql(), today, &paused), "contracts", &paused, "paused");
        assert_unknown(get(f.db.sql(), today, &quarterly), "contracts", &quarterly, "quarterly");
        // Every read of a contract refuses it, never shows it as active.
        assert!(matches!(
            board(f.db.sql(), &f.clock, 90),
            Err(Error::UnknownValue { .. })
        ));
        let step = crate::contracts::renewal::StepInput::default();
        assert_unknown(
            f.db.write(|ctx| crate::contracts::renewal::advance(ctx, &paused, 1, RenewalStep::Procedure, &step)),
            "contracts",
            &paused,
            "paused",
        );
    }
}
