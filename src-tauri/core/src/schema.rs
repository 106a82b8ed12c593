//! Versioned migrations. `PRAGMA user_version` is the schema version and
//! `PRAGMA application_id` marks a file as Kizuna's, so a stray SQLite file of
//! another program is recognised and left untouched.

use crate::error::Result;
use rusqlite::Connection;

/// "KZNA" in ASCII.
pub const APPLICATION_ID: i64 = 0x4B5A_4E41;

const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_init.sql")];

/// The newest schema this build knows.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Brings a database from `from` to [`CURRENT`]. The caller holds the write
/// lock (an IMMEDIATE transaction), so exactly one client migrates.
pub(crate) fn migrate(conn: &Connection, from: i64) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        conn.execute_batch(sql)?;
        conn.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
}
