//! Where the table starts and whose export it is. Exports often carry a
//! title, a date or a note on the lines above the column headers, so the
//! header row is the one among the first lines whose cells Kizuna
//! recognises most; the business-card services (Sansan, Eight) are told
//! apart by their own column names.

use super::mapping::{guess_field, ImportKind};
use crate::text::fold;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Lines above the header that a title block plausibly takes.
const HEADER_SEARCH_ROWS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportLayout {
    /// Any sheet: the team's own 営業管理表, another CRM's export.
    Generic,
    /// Sansan's business-card export (氏名 in one column, 名刺交換日, …).
    Sansan,
    /// Eight's export (姓 and 名 apart, e-mail, TEL会社, TEL部門, …).
    Eight,
}

/// The 0-based row that holds the column headers.
pub fn header_row(rows: &[Vec<String>], kind: ImportKind) -> usize {
    let candidates = rows.iter().take(HEADER_SEARCH_ROWS).enumerate();
    let recognised = |r: &Vec<String>| r.iter().filter(|c| guess_field(kind, c).is_some()).count();
    let best = candidates
        .clone()
        .map(|(i, r)| (recognised(r), i))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    match best {
        Some((n, i)) if n > 0 => i,
        // Nothing recognised: the first row as wide as the widest, since a
        // title line has one or two cells and a header has them all.
        _ => {
            let width = |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty()).count();
            let widest = candidates.clone().map(|(_, r)| width(r)).max().unwrap_or(0);
            candidates
                .clone()
                .find(|(_, r)| width(r) == widest)
                .map_or(0, |(i, _)| i)
        }
    }
}

pub fn recognise(headers: &[String]) -> ImportLayout {
    let has = |name: &str| headers.iter().any(|h| fold(h) == fold(name));
    if has("会社名") && has("姓") && has("名") && (has("TEL会社") || has("TEL部門") || has("TEL直通")) {
        ImportLayout::Eight
    } else if has("会社名") && has("氏名") && (has("名刺交換日") || has("所有者") || has("氏名（カナ）"))
    {
        ImportLayout::Sansan
    } else {
        ImportLayout::Generic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_header_is_found_below_a_title_and_a_note() {
        let rows = vec![
            row(&["営業管理表 2024年度"]),
            row(&["出力日: 2024/04/01", "", "社外秘"]),
            row(&[]),
            row(&["No.", "会社名", "業種", "電話番号"]),
            row(&["1", "株式会社山田製作所", "製造", "03-1234-5678"]),
        ];
        assert_eq!(header_row(&rows, ImportKind::Companies), 3);
    }

    #[test]
    fn an_unknown_header_is_the_first_full_width_row() {
        let rows = vec![row(&["一覧"]), row(&["列A", "列B", "列C"]), row(&["x", "y", "z"])];
        assert_eq!(header_row(&rows, ImportKind::Companies), 1);
    }

    #[test]
    fn sansan_and_eight_are_told_apart_by_their_columns() {
        let eight = row(&[
            "会社名",
            "部署名",
            "役職",
            "姓",
            "名",
            "e-mail",
            "郵便番号",
            "住所",
            "TEL会社",
            "TEL部門",
            "TEL直通",
            "Fax",
            "携帯電話",
            "URL",
            "名刺交換日",
        ]);
        let sansan = row(&[
            "会社名",
            "部署名",
            "役職",
            "氏名",
            "氏名（カナ）",
            "メールアドレス",
            "郵便番号",
            "住所",
            "TEL",
            "FAX",
            "携帯電話",
            "URL",
            "名刺交換日",
            "所有者",
        ]);
        assert_eq!(recognise(&eight), ImportLayout::Eight);
        assert_eq!(recognise(&sansan), ImportLayout::Sansan);
        assert_eq!(recognise(&row(&["会社名", "電話"])), ImportLayout::Generic);
    }
}
