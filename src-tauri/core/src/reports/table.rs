//! A chart's table written for a spreadsheet, as CSV or `.xlsx`, through
//! `writers/` (the same encodings and formula guard as every export).
//!
//! The window sends the table as it shows it (the chart's labels in the
//! user's language, the numbers in full), so the file says exactly what the
//! table view said; the engine only writes it.

use crate::error::{Error, Result};
use crate::writers::csv::{Csv, CsvEncoding};
use crate::writers::xlsx::Xlsx;
use crate::writers::{Cell, TableSink};
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Write};
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

/// One cell: text, or a number a spreadsheet can sum (empty when the chart
/// has no figure there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TableCell {
    Text(String),
    Number(f64),
    Empty,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChartTable {
    /// The chart's title: the sheet's name.
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
}

/// Excel refuses sheet names over 31 characters or with `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect();
    if name.trim().is_empty() {
        "Chart".into()
    } else {
        name
    }
}

/// Writes `table` to `path` (beside it first, then renamed, so a failed
/// write leaves no half file). Returns the rows written.
pub fn write(table: &ChartTable, format: TableFormat, encoding: CsvEncoding, path: &Path) -> Result<u64> {
    if table.rows.iter().any(|r| r.len() != table.header.len()) {
        return Err(Error::invalid("table", "width"));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or(Error::invalid("path", "format"))?;
    let partial = path.with_file_name(format!(".{name}.partial"));
    let written = write_to(table, format, encoding, &partial);
    match written {
        Ok(()) => {
            std::fs::rename(&partial, path)?;
            Ok(table.rows.len() as u64)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn fill(table: &ChartTable, sink: &mut dyn TableSink) -> Result<()> {
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    sink.header(&header)?;
    for row in &table.rows {
        let cells: Vec<Cell> = row
            .iter()
            .map(|c| match c {
                TableCell::Text(s) => Cell::text(s.clone()),
                TableCell::Number(n) => Cell::Number(*n),
                TableCell::Empty => Cell::Empty,
            })
            .collect();
        sink.row(&cells)?;
    }
    Ok(())
}

fn write_to(table: &ChartTable, format: TableFormat, encoding: CsvEncoding, partial: &Path) -> Result<()> {
    match format {
        TableFormat::Xlsx => {
            let mut book = Xlsx::new(&sheet_name(&table.title))?;
            fill(table, &mut book)?;
            book.save(partial)
        }
        TableFormat::Csv => {
            let mut csv = Csv::new(BufWriter::new(std::fs::File::create(partial)?), encoding);
            fill(table, &mut csv)?;
            let mut file = csv.into_inner().into_inner().map_err(|e| e.into_error())?;
            file.flush()?;
            file.sync_all()?;
            Ok(())
        }
    }
}

/// A chart saved as a picture: the PNG the window drew, written as is
/// after checking it is one.
pub fn write_png(bytes: &[u8], path: &Path) -> Result<()> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) {
        return Err(Error::invalid("image", "format"));
    }
    std::fs::write(path, bytes)?;
    Ok(())
}
