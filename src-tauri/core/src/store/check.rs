//! `kizuna check`: what an admin asks of a team file — is it Kizuna's, is it
//! whole, which schema, which journal, how much is in it — answered without
//! writing to it and without leaving anything beside it.
//!
//! The one write it may cause is SQLite's own rollback of a save that a
//! crash cut off (recovery.rs): without it the file cannot be read at all,
//! and every Kizuna that opens the file does the same. The report says so.

use crate::error::Result;
use crate::store::db::{look_connection, wal_path, Db, Look};
use crate::store::schema;
use std::path::Path;

/// The tables counted, in the order they are printed.
const COUNTED: &[&str] = &[
    "users",
    "companies",
    "contacts",
    "deals",
    "activities",
    "follow_ups",
    "contracts",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// `None` when the file could not be read far enough to know.
    pub schema_version: Option<i64>,
    pub journal: String,
    /// Live rows per table.
    pub counts: Vec<(&'static str, i64)>,
    /// What happened while looking, worth knowing.
    pub notes: Vec<String>,
    /// What is wrong; empty for a healthy file.
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

pub fn check(path: &Path) -> Result<CheckReport> {
    let header = crate::store::recovery::read_header(path).ok().flatten();
    let wal = header.is_some_and(|h| h.wal);
    if wal && std::fs::metadata(wal_path(path)).is_ok_and(|m| m.len() > 0) {
        // Reading it would mean creating the shared-memory file beside it,
        // and what the -wal holds is not in the main file: say so, touch
        // nothing.
        return Ok(CheckReport {
            schema_version: None,
            journal: "wal".into(),
            counts: Vec::new(),
            notes: Vec::new(),
            problems: vec![format!(
                "WAL journal mode, with saves still in {} that only a writer can fold in: \
                 open the file once in Kizuna (it switches the file to the rollback journal, \
                 which is safe on a network share)",
                wal_path(path).display()
            )],
        });
    }
    let inspection = Db::inspect(path)?;
    let conn = look_connection(path, if inspection.wal { Look::Immutable } else { Look::Locked })?;
    let mut problems: Vec<String> = {
        let mut st = conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.filter_map(std::result::Result::ok).filter(|s| s != "ok").collect()
    };
    let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    let journal = if inspection.wal {
        "wal".to_string()
    } else {
        journal.to_lowercase()
    };
    let mut counts = Vec::new();
    // A newer schema may have dropped or renamed a table: count what is there.
    for table in COUNTED {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL");
        if let Ok(n) = conn.query_row(&sql, [], |r| r.get::<_, i64>(0)) {
            counts.push((*table, n));
        }
    }
    if inspection.schema_version > schema::CURRENT {
        problems.push("the database is newer than this Kizuna; update Kizuna".into());
    }
    if inspection.wal {
        problems.push(
            "WAL journal mode is unsafe on a network share: open the file once in Kizuna \
             to switch it to the rollback journal"
                .into(),
        );
    }
    let mut notes = Vec::new();
    if inspection.rolled_back {
        notes.push("a save cut off by a crash was rolled back; every completed save is there".into());
    }
    Ok(CheckReport {
        schema_version: Some(inspection.schema_version),
        journal,
        counts,
        notes,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpenOptions;
    use rusqlite::Connection;

    /// Plain even in the encrypted test run: the WAL cases are another
    /// program's doing in SQLite's plain header.
    fn team(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("team.db");
        drop(Db::create(&path, OpenOptions::new("sato", "佐藤").with_encryption(None)).unwrap());
        path
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_healthy_file_is_counted_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = team(dir.path());
        let r = check(&path).unwrap();
        assert!(r.healthy(), "{r:?}");
        assert_eq!(r.journal, "delete");
        assert_eq!(r.schema_version, Some(schema::CURRENT));
        assert_eq!(r.counts.iter().map(|c| c.0).collect::<Vec<_>>(), COUNTED);
        assert_eq!(names(dir.path()), ["team.db"]);
    }

    #[test]
    fn a_wal_file_is_reported_without_creating_its_side_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = team(dir.path());
        Connection::open(&path)
            .unwrap()
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .unwrap();
        assert_eq!(names(dir.path()), ["team.db"], "closing folded the WAL in");
        let r = check(&path).unwrap();
        assert_eq!(r.journal, "wal");
        assert!(!r.healthy());
        assert!(r.problems[0].contains("WAL"), "{r:?}");
        assert_eq!(r.schema_version, Some(schema::CURRENT), "still read through");
        assert_eq!(names(dir.path()), ["team.db"], "check created nothing");
    }

    #[test]
    fn a_wal_file_with_unfolded_saves_is_reported_and_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = team(dir.path());
        // A program that crashed in WAL mode leaves its saves in the -wal.
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        conn.execute("UPDATE users SET display_name = '田中'", []).unwrap();
        let before = names(dir.path());
        assert!(before.contains(&"team.db-wal".to_string()));
        let r = check(&path).unwrap();
        drop(conn);
        assert!(!r.healthy());
        assert_eq!(r.schema_version, None);
        assert!(r.problems[0].contains("team.db-wal"), "{r:?}");
    }

    #[test]
    fn a_crashed_save_is_rolled_back_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = team(dir.path());
        crate::testutil::crash_mid_save(&path);
        let r = check(&path).unwrap();
        assert!(r.healthy(), "{r:?}");
        assert_eq!(r.notes.len(), 1, "{r:?}");
        assert_eq!(names(dir.path()), ["team.db"]);
    }
}
