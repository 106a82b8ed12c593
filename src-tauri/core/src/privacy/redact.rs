//! Finding a person in free text and taking them out: their name as it was
//! written (with or without the space between family and given name, in
//! either width), their mail address in any letter case, and their phone
//! number however its digits are grouped (03-1234-5678, 0312345678,
//! ０３（１２３４）５６７８).
//!
//! Only what identifies the person is replaced; the sentence around it is
//! the team's record of its own work and stays ("［削除済み］様と打合せ").

use serde_json::Value;

/// Shorter names would take ordinary words out of other people's notes.
const MIN_NAME_CHARS: usize = 2;
/// Fewer digits are not a phone number but an amount or a date.
const MIN_PHONE_DIGITS: usize = 6;

/// What identifies one person in text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needles {
    /// Exact spellings, longest first.
    pub names: Vec<String>,
    /// Lower-case ASCII mail addresses.
    pub mails: Vec<String>,
    /// Phone numbers as ASCII digits.
    pub phones: Vec<String>,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

/// A digit in either width, as its ASCII form.
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// What may stand between a phone number's digits.
fn phone_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '‐' | '‑' | '–' | '—' | '―' | 'ー' | '－' | ' ' | '\u{3000}' | '(' | ')' | '（' | '）' | '.' | '・'
    )
}

impl Needles {
    /// Adds a name as written and its spellings with the spaces between
    /// its parts removed, half-width or ideographic.
    pub fn add_name(&mut self, name: &str) {
        let parts: Vec<&str> = name.split(is_space).filter(|p| !p.is_empty()).collect();
        if parts.concat().chars().count() < MIN_NAME_CHARS {
            return;
        }
        for joined in [
            parts.concat(),
            parts.join(" "),
            parts.join("\u{3000}"),
            name.trim().to_string(),
        ] {
            if !self.names.contains(&joined) {
                self.names.push(joined);
            }
        }
        self.names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    pub fn add_mail(&mut self, mail: &str) {
        let m = crate::text::fold(mail).to_ascii_lowercase();
        if m.contains('@') && m.len() >= 5 && !self.mails.contains(&m) {
            self.mails.push(m);
        }
    }

    pub fn add_phone(&mut self, phone: &str) {
        let digits: String = phone.chars().filter_map(digit).collect();
        if digits.len() >= MIN_PHONE_DIGITS && !self.phones.contains(&digits) {
            self.phones.push(digits);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.mails.is_empty() && self.phones.is_empty()
    }

    /// Cheap SQL-side tests that a text may hold one of the needles: every
    /// name and mail exactly, and each phone's last four digits in either
    /// width (a superset the exact match in Rust then narrows).
    pub fn probes(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = self.names.iter().map(|n| (n.clone(), false)).collect();
        out.extend(self.mails.iter().map(|m| (m.clone(), true)));
        for p in &self.phones {
            let tail: String = p.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            let wide: String = tail
                .chars()
                .filter_map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32))
                .collect();
            for t in [tail, wide] {
                if !out.iter().any(|(o, _)| *o == t) {
                    out.push((t, false));
                }
            }
        }
        out
    }
}

/// `text` with every needle replaced by `mark`; `None` when nothing was found.
pub fn redact(text: &str, needles: &Needles, mark: &str) -> Option<String> {
    let mut out = text.to_string();
    for name in &needles.names {
        if out.contains(name.as_str()) {
            out = out.replace(name.as_str(), mark);
        }
    }
    for mail in &needles.mails {
        // ASCII lower-casing keeps every byte where it was, so positions in
        // the lowered copy are positions in the text.
        loop {
            let lowered = out.to_ascii_lowercase();
            let Some(at) = lowered.find(mail.as_str()) else { break };
            out.replace_range(at..at + mail.len(), mark);
        }
    }
    for phone in &needles.phones {
        while let Some((start, end)) = find_phone(&out, phone) {
            out.replace_range(start..end, mark);
        }
    }
    (out != text).then_some(out)
}

/// The byte range of `digits` in `text`, its digits in either width and
/// separated by any of the usual marks, not inside a longer run of digits.
fn find_phone(text: &str, digits: &str) -> Option<(usize, usize)> {
    let want: Vec<char> = digits.chars().collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(start, c)) in chars.iter().enumerate() {
        if digit(c) != Some(want[0]) {
            continue;
        }
        // Not the middle of a longer number.
        if i > 0 && digit(chars[i - 1].1).is_some() {
            continue;
        }
        let mut matched = 0;
        let mut j = i;
        let mut end = start;
        while j < chars.len() && matched < want.len() {
            let (at, ch) = chars[j];
            match digit(ch) {
                Some(d) if d == want[matched] => {
                    matched += 1;
                    end = at + ch.len_utf8();
                }
                Some(_) => break,
                None if phone_separator(ch) && matched > 0 => {}
                None => break,
            }
            j += 1;
        }
        let followed_by_digit = chars
            .get(chars.iter().position(|&(at, _)| at >= end).unwrap_or(chars.len()))
            .is_some_and(|&(_, ch)| digit(ch).is_some());
        if matched == want.len() && !followed_by_digit {
            return Some((start, end));
        }
    }
    None
}

/// A stored value with the needles taken out: a JSON object or array has
/// its strings redacted and stays valid JSON; any other text is redacted as
/// text. `None` when nothing was found.
pub fn redact_stored(stored: &str, needles: &Needles, mark: &str) -> Option<String> {
    let trimmed = stored.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(mut v) = serde_json::from_str::<Value>(stored) {
            return walk(&mut v, needles, mark).then(|| v.to_string());
        }
    }
    redact(stored, needles, mark)
}

fn walk(v: &mut Value, needles: &Needles, mark: &str) -> bool {
    match v {
        Value::String(s) => match redact(s, needles, mark) {
            Some(r) => {
                *s = r;
                true
            }
            None => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |any, i| walk(i, needles, mark) | any),
        Value::Object(map) => map.values_mut().fold(false, |any, i| walk(i, needles, mark) | any),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Needles {
        let mut n = Needles::default();
        n.add_name("鷲頭 瑠璃子");
        n.add_name("わしず るりこ");
        n.add_mail("Ruriko.Washizu@Example.JP");
        n.add_phone("090-1234-5678");
        n
    }

    #[test]
    fn a_name_is_found_with_or_without_its_space_and_the_sentence_stays() {
        let n = person();
        for text in [
            "鷲頭 瑠璃子様と打合せ",
            "鷲頭瑠璃子様と打合せ",
            "鷲頭\u{3000}瑠璃子様と打合せ",
        ] {
            assert_eq!(
                redact(text, &n, "［削除済み］").as_deref(),
                Some("［削除済み］様と打合せ"),
                "{text}"
            );
        }
        assert_eq!(
            redact("鷲頭様と打合せ", &n, "X"),
            None,
            "a family name alone is not attributable"
        );
    }

    #[test]
    fn a_mail_is_found_in_any_case_and_a_phone_however_it_is_grouped() {
        let n = person();
        assert_eq!(
            redact("連絡先: ruriko.washizu@example.jp まで", &n, "X").as_deref(),
            Some("連絡先: X まで")
        );
        assert_eq!(redact("RURIKO.WASHIZU@EXAMPLE.JP", &n, "X").as_deref(), Some("X"));
        for text in [
            "tel 090-1234-5678.",
            "tel 09012345678.",
            "tel ０９０（１２３４）５６７８.",
            "tel 090 1234 5678.",
        ] {
            assert_eq!(redact(text, &n, "X").as_deref(), Some("tel X."), "{text}");
        }
        // A longer number that merely contains the digits is someone else's.
        assert_eq!(redact("口座 1090123456789", &n, "X"), None);
        assert_eq!(redact("金額 5678円", &n, "X"), None);
    }

    #[test]
    fn json_stays_json() {
        let n = person();
        let stored = r#"{"name":{"from":"鷲頭 瑠璃子","to":"鷲頭 瑠璃子"},"count":3}"#;
        let out = redact_stored(stored, &n, "X").unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["name"]["from"], "X");
        assert_eq!(v["count"], 3);
        assert_eq!(redact_stored(r#"{"a":"b"}"#, &n, "X"), None);
    }

    #[test]
    fn names_too_short_to_be_attributable_are_not_looked_for() {
        let mut n = Needles::default();
        n.add_name("林");
        n.add_phone("110");
        n.add_mail("x");
        assert!(n.is_empty());
    }
}
