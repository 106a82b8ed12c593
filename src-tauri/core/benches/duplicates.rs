//! `make bench`: possible duplicates over 50,000 companies (docs/duplicates.md).
//!
//! Builds a team database in a temporary file: 50,000 companies with
//! distinct names, readings, phones and websites, 100,000 contacts with
//! their own mail addresses, and 2% of the companies planted again as a
//! second spelling (the legal form moved, full-width letters, the phone
//! with +81, the reading in katakana). Then times `pairs::list` for
//! companies and for contacts (warm-up first, median and p95 of the runs)
//! and checks that every planted pair is found.

mod common;

use kizuna_core::dedupe::pairs::{self, DuplicateKind};
use kizuna_core::{Db, FixedClock, OpenOptions};
use rusqlite::params;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

const COMPANIES: usize = 50_000;
const CONTACTS_PER_COMPANY: usize = 2;
/// One company in fifty typed a second time.
const PLANT_EVERY: usize = 50;
const RUNS: usize = 10;

/// A readable name per number: kanji words, so the keys are realistic.
fn name(i: usize) -> String {
    const A: [&str; 20] = [
        "山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本", "松本", "井上",
        "木村", "林", "清水", "山崎", "森", "池田",
    ];
    const B: [&str; 10] = [
        "商事",
        "工業",
        "物産",
        "製作所",
        "システム",
        "不動産",
        "建設",
        "電機",
        "食品",
        "運輸",
    ];
    format!("{}{}{}", A[i % 20], B[(i / 20) % 10], i / 200)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("duplicates.db");
    let clock = FixedClock::at("2026-11-25T10:00:00+09:00");
    let opts = || OpenOptions::new("bench", "ベンチ").with_clock(Arc::new(clock.clone()));
    let db = Db::create(&path, opts()).expect("create database");
    let started = Instant::now();
    let planted = populate(&db);
    eprintln!(
        "built {} companies (+{} planted) and {} contacts in {:.1} s",
        COMPANIES,
        planted.len(),
        COMPANIES * CONTACTS_PER_COMPANY,
        started.elapsed().as_secs_f64()
    );
    drop(db);
    let db = Db::open(&path, opts()).expect("open");
    let conn = db.conn();

    let list = pairs::list(conn, DuplicateKind::Companies).expect("pairs");
    let (median, p95) = common::time(RUNS, || {
        pairs::list(conn, DuplicateKind::Companies).expect("pairs").total as usize
    });
    // Every planted pair is among all pairs (not only the first page).
    let all: HashSet<(String, String)> = pairs::all(conn, DuplicateKind::Companies)
        .expect("pairs")
        .into_iter()
        .map(|p| (p.first.id, p.second.id))
        .collect();
    let found = planted
        .iter()
        .filter(|(a, b)| all.contains(&(a.clone(), b.clone())) || all.contains(&(b.clone(), a.clone())))
        .count();
    println!(
        "duplicates over {} companies: median {median:.0} ms (p95 {p95:.0}), {} pairs found, {} of {} planted pairs among them",
        COMPANIES + planted.len(),
        list.total,
        found,
        planted.len()
    );
    let (median, p95) = common::time(RUNS, || {
        pairs::list(conn, DuplicateKind::Contacts).expect("pairs").total as usize
    });
    let contacts = pairs::list(conn, DuplicateKind::Contacts).expect("pairs");
    println!(
        "duplicates over {} contacts: median {median:.0} ms (p95 {p95:.0}), {} pairs found",
        COMPANIES * CONTACTS_PER_COMPANY,
        contacts.total
    );
}

/// The companies, their contacts and the planted second spellings, in one
/// transaction (a bench's set-up, not the app's write path). Returns the
/// planted (original, copy) ids.
fn populate(db: &Db) -> Vec<(String, String)> {
    let conn = db.conn();
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    let mut planted = Vec::new();
    {
        let mut company = conn
            .prepare(
                "INSERT INTO companies (id, name, name_kana, phone, website, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )
            .expect("prepare");
        let mut contact = conn
            .prepare(
                "INSERT INTO contacts (id, company_id, name, email, phone, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, '', ?5, ?5)",
            )
            .expect("prepare");
        for i in 0..COMPANIES {
            let id = format!("c{i:06}");
            let at = format!("2020-01-01T00:00:{:02}Z", i % 60);
            let phone = format!("03-{:04}-{:04}", 1000 + i / 10_000, i % 10_000);
            let kana = format!("かいしゃ{i}");
            company
                .execute(params![
                    id,
                    format!("株式会社{}", name(i)),
                    kana,
                    phone,
                    format!("https://www.c{i}.co.jp"),
                    at
                ])
                .expect("company");
            for n in 0..CONTACTS_PER_COMPANY {
                contact
                    .execute(params![
                        format!("p{i:06}-{n}"),
                        id,
                        format!("担当{n} {i}"),
                        format!("person{n}@c{i}.co.jp"),
                        at
                    ])
                    .expect("contact");
            }
            if i % PLANT_EVERY == 0 {
                let copy = format!("d{i:06}");
                company
                    .execute(params![
                        copy,
                        format!("{}（株）", name(i)),
                        format!("カイシャ{i}"),
                        format!("+81-3-{:04}-{:04}", 1000 + i / 10_000, i % 10_000),
                        "",
                        "2024-06-01T00:00:00Z"
                    ])
                    .expect("copy");
                planted.push((id, copy));
            }
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
    planted
}
