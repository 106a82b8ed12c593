//! `cargo bench -p kizuna-core --bench encryption`: what encryption at rest
//! (store/cipher.rs, SQLCipher) costs the desktop, on the same data twice.
//!
//! One team file with 500 customers, 5,000 deals on the board and 20,000
//! timeline entries is built plain, copied, and the copy encrypted in place
//! with `cipher::convert` (as `kizuna encrypt` does). On each it prints the
//! median and p95 of:
//!  - the board (`board::load`, the first cards of every column and the totals);
//!  - one timeline page of the busiest customer (`entries::timeline`);
//!  - a search (`search::search`, trigram and bigram indexes);
//!  - commits: 300 new customers one `Db::write` after another (commits/s);
//!  - opening the file (`Db::open`, with the key already derived);
//!
//! and the ratio encrypted / plain. The one-off cost of deriving the key
//! from the passphrase (PBKDF2-HMAC-SHA512, 256,000 rounds), paid once per
//! file and process, is printed apart. Figures, not pass/fail.
//!
//! KIZUNA_BENCH_QUICK=1 shortens the runs (a check that the bench works).

mod common;

use common::{ms, percentile, time};
use kizuna_core::customers::company::{self, NewCompany};
use kizuna_core::language::Language;
use kizuna_core::pipeline::board::{self, BoardFilter};
use kizuna_core::pipeline::deal::{self, NewDeal};
use kizuna_core::pipeline::stage::{self, StageKind};
use kizuna_core::store::cipher::{self, Key};
use kizuna_core::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use kizuna_core::timeline::entries::{self, TimelineQuery};
use kizuna_core::timeline::search;
use kizuna_core::{Db, FixedClock, OpenOptions};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const COMPANIES: usize = 500;
const DEALS: usize = 5_000;
const ENTRIES: usize = 20_000;

fn opts(clock: &FixedClock) -> OpenOptions {
    OpenOptions::new("bench", "ベンチ")
        .with_clock(Arc::new(clock.clone()))
        .with_encryption(None)
}

fn build(path: &Path, clock: &FixedClock) -> String {
    let mut db = Db::create(path, opts(clock)).expect("create");
    let pipeline_id = stage::list(db.conn()).expect("pipelines")[0].id.clone();
    let stages: Vec<String> = stage::stages(db.conn(), &pipeline_id)
        .expect("stages")
        .into_iter()
        .filter(|s| s.kind == StageKind::Open)
        .map(|s| s.id)
        .collect();
    db.write(|ctx| {
        let mut companies = Vec::with_capacity(COMPANIES);
        for i in 0..COMPANIES {
            companies.push(company::create(
                ctx,
                &NewCompany {
                    name: format!("株式会社暗号{i:04}"),
                    name_kana: format!("あんごう{i:04}"),
                    address: "東京都千代田区丸の内1-1-1".into(),
                    phone: format!("03-1234-{i:04}"),
                    ..Default::default()
                },
            )?);
        }
        for i in 0..DEALS {
            deal::create(
                ctx,
                &NewDeal {
                    pipeline_id: pipeline_id.clone(),
                    stage_id: stages[i % stages.len()].clone(),
                    company_id: companies[i % COMPANIES].clone(),
                    title: format!("クラウド会計 導入 {i}"),
                    amount: 100_000 + (i as i64 % 50) * 10_000,
                    currency: "JPY".into(),
                    ..Default::default()
                },
            )?;
        }
        for i in 0..ENTRIES {
            // A third of the entries on one customer: its timeline pages.
            let company_id = if i % 3 == 0 {
                companies[0].clone()
            } else {
                companies[i % COMPANIES].clone()
            };
            activity::log(
                ctx,
                &NewActivity {
                    company_id,
                    contact_ids: Vec::new(),
                    deal_id: None,
                    kind: ActivityKind::Call,
                    direction: Some(Direction::Outbound),
                    // Before the bench's clock (25 Nov): a touch cannot be logged ahead.
                    occurred_at: format!("2026-{:02}-{:02}T0{}:00:00Z", 1 + i % 11, 1 + i % 24, i % 9),
                    summary: format!("見積の件で電話 {i} 担当者は不在、折り返し待ち"),
                    body: "次回は決裁者を交えて打ち合わせ。予算は来期。".into(),
                    minutes: String::new(),
                    next_todos: String::new(),
                    next_appointment_at: None,
                    signals: Vec::new(),
                },
            )?;
        }
        Ok(companies[0].clone())
    })
    .expect("populate")
}

struct Figures {
    open: (f64, f64),
    board: (f64, f64),
    page: (f64, f64),
    search: (f64, f64),
    commits_per_s: f64,
    commit_p50: f64,
    commit_p99: f64,
}

fn measure(path: &Path, clock: &FixedClock, busiest: &str, runs: usize, commits: usize) -> Figures {
    let open = time(runs.min(30), || {
        let db = Db::open(path, opts(clock)).expect("open");
        db.schema_version().expect("version") as usize
    });
    let mut db = Db::open(path, opts(clock)).expect("open");
    let filter = BoardFilter::default();
    let board = time(runs, || {
        board::load(db.conn(), db.clock(), None, &filter)
            .expect("board")
            .columns
            .len()
    });
    let q = TimelineQuery {
        company_id: Some(busiest.to_string()),
        limit: 50,
        ..Default::default()
    };
    let page = time(runs, || entries::timeline(db.conn(), &q).expect("page").entries.len());
    let search = time(runs, || {
        let r = search::search(db.conn(), "折り返し 暗号", 0, Language::Ja).expect("search");
        r.companies.hits.len() + r.activities.hits.len()
    });
    let mut latency = Vec::with_capacity(commits);
    let started = Instant::now();
    for i in 0..commits {
        let t0 = Instant::now();
        db.write(|ctx| {
            company::create(
                ctx,
                &NewCompany {
                    name: format!("新規の会社{i:05}"),
                    ..Default::default()
                },
            )
        })
        .expect("commit");
        latency.push(ms(t0.elapsed()));
    }
    let commits_per_s = commits as f64 / started.elapsed().as_secs_f64();
    latency.sort_by(f64::total_cmp);
    Figures {
        open,
        board,
        page,
        search,
        commits_per_s,
        commit_p50: percentile(&latency, 0.5),
        commit_p99: percentile(&latency, 0.99),
    }
}

fn line(label: &str, plain: (f64, f64), encrypted: (f64, f64)) {
    println!(
        "{label:<14} plain median {:>8.2} ms (p95 {:>8.2})   encrypted median {:>8.2} ms (p95 {:>8.2})   ratio {:.2}",
        plain.0,
        plain.1,
        encrypted.0,
        encrypted.1,
        encrypted.0 / plain.0
    );
}

fn main() {
    let quick = std::env::var_os("KIZUNA_BENCH_QUICK").is_some();
    let (runs, commits) = if quick { (5, 30) } else { (40, 300) };
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain.db");
    let encrypted = dir.path().join("encrypted.db");
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let started = Instant::now();
    let busiest = build(&plain, &clock);
    std::fs::copy(&plain, &encrypted).expect("copy");
    let passphrase = Key::Passphrase("ベンチの合言葉はとても長い".into());
    let converted = Instant::now();
    let done = cipher::convert(&encrypted, Some(&passphrase)).expect("encrypt");
    let convert_s = converted.elapsed().as_secs_f64();
    eprintln!(
        "built {} rows in {:.1} s ({:.1} MB plain, {:.1} MB encrypted); encrypting took {:.2} s",
        done.rows,
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&plain).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0),
        std::fs::metadata(&encrypted)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(0.0),
        convert_s,
    );
    let salt: [u8; 16] = std::fs::read(&encrypted).expect("read")[..16].try_into().expect("salt");
    let derive = time(if quick { 1 } else { 5 }, || {
        cipher::derive("ベンチの合言葉はとても長い", &salt)[0] as usize
    });

    let p = measure(&plain, &clock, &busiest, runs, commits);
    let e = measure(&encrypted, &clock, &busiest, runs, commits);
    println!("encryption at rest: {COMPANIES} customers, {DEALS} deals, {ENTRIES} timeline entries");
    line("open", p.open, e.open);
    line("board", p.board, e.board);
    line("timeline page", p.page, e.page);
    line("search", p.search, e.search);
    println!(
        "commits        plain {:>8.1}/s (p50 {:.2} ms, p99 {:.2} ms)   encrypted {:>8.1}/s (p50 {:.2} ms, p99 {:.2} ms)   ratio {:.2}",
        p.commits_per_s,
        p.commit_p50,
        p.commit_p99,
        e.commits_per_s,
        e.commit_p50,
        e.commit_p99,
        p.commits_per_s / e.commits_per_s
    );
    println!(
        "key derivation (once per file and process): median {:.0} ms; encrypting the file in place: {:.2} s",
        derive.0, convert_s
    );
}
