//! Checks every form's fields go through, so a field means the same thing
//! on every screen. A failure is `Error::Invalid { field, reason }`, which
//! the UI shows beside the field in the user's language, keeping the input.

use crate::error::{Error, Result};

/// A required text field: trimmed, not empty, at most `max` characters.
pub(crate) fn required(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "required"));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(field, "too_long"));
    }
    Ok(v.to_string())
}

/// An optional text field: trimmed, at most `max` characters.
pub(crate) fn optional(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(Error::invalid(field, "too_long"));
    }
    Ok(v.to_string())
}

/// A select in the UI sends "" for "nobody"; store that as NULL.
pub(crate) fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// A currency code: three letters, upper-cased; the yen when left empty.
pub fn currency(c: &str) -> Result<String> {
    let c = c.trim().to_ascii_uppercase();
    if c.is_empty() {
        return Ok("JPY".into());
    }
    if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        return Err(Error::invalid("currency", "format"));
    }
    Ok(c)
}

/// Text for a LIKE pattern with `\` as its escape: `%` and `_` typed by a
/// user are themselves, not wildcards.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
