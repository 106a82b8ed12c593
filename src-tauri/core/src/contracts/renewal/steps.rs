//! The steps of a renewal, from hearing to renewed or churned.

use super::plan::{close_follow_ups, next_period, plan_step, plan_work, Period};
use super::timeline::record;
use super::{RenewalStep, StepInput, StepOutcome};
use crate::contracts::contract::{self, stored_date, Billing, ContractStatus, NewContract};
use crate::engine_text::{EngineText, ProposalKind};
use crate::error::{known, Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::pipeline::deal::reminder_at;
use crate::store::changes::Entity;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::team::settings::TeamSettings;
use chrono::{Duration, NaiveDate};
use serde_json::json;

/// The contract as stored, what a step needs of it.
struct Stored {
    /// The period as it was entered: what a renewal copies.
    c: NewContract,
    company_name: String,
    status: ContractStatus,
    stage: Option<String>,
    proposed_amount: Option<i64>,
}

fn stored(ctx: &WriteCtx, id: &str) -> Result<Stored> {
    let date = |r: &sql::Row, column: &str| -> Result<NaiveDate> {
        known("contracts", id, &r.get::<String>(column)?, stored_date)
    };
    let found = ctx.sql().query_opt(
        "SELECT k.company_id, c.name, k.plan, k.start_date, k.end_date, k.amount, k.currency, k.billing, k.auto_renew,
                k.notice_days, k.owner_id, k.status, k.renewal_stage, k.proposed_amount, k.hearing_days,
                k.proposal_days, k.deal_id
         FROM contracts k JOIN companies c ON c.id = k.company_id WHERE k.id = ?1 AND k.deleted_at IS NULL",
        sql::params![id],
        |r| -> Result<Stored> {
            Ok(Stored {
                c: NewContract {
                    company_id: r.get("company_id")?,
                    deal_id: r.get("deal_id")?,
                    plan: r.get("plan")?,
                    start_date: date(r, "start_date")?,
                    end_date: date(r, "end_date")?,
                    auto_renew: r.get("auto_renew")?,
                    amount: r.get("amount")?,
                    currency: r.get("currency")?,
                    billing: known("contracts", id, &r.get::<String>("billing")?, Billing::parse)?,
                    notice_days: r.get("notice_days")?,
                    owner_id: r.get("owner_id")?,
                    hearing_days: r.get("hearing_days")?,
                    proposal_days: r.get("proposal_days")?,
                },
                company_name: r.get("name")?,
                status: known("contracts", id, &r.get::<String>("status")?, ContractStatus::parse)?,
                stage: r.get("renewal_stage")?,
                proposed_amount: r.get("proposed_amount")?,
            })
        },
    );
    found?.ok_or_else(|| Error::NotFound {
        entity: "contract",
        id: id.to_string(),
    })
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
    let bump = |sets: &str, extra: &[sql::Value]| -> Result<()> {
        let mut values = sql::params![id, version, &ctx.now, ctx.user_id].to_vec();
        values.extend_from_slice(extra);
        let statement = format!(
            "UPDATE contracts SET {sets}, version = version + 1, updated_at = ?3, updated_by = ?4
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL"
        );
        let n = ctx.sql().execute(&statement, &values)?;
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
                sql::params![&i64::from(s), &problems],
            )?;
            close_follow_ups(ctx, id, &["hearing"], "done")?;
            let text = EngineText::RenewalHearingHeld {
                plan: k.c.plan.clone(),
                satisfaction: s,
            };
            record(ctx, &k.c.company_id, text, &problems)?;
        }
        RenewalStep::Proposal => {
            let kind = input.proposal_kind.ok_or(Error::invalid("proposal_kind", "required"))?;
            let amount = match (kind, input.new_amount) {
                (_, Some(a)) if a < 0 => return Err(Error::invalid("new_amount", "negative")),
                (ProposalKind::Same, a) => a.unwrap_or(k.c.amount),
                (_, None) => return Err(Error::invalid("new_amount", "required")),
                (ProposalKind::Upsell, Some(a)) if a <= k.c.amount => {
                    return Err(Error::invalid("new_amount", "not_higher"))
                }
                (ProposalKind::Downsell, Some(a)) if a >= k.c.amount => {
                    return Err(Error::invalid("new_amount", "not_lower"))
                }
                (_, Some(a)) => a,
            };
            bump(
                "status = 'in_renewal', renewal_stage = 'proposal', proposal_kind = ?5, proposed_amount = ?6",
                sql::params![&kind.as_str(), &amount],
            )?;
            close_follow_ups(ctx, id, &["hearing", "proposal"], "done")?;
            let text = EngineText::RenewalProposed {
                plan: k.c.plan.clone(),
                proposal: kind,
                amount: k.c.amount,
                new_amount: amount,
                currency: k.c.currency.clone(),
            };
            record(ctx, &k.c.company_id, text, "")?;
        }
        RenewalStep::Procedure => {
            bump("status = 'in_renewal', renewal_stage = 'procedure'", &[])?;
            close_follow_ups(ctx, id, &["hearing", "proposal"], "done")?;
            let text = EngineText::RenewalProcedure { plan: k.c.plan.clone() };
            record(ctx, &k.c.company_id, text, "")?;
        }
        RenewalStep::PostRenewal => {
            let amount = k.proposed_amount.unwrap_or(k.c.amount);
            let (start, end) = next_period(k.c.start_date, k.c.end_date);
            let renewed = NewContract {
                start_date: start,
                end_date: end,
                amount,
                ..k.c.clone()
            };
            let (next, checked) = contract::insert(ctx, &renewed, Some(id))?;
            ctx.audit(
                Entity::Contract,
                &next,
                "insert",
                json!({ "previous_contract_id": id, "amount": amount }),
            )?;
            ctx.changed(Entity::Contract, &next, "insert")?;
            bump(
                "status = 'renewed', renewal_stage = 'post_renewal', decided_at = ?3, next_contract_id = ?5",
                sql::params![&next],
            )?;
            close_follow_ups(ctx, id, &["hearing", "proposal"], "done")?;
            let team = TeamSettings::load(ctx.sql())?;
            let period = checked.period(&next, &renewed);
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
                plan: k.c.plan.clone(),
                amount: k.c.amount,
                new_amount: amount,
                currency: k.c.currency.clone(),
                start,
                end,
            };
            record(ctx, &k.c.company_id, text, "")?;
            outcome.next_contract_id = Some(next);
        }
        RenewalStep::Renewed => {
            bump("renewal_stage = 'done'", &[])?;
            close_follow_ups(ctx, id, &["post_renewal"], "done")?;
            let text = EngineText::PostRenewalDone { plan: k.c.plan.clone() };
            record(ctx, &k.c.company_id, text, "")?;
        }
        RenewalStep::Churned => {
            let reason = crate::validate::required("churn_reason", &input.churn_reason, 500)?;
            let team = TeamSettings::load(ctx.sql())?;
            let today = ctx.clock.today();
            let reapproach = crate::pipeline::moves::reapproach_date_with(
                k.c.end_date.max(today),
                None,
                team.reapproach_lead_days,
                team.reapproach_unknown_months,
            );
            bump(
                "status = 'churned', renewal_stage = NULL, churn_reason = ?5, decided_at = ?3",
                sql::params![&reason],
            )?;
            close_follow_ups(ctx, id, &["hearing", "proposal", "post_renewal"], "cancelled")?;
            follow_up::create_titled(
                ctx,
                &NewFollowUp {
                    kind: FollowUpKind::Reapproach,
                    title: String::new(),
                    due_at: reminder_at(reapproach, ctx.clock.offset()),
                    assignee_id: k.c.owner_id.clone(),
                    company_id: Some(k.c.company_id.clone()),
                    deal_id: None,
                    contract_id: Some(id.to_string()),
                    activity_id: None,
                },
                &EngineText::ChurnReapproach {
                    company: k.company_name.clone(),
                    plan: k.c.plan.clone(),
                },
            )?;
            let text = EngineText::ContractChurned {
                plan: k.c.plan.clone(),
                reason: reason.clone(),
            };
            record(ctx, &k.c.company_id, text, "")?;
            outcome.reapproach_on = Some(reapproach);
        }
        RenewalStep::NotStarted => unreachable!("refused above"),
    }
    ctx.audit(Entity::Contract, id, "update", json!({ "renewal_step": to.as_str() }))?;
    ctx.changed(Entity::Contract, id, "update")?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::contracts::renewal::testing::{d, work};
    use crate::contracts::renewal::{get, rate, ReasonCount};
    use crate::testutil::{assert_invalid, colleague, contract, fixture, seed_pipeline, Fixture};
    use crate::timeline::activity::ActivityKind;
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
        let next = get(f.db.sql(), f.clock.today(), &next_id).unwrap();
        assert_eq!(
            (next.start_date, next.end_date, next.amount, next.status),
            (d("2027-01-09"), d("2028-01-08"), 720_000, ContractStatus::Active)
        );
        // The new period has its own renewal work; the old one its post-renewal check.
        assert_eq!(work(&f, &next_id).len(), 2);
        assert_eq!(work(&f, &id), [("post_renewal".into(), "2027-02-08 09:00".into())]);
        let old = get(f.db.sql(), f.clock.today(), &id).unwrap();
        assert_eq!(
            (old.step, old.status),
            (RenewalStep::PostRenewal, ContractStatus::Renewed)
        );
        step(&mut f, 4, RenewalStep::Renewed, StepInput::default()).unwrap();
        assert!(work(&f, &id).is_empty());

        // Every step is on the customer's timeline.
        let lines: Vec<String> =
            f.db.sql()
                .query(
                    "SELECT summary FROM activities WHERE company_id = ?1 AND kind = 'contract' ORDER BY id",
                    crate::store::sql::params![&s.company_id],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert!(lines[1].contains("満足度 4/5"));
        assert!(lines[2].contains("アップセル ¥600,000 → ¥720,000"));
        assert!(lines[3].starts_with("契約更新"));

        // Renewal rate over the period of its end: 1 of 1, by amount 100 %,
        // worth 720,000 now.
        let r = rate(f.db.sql(), &f.clock, d("2027-01-01"), d("2027-01-31")).unwrap();
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
            f.db.sql()
                .query(
                    "SELECT kind FROM follow_ups WHERE contract_id = ?1 AND status = 'open'",
                    sql::params![&lost],
                    |r| r.get(0),
                )
                .unwrap()
                .into_iter()
                .collect();
        assert_eq!(open, ["reapproach"]);
        let r = rate(f.db.sql(), &f.clock, d("2026-12-01"), d("2027-01-31")).unwrap();
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

    /// The engine's words on a company's contract entries, oldest first, in a language.
    fn contract_entries(f: &Fixture, company_id: &str, lang: crate::language::Language) -> Vec<String> {
        let q = crate::timeline::entries::TimelineQuery {
            company_id: Some(company_id.into()),
            kinds: vec![ActivityKind::Contract],
            ..Default::default()
        };
        let mut entries = crate::timeline::entries::timeline(f.db.sql(), &q).unwrap().entries;
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
        let items = follow_up::list_open(f.db.sql(), &f.clock, None).unwrap();
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
        let card = get(f.db.sql(), f.clock.today(), &id).unwrap();
        assert_eq!(card.next_engine_text, Some(text.clone()));
        let summary = crate::overview::customer::summary(f.db.sql(), &f.clock, &s.company_id).unwrap();
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
        let post = follow_up::list_open(f.db.sql(), &f.clock, None)
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
        let reapproach = follow_up::list_open(f.db.sql(), &f.clock, None)
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
        let page = crate::timeline::entries::timeline(f.db.sql(), &q).unwrap();
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
