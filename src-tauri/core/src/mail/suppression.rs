//! Addresses never to be mailed again, whoever they now belong to in the
//! file: an erased person (privacy/erase.rs) who comes back through an
//! import or a new inquiry is not mailed by a sequence or put on the nurture
//! newsletter (docs/security.md, "Erasure and mail").
//!
//! Kept only as a salted SHA-256 of the folded address: the list answers
//! "is this address suppressed?" without saying whose it was. The salt is
//! the team file's own id, so the same address hashes differently in another
//! team's file. A hash of a mail address is a pseudonym, not anonymous data
//! (anyone holding the file and a guessed address can test it); it is the
//! least the team must keep to honour the request never to be contacted.

use crate::error::Result;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use sha2::{Digest, Sha256};

/// How an address is compared: folded (full-width forms, case) and trimmed,
/// the way opt-outs are compared elsewhere.
fn folded(address: &str) -> String {
    crate::text::fold(address)
}

/// The team's own id (a setting, held as a JSON string): the same address
/// hashes differently in another team. Read as JSON here, not in SQL, whose
/// JSON functions the two stores spell differently.
fn salt<'c>(conn: impl Into<Sql<'c>>) -> Result<String> {
    let stored: Option<String> = conn.into().query_opt(
        "SELECT value FROM settings WHERE key = 'team_file_id'",
        sql::params![],
        |r| r.get(0),
    )?;
    Ok(stored
        .map(|v| match serde_json::from_str::<serde_json::Value>(&v) {
            Ok(serde_json::Value::String(id)) => id,
            _ => v,
        })
        .unwrap_or_default())
}

/// The stored form of `address` in this team file.
pub fn hash<'c>(conn: impl Into<Sql<'c>>, address: &str) -> Result<String> {
    let conn = conn.into();
    let mut h = Sha256::new();
    h.update(b"kizuna-mail-suppression\0");
    h.update(salt(conn)?.as_bytes());
    h.update(b"\0");
    h.update(folded(address).as_bytes());
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `address` must never be mailed.
pub fn is_suppressed<'c>(conn: impl Into<Sql<'c>>, address: &str) -> Result<bool> {
    let conn = conn.into();
    if folded(address).is_empty() {
        return Ok(false);
    }
    let h = hash(conn, address)?;
    conn.query_one(
        "SELECT EXISTS(SELECT 1 FROM mail_suppressions WHERE hash = ?1)",
        sql::params![h],
        |r| r.get(0),
    )
}

/// Adds `address` to the list (once); an empty address is nothing to keep.
pub fn suppress(ctx: &WriteCtx, address: &str) -> Result<()> {
    if folded(address).is_empty() {
        return Ok(());
    }
    let h = hash(ctx.sql(), address)?;
    ctx.sql().execute(
        "INSERT INTO mail_suppressions (hash, reason, added_at) VALUES (?1, 'erased', ?2) ON CONFLICT DO NOTHING",
        sql::params![h, ctx.now],
    )?;
    Ok(())
}
