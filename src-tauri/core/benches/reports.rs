//! `make bench`: the whole dashboard's backend time on a large team file
//! against the bare SQL queries it runs on the same file (ratio), and the
//! size of its answer over IPC.
//!
//! Builds a team database in a temporary file: 8 members, 3,000 customers
//! (a third of them with a contract), 10,000 open deals over the five open
//! stages, 50,000 closed ones (won or lost over three years, with reasons
//! and competitors), 1,000,000 timeline entries (two stage moves for each
//! deal, the rest meetings, calls, mails and notes over three years),
//! 30,000 follow-ups, 20,000 support cases, 10,000 leads and 2,000 amount
//! edits in the last week. Rows go in
//! through prepared INSERTs in one transaction. The search index's triggers
//! on `activities` are dropped first: the dashboard never reads the index,
//! and filling it would triple the build time for nothing measured here.
//!
//! Then times, for a quarter and for a year:
//!  (a) `reports::dashboard`: every chart, as the command computes it;
//!  (b) the same SELECTs with the same parameters, stepping through every
//!      row and reading one column, the per-deal and per-customer ones once
//!      for each row the main queries return, building nothing;
//!  (c) serialising the answer (what crosses IPC);
//!  (d) for the quarter, a drill-down on each chart's largest bar (its
//!      module recomputed, the rows listed): where the time goes.
//! Median and p95 of 10 runs after warm-ups. KIZUNA_BENCH_KEEP=<file>
//! keeps a copy of the database.

#[path = "common/mod.rs"]
mod common;

use chrono::{Duration, NaiveDate};
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::id::new_id;
use kizuna_core::pipeline::stage;
use kizuna_core::reports::{
    self, activity, forecast, keep_in_touch, leads, pipeline, renewals, support, win_loss, DrillRequest, ReportFilter,
};
use kizuna_core::store::changes::Source;
use kizuna_core::store::reader::Reader;
use kizuna_core::team::settings::TeamSettings;
use kizuna_core::{Db, FixedClock, OpenOptions};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::Instant;

const MEMBERS: usize = 8;
const COMPANIES: usize = 3_000;
const OPEN_DEALS: usize = 10_000;
const CLOSED_DEALS: usize = 50_000;
const ACTIVITIES: usize = 1_000_000;
const FOLLOW_UPS: usize = 30_000;
const SUPPORT_CASES: usize = 20_000;
const LEADS: usize = 10_000;
const RUNS: usize = 10;

const REASONS: [&str; 6] = ["価格", "機能不足", "時期尚早", "競合優位", "予算なし", "連絡途絶"];
const RIVALS: [&str; 5] = ["A社", "B社", "C社", "D社", ""];

fn clock() -> FixedClock {
    FixedClock::at("2026-11-25T10:00:00+09:00")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("reports.db");
    let started = Instant::now();
    let pipeline_id = build(&path);
    eprintln!(
        "built {} in {:.1} s ({:.0} MB)",
        path.display(),
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
    );
    if let Some(keep) = std::env::var_os("KIZUNA_BENCH_KEEP") {
        std::fs::copy(&path, &keep).expect("copy the database");
        eprintln!("kept a copy at {}", std::path::Path::new(&keep).display());
    }
    let clock = clock();
    let reader = Reader::open(&Source::File(path.clone())).expect("open read-only");
    let Reader::File(conn) = &reader else {
        unreachable!("a file opens as a file")
    };
    for (label, from, to) in [
        ("quarter", "2026-10-01", "2026-12-31"),
        ("year", "2026-01-01", "2026-12-31"),
    ] {
        let filter = ReportFilter {
            from: from.parse::<NaiveDate>().unwrap(),
            to: to.parse::<NaiveDate>().unwrap(),
            owner_ids: Vec::new(),
            pipeline_id: Some(pipeline_id.clone()),
            segment: None,
        };
        let d = reports::dashboard(conn, &clock, &filter).expect("dashboard");
        let json = serde_json::to_vec(&d).expect("json");
        eprintln!("{label}: {} charts, {} bytes of JSON", d.charts.len(), json.len());
        let kizuna = common::time(RUNS, || {
            reports::dashboard(conn, &clock, &filter)
                .expect("dashboard")
                .charts
                .len()
        });
        let bare = common::time(RUNS, || bare(conn, &clock, &filter, &pipeline_id));
        common::report(&format!("dashboard, {label} ({from} – {to})"), kizuna, bare);
        let ipc = common::time(RUNS, || serde_json::to_vec(&d).expect("json").len());
        println!("dashboard, {label}: serialising for IPC median {:.2} ms", ipc.0);
        if label == "quarter" {
            drills(conn, &clock, &filter, &d);
        }
    }
}

/// (d) A click on each chart's largest bar: the drill-down recomputes that
/// chart's module and lists the rows behind the bar, so its time is also
/// what each module costs of the whole dashboard.
fn drills(conn: &rusqlite::Connection, clock: &FixedClock, filter: &ReportFilter, d: &reports::Dashboard) {
    for chart in &d.charts {
        let mut best: Option<(f64, &str, &str)> = None;
        for s in &chart.series {
            for (c, v) in chart.categories.iter().zip(&s.values) {
                if let Some(v) = *v {
                    if best.map_or(true, |(b, _, _)| v > b) {
                        best = Some((v, &s.key, &c.key));
                    }
                }
            }
        }
        let Some((_, series, category)) = best else { continue };
        let req = DrillRequest {
            chart: chart.id,
            currency: chart.currency.clone(),
            series: series.to_string(),
            category: category.to_string(),
        };
        let mut rows = 0;
        let t = common::time(3, || {
            rows = reports::drill(conn, clock, filter, &req).expect("drill").rows.len();
            rows
        });
        let name = serde_json::to_string(&chart.id).expect("id");
        println!(
            "drill-down, quarter, {}{}: {rows} rows, median {:.0} ms (p95 {:.0})",
            name.trim_matches('"'),
            chart.currency.as_deref().map(|c| format!(" {c}")).unwrap_or_default(),
            t.0,
            t.1
        );
    }
}

/// Steps through `sql`'s rows, reading the first column; returns the
/// first column of each row when `keep`.
fn step(conn: &rusqlite::Connection, sql: &str, params: &[&dyn rusqlite::ToSql], keep: bool) -> (usize, Vec<String>) {
    let mut st = conn.prepare_cached(sql).expect("prepare");
    let mut rows = st.query(params).expect("query");
    let (mut n, mut ids) = (0, Vec::new());
    while let Some(r) = rows.next().expect("row") {
        let v: rusqlite::types::Value = r.get(0).expect("column");
        if keep {
            if let rusqlite::types::Value::Text(s) = v {
                ids.push(s);
            }
        } else {
            std::hint::black_box(v);
        }
        n += 1;
    }
    (n, ids)
}

/// Every query the dashboard runs, bare.
fn bare(conn: &rusqlite::Connection, clock: &FixedClock, f: &ReportFilter, pipeline_id: &str) -> usize {
    let offset = clock.offset();
    let start = to_db(reports::day_start(f.from, offset));
    let end = to_db(reports::day_start(f.to + Duration::days(1), offset));
    let (from, to) = (f.from.to_string(), f.to.to_string());
    let week_ago = to_db(clock.now() - Duration::days(7));
    let today = clock.today();
    let mut n = 0;
    // pipeline
    n += step(
        conn,
        "SELECT id, name, probability FROM stages WHERE pipeline_id = ?1 AND deleted_at IS NULL AND kind = 'open' ORDER BY position, id",
        &[&pipeline_id],
        false,
    )
    .0;
    n += step(conn, pipeline::DEALS, &[&pipeline_id, &week_ago], false).0;
    n += step(conn, pipeline::MOVES_SINCE, &[&pipeline_id, &week_ago], false).0;
    n += step(conn, pipeline::EDITS_SINCE, &[&pipeline_id, &week_ago], false).0;
    // forecast
    n += step(conn, forecast::DEALS, &[&from, &to, &start, &end], false).0;
    // win / loss, with each decided deal's moves
    let (k, decided) = step(conn, win_loss::DECIDED, &[&start, &end], true);
    n += k;
    for id in &decided {
        n += step(conn, win_loss::MOVES, &[id], false).0;
    }
    // activity
    n += step(conn, activity::TOUCHES, &[&start, &end], false).0;
    n += step(conn, activity::FOLLOW_UPS, &[&start, &end], false).0;
    // keep in touch, with each kept customer's touches
    let team = TeamSettings::load(conn).expect("settings");
    let (k, kept) = step(
        conn,
        &keep_in_touch::customers_sql(),
        &[&team.retention_days_key, &team.retention_days_other],
        true,
    );
    n += k;
    for id in &kept {
        n += step(conn, &keep_in_touch::before_sql(), &[id, &start], false).0;
        n += step(conn, &keep_in_touch::during_sql(), &[id, &start, &end], false).0;
    }
    n += step(conn, keep_in_touch::GOING_COLD, &[], false).0;
    // renewals
    n += step(conn, renewals::DECIDED, &[&from, &to], false).0;
    let until = (today + Duration::days(renewals::DUE_WITHIN_DAYS)).to_string();
    n += step(conn, renewals::DUE, &[&today.to_string(), &until], false).0;
    n += step(conn, support::CASES, &[&start, &end], false).0;
    n += step(conn, leads::LEADS, &[&start, &end], false).0;
    n
}

fn build(path: &std::path::Path) -> String {
    let clock = clock();
    let opts = OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let mut db = Db::create(path, opts).expect("create");
    db.conn().pragma_update(None, "cache_size", -1_000_000).expect("cache");
    db.conn().pragma_update(None, "synchronous", "OFF").expect("sync");
    for t in ["activities_fts_insert", "activities_bigrams_insert"] {
        db.conn()
            .execute_batch(&format!("DROP TRIGGER IF EXISTS {t}"))
            .expect("drop trigger");
    }
    let pipeline_id = stage::list(db.conn()).expect("pipelines")[0].id.clone();
    let stages = stage::stages(db.conn(), &pipeline_id).expect("stages");
    let open: Vec<String> = stages
        .iter()
        .filter(|s| s.probability > 0 && s.probability < 100)
        .map(|s| s.id.clone())
        .collect();
    let won = stages[5].id.clone();
    let lost = stages[6].id.clone();
    let now = clock.now();
    let at = |secs_ago: i64| to_db(now - Duration::seconds(secs_ago));
    let day = |days: i64| (clock.today() + Duration::days(days)).to_string();
    const YEAR: i64 = 365 * 24 * 3600;
    db.write(|ctx| {
        let mut rng = SmallRng::seed_from_u64(0x4B5A_5245);
        let mut team = vec![ctx.user_id.to_string()];
        for i in 1..MEMBERS {
            team.push(kizuna_core::team::member::ensure(ctx, &format!("member{i}"), &format!("営業 {i}"))?.id);
        }
        let mut companies = Vec::with_capacity(COMPANIES);
        {
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO companies (id, name, name_kana, segment, owner_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?;
            for i in 0..COMPANIES {
                let id = new_id();
                let segment = ["key", "normal", "normal", "small"][i % 4];
                st.execute(rusqlite::params![
                    id,
                    format!("株式会社サンプル{i:04}"),
                    format!("さんぷる{i:04}"),
                    segment,
                    team[i % MEMBERS],
                    at(3 * YEAR + 86_400)
                ])?;
                companies.push(id);
            }
        }
        let mut deal_ids = Vec::with_capacity(OPEN_DEALS + CLOSED_DEALS);
        {
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO deals (id, pipeline_id, stage_id, company_id, title, amount, currency, owner_id,
                                    expected_close, stage_entered_at, last_activity_at, won_at, lost_at,
                                    lost_reason, lost_to, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
            )?;
            for i in 0..OPEN_DEALS + CLOSED_DEALS {
                let id = new_id();
                let is_open = i < OPEN_DEALS;
                let closed_ago = rng.random_range(0..3 * YEAR);
                let created_ago = if is_open { rng.random_range(0..YEAR) } else { closed_ago + rng.random_range(0..YEAR / 2) };
                let is_won = !is_open && rng.random_range(0..10) < 4;
                let stage = if is_open {
                    open[rng.random_range(0..open.len())].clone()
                } else if is_won {
                    won.clone()
                } else {
                    lost.clone()
                };
                let closed = (!is_open).then(|| at(closed_ago));
                st.execute(rusqlite::params![
                    id,
                    pipeline_id,
                    stage,
                    companies[rng.random_range(0..COMPANIES)],
                    format!("案件 {i}"),
                    rng.random_range(1..500) * 10_000,
                    if i % 20 == 0 { "USD" } else { "JPY" },
                    team[rng.random_range(0..MEMBERS)],
                    is_open.then(|| day(rng.random_range(-60..240))),
                    at(created_ago.min(rng.random_range(0..60 * 86_400))),
                    is_open.then(|| at(rng.random_range(0..90 * 86_400))),
                    if is_won { closed.clone() } else { None },
                    if !is_open && !is_won { closed.clone() } else { None },
                    (!is_open && !is_won).then(|| REASONS[rng.random_range(0..REASONS.len())]),
                    (!is_open && !is_won).then(|| RIVALS[rng.random_range(0..RIVALS.len())]),
                    at(created_ago)
                ])?;
                deal_ids.push((id, stage, created_ago, if is_open { 0 } else { closed_ago }));
            }
        }
        {
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO activities (id, company_id, deal_id, kind, occurred_at, summary, body, author_id,
                                         created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?5, ?5)",
            )?;
            let company_of: Vec<String> = {
                let mut q = ctx.tx()?.prepare("SELECT company_id FROM deals ORDER BY rowid")?;
                let v = q.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                v
            };
            let mut n = 0;
            // Two moves per deal: from the first open stage to another, then to where it is.
            for (i, (id, stage, created_ago, closed_ago)) in deal_ids.iter().enumerate() {
                let middle = &open[1 + i % (open.len() - 1)];
                let first_move = created_ago - (created_ago - closed_ago) / 3;
                for (from, to, ago) in [(&open[0], middle, first_move), (middle, stage, *closed_ago + 60)] {
                    let body = format!(r#"{{"from_stage_id":"{from}","to_stage_id":"{to}","from":"a","to":"b"}}"#);
                    st.execute(rusqlite::params![
                        new_id(),
                        company_of[i],
                        id,
                        "stage_change",
                        at(ago),
                        "a → b",
                        body,
                        team[i % MEMBERS]
                    ])?;
                    n += 1;
                }
            }
            let kinds = ["meeting", "call", "email", "email", "call", "note"];
            while n < ACTIVITIES {
                st.execute(rusqlite::params![
                    new_id(),
                    companies[rng.random_range(0..COMPANIES)],
                    Option::<String>::None,
                    kinds[rng.random_range(0..kinds.len())],
                    at(rng.random_range(0..3 * YEAR)),
                    "打ち合わせ",
                    "",
                    team[rng.random_range(0..MEMBERS)]
                ])?;
                n += 1;
            }
        }
        {
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO follow_ups (id, title, due_at, assignee_id, company_id, status, done_at, created_at, updated_at)
                 VALUES (?1, 'フォロー', ?2, ?3, ?4, ?5, ?6, ?2, ?2)",
            )?;
            for _ in 0..FOLLOW_UPS {
                let due_ago = rng.random_range(-30 * 86_400..YEAR);
                let done = due_ago > 0 && rng.random_range(0..10) < 8;
                st.execute(rusqlite::params![
                    new_id(),
                    at(due_ago),
                    team[rng.random_range(0..MEMBERS)],
                    companies[rng.random_range(0..COMPANIES)],
                    if done { "done" } else { "open" },
                    done.then(|| at(due_ago - rng.random_range(-3 * 86_400..86_400)))
                ])?;
            }
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO contracts (id, company_id, plan, start_date, end_date, amount, currency, owner_id, status,
                                        churn_reason, created_at, updated_at)
                 VALUES (?1, ?2, '年間', ?3, ?4, ?5, 'JPY', ?6, ?7, ?8, ?9, ?9)",
            )?;
            for (i, c) in companies.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
                let end = rng.random_range(-365..200);
                let status = if end < 0 {
                    if rng.random_range(0..10) < 8 { "renewed" } else { "churned" }
                } else {
                    "active"
                };
                st.execute(rusqlite::params![
                    new_id(),
                    c,
                    day(end - 365),
                    day(end),
                    rng.random_range(10..300) * 10_000,
                    team[i % MEMBERS],
                    status,
                    (status == "churned").then(|| REASONS[i % REASONS.len()]),
                    at(2 * YEAR)
                ])?;
            }
            // Support cases and leads over three years, a fifth of each week's
            // answered late and a few still open.
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO support_cases (id, number, company_id, subject, category, status, received_at,
                                            first_response_due, first_response_warn_at, first_response_at,
                                            resolution_due, resolution_warn_at, resolved_at,
                                            created_at, updated_at)
                 VALUES (?1, ?2, ?3, '問い合わせ', ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?9, ?10, ?6, ?6)",
            )?;
            for i in 0..SUPPORT_CASES {
                let ago = rng.random_range(0..3 * YEAR);
                let open = ago < 14 * 86_400 && i % 3 == 0;
                let answer = |due: i64, rng: &mut SmallRng| {
                    (!open).then(|| at((ago - due * 3600 + rng.random_range(-3600..900) * (1 + i64::from(i % 5 == 0))).max(0)))
                };
                let first = answer(4, &mut rng);
                let resolved = answer(72, &mut rng);
                st.execute(rusqlite::params![
                    new_id(),
                    i + 1,
                    companies[rng.random_range(0..COMPANIES)],
                    ["question", "trouble", "request", "complaint"][i % 4],
                    if open { "in_progress" } else { "resolved" },
                    at(ago),
                    at(ago - 4 * 3600),
                    first,
                    at(ago - 72 * 3600),
                    resolved
                ])?;
            }
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO leads (id, number, source, status, owner_id, person_name, received_at,
                                    first_response_due, first_response_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'リード', ?6, ?7, ?8, ?6, ?6)",
            )?;
            for i in 0..LEADS {
                let ago = rng.random_range(0..3 * YEAR);
                let status = ["new", "contacted", "qualified", "nurture", "disqualified"][i % 5];
                st.execute(rusqlite::params![
                    new_id(),
                    i + 1,
                    ["web_form", "document_request", "exhibition", "referral", "phone", "セミナー"][i % 6],
                    status,
                    team[i % MEMBERS],
                    at(ago),
                    at(ago - 8 * 3600),
                    (status != "new").then(|| at(ago - rng.random_range(0..10 * 3600)))
                ])?;
            }
            let mut st = ctx.tx()?.prepare(
                "INSERT INTO audit_log (id, at, user_id, entity, entity_id, action, detail)
                 VALUES (?1, ?2, ?3, 'deal', ?4, 'update', ?5)",
            )?;
            for (id, ..) in deal_ids.iter().take(2_000) {
                st.execute(rusqlite::params![
                    new_id(),
                    at(rng.random_range(0..7 * 86_400)),
                    team[0],
                    id,
                    r#"{"amount":{"from":100000,"to":200000}}"#
                ])?;
            }
        }
        Ok(())
    })
    .expect("populate");
    db.conn().execute_batch("ANALYZE").expect("analyze");
    pipeline_id
}
