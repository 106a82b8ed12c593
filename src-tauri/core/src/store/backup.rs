//! Copies of the team file: one a day (the newest [`KEEP_DAILY`] kept
//! unless the team says otherwise), one before every migration (db.rs), and
//! any the user asks for. Where the daily copies are kept is the team's
//! choice ([`Placement`]): on every desktop (so losing the share or one
//! laptop loses no history), only on chosen members' desktops, or in one
//! folder on the share (so a lost laptop carries none). A copy of an
//! encrypted team file is encrypted with the same key (store/cipher.rs),
//! and plain copies left from before the team was encrypted are encrypted
//! when the next daily copy is due.
//!
//! A copy is the file's bytes read in large pieces under one read lock, on
//! a read-only connection of its own ([`copy`]): consistent while colleagues
//! write, never holding the window's connection, and short — SQLite's
//! backup API reads page by page, one round trip each on a share, with the
//! lock held, and starts over whenever a colleague commits in between. A copy is kept only after it passes `quick_check`; old daily
//! copies are pruned only then, so a damaged team file can never push the
//! good copies out.

use crate::error::{Error, Result};
use crate::store::changes::Entity;
use crate::store::db::Db;
use crate::store::write::WriteCtx;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// Daily copies kept; the oldest goes when a new one is taken.
pub const KEEP_DAILY: usize = 14;
/// A daily copy is due when the newest is older than this.
pub const EVERY: Duration = Duration::hours(24);

const DAILY: &str = "kizuna-daily-";
const MANUAL: &str = "kizuna-manual-";
const BEFORE_MIGRATION: &str = "kizuna-before-v";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BackupKind {
    Daily,
    Manual,
    BeforeMigration,
}

/// One copy in the backups folder, for the Settings list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BackupInfo {
    pub path: String,
    pub kind: BackupKind,
    /// When it was taken (UTC, from its name).
    pub taken_at: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%d%H%M%S").to_string()
}

/// Reads `kizuna-daily-20261126093000.db` and its kin.
fn parse(path: &Path) -> Option<(BackupKind, DateTime<Utc>)> {
    let name = path.file_name()?.to_str()?.strip_suffix(".db")?;
    let (kind, rest) = if let Some(r) = name.strip_prefix(DAILY) {
        (BackupKind::Daily, r)
    } else if let Some(r) = name.strip_prefix(MANUAL) {
        (BackupKind::Manual, r)
    } else if let Some(r) = name.strip_prefix(BEFORE_MIGRATION) {
        // kizuna-before-v5-20261126093000
        (BackupKind::BeforeMigration, r.split_once('-')?.1)
    } else {
        return None;
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).take(14).collect();
    let at = chrono::NaiveDateTime::parse_from_str(&digits, "%Y%m%d%H%M%S").ok()?;
    Some((kind, at.and_utc()))
}

/// Every copy in `dir`, newest first. A missing folder is an empty list.
pub fn list(dir: &Path) -> Result<Vec<BackupInfo>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out: Vec<(DateTime<Utc>, BackupInfo)> = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some((kind, at)) = parse(&path) else { continue };
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        out.push((
            at,
            BackupInfo {
                path: path.display().to_string(),
                kind,
                taken_at: crate::clock::to_db(at),
                bytes,
            },
        ));
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    Ok(out.into_iter().map(|(_, b)| b).collect())
}

/// Copies `source` into `dir` as a `kind` backup taken `now`, and checks the
/// copy. A copy that fails the check is removed and reported.
pub fn take(source: &Path, dir: &Path, kind: BackupKind, now: DateTime<Utc>) -> Result<PathBuf> {
    Db::inspect(source)?;
    std::fs::create_dir_all(dir)?;
    let prefix = match kind {
        BackupKind::Daily => DAILY,
        BackupKind::Manual => MANUAL,
        BackupKind::BeforeMigration => return Err(Error::Internal("migration copies are taken by db::open".into())),
    };
    let dest = dir.join(format!("{prefix}{}.db", stamp(now)));
    if dest.exists() {
        return Ok(dest);
    }
    let partial = dest.with_extension("partial");
    clear_partials(dir);
    copy(source, &partial)?;
    if let Err(e) = Db::inspect(&partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &dest)?;
    Ok(dest)
}

/// Copies the team file at `source` to a new file `dest`, consistent while
/// colleagues write: its bytes, read under one read lock. Returns how long
/// the lock was held (colleagues' commits waited at most that long). The
/// caller checks the copy.
pub fn copy(source: &Path, dest: &Path) -> Result<std::time::Duration> {
    crate::store::vfs::install();
    crate::store::cipher::ensure_unlocked(source)?;
    let conn = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if journal.eq_ignore_ascii_case("wal") {
        // Another program left the file in WAL mode: part of it is in the
        // -wal file, which only SQLite's own copy reads.
        let started = std::time::Instant::now();
        conn.backup(rusqlite::MAIN_DB, dest, None)?;
        return Ok(started.elapsed());
    }
    let mut out = std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).create_new(true).open(dest)?);
    // The read lock: taken by the first read of the transaction (which also
    // rolls back a crashed colleague's save first), held until the commit.
    let tx = conn.unchecked_transaction()?;
    tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    let locked = std::time::Instant::now();
    let copied = crate::store::vfs::copy_main_file(&tx, &mut out);
    tx.commit()?;
    let held = locked.elapsed();
    let done = copied
        .and_then(|_| out.into_inner().map_err(|e| e.into_error()))
        .and_then(|f| f.sync_all());
    if let Err(e) = done {
        let _ = std::fs::remove_file(dest);
        return Err(e.into());
    }
    Ok(held)
}

/// Removes copies left half-written by a crash or a lost share (the copy
/// in progress is named `.partial` until it passed its check).
fn clear_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().is_some_and(|x| x == "partial") {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Takes the daily copy when one is due, then prunes to [`KEEP_DAILY`].
/// Returns the new copy, if one was taken.
pub fn daily(source: &Path, dir: &Path, now: DateTime<Utc>) -> Result<Option<PathBuf>> {
    daily_keeping(source, dir, now, KEEP_DAILY)
}

/// Where the team keeps its daily copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CopiesAt {
    /// Every desktop keeps its own (as before this setting existed).
    #[default]
    EachDesktop,
    /// Only the desktops of the members chosen (e.g. the manager's).
    ChosenDesktops,
    /// One folder on the share, beside the team file: no laptop carries any.
    ShareFolder,
}

/// The team setting "where daily copies are kept" (settings table, key
/// `backup_placement`; no migration: the table holds JSON per key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Placement {
    pub at: CopiesAt,
    /// For [`CopiesAt::ChosenDesktops`]: the members whose desktops keep them.
    pub members: Vec<String>,
    /// For [`CopiesAt::ShareFolder`]: the folder's name beside the team file.
    pub folder: String,
    /// Daily copies kept (1–90).
    pub keep: u32,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            at: CopiesAt::EachDesktop,
            members: Vec::new(),
            folder: "kizuna-backups".into(),
            keep: KEEP_DAILY as u32,
        }
    }
}

const PLACEMENT_KEY: &str = "backup_placement";

impl Placement {
    pub fn load(conn: &Connection) -> Result<Placement> {
        let value: Option<String> = conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [PLACEMENT_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(value.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
    }

    pub fn save(&self, ctx: &WriteCtx) -> Result<()> {
        if !(1..=90).contains(&self.keep) {
            return Err(Error::invalid("keep", "range"));
        }
        let folder = self.folder.trim();
        // A plain folder name beside the team file: never a path that leads
        // off the share or onto a laptop.
        if self.at == CopiesAt::ShareFolder
            && (folder.is_empty() || folder.contains(['/', '\\', ':']) || folder == "." || folder == "..")
        {
            return Err(Error::invalid("folder", "format"));
        }
        if self.at == CopiesAt::ChosenDesktops && self.members.is_empty() {
            return Err(Error::invalid("members", "required"));
        }
        let value = serde_json::to_string(&Placement {
            folder: folder.to_string(),
            ..self.clone()
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        ctx.tx()?.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = settings.version + 1,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            rusqlite::params![PLACEMENT_KEY, value, ctx.now, ctx.user_id],
        )?;
        ctx.audit(
            Entity::Settings,
            PLACEMENT_KEY,
            "update",
            serde_json::to_value(self).unwrap_or_default(),
        )?;
        ctx.changed(Entity::Settings, PLACEMENT_KEY, "update")
    }

    /// The folder this desktop keeps daily copies in, if any: `local` (its
    /// own data folder) or the share folder beside `team_file`.
    pub fn folder_for(&self, team_file: &Path, local: &Path, member_id: Option<&str>) -> Option<PathBuf> {
        match self.at {
            CopiesAt::EachDesktop => Some(local.to_path_buf()),
            CopiesAt::ChosenDesktops => member_id
                .is_some_and(|m| self.members.iter().any(|x| x == m))
                .then(|| local.to_path_buf()),
            CopiesAt::ShareFolder => team_file.parent().map(|d| d.join(&self.folder)),
        }
    }
}

/// The daily copy as the team placed it (read from `source` itself), as
/// `member_id` on this desktop: taken where it belongs, the daily copies on
/// this desktop removed when they belong elsewhere, and any plain copy left
/// on this desktop encrypted when the team file is.
pub fn daily_as_placed(
    source: &Path,
    local: &Path,
    member_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<PathBuf>> {
    let placement = {
        let conn = crate::store::db::read_only_connection(source, false)?;
        Placement::load(&conn)?
    };
    if let Some(raw) = crate::store::cipher::key_of(source) {
        protect_copies(local, &raw)?;
    }
    let target = placement.folder_for(source, local, member_id);
    if target.as_deref() != Some(local) {
        remove_daily(local)?;
    }
    match target {
        Some(dir) => daily_keeping(source, &dir, now, placement.keep as usize),
        None => Ok(None),
    }
}

/// Encrypts with `raw` every plain copy in `dir` (taken before the team
/// file was encrypted).
pub fn protect_copies(dir: &Path, raw: &crate::store::cipher::RawKey) -> Result<()> {
    for b in list(dir)? {
        let path = Path::new(&b.path);
        if crate::store::recovery::read_header(path).ok().flatten().is_some() {
            crate::store::cipher::encrypt_local_copy(path, raw)?;
        }
    }
    Ok(())
}

fn remove_daily(dir: &Path) -> Result<()> {
    for b in list(dir)?.iter().filter(|b| b.kind == BackupKind::Daily) {
        std::fs::remove_file(&b.path)?;
    }
    Ok(())
}

/// Every copy this desktop keeps in `dir` (a desktop leaving its team):
/// how many were removed.
pub fn remove_all(dir: &Path) -> Result<usize> {
    let all = list(dir)?;
    for b in &all {
        std::fs::remove_file(&b.path)?;
    }
    clear_partials(dir);
    Ok(all.len())
}

fn daily_keeping(source: &Path, dir: &Path, now: DateTime<Utc>, keep: usize) -> Result<Option<PathBuf>> {
    let existing = list(dir)?;
    let newest = existing
        .iter()
        .filter(|b| b.kind == BackupKind::Daily)
        .find_map(|b| parse(Path::new(&b.path)).map(|(_, at)| at));
    if newest.is_some_and(|at| now - at < EVERY) {
        return Ok(None);
    }
    let taken = take(source, dir, BackupKind::Daily, now)?;
    for old in list(dir)?.iter().filter(|b| b.kind == BackupKind::Daily).skip(keep) {
        std::fs::remove_file(&old.path)?;
    }
    Ok(Some(taken))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::file_fixture;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn copies_taken_while_a_colleague_saves_are_whole() {
        let f = file_fixture();
        let path = f.db.path().to_path_buf();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut db = Db::open(&path, crate::OpenOptions::new("suzuki", "鈴木")).unwrap();
                for i in 0..150 {
                    db.write(|ctx| {
                        crate::customers::company::create(
                            ctx,
                            &crate::customers::company::NewCompany {
                                name: format!("コピー中の会社{i}"),
                                ..Default::default()
                            },
                        )
                    })
                    .unwrap();
                }
            })
        };
        let dir = tempfile::tempdir().unwrap();
        let mut seen = Vec::new();
        for k in 0..8 {
            let dest = dir.path().join(format!("copy-{k}.db"));
            copy(&path, &dest).unwrap();
            Db::inspect(&dest).unwrap();
            let conn = Connection::open(&dest).unwrap();
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM companies WHERE name LIKE 'コピー中の会社%'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            // A commit is in a copy whole or not at all: the change log
            // holds exactly one entry per company copied.
            let logged: i64 = conn
                .query_row(
                    "SELECT count(*) FROM change_log c JOIN companies co ON co.id = c.entity_id
                     WHERE co.name LIKE 'コピー中の会社%'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, logged);
            seen.push(n);
        }
        writer.join().unwrap();
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    }

    #[test]
    fn one_copy_a_day_and_the_newest_fourteen_kept() {
        let f = file_fixture();
        let dir = f._dir.path().join("backups");
        let start = at("2026-11-01T09:00:00Z");
        assert!(daily(f.db.path(), &dir, start).unwrap().is_some());
        // Later the same day: not due.
        assert!(daily(f.db.path(), &dir, start + Duration::hours(5)).unwrap().is_none());
        for day in 1..20 {
            assert!(daily(f.db.path(), &dir, start + Duration::days(day)).unwrap().is_some());
        }
        let kept = list(&dir).unwrap();
        assert_eq!(kept.len(), KEEP_DAILY);
        assert_eq!(kept[0].taken_at, crate::clock::to_db(start + Duration::days(19)));
        assert_eq!(kept[13].taken_at, crate::clock::to_db(start + Duration::days(6)));
        // Each is a healthy Kizuna database.
        for b in &kept {
            Db::inspect(Path::new(&b.path)).unwrap();
        }
    }

    #[test]
    fn daily_copies_go_where_the_team_placed_them() {
        let mut f = file_fixture();
        let me = f.db.member().unwrap().id.clone();
        let local = f._dir.path().join("laptop-backups");
        let start = at("2026-11-01T09:00:00Z");
        // Each desktop (the default): on this laptop.
        daily_as_placed(f.db.path(), &local, Some(&me), start).unwrap();
        assert_eq!(list(&local).unwrap().len(), 1);
        // Only a colleague's desktop: this laptop's daily copies go.
        let chosen = Placement {
            at: CopiesAt::ChosenDesktops,
            members: vec!["someone-else".into()],
            ..Placement::default()
        };
        f.db.write(|ctx| chosen.save(ctx)).unwrap();
        assert!(
            daily_as_placed(f.db.path(), &local, Some(&me), start + Duration::days(1))
                .unwrap()
                .is_none()
        );
        assert!(list(&local).unwrap().is_empty());
        // A folder on the share, three kept: none on the laptop.
        let share = Placement {
            at: CopiesAt::ShareFolder,
            folder: "kizuna-backups".into(),
            keep: 3,
            ..Placement::default()
        };
        f.db.write(|ctx| share.save(ctx)).unwrap();
        for day in 2..8 {
            daily_as_placed(f.db.path(), &local, Some(&me), start + Duration::days(day)).unwrap();
        }
        assert!(list(&local).unwrap().is_empty());
        let on_share = f.db.path().parent().unwrap().join("kizuna-backups");
        assert_eq!(list(&on_share).unwrap().len(), 3);
        // A folder name that leads off the share is refused.
        let away = Placement {
            folder: "../../home".into(),
            ..share
        };
        assert_eq!(
            f.db.write(|ctx| away.save(ctx)).unwrap_err().code(),
            crate::ErrorCode::Invalid
        );
        assert_eq!(remove_all(&on_share).unwrap(), 3);
    }

    #[test]
    fn a_copy_left_half_written_is_cleared_by_the_next() {
        let f = file_fixture();
        let dir = f._dir.path().join("backups");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kizuna-daily-20261101090000.partial"), b"half").unwrap();
        daily(f.db.path(), &dir, at("2026-11-02T09:00:00Z")).unwrap();
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["kizuna-daily-20261102090000.db"]);
    }

    #[test]
    fn pruning_spares_migration_and_manual_copies() {
        let f = file_fixture();
        let dir = f._dir.path().join("backups");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(f.db.path(), dir.join("kizuna-before-v5-20250101000000.db")).unwrap();
        take(f.db.path(), &dir, BackupKind::Manual, at("2025-01-02T00:00:00Z")).unwrap();
        let start = at("2026-11-01T09:00:00Z");
        for day in 0..16 {
            daily(f.db.path(), &dir, start + Duration::days(day)).unwrap();
        }
        let kinds: Vec<BackupKind> = list(&dir).unwrap().iter().map(|b| b.kind).collect();
        assert_eq!(kinds.iter().filter(|k| **k == BackupKind::Daily).count(), KEEP_DAILY);
        assert!(kinds.contains(&BackupKind::Manual));
        assert!(kinds.contains(&BackupKind::BeforeMigration));
        assert_eq!(kinds.last(), Some(&BackupKind::BeforeMigration), "oldest last");
    }

    #[test]
    fn a_damaged_team_file_is_not_copied_and_prunes_nothing() {
        let f = file_fixture();
        let dir = f._dir.path().join("backups");
        let start = at("2026-11-01T09:00:00Z");
        for day in 0..KEEP_DAILY as i64 {
            daily(f.db.path(), &dir, start + Duration::days(day)).unwrap();
        }
        let damaged = f._dir.path().join("damaged.db");
        let mut bytes = std::fs::read(f.db.path()).unwrap();
        for b in bytes.iter_mut().skip(4096).take(8192) {
            *b = 0xA5;
        }
        std::fs::write(&damaged, bytes).unwrap();
        assert!(daily(&damaged, &dir, start + Duration::days(30)).is_err());
        assert_eq!(list(&dir).unwrap().len(), KEEP_DAILY);
        assert!(!std::fs::read_dir(&dir).unwrap().any(|e| e
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "partial")));
    }
}
