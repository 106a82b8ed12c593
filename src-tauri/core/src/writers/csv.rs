//! CSV as Excel in Japan reads it: CRLF line ends, every text cell quoted,
//! formula-like text neutralised, and either UTF-8 with a byte-order mark
//! (the default: without the mark Excel guesses Shift_JIS and shows
//! mojibake) or Shift_JIS (CP932, what older setups and some business
//! systems expect).
//!
//! Shift_JIS cannot hold every character (𠮷, emoji, most of Unicode outside
//! JIS X 0208 and the NEC/IBM extensions). Such a character is never
//! dropped or swapped silently: the export stops with
//! [`Error::Unencodable`] naming the row, the column and the character, and
//! the user chooses UTF-8 or fixes the record (docs/export.md).

use super::{neutralised, Cell, TableSink};
use crate::error::{Error, Result};
use encoding_rs::{EncoderResult, SHIFT_JIS};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use ts_rs::TS;

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark, so Excel opens it as UTF-8.
    #[default]
    Utf8,
    /// Shift_JIS as Windows writes it (CP932 / Windows-31J).
    Sjis,
}

impl CsvEncoding {
    pub fn parse(s: &str) -> Option<CsvEncoding> {
        match s {
            "utf8" | "utf-8" => Some(CsvEncoding::Utf8),
            "sjis" | "shift_jis" | "cp932" => Some(CsvEncoding::Sjis),
            _ => None,
        }
    }
}

/// A CSV file at `path` filled by `fill`, flushed and on the disk before
/// it counts as written.
pub fn write_file<T>(
    path: &Path,
    encoding: CsvEncoding,
    fill: impl FnOnce(&mut Csv<BufWriter<File>>) -> Result<T>,
) -> Result<T> {
    let mut csv = Csv::new(BufWriter::new(File::create(path)?), encoding);
    let written = fill(&mut csv)?;
    csv.into_inner().into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(written)
}

pub struct Csv<W: Write> {
    out: W,
    encoding: CsvEncoding,
    columns: Vec<String>,
    /// The spreadsheet row the next line is (the header is row 1).
    line: u64,
    scratch: Vec<u8>,
}

impl<W: Write> Csv<W> {
    pub fn new(out: W, encoding: CsvEncoding) -> Csv<W> {
        Csv {
            out,
            encoding,
            columns: Vec::new(),
            line: 1,
            scratch: Vec::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, cells: &[Cell]) -> Result<()> {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            match cell {
                Cell::Text(s) => {
                    text.push('"');
                    text.push_str(&neutralised(s).replace('"', "\"\""));
                    text.push('"');
                }
                other => text.push_str(&other.plain()),
            }
        }
        text.push_str("\r\n");
        match self.encoding {
            CsvEncoding::Utf8 => self.out.write_all(text.as_bytes())?,
            CsvEncoding::Sjis => {
                self.scratch.clear();
                if let Err(character) = encode_sjis(&text, &mut self.scratch) {
                    return Err(self.unencodable(cells, character));
                }
                self.out.write_all(&self.scratch)?;
            }
        }
        self.line += 1;
        Ok(())
    }

    /// The error for `character`, naming the column it is in.
    fn unencodable(&self, cells: &[Cell], character: char) -> Error {
        let column = cells
            .iter()
            .position(|c| c.plain().contains(character))
            .and_then(|i| self.columns.get(i).cloned())
            .unwrap_or_default();
        Error::Unencodable {
            row: self.line,
            column,
            character: character.to_string(),
        }
    }
}

/// The JIS X 0208 characters that Windows' Shift_JIS (CP932) keeps under
/// another Unicode code point than JIS does: text typed on a Mac (or copied
/// from a JIS-faithful source) has the left one, Excel on Windows reads the
/// right one for the same bytes. The same character on paper, so it is
/// written, not refused: 〜 (WAVE DASH) is 0x8160 like ～.
const JIS_TO_CP932: [(char, char); 7] = [
    ('\u{301C}', '\u{FF5E}'), // 〜 wave dash
    ('\u{2016}', '\u{2225}'), // ‖ double vertical line
    ('\u{2212}', '\u{FF0D}'), // − minus sign
    ('\u{2014}', '\u{2015}'), // — em dash
    ('\u{00A2}', '\u{FFE0}'), // ¢
    ('\u{00A3}', '\u{FFE1}'), // £
    ('\u{00AC}', '\u{FFE2}'), // ¬
];

/// `text` in Shift_JIS appended to `out`, or the first character it has no
/// code for.
pub fn encode_sjis(text: &str, out: &mut Vec<u8>) -> std::result::Result<(), char> {
    let mapped: std::borrow::Cow<str> = if text.contains(|c| JIS_TO_CP932.iter().any(|(jis, _)| *jis == c)) {
        text.chars()
            .map(|c| {
                JIS_TO_CP932
                    .iter()
                    .find(|(jis, _)| *jis == c)
                    .map_or(c, |(_, win)| *win)
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    };
    let mut encoder = SHIFT_JIS.new_encoder();
    let mut rest: &str = &mapped;
    let mut buf = [0u8; 1024];
    loop {
        let (result, read, written) = encoder.encode_from_utf8_without_replacement(rest, &mut buf, true);
        out.extend_from_slice(&buf[..written]);
        rest = &rest[read..];
        match result {
            EncoderResult::InputEmpty => return Ok(()),
            EncoderResult::OutputFull => continue,
            EncoderResult::Unmappable(c) => return Err(c),
        }
    }
}

impl<W: Write> TableSink for Csv<W> {
    fn header(&mut self, names: &[&str]) -> Result<()> {
        self.columns = names.iter().map(|n| n.to_string()).collect();
        if self.encoding == CsvEncoding::Utf8 {
            self.out.write_all("\u{FEFF}".as_bytes())?;
        }
        let cells: Vec<Cell> = names.iter().map(|n| Cell::text(*n)).collect();
        self.line(&cells)
    }

    fn row(&mut self, cells: &[Cell]) -> Result<()> {
        self.line(cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use chrono::NaiveDate;

    fn table(encoding: CsvEncoding, rows: &[Vec<Cell>]) -> Result<Vec<u8>> {
        let mut csv = Csv::new(Vec::new(), encoding);
        csv.header(&["会社名", "金額"])?;
        for r in rows {
            csv.row(r)?;
        }
        Ok(csv.into_inner())
    }

    #[test]
    fn utf8_starts_with_a_byte_order_mark_and_ends_lines_with_crlf() {
        let bytes = table(
            CsvEncoding::Utf8,
            &[vec![Cell::text("髙橋 \"One\", 2行\n目"), Cell::Number(120000.0)]],
        )
        .unwrap();
        let mut expected = vec![0xEF, 0xBB, 0xBF];
        expected.extend_from_slice("\"会社名\",\"金額\"\r\n\"髙橋 \"\"One\"\", 2行\n目\",120000\r\n".as_bytes());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn formula_like_text_is_neutralised_and_numbers_and_dates_stay_numbers() {
        let bytes = table(
            CsvEncoding::Utf8,
            &[
                vec![Cell::text("=HYPERLINK(\"http://x\")"), Cell::Number(-5.0)],
                vec![
                    Cell::text("@SUM(A1)"),
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
                ],
                vec![Cell::text("+81 3"), Cell::Empty],
                vec![Cell::text("-1"), Cell::text("\tcmd")],
            ],
        )
        .unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "\"会社名\",\"金額\"\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-5\r\n\"'@SUM(A1)\",2026-03-31\r\n\"'+81 3\",\r\n\"'-1\",\"'\tcmd\"\r\n"
        );
    }

    #[test]
    fn shift_jis_has_no_byte_order_mark_and_writes_cp932_characters() {
        let bytes = table(CsvEncoding::Sjis, &[vec![Cell::text("髙﨑①"), Cell::Number(1.0)]]).unwrap();
        // 会社名 , 金額 in Shift_JIS, then 髙 (FB FC) 﨑 (FA B1) ① (87 40): the
        // NEC/IBM extensions Windows' CP932 has and plain JIS lacks.
        let mut expected = b"\"".to_vec();
        expected.extend_from_slice(&[0x89, 0xEF, 0x8E, 0xD0, 0x96, 0xBC]);
        expected.extend_from_slice(b"\",\"");
        expected.extend_from_slice(&[0x8B, 0xE0, 0x8A, 0x7A]);
        expected.extend_from_slice(b"\"\r\n\"");
        expected.extend_from_slice(&[0xFB, 0xFC, 0xFA, 0xB1, 0x87, 0x40]);
        expected.extend_from_slice(b"\",1\r\n");
        assert_eq!(bytes, expected);
    }

    #[test]
    fn jis_characters_windows_keeps_elsewhere_are_written_as_windows_reads_them() {
        let mut out = Vec::new();
        // 〜 (U+301C, a Mac's wave dash) and ～ (U+FF5E, Windows') are both 81 60; − is 81 7C.
        encode_sjis("10〜20～30−1", &mut out).unwrap();
        assert_eq!(out, b"10\x81\x6020\x81\x6030\x81\x7C1");
    }

    #[test]
    fn a_character_shift_jis_cannot_hold_stops_the_export_naming_row_column_and_character() {
        let e = table(
            CsvEncoding::Sjis,
            &[
                vec![Cell::text("山田商事"), Cell::Number(1.0)],
                vec![Cell::text("𠮷野家 🍚"), Cell::Number(2.0)],
            ],
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Unencodable);
        match e {
            Error::Unencodable { row, column, character } => {
                assert_eq!((row, column.as_str(), character.as_str()), (3, "会社名", "𠮷"));
            }
            other => panic!("{other:?}"),
        }
    }
}
