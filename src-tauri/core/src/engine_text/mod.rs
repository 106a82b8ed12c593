//! Text the engine writes: the titles of the follow-ups it plans and the
//! summaries of the timeline entries it records. What is stored is what
//! happened — a kind and its parameters ([`EngineText`]) — and every reader
//! sees it in their own language: the UI through its catalogues
//! (`ui/src/lib/engineText.ts`), notifications and the CLI through
//! [`EngineText::render`].
//!
//! The row's text column (`follow_ups.title`, `activities.summary`) is still
//! filled, in the writer's language, so that a version of Kizuna that does
//! not know a kind (one opening a newer file read-only) shows that instead.
//! `activities.search_text` holds the rendering in every language, which the
//! search index reads instead of the summary, so the entry is found in
//! either language.
//!
//! A new kind: a variant here with its words in [`EngineText::render`], and
//! `engineText.<kind>` in both UI catalogues (a UI test fails without them).

pub(crate) mod legacy;

use crate::language::Language;
use crate::text::group_digits;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the engine wrote, as a kind and its parameters. Names, plans and
/// reasons are data (as typed by the team, in whatever language); dates and
/// amounts are formatted by the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum EngineText {
    // ------------------------------------------------ follow-up titles
    /// The next appointment set in a meeting log.
    NextAppointment {
        company: String,
    },
    /// The customer promised to decide by the deadline (a deal in closing).
    DecisionDeadline {
        deal: String,
    },
    /// A lost deal's customer, approached again.
    Reapproach {
        company: String,
    },
    /// A churned contract's customer, approached again.
    ChurnReapproach {
        company: String,
        plan: String,
    },
    /// Renewal work planned ahead of a contract's end.
    RenewalHearingDue {
        company: String,
        plan: String,
    },
    RenewalProposalDue {
        company: String,
        plan: String,
    },
    /// The check-in some weeks into the renewed period.
    PostRenewalDue {
        company: String,
        plan: String,
    },

    // ---------------------------------------------- timeline summaries
    /// A deal moved between stages (stage names as they were then). A move
    /// into the lost stage too: what was recorded with it (reason,
    /// competitor, details) is in the entry's body, and the timeline shows
    /// it under the summary.
    StageChanged {
        from: String,
        to: String,
    },
    /// Into closing, with the customer's decision deadline.
    MovedToClosing {
        from: String,
        to: String,
        deadline: NaiveDate,
    },
    ContractStarted {
        plan: String,
        start: NaiveDate,
        end: NaiveDate,
    },
    /// A contract edited; `old_end` only when the end moved.
    ContractChanged {
        plan: String,
        old_end: Option<NaiveDate>,
        end: NaiveDate,
        #[ts(type = "number")]
        amount: i64,
        currency: String,
    },
    RenewalHearingHeld {
        plan: String,
        satisfaction: u8,
    },
    RenewalProposed {
        plan: String,
        proposal: ProposalKind,
        #[ts(type = "number")]
        amount: i64,
        #[ts(type = "number")]
        new_amount: i64,
        currency: String,
    },
    RenewalProcedure {
        plan: String,
    },
    /// The next period began (`amount` before, `new_amount` from now on).
    ContractRenewed {
        plan: String,
        #[ts(type = "number")]
        amount: i64,
        #[ts(type = "number")]
        new_amount: i64,
        currency: String,
        start: NaiveDate,
        end: NaiveDate,
    },
    PostRenewalDone {
        plan: String,
    },
    ContractChurned {
        plan: String,
        reason: String,
    },
    /// The thank-you mail went out with an empty subject.
    ThankYouSent,

    // ------------------------------------------- support cases (support/)
    // Every step of a case stands on the customer's timeline, so sales sees
    // the trouble. `case_id` lets the timeline link to the case page;
    // channel, category, status and priority are codes the reader's
    // language words.
    CaseOpened {
        case_id: String,
        #[ts(type = "number")]
        number: i64,
        subject: String,
        category: String,
        channel: String,
    },
    CaseReplied {
        case_id: String,
        #[ts(type = "number")]
        number: i64,
        subject: String,
    },
    CaseNoted {
        case_id: String,
        #[ts(type = "number")]
        number: i64,
        subject: String,
    },
    CaseStatusChanged {
        case_id: String,
        #[ts(type = "number")]
        number: i64,
        subject: String,
        from: String,
        to: String,
    },
    /// `assignee`: the member's name then; `None`: nobody.
    CaseAssigned {
        case_id: String,
        #[ts(type = "number")]
        number: i64,
        subject: String,
        assignee: Option<String>,
    },
    CasePriorityChanged {
        case_id: String,
        #[ts(type = "number")]
        number: i64,
        subject: String,
        from: String,
        to: String,
    },
    // ------------------------------------------------------- hand-offs
    /// A dated promise from a hand-off sheet: its keeper's follow-up.
    HandoffPromise {
        company: String,
        promise: String,
    },
    /// What support handed the account owner from a case: their follow-up.
    CaseToSalesDue {
        company: String,
        kind: ToSalesKind,
        #[ts(type = "number")]
        case_number: i64,
    },
    /// A sales → support hand-off sheet was sent; `to` is the support
    /// member it was addressed to, `None` for the whole support team. The
    /// sheet's id lets the timeline open it.
    HandoffSent {
        handoff_id: String,
        to: Option<String>,
    },
    /// Support asked about the sheet (the question is the entry's body).
    HandoffQuestion {
        handoff_id: String,
    },
    /// The rep answered (the answer is the entry's body).
    HandoffAnswer {
        handoff_id: String,
    },
    HandoffAcknowledged {
        handoff_id: String,
        by: String,
    },
    /// Support handed the account owner something from a case (the note is
    /// the entry's body).
    CaseHandedToSales {
        kind: ToSalesKind,
        #[ts(type = "number")]
        case_number: i64,
        owner: String,
    },
    // ------------------------------------------------- leads (leads/)
    // A lead's history. `number` is its L-number; `source` and `trigger`
    // are codes the reader's language words (a team's own source as typed).
    LeadReceived {
        #[ts(type = "number")]
        number: i64,
        source: String,
    },
    /// `owner`: the member's name then; `None`: nobody.
    LeadAssigned {
        #[ts(type = "number")]
        number: i64,
        owner: Option<String>,
    },
    /// The owner answered (the note, if any, is the body).
    LeadContacted {
        #[ts(type = "number")]
        number: i64,
    },
    /// Qualified into a deal of `company` (also on that customer's timeline).
    LeadConverted {
        #[ts(type = "number")]
        number: i64,
        company: String,
        source: String,
    },
    LeadDisqualified {
        #[ts(type = "number")]
        number: i64,
        reason: String,
    },
    /// Handed back to marketing (マーケティングに戻す).
    LeadNurtured {
        #[ts(type = "number")]
        number: i64,
        reason: String,
    },
    /// A lost deal handed to nurture (on the customer's timeline).
    DealNurtured {
        reason: String,
    },
    /// Came back from nurture: `trigger` is new_inquiry, inbound_touch or
    /// buying_signal.
    LeadResurfaced {
        #[ts(type = "number")]
        number: i64,
        trigger: String,
    },
    /// The person asked for no more mail (or allowed it again).
    MailOptOut {
        name: String,
    },
    MailOptIn {
        name: String,
    },
    /// The check-in follow-up of a nurtured lead or lost deal.
    NurtureCheckIn {
        name: String,
    },

    // ------------------------------------------- sequences (sequences/)
    /// A step of a sequence became the owner's follow-up (`step` counts from 1).
    SequenceStepDue {
        sequence: String,
        company: String,
        step: u32,
        call: bool,
    },
    /// An automatic mail is over a day late: the owner says whether to send it.
    SequenceLateMail {
        sequence: String,
        company: String,
    },
    SequenceEnrolled {
        sequence: String,
    },
    /// `reason` is a [`crate::sequences::StopReason`] code the reader's language words.
    SequenceStopped {
        sequence: String,
        reason: String,
    },
    /// The next step waits (`reason`: pushy, complaint) until `until`.
    SequenceWaiting {
        sequence: String,
        reason: String,
        until: String,
    },
    /// The customer answered a sequence's mail (recorded by the rep).
    SequenceReplied {
        sequence: String,
    },
    /// A sequence's automatic mail, on a lead's history (a customer's
    /// timeline has the mail itself).
    SequenceMailSent {
        sequence: String,
        subject: String,
    },

    // ---------------------------------------------------- duplicates
    /// A duplicate customer (`merged`, its name then) folded into this one.
    CompanyMerged {
        merged: String,
    },
    /// A duplicate contact folded into another (`into`).
    ContactMerged {
        merged: String,
        into: String,
    },
}

/// The words of a lead source: a built-in code in `lang`, a team's own
/// source as typed.
pub fn lead_source_label(code: &str, lang: Language) -> String {
    let words = match (code, lang) {
        ("web_form", Language::Ja) => "Webフォーム",
        ("web_form", Language::En) => "Web form",
        ("document_request", Language::Ja) => "資料請求",
        ("document_request", Language::En) => "Document request",
        ("exhibition", Language::Ja) => "展示会",
        ("exhibition", Language::En) => "Exhibition",
        ("referral", Language::Ja) => "紹介",
        ("referral", Language::En) => "Referral",
        ("phone", Language::Ja) => "電話",
        ("phone", Language::En) => "Phone",
        ("other", Language::Ja) => "その他",
        ("other", Language::En) => "Other",
        _ => return code.to_string(),
    };
    words.to_string()
}

/// What brought a nurtured lead back.
fn resurface_label(code: &str, lang: Language) -> String {
    let words = match (code, lang) {
        ("new_inquiry", Language::Ja) => "新しい問い合わせ",
        ("new_inquiry", Language::En) => "a new inquiry",
        ("inbound_touch", Language::Ja) => "先方からの連絡",
        ("inbound_touch", Language::En) => "they got in touch",
        ("buying_signal", Language::Ja) => "購買シグナル",
        ("buying_signal", Language::En) => "a buying signal",
        _ => return code.to_string(),
    };
    words.to_string()
}

/// The words of why a sequence stopped or waits; an unknown code as it is.
pub fn sequence_reason(code: &str, lang: Language) -> String {
    let (ja, en) = match code {
        "replied" => ("返信あり", "the customer replied"),
        "inbound" => ("先方から連絡あり", "the customer got in touch"),
        "signal" => ("購買シグナルあり", "a buying signal"),
        "meeting" => ("商談・アポイントあり", "a meeting was booked"),
        "deal_moved" => ("案件のステージが変わった", "the deal moved stage"),
        "opted_out" => ("配信停止", "opted out of mail"),
        "target_removed" => ("対象が削除された", "the record was removed"),
        "stopped_by_user" => ("手動で停止", "stopped by hand"),
        "no_address" => ("メールアドレスなし", "no mail address"),
        "qualified" => ("リードが顧客になった", "the lead became a customer"),
        "disqualified" => ("リードを対象外にした", "the lead was disqualified"),
        "pushy" => ("しつこくならないよう待機", "waiting so as not to be pushy"),
        "complaint" => ("未解決のクレーム", "an open complaint"),
        "confirm_late" => (
            "遅れた自動メールの確認待ち",
            "a late automatic mail waits for confirmation",
        ),
        "send_failed" => ("送信失敗", "sending failed"),
        other => (other, other),
    };
    match lang {
        Language::Ja => ja.to_string(),
        Language::En => en.to_string(),
    }
}

/// The words of a support case's code (channel, category, status,
/// priority); an unknown code as it is.
pub fn case_label(code: &str, lang: Language) -> String {
    let ja = match code {
        "phone" => "電話",
        "mail" => "メール",
        "web" => "Webフォーム",
        "visit" => "訪問",
        "question" => "質問",
        "trouble" => "トラブル",
        "request" => "要望",
        "complaint" => "苦情",
        "new" => "新規",
        "in_progress" => "対応中",
        "waiting" => "顧客回答待ち",
        "resolved" => "解決済み",
        "closed" => "クローズ",
        "urgent" => "緊急",
        "high" => "高",
        "normal" => "通常",
        "low" => "低",
        other => other,
    };
    let en = match code {
        "phone" => "phone",
        "mail" => "mail",
        "web" => "web form",
        "visit" => "visit",
        "question" => "question",
        "trouble" => "trouble",
        "request" => "request",
        "complaint" => "complaint",
        "new" => "new",
        "in_progress" => "in progress",
        "waiting" => "waiting for customer",
        "resolved" => "resolved",
        "closed" => "closed",
        "urgent" => "urgent",
        "high" => "high",
        "normal" => "normal",
        "low" => "low",
        other => other,
    };
    match lang {
        Language::Ja => ja.to_string(),
        Language::En => en.to_string(),
    }
}

/// An amount in its currency's minor unit, as text: yen have none, the
/// others two digits (the UI's `formatMoney` says the same, with Intl).
pub fn money(amount: i64, currency: &str) -> String {
    let code = currency.trim().to_ascii_uppercase();
    if code.is_empty() || code == "JPY" {
        return format!("¥{}", group_digits(amount));
    }
    let sign = if amount < 0 { "-" } else { "" };
    let minor = amount.unsigned_abs();
    let units = format!("{}.{:02}", group_digits((minor / 100) as i64), minor % 100);
    match code.as_str() {
        "USD" => format!("{sign}${units}"),
        "EUR" => format!("{sign}€{units}"),
        "GBP" => format!("{sign}£{units}"),
        _ => format!("{sign}{units} {code}"),
    }
}

fn proposal_label(kind: ProposalKind, lang: Language) -> &'static str {
    match (kind, lang) {
        (ProposalKind::Same, Language::Ja) => "同条件",
        (ProposalKind::Same, Language::En) => "same terms",
        (ProposalKind::Upsell, Language::Ja) => "アップセル",
        (ProposalKind::Upsell, Language::En) => "upsell",
        (ProposalKind::Downsell, Language::Ja) => "ダウンセル",
        (ProposalKind::Downsell, Language::En) => "downsell",
    }
}

impl EngineText {
    /// The words in `lang`, plain text (dates as YYYY-MM-DD): notifications,
    /// the stored text column, search and the CLI. The UI words the same
    /// kinds from its catalogues, with its own date and money formats.
    pub fn render(&self, lang: Language) -> String {
        use EngineText::*;
        use Language::{En, Ja};
        match (self, lang) {
            (NextAppointment { company }, Ja) => format!("次回アポイント: {company}"),
            (NextAppointment { company }, En) => format!("Next appointment: {company}"),
            (DecisionDeadline { deal }, Ja) => format!("決断期限: {deal}"),
            (DecisionDeadline { deal }, En) => format!("Decision deadline: {deal}"),
            (Reapproach { company }, Ja) => format!("再アプローチ: {company}"),
            (Reapproach { company }, En) => format!("Re-approach: {company}"),
            (ChurnReapproach { company, plan }, Ja) => format!("再アプローチ: {company} {plan}"),
            (ChurnReapproach { company, plan }, En) => format!("Re-approach: {company} {plan}"),
            (RenewalHearingDue { company, plan }, Ja) => format!("更新ヒアリング: {company} {plan}"),
            (RenewalHearingDue { company, plan }, En) => format!("Renewal hearing: {company} {plan}"),
            (RenewalProposalDue { company, plan }, Ja) => format!("更新提案: {company} {plan}"),
            (RenewalProposalDue { company, plan }, En) => format!("Renewal proposal: {company} {plan}"),
            (PostRenewalDue { company, plan }, Ja) => format!("更新後フォロー: {company} {plan}"),
            (PostRenewalDue { company, plan }, En) => format!("Post-renewal check-in: {company} {plan}"),
            (StageChanged { from, to }, _) => format!("{from} → {to}"),
            (MovedToClosing { from, to, deadline }, Ja) => format!("{from} → {to}（決断期限 {deadline}）"),
            (MovedToClosing { from, to, deadline }, En) => format!("{from} → {to} (decision by {deadline})"),
            (ContractStarted { plan, start, end }, Ja) => format!("契約開始: {plan}（{start} 〜 {end}）"),
            (ContractStarted { plan, start, end }, En) => format!("Contract started: {plan} ({start} – {end})"),
            (
                ContractChanged {
                    plan,
                    old_end,
                    end,
                    amount,
                    currency,
                },
                lang,
            ) => {
                let amount = money(*amount, currency);
                match (old_end, lang) {
                    (None, Ja) => format!("契約変更: {plan}（終了日 {end}、{amount}）"),
                    (Some(old), Ja) => format!("契約変更: {plan}（終了日 {old} → {end}、{amount}）"),
                    (None, En) => format!("Contract changed: {plan} (ends {end}, {amount})"),
                    (Some(old), En) => format!("Contract changed: {plan} (end {old} → {end}, {amount})"),
                }
            }
            (RenewalHearingHeld { plan, satisfaction }, Ja) => {
                format!("更新ヒアリング: {plan}（満足度 {satisfaction}/5）")
            }
            (RenewalHearingHeld { plan, satisfaction }, En) => {
                format!("Renewal hearing: {plan} (satisfaction {satisfaction}/5)")
            }
            (
                RenewalProposed {
                    plan,
                    proposal,
                    amount,
                    new_amount,
                    currency,
                },
                lang,
            ) => {
                let label = proposal_label(*proposal, lang);
                let (old, new) = (money(*amount, currency), money(*new_amount, currency));
                match lang {
                    Ja => format!("更新提案: {plan}（{label} {old} → {new}）"),
                    En => format!("Renewal proposal: {plan} ({label} {old} → {new})"),
                }
            }
            (RenewalProcedure { plan }, Ja) => format!("更新手続き: {plan}"),
            (RenewalProcedure { plan }, En) => format!("Renewal paperwork: {plan}"),
            (
                ContractRenewed {
                    plan,
                    amount,
                    new_amount,
                    currency,
                    start,
                    end,
                },
                lang,
            ) => {
                let (old, new) = (money(*amount, currency), money(*new_amount, currency));
                match lang {
                    Ja => format!("契約更新: {plan}（{old} → {new}、{start} 〜 {end}）"),
                    En => format!("Contract renewed: {plan} ({old} → {new}, {start} – {end})"),
                }
            }
            (PostRenewalDone { plan }, Ja) => format!("更新後フォロー完了: {plan}"),
            (PostRenewalDone { plan }, En) => format!("Post-renewal check-in done: {plan}"),
            (ContractChurned { plan, reason }, Ja) => format!("解約: {plan}（{reason}）"),
            (ContractChurned { plan, reason }, En) => format!("Contract cancelled: {plan} ({reason})"),
            (ThankYouSent, Ja) => "お礼メール送信".into(),
            (ThankYouSent, En) => "Thank-you mail sent".into(),
            (
                CaseOpened {
                    number,
                    subject,
                    category,
                    channel,
                    ..
                },
                lang,
            ) => {
                let (category, channel) = (case_label(category, lang), case_label(channel, lang));
                match lang {
                    Ja => format!("問い合わせ #{number} 受付（{category}・{channel}）: {subject}"),
                    En => format!("Case #{number} opened ({category}, {channel}): {subject}"),
                }
            }
            (CaseReplied { number, subject, .. }, Ja) => format!("問い合わせ #{number} に回答: {subject}"),
            (CaseReplied { number, subject, .. }, En) => format!("Replied on case #{number}: {subject}"),
            (CaseNoted { number, subject, .. }, Ja) => format!("問い合わせ #{number} に社内メモ: {subject}"),
            (CaseNoted { number, subject, .. }, En) => format!("Internal note on case #{number}: {subject}"),
            (
                CaseStatusChanged {
                    number,
                    subject,
                    from,
                    to,
                    ..
                },
                lang,
            ) => {
                let (from, to) = (case_label(from, lang), case_label(to, lang));
                match lang {
                    Ja => format!("問い合わせ #{number} {from} → {to}: {subject}"),
                    En => format!("Case #{number} {from} → {to}: {subject}"),
                }
            }
            (
                CaseAssigned {
                    number,
                    subject,
                    assignee,
                    ..
                },
                lang,
            ) => match (assignee, lang) {
                (Some(a), Ja) => format!("問い合わせ #{number} の担当: {a}: {subject}"),
                (None, Ja) => format!("問い合わせ #{number} の担当なし: {subject}"),
                (Some(a), En) => format!("Case #{number} assigned to {a}: {subject}"),
                (None, En) => format!("Case #{number} unassigned: {subject}"),
            },
            (
                CasePriorityChanged {
                    number,
                    subject,
                    from,
                    to,
                    ..
                },
                lang,
            ) => {
                let (from, to) = (case_label(from, lang), case_label(to, lang));
                match lang {
                    Ja => format!("問い合わせ #{number} の優先度 {from} → {to}: {subject}"),
                    En => format!("Case #{number} priority {from} → {to}: {subject}"),
                }
            }
            (HandoffPromise { company, promise }, Ja) => format!("約束: {promise}（{company}）"),
            (HandoffPromise { company, promise }, En) => format!("Promise: {promise} ({company})"),
            (
                CaseToSalesDue {
                    company,
                    kind,
                    case_number,
                },
                lang,
            ) => match lang {
                Ja => format!("サポートから（#{case_number}）: {} {company}", kind.label(lang)),
                En => format!("From support (#{case_number}): {} {company}", kind.label(lang)),
            },
            (HandoffSent { to: None, .. }, Ja) => "導入引き継ぎをサポートへ送付".into(),
            (HandoffSent { to: None, .. }, En) => "Hand-off sent to support".into(),
            (HandoffSent { to: Some(to), .. }, Ja) => format!("導入引き継ぎを{to}さんへ送付"),
            (HandoffSent { to: Some(to), .. }, En) => format!("Hand-off sent to {to}"),
            (HandoffQuestion { .. }, Ja) => "引き継ぎへの質問".into(),
            (HandoffQuestion { .. }, En) => "Question on the hand-off".into(),
            (HandoffAnswer { .. }, Ja) => "引き継ぎの質問への回答".into(),
            (HandoffAnswer { .. }, En) => "Answer on the hand-off".into(),
            (HandoffAcknowledged { by, .. }, Ja) => format!("引き継ぎを受領: {by}"),
            (HandoffAcknowledged { by, .. }, En) => format!("Hand-off acknowledged by {by}"),
            (
                CaseHandedToSales {
                    kind,
                    case_number,
                    owner,
                },
                lang,
            ) => match lang {
                Ja => format!(
                    "サポートから営業へ（#{case_number}）: {}、担当 {owner}",
                    kind.label(lang)
                ),
                En => format!("Support to sales (#{case_number}): {}, for {owner}", kind.label(lang)),
            },
            (LeadReceived { number, source }, Ja) => {
                format!("リード L-{number} 受付（{}）", lead_source_label(source, Ja))
            }
            (LeadReceived { number, source }, En) => {
                format!("Lead L-{number} received ({})", lead_source_label(source, En))
            }
            (LeadAssigned { number, owner: Some(o) }, Ja) => format!("リード L-{number} の担当: {o}"),
            (LeadAssigned { number, owner: Some(o) }, En) => format!("Lead L-{number} assigned to {o}"),
            (LeadAssigned { number, owner: None }, Ja) => format!("リード L-{number} の担当を外しました"),
            (LeadAssigned { number, owner: None }, En) => format!("Lead L-{number} unassigned"),
            (LeadContacted { number }, Ja) => format!("リード L-{number} に連絡"),
            (LeadContacted { number }, En) => format!("Contacted lead L-{number}"),
            (
                LeadConverted {
                    number,
                    company,
                    source,
                },
                Ja,
            ) => {
                format!(
                    "リード L-{number}（{}）を商談化: {company}",
                    lead_source_label(source, Ja)
                )
            }
            (
                LeadConverted {
                    number,
                    company,
                    source,
                },
                En,
            ) => {
                format!(
                    "Lead L-{number} ({}) became a deal: {company}",
                    lead_source_label(source, En)
                )
            }
            (LeadDisqualified { number, reason }, Ja) => format!("リード L-{number} を対象外に: {reason}"),
            (LeadDisqualified { number, reason }, En) => format!("Lead L-{number} disqualified: {reason}"),
            (LeadNurtured { number, reason }, Ja) => {
                format!("リード L-{number} をマーケティングに戻しました: {reason}")
            }
            (LeadNurtured { number, reason }, En) => format!("Lead L-{number} handed back to marketing: {reason}"),
            (DealNurtured { reason }, Ja) => format!("失注案件をマーケティングに戻しました: {reason}"),
            (DealNurtured { reason }, En) => format!("Lost deal handed to nurture: {reason}"),
            (LeadResurfaced { number, trigger }, Ja) => {
                format!("リード L-{number} が再浮上（{}）", resurface_label(trigger, Ja))
            }
            (LeadResurfaced { number, trigger }, En) => {
                format!("Lead L-{number} resurfaced ({})", resurface_label(trigger, En))
            }
            (MailOptOut { name }, Ja) => format!("{name} さんがメール配信停止"),
            (MailOptOut { name }, En) => format!("{name} opted out of mail"),
            (MailOptIn { name }, Ja) => format!("{name} さんのメール配信を再開"),
            (MailOptIn { name }, En) => format!("{name} opted in to mail again"),
            (NurtureCheckIn { name }, Ja) => format!("近況伺い（ナーチャリング）: {name}"),
            (NurtureCheckIn { name }, En) => format!("Nurture check-in: {name}"),
            (
                SequenceStepDue {
                    sequence,
                    company,
                    step,
                    call,
                },
                lang,
            ) => match (lang, call) {
                (Ja, true) => format!("追客（{sequence} {step}）: {company}へ電話"),
                (Ja, false) => format!("追客（{sequence} {step}）: {company}へメール"),
                (En, true) => format!("Sequence ({sequence} {step}): call {company}"),
                (En, false) => format!("Sequence ({sequence} {step}): mail {company}"),
            },
            (SequenceLateMail { sequence, company }, Ja) => {
                format!("遅れた自動メールを送るか確認: {company}（{sequence}）")
            }
            (SequenceLateMail { sequence, company }, En) => {
                format!("Confirm a late automatic mail: {company} ({sequence})")
            }
            (SequenceEnrolled { sequence }, Ja) => format!("追客シナリオ開始: {sequence}"),
            (SequenceEnrolled { sequence }, En) => format!("Follow-up sequence started: {sequence}"),
            (SequenceStopped { sequence, reason }, Ja) => {
                format!("追客シナリオ停止: {sequence}（{}）", sequence_reason(reason, lang))
            }
            (SequenceStopped { sequence, reason }, En) => {
                format!(
                    "Follow-up sequence stopped: {sequence} ({})",
                    sequence_reason(reason, lang)
                )
            }
            (
                SequenceWaiting {
                    sequence,
                    reason,
                    until,
                },
                Ja,
            ) => {
                format!(
                    "追客シナリオ待機: {sequence}（{}、{until}まで）",
                    sequence_reason(reason, lang)
                )
            }
            (
                SequenceWaiting {
                    sequence,
                    reason,
                    until,
                },
                En,
            ) => {
                format!(
                    "Follow-up sequence waits: {sequence} ({} until {until})",
                    sequence_reason(reason, lang)
                )
            }
            (SequenceReplied { sequence }, Ja) => format!("追客メールに返信あり: {sequence}"),
            (SequenceReplied { sequence }, En) => format!("Reply to a sequence mail: {sequence}"),
            (SequenceMailSent { sequence, subject }, Ja) => format!("追客メール送信（{sequence}）: {subject}"),
            (SequenceMailSent { sequence, subject }, En) => format!("Sequence mail sent ({sequence}): {subject}"),
            (CompanyMerged { merged }, Ja) => format!("重複を統合: 「{merged}」をこの顧客にまとめました"),
            (CompanyMerged { merged }, En) => format!("Duplicate merged: {merged} is now this customer"),
            (ContactMerged { merged, into }, Ja) => format!("担当者の重複を統合: {merged} → {into}"),
            (ContactMerged { merged, into }, En) => format!("Duplicate contact merged: {merged} into {into}"),
        }
    }

    /// The renderings in every language, one per line (duplicates once): what
    /// the search index holds for an entry the engine wrote.
    pub fn search_text(&self) -> String {
        let mut lines: Vec<String> = Vec::new();
        for lang in Language::ALL {
            let line = self.render(lang);
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        lines.join("\n")
    }

    /// The kind and the parameters (`None` for a kind without any) as the
    /// `text_kind` and `text_params` columns store them.
    pub fn to_columns(&self) -> (String, Option<String>) {
        let value = serde_json::to_value(self).unwrap_or_default();
        let kind = value["kind"].as_str().unwrap_or_default().to_string();
        let params = value.get("params").map(serde_json::Value::to_string);
        (kind, params)
    }

    /// Back from the columns. `None` for a row a person wrote (no kind), and
    /// also for a kind this version does not know (written by a newer
    /// Kizuna): the reader then sees the stored text, which says the same in
    /// the writer's language.
    pub fn from_columns(kind: Option<&str>, params: Option<&str>) -> Option<EngineText> {
        let kind = kind?;
        let mut value = serde_json::json!({ "kind": kind });
        if let Some(p) = params {
            value["params"] = serde_json::from_str(p).ok()?;
        }
        serde_json::from_value(value).ok()
    }

    /// [`EngineText::from_columns`] of two cells as read (`text_kind`,
    /// `text_params`), from either store.
    pub(crate) fn from_cells(kind: Option<String>, params: Option<String>) -> Option<EngineText> {
        EngineText::from_columns(kind.as_deref(), params.as_deref())
    }
}

/// The row text to show when nothing better is known: the engine's words in
/// `lang`, or what a person typed.
pub fn shown(stored: &str, text: Option<&EngineText>, lang: Language) -> String {
    match text {
        Some(t) => t.render(lang),
        None => stored.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// One of every kind, for the tests that must cover them all. The match
    /// makes a new kind a compile error here until it has an example.
    pub(crate) fn examples() -> Vec<EngineText> {
        use EngineText::*;
        let all = vec![
            NextAppointment {
                company: "株式会社テスト".into(),
            },
            DecisionDeadline {
                deal: "基幹システム刷新".into(),
            },
            Reapproach {
                company: "株式会社テスト".into(),
            },
            ChurnReapproach {
                company: "株式会社テスト".into(),
                plan: "年間保守".into(),
            },
            RenewalHearingDue {
                company: "株式会社テスト".into(),
                plan: "年間保守".into(),
            },
            RenewalProposalDue {
                company: "株式会社テスト".into(),
                plan: "年間保守".into(),
            },
            PostRenewalDue {
                company: "株式会社テスト".into(),
                plan: "年間保守".into(),
            },
            StageChanged {
                from: "提案".into(),
                to: "見積".into(),
            },
            MovedToClosing {
                from: "見積".into(),
                to: "クロージング".into(),
                deadline: date("2026-12-09"),
            },
            ContractStarted {
                plan: "年間保守".into(),
                start: date("2026-04-01"),
                end: date("2027-03-31"),
            },
            ContractChanged {
                plan: "年間保守".into(),
                old_end: Some(date("2027-03-31")),
                end: date("2027-06-30"),
                amount: 650_000,
                currency: "JPY".into(),
            },
            RenewalHearingHeld {
                plan: "年間保守".into(),
                satisfaction: 4,
            },
            RenewalProposed {
                plan: "年間保守".into(),
                proposal: ProposalKind::Upsell,
                amount: 600_000,
                new_amount: 720_000,
                currency: "JPY".into(),
            },
            RenewalProcedure {
                plan: "年間保守".into(),
            },
            ContractRenewed {
                plan: "年間保守".into(),
                amount: 600_000,
                new_amount: 720_000,
                currency: "JPY".into(),
                start: date("2027-04-01"),
                end: date("2028-03-31"),
            },
            PostRenewalDone {
                plan: "年間保守".into(),
            },
            ContractChurned {
                plan: "年間保守".into(),
                reason: "予算削減".into(),
            },
            ThankYouSent,
            CaseOpened {
                case_id: "c1".into(),
                number: 12,
                subject: "請求書が届かない".into(),
                category: "complaint".into(),
                channel: "phone".into(),
            },
            CaseReplied {
                case_id: "c1".into(),
                number: 12,
                subject: "請求書が届かない".into(),
            },
            CaseNoted {
                case_id: "c1".into(),
                number: 12,
                subject: "請求書が届かない".into(),
            },
            CaseStatusChanged {
                case_id: "c1".into(),
                number: 12,
                subject: "請求書が届かない".into(),
                from: "in_progress".into(),
                to: "resolved".into(),
            },
            CaseAssigned {
                case_id: "c1".into(),
                number: 12,
                subject: "請求書が届かない".into(),
                assignee: Some("佐藤 花子".into()),
            },
            CasePriorityChanged {
                case_id: "c1".into(),
                number: 12,
                subject: "請求書が届かない".into(),
                from: "normal".into(),
                to: "urgent".into(),
            },
            HandoffPromise {
                company: "株式会社テスト".into(),
                promise: "初期設定の代行".into(),
            },
            CaseToSalesDue {
                company: "株式会社テスト".into(),
                kind: ToSalesKind::Opportunity,
                case_number: 12,
            },
            HandoffSent {
                handoff_id: "h1".into(),
                to: Some("鈴木 花子".into()),
            },
            HandoffQuestion {
                handoff_id: "h1".into(),
            },
            HandoffAnswer {
                handoff_id: "h1".into(),
            },
            HandoffAcknowledged {
                handoff_id: "h1".into(),
                by: "鈴木 花子".into(),
            },
            CaseHandedToSales {
                kind: ToSalesKind::RenewalRisk,
                case_number: 12,
                owner: "田中 太郎".into(),
            },
            LeadReceived {
                number: 3,
                source: "web_form".into(),
            },
            LeadAssigned {
                number: 3,
                owner: Some("佐藤 花子".into()),
            },
            LeadContacted { number: 3 },
            LeadConverted {
                number: 3,
                company: "株式会社テスト".into(),
                source: "exhibition".into(),
            },
            LeadDisqualified {
                number: 3,
                reason: "重複".into(),
            },
            LeadNurtured {
                number: 3,
                reason: "来期検討".into(),
            },
            DealNurtured {
                reason: "予算凍結".into(),
            },
            LeadResurfaced {
                number: 3,
                trigger: "new_inquiry".into(),
            },
            MailOptOut {
                name: "山田 一郎".into(),
            },
            MailOptIn {
                name: "山田 一郎".into(),
            },
            NurtureCheckIn {
                name: "株式会社テスト".into(),
            },
            SequenceStepDue {
                sequence: "資料請求後フォロー".into(),
                company: "株式会社テスト".into(),
                step: 2,
                call: true,
            },
            SequenceLateMail {
                sequence: "資料請求後フォロー".into(),
                company: "株式会社テスト".into(),
            },
            SequenceEnrolled {
                sequence: "資料請求後フォロー".into(),
            },
            SequenceStopped {
                sequence: "資料請求後フォロー".into(),
                reason: "replied".into(),
            },
            SequenceWaiting {
                sequence: "資料請求後フォロー".into(),
                reason: "pushy".into(),
                until: "2026-12-01".into(),
            },
            SequenceReplied {
                sequence: "資料請求後フォロー".into(),
            },
            SequenceMailSent {
                sequence: "資料請求後フォロー".into(),
                subject: "資料送付のご案内".into(),
            },
            CompanyMerged {
                merged: "(株)山田商事".into(),
            },
            ContactMerged {
                merged: "山田 太郎".into(),
                into: "山田太郎".into(),
            },
        ];
        for t in &all {
            match t {
                NextAppointment { .. }
                | DecisionDeadline { .. }
                | Reapproach { .. }
                | ChurnReapproach { .. }
                | RenewalHearingDue { .. }
                | RenewalProposalDue { .. }
                | PostRenewalDue { .. }
                | StageChanged { .. }
                | MovedToClosing { .. }
                | ContractStarted { .. }
                | ContractChanged { .. }
                | RenewalHearingHeld { .. }
                | RenewalProposed { .. }
                | RenewalProcedure { .. }
                | ContractRenewed { .. }
                | PostRenewalDone { .. }
                | ContractChurned { .. }
                | ThankYouSent
                | CaseOpened { .. }
                | CaseReplied { .. }
                | CaseNoted { .. }
                | CaseStatusChanged { .. }
                | CaseAssigned { .. }
                | CasePriorityChanged { .. }
                | HandoffPromise { .. }
                | CaseToSalesDue { .. }
                | HandoffSent { .. }
                | HandoffQuestion { .. }
                | HandoffAnswer { .. }
                | HandoffAcknowledged { .. }
                | CaseHandedToSales { .. }
                | LeadReceived { .. }
                | LeadAssigned { .. }
                | LeadContacted { .. }
                | LeadConverted { .. }
                | LeadDisqualified { .. }
                | LeadNurtured { .. }
                | DealNurtured { .. }
                | LeadResurfaced { .. }
                | MailOptOut { .. }
                | MailOptIn { .. }
                | NurtureCheckIn { .. }
                | SequenceStepDue { .. }
                | SequenceLateMail { .. }
                | SequenceEnrolled { .. }
                | SequenceStopped { .. }
                | SequenceWaiting { .. }
                | SequenceReplied { .. }
                | SequenceMailSent { .. }
                | CompanyMerged { .. }
                | ContactMerged { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_kind_survives_its_columns_and_has_words_in_both_languages() {
        let examples = examples();
        assert_eq!(examples.len(), 51);
        for t in &examples {
            let (kind, params) = t.to_columns();
            assert_eq!(
                EngineText::from_columns(Some(&kind), params.as_deref()).as_ref(),
                Some(t),
                "{kind}"
            );
            let (ja, en) = (t.render(Language::Ja), t.render(Language::En));
            assert!(!ja.is_empty() && !en.is_empty(), "{kind}");
            // Only a bare stage change has no words of its own to translate.
            if !matches!(t, EngineText::StageChanged { .. }) {
                assert_ne!(ja, en, "{kind} is worded in each language");
                assert!(!en.contains(['（', '、', '：']), "{kind}: Japanese punctuation in {en}");
            }
            assert!(t.search_text().contains(&ja) && t.search_text().contains(&en));
        }
    }

    #[test]
    fn the_words_in_each_language() {
        let hearing = EngineText::RenewalHearingDue {
            company: "Acme".into(),
            plan: "Cloud".into(),
        };
        assert_eq!(hearing.render(Language::Ja), "更新ヒアリング: Acme Cloud");
        assert_eq!(hearing.render(Language::En), "Renewal hearing: Acme Cloud");
        let renewed = &examples()[14];
        assert_eq!(
            renewed.render(Language::Ja),
            "契約更新: 年間保守（¥600,000 → ¥720,000、2027-04-01 〜 2028-03-31）"
        );
        assert_eq!(
            renewed.render(Language::En),
            "Contract renewed: 年間保守 (¥600,000 → ¥720,000, 2027-04-01 – 2028-03-31)"
        );
        assert_eq!(EngineText::ThankYouSent.to_columns(), ("thank_you_sent".into(), None));
    }

    #[test]
    fn an_unknown_or_broken_kind_falls_back_to_the_stored_text() {
        assert_eq!(EngineText::from_columns(None, None), None);
        assert_eq!(EngineText::from_columns(Some("from_a_newer_kizuna"), Some("{}")), None);
        assert_eq!(EngineText::from_columns(Some("next_appointment"), Some("{}")), None);
        assert_eq!(
            EngineText::from_columns(Some("next_appointment"), Some("not json")),
            None
        );
        let t = EngineText::NextAppointment { company: "A".into() };
        assert_eq!(shown("stored", None, Language::En), "stored");
        assert_eq!(shown("stored", Some(&t), Language::En), "Next appointment: A");
    }

    #[test]
    fn money_in_minor_units() {
        assert_eq!(money(1_250_000, "JPY"), "¥1,250,000");
        assert_eq!(money(1_250_000, ""), "¥1,250,000");
        assert_eq!(money(12_345, "usd"), "$123.45");
        assert_eq!(money(-5, "EUR"), "-€0.05");
        assert_eq!(money(100_000, "CHF"), "1,000.00 CHF");
    }
}

/// What support hands the account owner from a case; named here because the
/// texts of the hand-off speak of it, and the engine's texts sit below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ToSalesKind {
    /// The customer wants more seats or asks about a higher plan.
    Opportunity,
    /// The contract may not be renewed.
    RenewalRisk,
    /// A complaint that needs the account owner.
    Complaint,
}

impl ToSalesKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ToSalesKind::Opportunity => "opportunity",
            ToSalesKind::RenewalRisk => "renewal_risk",
            ToSalesKind::Complaint => "complaint",
        }
    }
    pub fn parse(s: &str) -> Option<ToSalesKind> {
        match s {
            "opportunity" => Some(ToSalesKind::Opportunity),
            "renewal_risk" => Some(ToSalesKind::RenewalRisk),
            "complaint" => Some(ToSalesKind::Complaint),
            _ => None,
        }
    }
    fn label(self, lang: Language) -> &'static str {
        match (self, lang) {
            (ToSalesKind::Opportunity, Language::Ja) => "商談機会",
            (ToSalesKind::Opportunity, Language::En) => "opportunity",
            (ToSalesKind::RenewalRisk, Language::Ja) => "更新リスク",
            (ToSalesKind::RenewalRisk, Language::En) => "renewal risk",
            (ToSalesKind::Complaint, Language::Ja) => "クレーム",
            (ToSalesKind::Complaint, Language::En) => "complaint",
        }
    }
}

/// What a renewal proposes; named here because the texts of the renewal
/// steps speak of it, and the engine's texts sit below the contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProposalKind {
    Same,
    Upsell,
    /// A cheaper plan that keeps the customer (ダウンセル).
    Downsell,
}

impl ProposalKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ProposalKind::Same => "same",
            ProposalKind::Upsell => "upsell",
            ProposalKind::Downsell => "downsell",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<ProposalKind> {
        match s {
            "same" => Some(ProposalKind::Same),
            "upsell" => Some(ProposalKind::Upsell),
            "downsell" => Some(ProposalKind::Downsell),
            _ => None,
        }
    }
}
