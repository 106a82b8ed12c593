//! The dry run: what the file is (format, encoding, delimiter, header row,
//! whose export), the guessed or saved mapping, and the first rows exactly
//! as they will be stored with every problem of every row. Nothing is
//! written; the user imports only after seeing this.

use super::encoding::TextEncoding;
use super::layout::{self, Layout};
use super::mapping::{self, Field, ImportKind};
use super::plan::{self, OnMatch, PlannedRow, Problem, RowAction};
use super::source::{Delimiter, FileFormat, Sheet};
use crate::error::{Error, ImportProblem, Result};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

/// Rows the preview shows in full, besides every row with a problem.
pub const PREVIEW_ROWS: usize = 20;
/// Rows with problems listed at most (the counts cover all of them).
const PROBLEM_ROWS: usize = 500;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FileInspection {
    pub format: FileFormat,
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<Delimiter>,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// 0-based.
    pub header_row: u32,
    pub headers: Vec<String>,
    /// The first lines of the sheet as they are, so the user can see
    /// where the header is (and pick another row).
    pub top_rows: Vec<Vec<String>>,
    pub layout: Layout,
    /// A field (or none) per header.
    pub columns: Vec<Option<Field>>,
    /// The columns come from the mapping saved for this layout.
    pub saved_mapping: bool,
    /// Rows below the header.
    pub data_rows: u32,
}

pub fn header_of(sheet: &Sheet, kind: ImportKind, header_row: Option<u32>) -> Result<(usize, Vec<String>)> {
    let row = match header_row {
        Some(r) => r as usize,
        None => layout::header_row(&sheet.rows, kind),
    };
    let headers = sheet
        .rows
        .get(row)
        .cloned()
        .ok_or(Error::Import(ImportProblem::Empty))?;
    Ok((row, headers))
}

pub fn inspect(conn: &Connection, sheet: &Sheet, kind: ImportKind, header_row: Option<u32>) -> Result<FileInspection> {
    let (row, headers) = header_of(sheet, kind, header_row)?;
    let key = mapping::layout_key(&headers);
    let saved = mapping::saved(conn, &key, kind)?.filter(|c| c.len() == headers.len());
    Ok(FileInspection {
        format: sheet.format,
        encoding: sheet.encoding,
        delimiter: sheet.delimiter,
        sheets: sheet.sheets.clone(),
        sheet: sheet.sheet.clone(),
        header_row: row as u32,
        top_rows: sheet.rows.iter().take(row + 4).cloned().collect(),
        layout: layout::recognise(&headers),
        saved_mapping: saved.is_some(),
        columns: saved.unwrap_or_else(|| mapping::guess(kind, &headers)),
        data_rows: sheet.rows.len().saturating_sub(row + 1) as u32,
        headers,
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviewRow {
    pub line: u32,
    pub action: RowAction,
    /// The stored value per field of [`Preview::fields`].
    pub values: Vec<String>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Counts {
    pub total: u32,
    pub new: u32,
    pub update: u32,
    pub skip_existing: u32,
    pub skip_duplicate: u32,
    pub errors: u32,
}

impl Counts {
    pub fn of(rows: &[PlannedRow]) -> Counts {
        let mut c = Counts {
            total: rows.len() as u32,
            ..Counts::default()
        };
        for r in rows {
            match r.action {
                RowAction::New => c.new += 1,
                RowAction::Update => c.update += 1,
                RowAction::SkipExisting => c.skip_existing += 1,
                RowAction::SkipDuplicate => c.skip_duplicate += 1,
                RowAction::Error => c.errors += 1,
            }
        }
        c
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Preview {
    pub fields: Vec<Field>,
    /// The first rows, then every further row with a problem.
    pub rows: Vec<PreviewRow>,
    pub counts: Counts,
    /// A field the kind needs is mapped to no column.
    pub missing: Vec<Field>,
}

pub fn preview(
    conn: &Connection,
    sheet: &Sheet,
    kind: ImportKind,
    header_row: u32,
    columns: &[Option<Field>],
    on_match: OnMatch,
) -> Result<Preview> {
    let planned = plan::plan(conn, kind, &sheet.rows, header_row as usize, columns, on_match)?;
    let fields = plan::shown_fields(kind).to_vec();
    let show = |p: &PlannedRow| PreviewRow {
        line: p.line,
        action: p.action,
        values: fields.iter().map(|f| p.record.shown(*f)).collect(),
        problems: p.problems.clone(),
    };
    let mut rows: Vec<PreviewRow> = planned.iter().take(PREVIEW_ROWS).map(show).collect();
    rows.extend(
        planned
            .iter()
            .skip(PREVIEW_ROWS)
            .filter(|p| !p.problems.is_empty())
            .take(PROBLEM_ROWS)
            .map(show),
    );
    let has = |f: Field| columns.contains(&Some(f));
    let mut missing = Vec::new();
    if !has(Field::CompanyName) {
        missing.push(Field::CompanyName);
    }
    match kind {
        ImportKind::Contacts if !has(Field::ContactName) && !has(Field::FamilyName) => missing.push(Field::ContactName),
        ImportKind::Deals if !has(Field::DealTitle) => missing.push(Field::DealTitle),
        _ => {}
    }
    Ok(Preview {
        fields,
        rows,
        counts: Counts::of(&planned),
        missing,
    })
}
