//! `kizuna export` as an admin runs it: a real process writing a real file,
//! read back with an independent reader (calamine) cell by cell.

use calamine::{open_workbook, Data, Reader, Xlsx};
use kizuna_core::customers::company::{self, NewCompany};
use kizuna_core::pipeline::deal::{self, NewDeal};
use kizuna_core::pipeline::stage;
use kizuna_core::{Db, OpenOptions};
use std::path::Path;
use std::process::{Command, Output};

fn kizuna(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kizuna"))
        .args(args)
        .output()
        .expect("run kizuna")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A team file with one customer and one deal whose values are known.
fn team_file(path: &Path) {
    let mut db = Db::create(path, OpenOptions::new("tanaka", "田中 太郎")).unwrap();
    let pipeline = stage::list(db.conn()).unwrap()[0].id.clone();
    let first = stage::stages(db.conn(), &pipeline).unwrap()[0].clone();
    let company_id = db
        .write(|ctx| {
            company::create(
                ctx,
                &NewCompany {
                    name: "髙﨑工業株式会社".into(),
                    name_kana: "たかさきこうぎょう".into(),
                    industry: "@製造".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    db.write(|ctx| {
        deal::create(
            ctx,
            &NewDeal {
                pipeline_id: pipeline.clone(),
                stage_id: first.id.clone(),
                company_id: company_id.clone(),
                title: "=生産管理システム".into(),
                amount: 3_300_000,
                currency: "JPY".into(),
                expected_close: chrono::NaiveDate::from_ymd_opt(2027, 3, 31),
                ..Default::default()
            },
        )
    })
    .unwrap();
}

fn rows(path: &Path) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    assert_eq!(book.sheet_names().len(), 1);
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn export_deals_to_xlsx_gives_the_cells_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    team_file(&db);
    let out_path = dir.path().join("案件.xlsx");
    let out = kizuna(&[
        "--db",
        db.to_str().unwrap(),
        "export",
        "--kind",
        "deals",
        "--format",
        "xlsx",
        "--lang",
        "ja",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("exported 1 rows"), "{}", text(&out));
    let rows = rows(&out_path);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0][..8],
        [
            "案件名",
            "会社名",
            "パイプライン",
            "ステージ",
            "金額",
            "通貨",
            "担当者",
            "受注予定日"
        ]
        .map(|h| Data::String(h.into()))
    );
    // Formula-like text stays text (the workbook marks it, the value is exact).
    assert_eq!(rows[1][0], Data::String("=生産管理システム".into()));
    assert_eq!(rows[1][1], Data::String("髙﨑工業株式会社".into()));
    assert_eq!(rows[1][4], Data::Float(3_300_000.0));
    assert_eq!(rows[1][5], Data::String("JPY".into()));
    match &rows[1][7] {
        // 2027-03-31 as an Excel serial date.
        Data::DateTime(d) => assert_eq!(d.as_f64(), 46477.0),
        other => panic!("not a date: {other:?}"),
    }

    // The header row bold, frozen and filtered; the formula-like title a
    // string cell with Excel's quote-prefix mark, never a formula.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out_path).unwrap()).unwrap();
    let part = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let sheet = part(&mut zip, "xl/worksheets/sheet1.xml");
    let styles = part(&mut zip, "xl/styles.xml");
    assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#));
    assert!(sheet.contains(r#"<autoFilter ref="A1:O2"/>"#), "{sheet}");
    assert!(!sheet.contains("<f>"), "no formula anywhere");
    let title = sheet.split(r#"<c r="A2""#).nth(1).unwrap();
    let style: usize = title.split('"').nth(1).unwrap().parse().unwrap();
    let xfs: Vec<&str> = styles.split("<cellXfs").nth(1).unwrap().split("<xf ").skip(1).collect();
    assert!(xfs[style].contains(r#"quotePrefix="1""#), "{}", xfs[style]);
    let header_style: usize = sheet
        .split(r#"<c r="A1" s=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let font: usize = xfs[header_style]
        .split(r#"fontId=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let fonts: Vec<&str> = styles.split("<fonts").nth(1).unwrap().split("<font>").skip(1).collect();
    assert!(fonts[font].starts_with("<b/>"), "the header is bold: {}", fonts[font]);
}

#[test]
fn export_customers_to_shift_jis_csv_and_a_bad_flag_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    team_file(&db);
    let csv = dir.path().join("customers.csv");
    let db_s = db.to_str().unwrap();
    let out = kizuna(&[
        "--db",
        db_s,
        "export",
        "--kind",
        "customers",
        "--format",
        "csv",
        "--encoding",
        "sjis",
        "--lang",
        "en",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\"Company\",\"Reading\",\"Industry\""));
    // 髙 (FB FC) and 﨑 (FA B1) as Windows' Shift_JIS writes them, then the
    // industry neutralised.
    let line = bytes.split(|b| *b == b'\n').nth(1).unwrap();
    assert!(line.starts_with(&[b'"', 0xFB, 0xFC, 0xFA, 0xB1]), "{line:x?}");
    assert!(line.windows(3).any(|w| w == b"\"'@"), "{line:x?}");

    let out = kizuna(&["--db", db_s, "export", "--kind", "invoices", "--format", "csv", "x.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("[invalid]"), "{}", text(&out));
}
