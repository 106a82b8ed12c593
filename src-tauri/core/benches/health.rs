//! `make bench`: customer health on a team file with 200,000 support cases
//! (docs/customer-health.md), against the bare SQL on the same file.
//!
//! Builds a team database in a temporary file: 2,000 customers, 200,000
//! cases spread over two years (a tenth of them complaints, some answered
//! late, some still open past their due time), and a hearing satisfaction on
//! a contract of one customer in four. Then times
//!  (a) `health::of` for one customer (the customer page, the pushiness
//!      guard) against the same two grouped SELECTs run bare, reading every
//!      column and building nothing;
//!  (b) `company::list` sorted by health (the customer list: every
//!      customer's health in one grouped pass, folded readings, the sort)
//!      against its three SELECTs run bare.
//! Warm-up runs first, then 20 runs interleaved; median and 95th percentile
//! and the ratio are printed.

use chrono::Duration;
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::customers::company::{self, CompanyQuery, CompanySort, NewCompany, LIST_SQL};
use kizuna_core::customers::health::{self, CASE_FACTS, SATISFACTION_OF_ALL, SATISFACTION_OF_ONE};
use kizuna_core::{Db, FixedClock, OpenOptions};
use rusqlite::{params, Connection};
use std::sync::Arc;
use std::time::Instant;

const COMPANIES: usize = 2_000;
const CASES: usize = 200_000;
const WARM_UP: usize = 3;
const RUNS: usize = 20;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("health.db");
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let opts = || OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let mut db = Db::create(&path, opts()).expect("create database");
    let started = Instant::now();
    let companies = populate(&mut db, &clock);
    eprintln!(
        "built {} in {:.1} s ({:.1} MB)",
        path.display(),
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
    );
    drop(db);
    let db = Db::open(&path, opts()).expect("open");
    let conn = db.conn();
    // The busiest customer: the one with the most cases.
    let busiest: String = conn
        .query_row(
            "SELECT company_id FROM support_cases GROUP BY company_id ORDER BY COUNT(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("busiest");
    let per_company: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM support_cases WHERE company_id = ?1",
            [&busiest],
            |r| r.get(0),
        )
        .expect("count");
    let query = CompanyQuery {
        sort: CompanySort::Health,
        ..Default::default()
    };
    let listed = company::list(conn, db.clock(), &query).expect("list");
    assert_eq!(listed.len(), companies, "every customer is listed");
    let levels = |l: health::HealthLevel| listed.iter().filter(|c| c.health.level == l).count();
    eprintln!(
        "health: {} at risk, {} watch, {} good; the busiest customer has {per_company} cases",
        levels(health::HealthLevel::AtRisk),
        levels(health::HealthLevel::Watch),
        levels(health::HealthLevel::Good)
    );

    let time = |f: &dyn Fn()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1e3
    };
    let one = || {
        std::hint::black_box(health::of(conn, db.clock(), &busiest).expect("health"));
    };
    let one_bare = || bare_one(conn, db.clock(), &busiest);
    let list = || {
        std::hint::black_box(company::list(conn, db.clock(), &query).expect("list"));
    };
    let list_bare = || bare_list(conn, db.clock());
    for _ in 0..WARM_UP {
        time(&one);
        time(&one_bare);
        time(&list);
        time(&list_bare);
    }
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        a.push(time(&one));
        b.push(time(&one_bare));
        c.push(time(&list));
        d.push(time(&list_bare));
    }
    let report = |what: &str, engine: &mut [f64], sql: &mut [f64]| {
        let (em, ep) = stats(engine);
        let (sm, sp) = stats(sql);
        println!(
            "{what}: engine median {em:.2} ms (p95 {ep:.2}), bare SQL median {sm:.2} ms (p95 {sp:.2}), ratio {:.2}",
            em / sm
        );
    };
    println!("customer health, {CASES} cases over {COMPANIES} customers:");
    report("  one customer's health", &mut a, &mut b);
    report("  customer list sorted by health", &mut c, &mut d);
}

/// What `health::of` runs, read raw.
fn bare_one(conn: &Connection, clock: &dyn Clock, company_id: &str) {
    let (from, now) = health::window(clock.now());
    let mut st = conn
        .prepare_cached(&format!("{CASE_FACTS} AND sc.company_id = ?3 GROUP BY sc.company_id"))
        .expect("prepare");
    let mut rows = st.query(params![from, now, company_id]).expect("query");
    while let Some(r) = rows.next().expect("row") {
        for i in 0..5 {
            std::hint::black_box(r.get_ref(i).expect("column"));
        }
    }
    let mut st = conn.prepare_cached(SATISFACTION_OF_ONE).expect("prepare");
    let mut rows = st.query([company_id]).expect("query");
    while let Some(r) = rows.next().expect("row") {
        std::hint::black_box(r.get_ref(1).expect("column"));
    }
}

/// What `company::list` runs, read raw.
fn bare_list(conn: &Connection, clock: &dyn Clock) {
    let (from, now) = health::window(clock.now());
    let mut st = conn
        .prepare_cached(&format!("{CASE_FACTS} GROUP BY sc.company_id"))
        .expect("prepare");
    let mut rows = st.query(params![from, now]).expect("query");
    while let Some(r) = rows.next().expect("row") {
        for i in 0..5 {
            std::hint::black_box(r.get_ref(i).expect("column"));
        }
    }
    let mut st = conn.prepare_cached(SATISFACTION_OF_ALL).expect("prepare");
    let mut rows = st.query([]).expect("query");
    while let Some(r) = rows.next().expect("row") {
        std::hint::black_box(r.get_ref(1).expect("column"));
    }
    let mut st = conn.prepare_cached(LIST_SQL).expect("prepare");
    let mut rows = st.query(params![None::<String>, None::<String>]).expect("query");
    while let Some(r) = rows.next().expect("row") {
        for i in 0..12 {
            std::hint::black_box(r.get_ref(i).expect("column"));
        }
    }
}

/// A deterministic spread (no rand: the same file every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn populate(db: &mut Db, clock: &FixedClock) -> usize {
    let ids: Vec<String> = db
        .write(|ctx| {
            (0..COMPANIES)
                .map(|i| {
                    company::create(
                        ctx,
                        &NewCompany {
                            name: format!("顧客{i:05}"),
                            name_kana: format!("こきゃく{i:05}"),
                            ..Default::default()
                        },
                    )
                })
                .collect()
        })
        .expect("companies");
    let now = clock.now();
    let mut rng = Lcg(42);
    let conn = db.conn();
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    {
        let mut st = conn
            .prepare(
                "INSERT INTO support_cases (id, number, company_id, subject, category, priority, status, received_at,
                     first_response_due, first_response_warn_at, first_response_at, resolution_due, resolution_warn_at,
                     resolved_at, created_at, updated_at, deleted_at)
                 VALUES (?1, ?2, ?3, '件名', ?4, 'normal', ?5, ?6, ?7, ?7, ?8, ?9, ?9, ?10, ?6, ?6, ?11)",
                // (The warning times are the due times: health does not read them.)
            )
            .expect("prepare");
        for n in 0..CASES {
            // Skewed: a few customers have many cases, most have some.
            let c = if rng.next(4) == 0 {
                rng.next(50)
            } else {
                rng.next(COMPANIES as u64)
            } as usize;
            let received = now - Duration::minutes(rng.next(2 * 365 * 24 * 60) as i64);
            let first_due = received + Duration::hours(4);
            let resolution_due = received + Duration::hours(27);
            let open = rng.next(50) == 0;
            let late = rng.next(10) == 0;
            let first_at = (!open || rng.next(2) == 0).then(|| first_due + Duration::hours(if late { 2 } else { -2 }));
            let resolved_at = (!open).then(|| resolution_due + Duration::hours(if late { 5 } else { -5 }));
            let category = ["question", "trouble", "request", "complaint"]
                [if rng.next(10) == 0 { 3 } else { rng.next(3) as usize }];
            let status = if open {
                ["new", "in_progress", "waiting"][rng.next(3) as usize]
            } else {
                "resolved"
            };
            let deleted = (rng.next(100) == 0).then(|| to_db(now));
            st.execute(params![
                format!("case-{n:07}"),
                n as i64 + 1,
                ids[c],
                category,
                status,
                to_db(received),
                to_db(first_due),
                first_at.map(to_db),
                to_db(resolution_due),
                resolved_at.map(to_db),
                deleted,
            ])
            .expect("case");
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
    // A hearing's satisfaction (1–5) on one customer in four.
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 4 == 0) {
        conn.execute(
            "INSERT INTO contracts (id, company_id, plan, start_date, end_date, amount, currency, billing,
                     status, satisfaction, created_at, updated_at)
                 VALUES (?1, ?2, 'プラン', '2026-01-01', '2026-12-31', 100000, 'JPY', 'annual', 'active', ?3, ?4, ?4)",
            params![format!("k-{i}"), id, 1 + (i % 5) as i64, to_db(now)],
        )
        .expect("contract");
    }
    COMPANIES
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
