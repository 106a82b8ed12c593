//! Taking the team's data out (docs/export.md): customers, contacts, deals,
//! the timeline, follow-ups and contracts as an `.xlsx` workbook or a CSV
//! file, and open follow-ups and renewal work as an `.ics` calendar.
//!
//! One file per kind builds its table (the header in the reader's language,
//! then a row per live record, read by column name); `writers/` turns the
//! table into bytes. Reading never takes the write lock, and never holds a
//! read lock long either: rows come in pages of [`PAGE`] by rowid, each page
//! its own short read, so a colleague's save waits at most one page while a
//! 100,000-row export runs — and each page goes straight to the file.
//!
//! The file is written beside its destination under a temporary name and
//! renamed at the end, so a failed export (a Shift_JIS character, a full
//! disk) never leaves half a file where the user expects a whole one.

mod calendar;
mod contacts;
mod contracts;
mod customers;
mod deals;
mod follow_ups;
mod labels;
mod timeline;

use crate::error::{Error, Result};
use crate::language::Language;
use crate::store::sql::{self, Row, Sql};
use crate::writers::csv::{self, CsvEncoding};
use crate::writers::xlsx::Xlsx;
use crate::writers::{write_whole, Cell, TableSink};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Write};
use std::path::Path;
use ts_rs::TS;

/// Rows read per short read transaction.
pub(crate) const PAGE: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportKind {
    Customers,
    Contacts,
    Deals,
    Timeline,
    FollowUps,
    Contracts,
}

impl ExportKind {
    pub fn parse(s: &str) -> Option<ExportKind> {
        match s {
            "customers" => Some(ExportKind::Customers),
            "contacts" => Some(ExportKind::Contacts),
            "deals" => Some(ExportKind::Deals),
            "timeline" => Some(ExportKind::Timeline),
            "follow-ups" | "follow_ups" => Some(ExportKind::FollowUps),
            "contracts" => Some(ExportKind::Contracts),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    /// A calendar: follow-ups, or contracts' renewal work.
    Ics,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "xlsx" => Some(ExportFormat::Xlsx),
            "csv" => Some(ExportFormat::Csv),
            "ics" => Some(ExportFormat::Ics),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    pub kind: ExportKind,
    pub format: ExportFormat,
    /// CSV only; UTF-8 with a byte-order mark unless Shift_JIS is asked for.
    #[serde(default)]
    pub encoding: CsvEncoding,
    /// Only what this member owns (customers and their contacts and
    /// timeline by the customer's owner; deals, contracts by theirs;
    /// follow-ups by assignee).
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Deals only: one pipeline.
    #[serde(default)]
    pub pipeline_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportOutcome {
    /// Data rows (or calendar events) written, the header not counted.
    #[ts(type = "number")]
    pub rows: u64,
    pub path: String,
}

/// What the table builders need besides the connection.
pub(crate) struct Scope<'a> {
    pub conn: Sql<'a>,
    pub lang: Language,
    pub offset: FixedOffset,
    pub owner_id: Option<&'a str>,
    pub pipeline_id: Option<&'a str>,
}

impl Scope<'_> {
    /// Reads `sql` page by page (`?1` the last id seen, `?2` the page size,
    /// `?3` the owner, `?4` the pipeline), each page in its own statement so
    /// no read lock outlives a page. `map` returns the row's id and its
    /// cells. By id, which both stores have (a file's rowid is the file's
    /// own): ids are UUIDv7, so this is still the order rows were made in.
    pub(crate) fn each_page<T>(
        &self,
        sql: &str,
        map: impl Fn(&Row) -> Result<(String, T)>,
        mut take: impl FnMut(T) -> Result<()>,
    ) -> Result<u64> {
        let mut after = String::new();
        let mut count = 0;
        let (owner, pipeline) = (self.owner_id.map(String::from), self.pipeline_id.map(String::from));
        loop {
            let page: Vec<(String, T)> = self
                .conn
                .query(sql, sql::params![after, PAGE, owner, pipeline], |r| map(r))?;
            let n = page.len() as i64;
            for (id, item) in page {
                after = id;
                take(item)?;
                count += 1;
            }
            if n < PAGE {
                return Ok(count);
            }
        }
    }

    /// A stored UTC instant as the reader's local date and time.
    pub(crate) fn local(&self, stored: Option<String>) -> Option<NaiveDateTime> {
        let t = crate::clock::from_db(stored.as_deref()?)?;
        Some(t.with_timezone(&self.offset).naive_local())
    }

    pub(crate) fn ja(&self) -> bool {
        self.lang == Language::Ja
    }

    /// The header for the reader: (Japanese, English) pairs.
    pub(crate) fn header(&self, names: &[(&'static str, &'static str)]) -> Vec<&'static str> {
        names.iter().map(|(ja, en)| if self.ja() { *ja } else { *en }).collect()
    }
}

/// A stored calendar date (`YYYY-MM-DD`).
pub(crate) fn date(stored: Option<String>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(stored.as_deref()?.get(..10)?, "%Y-%m-%d").ok()
}

pub(crate) fn text(r: &Row, column: &str) -> Result<Cell> {
    Ok(Cell::Text(r.get::<Option<String>>(column)?.unwrap_or_default()))
}

/// Writes one kind's table to `sink`; returns the rows written.
fn table(scope: &Scope, kind: ExportKind, sink: &mut dyn TableSink) -> Result<u64> {
    match kind {
        ExportKind::Customers => customers::write(scope, sink),
        ExportKind::Contacts => contacts::write(scope, sink),
        ExportKind::Deals => deals::write(scope, sink),
        ExportKind::Timeline => timeline::write(scope, sink),
        ExportKind::FollowUps => follow_ups::write(scope, sink),
        ExportKind::Contracts => contracts::write(scope, sink),
    }
}

/// The sheet's name in the reader's language.
fn sheet_name(kind: ExportKind, lang: Language) -> &'static str {
    let (ja, en) = match kind {
        ExportKind::Customers => ("顧客", "Customers"),
        ExportKind::Contacts => ("担当者", "Contacts"),
        ExportKind::Deals => ("案件", "Deals"),
        ExportKind::Timeline => ("タイムライン", "Timeline"),
        ExportKind::FollowUps => ("フォローアップ", "Follow-ups"),
        ExportKind::Contracts => ("契約", "Contracts"),
    };
    lang.pick(ja, en)
}

/// Exports `req` to `path` (replacing a file there only once the whole
/// export succeeded). `offset` is the reader's time zone, for dates.
pub fn export<'c>(
    conn: impl Into<Sql<'c>>,
    lang: Language,
    offset: FixedOffset,
    req: &ExportRequest,
    path: &Path,
) -> Result<ExportOutcome> {
    let scope = Scope {
        conn: conn.into(),
        lang,
        offset,
        owner_id: req.owner_id.as_deref().filter(|s| !s.is_empty()),
        pipeline_id: req.pipeline_id.as_deref().filter(|s| !s.is_empty()),
    };
    if req.format == ExportFormat::Ics && !matches!(req.kind, ExportKind::FollowUps | ExportKind::Contracts) {
        return Err(Error::invalid("format", "ics_kind"));
    }
    let rows = write_whole(path, |partial| write_to(&scope, req, partial))?;
    Ok(ExportOutcome {
        rows,
        path: path.display().to_string(),
    })
}

fn write_to(scope: &Scope, req: &ExportRequest, partial: &Path) -> Result<u64> {
    match req.format {
        ExportFormat::Xlsx => {
            let mut book = Xlsx::new(sheet_name(req.kind, scope.lang))?;
            let rows = table(scope, req.kind, &mut book)?;
            book.save(partial)?;
            Ok(rows)
        }
        ExportFormat::Csv => csv::write_file(partial, req.encoding, |csv| table(scope, req.kind, csv)),
        ExportFormat::Ics => {
            let mut file = BufWriter::new(std::fs::File::create(partial)?);
            let rows = calendar::write(scope, req.kind, &mut file)?;
            file.flush()?;
            Ok(rows)
        }
    }
}

#[cfg(test)]
mod tests;
