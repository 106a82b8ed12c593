//! Colleagues saving at once on a slow share (docs/shared-database.md,
//! "Saves take turns"): real `kizuna` processes on the FUSE share of
//! `tests/faultfs.py` with 5 ms added to every file-system call, beside
//! idle desktops polling for changes as open windows do. Every save must be
//! acknowledged — none gives up — nothing lost or doubled, and the longest
//! wait is printed; a writer killed while it holds the lock stops nobody.
// FUSE is Linux's.
#![cfg(target_os = "linux")]

mod common;

use common::share::FaultyShare;
use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

fn kizuna(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kizuna"));
    c.arg("--db").arg(db).args(args);
    c
}

fn spawn(mut c: Command) -> Child {
    c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

/// A team file with the sample data on the share, made before it slows.
fn team_file(share: &FaultyShare) -> std::path::PathBuf {
    let db = share.mount.join("team.db");
    let out = kizuna(&db, &["demo"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

/// `count` idle desktops (the change feed and the reminder scheduler, as an
/// open window runs them) for up to `seconds`, given a moment to open: the
/// team's desktops were open before the meeting ended.
fn idle_desktops(db: &Path, count: usize, seconds: u32) -> Vec<Child> {
    let idle = (0..count)
        .map(|k| spawn(kizuna(db, &["--as", &format!("idle{k}"), "idle", &seconds.to_string()])))
        .collect();
    std::thread::sleep(std::time::Duration::from_secs(3));
    idle
}

/// Ends the idle desktops; how many changes each had seen.
fn stop(idle: Vec<Child>) -> Vec<usize> {
    idle.into_iter()
        .map(|mut c| {
            let _ = c.kill();
            let out = c.wait_with_output().unwrap();
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.strip_prefix("saw ")?.parse().ok())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// What a writer acknowledged ("login i") and how long each save took, ms.
fn acks_and_times(stdout: &[u8]) -> (Vec<String>, Vec<f64>) {
    let text = String::from_utf8_lossy(stdout);
    let acks = text
        .lines()
        .filter_map(|l| l.strip_prefix("ack "))
        .map(String::from)
        .collect();
    let took = text
        .lines()
        .filter_map(|l| l.strip_prefix("took ")?.parse().ok())
        .collect();
    (acks, took)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Every acknowledged save is in the file exactly once, and only those.
fn each_once(acked: &HashSet<String>, in_file: &[String]) {
    let distinct: HashSet<String> = in_file.iter().cloned().collect();
    assert_eq!(distinct.len(), in_file.len(), "a save was stored twice");
    let missing: Vec<_> = acked.difference(&distinct).take(5).collect();
    assert!(missing.is_empty(), "acknowledged but missing: {missing:?}");
}

#[test]
fn ten_colleagues_saving_at_once_on_a_slow_share_all_get_through_in_turn() {
    let Some(share) = FaultyShare::mount() else { return };
    let db = team_file(&share);
    share.set("latency 5");
    let idle = idle_desktops(&db, 20, 900);
    // Twelve saves each keep every writer in the queue beside the nine
    // others for the whole run; the bench (`make bench`, save_queue) takes
    // the longer runs and the 30 ms share whose figures docs/ quote.
    const SAVES: usize = 12;
    let started = Instant::now();
    let writers: Vec<Child> = (0..10)
        .map(|k| {
            spawn(kizuna(
                &db,
                &[
                    "--as",
                    &format!("rep{k}"),
                    "stress",
                    &SAVES.to_string(),
                    "--pause-ms",
                    "4",
                    "--timings",
                ],
            ))
        })
        .collect();
    let (mut acked, mut took) = (HashSet::new(), Vec::new());
    for (k, w) in writers.into_iter().enumerate() {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "rep{k} gave up: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (a, t) = acks_and_times(&out.stdout);
        acked.extend(a);
        took.extend(t);
    }
    let elapsed = started.elapsed();
    let seen = stop(idle);
    share.set("ok");
    assert_eq!(acked.len(), 10 * SAVES, "every save acknowledged");
    let in_file = common::stored_notes(&share.backing.join("team.db"));
    each_once(&acked, &in_file);
    assert_eq!(in_file.len(), 10 * SAVES);
    // The idle desktops were looking all along, and saw the saves.
    assert!(seen.iter().all(|&n| n > 0), "idle desktops saw {seen:?}");
    common::integrity_ok(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    took.sort_by(f64::total_cmp);
    eprintln!(
        "10 writers × {SAVES} saves at 5 ms per call beside 20 idle desktops: {:.0} s, {:.2} saves/s; \
         wait and save p50 {:.0} ms, p99 {:.0} ms, longest {:.0} ms; idle desktops saw {}–{} changes",
        elapsed.as_secs_f64(),
        (10 * SAVES) as f64 / elapsed.as_secs_f64(),
        percentile(&took, 0.5),
        percentile(&took, 0.99),
        took.last().unwrap(),
        seen.iter().min().unwrap(),
        seen.iter().max().unwrap(),
    );
}

#[test]
fn a_writer_killed_while_it_holds_the_lock_stops_nobody() {
    let Some(share) = FaultyShare::mount() else { return };
    let db = team_file(&share);
    share.set("latency 5");
    let idle = idle_desktops(&db, 5, 900);
    let writers: Vec<Child> = (0..5)
        .map(|k| {
            spawn(kizuna(
                &db,
                &["--as", &format!("rep{k}"), "stress", "8", "--pause-ms", "4"],
            ))
        })
        .collect();
    // A sixth colleague saves until it is killed in the middle of a save:
    // its journal is hot (seen from the server's side), so it holds the
    // write lock and, if others waited, the head of the queue.
    let mut victim = spawn(kizuna(&db, &["--as", "victim", "stress", "1000000"]));
    let victim_acks = common::acks_of(&mut victim);
    let server_copy = share.backing.join("team.db");
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    while !common::hot_journal(&server_copy) {
        assert!(Instant::now() < deadline, "never caught the victim mid-save");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    victim.kill().unwrap();
    victim.wait().unwrap();
    let mut acked: HashSet<String> = victim_acks.join().unwrap().into_iter().collect();
    let mut longest = 0.0f64;
    for (k, w) in writers.into_iter().enumerate() {
        let started = Instant::now();
        let out = w.wait_with_output().unwrap();
        longest = longest.max(started.elapsed().as_secs_f64());
        assert!(
            out.status.success(),
            "rep{k} gave up after the kill: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        acked.extend(acks_and_times(&out.stdout).0);
    }
    stop(idle);
    share.set("ok");
    // Every colleague's saves, and the victim's that were acknowledged.
    assert!(acked.len() >= 5 * 8, "{} saves acknowledged", acked.len());
    assert!(!common::hot_journal(&server_copy), "the killed save was rolled back");
    each_once(&acked, &common::stored_notes(&share.backing.join("team.db")));
    common::integrity_ok(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    eprintln!(
        "a writer killed mid-save among 5 writers at 5 ms per call: {} saves acknowledged, all stored once",
        acked.len()
    );
}
