//! Encryption at rest (docs/security.md): the team file, its copies and the
//! outbox encrypted with SQLCipher under one key per team.
//!
//! The file is an ordinary SQLCipher 4 database: its first 16 bytes are a
//! random salt, every page after is AES-256 with an HMAC, and its key is
//! PBKDF2-HMAC-SHA512 (256,000 rounds) of the team passphrase with that
//! salt — exactly what `PRAGMA key = 'passphrase'` derives, so any SQLCipher
//! tool (DB Browser for SQLite's SQLCipher mode) opens it with the
//! passphrase, and with the recovery key, which is that derived key written
//! out (`PRAGMA key = "x'…'"`).
//!
//! Kizuna derives the key itself, once per file and process, and keeps it
//! here by salt: every connection the process opens to a file — the
//! window's, the change watcher's, recovery's rollback, a backup's check, a
//! copy in a scratch folder — is keyed by [`install`]'s hook as SQLite opens
//! it, from the salt at the start of the file. A copy of the file has the
//! same salt, so copies need no key handling of their own, and a connection
//! pays no second derivation (a quarter of a second each).

use crate::error::{Error, Result};
use crate::store::schema::APPLICATION_ID;
use rusqlite::{ffi, Connection, OpenFlags};
use std::collections::HashMap;
use std::io::{Read, Seek, Write};
use std::os::raw::{c_char, c_int};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, Once};

/// SQLCipher 4's page size (its default): an encrypted file is a whole
/// number of these.
pub const PAGE: usize = 4096;
/// SQLCipher 4's default derivation rounds.
const KDF_ROUNDS: u32 = 256_000;
const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// A passphrase shorter than this is refused: it is all that stands between
/// a copied file and its reader, and it can be guessed offline.
pub const MIN_PASSPHRASE: usize = 10;

pub type Salt = [u8; 16];
pub type RawKey = [u8; 32];

/// Only for tests: `KIZUNA_TEST_ENCRYPTED=1` encrypts every file a process
/// creates with this key (it is public, so it protects nothing); a raw key
/// costs no derivation, so the suites run encrypted at nearly their speed.
pub const TEST_KEY: RawKey = *b"kizuna-test-key-not-a-secret-32b";

/// What opens an encrypted team file.
#[derive(Clone, PartialEq, Eq)]
pub enum Key {
    /// The team passphrase people type.
    Passphrase(String),
    /// The recovery key (the derived key itself), or the tests' raw key.
    Recovery(RawKey),
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Key::Passphrase(_) => "Key::Passphrase(…)",
            Key::Recovery(_) => "Key::Recovery(…)",
        })
    }
}

impl Key {
    /// What the user typed: 64 hexadecimal digits (spaces and dashes
    /// ignored) are a recovery key, anything else a passphrase.
    pub fn parse(input: &str) -> Key {
        let digits: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.len() == 64 {
            if let Some(raw) = from_hex(&digits) {
                return Key::Recovery(raw);
            }
        }
        Key::Passphrase(input.to_string())
    }

    /// A new passphrase must be long enough to resist guessing offline.
    pub fn new_passphrase(input: &str) -> Result<Key> {
        if input.chars().count() < MIN_PASSPHRASE {
            return Err(Error::invalid("passphrase", "too_short"));
        }
        Ok(Key::Passphrase(input.to_string()))
    }

    /// The key of the file whose salt is `salt`.
    pub fn raw_for(&self, salt: &Salt) -> RawKey {
        match self {
            Key::Passphrase(p) => derive(p, salt),
            Key::Recovery(raw) => *raw,
        }
    }
}

/// The key SQLCipher 4 derives from `passphrase` for a file with `salt`.
pub fn derive(passphrase: &str, salt: &Salt) -> RawKey {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase.as_bytes(), salt, KDF_ROUNDS, &mut out);
    out
}

/// The recovery key as shown once: 64 hex digits in groups of four.
pub fn recovery_text(raw: &RawKey) -> String {
    let hex = to_hex(raw);
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("-")
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn from_hex(s: &str) -> Option<RawKey> {
    let mut out = [0u8; 32];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(pair).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

/// The keys this process knows: derived ones by salt, and what to try on a
/// file whose salt is new (the passphrase from the environment or the
/// credential store, the tests' key).
#[derive(Default)]
struct Keys {
    by_salt: HashMap<Salt, RawKey>,
    candidates: Vec<Key>,
}

static KEYS: LazyLock<Mutex<Keys>> = LazyLock::new(|| Mutex::new(Keys::default()));

fn keys() -> std::sync::MutexGuard<'static, Keys> {
    KEYS.lock().unwrap_or_else(|p| p.into_inner())
}

thread_local! {
    /// Set while a key is being tried: the hook leaves that connection alone.
    static TRYING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keys every connection of the process as SQLite opens it (once; before
/// the first connection). The environment's key is remembered:
/// `KIZUNA_PASSPHRASE` (the CLI, scripts) and `KIZUNA_TEST_ENCRYPTED=1`.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Some(key) = key_from_env() {
            remember(key);
        }
        // SAFETY: the hook has the signature SQLite calls auto-extensions with.
        unsafe {
            ffi::sqlite3_auto_extension(Some(on_open));
        }
    });
}

/// The key the environment names for files this process opens and creates.
pub fn key_from_env() -> Option<Key> {
    if let Some(p) = std::env::var("KIZUNA_PASSPHRASE").ok().filter(|p| !p.is_empty()) {
        // The recovery key works there too.
        return Some(Key::parse(&p));
    }
    std::env::var("KIZUNA_TEST_ENCRYPTED")
        .is_ok_and(|v| v == "1")
        .then_some(Key::Recovery(TEST_KEY))
}

/// Tries `key` on every encrypted file whose salt is new to this process.
pub fn remember(key: Key) {
    let mut k = keys();
    if !k.candidates.contains(&key) {
        k.candidates.push(key);
    }
}

/// Forgets every key (a desktop leaving its team).
pub fn forget_all() {
    let mut k = keys();
    k.by_salt.clear();
    k.candidates.clear();
    drop(k);
    if let Some(key) = key_from_env() {
        remember(key);
    }
}

/// Remembers `raw` for the file with `salt` and its copies, and tries it on
/// other files too: the outbox is encrypted with the team file's key under
/// a salt of its own.
fn register(salt: Salt, raw: RawKey) {
    let mut k = keys();
    k.by_salt.insert(salt, raw);
    let key = Key::Recovery(raw);
    if !k.candidates.contains(&key) {
        k.candidates.push(key);
    }
}

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    if TRYING.with(|t| t.get()) {
        return ffi::SQLITE_OK;
    }
    let name = ffi::sqlite3_db_filename(db, c"main".as_ptr());
    if name.is_null() {
        return ffi::SQLITE_OK;
    }
    let Ok(name) = std::ffi::CStr::from_ptr(name).to_str() else {
        return ffi::SQLITE_OK;
    };
    if name.is_empty() {
        return ffi::SQLITE_OK;
    }
    let Some(salt) = salt_of(Path::new(name)) else {
        return ffi::SQLITE_OK;
    };
    let known = keys().by_salt.get(&salt).copied();
    let raw = match known {
        Some(raw) => raw,
        // A file new to this process (a script's plain `Connection::open`):
        // the remembered keys are tried on a copy of its first page.
        None => {
            let path = Path::new(name);
            if looks_encrypted(path).is_none() || ensure_unlocked(path).is_err() {
                return ffi::SQLITE_OK;
            }
            let Some(raw) = keys().by_salt.get(&salt).copied() else {
                return ffi::SQLITE_OK;
            };
            raw
        }
    };
    let literal = format!("x'{}'", to_hex(&raw));
    ffi::sqlite3_key_v2(
        db,
        c"main".as_ptr(),
        literal.as_ptr() as *const std::os::raw::c_void,
        literal.len() as c_int,
    );
    ffi::SQLITE_OK
}

/// The salt at the start of `path` when it is not a plain SQLite file
/// (missing, short or plain: `None`).
fn salt_of(path: &Path) -> Option<Salt> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut head = [0u8; 16];
    f.read_exact(&mut head).ok()?;
    (&head != MAGIC).then_some(head)
}

/// The salt of a file that looks like an SQLCipher database: not plain
/// SQLite, a whole number of pages. Without the key nothing more can be
/// told, so another program's file of that shape looks the same.
pub fn looks_encrypted(path: &Path) -> Option<Salt> {
    let len = std::fs::metadata(path).ok()?.len() as usize;
    if len < PAGE || len % PAGE != 0 {
        return None;
    }
    salt_of(path)
}

/// Whether `path` is an encrypted Kizuna file this process can read now.
pub fn is_unlocked(path: &Path) -> bool {
    looks_encrypted(path).is_some_and(|salt| keys().by_salt.contains_key(&salt))
}

/// The derived key of an encrypted file this process has unlocked.
pub fn key_of(path: &Path) -> Option<RawKey> {
    let salt = looks_encrypted(path)?;
    keys().by_salt.get(&salt).copied()
}

/// Makes `path` readable to this process if it is encrypted: with the key
/// known for its salt, or the first remembered one that opens it. A plain
/// file needs nothing.
pub fn ensure_unlocked(path: &Path) -> Result<()> {
    install();
    let Some(salt) = looks_encrypted(path) else {
        return Ok(());
    };
    if keys().by_salt.contains_key(&salt) {
        return Ok(());
    }
    let candidates = keys().candidates.clone();
    let shown = path.display().to_string();
    if candidates.is_empty() {
        return Err(Error::PassphraseRequired { path: shown });
    }
    for key in candidates {
        let raw = key.raw_for(&salt);
        if opens(path, &raw)? {
            register(salt, raw);
            return Ok(());
        }
    }
    Err(Error::PassphraseWrong { path: shown })
}

/// Unlocks `path` with `key` for this process: [`Error::PassphraseWrong`]
/// when it does not open it. Nothing to do for a plain file.
pub fn unlock(path: &Path, key: &Key) -> Result<()> {
    install();
    let Some(salt) = looks_encrypted(path) else {
        return Ok(());
    };
    let raw = key.raw_for(&salt);
    if !opens(path, &raw)? {
        return Err(Error::PassphraseWrong {
            path: path.display().to_string(),
        });
    }
    register(salt, raw);
    Ok(())
}

/// Whether `raw` decrypts `path`'s first page, tried on a copy of that page
/// on this computer: no lock, no journal to roll back, one read of the
/// share. Whether the file is Kizuna's is the opener's check, once it reads
/// the decrypted header.
fn opens(path: &Path, raw: &RawKey) -> Result<bool> {
    let scratch = crate::store::recovery::tempfile_dir()?;
    let copy = scratch.path.join("page1.db");
    let mut page = vec![0u8; PAGE];
    std::fs::File::open(path)?.read_exact(&mut page)?;
    std::fs::write(&copy, &page)?;
    TRYING.with(|t| t.set(true));
    let conn = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    );
    TRYING.with(|t| t.set(false));
    let conn = conn?;
    // A wrong key is an answer, not an error to print: SQLCipher would log
    // each failed page check to stderr (the CLI's output, the app's console).
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    apply(&conn, raw, None)?;
    match conn.pragma_query_value(None, "application_id", |r| r.get::<_, i64>(0)) {
        // The page decrypted and its HMAC held; reading the schema may then
        // run past the one page copied ("malformed"), which says nothing
        // about the key. A wrong key fails on the page itself.
        Ok(_) => Ok(true),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) => Ok(true),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Keys `conn` (not yet read) with `raw`; `salt` chooses the salt of a file
/// being created.
fn apply(conn: &Connection, raw: &RawKey, salt: Option<&Salt>) -> Result<()> {
    let literal = match salt {
        Some(s) => format!("\"x'{}{}'\"", to_hex(raw), to_hex(s)),
        None => format!("\"x'{}'\"", to_hex(raw)),
    };
    conn.execute_batch(&format!("PRAGMA key = {literal};"))?;
    Ok(())
}

/// Keys a connection to a file being created (nothing written yet) with
/// `key` and a new random salt, and remembers it for the file's copies.
pub(crate) fn key_new_file(conn: &Connection, key: &Key) -> Result<()> {
    let salt: Salt = rand::random();
    let raw = key.raw_for(&salt);
    apply(conn, &raw, Some(&salt))?;
    register(salt, raw);
    Ok(())
}

/// What a conversion did.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The new recovery key (encrypt, rekey): shown once.
    pub recovery_key: Option<String>,
    /// Rows in the file, the same before and after.
    pub rows: i64,
}

/// How long a conversion waits for colleagues' saves to end.
const CONVERT_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Encrypts `path` with `to` (`None`: decrypts it), in place, keeping every
/// row: under SQLite's exclusive lock (nobody reads or writes meanwhile),
/// the file is exported into a new file beside it, which is checked (its
/// integrity, and every table's row count against the original), and only
/// then are its bytes written over the team file — in place, so a colleague's
/// open connection finds a file it can no longer read and is asked to reopen
/// instead of reading the old file on, and Windows, which refuses to replace
/// a file others have open, is no different. A crash while the bytes are
/// written leaves the checked copy as `FILE.converting` beside it.
pub fn convert(path: &Path, to: Option<&Key>) -> Result<Converted> {
    crate::store::vfs::install();
    crate::store::db::Db::inspect(path)?;
    let encrypted_now = looks_encrypted(path).is_some();
    if to.is_none() && !encrypted_now {
        return Err(Error::invalid("encryption", "not_encrypted"));
    }
    // CREATE for the attached copy (ATTACH opens with the connection's flags).
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_millis(250))?;
    // In exclusive locking mode a connection keeps the exclusive lock once
    // it has it, past the end of the transaction that took it, until it is
    // closed: the export, its check and the bytes written over the file
    // all happen under it (ATTACH cannot run inside a transaction).
    conn.execute_batch("PRAGMA main.locking_mode = EXCLUSIVE")?;
    let started = std::time::Instant::now();
    loop {
        match conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
            Ok(()) => break,
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < CONVERT_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let outcome = convert_locked(&conn, path, to);
    drop(conn);
    let (written, converted) = outcome?;
    // Closed only now: on Unix, closing any descriptor of a file drops the
    // process's locks on it, which must outlive the bytes being written.
    drop(written);
    let _ = std::fs::remove_file(converting_path(path));
    Ok(converted)
}

/// The checked copy beside the team file while it is converted.
pub fn converting_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".converting");
    PathBuf::from(name)
}

fn convert_locked(conn: &Connection, path: &Path, to: Option<&Key>) -> Result<(std::fs::File, Converted)> {
    let temp = converting_path(path);
    let _ = std::fs::remove_file(&temp);
    let new_key = to.map(|k| {
        let salt: Salt = rand::random();
        (salt, k.raw_for(&salt))
    });
    let literal = match &new_key {
        Some((salt, raw)) => format!("\"x'{}{}'\"", to_hex(raw), to_hex(salt)),
        None => "''".to_string(),
    };
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let quoted = temp.to_string_lossy().replace('\'', "''");
    conn.execute_batch(&format!("ATTACH DATABASE '{quoted}' AS converted KEY {literal};"))?;
    let exported = (|| -> Result<()> {
        conn.query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(()))?;
        conn.execute_batch(&format!(
            "PRAGMA converted.user_version = {version}; PRAGMA converted.application_id = {APPLICATION_ID};"
        ))?;
        Ok(())
    })();
    conn.execute_batch("DETACH DATABASE converted")?;
    if let Err(e) = exported {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    if let Some((salt, raw)) = new_key {
        register(salt, raw);
    }
    let rows = match verify_copy(conn, &temp) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    // The checked copy's bytes over the team file, then its length.
    let mut source = std::fs::File::open(&temp)?;
    let mut target = std::fs::OpenOptions::new().write(true).open(path)?;
    target.seek(std::io::SeekFrom::Start(0))?;
    let len = std::io::copy(&mut source, &mut target)?;
    target.set_len(len)?;
    target.flush()?;
    target.sync_all()?;
    Ok((
        target,
        Converted {
            recovery_key: new_key.map(|(_, raw)| recovery_text(&raw)),
            rows,
        },
    ))
}

/// The copy is whole: its own integrity check passes and every table holds
/// as many rows as in the original (read under the same exclusive lock).
fn verify_copy(original: &Connection, copy: &Path) -> Result<i64> {
    let shown = copy.display().to_string();
    let check = Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let verdict: String = check.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    let app: i64 = check.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if verdict != "ok" || app != APPLICATION_ID {
        return Err(Error::Damaged {
            path: shown,
            detail: format!("the converted copy failed its check: {verdict}"),
        });
    }
    let tables: Vec<String> = original
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0 ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut total = 0;
    for table in tables {
        let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
        let before: i64 = original.query_row(&sql, [], |r| r.get(0))?;
        let after: i64 = check.query_row(&sql, [], |r| r.get(0))?;
        if before != after {
            return Err(Error::Damaged {
                path: shown,
                detail: format!("{table}: {before} rows before, {after} in the converted copy"),
            });
        }
        total += before;
    }
    Ok(total)
}

/// Encrypts a plain copy of the team file (a daily copy taken before the
/// team was encrypted, a plain outbox) in place with `raw`, so no plain
/// copy stays on a laptop. Nobody else has these files open.
pub fn encrypt_local_copy(path: &Path, raw: &RawKey) -> Result<()> {
    install();
    if salt_of(path).is_some() || !path.is_file() {
        return Ok(());
    }
    let temp = converting_path(path);
    let _ = std::fs::remove_file(&temp);
    // CREATE for the attached copy (ATTACH opens with the connection's flags).
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let salt: Salt = rand::random();
    let quoted = temp.to_string_lossy().replace('\'', "''");
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{quoted}' AS converted KEY \"x'{}{}'\";",
        to_hex(raw),
        to_hex(&salt)
    ))?;
    let exported = conn
        .query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(()))
        .and_then(|()| {
            conn.execute_batch(&format!(
                "PRAGMA converted.user_version = {version}; PRAGMA converted.application_id = {app};"
            ))
        });
    conn.execute_batch("DETACH DATABASE converted")?;
    drop(conn);
    if let Err(e) = exported {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    register(salt, *raw);
    std::fs::rename(&temp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests;
