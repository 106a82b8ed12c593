//! A table as an Excel workbook (`rust_xlsxwriter`): one sheet, the header
//! row bold, frozen and with a filter, dates as real Excel dates, amounts as
//! numbers.
//!
//! Rows are streamed ("constant memory" mode: each finished row goes to a
//! temporary file, strings inline), so a 100,000-row export holds one row
//! in memory, not the whole sheet twice.
//!
//! Text cells are always strings, never formulas; formula-like text is kept
//! exactly as stored but carries Excel's quote-prefix mark, so editing the
//! cell (F2, Enter) keeps it text instead of running it — the same guard the
//! CSV's apostrophe gives, without changing the value.

use super::{is_formula_like, Cell, TableSink};
use crate::error::{Error, Result};
use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use std::path::Path;

pub struct Xlsx {
    book: Workbook,
    text: Format,
    quoted: Format,
    date: Format,
    date_time: Format,
    header: Format,
    row: u32,
    width: u16,
    /// The sheet being written (a disclosure export writes several, one
    /// after the other).
    sheet: usize,
}

fn failed(e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(e) => Error::Io(e),
        other => Error::Internal(format!("xlsx: {other}")),
    }
}

impl Xlsx {
    pub fn new(sheet_name: &str) -> Result<Xlsx> {
        let mut book = Workbook::new();
        book.add_worksheet_with_constant_memory()
            .set_name(sheet_name)
            .map_err(failed)?;
        Ok(Xlsx {
            book,
            text: Format::new(),
            quoted: Format::new().set_quote_prefix(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            date_time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            header: Format::new().set_bold(),
            row: 0,
            width: 0,
            sheet: 0,
        })
    }

    /// Finishes the current sheet and starts the next one: the rows written
    /// from now on go there.
    pub fn next_sheet(&mut self, name: &str) -> Result<()> {
        self.finish_sheet()?;
        self.book
            .add_worksheet_with_constant_memory()
            .set_name(name)
            .map_err(failed)?;
        self.sheet += 1;
        self.row = 0;
        self.width = 0;
        Ok(())
    }

    /// The filter over every written row of the current sheet.
    fn finish_sheet(&mut self) -> Result<()> {
        let last_row = self.row.saturating_sub(1);
        let last_col = self.width.saturating_sub(1);
        let sheet = self.book.worksheet_from_index(self.sheet).map_err(failed)?;
        if self.width > 0 {
            sheet.autofilter(0, 0, last_row, last_col).map_err(failed)?;
        }
        Ok(())
    }

    /// Writes the workbook to `path`: the filter over every written row.
    pub fn save(mut self, path: &Path) -> Result<()> {
        self.finish_sheet()?;
        self.book.save(path).map_err(failed)
    }

    fn write(&mut self, col: u16, cell: &Cell) -> Result<()> {
        let row = self.row;
        let sheet = self.book.worksheet_from_index(self.sheet).map_err(failed)?;
        match cell {
            Cell::Text(s) if is_formula_like(s) => sheet.write_string_with_format(row, col, s, &self.quoted),
            Cell::Text(s) => sheet.write_string_with_format(row, col, s, &self.text),
            Cell::Number(n) => sheet.write_number(row, col, *n),
            Cell::Date(d) => {
                let at = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(failed)?;
                sheet.write_datetime_with_format(row, col, at, &self.date)
            }
            Cell::DateTime(t) => {
                let at = ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
                    .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second() as f64))
                    .map_err(failed)?;
                sheet.write_datetime_with_format(row, col, at, &self.date_time)
            }
            Cell::Empty => return Ok(()),
        }
        .map_err(failed)?;
        Ok(())
    }
}

impl TableSink for Xlsx {
    fn header(&mut self, names: &[&str]) -> Result<()> {
        self.width = names.len() as u16;
        let sheet = self.book.worksheet_from_index(self.sheet).map_err(failed)?;
        for (i, name) in names.iter().enumerate() {
            // Wide enough for a Japanese company name or a date and time.
            sheet.set_column_width(i as u16, 18).map_err(failed)?;
            sheet
                .write_string_with_format(0, i as u16, *name, &self.header)
                .map_err(failed)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        self.row = 1;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<()> {
        for (i, cell) in cells.iter().enumerate() {
            self.write(i as u16, cell)?;
        }
        self.row += 1;
        Ok(())
    }
}
