//! What several process tests share: crashing the last desktop that writes,
//! and a share that misbehaves.
#![allow(dead_code)] // each test file uses its own share of these

#[cfg(target_os = "linux")]
pub mod pg;
#[cfg(target_os = "linux")]
pub mod share;
#[cfg(target_os = "linux")]
pub mod tls;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/// A loopback port nobody listens on now, for a server a test starts (it
/// may be taken before the server binds it; the test server tries again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn journal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// Whether `db` has a journal that a crashed save left (synced, so SQLite
/// must play it back before anyone may read the file).
pub fn hot_journal(db: &Path) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(journal_of(db))
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == JOURNAL_MAGIC)
}

/// Collects what a `kizuna stress` child acknowledges (committed saves, as
/// "login i") until its output ends, on a thread of its own.
pub fn acks_of(child: &mut std::process::Child) -> std::thread::JoinHandle<Vec<String>> {
    let out = child.stdout.take().expect("stdout piped");
    std::thread::spawn(move || {
        BufReader::new(out)
            .lines()
            .map_while(Result::ok)
            .map(|l| l.trim_start_matches("ack ").to_string())
            .collect()
    })
}

/// Runs `kizuna stress` as the only writer on `db` and kills it with SIGKILL
/// the moment its journal is hot — in the middle of a save, with nobody else
/// having the file open. Returns the saves it acknowledged (committed).
pub fn kill_the_last_writer_mid_save(kizuna: &Path, db: &Path) -> HashSet<String> {
    let started = Instant::now();
    let mut acked = HashSet::new();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never caught a writer mid-save"
        );
        let mut child = Command::new(kizuna)
            .arg("--db")
            .arg(db)
            .args(["--as", "crasher", "stress", "1000000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kizuna stress");
        let reader = acks_of(&mut child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while !hot_journal(db) && Instant::now() < deadline {
            std::hint::spin_loop();
        }
        let _ = child.kill();
        let _ = child.wait();
        acked.extend(reader.join().expect("ack reader"));
        if hot_journal(db) {
            return acked;
        }
    }
}

/// The stress notes the file holds, as "login i", read through a plain
/// read-only SQLite connection (which a hot journal would refuse).
pub fn stored(db: &Path) -> HashSet<String> {
    stored_notes(db).into_iter().collect()
}

/// A plain SQLite connection, as a script using the engine opens one: keyed
/// like every connection of a process that uses kizuna_core, so the
/// encrypted test run (KIZUNA_TEST_ENCRYPTED=1) reads its files too.
pub fn open(db: impl AsRef<Path>) -> rusqlite::Connection {
    kizuna_core::store::cipher::install();
    rusqlite::Connection::open(db).unwrap()
}

/// [`stored`] with repeats kept: a save stored twice shows twice.
pub fn stored_notes(db: &Path) -> Vec<String> {
    kizuna_core::store::cipher::install();
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = conn
        .prepare("SELECT substr(summary, 8) FROM activities WHERE summary LIKE 'stress %' AND deleted_at IS NULL")
        .unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// `kizuna check` says the file is whole.
pub fn integrity_ok(kizuna: &Path, db: &Path) {
    let out = Command::new(kizuna).arg("--db").arg(db).arg("check").output().unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("integrity ok"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
