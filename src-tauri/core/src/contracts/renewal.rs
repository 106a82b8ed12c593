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

use crate::clock::Clock;
use crate::contracts::contract::{Billing, ContractStatus};
use crate::engine_text::{EngineText, ProposalKind};
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::id::new_id;
use crate::pipeline::deal::reminder_at;
use crate::store::changes::Entity;
use crate::store::db::WriteCtx;
use crate::team::settings::TeamSettings;
use crate::timeline::activity::{self, ActivityKind};
use chrono::{Datelike, Duration, Months, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
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

/// When the hearing and the proposal are due: their lead times before the
/// end, but the proposal never after the notice deadline (after it the
/// customer can no longer decide), and the hearing keeps its distance
/// before the proposal.
pub fn work_dates(end: NaiveDate, notice_days: i64, hearing_days: i64, proposal_days: i64) -> (NaiveDate, NaiveDate) {
    let notice_deadline = end - Duration::days(notice_days.max(0));
    let proposal = (end - Duration::days(proposal_days)).min(notice_deadline);
    let gap = (hearing_days - proposal_days).max(0);
    let hearing = (end - Duration::days(hearing_days)).min(proposal - Duration::days(gap));
    (hearing, proposal)
}

/// The next period after `start..=end`: as many calendar months when the
/// period is whole months (month-end and leap-year safe), else as many days.
pub fn next_period(start: NaiveDate, end: NaiveDate) -> (NaiveDate, NaiveDate) {
    let next_start = end + Duration::days(1);
    let mut months = (next_start.year() - start.year()) * 12 + next_start.month() as i32 - start.month() as i32;
    if next_start.day() < start.day() {
        months -= 1;
    }
    // Whole months when adding them to the start lands on the next start, or
    // on the day before it where the start's day does not exist in that
    // month (a year from Feb 29 ends on Feb 28; the next year starts Mar 1).
    let whole = months > 0
        && start
            .checked_add_months(Months::new(months as u32))
            .is_some_and(|d| d == next_start || (d.day() < start.day() && d + Duration::days(1) == next_start));
    let next_end = whole
        .then(|| next_start.checked_add_months(Months::new(months as u32)))
        .flatten()
        .map(|d| d - Duration::days(1));
    (next_start, next_end.unwrap_or(next_start + (end - start)))
}

/// What the contract needs to know to plan its renewal work.
pub(crate) struct Period<'a> {
    pub contract_id: &'a str,
    pub company_id: &'a str,
    pub company_name: &'a str,
    pub plan: &'a str,
    pub end: NaiveDate,
    pub notice_days: i64,
    pub hearing_days: Option<i64>,
    pub proposal_days: Option<i64>,
    pub owner_id: Option<&'a str>,
}

fn plan_step(ctx: &WriteCtx, p: &Period, step: RenewalStep, day: NaiveDate) -> Result<String> {
    let (company, plan) = (p.company_name.to_string(), p.plan.to_string());
    let text = match step {
        RenewalStep::Hearing => EngineText::RenewalHearingDue { company, plan },
        RenewalStep::Proposal => EngineText::RenewalProposalDue { company, plan },
        _ => EngineText::PostRenewalDue { company, plan },
    };
    // A step whose day has already passed (a contract entered late) is
    // today's work, not an overdue one.
    let today = ctx.clock.today();
    let due = reminder_at(day.max(today), ctx.clock.offset());
    let id = follow_up::create_titled(
        ctx,
        &NewFollowUp {
            kind: FollowUpKind::Renewal,
            title: String::new(),
            due_at: due,
            assignee_id: p.owner_id.map(String::from),
            company_id: Some(p.company_id.to_string()),
            deal_id: None,
            contract_id: Some(p.contract_id.to_string()),
            activity_id: None,
        },
        &text,
    )?;
    ctx.tx.execute(
        "UPDATE follow_ups SET renewal_step = ?2 WHERE id = ?1",
        params![id, step.as_str()],
    )?;
    Ok(id)
}

/// Plans the hearing and proposal follow-ups of a contract period that are
/// still ahead of `stage` (the renewal stage reached; `None`: nothing yet).
pub(crate) fn plan_work(ctx: &WriteCtx, p: &Period, stage: Option<&str>) -> Result<()> {
    let team = TeamSettings::load(ctx.tx)?;
    let hearing_days = p.hearing_days.unwrap_or(i64::from(team.renewal_hearing_days));
    let proposal_days = p.proposal_days.unwrap_or(i64::from(team.renewal_proposal_days));
    let (hearing, proposal) = work_dates(p.end, p.notice_days, hearing_days, proposal_days);
    if stage.is_none() {
        plan_step(ctx, p, RenewalStep::Hearing, hearing)?;
    }
    if matches!(stage, None | Some("hearing")) {
        plan_step(ctx, p, RenewalStep::Proposal, proposal)?;
    }
    Ok(())
}

/// After an edit: the hearing and proposal not done yet move to the new
/// dates (and owner); steps already taken stay as they were.
pub(crate) fn replan_work(ctx: &WriteCtx, stage: Option<&str>, p: &Period) -> Result<()> {
    close_follow_ups(ctx, p.contract_id, &["hearing", "proposal"], "cancelled")?;
    plan_work(ctx, p, stage)
}

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
    /// The renewal follow-up due next, if any.
    pub next_due_at: Option<String>,
    pub next_title: Option<String>,
    /// Its title as the engine wrote it, to show in the reader's language.
    pub next_engine_text: Option<EngineText>,
    /// The period that followed, once renewed.
    pub next_contract_id: Option<String>,
}

const CARD: &str = "SELECT k.id, k.version, k.company_id, c.name, k.plan, k.start_date, k.end_date, k.notice_days,
        k.amount, k.currency, k.billing, k.auto_renew, k.status, k.renewal_stage, k.owner_id, u.display_name,
        k.satisfaction, k.hearing_notes, k.proposal_kind, k.proposed_amount, k.churn_reason, k.next_contract_id,
        nf.due_at, nf.title, k.hearing_days, k.proposal_days, nf.text_kind, nf.text_params
   FROM contracts k JOIN companies c ON c.id = k.company_id LEFT JOIN users u ON u.id = k.owner_id
   LEFT JOIN follow_ups nf ON nf.id = (
        SELECT f.id FROM follow_ups f WHERE f.contract_id = k.id AND f.status = 'open' AND f.deleted_at IS NULL
         ORDER BY f.due_at LIMIT 1)";

fn date(s: &str, fallback: NaiveDate) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(fallback)
}

fn card(r: &rusqlite::Row, today: NaiveDate) -> rusqlite::Result<RenewalCard> {
    let end = date(&r.get::<_, String>(6)?, today);
    let notice: i64 = r.get(7)?;
    let status = ContractStatus::parse(&r.get::<_, String>(12)?);
    let stage: Option<String> = r.get(13)?;
    let days_left = (end - today).num_days();
    Ok(RenewalCard {
        id: r.get(0)?,
        version: r.get(1)?,
        company_id: r.get(2)?,
        company_name: r.get(3)?,
        plan: r.get(4)?,
        start_date: date(&r.get::<_, String>(5)?, today),
        end_date: end,
        days_left,
        time_left: TimeLeft::of(days_left),
        notice_deadline: end - Duration::days(notice.max(0)),
        notice_days: notice as i32,
        hearing_days: r.get(24)?,
        proposal_days: r.get(25)?,
        amount: r.get(8)?,
        currency: r.get(9)?,
        billing: if r.get::<_, String>(10)? == "monthly" {
            Billing::Monthly
        } else {
            Billing::Annual
        },
        auto_renew: r.get(11)?,
        status,
        step: RenewalStep::of(status, stage.as_deref()),
        owner_id: r.get(14)?,
        owner_name: r.get(15)?,
        satisfaction: r.get::<_, Option<i64>>(16)?.map(|s| s.clamp(0, 5) as u8),
        hearing_notes: r.get(17)?,
        proposal_kind: r.get::<_, Option<String>>(18)?.as_deref().and_then(ProposalKind::parse),
        proposed_amount: r.get(19)?,
        churn_reason: r.get(20)?,
        next_contract_id: r.get(21)?,
        next_due_at: r.get(22)?,
        next_title: r.get(23)?,
        next_engine_text: EngineText::read(r, 26)?,
    })
}

pub fn get(conn: &Connection, today: NaiveDate, id: &str) -> Result<RenewalCard> {
    conn.query_row(&format!("{CARD} WHERE k.id = ?1 AND k.deleted_at IS NULL"), [id], |r| {
        card(r, today)
    })
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "contract",
        id: id.to_string(),
    })
}

/// The renewal board: running contracts ending within `horizon_days` (or
/// past their end), and those renewed or churned in the last 30 days, so the
/// last columns show what was just decided. Soonest end first.
pub fn board(conn: &Connection, today: NaiveDate, horizon_days: i64) -> Result<Vec<RenewalCard>> {
    let until = (today + Duration::days(horizon_days)).to_string();
    let recent = (today - Duration::days(30)).to_string();
    let mut st = conn.prepare_cached(&format!(
        "{CARD}
         WHERE k.deleted_at IS NULL
           AND ((k.status IN ('active','in_renewal') AND k.end_date <= ?1)
             OR (k.status IN ('renewed','churned') AND substr(COALESCE(k.decided_at, k.updated_at), 1, 10) >= ?2)
             OR (k.status = 'renewed' AND k.renewal_stage = 'post_renewal'))
         ORDER BY k.end_date, c.name_kana"
    ))?;
    let rows = st
        .query_map(params![until, recent], |r| card(r, today))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A company's contracts, newest period first (the company page).
pub fn for_company(conn: &Connection, today: NaiveDate, company_id: &str) -> Result<Vec<RenewalCard>> {
    let mut st = conn.prepare_cached(&format!(
        "{CARD} WHERE k.company_id = ?1 AND k.deleted_at IS NULL ORDER BY k.end_date DESC"
    ))?;
    let rows = st
        .query_map([company_id], |r| card(r, today))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
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

struct Stored {
    company_id: String,
    company_name: String,
    plan: String,
    start: NaiveDate,
    end: NaiveDate,
    amount: i64,
    currency: String,
    billing: String,
    auto_renew: bool,
    notice_days: i64,
    owner_id: Option<String>,
    status: ContractStatus,
    stage: Option<String>,
    proposed_amount: Option<i64>,
    hearing_days: Option<i64>,
    proposal_days: Option<i64>,
    deal_id: Option<String>,
}

fn stored(ctx: &WriteCtx, id: &str) -> Result<Stored> {
    let today = ctx.clock.today();
    ctx.tx
        .query_row(
            "SELECT k.company_id, c.name, k.plan, k.start_date, k.end_date, k.amount, k.currency, k.billing, k.auto_renew,
                    k.notice_days, k.owner_id, k.status, k.renewal_stage, k.proposed_amount, k.hearing_days,
                    k.proposal_days, k.deal_id
             FROM contracts k JOIN companies c ON c.id = k.company_id WHERE k.id = ?1 AND k.deleted_at IS NULL",
            [id],
            |r| {
                Ok(Stored {
                    company_id: r.get(0)?,
                    company_name: r.get(1)?,
                    plan: r.get(2)?,
                    start: date(&r.get::<_, String>(3)?, today),
                    end: date(&r.get::<_, String>(4)?, today),
                    amount: r.get(5)?,
                    currency: r.get(6)?,
                    billing: r.get(7)?,
                    auto_renew: r.get(8)?,
                    notice_days: r.get(9)?,
                    owner_id: r.get(10)?,
                    status: ContractStatus::parse(&r.get::<_, String>(11)?),
                    stage: r.get(12)?,
                    proposed_amount: r.get(13)?,
                    hearing_days: r.get(14)?,
                    proposal_days: r.get(15)?,
                    deal_id: r.get(16)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "contract",
            id: id.to_string(),
        })
}

/// Completes (or, for a churn, cancels) the open renewal follow-ups of a
/// contract for the given steps.
fn close_follow_ups(ctx: &WriteCtx, contract_id: &str, steps: &[&str], status: &str) -> Result<()> {
    let open: Vec<(String, i64, Option<String>)> = {
        let mut st = ctx.tx.prepare_cached(
            "SELECT id, version, renewal_step FROM follow_ups
             WHERE contract_id = ?1 AND status = 'open' AND deleted_at IS NULL",
        )?;
        let rows = st
            .query_map([contract_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    for (id, version, step) in open {
        if let Some(step) = step.filter(|s| steps.contains(&s.as_str())) {
            follow_up::close(ctx, &id, version, status, &format!("renewal step {step}"))?;
        }
    }
    Ok(())
}

/// A 'contract' entry on the customer's timeline, now.
fn record(ctx: &WriteCtx, company_id: &str, text: EngineText, body: &str) -> Result<()> {
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

/// Moves a contract to a renewal step (the board's drag, or its buttons).
/// Steps go forward; the same step again updates what it recorded.
pub fn advance(ctx: &WriteCtx, id: &str, version: i64, to: RenewalStep, input: &StepInput) -> Result<StepOutcome> {
    let k = stored(ctx, id)?;
    let from = RenewalStep::of(k.status, k.stage.as_deref());
    let finished = matches!(from, RenewalStep::Renewed | RenewalStep::Churned);
    let after_renewal = from == RenewalStep::PostRenewal;
    let allowed = match to {
        RenewalStep::NotStarted => false,
        RenewalStep::Renewed => after_renewal,
        RenewalStep::Churned => !finished && !after_renewal,
        _ => !finished && !after_renewal && to.rank() >= from.rank(),
    };
    if !allowed {
        return Err(Error::invalid("step", "not_allowed"));
    }
    let mut outcome = StepOutcome {
        next_contract_id: None,
        reapproach_on: None,
    };
    // The row as the user saw it: a colleague's step in between is a conflict.
    let bump = |sets: &str, extra: &[&dyn rusqlite::ToSql]| -> Result<()> {
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&id, &version, &ctx.now, &ctx.user_id];
        values.extend_from_slice(extra);
        let sql = format!(
            "UPDATE contracts SET {sets}, version = version + 1, updated_at = ?3, updated_by = ?4
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL"
        );
        let n = ctx.tx.execute(&sql, values.as_slice())?;
        ctx.expect_one("contract", "contracts", id, n)
    };
    match to {
        RenewalStep::Hearing => {
            let s = input.satisfaction.ok_or(Error::invalid("satisfaction", "required"))?;
            if !(1..=5).contains(&s) {
                return Err(Error::invalid("satisfaction", "range"));
            }
            let problems = input.problems.trim().to_string();
            if problems.chars().count() > 2000 {
                return Err(Error::invalid("problems", "too_long"));
            }
            bump(
                "status = 'in_renewal', renewal_stage = 'hearing', satisfaction = ?5, hearing_notes = ?6",
                &[&i64::from(s), &problems],
            )?;
            close_follow_ups(ctx, id, &["hearing"], "done")?;
            let text = EngineText::RenewalHearingHeld {
                plan: k.plan.clone(),
                satisfaction: s,
            };
            record(ctx, &k.company_id, text, &problems)?;
        }
        RenewalStep::Proposal => {
            let kind = input.proposal_kind.ok_or(Error::invalid("proposal_kind", "required"))?;
            let amount = match (kind, input.new_amount) {
                (_, Some(a)) if a < 0 => return Err(Error::invalid("new_amount", "negative")),
                (ProposalKind::Same, a) => a.unwrap_or(k.amount),
                (_, None) => return Err(Error::invalid("new_amount", "required")),
                (ProposalKind::Upsell, Some(a)) if a <= k.amount => {
                    return Err(Error::invalid("new_amount", "not_higher"))
                }
                (ProposalKind::Downsell, Some(a)) if a >= k.amount => {
                    return Err(Error::invalid("new_amount", "not_lower"))
                }
                (_, Some(a)) => a,
            };
            bump(
                "status = 'in_renewal', renewal_stage = 'proposal', proposal_kind = ?5, proposed_amount = ?6",
                &[&kind.as_str(), &amount],
            )?;
            close_follow_ups(ctx, id, &["hearing", "proposal"], "done")?;
            let text = EngineText::RenewalProposed {
                plan: k.plan.clone(),
                proposal: kind,
                amount: k.amount,
                new_amount: amount,
                currency: k.currency.clone(),
            };
            record(ctx, &k.company_id, text, "")?;
        }
        RenewalStep::Procedure => {
            bump("status = 'in_renewal', renewal_stage = 'procedure'", &[])?;
            close_follow_ups(ctx, id, &["hearing", "proposal"], "done")?;
            let text = EngineText::RenewalProcedure { plan: k.plan.clone() };
            record(ctx, &k.company_id, text, "")?;
        }
        RenewalStep::PostRenewal => {
            let amount = k.proposed_amount.unwrap_or(k.amount);
            let (start, end) = next_period(k.start, k.end);
            let next = new_id();
            ctx.tx.execute(
                "INSERT INTO contracts (id, company_id, deal_id, previous_contract_id, plan, start_date, end_date, auto_renew,
                                        amount, currency, billing, notice_days, owner_id, hearing_days, proposal_days,
                                        created_at, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17)",
                params![
                    next,
                    k.company_id,
                    k.deal_id,
                    id,
                    k.plan,
                    start.to_string(),
                    end.to_string(),
                    k.auto_renew,
                    amount,
                    k.currency,
                    k.billing,
                    k.notice_days,
                    k.owner_id,
                    k.hearing_days,
                    k.proposal_days,
                    ctx.now,
                    ctx.user_id
                ],
            )?;
            ctx.audit(
                Entity::Contract,
                &next,
                "insert",
                json!({ "previous_contract_id": id, "amount": amount }),
            )?;
            ctx.changed(Entity::Contract, &next, "insert")?;
            bump(
                "status = 'renewed', renewal_stage = 'post_renewal', decided_at = ?3, next_contract_id = ?5",
                &[&next],
            )?;
            close_follow_ups(ctx, id, &["hearing", "proposal"], "done")?;
            let team = TeamSettings::load(ctx.tx)?;
            let period = Period {
                contract_id: &next,
                company_id: &k.company_id,
                company_name: &k.company_name,
                plan: &k.plan,
                end,
                notice_days: k.notice_days,
                hearing_days: k.hearing_days,
                proposal_days: k.proposal_days,
                owner_id: k.owner_id.as_deref(),
            };
            plan_work(ctx, &period, None)?;
            // The check-in after renewal belongs to the old contract's
            // renewal: completing it finishes that renewal.
            let post = Period {
                contract_id: id,
                ..period
            };
            plan_step(
                ctx,
                &post,
                RenewalStep::PostRenewal,
                start + Duration::days(i64::from(team.renewal_post_days)),
            )?;
            let text = EngineText::ContractRenewed {
                plan: k.plan.clone(),
                amount: k.amount,
                new_amount: amount,
                currency: k.currency.clone(),
                start,
                end,
            };
            record(ctx, &k.company_id, text, "")?;
            outcome.next_contract_id = Some(next);
        }
        RenewalStep::Renewed => {
            bump("renewal_stage = 'done'", &[])?;
            close_follow_ups(ctx, id, &["post_renewal"], "done")?;
            let text = EngineText::PostRenewalDone { plan: k.plan.clone() };
            record(ctx, &k.company_id, text, "")?;
        }
        RenewalStep::Churned => {
            let reason = crate::validate::required("churn_reason", &input.churn_reason, 500)?;
            let team = TeamSettings::load(ctx.tx)?;
            let today = ctx.clock.today();
            let reapproach = crate::pipeline::deal::reapproach_date_with(
                k.end.max(today),
                None,
                team.reapproach_lead_days,
                team.reapproach_unknown_months,
            );
            bump(
                "status = 'churned', renewal_stage = NULL, churn_reason = ?5, decided_at = ?3",
                &[&reason],
            )?;
            close_follow_ups(ctx, id, &["hearing", "proposal", "post_renewal"], "cancelled")?;
            follow_up::create_titled(
                ctx,
                &NewFollowUp {
                    kind: FollowUpKind::Reapproach,
                    title: String::new(),
                    due_at: reminder_at(reapproach, ctx.clock.offset()),
                    assignee_id: k.owner_id.clone(),
                    company_id: Some(k.company_id.clone()),
                    deal_id: None,
                    contract_id: Some(id.to_string()),
                    activity_id: None,
                },
                &EngineText::ChurnReapproach {
                    company: k.company_name.clone(),
                    plan: k.plan.clone(),
                },
            )?;
            let text = EngineText::ContractChurned {
                plan: k.plan.clone(),
                reason: reason.clone(),
            };
            record(ctx, &k.company_id, text, "")?;
            outcome.reapproach_on = Some(reapproach);
        }
        RenewalStep::NotStarted => unreachable!("refused above"),
    }
    ctx.audit(Entity::Contract, id, "update", json!({ "renewal_step": to.as_str() }))?;
    ctx.changed(Entity::Contract, id, "update")?;
    Ok(outcome)
}

/// Amounts in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RateAmounts {
    pub currency: String,
    /// What the decided contracts were worth before renewal.
    #[ts(type = "number")]
    pub due: i64,
    /// Of that, what the renewed ones were worth (their old amount).
    #[ts(type = "number")]
    pub renewed: i64,
    /// What the renewed ones are worth now (after up- and downsells).
    #[ts(type = "number")]
    pub renewed_new: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReasonCount {
    pub reason: String,
    pub count: u32,
}

/// The renewal rate of the contracts ending within a period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RenewalRate {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub renewed: u32,
    pub churned: u32,
    /// Renewed out of decided; `None` when nothing was decided.
    pub rate_by_count: Option<f64>,
    /// Renewed amount out of the decided amount, in the main currency.
    pub rate_by_amount: Option<f64>,
    pub amounts: Vec<RateAmounts>,
    pub churn_reasons: Vec<ReasonCount>,
    /// Still running, ending in the next 90 days.
    pub upcoming_count: u32,
    pub upcoming_amounts: Vec<RateAmounts>,
}

pub fn rate(conn: &Connection, clock: &dyn Clock, from: NaiveDate, to: NaiveDate) -> Result<RenewalRate> {
    let mut st = conn.prepare_cached(
        "SELECT k.status, k.currency, k.amount, COALESCE(n.amount, k.amount), k.churn_reason
         FROM contracts k LEFT JOIN contracts n ON n.id = k.next_contract_id
         WHERE k.deleted_at IS NULL AND k.status IN ('renewed','churned') AND k.end_date BETWEEN ?1 AND ?2",
    )?;
    let mut rows = st.query(params![from.to_string(), to.to_string()])?;
    let (mut renewed, mut churned) = (0u32, 0u32);
    let mut amounts: Vec<RateAmounts> = Vec::new();
    let mut reasons: Vec<ReasonCount> = Vec::new();
    while let Some(r) = rows.next()? {
        let status: String = r.get(0)?;
        let currency: String = r.get(1)?;
        let amount: i64 = r.get(2)?;
        let new_amount: i64 = r.get(3)?;
        let a = match amounts.iter_mut().position(|a| a.currency == currency) {
            Some(i) => &mut amounts[i],
            None => {
                amounts.push(RateAmounts {
                    currency,
                    due: 0,
                    renewed: 0,
                    renewed_new: 0,
                });
                amounts.last_mut().expect("just pushed")
            }
        };
        a.due += amount;
        if status == "renewed" {
            renewed += 1;
            a.renewed += amount;
            a.renewed_new += new_amount;
        } else {
            churned += 1;
            let reason: String = r.get::<_, Option<String>>(4)?.unwrap_or_default();
            match reasons.iter_mut().find(|x| x.reason == reason) {
                Some(x) => x.count += 1,
                None => reasons.push(ReasonCount { reason, count: 1 }),
            }
        }
    }
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    amounts.sort_by_key(|a| std::cmp::Reverse(a.due));
    let decided = renewed + churned;
    let today = clock.today();
    let mut st = conn.prepare_cached(
        "SELECT currency, COUNT(*), SUM(amount) FROM contracts
         WHERE deleted_at IS NULL AND status IN ('active','in_renewal') AND end_date BETWEEN ?1 AND ?2
         GROUP BY currency ORDER BY SUM(amount) DESC",
    )?;
    let mut upcoming_count = 0;
    let upcoming_amounts = st
        .query_map(
            params![today.to_string(), (today + Duration::days(90)).to_string()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?)),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(currency, n, sum)| {
            upcoming_count += n;
            RateAmounts {
                currency,
                due: sum,
                renewed: 0,
                renewed_new: 0,
            }
        })
        .collect();
    Ok(RenewalRate {
        from,
        to,
        renewed,
        churned,
        rate_by_count: (decided > 0).then(|| f64::from(renewed) / f64::from(decided)),
        rate_by_amount: amounts
            .first()
            .filter(|a| a.due > 0)
            .map(|a| a.renewed as f64 / a.due as f64),
        amounts,
        churn_reasons: reasons,
        upcoming_count,
        upcoming_amounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::contract::{self, NewContract};
    use crate::testutil::{assert_invalid, colleague, contract, fixture, seed_pipeline, Fixture};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The open renewal follow-ups of a contract: (step, due day in JST).
    fn work(f: &Fixture, id: &str) -> Vec<(String, String)> {
        let mut st =
            f.db.conn()
                .prepare(
                    "SELECT renewal_step, due_at FROM follow_ups
                 WHERE contract_id = ?1 AND status = 'open' ORDER BY due_at",
                )
                .unwrap();
        st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .map(|(s, due)| {
                let t = crate::clock::from_db(&due).unwrap().with_timezone(&f.clock.offset());
                (s, t.format("%Y-%m-%d %H:%M").to_string())
            })
            .collect()
    }

    #[test]
    fn lead_times_respect_the_notice_period() {
        // Defaults: hearing 60 days before the end, proposal 30, notice 30.
        assert_eq!(
            work_dates(d("2027-03-31"), 30, 60, 30),
            (d("2027-01-30"), d("2027-03-01"))
        );
        // A 45-day notice period pulls the proposal to the notice deadline
        // and the hearing with it.
        assert_eq!(
            work_dates(d("2027-03-31"), 45, 60, 30),
            (d("2027-01-15"), d("2027-02-14"))
        );
        // No notice period: the lead times alone.
        assert_eq!(
            work_dates(d("2027-03-31"), 0, 90, 14),
            (d("2026-12-31"), d("2027-03-17"))
        );
    }

    #[test]
    fn the_next_period_keeps_whole_months_across_month_ends_and_leap_years() {
        assert_eq!(
            next_period(d("2026-04-01"), d("2027-03-31")),
            (d("2027-04-01"), d("2028-03-31"))
        );
        // A year that starts on Feb 29 of a leap year.
        assert_eq!(
            next_period(d("2028-02-29"), d("2029-02-28")),
            (d("2029-03-01"), d("2030-02-28"))
        );
        // Monthly from Jan 31: the next month ends on Feb 28 (or 29).
        assert_eq!(
            next_period(d("2027-01-01"), d("2027-01-31")),
            (d("2027-02-01"), d("2027-02-28"))
        );
        assert_eq!(
            next_period(d("2028-01-01"), d("2028-01-31")),
            (d("2028-02-01"), d("2028-02-29"))
        );
        assert_eq!(
            next_period(d("2026-01-10"), d("2026-02-09")),
            (d("2026-02-10"), d("2026-03-09"))
        );
        // Not whole months: the same number of days.
        assert_eq!(
            next_period(d("2026-01-10"), d("2026-02-20")),
            (d("2026-02-21"), d("2026-04-03"))
        );
    }

    #[test]
    fn a_contract_plans_its_hearing_and_proposal_and_a_late_one_starts_today() {
        let mut f = fixture(); // 2026-11-25 10:00 JST
        let s = seed_pipeline(&mut f.db);
        let far = contract(&mut f, &s.company_id, "2026-04-01", "2027-03-31", 1_200_000);
        assert_eq!(
            work(&f, &far),
            [
                ("hearing".into(), "2027-01-30 09:00".into()),
                ("proposal".into(), "2027-03-01 09:00".into())
            ]
        );
        // Ending in 45 days: the hearing is already due (today), the proposal
        // 30 days before the end.
        let near = contract(&mut f, &s.company_id, "2026-01-09", "2027-01-08", 600_000);
        assert_eq!(
            work(&f, &near),
            [
                ("hearing".into(), "2026-11-25 09:00".into()),
                ("proposal".into(), "2026-12-09 09:00".into())
            ]
        );
        let card = get(f.db.conn(), f.clock.today(), &near).unwrap();
        assert_eq!(
            (card.days_left, card.time_left, card.step),
            (44, TimeLeft::From60To30, RenewalStep::NotStarted)
        );
        assert_eq!(
            card.next_title.as_deref(),
            Some("更新ヒアリング: 株式会社テスト クラウド会計 年額")
        );
        // Its start is on the timeline where it began (09:00 JST), not today.
        let started: Vec<String> = f
            .db
            .conn()
            .prepare(
                "SELECT occurred_at FROM activities WHERE kind = 'contract' AND summary LIKE '契約開始%' ORDER BY 1",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(started, ["2026-01-09T00:00:00Z", "2026-04-01T00:00:00Z"]);
        assert_eq!(TimeLeft::of(61), TimeLeft::MoreThan60);
        assert_eq!(TimeLeft::of(60), TimeLeft::From60To30);
        assert_eq!(TimeLeft::of(29), TimeLeft::Under30);
        assert_eq!(TimeLeft::of(-1), TimeLeft::PastEnd);
    }

    #[test]
    fn hearing_proposal_renewal_creates_the_next_period_and_the_rate_counts_it() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = contract(&mut f, &s.company_id, "2026-01-09", "2027-01-08", 600_000);
        let step = |f: &mut Fixture, v: i64, to: RenewalStep, input: StepInput| {
            f.db.write(|ctx| advance(ctx, &id, v, to, &input))
        };
        assert_invalid(
            step(&mut f, 1, RenewalStep::Hearing, StepInput::default()),
            "satisfaction",
            "required",
        );
        step(
            &mut f,
            1,
            RenewalStep::Hearing,
            StepInput {
                satisfaction: Some(4),
                problems: "月次締めが遅い".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            work(&f, &id).iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
            ["proposal"]
        );
        let upsell_too_low = StepInput {
            proposal_kind: Some(ProposalKind::Upsell),
            new_amount: Some(500_000),
            ..Default::default()
        };
        assert_invalid(
            step(&mut f, 2, RenewalStep::Proposal, upsell_too_low),
            "new_amount",
            "not_higher",
        );
        step(
            &mut f,
            2,
            RenewalStep::Proposal,
            StepInput {
                proposal_kind: Some(ProposalKind::Upsell),
                new_amount: Some(720_000),
                ..Default::default()
            },
        )
        .unwrap();
        // Backwards is refused.
        assert_invalid(
            step(
                &mut f,
                3,
                RenewalStep::Hearing,
                StepInput {
                    satisfaction: Some(3),
                    ..Default::default()
                },
            ),
            "step",
            "not_allowed",
        );
        let out = step(&mut f, 3, RenewalStep::PostRenewal, StepInput::default()).unwrap();
        let next_id = out.next_contract_id.unwrap();
        let next = get(f.db.conn(), f.clock.today(), &next_id).unwrap();
        assert_eq!(
            (next.start_date, next.end_date, next.amount, next.status),
            (d("2027-01-09"), d("2028-01-08"), 720_000, ContractStatus::Active)
        );
        // The new period has its own renewal work; the old one its post-renewal check.
        assert_eq!(work(&f, &next_id).len(), 2);
        assert_eq!(work(&f, &id), [("post_renewal".into(), "2027-02-08 09:00".into())]);
        let old = get(f.db.conn(), f.clock.today(), &id).unwrap();
        assert_eq!(
            (old.step, old.status),
            (RenewalStep::PostRenewal, ContractStatus::Renewed)
        );
        step(&mut f, 4, RenewalStep::Renewed, StepInput::default()).unwrap();
        assert!(work(&f, &id).is_empty());

        // Every step is on the customer's timeline.
        let mut st =
            f.db.conn()
                .prepare("SELECT summary FROM activities WHERE company_id = ?1 AND kind = 'contract' ORDER BY rowid")
                .unwrap();
        let lines: Vec<String> = st
            .query_map([&s.company_id], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert!(lines[1].contains("満足度 4/5"));
        assert!(lines[2].contains("アップセル ¥600,000 → ¥720,000"));
        assert!(lines[3].starts_with("契約更新"));

        // Renewal rate over the period of its end: 1 of 1, by amount 100 %,
        // worth 720,000 now.
        let r = rate(f.db.conn(), &f.clock, d("2027-01-01"), d("2027-01-31")).unwrap();
        assert_eq!((r.renewed, r.churned, r.rate_by_count), (1, 0, Some(1.0)));
        assert_eq!(r.amounts[0].renewed_new, 720_000);
    }

    #[test]
    fn churn_needs_a_reason_plans_a_re_approach_and_lowers_the_rate() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let kept = contract(&mut f, &s.company_id, "2026-01-01", "2026-12-31", 300_000);
        let lost = contract(&mut f, &s.company_id, "2026-01-16", "2027-01-15", 100_000);
        f.db.write(|ctx| advance(ctx, &kept, 1, RenewalStep::PostRenewal, &StepInput::default()))
            .unwrap();
        assert_invalid(
            f.db.write(|ctx| advance(ctx, &lost, 1, RenewalStep::Churned, &StepInput::default())),
            "churn_reason",
            "required",
        );
        let input = StepInput {
            churn_reason: "他社に乗り換え".into(),
            ..Default::default()
        };
        let out =
            f.db.write(|ctx| advance(ctx, &lost, 1, RenewalStep::Churned, &input))
                .unwrap();
        // Six months after the end, like a lost deal whose competitor's end is unknown.
        assert_eq!(out.reapproach_on, Some(d("2027-07-15")));
        let open: Vec<String> =
            f.db.conn()
                .prepare("SELECT kind FROM follow_ups WHERE contract_id = ?1 AND status = 'open'")
                .unwrap()
                .query_map([&lost], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
        assert_eq!(open, ["reapproach"]);
        let r = rate(f.db.conn(), &f.clock, d("2026-12-01"), d("2027-01-31")).unwrap();
        assert_eq!((r.renewed, r.churned), (1, 1));
        assert_eq!(r.rate_by_count, Some(0.5));
        assert_eq!(r.rate_by_amount, Some(0.75));
        assert_eq!(
            r.churn_reasons,
            [ReasonCount {
                reason: "他社に乗り換え".into(),
                count: 1
            }]
        );
        // A finished renewal takes no more steps.
        assert_invalid(
            f.db.write(|ctx| advance(ctx, &lost, 2, RenewalStep::Hearing, &StepInput::default())),
            "step",
            "not_allowed",
        );
    }

    #[test]
    fn an_edited_end_moves_the_renewal_work_not_yet_done_and_is_on_the_timeline() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = contract(&mut f, &s.company_id, "2026-04-01", "2027-03-31", 1_200_000);
        let edit = |end: &str, amount: i64| NewContract {
            company_id: s.company_id.clone(),
            deal_id: None,
            plan: "クラウド会計 年額".into(),
            start_date: d("2026-04-01"),
            end_date: d(end),
            auto_renew: false,
            amount,
            currency: "JPY".into(),
            billing: Billing::Annual,
            notice_days: 30,
            owner_id: None,
            hearing_days: None,
            proposal_days: None,
        };
        f.db.write(|ctx| contract::update(ctx, &id, 1, &edit("2027-04-30", 1_300_000)))
            .unwrap();
        assert_eq!(
            work(&f, &id),
            [
                ("hearing".into(), "2027-03-01 09:00".into()),
                ("proposal".into(), "2027-03-31 09:00".into())
            ]
        );
        // After the hearing only the proposal moves.
        let heard = StepInput {
            satisfaction: Some(5),
            ..Default::default()
        };
        f.db.write(|ctx| advance(ctx, &id, 2, RenewalStep::Hearing, &heard))
            .unwrap();
        f.db.write(|ctx| contract::update(ctx, &id, 3, &edit("2027-05-31", 1_300_000)))
            .unwrap();
        assert_eq!(work(&f, &id), [("proposal".into(), "2027-05-01 09:00".into())]);
        let changed: String =
            f.db.conn()
                .query_row(
                    "SELECT summary FROM activities WHERE summary LIKE '契約変更%' ORDER BY rowid LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(
            changed,
            "契約変更: クラウド会計 年額（終了日 2027-03-31 → 2027-04-30、¥1,300,000）"
        );
        // A stale edit is a conflict; a decided contract is not edited.
        let stale = f.db.write(|ctx| contract::update(ctx, &id, 3, &edit("2027-06-30", 1)));
        assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
        let churn = StepInput {
            churn_reason: "予算削減".into(),
            ..Default::default()
        };
        f.db.write(|ctx| advance(ctx, &id, 4, RenewalStep::Churned, &churn))
            .unwrap();
        assert_invalid(
            f.db.write(|ctx| contract::update(ctx, &id, 5, &edit("2027-06-30", 1))),
            "contract",
            "decided",
        );
    }

    /// The engine's words on a company's contract entries, oldest first, in a language.
    fn contract_entries(f: &Fixture, company_id: &str, lang: crate::language::Language) -> Vec<String> {
        let q = crate::timeline::entries::TimelineQuery {
            company_id: Some(company_id.into()),
            kinds: vec![ActivityKind::Contract],
            ..Default::default()
        };
        let mut entries = crate::timeline::entries::timeline(f.db.conn(), &q).unwrap().entries;
        entries.reverse();
        entries
            .iter()
            .map(|e| e.engine_text.as_ref().expect("the engine's entry").render(lang))
            .collect()
    }

    #[test]
    fn renewal_work_and_contract_events_are_stored_as_kinds_and_read_in_either_language() {
        use crate::language::Language::{En, Ja};
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = contract(&mut f, &s.company_id, "2026-01-09", "2027-01-08", 600_000);
        // The hearing follow-up: a kind with the company and the plan.
        let items = follow_up::list_open(f.db.conn(), &f.clock, None).unwrap();
        let hearing = items.iter().find(|i| i.kind == FollowUpKind::Renewal).unwrap();
        let text = hearing.engine_text.clone().expect("the engine titled it");
        assert_eq!(
            text,
            EngineText::RenewalHearingDue {
                company: "株式会社テスト".into(),
                plan: "クラウド会計 年額".into(),
            }
        );
        assert_eq!(hearing.title, "更新ヒアリング: 株式会社テスト クラウド会計 年額");
        assert_eq!(text.render(En), "Renewal hearing: 株式会社テスト クラウド会計 年額");
        // The board and the customer's page carry it too.
        let card = get(f.db.conn(), f.clock.today(), &id).unwrap();
        assert_eq!(card.next_engine_text, Some(text.clone()));
        let summary = crate::overview::customer::summary(f.db.conn(), &f.clock, &s.company_id).unwrap();
        assert_eq!(summary.next_follow_up.unwrap().engine_text, Some(text));

        let steps: [(RenewalStep, StepInput); 4] = [
            (
                RenewalStep::Hearing,
                StepInput {
                    satisfaction: Some(4),
                    problems: "月次の締めが遅い".into(),
                    ..Default::default()
                },
            ),
            (
                RenewalStep::Proposal,
                StepInput {
                    proposal_kind: Some(ProposalKind::Upsell),
                    new_amount: Some(720_000),
                    ..Default::default()
                },
            ),
            (RenewalStep::Procedure, StepInput::default()),
            (RenewalStep::PostRenewal, StepInput::default()),
        ];
        for (version, (to, input)) in (1..).zip(steps) {
            f.db.write(|ctx| advance(ctx, &id, version, to, &input)).unwrap();
        }
        let post = follow_up::list_open(f.db.conn(), &f.clock, None)
            .unwrap()
            .into_iter()
            .find(|i| {
                i.engine_text
                    .as_ref()
                    .is_some_and(|t| matches!(t, EngineText::PostRenewalDue { .. }))
            })
            .expect("the post-renewal check-in");
        assert_eq!(
            post.engine_text.unwrap().render(En),
            "Post-renewal check-in: 株式会社テスト クラウド会計 年額"
        );
        f.db.write(|ctx| advance(ctx, &id, 5, RenewalStep::Renewed, &StepInput::default()))
            .unwrap();
        let other = contract(&mut f, &s.company_id, "2026-02-01", "2027-01-31", 100_000);
        let churn = StepInput {
            churn_reason: "予算削減".into(),
            ..Default::default()
        };
        f.db.write(|ctx| advance(ctx, &other, 1, RenewalStep::Churned, &churn))
            .unwrap();
        let reapproach = follow_up::list_open(f.db.conn(), &f.clock, None)
            .unwrap()
            .into_iter()
            .find(|i| i.kind == FollowUpKind::Reapproach)
            .unwrap();
        assert_eq!(
            reapproach.engine_text.unwrap().render(En),
            "Re-approach: 株式会社テスト クラウド会計 年額"
        );

        assert_eq!(
            contract_entries(&f, &s.company_id, En),
            [
                "Contract started: クラウド会計 年額 (2026-01-09 – 2027-01-08)",
                "Contract started: クラウド会計 年額 (2026-02-01 – 2027-01-31)",
                "Renewal hearing: クラウド会計 年額 (satisfaction 4/5)",
                "Renewal proposal: クラウド会計 年額 (upsell ¥600,000 → ¥720,000)",
                "Renewal paperwork: クラウド会計 年額",
                "Contract renewed: クラウド会計 年額 (¥600,000 → ¥720,000, 2027-01-09 – 2028-01-08)",
                "Post-renewal check-in done: クラウド会計 年額",
                "Contract cancelled: クラウド会計 年額 (予算削減)",
            ]
        );
        assert_eq!(
            contract_entries(&f, &s.company_id, Ja),
            [
                "契約開始: クラウド会計 年額（2026-01-09 〜 2027-01-08）",
                "契約開始: クラウド会計 年額（2026-02-01 〜 2027-01-31）",
                "更新ヒアリング: クラウド会計 年額（満足度 4/5）",
                "更新提案: クラウド会計 年額（アップセル ¥600,000 → ¥720,000）",
                "更新手続き: クラウド会計 年額",
                "契約更新: クラウド会計 年額（¥600,000 → ¥720,000、2027-01-09 〜 2028-01-08）",
                "更新後フォロー完了: クラウド会計 年額",
                "解約: クラウド会計 年額（予算削減）",
            ]
        );
        // The problems heard stay as typed, beside the engine's words.
        let q = crate::timeline::entries::TimelineQuery {
            company_id: Some(s.company_id.clone()),
            ..Default::default()
        };
        let page = crate::timeline::entries::timeline(f.db.conn(), &q).unwrap();
        assert!(page.entries.iter().any(|e| e.body == "月次の締めが遅い"));
    }

    #[test]
    fn a_colleagues_step_in_between_is_a_conflict() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = contract(&mut f, &s.company_id, "2026-01-09", "2027-01-08", 600_000);
        let mut sato = colleague(&f, "sato", "佐藤");
        sato.write(|ctx| advance(ctx, &id, 1, RenewalStep::Procedure, &StepInput::default()))
            .unwrap();
        let r =
            f.db.write(|ctx| advance(ctx, &id, 1, RenewalStep::Procedure, &StepInput::default()));
        assert!(matches!(r, Err(Error::Conflict { .. })), "{r:?}");
    }
}
