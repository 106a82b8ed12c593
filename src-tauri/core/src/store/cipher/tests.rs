use super::*;
use crate::store::backup::{self, BackupKind};
use crate::{Db, ErrorCode, OpenOptions};

const PASSPHRASE: &str = "桜が咲く頃に また会おう";

fn encrypted_team(dir: &Path, passphrase: &str) -> PathBuf {
    let path = dir.join("team.db");
    let opts = OpenOptions::new("sato", "佐藤").with_encryption(Some(Key::Passphrase(passphrase.into())));
    let mut db = Db::create(&path, opts).unwrap();
    crate::app::sample::populate(&mut db).unwrap();
    path
}

fn plain_team(dir: &Path) -> PathBuf {
    let path = dir.join("plain.db");
    let mut db = Db::create(&path, OpenOptions::new("sato", "佐藤").with_encryption(None)).unwrap();
    crate::app::sample::populate(&mut db).unwrap();
    path
}

/// Python's sqlite3 (a foreign SQLite tool) reading the customers of `path`.
/// Windows builds run their tests under Wine, without a Python: there the
/// bytes alone are looked at, and `true` is answered for a plain file.
fn python_reads(path: &Path) -> bool {
    if !cfg!(unix) {
        return looks_encrypted(path).is_none();
    }
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM companies').fetchone()[0])")
        .arg(path)
        .output()
        .expect("python3 runs");
    out.status.success()
}

fn a_customer_name(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("SELECT name FROM companies ORDER BY name LIMIT 1", [], |r| r.get(0))
        .unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Forgets what this process derived for `path`, as a fresh process would.
fn forget(path: &Path) {
    let salt = looks_encrypted(path).unwrap();
    let mut k = keys();
    if let Some(raw) = k.by_salt.remove(&salt) {
        k.candidates.retain(|c| *c != Key::Recovery(raw));
    }
}

#[test]
fn a_foreign_sqlite_tool_reads_neither_the_encrypted_file_nor_its_backups() {
    let dir = tempfile::tempdir().unwrap();
    let plain = plain_team(dir.path());
    let name = a_customer_name(&plain);
    // The same check passes on a plain file: it can fail.
    assert!(python_reads(&plain));
    assert!(contains(&std::fs::read(&plain).unwrap(), &name));

    let path = encrypted_team(dir.path(), PASSPHRASE);
    assert!(!python_reads(&path), "python3 read the encrypted team file");
    assert!(
        !contains(&std::fs::read(&path).unwrap(), &name),
        "a customer's name in clear"
    );
    let copies = dir.path().join("backups");
    let copy = backup::take(&path, &copies, BackupKind::Manual, chrono::Utc::now()).unwrap();
    assert!(!python_reads(&copy), "python3 read the backup");
    assert!(!contains(&std::fs::read(&copy).unwrap(), &name));
    // Kizuna with the key reads both.
    assert_eq!(a_customer_name(&path), name);
    assert_eq!(a_customer_name(&copy), name);
    Db::inspect(&copy).unwrap();
}

#[test]
fn the_passphrase_opens_what_sqlcipher_itself_keyed_and_the_recovery_key_opens_it_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("by-sqlcipher.db");
    {
        // SQLCipher's own derivation from the passphrase: what another
        // SQLCipher tool writes and reads.
        install();
        TRYING.with(|t| t.set(true));
        let conn = Connection::open(&path).unwrap();
        TRYING.with(|t| t.set(false));
        conn.pragma_update(None, "key", PASSPHRASE).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
        conn.execute_batch("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('秘密');")
            .unwrap();
    }
    forget(&path);
    assert_eq!(
        unlock(&path, &Key::Passphrase("桜が咲く頃に また会えない".into()))
            .unwrap_err()
            .code(),
        ErrorCode::PassphraseWrong
    );
    unlock(&path, &Key::Passphrase(PASSPHRASE.into())).unwrap();
    let x: String = Connection::open(&path)
        .unwrap()
        .query_row("SELECT x FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(x, "秘密");
    // The recovery key is the derived key: it opens the file alone.
    let recovery = recovery_text(&key_of(&path).unwrap());
    assert_eq!(recovery.len(), 64 + 15);
    forget(&path);
    let key = Key::parse(&recovery.to_lowercase().replace('-', " "));
    assert!(matches!(key, Key::Recovery(_)));
    unlock(&path, &key).unwrap();
}

#[test]
fn a_desktop_without_the_passphrase_is_asked_for_it_never_told_the_file_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = encrypted_team(dir.path(), PASSPHRASE);
    forget(&path);
    let e = Db::open(&path, OpenOptions::new("suzuki", "鈴木"))
        .err()
        .expect("no key, no open");
    // Asked for it; or, where this process knows other keys (the other
    // tests' files, the encrypted run's), told those do not open it. The
    // CLI's tests see "required" alone (tests/cli.rs).
    let asked = |code| matches!(code, ErrorCode::PassphraseRequired | ErrorCode::PassphraseWrong);
    assert!(asked(e.code()), "{e}");
    assert!(asked(Db::inspect(&path).unwrap_err().code()));
    unlock(&path, &Key::Passphrase(PASSPHRASE.into())).unwrap();
    let db = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
    assert!(crate::customers::company::list(db.conn(), db.clock(), &Default::default()).is_ok());
}

#[test]
fn a_short_passphrase_is_refused() {
    assert!(Key::new_passphrase("短い").is_err());
    assert!(Key::new_passphrase("十分に長い合言葉です").is_ok());
}

fn counts(db: &Db) -> (i64, i64, i64) {
    let n = |sql: &str| db.conn().query_row(sql, [], |r| r.get(0)).unwrap();
    (
        n("SELECT count(*) FROM companies"),
        n("SELECT count(*) FROM activities"),
        n("SELECT count(*) FROM change_log"),
    )
}

#[test]
fn encrypt_rekey_and_decrypt_while_a_colleague_has_the_file_open_lose_nothing() {
    let f = crate::testutil::file_fixture();
    let path = f.db.path().to_path_buf();
    let mut colleague = crate::testutil::file_colleague(&f, "suzuki", "鈴木");
    crate::testutil::company(&mut colleague, "開いたままの会社");
    let before = counts(&colleague);
    let name = "開いたままの会社";

    let passphrase = Key::new_passphrase("最初の合言葉は長めにする").unwrap();
    let done = convert(&path, Some(&passphrase)).unwrap();
    assert!(done.recovery_key.is_some());
    assert!(looks_encrypted(&path).is_some());
    assert!(!python_reads(&path));
    assert!(!path_exists_converting(&path), "no copy left beside the file");
    // The colleague's desktop cannot go on reading nor writing the old
    // file: it is told to open it again.
    let read = crate::customers::company::list(colleague.conn(), colleague.clock(), &Default::default());
    assert_eq!(read.unwrap_err().code(), ErrorCode::KeyChanged);
    let wrote = colleague.write(|ctx| {
        crate::customers::company::create(
            ctx,
            &crate::customers::company::NewCompany {
                name: "古い鍵で書いた会社".into(),
                ..Default::default()
            },
        )
    });
    assert!(wrote.is_err());
    drop(colleague);
    let mut colleague = crate::testutil::file_colleague(&f, "suzuki", "鈴木");
    assert_eq!(counts(&colleague), before);
    crate::testutil::company(&mut colleague, "暗号化の後の会社");

    // A new passphrase: the old one no longer opens the file.
    let again = Key::new_passphrase("二つ目の合言葉も長めにする").unwrap();
    let rekeyed = convert(&path, Some(&again)).unwrap();
    assert_ne!(rekeyed.recovery_key, done.recovery_key);
    forget(&path);
    assert_eq!(
        unlock(&path, &passphrase).unwrap_err().code(),
        ErrorCode::PassphraseWrong
    );
    unlock(&path, &again).unwrap();
    assert_eq!(
        crate::customers::company::list(colleague.conn(), colleague.clock(), &Default::default())
            .unwrap_err()
            .code(),
        ErrorCode::KeyChanged
    );
    drop(colleague);

    convert(&path, None).unwrap();
    assert!(python_reads(&path), "decrypted: any SQLite tool reads it again");
    let db = crate::testutil::file_colleague(&f, "suzuki", "鈴木");
    assert_eq!(counts(&db).0, before.0 + 1);
    let found: i64 = db
        .conn()
        .query_row(
            "SELECT count(*) FROM companies WHERE name IN (?1, '暗号化の後の会社')",
            [name],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 2);
    // Search still finds them (its index came through the conversions).
    assert!(
        !crate::timeline::search::search(db.conn(), "暗号化の後", 0, crate::language::Language::Ja)
            .unwrap()
            .companies
            .hits
            .is_empty()
    );
}

fn path_exists_converting(path: &Path) -> bool {
    converting_path(path).exists()
}

#[test]
fn a_crashed_save_on_an_encrypted_file_is_rolled_back_by_the_next_desktop() {
    let dir = tempfile::tempdir().unwrap();
    let path = encrypted_team(dir.path(), PASSPHRASE);
    let addresses = |p: &Path| -> Vec<Option<String>> {
        let c = Connection::open_with_flags(p, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let mut st = c.prepare("SELECT address FROM companies ORDER BY id").unwrap();
        let rows = st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
        rows
    };
    let before = addresses(&path);
    crate::testutil::crash_mid_save_keyed(&path, Some(PASSPHRASE));
    let db = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
    assert_eq!(db.notices(), [crate::store::db::OpenNotice::CrashRolledBack]);
    assert!(!crate::store::recovery::journal_path(&path).exists());
    drop(db);
    assert_eq!(addresses(&path), before, "every committed save, none of the half one");
    assert!(!python_reads(&path));
}

#[test]
fn plain_copies_left_from_before_are_encrypted_with_the_team_key() {
    let dir = tempfile::tempdir().unwrap();
    let plain = plain_team(dir.path());
    let name = a_customer_name(&plain);
    let copies = dir.path().join("backups");
    let old = backup::take(&plain, &copies, BackupKind::Manual, chrono::Utc::now()).unwrap();
    assert!(python_reads(&old));
    let team = encrypted_team(dir.path(), PASSPHRASE);
    encrypt_local_copy(&old, &key_of(&team).unwrap()).unwrap();
    assert!(!python_reads(&old));
    assert!(!contains(&std::fs::read(&old).unwrap(), &name));
    assert_eq!(a_customer_name(&old), name);
    Db::inspect(&old).unwrap();
}
