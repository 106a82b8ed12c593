//! `make bench`: follow-up sequences on a team file with 100,000 contacts
//! and 20,000 of them enrolled (docs/sequences.md), against the bare SQL on
//! the same file.
//!
//! Builds a team database in a temporary file: 10,000 customers with ten
//! contacts each, ten members, one sequence, 20,000 contacts enrolled with
//! their next step spread over the coming month (one in a hundred due now),
//! and 200,000 timeline entries. Then times
//!  (a) the next due steps of one member after a change: `enrolment::due_of`
//!      (the join with the sequence, its steps parsed) and `stop::check` on
//!      each due one (what the runner does before any step), against the
//!      same SELECTs run bare, reading every column and building nothing;
//!  (b) a touch logged at a customer: `stop::after_touch` (its active
//!      enrolments and their stop checks, in a transaction rolled back)
//!      against its SELECTs run bare.
//! Warm-up runs first, then 20 runs interleaved; median and 95th percentile
//! and the ratio are printed.

use chrono::Duration;
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::sequences::definition::{self, SequenceInput, Step};
use kizuna_core::sequences::{enrolment, stop};
use kizuna_core::store::write::WriteCtx;
use kizuna_core::{Db, FixedClock, OpenOptions};
use rusqlite::{params, Connection};
use std::sync::Arc;
use std::time::Instant;

const COMPANIES: usize = 10_000;
const CONTACTS_EACH: usize = 10;
const ENROLLED: usize = 20_000;
const MEMBERS: usize = 10;
const ACTIVITIES: usize = 200_000;
const WARM_UP: usize = 3;
const RUNS: usize = 20;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sequences.db");
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let opts = || OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let mut db = Db::create(&path, opts()).expect("create database");
    let started = Instant::now();
    populate(&mut db, &clock);
    eprintln!(
        "built {} in {:.1} s ({:.1} MB)",
        path.display(),
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
    );
    drop(db);
    let db = Db::open(&path, opts()).expect("open");
    let conn = db.conn();
    let me = db.member().expect("member").id.clone();
    let now = to_db(clock.now());
    let due = enrolment::due_of(conn, &me, &now).expect("due");
    let mine: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sequence_enrolments WHERE owner_id = ?1 AND status = 'active'",
            [&me],
            |r| r.get(0),
        )
        .expect("count");
    // A customer with enrolled contacts.
    let company: String = conn
        .query_row(
            "SELECT company_id FROM sequence_enrolments GROUP BY company_id ORDER BY COUNT(*) DESC, company_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("company");
    eprintln!("{mine} active enrolments are this member's, {} due now", due.len());

    let time = |f: &dyn Fn()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1e3
    };
    let next = || {
        for e in enrolment::due_of(conn, &me, &now).expect("due") {
            std::hint::black_box(stop::check(conn, &e).expect("check"));
        }
    };
    let next_bare = || bare_next(conn, &me, &now);
    let touch = || {
        let tx = conn.unchecked_transaction().expect("tx");
        let changes = std::cell::RefCell::new(Vec::new());
        let ctx = WriteCtx::on_file(
            &tx,
            &changes,
            &me,
            now.clone(),
            &clock,
            kizuna_core::language::Language::Ja,
        );
        stop::after_touch(&ctx, &company).expect("after touch");
        tx.rollback().expect("rollback");
    };
    let touch_bare = || bare_touch(conn, &company);
    for _ in 0..WARM_UP {
        time(&next);
        time(&next_bare);
        time(&touch);
        time(&touch_bare);
    }
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        a.push(time(&next));
        b.push(time(&next_bare));
        c.push(time(&touch));
        d.push(time(&touch_bare));
    }
    let report = |what: &str, engine: &mut [f64], sql: &mut [f64]| {
        let (em, ep) = stats(engine);
        let (sm, sp) = stats(sql);
        println!(
            "{what}: engine median {em:.2} ms (p95 {ep:.2}), bare SQL median {sm:.2} ms (p95 {sp:.2}), ratio {:.2}",
            em / sm
        );
    };
    println!(
        "follow-up sequences, {} contacts, {ENROLLED} enrolled, {ACTIVITIES} timeline entries:",
        COMPANIES * CONTACTS_EACH
    );
    report("  one member's next due steps after a change", &mut a, &mut b);
    report("  a touch at a customer (stop conditions)", &mut c, &mut d);
}

const ANSWER: &str = "SELECT direction, signals, kind, text_kind FROM activities
  WHERE company_id = ?1 AND deleted_at IS NULL AND occurred_at >= ?2
    AND (direction = 'inbound' OR signals <> '[]' OR kind = 'meeting')
  ORDER BY occurred_at, id LIMIT 1";
const BOOKED: &str = "SELECT 1 FROM follow_ups
  WHERE company_id = ?1 AND kind = 'appointment' AND created_at >= ?2 AND deleted_at IS NULL LIMIT 1";

/// The SELECTs of a stop check, read raw.
fn bare_check(conn: &Connection, company: &str, contact: &str, started: &str) {
    let mut st = conn
        .prepare_cached("SELECT deleted_at FROM contacts WHERE id = ?1")
        .expect("prepare");
    let mut rows = st.query([contact]).expect("query");
    while let Some(r) = rows.next().expect("row") {
        std::hint::black_box(r.get_ref(0).expect("column"));
    }
    for sql in [ANSWER, BOOKED] {
        let mut st = conn.prepare_cached(sql).expect("prepare");
        let mut rows = st.query(params![company, started]).expect("query");
        while let Some(r) = rows.next().expect("row") {
            std::hint::black_box(r.get_ref(0).expect("column"));
        }
    }
}

const ROW: &str = "SELECT e.id, e.sequence_id, s.name, s.language, s.steps, e.target_kind, e.target_id,
        e.company_id, e.contact_id, e.deal_id, e.deal_stage_id, e.owner_id, e.status, e.step_index, e.due_at,
        e.waiting, e.last_error, e.follow_up_id, e.confirmed_step, e.claimed_at, e.stop_reason, e.stopped_at,
        e.started_at, e.version
   FROM sequence_enrolments e JOIN sequences s ON s.id = e.sequence_id";

fn bare_rows(conn: &Connection, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Vec<(String, String, String)> {
    let mut st = conn.prepare_cached(sql).expect("prepare");
    let mut rows = st.query(p).expect("query");
    let mut out = Vec::new();
    while let Some(r) = rows.next().expect("row") {
        for i in 0..24 {
            std::hint::black_box(r.get_ref(i).expect("column"));
        }
        out.push((
            r.get::<_, String>(7).expect("company"),
            r.get::<_, String>(8).expect("contact"),
            r.get::<_, String>(22).expect("started"),
        ));
    }
    out
}

fn bare_next(conn: &Connection, me: &str, now: &str) {
    let sql = format!(
        "{ROW} WHERE e.owner_id = ?1 AND e.status = 'active' AND e.deleted_at IS NULL AND e.due_at <= ?2
          ORDER BY e.due_at, e.id"
    );
    for (company, contact, started) in bare_rows(conn, &sql, &[&me, &now]) {
        bare_check(conn, &company, &contact, &started);
    }
}

fn bare_touch(conn: &Connection, company: &str) {
    let sql = format!("{ROW} WHERE e.company_id = ?1 AND e.status = 'active' AND e.deleted_at IS NULL ORDER BY e.id");
    for (company, contact, started) in bare_rows(conn, &sql, &[&company]) {
        bare_check(conn, &company, &contact, &started);
    }
}

fn stats(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[(v.len() * 95 / 100).min(v.len() - 1)])
}

fn populate(db: &mut Db, clock: &FixedClock) {
    let me = db.member().expect("member").id.clone();
    let seq = db
        .write(|ctx| {
            definition::create(
                ctx,
                &SequenceInput {
                    name: "資料請求後フォロー".into(),
                    language: kizuna_core::language::Language::Ja,
                    steps: vec![
                        Step::Mail {
                            subject: "{{会社名}} 資料のご案内".into(),
                            body: "{{ご担当者名}}\n\n{{署名}}".into(),
                            automatic: true,
                        },
                        Step::Wait { days: 3 },
                        Step::Call { note: String::new() },
                    ],
                },
            )
        })
        .expect("sequence");
    let now = clock.now();
    let t0 = to_db(now);
    db.write(|ctx| {
        let tx = ctx.tx()?;
        let mut members = vec![me.clone()];
        for m in 1..MEMBERS {
            let id = format!("member-{m:02}");
            tx.execute(
                "INSERT INTO users (id, login, display_name, created_at, updated_at) VALUES (?1, ?1, ?1, ?2, ?2)",
                params![id, t0],
            )?;
            members.push(id);
        }
        let mut company = tx.prepare(
            "INSERT INTO companies (id, name, name_kana, owner_id, created_at, updated_at) VALUES (?1, ?2, '', ?3, ?4, ?4)",
        )?;
        let mut contact = tx.prepare(
            "INSERT INTO contacts (id, company_id, name, email, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?;
        let mut enrol = tx.prepare(
            "INSERT INTO sequence_enrolments (id, sequence_id, target_kind, target_id, company_id, contact_id, owner_id,
                                              status, step_index, due_at, started_at, created_at, updated_at)
             VALUES (?1, ?2, 'contact', ?3, ?4, ?3, ?5, 'active', 0, ?6, ?7, ?7, ?7)",
        )?;
        let mut activity = tx.prepare(
            "INSERT INTO activities (id, company_id, kind, direction, occurred_at, summary, author_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, '電話', ?6, ?5, ?5)",
        )?;
        let mut enrolled = 0;
        for c in 0..COMPANIES {
            let cid = format!("company-{c:05}");
            let owner = &members[c % MEMBERS];
            company.execute(params![cid, format!("株式会社サンプル{c}"), owner, t0])?;
            for k in 0..CONTACTS_EACH {
                let pid = format!("contact-{c:05}-{k}");
                contact.execute(params![pid, cid, format!("担当 {c}-{k}"), format!("p{c}k{k}@example.co.jp"), t0])?;
                // Two contacts of each customer enrolled.
                if k < 2 && enrolled < ENROLLED {
                    let n = enrolled;
                    // One in a hundred due now; the rest over the next month.
                    let due = if n % 100 == 0 {
                        now - Duration::minutes(5)
                    } else {
                        now + Duration::minutes((n % 43_200) as i64)
                    };
                    let started = to_db(now - Duration::days((n % 20) as i64));
                    enrol.execute(params![format!("enrolment-{n:05}"), seq, pid, cid, owner, to_db(due), started])?;
                    enrolled += 1;
                }
            }
        }
        for a in 0..ACTIVITIES {
            let c = (a * 7919) % COMPANIES;
            let at = to_db(now - Duration::minutes((a % 525_600) as i64));
            let (kind, direction) = if a % 10 == 0 { ("email", "inbound") } else { ("call", "outbound") };
            activity.execute(params![format!("activity-{a:06}"), format!("company-{c:05}"), kind, direction, at, me])?;
        }
        Ok(())
    })
    .expect("populate");
}
