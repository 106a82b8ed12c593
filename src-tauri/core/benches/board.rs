//! `make bench`: the board's backend time for 10,000 open deals against the
//! bare SQL queries on the same file (docs/architecture.md, performance
//! targets: within 2x), and what crosses IPC.
//!
//! Builds a team database in a temporary file (default pipeline, 300
//! customers, 10,000 open deals over the five open stages, follow-ups for
//! half of them, timeline entries with buying signals), then times
//!  (a) `board::load`, everything the board command does before serialising:
//!      counts and totals of every deal per column, and each column's first
//!      page of cards;
//!  (b) the same SELECTs `board::load` runs, stepping through every row and
//!      reading every column, building nothing;
//!  (c) serialising the answer for IPC, beside serialising every card of
//!      the board (what the board command sent before it paged: 5.5 MB).
//!  (d) on a team server (Linux: Debian's PostgreSQL, started as the tests
//!      start it, durable, on loopback): the same team copied there by
//!      `kizuna migrate`, and (a) run on it, the same board compared.
//! Each is run a few times to warm the page cache, then 20 times; the median
//! and 95th percentile are printed. No criterion: std::time::Instant is
//! enough for a ratio and keeps the build light.

// The server is Debian's PostgreSQL, started as the tests start it: the
// server half runs where they do.
#[cfg(target_os = "linux")]
#[path = "../tests/common/mod.rs"]
mod tests_common;

use chrono::Duration;
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::customers::company::{self, NewCompany};
use kizuna_core::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use kizuna_core::pipeline::board::{self, BoardFilter, FIRST_CARDS_SQL, PAGE, TOTALS_SQL};
use kizuna_core::pipeline::deal::{self, NewDeal};
use kizuna_core::pipeline::stage::{self, StageKind};
use kizuna_core::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use kizuna_core::{Db, FixedClock, OpenOptions};
use std::sync::Arc;
use std::time::Instant;

const COMPANIES: usize = 300;
const DEALS: usize = 10_000;
const WARM_UP: usize = 3;
const RUNS: usize = 20;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let opts = OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let mut db = Db::create(&path, opts).expect("create database");
    let started = Instant::now();
    let pipeline_id = populate(&mut db, &clock);
    eprintln!(
        "built {} in {:.1} s ({:.1} MB)",
        path.display(),
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
    );
    // Measure on a fresh connection, as the app has after opening the file.
    drop(db);
    // KIZUNA_BENCH_KEEP=<file> keeps a copy of the database for a look with
    // the sqlite3 shell (EXPLAIN QUERY PLAN).
    if let Some(keep) = std::env::var_os("KIZUNA_BENCH_KEEP") {
        std::fs::copy(&path, &keep).expect("copy the database");
        eprintln!("kept a copy at {}", std::path::Path::new(&keep).display());
    }
    let db = Db::open(
        &path,
        OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone())),
    )
    .expect("open");

    let filter = BoardFilter::default();
    let board = board::load(db.conn(), db.clock(), Some(&pipeline_id), &filter).expect("board");
    let counted: i32 = board.columns.iter().map(|c| c.count).sum();
    assert_eq!(counted as usize, DEALS, "every deal is counted on the board");
    let shown: usize = board.columns.iter().map(|c| c.cards.len()).sum();
    // Every card, page by page: what the board sent in one answer before.
    let mut everything = board.clone();
    for col in &mut everything.columns {
        while let Some(after) = col.next.take() {
            let page = board::column_page(db.conn(), db.clock(), &col.stage.id, &filter, &after, 1_000).expect("page");
            col.cards.extend(page.cards);
            col.next = page.next;
        }
    }
    let all: usize = everything.columns.iter().map(|c| c.cards.len()).sum();
    assert_eq!(all, DEALS, "every deal is on some page");
    let stages: Vec<String> = board.columns.iter().map(|c| c.stage.id.clone()).collect();

    let load_ms = || {
        let t = Instant::now();
        let b = board::load(db.conn(), db.clock(), Some(&pipeline_id), &filter).expect("board");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(b);
        ms
    };
    let bare_ms = || {
        let t = Instant::now();
        let n = bare(db.conn(), db.clock(), &pipeline_id, &stages);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(n, shown);
        ms
    };
    let json_ms = |b: &board::Board| {
        let t = Instant::now();
        let s = serde_json::to_string(b).expect("json");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(s);
        ms
    };
    for _ in 0..WARM_UP {
        load_ms();
        bare_ms();
    }
    // Interleaved, so a slower moment of the machine hits both alike.
    let (mut load, mut sql, mut json, mut json_all) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        load.push(load_ms());
        sql.push(bare_ms());
        json.push(json_ms(&board));
        json_all.push(json_ms(&everything));
    }
    let (load_med, load_p95) = stats(&mut load);
    let (sql_med, sql_p95) = stats(&mut sql);
    let (json_med, _) = stats(&mut json);
    let (json_all_med, _) = stats(&mut json_all);
    let mb = |b: &board::Board| serde_json::to_string(b).map(|s| s.len() as f64 / 1e6).unwrap_or(0.0);
    println!(
        "board {DEALS} deals ({shown} cards sent, {PAGE} per column): load median {load_med:.1} ms p95 {load_p95:.1} ms; \
         bare SQL median {sql_med:.1} ms p95 {sql_p95:.1} ms; ratio {:.2}",
        load_med / sql_med
    );
    println!(
        "board {DEALS} deals: JSON for IPC median {json_med:.2} ms ({:.3} MB); every card, as sent before paging: \
         median {json_all_med:.1} ms ({:.1} MB)",
        mb(&board),
        mb(&everything)
    );
    let ratio = load_med / sql_med;
    if ratio > 2.0 {
        println!("WARNING: board::load is {ratio:.2}x the bare query (target ≤ 2)");
    }

    #[cfg(target_os = "linux")]
    on_a_server(&path, &pipeline_id, &clock, &board, load_med);
}

/// (d): the same board from a team server holding the same team.
#[cfg(target_os = "linux")]
fn on_a_server(file: &std::path::Path, pipeline_id: &str, clock: &FixedClock, on_file: &board::Board, file_med: f64) {
    use kizuna_core::store::server;
    use kizuna_core::store::sql::Sql;
    let (_pg, address, copied) = tests_common::pg::TestServer::durable_copy_of(file, "board");
    eprintln!("copied to the server in {copied:.1} s");
    let session = std::cell::RefCell::new(server::connect(&address).expect("connect"));
    let load = || board::load(Sql::Server(&session), clock, Some(pipeline_id), &BoardFilter::default()).expect("board");
    assert_eq!(
        format!("{:?}", load()),
        format!("{on_file:?}"),
        "the server's board is the file's"
    );
    let mut times = Vec::new();
    for run in 0..WARM_UP + RUNS {
        let t = Instant::now();
        std::hint::black_box(load());
        if run >= WARM_UP {
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let (med, p95) = stats(&mut times);
    println!(
        "board {DEALS} deals on a team server (loopback): load median {med:.1} ms p95 {p95:.1} ms; the file's median {file_med:.1} ms"
    );
}

/// The board's own SELECTs with no filter: the totals, then each column's
/// first page; every column of every row is read (as SQLite hands it over),
/// nothing is built. Returns the number of cards.
fn bare(conn: &rusqlite::Connection, clock: &dyn Clock, pipeline_id: &str, stages: &[String]) -> usize {
    use rusqlite::types::Value;
    let scope = || -> Vec<Value> {
        vec![
            Value::Text(pipeline_id.to_string()),
            Value::Null,
            Value::Null,
            Value::Integer(0),
            Value::Text(clock.today().to_string()),
            Value::Text(format!("{:+} minutes", clock.offset().local_minus_utc() / 60)),
        ]
    };
    let step = |sql: &str, params: Vec<Value>| -> usize {
        let mut st = conn.prepare_cached(sql).expect("prepare");
        let cols = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(params)).expect("query");
        let mut n = 0;
        while let Some(r) = rows.next().expect("row") {
            for i in 0..cols {
                std::hint::black_box(r.get_ref(i).expect("column"));
            }
            n += 1;
        }
        n
    };
    step(TOTALS_SQL, scope());
    let mut cards = 0;
    for stage in stages {
        let mut params = scope();
        params.extend([
            Value::Text(stage.clone()),
            Value::Null,
            Value::Null,
            Value::Integer(i64::from(PAGE) + 1),
        ]);
        cards += step(FIRST_CARDS_SQL, params).min(PAGE as usize);
    }
    cards
}

fn stats(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let median = if v.len() % 2 == 0 {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    } else {
        v[v.len() / 2]
    };
    let p95 = v[((v.len() as f64 * 0.95).ceil() as usize)
        .saturating_sub(1)
        .min(v.len() - 1)];
    (median, p95)
}

/// Fills the database through the engine's own write paths, deterministically.
fn populate(db: &mut Db, clock: &FixedClock) -> String {
    let pipeline_id = stage::list(db.conn()).expect("pipelines")[0].id.clone();
    let stages: Vec<_> = stage::stages(db.conn(), &pipeline_id)
        .expect("stages")
        .into_iter()
        .filter(|s| s.kind == StageKind::Open)
        .collect();
    assert_eq!(stages.len(), 5);
    let now = clock.now();
    let me = db.user().id.clone();
    db.write(|ctx| {
        let mut team = vec![me.clone()];
        for i in 0..8 {
            team.push(kizuna_core::team::member::ensure(ctx, &format!("member{i}"), &format!("営業 {i}"))?.id);
        }
        let mut companies = Vec::with_capacity(COMPANIES);
        for i in 0..COMPANIES {
            companies.push(company::create(
                ctx,
                &NewCompany {
                    name: format!("株式会社サンプル{i:03}"),
                    name_kana: format!("さんぷる{i:03}"),
                    owner_id: Some(team[i % team.len()].clone()),
                    ..Default::default()
                },
            )?);
        }
        let mut activities = 0;
        for i in 0..DEALS {
            let company_id = companies[(i * 7) % COMPANIES].clone();
            let id = deal::create(
                ctx,
                &NewDeal {
                    pipeline_id: pipeline_id.clone(),
                    stage_id: stages[i % stages.len()].id.clone(),
                    company_id: company_id.clone(),
                    title: format!("案件 {i:05} クラウド移行"),
                    amount: 100_000 + (i as i64 * 7_919) % 5_000_000,
                    currency: if i % 50 == 0 { "USD" } else { "JPY" }.into(),
                    owner_id: Some(team[i % team.len()].clone()),
                    ..Default::default()
                },
            )?;
            // Half the deals have an open follow-up (overdue, today or later),
            // and some an older one already done.
            if i % 2 == 0 {
                let due = now + Duration::days((i % 21) as i64 - 7);
                follow_up::create(
                    ctx,
                    &NewFollowUp {
                        kind: FollowUpKind::FollowUp,
                        title: "フォロー".into(),
                        due_at: to_db(due),
                        assignee_id: None,
                        company_id: Some(company_id.clone()),
                        deal_id: Some(id.clone()),
                        contract_id: None,
                        activity_id: None,
                    },
                )?;
            }
            if i % 10 == 0 {
                let fu = follow_up::create(
                    ctx,
                    &NewFollowUp {
                        kind: FollowUpKind::FollowUp,
                        title: "済".into(),
                        due_at: to_db(now - Duration::days(30)),
                        assignee_id: None,
                        company_id: Some(company_id.clone()),
                        deal_id: Some(id.clone()),
                        contract_id: None,
                        activity_id: None,
                    },
                )?;
                ctx.tx()?
                    .execute("UPDATE follow_ups SET status = 'done' WHERE id = ?1", [&fu])?;
            }
            // 0-3 timeline entries per deal, every fifth with buying signals.
            for k in 0..(i % 4) {
                let signals = if activities % 5 == 0 {
                    vec!["replied_thanks".to_string(), "questions_after_meeting".to_string()]
                } else {
                    vec![]
                };
                activities += 1;
                activity::log(
                    ctx,
                    &NewActivity {
                        company_id: company_id.clone(),
                        contact_ids: Vec::new(),
                        deal_id: Some(id.clone()),
                        kind: if k % 2 == 0 {
                            ActivityKind::Call
                        } else {
                            ActivityKind::Email
                        },
                        direction: Some(Direction::Outbound),
                        occurred_at: to_db(now - Duration::days(((i + k) % 40) as i64)),
                        summary: "電話でフォロー".into(),
                        body: "先方の検討状況を確認。次回は見積の説明。".into(),
                        minutes: String::new(),
                        next_todos: String::new(),
                        next_appointment_at: None,
                        signals,
                    },
                )?;
            }
        }
        Ok(())
    })
    .expect("populate");
    pipeline_id
}
