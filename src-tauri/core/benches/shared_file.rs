//! `cargo bench -p kizuna-core --bench shared_file`: what one team file
//! shared by several desktops gives (docs/architecture.md: rollback journal,
//! `synchronous=FULL`, every write one short `BEGIN IMMEDIATE` transaction
//! retried with jitter).
//!
//! One team file (with the sample data) in a temporary directory. It prints:
//!  - commits: commits per second and p50 / p99 / max latency of one
//!    `Db::write` (a new customer through `company::create`: the row, its
//!    audit entry and its change-log entry), wall time including SQLite's
//!    busy waits and the engine's retries, with 1 writer and with 10
//!    writers at once — 10 OS threads, each with its own connection and its
//!    own login, as 10 desktops would be;
//!  - propagation: from the moment a colleague's `Db::write` returned to the
//!    moment a `changes::Feed` on another connection first returned that
//!    customer's id, p50 / p99 over ~40 commits made at random moments,
//!    with the app's probe interval (`changes::PROBE`) and with a 10 ms one
//!    (the floor: the cost of noticing and reading the log itself).
//!
//! Then the same on a team server (docs/team-server.md), in the same run:
//! a PostgreSQL started by the bench from Debian's package, durable (every
//! commit synced, as the file's are), on loopback, holding the same sample
//! team (`kizuna migrate`'s copy):
//!  - commits with 1, 10 and 50 writers, each on its own connection (a
//!    `ServerDb`, a desktop's session): the same `company::create` as on
//!    the file, through `ServerDb::write` (SERIALIZABLE, run again when it
//!    meets another save, the change-log entry appended last, in turn);
//!  - propagation: from a commit returning to the app's server feed
//!    (`store::server::ServerFeed`) on another connection, woken by the
//!    change log's NOTIFY, having read the id from `change_log` by sequence.
//!
//! KIZUNA_BENCH_QUICK=1 shortens the runs (a check that the bench works).

mod common;
// The server is Debian's PostgreSQL, started as the tests start it: the
// server half of the bench runs where they do.
#[cfg(target_os = "linux")]
#[path = "../tests/common/mod.rs"]
mod tests_common;

use common::{ms, percentile};
use kizuna_core::customers::company::{self, NewCompany, Segment};
use kizuna_core::store::changes::{ChangeBatch, Feed, PROBE};
#[cfg(target_os = "linux")]
use kizuna_core::store::server::{Server, ServerDb, ServerFeed};
use kizuna_core::{Db, OpenOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

/// A desktop's connection: its own handle on the file, its own login.
fn desktop(path: &Path, n: usize) -> Db {
    Db::open(path, OpenOptions::new(format!("rep{n:02}"), format!("営業{n:02}"))).unwrap()
}

/// One small, realistic transaction: a new customer owned by the writer.
fn new_customer(db: &mut Db, writer: usize, i: usize) -> kizuna_core::Result<String> {
    let c = customer(writer, i, &db.user().id);
    db.write(|ctx| company::create(ctx, &c))
}

/// The customer the `i`th commit of `writer` adds.
fn customer(writer: usize, i: usize, owner: &str) -> NewCompany {
    NewCompany {
        name: format!("株式会社ベンチ{writer:02}-{i:04}"),
        name_kana: format!("べんち{writer:02}-{i:04}"),
        industry: "製造業".into(),
        segment: Some(Segment::Normal),
        owner_id: Some(owner.to_string()),
        address: "東京都千代田区丸の内1-1-1".into(),
        phone: "03-1234-5678".into(),
        website: "https://example.co.jp".into(),
        tags: vec!["展示会".into()],
    }
}

struct Commits {
    per_second: f64,
    /// Latency of each successful write, in ms, sorted.
    latency: Vec<f64>,
    failed: usize,
}

/// `writers` threads, each on its own connection (`open`, given the
/// writer's number), each committing `per_writer` new customers back to
/// back (`commit`, given the connection, the writer and the customer's
/// number); all start at one instant. The file's desktops and the server's
/// connections are measured alike.
fn commits<C: 'static>(
    writers: usize,
    per_writer: usize,
    open: Arc<dyn Fn(usize) -> C + Send + Sync>,
    commit: fn(&mut C, usize, usize) -> bool,
) -> Commits {
    let start = Arc::new(Barrier::new(writers + 1));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (open, start) = (open.clone(), start.clone());
            std::thread::spawn(move || {
                let mut conn = open(w + 1);
                start.wait();
                let mut latency = Vec::with_capacity(per_writer);
                let mut failed = 0;
                for i in 0..per_writer {
                    let t0 = Instant::now();
                    if commit(&mut conn, w + 1, i) {
                        latency.push(ms(t0.elapsed()));
                    } else {
                        failed += 1;
                    }
                }
                (latency, failed)
            })
        })
        .collect();
    start.wait();
    let t0 = Instant::now();
    let mut latency = Vec::new();
    let mut failed = 0;
    for t in threads {
        let (l, f) = t.join().unwrap();
        latency.extend(l);
        failed += f;
    }
    let wall = t0.elapsed().as_secs_f64();
    latency.sort_by(f64::total_cmp);
    Commits {
        per_second: latency.len() as f64 / wall,
        latency,
        failed,
    }
}

fn file_commits(path: &Path, writers: usize, per_writer: usize) -> Commits {
    let path = path.to_path_buf();
    commits(writers, per_writer, Arc::new(move |w| desktop(&path, w)), |db, w, i| {
        new_customer(db, w, i).is_ok()
    })
}

/// For each commit, the delay in ms from its commit returning to a reader
/// seeing it (signed: a reader may see a commit a hair before the writer's
/// call has returned), sorted; and how many of `rounds` were never seen.
fn delays(rounds: usize, committed: &[(String, Instant)], seen: &HashMap<String, Instant>) -> (Vec<f64>, usize) {
    let mut delays = Vec::with_capacity(committed.len());
    let mut missed = rounds - committed.len();
    for (id, at) in committed {
        match seen.get(id) {
            Some(s) => delays.push(if *s >= *at { ms(*s - *at) } else { -ms(*at - *s) }),
            None => missed += 1,
        }
    }
    delays.sort_by(f64::total_cmp);
    (delays, missed)
}

/// A writer commits `rounds` customers at random moments (50–400 ms apart)
/// while a reader polls a `Feed` every `interval`; returns, for each
/// commit, the delay in ms from the writer's `Db::write` returning to the
/// reader's `poll` returning its id, sorted, and how many were never seen.
///
/// The two are independent connections on two threads. For what this
/// measures SQLite treats them exactly as two processes: no shared cache,
/// no WAL shared memory; the reader learns of a commit only through
/// `PRAGMA data_version`, which changes when any *other* connection
/// committed — read from the change counter in the file's first page — and
/// then reads the change log from the file, as a colleague's desktop does.
fn propagation(path: &Path, interval: Duration, rounds: usize) -> (Vec<f64>, usize) {
    let mut feed = Feed::open(path).unwrap();
    // Like the app's watcher, a probe every interval. The wait comes
    // before the probe, so that the moment `poll` returns is the moment the
    // change was read (waiting after it counted a whole interval more).
    let poll = move || {
        std::thread::sleep(interval);
        feed.poll().ok()
    };
    let mut db = desktop(path, 99);
    let commit = |i| new_customer(&mut db, 99, i).ok();
    delays_seen(poll, commit, rounds, interval * 4 + Duration::from_secs(2))
}

/// Commits `rounds` customers (`commit`, given the round; the new id, or
/// `None` when the commit failed) at random intervals while a reader
/// thread `poll`s on its own connection, and how long after each commit
/// the reader first held its change. `grace`: how long the reader gets
/// for the last ones.
fn delays_seen(
    mut poll: impl FnMut() -> Option<ChangeBatch> + Send + 'static,
    mut commit: impl FnMut(usize) -> Option<String>,
    rounds: usize,
    grace: Duration,
) -> (Vec<f64>, usize) {
    let done = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let reader = {
        let (done, seen) = (done.clone(), seen.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(batch) = poll() {
                    let at = Instant::now();
                    let mut seen = seen.lock().unwrap();
                    for c in batch.changes {
                        seen.entry(c.entity_id).or_insert(at);
                    }
                }
            }
        })
    };
    let mut committed: Vec<(String, Instant)> = Vec::with_capacity(rounds);
    for i in 0..rounds {
        std::thread::sleep(Duration::from_millis(rand::random_range(50..=400)));
        if let Some(id) = commit(i) {
            committed.push((id, Instant::now()));
        }
    }
    let t0 = Instant::now();
    while t0.elapsed() < grace {
        if committed.iter().all(|(id, _)| seen.lock().unwrap().contains_key(id)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    let seen = seen.lock().unwrap();
    delays(rounds, &committed, &seen)
}

#[cfg(target_os = "linux")]
/// A desktop's session on the server, as the member the bench's login is.
fn server_desktop(server: &Server) -> ServerDb {
    ServerDb::open(
        server,
        Arc::new(kizuna_core::SystemClock),
        kizuna_core::language::Language::Ja,
    )
    .unwrap()
}

#[cfg(target_os = "linux")]
/// One writer's save on the server, the file's `company::create`.
fn server_customer(db: &mut ServerDb, writer: usize, i: usize) -> kizuna_core::Result<String> {
    let c = customer(writer, i, &db.user().id);
    db.write(|ctx| company::create(ctx, &c))
}

#[cfg(target_os = "linux")]
fn server_commits(server: &Server, writers: usize, per_writer: usize) -> Commits {
    let server = server.clone();
    let open = Arc::new(move |_| server_desktop(&server));
    commits(writers, per_writer, open, |db, w, i| server_customer(db, w, i).is_ok())
}

#[cfg(target_os = "linux")]
/// As [`propagation`], with the app's server feed in place of the file's
/// probe: woken by the change log's NOTIFY (it waits at most 100 ms, to
/// see the end flag), it reads `change_log` after the last sequence it saw.
fn server_propagation(server: &Server, rounds: usize) -> (Vec<f64>, usize) {
    let mut feed = ServerFeed::open(server).unwrap();
    let poll = move || feed.next(Duration::from_millis(100)).ok();
    let mut writer = server_desktop(server);
    let commit = |i| server_customer(&mut writer, 99, i).ok();
    delays_seen(poll, commit, rounds, Duration::from_secs(3))
}

fn print_commits(store: &str, writers: usize, c: &Commits) {
    println!(
        "{store}: {writers:>2} writer{}: {:.0} commits/s, commit latency p50 {:.1} ms p99 {:.1} ms p99.9 {:.1} ms max {:.1} ms ({} commits, {} failed)",
        if writers == 1 { " " } else { "s" },
        c.per_second,
        percentile(&c.latency, 0.5),
        percentile(&c.latency, 0.99),
        percentile(&c.latency, 0.999),
        c.latency.last().copied().unwrap_or(f64::NAN),
        c.latency.len(),
        c.failed
    );
}

fn main() {
    let quick = std::env::var_os("KIZUNA_BENCH_QUICK").is_some();
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("team.db");
    let mut db = Db::create(&path, OpenOptions::new("tanaka", "田中")).unwrap();
    kizuna_core::app::sample::populate(&mut db).unwrap();
    drop(db);

    // 1. Commits, one desktop and ten at once.
    let per_writer = if quick { 30 } else { 300 };
    for writers in [1, 10] {
        let c = file_commits(&path, writers, per_writer);
        print_commits("shared file", writers, &c);
    }

    // 2. A colleague's commit reaching another connection's feed.
    let rounds = if quick { 8 } else { 40 };
    for interval in [PROBE, Duration::from_millis(10)] {
        let (d, missed) = propagation(&path, interval, rounds);
        println!(
            "shared file: change seen by another connection, polled every {:>3} ms: p50 {:.1} ms p99 {:.1} ms max {:.1} ms ({} changes, {missed} missed)",
            interval.as_millis(),
            percentile(&d, 0.5),
            percentile(&d, 0.99),
            d.last().copied().unwrap_or(f64::NAN),
            d.len()
        );
    }

    // 3. The same on a team server, the same sample team on it.
    #[cfg(target_os = "linux")]
    server_half(dir.path(), per_writer, rounds);
}

#[cfg(target_os = "linux")]
fn server_half(dir: &Path, per_writer: usize, rounds: usize) {
    let pg = tests_common::pg::TestServer::start_durable();
    let server = pg.team_database("bench");
    let team = dir.join("server-team.db");
    let mut db = Db::create(&team, OpenOptions::new("tanaka", "田中")).unwrap();
    kizuna_core::app::sample::populate(&mut db).unwrap();
    drop(db);
    kizuna_core::store::transfer::file_to_server(&team, &server).unwrap();
    // The bench's login joins the team once, before its desktops open.
    server_desktop(&server).join_named("ベンチ").unwrap();
    for writers in [1, 10, 50] {
        let c = server_commits(
            &server,
            writers,
            if writers == 50 { per_writer / 5 } else { per_writer },
        );
        print_commits("team server", writers, &c);
    }
    let (d, missed) = server_propagation(&server, rounds);
    println!(
        "team server: change seen by another connection, woken by NOTIFY: p50 {:.1} ms p99 {:.1} ms max {:.1} ms ({} changes, {missed} missed)",
        percentile(&d, 0.5),
        percentile(&d, 0.99),
        d.last().copied().unwrap_or(f64::NAN),
        d.len()
    );
}
