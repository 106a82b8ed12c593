//! The share misbehaving under a real file system: `tests/faultfs.py` (a
//! separate FUSE process) mirrors a folder and, on command, slows every call
//! down, fails it with EIO, or hangs it like a dead SMB server. The engine
//! must say "unreachable" within a bounded time, keep new work in the local
//! outbox, and after recovery apply it in order — everything present once,
//! the file intact.
// FUSE is Linux's; tests/windows.rs covers the Windows share.
#![cfg(target_os = "linux")]

mod common;

use common::share::FaultyShare;

use kizuna_core::app::outbox::{self, Op, Outbox};
use kizuna_core::customers::company::{self, NewCompany};
use kizuna_core::store::changes::{ChangeBatch, ChangeSink, Watcher, PROBE, PROBE_LIMIT};
use kizuna_core::timeline::activity::{ActivityKind, Direction, NewActivity};
use kizuna_core::{Db, Error, OpenOptions};
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the change watcher reported, as the window would show it.
#[derive(Default)]
struct Health {
    down: AtomicBool,
}

impl ChangeSink for Health {
    fn changed(&self, _: &ChangeBatch) {}
    fn unreachable(&self, _: &Error) {
        self.down.store(true, Ordering::SeqCst);
    }
    fn reachable(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Health {
    /// How long until the watcher reports `down` (panics past `limit`).
    fn wait_for(&self, down: bool, limit: Duration) -> Duration {
        let start = Instant::now();
        while self.down.load(Ordering::SeqCst) != down {
            assert!(
                start.elapsed() < limit,
                "the watcher did not report down={down} within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        start.elapsed()
    }
}

type Job = Box<dyn FnOnce(&mut Db) + Send>;

/// The window's database calls: one thread owns the connection, and every
/// call is waited for at most a time limit (the shell's with_session).
struct DbThread {
    jobs: mpsc::Sender<Job>,
}

impl DbThread {
    fn start(path: PathBuf) -> DbThread {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            let mut db = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
            for job in rx {
                job(&mut db);
            }
        });
        DbThread { jobs }
    }

    fn call<T: Send + 'static>(&self, limit: Duration, f: impl FnOnce(&mut Db) -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = mpsc::channel();
        self.jobs
            .send(Box::new(move |db| {
                let _ = tx.send(f(db));
            }))
            .unwrap();
        rx.recv_timeout(limit).ok()
    }
}

fn touch(company_id: &str, summary: &str) -> Op {
    Op::LogActivity {
        activity: NewActivity {
            company_id: company_id.into(),
            contact_ids: Vec::new(),
            deal_id: None,
            kind: ActivityKind::Call,
            direction: Some(Direction::Outbound),
            occurred_at: "2026-11-26T10:00:00+09:00".into(),
            summary: summary.into(),
            body: String::new(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        },
    }
}

const CALL_LIMIT: Duration = Duration::from_secs(3);

#[derive(Debug, PartialEq)]
enum Saved {
    Direct,
    Queued,
}

/// The shell's rule (state.rs, write_or_queue): known to be down → queue at
/// once; otherwise try, and queue on an outage or when the call times out.
fn save(db: &DbThread, health: &Health, outbox: &Outbox, team: &Path, op: Op) -> Saved {
    let id = kizuna_core::id::new_id();
    if !health.down.load(Ordering::SeqCst) {
        let (i, o) = (id.clone(), op.clone());
        match db.call(CALL_LIMIT, move |db| outbox::apply_once(db, &i, &o)) {
            Some(Ok(_)) => return Saved::Direct,
            Some(Err(e)) if outbox::is_outage(&e) => {}
            Some(Err(e)) => panic!("a save failed for another reason: {e}"),
            None => {} // timed out: the share hangs
        }
    }
    outbox
        .push(
            &outbox::team_of(&team.to_path_buf().into()),
            &id,
            &op,
            "2026-11-26T01:00:00Z",
        )
        .unwrap();
    Saved::Queued
}

#[test]
fn an_outage_is_reported_in_bounded_time_and_the_outbox_drains_in_order_after_it() {
    let Some(share) = FaultyShare::mount() else { return };
    let team = share.mount.join("team.db");
    let company_id = {
        let mut db = Db::create(&team, OpenOptions::new("sato", "佐藤")).unwrap();
        db.write(|ctx| {
            company::create(
                ctx,
                &NewCompany {
                    name: "障害テスト商事".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap()
    };
    let local = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&local.path().join("outbox.db")).unwrap();
    let health = Arc::new(Health::default());
    let watcher = Watcher::start(health.clone());
    watcher.attach(Some(team.clone().into()));
    let db = DbThread::start(team.clone());
    let bound = PROBE + PROBE_LIMIT + Duration::from_secs(1);
    let mut n = 0;
    let mut next = |db: &DbThread, health: &Health| {
        n += 1;
        save(
            db,
            health,
            &outbox,
            &team,
            touch(&company_id, &format!("outage-{n:03}")),
        )
    };

    // Healthy, then slow: everything lands directly.
    for _ in 0..5 {
        assert_eq!(next(&db, &health), Saved::Direct);
    }
    // A slow link, not a dead one: 25 ms per file-system call. Logging a
    // touch makes about 104 calls here (91 before the bigram index of
    // migration 0011 added three journaled pages), 2.6 s against the 3 s
    // limit; at 30 ms it would pass the limit and be queued.
    share.set("latency 25");
    let t = Instant::now();
    assert_eq!(next(&db, &health), Saved::Direct);
    println!("a save over a 25 ms-per-call link took {:?}", t.elapsed());
    assert!(!health.down.load(Ordering::SeqCst), "slow is not unreachable");
    share.set("ok");

    // The server fails every call.
    share.set("eio");
    let took = health.wait_for(true, bound);
    println!("EIO reported as unreachable after {took:?}");
    for _ in 0..5 {
        assert_eq!(next(&db, &health), Saved::Queued);
    }
    share.set("ok");
    health.wait_for(false, bound);

    // The server hangs. A save started before anyone noticed waits its
    // time limit and is queued; the watcher reports within its bound.
    share.set("hang");
    let t = Instant::now();
    assert_eq!(next(&db, &health), Saved::Queued);
    let hung = format!("outage-{:03}", 12);
    assert!(t.elapsed() < CALL_LIMIT + Duration::from_secs(1), "{:?}", t.elapsed());
    health.wait_for(true, bound);
    println!(
        "a hanging share reported as unreachable after {:?} (the stuck save gave up after {:?})",
        t.elapsed(),
        CALL_LIMIT
    );
    for _ in 0..5 {
        assert_eq!(next(&db, &health), Saved::Queued);
    }
    assert_eq!(
        outbox.counts(&outbox::team_of(&team.clone().into())).unwrap().pending,
        11
    );

    // Back. The save that hung completes on its own; the outbox drains.
    share.set("ok");
    health.wait_for(false, bound);
    let o = Outbox::open(&local.path().join("outbox.db")).unwrap();
    let key = outbox::team_of(&team.clone().into());
    let report = db
        .call(Duration::from_secs(30), move |db| o.drain(&key, db))
        .expect("the drain finished")
        .unwrap();
    println!("drained: {report:?}");
    assert!(!report.interrupted);
    assert_eq!(report.applied + report.skipped, 11);
    assert_eq!(
        outbox.counts(&outbox::team_of(&team.clone().into())).unwrap().pending,
        0
    );

    // Every save is in the team file exactly once, in the order made.
    let conn = common::open(&team);
    let mut st = conn
        .prepare("SELECT summary FROM activities WHERE summary LIKE 'outage-%' ORDER BY rowid")
        .unwrap();
    let got: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    let want: Vec<String> = (1..=n).map(|i| format!("outage-{i:03}")).collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, want, "each save once");
    // (The save that hung landed when the share came back, before the drain.)
    let queued_in_order: Vec<&String> = got
        .iter()
        .filter(|s| s.as_str() >= "outage-007" && **s != hung)
        .collect();
    let mut in_order = queued_in_order.clone();
    in_order.sort();
    assert_eq!(queued_in_order, in_order, "the outbox kept the order");
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    drop(watcher);
}

#[test]
fn a_share_that_refuses_locks_is_opened_read_only_and_still_shows_its_data() {
    let Some(share) = FaultyShare::mount_with(&["refuse-locks"]) else {
        return;
    };
    // The team file was made on the server side, where locks work.
    drop(Db::create(&share.backing.join("team.db"), OpenOptions::new("sato", "佐藤")).unwrap());
    let team = share.mount.join("team.db");

    let mut db = Db::open(&team, OpenOptions::new("suzuki", "鈴木")).unwrap();
    assert_eq!(
        db.read_only(),
        Some(kizuna_core::store::db::ReadOnlyReason::LockingBroken)
    );
    assert!(
        !kizuna_core::pipeline::stage::list(db.conn()).unwrap().is_empty(),
        "its data can be read"
    );
    assert_eq!(
        db.write(|_| Ok(())).unwrap_err().code(),
        kizuna_core::ErrorCode::ReadOnly
    );
    // The change watcher reads it too, instead of calling it unreachable.
    let mut feed = kizuna_core::store::changes::Feed::open(&team).unwrap();
    assert!(feed.poll().unwrap().is_empty());
}

#[test]
fn a_connection_left_stale_by_a_server_restart_is_replaced_but_not_while_the_share_is_away() {
    use kizuna_core::app::config::Dirs;
    use kizuna_core::app::session::Session;
    let Some(mut share) = FaultyShare::mount() else { return };
    let team = share.mount.join("team.db");
    drop(Db::create(&team, OpenOptions::new("sato", "佐藤")).unwrap());
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.json"),
        serde_json::json!({ "database": team, "first_run_done": true }).to_string(),
    )
    .unwrap();
    let dirs = Dirs::new(home.path().to_path_buf(), home.path().to_path_buf());
    let mut session = Session::start(dirs, None, Arc::new(kizuna_core::SystemClock));
    assert!(session.db().unwrap().schema_version().is_ok());

    // Away: the connection fails, and so would a new one — it is kept, and
    // with it what the window shows.
    share.set("eio");
    assert!(session.db().unwrap().schema_version().is_err());
    session.heal();
    assert!(session.status().database.is_some(), "the session still has its file");
    share.set("ok");
    assert!(
        session.db().unwrap().schema_version().is_ok(),
        "the same connection works again"
    );

    // The server restarts: the old handle is dead for good; heal replaces it.
    share.restart();
    assert!(
        session.db().unwrap().schema_version().is_err(),
        "the old handle is stale"
    );
    session.heal();
    assert!(
        session.db().unwrap().schema_version().is_ok(),
        "a fresh connection reads"
    );
}

/// The last desktop crashed mid-save, and the next one may only read the
/// share: the cut-off save cannot be rolled back from there. The user is told
/// exactly that (not "read-only" or "unreachable"), the file is not touched,
/// and a desktop that may write opens it with every completed save.
#[test]
fn a_crashed_save_on_a_read_only_share_is_explained_and_recovered_where_writing_is_allowed() {
    let Some(share) = FaultyShare::mount() else { return };
    let path = share.mount.join("kizuna.db");
    {
        let mut db = Db::create(&path, OpenOptions::new("sato", "佐藤")).unwrap();
        kizuna_core::app::sample::populate(&mut db).unwrap();
    }
    let backing = share.backing.join("kizuna.db");
    common::kill_the_last_writer_mid_save(Path::new(env!("CARGO_BIN_EXE_kizuna")), &backing);
    let (file, journal) = (
        std::fs::read(&backing).unwrap(),
        std::fs::read(common::journal_of(&backing)).unwrap(),
    );

    share.set("readonly");
    let Err(e) = Db::open(&path, OpenOptions::new("suzuki", "鈴木")) else {
        panic!("the file cannot be read before the save is rolled back")
    };
    assert_eq!(e.code(), kizuna_core::ErrorCode::RecoveryBlocked, "{e}");
    assert_eq!(std::fs::read(&backing).unwrap(), file, "not a byte written");
    assert_eq!(std::fs::read(common::journal_of(&backing)).unwrap(), journal);

    share.set("ok");
    let db = Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap();
    assert_eq!(db.read_only(), None);
}
