//! Reading one cell as the value a field holds: dates in every form a
//! Japanese sheet uses (2024/4/1, 2024年4月1日, 令和6年4月1日, R6.4.1, an
//! Excel serial number), amounts with 円, ￥, commas, 万 and full-width
//! digits. A cell that cannot be read is a [`ImportProblemCode`], never a guess.

use crate::text::fold;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What is wrong with a cell or a row; the UI words each in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportProblemCode {
    /// A field the record cannot be saved without is empty.
    Required,
    BadDate,
    BadAmount,
    BadEmail,
    TooLong,
    /// No stage of that name in the pipeline.
    UnknownStage,
    /// A won or lost stage: closing a deal records more than a sheet
    /// holds (won date, lost reason), so such rows are left for the board.
    ClosedStage,
    /// No team member of that name or login.
    UnknownOwner,
    /// A touch's kind that is none of Kizuna's (商談, 電話, メール, …).
    UnknownKind,
    /// A contract period that ends before it starts.
    EndBeforeStart,
    /// Touches and contracts go on companies already in the team file.
    UnknownCompany,
    /// No contact of that name at the company.
    UnknownContact,
    /// The same record appears on an earlier row of the file.
    DuplicateInFile,
    /// Another check of the record failed (see the field).
    Invalid,
}

/// Excel's day number (the 1900 date system, including its 29 February
/// 1900 that never was) as a date.
pub fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    // Day 60 is Excel's phantom 1900-02-29; from 61 on, the base shifts by it.
    let base = NaiveDate::from_ymd_opt(1899, 12, if days >= 61 { 30 } else { 31 })?;
    base.checked_add_signed(Duration::days(days))
}

/// A Japanese era a living customer's dates fall in.
struct Era {
    name: &'static str,
    /// The letter of `R6.4.1`.
    letter: char,
    /// The year before its first.
    offset: i32,
    first: (i32, u32, u32),
    last: (i32, u32, u32),
}

const ERAS: &[Era] = &[
    Era {
        name: "令和",
        letter: 'r',
        offset: 2018,
        first: (2019, 5, 1),
        last: (9999, 12, 31),
    },
    Era {
        name: "平成",
        letter: 'h',
        offset: 1988,
        first: (1989, 1, 8),
        last: (2019, 4, 30),
    },
    Era {
        name: "昭和",
        letter: 's',
        offset: 1925,
        first: (1926, 12, 25),
        last: (1989, 1, 7),
    },
];

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Three numbers from `2024/4/1`, `2024-04-01`, `2024.4.1`, `2024年4月1日`.
fn three_numbers(s: &str) -> Option<(i32, u32, u32)> {
    let s = s.replace(['年', '月', '-', '.'], "/").replace('日', "");
    let parts: Vec<&str> = s.split('/').map(str::trim).collect();
    match parts.as_slice() {
        [y, m, d] => Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)),
        _ => None,
    }
}

pub fn parse_date(raw: &str) -> Result<NaiveDate, ImportProblemCode> {
    let folded = fold(raw);
    // A time after the date (2024/04/01 10:00:00) is not part of a date field.
    let s = folded
        .split(|c: char| c.is_whitespace() || c == 't')
        .next()
        .unwrap_or("")
        .replace('元', "1");
    if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
        return match s.len() {
            8 => ymd(
                s[..4].parse().unwrap_or(0),
                s[4..6].parse().unwrap_or(0),
                s[6..].parse().unwrap_or(0),
            ),
            1..=5 => serial_date(s.parse().unwrap_or(0.0)),
            _ => None,
        }
        .ok_or(ImportProblemCode::BadDate);
    }
    for Era {
        name,
        letter,
        offset,
        first,
        last,
    } in ERAS
    {
        let rest = s.strip_prefix(name).or_else(|| s.strip_prefix(*letter));
        if let Some(rest) = rest {
            let (y, m, d) = three_numbers(rest).ok_or(ImportProblemCode::BadDate)?;
            let date = ymd(offset + y, m, d).ok_or(ImportProblemCode::BadDate)?;
            let in_era = ymd(first.0, first.1, first.2).is_some_and(|f| date >= f)
                && ymd(last.0, last.1, last.2).is_some_and(|l| date <= l);
            return if y >= 1 && in_era {
                Ok(date)
            } else {
                Err(ImportProblemCode::BadDate)
            };
        }
    }
    match three_numbers(&s) {
        // A two-digit year is ambiguous (19xx or 20xx): asked, not guessed.
        Some((y, m, d)) if y >= 1000 => ymd(y, m, d).ok_or(ImportProblemCode::BadDate),
        _ => Err(ImportProblemCode::BadDate),
    }
}

/// Yen (or the currency's minor unit) as a whole number.
pub fn parse_amount(raw: &str) -> Result<i64, ImportProblemCode> {
    let mut s: String = fold(raw)
        .chars()
        .filter(|c| !matches!(c, ',' | '、' | ' ' | '円' | '¥' | '￥' | '\\'))
        .collect();
    s = s.trim_start_matches("jpy").trim_end_matches("jpy").to_string();
    let mut factor = 1.0;
    for (unit, f) in [("億", 100_000_000.0), ("万", 10_000.0), ("千", 1_000.0)] {
        if let Some(stripped) = s.strip_suffix(unit) {
            s = stripped.to_string();
            factor = f;
            break;
        }
    }
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(ImportProblemCode::BadAmount);
    }
    let n: f64 = s.parse().map_err(|_| ImportProblemCode::BadAmount)?;
    let yen = n * factor;
    // 1.5 yen is not an amount; 1.5万 is.
    if yen.fract() != 0.0 || yen > 1e15 {
        return Err(ImportProblemCode::BadAmount);
    }
    Ok(yen as i64)
}

/// A touch's kind as a sheet words it, in Japanese or English; an empty
/// cell is a note (what a log line without a kind is). `None`: not a kind
/// Kizuna knows, which the preview shows rather than guessing.
pub fn parse_touch_kind(cell: &str) -> Option<crate::timeline::activity::ActivityKind> {
    use crate::timeline::activity::ActivityKind::*;
    let k: String = fold(cell).chars().filter(|c| !c.is_whitespace()).collect();
    if k.is_empty() {
        return Some(Note);
    }
    const WORDS: &[(crate::timeline::activity::ActivityKind, &[&str])] = &[
        (
            Meeting,
            &[
                "商談",
                "打合せ",
                "打ち合わせ",
                "打合わせ",
                "面談",
                "訪問",
                "来社",
                "会議",
                "meeting",
                "visit",
                "web会議",
                "オンライン商談",
            ],
        ),
        (Call, &["電話", "tel", "架電", "受電", "call", "phone", "phonecall"]),
        (Email, &["メール", "mail", "email", "e-mail"]),
        (Sns, &["sns", "line", "チャット", "chat"]),
        (Note, &["メモ", "記録", "note", "memo"]),
        (Quote, &["見積", "見積もり", "見積り", "quote", "estimate"]),
        (
            Support,
            &["サポート", "問い合わせ", "問合せ", "お問い合わせ", "support", "inquiry"],
        ),
    ];
    WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| fold(w) == k))
        .map(|(kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_the_forms_japanese_sheets_use() {
        assert_eq!(parse_date("2024/4/1"), Ok(d(2024, 4, 1)));
        assert_eq!(parse_date("2024-04-01"), Ok(d(2024, 4, 1)));
        assert_eq!(parse_date("２０２４年４月１日"), Ok(d(2024, 4, 1)));
        assert_eq!(parse_date("2024/04/01 10:30:00"), Ok(d(2024, 4, 1)));
        assert_eq!(parse_date("20240401"), Ok(d(2024, 4, 1)));
        assert_eq!(parse_date("令和6年4月1日"), Ok(d(2024, 4, 1)));
        assert_eq!(parse_date("令和元年5月1日"), Ok(d(2019, 5, 1)));
        assert_eq!(parse_date("R6.4.1"), Ok(d(2024, 4, 1)));
        assert_eq!(parse_date("平成31年4月30日"), Ok(d(2019, 4, 30)));
        assert_eq!(parse_date("H1.1.8"), Ok(d(1989, 1, 8)));
        assert_eq!(parse_date("昭和64年1月7日"), Ok(d(1989, 1, 7)));
        assert_eq!(parse_date("45383"), Ok(d(2024, 4, 1)));
    }

    #[test]
    fn a_date_that_never_was_is_a_problem_not_a_guess() {
        assert_eq!(parse_date("平成31年5月1日"), Err(ImportProblemCode::BadDate));
        assert_eq!(parse_date("2024/2/30"), Err(ImportProblemCode::BadDate));
        assert_eq!(parse_date("24/4/1"), Err(ImportProblemCode::BadDate));
        assert_eq!(parse_date("来週"), Err(ImportProblemCode::BadDate));
        assert_eq!(parse_date("令和0年4月1日"), Err(ImportProblemCode::BadDate));
    }

    #[test]
    fn excel_serials_count_its_phantom_leap_day() {
        assert_eq!(serial_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(serial_date(59.0), Some(d(1900, 2, 28)));
        assert_eq!(serial_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(serial_date(45383.5), Some(d(2024, 4, 1)));
        assert_eq!(serial_date(0.0), None);
    }

    #[test]
    fn amounts_with_yen_signs_commas_units_and_full_width_digits() {
        assert_eq!(parse_amount("1,200,000円"), Ok(1_200_000));
        assert_eq!(parse_amount("￥1,200,000"), Ok(1_200_000));
        assert_eq!(parse_amount("¥ 980"), Ok(980));
        assert_eq!(parse_amount("１２０万円"), Ok(1_200_000));
        assert_eq!(parse_amount("1.5万"), Ok(15_000));
        assert_eq!(parse_amount("3億"), Ok(300_000_000));
        assert_eq!(parse_amount("-500"), Err(ImportProblemCode::BadAmount));
        assert_eq!(parse_amount("12.5"), Err(ImportProblemCode::BadAmount));
        assert_eq!(parse_amount("未定"), Err(ImportProblemCode::BadAmount));
    }
}
