//! Reading a file into a table of text cells: an Excel workbook's sheet
//! (calamine, pure Rust, so it builds for Windows too) or delimited text
//! in whatever encoding Excel or a business-card service wrote it.
//!
//! Cells stay text here; what a cell means (a date, an amount) is decided
//! once the column's field is known (value.rs). A spreadsheet's date cell
//! becomes `YYYY-MM-DD` so it reads the same as a typed one.

use super::encoding::{self, TextEncoding};
use super::value::serial_date;
use crate::error::{Error, ImportProblem, Result};
use calamine::Reader;
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileFormat {
    /// Delimited text: CSV, TSV, Excel's "Unicode text".
    Text,
    /// `.xlsx` / `.xlsm` (Office Open XML).
    Xlsx,
    /// `.xls` (the older binary workbook).
    Xls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Delimiter {
    Comma,
    Tab,
    Semicolon,
}

impl Delimiter {
    fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
            Delimiter::Semicolon => b';',
        }
    }
}

/// What the user overrides; `None` lets Kizuna detect it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ReadOptions {
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<Delimiter>,
    pub sheet: Option<String>,
    /// 0-based row of the column headers.
    pub header_row: Option<u32>,
}

/// One sheet (or the text file) as rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub format: FileFormat,
    /// For text: the encoding and delimiter used (detected or chosen).
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<Delimiter>,
    /// A workbook's sheets, in order; the one read is `sheet`.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn read(path: &Path, opts: &ReadOptions) -> Result<Sheet> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::FileMissing {
            path: path.display().to_string(),
        },
        _ => Error::Io(e),
    })?;
    read_bytes(&bytes, opts)
}

pub fn format_of(bytes: &[u8]) -> FileFormat {
    if bytes.starts_with(b"PK\x03\x04") {
        FileFormat::Xlsx
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        FileFormat::Xls
    } else {
        FileFormat::Text
    }
}

pub fn read_bytes(bytes: &[u8], opts: &ReadOptions) -> Result<Sheet> {
    match format_of(bytes) {
        FileFormat::Text => read_text(bytes, opts),
        format => read_workbook(bytes, format, opts),
    }
}

fn unreadable(e: impl std::fmt::Display) -> Error {
    Error::Import(ImportProblem::Unreadable(e.to_string()))
}

fn read_workbook(bytes: &[u8], format: FileFormat, opts: &ReadOptions) -> Result<Sheet> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    let sheets = book.sheet_names();
    let sheet = match &opts.sheet {
        Some(name) if sheets.contains(name) => name.clone(),
        Some(name) => return Err(Error::Import(ImportProblem::UnknownSheet(name.clone()))),
        None => sheets.first().cloned().ok_or(Error::Import(ImportProblem::Empty))?,
    };
    let range = book.worksheet_range(&sheet).map_err(unreadable)?;
    let rows = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
    Ok(Sheet {
        format,
        encoding: None,
        delimiter: None,
        sheets,
        sheet: Some(sheet),
        rows: trimmed(rows),
    })
}

/// A spreadsheet cell as the user sees it: whole numbers without `.0`
/// (a number typed as 45383 stays 45383), dates as `YYYY-MM-DD`.
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => serial_date(dt.as_f64()).map_or_else(|| dt.as_f64().to_string(), |d| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        // #N/A, #REF!: no value.
        Data::Error(_) => String::new(),
    }
}

fn read_text(bytes: &[u8], opts: &ReadOptions) -> Result<Sheet> {
    if bytes.contains(&0)
        && !matches!(encoding::detect(bytes), TextEncoding::Utf16Le | TextEncoding::Utf16Be)
        && opts.encoding.is_none()
    {
        // NUL bytes without a UTF-16 mark: an image, a PDF, a zip.
        return Err(unreadable("binary content"));
    }
    let encoding = opts.encoding.unwrap_or_else(|| encoding::detect(bytes));
    let text = encoding::decode(bytes, encoding)?;
    let delimiter = opts.delimiter.unwrap_or_else(|| guess_delimiter(&text));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(text.as_bytes());
    // The csv reader skips blank lines; they are kept as empty rows so
    // that row numbers are the ones Excel shows for the same file (a cell
    // with a line break stays one row, as in Excel).
    let mut records = reader.records();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for blank in blank_records(&text) {
        if blank {
            rows.push(Vec::new());
        } else if let Some(record) = records.next() {
            rows.push(record.map_err(unreadable)?.iter().map(unguarded).collect());
        }
    }
    Ok(Sheet {
        format: FileFormat::Text,
        encoding: Some(encoding),
        delimiter: Some(delimiter),
        sheets: Vec::new(),
        sheet: None,
        rows: trimmed(rows),
    })
}

/// A CSV cell as it was before an export guarded it against formula
/// injection: Kizuna's export (and the usual advice) puts an apostrophe
/// before text that starts with `=`, `+`, `-`, `@`, tab or CR, so that a
/// spreadsheet shows it instead of running it. Read back, the apostrophe is
/// the guard, not the data: `'-` is `-`, and an export imports as it was.
fn unguarded(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// For each record of the text (a line break inside quotes does not end
/// one), whether it is blank. The csv reader skips blank lines; they are
/// kept as empty rows so that row numbers are the ones Excel shows for the
/// same file.
fn blank_records(text: &str) -> Vec<bool> {
    let mut out = Vec::new();
    let (mut quoted, mut blank) = (false, true);
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                blank = false;
            }
            '\n' if !quoted => {
                out.push(blank);
                blank = true;
            }
            '\r' => {}
            _ => blank = false,
        }
    }
    if !blank {
        out.push(false);
    }
    out
}

/// Without trailing empty cells and rows: Excel often saves a block of
/// empty cells someone once formatted.
fn trimmed(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    for r in &mut rows {
        while r.last().is_some_and(|c| c.trim().is_empty()) {
            r.pop();
        }
    }
    while rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    rows
}

/// The delimiter that splits the first lines most evenly: tab when a line
/// has tabs (names and addresses hold commas, rarely tabs), then the one
/// seen on the most lines.
fn guess_delimiter(text: &str) -> Delimiter {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let score = |c: char| {
        lines.iter().filter(|l| l.contains(c)).count() * 1000
            + lines.iter().map(|l| l.matches(c).count()).sum::<usize>()
    };
    let (tab, comma, semi) = (score('\t'), score(','), score(';'));
    if tab > 0 && tab >= comma {
        Delimiter::Tab
    } else if semi > comma {
        Delimiter::Semicolon
    } else {
        Delimiter::Comma
    }
}
