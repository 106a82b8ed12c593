//! After a crashed save: rolling back the "hot" journal it left.
//!
//! A desktop killed in the middle of a commit (kill -9, a power cut, a laptop
//! lid closing on the only open Kizuna at night) leaves `FILE-journal` with
//! the pages as they were before the save. SQLite puts them back the next
//! time *any* connection that may write reads the file; until then the file
//! holds half a save. A read-only connection cannot do that and SQLite
//! refuses it (`SQLITE_READONLY_ROLLBACK`) — and Kizuna looks at every file
//! through a read-only connection first, so that a wrong pick in a file
//! dialog is never written to. Without this module the last desktop's crash
//! locked the whole team out.
//!
//! The rollback itself stays SQLite's, under SQLite's locks (a read through a
//! read-write connection). What Kizuna adds is the promise it makes for
//! every file it did not create: another program's file is never written,
//! and neither is a damaged one. So before touching the team file it checks
//!
//! 1. the header says the file is Kizuna's (`application_id`), and
//! 2. the rollback gives a healthy file, by rolling back a *copy* of the
//!    file and its journal on this computer and running `quick_check` there.
//!
//! Only then is the team file itself rolled back. A share that refuses
//! writes cannot be recovered from this desktop: the user is told so
//! (`recovery_blocked`), not that the file is read-only in general.

use crate::error::{is_hot_journal_refusal, Error, Result};
use crate::store::schema::APPLICATION_ID;
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the first 100 bytes of an SQLite file say, read without SQLite so
/// that looking creates no side file and takes no lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub application_id: i64,
    /// The file is in WAL mode (read and write format versions 2).
    pub wal: bool,
}

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The header of `path`, or `None` when it is not an SQLite file (too short,
/// or another magic).
pub fn read_header(path: &Path) -> std::io::Result<Option<Header>> {
    let mut bytes = [0u8; 100];
    let mut f = std::fs::File::open(path)?;
    let mut got = 0;
    while got < bytes.len() {
        match f.read(&mut bytes[got..])? {
            0 => return Ok(None),
            n => got += n,
        }
    }
    if &bytes[..16] != MAGIC {
        return Ok(None);
    }
    let id = u32::from_be_bytes([bytes[68], bytes[69], bytes[70], bytes[71]]);
    Ok(Some(Header {
        application_id: i64::from(id),
        wal: bytes[18] == 2 && bytes[19] == 2,
    }))
}

/// The same for an engine error.
pub fn is_hot_journal_error(e: &Error) -> bool {
    matches!(e, Error::Sqlite(s) if is_hot_journal_refusal(s))
}

/// The journal beside `path`.
pub fn journal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// Rolls back the crashed save that `path`'s journal holds, after checking
/// that the file is Kizuna's and that the rollback leaves it healthy.
pub fn roll_back(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    match read_header(path)? {
        Some(h) if h.application_id == APPLICATION_ID => {}
        // Encrypted: the trial below checks it is Kizuna's once decrypted.
        None if crate::store::cipher::looks_encrypted(path).is_some() => {
            crate::store::cipher::ensure_unlocked(path)?;
        }
        _ => return Err(Error::NotKizuna { path: shown }),
    }
    trial_on_a_copy(path)?;
    // The real thing: SQLite rolls the journal back on the first read of a
    // connection allowed to write, holding the exclusive lock meanwhile, so
    // colleagues who open the file at the same moment wait for it.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| blocked_or(e, &shown))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .map_err(|e| blocked_or(e, &shown))?;
    Ok(())
}

fn blocked_or(e: rusqlite::Error, shown: &str) -> Error {
    let refused = is_hot_journal_refusal(&e)
        || matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly)
                | Some(rusqlite::ErrorCode::CannotOpen)
                | Some(rusqlite::ErrorCode::PermissionDenied)
        );
    if refused {
        Error::RecoveryBlocked {
            path: shown.to_string(),
        }
    } else {
        Error::Sqlite(e)
    }
}

/// Rolls back copies of the file and its journal in a temporary folder on
/// this computer and checks the result, so that a damaged team file is
/// reported instead of written to.
fn trial_on_a_copy(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let dir = tempfile_dir()?;
    let copy = dir.path.join("trial.db");
    std::fs::copy(path, &copy)?;
    match std::fs::copy(journal_path(path), journal_path(&copy)) {
        Ok(_) => {}
        // Rolled back by a colleague meanwhile: nothing left to try.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let conn = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let damaged = |detail: String| Error::Damaged {
        path: shown.clone(),
        detail,
    };
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| damaged(format!("after rolling back a crashed save: {e}")))?;
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if check != "ok" || app_id != APPLICATION_ID {
        // A colleague may have rolled the real file back while it was being
        // copied, which makes the copy a mix; the real file decides then.
        if !journal_path(path).exists() {
            return Ok(());
        }
        return Err(damaged(format!("after rolling back a crashed save: {check}")));
    }
    Ok(())
}

/// A private temporary folder on this computer's disk, removed when dropped.
pub(crate) struct TempDir {
    pub(crate) path: PathBuf,
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

pub(crate) fn tempfile_dir() -> Result<TempDir> {
    let path = std::env::temp_dir().join(format!(
        "kizuna-scratch-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&path)?;
    Ok(TempDir { path })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::crash_mid_save;
    use crate::{Db, ErrorCode, OpenOptions};

    fn demo(dir: &Path) -> PathBuf {
        let path = dir.join("team.db");
        let mut db = Db::create(&path, OpenOptions::new("sato", "佐藤")).unwrap();
        crate::app::sample::populate(&mut db).unwrap();
        path
    }

    #[test]
    fn the_last_desktops_crashed_save_is_rolled_back_when_the_next_one_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = demo(dir.path());
        let notes = |p: &Path| -> Vec<Option<String>> {
            let c = Connection::open_with_flags(p, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let mut st = c.prepare("SELECT address FROM companies ORDER BY id").unwrap();
            let rows = st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
            rows
        };
        let before = notes(&path);
        crash_mid_save(&path);
        // What locked the team out: a read-only look is refused.
        let ro = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let refused = ro.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
        assert!(is_hot_journal_refusal(&refused.unwrap_err()));
        drop(ro);

        let db = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
        assert_eq!(db.read_only(), None);
        assert!(!journal_path(&path).exists(), "the journal was played back");
        drop(db);
        assert_eq!(notes(&path), before, "every committed write, none of the half save");
    }

    #[test]
    fn a_read_only_look_rolls_back_too_so_check_and_backup_work() {
        let dir = tempfile::tempdir().unwrap();
        let path = demo(dir.path());
        crash_mid_save(&path);
        let found = Db::inspect(&path).unwrap();
        assert_eq!(found.schema_version, crate::store::schema::CURRENT);
        assert!(found.rolled_back, "the look says it had to roll a crashed save back");
    }

    #[test]
    fn another_programs_file_with_a_hot_journal_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE companies (address TEXT);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
                 INSERT INTO companies SELECT printf('%.2000c', 'a') FROM n;",
            )
            .unwrap();
        }
        crash_mid_save(&path);
        let (file, journal) = (
            std::fs::read(&path).unwrap(),
            std::fs::read(journal_path(&path)).unwrap(),
        );
        assert_eq!(Db::inspect(&path).unwrap_err().code(), ErrorCode::NotKizuna);
        assert_eq!(std::fs::read(&path).unwrap(), file, "not a byte written");
        assert_eq!(
            std::fs::read(journal_path(&path)).unwrap(),
            journal,
            "journal left as it was"
        );
    }

    #[test]
    fn a_damaged_file_with_a_hot_journal_is_reported_and_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = demo(dir.path());
        crash_mid_save(&path);
        // Damage pages of the file as it was before the save that the
        // journal does not hold: rolling back cannot repair those.
        let journal = std::fs::read(journal_path(&path)).unwrap();
        let be = |at: usize| u32::from_be_bytes(journal[at..at + 4].try_into().unwrap()) as usize;
        let (pages_before, sector, page) = (be(16), be(20), be(24));
        // Each sync of the journal starts a segment with its own header.
        let mut restored = std::collections::HashSet::new();
        let mut at = 0;
        while at + 28 <= journal.len() && journal[at..at + 8] == journal[..8] {
            let records = be(at + 8);
            for i in 0..records {
                restored.insert(be(at + sector + i * (page + 8)));
            }
            let end = at + sector + records * (page + 8);
            at = end.div_ceil(sector) * sector;
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let mut damaged = 0;
        for p in (2..=pages_before).rev().filter(|p| !restored.contains(p)).take(30) {
            bytes[(p - 1) * page..p * page].fill(0x5A);
            damaged += 1;
        }
        assert!(damaged >= 10, "enough pages outside the journal ({damaged})");
        std::fs::write(&path, &bytes).unwrap();
        let journal = std::fs::read(journal_path(&path)).unwrap();
        let Err(e) = Db::open(&path, OpenOptions::new("suzuki", "鈴木")) else {
            panic!("a damaged file must not open")
        };
        assert_eq!(e.code(), ErrorCode::Damaged, "{e}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "the damaged file is never written"
        );
        assert_eq!(std::fs::read(journal_path(&path)).unwrap(), journal);
    }

    #[test]
    fn the_header_is_read_without_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.db");
        // SQLite's plain header: an encrypted file shows none (cipher.rs).
        drop(Db::create(&path, OpenOptions::new("sato", "佐藤").with_encryption(None)).unwrap());
        assert_eq!(
            read_header(&path).unwrap(),
            Some(Header {
                application_id: APPLICATION_ID,
                wal: false
            })
        );
        std::fs::write(dir.path().join("short"), b"SQLite format 3\0").unwrap();
        assert_eq!(read_header(&dir.path().join("short")).unwrap(), None);
    }
}
