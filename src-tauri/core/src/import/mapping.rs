//! Which column holds which field. Kizuna guesses from the header's words
//! (Japanese and English, as sales sheets and card services name them);
//! the user corrects the guess, and the mapping they accept is kept for
//! the file's layout so the next export of the same system is mapped
//! already.

use crate::error::Result;
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::text::fold;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// What one import brings in; each row of the file is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportKind {
    Companies,
    /// People, each at a company (found by name, or added with them).
    Contacts,
    /// Deals at companies, with their stage and owner.
    Deals,
    /// Past touches (meetings, calls, mails) on companies' timelines.
    Touches,
    /// Contracts of companies, whose renewal work is planned as a dialog's is.
    Contracts,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Companies => "companies",
            ImportKind::Contacts => "contacts",
            ImportKind::Deals => "deals",
            ImportKind::Touches => "touches",
            ImportKind::Contracts => "contracts",
        }
    }
    pub fn parse(s: &str) -> Option<ImportKind> {
        match s {
            "companies" => Some(ImportKind::Companies),
            "contacts" => Some(ImportKind::Contacts),
            "deals" => Some(ImportKind::Deals),
            "touches" => Some(ImportKind::Touches),
            "contracts" => Some(ImportKind::Contracts),
            _ => None,
        }
    }
    /// The fields a column may hold for this kind.
    pub fn fields(self) -> &'static [ImportField] {
        use ImportField::*;
        match self {
            ImportKind::Companies => &[CompanyName, CompanyKana, Industry, Address, Phone, Website, Owner],
            ImportKind::Contacts => &[
                CompanyName,
                ContactName,
                FamilyName,
                GivenName,
                ContactKana,
                Department,
                Title,
                Email,
                Phone,
                Mobile,
                Address,
                Website,
            ],
            ImportKind::Deals => &[CompanyName, DealTitle, Stage, Amount, ExpectedClose, Owner, Notes],
            ImportKind::Touches => &[CompanyName, OccurredOn, TouchKind, Summary, Body, ContactName],
            ImportKind::Contracts => &[CompanyName, Plan, StartDate, EndDate, Amount, Owner],
        }
    }
}

/// A field a column can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportField {
    CompanyName,
    CompanyKana,
    Industry,
    Address,
    Phone,
    Website,
    Owner,
    /// The person's full name (氏名).
    ContactName,
    /// 姓 and 名 in their own columns (Eight): joined with a space.
    FamilyName,
    GivenName,
    ContactKana,
    /// 部署: kept in front of the job title (a contact has one title line).
    Department,
    Title,
    Email,
    /// 携帯: the contact's phone when no other phone is given.
    Mobile,
    DealTitle,
    Stage,
    Amount,
    ExpectedClose,
    Notes,
    /// The day of a touch.
    OccurredOn,
    /// 商談, 電話, メール…: read as an activity kind.
    TouchKind,
    Summary,
    Body,
    /// A contract's plan (契約, プラン, 商品).
    Plan,
    StartDate,
    EndDate,
}

/// Header words per field, folded (fold: widths, kana, case). Longest
/// first within a field is not needed: a header matches a field when it
/// equals one of its words, or contains one (checked in this order, so
/// 会社名（カナ） is the reading, not the name).
const WORDS: &[(ImportField, &[&str])] = &[
    (
        ImportField::CompanyKana,
        &[
            "会社名(かな)",
            "会社名(ふりがな)",
            "会社名かな",
            "フリガナ(会社)",
            "company kana",
            "よみ(会社)",
            "会社名よみ",
            "ふりがな",
            "フリガナ",
            "よみがな",
        ],
    ),
    (
        ImportField::ContactKana,
        &[
            "氏名(かな)",
            "氏名(ふりがな)",
            "氏名かな",
            "ふりがな",
            "フリガナ",
            "よみがな",
            "name kana",
        ],
    ),
    (
        ImportField::CompanyName,
        &[
            "会社名",
            "社名",
            "取引先名",
            "取引先",
            "顧客名",
            "企業名",
            "法人名",
            "company name",
            "company",
            "organization",
            "account name",
            "account",
        ],
    ),
    (
        ImportField::DealTitle,
        &["案件名", "商談名", "案件", "商談", "deal name", "deal", "opportunity"],
    ),
    (ImportField::FamilyName, &["姓", "last name", "family name", "surname"]),
    (ImportField::GivenName, &["名", "first name", "given name"]),
    (
        ImportField::ContactName,
        &[
            "担当者名",
            "担当者",
            "氏名",
            "お名前",
            "名前",
            "contact name",
            "full name",
            "name",
        ],
    ),
    (
        ImportField::Department,
        &["部署名", "部署", "所属", "部門", "department", "division"],
    ),
    (ImportField::Title, &["役職", "肩書", "job title", "title", "position"]),
    (
        ImportField::Email,
        &["メールアドレス", "メール", "e-mail", "email", "mail"],
    ),
    (ImportField::Mobile, &["携帯電話", "携帯番号", "携帯", "mobile", "cell"]),
    (
        ImportField::Phone,
        &["電話番号", "tel会社", "代表電話", "電話", "tel", "phone", "telephone"],
    ),
    (ImportField::Address, &["住所", "所在地", "address"]),
    (ImportField::Industry, &["業種", "業界", "industry"]),
    (ImportField::Website, &["url", "ホームページ", "website", "web"]),
    (
        ImportField::Stage,
        &["ステージ", "フェーズ", "進捗", "確度", "stage", "phase"],
    ),
    // Before 契約 (the plan) and 金額: 契約開始日 is a start, 契約金額 an amount.
    (
        ImportField::StartDate,
        &[
            "開始日",
            "契約開始日",
            "契約開始",
            "開始",
            "start date",
            "start",
            "period start",
        ],
    ),
    (
        ImportField::EndDate,
        &[
            "終了日",
            "契約終了日",
            "契約終了",
            "満了日",
            "契約満了日",
            "終了",
            "end date",
            "end",
            "period end",
            "expiry",
        ],
    ),
    (
        ImportField::Amount,
        &[
            "金額",
            "契約金額",
            "年額",
            "売上",
            "見込金額",
            "受注金額",
            "amount",
            "value",
            "revenue",
        ],
    ),
    (
        ImportField::Plan,
        &["契約プラン", "プラン", "契約", "商品", "plan", "product", "contract"],
    ),
    (
        ImportField::OccurredOn,
        &["日付", "対応日", "活動日", "実施日", "date", "day"],
    ),
    (
        ImportField::TouchKind,
        &["種別", "区分", "種類", "kind", "type", "activity"],
    ),
    (
        ImportField::Summary,
        &["内容", "件名", "概要", "タイトル", "summary", "subject"],
    ),
    (
        ImportField::Body,
        &["詳細", "メモ", "本文", "details", "body", "notes", "memo"],
    ),
    (
        ImportField::ExpectedClose,
        &[
            "受注予定日",
            "受注予定",
            "契約予定日",
            "完了予定日",
            "expected close",
            "close date",
        ],
    ),
    (
        ImportField::Owner,
        &["営業担当", "担当営業", "自社担当", "owner", "sales rep"],
    ),
    (ImportField::Notes, &["備考", "メモ", "notes", "note", "memo"]),
];

fn normalise(header: &str) -> String {
    fold(header).replace([' ', '_'], " ").replace("  ", " ")
}

/// The field a header names for this kind, if Kizuna recognises it.
pub fn guess_field(kind: ImportKind, header: &str) -> Option<ImportField> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    let allowed = kind.fields();
    // 担当者 in a deals or contracts sheet is the team's own rep, not the
    // customer's person (in a touch log it is the person met).
    if matches!(kind, ImportKind::Deals | ImportKind::Contracts) && h.contains("担当") {
        return Some(ImportField::Owner);
    }
    let usable = |f: &ImportField| allowed.contains(f);
    let exact = WORDS
        .iter()
        .find(|(f, words)| usable(f) && words.iter().any(|w| fold(w) == h));
    // Single-character words (姓, 名) only ever match exactly: 会社名 holds 名.
    let partial = || {
        WORDS
            .iter()
            .find(|(f, words)| usable(f) && words.iter().any(|w| w.chars().count() > 1 && h.contains(&fold(w))))
    };
    exact.or_else(partial).map(|(f, _)| *f)
}

/// A field (or nothing) per column, each field at most once: a second
/// column that looks like the same field (TEL直通 after TEL会社) is left
/// for the user to choose.
pub fn guess(kind: ImportKind, headers: &[String]) -> Vec<Option<ImportField>> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let f = guess_field(kind, h).filter(|f| !taken.contains(f))?;
            taken.push(f);
            Some(f)
        })
        .collect()
}

/// The key of a file layout: its header row, folded, so the same export
/// from the same system finds its saved mapping.
pub fn layout_key(headers: &[String]) -> String {
    headers.iter().map(|h| fold(h)).collect::<Vec<_>>().join("\u{1f}")
}

pub fn saved<'c>(
    conn: impl Into<Sql<'c>>,
    layout_key: &str,
    kind: ImportKind,
) -> Result<Option<Vec<Option<ImportField>>>> {
    let columns: Option<String> = conn.into().query_opt(
        "SELECT columns FROM import_mappings WHERE layout_key = ?1 AND kind = ?2",
        crate::store::sql::params![layout_key, kind.as_str()],
        |r| r.get(0),
    )?;
    // A mapping a newer Kizuna saved with fields this one does not know is
    // not applied (the user maps again) rather than half applied.
    Ok(columns.and_then(|c| serde_json::from_str(&c).ok()))
}

/// Keeps the user's mapping for this layout (the latest one wins: a
/// mapping is a convenience, not a record a colleague edits).
pub fn save(ctx: &WriteCtx, layout_key: &str, kind: ImportKind, columns: &[Option<ImportField>]) -> Result<()> {
    let json = serde_json::to_string(columns).map_err(|e| crate::error::Error::Internal(e.to_string()))?;
    ctx.sql().execute(
        "INSERT INTO import_mappings (layout_key, kind, columns, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (layout_key, kind) DO UPDATE SET columns = excluded.columns, version = import_mappings.version + 1,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        sql::params![layout_key, kind.as_str(), json, ctx.now, ctx.user_id],
    )?;
    ctx.audit(
        Entity::ImportBatch,
        &new_id(),
        "save_mapping",
        json!({ "kind": kind.as_str(), "columns": columns }),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn japanese_and_english_headers_are_recognised() {
        use ImportField::*;
        let h = headers(&["会社名", "会社名（カナ）", "業種", "住所", "電話番号", "ＵＲＬ", "メモ"]);
        assert_eq!(
            guess(ImportKind::Companies, &h),
            vec![
                Some(CompanyName),
                Some(CompanyKana),
                Some(Industry),
                Some(Address),
                Some(Phone),
                Some(Website),
                None
            ]
        );
        let h = headers(&["Company", "Name", "E-mail", "Phone", "Title"]);
        assert_eq!(
            guess(ImportKind::Contacts, &h),
            vec![
                Some(CompanyName),
                Some(ContactName),
                Some(Email),
                Some(Phone),
                Some(Title)
            ]
        );
    }

    #[test]
    fn eight_columns_map_with_the_name_in_two_parts_and_one_phone() {
        use ImportField::*;
        let h = headers(&[
            "会社名",
            "部署名",
            "役職",
            "姓",
            "名",
            "e-mail",
            "TEL会社",
            "TEL直通",
            "携帯電話",
        ]);
        assert_eq!(
            guess(ImportKind::Contacts, &h),
            vec![
                Some(CompanyName),
                Some(Department),
                Some(Title),
                Some(FamilyName),
                Some(GivenName),
                Some(Email),
                Some(Phone),
                None,
                Some(Mobile)
            ]
        );
    }

    #[test]
    fn a_deal_sheets_tantou_is_the_owner() {
        use ImportField::*;
        let h = headers(&["取引先名", "案件名", "ステージ", "金額", "受注予定日", "担当者"]);
        assert_eq!(
            guess(ImportKind::Deals, &h),
            vec![
                Some(CompanyName),
                Some(DealTitle),
                Some(Stage),
                Some(Amount),
                Some(ExpectedClose),
                Some(Owner)
            ]
        );
    }
}
