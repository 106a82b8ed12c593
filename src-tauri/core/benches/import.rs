//! `cargo bench -p kizuna-core --bench import`: importing a team's
//! customer list from Excel (docs/import.md, "The batch").
//!
//! Generates two workbooks with rust_xlsxwriter: 50,000 companies and
//! 100,000 contacts at them (Japanese names, phones, mail addresses). Imports
//! both into a new team file through the engine as the window does (read,
//! inspect, plan, batch), and prints for each: the time to read the
//! workbook, rows per second of the batch, and the longest single save,
//! which must stay under a second so a colleague's save never waits longer;
//! then the process's peak memory (VmHWM). Undo of the contacts batch is
//! timed too.

use kizuna_core::import::batch::{self, ImportRequest};
use kizuna_core::import::mapping::ImportKind;
use kizuna_core::import::plan::OnMatch;
use kizuna_core::import::preview;
use kizuna_core::import::source::{self, ReadOptions};
use kizuna_core::{Db, OpenOptions};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const COMPANIES: usize = 50_000;
const CONTACTS: usize = 100_000;
const FAMILY: [&str; 8] = ["佐藤", "鈴木", "髙橋", "田中", "伊藤", "渡辺", "山本", "中村"];
const GIVEN: [&str; 8] = ["一郎", "花子", "健", "美咲", "翔太", "陽菜", "大輔", "さくら"];
const INDUSTRY: [&str; 5] = ["製造", "卸売", "小売", "サービス", "建設"];

fn company(i: usize) -> String {
    format!("株式会社サンプル{i:05}")
}

fn workbook(headers: &[&str], rows: usize, cell: impl Fn(usize, usize) -> String) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for r in 0..rows {
        for c in 0..headers.len() {
            ws.write_string(r as u32 + 1, c as u16, cell(r, c)).expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn import(db: &mut Db, name: &str, bytes: &[u8], kind: ImportKind) -> batch::ImportReport {
    let started = Instant::now();
    let sheet = source::read_bytes(bytes, &ReadOptions::default()).expect("read");
    let read = started.elapsed();
    let found = preview::inspect(db.conn(), &sheet, kind, None).expect("inspect");
    let req = ImportRequest {
        kind,
        read: ReadOptions::default(),
        header_row: found.header_row,
        columns: found.columns,
        on_match: OnMatch::Skip,
        save_mapping: false,
    };
    let report = batch::run(db, name, &sheet, &req, &mut |_| {}, &AtomicBool::new(false)).expect("import");
    println!(
        "{name:<14} {:>7} rows  read {:>6.0} ms  import {:>7.0} ms  {:>7.0} rows/s  longest save {:>4} ms{}",
        report.added,
        read.as_secs_f64() * 1000.0,
        report.elapsed_ms as f64,
        report.rows_per_second,
        report.longest_write_ms,
        if report.longest_write_ms < 1000 {
            ""
        } else {
            "  ** over 1 s **"
        }
    );
    report
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("import-bench.db");
    let mut db = Db::create(&path, OpenOptions::new("bench", "ベンチ 太郎")).expect("create");

    let t = Instant::now();
    let companies = workbook(&["会社名", "業種", "住所", "電話番号"], COMPANIES, |r, c| match c {
        0 => company(r),
        1 => INDUSTRY[r % INDUSTRY.len()].to_string(),
        2 => format!("東京都千代田区丸の内{}-{}-{}", r % 9 + 1, r % 20 + 1, r % 30 + 1),
        _ => format!("03-{:04}-{:04}", r / 10_000, r % 10_000),
    });
    let contacts = workbook(
        &["会社名", "部署名", "役職", "姓", "名", "e-mail", "TEL会社"],
        CONTACTS,
        |r, c| match c {
            0 => company(r % COMPANIES),
            1 => "営業部".to_string(),
            2 => "課長".to_string(),
            3 => FAMILY[r % FAMILY.len()].to_string(),
            4 => GIVEN[(r / FAMILY.len()) % GIVEN.len()].to_string(),
            5 => format!("person{r}@sample{:05}.example", r % COMPANIES),
            _ => format!("03-{:04}-{:04}", r / 10_000, r % 10_000),
        },
    );
    println!(
        "workbooks: {} companies ({} KiB), {} contacts ({} KiB), made in {:.1} s",
        COMPANIES,
        companies.len() / 1024,
        CONTACTS,
        contacts.len() / 1024,
        t.elapsed().as_secs_f64()
    );

    let c = import(&mut db, "companies", &companies, ImportKind::Companies);
    assert_eq!(c.added as usize, COMPANIES);
    let p = import(&mut db, "contacts", &contacts, ImportKind::Contacts);
    assert_eq!((p.added as usize, p.companies_added), (CONTACTS, 0));

    let t = Instant::now();
    let undone = batch::undo(&mut db, &p.batch_id).expect("undo");
    println!(
        "undo contacts  {:>7} rows  {:>7.0} ms  {:>7.0} rows/s",
        undone.removed,
        t.elapsed().as_secs_f64() * 1000.0,
        f64::from(undone.removed) / t.elapsed().as_secs_f64()
    );
    match peak_memory_kib() {
        Some(kib) => println!("peak memory (VmHWM): {} MiB", kib / 1024),
        None => println!("peak memory: not available on this OS"),
    }
}
