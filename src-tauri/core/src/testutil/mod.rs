//! Shared fixtures for the engine's unit tests.

use crate::clock::{to_db, Clock, FixedClock};
use crate::contracts::contract::{self, Billing, NewContract};
use crate::customers::company::{self, NewCompany};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::language::Language;
use crate::pipeline::deal::{self, NewDeal};
use crate::pipeline::moves::{self, MoveDeal};
use crate::pipeline::stage::{self, Stage};
use crate::store::server::ServerDb;
use crate::store::sql::{self, Sql};
use crate::store::team_db::TeamDb;
use crate::store::write::{Saves, Store};
use crate::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use crate::{Db, OpenOptions};
use server::TestTeam;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod server;

/// A team of the tests' own, on the store this run tests: a team file, or
/// a database on the team server `KIZUNA_TEST_STORE` names (the same tests
/// run on both: `make engine-test`).
pub struct Fixture {
    pub db: TeamDb,
    pub clock: FixedClock,
    /// After `db`: the fixture's connection closes before its team goes
    /// (a test that takes the fixture apart keeps it as `_keep`).
    pub _keep: Keep,
}

/// What a fixture keeps for as long as its test runs: its team, and a
/// folder of the test's own for the files it writes.
pub struct Keep {
    team: Team,
    dir: tempfile::TempDir,
}

impl Keep {
    /// [`Fixture::source`].
    pub fn source(&self) -> crate::store::changes::Source {
        self.team.source()
    }
}

enum Team {
    File(PathBuf),
    Server(Box<TestTeam>),
}

impl Team {
    fn source(&self) -> crate::store::changes::Source {
        match self {
            Team::File(path) => crate::store::changes::Source::File(path.clone()),
            Team::Server(team) => crate::store::changes::Source::Server(Box::new(team.as_member("tanaka"))),
        }
    }
}

/// A new team at 2026-11-25 10:00 Tokyo time, begun by 田中 太郎 (`tanaka`)
/// in Japanese.
pub fn fixture() -> Fixture {
    fixture_in(Language::Ja)
}

/// [`fixture`], begun in `language`.
pub fn fixture_in(language: Language) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    match server::admin() {
        None => {
            let path = dir.path().join("team.db");
            let opts = OpenOptions::new("tanaka", "田中 太郎")
                .with_clock(Arc::new(clock.clone()))
                .with_language(language);
            let db = TeamDb::File(Db::create(&path, opts).unwrap());
            Fixture {
                db,
                clock,
                _keep: Keep {
                    team: Team::File(path),
                    dir,
                },
            }
        }
        Some(admin) => {
            let team = TestTeam::new(&admin);
            let db = member_of(&team, "tanaka", "田中 太郎", &clock, language);
            Fixture {
                db,
                clock,
                _keep: Keep {
                    team: Team::Server(Box::new(team)),
                    dir,
                },
            }
        }
    }
}

/// `login` on the test team's server, joined as `name` (the first member
/// to join begins the team, as a file's creator does).
fn member_of(team: &TestTeam, login: &str, name: &str, clock: &FixedClock, language: Language) -> TeamDb {
    let mut db = ServerDb::open(&team.as_member(login), Arc::new(clock.clone()), language).unwrap();
    db.join_named(name).unwrap();
    TeamDb::Server(db)
}

impl Fixture {
    pub fn on_server(&self) -> bool {
        matches!(self._keep.team, Team::Server(_))
    }

    /// Where the team is, as a desktop's background work and readers open
    /// it: the file, or the server as the fixture's member.
    pub fn source(&self) -> crate::store::changes::Source {
        self._keep.source()
    }

    /// A folder of the test's own, for the files it writes.
    pub fn dir(&self) -> &Path {
        self._keep.dir.path()
    }
}

/// A team file and nothing else: for what only the file has (its recovery,
/// locking, encryption, backups), which the server's tests cover apart.
pub struct FileFixture {
    pub _dir: tempfile::TempDir,
    pub db: Db,
    pub clock: FixedClock,
}

/// [`fixture`]'s team, always in a file.
pub fn file_fixture() -> FileFixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let opts = OpenOptions::new("tanaka", "田中 太郎").with_clock(Arc::new(clock.clone()));
    let db = Db::create(&dir.path().join("team.db"), opts).unwrap();
    FileFixture { _dir: dir, db, clock }
}

pub struct Seed {
    pub pipeline_id: String,
    pub stages: Vec<Stage>,
    pub company_id: String,
}

pub fn seed_pipeline(db: &mut impl Store) -> Seed {
    let pipeline_id = stage::list(db.sql()).unwrap()[0].id.clone();
    let stages = stage::stages(db.sql(), &pipeline_id).unwrap();
    let company_id = db
        .save(|ctx| {
            company::create(
                ctx,
                &NewCompany {
                    name: "株式会社テスト".into(),
                    name_kana: "てすと".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    Seed {
        pipeline_id,
        stages,
        company_id,
    }
}

impl Seed {
    pub fn stage(&self, name: &str) -> String {
        self.stages
            .iter()
            .find(|s| s.name == name)
            .expect("stage exists")
            .id
            .clone()
    }

    pub fn deal(&self, db: &mut impl Store, title: &str, stage_id: String, amount: i64, currency: &str) -> String {
        let d = NewDeal {
            pipeline_id: self.pipeline_id.clone(),
            stage_id,
            company_id: self.company_id.clone(),
            title: title.into(),
            amount,
            currency: currency.into(),
            ..Default::default()
        };
        db.save(|ctx| deal::create(ctx, &d)).unwrap()
    }

    /// Moves a deal to a stage that asks for nothing (no deadline, no loss),
    /// as a drop on the board does, from the version the board showed.
    pub fn move_deal(&self, db: &mut impl Store, deal_id: &str, version: i64, stage_id: String) {
        let m = MoveDeal {
            deal_id: deal_id.into(),
            version,
            to_stage_id: stage_id,
            ..Default::default()
        };
        db.save(|ctx| moves::move_to(ctx, &m)).unwrap();
    }

    pub fn follow_up(&self, db: &mut impl Store, deal_id: &str, due_at: &str) -> String {
        let f = NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: "フォロー".into(),
            due_at: due_at.into(),
            assignee_id: None,
            company_id: Some(self.company_id.clone()),
            deal_id: Some(deal_id.into()),
            contract_id: None,
            activity_id: None,
        };
        db.save(|ctx| follow_up::create(ctx, &f)).unwrap()
    }

    fn activity(&self, deal_id: &str, at: String, signals: &[&str]) -> NewActivity {
        NewActivity {
            company_id: self.company_id.clone(),
            contact_ids: Vec::new(),
            deal_id: Some(deal_id.into()),
            kind: ActivityKind::Call,
            direction: Some(Direction::Outbound),
            occurred_at: at,
            summary: "電話".into(),
            body: String::new(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: signals.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn touch(&self, db: &mut impl Store, deal_id: &str, clock: &FixedClock) {
        let a = self.activity(deal_id, to_db(clock.now()), &[]);
        db.save(|ctx| activity::log(ctx, &a)).unwrap();
    }

    pub fn signal(&self, db: &mut impl Store, deal_id: &str, signals: &[&str]) {
        let a = self.activity(deal_id, to_db(db.clock().now()), signals);
        db.save(|ctx| activity::log(ctx, &a)).unwrap();
    }
}

/// A timeline entry with only the essentials filled in.
pub fn entry(company_id: &str, kind: ActivityKind, occurred_at: &str, summary: &str) -> NewActivity {
    NewActivity {
        company_id: company_id.into(),
        contact_ids: Vec::new(),
        deal_id: None,
        kind,
        direction: Some(Direction::Outbound),
        occurred_at: occurred_at.into(),
        summary: summary.into(),
        body: String::new(),
        minutes: String::new(),
        next_todos: String::new(),
        next_appointment_at: None,
        signals: Vec::new(),
    }
}

/// Logs `a` as the database's user and returns the entry id.
pub fn log(db: &mut impl Store, a: &NewActivity) -> String {
    db.save(|ctx| activity::log(ctx, a)).unwrap()
}

/// Adds a company with only a name and returns its id.
pub fn company(db: &mut impl Store, name: &str) -> String {
    db.save(|ctx| {
        company::create(
            ctx,
            &NewCompany {
                name: name.into(),
                ..Default::default()
            },
        )
    })
    .unwrap()
}

/// The ids of the deals a global search finds.
pub fn deal_hits(db: &impl Store, query: &str) -> Vec<String> {
    crate::timeline::search::search(db.sql(), query, 0, crate::language::Language::Ja)
        .unwrap()
        .deals
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// Adds a contact to a company and returns its id.
pub fn contact(db: &mut impl Store, company_id: &str, name: &str, email: &str) -> String {
    db.save(|ctx| {
        crate::customers::contact::create_contact(
            ctx,
            &crate::customers::contact::NewContact {
                company_id: company_id.into(),
                name: name.into(),
                email: email.into(),
                ..Default::default()
            },
        )
    })
    .unwrap()
}

/// A yearly contract of `company_id` from `start` to `end` (YYYY-MM-DD), in yen.
pub fn contract(f: &mut Fixture, company_id: &str, start: &str, end: &str, amount: i64) -> String {
    let c = yearly(company_id, start, end, amount);
    f.db.save(|ctx| contract::create(ctx, &c)).unwrap()
}

/// What [`contract`] saves, for a test that creates or edits with it.
pub fn yearly(company_id: &str, start: &str, end: &str, amount: i64) -> NewContract {
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    NewContract {
        company_id: company_id.into(),
        deal_id: None,
        plan: "クラウド会計 年額".into(),
        start_date: day(start),
        end_date: day(end),
        auto_renew: false,
        amount,
        currency: "JPY".into(),
        billing: Billing::Annual,
        notice_days: 30,
        owner_id: None,
        hearing_days: None,
        proposal_days: None,
    }
}

/// The same team opened by a colleague on another PC: the file as their
/// login, or the server as their own role.
pub fn colleague(f: &Fixture, login: &str, name: &str) -> TeamDb {
    match &f._keep.team {
        Team::File(path) => {
            let opts = OpenOptions::new(login, name).with_clock(Arc::new(f.clock.clone()));
            TeamDb::File(Db::open(path, opts).unwrap())
        }
        Team::Server(team) => member_of(team, login, name, &f.clock, OpenOptions::new(login, name).language),
    }
}

/// [`colleague`] on a [`FileFixture`]'s file.
pub fn file_colleague(f: &FileFixture, login: &str, name: &str) -> Db {
    let opts = OpenOptions::new(login, name).with_clock(Arc::new(f.clock.clone()));
    Db::open(f.db.path(), opts).unwrap()
}

/// Asserts an `Invalid { field, reason }` error.
pub fn assert_invalid<T: std::fmt::Debug>(r: crate::Result<T>, field: &str, reason: &str) {
    match r {
        Err(crate::Error::Invalid { field: f, reason: r }) => assert_eq!((f, r), (field, reason)),
        other => panic!("expected invalid {field}/{reason}, got {other:?}"),
    }
}

/// A file with a hot journal, made the way a crash makes one: a save
/// whose pages no longer fit in the cache spills them into the file
/// (after the journal was synced), and the process dies before commit.
/// The process that dies is this test binary run again for
/// [`crash_helper`] alone, so the test itself survives.
pub fn crash_mid_save(path: &Path) {
    crash_mid_save_keyed(path, None)
}

/// [`crash_mid_save`] on a file encrypted with `passphrase`, which the
/// dying process is given as the CLI would be.
pub fn crash_mid_save_keyed(path: &Path, passphrase: Option<&str>) {
    let mut helper = std::process::Command::new(std::env::current_exe().unwrap());
    helper
        .args(["--exact", "testutil::crash_helper", "--nocapture", "--test-threads=1"])
        .env("KIZUNA_CRASH_FILE", path);
    if let Some(p) = passphrase {
        helper.env("KIZUNA_PASSPHRASE", p);
    }
    let out = helper.output().unwrap();
    assert!(!out.status.success(), "the helper died mid-save");
    let journal = std::fs::read(crate::store::recovery::journal_path(path)).expect("the crash left a journal");
    assert_eq!(
        &journal[..8],
        &[0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7],
        "a hot journal"
    );
}

/// Stores what this Kizuna never writes (a value from a newer version, or a
/// hand edit): `sql` runs on its own connection with the CHECK constraints
/// off (on the server, the admin drops those of the table `sql` changes).
pub fn store_unknown(f: &Fixture, sql: &str) {
    match &f._keep.team {
        Team::File(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.pragma_update(None, "ignore_check_constraints", true).unwrap();
            assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
        }
        Team::Server(team) => {
            let words: Vec<&str> = sql.split_whitespace().collect();
            let table = match words.as_slice() {
                [update, table, ..] if update.eq_ignore_ascii_case("UPDATE") => *table,
                [_, _, table, ..] => *table,
                _ => panic!("{sql}"),
            };
            team.alter();
            let mut admin = crate::store::server::connect(&team.as_admin()).unwrap();
            let checks: Vec<String> = admin
                .query(
                    "SELECT conname::text FROM pg_constraint WHERE conrelid = $1::text::regclass AND contype = 'c'",
                    &[&table],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            for c in checks {
                admin
                    .batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT \"{c}\""))
                    .unwrap();
            }
            assert_eq!(
                admin
                    .execute(&crate::store::sql::for_server(sql), sql::params![])
                    .unwrap(),
                1,
                "{sql}"
            );
        }
    }
}

/// The read refused the stored value, naming its table, row and value.
pub fn assert_unknown<T: std::fmt::Debug>(r: crate::Result<T>, table: &str, id: &str, value: &str) {
    match r {
        Err(e @ crate::Error::UnknownValue { .. }) => {
            assert_eq!(e.code(), crate::ErrorCode::UnknownValue);
            let crate::Error::UnknownValue {
                table: t,
                id: i,
                value: v,
            } = e
            else {
                unreachable!()
            };
            assert_eq!((t, i.as_str(), v.as_str()), (table, id, value));
        }
        other => panic!("expected unknown_value on {table} {id}, got {other:?}"),
    }
}

/// Not a test of its own: the body of [`crash_mid_save`]'s process.
#[test]
fn crash_helper() {
    let Some(path) = std::env::var_os("KIZUNA_CRASH_FILE") else {
        return;
    };
    // An encrypted file: its key from the environment, as any process.
    crate::store::cipher::ensure_unlocked(Path::new(&path)).unwrap();
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "cache_size", 2).unwrap();
    // Changed pages of existing rows, and enough new ones to overflow the
    // cache whatever the file's size: all rolled back by the recovery.
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         UPDATE companies SET address = 'half a save';
         CREATE TABLE crash_filler (x TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
         INSERT INTO crash_filler SELECT printf('%.3000c', 'x') FROM n;
         UPDATE companies SET address = 'the other half';",
    )
    .unwrap();
    std::process::abort();
}

/// A case as the support engine would store it (written here by SQL so
/// the arithmetic is tested apart from how cases are opened).
pub struct Case<'a> {
    pub category: &'a str,
    pub status: &'a str,
    pub received_at: &'a str,
    pub first_response_due: &'a str,
    pub first_response_at: Option<&'a str>,
    pub resolution_due: &'a str,
    pub resolved_at: Option<&'a str>,
}

impl Default for Case<'_> {
    fn default() -> Self {
        // Received and answered well within its targets, a week ago.
        Case {
            category: "question",
            status: "resolved",
            received_at: "2026-11-18T01:00:00Z",
            first_response_due: "2026-11-18T05:00:00Z",
            first_response_at: Some("2026-11-18T02:00:00Z"),
            resolution_due: "2026-11-20T05:00:00Z",
            resolved_at: Some("2026-11-19T02:00:00Z"),
        }
    }
}

pub fn insert_case(db: &impl Store, company_id: &str, c: &Case) -> String {
    let id = crate::id::new_id();
    db.sql()
        .execute(
            "INSERT INTO support_cases (id, number, company_id, subject, category, status, received_at,
                 first_response_due, first_response_warn_at, first_response_at, resolution_due,
                 resolution_warn_at, resolved_at, created_at, updated_at)
             VALUES (?1, (SELECT COALESCE(MAX(number), 0) + 1 FROM support_cases), ?2, '件名', ?3, ?4, ?5,
                 ?6, ?6, ?7, ?8, ?8, ?9, ?5, ?5)",
            sql::params![
                id,
                company_id,
                c.category,
                c.status,
                c.received_at,
                c.first_response_due,
                c.first_response_at,
                c.resolution_due,
                c.resolved_at
            ],
        )
        .unwrap();
    id
}

/// The first column of every row `query` returns, as text.
pub fn texts(conn: Sql, query: &str) -> Vec<String> {
    conn.query(query, &[], |r| r.get(0)).unwrap()
}

/// Every "table.column" of the schema that points at one of `tables` by a
/// foreign key, or whose name `named` accepts: what a merge test checks is
/// handled, so a table added later cannot be forgotten by a merge. Read
/// from the store's own catalogue.
pub fn columns_naming(conn: Sql, tables: &[&str], named: impl Fn(&str) -> bool) -> Vec<String> {
    let catalogue = match conn {
        Sql::File(_) => {
            "SELECT m.name, c.name, f.\"table\" FROM sqlite_master m
               JOIN pragma_table_info(m.name) c
               LEFT JOIN pragma_foreign_key_list(m.name) f ON f.\"from\" = c.name
              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.sql NOT LIKE '%VIRTUAL%'
              ORDER BY m.rowid, c.cid"
        }
        Sql::Server(_) => {
            "SELECT c.relname::text, a.attname::text, r.relname::text FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY (k.conkey)
               LEFT JOIN pg_class r ON r.oid = k.confrelid
              WHERE c.relkind = 'r' AND c.relname <> 'kizuna_schema'
              ORDER BY c.oid, a.attnum"
        }
    };
    let mut out = Vec::new();
    let rows = conn
        .query(catalogue, &[], |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<Option<String>>(2)?))
        })
        .unwrap();
    for (table, column, to) in rows {
        let points = to.is_some_and(|to| tables.contains(&to.as_str()));
        let key = format!("{table}.{column}");
        if (points || named(&column)) && !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// Makes the fixture's own member a manager (the audit trail and the
/// personal-data requests are theirs).
pub fn make_manager(db: &mut impl Store) {
    use crate::team::role::{self, Role};
    let me = db.member().expect("a member").clone();
    let version: i64 = db
        .sql()
        .query_one("SELECT version FROM users WHERE id = ?1", sql::params![&me.id], |r| {
            r.get(0)
        })
        .unwrap();
    db.save(|ctx| role::set(ctx, &me.id, version, &[Role::Sales, Role::Manager]))
        .unwrap();
}
