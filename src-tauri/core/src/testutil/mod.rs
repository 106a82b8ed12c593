//! Shared fixtures for the engine's unit tests.

use crate::clock::{to_db, Clock, FixedClock};
use crate::contracts::contract::{self, Billing, NewContract};
use crate::customers::company::{self, NewCompany};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::pipeline::deal::{self, NewDeal};
use crate::pipeline::moves::{self, MoveDeal};
use crate::pipeline::stage::{self, Stage};
use crate::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use crate::{Db, OpenOptions};
use std::path::Path;
use std::sync::Arc;

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub db: Db,
    pub clock: FixedClock,
}

/// A new team database at 2026-11-25 10:00 Tokyo time.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let opts = OpenOptions::new("tanaka", "田中 太郎").with_clock(Arc::new(clock.clone()));
    let db = Db::create(&dir.path().join("team.db"), opts).unwrap();
    Fixture { _dir: dir, db, clock }
}

pub struct Seed {
    pub pipeline_id: String,
    pub stages: Vec<Stage>,
    pub company_id: String,
}

pub fn seed_pipeline(db: &mut Db) -> Seed {
    let pipeline_id = stage::list(db.conn()).unwrap()[0].id.clone();
    let stages = stage::stages(db.conn(), &pipeline_id).unwrap();
    let company_id = db
        .write(|ctx| {
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

    pub fn deal(&self, db: &mut Db, title: &str, stage_id: String, amount: i64, currency: &str) -> String {
        let d = NewDeal {
            pipeline_id: self.pipeline_id.clone(),
            stage_id,
            company_id: self.company_id.clone(),
            title: title.into(),
            amount,
            currency: currency.into(),
            ..Default::default()
        };
        db.write(|ctx| deal::create(ctx, &d)).unwrap()
    }

    /// Moves a deal to a stage that asks for nothing (no deadline, no loss),
    /// as a drop on the board does, from the version the board showed.
    pub fn move_deal(&self, db: &mut Db, deal_id: &str, version: i64, stage_id: String) {
        let m = MoveDeal {
            deal_id: deal_id.into(),
            version,
            to_stage_id: stage_id,
            ..Default::default()
        };
        db.write(|ctx| moves::move_to(ctx, &m)).unwrap();
    }

    pub fn follow_up(&self, db: &mut Db, deal_id: &str, due_at: &str) -> String {
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
        db.write(|ctx| follow_up::create(ctx, &f)).unwrap()
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

    pub fn touch(&self, db: &mut Db, deal_id: &str, clock: &FixedClock) {
        let a = self.activity(deal_id, to_db(clock.now()), &[]);
        db.write(|ctx| activity::log(ctx, &a)).unwrap();
    }

    pub fn signal(&self, db: &mut Db, deal_id: &str, signals: &[&str]) {
        let a = self.activity(deal_id, to_db(db.clock().now()), signals);
        db.write(|ctx| activity::log(ctx, &a)).unwrap();
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
pub fn log(db: &mut Db, a: &NewActivity) -> String {
    db.write(|ctx| activity::log(ctx, a)).unwrap()
}

/// Adds a company with only a name and returns its id.
pub fn company(db: &mut Db, name: &str) -> String {
    db.write(|ctx| {
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
pub fn deal_hits(db: &Db, query: &str) -> Vec<String> {
    crate::timeline::search::search(db.conn(), query, 0, crate::language::Language::Ja)
        .unwrap()
        .deals
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// Adds a contact to a company and returns its id.
pub fn contact(db: &mut Db, company_id: &str, name: &str, email: &str) -> String {
    db.write(|ctx| {
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
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let c = NewContract {
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
    };
    f.db.write(|ctx| contract::create(ctx, &c)).unwrap()
}

/// The same team file opened by a colleague on another PC.
pub fn colleague(f: &Fixture, login: &str, name: &str) -> Db {
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
/// hand edit): `sql` runs on its own connection with the CHECK constraints off.
pub fn store_unknown(f: &Fixture, sql: &str) {
    let conn = rusqlite::Connection::open(f._dir.path().join("team.db")).unwrap();
    conn.pragma_update(None, "ignore_check_constraints", true).unwrap();
    assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
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

pub fn insert_case(db: &Db, company_id: &str, c: &Case) -> String {
    let id = crate::id::new_id();
    db.conn()
        .execute(
            "INSERT INTO support_cases (id, number, company_id, subject, category, status, received_at,
                 first_response_due, first_response_warn_at, first_response_at, resolution_due,
                 resolution_warn_at, resolved_at, created_at, updated_at)
             VALUES (?1, (SELECT COALESCE(MAX(number), 0) + 1 FROM support_cases), ?2, '件名', ?3, ?4, ?5,
                 ?6, ?6, ?7, ?8, ?8, ?9, ?5, ?5)",
            rusqlite::params![
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

/// The first column of every row `sql` returns, as text.
pub fn texts(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Every "table.column" of the schema that points at one of `tables` by a
/// foreign key, or whose name `named` accepts: what a merge test checks is
/// handled, so a table added later cannot be forgotten by a merge.
pub fn columns_naming(conn: &rusqlite::Connection, tables: &[&str], named: impl Fn(&str) -> bool) -> Vec<String> {
    let all = texts(
        conn,
        "SELECT name FROM sqlite_master
          WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%VIRTUAL%'",
    );
    let mut out = Vec::new();
    for table in &all {
        let references: Vec<String> = conn
            .prepare(&format!(
                "SELECT \"table\", \"from\" FROM pragma_foreign_key_list('{table}')"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .filter_map(|r| r.ok())
            .filter(|(to, _)| tables.contains(&to.as_str()))
            .map(|(_, from)| from)
            .collect();
        let columns = texts(conn, &format!("SELECT name FROM pragma_table_info('{table}')"));
        for column in references.into_iter().chain(columns.into_iter().filter(|c| named(c))) {
            let key = format!("{table}.{column}");
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// Makes the fixture's own member a manager (the audit trail and the
/// personal-data requests are theirs).
pub fn make_manager(db: &mut Db) {
    use crate::team::role::{self, Role};
    let me = db.member().expect("a member").clone();
    let version: i64 = db
        .conn()
        .query_row("SELECT version FROM users WHERE id = ?1", [&me.id], |r| r.get(0))
        .unwrap();
    db.write(|ctx| role::set(ctx, &me.id, version, &[Role::Sales, Role::Manager]))
        .unwrap();
}
