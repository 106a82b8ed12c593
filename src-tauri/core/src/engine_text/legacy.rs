//! The Japanese sentences Kizuna wrote before it stored kinds (schema 6 and
//! older), recognised so that the migration can store what they meant and
//! old entries read in English too.
//!
//! Each sentence is taken apart by its fixed words and punctuation, exactly
//! as the old code put it together. What does not take apart cleanly stays
//! a plain text, shown as it is in every language (docs/architecture.md
//! lists those cases): a title edited since, a follow-up whose company was
//! renamed before the migration and whose plan is unknown, a user's own
//! note that happens to look similar but does not parse.

use super::EngineText;
use super::ProposalKind;
use chrono::NaiveDate;

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// "¥1,200,000" (yen) or "1,200 USD" (the old text printed any other
/// currency's minor units with a code) back into (minor units, currency).
fn money(s: &str) -> Option<(i64, String)> {
    let digits = |d: &str| -> Option<i64> {
        let plain: String = d.chars().filter(|c| *c != ',').collect();
        if plain.is_empty() || !plain.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        plain.parse().ok()
    };
    if let Some(d) = s.strip_prefix('¥') {
        return Some((digits(d)?, "JPY".into()));
    }
    let (d, code) = s.rsplit_once(' ')?;
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    Some((digits(d)?, code.into()))
}

/// "{company} {plan}", split where the known plan or company name says;
/// either may contain spaces, so without one of them it is not split.
fn company_and_plan(rest: &str, company: Option<&str>, plan: Option<&str>) -> Option<(String, String)> {
    if let Some(p) = plan.filter(|p| !p.is_empty()) {
        if let Some(c) = rest.strip_suffix(p).and_then(|r| r.strip_suffix(' ')) {
            return Some((c.to_string(), p.to_string()));
        }
    }
    let c = company.filter(|c| !c.is_empty())?;
    let p = rest.strip_prefix(c)?.strip_prefix(' ')?;
    Some((c.to_string(), p.to_string()))
}

/// A follow-up title, given the follow-up's kind and the current name of its
/// company and plan of its contract.
pub(crate) fn follow_up(kind: &str, title: &str, company: Option<&str>, plan: Option<&str>) -> Option<EngineText> {
    let pair = |rest: &str| company_and_plan(rest, company, plan);
    match kind {
        "appointment" => Some(EngineText::NextAppointment {
            company: title.strip_prefix("次回アポイント: ")?.to_string(),
        }),
        "decision_deadline" => Some(EngineText::DecisionDeadline {
            deal: title.strip_prefix("決断期限: ")?.to_string(),
        }),
        "reapproach" => {
            let rest = title.strip_prefix("再アプローチ: ")?;
            match plan {
                // A churned contract's: company and plan.
                Some(_) => pair(rest).map(|(company, plan)| EngineText::ChurnReapproach { company, plan }),
                None => Some(EngineText::Reapproach {
                    company: rest.to_string(),
                }),
            }
        }
        "renewal" => {
            if let Some(rest) = title.strip_prefix("更新ヒアリング: ") {
                pair(rest).map(|(company, plan)| EngineText::RenewalHearingDue { company, plan })
            } else if let Some(rest) = title.strip_prefix("更新提案: ") {
                pair(rest).map(|(company, plan)| EngineText::RenewalProposalDue { company, plan })
            } else {
                let rest = title.strip_prefix("更新後フォロー: ")?;
                pair(rest).map(|(company, plan)| EngineText::PostRenewalDue { company, plan })
            }
        }
        _ => None,
    }
}

/// "{plan}（{inner}）" where the inner part has no parentheses of its own
/// (dates, amounts), so the last opening one is the split.
fn plan_and_inner(rest: &str) -> Option<(String, &str)> {
    let (plan, inner) = rest.strip_suffix('）')?.rsplit_once('（')?;
    (!plan.is_empty()).then(|| (plan.to_string(), inner))
}

fn contract_entry(summary: &str, plans: &[String]) -> Option<EngineText> {
    if let Some(rest) = summary.strip_prefix("契約開始: ") {
        let (plan, inner) = plan_and_inner(rest)?;
        let (start, end) = inner.split_once(" 〜 ")?;
        return Some(EngineText::ContractStarted {
            plan,
            start: date(start)?,
            end: date(end)?,
        });
    }
    if let Some(rest) = summary.strip_prefix("契約変更: ") {
        let (plan, inner) = plan_and_inner(rest)?;
        let (ends, amount) = inner.strip_prefix("終了日 ")?.rsplit_once('、')?;
        let (old_end, end) = match ends.split_once(" → ") {
            Some((old, new)) => (Some(date(old)?), date(new)?),
            None => (None, date(ends)?),
        };
        let (amount, currency) = money(amount)?;
        return Some(EngineText::ContractChanged {
            plan,
            old_end,
            end,
            amount,
            currency,
        });
    }
    if let Some(rest) = summary.strip_prefix("更新ヒアリング: ") {
        let (plan, inner) = plan_and_inner(rest)?;
        let satisfaction: u8 = inner.strip_prefix("満足度 ")?.strip_suffix("/5")?.parse().ok()?;
        return (1..=5)
            .contains(&satisfaction)
            .then_some(EngineText::RenewalHearingHeld { plan, satisfaction });
    }
    if let Some(rest) = summary.strip_prefix("更新提案: ") {
        let (plan, inner) = plan_and_inner(rest)?;
        let (label, amounts) = inner.split_once(' ')?;
        let proposal = match label {
            "同条件" => ProposalKind::Same,
            "アップセル" => ProposalKind::Upsell,
            "ダウンセル" => ProposalKind::Downsell,
            _ => return None,
        };
        let (old, new) = amounts.split_once(" → ")?;
        let ((amount, currency), (new_amount, new_currency)) = (money(old)?, money(new)?);
        return (currency == new_currency).then_some(EngineText::RenewalProposed {
            plan,
            proposal,
            amount,
            new_amount,
            currency,
        });
    }
    if let Some(rest) = summary.strip_prefix("契約更新: ") {
        let (plan, inner) = plan_and_inner(rest)?;
        let (amounts, dates) = inner.rsplit_once('、')?;
        let (old, new) = amounts.split_once(" → ")?;
        let ((amount, currency), (new_amount, new_currency)) = (money(old)?, money(new)?);
        let (start, end) = dates.split_once(" 〜 ")?;
        return (currency == new_currency).then_some(EngineText::ContractRenewed {
            plan,
            amount,
            new_amount,
            currency,
            start: date(start)?,
            end: date(end)?,
        });
    }
    if let Some(plan) = summary.strip_prefix("更新手続き: ").filter(|p| !p.is_empty()) {
        return Some(EngineText::RenewalProcedure { plan: plan.to_string() });
    }
    if let Some(plan) = summary.strip_prefix("更新後フォロー完了: ").filter(|p| !p.is_empty()) {
        return Some(EngineText::PostRenewalDone { plan: plan.to_string() });
    }
    let rest = summary.strip_prefix("解約: ")?.strip_suffix('）')?;
    // Plan and reason are both free text: a known plan of the company says
    // where one ends, else the first parenthesis does.
    let (plan, reason) = plans
        .iter()
        .find_map(|p| Some((p.as_str(), rest.strip_prefix(p.as_str())?.strip_prefix('（')?)))
        .or_else(|| rest.split_once('（'))?;
    (!plan.is_empty() && !reason.is_empty()).then(|| EngineText::ContractChurned {
        plan: plan.to_string(),
        reason: reason.to_string(),
    })
}

/// A stage change: its body has kept the stage names and what the move
/// recorded since the first version.
fn stage_change(summary: &str, body: &str) -> Option<EngineText> {
    let b: serde_json::Value = serde_json::from_str(body).ok()?;
    let (from, to) = (b["from"].as_str()?.to_string(), b["to"].as_str()?.to_string());
    if summary != format!("{from} → {to}") {
        return None;
    }
    if let Some(deadline) = b["decision_deadline"].as_str().and_then(date) {
        return Some(EngineText::MovedToClosing { from, to, deadline });
    }
    Some(EngineText::StageChanged { from, to })
}

/// A timeline entry's summary, given its kind and body and the plans of its
/// company's contracts.
pub(crate) fn activity(kind: &str, summary: &str, body: &str, plans: &[String]) -> Option<EngineText> {
    match kind {
        "stage_change" => stage_change(summary, body),
        "contract" => contract_entry(summary, plans),
        "email" if summary == "お礼メール送信" => Some(EngineText::ThankYouSent),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    fn d(s: &str) -> NaiveDate {
        date(s).unwrap()
    }

    #[test]
    fn every_old_sentence_is_recognised_and_reads_the_same_in_japanese() {
        let plans = vec!["年間保守".to_string()];
        let cases: Vec<(&str, &str, EngineText)> = vec![
            (
                "contract",
                "契約開始: 年間保守（2026-04-01 〜 2027-03-31）",
                EngineText::ContractStarted {
                    plan: "年間保守".into(),
                    start: d("2026-04-01"),
                    end: d("2027-03-31"),
                },
            ),
            (
                "contract",
                "契約変更: 年間保守（終了日 2027-03-31、¥650,000）",
                EngineText::ContractChanged {
                    plan: "年間保守".into(),
                    old_end: None,
                    end: d("2027-03-31"),
                    amount: 650_000,
                    currency: "JPY".into(),
                },
            ),
            (
                "contract",
                "契約更新: 年間保守（¥600,000 → ¥720,000、2027-04-01 〜 2028-03-31）",
                EngineText::ContractRenewed {
                    plan: "年間保守".into(),
                    amount: 600_000,
                    new_amount: 720_000,
                    currency: "JPY".into(),
                    start: d("2027-04-01"),
                    end: d("2028-03-31"),
                },
            ),
            (
                "contract",
                "更新ヒアリング: 年間保守（満足度 4/5）",
                EngineText::RenewalHearingHeld {
                    plan: "年間保守".into(),
                    satisfaction: 4,
                },
            ),
            (
                "contract",
                "更新手続き: 年間保守",
                EngineText::RenewalProcedure {
                    plan: "年間保守".into(),
                },
            ),
            (
                "contract",
                "更新後フォロー完了: 年間保守",
                EngineText::PostRenewalDone {
                    plan: "年間保守".into(),
                },
            ),
            (
                "contract",
                "解約: 年間保守（他社（安価）に乗り換え）",
                EngineText::ContractChurned {
                    plan: "年間保守".into(),
                    reason: "他社（安価）に乗り換え".into(),
                },
            ),
            ("email", "お礼メール送信", EngineText::ThankYouSent),
        ];
        for (kind, summary, want) in cases {
            let got = activity(kind, summary, "", &plans);
            assert_eq!(got.as_ref(), Some(&want), "{summary}");
            assert_eq!(want.render(Language::Ja), summary, "the Japanese reads as before");
        }
    }

    #[test]
    fn a_proposal_and_a_change_in_another_currency_keep_their_minor_units() {
        let t = activity(
            "contract",
            "更新提案: Cloud（ダウンセル 120,000 USD → 99,000 USD）",
            "",
            &[],
        )
        .unwrap();
        assert_eq!(
            t,
            EngineText::RenewalProposed {
                plan: "Cloud".into(),
                proposal: ProposalKind::Downsell,
                amount: 120_000,
                new_amount: 99_000,
                currency: "USD".into(),
            }
        );
        assert_eq!(
            t.render(Language::En),
            "Renewal proposal: Cloud (downsell $1,200.00 → $990.00)"
        );
        let moved = activity(
            "contract",
            "契約変更: Cloud（年額）（終了日 2027-03-31 → 2027-06-30、1,000 EUR）",
            "",
            &[],
        )
        .unwrap();
        assert_eq!(
            moved,
            EngineText::ContractChanged {
                plan: "Cloud（年額）".into(),
                old_end: Some(d("2027-03-31")),
                end: d("2027-06-30"),
                amount: 1_000,
                currency: "EUR".into(),
            }
        );
    }

    #[test]
    fn follow_up_titles_are_split_by_the_plan_or_the_company_they_name() {
        let f = |kind, title, company, plan| follow_up(kind, title, company, plan);
        assert_eq!(
            f(
                "renewal",
                "更新ヒアリング: 株式会社 テスト クラウド 年額",
                Some("改名後"),
                Some("クラウド 年額")
            ),
            Some(EngineText::RenewalHearingDue {
                company: "株式会社 テスト".into(),
                plan: "クラウド 年額".into(),
            })
        );
        // The plan was edited since, but the company still has its name.
        assert_eq!(
            f("renewal", "更新提案: A社 旧プラン", Some("A社"), Some("新プラン")),
            Some(EngineText::RenewalProposalDue {
                company: "A社".into(),
                plan: "旧プラン".into(),
            })
        );
        assert_eq!(
            f("renewal", "更新後フォロー: A社 P", Some("A社"), Some("P")),
            Some(EngineText::PostRenewalDue {
                company: "A社".into(),
                plan: "P".into(),
            })
        );
        // Both changed since: nothing says where the company ends.
        assert_eq!(
            f("renewal", "更新提案: 旧社名 旧プラン", Some("新社名"), Some("新プラン")),
            None
        );
        assert_eq!(
            f("reapproach", "再アプローチ: 旧社名", Some("新社名"), None),
            Some(EngineText::Reapproach {
                company: "旧社名".into()
            })
        );
        assert_eq!(
            f("reapproach", "再アプローチ: A社 P", Some("A社"), Some("P")),
            Some(EngineText::ChurnReapproach {
                company: "A社".into(),
                plan: "P".into(),
            })
        );
        assert_eq!(
            f("appointment", "次回アポイント: A社", None, None),
            Some(EngineText::NextAppointment { company: "A社".into() })
        );
        assert_eq!(
            f("decision_deadline", "決断期限: 基幹刷新", None, None),
            Some(EngineText::DecisionDeadline {
                deal: "基幹刷新".into()
            })
        );
        // A title someone typed stays theirs.
        assert_eq!(f("appointment", "先方と会食", None, None), None);
        assert_eq!(f("follow_up", "次回アポイント: A社", None, None), None);
    }

    #[test]
    fn stage_changes_read_their_body() {
        let body = r#"{"from_stage_id":"a","to_stage_id":"b","from":"見積","to":"クロージング","decision_deadline":"2026-12-09"}"#;
        assert_eq!(
            activity("stage_change", "見積 → クロージング", body, &[]),
            Some(EngineText::MovedToClosing {
                from: "見積".into(),
                to: "クロージング".into(),
                deadline: d("2026-12-09"),
            })
        );
        let lost = r#"{"from":"提案","to":"失注","lost_reason":"価格","lost_detail":null}"#;
        assert_eq!(
            activity("stage_change", "提案 → 失注", lost, &[]),
            Some(EngineText::StageChanged {
                from: "提案".into(),
                to: "失注".into(),
            })
        );
        assert_eq!(
            activity("stage_change", "提案 → 見積", r#"{"from":"提案","to":"見積"}"#, &[]),
            Some(EngineText::StageChanged {
                from: "提案".into(),
                to: "見積".into(),
            })
        );
        assert_eq!(activity("stage_change", "提案 → 見積", "{}", &[]), None);
        assert_eq!(
            activity("stage_change", "別の文", r#"{"from":"提案","to":"見積"}"#, &[]),
            None
        );
    }

    #[test]
    fn what_does_not_parse_stays_text() {
        for s in [
            "契約開始: 年間保守（2026-04-01〜2027-03-31）",
            "契約開始: （2026-04-01 〜 2027-03-31）",
            "契約変更: P（終了日 2027-03-31、650,000円）",
            "更新ヒアリング: P（満足度 9/5）",
            "更新提案: P（値下げ ¥1 → ¥2）",
            "更新提案: P（同条件 ¥1 → 2 USD）",
            "解約: P",
            "更新手続き: ",
            "契約書を受領",
        ] {
            assert_eq!(activity("contract", s, "", &[]), None, "{s}");
        }
        assert_eq!(activity("note", "更新手続き: P", "", &[]), None);
        assert_eq!(activity("email", "お礼メール送信（再送）", "", &[]), None);
    }
}
