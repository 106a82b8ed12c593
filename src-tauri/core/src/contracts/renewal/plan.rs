//! The renewal work planned ahead of a contract's end: when the hearing
//! and proposal are due, and the follow-ups that remind the owner.

use super::RenewalStep;
use crate::engine_text::EngineText;
use crate::error::Result;
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::pipeline::deal::reminder_at;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::team::settings::TeamSettings;
use chrono::{Datelike, Duration, Months, NaiveDate};

/// When the hearing and the proposal are due: their lead times before the
/// end, but the proposal never after the notice deadline (after it the
/// customer can no longer decide), and the hearing keeps its distance
/// before the proposal.
pub(super) fn work_dates(
    end: NaiveDate,
    notice_days: i64,
    hearing_days: i64,
    proposal_days: i64,
) -> (NaiveDate, NaiveDate) {
    let notice_deadline = end - Duration::days(notice_days.max(0));
    let proposal = (end - Duration::days(proposal_days)).min(notice_deadline);
    let gap = (hearing_days - proposal_days).max(0);
    let hearing = (end - Duration::days(hearing_days)).min(proposal - Duration::days(gap));
    (hearing, proposal)
}

/// The next period after `start..=end`: as many calendar months when the
/// period is whole months (month-end and leap-year safe), else as many days.
pub(super) fn next_period(start: NaiveDate, end: NaiveDate) -> (NaiveDate, NaiveDate) {
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

pub(super) fn plan_step(ctx: &WriteCtx, p: &Period, step: RenewalStep, day: NaiveDate) -> Result<String> {
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
    ctx.sql().execute(
        "UPDATE follow_ups SET renewal_step = ?2 WHERE id = ?1",
        sql::params![id, step.as_str()],
    )?;
    Ok(id)
}

/// Plans the hearing and proposal follow-ups of a contract period that are
/// still ahead of `stage` (the renewal stage reached; `None`: nothing yet).
pub(crate) fn plan_work(ctx: &WriteCtx, p: &Period, stage: Option<&str>) -> Result<()> {
    let team = TeamSettings::load(ctx.sql())?;
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

/// Completes (or, for a churn, cancels) the open renewal follow-ups of a
/// contract for the given steps.
pub(super) fn close_follow_ups(ctx: &WriteCtx, contract_id: &str, steps: &[&str], status: &str) -> Result<()> {
    let open: Vec<(String, i64, Option<String>)> = ctx.sql().query(
        "SELECT id, version, renewal_step FROM follow_ups
         WHERE contract_id = ?1 AND status = 'open' AND deleted_at IS NULL",
        sql::params![contract_id],
        |r| Ok((r.get("id")?, r.get("version")?, r.get("renewal_step")?)),
    )?;
    for (id, version, step) in open {
        if let Some(step) = step.filter(|s| steps.contains(&s.as_str())) {
            follow_up::close(ctx, &id, version, status, &format!("renewal step {step}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::contracts::contract;
    use crate::contracts::renewal::testing::{d, work};
    use crate::contracts::renewal::{advance, get, StepInput, TimeLeft};
    use crate::error::Error;
    use crate::testutil::{assert_invalid, contract, fixture, seed_pipeline};
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
        let card = get(f.db.sql(), f.clock.today(), &near).unwrap();
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
            .sql()
            .query(
                "SELECT occurred_at FROM activities WHERE kind = 'contract' AND summary LIKE '契約開始%' ORDER BY 1",
                &[],
                |r| r.get(0),
            )
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(started, ["2026-01-09T00:00:00Z", "2026-04-01T00:00:00Z"]);
        assert_eq!(TimeLeft::of(61), TimeLeft::MoreThan60);
        assert_eq!(TimeLeft::of(60), TimeLeft::From60To30);
        assert_eq!(TimeLeft::of(29), TimeLeft::Under30);
        assert_eq!(TimeLeft::of(-1), TimeLeft::PastEnd);
    }

    #[test]
    fn an_edited_end_moves_the_renewal_work_not_yet_done_and_is_on_the_timeline() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = contract(&mut f, &s.company_id, "2026-04-01", "2027-03-31", 1_200_000);
        let edit = |end: &str, amount: i64| crate::testutil::yearly(&s.company_id, "2026-04-01", end, amount);
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
            f.db.sql()
                .query_one(
                    "SELECT summary FROM activities WHERE summary LIKE '契約変更%' ORDER BY id LIMIT 1",
                    &[],
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
}
