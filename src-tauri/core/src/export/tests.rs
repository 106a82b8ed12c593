use super::*;
use crate::clock::Clock;
use crate::customers::company;
use crate::testutil::{company, contact, contract, fixture, seed_pipeline, Fixture};
use crate::ErrorCode;
use calamine::{open_workbook, Data, Reader, Xlsx as XlsxReader};
use std::path::PathBuf;

fn request(kind: ExportKind, format: ExportFormat) -> ExportRequest {
    ExportRequest {
        kind,
        format,
        encoding: CsvEncoding::Utf8,
        owner_id: None,
        pipeline_id: None,
    }
}

fn run(f: &Fixture, req: &ExportRequest, name: &str, lang: Language) -> Result<(ExportOutcome, PathBuf)> {
    let path = f.dir().join(name);
    let out = export(f.db.sql(), lang, f.clock.offset(), req, &path)?;
    Ok((out, path))
}

fn sheet(path: &Path) -> Vec<Vec<Data>> {
    let mut book: XlsxReader<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn customers_to_xlsx_read_back_cell_by_cell_with_typed_dates_and_neutralised_text() {
    let mut f = fixture();
    let id = company(&mut f.db, "髙﨑商事株式会社");
    f.db.write(|ctx| {
        company::update(
            ctx,
            &id,
            1,
            &company::CompanyEdit {
                name: "髙﨑商事株式会社".into(),
                name_kana: "たかさきしょうじ".into(),
                industry: "=1+1".into(),
                phone: "+81 3-1234-5678".into(),
                segment: company::Segment::Normal,
                owner_id: Some(ctx.user_id.to_string()),
                address: String::new(),
                website: String::new(),
                tags: vec!["展示会".into()],
            },
        )
    })
    .unwrap();
    let (out, path) = run(
        &f,
        &request(ExportKind::Customers, ExportFormat::Xlsx),
        "c.xlsx",
        Language::Ja,
    )
    .unwrap();
    assert_eq!(out.rows, 1);
    let rows = sheet(&path);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], Data::String("会社名".into()));
    assert_eq!(rows[0][11], Data::String("アーカイブ".into()));
    assert_eq!(rows[1][0], Data::String("髙﨑商事株式会社".into()));
    assert_eq!(rows[1][1], Data::String("たかさきしょうじ".into()));
    // Kept exactly (a string, never a formula), with Excel's text mark.
    assert_eq!(rows[1][2], Data::String("=1+1".into()));
    assert_eq!(rows[1][3], Data::String("一般".into()));
    assert_eq!(rows[1][4], Data::String("田中 太郎".into()));
    assert_eq!(rows[1][5], Data::String("+81 3-1234-5678".into()));
    assert_eq!(rows[1][8], Data::String("展示会".into()));
    assert_eq!(rows[1][11], Data::Empty);
    // Created at 10:00 Tokyo time: a real Excel date-time.
    match &rows[1][10] {
        Data::DateTime(d) => {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            assert_eq!(d.as_f64(), (day - epoch).num_days() as f64 + 10.0 / 24.0);
        }
        other => panic!("{other:?}"),
    }
    assert!(!path.with_file_name(".c.xlsx.partial").exists());
}

#[test]
fn deals_export_amounts_as_numbers_filtered_by_pipeline_and_owner() {
    let mut f = fixture();
    let s = seed_pipeline(&mut f.db);
    s.deal(&mut f.db, "基幹システム刷新", s.stage("提案"), 1_200_000, "JPY");
    s.deal(&mut f.db, "US license", s.stage("提案"), 12_345, "USD");
    let me = f.db.user().id.clone();
    f.db.sql()
        .execute(
            "UPDATE deals SET owner_id = ?1 WHERE title = 'US license'",
            sql::params![&me],
        )
        .unwrap();
    let (out, path) = run(
        &f,
        &request(ExportKind::Deals, ExportFormat::Xlsx),
        "d.xlsx",
        Language::En,
    )
    .unwrap();
    assert_eq!(out.rows, 2);
    let rows = sheet(&path);
    assert_eq!(rows[0][0], Data::String("Deal".into()));
    assert_eq!(rows[1][0], Data::String("基幹システム刷新".into()));
    assert_eq!(rows[1][3], Data::String("提案".into()));
    assert_eq!(rows[1][4], Data::Float(1_200_000.0));
    assert_eq!(rows[2][4], Data::Float(123.45));
    assert_eq!(rows[2][5], Data::String("USD".into()));

    let mut other = request(ExportKind::Deals, ExportFormat::Csv);
    other.pipeline_id = Some("no-such-pipeline".into());
    assert_eq!(run(&f, &other, "none.csv", Language::En).unwrap().0.rows, 0);
    other.pipeline_id = Some(s.pipeline_id.clone());
    other.owner_id = Some(me);
    assert_eq!(run(&f, &other, "mine.csv", Language::En).unwrap().0.rows, 1);
    other.owner_id = Some("someone-else".into());
    assert_eq!(run(&f, &other, "theirs.csv", Language::En).unwrap().0.rows, 0);
}

#[test]
fn deleted_records_are_not_exported() {
    let mut f = fixture();
    let a = company(&mut f.db, "残る会社");
    let b = company(&mut f.db, "消えた会社");
    contact(&mut f.db, &a, "山田 花子", "");
    contact(&mut f.db, &b, "消えた人", "");
    f.db.write(|ctx| company::delete(ctx, &b, 1, true)).unwrap();
    let (_, path) = run(
        &f,
        &request(ExportKind::Contacts, ExportFormat::Csv),
        "c.csv",
        Language::Ja,
    )
    .unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text,
        "\u{FEFF}\"会社名\",\"氏名\",\"フリガナ\",\"役職\",\"メール\",\"電話番号\",\"配信停止\"\r\n\"残る会社\",\"山田 花子\",\"\",\"\",\"\",\"\",\"いいえ\"\r\n"
    );
}

#[test]
fn an_unencodable_character_fails_the_export_and_leaves_no_file() {
    let mut f = fixture();
    company(&mut f.db, "𠮷野商店");
    let mut req = request(ExportKind::Customers, ExportFormat::Csv);
    req.encoding = CsvEncoding::Sjis;
    let path = f.dir().join("sjis.csv");
    let e = export(f.db.sql(), Language::Ja, f.clock.offset(), &req, &path).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unencodable);
    assert_eq!(
        e.payload().current.unwrap(),
        serde_json::json!({ "row": 2, "column": "会社名", "character": "𠮷" })
    );
    assert!(!path.exists());
    assert!(!path.with_file_name(".sjis.csv.partial").exists());
}

#[test]
fn more_rows_than_a_page_all_arrive_once_in_order() {
    let mut f = fixture();
    let n = PAGE as usize * 2 + 7;
    f.db.write(|ctx| {
        for i in 0..n {
            company::create(
                ctx,
                &company::NewCompany {
                    name: format!("会社{i:04}"),
                    ..Default::default()
                },
            )?;
        }
        Ok(())
    })
    .unwrap();
    let (out, path) = run(
        &f,
        &request(ExportKind::Customers, ExportFormat::Csv),
        "many.csv",
        Language::Ja,
    )
    .unwrap();
    assert_eq!(out.rows, n as u64);
    let text = std::fs::read_to_string(path).unwrap();
    let names: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    let expected: Vec<String> = (0..n).map(|i| format!("\"会社{i:04}\"")).collect();
    assert_eq!(names, expected);
}

#[test]
fn renewal_work_becomes_all_day_events_with_stable_uids() {
    let mut f = fixture();
    let s = seed_pipeline(&mut f.db);
    let k = contract(&mut f, &s.company_id, "2026-01-01", "2027-03-31", 600_000);
    let req = request(ExportKind::Contracts, ExportFormat::Ics);
    let (out, path) = run(&f, &req, "r.ics", Language::Ja).unwrap();
    let first = std::fs::read_to_string(&path).unwrap();
    // The hearing and proposal follow-ups, and the contract's last day.
    assert_eq!(out.rows, 3, "{first}");
    assert!(first.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(first.contains(&format!("UID:contract-end-{k}@kizuna\r\n")));
    assert!(first.contains("DTSTART;VALUE=DATE:20270331\r\nDTEND;VALUE=DATE:20270401\r\n"));
    assert!(first.contains("SUMMARY:契約終了: 株式会社テスト クラウド会計 年額\r\n"));
    assert!(first.lines().all(|l| l.len() <= 75));
    // The same export again: the same events, so a calendar updates them.
    let (_, again) = run(&f, &req, "r2.ics", Language::Ja).unwrap();
    assert_eq!(std::fs::read_to_string(again).unwrap(), first);

    let e = run(
        &f,
        &request(ExportKind::Deals, ExportFormat::Ics),
        "x.ics",
        Language::Ja,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Invalid);
}

#[test]
fn an_export_reads_the_team_file_through_its_own_connection_while_the_desktop_has_it_open() {
    let mut f = fixture();
    company(&mut f.db, "山田商事");
    let path = f.dir().join("own.csv");
    let req = request(ExportKind::Customers, ExportFormat::Csv);
    let own = crate::store::reader::Reader::open(&f.source()).unwrap();
    let out = export(own.sql(), Language::Ja, f.clock.offset(), &req, &path).unwrap();
    assert_eq!(out.rows, 1);
    // The desktop writes on meanwhile.
    company(&mut f.db, "次の会社");
}
