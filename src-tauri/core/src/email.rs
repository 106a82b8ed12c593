//! Mail addresses: the one check for every address a person types (a
//! contact's e-mail today), and the test a stored address passes before it
//! is put into a `mailto:` link.
//!
//! Practical, not RFC 5322: one address `local@domain`, nothing around it.
//! - No commas, semicolons, spaces or line breaks: a field holding
//!   `a@x,b@y` would become two recipients in a `mailto:` link (and a
//!   sentence pasted into the field is not an address).
//! - The local part is ASCII (letters, digits and `!#$%&'*+-/=?^_{|}~` and
//!   backquote, dots between them): mail to a non-ASCII local part needs
//!   SMTPUTF8 end to end, which Japanese providers and the mail programs of
//!   our users do not offer, so such an address would fail later anyway.
//! - The domain has a dot and labels of letters, digits and hyphens, where
//!   letters may be any script: Japanese domains (`例え.jp`, `日本語.みんな`)
//!   are accepted as typed. A `mailto:` link carries them percent-encoded
//!   in UTF-8, as RFC 6068 allows; the mail program converts them.
//! - Full-width forms an IME produces (`ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ`,
//!   the ideographic full stop `。`) are folded to ASCII before the check,
//!   so such an address is saved in its usual form rather than refused.

use crate::error::{Error, Result};

/// RFC 5321's limit for a forward path.
pub const EMAIL_MAX: usize = 254;
/// RFC 5321's limit for the local part.
const LOCAL_MAX: usize = 64;

/// Why an address is refused (the `reason` of an `invalid` error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Two or more addresses in one field.
    Several,
    /// Not one address of the form local@domain.example.
    Format,
    TooLong,
}

impl Problem {
    pub fn reason(self) -> &'static str {
        match self {
            Problem::Several => "several",
            Problem::Format => "format",
            Problem::TooLong => "too_long",
        }
    }
}

/// Full-width ASCII (U+FF01–FF5E) and the ideographic space and full
/// stops, as a Japanese IME types them, in their ASCII form.
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{3002}' | '\u{FF61}' => '.',
            _ => c,
        })
        .collect()
}

/// Characters that separate addresses in lists people paste: comma and
/// semicolon (Outlook), the Japanese comma, and any white space.
fn is_separator(c: char) -> bool {
    matches!(c, ',' | ';' | '、') || c.is_whitespace()
}

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn dotted(s: &str, part: impl Fn(&str) -> bool) -> bool {
    !s.is_empty() && s.split('.').all(|p| !p.is_empty() && part(p))
}

/// Checks one address that is already trimmed and folded.
fn problem(addr: &str) -> Option<Problem> {
    if addr.chars().count() > EMAIL_MAX {
        return Some(Problem::TooLong);
    }
    let ats = addr.matches('@').count();
    if addr.chars().any(is_separator) {
        return Some(if ats > 1 { Problem::Several } else { Problem::Format });
    }
    let Some((local, domain)) = addr.split_once('@') else {
        return Some(Problem::Format);
    };
    let local_ok = local.len() <= LOCAL_MAX && dotted(local, |p| p.chars().all(is_atext));
    let label_ok =
        |l: &str| l.chars().all(|c| c.is_alphanumeric() || c == '-') && !l.starts_with('-') && !l.ends_with('-');
    let domain_ok = domain.contains('.') && dotted(domain, label_ok);
    if ats != 1 || !local_ok || !domain_ok {
        return Some(Problem::Format);
    }
    None
}

/// An address field as typed: trimmed and folded; empty is allowed (the
/// field is optional). A refusal names `field` and a [`Problem::reason`].
pub fn check(field: &'static str, value: &str) -> Result<String> {
    let addr = fold_width(value).trim().to_string();
    if addr.is_empty() {
        return Ok(addr);
    }
    match problem(&addr) {
        Some(p) => Err(Error::invalid(field, p.reason())),
        None => Ok(addr),
    }
}

/// Whether a stored address is one usable address. Files written before
/// this check (or by hand) may hold `a@x, b@y` or a phone number; those are
/// never put into a `mailto:` link.
pub fn is_valid(stored: &str) -> bool {
    let addr = stored.trim();
    !addr.is_empty() && problem(addr).is_none()
}

/// Percent-encodes UTF-8 bytes, keeping only `keep` and RFC 3986 unreserved
/// characters as they are.
pub(crate) fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A stored address as one recipient of a `mailto:` URL: percent-encoded
/// but for `@` and `+` (a Japanese domain as UTF-8, RFC 6068), so nothing
/// in it can end the address list or start the query. None when it is not
/// one valid address.
pub fn mailto_recipient(stored: &str) -> Option<String> {
    is_valid(stored).then(|| percent_encode(stored.trim(), b"@+"))
}

/// `mailto:` and the address: the link that writes to one person.
pub fn mailto_link(stored: &str) -> Option<String> {
    mailto_recipient(stored).map(|a| format!("mailto:{a}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_invalid;

    #[test]
    fn one_practical_address_is_accepted_as_typed() {
        for ok in [
            "hanako@example.co.jp",
            "hanako.yamada+crm@example.co.jp",
            "o'brien@example.ie",
            "a_b-c@sub-domain.example.com",
            "Sales@EXAMPLE.COM",
            // Japanese (IDN) domains.
            "info@例え.jp",
            "hanako@日本語ドメイン.みんな",
        ] {
            assert_eq!(check("email", ok).unwrap(), ok, "{ok}");
            assert!(is_valid(ok), "{ok}");
        }
        assert_eq!(check("email", "  hanako@example.jp \n").unwrap(), "hanako@example.jp");
        assert_eq!(check("email", "   ").unwrap(), "", "the field is optional");
        assert!(!is_valid(""), "but an empty address is no recipient");
    }

    #[test]
    fn full_width_forms_from_an_ime_are_folded() {
        assert_eq!(
            check("email", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ").unwrap(),
            "hanako@example.co.jp"
        );
        assert_eq!(check("email", "info@例え。jp\u{3000}").unwrap(), "info@例え.jp");
    }

    #[test]
    fn two_addresses_in_one_field_are_refused() {
        for several in [
            "a@x.jp,b@y.jp",
            "a@x.jp, b@y.jp",
            "a@x.jp;b@y.jp",
            "a@x.jp b@y.jp",
            "a@x.jp\nb@y.jp",
            "a@x.jp、b@y.jp",
            "a@x.jp，b@y.jp",
            "a@x.jp；b@y.jp",
        ] {
            assert_invalid(check("email", several), "email", "several");
            assert!(!is_valid(several), "{several}");
        }
    }

    #[test]
    fn what_is_not_one_address_is_refused() {
        for bad in [
            "090-1234-5678",
            "a@b@c.jp",
            "@example.com",
            "hanako@",
            "hanako@example",
            "hanako@.example.com",
            "hanako@example..com",
            "hanako@example.com.",
            "hanako@-example.com",
            ".hanako@example.com",
            "hana..ko@example.com",
            "hana ko@example.com",
            "a@x,b",
            "山田@example.jp",
            "Hanako <hanako@example.jp>",
            "\"hanako\"@example.jp",
            "hanako@[192.168.0.1]",
            "mailto:hanako@example.jp",
            "hanako@example.jp?cc=boss@example.jp",
        ] {
            assert_invalid(check("email", bad), "email", "format");
            assert!(!is_valid(bad), "{bad}");
        }
        let long = format!("{}@example.jp", "a".repeat(250));
        assert_invalid(check("email", &long), "email", "too_long");
        let long_local = format!("{}@example.jp", "a".repeat(65));
        assert_invalid(check("email", &long_local), "email", "format");
    }

    #[test]
    fn a_link_is_made_for_one_valid_address_only() {
        assert_eq!(
            mailto_link(" hanako.yamada+crm@example.co.jp ").as_deref(),
            Some("mailto:hanako.yamada+crm@example.co.jp")
        );
        assert_eq!(
            mailto_link("info@例え.jp").as_deref(),
            Some("mailto:info@%E4%BE%8B%E3%81%88.jp")
        );
        assert_eq!(
            mailto_link("o'brien&co=1@example.ie").as_deref(),
            Some("mailto:o%27brien%26co%3D1@example.ie")
        );
        for stored in [
            "a@x.jp,b@y.jp",
            "a@x.jp; b@y.jp",
            "",
            "090-1234-5678",
            "a@b.jp?cc=c@d.jp",
        ] {
            assert_eq!(mailto_link(stored), None, "{stored}");
        }
    }
}
