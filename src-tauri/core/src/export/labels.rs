//! The words for stored codes in an exported file, in the reader's language
//! (the same words as the UI's catalogues). A code this Kizuna does not
//! know is written as stored: an export is a faithful copy, not a form.

use crate::language::Language;

fn pick(lang: Language, ja: &'static str, en: &'static str) -> String {
    match lang {
        Language::Ja => ja.into(),
        Language::En => en.into(),
    }
}

pub(super) fn segment(code: &str, lang: Language) -> String {
    match code {
        "key" => pick(lang, "重要顧客", "Key"),
        "normal" => pick(lang, "一般", "Normal"),
        "small" => pick(lang, "小口", "Small"),
        other => other.into(),
    }
}

pub(super) fn activity_kind(code: &str, lang: Language) -> String {
    match code {
        "meeting" => pick(lang, "対面", "Meeting"),
        "call" => pick(lang, "電話", "Call"),
        "email" => pick(lang, "メール", "Mail"),
        "sns" => pick(lang, "SNS", "SNS"),
        "note" => pick(lang, "メモ", "Note"),
        "quote" => pick(lang, "見積", "Quote"),
        "support" => pick(lang, "問い合わせ", "Support"),
        "stage_change" => pick(lang, "ステージ変更", "Stage change"),
        "contract" => pick(lang, "契約", "Contract"),
        "handoff" => pick(lang, "引き継ぎ", "Hand-off"),
        "system" => pick(lang, "システム", "System"),
        other => other.into(),
    }
}

pub(super) fn direction(code: Option<&str>, lang: Language) -> String {
    match code {
        Some("outbound") => pick(lang, "こちらから", "Outbound"),
        Some("inbound") => pick(lang, "先方から", "Inbound"),
        Some(other) => other.into(),
        None => String::new(),
    }
}

pub(super) fn follow_up_kind(code: &str, lang: Language) -> String {
    match code {
        "follow_up" => pick(lang, "追客", "Follow-up"),
        "decision_deadline" => pick(lang, "決断期限", "Decision deadline"),
        "reapproach" => pick(lang, "再アプローチ", "Re-approach"),
        "renewal" => pick(lang, "契約更新", "Renewal"),
        "retention" => pick(lang, "定期フォロー", "Retention"),
        "appointment" => pick(lang, "アポイント", "Appointment"),
        other => other.into(),
    }
}

pub(super) fn follow_up_status(code: &str, lang: Language) -> String {
    match code {
        "open" => pick(lang, "未完了", "Open"),
        "done" => pick(lang, "完了", "Done"),
        "cancelled" => pick(lang, "取消", "Cancelled"),
        other => other.into(),
    }
}

pub(super) fn contract_status(code: &str, lang: Language) -> String {
    match code {
        "active" => pick(lang, "契約中", "Active"),
        "in_renewal" => pick(lang, "更新手続き中", "In renewal"),
        "renewed" => pick(lang, "更新済み", "Renewed"),
        "churned" => pick(lang, "解約", "Churned"),
        other => other.into(),
    }
}

pub(super) fn renewal_step(code: Option<&str>, lang: Language) -> String {
    match code {
        None => String::new(),
        Some("hearing") => pick(lang, "ヒアリング", "Hearing"),
        Some("proposal") => pick(lang, "提案", "Proposal"),
        Some("procedure") => pick(lang, "更新手続き", "Procedure"),
        Some("post_renewal") => pick(lang, "更新後フォロー", "Post-renewal"),
        Some(other) => other.into(),
    }
}

pub(super) fn billing(code: &str, lang: Language) -> String {
    match code {
        "monthly" => pick(lang, "月払い", "Monthly"),
        "annual" => pick(lang, "年払い", "Annual"),
        other => other.into(),
    }
}

pub(super) fn yes_no(yes: bool, lang: Language) -> String {
    match (yes, lang) {
        (true, Language::Ja) => "はい".into(),
        (false, Language::Ja) => "いいえ".into(),
        (true, Language::En) => "Yes".into(),
        (false, Language::En) => "No".into(),
    }
}
