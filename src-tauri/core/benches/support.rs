//! `cargo bench -p kizuna-core --bench support`: the support inbox on a team
//! file with 200,000 cases (docs/support.md, "The inbox").
//!
//! Builds one file: 200,000 cases over 1,000 customers and six members, three
//! years of them, nine in ten closed; each case's "opened" entry stands on the
//! timeline (with the search index built by the app's own triggers). Then,
//! through a fresh `Db::open` with the app's settings, it times one page of
//! each inbox tab (new / mine / waiting / overdue) and a search, and the
//! counts of all four tabs, against the bare SQL query for the same rows on
//! the same file, and prints the ratio and SQLite's query plan of each tab.
//! Medians and 95th percentiles of many runs after a warm-up.

mod common;

use chrono::Duration;
use common::{report, rows};
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::customers::company::{self, NewCompany};
use kizuna_core::engine_text::EngineText;
use kizuna_core::id::new_id;
use kizuna_core::support::inbox::{self, InboxQuery, InboxTab, Reader};
use kizuna_core::team::settings::TeamSettings;
use kizuna_core::{Db, FixedClock, OpenOptions};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const CASES: usize = 200_000;
/// The bare query reads what an inbox row shows (the same columns and
/// joins as `support/inbox.rs`); the ratio is then what Kizuna adds: typed
/// rows and each target judged in business time.
const COLUMNS: &str = "c.id, c.number, c.subject, c.company_id, co.name, c.contact_id, ct.name, c.channel,
     c.category, c.priority, c.status, c.assignee_id, u.display_name, c.received_at, c.first_response_due,
     c.first_response_at, c.resolution_due, c.resolved_at, c.version, c.next_due";
const JOINS: &str = "JOIN companies co ON co.id = c.company_id
     LEFT JOIN contacts ct ON ct.id = c.contact_id
     LEFT JOIN users u ON u.id = c.assignee_id";
const COMPANIES: usize = 1_000;
const RUNS: usize = 60;

const SUBJECTS: [&str; 12] = [
    "請求書の金額が見積と異なる",
    "システムにログインできない",
    "CSV出力の手順を知りたい",
    "帳票レイアウト変更のご要望",
    "パスワード再発行の依頼",
    "納品物の数量違い",
    "操作説明会の日程調整",
    "印刷するとレイアウトが崩れる",
    "請求先住所の変更",
    "データ移行の相談",
    "担当者変更のお知らせ",
    "動作が遅いとの苦情",
];
const CATEGORIES: [&str; 4] = ["question", "trouble", "request", "complaint"];
const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];

fn clock() -> FixedClock {
    FixedClock::at("2026-11-25T10:00:00+09:00")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("support-200k.db");
    let started = Instant::now();
    build(&path);
    println!(
        "built {CASES} cases over {COMPANIES} customers in {:.1} s ({:.0} MB)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
    );
    let c = clock();
    let db = Db::open(
        &path,
        OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(c.clone())),
    )
    .expect("open");
    let conn = db.conn();
    let team = TeamSettings::load(conn).expect("settings");
    let me = db.user().id.clone();
    let now = to_db(c.now());
    let rd = Reader {
        user_id: &me,
        team: &team,
        now: c.now(),
        offset: c.offset(),
    };
    let counts = inbox::counts(conn, &me, c.now(), "").expect("counts");
    println!(
        "tabs: new {}, mine {}, waiting {}, overdue {}",
        counts.new, counts.mine, counts.waiting, counts.overdue
    );
    println!();
    println!("one inbox page of 50 (median / p95 ms): Kizuna beside the bare SQL on the same file");
    let bare_of = |filter: &str| {
        format!(
            "SELECT {COLUMNS} FROM support_cases c {JOINS}
              WHERE c.deleted_at IS NULL AND {filter} ORDER BY c.next_due, c.id LIMIT 51"
        )
    };
    let tabs: [(InboxTab, &str, String); 4] = [
        (InboxTab::New, "new", "c.status = 'new'".into()),
        (
            InboxTab::Mine,
            "mine",
            format!("c.assignee_id = '{me}' AND c.next_due IS NOT NULL"),
        ),
        (InboxTab::Waiting, "waiting", "c.status = 'waiting'".into()),
        (
            InboxTab::Overdue,
            "overdue",
            format!("c.next_due IS NOT NULL AND c.next_due < '{now}'"),
        ),
    ];
    for (tab, name, filter) in &tabs {
        let q = InboxQuery {
            tab: *tab,
            search: String::new(),
            after: None,
            limit: 50,
        };
        let kizuna = time(|| inbox::page(conn, &rd, &q).expect("page").rows.len());
        let sql = bare_of(filter);
        let bare = time(|| rows(conn, &sql));
        report(&format!("{name:>8}"), kizuna, bare);
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan")
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .map(|r| r.expect("plan row"))
            .collect();
        println!("           plan: {}", plan.join(" | "));
    }
    // The search box: the timeline's index, narrowed to the tab.
    let search_sql = format!(
        "SELECT {COLUMNS} FROM support_cases c {JOINS}
          WHERE c.deleted_at IS NULL AND c.next_due IS NOT NULL AND c.next_due < '{now}'
            AND c.id IN (SELECT e.case_id FROM activities a JOIN case_events e ON e.activity_id = a.id
                          WHERE a.rowid IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH '\"苦情です\"'))
          ORDER BY c.next_due, c.id LIMIT 51"
    );
    for (label, words, bare_sql) in [
        ("search 苦情です (overdue)", "苦情です", Some(search_sql)),
        ("search 請求 (overdue)", "請求", None),
    ] {
        let q = InboxQuery {
            tab: InboxTab::Overdue,
            search: words.into(),
            after: None,
            limit: 50,
        };
        let found = inbox::page(conn, &rd, &q).expect("search").rows.len();
        let kizuna = time(|| inbox::page(conn, &rd, &q).expect("search").rows.len());
        match bare_sql {
            Some(sql) => {
                report(label, kizuna, time(|| rows(conn, &sql)));
            }
            None => println!("{label}: median {:.2} ms, p95 {:.2} ms", kizuna.0, kizuna.1),
        }
        println!("           ({found} on the page)");
    }
    let kizuna = time(|| inbox::counts(conn, &me, c.now(), "").expect("counts").new as usize);
    let count_sql: Vec<String> = tabs
        .iter()
        .map(|(_, _, f)| format!("SELECT COUNT(*) FROM support_cases c WHERE c.deleted_at IS NULL AND {f}"))
        .collect();
    let bare = time(|| {
        count_sql
            .iter()
            .map(|s| conn.query_row(s, [], |r| r.get::<_, i64>(0)).expect("count") as usize)
            .sum()
    });
    report("counts of the four tabs", kizuna, bare);
}

/// Median and p95 in ms of `RUNS` runs after five warm-ups.
fn time(f: impl FnMut() -> usize) -> (f64, f64) {
    common::time(RUNS, f)
}

/// Fills a new file with the cases, their "opened" events and timeline
/// entries, as `support::case::open` writes them (one prepared INSERT each,
/// one transaction, the search triggers live).
fn build(path: &Path) {
    let clock = clock();
    let opts = OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let mut db = Db::create(path, opts).expect("create");
    db.conn().pragma_update(None, "cache_size", -1_000_000).expect("cache");
    db.conn().pragma_update(None, "synchronous", "OFF").expect("sync");
    let me = db.user().id.clone();
    let now = clock.now();
    db.write(|ctx| {
        let mut team = vec![me.clone()];
        for i in 0..5 {
            team.push(kizuna_core::team::member::ensure(ctx, &format!("support{i}"), &format!("サポート {i}"))?.id);
        }
        let mut companies = Vec::with_capacity(COMPANIES);
        for i in 0..COMPANIES {
            companies.push(company::create(
                ctx,
                &NewCompany {
                    name: format!("株式会社サンプル{i:04}"),
                    name_kana: format!("さんぷる{i:04}"),
                    ..Default::default()
                },
            )?);
        }
        let mut rng = SmallRng::seed_from_u64(0x5550_0047);
        let span = 3 * 365 * 24 * 3600;
        let mut received: Vec<i64> = (0..CASES).map(|_| rng.random_range(0..span)).collect();
        received.sort_unstable();
        let start = now - Duration::seconds(span);
        let mut case_st = ctx.tx()?.prepare(
            "INSERT INTO support_cases (id, number, company_id, subject, body, channel, category, priority, status,
                                        assignee_id, received_at, first_response_due, first_response_warn_at,
                                        first_response_at, resolution_due, resolution_warn_at, resolved_at, closed_at,
                                        next_due, created_at, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, 'phone', ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?13, ?14, ?14, ?15, ?10, ?10, ?9)",
        )?;
        let mut act_st = ctx.tx()?.prepare(
            "INSERT INTO activities (id, company_id, kind, occurred_at, summary, body, author_id, created_at,
                                     updated_at, updated_by, text_kind, text_params, search_text)
             VALUES (?1, ?2, 'support', ?3, ?4, ?5, ?6, ?3, ?3, ?6, ?7, ?8, ?9)",
        )?;
        let mut ev_st = ctx.tx()?.prepare(
            "INSERT INTO case_events (id, case_id, kind, body, author_id, at, activity_id, created_at, updated_at)
             VALUES (?1, ?2, 'opened', ?3, ?4, ?5, ?6, ?5, ?5)",
        )?;
        for (n, offset) in received.into_iter().enumerate() {
            let id = new_id();
            let at_t = start + Duration::seconds(offset);
            let at = to_db(at_t);
            let company = &companies[rng.random_range(0..COMPANIES)];
            let category = CATEGORIES[rng.random_range(0..4)];
            let subject = format!("{} #{n}", SUBJECTS[rng.random_range(0..SUBJECTS.len())]);
            let body = if category == "complaint" {
                "お客様から強い苦情です。至急対応が必要。"
            } else {
                "お電話でのお問い合わせ。詳細は担当者から折り返し。"
            };
            let assignee = &team[rng.random_range(0..team.len())];
            // The newest tenth is still open; open ones are due from five days
            // ago to ten days ahead, so about a third are overdue.
            let open = n >= CASES * 9 / 10;
            let (status, next_due, done) = if open {
                let due = to_db(now + Duration::minutes(rng.random_range(-5 * 24 * 60..10 * 24 * 60)));
                (["new", "in_progress", "waiting"][rng.random_range(0..3)], Some(due), None)
            } else {
                ("closed", None, Some(to_db(at_t + Duration::hours(4))))
            };
            let due = next_due.clone().unwrap_or_else(|| to_db(at_t + Duration::hours(8)));
            case_st.execute(rusqlite::params![
                id,
                (n + 1) as i64,
                company,
                subject,
                body,
                category,
                PRIORITIES[rng.random_range(0..4)],
                status,
                assignee,
                at,
                due,
                done,
                due,
                done,
                next_due
            ])?;
            let text = EngineText::CaseOpened {
                case_id: id.clone(),
                number: (n + 1) as i64,
                subject: subject.clone(),
                category: category.into(),
                channel: "phone".into(),
            };
            let (text_kind, text_params) = text.to_columns();
            let activity_id = new_id();
            act_st.execute(rusqlite::params![
                activity_id,
                company,
                at,
                text.render(kizuna_core::language::Language::Ja),
                body,
                assignee,
                text_kind,
                text_params,
                text.search_text()
            ])?;
            ev_st.execute(rusqlite::params![new_id(), id, body, assignee, at, activity_id])?;
        }
        Ok(())
    })
    .expect("populate");
}
