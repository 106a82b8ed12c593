//! An iCalendar file (RFC 5545) of all-day events, for Outlook, Google
//! Calendar or a phone: CRLF line ends, content lines folded at 75 octets
//! (never inside a UTF-8 character), text escaped (`\\`, `;`, `,`, newlines),
//! and each event's UID derived from the record it comes from, so importing
//! a newer export updates the events instead of adding them twice.

use chrono::NaiveDate;
use std::io::Write;

use crate::error::Result;

/// One all-day event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across exports: the record's id and what the event is of.
    pub uid: String,
    pub day: NaiveDate,
    pub summary: String,
    pub description: String,
    /// When the record last changed (UTC, `YYYYMMDDTHHMMSSZ`): a calendar
    /// keeps the event with the newer stamp.
    pub stamp: String,
    /// Bumped whenever the record changes, so a calendar sees an update.
    pub sequence: i64,
}

pub struct Calendar<W: Write> {
    out: W,
}

impl<W: Write> Calendar<W> {
    pub fn new(mut out: W, name: &str) -> Result<Calendar<W>> {
        for line in [
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            "PRODID:-//Kizuna//Kizuna CRM//JA".to_string(),
            "CALSCALE:GREGORIAN".to_string(),
            "METHOD:PUBLISH".to_string(),
            format!("X-WR-CALNAME:{}", escape(name)),
        ] {
            out.write_all(fold(&line).as_bytes())?;
        }
        Ok(Calendar { out })
    }

    pub fn event(&mut self, e: &Event) -> Result<()> {
        let next = e.day.succ_opt().unwrap_or(e.day);
        let mut lines = vec![
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", escape(&e.uid)),
            format!("DTSTAMP:{}", e.stamp),
            format!("SEQUENCE:{}", e.sequence),
            format!("DTSTART;VALUE=DATE:{}", e.day.format("%Y%m%d")),
            // DTEND is exclusive: an all-day event ends the next day.
            format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
            format!("SUMMARY:{}", escape(&e.summary)),
        ];
        if !e.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        lines.push("TRANSP:TRANSPARENT".to_string());
        lines.push("END:VEVENT".to_string());
        for line in lines {
            self.out.write_all(fold(&line).as_bytes())?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<W> {
        self.out.write_all(b"END:VCALENDAR\r\n")?;
        Ok(self.out)
    }
}

/// TEXT as RFC 5545 3.3.11 writes it.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: at most 75 octets a line, continuation lines
/// starting with a space (which counts), cut only between characters.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_backslash_semicolon_comma_and_newlines() {
        assert_eq!(escape("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
    }

    #[test]
    fn lines_fold_at_75_octets_without_splitting_a_character() {
        assert_eq!(fold("SUMMARY:short"), "SUMMARY:short\r\n");
        // 8 ASCII octets, then 3-octet characters: 8 + 22*3 = 74, the 23rd would pass 75.
        let line = format!("SUMMARY:{}", "更".repeat(30));
        let folded = fold(&line);
        let parts: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(parts[0], format!("SUMMARY:{}", "更".repeat(22)));
        // A continuation line: one space, then up to 74 octets (24 characters).
        assert_eq!(parts[1], format!(" {}", "更".repeat(8)));
        assert!(parts.iter().all(|p| p.len() <= 75));
        // Unfolding gives the line back.
        assert_eq!(folded.replace("\r\n ", "").trim_end(), line);
        let ascii = fold(&"x".repeat(150));
        assert_eq!(
            ascii,
            format!("{}\r\n {}\r\n {}\r\n", "x".repeat(75), "x".repeat(74), "x")
        );
    }

    #[test]
    fn an_all_day_event_is_written_exactly() {
        let mut cal = Calendar::new(Vec::new(), "Kizuna").unwrap();
        cal.event(&Event {
            uid: "follow-up-0190@kizuna".into(),
            day: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            summary: "電話: 山田商事, 見積; 確認".into(),
            description: "1行目\n2行目".into(),
            stamp: "20261201T000000Z".into(),
            sequence: 3,
        })
        .unwrap();
        let text = String::from_utf8(cal.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kizuna//Kizuna CRM//JA\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Kizuna\r\n\
BEGIN:VEVENT\r\nUID:follow-up-0190@kizuna\r\nDTSTAMP:20261201T000000Z\r\nSEQUENCE:3\r\n\
DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n\
SUMMARY:電話: 山田商事\\, 見積\\; 確認\r\nDESCRIPTION:1行目\\n2行目\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
    }
}
