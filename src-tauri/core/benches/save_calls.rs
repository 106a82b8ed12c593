//! `cargo bench -p kizuna-core --bench save_calls`: how many file-system
//! calls one typical save makes, beside a bare SQLite insert.
//!
//! On an SMB share every file-system call of SQLite is a round trip to the
//! server (byte-range locks keep the client from caching), so a save costs
//! its number of calls times the link's latency (docs/shared-database.md,
//! "Measured"). Each save is counted with `strace -f -c` over a process
//! that makes 1 save and one that makes 11 on a copy of the same demo file:
//! the difference divided by 10 is one save, with the opening, the checks
//! and the set-up cancelled out. Counted are the calls on files (reads,
//! writes, syncs, locks, stats, opens, closes, unlinks, truncates, chowns);
//! `write` is left out, since SQLite writes with `pwrite64` and `write` is
//! the CLI's acknowledgement on stdout.
//!
//! The saves, each as the window makes it: through `outbox::apply_once`
//! (the op's id remembered in `applied_ops`, so a save the outbox sends
//! again is never doubled), with the version the window already holds:
//!  - a logged touch: a call on a customer's timeline (the figure of issue 13);
//!  - a card move: a deal moved to the next open stage and back
//!    (`moves::move_to`: the stage change, its timeline entry, audit, change log);
//!  - a follow-up done (`touch::complete_follow_up`, without a touch);
//!  - the bare insert: one row into a table with one index, on a connection
//!    with Kizuna's settings (rollback journal `DELETE`, `synchronous=FULL`),
//!    one transaction each, through SQLite's own file layer (the target's
//!    yardstick: issue 13) and through Kizuna's (store/vfs.rs, which gathers
//!    a transaction's writes into one call per contiguous run).
//!
//! Skipped with a note when strace is not installed (`make bench` installs it).

use kizuna_core::app::outbox::{self, Op};
use kizuna_core::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use kizuna_core::pipeline::deal;
use kizuna_core::pipeline::moves::{MoveDeal, MoveOutcome};
use kizuna_core::timeline::activity::{ActivityKind, Direction, NewActivity};
use kizuna_core::{Db, OpenOptions};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// How the summary groups the calls (what a reader compares).
const SHOWN: &[(&str, &[&str])] = &[
    ("pwrite", &["pwrite64"]),
    ("fsync", &["fsync", "fdatasync"]),
    ("lock", &["fcntl"]),
    (
        "stat",
        &[
            "newfstatat",
            "fstat",
            "stat",
            "lstat",
            "statx",
            "access",
            "faccessat",
            "faccessat2",
        ],
    ),
    ("read", &["pread64", "read"]),
    ("open/close", &["openat", "open", "close"]),
    ("unlink", &["unlink"]),
    ("truncate", &["ftruncate"]),
];

/// File calls counted in the total but not shown in a group.
const UNSHOWN: &[&str] = &["fchown", "lseek"];

/// The system calls that touch a file: every group above and the unshown.
/// SQLite on Unix reads and writes with pread64/pwrite64, locks with fcntl
/// and looks for journals with stat.
fn file_calls() -> impl Iterator<Item = &'static str> {
    SHOWN
        .iter()
        .flat_map(|(_, names)| names.iter().copied())
        .chain(UNSHOWN.iter().copied())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let (kind, file, n) = (&args[i + 1], Path::new(&args[i + 2]), args[i + 3].parse().unwrap());
        child(kind, file, n);
        return;
    }
    if Command::new("strace").arg("-V").stdout(Stdio::null()).status().is_err() {
        println!("save calls: strace is not installed; skipped (scripts/install-deps.sh test)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.db");
    let mut db = Db::create(&base, OpenOptions::new("tanaka", "田中")).unwrap();
    kizuna_core::app::sample::populate(&mut db).unwrap();
    drop(db);

    let bare = per_save(dir.path(), &base, "bare");
    println!(
        "save calls: {:<22} {:>6.1} calls  ({})",
        "bare insert",
        total(&bare),
        breakdown(&bare)
    );
    // The same insert through Kizuna's file layer (store/vfs.rs), which
    // gathers a transaction's writes: what the layer alone saves.
    let gathered = per_save(dir.path(), &base, "bare-gathered");
    println!(
        "save calls: {:<22} {:>6.1} calls  ({})",
        "bare, Kizuna's layer",
        total(&gathered),
        breakdown(&gathered)
    );
    for kind in ["touch", "move", "done"] {
        let calls = per_save(dir.path(), &base, kind);
        let label = match kind {
            "touch" => "logged touch",
            "move" => "card move",
            _ => "follow-up done",
        };
        println!(
            "save calls: {label:<22} {:>6.1} calls, {:.2}x the bare insert ({:.2}x through the same layer); pwrite {:.2}x  ({})",
            total(&calls),
            total(&calls) / total(&bare),
            total(&calls) / total(&gathered),
            calls.get("pwrite64").copied().unwrap_or(0.0) / bare.get("pwrite64").copied().unwrap_or(1.0),
            breakdown(&calls)
        );
    }
}

fn total(calls: &BTreeMap<String, f64>) -> f64 {
    calls.values().sum()
}

fn breakdown(calls: &BTreeMap<String, f64>) -> String {
    SHOWN
        .iter()
        .map(|(label, names)| {
            // + 0.0: an empty sum of floats is -0.0.
            let n: f64 = names.iter().filter_map(|c| calls.get(*c)).sum::<f64>() + 0.0;
            format!("{label} {n:.1}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// File calls of one save of `kind`: (11 saves − 1 save) / 10.
fn per_save(dir: &Path, base: &Path, kind: &str) -> BTreeMap<String, f64> {
    let one = traced(dir, base, kind, 1);
    let eleven = traced(dir, base, kind, 11);
    file_calls()
        .map(|c| {
            let d = eleven.get(c).copied().unwrap_or(0) as f64 - one.get(c).copied().unwrap_or(0) as f64;
            (c.to_string(), d / 10.0)
        })
        .filter(|(_, n)| *n != 0.0)
        .collect()
}

/// Runs `n` saves of `kind` on a fresh copy of `base` under `strace -f -c`
/// and returns the calls of each kind.
fn traced(dir: &Path, base: &Path, kind: &str, n: u32) -> BTreeMap<String, u64> {
    let file = dir.join(format!("{kind}-{n}.db"));
    std::fs::copy(base, &file).unwrap();
    let out = dir.join(format!("{kind}-{n}.strace"));
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-c", "-o"])
        .arg(&out)
        .arg(std::env::current_exe().unwrap())
        .args(["--child", kind])
        .arg(&file)
        .arg(n.to_string());
    let status = cmd.stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "{kind} {n} failed");
    parse_summary(&std::fs::read_to_string(&out).unwrap())
}

/// The `calls` column of strace's summary table, by system call.
fn parse_summary(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // % time, seconds, usecs/call, calls, [errors], syscall
            let name = cols.last()?;
            let calls = cols.get(3)?.parse().ok()?;
            Some((name.to_string(), calls))
        })
        .filter(|(name, _)| file_calls().any(|c| c == name))
        .collect()
}

/// The customer every save of the bench is about.
fn first_company(db: &Db) -> String {
    db.conn()
        .query_row(
            "SELECT id FROM companies WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// The traced process: `n` saves of `kind` after a set-up that does not
/// depend on `n` (so that it cancels out).
fn child(kind: &str, file: &Path, n: u32) {
    if kind == "bare" || kind == "bare-gathered" {
        if kind == "bare-gathered" {
            kizuna_core::store::vfs::install();
        }
        let mut conn = rusqlite::Connection::open(file).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(2)).unwrap();
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete");
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, company TEXT NOT NULL, note TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS bare_company ON bare(company);",
        )
        .unwrap();
        for i in 0..n {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            tx.execute(
                "INSERT INTO bare (company, note) VALUES (?1, ?2)",
                rusqlite::params![format!("c{}", i % 7), format!("stress bench {i}")],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        return;
    }
    let mut db = Db::open(file, OpenOptions::new("bench", "bench")).unwrap();
    // What the window does for one save: a new op id, applied once.
    let save = |db: &mut Db, op: Op| {
        outbox::apply_once(db, &kizuna_core::id::new_id(), &op)
            .unwrap()
            .expect("a new op is applied")
    };
    match kind {
        "touch" => {
            let company_id = first_company(&db);
            for i in 0..n {
                let activity = NewActivity {
                    company_id: company_id.clone(),
                    contact_ids: Vec::new(),
                    deal_id: None,
                    kind: ActivityKind::Call,
                    direction: Some(Direction::Outbound),
                    occurred_at: kizuna_core::clock::to_db(chrono::Utc::now()),
                    summary: format!("見積の件でお電話 {i}"),
                    body: String::new(),
                    minutes: String::new(),
                    next_todos: String::new(),
                    next_appointment_at: None,
                    signals: Vec::new(),
                };
                save(&mut db, Op::LogActivity { activity });
            }
        }
        "move" => {
            let (deal_id, stage_id, pipeline_id): (String, String, String) = db
                .conn()
                .query_row(
                    "SELECT d.id, d.stage_id, d.pipeline_id FROM deals d JOIN stages s ON s.id = d.stage_id
                     WHERE d.deleted_at IS NULL AND s.kind = 'open' AND s.is_closing = 0
                     ORDER BY d.id LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap();
            let other: String = db
                .conn()
                .query_row(
                    "SELECT id FROM stages WHERE pipeline_id = ?1 AND id <> ?2 AND kind = 'open'
                     AND is_closing = 0 AND deleted_at IS NULL ORDER BY position LIMIT 1",
                    [&pipeline_id, &stage_id],
                    |r| r.get(0),
                )
                .unwrap();
            // The board knows each card's version; a move answers the next.
            let mut version = deal::get(db.conn(), &deal_id).unwrap().version;
            for i in 0..n {
                let to = if i % 2 == 0 { &other } else { &stage_id };
                let request = MoveDeal {
                    deal_id: deal_id.clone(),
                    version,
                    to_stage_id: to.clone(),
                    index: Some(0),
                    decision_deadline: None,
                    lost: None,
                };
                let outcome: MoveOutcome = save(&mut db, Op::MoveDeal { request }).reply_as().unwrap();
                version = outcome.version;
            }
        }
        "done" => {
            let company_id = first_company(&db);
            let me = db.user().id.clone();
            // Always eleven planned, in one transaction, so the set-up is the
            // same whatever `n` is.
            let ids: Vec<String> = db
                .write(|ctx| {
                    (0..11)
                        .map(|i| {
                            follow_up::plan(
                                ctx,
                                &NewFollowUp {
                                    kind: FollowUpKind::FollowUp,
                                    title: format!("bench {i}"),
                                    due_at: ctx.now.clone(),
                                    assignee_id: Some(me.clone()),
                                    company_id: Some(company_id.clone()),
                                    deal_id: None,
                                    contract_id: None,
                                    activity_id: None,
                                },
                            )
                        })
                        .collect()
                })
                .unwrap();
            for id in ids.iter().take(n as usize) {
                save(
                    &mut db,
                    Op::CompleteFollowUp {
                        id: id.clone(),
                        version: 1,
                        touch: None,
                    },
                );
            }
        }
        other => panic!("unknown save kind {other}"),
    }
}
