//! The import against files made the way Excel and the card services make
//! them, generated here (no binary fixtures in the repository).

use super::batch::{self, ImportRefusalReason, ImportReport, ImportRequest};
use super::encoding::TextEncoding;
use super::mapping::{ImportField, ImportKind};
use super::plan::{ImportRowAction, OnMatch};
use super::preview::{inspect, preview};
use super::source::{read_bytes, Delimiter, FileFormat, ReadOptions};
use super::value::ImportProblemCode;
use crate::customers::company;
use crate::customers::contact;
use crate::testutil::{colleague, fixture, seed_pipeline};
use crate::Db;
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

fn request(db: &Db, bytes: &[u8], kind: ImportKind, on_match: OnMatch) -> ImportRequest {
    let sheet = read_bytes(bytes, &ReadOptions::default()).unwrap();
    let i = inspect(db.conn(), &sheet, kind, None).unwrap();
    ImportRequest {
        kind,
        read: ReadOptions::default(),
        header_row: i.header_row,
        columns: i.columns,
        on_match,
        save_mapping: false,
    }
}

fn import_with(db: &mut Db, bytes: &[u8], req: &ImportRequest) -> ImportReport {
    let sheet = read_bytes(bytes, &req.read).unwrap();
    batch::run(db, "file", &sheet, req, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

fn import(db: &mut Db, bytes: &[u8], kind: ImportKind) -> ImportReport {
    let req = request(db, bytes, kind, OnMatch::Skip);
    import_with(db, bytes, &req)
}

fn count(db: &Db, table: &str) -> i64 {
    db.conn()
        .query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL"),
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// (name, industry, address, phone) of every live company, by name.
fn companies(db: &Db) -> Vec<(String, String, String, String)> {
    let mut st = db
        .conn()
        .prepare("SELECT name, industry, address, phone FROM companies WHERE deleted_at IS NULL ORDER BY name")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
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
    let i = inspect(f.db.conn(), &sheet, ImportKind::Companies, None).unwrap();
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
        f.db.conn()
            .query_row("SELECT id FROM contacts WHERE name = '北 一郎'", [], |r| r.get(0))
            .unwrap();
    let mut suzuki = colleague(&f, "suzuki", "鈴木");
    let c = contact::contact(suzuki.conn(), &kita).unwrap();
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
fn sansan_and_eight_exports_become_contacts_at_their_companies() {
    let mut f = fixture();
    let sansan = "会社名,部署名,役職,氏名,氏名（カナ）,メールアドレス,郵便番号,住所,TEL,FAX,携帯電話,URL,名刺交換日,所有者\r\n株式会社さくら物産,営業部,部長,佐藤 健,サトウ ケン,sato@sakura.example,100-0001,東京都千代田区1-1,03-1000-2000,,090-1111-2222,https://sakura.example,2024/04/01,田中\r\n";
    let sheet = read_bytes(&sjis(sansan), &ReadOptions::default()).unwrap();
    let i = inspect(f.db.conn(), &sheet, ImportKind::Contacts, None).unwrap();
    assert_eq!(i.layout, super::layout::ImportLayout::Sansan);
    import(&mut f.db, &sjis(sansan), ImportKind::Contacts);
    let eight = "会社名,部署名,役職,姓,名,e-mail,郵便番号,住所,TEL会社,TEL部門,TEL直通,Fax,携帯電話,URL,名刺交換日\r\n株式会社さくら物産,総務部,課長,髙橋,美咲,takahashi@sakura.example,,,03-1000-2000,,03-1000-2999,,080-3333-4444,,2024/05/10\r\n";
    let sheet = read_bytes(eight.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(
        inspect(f.db.conn(), &sheet, ImportKind::Contacts, None).unwrap().layout,
        super::layout::ImportLayout::Eight
    );
    import(&mut f.db, eight.as_bytes(), ImportKind::Contacts);

    assert_eq!(count(&f.db, "companies"), 1, "one company for both cards");
    let company_id: String =
        f.db.conn()
            .query_row("SELECT id FROM companies", [], |r| r.get(0))
            .unwrap();
    let co = company::get(f.db.conn(), &company_id).unwrap();
    assert_eq!(
        (co.address.as_str(), co.website.as_str()),
        ("東京都千代田区1-1", "https://sakura.example")
    );
    let people: Vec<(String, String, String, String, String)> = contact::contacts_of(f.db.conn(), &company_id)
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
    let i = inspect(f.db.conn(), &sheet, ImportKind::Deals, None).unwrap();
    let p = preview(
        f.db.conn(),
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
        f.db.conn()
            .query_row(
                "SELECT d.amount, d.expected_close, u.display_name FROM deals d JOIN users u ON u.id = d.owner_id
              WHERE d.title = '基幹更新'",
                [],
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
    let mut st = f
        .db
        .conn()
        .prepare("SELECT title, amount, expected_close FROM deals WHERE title IN ('シリアル日付', '文字の日付') ORDER BY amount")
        .unwrap();
    let deals: Vec<(String, i64, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
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
    let i = inspect(f.db.conn(), &sheet, ImportKind::Companies, Some(0)).unwrap();
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
    let listed = batch::list(f.db.conn()).unwrap();
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
