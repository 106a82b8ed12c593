//! The dry run: what the file is (format, encoding, delimiter, header row,
//! whose export), the guessed or saved mapping, and the first rows exactly
//! as they will be stored with every problem of every row. Nothing is
//! written; the user imports only after seeing this.

use super::encoding::TextEncoding;
use super::layout::{self, ImportLayout};
use super::mapping::{self, ImportField, ImportKind};
use super::plan::{self, ImportRowAction, OnMatch, PlannedRow, RowProblem};
use super::source::{Delimiter, FileFormat, Sheet};
use crate::error::{Error, ImportProblem, Result};
use crate::store::sql::Sql;
use chrono::FixedOffset;
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
    pub layout: ImportLayout,
    /// A field (or none) per header.
    pub columns: Vec<Option<ImportField>>,
    /// The fields a column may be mapped to for this kind.
    pub fields: Vec<ImportField>,
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

pub fn inspect<'c>(
    conn: impl Into<Sql<'c>>,
    sheet: &Sheet,
    kind: ImportKind,
    header_row: Option<u32>,
) -> Result<FileInspection> {
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
        fields: kind.fields().to_vec(),
        columns: saved.unwrap_or_else(|| mapping::guess(kind, &headers)),
        data_rows: sheet.rows.len().saturating_sub(row + 1) as u32,
        headers,
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportPreviewRow {
    pub line: u32,
    pub action: ImportRowAction,
    /// The stored value per field of [`ImportPreview::fields`].
    pub values: Vec<String>,
    pub problems: Vec<RowProblem>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct ImportCounts {
    pub total: u32,
    pub new: u32,
    pub update: u32,
    pub skip_existing: u32,
    pub skip_duplicate: u32,
    pub errors: u32,
}

impl ImportCounts {
    pub fn of(rows: &[PlannedRow]) -> ImportCounts {
        let mut c = ImportCounts {
            total: rows.len() as u32,
            ..ImportCounts::default()
        };
        for r in rows {
            match r.action {
                ImportRowAction::New => c.new += 1,
                ImportRowAction::Update => c.update += 1,
                ImportRowAction::SkipExisting => c.skip_existing += 1,
                ImportRowAction::SkipDuplicate => c.skip_duplicate += 1,
                ImportRowAction::Error => c.errors += 1,
            }
        }
        c
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    pub fields: Vec<ImportField>,
    /// The first rows, then every further row with a problem.
    pub rows: Vec<ImportPreviewRow>,
    pub counts: ImportCounts,
    /// A field the kind needs is mapped to no column.
    pub missing: Vec<ImportField>,
}

pub fn preview<'c>(
    conn: impl Into<Sql<'c>>,
    offset: FixedOffset,
    sheet: &Sheet,
    kind: ImportKind,
    header_row: u32,
    columns: &[Option<ImportField>],
    on_match: OnMatch,
) -> Result<ImportPreview> {
    let planned = plan::plan(conn, offset, kind, &sheet.rows, header_row as usize, columns, on_match)?;
    let fields = plan::shown_fields(kind).to_vec();
    let show = |p: &PlannedRow| ImportPreviewRow {
        line: p.line,
        action: p.action,
        values: fields.iter().map(|f| p.record.shown(*f)).collect(),
        problems: p.problems.clone(),
    };
    let mut rows: Vec<ImportPreviewRow> = planned.iter().take(PREVIEW_ROWS).map(show).collect();
    rows.extend(
        planned
            .iter()
            .skip(PREVIEW_ROWS)
            .filter(|p| !p.problems.is_empty())
            .take(PROBLEM_ROWS)
            .map(show),
    );
    let has = |f: ImportField| columns.contains(&Some(f));
    let mut missing = Vec::new();
    if !has(ImportField::CompanyName) {
        missing.push(ImportField::CompanyName);
    }
    match kind {
        ImportKind::Contacts if !has(ImportField::ContactName) && !has(ImportField::FamilyName) => {
            missing.push(ImportField::ContactName)
        }
        ImportKind::Deals if !has(ImportField::DealTitle) => missing.push(ImportField::DealTitle),
        ImportKind::Touches => missing.extend(
            [ImportField::OccurredOn, ImportField::Summary]
                .into_iter()
                .filter(|f| !has(*f)),
        ),
        ImportKind::Contracts => missing.extend(
            [ImportField::Plan, ImportField::StartDate, ImportField::EndDate]
                .into_iter()
                .filter(|f| !has(*f)),
        ),
        _ => {}
    }
    Ok(ImportPreview {
        fields,
        rows,
        counts: ImportCounts::of(&planned),
        missing,
    })
}
