//! The import against files made the way Excel and the card services make
//! them, generated here (no binary fixtures in the repository).

use super::batch::{self, ImportRefusalReason, ImportReport, ImportRequest};
use super::encoding::TextEncoding;
use super::mapping::{ImportField, ImportKind};
use super::plan::{ImportRowAction, OnMatch};
use super::preview::{inspect, preview};
use super::source::{read_bytes, Delimiter, FileFormat, ReadOptions};
use super::value::ImportProblemCode;
use crate::contracts::contract;
use crate::customers::company;
use crate::customers::contact;
use crate::store::sql;
use crate::store::team_db::TeamDb;
use crate::testutil::{colleague, fixture, seed_pipeline};
use std::sync::atomic::AtomicBool;

fn sjis(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad, "all of it is in CP932");
    bytes.into_owned()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn request(db: &TeamDb, bytes: &[u8], kind: ImportKind, on_match: OnMatch) -> ImportRequest {
    let sheet = read_bytes(bytes, &ReadOptions::default()).unwrap();
    let i = inspect(db.sql(), &sheet, kind, None).unwrap();
    ImportRequest {
        kind,
        read: ReadOptions::default(),
        header_row: i.header_row,
        columns: i.columns,
        on_match,
        save_mapping: false,
    }
}

fn import_with(db: &mut TeamDb, bytes: &[u8], req: &ImportRequest) -> ImportReport {
    let sheet = read_bytes(bytes, &req.read).unwrap();
    batch::run(db, "file", &sheet, req, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

fn import(db: &mut TeamDb, bytes: &[u8], kind: ImportKind) -> ImportReport {
    let req = request(db, bytes, kind, OnMatch::Skip);
    import_with(db, bytes, &req)
}

fn count(db: &TeamDb, table: &str) -> i64 {
    db.sql()
        .query_one(
            &format!("SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL"),
            &[],
            |r| r.get(0),
        )
        .unwrap()
}

/// (name, industry, address, phone) of every live company, by name.
fn companies(db: &TeamDb) -> Vec<(String, String, String, String)> {
    db.sql()
        .query(
            "SELECT name, industry, address, phone FROM companies WHERE deleted_at IS NULL ORDER BY name",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

/// A company list as Excel in Japan saves it as CSV: Shift_JIS, CRLF, a
/// title line and a blank line above the header, quoted cells with a
/// comma and a line break, CP932-only characters.
const EXCEL_COMPANIES: &str = "顧客一覧（2024年4月現在）\r\n\r\n会社名,業種,住所,電話番号\r\n株式会社髙田製作所,製造,\"東京都大田区1-2-3\r\n髙田ビル2F\",03-1111-2222\r\n\"﨑山商事, 有限会社\",卸売,大阪府大阪市北区①番地,06-3333-4444\r\n";

#[test]
fn a_shift_jis_csv_as_excel_writes_it_is_stored_exactly() {
    let mut f = fixture();
    let bytes = sjis(EXCEL_COMPANIES);
    let sheet = read_bytes(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(sheet.format, FileFormat::Text);
    assert_eq!(sheet.encoding, Some(TextEncoding::ShiftJis));
    assert_eq!(sheet.delimiter, Some(Delimiter::Comma));
    let i = inspect(f.db.sql(), &sheet, ImportKind::Companies, None).unwrap();
    assert_eq!(i.header_row, 2);
    assert_eq!(
        i.columns,
        vec![
            Some(ImportField::CompanyName),
            Some(ImportField::Industry),
            Some(ImportField::Address),
            Some(ImportField::Phone)
        ]
    );
    let report = import(&mut f.db, &bytes, ImportKind::Companies);
    assert_eq!((report.added, report.skipped, report.failed.len()), (2, 0, 0));
    assert_eq!(
        companies(&f.db),
        vec![
            (
                "株式会社髙田製作所".to_string(),
                "製造".to_string(),
                "東京都大田区1-2-3\r\n髙田ビル2F".to_string(),
                "03-1111-2222".to_string()
            ),
            (
                "﨑山商事, 有限会社".to_string(),
                "卸売".to_string(),
                "大阪府大阪市北区①番地".to_string(),
                "06-3333-4444".to_string()
            ),
        ]
    );
}

#[test]
fn utf16_tab_text_and_utf8_with_a_bom_read_the_same() {
    let text = "会社名\t業種\t電話\r\n株式会社山田商店\t小売\t0120-000-111\r\n";
    for bytes in [
        utf16le_with_bom(text),
        [&[0xEF, 0xBB, 0xBF][..], text.replace('\t', ",").as_bytes()].concat(),
    ] {
        let mut f = fixture();
        let report = import(&mut f.db, &bytes, ImportKind::Companies);
        assert_eq!(report.added, 1);
        assert_eq!(
            companies(&f.db),
            vec![(
                "株式会社山田商店".into(),
                "小売".into(),
                String::new(),
                "0120-000-111".into()
            )]
        );
    }
}

#[test]
fn a_re_run_of_the_same_file_adds_nothing_and_legal_forms_match() {
    let mut f = fixture();
    let bytes = sjis(EXCEL_COMPANIES);
    import(&mut f.db, &bytes, ImportKind::Companies);
    let again = import(&mut f.db, &bytes, ImportKind::Companies);
    assert_eq!((again.added, again.planned.skip_existing), (0, 2));
    assert_eq!(count(&f.db, "companies"), 2);
    // The same company written another way (（株）, half-width) is the same company.
    let other = "会社名,業種\n（株）髙田製作所,製造\n";
    let third = import(&mut f.db, other.as_bytes(), ImportKind::Companies);
    assert_eq!((third.added, third.planned.skip_existing), (0, 1));
    assert_eq!(count(&f.db, "companies"), 2);
}

#[test]
fn rows_repeated_in_one_file_are_added_once() {
    let mut f = fixture();
    let csv = "会社名,電話\n株式会社青木,03-1234-5678\n青木株式会社,03-1234-5678\n";
    let report = import(&mut f.db, csv.as_bytes(), ImportKind::Companies);
    assert_eq!((report.added, report.planned.skip_duplicate), (1, 1));
}

#[test]
fn a_match_updates_the_files_fields_when_asked_and_undo_puts_them_back() {
    let mut f = fixture();
    import(
        &mut f.db,
        "会社名,業種\n株式会社青木,\n".as_bytes(),
        ImportKind::Companies,
    );
    let csv = "会社名,業種,住所\n青木(株),建設,札幌市\n".as_bytes();
    let req = request(&f.db, csv, ImportKind::Companies, OnMatch::Update);
    let report = import_with(&mut f.db, csv, &req);
    assert_eq!(report.updated, 1);
    assert_eq!(
        companies(&f.db),
        vec![("株式会社青木".into(), "建設".into(), "札幌市".into(), String::new())]
    );
    let undone = batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!(undone.restored, 1);
    assert_eq!(
        companies(&f.db),
        vec![("株式会社青木".into(), String::new(), String::new(), String::new())]
    );
}

#[test]
fn undo_restores_the_files_counts() {
    let mut f = fixture();
    seed_pipeline(&mut f.db);
    let before = (count(&f.db, "companies"), count(&f.db, "contacts"));
    let csv = "会社名,氏名,メール\n株式会社テスト,佐藤 一郎,sato@test.example\n新規株式会社,鈴木 花子,suzuki@new.example\n新規株式会社,高橋 次郎,takahashi@new.example\n";
    let report = import(&mut f.db, csv.as_bytes(), ImportKind::Contacts);
    assert_eq!((report.added, report.companies_added), (3, 1));
    assert_eq!(
        (count(&f.db, "companies"), count(&f.db, "contacts")),
        (before.0 + 1, before.1 + 3)
    );
    let undone = batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!((undone.removed, undone.refused.len()), (4, 0));
    assert_eq!((count(&f.db, "companies"), count(&f.db, "contacts")), before);
    let again = batch::undo(&mut f.db, &report.batch_id).unwrap_err();
    assert_eq!(again.code(), crate::ErrorCode::ImportBatchClosed);
}

#[test]
fn undo_refuses_a_row_a_colleague_changed_and_keeps_its_company() {
    let mut f = fixture();
    let csv = "会社名,氏名\n株式会社北,北 一郎\n株式会社南,南 花子\n";
    let report = import(&mut f.db, csv.as_bytes(), ImportKind::Contacts);
    let kita: String =
        f.db.sql()
            .query_one("SELECT id FROM contacts WHERE name = '北 一郎'", &[], |r| r.get(0))
            .unwrap();
    let mut suzuki = colleague(&f, "suzuki", "鈴木");
    let c = contact::contact(suzuki.sql(), &kita).unwrap();
    let edit = contact::ContactEdit {
        name: c.name.clone(),
        title: "部長".into(),
        ..Default::default()
    };
    suzuki
        .write(|ctx| contact::update_contact(ctx, &kita, c.version, &edit))
        .unwrap();

    let undone = batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!(undone.removed, 2, "南 花子 and 株式会社南");
    let reasons: Vec<(String, ImportRefusalReason, Option<String>)> = undone
        .refused
        .iter()
        .map(|r| (r.name.clone(), r.reason, r.by.clone()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                "北 一郎".to_string(),
                ImportRefusalReason::ChangedSince,
                Some("鈴木".to_string())
            ),
            ("株式会社北".to_string(), ImportRefusalReason::HasRecords, None),
        ]
    );
    assert_eq!(count(&f.db, "contacts"), 1);
    assert_eq!(count(&f.db, "companies"), 1);
}

#[test]
fn undo_keeps_an_imported_company_a_colleague_logged_a_touch_on() {
    let mut f = fixture();
    let report = import(&mut f.db, "会社名\n株式会社東\n".as_bytes(), ImportKind::Companies);
    let higashi: String =
        f.db.sql()
            .query_one("SELECT id FROM companies WHERE name = '株式会社東'", &[], |r| {
                r.get(0)
            })
            .unwrap();
    // A colleague called them after the import: that touch must not be left
    // on a removed customer.
    let mut suzuki = colleague(&f, "suzuki", "鈴木");
    crate::testutil::log(
        &mut suzuki,
        &crate::testutil::entry(
            &higashi,
            crate::timeline::activity::ActivityKind::Call,
            "2026-11-24T10:00:00+09:00",
            "導入時期の確認",
        ),
    );
    let undone = batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!(undone.removed, 0);
    assert_eq!(
        undone.refused.iter().map(|r| r.reason).collect::<Vec<_>>(),
        vec![ImportRefusalReason::HasRecords]
    );
    assert_eq!(count(&f.db, "companies"), 1);
}

#[test]
fn sansan_and_eight_exports_become_contacts_at_their_companies() {
    let mut f = fixture();
    let sansan = "会社名,部署名,役職,氏名,氏名（カナ）,メールアドレス,郵便番号,住所,TEL,FAX,携帯電話,URL,名刺交換日,所有者\r\n株式会社さくら物産,営業部,部長,佐藤 健,サトウ ケン,sato@sakura.example,100-0001,東京都千代田区1-1,03-1000-2000,,090-1111-2222,https://sakura.example,2024/04/01,田中\r\n";
    let sheet = read_bytes(&sjis(sansan), &ReadOptions::default()).unwrap();
    let i = inspect(f.db.sql(), &sheet, ImportKind::Contacts, None).unwrap();
    assert_eq!(i.layout, super::layout::ImportLayout::Sansan);
    import(&mut f.db, &sjis(sansan), ImportKind::Contacts);
    let eight = "会社名,部署名,役職,姓,名,e-mail,郵便番号,住所,TEL会社,TEL部門,TEL直通,Fax,携帯電話,URL,名刺交換日\r\n株式会社さくら物産,総務部,課長,髙橋,美咲,takahashi@sakura.example,,,03-1000-2000,,03-1000-2999,,080-3333-4444,,2024/05/10\r\n";
    let sheet = read_bytes(eight.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(
        inspect(f.db.sql(), &sheet, ImportKind::Contacts, None).unwrap().layout,
        super::layout::ImportLayout::Eight
    );
    import(&mut f.db, eight.as_bytes(), ImportKind::Contacts);

    assert_eq!(count(&f.db, "companies"), 1, "one company for both cards");
    let company_id: String =
        f.db.sql()
            .query_one("SELECT id FROM companies", &[], |r| r.get(0))
            .unwrap();
    let co = company::get(f.db.sql(), &company_id).unwrap();
    assert_eq!(
        (co.address.as_str(), co.website.as_str()),
        ("東京都千代田区1-1", "https://sakura.example")
    );
    let people: Vec<(String, String, String, String, String)> = contact::contacts_of(f.db.sql(), &company_id)
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.name_kana, c.title, c.email, c.phone))
        .collect();
    assert_eq!(
        people,
        vec![
            (
                "佐藤 健".into(),
                "サトウ ケン".into(),
                "営業部 部長".into(),
                "sato@sakura.example".into(),
                "03-1000-2000".into()
            ),
            (
                "髙橋 美咲".into(),
                String::new(),
                "総務部 課長".into(),
                "takahashi@sakura.example".into(),
                "03-1000-2000".into()
            ),
        ]
    );
}

#[test]
fn broken_rows_are_shown_with_their_problems_and_not_imported() {
    let mut f = fixture();
    seed_pipeline(&mut f.db);
    let csv = "取引先名,案件名,ステージ,金額,受注予定日,担当者\n\
               株式会社テスト,基幹更新,提案,\"1,200,000円\",令和6年4月1日,田中 太郎\n\
               株式会社テスト,追加案件,謎のステージ,１２０万円,2024/13/40,山本\n\
               ,名無し案件,提案,abc,,\n\
               株式会社テスト,受注済み,受注,100,,\n";
    let sheet = read_bytes(csv.as_bytes(), &ReadOptions::default()).unwrap();
    let i = inspect(f.db.sql(), &sheet, ImportKind::Deals, None).unwrap();
    let p = preview(
        f.db.sql(),
        f.db.clock().offset(),
        &sheet,
        ImportKind::Deals,
        i.header_row,
        &i.columns,
        OnMatch::Skip,
    )
    .unwrap();
    let problems: Vec<(u32, ImportRowAction, Vec<ImportProblemCode>)> = p
        .rows
        .iter()
        .map(|r| (r.line, r.action, r.problems.iter().map(|x| x.code).collect()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (2, ImportRowAction::New, vec![]),
            (
                3,
                ImportRowAction::Error,
                vec![
                    ImportProblemCode::UnknownOwner,
                    ImportProblemCode::BadDate,
                    ImportProblemCode::UnknownStage
                ]
            ),
            (
                4,
                ImportRowAction::Error,
                vec![ImportProblemCode::BadAmount, ImportProblemCode::Required]
            ),
            (5, ImportRowAction::Error, vec![ImportProblemCode::ClosedStage]),
        ]
    );
    assert_eq!(
        p.rows[0].values,
        vec![
            "株式会社テスト",
            "基幹更新",
            "提案",
            "1200000",
            "2024-04-01",
            "田中 太郎",
            ""
        ]
    );
    let before = count(&f.db, "deals");
    let report = import(&mut f.db, csv.as_bytes(), ImportKind::Deals);
    assert_eq!((report.added, report.skipped), (1, 3));
    assert_eq!(count(&f.db, "deals"), before + 1);
    let (amount, close, owner): (i64, String, String) =
        f.db.sql()
            .query_one(
                "SELECT d.amount, d.expected_close, u.display_name FROM deals d JOIN users u ON u.id = d.owner_id
              WHERE d.title = '基幹更新'",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
    assert_eq!(
        (amount, close.as_str(), owner.as_str()),
        (1_200_000, "2024-04-01", "田中 太郎")
    );
}

#[test]
fn an_xlsx_with_dates_as_serials_and_as_text_imports_both() {
    let mut f = fixture();
    seed_pipeline(&mut f.db);
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("案件").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy/mm/dd");
    for (c, h) in ["会社名", "案件名", "金額", "受注予定日"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "株式会社エクセル").unwrap();
    ws.write_string(1, 1, "シリアル日付").unwrap();
    ws.write_number(1, 2, 500000.0).unwrap();
    ws.write_number_with_format(1, 3, 45383.0, &date).unwrap();
    ws.write_string(2, 0, "株式会社エクセル").unwrap();
    ws.write_string(2, 1, "文字の日付").unwrap();
    ws.write_string(2, 2, "￥800,000").unwrap();
    ws.write_string(2, 3, "令和6年5月1日").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let sheet = read_bytes(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(
        (sheet.format, sheet.sheets.clone()),
        (FileFormat::Xlsx, vec!["案件".to_string()])
    );
    let report = import(&mut f.db, &bytes, ImportKind::Deals);
    assert_eq!((report.added, report.companies_added), (2, 1));
    let deals: Vec<(String, i64, String)> = f
        .db
        .sql()
        .query(
            "SELECT title, amount, expected_close FROM deals WHERE title IN ('シリアル日付', '文字の日付') ORDER BY amount",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        deals,
        vec![
            ("シリアル日付".into(), 500_000, "2024-04-01".into()),
            ("文字の日付".into(), 800_000, "2024-05-01".into())
        ]
    );
    let unknown = read_bytes(
        &bytes,
        &ReadOptions {
            sheet: Some("なし".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(unknown.code(), crate::ErrorCode::ImportUnknownSheet);
}

#[test]
fn a_saved_mapping_is_offered_for_the_same_layout() {
    let mut f = fixture();
    let csv = "得意先,区分\n株式会社みどり,A\n".as_bytes();
    let mut req = request(&f.db, csv, ImportKind::Companies, OnMatch::Skip);
    assert_eq!(req.columns, vec![None, None]);
    req.columns = vec![Some(ImportField::CompanyName), None];
    req.save_mapping = true;
    import_with(&mut f.db, csv, &req);
    let sheet = read_bytes("得意先,区分\n株式会社あお,B\n".as_bytes(), &ReadOptions::default()).unwrap();
    let i = inspect(f.db.sql(), &sheet, ImportKind::Companies, Some(0)).unwrap();
    assert!(i.saved_mapping);
    assert_eq!(i.columns, vec![Some(ImportField::CompanyName), None]);
}

#[test]
fn a_cancelled_import_keeps_what_it_wrote_as_an_undoable_batch() {
    let mut f = fixture();
    let mut csv = String::from("会社名\n");
    for i in 0..450 {
        csv.push_str(&format!("株式会社テスト{i:04}\n"));
    }
    let req = request(&f.db, csv.as_bytes(), ImportKind::Companies, OnMatch::Skip);
    let sheet = read_bytes(csv.as_bytes(), &req.read).unwrap();
    let cancel = AtomicBool::new(false);
    let mut heard = Vec::new();
    let report = batch::run(
        &mut f.db,
        "big.csv",
        &sheet,
        &req,
        &mut |p| {
            heard.push(p.done);
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        },
        &cancel,
    )
    .unwrap();
    assert_eq!(report.status, batch::ImportBatchStatus::Cancelled);
    assert_eq!(heard, vec![200]);
    assert_eq!(count(&f.db, "companies"), 200);
    let listed = batch::list(f.db.sql()).unwrap();
    assert_eq!((listed[0].file_name.as_str(), listed[0].added), ("big.csv", 200));
    batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!(count(&f.db, "companies"), 0);
}

#[test]
fn a_file_that_is_not_text_or_a_workbook_is_refused_by_name() {
    let png = [0x89, b'P', b'N', b'G', 0, 0, 0, 0x0D];
    assert_eq!(
        read_bytes(&png, &ReadOptions::default()).unwrap_err().code(),
        crate::ErrorCode::ImportUnreadable
    );
    let broken_zip = b"PK\x03\x04not really a workbook";
    assert_eq!(
        read_bytes(broken_zip, &ReadOptions::default()).unwrap_err().code(),
        crate::ErrorCode::ImportUnreadable
    );
}

/// A log of past touches as Excel in Japan writes it: Shift_JIS, CRLF, a
/// title line, a quoted body with a comma and a line break, kinds in
/// Japanese and English, dates in three forms, and three broken rows.
const EXCEL_TOUCHES: &str = "対応履歴（2024年度）\r\n日付,会社名,種別,内容,詳細,担当者\r\n2024/4/1,（株）髙田製作所,商談,新製品の提案,\"価格表を送付、\r\n次回デモ\",髙田 一郎\r\n令和6年5月10日,株式会社髙田製作所,電話,見積の確認,,\r\n2024-06-03,髙田製作所,Meeting,Demo at the plant,,\r\n2024/13/1,株式会社髙田製作所,電話,月が13,,\r\n2024/7/1,株式会社髙田製作所,FAX,ファクス,,\r\n2024/7/2,株式会社不明,電話,知らない会社,,\r\n";

/// (occurred_at, kind, summary, body, contact) of a company's live entries, oldest first.
fn entries(db: &TeamDb, company_id: &str) -> Vec<(String, String, String, String, Option<String>)> {
    db.sql()
        .query(
            "SELECT occurred_at, kind, summary, body, contact_id FROM activities
              WHERE company_id = ?1 AND deleted_at IS NULL ORDER BY occurred_at",
            sql::params![company_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
}

fn last_contact(db: &TeamDb, company_id: &str) -> Option<String> {
    db.sql()
        .query_one(
            "SELECT last_contact_at FROM companies WHERE id = ?1",
            sql::params![company_id],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn past_touches_from_a_shift_jis_log_go_on_the_timeline_exactly() {
    let mut f = fixture();
    let takada = crate::testutil::company(&mut f.db, "株式会社髙田製作所");
    let ichiro = crate::testutil::contact(&mut f.db, &takada, "髙田 一郎", "");
    let bytes = sjis(EXCEL_TOUCHES);
    let sheet = read_bytes(&bytes, &ReadOptions::default()).unwrap();
    let i = inspect(f.db.sql(), &sheet, ImportKind::Touches, None).unwrap();
    use ImportField::*;
    assert_eq!(i.header_row, 1);
    assert_eq!(
        i.columns,
        vec![
            Some(OccurredOn),
            Some(CompanyName),
            Some(TouchKind),
            Some(Summary),
            Some(Body),
            Some(ContactName)
        ]
    );
    let p = preview(
        f.db.sql(),
        f.db.clock().offset(),
        &sheet,
        ImportKind::Touches,
        i.header_row,
        &i.columns,
        OnMatch::Skip,
    )
    .unwrap();
    let problems: Vec<(u32, Vec<ImportProblemCode>)> = p
        .rows
        .iter()
        .filter(|r| !r.problems.is_empty())
        .map(|r| (r.line, r.problems.iter().map(|x| x.code).collect()))
        .collect();
    // Lines as Excel numbers them: the quoted body spans one cell, not two lines.
    assert_eq!(
        problems,
        vec![
            (6, vec![ImportProblemCode::BadDate]),
            (7, vec![ImportProblemCode::UnknownKind]),
            (8, vec![ImportProblemCode::UnknownCompany]),
        ]
    );
    assert_eq!((p.counts.new, p.counts.errors), (3, 3));

    let report = import(&mut f.db, &bytes, ImportKind::Touches);
    assert_eq!((report.added, report.skipped, report.companies_added), (3, 3, 0));
    // The morning (09:00 Tokyo) of each day, in UTC as the timeline stores it.
    assert_eq!(
        entries(&f.db, &takada),
        vec![
            (
                "2024-04-01T00:00:00Z".to_string(),
                "meeting".to_string(),
                "新製品の提案".to_string(),
                "価格表を送付、\r\n次回デモ".to_string(),
                Some(ichiro.clone())
            ),
            (
                "2024-05-10T00:00:00Z".into(),
                "call".into(),
                "見積の確認".into(),
                String::new(),
                None
            ),
            (
                "2024-06-03T00:00:00Z".into(),
                "meeting".into(),
                "Demo at the plant".into(),
                String::new(),
                None
            ),
        ]
    );
    assert_eq!(last_contact(&f.db, &takada).as_deref(), Some("2024-06-03T00:00:00Z"));
    // The timeline's search finds an imported touch by its Japanese words.
    let hits = crate::timeline::search::search(f.db.sql(), "見積の確認", 0, crate::language::Language::Ja).unwrap();
    assert_eq!(hits.activities.hits.len(), 1);

    // Same company + day + kind + summary is the same touch: nothing twice.
    let again = import(&mut f.db, &bytes, ImportKind::Touches);
    assert_eq!((again.added, again.planned.skip_existing), (0, 3));
    assert_eq!(entries(&f.db, &takada).len(), 3);

    // Undo of the first batch takes the entries back, and the last contact with them.
    let undone = batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!((undone.removed, undone.refused.len()), (3, 0));
    assert_eq!(entries(&f.db, &takada), vec![]);
    assert_eq!(last_contact(&f.db, &takada), None);
}

/// (plan, start, end, amount) of a company's live contracts.
fn contracts(db: &TeamDb, company_id: &str) -> Vec<(String, String, String, i64)> {
    db.sql()
        .query(
            "SELECT plan, start_date, end_date, amount FROM contracts
              WHERE company_id = ?1 AND deleted_at IS NULL ORDER BY start_date",
            sql::params![company_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

/// (renewal step, due) of a company's open, live renewal work.
fn renewal_work(db: &TeamDb, company_id: &str) -> Vec<(String, String)> {
    db.sql()
        .query(
            "SELECT renewal_step, due_at FROM follow_ups
              WHERE company_id = ?1 AND contract_id IS NOT NULL AND status = 'open' AND deleted_at IS NULL
              ORDER BY due_at",
            sql::params![company_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn contracts_from_a_utf8_sheet_plan_their_renewal_work_and_undo_removes_it() {
    let mut f = fixture();
    let takada = crate::testutil::company(&mut f.db, "株式会社髙田製作所");
    let csv = "\u{feff}会社名,契約プラン,契約開始日,契約終了日,年額\n髙田製作所㈱,スタンダード,2026/4/1,2027/3/31,\"1,200,000円\"\n株式会社髙田製作所,プレミアム,2027/4/1,2026/3/31,１００\n存在しない株式会社,ライト,2026/1/1,2026/12/31,0\n株式会社髙田製作所,ライト,R8.1.1,2026年12月31日,\n";
    let sheet = read_bytes(csv.as_bytes(), &ReadOptions::default()).unwrap();
    let i = inspect(f.db.sql(), &sheet, ImportKind::Contracts, None).unwrap();
    use ImportField::*;
    assert_eq!(
        i.columns,
        vec![
            Some(CompanyName),
            Some(Plan),
            Some(StartDate),
            Some(EndDate),
            Some(Amount)
        ]
    );
    let p = preview(
        f.db.sql(),
        f.db.clock().offset(),
        &sheet,
        ImportKind::Contracts,
        i.header_row,
        &i.columns,
        OnMatch::Skip,
    )
    .unwrap();
    let problems: Vec<(u32, Vec<ImportProblemCode>)> = p
        .rows
        .iter()
        .filter(|r| !r.problems.is_empty())
        .map(|r| (r.line, r.problems.iter().map(|x| x.code).collect()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, vec![ImportProblemCode::EndBeforeStart]),
            (4, vec![ImportProblemCode::UnknownCompany]),
        ]
    );
    let (contracts_before, work_before, entries_before) = (
        count(&f.db, "contracts"),
        count(&f.db, "follow_ups"),
        count(&f.db, "activities"),
    );

    let report = import(&mut f.db, csv.as_bytes(), ImportKind::Contracts);
    assert_eq!((report.added, report.skipped), (2, 2));
    assert_eq!(
        contracts(&f.db, &takada),
        vec![
            (
                "ライト".to_string(),
                "2026-01-01".to_string(),
                "2026-12-31".to_string(),
                0
            ),
            (
                "スタンダード".into(),
                "2026-04-01".into(),
                "2027-03-31".into(),
                1_200_000
            ),
        ]
    );
    // Renewal work as the contract dialog plans it: hearing and proposal
    // ahead of each end (the team's 60 and 30 days, 30 days' notice).
    let work = renewal_work(&f.db, &takada);
    assert_eq!(
        work.iter().map(|(step, _)| step.as_str()).collect::<Vec<_>>(),
        vec!["hearing", "proposal", "hearing", "proposal"]
    );
    // Each contract's start is on the timeline, as the dialog records it.
    assert_eq!(count(&f.db, "activities"), entries_before + 2);

    // Same company + plan + start is the same contract.
    let again = import(&mut f.db, csv.as_bytes(), ImportKind::Contracts);
    assert_eq!((again.added, again.planned.skip_existing), (0, 2));
    assert_eq!(count(&f.db, "contracts"), contracts_before + 2);

    let undone = batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!((undone.removed, undone.refused.len()), (4, 0));
    assert_eq!(contracts(&f.db, &takada), vec![]);
    assert_eq!(renewal_work(&f.db, &takada), vec![]);
    assert_eq!(
        (
            count(&f.db, "contracts"),
            count(&f.db, "follow_ups"),
            count(&f.db, "activities")
        ),
        (contracts_before, work_before, entries_before)
    );
}

#[test]
fn undo_keeps_an_imported_contract_whose_renewal_a_colleague_began() {
    let mut f = fixture();
    let takada = crate::testutil::company(&mut f.db, "株式会社髙田製作所");
    let csv = "会社名,プラン,開始日,終了日\n株式会社髙田製作所,スタンダード,2026/4/1,2027/3/31\n";
    let report = import(&mut f.db, csv.as_bytes(), ImportKind::Contracts);
    let (id, version): (String, i64) =
        f.db.sql()
            .query_one(
                "SELECT id, version FROM contracts WHERE company_id = ?1",
                sql::params![&takada],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    let mut hanako = colleague(&f, "sato", "佐藤 花子");
    let edit = contract::NewContract {
        company_id: takada.clone(),
        deal_id: None,
        plan: "スタンダード".into(),
        start_date: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        end_date: chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        auto_renew: true,
        amount: 0,
        currency: String::new(),
        billing: contract::Billing::Monthly,
        notice_days: 30,
        owner_id: None,
        hearing_days: None,
        proposal_days: None,
    };
    hanako.write(|ctx| contract::update(ctx, &id, version, &edit)).unwrap();
    let undone = batch::undo(&mut f.db, &report.batch_id).unwrap();
    assert_eq!(undone.refused.len(), 1);
    assert_eq!(undone.refused[0].reason, ImportRefusalReason::ChangedSince);
    assert_eq!(undone.refused[0].by.as_deref(), Some("佐藤 花子"));
    assert_eq!(contracts(&f.db, &takada).len(), 1);
    // Its renewal work and its start on the timeline stay with it.
    assert_eq!(renewal_work(&f.db, &takada).len(), 2);
    assert_eq!(entries(&f.db, &takada).iter().filter(|e| e.1 == "contract").count(), 2);
}

/// What a team's customers are, field by field, however they were stored.
fn customer_facts(db: &TeamDb) -> Vec<(String, String, String, String, String, String)> {
    db.sql()
        .query(
            "SELECT name, name_kana, industry, phone, address, website FROM companies
              WHERE deleted_at IS NULL ORDER BY name",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap()
}

/// (company, name, kana, title, mail, phone) of every live contact.
fn contact_facts(db: &TeamDb) -> Vec<(String, String, String, String, String, String)> {
    db.sql()
        .query(
            "SELECT c.name, p.name, p.name_kana, p.title, p.email, p.phone
               FROM contacts p JOIN companies c ON c.id = p.company_id
              WHERE p.deleted_at IS NULL ORDER BY c.name, p.name",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap()
}

/// Export → import into an empty team file gives the same customers and
/// contacts, in both formats a team uses: the workbook, and the CSV whose
/// formula guard (a leading apostrophe) must not come back as part of a name.
#[test]
fn an_export_imported_into_a_new_file_gives_the_same_customers_and_contacts() {
    use crate::clock::Clock;
    use crate::export::{export, ExportFormat, ExportKind, ExportRequest};
    use crate::language::Language;
    use crate::writers::csv::CsvEncoding;
    let mut from = fixture();
    for (i, (name, kana, industry, phone, address, website)) in [
        (
            "髙﨑商事株式会社",
            "たかさきしょうじ",
            "=卸売",
            "+81 3-1234-5678",
            "東京都港区1-2-3\n5階",
            "https://takasaki.example.jp",
        ),
        (
            "株式会社みなと物流",
            "みなとぶつりゅう",
            "物流",
            "06-1111-2222",
            "大阪府大阪市",
            "",
        ),
        ("Blue Ocean, Inc.", "", "IT", "-", "", "blue.example.com"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = from
            .db
            .write(|ctx| {
                company::create(
                    ctx,
                    &company::NewCompany {
                        name: name.into(),
                        name_kana: kana.into(),
                        industry: industry.into(),
                        phone: phone.into(),
                        address: address.into(),
                        website: website.into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        crate::testutil::contact(
            &mut from.db,
            &id,
            &format!("{name}の担当"),
            &format!("tanto{i}@example.jp"),
        );
    }
    let want = (customer_facts(&from.db), contact_facts(&from.db));
    for (format, file) in [(ExportFormat::Xlsx, "team.xlsx"), (ExportFormat::Csv, "team.csv")] {
        let mut to = fixture();
        for (kind, import_kind, name) in [
            (
                ExportKind::Customers,
                ImportKind::Companies,
                format!("customers-{file}"),
            ),
            (ExportKind::Contacts, ImportKind::Contacts, format!("contacts-{file}")),
        ] {
            let path = from.dir().join(name);
            let req = ExportRequest {
                kind,
                format,
                encoding: CsvEncoding::Utf8,
                owner_id: None,
                pipeline_id: None,
            };
            export(from.db.sql(), Language::Ja, from.clock.offset(), &req, &path).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            let report = import(&mut to.db, &bytes, import_kind);
            assert!(report.failed.is_empty(), "{format:?} {kind:?}: {report:?}");
        }
        assert_eq!((customer_facts(&to.db), contact_facts(&to.db)), want, "{format:?}");
    }
}
