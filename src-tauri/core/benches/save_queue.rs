//! `cargo bench -p kizuna-core --bench save_queue`: colleagues saving at
//! once on a slow share, taking turns in the queue beside the team file
//! (docs/shared-database.md, "Saves take turns"), as real `kizuna`
//! processes on the FUSE share of `tests/faultfs.py`, which adds a delay to
//! every file-system call as a share's round trip does.
//!
//! It prints two tables:
//!  - saves: for 0, 5 and 30 ms added per call and 1, 5 and 10 writers
//!    (`kizuna stress N --pause-ms 4 --timings`, each its own login, all
//!    started at once) beside 20 idle desktops (`kizuna idle`: the change
//!    feed polled and the reminder scheduler waiting, as in an open window,
//!    each its own login): the team's saves per second (from the
//!    first acknowledged save to the last), p50 / p99 / max of one save's
//!    wait and save time (the writer's `took`), how many writers gave up
//!    (exited with an error; expected 0), how many idle desktops failed
//!    (`kizuna idle` ends at its first failed look, where the window's
//!    watcher tries again at the next probe), and how long after the last
//!    save every idle desktop had seen every change. 20 saves per writer,
//!    2 at 30 ms, where a save takes seconds and ten writers' saves, in
//!    turn, take minutes;
//!  - propagation at 5 ms per call: from the moment a writer acknowledged a
//!    save (its `ack` line, timestamped as it comes) to the moment an idle
//!    desktop printed a `saw N` that includes it, p50 / p99 / max over every
//!    save and every one of 5 idle desktops; one writer
//!    (`stress 20 --pause-ms 2000`) saves at random moments, 0.2–2.2 s apart.
//!
//! Every run starts from a copy of one file in which every login is
//! already a member (a login's first opening is a save of its own). After
//! every run, every acknowledged save must be in the file exactly
//! once and nothing else (read from the server's side of the share); the
//! bench panics otherwise, since figures of failed saves would mislead.
//! About seven minutes; KIZUNA_BENCH_QUICK=1 shortens the runs (a check that
//! the bench works: 3 saves per writer, one writer of one save at 30 ms, 5
//! saves seen by 2 idle desktops; a minute and a half). Without FUSE (/dev/fuse and
//! python3-fusepy) it says so and measures nothing.

// The outage tests' share; its restart and refused locks are not used here.
#[allow(dead_code)]
#[path = "../tests/common/share.rs"]
mod share;

mod common;

use common::{ms, percentile};
use share::FaultyShare;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Lines of a child's stdout, each with the moment it was read.
type Lines = Arc<Mutex<Vec<(Instant, String)>>>;
/// What a process printed, and its error output when it failed.
type Output = (Vec<(Instant, String)>, Option<String>);

/// A `kizuna` process whose output is read, and timestamped, as it comes.
struct Proc {
    child: Child,
    lines: Lines,
    reader: JoinHandle<()>,
}

impl Proc {
    fn start(db: &Path, args: &[&str]) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kizuna"))
            .arg("--db")
            .arg(db)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kizuna");
        let out = child.stdout.take().expect("stdout piped");
        let lines = Lines::default();
        let reader = {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push((Instant::now(), line));
                }
            })
        };
        Proc { child, lines, reader }
    }

    /// Waits for the end; its lines, and its error output when it failed.
    fn finish(self) -> Output {
        let out = self.child.wait_with_output().expect("wait for kizuna");
        self.reader.join().expect("output reader");
        let failed = (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).trim().to_string());
        (std::mem::take(&mut *self.lines.lock().unwrap()), failed)
    }

    /// Ends an idle desktop; its lines, and its error output when it had
    /// failed by itself before.
    fn stop(mut self) -> Output {
        let failed = matches!(self.child.try_wait(), Ok(Some(s)) if !s.success());
        let _ = self.child.kill();
        let (lines, error) = self.finish();
        (lines, if failed { error } else { None })
    }

    /// The changes an idle desktop has seen so far.
    fn seen(&self) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find_map(|(_, l)| saw(l))
            .unwrap_or(0)
    }

    /// Whether an idle desktop is still looking: `kizuna idle` ends at the
    /// first failed look.
    fn looking(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn saw(line: &str) -> Option<usize> {
    line.strip_prefix("saw ")?.parse().ok()
}

/// One acknowledged save: "LOGIN I", when its `ack` was read, its `took`.
struct Ack {
    save: String,
    at: Instant,
    took: Option<f64>,
}

fn acks(lines: &[(Instant, String)]) -> Vec<Ack> {
    let mut acks: Vec<Ack> = Vec::new();
    for (at, line) in lines {
        if let Some(save) = line.strip_prefix("ack ") {
            acks.push(Ack {
                save: save.to_string(),
                at: *at,
                took: None,
            });
        } else if let Some(ms) = line.strip_prefix("took ") {
            let last = acks.last_mut().expect("`took` follows its `ack`");
            last.took = Some(ms.parse().expect("`took MS`"));
        }
    }
    acks
}

/// Writers and idle desktops, at most.
const WRITERS: usize = 10;
const IDLE: usize = 20;

fn writer_login(k: usize) -> String {
    format!("rep{k:02}")
}

fn idle_login(k: usize) -> String {
    format!("idle{k:02}")
}

/// The team file every run starts from, on the server's side: the sample
/// data, and every writer and idle desktop already a member. A login's
/// first opening adds it to the team (a save, and a change every feed
/// reports): done here, the runs' only saves are the measured ones.
fn template(share: &FaultyShare) -> PathBuf {
    let file = share.backing.join("template.db");
    let kizuna = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kizuna"))
            .arg("--db")
            .arg(&file)
            .args(args)
            .output()
            .expect("run kizuna");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    kizuna(&["demo"]);
    for login in (0..WRITERS).map(writer_login).chain((0..IDLE).map(idle_login)) {
        kizuna(&["--as", &login, "stress", "0"]);
    }
    file
}

/// A fresh copy of the template on the share; its paths on the share and
/// on the server's side.
fn team_file(share: &FaultyShare, template: &Path, name: &str) -> (PathBuf, PathBuf) {
    let backing = share.backing.join(name);
    std::fs::copy(template, &backing).unwrap();
    (share.mount.join(name), backing)
}

/// The last change-log sequence, read on the server's side while nobody writes.
fn latest_seq(backing: &Path) -> i64 {
    let conn = rusqlite::Connection::open(backing).unwrap();
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM change_log", [], |r| r.get(0))
        .unwrap()
}

/// `count` idle desktops, opened while the share is fast and returned once
/// they have settled: their feeds open (a feed starts at the log's end
/// when it opens, so one opened after the first save would count from a
/// different place) and their sessions too, which take hundreds of reads
/// each (a quarter of a minute at 30 ms per call). The team's desktops were
/// open before the meeting ended.
fn idle_desktops(share: &FaultyShare, db: &Path, count: usize) -> Vec<Proc> {
    share.set("ok");
    let idle: Vec<Proc> = (0..count)
        .map(|k| Proc::start(db, &["--as", &idle_login(k), "idle", "3600"]))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    for p in &idle {
        while !feed_open(p.child.id(), db) {
            assert!(
                Instant::now() < deadline,
                "an idle desktop never opened {}",
                db.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // Settled: from hundreds of reads a second each to a glance or two.
    let mut before = reads(&idle);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = reads(&idle);
        if now - before < 10 * count as u64 {
            return idle;
        }
        assert!(Instant::now() < deadline, "the idle desktops never settled");
        before = now;
    }
}

/// The read calls the processes made so far, all told.
fn reads(procs: &[Proc]) -> u64 {
    procs
        .iter()
        .filter_map(|p| {
            let io = std::fs::read_to_string(format!("/proc/{}/io", p.child.id())).ok()?;
            io.lines()
                .find_map(|l| l.strip_prefix("syscr:"))?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// Whether `kizuna idle` (process `pid`) has its change feed open on
/// `file`: a read-only handle beside the read-write one of its reminder
/// scheduler. The scheduler's session looks at the file read-only before
/// it opens it to write, never while, so both at once means the feed.
fn feed_open(pid: u32, file: &Path) -> bool {
    let (mut read_only, mut read_write) = (false, false);
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if !std::fs::read_link(fd.path()).is_ok_and(|p| p == file) {
            continue;
        }
        let info = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{}", fd.file_name().to_string_lossy()));
        let flags = info.ok().and_then(|i| {
            let octal = i.lines().find_map(|l| l.strip_prefix("flags:"))?.trim().to_string();
            u32::from_str_radix(&octal, 8).ok()
        });
        match flags.map(|f| f & 0o3) {
            Some(0) => read_only = true,
            Some(2) => read_write = true,
            _ => {}
        }
    }
    read_only && read_write
}

/// Waits until every idle desktop still looking has seen `total` changes,
/// for at most `limit`.
fn catch_up(idle: &mut [Proc], total: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    while idle.iter_mut().any(|p| p.looking() && p.seen() < total) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every acknowledged save is in the file exactly once, and nothing else;
/// for each, the sequence of its entry in the change log. Read on the
/// server's side once nobody writes any more.
fn stored_once(backing: &Path, acked: &[Ack]) -> HashMap<String, i64> {
    let conn = rusqlite::Connection::open(backing).unwrap();
    let mut st = conn
        .prepare(
            "SELECT substr(a.summary, 8), c.seq FROM activities a
             LEFT JOIN change_log c ON c.entity = 'activity' AND c.entity_id = a.id AND c.op = 'insert'
             WHERE a.summary LIKE 'stress %' AND a.deleted_at IS NULL",
        )
        .unwrap();
    let rows: Vec<(String, Option<i64>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut stored = HashMap::new();
    for (save, seq) in rows {
        let seq = seq.unwrap_or_else(|| panic!("{}: save {save} has no change-log entry", backing.display()));
        assert!(
            stored.insert(save.clone(), seq).is_none(),
            "{}: save {save} is stored twice",
            backing.display()
        );
    }
    let mut missing: Vec<&str> = acked
        .iter()
        .map(|a| a.save.as_str())
        .filter(|s| !stored.contains_key(*s))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "{}: {} acknowledged saves are not in the file: {:?}",
        backing.display(),
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert_eq!(
        stored.len(),
        acked.len(),
        "{}: saves in the file that no writer acknowledged (a save reported failed that landed)",
        backing.display()
    );
    stored
}

/// The change-log sequences after `from`, in order: an idle desktop that
/// opened at `from` has seen the change at `seq` once it has seen
/// (the position of `seq` here + 1) changes.
fn log_after(backing: &Path, from: i64) -> Vec<i64> {
    let conn = rusqlite::Connection::open(backing).unwrap();
    let mut st = conn
        .prepare("SELECT seq FROM change_log WHERE seq > ?1 ORDER BY seq")
        .unwrap();
    st.query_map([from], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// Milliseconds from `from` to `to`, negative when `to` came first.
fn signed_ms(from: Instant, to: Instant) -> f64 {
    if to >= from {
        ms(to - from)
    } else {
        -ms(from - to)
    }
}

/// `writers` writers of `per_writer` saves each, all started at once on a
/// share adding `latency_ms` per call, beside `IDLE` idle desktops; one row.
fn saves(share: &FaultyShare, template: &Path, latency_ms: u64, writers: usize, per_writer: usize) {
    let (db, backing) = team_file(share, template, &format!("team-{latency_ms}ms-{writers}w.db"));
    let start_seq = latest_seq(&backing);
    let mut idle = idle_desktops(share, &db, IDLE);
    share.set(&format!("latency {latency_ms}"));

    let started = Instant::now();
    let n = per_writer.to_string();
    let procs: Vec<Proc> = (0..writers)
        .map(|w| {
            Proc::start(
                &db,
                &["--as", &writer_login(w), "stress", &n, "--pause-ms", "4", "--timings"],
            )
        })
        .collect();
    let mut acked = Vec::new();
    let mut gave_up = Vec::new();
    for p in procs {
        let (lines, failed) = p.finish();
        acked.extend(acks(&lines));
        gave_up.extend(failed);
    }
    let wall = started.elapsed();

    // Everything is on the server now: how many changes a desktop that saw
    // all of them has seen, and how long after the last save each got there.
    stored_once(&backing, &acked);
    let total = log_after(&backing, start_seq).len();
    catch_up(&mut idle, total, Duration::from_secs(30));
    let last_ack = acked.iter().map(|a| a.at).max();
    let (mut all_seen, mut behind, mut idle_failed) = (Some(0.0f64), 0, Vec::new());
    for p in idle {
        let (lines, failed) = p.stop();
        let caught_up = lines.iter().find(|(_, l)| saw(l).is_some_and(|n| n >= total));
        match (caught_up, last_ack) {
            (Some((at, _)), Some(last)) => all_seen = all_seen.map(|s| s.max(signed_ms(last, *at))),
            (Some(_), None) => {}
            // A desktop that died is counted there, not here.
            (None, _) if failed.is_some() => {}
            (None, _) => {
                behind += 1;
                all_seen = None;
            }
        }
        idle_failed.extend(failed);
    }
    share.set("ok");

    let mut took: Vec<f64> = acked.iter().filter_map(|a| a.took).collect();
    took.sort_by(f64::total_cmp);
    let per_second = match (acked.iter().map(|a| a.at).min(), last_ack) {
        (Some(first), Some(last)) if last > first => (acked.len() - 1) as f64 / (last - first).as_secs_f64(),
        _ => f64::NAN,
    };
    let all_seen = match all_seen {
        Some(ms) => format!("{:.0} ms", ms),
        None => format!("{behind} behind"),
    };
    println!(
        "{latency_ms:>7} {writers:>7} {:>5}/{:<5} {per_second:>7.2} {:>8.0} {:>8.0} {:>8.0} {:>7} {:>9} {all_seen:>10} {:>6.1}",
        acked.len(),
        writers * per_writer,
        percentile(&took, 0.5),
        percentile(&took, 0.99),
        took.last().copied().unwrap_or(f64::NAN),
        gave_up.len(),
        idle_failed.len(),
        wall.as_secs_f64(),
    );
    for why in gave_up.iter().chain(&idle_failed).take(3) {
        println!("        {why}");
    }
}

/// One writer saving `rounds` times at random moments beside `idle`
/// desktops at 5 ms per call; from each acknowledgement to each desktop's
/// first report that includes the save.
fn propagation(share: &FaultyShare, template: &Path, rounds: usize, idle: usize) {
    const LATENCY_MS: u64 = 5;
    let (db, backing) = team_file(share, template, "team-propagation.db");
    let start_seq = latest_seq(&backing);
    let mut desktops = idle_desktops(share, &db, idle);
    share.set(&format!("latency {LATENCY_MS}"));
    let writer = Proc::start(
        &db,
        &[
            "--as",
            &writer_login(0),
            "stress",
            &rounds.to_string(),
            "--pause-ms",
            "2000",
        ],
    );
    let (lines, failed) = writer.finish();
    let acked = acks(&lines);
    let stored = stored_once(&backing, &acked);
    let log = log_after(&backing, start_seq);
    // Time for the last save to reach everyone.
    catch_up(&mut desktops, log.len(), Duration::from_secs(10));
    let reports: Vec<Output> = desktops.into_iter().map(Proc::stop).collect();
    share.set("ok");

    let (mut delays, mut missed) = (Vec::new(), 0);
    for a in &acked {
        let position = log
            .binary_search(&stored[&a.save])
            .expect("the save's change is in the log")
            + 1;
        for (lines, _) in &reports {
            match lines.iter().find(|(_, l)| saw(l).is_some_and(|n| n >= position)) {
                Some((at, _)) => delays.push(signed_ms(a.at, *at)),
                None => missed += 1,
            }
        }
    }
    delays.sort_by(f64::total_cmp);
    println!(
        "{LATENCY_MS:>7} {:>5}/{:<5} {idle:>7} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {missed:>7} {:>7}",
        acked.len(),
        rounds,
        percentile(&delays, 0.0),
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
        delays.last().copied().unwrap_or(f64::NAN),
        reports.iter().filter(|(_, f)| f.is_some()).count() + usize::from(failed.is_some()),
    );
    for why in failed
        .iter()
        .chain(reports.iter().filter_map(|(_, f)| f.as_ref()))
        .take(3)
    {
        println!("        {why}");
    }
}

fn main() {
    let quick = std::env::var_os("KIZUNA_BENCH_QUICK").is_some();
    let Some(share) = FaultyShare::mount() else { return };
    let template = template(&share);

    println!("save queue: writers saving at once on a FUSE share, beside 20 idle desktops");
    println!("(a fresh copy of the team file each run; the idle desktops open it before the share slows;");
    println!(" saves/s: first to last acknowledged save; took: one save's wait and save, ms;");
    println!(" gave up: writers that ended with an error; idle died: idle desktops that did;");
    println!(" all seen: from the last save until every idle desktop still looking had seen");
    println!(" every change; wall: from starting the writers to the last one's end, opening");
    println!(" the file included)");
    println!(
        "{:>7} {:>7} {:>11} {:>7} {:>8} {:>8} {:>8} {:>7} {:>9} {:>10} {:>6}",
        "ms/call",
        "writers",
        "saves",
        "saves/s",
        "took p50",
        "p99",
        "max",
        "gave up",
        "idle died",
        "all seen",
        "wall s"
    );
    for latency_ms in [0, 5, 30] {
        // At 30 ms per call a lone save takes seconds and opening the
        // file a quarter of a minute, and ten writers take turns: fewer
        // saves each keep the bench in minutes.
        let (per_writer, team): (usize, &[usize]) = match (quick, latency_ms) {
            (true, 30) => (1, &[1]),
            (true, _) => (3, &[1, 5, 10]),
            (false, 30) => (2, &[1, 5, 10]),
            (false, _) => (20, &[1, 5, 10]),
        };
        for &writers in team {
            saves(&share, &template, latency_ms, writers, per_writer);
        }
    }

    let (rounds, idle) = if quick { (5, 2) } else { (20, 5) };
    println!();
    println!("save queue: a save reaching idle desktops (from the writer's ack to a desktop's `saw`, ms)");
    println!(
        "{:>7} {:>11} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7}",
        "ms/call", "saves", "idle", "min", "p50", "p99", "max", "missed", "failed"
    );
    propagation(&share, &template, rounds, idle);
}
