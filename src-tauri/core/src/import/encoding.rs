//! Which character encoding a text file is in. Excel in Japan saves "CSV"
//! as Shift_JIS (Windows' CP932), "CSV UTF-8" with a byte-order mark and
//! "Unicode text" as UTF-16 LE with tabs; other systems write UTF-8
//! without a mark. The mark decides when there is one; otherwise valid
//! UTF-8 is UTF-8 (Shift_JIS text of any length is almost never valid
//! UTF-8), and everything else is read as CP932.

use crate::error::{Error, ImportProblem, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// Shift_JIS as Windows writes it (CP932: 髙, 﨑, ①, NEC and IBM extensions).
    ShiftJis,
}

impl TextEncoding {
    pub fn parse(s: &str) -> Option<TextEncoding> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Some(TextEncoding::Utf8),
            "utf16" | "utf16le" => Some(TextEncoding::Utf16Le),
            "utf16be" => Some(TextEncoding::Utf16Be),
            "sjis" | "shiftjis" | "cp932" | "windows31j" => Some(TextEncoding::ShiftJis),
            _ => None,
        }
    }
}

/// The encoding the bytes are most likely in.
pub fn detect(bytes: &[u8]) -> TextEncoding {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        TextEncoding::Utf8
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        TextEncoding::Utf16Le
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        TextEncoding::Utf16Be
    } else if std::str::from_utf8(bytes).is_ok() {
        TextEncoding::Utf8
    } else {
        TextEncoding::ShiftJis
    }
}

/// The text, without a byte-order mark. Bytes that are not valid in the
/// chosen encoding are an error (the user picked the wrong one, or the file
/// is not text), never silently replaced: a name with � stored in the team
/// file would stay wrong.
pub fn decode(bytes: &[u8], encoding: TextEncoding) -> Result<String> {
    let codec = match encoding {
        TextEncoding::Utf8 => encoding_rs::UTF_8,
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        TextEncoding::ShiftJis => encoding_rs::SHIFT_JIS,
    };
    // decode_with_bom_removal strips only the mark of this very encoding.
    let (text, had_errors) = codec.decode_with_bom_removal(bytes);
    if had_errors {
        return Err(Error::Import(ImportProblem::Encoding));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_decides_and_is_not_part_of_the_text() {
        let utf8 = [&[0xEF, 0xBB, 0xBF][..], "会社名".as_bytes()].concat();
        assert_eq!(detect(&utf8), TextEncoding::Utf8);
        assert_eq!(decode(&utf8, TextEncoding::Utf8).unwrap(), "会社名");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("会社名\t電話".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(detect(&utf16), TextEncoding::Utf16Le);
        assert_eq!(decode(&utf16, TextEncoding::Utf16Le).unwrap(), "会社名\t電話");
    }

    #[test]
    fn shift_jis_is_read_as_windows_writes_it_with_its_own_characters() {
        let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode("髙橋 﨑 ① 株式会社");
        assert!(!bad);
        assert_eq!(detect(&bytes), TextEncoding::ShiftJis);
        assert_eq!(decode(&bytes, TextEncoding::ShiftJis).unwrap(), "髙橋 﨑 ① 株式会社");
    }

    #[test]
    fn the_wrong_encoding_is_an_error_not_mojibake() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("株式会社");
        assert_eq!(
            decode(&bytes, TextEncoding::Utf8).unwrap_err().code(),
            crate::error::ErrorCode::ImportEncoding
        );
    }
}
