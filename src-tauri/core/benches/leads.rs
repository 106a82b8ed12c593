//! `cargo bench -p kizuna-core --bench leads`: the leads inbox on a team
//! file with 100,000 leads (docs/leads.md, "The inbox").
//!
//! Builds one file: 100,000 leads over three years among six members, most
//! of them long settled (qualified, disqualified or nurtured), with the
//! search indexes built by the app's own triggers. Then, through a fresh
//! `Db::open`, it times one page of each tab (new / mine / overdue /
//! nurture), two searches and the counts of all four tabs against the bare
//! SQL query for the same rows on the same file, and prints the ratio and
//! SQLite's query plan of each tab. Medians and 95th percentiles of many
//! runs after a warm-up. Then the same pages, searches and counts on a
//! team server holding the same leads (Linux: Debian's PostgreSQL, started
//! as the tests start it), with the server's plan of each search.

mod common;
// The server is Debian's PostgreSQL, started as the tests start it: the
// server half runs where they do.
#[cfg(target_os = "linux")]
#[path = "../tests/common/mod.rs"]
mod tests_common;

use chrono::Duration;
use common::{report, rows};
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::id::new_id;
use kizuna_core::leads::inbox::{self, LeadQuery, LeadTab, Reader};
use kizuna_core::leads::matching;
use kizuna_core::team::settings::TeamSettings;
use kizuna_core::{Db, FixedClock, OpenOptions};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const LEADS: usize = 100_000;
const RUNS: usize = 60;
/// The bare query reads what an inbox row shows (the same columns and join
/// as `leads/inbox.rs`); the ratio is what Kizuna adds: typed rows and the
/// first-response target judged in business time.
const COLUMNS: &str = "l.id, l.number, l.origin, l.source, l.status, l.received_at, l.person_name,
     l.company_name, l.phone, l.mail, substr(l.message, 1, 120), l.owner_id, u.display_name, l.first_response_due,
     l.first_response_at, l.disqualify_reason, l.nurture_reason, l.nurture_until, l.resurfaced_at,
     l.resurfaced_count, l.resurface_trigger, l.company_id, l.deal_id, l.mail_opt_out_at, l.version";
const SOURCES: [&str; 6] = [
    "web_form",
    "document_request",
    "exhibition",
    "referral",
    "phone",
    "other",
];
const ASKED: [&str; 8] = [
    "料金表と導入事例の資料をお願いします",
    "デモを見せていただけますか",
    "見積をお願いします。10ユーザー程度です",
    "展示会で名刺交換させていただきました",
    "既存システムからの移行について相談したい",
    "無料トライアルの申し込み",
    "請求書発行の機能について質問です",
    "代理店の紹介で連絡しました",
];

fn clock() -> FixedClock {
    FixedClock::at("2026-11-25T10:00:00+09:00")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads-100k.db");
    let started = Instant::now();
    build(&path);
    println!(
        "built {LEADS} leads in {:.1} s ({:.0} MB)",
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
        "tabs: new {}, mine {}, overdue {}, nurture {}",
        counts.new, counts.mine, counts.overdue, counts.nurture
    );
    println!();
    println!("one inbox page of 50 (median / p95 ms): Kizuna beside the bare SQL on the same file");
    let tabs: [(LeadTab, &str, String, &str); 4] = [
        (
            LeadTab::New,
            "new",
            "l.status = 'new'".into(),
            "l.received_at DESC, l.id DESC",
        ),
        (
            LeadTab::Mine,
            "mine",
            format!("l.owner_id = '{me}' AND l.status IN ('new','contacted')"),
            "l.received_at DESC, l.id DESC",
        ),
        (
            LeadTab::Overdue,
            "overdue",
            format!("l.status = 'new' AND l.first_response_at IS NULL AND l.first_response_due < '{now}'"),
            "l.first_response_due, l.id",
        ),
        (
            LeadTab::Nurture,
            "nurture",
            "l.status = 'nurture'".into(),
            "l.received_at DESC, l.id DESC",
        ),
    ];
    for (tab, name, filter, order) in &tabs {
        let q = LeadQuery {
            tab: *tab,
            search: String::new(),
            after: None,
            limit: 50,
        };
        let kizuna = time(|| inbox::page(conn, &rd, &q).expect("page").rows.len());
        let sql = format!(
            "SELECT {COLUMNS} FROM leads l LEFT JOIN users u ON u.id = l.owner_id
              WHERE l.deleted_at IS NULL AND {filter} ORDER BY {order} LIMIT 51"
        );
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
    // The search box over the nurture list (the biggest active tab).
    for (label, words, bare_sql) in [
        (
            "search 移行について (nurture)",
            "移行について",
            Some(format!(
                "SELECT {COLUMNS} FROM leads l LEFT JOIN users u ON u.id = l.owner_id
                  WHERE l.deleted_at IS NULL AND l.status = 'nurture'
                    AND l.rowid IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH '\"移行について\"')
                  ORDER BY l.received_at DESC, l.id DESC LIMIT 51"
            )),
        ),
        ("search 見積 (nurture)", "見積", None),
    ] {
        let q = LeadQuery {
            tab: LeadTab::Nurture,
            search: words.into(),
            after: None,
            limit: 50,
        };
        let found = inbox::page(conn, &rd, &q).expect("search").rows.len();
        let kizuna = time(|| inbox::page(conn, &rd, &q).expect("search").rows.len());
        match bare_sql {
            Some(sql) => report(label, kizuna, time(|| rows(conn, &sql))),
            None => println!("{label}: median {:.2} ms, p95 {:.2} ms", kizuna.0, kizuna.1),
        }
        println!("           ({found} on the page)");
    }
    let kizuna = time(|| inbox::counts(conn, &me, c.now(), "").expect("counts").new as usize);
    let count_sql: Vec<String> = tabs
        .iter()
        .map(|(_, _, f, _)| format!("SELECT COUNT(*) FROM leads l WHERE l.deleted_at IS NULL AND {f}"))
        .collect();
    let bare = time(|| {
        count_sql
            .iter()
            .map(|s| conn.query_row(s, [], |r| r.get::<_, i64>(0)).expect("count") as usize)
            .sum()
    });
    report("counts of the four tabs", kizuna, bare);

    #[cfg(target_os = "linux")]
    on_a_server(&path, conn, &rd);
}

/// The same inbox from a team server holding the same leads (copied there
/// as `kizuna migrate` copies them): the same rows, its times beside the
/// file's, and the server's plan of each search (`leads_search`, its
/// trigram index, for a term of three characters or more).
#[cfg(target_os = "linux")]
fn on_a_server(file: &Path, on_file: &rusqlite::Connection, rd: &Reader) {
    use kizuna_core::store::server;
    use kizuna_core::store::sql::Sql;
    let (_pg, address, copied) = tests_common::pg::TestServer::durable_copy_of(file, "leads");
    println!();
    println!("on a team server (loopback), the same {LEADS} leads, copied in {copied:.1} s");
    let session = std::cell::RefCell::new(server::connect(&address).expect("connect"));
    let on_server = Sql::Server(&session);
    for (label, tab, words) in [
        ("nurture page", LeadTab::Nurture, ""),
        ("search 移行について (nurture)", LeadTab::Nurture, "移行について"),
        ("search 見積 (nurture)", LeadTab::Nurture, "見積"),
        ("search 鬼塚 (nurture)", LeadTab::Nurture, "鬼塚"),
        (
            "search 株式会社サンプル01234 (new)",
            LeadTab::New,
            "株式会社サンプル01234",
        ),
    ] {
        let q = LeadQuery {
            tab,
            search: words.into(),
            after: None,
            limit: 50,
        };
        let page = |conn: Sql| inbox::page(conn, rd, &q).expect("page").rows;
        assert_eq!(
            page(on_server),
            page(Sql::File(on_file)),
            "{label}: the server's page is the file's"
        );
        let server = time(|| page(on_server).len());
        let file = time(|| page(Sql::File(on_file)).len());
        println!(
            "{label}: server median {:.2} ms (p95 {:.2}), file median {:.2} ms (p95 {:.2})",
            server.0, server.1, file.0, file.1
        );
        if !words.is_empty() {
            let plan = inbox::explain(on_server, rd, &q).expect("plan");
            println!(
                "           server plan: {}",
                plan.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" | ")
            );
        }
    }
    let counts = |conn: Sql| inbox::counts(conn, rd.user_id, rd.now, "移行について").expect("counts");
    assert_eq!(
        format!("{:?}", counts(on_server)),
        format!("{:?}", counts(Sql::File(on_file)))
    );
    let server = time(|| counts(on_server).nurture as usize);
    let file = time(|| counts(Sql::File(on_file)).nurture as usize);
    println!(
        "counts of the four tabs, searched 移行について: server median {:.2} ms (p95 {:.2}), file median {:.2} ms (p95 {:.2})",
        server.0, server.1, file.0, file.1
    );
}

/// Median and p95 in ms of `RUNS` runs after five warm-ups.
fn time(f: impl FnMut() -> usize) -> (f64, f64) {
    common::time(RUNS, f)
}

/// Fills a new file with the leads as `leads::lead::add` and the steps after
/// it leave them (one prepared INSERT each, one transaction, the search
/// triggers live).
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
            team.push(kizuna_core::team::member::ensure(ctx, &format!("sales{i}"), &format!("営業 {i}"))?.id);
        }
        let mut rng = SmallRng::seed_from_u64(0x1EAD_5000);
        let span = 3 * 365 * 24 * 3600;
        let mut received: Vec<i64> = (0..LEADS).map(|_| rng.random_range(0..span)).collect();
        received.sort_unstable();
        let start = now - Duration::seconds(span);
        let mut st = ctx.tx()?.prepare(
            "INSERT INTO leads (id, number, source, received_at, person_name, company_name, phone, mail, message,
                                company_key, phone_key, mail_key, status, owner_id, assigned_at, first_response_due,
                                first_response_at, nurture_reason, created_at, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?4, ?15, ?16, ?17, ?4, ?4, ?14)",
        )?;
        for (i, secs) in received.iter().enumerate() {
            let at = start + Duration::seconds(*secs);
            let recent = LEADS - i <= 400;
            // The last few hundred are still open; the rest settled.
            let status = match (recent, rng.random_range(0..100)) {
                (true, p) if p < 60 => "new",
                (true, _) => "contacted",
                (false, p) if p < 30 => "qualified",
                (false, p) if p < 65 => "disqualified",
                (false, p) if p < 85 => "nurture",
                (false, _) => "contacted",
            };
            let company = format!("株式会社サンプル{:05}", i % 40_000);
            let mail = format!("info{i}@sample{:05}.co.jp", i % 40_000);
            let phone = format!("03-{:04}-{:04}", i % 10_000, (i * 7) % 10_000);
            let answered = (status != "new").then(|| to_db(at + Duration::minutes(rng.random_range(5..600))));
            st.execute(rusqlite::params![
                new_id(),
                i as i64 + 1,
                SOURCES[rng.random_range(0..SOURCES.len())],
                to_db(at),
                // A rare two-character name, five in all, for the searches.
                if i % 20_000 == 7 {
                    format!("鬼塚 {i}")
                } else {
                    format!("担当 {i}")
                },
                company,
                phone,
                mail,
                ASKED[rng.random_range(0..ASKED.len())],
                matching::company_key(&company),
                matching::phone_key(&phone),
                matching::mail_key(&mail),
                status,
                team[rng.random_range(0..team.len())],
                to_db(at + Duration::hours(1)),
                answered,
                if status == "nurture" { "来期検討" } else { "" },
            ])?;
        }
        Ok(())
    })
    .expect("build");
}
