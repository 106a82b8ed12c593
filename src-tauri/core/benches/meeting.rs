//! `make bench`: the weekly meeting (reports::meeting) on a large team file:
//! 10,000 open deals, 50,000 closed ones, 1,000,000 timeline entries of
//! which 200,000 are stage changes over two years, 5,000 open follow-ups,
//! 8 members. Prints the median and 95th percentile of the whole report
//! (this week, with every section) and of a past week (moved and lost only),
//! each through the report's own read-only connection as the command runs it.
//! Rows are written with plain INSERTs in one transaction: the figures are
//! about reading, and the domain's write path would take an hour here.

#[path = "common/mod.rs"]
mod common;

use chrono::{Duration, NaiveDate};
use kizuna_core::clock::{to_db, Clock};
use kizuna_core::pipeline::stage::{self, StageKind};
use kizuna_core::reports::meeting::{self, At};
use kizuna_core::store::changes::Source;
use kizuna_core::store::reader::Reader;
use kizuna_core::{Db, FixedClock, OpenOptions};
use rusqlite::params;
use std::sync::Arc;
use std::time::Instant;

const MEMBERS: usize = 8;
const OPEN: usize = 10_000;
const CLOSED: usize = 50_000;
const ENTRIES: usize = 1_000_000;
const STAGE_CHANGES: usize = 200_000;
const FOLLOW_UPS: usize = 5_000;
const RUNS: usize = 10;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("meeting.db");
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let opts = OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let mut db = Db::create(&path, opts).expect("create database");
    let started = Instant::now();
    populate(&mut db, &clock);
    eprintln!(
        "built in {:.1} s ({:.0} MB)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
    );
    drop(db);
    let at = At {
        now: clock.now(),
        offset: clock.offset(),
    };
    let past = NaiveDate::from_ymd_opt(2026, 6, 10);
    // As the command reads it: a read-only connection of its own per call.
    let place = Source::File(path.clone());
    let meeting_of = |week| meeting::meeting(Reader::open(&place)?.sql(), &at, week);
    let m = meeting_of(None).expect("meeting");
    let count = |m: &meeting::Meeting| -> [usize; 5] {
        m.members.iter().fold([0; 5], |mut a, x| {
            a[0] += x.moved.len();
            a[1] += x.cold.len();
            a[2] += x.deadlines.len();
            a[3] += x.lost.len();
            a[4] += x.overdue.len();
            a
        })
    };
    let [moved, cold, deadlines, lost, overdue] = count(&m);
    let (now_med, now_p95) = common::time(RUNS, || meeting_of(None).expect("meeting").members.len());
    let (past_med, past_p95) = common::time(RUNS, || meeting_of(past).expect("meeting").members.len());
    println!(
        "meeting on {OPEN} open / {CLOSED} closed deals, {ENTRIES} timeline entries: this week \
         (moved {moved}, cold {cold}, deadlines {deadlines}, lost {lost}, overdue {overdue}) median {now_med:.1} ms \
         p95 {now_p95:.1} ms; a past week (moved and lost) median {past_med:.1} ms p95 {past_p95:.1} ms"
    );
}

fn populate(db: &mut Db, clock: &FixedClock) {
    let pipeline = stage::list(db.conn()).expect("pipelines")[0].id.clone();
    let stages = stage::stages(db.conn(), &pipeline).expect("stages");
    let open: Vec<_> = stages.iter().filter(|s| s.kind == StageKind::Open).collect();
    let won = stages.iter().find(|s| s.kind == StageKind::Won).expect("won");
    let lost = stages.iter().find(|s| s.kind == StageKind::Lost).expect("lost");
    let now = clock.now();
    let at = |days_ago: f64| to_db(now - Duration::seconds((days_ago * 86_400.0) as i64));
    db.write(|ctx| {
        let tx = ctx.tx()?;
        let mut members = Vec::new();
        for m in 0..MEMBERS {
            let id = format!("u{m}");
            tx.execute(
                "INSERT INTO users (id, login, display_name, created_at, updated_at) VALUES (?1, ?1, ?2, ?3, ?3)",
                params![id, format!("メンバー{m}"), ctx.now],
            )?;
            members.push(id);
        }
        tx.execute(
            "INSERT INTO companies (id, name, name_kana, created_at, updated_at) VALUES ('c', '株式会社ベンチ', 'べんち', ?1, ?1)",
            [&ctx.now],
        )?;
        let mut deal = tx.prepare(
            "INSERT INTO deals (id, pipeline_id, stage_id, company_id, title, amount, owner_id, position, decision_deadline,
                                stage_entered_at, lost_at, lost_reason, won_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'c', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?9, ?9)",
        )?;
        let mut ids = Vec::with_capacity(OPEN + CLOSED);
        for i in 0..OPEN + CLOSED {
            let id = format!("d{i:06}");
            let (stage, entered, lost_at, won_at) = if i < OPEN {
                (open[i % open.len()], at((i % 60) as f64), None, None)
            } else if i % 3 == 0 {
                let when = at((i % 700) as f64 + 0.5);
                (lost, when.clone(), Some(when), None)
            } else {
                let when = at((i % 700) as f64 + 0.5);
                (won, when.clone(), None, Some(when))
            };
            let deadline = stage.is_closing.then(|| (clock.today() + Duration::days((i % 20) as i64 - 5)).to_string());
            deal.execute(params![
                id,
                pipeline,
                stage.id,
                format!("案件{i}"),
                (i as i64 % 50 + 1) * 100_000,
                members[i % MEMBERS],
                i as f64,
                deadline,
                entered,
                lost_at,
                lost_at.as_ref().map(|_| "価格"),
                won_at,
            ])?;
            ids.push(id);
        }
        let mut entry = tx.prepare(
            "INSERT INTO activities (id, company_id, deal_id, kind, occurred_at, summary, body, created_at, updated_at)
             VALUES (?1, 'c', ?2, ?3, ?4, '', ?5, ?4, ?4)",
        )?;
        for i in 0..ENTRIES {
            let change = i % (ENTRIES / STAGE_CHANGES) == 0;
            let when = at((i % 730) as f64 + (i % 24) as f64 / 24.0);
            let body = if change {
                r#"{"from":"提案","to":"見積"}"#
            } else {
                ""
            };
            entry.execute(params![
                format!("a{i:07}"),
                ids[i % ids.len()],
                if change { "stage_change" } else { "call" },
                when,
                body
            ])?;
        }
        let mut follow = tx.prepare(
            "INSERT INTO follow_ups (id, kind, title, due_at, assignee_id, company_id, status, created_at, updated_at)
             VALUES (?1, 'follow_up', 'フォロー', ?2, ?3, 'c', 'open', ?2, ?2)",
        )?;
        for i in 0..FOLLOW_UPS {
            follow.execute(params![
                format!("f{i:05}"),
                at((i % 40) as f64 - 20.0),
                members[i % MEMBERS]
            ])?;
        }
        Ok(())
    })
    .expect("populate");
}
