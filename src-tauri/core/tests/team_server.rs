//! The team server against a real PostgreSQL (Debian's, started by the
//! test): its schema beside the file's, moving a team both ways, search
//! finding what the file's search finds, members' rights, and live refresh
//! (the wake-up, the catch-up after the server was down, commit order).
#![cfg(target_os = "linux")]

mod common;

use common::pg::TestServer;
use kizuna_core::clock::Clock;
use kizuna_core::contracts::{contract, renewal};
use kizuna_core::customers::company::{self, CompanyEdit, CompanyQuery, CompanySort, Segment};
use kizuna_core::customers::health;
use kizuna_core::customers::{archive, contact};
use kizuna_core::dedupe::merge;
use kizuna_core::engine_text::ProposalKind;
use kizuna_core::engine_text::ToSalesKind;
use kizuna_core::followups::follow_up::{self, FollowUpQuery};
use kizuna_core::followups::reminder;
use kizuna_core::handoff::{acknowledge, sheet as handoff_sheet, to_sales};
use kizuna_core::language::Language;
use kizuna_core::leads::{lead, qualify};
use kizuna_core::overview;
use kizuna_core::pipeline::board::{self, BoardFilter, CardCursor};
use kizuna_core::pipeline::{deal, moves, stage};
use kizuna_core::sequences::enrolment;
use kizuna_core::store::changes::Source;
use kizuna_core::store::deletion;
use kizuna_core::store::server::{self, Server, ServerDb, ServerFeed};
use kizuna_core::store::sql::{self as store_sql, Sql};
use kizuna_core::store::transfer;
use kizuna_core::store::write::{Saves, Store};
use kizuna_core::support::{case, thread};
use kizuna_core::team::member;
use kizuna_core::team::role::{self, Role};
use kizuna_core::team::settings::{self, TeamSettings};
use kizuna_core::timeline::activity::{self, ActivityKind};
use kizuna_core::timeline::entries::{self, TimelineQuery};
use kizuna_core::timeline::{search, server_search};
use kizuna_core::{Db, ErrorCode, FixedClock, OpenOptions};
use postgres::fallible_iterator::FallibleIterator;
use rusqlite::types::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// A team file with the sample team in it (Japanese names, deals, a
/// timeline), as `kizuna demo` makes it.
fn sample_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("team.db");
    let opts = OpenOptions::new("tanaka", "田中 太郎").with_language(kizuna_core::language::Language::Ja);
    let mut db = Db::create(&path, opts).unwrap();
    kizuna_core::app::sample::populate(&mut db).unwrap();
    path
}

/// Every team table of a file, every row as values, sorted: an independent
/// reading of "the same data" (not the copy's own digest).
fn dump(path: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let conn = common::open(path);
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%\\_fts\\_%' ESCAPE '\\'
               AND name NOT LIKE '%\\_bigrams\\_%' ESCAPE '\\'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let mut st = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
            let n = st.column_count();
            let mut rows: Vec<Vec<String>> = st
                .query_map([], |r| {
                    (0..n).map(|i| r.get::<_, Value>(i).map(|v| format!("{v:?}"))).collect()
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

#[test]
fn the_servers_schema_has_the_files_tables_and_columns() {
    let pg = TestServer::start();
    let s = pg.team_database("shape");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.db");
    kizuna_core::store::schema::create_at_version(&file, kizuna_core::store::schema::CURRENT).unwrap();
    let conn = common::open(&file);
    let mut client = server::connect(&s).unwrap();
    let tables = server::schema::team_tables(&mut client).unwrap();
    let file_tables: Vec<String> = dump(&file).into_keys().collect();
    let mut sorted = tables.clone();
    sorted.sort();
    assert_eq!(sorted, file_tables);
    for t in &tables {
        let file_cols: Vec<(String, String, bool)> = conn
            .prepare("SELECT name, upper(type), \"notnull\" FROM pragma_table_info(?1) ORDER BY cid")
            .unwrap()
            .query_map([t], |r| {
                let ty: String = r.get(1)?;
                let kind = match ty.as_str() {
                    "INTEGER" => "bigint",
                    "REAL" => "double precision",
                    _ => "text",
                };
                Ok((r.get(0)?, kind.to_string(), r.get::<_, i64>(2)? == 1))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let server_cols: Vec<(String, String, bool)> = client
            .query(
                "SELECT column_name::text, data_type::text, is_nullable = 'NO' FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = $1
                    AND NOT (table_name = 'audit_log' AND column_name = 'db_role')
                  ORDER BY ordinal_position",
                &[t],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        // A primary key is NOT NULL on the server whether or not the file says so.
        let relaxed = |cols: &[(String, String, bool)]| -> Vec<(String, String)> {
            cols.iter().map(|(n, k, _)| (n.clone(), k.clone())).collect()
        };
        assert_eq!(relaxed(&server_cols), relaxed(&file_cols), "columns of {t}");
        for (f, s) in file_cols.iter().zip(&server_cols) {
            assert!(!f.2 || s.2, "{t}.{} is NOT NULL in the file but not on the server", f.0);
        }
    }
    // Every index the file has (its search tables aside), the server has.
    let file_indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for i in file_indexes {
        let found: bool = client
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&i])
            .unwrap()
            .get(0);
        assert!(found, "index {i} is missing on the server");
    }
}

#[test]
fn a_team_goes_to_the_server_and_back_unchanged_and_its_file_untouched() {
    let pg = TestServer::start();
    let s = pg.team_database("roundtrip");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    let before = std::fs::read(&file).unwrap();
    let there = transfer::file_to_server(&file, &s).unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), before, "the source file was written to");
    assert!(there.rows() > 1000, "{there:?}");
    assert!(there.change_log_position > 0);

    // The server carries on the change log where the file left it.
    let mut client = server::connect(&s).unwrap();
    let next: i64 = client
        .query_one(
            "INSERT INTO change_log (entity, entity_id, op, at) VALUES ('deal', 'x', 'update', '2026-12-02T00:00:00Z')
             RETURNING seq",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(next, there.change_log_position + 1);
    client
        .execute("DELETE FROM change_log WHERE seq = $1", &[&next])
        .unwrap();

    let back = dir.path().join("back.db");
    let returned = transfer::server_to_file(&s, &back).unwrap();
    assert_eq!(returned.tables, there.tables);
    assert_eq!(
        (returned.deal_amounts, returned.contract_amounts),
        (there.deal_amounts, there.contract_amounts)
    );
    assert_eq!(dump(&back), dump(&file));
    assert!(!back.with_extension("partial").exists());

    // The new file's search indexes were built as its rows arrived.
    let (a, b) = (common::open(&file), common::open(&back));
    for q in ["株式会社", "見積", "田"] {
        let ids = |c: &rusqlite::Connection| -> Vec<Vec<String>> {
            let r = search::search(c, q, 100, kizuna_core::language::Language::Ja).unwrap();
            [r.companies, r.contacts, r.deals, r.activities]
                .into_iter()
                .map(|g| {
                    let mut v: Vec<String> = g.hits.into_iter().map(|h| h.id).collect();
                    v.sort();
                    v
                })
                .collect()
        };
        let found = ids(&a);
        assert!(found.iter().any(|g| !g.is_empty()), "{q} finds nothing in the sample");
        assert_eq!(ids(&b), found, "{q}");
    }
    // Kizuna opens the returned file as any team file.
    let db = Db::open(&back, OpenOptions::new("tanaka", "田中 太郎")).unwrap();
    assert_eq!(db.schema_version().unwrap(), kizuna_core::store::schema::CURRENT);
}

#[test]
fn a_copy_never_lands_on_a_team_or_over_a_file() {
    let pg = TestServer::start();
    let s = pg.team_database("twice");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    transfer::file_to_server(&file, &s).unwrap();
    let again = transfer::file_to_server(&file, &s).unwrap_err();
    assert_eq!(again.code(), ErrorCode::TransferTargetNotEmpty);
    let over = transfer::server_to_file(&s, &file).unwrap_err();
    assert_eq!(over.code(), ErrorCode::TransferTargetNotEmpty);
    // A database nobody ran `server init` on says what to do.
    let bare = Server::parse(&pg.create_database("bare"), None).unwrap();
    let e = transfer::file_to_server(&file, &bare).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ServerRefused);
    assert!(e.to_string().contains("kizuna server init"), "{e}");
}

/// Every id the file's search finds for `query` in `kind`, all pages.
/// Every hit of `kind` for `query`, page after page of `per_page`, in the
/// order search shows them, from either store.
fn all_hits(sql: Sql, query: &str, kind: search::SearchKind, per_page: u32) -> Vec<search::SearchHit> {
    let lang = kizuna_core::language::Language::Ja;
    let first = search::search(sql, query, per_page, lang).unwrap();
    let mut group = match kind {
        search::SearchKind::Companies => first.companies,
        search::SearchKind::Contacts => first.contacts,
        search::SearchKind::Deals => first.deals,
        search::SearchKind::Activities => first.activities,
    };
    let mut hits = Vec::new();
    loop {
        hits.extend(group.hits);
        let Some(next) = group.next.clone() else { break };
        group = search::search_more(sql, query, kind, &next, per_page, lang).unwrap();
    }
    hits
}

#[test]
fn the_server_finds_what_the_file_finds() {
    let pg = TestServer::start();
    let s = pg.team_database("search");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    {
        // Text the sample lacks: mixed case, a wildcard, a long sentence.
        let mut db = Db::open(&file, OpenOptions::new("tanaka", "田中 太郎")).unwrap();
        use kizuna_core::timeline::activity::{self, ActivityKind, NewActivity};
        let company: String = db
            .conn()
            .query_row("SELECT id FROM companies LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let note = NewActivity {
            company_id: company,
            contact_ids: Vec::new(),
            deal_id: None,
            kind: ActivityKind::Note,
            direction: None,
            occurred_at: "2026-11-20T01:00:00Z".into(),
            summary: "Proposal for ACME: 100% uptime_SLA".into(),
            body: "先日の打ち合わせで見積書の再送を依頼されました。稟議は来月です。".into(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        };
        db.write(|ctx| activity::log(ctx, &note)).unwrap();
    }
    transfer::file_to_server(&file, &s).unwrap();
    let conn = common::open(&file);
    let mut client = server::connect(&s).unwrap();
    let kinds = [
        search::SearchKind::Companies,
        search::SearchKind::Contacts,
        search::SearchKind::Deals,
        search::SearchKind::Activities,
    ];
    let queries = [
        "見積書の再送",
        "株式会社",
        "見積",
        "稟議",
        "田",
        "acme",
        "PROPOSAL acme",
        "100%",
        "uptime_sla",
        "_",
        "打ち合わせ 来月",
        "存在しない言葉",
    ];
    let mut found_any = 0;
    let mut pages = server::connect(&s).unwrap();
    let pages = reading(&mut pages);
    for q in queries {
        for kind in kinds {
            // What the window shows: the hits with their snippets, in order,
            // through every page (three at a time, so the sample pages).
            let on_file = all_hits(Sql::File(&conn), q, kind, 3);
            assert_eq!(all_hits(Sql::Server(&pages), q, kind, 3), on_file, "{q:?} in {kind:?}");
            let mut file_ids: Vec<String> = on_file.into_iter().map(|h| h.id).collect();
            file_ids.sort();
            let mut on_server = server_search::find(&mut client, kind, q, 10_000).unwrap();
            on_server.sort();
            assert_eq!(on_server, file_ids, "{q:?} in {kind:?}");
            found_any += usize::from(!file_ids.is_empty());
        }
    }
    assert!(found_any >= 10, "the queries find too little to compare: {found_any}");
    // A term of three characters or more is answered from the trigram index.
    // (The sample is small enough to read whole; the planner is told not to.)
    client
        .batch_execute("ANALYZE; SET enable_seqscan = off; SET enable_indexscan = off")
        .unwrap();
    // Checked on the timeline, the kind that grows into the millions; on
    // 50 companies another index may rightly win.
    let plan = server_search::explain(&mut client, search::SearchKind::Activities, "見積書の再送").unwrap();
    assert!(plan.contains("Bitmap Index Scan on activities_search "), "{plan}");
    // One of two characters, which has no trigram, from the pair index
    // (on 50 companies, the planner would rather start from them: it is told
    // not to, as it is told not to read the table whole).
    client.batch_execute("SET enable_nestloop = off").unwrap();
    for kind in [search::SearchKind::Activities, search::SearchKind::Contacts] {
        let plan = server_search::explain(&mut client, kind, "田中").unwrap();
        assert!(plan.contains("_search_pairs"), "{plan}");
    }
}

/// A server set up by an earlier Kizuna (partial search indexes, no pair
/// indexes) gets today's search indexes when its admin runs `kizuna server
/// init` again: the pair indexes, and whole-table ones whose statistics
/// the planner reads.
#[test]
fn init_again_brings_an_older_servers_search_indexes_up_to_date() {
    let pg = TestServer::start();
    let s = pg.team_database("older");
    let mut client = server::connect(&s).unwrap();
    // (all, partial) among the search's indexes.
    let indexes = |client: &mut postgres::Client| -> (i64, i64) {
        let r = client
            .query_one(
                r"SELECT COUNT(*), COUNT(*) FILTER (WHERE i.indpred IS NOT NULL)
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                   WHERE c.relname LIKE '%\_search' OR c.relname LIKE '%\_search\_pairs'",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(indexes(&mut client), (10, 0));
    client
        .batch_execute(
            "DROP INDEX companies_search, companies_search_pairs, contacts_search_pairs, deals_search_pairs,
                        activities_search_pairs, leads_search_pairs;
             CREATE INDEX companies_search ON companies USING gin ((
                 COALESCE(name, '') || E'\\n' || COALESCE(name_kana, '') || E'\\n' || COALESCE(industry, '')
             ) gin_trgm_ops) WHERE deleted_at IS NULL;",
        )
        .unwrap();
    assert_eq!(indexes(&mut client), (5, 1));
    let again = server::roles::init(&mut client).unwrap();
    assert_eq!(again.found, Some(server::schema::CURRENT));
    assert_eq!(indexes(&mut client), (10, 0));
    // Run again, it changes nothing.
    server::roles::init(&mut client).unwrap();
    assert_eq!(indexes(&mut client), (10, 0));
}

/// A read-only server session for the domain's reads (`store::sql`): one
/// snapshot, as a desktop's read of a screen is.
fn reading(client: &mut postgres::Client) -> RefCell<postgres::Transaction<'_>> {
    RefCell::new(client.build_transaction().read_only(true).start().unwrap())
}

/// The sample team in a file and, copied, on a server: what the parity
/// tests read from both. `stores` goes through [`reading`].
struct SameTeam {
    _pg: TestServer,
    _dir: tempfile::TempDir,
    file: rusqlite::Connection,
    client: postgres::Client,
    /// Where each store is, for what opens a connection of its own.
    places: [Source; 2],
}

impl SameTeam {
    /// Runs `check` with the file and both stores (the server's in one
    /// read-only transaction) on a new copy of the sample team.
    fn check(name: &str, check: impl for<'a> FnOnce(&'a rusqlite::Connection, [Sql<'a>; 2])) {
        SameTeam::check_with(name, |_| {}, check)
    }

    /// [`SameTeam::check`] on the sample team as `prepare` leaves it.
    fn check_with(
        name: &str,
        prepare: impl FnOnce(&mut Db),
        check: impl for<'a> FnOnce(&'a rusqlite::Connection, [Sql<'a>; 2]),
    ) {
        let mut team = SameTeam::new_with(name, prepare);
        let session = reading(&mut team.client);
        check(&team.file, [Sql::File(&team.file), Sql::Server(&session)]);
    }

    fn new(name: &str) -> SameTeam {
        SameTeam::new_with(name, |_| {})
    }

    fn new_with(name: &str, prepare: impl FnOnce(&mut Db)) -> SameTeam {
        let pg = TestServer::start();
        let s = pg.team_database(name);
        let dir = tempfile::tempdir().unwrap();
        let file_path = sample_file(dir.path());
        // A working team has done some follow-ups and put some off: the
        // lists' other halves.
        let mut db = Db::open(&file_path, OpenOptions::new("tanaka", "田中 太郎")).unwrap();
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let open = follow_up::list_open(db.conn(), &clock, None).unwrap();
        for (i, f) in open.iter().step_by(9).enumerate() {
            db.write(|ctx| match i % 2 {
                0 => follow_up::complete(ctx, &f.id, f.version, None),
                _ => follow_up::snooze(ctx, &f.id, f.version, chrono::Utc::now() + chrono::Duration::days(2)),
            })
            .unwrap();
        }
        prepare(&mut db);
        drop(db);
        transfer::file_to_server(&file_path, &s).unwrap();
        SameTeam {
            file: common::open(&file_path),
            client: server::connect(&s).unwrap(),
            places: [Source::File(file_path), Source::Server(Box::new(s))],
            _pg: pg,
            _dir: dir,
        }
    }
}

#[test]
fn the_domains_sql_written_once_answers_the_same_from_the_file_and_the_server() {
    SameTeam::check("same_sql", |file, stores| {
        // The stage editor's read, ported to store::sql: every pipeline with
        // its stages, in board order, and one stage by id.
        let [on_file, on_server] = stores.map(|sql| format!("{:?}", stage::all_with_stages(sql).unwrap()));
        assert!(on_file.contains("見積"), "{on_file}");
        assert_eq!(on_file, on_server);
        let id: String = first(file, "SELECT id FROM stages ORDER BY position LIMIT 1");
        let [on_file, on_server] = stores.map(|sql| format!("{:?}", stage::stage(sql, &id).unwrap()));
        assert!(on_file.starts_with("Some(("), "{on_file}");
        assert_eq!(on_file, on_server);

        // The spellings the seam rewrites or reads differently, each once.
        for sql in stores {
            // An optional filter, its parameter null: the server must be told
            // its type. LIKE folds ASCII case on both.
            let names = |filter: Option<&str>| {
                sql.query(
                    "SELECT name FROM companies WHERE deleted_at IS NULL AND (?1 IS NULL OR name LIKE ?1 ESCAPE '\\')
                 ORDER BY name LIMIT 3",
                    store_sql::params![filter],
                    |r| r.get::<String>("name"),
                )
                .unwrap()
            };
            assert_eq!(names(None).len(), 3);
            let company = names(None).remove(0);
            assert_eq!(names(Some(&company)), [company]);
            let folds = sql
                .query_one(
                    "SELECT CASE WHEN 'ACME Corp' LIKE ?1 THEN 1 ELSE 0 END",
                    store_sql::params!["acme%"],
                    |r| r.get::<bool>(0),
                )
                .unwrap();
            assert!(folds);
            // A comparison is a bool on the server and 0/1 in the file; a sum
            // of bigints is numeric on the server unless cast.
            let (open, total): (bool, i64) = sql
                .query_one(
                    "SELECT COUNT(*) > 0, CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM deals WHERE deleted_at IS NULL",
                    &[],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert!(open && total > 0);
            // None found is None, and the error SQLite gives, from both.
            let none = sql.query_opt("SELECT id FROM deals WHERE id = ?1", store_sql::params!["none"], |r| {
                r.get::<String>(0)
            });
            assert_eq!(none.unwrap(), None);
        }
        let totals = stores.map(|sql| {
            sql.query_one(
                "SELECT CAST(SUM(amount) AS BIGINT) FROM deals WHERE deleted_at IS NULL AND title LIKE ?1",
                store_sql::params!["%"],
                |r| r.get::<Option<i64>>(0),
            )
            .unwrap()
        });
        assert_eq!(totals[0], totals[1]);
    });
}

/// The first cell of the first row of `sql` on the file: a sample record
/// for a parity test to ask both stores about.
fn first(file: &rusqlite::Connection, sql: &str) -> String {
    file.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The first cell of every row of `sql` on the file.
fn every(file: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut st = file.prepare(sql).unwrap();
    st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// The board of the sample team, read from the file and from the server,
/// on two users' calendars (Tokyo and New York), whole and filtered, and a
/// column's next page.
#[test]
fn the_board_is_the_same_from_the_file_and_the_server() {
    SameTeam::check("same_board", |file, stores| {
        // SQLite's functions the board's SQL calls, and the server's copies of
        // them (migrations/postgres), on the values Kizuna stores.
        for (time, modifier) in [
            ("2026-12-02", "+540 minutes"),
            ("2026-12-02T20:00:00Z", "+540 minutes"),
            ("2026-12-02T03:59:59Z", "-300 minutes"),
            ("2027-02-28T15:00:00Z", "+0 minutes"),
        ] {
            let [on_file, on_server] = stores.map(|sql| {
                sql.query_one(
                    "SELECT julianday(?1), date(julianday(?1), ?2), max(julianday(?1), 2461000.5)",
                    store_sql::params![time, modifier],
                    |r| Ok((r.get::<f64>(0)?, r.get::<String>(1)?, r.get::<f64>(2)?)),
                )
                .unwrap()
            });
            assert!(
                (on_file.0 - on_server.0).abs() < 1e-6,
                "{time}: {on_file:?} {on_server:?}"
            );
            assert_eq!(on_file.1, on_server.1, "{time} {modifier}");
            assert!((on_file.2 - on_server.2).abs() < 1e-6, "{time}");
        }
        for json in ["[]", "[\"budget\",\"timing\"]", "[1,2,3]"] {
            let [on_file, on_server] = stores.map(|sql| {
                sql.query_one("SELECT json_array_length(?1)", store_sql::params![json], |r| {
                    r.get::<i64>(0)
                })
                .unwrap()
            });
            assert_eq!(on_file, on_server, "{json}");
        }

        let owner: String = first(file, "SELECT owner_id FROM deals WHERE owner_id IS NOT NULL LIMIT 1");
        let company: String = first(
            file,
            "SELECT name FROM companies WHERE archived_at IS NULL ORDER BY name LIMIT 1",
        );
        let filters = [
            BoardFilter::default(),
            BoardFilter {
                cold_only: true,
                ..BoardFilter::default()
            },
            BoardFilter {
                owner_id: Some(owner),
                ..BoardFilter::default()
            },
            BoardFilter {
                text: Some(company.chars().take(2).collect()),
                ..BoardFilter::default()
            },
        ];
        let now = chrono::Utc::now();
        let (mut cards, mut cold, mut signals, mut lost) = (0, 0, 0, 0);
        for clock in [
            FixedClock::new(now + chrono::Duration::days(3), 9),
            FixedClock::new(now + chrono::Duration::days(40), -5),
        ] {
            for filter in &filters {
                let [on_file, on_server] = stores.map(|sql| board::load(sql, &clock, None, filter).unwrap());
                assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{filter:?}");
                for col in &on_file.columns {
                    cards += col.cards.len();
                    cold += col.cards.iter().filter(|c| c.cold_days.is_some()).count();
                    signals += col.cards.iter().filter(|c| c.signal_count > 0).count();
                    lost += col.cards.iter().filter(|c| c.lost_reason.is_some()).count();
                    // The next page after the first card: the cursor's row
                    // comparison, on both.
                    let Some(first) = col.cards.first() else { continue };
                    let after = CardCursor {
                        position: first.position,
                        id: first.id.clone(),
                    };
                    let [on_file, on_server] = stores.map(|sql| {
                        format!(
                            "{:?}",
                            board::column_page(sql, &clock, &col.stage.id, filter, &after, 2).unwrap()
                        )
                    });
                    assert_eq!(on_file, on_server);
                }
            }
        }
        // What was compared is not empty: cards going cold, with signals, lost.
        assert!(
            cards > 0 && cold > 0 && signals > 0 && lost > 0,
            "{cards} {cold} {signals} {lost}"
        );
    });
}

/// The follow-up lists (Today, a customer's, with the recently done) and
/// the tray's count, from the file and from the server.
#[test]
fn the_follow_up_lists_are_the_same_from_the_file_and_the_server() {
    SameTeam::check("same_follow_ups", |file, stores| {
        let assignee = first(
            file,
            "SELECT assignee_id FROM follow_ups WHERE status = 'open' GROUP BY assignee_id ORDER BY COUNT(*) DESC",
        );
        let company = first(
            file,
            "SELECT company_id FROM follow_ups WHERE company_id IS NOT NULL GROUP BY company_id ORDER BY COUNT(*) DESC",
        );
        let queries = [
            FollowUpQuery::default(),
            FollowUpQuery {
                include_done: true,
                ..FollowUpQuery::default()
            },
            FollowUpQuery {
                assignee_id: Some(assignee.clone()),
                include_done: true,
                ..FollowUpQuery::default()
            },
            FollowUpQuery {
                company_id: Some(company),
                include_done: true,
                ..FollowUpQuery::default()
            },
        ];
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let (mut done, mut snoozed) = (0, 0);
        for q in &queries {
            let [on_file, on_server] = stores.map(|sql| follow_up::list(sql, &clock, q).unwrap());
            assert!(!on_file.is_empty(), "{q:?}");
            assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{q:?}");
            done += on_file.iter().filter(|f| f.done_at.is_some()).count();
            snoozed += on_file.iter().filter(|f| f.snoozed_until.is_some()).count();
            let id = &on_file[on_file.len() / 2].id;
            let [one_file, one_server] = stores.map(|sql| format!("{:?}", follow_up::get(sql, &clock, id).unwrap()));
            assert_eq!(one_file, one_server);
        }
        assert!(done > 0, "the recently done are compared too");
        assert!(snoozed > 0, "and the snoozed");
        let [on_file, on_server] = stores.map(|sql| follow_up::due_count(sql, &clock, &assignee).unwrap());
        assert!(on_file > 0);
        assert_eq!(on_file, on_server);
        let missing = stores.map(|sql| follow_up::get(sql, &clock, "none").unwrap_err().code());
        assert_eq!(missing, [ErrorCode::NotFound, ErrorCode::NotFound]);
    });
}

/// A customer's timeline page by page, filtered by kind, a deal's, one
/// entry, and a deal's buying signals, from the file and from the server.
#[test]
fn the_timeline_is_the_same_from_the_file_and_the_server() {
    SameTeam::check("same_timeline", |file, stores| {
        let company = first(
            file,
            "SELECT company_id FROM activities GROUP BY company_id ORDER BY COUNT(*) DESC, company_id",
        );
        let deal = first(
            file,
            "SELECT deal_id FROM activities WHERE deal_id IS NOT NULL AND signals <> '[]'
         GROUP BY deal_id ORDER BY COUNT(*) DESC, deal_id",
        );
        let queries = [
            TimelineQuery {
                company_id: Some(company.clone()),
                limit: 3,
                ..TimelineQuery::default()
            },
            TimelineQuery {
                company_id: Some(company.clone()),
                kinds: vec![ActivityKind::Meeting, ActivityKind::Call],
                ..TimelineQuery::default()
            },
            TimelineQuery {
                deal_id: Some(deal.clone()),
                limit: 2,
                ..TimelineQuery::default()
            },
            TimelineQuery {
                deal_id: Some(deal.clone()),
                kinds: vec![ActivityKind::Meeting, ActivityKind::Email],
                limit: 2,
                ..TimelineQuery::default()
            },
        ];
        let (mut pages, mut contacts) = (0, 0);
        for q in queries {
            // Every page, each asked for with the cursor the file gave.
            let mut q = q;
            loop {
                let [on_file, on_server] = stores.map(|sql| entries::timeline(sql, &q).unwrap());
                assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{q:?}");
                assert!(!on_file.entries.is_empty(), "{q:?}");
                pages += 1;
                contacts += on_file.entries.iter().map(|e| e.contacts.len()).sum::<usize>();
                let Some(next) = on_file.next else { break };
                q.before = Some(next);
            }
        }
        assert!(pages > 6 && contacts > 0, "{pages} pages, {contacts} contacts compared");
        let id = first(file, "SELECT id FROM activities ORDER BY occurred_at DESC LIMIT 1");
        let [on_file, on_server] = stores.map(|sql| format!("{:?}", entries::entry(sql, &id).unwrap()));
        assert_eq!(on_file, on_server);
        let [on_file, on_server] = stores.map(|sql| entries::deal_signals(sql, &deal).unwrap());
        assert!(!on_file.is_empty());
        assert_eq!(on_file, on_server);
    });
}

/// What each member is to be told, and when next (the notifications'
/// planner), from the file and from the server: follow-ups, decision eves,
/// forgotten customers, deals without a next step, hand-offs, leads and
/// support cases, minus those the notification log says were told.
#[test]
fn the_reminders_are_the_same_from_the_file_and_the_server() {
    SameTeam::check("same_reminders", |file, stores| {
        // The time functions the planner calls, and what SQLite makes of text
        // that is no time (NULL, so one bad row does not stop the list).
        for (time, modifier) in [
            ("2026-12-02T20:00:00Z", "-1 day"),
            ("2026-12-02T20:00:00Z", "+30 days"),
            ("2026-12-31", "+1 day"),
            ("", "+1 day"),
            ("not a time", "+0 seconds"),
        ] {
            let [on_file, on_server] = stores.map(|sql| {
                sql.query_one(
                    "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1), strftime('%Y-%m-%dT%H:%M:%SZ', ?1, ?2),
                        max(?1, '2026-06-01T00:00:00Z', ''), julianday(?1)",
                    store_sql::params![time, modifier],
                    |r| {
                        Ok((
                            r.get::<Option<String>>(0)?,
                            r.get::<Option<String>>(1)?,
                            r.get::<Option<String>>(2)?,
                            r.get::<Option<f64>>(3)?.map(|d| (d * 1e6).round()),
                        ))
                    },
                )
                .unwrap()
            });
            assert_eq!(on_file, on_server, "{time:?} {modifier}");
        }

        let settings = TeamSettings::default();
        let users: Vec<String> = every(file, "SELECT id FROM users ORDER BY id");
        let now = chrono::Utc::now();
        let mut kinds = std::collections::HashSet::new();
        for user in &users {
            for until in [now, now + chrono::Duration::days(120)] {
                let [on_file, on_server] = stores.map(|sql| reminder::pending(sql, user, &settings, until).unwrap());
                assert_eq!(on_file, on_server, "{user} until {until}");
                kinds.extend(on_file.iter().map(|r| format!("{:?}", r.kind)));
                let [on_file, on_server] =
                    stores.map(|sql| reminder::next_due_after(sql, user, &settings, until).unwrap());
                assert_eq!(on_file, on_server, "{user} after {until}");
            }
            let [on_file, on_server] = stores.map(|sql| format!("{:?}", reminder::load_prefs(sql, user).unwrap()));
            assert_eq!(on_file, on_server);
        }
        assert!(kinds.len() >= 4, "several kinds of reminder compared: {kinds:?}");
    });
}

/// The renewal board (60 days ahead, and a year), each customer's page
/// header, contracts and health, and one contract, from the file and from
/// the server.
#[test]
fn the_customer_pages_and_renewals_are_the_same_from_the_file_and_the_server() {
    SameTeam::check("same_renewals", |file, stores| {
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let today = chrono::Utc::now().date_naive();
        let mut contracts = 0;
        for horizon in [60, 365] {
            let [on_file, on_server] = stores.map(|sql| renewal::board(sql, &clock, horizon).unwrap());
            assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{horizon} days");
            contracts = contracts.max(on_file.len());
        }
        assert!(contracts > 1, "{contracts} contracts compared");
        let companies: Vec<String> = every(file, "SELECT id FROM companies ORDER BY id");
        let [on_file, on_server] = stores.map(|sql| {
            let mut all: Vec<_> = health::all(sql, &clock).unwrap().into_iter().collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            format!("{all:?}")
        });
        assert_eq!(on_file, on_server);
        assert!(on_file.contains("AtRisk") || on_file.contains("Watch"), "{on_file}");
        for company in &companies {
            let [on_file, on_server] = stores.map(|sql| format!("{:?}", health::of(sql, &clock, company).unwrap()));
            assert_eq!(on_file, on_server, "{company}");
            let [on_file, on_server] =
                stores.map(|sql| format!("{:?}", overview::customer::summary(sql, &clock, company).unwrap()));
            assert_eq!(on_file, on_server, "{company}");
            let [on_file, on_server] =
                stores.map(|sql| format!("{:?}", renewal::for_company(sql, today, company).unwrap()));
            assert_eq!(on_file, on_server, "{company}");
        }
        let id: String = first(file, "SELECT id FROM contracts LIMIT 1");
        let [on_file, on_server] = stores.map(|sql| format!("{:?}", renewal::get(sql, today, &id).unwrap()));
        assert_eq!(on_file, on_server);

        // The customer list, each sort, filtered and searched.
        let owner: String = first(
            file,
            "SELECT owner_id FROM companies WHERE owner_id IS NOT NULL LIMIT 1",
        );
        let kana: String = first(file, "SELECT name_kana FROM companies WHERE name_kana <> '' LIMIT 1");
        let mut queries = vec![
            CompanyQuery {
                include_archived: true,
                ..CompanyQuery::default()
            },
            CompanyQuery {
                owner_id: Some(owner),
                ..CompanyQuery::default()
            },
            CompanyQuery {
                segment: Some(Segment::Key),
                ..CompanyQuery::default()
            },
            CompanyQuery {
                text: Some(kana.chars().take(2).collect()),
                ..CompanyQuery::default()
            },
        ];
        for sort in [CompanySort::LastContact, CompanySort::OpenAmount, CompanySort::Health] {
            queries.push(CompanyQuery {
                sort,
                ..CompanyQuery::default()
            });
        }
        for q in &queries {
            let [on_file, on_server] = stores.map(|sql| company::list(sql, &clock, q).unwrap());
            assert!(!on_file.is_empty(), "{q:?}");
            assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{q:?}");
        }
    });
}

/// The (id, version) of each row `query` selects.
fn versions(sql: Sql, query: &str, params: &[store_sql::Value]) -> Vec<(String, i64)> {
    sql.query(query, params, |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
}

/// The version of one row of `table`.
fn version_of(sql: Sql, table: &str, id: &str) -> i64 {
    sql.query_one(
        &format!("SELECT version FROM {table} WHERE id = ?1"),
        store_sql::params![id],
        |r| r.get(0),
    )
    .unwrap()
}

/// The main screens' saves, one after another, as a member would make
/// them: a customer renamed and a contact added, a new customer with a
/// deal, deals moved into closing and to lost (the reminders and timeline
/// entries those moves write), a call logged with a next appointment, a
/// follow-up done and another put off, a deal deleted and brought back,
/// a customer deleted with its work, a contract taken through its
/// renewal, a visit logged, corrected and removed, the team's settings
/// changed, a colleague renamed, given roles and deactivated. Then a save from a stale copy,
/// which must be refused with the colleague's version. Returns that
/// refusal's version and row.
fn main_screens_saves(store: &mut impl Store) -> (i64, serde_json::Value) {
    let first = |sql: Sql, q: &str| -> String { sql.query_one(q, &[], |r| r.get(0)).unwrap() };
    let company_id = first(
        store.sql(),
        "SELECT id FROM companies WHERE deleted_at IS NULL AND archived_at IS NULL ORDER BY name_kana, id LIMIT 1",
    );
    let before = company::get(store.sql(), &company_id).unwrap();
    let rename = CompanyEdit {
        name: format!("{}（新社名）", before.name),
        ..CompanyEdit::from(&before)
    };
    let renamed = store
        .save(|ctx| company::update(ctx, &company_id, before.version, &rename))
        .unwrap();
    assert_eq!(renamed, before.version + 1);
    store
        .save(|ctx| {
            contact::create_contact(
                ctx,
                &contact::NewContact {
                    company_id: company_id.clone(),
                    name: "渡辺 美咲".into(),
                    name_kana: "わたなべ みさき".into(),
                    title: "購買部".into(),
                    email: "watanabe@example.co.jp".into(),
                    phone: "03-1234-5678".into(),
                },
            )
        })
        .unwrap();
    let pipeline = stage::list(store.sql()).unwrap().remove(0);
    let stages = stage::stages(store.sql(), &pipeline.id).unwrap();
    let open = stages.iter().find(|s| s.kind == stage::StageKind::Open).unwrap();
    let closing = stages.iter().find(|s| s.is_closing).unwrap();
    let lost = stages.iter().find(|s| s.kind == stage::StageKind::Lost).unwrap();
    let new_company = store
        .save(|ctx| {
            company::create(
                ctx,
                &company::NewCompany {
                    name: "株式会社はじめて商事".into(),
                    name_kana: "はじめてしょうじ".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let new_deal = store
        .save(|ctx| {
            deal::create(
                ctx,
                &deal::NewDeal {
                    pipeline_id: pipeline.id.clone(),
                    stage_id: open.id.clone(),
                    company_id: new_company.clone(),
                    title: "初回導入 10ライセンス".into(),
                    amount: 1_200_000,
                    currency: "JPY".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let to_closing = moves::MoveDeal {
        deal_id: new_deal.clone(),
        version: 1,
        to_stage_id: closing.id.clone(),
        index: Some(0),
        decision_deadline: Some(today + chrono::Duration::days(10)),
        lost: None,
    };
    let moved = store.save(|ctx| moves::move_to(ctx, &to_closing)).unwrap();
    assert!(
        moved.follow_up_id.is_some(),
        "entering closing plans the decision-deadline reminder"
    );
    let open_deal = first(
        store.sql(),
        "SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id
          WHERE s.kind = 'open' AND d.deleted_at IS NULL AND d.id IN (SELECT deal_id FROM follow_ups WHERE status = 'open')
          ORDER BY d.id LIMIT 1",
    );
    let version = deal::get(store.sql(), &open_deal).unwrap().version;
    let to_lost = moves::MoveDeal {
        deal_id: open_deal.clone(),
        version,
        to_stage_id: lost.id.clone(),
        index: None,
        decision_deadline: None,
        lost: Some(moves::LostInfo {
            reason: "価格".into(),
            detail: "他社が二割安い".into(),
            lost_to: "競合A社".into(),
            competitor_contract_end: Some(today + chrono::Duration::days(200)),
        }),
    };
    let lost_out = store.save(|ctx| moves::move_to(ctx, &to_lost)).unwrap();
    assert!(lost_out.reapproach_on.is_some(), "a loss plans the re-approach");
    store
        .save(|ctx| {
            activity::log(
                ctx,
                &activity::NewActivity {
                    company_id: company_id.clone(),
                    contact_ids: Vec::new(),
                    deal_id: None,
                    kind: ActivityKind::Call,
                    direction: Some(activity::Direction::Outbound),
                    occurred_at: "2026-12-01T23:30:00Z".into(),
                    summary: "見積書の再送について電話".into(),
                    body: "来週あらためて打ち合わせ".into(),
                    minutes: String::new(),
                    next_todos: String::new(),
                    next_appointment_at: Some("2026-12-09T02:00:00Z".into()),
                    signals: vec!["positive_quote".into()],
                },
            )
        })
        .unwrap();
    // A visit logged, corrected by its author, then removed again.
    let visit = activity::NewActivity {
        company_id: company_id.clone(),
        contact_ids: Vec::new(),
        deal_id: None,
        kind: ActivityKind::Meeting,
        direction: None,
        occurred_at: "2026-12-01T05:00:00Z".into(),
        summary: "訪問して新製品を説明".into(),
        body: String::new(),
        minutes: "導入時期は来期".into(),
        next_todos: "見積書を送る".into(),
        next_appointment_at: None,
        signals: Vec::new(),
    };
    let visit_id = store.save(|ctx| activity::log(ctx, &visit)).unwrap();
    let corrected = activity::ActivityEdit {
        summary: "訪問して新製品と保守を説明".into(),
        next_appointment_at: Some("2026-12-15T01:00:00Z".into()),
        ..activity::ActivityEdit::from(&visit)
    };
    let v = store
        .save(|ctx| activity::update_activity(ctx, &visit_id, 1, &corrected))
        .unwrap();
    store.save(|ctx| activity::delete_activity(ctx, &visit_id, v)).unwrap();
    // The team's settings and a colleague's record, by a manager.
    let (mut settings, settings_version) = settings::load_versioned(store.sql()).unwrap();
    settings.reapproach_lead_days += 5;
    store
        .save(|ctx| settings::update(ctx, settings_version, &settings))
        .unwrap();
    let (colleague, colleague_version) = versions(
        store.sql(),
        "SELECT id, version FROM users WHERE login <> 'tanaka' AND deactivated_at IS NULL ORDER BY id LIMIT 1",
        &[],
    )
    .remove(0);
    let renamed_colleague = store
        .save(|ctx| member::rename(ctx, &colleague, colleague_version, "佐藤 花子（営業二課）"))
        .unwrap();
    let with_roles = store
        .save(|ctx| role::set(ctx, &colleague, renamed_colleague, &[Role::Sales, Role::Support]))
        .unwrap();
    store
        .save(|ctx| member::set_active(ctx, &colleague, with_roles, false))
        .unwrap();
    let due = versions(
        store.sql(),
        "SELECT id, version FROM follow_ups WHERE status = 'open' AND deleted_at IS NULL
              AND snoozed_until IS NULL ORDER BY due_at, id LIMIT 2",
        &[],
    );
    store
        .save(|ctx| follow_up::complete(ctx, &due[0].0, due[0].1, None))
        .unwrap();
    let later = chrono::DateTime::parse_from_rfc3339("2026-12-04T00:00:00Z")
        .unwrap()
        .to_utc();
    store
        .save(|ctx| follow_up::snooze(ctx, &due[1].0, due[1].1, later))
        .unwrap();
    // A deal deleted and brought back, then the new customer deleted with its work.
    let gone = store.save(|ctx| deal::delete(ctx, &new_deal, moved.version)).unwrap();
    let back = store.save(|ctx| deletion::undo(ctx, &gone.deletion_id)).unwrap();
    assert!(back.rows >= 2, "the deal and its open reminder come back: {back:?}");
    let customer_version = company::get(store.sql(), &new_company).unwrap().version;
    store
        .save(|ctx| company::delete(ctx, &new_company, customer_version, true))
        .unwrap();
    // A contract 60 days from its end, taken through its renewal: the
    // hearing, an upsell, the paperwork, renewed (the next period begins).
    let contract_id = store
        .save(|ctx| {
            contract::create(
                ctx,
                &contract::NewContract {
                    company_id: company_id.clone(),
                    deal_id: None,
                    plan: "年間保守プラン".into(),
                    start_date: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                    end_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
                    auto_renew: false,
                    amount: 600_000,
                    currency: "JPY".into(),
                    billing: contract::Billing::Annual,
                    notice_days: 30,
                    owner_id: None,
                    hearing_days: None,
                    proposal_days: None,
                },
            )
        })
        .unwrap();
    let steps = [
        (
            renewal::RenewalStep::Hearing,
            renewal::StepInput {
                satisfaction: Some(4),
                problems: "請求書の発行が遅い".into(),
                ..Default::default()
            },
        ),
        (
            renewal::RenewalStep::Proposal,
            renewal::StepInput {
                proposal_kind: Some(ProposalKind::Upsell),
                new_amount: Some(720_000),
                ..Default::default()
            },
        ),
        (renewal::RenewalStep::Procedure, renewal::StepInput::default()),
        (renewal::RenewalStep::PostRenewal, renewal::StepInput::default()),
    ];
    for (i, (step, input)) in steps.iter().enumerate() {
        let version = i as i64 + 1;
        let out = store
            .save(|ctx| renewal::advance(ctx, &contract_id, version, *step, input))
            .unwrap();
        assert_eq!(
            out.next_contract_id.is_some(),
            *step == renewal::RenewalStep::PostRenewal
        );
    }
    // A colleague's copy from before the rename.
    let stale = store
        .save(|ctx| company::update(ctx, &company_id, before.version, &rename))
        .unwrap_err();
    match stale {
        kizuna_core::Error::Conflict {
            current_version,
            current,
            ..
        } => (current_version, current),
        other => panic!("a stale save must be a conflict, not {other}"),
    }
}

/// The other screens' saves: a customer archived and back, a support case
/// opened, answered and resolved, a lead taken in, given an owner,
/// contacted and turned into a customer with a deal, another disqualified,
/// a contact enrolled in a sequence, a pipeline made, edited and removed,
/// a hand-off sheet sent to support and acknowledged, a case handed to
/// sales, this member's reminders claimed (twice: told once), and two
/// customers, two contacts and two members merged.
fn other_screens_saves(store: &mut impl Store) {
    let first = |sql: Sql, q: &str| -> String { sql.query_one(q, &[], |r| r.get(0)).unwrap() };
    let company_id = first(
        store.sql(),
        "SELECT id FROM companies WHERE deleted_at IS NULL AND archived_at IS NULL ORDER BY name_kana DESC, id LIMIT 1",
    );
    let v = company::get(store.sql(), &company_id).unwrap().version;
    let v = store
        .save(|ctx| archive::set_archived(ctx, &company_id, v, true))
        .unwrap();
    let v = store
        .save(|ctx| archive::set_archived(ctx, &company_id, v, false))
        .unwrap();

    // A colleague leaves: their customer, with its open deals and
    // follow-ups, goes to another member in one change (Customers' bulk action).
    let heir = first(store.sql(), "SELECT id FROM users ORDER BY id DESC LIMIT 1");
    let changed = kizuna_core::customers::owner::change_owner(
        store,
        &kizuna_core::customers::owner::OwnerChange {
            companies: vec![kizuna_core::customers::owner::Ticked {
                id: company_id.clone(),
                version: v,
            }],
            owner_id: Some(heir),
            with_open_deals: true,
            with_open_follow_ups: true,
        },
    )
    .unwrap();
    assert_eq!(changed.companies + changed.skipped.len() as u32, 1, "{changed:?}");

    let case_id = store
        .save(|ctx| {
            case::open(
                ctx,
                &case::NewCase {
                    id: None,
                    company_id: company_id.clone(),
                    contact_id: None,
                    deal_id: None,
                    contract_id: None,
                    subject: "ログインできない".into(),
                    body: "昨日からエラーが出ます".into(),
                    channel: case::Channel::Phone,
                    category: case::Category::Trouble,
                    priority: case::Priority::High,
                    assignee_id: None,
                    received_at: None,
                },
            )
        })
        .unwrap();
    store
        .save(|ctx| {
            thread::reply(
                ctx,
                &thread::NewPost {
                    case_id: case_id.clone(),
                    body: "パスワードを再設定しました".into(),
                },
            )
        })
        .unwrap();
    let case_version = version_of(store.sql(), "support_cases", &case_id);
    store
        .save(|ctx| case::set_status(ctx, &case_id, case_version, case::CaseStatus::Resolved))
        .unwrap();

    let me = first(store.sql(), "SELECT id FROM users WHERE login = 'tanaka'");
    let lead_id = store
        .save(|ctx| {
            lead::add(
                ctx,
                &lead::NewLead {
                    source: "exhibition".into(),
                    person_name: "高橋 健".into(),
                    company_name: "株式会社あおば精機".into(),
                    phone: "06-1111-2222".into(),
                    mail: "takahashi@aoba.example.jp".into(),
                    message: "資料がほしい".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let v = version_of(store.sql(), "leads", &lead_id);
    store.save(|ctx| lead::set_owner(ctx, &lead_id, v, Some(&me))).unwrap();
    store
        .save(|ctx| {
            lead::contacted(
                ctx,
                &lead::Contacted {
                    lead_id: lead_id.clone(),
                    note: "電話で要件を確認".into(),
                },
            )
        })
        .unwrap();
    let v = version_of(store.sql(), "leads", &lead_id);
    store
        .save(|ctx| {
            qualify::convert(
                ctx,
                &qualify::Convert {
                    lead_id: lead_id.clone(),
                    version: v,
                    company_id: None,
                    contact_id: None,
                    create_despite_match: true,
                    pipeline_id: None,
                    deal_title: "あおば精機 初回導入".into(),
                    amount: Some(300_000),
                },
            )
        })
        .unwrap();
    let other_lead = store
        .save(|ctx| {
            lead::add(
                ctx,
                &lead::NewLead {
                    source: "web_form".into(),
                    person_name: "営業電話".into(),
                    message: "広告のご案内".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let v = version_of(store.sql(), "leads", &other_lead);
    store
        .save(|ctx| qualify::disqualify(ctx, &other_lead, v, "営業目的"))
        .unwrap();

    // A contact enrolled in the team's first sequence; a new pipeline with
    // its stages renamed and one added, then removed again.
    let sequence_id = first(
        store.sql(),
        "SELECT id FROM sequences WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
    );
    let contact_id = first(
        store.sql(),
        "SELECT id FROM contacts WHERE deleted_at IS NULL AND email <> '' AND mail_opt_out_at IS NULL ORDER BY id LIMIT 1",
    );
    store
        .save(|ctx| {
            enrolment::enrol(
                ctx,
                &sequence_id,
                &enrolment::Target {
                    kind: enrolment::TargetKind::Contact,
                    id: contact_id.clone(),
                },
            )
        })
        .unwrap();
    let pipeline_id = store.save(|ctx| stage::create_pipeline(ctx, "代理店経由")).unwrap();
    let mut edits: Vec<stage::StageEdit> = stage::stages(store.sql(), &pipeline_id)
        .unwrap()
        .into_iter()
        .map(|st| stage::StageEdit {
            id: Some(st.id),
            name: format!("代理店{}", st.name),
            probability: st.probability,
            idle_days: st.idle_days,
            kind: st.kind,
            is_closing: st.is_closing,
        })
        .collect();
    edits.insert(
        1,
        stage::StageEdit {
            id: None,
            name: "代理店との打ち合わせ".into(),
            probability: 20,
            idle_days: 14,
            kind: stage::StageKind::Open,
            is_closing: false,
        },
    );
    let pipelines = stage::list(store.sql()).unwrap();
    let version = pipelines.iter().find(|p| p.id == pipeline_id).unwrap().version;
    store
        .save(|ctx| stage::save_pipeline(ctx, &pipeline_id, version, "代理店経由の案件", &edits))
        .unwrap();
    let version = stage::list(store.sql())
        .unwrap()
        .into_iter()
        .find(|p| p.id == pipeline_id)
        .unwrap()
        .version;
    store
        .save(|ctx| stage::delete_pipeline(ctx, &pipeline_id, version))
        .unwrap();

    // Support hands the case to sales: the customer wants more seats.
    store
        .save(|ctx| {
            to_sales::hand_to_sales(
                ctx,
                &to_sales::ToSalesInput {
                    case_id: case_id.clone(),
                    kind: ToSalesKind::Complaint,
                    note: "対応の遅さにご不満".into(),
                    contract_id: None,
                    deal: None,
                },
            )
        })
        .unwrap();
    // This member is told of what is due, once: a second claim gets nothing.
    let team = TeamSettings::load(store.sql()).unwrap();
    let later = chrono::DateTime::parse_from_rfc3339("2027-03-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let due = reminder::pending(store.sql(), &me, &team, later).unwrap();
    let told = store.save(|ctx| reminder::claim(ctx, &me, &due)).unwrap();
    assert!(
        !told.is_empty() && told.len() == due.len(),
        "{} of {}",
        told.len(),
        due.len()
    );
    let again = store.save(|ctx| reminder::claim(ctx, &me, &due)).unwrap();
    assert!(again.is_empty(), "told twice: {again:?}");
    // Two customers, two contacts and two members found to be the same.
    let pair = versions(
        store.sql(),
        "SELECT id, version FROM companies WHERE deleted_at IS NULL AND archived_at IS NULL ORDER BY id LIMIT 2",
        &[],
    );
    store
        .save(|ctx| {
            merge::companies(
                ctx,
                &merge::CompanyMerge {
                    survivor_id: pair[0].0.clone(),
                    survivor_version: pair[0].1,
                    loser_id: pair[1].0.clone(),
                    loser_version: pair[1].1,
                    take_from_loser: Vec::new(),
                },
            )
        })
        .unwrap();
    let pair = versions(
        store.sql(),
        "SELECT id, version FROM contacts WHERE deleted_at IS NULL AND company_id = ?1 ORDER BY id LIMIT 2",
        store_sql::params![&pair[0].0],
    );
    assert_eq!(pair.len(), 2, "the merged customer has two contacts to merge");
    store
        .save(|ctx| {
            merge::contacts(
                ctx,
                &merge::ContactMerge {
                    survivor_id: pair[0].0.clone(),
                    survivor_version: pair[0].1,
                    loser_id: pair[1].0.clone(),
                    loser_version: pair[1].1,
                    take_from_loser: Vec::new(),
                },
            )
        })
        .unwrap();
    let (stray, stray_version) = versions(
        store.sql(),
        "SELECT id, version FROM users WHERE login <> 'tanaka' AND deactivated_at IS NULL AND deleted_at IS NULL
              ORDER BY id LIMIT 1",
        &[],
    )
    .remove(0);
    let moved = store
        .save(|ctx| member::merge(ctx, &stray, stray_version, &me))
        .unwrap();
    assert!(moved.moved > 0, "the colleague's work moves to the survivor");

    let checklist = TeamSettings::load(store.sql()).unwrap().handoff_checklist;
    let sheet = handoff_sheet::HandoffInput {
        company_id: company_id.clone(),
        sold: "年間保守プラン".into(),
        amount: 600_000,
        currency: "JPY".into(),
        goals: "請求業務の時間を半分に".into(),
        risks: "担当者が春に異動".into(),
        checklist: checklist
            .iter()
            .map(|item| handoff_sheet::ChecklistTick {
                item: item.clone(),
                done: true,
            })
            .collect(),
        ..Default::default()
    };
    let sheet_id = store.save(|ctx| handoff_sheet::send(ctx, &sheet)).unwrap();
    let sheet_version = version_of(store.sql(), "handoffs", &sheet_id);
    store
        .save(|ctx| acknowledge::acknowledge(ctx, &sheet_id, sheet_version))
        .unwrap();
}

/// `text` with each id (a UUID, also inside JSON) that is not in `old`
/// written `<new>`.
fn new_ids_hidden(text: &str, old: &std::collections::HashSet<String>) -> String {
    let is_uuid = |w: &[u8]| {
        w.len() == 36
            && w.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit() && !b.is_ascii_uppercase(),
            })
    };
    let bytes = text.as_bytes();
    let (mut out, mut i) = (String::new(), 0);
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&bytes[i..i + 36]) {
            let id = &text[i..i + 36];
            out.push_str(if old.contains(id) { id } else { "<new>" });
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Every row of the file's team tables, in the file's columns, from
/// either store; ids made after the copy read `<new>` (each store makes
/// its own), rows sorted as text.
fn rows_of(
    sql: Sql,
    tables: &[(String, Vec<String>)],
    old_ids: &std::collections::HashSet<String>,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (table, columns) in tables {
        let mut rows = sql
            .query(&format!("SELECT {} FROM {table}", columns.join(", ")), &[], |r| {
                let cells = (0..columns.len())
                    .map(|i| format!("{:?}", r.get::<store_sql::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join(" | ");
                Ok(new_ids_hidden(&cells, old_ids))
            })
            .unwrap();
        rows.sort();
        out.insert(table.clone(), rows);
    }
    out
}

#[test]
fn the_main_screens_saves_leave_the_same_team_in_the_file_and_on_the_server() {
    let pg = TestServer::start();
    let s = pg.team_database("saves");
    let dir = tempfile::tempdir().unwrap();
    let file_path = sample_file(dir.path());
    transfer::file_to_server(&file_path, &s).unwrap();
    server::roles::add_member(&mut server::connect(&s).unwrap(), "tanaka", "tanaka-long-passw0rd").unwrap();
    let as_tanaka = Server::parse(&pg.url_as("tanaka", "tanaka-long-passw0rd", "saves"), None).unwrap();

    // The file's own tables and columns, and every id there before the saves.
    let file = common::open(&file_path);
    let tables: Vec<(String, Vec<String>)> = server::schema::team_tables(&mut server::connect(&s).unwrap())
        .unwrap()
        .into_iter()
        // Opening the file as a member records where they were last seen;
        // the log's sequence numbers differ by design (compared below).
        .filter(|t| !["member_sessions", "change_log"].contains(&t.as_str()))
        .map(|t| {
            let columns = every(&file, &format!("SELECT name FROM pragma_table_info('{t}')"));
            (t, columns)
        })
        .collect();
    let old_ids: std::collections::HashSet<String> = tables
        .iter()
        .filter(|(_, c)| c.iter().any(|c| c == "id"))
        .flat_map(|(t, _)| every(&file, &format!("SELECT id FROM {t}")))
        .collect();
    let log_end: i64 = file
        .query_row("SELECT MAX(seq) FROM change_log", [], |r| r.get(0))
        .unwrap();
    drop(file);

    let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T00:00:00Z")
        .unwrap()
        .to_utc();
    let clock: Arc<dyn kizuna_core::clock::Clock> = Arc::new(FixedClock::new(now, 9));
    let mut on_file = Db::open(
        &file_path,
        OpenOptions::new("tanaka", "田中 太郎")
            .with_clock(clock.clone())
            .with_language(Language::Ja),
    )
    .unwrap();
    let mut on_server = ServerDb::open(&as_tanaka, clock, Language::Ja).unwrap();
    assert_eq!(
        on_server.member().map(|u| &u.id),
        on_file.member().map(|u| &u.id),
        "the login is the same member on the server"
    );

    let refused_on_file = main_screens_saves(&mut on_file);
    let refused_on_server = main_screens_saves(&mut on_server);
    other_screens_saves(&mut on_file);
    other_screens_saves(&mut on_server);
    assert_eq!(
        refused_on_server, refused_on_file,
        "the conflict shows the same colleague's row"
    );

    let file_rows = rows_of(on_file.sql(), &tables, &old_ids);
    let server_rows = rows_of(Store::sql(&on_server), &tables, &old_ids);
    for (table, rows) in &file_rows {
        assert_eq!(server_rows[table], *rows, "{table}");
    }
    let written = |t: &str| file_rows[t].iter().filter(|r| r.contains("<new>")).count();
    assert!(written("activities") >= 3 && written("follow_ups") >= 3 && written("audit_log") >= 8);
    assert!(written("contracts") >= 2, "the contract and its renewed period");

    // The change log: the same entries in the same order, after the copy's position.
    let log = |sql: Sql| -> Vec<String> {
        sql.query(
            "SELECT entity, entity_id, op, user_id, at FROM change_log WHERE seq > ?1 ORDER BY seq",
            store_sql::params![log_end],
            |r| {
                let id = new_ids_hidden(&r.get::<String>(1)?, &old_ids);
                Ok(format!(
                    "{} {id} {} {:?} {}",
                    r.get::<String>(0)?,
                    r.get::<String>(2)?,
                    r.get::<Option<String>>(3)?,
                    r.get::<String>(4)?
                ))
            },
        )
        .unwrap()
    };
    let file_log = log(on_file.sql());
    assert!(file_log.len() >= 10, "{file_log:?}");
    assert_eq!(log(Store::sql(&on_server)), file_log);

    // Who wrote it, as the server knows it: the login, whatever the client says.
    let roles: Vec<String> = Store::sql(&on_server)
        .query(
            "SELECT DISTINCT db_role FROM audit_log WHERE at = ?1",
            store_sql::params!["2026-12-02T00:00:00Z"],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(roles, ["tanaka"]);
}

/// Two members save the same customer at once: the server fails one of the
/// two (serialization), and that save runs again from the start, so it
/// builds on the colleague's change instead of losing it or overwriting it.
#[test]
fn a_save_that_meets_a_colleagues_runs_again_on_what_they_saved() {
    let pg = TestServer::start();
    let s = pg.team_database("meet");
    let dir = tempfile::tempdir().unwrap();
    transfer::file_to_server(&sample_file(dir.path()), &s).unwrap();
    let mut admin = server::connect(&s).unwrap();
    server::roles::add_member(&mut admin, "tanaka", "tanaka-long-passw0rd").unwrap();
    let as_tanaka = Server::parse(&pg.url_as("tanaka", "tanaka-long-passw0rd", "meet"), None).unwrap();
    let clock: Arc<dyn kizuna_core::clock::Clock> = Arc::new(FixedClock::new(chrono::Utc::now(), 9));
    let mut mine = ServerDb::open(&as_tanaka, clock.clone(), Language::Ja).unwrap();
    let colleague = RefCell::new(ServerDb::open(&as_tanaka, clock, Language::Ja).unwrap());
    let id: String = mine
        .sql()
        .query_one("SELECT id FROM companies ORDER BY id LIMIT 1", &[], |r| r.get(0))
        .unwrap();
    let edit = |c: &company::Company, name: String| CompanyEdit {
        name,
        ..CompanyEdit::from(c)
    };
    let mut tries = 0;
    let version = mine
        .write(|ctx| {
            tries += 1;
            let c = company::get(ctx.sql(), &id)?;
            if tries == 1 {
                // The colleague's save commits between this save's read and its write.
                let mut other = colleague.borrow_mut();
                let theirs = company::get(other.sql(), &id)?;
                let e = edit(&theirs, "丸の内ホールディングス".into());
                other.write(|ctx| company::update(ctx, &id, theirs.version, &e))?;
            }
            company::update(ctx, &id, c.version, &edit(&c, format!("{} 本社", c.name)))
        })
        .unwrap();
    assert_eq!(tries, 2, "the save met the colleague's and ran again");
    let now = company::get(mine.sql(), &id).unwrap();
    assert_eq!(now.name, "丸の内ホールディングス 本社", "built on the colleague's name");
    assert_eq!((now.version, version), (version, 3));
    // A save that is the file's by nature (where each desktop keeps its
    // backups of the file) is refused, typed, with nothing written.
    let placement = kizuna_core::store::backup::Placement {
        keep: 30,
        ..Default::default()
    };
    let refused = mine.write(|ctx| placement.save(ctx)).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::NotOnServer, "{refused}");
    let kept: i64 = mine
        .sql()
        .query_one(
            "SELECT COUNT(*) FROM settings WHERE key = 'backup_placement'",
            &[],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 0);
}

#[test]
fn a_member_reads_and_writes_rows_but_changes_no_schema_and_cannot_sign_as_another() {
    let pg = TestServer::start();
    let s = pg.team_database("rights");
    let mut admin = server::connect(&s).unwrap();
    server::roles::add_member(&mut admin, "sato", "sato-long-passw0rd").unwrap();
    let taken = server::roles::add_member(&mut admin, "sato", "another-long-pass").unwrap_err();
    assert_eq!(taken.code(), ErrorCode::Invalid);

    let stored: String = admin
        .query_one("SELECT rolpassword FROM pg_authid WHERE rolname = 'sato'", &[])
        .unwrap()
        .get(0);
    assert!(
        stored.starts_with("SCRAM-SHA-256$") && !stored.contains("sato-long"),
        "{stored}"
    );
    let member = Server::parse(&pg.url_as("sato", "sato-long-passw0rd", "rights"), None).unwrap();
    let mut sato = server::connect(&member).unwrap();
    sato.execute(
        "INSERT INTO audit_log (id, at, user_id, entity, entity_id, action, db_role)
         VALUES ('a1', '2026-12-02T00:00:00Z', 'u-sato', 'deal', 'd1', 'update', 'admin')",
        &[],
    )
    .unwrap();
    let role: String = admin
        .query_one("SELECT db_role FROM audit_log WHERE id = 'a1'", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        role, "sato",
        "the server records who logged in, not what the client claims"
    );
    for ddl in [
        "CREATE TABLE notes (x TEXT)",
        "ALTER TABLE deals ADD COLUMN x TEXT",
        "DROP TABLE deals",
        "UPDATE kizuna_schema SET version = 99",
    ] {
        let Err(e) = sato.batch_execute(ddl) else {
            panic!("a member may not: {ddl}")
        };
        let e = kizuna_core::Error::from(e);
        assert_eq!(e.code(), ErrorCode::ServerRefused, "{ddl}: {e}");
    }

    let wrong = Server::parse(&pg.url_as("sato", "not-the-password", "rights"), None).unwrap();
    assert_eq!(
        server::connect(&wrong).err().map(|e| e.code()),
        Some(ErrorCode::ServerAuth)
    );
    pg.stop();
    assert_eq!(
        server::connect(&member).err().map(|e| e.code()),
        Some(ErrorCode::ServerUnreachable)
    );
}

#[test]
fn tls_is_verified_against_the_ca_the_address_names() {
    let (pg, ca) = TestServer::start_tls();
    let url = pg.create_database("tls");
    let ca = ca.display().to_string();
    let trusted = Server::parse(&format!("{url}?sslmode=verify-full&sslrootcert={ca}"), None).unwrap();
    let mut client = server::connect(&trusted).unwrap();
    let on_tls: bool = client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    assert!(on_tls, "the connection is not encrypted");
    // The throw-away CA is not among the system's roots: refused, as a
    // forged certificate would be.
    let untrusted = Server::parse(&format!("{url}?sslmode=require"), None).unwrap();
    assert_eq!(
        server::connect(&untrusted).err().map(|e| e.code()),
        Some(ErrorCode::ServerTls)
    );
    let missing = Server::parse(&format!("{url}?sslmode=require&sslrootcert=/nonexistent/ca.pem"), None).unwrap();
    assert_eq!(
        server::connect(&missing).err().map(|e| e.code()),
        Some(ErrorCode::ServerTls)
    );
}

#[test]
fn a_saved_change_wakes_a_listening_desktop_and_a_rolled_back_one_does_not() {
    let pg = TestServer::start();
    let s = pg.team_database("wake");
    let mut listener = server::connect(&s).unwrap();
    listener.batch_execute("LISTEN kizuna_changes").unwrap();
    let mut writer = server::connect(&s).unwrap();
    let insert =
        "INSERT INTO change_log (entity, entity_id, op, at) VALUES ('deal', 'd1', 'update', '2026-12-02T00:00:00Z')";

    let mut tx = writer.transaction().unwrap();
    tx.execute(insert, &[]).unwrap();
    tx.rollback().unwrap();
    assert_eq!(
        listener
            .notifications()
            .timeout_iter(Duration::from_millis(500))
            .count()
            .unwrap(),
        0
    );

    let mut tx = writer.transaction().unwrap();
    tx.execute(insert, &[]).unwrap();
    tx.execute(insert, &[]).unwrap();
    tx.commit().unwrap();
    let woke = listener
        .notifications()
        .timeout_iter(Duration::from_secs(5))
        .next()
        .unwrap();
    assert_eq!(woke.map(|n| n.channel().to_string()), Some("kizuna_changes".into()));
}

/// A colleague's change as the engine logs it: `entity_id` names it.
fn log_change(client: &mut impl postgres::GenericClient, id: &str) {
    client
        .execute(
            "INSERT INTO change_log (entity, entity_id, op, at) VALUES ('deal', $1, 'update', '2026-12-02T00:00:00Z')",
            &[&id],
        )
        .unwrap();
}

fn ids(batch: &kizuna_core::store::changes::ChangeBatch) -> Vec<&str> {
    batch.changes.iter().map(|c| c.entity_id.as_str()).collect()
}

#[test]
fn a_desktop_hears_a_colleagues_commit_and_catches_up_on_what_it_missed_while_the_server_was_down() {
    let pg = TestServer::start();
    let s = pg.team_database("feed");
    let mut colleague = server::connect(&s).unwrap();
    log_change(&mut colleague, "before");
    let mut feed = ServerFeed::open(&s).unwrap();
    // What was there when the window loaded is not news.
    assert!(feed.next(Duration::from_millis(300)).unwrap().is_empty());

    log_change(&mut colleague, "d1");
    let started = std::time::Instant::now();
    assert_eq!(ids(&feed.next(Duration::from_secs(10)).unwrap()), ["d1"]);
    println!("a commit reached the feed in {:?}", started.elapsed());
    assert!(feed.next(Duration::from_millis(300)).unwrap().is_empty());

    // The server goes away (a restart, a laptop off the network): the
    // feed says so, and keeps saying so while it cannot connect.
    pg.stop();
    for _ in 0..2 {
        let e = feed.next(Duration::from_secs(2)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ServerUnreachable, "{e}");
    }
    // Back, and colleagues save before this desktop is connected again:
    // nobody is listening for those wake-ups.
    pg.start_again();
    let mut colleague = server::connect(&s).unwrap();
    log_change(&mut colleague, "d2");
    log_change(&mut colleague, "d3");
    assert_eq!(ids(&feed.next(Duration::from_secs(10)).unwrap()), ["d2", "d3"]);
    // And it listens again.
    log_change(&mut colleague, "d4");
    assert_eq!(ids(&feed.next(Duration::from_secs(10)).unwrap()), ["d4"]);
}

#[test]
fn a_slow_save_is_not_overtaken_in_the_log_so_no_desktop_skips_it() {
    let pg = TestServer::start();
    let s = pg.team_database("in_turn");
    let mut feed = ServerFeed::open(&s).unwrap();
    // A slow save: its log row written, not yet committed.
    let mut slow = server::connect(&s).unwrap();
    let mut slow_tx = slow.transaction().unwrap();
    log_change(&mut slow_tx, "slow");
    // A quick one starts after it and would commit first.
    let quick_server = s.clone();
    let (done, quick_done) = std::sync::mpsc::channel();
    let quick = std::thread::spawn(move || {
        log_change(&mut server::connect(&quick_server).unwrap(), "quick");
        done.send(()).unwrap();
    });
    // A desktop reads the log while the slow save is still open. Had the
    // quick save numbered its row past the slow one's and committed first,
    // this read would move the desktop past both numbers and it would
    // never see the slow save. It waits for the slow one's commit instead.
    let quick_first = quick_done.recv_timeout(Duration::from_millis(500)).is_ok();
    let mut seen: Vec<(i64, String)> = Vec::new();
    let read = |feed: &mut ServerFeed, wait, seen: &mut Vec<(i64, String)>| {
        let batch = feed.next(wait).unwrap();
        seen.extend(batch.changes.into_iter().map(|c| (c.seq, c.entity_id)));
    };
    read(&mut feed, Duration::from_millis(300), &mut seen);
    slow_tx.commit().unwrap();
    if !quick_first {
        quick_done.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    quick.join().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while seen.len() < 2 && std::time::Instant::now() < deadline {
        read(&mut feed, Duration::from_millis(500), &mut seen);
    }
    assert_eq!(
        seen.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        ["slow", "quick"]
    );
    assert!(seen[0].0 < seen[1].0);
}

/// Many more timeline rows (engine-written stage changes, which no search
/// index holds, so they are quick to add), for a copy that takes seconds.
fn enlarge(file: &Path, rows: usize) {
    let conn = common::open(file);
    let n = conn
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO activities (id, company_id, kind, occurred_at, summary, created_at, updated_at)
             SELECT printf('bulk-%06d', i), (SELECT id FROM companies ORDER BY id LIMIT 1), 'stage_change',
                    '2026-11-01T00:00:00Z', '提案 → 見積', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'
               FROM n",
            [rows as i64],
        )
        .unwrap();
    assert_eq!(n, rows);
}

/// Runs `kizuna migrate --from FROM --to TO` and kills it with SIGKILL once
/// `copying` says its copy is under way, 300 ms into it (a copy of the
/// enlarged team takes seconds): as a crash or a closed laptop ends it.
fn kill_migrate_mid_copy(from: &str, to: &str, mut copying: impl FnMut() -> bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kizuna"))
        .args(["migrate", "--from", from, "--to", to])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !copying() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the copy ended before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "the copy never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_migrate_killed_mid_copy_leaves_the_server_empty_and_runs_again() {
    let pg = TestServer::start();
    let s = pg.team_database("killed");
    let url = pg.url("killed");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    enlarge(&file, 30_000);
    let before = std::fs::read(&file).unwrap();
    let mut admin = server::connect(&s).unwrap();
    let copying = |admin: &mut postgres::Client| -> bool {
        admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'killed' AND query LIKE 'COPY %'",
                &[],
            )
            .unwrap()
            .get::<_, i64>(0)
            > 0
    };
    kill_migrate_mid_copy(&file.display().to_string(), &url, || copying(&mut admin));
    // The server rolls the copy back once it sees the connection gone.
    let started = std::time::Instant::now();
    while copying(&mut admin) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the killed copy's session stayed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for table in server::schema::team_tables(&mut admin).unwrap() {
        let n: i64 = admin
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "{table} kept rows of a copy that never finished");
    }
    assert_eq!(std::fs::read(&file).unwrap(), before, "the source file was written to");
    let done = transfer::file_to_server(&file, &s).unwrap();
    let activities = done.tables.iter().find(|(t, _)| t == "activities").unwrap().1;
    assert!(activities > 30_000, "{activities}");

    // The other way: killed while it writes the new file, it leaves no
    // team file behind, only its `.partial`, which the next run replaces.
    let back = dir.path().join("back.db");
    let partial = back.with_extension("partial");
    kill_migrate_mid_copy(&url, &back.display().to_string(), || partial.exists());
    assert!(!back.exists(), "a half-made team file was left as the real one");
    let again = transfer::server_to_file(&s, &back).unwrap();
    assert_eq!(again.tables, done.tables);
    assert!(!partial.exists());
    assert_eq!(dump(&back), dump(&file));
}

#[test]
fn the_cli_sets_up_a_server_adds_a_member_and_moves_a_team_both_ways() {
    let pg = TestServer::start();
    let url = pg.create_database("cli");
    let kizuna = env!("CARGO_BIN_EXE_kizuna");
    let run = |args: &[&str]| {
        let out = Command::new(kizuna)
            .args(args)
            .env("KIZUNA_MEMBER_PASSWORD", "yamada-long-passw0rd")
            .output()
            .unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, out) = run(&["server", "init", &url]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("schema (version"), "{out}");
    let (code, out) = run(&["server", "add-member", &url, "yamada"]);
    assert_eq!(code, Some(0), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    let file_arg = file.display().to_string();
    let (code, out) = run(&["migrate", "--from", &file_arg, "--to", &url]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("change log position") && out.contains("deal amounts"),
        "{out}"
    );
    assert!(!out.contains(pg::ADMIN_PASSWORD), "the password was printed: {out}");
    let back = dir.path().join("back.db").display().to_string();
    let member_url = pg.url_as("yamada", "yamada-long-passw0rd", "cli");
    // A member can take the portable copy: it only reads.
    let (code, out) = run(&["migrate", "--from", &member_url, "--to", &back]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["migrate", "--from", &file_arg, "--to", &url]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("[transfer_target_not_empty]"), "{out}");
    let (code, out) = run(&[
        "migrate",
        "--from",
        &file_arg,
        "--to",
        "postgres://x@crm.example.invalid/kizuna?sslmode=disable",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("[server_tls]"), "{out}");
}

use common::pg;

/// What Settings → "Connect to a team server" does, through the desktop's
/// own session: a wrong password changes nothing, the right one is kept in
/// the credential store (never config.json), the member is the login, the
/// screens read and save on the server, and the next start opens the
/// server again with the kept password.
#[test]
fn a_desktop_connects_to_the_team_server_and_opens_it_again_at_its_next_start() {
    use kizuna_core::app::config::Dirs;
    use kizuna_core::app::server_choice::{ServerChoice, TlsMode};
    use kizuna_core::app::session::Session;
    use kizuna_core::store::team_db::StoreKind;
    // Credential store entries of this test's own (the kernel keyring of
    // `keyctl session`, as `make test` runs it).
    std::env::set_var(
        "KIZUNA_VAULT_SERVICE",
        format!("jp.kizuna.test.desk.{}", std::process::id()),
    );
    let pg = TestServer::start();
    let s = pg.team_database("desk");
    let dir = tempfile::tempdir().unwrap();
    transfer::file_to_server(&sample_file(dir.path()), &s).unwrap();
    let password = "tanaka-long-passw0rd";
    server::roles::add_member(&mut server::connect(&s).unwrap(), "tanaka", password).unwrap();

    let home = tempfile::tempdir().unwrap();
    let dirs = Dirs::new(home.path().join("config"), home.path().join("data"));
    let clock = Arc::new(FixedClock::at("2026-12-02T10:00:00+09:00"));
    let mut desk = Session::start(dirs.clone(), Some("ja-JP"), clock.clone());
    assert_eq!(
        desk.status().database.unwrap().kind,
        StoreKind::File,
        "the local sample first"
    );
    let choice = ServerChoice {
        host: "127.0.0.1".into(),
        port: pg.port,
        database: "desk".into(),
        user: "tanaka".into(),
        tls: TlsMode::Off,
    };

    let refused = desk.connect_team_server(&choice, "not-the-password").unwrap_err();
    assert_eq!(refused.code(), ErrorCode::ServerAuth);
    assert_eq!(
        desk.status().database.unwrap().kind,
        StoreKind::File,
        "still the local database"
    );
    assert!(
        !desk.team_server().unwrap().password_saved,
        "a refused password is not kept"
    );

    let status = desk.connect_team_server(&choice, password).unwrap();
    let database = status.database.unwrap();
    assert_eq!(database.kind, StoreKind::Server);
    assert_eq!(database.path, format!("tanaka@127.0.0.1:{}/desk", pg.port));
    assert!(!database.is_local && !status.needs_identity);
    assert_eq!(
        (status.user.login.as_str(), status.user.display_name.as_str()),
        ("tanaka", "田中 太郎"),
        "the sample's member with this login"
    );
    assert!(desk.team_server().unwrap().password_saved);
    let config = std::fs::read_to_string(&dirs.config_file).unwrap();
    assert!(config.contains("\"desk\"") && !config.contains(password), "{config}");

    // The screens read and save on the server; file-only work says so.
    let board = board::load(
        desk.team().unwrap().sql(),
        clock.as_ref(),
        None,
        &BoardFilter::default(),
    )
    .unwrap();
    assert!(board.columns.iter().map(|c| c.count).sum::<i32>() > 0);
    desk.set_display_name(status.user.version, "田中 太郎（営業部）")
        .unwrap();
    let mut admin = server::connect(&s).unwrap();
    let on_server: String = admin
        .query_one("SELECT display_name FROM users WHERE login = 'tanaka'", &[])
        .unwrap()
        .get(0);
    assert_eq!(on_server, "田中 太郎（営業部）");
    assert_eq!(desk.db().err().map(|e| e.code()), Some(ErrorCode::NotOnServer));
    drop(desk);

    // The next start connects again with the kept password.
    let mut again = Session::start(dirs.clone(), Some("ja-JP"), clock);
    let status = again.status();
    assert_eq!(
        status.database.map(|d| d.kind),
        Some(StoreKind::Server),
        "{:?}",
        status.open_error
    );
    assert_eq!(status.user.display_name, "田中 太郎（営業部）");

    // Back to the local database: the server is no longer opened at start.
    assert_eq!(
        again.use_local_database().unwrap().database.unwrap().kind,
        StoreKind::File
    );
    assert!(!std::fs::read_to_string(&dirs.config_file).unwrap().contains("\"desk\""));
}

#[derive(Default)]
struct Heard {
    shown: std::sync::Mutex<Vec<String>>,
}

impl kizuna_core::followups::scheduler::Notifier for Heard {
    fn show(
        &self,
        _notice: &kizuna_core::followups::reminder::Notice,
        text: &kizuna_core::followups::reminder::NoticeText,
    ) -> Result<(), String> {
        self.shown.lock().unwrap().push(text.summary.clone());
        Ok(())
    }
    fn failed(
        &self,
        _: &kizuna_core::followups::reminder::Notice,
        _: &kizuna_core::followups::reminder::NoticeText,
        e: &str,
    ) {
        panic!("a notice failed: {e}");
    }
    fn due_count(&self, _count: u32) {}
}

/// Reminders on the team server: a follow-up a colleague plans for Tanaka
/// wakes his desktops' schedulers (they glance at the change log each
/// second), and of his two desktops exactly one shows it: told once per
/// person, through the same claim as on the file.
#[test]
fn a_reminder_on_the_server_is_shown_once_to_its_person_whichever_desktop_is_first() {
    use kizuna_core::followups::follow_up::{FollowUpKind, NewFollowUp};
    use kizuna_core::followups::reminder::NotifyPrefs;
    use kizuna_core::followups::scheduler::{Scheduler, Target};
    use kizuna_core::store::changes::Source;
    let pg = TestServer::start();
    let s = pg.team_database("remind");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.db");
    let tanaka = {
        let db = Db::create(&file, OpenOptions::new("tanaka", "田中 太郎")).unwrap();
        db.member().unwrap().id.clone()
    };
    transfer::file_to_server(&file, &s).unwrap();
    server::roles::add_member(&mut server::connect(&s).unwrap(), "tanaka", "tanaka-long-passw0rd").unwrap();
    let as_tanaka = Server::parse(&pg.url_as("tanaka", "tanaka-long-passw0rd", "remind"), None).unwrap();
    let clock: Arc<dyn kizuna_core::Clock> = Arc::new(kizuna_core::SystemClock);
    let mut colleague = ServerDb::open(&as_tanaka, clock.clone(), Language::Ja).unwrap();
    let all_day = NotifyPrefs {
        enabled: true,
        quiet_start: None,
        quiet_end: None,
        working_days: (1..=7).collect(),
    };
    colleague.write(|ctx| reminder::save_prefs(ctx, &all_day)).unwrap();

    let heard: Vec<Arc<Heard>> = (0..2).map(|_| Arc::new(Heard::default())).collect();
    let desktops: Vec<Scheduler> = heard
        .iter()
        .map(|h| {
            let s = Scheduler::start(h.clone());
            s.attach(Some(Target {
                place: Source::Server(Box::new(as_tanaka.clone())),
                opts: OpenOptions::member(Some(tanaka.clone())).with_clock(clock.clone()),
                language: Language::Ja,
            }));
            s
        })
        .collect();
    // Planned on "another desktop", nobody pokes the schedulers.
    std::thread::sleep(Duration::from_millis(500));
    let due = kizuna_core::clock::to_db(chrono::Utc::now() + chrono::Duration::milliseconds(1500));
    colleague
        .write(|ctx| {
            follow_up::create(
                ctx,
                &NewFollowUp {
                    kind: FollowUpKind::FollowUp,
                    title: "見積の再送".into(),
                    due_at: due.clone(),
                    assignee_id: Some(tanaka.clone()),
                    company_id: None,
                    deal_id: None,
                    contract_id: None,
                    activity_id: None,
                },
            )
        })
        .unwrap();
    let shown = || -> Vec<String> { heard.iter().flat_map(|h| h.shown.lock().unwrap().clone()).collect() };
    let deadline = std::time::Instant::now() + Duration::from_secs(8);
    while shown().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(2500));
    drop(desktops);
    assert_eq!(shown(), ["フォロー: 見積の再送"], "shown once, by one desktop");
    let claimed: i64 = server::connect(&s)
        .unwrap()
        .query_one("SELECT COUNT(*) FROM notification_log WHERE user_id = $1", &[&tanaka])
        .unwrap()
        .get(0);
    assert_eq!(claimed, 1);
}

/// A laptop on a train: the server stops answering while a member logs a
/// call. The save fails as an outage (not as refused work), so the desktop
/// keeps it in its outbox; once the server is back the session connects
/// again (`Session::heal`), the outbox drains into the server exactly once,
/// and a colleague's desktop catches up on it by the change log.
#[test]
fn work_saved_while_the_server_is_away_waits_in_the_outbox_and_lands_once_when_it_is_back() {
    use kizuna_core::app::config::Dirs;
    use kizuna_core::app::outbox::{self, Op, Outbox};
    use kizuna_core::app::server_choice::{ServerChoice, TlsMode};
    use kizuna_core::app::session::Session;
    use kizuna_core::timeline::activity::{Direction, NewActivity};
    std::env::set_var(
        "KIZUNA_VAULT_SERVICE",
        format!("jp.kizuna.test.desk.{}", std::process::id()),
    );
    let pg = TestServer::start();
    let s = pg.team_database("train");
    let dir = tempfile::tempdir().unwrap();
    transfer::file_to_server(&sample_file(dir.path()), &s).unwrap();
    let password = "tanaka-long-passw0rd";
    server::roles::add_member(&mut server::connect(&s).unwrap(), "tanaka", password).unwrap();
    let home = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at("2026-12-02T10:00:00+09:00"));
    let mut desk = Session::start(
        Dirs::new(home.path().join("config"), home.path().join("data")),
        Some("ja-JP"),
        clock,
    );
    let choice = ServerChoice {
        host: "127.0.0.1".into(),
        port: pg.port,
        database: "train".into(),
        user: "tanaka".into(),
        tls: TlsMode::Off,
    };
    desk.connect_team_server(&choice, password).unwrap();
    let team = outbox::team_of(&desk.watch_source().unwrap());
    assert_eq!(team, format!("postgres://tanaka@127.0.0.1:{}/train", pg.port));
    let local = Outbox::open(&home.path().join("outbox.db")).unwrap();
    let company: String = server::connect(&s)
        .unwrap()
        .query_one("SELECT id FROM companies ORDER BY id LIMIT 1", &[])
        .unwrap()
        .get(0);
    let as_colleague = Server::parse(&pg.url_as("tanaka", password, "train"), None).unwrap();
    let mut colleague = ServerFeed::open(&as_colleague).unwrap();
    let call = Op::LogActivity {
        activity: NewActivity {
            company_id: company.clone(),
            contact_ids: Vec::new(),
            deal_id: None,
            kind: ActivityKind::Call,
            direction: Some(Direction::Outbound),
            occurred_at: "2026-12-02T09:30:00+09:00".into(),
            summary: "車内から：見積の件で折り返し".into(),
            body: String::new(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        },
    };

    pg.stop();
    let e = outbox::apply_once(desk.team().unwrap(), "op-train", &call).unwrap_err();
    assert!(outbox::is_outage(&e), "an outage, not refused work: {e}");
    local.push(&team, "op-train", &call, "2026-12-02T00:30:00Z").unwrap();
    assert_eq!(local.counts(&team).unwrap().pending, 1);

    pg.start_again();
    desk.heal();
    let report = local.drain(&team, desk.team().unwrap()).unwrap();
    assert_eq!((report.applied, report.interrupted), (1, false), "{report:?}");
    assert_eq!(local.counts(&team).unwrap().pending, 0);
    // Drained twice (a second desktop window, a retry): still once.
    local.push(&team, "op-train", &call, "2026-12-02T00:30:00Z").unwrap();
    assert_eq!(local.drain(&team, desk.team().unwrap()).unwrap().skipped, 1);
    let mut admin = server::connect(&s).unwrap();
    let logged: Vec<String> = admin
        .query(
            "SELECT id FROM activities WHERE summary = '車内から：見積の件で折り返し'",
            &[],
        )
        .unwrap()
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(logged.len(), 1, "landed once");

    // The colleague's feed lost its connection with the server and catches up.
    let mut heard = Vec::new();
    for _ in 0..5 {
        match colleague.next(Duration::from_secs(2)) {
            Ok(batch) => heard.extend(batch.changes.into_iter().map(|c| c.entity_id)),
            Err(e) => assert_eq!(e.code(), ErrorCode::ServerUnreachable, "{e}"),
        }
        if heard.contains(&logged[0]) {
            break;
        }
    }
    assert!(
        heard.contains(&logged[0]),
        "the colleague's desktop heard of it: {heard:?}"
    );
}

/// One member's `kizuna stress` on the server: notes saved one transaction
/// each, each acknowledged only after its commit.
fn server_writer(url: &str, n: u32) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kizuna"))
        .args(["--db", url, "stress", &n.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn stored_on_server(s: &Server) -> Vec<String> {
    server::connect(s)
        .unwrap()
        .query(
            "SELECT substr(summary, 8) FROM activities WHERE summary LIKE 'stress %' AND deleted_at IS NULL",
            &[],
        )
        .unwrap()
        .into_iter()
        .map(|r| r.get(0))
        .collect()
}

/// Twenty members' processes write at once and are killed with `kill -9`
/// at different moments, three rounds: every write a process acknowledged
/// is on the server, once (a killed save's transaction is rolled back by
/// the server, never half there), and the team takes saves afterwards.
#[test]
fn twenty_writers_killed_at_random_moments_leave_every_acknowledged_write_on_the_server_once() {
    let pg = TestServer::start();
    let s = pg.team_database("kills");
    let dir = tempfile::tempdir().unwrap();
    transfer::file_to_server(&sample_file(dir.path()), &s).unwrap();
    let mut admin = server::connect(&s).unwrap();
    // A login per writer and round: each run numbers its notes from 0.
    let mut urls = |round: u64| -> Vec<String> {
        (0..20)
            .map(|k| {
                let (login, password) = (format!("w{round}-{k}"), format!("writer-{k}-passw0rd"));
                server::roles::add_member(&mut admin, &login, &password).unwrap();
                pg.url_as(&login, &password, "kills")
            })
            .collect()
    };
    let mut acked = std::collections::HashSet::new();
    let mut last = Vec::new();
    for round in 0..3u64 {
        last = urls(round);
        let mut children: Vec<_> = last.iter().map(|u| server_writer(u, 100_000)).collect();
        let readers: Vec<_> = children.iter_mut().map(common::acks_of).collect();
        std::thread::sleep(Duration::from_millis(600));
        for (k, child) in children.iter_mut().enumerate() {
            std::thread::sleep(Duration::from_millis(20 + (k as u64 * 37 + round * 11) % 90));
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
        }
        for r in readers {
            acked.extend(r.join().unwrap());
        }
    }
    assert!(
        acked.len() > 200,
        "the writers got going before being killed ({})",
        acked.len()
    );
    let stored = stored_on_server(&s);
    let unique: std::collections::HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "no write stored twice");
    let missing: Vec<_> = acked.iter().filter(|a| !unique.contains(a)).take(5).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but missing after kill -9: {missing:?}"
    );
    println!(
        "{} writes acknowledged by 20 killed writers, {} stored",
        acked.len(),
        stored.len()
    );
    // The team still takes saves: no lock or half-written save left behind.
    let out = server_writer(&last[0], 3).wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Two members save the same deal from the same version at the same moment,
/// each in a process of their own: exactly one edit lands, the other is
/// told of the conflict, as on the file.
#[test]
fn two_members_editing_one_deal_from_one_version_on_the_server_one_lands_one_is_told() {
    let pg = TestServer::start();
    let s = pg.team_database("edits");
    let dir = tempfile::tempdir().unwrap();
    transfer::file_to_server(&sample_file(dir.path()), &s).unwrap();
    let mut admin = server::connect(&s).unwrap();
    for login in ["sato", "suzuki"] {
        server::roles::add_member(&mut admin, login, &format!("{login}-long-passw0rd")).unwrap();
    }
    let row = admin
        .query_one("SELECT id, version FROM deals ORDER BY id LIMIT 1", &[])
        .unwrap();
    let (id, version): (String, i64) = (row.get(0), row.get(1));
    let v = version.to_string();
    let edit = |login: &str, title: &str| {
        Command::new(env!("CARGO_BIN_EXE_kizuna"))
            .args([
                "--db",
                &pg.url_as(login, &format!("{login}-long-passw0rd"), "edits"),
                "retitle-deal",
                &id,
                &v,
                title,
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (edit("sato", "佐藤の案"), edit("suzuki", "鈴木の案"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(
        [&a, &b].iter().filter(|o| o.status.success()).count(),
        1,
        "exactly one edit lands"
    );
    let loser = if a.status.success() { &b } else { &a };
    assert!(
        String::from_utf8_lossy(&loser.stderr).contains("[conflict]"),
        "the other is told of the conflict: {}",
        String::from_utf8_lossy(&loser.stderr)
    );
    let title: String = admin
        .query_one("SELECT title FROM deals WHERE id = $1", &[&id])
        .unwrap()
        .get(0);
    assert_eq!(
        title,
        if a.status.success() {
            "佐藤の案"
        } else {
            "鈴木の案"
        }
    );
}

/// The Hand-offs view's three lists and a customer's hand-offs, and the
/// "nobody forgotten" list of customers and deals without a next step, from
/// the file and from the server.
#[test]
fn the_hand_offs_and_the_nobody_forgotten_list_are_the_same_from_the_file_and_the_server() {
    use kizuna_core::followups::retention;
    use kizuna_core::handoff::inbox;
    SameTeam::check("same_handoffs", |file, stores| {
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let mut compared = 0;
        for me in every(file, "SELECT id FROM users ORDER BY id") {
            let [on_file, on_server] = stores.map(|sql| format!("{:?}", inbox::lists(sql, &clock, &me).unwrap()));
            assert_eq!(on_file, on_server, "{me}");
            let team = TeamSettings::load(Sql::File(file)).unwrap();
            let [on_file, on_server] =
                stores.map(|sql| retention::nobody_forgotten(sql, &clock, &team, Some(&me)).unwrap());
            compared += on_file.iter().map(|g| g.customers.len() + g.deals.len()).sum::<usize>();
            assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{me}");
        }
        assert!(compared > 0, "the sample leaves someone without a next step");
        let company = first(file, "SELECT company_id FROM handoffs ORDER BY sent_at LIMIT 1");
        let [on_file, on_server] = stores.map(|sql| inbox::for_company(sql, &clock, &company).unwrap());
        assert!(!on_file.is_empty());
        assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"));
        // Every sheet in full (promises, key persons, the questions), and the
        // draft of a new one for each won deal and for a customer alone.
        for id in every(file, "SELECT id FROM handoffs ORDER BY id") {
            let [on_file, on_server] = stores.map(|sql| format!("{:?}", handoff_sheet::get(sql, &id).unwrap()));
            assert_eq!(on_file, on_server);
        }
        for row in every(
            file,
            "SELECT d.company_id || ' ' || d.id FROM deals d JOIN stages s ON s.id = d.stage_id
              WHERE s.kind = 'won' ORDER BY d.id LIMIT 5",
        ) {
            let (company, deal) = row.split_once(' ').unwrap();
            for deal in [Some(deal), None] {
                let [on_file, on_server] =
                    stores.map(|sql| format!("{:?}", handoff_sheet::draft(sql, company, deal).unwrap()));
                assert_eq!(on_file, on_server, "{company} {deal:?}");
            }
        }
    });
}

/// Reads page after page of `q` with `read` from both stores and requires
/// the same page from each; `next` moves `q` past a page and says how many
/// rows it held and whether another follows. The rows read, in all.
fn same_pages<Q: std::fmt::Debug, P: std::fmt::Debug>(
    stores: [Sql; 2],
    mut q: Q,
    read: impl Fn(Sql, &Q) -> P,
    next: impl Fn(&P, &mut Q) -> (usize, bool),
) -> usize {
    let mut rows = 0;
    loop {
        let [on_file, on_server] = stores.map(|sql| read(sql, &q));
        assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{q:?}");
        let (n, more) = next(&on_file, &mut q);
        rows += n;
        if !more {
            return rows;
        }
    }
}

/// The support inbox (every tab, with and without a search over what the
/// cases say, a page at a time, and every tab's count), a case in full with
/// its thread, and a customer's cases, from the file and from the server.
#[test]
fn the_support_inbox_is_the_same_from_the_file_and_the_server() {
    use kizuna_core::support::inbox::{self, InboxQuery, InboxTab};
    SameTeam::check("same_support", |file, stores| {
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let words: Vec<String> = every(
            file,
            "SELECT a.summary FROM activities a JOIN case_events e ON e.activity_id = a.id
              WHERE a.kind = 'support' ORDER BY a.id LIMIT 3",
        );
        assert!(!words.is_empty(), "the sample has support cases with a thread");
        // A piece of a case's words, one or two characters, and nothing found.
        let piece: String = words[0].chars().take(4).collect();
        let short: String = words[0].chars().take(2).collect();
        let (mut rows, mut found) = (0, 0);
        for me in every(file, "SELECT id FROM users ORDER BY id") {
            for search in ["", piece.as_str(), short.as_str(), "存在しない言葉"] {
                for tab in InboxTab::ALL {
                    let q = InboxQuery {
                        tab,
                        search: search.to_string(),
                        after: None,
                        limit: 2,
                    };
                    let n = same_pages(
                        stores,
                        q,
                        |sql, q| inbox::view(sql, &clock, &me, q).unwrap(),
                        |view, q| {
                            q.after = view.page.next.clone();
                            (view.page.rows.len(), q.after.is_some())
                        },
                    );
                    rows += n;
                    found += if search == piece { n } else { 0 };
                }
            }
        }
        assert!(rows > 0 && found > 0, "{rows} rows, {found} found by {piece:?}");
        let case = first(file, "SELECT case_id FROM case_events ORDER BY at DESC LIMIT 1");
        let company = first(file, "SELECT company_id FROM support_cases ORDER BY id LIMIT 1");
        let me = first(file, "SELECT id FROM users ORDER BY id LIMIT 1");
        let [on_file, on_server] =
            stores.map(|sql| format!("{:?}", inbox::case_detail(sql, &clock, &me, &case).unwrap()));
        assert_eq!(on_file, on_server);
        let [on_file, on_server] =
            stores.map(|sql| format!("{:?}", inbox::company_cases(sql, &clock, &me, &company).unwrap()));
        assert_eq!(on_file, on_server);
    });
}

/// The leads inbox (every tab, with and without a search over who the leads
/// are and what they asked, a page at a time, and every tab's count) and a
/// lead in full with its history, from the file and from the server.
#[test]
fn the_leads_inbox_is_the_same_from_the_file_and_the_server() {
    use kizuna_core::leads::inbox::{self, LeadQuery, LeadTab};
    SameTeam::check("same_leads", |file, stores| {
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let message = first(
            file,
            "SELECT message FROM leads WHERE message <> '' ORDER BY id LIMIT 1",
        );
        let piece: String = message.chars().skip(2).take(4).collect();
        let short: String = message.chars().take(1).collect();
        let (mut rows, mut found) = (0, 0);
        for me in every(file, "SELECT id FROM users ORDER BY id") {
            for search in ["", piece.as_str(), short.as_str(), "存在しない言葉"] {
                for tab in [LeadTab::New, LeadTab::Mine, LeadTab::Overdue, LeadTab::Nurture] {
                    let q = LeadQuery {
                        tab,
                        search: search.to_string(),
                        after: None,
                        limit: 3,
                    };
                    let n = same_pages(
                        stores,
                        q,
                        |sql, q| inbox::view(sql, &clock, &me, q).unwrap(),
                        |view, q| {
                            q.after = view.page.next.clone();
                            (view.page.rows.len(), q.after.is_some())
                        },
                    );
                    rows += n;
                    found += if search == piece { n } else { 0 };
                }
            }
        }
        assert!(rows > 0 && found > 0, "{rows} rows, {found} found by {piece:?}");
        let me = first(file, "SELECT id FROM users ORDER BY id LIMIT 1");
        for id in every(file, "SELECT id FROM leads ORDER BY id LIMIT 5") {
            let [on_file, on_server] =
                stores.map(|sql| format!("{:?}", inbox::lead_detail(sql, &clock, &me, &id).unwrap()));
            assert_eq!(on_file, on_server);
        }
    });
}

/// The thank-you mail after a meeting (its words, who it goes to, who has no
/// usable address), from the file and from the server.
#[test]
fn the_thank_you_mail_is_the_same_from_the_file_and_the_server() {
    use kizuna_core::timeline::mail;
    SameTeam::check("same_thanks", |file, stores| {
        let offset = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        let meetings = every(
            file,
            "SELECT a.id FROM activities a WHERE a.kind = 'meeting'
                AND EXISTS (SELECT 1 FROM activity_contacts ac WHERE ac.activity_id = a.id) ORDER BY a.id LIMIT 5",
        );
        assert!(!meetings.is_empty());
        for id in meetings {
            let [on_file, on_server] = stores.map(|sql| {
                format!(
                    "{:?}",
                    mail::draft_for(sql, &id, Language::Ja, "田中 太郎", offset).unwrap()
                )
            });
            assert_eq!(on_file, on_server);
        }
    });
}

/// The renewal rate of the contracts ending in the last year (by count and
/// amount, the churn reasons, what ends in the next 90 days), from the file
/// and from the server.
#[test]
fn the_renewal_rate_is_the_same_from_the_file_and_the_server() {
    SameTeam::check("same_rate", |_file, stores| {
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let to = chrono::Utc::now().date_naive() + chrono::Duration::days(365);
        let from = to - chrono::Duration::days(730);
        let [on_file, on_server] = stores.map(|sql| renewal::rate(sql, &clock, from, to).unwrap());
        assert!(
            on_file.renewed + on_file.churned + on_file.upcoming_count > 0,
            "{on_file:?}"
        );
        assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"));
    });
}

/// The audit trail a manager reads (whole, by member, by customer, by day, a
/// page at a time) and its export through a connection of its own, from the
/// file and from the server.
#[test]
fn the_audit_trail_and_its_export_are_the_same_from_the_file_and_the_server() {
    use kizuna_core::audit::export::{self as audit_export, AuditFormat};
    use kizuna_core::audit::trail::{self, AuditQuery};
    let mut team = SameTeam::new("same_audit");
    let offset = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    let file = &team.file;
    let member = first(
        file,
        "SELECT user_id FROM audit_log WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY COUNT(*) DESC LIMIT 1",
    );
    let company = first(
        file,
        "SELECT company_id FROM deals GROUP BY company_id ORDER BY COUNT(*) DESC, company_id LIMIT 1",
    );
    let day = first(file, "SELECT substr(at, 1, 10) FROM audit_log ORDER BY at DESC LIMIT 1");
    let queries = [
        AuditQuery::default(),
        AuditQuery {
            member_id: Some(member),
            ..Default::default()
        },
        AuditQuery {
            company_id: Some(company),
            ..Default::default()
        },
        AuditQuery {
            from: Some(day.clone()),
            to: Some(day),
            ..Default::default()
        },
    ];
    {
        let session = reading(&mut team.client);
        let stores = [Sql::File(file), Sql::Server(&session)];
        for q in queries {
            let rows = same_pages(
                stores,
                AuditQuery { limit: 7, ..q.clone() },
                |sql, q| trail::page(sql, q, offset).unwrap(),
                |page, q| {
                    q.before = page.next.clone();
                    (page.entries.len(), q.before.is_some())
                },
            );
            assert!(rows > 0, "nothing in the trail for {q:?}");
        }
    }
    let manager = first(
        file,
        "SELECT id FROM users WHERE roles LIKE '%manager%' ORDER BY id LIMIT 1",
    );
    let out = tempfile::tempdir().unwrap();
    let [on_file, on_server] = [0, 1].map(|i| {
        let path = out.path().join(format!("trail{i}.csv"));
        let reader = kizuna_core::store::reader::Reader::open(&team.places[i]).unwrap();
        let done = audit_export::export_for(
            reader.sql(),
            &manager,
            &AuditQuery::default(),
            Language::Ja,
            offset,
            AuditFormat::Csv,
            Default::default(),
            &path,
        )
        .unwrap();
        (done.rows, std::fs::read(&path).unwrap())
    });
    assert!(on_file.0 > 10, "{} rows", on_file.0);
    assert!(on_file == on_server, "the exports differ");
}

/// The manager's dashboard (every chart, for a year and a quarter, for the
/// whole team and for one owner), the rows behind each of its bars, and the
/// weekly sales meeting (this week and two before), from the file and from
/// the server.
#[test]
fn the_reports_and_the_sales_meeting_are_the_same_from_the_file_and_the_server() {
    use kizuna_core::reports::meeting::{self, At};
    use kizuna_core::reports::{self, DrillRequest, ReportFilter};
    SameTeam::check("same_reports", |file, stores| {
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let today = chrono::Utc::now().date_naive();
        let owner = first(
            file,
            "SELECT owner_id FROM deals WHERE owner_id IS NOT NULL GROUP BY owner_id ORDER BY COUNT(*) DESC LIMIT 1",
        );
        let (mut points, mut rows) = (0, 0);
        for (days, owners) in [(365, vec![]), (90, vec![owner])] {
            let filter = ReportFilter {
                from: today - chrono::Duration::days(days),
                to: today + chrono::Duration::days(60),
                owner_ids: owners,
                pipeline_id: None,
                segment: None,
            };
            let [on_file, on_server] = stores.map(|sql| reports::dashboard(sql, &clock, &filter).unwrap());
            for (a, b) in on_file.charts.iter().zip(&on_server.charts) {
                assert_eq!(format!("{a:#?}"), format!("{b:#?}"), "{:?} for {filter:?}", a.id);
            }
            assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{filter:?}");
            for chart in &on_file.charts {
                for series in &chart.series {
                    for (category, ids) in chart.categories.iter().zip(&series.ids) {
                        if ids.is_empty() {
                            continue;
                        }
                        let req = DrillRequest {
                            chart: chart.id,
                            currency: chart.currency.clone(),
                            series: series.key.clone(),
                            category: category.key.clone(),
                        };
                        let [a, b] = stores.map(|sql| reports::drill(sql, &clock, &filter, &req).unwrap());
                        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{req:?}");
                        points += 1;
                        rows += a.rows.len();
                    }
                }
            }
        }
        assert!(points > 20 && rows > 50, "{points} points, {rows} rows");
        let at = At {
            now: clock.now(),
            offset: clock.offset(),
        };
        let mut talked = 0;
        for weeks_ago in [0, 1, 2] {
            let week = Some(today - chrono::Duration::days(7 * weeks_ago));
            let [a, b] = stores.map(|sql| meeting::meeting(sql, &at, week).unwrap());
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{week:?}");
            talked += a
                .members
                .iter()
                .map(|m| m.moved.len() + m.cold.len() + m.deadlines.len() + m.lost.len() + m.overdue.len())
                .sum::<usize>();
        }
        assert!(talked > 0, "nothing on the meeting's agenda");
    });
}

/// Every kind of data export, whole and for one owner, as CSV and the
/// calendars as ICS, through a connection of its own: the same bytes from
/// the file and from the server.
#[test]
fn the_data_exports_are_the_same_from_the_file_and_the_server() {
    use kizuna_core::export::{self, ExportFormat, ExportKind, ExportRequest};
    use kizuna_core::store::reader::Reader;
    let team = SameTeam::new("same_export");
    let offset = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    let owner = first(
        &team.file,
        "SELECT owner_id FROM companies WHERE owner_id IS NOT NULL GROUP BY owner_id ORDER BY COUNT(*) DESC LIMIT 1",
    );
    let out = tempfile::tempdir().unwrap();
    let kinds = [
        ExportKind::Customers,
        ExportKind::Contacts,
        ExportKind::Deals,
        ExportKind::Timeline,
        ExportKind::FollowUps,
        ExportKind::Contracts,
    ];
    let mut requests = Vec::new();
    for kind in kinds {
        for owner_id in [None, Some(owner.clone())] {
            requests.push((kind, ExportFormat::Csv, owner_id));
        }
    }
    requests.push((ExportKind::FollowUps, ExportFormat::Ics, None));
    requests.push((ExportKind::Contracts, ExportFormat::Ics, None));
    for (i, (kind, format, owner_id)) in requests.into_iter().enumerate() {
        let req = ExportRequest {
            kind,
            format,
            encoding: Default::default(),
            owner_id,
            pipeline_id: None,
        };
        let [on_file, on_server] = [0, 1].map(|store| {
            let path = out.path().join(format!("{i}-{store}.out"));
            let reader = Reader::open(&team.places[store]).unwrap();
            let done = export::export(reader.sql(), Language::Ja, offset, &req, &path).unwrap();
            (done.rows, std::fs::read(&path).unwrap())
        });
        assert!(on_file.0 > 0, "nothing exported for {req:?}");
        assert!(on_file == on_server, "the exports differ for {req:?}");
    }
}

/// The possible duplicates (customers and contacts) with the merge preview
/// of each, and for the leads their matching customers, the manager's lead
/// numbers and the nurture list as a file, from the file and from the server.
#[test]
fn the_duplicates_and_the_lead_numbers_are_the_same_from_the_file_and_the_server() {
    use kizuna_core::dedupe::pairs::{self, DuplicateKind};
    use kizuna_core::leads::{numbers, nurture};
    // Customers entered twice, as a busy team does: the same company under
    // another spelling with its phone number, and a contact twice.
    let twice = |db: &mut Db| {
        let file = db.conn();
        let (company_id, name, phone) = {
            let row = every(
                file,
                "SELECT id || '|' || name || '|' || phone FROM companies WHERE phone <> '' ORDER BY id LIMIT 2",
            );
            let parts: Vec<String> = row[0].split('|').map(String::from).collect();
            (parts[0].clone(), parts[1].clone(), parts[2].clone())
        };
        let other = first(file, "SELECT id FROM companies ORDER BY id DESC LIMIT 1");
        db.write(|ctx| {
            company::create(
                ctx,
                &company::NewCompany {
                    name: format!("{name}（旧）"),
                    phone: phone.clone(),
                    ..Default::default()
                },
            )?;
            for company_id in [&company_id, &company_id, &other] {
                contact::create_contact(
                    ctx,
                    &contact::NewContact {
                        company_id: company_id.clone(),
                        name: "重複 花子".into(),
                        name_kana: "ちょうふく はなこ".into(),
                        title: String::new(),
                        email: "hanako.dup@example.jp".into(),
                        phone: String::new(),
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
    };
    SameTeam::check_with("same_duplicates", twice, |file, stores| {
        let mut previews = 0;
        for kind in [DuplicateKind::Companies, DuplicateKind::Contacts] {
            let [on_file, on_server] = stores.map(|sql| pairs::list(sql, kind).unwrap());
            assert_eq!(format!("{on_file:?}"), format!("{on_server:?}"), "{kind:?}");
            for p in on_file.pairs.iter().take(5) {
                let [a, b] = stores.map(|sql| match kind {
                    DuplicateKind::Companies => {
                        format!("{:?}", merge::company_preview(sql, &p.first.id, &p.second.id).unwrap())
                    }
                    DuplicateKind::Contacts => {
                        format!("{:?}", merge::contact_preview(sql, &p.first.id, &p.second.id).unwrap())
                    }
                });
                assert_eq!(a, b);
                previews += 1;
            }
        }
        assert!(previews > 0, "the sample has no duplicates to compare");
        let mut matched = 0;
        for id in every(file, "SELECT id FROM leads ORDER BY id LIMIT 8") {
            let [a, b] = stores.map(|sql| qualify::matches(sql, &id).unwrap());
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            matched += a.companies.len();
        }
        assert!(matched > 0, "no lead matched a customer");
        let clock = FixedClock::new(chrono::Utc::now(), 9);
        let [a, b] = stores.map(|sql| numbers::view(sql, &clock, 12).unwrap());
        assert!(!a.by_month.is_empty(), "{a:?}");
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let [a, b] = stores.map(|sql| nurture::export_csv(sql, Language::Ja).unwrap());
        assert!(a.lines().count() > 1, "nobody on the nurture list");
        assert_eq!(a, b);
    });
}

/// Sends through the once-only ledger on whichever store the runner holds,
/// into one recorder shared by the member's desktops.
struct Ledgered {
    computer: &'static str,
    transport: Arc<kizuna_core::mail::RecordingTransport>,
}

impl kizuna_core::sequences::engine::MailSender for Ledgered {
    fn send_once(
        &self,
        db: &mut dyn Store,
        mail: &kizuna_core::mail::OutgoingMail,
    ) -> kizuna_core::Result<kizuna_core::sequences::engine::Sent> {
        use kizuna_core::mail::{SendOutcome, Sender, SmtpAccount};
        use kizuna_core::sequences::engine::Sent;
        let sender = Sender {
            account: SmtpAccount {
                host: "smtp.example.co.jp".into(),
                port: 587,
                security: kizuna_core::mail::Security::StartTls,
                user: String::new(),
                from_address: "tanaka@example.co.jp".into(),
                from_name: "田中 太郎".into(),
            },
            password: None,
            computer_id: self.computer.into(),
        };
        match kizuna_core::mail::send_once(db, mail, &sender, self.transport.as_ref())? {
            SendOutcome::Sent { .. } => Ok(Sent::Sent),
            SendOutcome::AlreadySent { .. } => Ok(Sent::AlreadySent),
            other => Err(kizuna_core::Error::Internal(format!("{other:?}"))),
        }
    }
}

#[derive(Default)]
struct Reports(std::sync::Mutex<Vec<String>>);

impl kizuna_core::sequences::runner::RunSink for Reports {
    fn ran(&self, report: &kizuna_core::sequences::engine::RunReport) {
        self.0.lock().unwrap().push(format!("{report:?}"));
    }
    fn failed(&self, error: &kizuna_core::Error) {
        self.0.lock().unwrap().push(format!("failed: {error}"));
    }
}

/// A sequence's automatic mail on the team server: the member's two
/// desktops run their sequence steps on the server (each runner with its
/// own session as the member's login), both are poked at once, the mail
/// goes out once and is on the customer's timeline once.
#[test]
fn a_sequence_mail_on_the_server_goes_out_once_whichever_desktop_runs_it() {
    use kizuna_core::sequences::definition::{self, SequenceInput, Step};
    use kizuna_core::sequences::enrolment::{self, TargetKind};
    use kizuna_core::sequences::runner::{Runner, Target};
    let pg = TestServer::start();
    let s = pg.team_database("sequences");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    let sample = common::open(&file);
    let tanaka = first(&sample, "SELECT id FROM users WHERE login = 'tanaka'");
    let deal = first(
        &sample,
        &format!(
            "SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id
              WHERE d.owner_id = '{tanaka}' AND s.kind = 'open' AND d.deleted_at IS NULL
                AND EXISTS (SELECT 1 FROM contacts c WHERE c.company_id = d.company_id AND c.email <> '')
              ORDER BY d.id LIMIT 1"
        ),
    );
    transfer::file_to_server(&file, &s).unwrap();
    server::roles::add_member(&mut server::connect(&s).unwrap(), "tanaka", "tanaka-long-passw0rd").unwrap();
    let as_tanaka = Server::parse(&pg.url_as("tanaka", "tanaka-long-passw0rd", "sequences"), None).unwrap();
    let clock: Arc<dyn kizuna_core::Clock> = Arc::new(kizuna_core::SystemClock);
    let mut db = ServerDb::open(&as_tanaka, clock.clone(), Language::Ja).unwrap();
    let subject = "{{会社名}} 資料のご案内（サーバー）";
    let sequence = db
        .write(|ctx| {
            definition::create(
                ctx,
                &SequenceInput {
                    name: "資料請求後フォロー".into(),
                    language: Language::Ja,
                    steps: vec![Step::Mail {
                        subject: subject.into(),
                        body: "{{ご担当者名}}\n\n先日はありがとうございました。".into(),
                        automatic: true,
                    }],
                },
            )
        })
        .unwrap();

    let transport = Arc::new(kizuna_core::mail::RecordingTransport::new());
    let reports = Arc::new(Reports::default());
    let desktops: Vec<Runner> = ["desk", "laptop"]
        .into_iter()
        .map(|computer| {
            let runner = Runner::start(
                Arc::new(Ledgered {
                    computer,
                    transport: transport.clone(),
                }),
                reports.clone(),
            );
            runner.attach(Some(Target {
                place: Source::Server(Box::new(as_tanaka.clone())),
                opts: OpenOptions::member(Some(tanaka.clone())).with_clock(clock.clone()),
            }));
            runner
        })
        .collect();
    let enrolled = db
        .write(|ctx| {
            enrolment::enrol(
                ctx,
                &sequence,
                &enrolment::Target {
                    kind: TargetKind::Deal,
                    id: deal.clone(),
                },
            )
        })
        .unwrap();
    for d in &desktops {
        d.poke();
    }
    let on_server = |sql: &str| -> i64 { db.sql().query_one(sql, &[], |r| r.get(0)).unwrap() };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while on_server("SELECT COUNT(*) FROM sequence_sends") == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no mail sent; the runners said {:?}",
            reports.0.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Both runners look again (poked, and on their own) before the count.
    std::thread::sleep(Duration::from_millis(1500));
    for d in &desktops {
        d.poke();
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        transport.sent().len(),
        1,
        "the runners said {:?}",
        reports.0.lock().unwrap()
    );
    assert_eq!(on_server("SELECT COUNT(*) FROM sequence_sends"), 1);
    assert_eq!(
        on_server(&format!(
            "SELECT COUNT(*) FROM activities WHERE kind = 'email' AND deal_id = '{deal}' AND summary LIKE '%資料のご案内（サーバー）'"
        )),
        1
    );
    let state: String = db
        .sql()
        .query_one(
            "SELECT status FROM sequence_enrolments WHERE id = ?1",
            store_sql::params![enrolled],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "done", "the last step done, the enrolment is over");
    drop(desktops);
}

/// Every sheet of a workbook, cell by cell, as text.
fn workbook(path: &Path) -> Vec<Vec<Vec<String>>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names();
    names
        .iter()
        .map(|n| {
            let range = book.worksheet_range(n).unwrap();
            range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        })
        .collect()
}

/// A person's data requests on the team server as on the file: the erase
/// dialog's counts, the disclosure workbook sheet by sheet, and the erasure
/// itself, after which their name and address are in no text column of any
/// table on the server (the team's own member, settings and the erasure's
/// record aside).
#[test]
fn a_person_is_disclosed_and_erased_on_the_server_as_on_the_file() {
    use kizuna_core::privacy::{disclose, erase};
    let pg = TestServer::start();
    let s = pg.team_database("privacy");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    let opts = || OpenOptions::new("tanaka", "田中 太郎").with_language(Language::Ja);
    let mut on_file = Db::open(&file, opts()).unwrap();
    let me = on_file.member().unwrap().clone();
    if !role::of(on_file.conn(), &me.id).unwrap().contains(&Role::Manager) {
        on_file
            .write(|ctx| role::set(ctx, &me.id, me.version, &[Role::Sales, Role::Manager]))
            .unwrap();
    }
    let person = first(
        on_file.conn(),
        "SELECT c.id FROM contacts c JOIN activity_contacts ac ON ac.contact_id = c.id
          WHERE c.email <> '' AND c.phone <> '' AND c.deleted_at IS NULL
          GROUP BY c.id ORDER BY COUNT(*) DESC, c.id LIMIT 1",
    );
    let name = first(
        on_file.conn(),
        &format!("SELECT name FROM contacts WHERE id = '{person}'"),
    );
    let mail = first(
        on_file.conn(),
        &format!("SELECT email FROM contacts WHERE id = '{person}'"),
    );
    // A colleague's note names them in its words, not by a link: the scrub
    // finds it by its text on either store.
    let company = first(
        on_file.conn(),
        &format!("SELECT company_id FROM contacts WHERE id = '{person}'"),
    );
    on_file
        .write(|ctx| {
            activity::log(
                ctx,
                &activity::NewActivity {
                    company_id: company.clone(),
                    contact_ids: Vec::new(),
                    deal_id: None,
                    kind: ActivityKind::Note,
                    direction: None,
                    occurred_at: "2026-11-20T01:00:00Z".into(),
                    summary: format!("{name}様から電話"),
                    body: format!("折り返しは {mail} へ。100% 対応_済"),
                    minutes: String::new(),
                    next_todos: String::new(),
                    next_appointment_at: None,
                    signals: Vec::new(),
                },
            )
        })
        .unwrap();
    transfer::file_to_server(&file, &s).unwrap();
    server::roles::add_member(&mut server::connect(&s).unwrap(), "tanaka", "tanaka-long-passw0rd").unwrap();
    let as_tanaka = Server::parse(&pg.url_as("tanaka", "tanaka-long-passw0rd", "privacy"), None).unwrap();
    let clock: Arc<dyn kizuna_core::Clock> = Arc::new(kizuna_core::SystemClock);
    let mut on_server = ServerDb::open(&as_tanaka, clock, Language::Ja).unwrap();

    let [a, b] =
        [on_file.sql(), on_server.sql()].map(|sql| format!("{:?}", erase::preview(sql, &me.id, &person).unwrap()));
    assert_eq!(a, b);
    assert!(!a.contains("timeline: 0"), "{a}");

    let out = tempfile::tempdir().unwrap();
    let (f, v) = (out.path().join("file.xlsx"), out.path().join("server.xlsx"));
    let from_file = disclose::disclose(&mut on_file, &person, &f).unwrap();
    let from_server = disclose::disclose(&mut on_server, &person, &v).unwrap();
    assert!(from_file.rows > 3, "{from_file:?}");
    assert_eq!(from_file.rows, from_server.rows);
    assert_eq!(workbook(&f), workbook(&v));

    let erased_file = erase::erase(&mut on_file, &person, &name).unwrap();
    let erased_server = erase::erase_on_server(&mut on_server, &person, &name).unwrap();
    assert!(erased_file.rows_changed > 3, "{erased_file:?}");
    assert_eq!(erased_file.rows_changed, erased_server.rows_changed);

    let columns: Vec<(String, String)> = on_server
        .sql()
        .query(
            "SELECT table_name, column_name FROM information_schema.columns
              WHERE table_schema = current_schema() AND data_type = 'text'
                AND table_name NOT IN ('users', 'member_sessions', 'settings', 'erasures', 'mail_suppressions')
              ORDER BY table_name, column_name",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(columns.len() > 50, "{columns:?}");
    for (table, column) in columns {
        for needle in [&name, &mail] {
            let found: i64 = on_server
                .sql()
                .query_one(
                    &format!("SELECT COUNT(*) FROM \"{table}\" WHERE strpos(\"{column}\", ?1) > 0"),
                    store_sql::params![needle],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(found, 0, "{needle} is still in {table}.{column}");
        }
    }
}

/// Imports on the team server as on the file: customers (one already
/// there, updated; one new), their contacts, and contracts with the
/// timeline entries their creation adds; the preview, the reports, the
/// team afterwards and the undo of each, compared store against store.
#[test]
fn imports_and_their_undo_do_the_same_on_the_server_as_on_the_file() {
    use kizuna_core::import::batch::{self, ImportRequest};
    use kizuna_core::import::mapping::ImportKind;
    use kizuna_core::import::plan::OnMatch;
    use kizuna_core::import::preview;
    use kizuna_core::import::source::{read_bytes, ReadOptions};
    let pg = TestServer::start();
    let s = pg.team_database("imports");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    let mut on_file = Db::open(
        &file,
        OpenOptions::new("tanaka", "田中 太郎").with_language(Language::Ja),
    )
    .unwrap();
    let existing = first(
        on_file.conn(),
        "SELECT name FROM companies WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
    );
    transfer::file_to_server(&file, &s).unwrap();
    server::roles::add_member(&mut server::connect(&s).unwrap(), "tanaka", "tanaka-long-passw0rd").unwrap();
    let as_tanaka = Server::parse(&pg.url_as("tanaka", "tanaka-long-passw0rd", "imports"), None).unwrap();
    let clock: Arc<dyn kizuna_core::Clock> = Arc::new(kizuna_core::SystemClock);
    let mut on_server = ServerDb::open(&as_tanaka, clock, Language::Ja).unwrap();
    let offset = chrono::FixedOffset::east_opt(9 * 3600).unwrap();

    let sheets = [
        (
            ImportKind::Companies,
            format!("会社名,業種,電話\n{existing},小売,03-0000-1111\n株式会社取込テスト,製造,06-2222-3333\n"),
        ),
        (
            ImportKind::Contacts,
            "会社名,氏名,メール\n株式会社取込テスト,取込 花子,hanako@import.example\n".to_string(),
        ),
        (
            ImportKind::Contracts,
            "会社名,契約プラン,契約開始日,契約終了日,年額\n株式会社取込テスト,スタンダード,2026/4/1,2027/3/31,\"1,200,000円\"\n"
                .to_string(),
        ),
    ];
    let snapshot = |sql: Sql| -> String {
        let rows: Vec<String> = sql
            .query(
                "SELECT 'company ' || c.name || ' ' || c.industry || ' ' || c.phone || ' ' || COALESCE(c.deleted_at, 'live')
                   FROM companies c WHERE c.name IN (?1, '株式会社取込テスト')
                 UNION ALL SELECT 'contact ' || ct.name || ' ' || ct.email || ' ' || COALESCE(ct.deleted_at, 'live')
                   FROM contacts ct WHERE ct.email = 'hanako@import.example'
                 UNION ALL SELECT 'contract ' || k.plan || ' ' || k.amount || ' ' || COALESCE(k.deleted_at, 'live')
                   FROM contracts k JOIN companies c ON c.id = k.company_id WHERE c.name = '株式会社取込テスト'
                 UNION ALL SELECT 'timeline ' || a.kind || ' ' || COALESCE(a.deleted_at, 'live')
                   FROM activities a JOIN companies c ON c.id = a.company_id WHERE c.name = '株式会社取込テスト'
                 ORDER BY 1",
                store_sql::params![existing],
                |r| r.get(0),
            )
            .unwrap();
        // When a row was removed differs by a moment between the stores.
        rows.iter()
            .map(|r| {
                if r.ends_with("live") {
                    r.clone()
                } else {
                    format!("{} removed", &r[..r.rfind(' ').unwrap()])
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut batches = Vec::new();
    for (kind, csv) in &sheets {
        let sheet = read_bytes(csv.as_bytes(), &ReadOptions::default()).unwrap();
        let inspected = [on_file.sql(), on_server.sql()].map(|sql| preview::inspect(sql, &sheet, *kind, None).unwrap());
        assert_eq!(format!("{:?}", inspected[0]), format!("{:?}", inspected[1]));
        let req = ImportRequest {
            kind: *kind,
            read: ReadOptions::default(),
            header_row: inspected[0].header_row,
            columns: inspected[0].columns.clone(),
            on_match: OnMatch::Update,
            save_mapping: true,
        };
        let [a, b] = [on_file.sql(), on_server.sql()].map(|sql| {
            format!(
                "{:?}",
                preview::preview(sql, offset, &sheet, *kind, req.header_row, &req.columns, req.on_match).unwrap()
            )
        });
        assert_eq!(a, b, "{kind:?}");
        let on = AtomicBool::new(false);
        let done_file = batch::run(&mut on_file, "取込.csv", &sheet, &req, &mut |_| {}, &on).unwrap();
        let done_server = batch::run(&mut on_server, "取込.csv", &sheet, &req, &mut |_| {}, &on).unwrap();
        assert!(done_file.added + done_file.updated > 0, "{done_file:?}");
        assert_eq!(
            format!(
                "{} {} {} {:?}",
                done_file.added, done_file.updated, done_file.skipped, done_file.failed
            ),
            format!(
                "{} {} {} {:?}",
                done_server.added, done_server.updated, done_server.skipped, done_server.failed
            ),
            "{kind:?}"
        );
        batches.push((done_file.batch_id.clone(), done_server.batch_id.clone()));
    }
    let imported = snapshot(on_file.sql());
    assert!(
        imported.contains("timeline") && imported.contains("contract"),
        "{imported}"
    );
    assert_eq!(imported, snapshot(on_server.sql()));
    let listed = |sql: Sql| -> Vec<String> {
        batch::list(sql)
            .unwrap()
            .into_iter()
            .map(|b| format!("{:?} {:?} {} {} {}", b.kind, b.status, b.added, b.updated, b.file_name))
            .collect()
    };
    assert_eq!(listed(on_file.sql()), listed(on_server.sql()));

    for (in_file, on_the_server) in batches.iter().rev() {
        let a = batch::undo(&mut on_file, in_file).unwrap();
        let b = batch::undo(&mut on_server, on_the_server).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
    let undone = snapshot(on_file.sql());
    assert!(undone.contains("removed"), "{undone}");
    assert_eq!(undone, snapshot(on_server.sql()));
}

/// An admin's scripts (`kizuna --db postgres://… <command>`) on the server
/// give what they give on the file the team moved from; what is the file's
/// own care (its backups, checks, compaction) is refused, naming why.
#[test]
fn the_cli_runs_an_admins_scripts_on_the_server_as_on_the_file_and_refuses_the_files_own_care() {
    let pg = TestServer::start();
    let s = pg.team_database("cli");
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    transfer::file_to_server(&file, &s).unwrap();
    let mut admin = server::connect(&s).unwrap();
    // A manager: disclosing a person is theirs.
    server::roles::add_member(&mut admin, "sato.k", "sato-long-passw0rd").unwrap();
    let on_server = pg.url_as("sato.k", "sato-long-passw0rd", "cli");
    let on_file = file.display().to_string();
    let cli = |db: &str, args: &[&str]| -> (bool, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_kizuna"))
            .args(["--db", db, "--as", "sato.k"])
            .args(args)
            .env_remove("PGPASSWORD")
            .env_remove("KIZUNA_DB")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let both = |args: &[&str]| -> [String; 2] {
        [&on_file, &on_server].map(|db| {
            let (ok, out, err) = cli(db, args);
            assert!(ok, "{args:?} on {db}: {err}");
            out
        })
    };

    // Reads: the same answer from both stores.
    let [file_pairs, server_pairs] = both(&["duplicates"]);
    assert!(file_pairs.ends_with(" pairs\n"), "{file_pairs}");
    assert_eq!(server_pairs, file_pairs);
    let csv = |store: &str| dir.path().join(format!("customers-{store}.csv"));
    let (a, b) = (csv("file"), csv("server"));
    let [file_export, server_export] = [(&on_file, &a), (&on_server, &b)].map(|(db, out)| {
        let (ok, stdout, err) = cli(
            db,
            &[
                "export",
                "--kind",
                "customers",
                "--format",
                "csv",
                &out.display().to_string(),
            ],
        );
        assert!(ok, "{err}");
        stdout.replace(&out.display().to_string(), "OUT")
    });
    assert_eq!(server_export, file_export);
    assert_eq!(std::fs::read(&b).unwrap(), std::fs::read(&a).unwrap(), "the same bytes");
    let contact: String = admin
        .query_one(
            "SELECT id FROM contacts WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    let disclosed = both(&[
        "disclose",
        &contact,
        "--out",
        &dir.path().join("person.xlsx").display().to_string(),
    ]);
    assert!(disclosed[0].contains(" rows written to "), "{}", disclosed[0]);
    let rows = |out: &str| out.split(' ').next().unwrap().to_string();
    assert_eq!(rows(&disclosed[1]), rows(&disclosed[0]));

    // Saves, on the server as its login.
    let count = |admin: &mut postgres::Client, sql: &str| -> i64 { admin.query_one(sql, &[]).unwrap().get(0) };
    let leads = count(&mut admin, "SELECT count(*) FROM leads");
    let (ok, lead, err) = cli(
        &on_server,
        &[
            "lead",
            "add",
            "--source",
            "web_form",
            "--company",
            "新規商事",
            "--name",
            "山田 一郎",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(count(&mut admin, "SELECT count(*) FROM leads"), leads + 1);
    let company: String = admin
        .query_one(
            "SELECT name FROM companies WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    let (ok, follow_up, err) = cli(
        &on_server,
        &[
            "follow-up",
            "--to",
            "sato.k",
            "--title",
            "見積のお礼の電話",
            "--company",
            &company,
            "--in",
            "3600",
        ],
    );
    assert!(ok, "{err}");
    let (title, by): (String, String) = {
        let r = admin
            .query_one(
                "SELECT f.title, u.login FROM follow_ups f JOIN users u ON u.id = f.assignee_id WHERE f.id = $1",
                &[&follow_up.trim()],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!((title.as_str(), by.as_str()), ("見積のお礼の電話", "sato.k"));
    assert!(!lead.trim().is_empty());

    let sheet = dir.path().join("companies.csv");
    std::fs::write(&sheet, "会社名,電話番号\n株式会社コマンド商会,03-1234-5678\n").unwrap();
    let companies = count(&mut admin, "SELECT count(*) FROM companies WHERE deleted_at IS NULL");
    let (ok, imported, err) = cli(
        &on_server,
        &["import", &sheet.display().to_string(), "--kind", "companies"],
    );
    assert!(ok, "{err}");
    assert!(imported.contains("1 added"), "{imported}");
    assert_eq!(
        count(&mut admin, "SELECT count(*) FROM companies WHERE deleted_at IS NULL"),
        companies + 1
    );
    let batch = imported
        .lines()
        .find_map(|l| l.strip_prefix("batch "))
        .expect("the batch id");
    let (ok, undone, err) = cli(&on_server, &["import", "--undo", batch]);
    assert!(ok, "{err}");
    assert!(undone.starts_with("1 removed"), "{undone}");
    assert_eq!(
        count(&mut admin, "SELECT count(*) FROM companies WHERE deleted_at IS NULL"),
        companies
    );

    // The file's own care, refused before anything is done.
    for args in [&["check"][..], &["compact"], &["backup", "/tmp/never-written.db"]] {
        let (ok, _, err) = cli(&on_server, args);
        assert!(!ok && err.contains("[not_on_server]"), "{args:?}: {err}");
    }
    assert!(!Path::new("/tmp/never-written.db").exists());
}
