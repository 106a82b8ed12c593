//! `cargo bench -p kizuna-core --bench timeline`: the customer timeline and
//! global search on large files (docs/architecture.md, performance targets).
//!
//! Builds two team databases in temporary files:
//!  - small: 10,000 activities over 100 customers, the big customer holding
//!    5,000 of them (a 50th page of 50 needs 2,500);
//!  - large: 1,000,000 activities over 1,000 customers, the big customer
//!    holding 100,000.
//!
//! and prints, for the big customer, one timeline page of 50 (the newest, and
//! the 50th reached by cursor), pages filtered by kind, the ratio large/small
//! (target ≤ 1.5: a page must not grow with the file), then on the large
//! file the latency of `search::search` for Japanese and English queries
//! (target well under 100 ms) including one- and two-character terms and
//! "show more" pages, the index sizes, and of logging one touch (time and
//! pages written to the file, with and without the bigram index). Then
//! (Linux) the same searches on a team server holding the same million
//! entries: the same hits, the server's times and its plans.
//!
//! The activities go in through one prepared INSERT inside one transaction,
//! in time order, with the FTS triggers live (the index is built exactly as
//! the app builds it). Only the building connection gets a 1 GB page cache
//! and `synchronous=OFF`; the file is then closed and measured through a
//! fresh `Db::open`, with the app's settings. Each figure is the median and
//! 95th percentile of many runs after a warm-up. No criterion: Instant is
//! enough and keeps the build light.
//!
//! KIZUNA_BENCH_SMALL_ONLY=1 skips the large file (quick check of the bench).

// The server is Debian's PostgreSQL, started as the tests start it: the
// server half runs where they do.
#[cfg(target_os = "linux")]
#[path = "../tests/common/mod.rs"]
mod tests_common;

use chrono::Duration;
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::customers::company::{self, NewCompany};
use kizuna_core::id::new_id;
use kizuna_core::pipeline::deal::{self, NewDeal};
use kizuna_core::pipeline::stage;
use kizuna_core::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use kizuna_core::timeline::entries::{self, TimelineCursor, TimelineQuery};
use kizuna_core::timeline::search;
use kizuna_core::{Db, FixedClock, OpenOptions};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const PAGE: u32 = 50;
const JA: kizuna_core::language::Language = kizuna_core::language::Language::Ja;

struct Shape {
    label: &'static str,
    activities: usize,
    companies: usize,
    big: usize,
}

const SMALL: Shape = Shape {
    label: "10k",
    activities: 10_000,
    companies: 100,
    big: 5_000,
};
const LARGE: Shape = Shape {
    label: "1M",
    activities: 1_000_000,
    companies: 1_000,
    big: 100_000,
};

fn clock() -> FixedClock {
    FixedClock::at("2026-11-25T10:00:00+09:00")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small = measure_timeline(dir.path(), &SMALL, false);
    if std::env::var_os("KIZUNA_BENCH_SMALL_ONLY").is_some() {
        return;
    }
    let large = measure_timeline(dir.path(), &LARGE, true);
    println!();
    // The rare-kind page is left out: the small file's big customer has
    // fewer than 50 hand-offs, so the two pages differ in size.
    for (name, s, l) in [
        ("page 1", small.first, large.first),
        ("page 50", small.fiftieth, large.fiftieth),
        ("page 1, meetings only", small.meetings, large.meetings),
    ] {
        let ratio = l / s;
        println!(
            "timeline ratio 1M/10k, {name}: {ratio:.2} (median {:.3} ms / {:.3} ms){}",
            l,
            s,
            if ratio > 1.5 { "  WARNING: target ≤ 1.5" } else { "" }
        );
    }
}

/// Medians (ms) of the timeline figures of one file.
struct TimelineFigures {
    first: f64,
    fiftieth: f64,
    meetings: f64,
}

fn measure_timeline(dir: &Path, shape: &Shape, with_search: bool) -> TimelineFigures {
    let path = dir.join(format!("timeline-{}.db", shape.label));
    let started = Instant::now();
    let big = build(&path, shape);
    eprintln!(
        "[{}] built {} activities ({} for the big customer) in {:.1} s, file {:.0} MB",
        shape.label,
        shape.activities,
        shape.big,
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
    );
    let mut db = Db::open(&path, OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock()))).expect("open");
    let conn = db.conn();
    let q = TimelineQuery {
        company_id: Some(big.clone()),
        limit: PAGE,
        ..Default::default()
    };
    // The cursor of page 49, found by walking (each page by cursor).
    let mut cursor: Option<TimelineCursor> = None;
    for _ in 0..49 {
        let page = entries::timeline(
            conn,
            &TimelineQuery {
                before: cursor.clone(),
                ..q.clone()
            },
        )
        .expect("page");
        assert_eq!(page.entries.len(), PAGE as usize);
        cursor = page.next;
    }
    let fifty = TimelineQuery {
        before: cursor.clone(),
        ..q.clone()
    };
    let only = |kinds: Vec<ActivityKind>| TimelineQuery { kinds, ..q.clone() };
    let runs = 300;
    let page_ms = |q: &TimelineQuery| {
        let shown = entries::timeline(conn, q).expect("page").entries.len();
        let m = time(runs, || {
            let p = entries::timeline(conn, q).expect("page");
            assert_eq!(p.entries.len(), shown);
            std::hint::black_box(p);
        });
        (m.0, m.1, shown)
    };
    let first = page_ms(&q);
    let fiftieth = page_ms(&fifty);
    let meetings = page_ms(&only(vec![ActivityKind::Meeting]));
    let rare = page_ms(&only(vec![ActivityKind::Handoff]));
    let two = page_ms(&only(vec![ActivityKind::Meeting, ActivityKind::Call]));
    let l = shape.label;
    report(&format!("[{l}] timeline page 1 (50 of {})", shape.big), &first);
    report(&format!("[{l}] timeline page 50 by cursor"), &fiftieth);
    report(&format!("[{l}] timeline page 1, meetings only"), &meetings);
    report(&format!("[{l}] timeline page 1, hand-offs only (rare)"), &rare);
    report(&format!("[{l}] timeline page 1, meetings and calls"), &two);
    println!(
        "[{l}] plan of page 50: {}",
        entries::explain(conn, &fifty).expect("plan").join(" | ")
    );
    if with_search {
        measure_search(conn);
        #[cfg(target_os = "linux")]
        search_on_a_server(&path, conn);
        measure_write(&mut db, &big);
    }
    TimelineFigures {
        first: first.0,
        fiftieth: fiftieth.0,
        meetings: meetings.0,
    }
}

/// The queries the search is timed with: (what, query).
const QUERIES: [(&str, &str); 16] = [
    ("Japanese, common (議事録)", "議事録"),
    ("Japanese, phrase (見積書の再送)", "見積書の再送"),
    ("Japanese, rare (瑕疵担保責任)", "瑕疵担保責任"),
    ("Japanese, no match from common pieces", "の見積書を議事録"),
    ("English (proposal)", "proposal"),
    ("English, two terms (revised quote)", "revised quote"),
    ("mixed (佐藤 議事録)", "佐藤 議事録"),
    ("mixed, the short term rare (瑕疵 議事録)", "瑕疵 議事録"),
    ("mixed, never together (田中 proposal)", "田中 proposal"),
    ("2 characters (佐藤)", "佐藤"),
    ("2 characters, rare (瑕疵)", "瑕疵"),
    ("2 characters, common (見積)", "見積"),
    ("2 characters, two terms (稟議 見積)", "稟議 見積"),
    ("1 character (林)", "林"),
    ("1 character, the commonest (の)", "の"),
    ("1 character, ASCII (a)", "a"),
];

fn measure_search(conn: &rusqlite::Connection) {
    for (what, query) in QUERIES {
        let t = Instant::now();
        let r = search::search(conn, query, 10, JA).expect("search");
        let cold = t.elapsed().as_secs_f64() * 1e3;
        let found = r.activities.hits.len();
        let m = time(30, || {
            std::hint::black_box(search::search(conn, query, 10, JA).expect("search"));
        });
        println!(
            "[1M] search {what}: median {:.2} ms, p95 {:.2} ms (first {:.1} ms; {found} timeline hits shown){}",
            m.0,
            m.1,
            cold,
            if m.0 > 100.0 {
                "  WARNING: target well under 100 ms"
            } else {
                ""
            }
        );
    }
    // "Show more", 20 at a time: the 50th page costs what the second does.
    for (what, query) in [("2 characters (見積)", "見積"), ("Japanese (議事録)", "議事録")] {
        let mut cursor = search::search(conn, query, 10, JA)
            .expect("search")
            .activities
            .next
            .expect("more than one page");
        let mut pages: Vec<search::SearchCursor> = Vec::new();
        for _ in 0..50 {
            pages.push(cursor.clone());
            let g = search::search_more(conn, query, search::SearchKind::Activities, &cursor, 20, JA).expect("page");
            cursor = g.next.expect("another page");
        }
        let page = |c: &search::SearchCursor| {
            time(30, || {
                let g = search::search_more(conn, query, search::SearchKind::Activities, c, 20, JA).expect("page");
                assert_eq!(g.hits.len(), 20);
                std::hint::black_box(g);
            })
        };
        let (second, fiftieth) = (page(&pages[0]), page(&pages[49]));
        println!(
            "[1M] search {what}, show more: page 2 median {:.2} ms, page 51 median {:.2} ms (20 hits each)",
            second.0, fiftieth.0
        );
    }
    // What the indexes take in the file.
    let size = |like: &str| -> f64 {
        conn.query_row(
            "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE ?1",
            [like],
            |r| r.get::<_, i64>(0),
        )
        .map(|b| b as f64 / 1e6)
        .unwrap_or(f64::NAN)
    };
    println!(
        "[1M] index sizes: timeline trigram {:.0} MB, timeline bigram {:.0} MB (file {:.0} MB)",
        size("activities_fts%"),
        size("activities_bigrams%"),
        size("%")
    );
}

/// The same searches on a team server holding the same million entries
/// (copied there as `kizuna migrate` copies them): the same hits as the
/// file's, the server's times, and its plan of a two- and a one-character
/// term (docs/team-server.md, "Search on the server").
#[cfg(target_os = "linux")]
fn search_on_a_server(file: &Path, on_file: &rusqlite::Connection) {
    use kizuna_core::store::server;
    use kizuna_core::store::sql::Sql;
    use kizuna_core::timeline::server_search;
    let (_pg, address, copied) = tests_common::pg::TestServer::durable_copy_of(file, "timeline");
    println!("[1M] copied to a team server (loopback) in {copied:.0} s");
    let session = std::cell::RefCell::new(server::connect(&address).expect("connect"));
    let on_server = Sql::Server(&session);
    for (what, query) in QUERIES {
        // The same hits and the same "more" in each group; the cursors name
        // the last hit in each store's own way (the file's rowid).
        let shown = |r: search::SearchResults| {
            [r.companies, r.contacts, r.deals, r.activities].map(|g| (g.hits, g.next.is_some()))
        };
        assert_eq!(
            shown(search::search(on_server, query, 10, JA).expect("search")),
            shown(search::search(on_file, query, 10, JA).expect("search")),
            "{query}: the server's hits are the file's"
        );
        let m = time(10, || {
            std::hint::black_box(search::search(on_server, query, 10, JA).expect("search"));
        });
        println!(
            "[1M] on the server, search {what}: median {:.2} ms, p95 {:.2} ms",
            m.0, m.1
        );
    }
    let mut client = server::connect(&address).expect("connect");
    let size: String = client
        .query_one(
            "SELECT pg_size_pretty(pg_relation_size('activities_search')) || ' trigram, '
                 || pg_size_pretty(pg_relation_size('activities_search_pairs')) || ' pairs, table '
                 || pg_size_pretty(pg_relation_size('activities'))",
            &[],
        )
        .expect("sizes")
        .get(0);
    println!("[1M] on the server, the timeline's search indexes: {size}");
    for query in ["瑕疵", "林"] {
        let plan = server_search::explain(&mut client, search::SearchKind::Activities, query).expect("plan");
        let lines: Vec<&str> = plan.lines().map(str::trim).filter(|l| l.contains("Scan")).collect();
        println!("[1M] on the server, the plan of {query}: {}", lines.join(" | "));
    }
}

/// Pages this connection has written to the database file since the last call.
fn pages_written(conn: &rusqlite::Connection) -> i32 {
    let (mut current, mut high) = (0, 0);
    // SAFETY: the handle is this open connection's, used on this thread only,
    // and sqlite3_db_status only reads (and resets) its counter.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_status(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_WRITE,
            &mut current,
            &mut high,
            1,
        )
    };
    assert_eq!(rc, rusqlite::ffi::SQLITE_OK);
    current
}

/// Logging a touch on the large file: the FTS triggers and five indexes on
/// activities, and a synchronous commit (FULL) on this machine's disk; and
/// how many pages one such write puts in the file, with the bigram index and
/// (on this throw-away file) with its trigger dropped, as before migration 0011.
fn measure_write(db: &mut Db, company_id: &str) {
    let now = to_db(db.clock().now());
    let a = NewActivity {
        company_id: company_id.to_string(),
        contact_ids: Vec::new(),
        deal_id: None,
        kind: ActivityKind::Meeting,
        direction: Some(Direction::Outbound),
        occurred_at: now,
        summary: "定例打ち合わせ".into(),
        body: "導入スケジュールの確認。".into(),
        minutes: "議事録：次回までに見積書を再送する。".into(),
        next_todos: "・見積書の再送".into(),
        next_appointment_at: None,
        signals: vec!["second_visit".into()],
    };
    let m = time(20, || {
        db.write(|ctx| activity::log(ctx, &a)).expect("log");
    });
    println!(
        "[1M] log one meeting (one write transaction, synchronous=FULL): median {:.3} ms, p95 {:.3} ms",
        m.0, m.1
    );
    let pages = |db: &mut Db| -> Vec<i32> {
        (0..40)
            .map(|_| {
                pages_written(db.conn());
                db.write(|ctx| activity::log(ctx, &a)).expect("log");
                pages_written(db.conn())
            })
            .collect()
    };
    let with = pages(db);
    db.conn()
        .execute_batch("DROP TRIGGER activities_bigrams_insert")
        .expect("drop the trigger");
    let without = pages(db);
    let summary = |mut v: Vec<i32>| {
        v.sort_unstable();
        format!(
            "median {}, max {} (mean {:.1})",
            v[v.len() / 2],
            v[v.len() - 1],
            v.iter().sum::<i32>() as f64 / v.len() as f64
        )
    };
    println!(
        "[1M] pages written per logged meeting: with the bigram index {}; without it {}",
        summary(with),
        summary(without)
    );
}

fn report(what: &str, m: &(f64, f64, usize)) {
    println!("{what}: median {:.3} ms, p95 {:.3} ms ({} entries)", m.0, m.1, m.2);
}

/// Runs `f` a few times to warm up, then `runs` times; (median, p95) in ms.
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..(runs / 10).max(3) {
        f();
    }
    let mut v: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
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

// ------------------------------------------------------------------ data

const FAMILY: [&str; 20] = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "斎藤",
];
const SUBJECTS: [&str; 16] = [
    "定例打ち合わせ",
    "見積書の送付",
    "提案内容のご説明",
    "導入スケジュールの確認",
    "お問い合わせへの回答",
    "契約更新のご相談",
    "デモのご案内",
    "請求書の件でお電話",
    "新製品のご紹介",
    "課題ヒアリング",
    "保守サポートの件",
    "アカウント追加のご依頼",
    "操作方法のご質問",
    "展示会のお礼",
    "価格改定のご案内",
    "セキュリティ診断の報告",
];
const PHRASES: [&str; 16] = [
    "先方より導入時期について質問があった。",
    "次回までに概算見積を準備する。",
    "予算は来期に確保される見込み。",
    "見積書の再送を依頼された。",
    "社内稟議は来月の予定とのこと。",
    "競合他社と比較検討中。",
    "現場の担当者も同席し、デモは好評だった。",
    "帳票の出力形式に要望あり。",
    "月末に作業が集中しているため自動化したい。",
    "決裁者は部長、稟議は月一回。",
    "保守契約の更新時期が近い。",
    "操作マニュアルを送付した。",
    "ログインできないとの問い合わせ。",
    "請求書の宛名変更の依頼。",
    "導入事例の資料を共有した。",
    "アカウントを三つ追加したいとのこと。",
];
const ENGLISH: [&str; 10] = [
    "Discussed the renewal proposal with the IT manager.",
    "Customer asked about pricing for additional seats.",
    "Sent the revised quote and the onboarding plan.",
    "Follow-up call about the migration schedule.",
    "They are comparing us with a competitor.",
    "Demo went well; the team liked the reporting.",
    "Requested a security review document.",
    "Budget approval expected next quarter.",
    "Support ticket about login errors resolved.",
    "Shared a case study from a similar company.",
];

/// Kinds with a realistic mix: mostly calls and mails, hand-offs rare.
fn kind(rng: &mut SmallRng) -> ActivityKind {
    match rng.random_range(0..1000) {
        0..=149 => ActivityKind::Meeting,
        150..=449 => ActivityKind::Call,
        450..=729 => ActivityKind::Email,
        730..=779 => ActivityKind::Sns,
        780..=879 => ActivityKind::Note,
        880..=929 => ActivityKind::Quote,
        930..=969 => ActivityKind::Support,
        970..=989 => ActivityKind::StageChange,
        990..=994 => ActivityKind::Contract,
        _ => ActivityKind::Handoff,
    }
}

struct Texts {
    summary: String,
    body: String,
    minutes: String,
    next_todos: String,
}

fn texts(rng: &mut SmallRng, kind: ActivityKind, n: usize) -> Texts {
    let person = FAMILY[rng.random_range(0..FAMILY.len())];
    let english = rng.random_range(0..100) < 12;
    let mut pick = |k: usize| -> String {
        (0..k)
            .map(|_| {
                if english {
                    format!("{} ", ENGLISH[rng.random_range(0..ENGLISH.len())])
                } else {
                    PHRASES[rng.random_range(0..PHRASES.len())].to_string()
                }
            })
            .collect()
    };
    let subject = if english {
        ENGLISH[n % ENGLISH.len()].to_string()
    } else {
        format!("{}（{}様）", SUBJECTS[n % SUBJECTS.len()], person)
    };
    let mut body = format!(
        "{}{}",
        pick(2),
        if n % 10_000 == 7 {
            "瑕疵担保責任の範囲を確認。"
        } else {
            ""
        }
    );
    if kind == ActivityKind::StageChange {
        body = r#"{"from":"提案","to":"見積"}"#.into();
    }
    let (minutes, next_todos) = if kind == ActivityKind::Meeting {
        let head = if n % 3 == 0 { "議事録：" } else { "" };
        (format!("{head}{}", pick(3)), format!("・{}", pick(1)))
    } else {
        (String::new(), String::new())
    };
    Texts {
        summary: subject,
        body,
        minutes,
        next_todos,
    }
}

/// Fills a new file; returns the big customer's id.
fn build(path: &Path, shape: &Shape) -> String {
    let clock = clock();
    let opts = OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let mut db = Db::create(path, opts).expect("create");
    // Building only: a page cache that holds the indexes, and no fsync.
    db.conn().pragma_update(None, "cache_size", -1_000_000).expect("cache");
    db.conn().pragma_update(None, "synchronous", "OFF").expect("sync");
    let pipeline_id = stage::list(db.conn()).expect("pipelines")[0].id.clone();
    let stage_id = stage::stages(db.conn(), &pipeline_id).expect("stages")[1].id.clone();
    let me = db.user().id.clone();
    let now = clock.now();
    let shape_companies = shape.companies;
    let (activities, big) = (shape.activities, shape.big);
    db.write(|ctx| {
        let mut team = vec![me.clone()];
        for i in 0..5 {
            team.push(kizuna_core::team::member::ensure(ctx, &format!("member{i}"), &format!("営業 {i}"))?.id);
        }
        let mut companies = Vec::with_capacity(shape_companies);
        for i in 0..shape_companies {
            companies.push(company::create(
                ctx,
                &NewCompany {
                    name: format!("株式会社サンプル{i:04}"),
                    name_kana: format!("さんぷる{i:04}"),
                    industry: "製造業".into(),
                    owner_id: Some(team[i % team.len()].clone()),
                    ..Default::default()
                },
            )?);
        }
        // A few deals for the big customer, so entries carry deal titles.
        let deals: Vec<String> = (0..10)
            .map(|i| {
                deal::create(
                    ctx,
                    &NewDeal {
                        pipeline_id: pipeline_id.clone(),
                        stage_id: stage_id.clone(),
                        company_id: companies[0].clone(),
                        title: format!("案件 {i} クラウド移行"),
                        amount: 1_000_000,
                        ..Default::default()
                    },
                )
            })
            .collect::<kizuna_core::Result<_>>()?;

        let mut rng = SmallRng::seed_from_u64(0x4B5A_7431);
        // Three years of history, in the order it was logged.
        let span = 3 * 365 * 24 * 3600;
        let mut rows: Vec<(i64, usize)> = (0..activities)
            .map(|i| {
                let company = if i < big {
                    0
                } else {
                    1 + rng.random_range(0..shape_companies - 1)
                };
                (rng.random_range(0..span), company)
            })
            .collect();
        rows.sort_unstable();
        let start = now - Duration::seconds(span);
        let mut st = ctx.tx()?.prepare(
            "INSERT INTO activities (id, company_id, deal_id, kind, direction, occurred_at, summary, body, minutes,
                                     next_todos, signals, author_id, created_at, updated_at, updated_by, deleted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?6, ?6, ?12, ?13)",
        )?;
        for (n, (offset, company)) in rows.into_iter().enumerate() {
            let kind = kind(&mut rng);
            let t = texts(&mut rng, kind, n);
            let at = to_db(start + Duration::seconds(offset));
            let deal = (company == 0 && n % 4 == 0).then(|| deals[n % deals.len()].clone());
            let signals = if kind.is_touch() && n % 20 == 0 {
                r#"["replied_thanks"]"#
            } else {
                "[]"
            };
            let deleted = (n % 100 == 99).then(|| at.clone());
            st.execute(rusqlite::params![
                new_id(),
                companies[company],
                deal,
                kind.as_str(),
                if kind.is_touch() {
                    Some(if n % 3 == 0 { "inbound" } else { "outbound" })
                } else {
                    None
                },
                at,
                t.summary,
                t.body,
                t.minutes,
                t.next_todos,
                signals,
                team[n % team.len()],
                deleted
            ])?;
        }
        // Last contact as logging would have left it.
        ctx.tx()?.execute_batch(
            "UPDATE companies SET last_contact_at = (
                 SELECT MAX(occurred_at) FROM activities a WHERE a.company_id = companies.id AND a.deleted_at IS NULL
                   AND a.kind IN ('meeting','call','email','sns','quote','support'))",
        )?;
        Ok(companies[0].clone())
    })
    .expect("populate")
}
