//! The files the engine writes for other programs: a table as CSV (UTF-8
//! with a byte-order mark, or Shift_JIS for older Japanese Excel setups) or
//! as an `.xlsx` workbook, and a calendar as iCalendar (`.ics`).
//!
//! Foundation, like `engine_text/`: no table or domain here, so any folder
//! (the nurture newsletter in `leads/`, the exports in `export/`) writes its
//! files the same way — one rule against formula injection, one encoding
//! decision, one date format (docs/export.md).

pub mod csv;
pub mod ics;
pub mod xlsx;

use crate::error::{Error, Result};
use chrono::{NaiveDate, NaiveDateTime};
use std::borrow::Cow;
use std::path::Path;

/// Writes the file at `path` through `.NAME.partial` beside it (the same
/// folder, so the rename is atomic): a failed write leaves no half file and
/// never replaces a file that was there.
pub fn write_whole<T>(path: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or(Error::invalid("path", "format"))?;
    let partial = path.with_file_name(format!(".{name}.partial"));
    match write(&partial) {
        Ok(written) => {
            std::fs::rename(&partial, path)?;
            Ok(written)
        }
        Err(e) => {
            // Nothing half-written stays behind; the error is what matters.
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// One cell of a table. Numbers and dates stay typed so a spreadsheet can
/// sum and sort them; only text is ever neutralised.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A calendar date (a contract's end): an Excel date, `YYYY-MM-DD` in CSV.
    Date(NaiveDate),
    /// A moment already in the reader's time zone (a touch, a due time).
    DateTime(NaiveDateTime),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// An amount in its currency's minor unit as the number a person reads:
    /// yen have no minor unit, the others two digits (`engine_text::money`).
    pub fn money(amount: i64, currency: &str) -> Cell {
        let code = currency.trim();
        if code.is_empty() || code.eq_ignore_ascii_case("JPY") {
            Cell::Number(amount as f64)
        } else {
            Cell::Number(amount as f64 / 100.0)
        }
    }

    pub fn date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    pub fn date_time(t: Option<NaiveDateTime>) -> Cell {
        t.map_or(Cell::Empty, Cell::DateTime)
    }

    /// The cell as CSV writes it (before neutralising and quoting).
    fn plain(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Number(n) => Cow::Owned(number_text(*n)),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Cell::DateTime(t) => Cow::Owned(t.format("%Y-%m-%d %H:%M").to_string()),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

/// Whole numbers without a trailing `.0`, so `120000` stays `120000`.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// True when a spreadsheet would read the text as a formula (or, with a
/// leading tab or carriage return, could be tricked into one): `=`, `+`,
/// `-`, `@`. OWASP's "CSV injection" list.
pub fn is_formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text a spreadsheet will show, never run: formula-like text gets a
/// leading apostrophe (Excel's own "this is text" mark, which it hides).
pub fn neutralised(s: &str) -> Cow<'_, str> {
    if is_formula_like(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Where a table goes: a header row, then rows of the same width.
pub trait TableSink {
    fn header(&mut self, names: &[&str]) -> crate::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> crate::Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_gets_an_apostrophe_and_everything_else_stays() {
        for s in ["=1+1", "+81 3", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralised(s), format!("'{s}"));
        }
        for s in ["山田", "a=b", "", "1-2", "'quoted"] {
            assert_eq!(neutralised(s), s);
        }
    }

    #[test]
    fn money_is_the_number_a_person_reads() {
        assert_eq!(Cell::money(120_000, "JPY"), Cell::Number(120_000.0));
        assert_eq!(Cell::money(12_345, "USD"), Cell::Number(123.45));
        assert_eq!(Cell::Number(-5.0).plain(), "-5");
        assert_eq!(Cell::Number(1.5).plain(), "1.5");
    }
}
