//! The shared team file under real concurrency: separate processes (the
//! `kizuna` CLI, one per team member) writing to one SQLite file at once,
//! as the desktops of a whole team do on the office share.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn kizuna(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kizuna"));
    c.arg("--db").arg(db).args(args);
    c
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("team.db");
    let out = kizuna(&db, &["demo"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

fn writer(db: &Path, login: &str, n: u32, pause_ms: u32) -> Child {
    kizuna(
        db,
        &[
            "--as",
            login,
            "stress",
            &n.to_string(),
            "--pause-ms",
            &pause_ms.to_string(),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

#[test]
fn ten_members_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let started = Instant::now();
    let children: Vec<_> = (0..10)
        .map(|k| (k, writer(&db, &format!("member{k}"), 500, 3)))
        .collect();
    let mut acked = HashSet::new();
    for (k, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "member{k} saw an error: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            acked.insert(line.trim_start_matches("ack ").to_string());
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(acked.len(), 5000, "every write acknowledged");
    let in_file = common::stored(&db);
    let missing: Vec<_> = acked.difference(&in_file).take(5).collect();
    assert!(missing.is_empty(), "acknowledged but missing: {missing:?}");
    assert_eq!(in_file.len(), 5000);
    common::integrity_ok(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    eprintln!(
        "10 processes × 500 writes: {:.1} s, {:.0} commits/s",
        elapsed.as_secs_f64(),
        5000.0 / elapsed.as_secs_f64()
    );
}

#[test]
fn writers_killed_at_random_moments_leave_a_whole_file_with_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let mut acked = HashSet::new();
    for round in 0..3 {
        let mut children: Vec<_> = (0..5)
            .map(|k| writer(&db, &format!("k{round}-{k}"), 100_000, 0))
            .collect();
        // Read acknowledgements as they come, then kill -9 at different moments.
        let readers: Vec<_> = children.iter_mut().map(common::acks_of).collect();
        for (k, child) in children.iter_mut().enumerate() {
            std::thread::sleep(Duration::from_millis(150 + 97 * k as u64));
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
        }
        for r in readers {
            acked.extend(r.join().unwrap());
        }
    }
    assert!(
        acked.len() > 50,
        "the writers got going before being killed ({})",
        acked.len()
    );
    // `check` first: it rolls back the save the last kill cut off, which a
    // plain read-only look would refuse to read past.
    common::integrity_ok(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    let in_file = common::stored(&db);
    let missing: Vec<_> = acked.difference(&in_file).take(5).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but missing after kill -9: {missing:?}"
    );
    // And the file is still writable: no stale lock, a hot journal rolled back.
    let out = writer(&db, "after", 3, 0).wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn two_members_editing_the_same_deal_from_the_same_version_one_wins_one_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (id, version): (String, i64) = common::open(&db)
        .query_row("SELECT id, version FROM deals ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let v = version.to_string();
    let a = kizuna(&db, &["--as", "sato", "retitle-deal", &id, &v, "佐藤の案"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let b = kizuna(&db, &["--as", "suzuki", "retitle-deal", &id, &v, "鈴木の案"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let wins = [&a, &b].iter().filter(|o| o.status.success()).count();
    assert_eq!(wins, 1, "exactly one edit lands");
    let loser = if a.status.success() { &b } else { &a };
    assert!(
        String::from_utf8_lossy(&loser.stderr).contains("[conflict]"),
        "the other is told of the conflict: {}",
        String::from_utf8_lossy(&loser.stderr)
    );
    let title: String = common::open(&db)
        .query_row("SELECT title FROM deals WHERE id = ?1", [&id], |r| r.get(0))
        .unwrap();
    let winner = if a.status.success() {
        "佐藤の案"
    } else {
        "鈴木の案"
    };
    assert_eq!(title, winner);
}

/// Eight desktops start a new Kizuna at once on a file of the previous
/// schema: exactly one migrates (and takes the one copy before it), the
/// others find the work done, and every one of them opens the file.
#[test]
fn a_migration_is_run_by_exactly_one_of_many_desktops_starting_at_once() {
    use kizuna_core::{Db, OpenOptions};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.db");
    // The schema before the newest migration: what an older Kizuna left.
    let current = kizuna_core::store::schema::CURRENT;
    kizuna_core::store::schema::create_at_version(&path, current - 1).unwrap();

    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let desktops: Vec<_> = (0..8)
        .map(|i| {
            let (path, barrier) = (path.clone(), barrier.clone());
            let backups = dir.path().join(format!("backups-{i}"));
            std::thread::spawn(move || {
                barrier.wait();
                let db = Db::open(
                    &path,
                    OpenOptions::new(format!("rep{i}"), "営業").with_backup_dir(backups.clone()),
                )
                .map_err(|e| e.to_string())?;
                let copies = std::fs::read_dir(&backups).map(|d| d.count()).unwrap_or(0);
                Ok::<_, String>((db.schema_version().unwrap(), copies))
            })
        })
        .collect();
    let results: Vec<(i64, usize)> = desktops.into_iter().map(|d| d.join().unwrap().unwrap()).collect();
    assert!(results.iter().all(|(v, _)| *v == current), "{results:?}");
    let copies: usize = results.iter().map(|(_, c)| c).sum();
    assert_eq!(copies, 1, "exactly one desktop migrated: {results:?}");
    common::integrity_ok(Path::new(env!("CARGO_BIN_EXE_kizuna")), &path);
}

/// The desktop that crashed was the last one with the file open (at night,
/// say): the next one to start must roll the cut-off save back and open the
/// file with every save that was acknowledged.
#[test]
fn the_next_desktop_opens_the_file_after_the_last_writer_was_killed_mid_save() {
    use kizuna_core::{Db, OpenOptions};
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let acked = common::kill_the_last_writer_mid_save(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    assert!(common::hot_journal(&db));
    let opened = Db::open(&db, OpenOptions::new("morning", "朝の人")).unwrap();
    assert_eq!(opened.read_only(), None);
    assert_eq!(
        opened.notices(),
        [kizuna_core::store::db::OpenNotice::CrashRolledBack],
        "the user hears what happened"
    );
    drop(opened);
    let in_file = common::stored(&db);
    let missing: Vec<_> = acked.difference(&in_file).take(5).collect();
    assert!(missing.is_empty(), "acknowledged but missing: {missing:?}");
    common::integrity_ok(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    // Writers go on as before.
    let out = writer(&db, "after", 3, 0).wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
