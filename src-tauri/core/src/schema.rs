//! Versioned migrations. `PRAGMA user_version` is the schema version and
//! `PRAGMA application_id` marks a file as Kizuna's, so a stray SQLite file of
//! another program is recognised and left untouched.

use crate::error::Result;
use rusqlite::Connection;

/// "KZNA" in ASCII.
pub const APPLICATION_ID: i64 = 0x4B5A_4E41;

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_board.sql"),
];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Db, OpenOptions};

    #[test]
    fn a_version_1_file_is_migrated_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
        }
        let db = Db::open(&path, OpenOptions::new("tanaka", "田中")).unwrap();
        assert_eq!(db.schema_version().unwrap(), CURRENT);
        assert_eq!(CURRENT, 2);
        let count = |sql: &str| -> i64 { db.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(lost_detail) FROM deals"), 0);
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'
                 AND name IN ('follow_ups_deal_open', 'activities_deal_signals', 'deals_stage', 'deals_board')"
            ),
            4
        );
    }
}
