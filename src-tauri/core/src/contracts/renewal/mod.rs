//! Renewal management (定期契約の先行管理, docs/sales-methods.md): the renewal work
//! planned ahead of each contract's end, the steps from hearing to renewed
//! or churned, the renewal board and the renewal rate.
//!
//! When a contract period starts, its hearing and proposal follow-ups are
//! planned for the owner (the scheduler reminds them on the day). Each step
//! is recorded on the contract, on the customer's timeline, and completes
//! its follow-up. Renewing starts the next period (with its own renewal
//! work) and plans the post-renewal follow-up; churning asks for a reason
//! and plans a re-approach, like a lost deal.

mod board;
mod plan;
mod rate;
mod steps;
mod timeline;

pub use board::{board, for_company, get, RenewalCard};
pub(crate) use plan::{plan_work, replan_work, Period};
pub use rate::{rate, RateAmounts, ReasonCount, RenewalRate};
pub use steps::advance;
pub(crate) use timeline::{record_changed, record_created};

use crate::contracts::contract::ContractStatus;
use crate::engine_text::ProposalKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a contract stands in its renewal, the columns of the board by step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RenewalStep {
    /// Nothing done yet for this renewal.
    NotStarted,
    /// ヒアリング: how satisfied they are, what troubles them.
    Hearing,
    /// The renewal proposal: same plan, upsell or downsell, and its amount.
    Proposal,
    /// 更新手続き: the paperwork.
    Procedure,
    /// Renewed; the next period runs, a follow-up checks how it started.
    PostRenewal,
    /// Done: renewed and followed up.
    Renewed,
    Churned,
}

impl RenewalStep {
    pub fn as_str(self) -> &'static str {
        match self {
            RenewalStep::NotStarted => "not_started",
            RenewalStep::Hearing => "hearing",
            RenewalStep::Proposal => "proposal",
            RenewalStep::Procedure => "procedure",
            RenewalStep::PostRenewal => "post_renewal",
            RenewalStep::Renewed => "renewed",
            RenewalStep::Churned => "churned",
        }
    }
    fn of(status: ContractStatus, stage: Option<&str>) -> RenewalStep {
        match (status, stage) {
            (ContractStatus::Churned, _) => RenewalStep::Churned,
            (ContractStatus::Renewed, Some("post_renewal")) => RenewalStep::PostRenewal,
            (ContractStatus::Renewed, _) => RenewalStep::Renewed,
            (_, Some("hearing")) => RenewalStep::Hearing,
            (_, Some("proposal")) => RenewalStep::Proposal,
            (_, Some("procedure")) => RenewalStep::Procedure,
            _ => RenewalStep::NotStarted,
        }
    }
    fn rank(self) -> u8 {
        match self {
            RenewalStep::NotStarted => 0,
            RenewalStep::Hearing => 1,
            RenewalStep::Proposal => 2,
            RenewalStep::Procedure => 3,
            RenewalStep::PostRenewal => 4,
            RenewalStep::Renewed => 5,
            RenewalStep::Churned => 6,
        }
    }
}

/// The columns of the board by time left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TimeLeft {
    MoreThan60,
    From60To30,
    Under30,
    PastEnd,
}

impl TimeLeft {
    pub fn of(days_left: i64) -> TimeLeft {
        match days_left {
            d if d < 0 => TimeLeft::PastEnd,
            d if d < 30 => TimeLeft::Under30,
            d if d <= 60 => TimeLeft::From60To30,
            _ => TimeLeft::MoreThan60,
        }
    }
}

/// Moving a contract to a renewal step, with what that step records.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct StepInput {
    /// Hearing: satisfaction 1–5 (required) and the problems heard.
    pub satisfaction: Option<u8>,
    pub problems: String,
    /// Proposal: its kind (required) and the new amount (defaults to the
    /// current one for the same plan).
    pub proposal_kind: Option<ProposalKind>,
    #[ts(type = "number | null")]
    pub new_amount: Option<i64>,
    /// Churn: why (required).
    pub churn_reason: String,
}

/// What a step did besides moving the contract.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StepOutcome {
    /// Renewing: the new period.
    pub next_contract_id: Option<String>,
    /// Churning: when the re-approach is planned.
    pub reapproach_on: Option<NaiveDate>,
}

#[cfg(test)]
mod testing {
    use crate::clock::Clock;
    use crate::testutil::Fixture;
    use chrono::NaiveDate;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The open renewal follow-ups of a contract: (step, due day in JST).
    pub fn work(f: &Fixture, id: &str) -> Vec<(String, String)> {
        f.db.sql()
            .query(
                "SELECT renewal_step, due_at FROM follow_ups
                 WHERE contract_id = ?1 AND status = 'open' ORDER BY due_at",
                crate::store::sql::params![id],
                |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
            )
            .unwrap()
            .into_iter()
            .map(|(s, due)| {
                let t = crate::clock::from_db(&due).unwrap().with_timezone(&f.clock.offset());
                (s, t.format("%Y-%m-%d %H:%M").to_string())
            })
            .collect()
    }
}
