//! The connection to a team database file and the rules that make sharing it
//! over a network drive safe (docs/architecture.md, "Decisions"):
//! rollback journal (never WAL, which needs shared memory a network file
//! system does not give), `synchronous=FULL`, and every write one short
//! `BEGIN IMMEDIATE` transaction retried with jitter while a colleague holds
//! the lock. No transaction outlives a call into the engine.

use crate::clock::{to_db, Clock, SystemClock};
use crate::error::{Error, ErrorCode, Result};
use crate::language::Language;
use crate::store::identity::{self, User};
use crate::store::queue::{Queue, Waiting};
use crate::store::schema::{self, APPLICATION_ID};
use crate::store::write::WriteCtx;
use rand::Rng;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::Serialize;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

/// How long SQLite itself waits for the lock at a time, once this save's turn
/// in the queue (queue.rs) has come, before the engine looks at its own
/// limit and tells the user how the wait goes; then it waits again.
const BUSY_TIMEOUT: Duration = Duration::from_millis(250);
/// How long a read waits for a colleague's commit to end.
const READ_BUSY_TIMEOUT: Duration = Duration::from_millis(2_000);
/// How long a save that found nobody queued lets SQLite wait before it takes
/// a ticket: long enough for a reader's glance at the file to end, short
/// enough that a colleague's save is waited for in the queue, in turn.
const UNQUEUED_BUSY_TIMEOUT: Duration = Duration::from_millis(60);
/// How long a save waits for its turn and the lock before it reports busy.
/// Scripts and the background threads wait as long as a share stays up;
/// the window sets a shorter limit and keeps a save that waited that long
/// in its outbox ([`Db::set_wait_limit`]).
pub const WAIT_LIMIT: Duration = Duration::from_secs(300);

/// SQLite's own wait sleeps longer and longer between tries (up to 100 ms),
/// so a save held up by a reader's glance of a few milliseconds waited a
/// hundred. These try every few milliseconds, up to their limit.
fn wait_in_turn(tries: i32) -> bool {
    wait_a_little(tries, BUSY_TIMEOUT)
}

fn wait_unqueued(tries: i32) -> bool {
    wait_a_little(tries, UNQUEUED_BUSY_TIMEOUT)
}

fn wait_a_little(tries: i32, limit: Duration) -> bool {
    const STEP: Duration = Duration::from_millis(4);
    if STEP * tries.max(0) as u32 >= limit {
        return false;
    }
    std::thread::sleep(STEP);
    true
}

/// Hears how a waiting save is doing: `Some` while it waits (after
/// [`crate::store::queue::QUIET`]), `None` once it is through.
pub type WaitObserver = Arc<dyn Fn(Option<Waiting>) + Send + Sync>;

/// Who a connection acts as. A desktop knows its member by the choice this
/// computer profile made (config.json, per team file); the OS login is only
/// a suggestion there, since small offices often give every PC one login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The member with this login, created when there is none (the CLI's
    /// `--as LOGIN`, tests, benches: today's behaviour for scripts).
    Login { login: String, display_name: String },
    /// The member this profile chose (a merged one leads to whom it was
    /// merged into); `None` or a member no longer active: nobody yet, so
    /// reads work and writes wait until the user says who they are.
    Member(Option<String>),
}

/// Who opens the database, and with which clock.
#[derive(Clone)]
pub struct OpenOptions {
    pub identity: Identity,
    pub clock: Arc<dyn Clock>,
    /// Where a copy of the file goes before this client migrates it
    /// (the user's own disk); `None` migrates without one (tests, CLI).
    pub backup_dir: Option<std::path::PathBuf>,
    /// Checks that the file system's locks work before anything is written
    /// (locking.rs); tests put a failing one in.
    pub lock_probe: crate::store::locking::Probe,
    /// The language of this user: what the engine writes in their name is
    /// stored as a kind with parameters (engine_text), but the text kept
    /// beside it, and the stage names and lost reasons of a database they
    /// create, are in this language.
    pub language: Language,
    /// How long a save may wait for colleagues before it reports busy
    /// ([`WAIT_LIMIT`] unless the window sets a shorter one).
    pub wait_limit: Duration,
    /// Who hears that a save waits (the window's "saving…").
    pub on_wait: Option<WaitObserver>,
    /// The key a file this client creates is encrypted with (store/cipher.rs);
    /// `None`: a plain file. The environment's (`KIZUNA_PASSPHRASE`, or the
    /// tests' `KIZUNA_TEST_ENCRYPTED=1`) unless the caller says otherwise.
    pub encryption: Option<crate::store::cipher::Key>,
}

impl OpenOptions {
    /// As the member with `login`, created with `display_name` when missing.
    pub fn new(login: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self::with_identity(Identity::Login {
            login: login.into(),
            display_name: display_name.into(),
        })
    }

    /// As the member a computer profile chose (`None`: not chosen yet).
    pub fn member(id: Option<String>) -> Self {
        Self::with_identity(Identity::Member(id))
    }

    fn with_identity(identity: Identity) -> Self {
        OpenOptions {
            identity,
            clock: Arc::new(SystemClock),
            backup_dir: None,
            lock_probe: crate::store::locking::probe,
            // The product's first language; the desktop and the CLI say the user's.
            language: Language::Ja,
            wait_limit: WAIT_LIMIT,
            on_wait: None,
            encryption: crate::store::cipher::key_from_env(),
        }
    }

    pub fn with_language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Saves wait for colleagues up to `limit`, and `observer` hears how.
    pub fn with_wait(mut self, limit: Duration, observer: Option<WaitObserver>) -> Self {
        self.wait_limit = limit;
        self.on_wait = observer;
        self
    }

    pub fn with_lock_probe(mut self, probe: crate::store::locking::Probe) -> Self {
        self.lock_probe = probe;
        self
    }

    pub fn with_backup_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.backup_dir = Some(dir);
        self
    }

    /// Files this client creates are encrypted with `key` (`None`: plain).
    pub fn with_encryption(mut self, key: Option<crate::store::cipher::Key>) -> Self {
        self.encryption = key;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReadOnlyReason {
    /// Made by a newer Kizuna: writing could break what that version relies on.
    SchemaTooNew,
    /// The file system or its permissions refuse writes.
    FileReadOnly,
    /// The file system's locks do not work, so two writers could corrupt
    /// the file: nobody writes through this desktop until that is fixed.
    LockingBroken,
    /// Another program put the file in WAL mode and still has it open, so
    /// Kizuna cannot switch it back to the journal that is safe on a share.
    WalInUse,
}

/// What a look at a file, made without writing to it, found.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub schema_version: i64,
    /// A save cut off by a crash had to be rolled back first (recovery.rs):
    /// the one write a look may cause, made by SQLite under its locks.
    pub rolled_back: bool,
    /// The file is in WAL mode, which is unsafe on a share (a tool other
    /// than Kizuna switched it).
    pub wal: bool,
}

/// Something that happened when the file was opened that the user should
/// hear about, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OpenNotice {
    /// A colleague's save was cut off by a crash; it was rolled back, every
    /// save that completed is there.
    CrashRolledBack,
    /// Another program had put the file in WAL mode, which corrupts a file
    /// shared over a network; Kizuna switched it back to the rollback journal.
    SwitchedFromWal,
}

pub struct Db {
    conn: Connection,
    path: PathBuf,
    user: User,
    read_only: Option<ReadOnlyReason>,
    clock: Arc<dyn Clock>,
    notices: Vec<OpenNotice>,
    language: Language,
    /// Where saves take turns; `None` for a read-only file, or where no
    /// queue file can be kept.
    queue: Option<Queue>,
    wait_limit: Duration,
    on_wait: Option<WaitObserver>,
}

impl Db {
    /// Checks that `path` is a healthy Kizuna database without changing a byte
    /// of it (read-only handle), so a wrong pick in a file dialog is harmless.
    pub fn inspect(path: &Path) -> Result<Inspection> {
        Self::inspect_with(path, false)
    }

    /// [`Db::inspect`], reading without SQLite's locks where the file system
    /// refuses them (`nolock`): the only way to show a team what its file
    /// holds on such a share, and safe enough since nobody can write there.
    fn inspect_with(path: &Path, nolock: bool) -> Result<Inspection> {
        match Self::look(path, nolock) {
            Err(e) if crate::store::recovery::is_hot_journal_error(&e) && !nolock => {
                // The last desktop to write crashed mid-save; SQLite refuses
                // a read-only look until the save is rolled back.
                crate::store::recovery::roll_back(path)?;
                let mut found = Self::look(path, nolock)?;
                found.rolled_back = true;
                Ok(found)
            }
            Err(e) if crate::store::recovery::is_hot_journal_error(&e) => Err(Error::RecoveryBlocked {
                path: path.display().to_string(),
            }),
            other => other,
        }
    }

    fn look(path: &Path, nolock: bool) -> Result<Inspection> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::FileMissing { path: shown.clone() },
            _ => Error::Io(e),
        })?;
        if !meta.is_file() || meta.len() == 0 {
            return Err(Error::NotKizuna { path: shown });
        }
        // The header first, read as plain bytes: another program's file is
        // recognised before SQLite touches it (SQLite would roll back that
        // program's crashed save), and a WAL file is looked at without the
        // side files SQLite would create for it.
        let encrypted = crate::store::cipher::looks_encrypted(path).is_some();
        let header = match crate::store::recovery::read_header(path)? {
            Some(h) => h,
            // An encrypted file shows nothing before its key: one this
            // process can open is checked as Kizuna's once decrypted below;
            // without a key the user is asked for the passphrase.
            None if crate::store::cipher::looks_encrypted(path).is_some() => {
                crate::store::cipher::ensure_unlocked(path)?;
                crate::store::recovery::Header {
                    application_id: APPLICATION_ID,
                    wal: has_content(&wal_path(path)),
                }
            }
            None => return Err(Error::NotKizuna { path: shown }),
        };
        if header.application_id != APPLICATION_ID {
            return Err(Error::NotKizuna { path: shown });
        }
        let how = if nolock {
            Look::NoLock
        } else if header.wal && !has_content(&wal_path(path)) {
            // Everything is in the main file: read it as an unchanging file.
            Look::Immutable
        } else {
            Look::Locked
        };
        let conn = look_connection(path, how)?;
        let not_ours = |e: rusqlite::Error| match e.sqlite_error_code() {
            // Its key opened the first page: a page that fails its check
            // further on is damage, not another program's file.
            Some(rusqlite::ErrorCode::NotADatabase) if encrypted => Error::Damaged {
                path: shown.clone(),
                detail: e.to_string(),
            },
            Some(rusqlite::ErrorCode::NotADatabase) => Error::NotKizuna { path: shown.clone() },
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => Error::Damaged {
                path: shown.clone(),
                detail: e.to_string(),
            },
            _ => Error::Sqlite(e),
        };
        let app_id: i64 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(not_ours)?;
        if app_id != APPLICATION_ID {
            return Err(Error::NotKizuna { path: shown });
        }
        let check: String = if how == Look::Locked {
            quick_check_of_a_copy(path).map_err(|e| match e {
                Error::Sqlite(e) => not_ours(e),
                e => e,
            })?
        } else {
            // No lock to hold (nobody writes a file whose locks fail, and a
            // file read as unchanging has no writer): checked in place.
            conn.query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(not_ours)?
        };
        if check != "ok" {
            return Err(Error::Damaged {
                path: shown,
                detail: check,
            });
        }
        let schema_version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(Inspection {
            schema_version,
            rolled_back: false,
            wal: header.wal,
        })
    }

    /// Opens an existing Kizuna database, migrating an older schema and
    /// falling back to read-only where writing would be unsafe.
    pub fn open(path: &Path, opts: OpenOptions) -> Result<Db> {
        crate::store::vfs::install();
        // Locks first: on a file system that refuses them even reading the
        // file the usual way fails, and writing would corrupt it.
        let locks_broken = path.is_file() && {
            match (opts.lock_probe)(path) {
                Ok(()) => false,
                Err(problem) => {
                    eprintln!("Kizuna: {} opened read-only: {problem}", path.display());
                    true
                }
            }
        };
        let inspection = Self::inspect_with(path, locks_broken)?;
        let found = inspection.schema_version;
        let mut notices = Vec::new();
        if inspection.rolled_back {
            eprintln!("Kizuna: {}: a save cut off by a crash was rolled back", path.display());
            notices.push(OpenNotice::CrashRolledBack);
        }
        if locks_broken {
            return Self::open_read_only(path, opts, ReadOnlyReason::LockingBroken);
        }
        if found > schema::CURRENT {
            return Self::open_read_only(path, opts, ReadOnlyReason::SchemaTooNew);
        }
        let conn = match Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) {
            Ok(c) => c,
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) => {
                return Self::open_read_only(path, opts, ReadOnlyReason::FileReadOnly)
            }
            Err(e) => return Err(e.into()),
        };
        // A writable handle on a read-only file opens fine and fails on the
        // first write; ask the file system up front instead.
        if std::fs::metadata(path)
            .map(|m| m.permissions().readonly())
            .unwrap_or(false)
        {
            return Self::open_read_only(path, opts, ReadOnlyReason::FileReadOnly);
        }
        match configure(&conn) {
            Ok(Journal::Switched) => {
                eprintln!(
                    "Kizuna: {} was in WAL mode; switched to the rollback journal",
                    path.display()
                );
                notices.push(OpenNotice::SwitchedFromWal);
            }
            Ok(Journal::Kept) => {}
            Err(e) if inspection.wal && e.code() == ErrorCode::Busy => {
                drop(conn);
                return Self::open_read_only(path, opts, ReadOnlyReason::WalInUse);
            }
            Err(e) => return Err(e),
        }
        let mut db = Db::assemble(conn, path, &opts, None);
        db.notices = notices;
        db.write_unattributed(|ctx| {
            // Re-read under the write lock: a colleague may have migrated meanwhile.
            let v: i64 = ctx.tx()?.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if v > schema::CURRENT {
                return Err(Error::SchemaTooNew {
                    found: v,
                    known: schema::CURRENT,
                });
            }
            if v < schema::CURRENT {
                // A copy first, so a failed or unwanted migration can be
                // undone with `kizuna restore`; no copy, no migration. It is
                // a plain file copy: this transaction holds the write lock
                // (no colleague can commit) and has written nothing yet, so
                // the file on disk is consistent — and SQLite's backup API
                // refuses a source connection inside a write transaction.
                if let Some(dir) = &opts.backup_dir {
                    std::fs::create_dir_all(dir)?;
                    let stamp: String = ctx.now.chars().filter(char::is_ascii_digit).collect();
                    let dest = dir.join(format!("kizuna-before-v{}-{stamp}.db", schema::CURRENT));
                    std::fs::copy(path, &dest)?;
                }
                schema::migrate(ctx.tx()?, v)?;
            }
            Ok(())
        })?;
        db.take_identity(&opts.identity)?;
        Ok(db)
    }

    /// Creates a new team database: the schema, then `seed` in the same
    /// first transaction (`app::new_file` seeds the default pipeline and
    /// team settings). Refuses to touch a file that already has content.
    pub fn create_seeded(path: &Path, opts: OpenOptions, seed: impl Fn(&WriteCtx) -> Result<()>) -> Result<Db> {
        crate::store::vfs::install();
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Ok(m) if m.len() > 0 => return Err(Error::FileExists { path: shown }),
            _ => {}
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return Err(Error::FileMissing {
                    path: dir.display().to_string(),
                });
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if let Some(key) = &opts.encryption {
            crate::store::cipher::key_new_file(&conn, key)?;
        }
        configure(&conn)?;
        let mut db = Db::assemble(conn, path, &opts, None);
        db.write_unattributed(|ctx| {
            schema::migrate(ctx.tx()?, 0)?;
            seed(ctx)
        })?;
        db.take_identity(&opts.identity)?;
        Ok(db)
    }

    fn open_read_only(path: &Path, opts: OpenOptions, why: ReadOnlyReason) -> Result<Db> {
        let how = if why == ReadOnlyReason::LockingBroken {
            Look::NoLock
        } else {
            Look::Locked
        };
        let conn = look_connection(path, how)?;
        conn.busy_timeout(READ_BUSY_TIMEOUT)?;
        let mut db = Db::assemble(conn, path, &opts, Some(why));
        // Nobody can be created here; an existing member can still be who
        // reads (an older file read-only has no member columns of today).
        let found = match &opts.identity {
            Identity::Login { login, .. } => identity::find_by_login(&db.conn, login).ok().flatten(),
            Identity::Member(Some(id)) => identity::resolve(&db.conn, id).ok().flatten(),
            Identity::Member(None) => None,
        };
        if let Some(u) = found {
            db.user = u;
        }
        Ok(db)
    }

    fn assemble(conn: Connection, path: &Path, opts: &OpenOptions, read_only: Option<ReadOnlyReason>) -> Db {
        let user = match &opts.identity {
            Identity::Login { login, display_name } => User::nobody(login, display_name),
            Identity::Member(_) => User::nobody("", ""),
        };
        Db {
            conn,
            path: path.to_path_buf(),
            user,
            read_only,
            clock: opts.clock.clone(),
            notices: Vec::new(),
            language: opts.language,
            queue: read_only.is_none().then(|| Queue::beside(path)),
            wait_limit: opts.wait_limit,
            on_wait: opts.on_wait.clone(),
        }
    }

    /// Becomes the member `identity` names: by login (created when missing),
    /// or the member a profile chose.
    fn take_identity(&mut self, identity: &Identity) -> Result<()> {
        match identity {
            Identity::Login { login, display_name } => {
                self.user = match identity::find_by_login(&self.conn, login)? {
                    Some(u) => u,
                    None => self.join_as_new_member(login, display_name)?,
                };
                Ok(())
            }
            Identity::Member(id) => self.act_as(id.as_deref()),
        }
    }

    /// Acts as member `id` from now on (`None`: nobody, writes refused). A
    /// merged member leads to whom it was merged into; a deactivated or
    /// unknown one is nobody, so the window asks again.
    pub fn act_as(&mut self, id: Option<&str>) -> Result<()> {
        self.user = match id {
            Some(id) => identity::resolve(&self.conn, id)?.unwrap_or_else(|| User::nobody("", "")),
            None => User::nobody("", ""),
        };
        Ok(())
    }

    /// Re-reads the current member (a rename, a merge into someone else).
    pub(crate) fn refresh_user(&mut self) -> Result<()> {
        if let Some(id) = self.member().map(|u| u.id.clone()) {
            self.act_as(Some(&id))?;
        }
        Ok(())
    }

    /// The member this connection acts as, if it knows.
    pub fn member(&self) -> Option<&User> {
        (!self.user.id.is_empty()).then_some(&self.user)
    }

    /// Adds a member and acts as them; the new row is attributed to
    /// itself (there is nobody else to attribute it to).
    pub fn join_as_new_member(&mut self, login: &str, display_name: &str) -> Result<User> {
        let name = identity::validate_display_name(display_name)?;
        let before = std::mem::replace(&mut self.user, User::nobody(login, &name));
        self.user.id = crate::id::new_id();
        let (id, login) = (self.user.id.clone(), login.to_string());
        match self.write(|ctx| identity::insert(ctx, &id, &login, &name)) {
            Ok(u) => {
                self.user = u.clone();
                Ok(u)
            }
            Err(e) => {
                self.user = before;
                Err(e)
            }
        }
    }

    /// The team file's own id (made by schema v7), or its path for a file
    /// too old to have one (opened read-only): the key under which a
    /// computer profile remembers who it is here.
    pub fn team_key(&self) -> String {
        self.conn
            .query_row(
                "SELECT json_extract(value, '$') FROM settings WHERE key = 'team_file_id'",
                [],
                |r| r.get::<_, String>(0),
            )
            .unwrap_or_else(|_| format!("path:{}", self.path.display()))
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }
    /// Where the domain's reads go, as on the server (`store::sql`).
    pub fn sql(&self) -> crate::store::sql::Sql<'_> {
        crate::store::sql::Sql::File(&self.conn)
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn user(&self) -> &User {
        &self.user
    }
    pub fn read_only(&self) -> Option<ReadOnlyReason> {
        self.read_only
    }
    /// What the user should hear about the opening of this file.
    pub fn notices(&self) -> &[OpenNotice] {
        &self.notices
    }
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
    pub fn language(&self) -> Language {
        self.language
    }
    /// The user switched languages: what the engine writes from now on.
    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Runs `f` inside one short IMMEDIATE transaction. When colleagues are
    /// saving, the save first waits its turn in the queue beside the file
    /// (queue.rs), so the one that waited longest goes first; SQLite's own
    /// wait and a retry with random jitter cover programs outside the queue.
    /// Only after the wait limit does a save report busy, having written
    /// nothing.
    pub fn write<T>(&mut self, f: impl FnMut(&WriteCtx) -> Result<T>) -> Result<T> {
        // Every change names who made it; until this profile said who it
        // is, nothing is written (the window asks first).
        if self.member().is_none() && self.read_only.is_none() {
            return Err(Error::IdentityRequired);
        }
        self.write_unattributed(f)
    }

    /// How long a save may wait for colleagues before it reports busy.
    pub fn set_wait_limit(&mut self, limit: Duration) {
        self.wait_limit = limit;
    }

    /// Who hears that a save waits for colleagues (the window's "saving…").
    pub fn set_wait_observer(&mut self, observer: Option<WaitObserver>) {
        self.on_wait = observer;
    }

    /// [`Db::write`] before anyone is known: creating and migrating the file.
    fn write_unattributed<T>(&mut self, mut f: impl FnMut(&WriteCtx) -> Result<T>) -> Result<T> {
        self.ensure_writable()?;
        let started = std::time::Instant::now();
        let queue = self.queue.clone();
        let observer = self.on_wait.clone();
        let mut heard = false;
        let mut report = |w: Waiting| {
            if let Some(o) = &observer {
                heard = true;
                o(Some(w));
            }
        };
        let outcome = (|| {
            let mut turn = match &queue {
                Some(q) => Some(q.turn(started, self.wait_limit, &mut report)?),
                None => None,
            };
            loop {
                let queued = turn.as_ref().is_some_and(|t| t.queued());
                self.conn.busy_handler(Some(if queued || queue.is_none() {
                    wait_in_turn
                } else {
                    wait_unqueued
                }))?;
                let limit = self.wait_limit;
                let mut keep_waiting = || {
                    let waited = started.elapsed();
                    if waited >= crate::store::queue::QUIET {
                        report(Waiting::after(0, waited));
                    }
                    waited < limit
                };
                match self.write_once(&mut f, &mut keep_waiting) {
                    Err(e) if e.code() == ErrorCode::Busy => {
                        let waited = started.elapsed();
                        if waited >= self.wait_limit {
                            return Err(Error::Busy);
                        }
                        if let (Some(q), false) = (&queue, queued) {
                            // Someone saves: wait in line for the next try.
                            drop(turn.take());
                            turn = Some(q.join(started, self.wait_limit, &mut report)?);
                            continue;
                        }
                        if waited >= crate::store::queue::QUIET {
                            report(Waiting::after(0, waited));
                        }
                        let ms = rand::rng().random_range(5..30);
                        std::thread::sleep(Duration::from_millis(ms));
                    }
                    other => return other,
                }
            }
        })();
        // Reads on this connection wait as reads do.
        let _ = self.conn.busy_timeout(READ_BUSY_TIMEOUT);
        if heard {
            if let Some(o) = &observer {
                o(None);
            }
        }
        outcome
    }

    /// Rewrites the file without its free space (`VACUUM`), in its turn in
    /// the queue like a save: pages freed by earlier edits can still hold
    /// old text, which an erasure must not leave behind (privacy/erase.rs).
    /// On a share this takes the write lock for as long as the whole file
    /// takes to copy; colleagues' saves wait in the queue meanwhile.
    pub fn compact(&mut self) -> Result<()> {
        self.ensure_writable()?;
        let started = std::time::Instant::now();
        let queue = self.queue.clone();
        let outcome = (|| {
            let _turn = match &queue {
                Some(q) => Some(q.turn(started, self.wait_limit, &mut |_| {})?),
                None => None,
            };
            self.conn.busy_handler(Some(wait_in_turn))?;
            loop {
                match self.conn.execute_batch("VACUUM").map_err(Error::from) {
                    Err(e) if e.code() == ErrorCode::Busy && started.elapsed() < self.wait_limit => {
                        let ms = rand::rng().random_range(5..30);
                        std::thread::sleep(Duration::from_millis(ms));
                    }
                    other => return other,
                }
            }
        })();
        let _ = self.conn.busy_timeout(READ_BUSY_TIMEOUT);
        outcome
    }

    /// `read_only`, with the reason, when this desktop may not write.
    pub fn ensure_writable(&self) -> Result<()> {
        match self.read_only {
            None => Ok(()),
            Some(why) => Err(Error::ReadOnly {
                reason: serde_json::to_value(why)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
            }),
        }
    }

    /// One attempt: the transaction, then its commit. A commit refused
    /// because colleagues are still reading is tried again while
    /// `keep_waiting` says so, with the transaction kept as it is (SQLite
    /// allows it): on a slow share redoing a save costs seconds, and a
    /// reader's glance ends in a fraction of that.
    fn write_once<T>(
        &mut self,
        f: &mut impl FnMut(&WriteCtx) -> Result<T>,
        keep_waiting: &mut dyn FnMut() -> bool,
    ) -> Result<T> {
        let now = to_db(self.clock.now());
        let mut tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = {
            let changes = RefCell::new(Vec::new());
            let ctx = WriteCtx::on_file(&tx, &changes, &self.user.id, now, self.clock.as_ref(), self.language);
            let out = f(&ctx)?;
            ctx.append_changes()?;
            out
        };
        tx.set_drop_behavior(rusqlite::DropBehavior::Ignore);
        let mut committed = tx.commit().map_err(Error::from);
        while committed.as_ref().is_err_and(|e| e.code() == ErrorCode::Busy) && keep_waiting() {
            committed = self.conn.execute_batch("COMMIT").map_err(Error::from);
        }
        if committed.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        committed.map(|()| out)
    }
}

/// What a restore did with the file it replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    /// The healthy team file was overwritten in place, under its own locks,
    /// so desktops that have it open read the restored data next.
    InPlace,
    /// The file was damaged (or missing): it was never written to, only
    /// moved aside to this path for investigation.
    Replaced { kept_aside: Option<std::path::PathBuf> },
}

/// Puts a backup back as the team file. The backup must be a healthy Kizuna
/// database this version knows. A healthy target is overwritten through
/// SQLite's backup API (page by page under the write lock, like any write);
/// a damaged one is never written to: it is renamed aside and a copy of the
/// backup takes its place.
pub fn restore(target: &Path, backup: &Path, now: &str) -> Result<Restored> {
    crate::store::vfs::install();
    let found = Db::inspect(backup)?.schema_version;
    if found > schema::CURRENT {
        return Err(Error::SchemaTooNew {
            found,
            known: schema::CURRENT,
        });
    }
    match Db::inspect(target) {
        Ok(_) => {
            let mut conn = Connection::open_with_flags(target, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
            configure(&conn)?;
            conn.restore(rusqlite::MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)?;
            Ok(Restored::InPlace)
        }
        Err(Error::Damaged { .. }) | Err(Error::FileMissing { .. }) => {
            let fresh = target.with_extension("restoring");
            let _ = std::fs::remove_file(&fresh);
            if crate::store::cipher::looks_encrypted(backup).is_some() {
                // SQLite's backup would write a new, plain file: an
                // encrypted copy is copied as it is, key and salt included.
                crate::store::backup::copy(backup, &fresh)?;
            } else {
                Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?.backup(
                    rusqlite::MAIN_DB,
                    &fresh,
                    None,
                )?;
            }
            let kept_aside = if target.exists() {
                let stamp: String = now.chars().filter(char::is_ascii_digit).collect();
                let aside = target.with_extension(format!("damaged-{stamp}"));
                std::fs::rename(target, &aside)?;
                Some(aside)
            } else {
                None
            };
            std::fs::rename(&fresh, target)?;
            Ok(Restored::Replaced { kept_aside })
        }
        // Another program's file is not ours to replace.
        Err(e) => Err(e),
    }
}

/// How a read-only look at a file reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// Under SQLite's locks, as colleagues write.
    Locked,
    /// Without locks, for a file system that refuses them (where nobody can
    /// write anyway).
    NoLock,
    /// As a file that does not change: no locks and no side files. Only for
    /// a WAL file whose changes are all in the main file, so that looking at
    /// it creates no `-wal` and `-shm` beside it.
    Immutable,
}

/// A read-only connection; `nolock` reads without SQLite's file locks (for a
/// file system that refuses them, where nobody can write anyway).
pub(crate) fn read_only_connection(path: &Path, nolock: bool) -> Result<Connection> {
    look_connection(path, if nolock { Look::NoLock } else { Look::Locked })
}

pub(crate) fn look_connection(path: &Path, how: Look) -> Result<Connection> {
    crate::store::vfs::install();
    // An encrypted file's key, found before SQLite opens it (the change
    // watcher and the CLI's `idle` look without a `Db` first).
    crate::store::cipher::ensure_unlocked(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let query = match how {
        Look::Locked => return Ok(Connection::open_with_flags(path, flags)?),
        Look::NoLock => "?mode=ro&nolock=1",
        Look::Immutable => "?mode=ro&immutable=1",
    };
    // The URI form is the one way to pass these; the path is percent-encoded
    // so a '?' or '#' in a folder name stays part of the name.
    let mut uri = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(b as char),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str(query);
    Ok(Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?)
}

/// `PRAGMA quick_check` on a copy of the team file on this computer's disk.
/// Checked in place it reads every page, one round trip each on a share,
/// under a read lock that every colleague's commit has to wait out: 466
/// reads and 2.3 s for the 2.8 MB demo file at 5 ms per call, minutes for a
/// large team file, at every desktop's start. The copy is taken in large
/// reads under one short read lock (`backup::copy`).
fn quick_check_of_a_copy(path: &Path) -> Result<String> {
    let scratch = crate::store::recovery::tempfile_dir()?;
    let copy = scratch.path.join("check.db");
    crate::store::backup::copy(path, &copy)?;
    let conn = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    Ok(conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?)
}

/// The WAL file beside `path`.
pub(crate) fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn has_content(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// Whether opening changed the journal mode.
enum Journal {
    Kept,
    Switched,
}

fn configure(conn: &Connection) -> Result<Journal> {
    conn.busy_timeout(READ_BUSY_TIMEOUT)?;
    let before: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        // Leaving WAL needs every other connection gone; one still there
        // (another program) keeps the mode as it was.
        return Err(if before.eq_ignore_ascii_case("wal") {
            Error::Busy
        } else {
            Error::Internal(format!("journal mode stayed {mode}"))
        });
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(if before.eq_ignore_ascii_case("wal") {
        Journal::Switched
    } else {
        Journal::Kept
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another program holds the write lock for `hold`, from another thread.
    fn held_by_another_program(path: &Path, hold: Duration) -> std::thread::JoinHandle<()> {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        std::thread::spawn(move || {
            std::thread::sleep(hold);
            conn.execute_batch("COMMIT").unwrap();
        })
    }

    fn customers(db: &Db) -> i64 {
        db.conn()
            .query_row("SELECT count(*) FROM companies", [], |r| r.get(0))
            .unwrap()
    }

    fn new_customer(ctx: &WriteCtx) -> Result<String> {
        crate::customers::company::create(
            ctx,
            &crate::customers::company::NewCompany {
                name: "待っていた会社".into(),
                ..Default::default()
            },
        )
    }

    #[test]
    fn a_save_held_up_by_a_colleague_waits_says_so_and_goes_through() {
        let mut f = crate::testutil::file_fixture();
        let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
        let h = heard.clone();
        f.db.set_wait_observer(Some(Arc::new(move |w: Option<Waiting>| {
            h.lock().unwrap().push(w.is_some())
        })));
        let before = customers(&f.db);
        let holder = held_by_another_program(f.db.path(), Duration::from_millis(1500));
        f.db.write(new_customer).unwrap();
        holder.join().unwrap();
        assert_eq!(customers(&f.db), before + 1);
        let heard = heard.lock().unwrap();
        // "Saving…" while it waited, then "done" once.
        assert!(heard.len() >= 2 && heard[0], "{heard:?}");
        assert_eq!(heard.iter().filter(|w| !**w).count(), 1);
        assert!(!heard.last().unwrap());
    }

    #[test]
    fn a_commit_kept_waiting_by_a_reader_is_tried_again_not_redone() {
        let mut f = crate::testutil::file_fixture();
        let reader = Connection::open(f.db.path()).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM companies", [], |r| r.get(0))
            .unwrap();
        let done_reading = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(800));
            reader.execute_batch("COMMIT").unwrap();
        });
        let before = customers(&f.db);
        let mut runs = 0;
        f.db.write(|ctx| {
            runs += 1;
            new_customer(ctx)
        })
        .unwrap();
        done_reading.join().unwrap();
        assert_eq!(runs, 1, "the save was made once and its commit waited");
        assert_eq!(customers(&f.db), before + 1);
    }

    #[test]
    fn a_save_that_waited_past_its_limit_is_busy_and_wrote_nothing() {
        let mut f = crate::testutil::file_fixture();
        f.db.set_wait_limit(Duration::from_millis(400));
        let before = customers(&f.db);
        let holder = held_by_another_program(f.db.path(), Duration::from_millis(1500));
        let started = std::time::Instant::now();
        let err = f.db.write(new_customer).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Busy);
        assert!(
            started.elapsed() < Duration::from_millis(1400),
            "the limit ended the wait"
        );
        holder.join().unwrap();
        assert_eq!(customers(&f.db), before);
        // And the next save goes.
        f.db.write(new_customer).unwrap();
    }

    /// Plain even in the encrypted test run: these tests are about what
    /// another program does to SQLite's own header (WAL mode), which an
    /// encrypted file does not show (docs/security.md).
    fn team(dir: &Path) -> PathBuf {
        let path = dir.join("team.db");
        drop(Db::create(&path, OpenOptions::new("sato", "佐藤").with_encryption(None)).unwrap());
        path
    }

    fn to_wal(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn
    }

    #[test]
    fn a_file_another_program_put_in_wal_mode_is_switched_back_and_the_user_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = team(dir.path());
        drop(to_wal(&path));
        let db = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
        assert_eq!(db.read_only(), None);
        assert_eq!(db.notices(), [OpenNotice::SwitchedFromWal]);
        let mode: String = db
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete");
        drop(db);
        // Once switched, there is nothing more to say.
        let again = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
        assert!(again.notices().is_empty());
        drop(again);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("team.db")], "no -wal or -shm left");
    }

    #[test]
    fn a_wal_file_another_program_holds_open_is_read_but_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = team(dir.path());
        let other = to_wal(&path);
        other
            .execute("UPDATE users SET display_name = '佐藤 健太'", [])
            .unwrap();
        let mut db = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
        assert_eq!(db.read_only(), Some(ReadOnlyReason::WalInUse));
        let name: String = db
            .conn()
            .query_row("SELECT display_name FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(name, "佐藤 健太", "what the other program saved is shown");
        assert_eq!(db.write(|_| Ok(())).unwrap_err().code(), ErrorCode::ReadOnly);
    }
}
