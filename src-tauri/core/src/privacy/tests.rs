//! Erasing a person and disclosing what the file holds about them, against
//! a scene where the person is in every kind of record. On the file alone:
//! what these read is the file's bytes and its search indexes' shadow
//! tables; the same erasure and disclosure on a server are compared with
//! the file's in tests/team_server.rs.

use super::{disclose, erase};
use crate::customers::contact::{self, ContactEdit, NewContact};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::leads::lead::{self, NewLead};
use crate::support::case::{self, Category, Channel, NewCase, Priority};
use crate::testutil::{
    assert_invalid, entry, file_colleague, file_fixture, log, make_manager, seed_pipeline, texts, FileFixture,
};
use crate::timeline::activity::ActivityKind;
use crate::ErrorCode;
use calamine::{open_workbook, Reader, Xlsx};

const NAME: &str = "鷲頭 瑠璃子";
const KANA: &str = "わしず るりこ";
const MAIL: &str = "Ruriko.Washizu@example.jp";
const PHONE: &str = "090-4417-2863";

struct Scene {
    f: FileFixture,
    person: String,
    other: String,
    company_id: String,
}

/// The person met, written about, mailed, called back, enrolled, as a lead
/// and as a support case; a colleague beside them who must stay whole.
fn scene() -> Scene {
    let mut f = file_fixture();
    make_manager(&mut f.db);
    let s = seed_pipeline(&mut f.db);
    let co = s.company_id.clone();
    let person =
        f.db.write(|ctx| {
            contact::create_contact(
                ctx,
                &NewContact {
                    company_id: co.clone(),
                    name: NAME.into(),
                    name_kana: KANA.into(),
                    title: "課長".into(),
                    email: MAIL.into(),
                    phone: PHONE.into(),
                },
            )
        })
        .unwrap();
    // An edit leaves the row's old copy in the file's free space.
    f.db.write(|ctx| {
        contact::update_contact(
            ctx,
            &person,
            1,
            &ContactEdit {
                name: NAME.into(),
                name_kana: KANA.into(),
                title: "部長".into(),
                email: MAIL.into(),
                phone: PHONE.into(),
            },
        )
    })
    .unwrap();
    let other = crate::testutil::contact(&mut f.db, &co, "佐藤 一郎", "ichiro.sato@example.jp");

    let first = s.stages[0].id.clone();
    let deal = s.deal(&mut f.db, "会計システム更改", first.clone(), 1_200_000, "JPY");
    s.deal(&mut f.db, "保守契約", first, 500_000, "JPY");
    f.db.execute_for_test(
        "UPDATE deals SET contact_id = ?1, notes = '決裁者は鷲頭瑠璃子様' WHERE id = ?2",
        &[&person, &deal],
    );
    let mut meeting = entry(
        &co,
        ActivityKind::Meeting,
        "2026-11-20T05:00:00Z",
        "鷲頭 瑠璃子様と打合せ",
    );
    meeting.contact_ids = vec![person.clone()];
    meeting.deal_id = Some(deal.clone());
    meeting.body = format!("携帯 {PHONE} に折り返し");
    meeting.minutes = "資料は ruriko.washizu@example.jp へ送付".into();
    log(&mut f.db, &meeting);
    let mut call = entry(&co, ActivityKind::Call, "2026-11-21T05:00:00Z", "佐藤 一郎様へ電話");
    call.contact_ids = vec![other.clone()];
    log(&mut f.db, &call);

    f.db.write(|ctx| {
        follow_up::create(
            ctx,
            &NewFollowUp {
                kind: FollowUpKind::FollowUp,
                title: "鷲頭瑠璃子様に見積を送る".into(),
                due_at: "2026-11-27T01:00:00Z".into(),
                assignee_id: None,
                company_id: Some(co.clone()),
                deal_id: Some(deal.clone()),
                contract_id: None,
                activity_id: None,
            },
        )
    })
    .unwrap();
    f.db.write(|ctx| {
        lead::add(
            ctx,
            &NewLead {
                source: "web_form".into(),
                person_name: NAME.into(),
                company_name: "株式会社テスト".into(),
                mail: MAIL.into(),
                phone: PHONE.into(),
                message: "見積をお願いします".into(),
                ..Default::default()
            },
        )
    })
    .unwrap();
    f.db.write(|ctx| {
        case::open(
            ctx,
            &NewCase {
                id: None,
                company_id: co.clone(),
                contact_id: Some(person.clone()),
                deal_id: None,
                contract_id: None,
                subject: "ログインできない".into(),
                body: format!("鷲頭 瑠璃子さんから電話 {PHONE}"),
                channel: Channel::Phone,
                category: Category::Trouble,
                priority: Priority::Normal,
                assignee_id: None,
                received_at: None,
            },
        )
    })
    .unwrap();
    let me = f.db.member().unwrap().id.clone();
    f.db.execute_for_test(
        "INSERT INTO mail_sends (key, member_id, state, computer_id, claimed_at, finished_at, to_name, to_address, subject, body)
         VALUES ('seq:x:1', ?1, 'sent', 'pc1', '2026-11-22T01:00:00Z', '2026-11-22T01:00:05Z', '鷲頭 瑠璃子 様',
                 'ruriko.washizu@example.jp', 'ご提案の件', '鷲頭 瑠璃子 様\n先日はありがとうございました。')",
        &[&me],
    );
    f.db.execute_for_test(
        "INSERT INTO sequences (id, name, language, steps, created_at, updated_at)
         VALUES ('seq1', '商談後フォロー', 'ja', '[]', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z')",
        &[],
    );
    f.db.execute_for_test(
        "INSERT INTO sequence_enrolments (id, sequence_id, target_kind, target_id, company_id, contact_id, owner_id,
                                          status, started_at, created_at, updated_at)
         VALUES ('enr1', 'seq1', 'contact', ?1, ?2, ?1, ?3, 'active', '2026-11-20T00:00:00Z',
                 '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z')",
        &[&person, &co, &me],
    );
    Scene {
        f,
        person,
        other,
        company_id: co,
    }
}

impl crate::Db {
    fn execute_for_test(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) {
        self.conn().execute(sql, args).unwrap();
    }
}

/// Everything that would give the person away, as bytes.
fn traces() -> Vec<(String, Vec<u8>)> {
    let mut t: Vec<String> = vec![
        NAME.into(),
        NAME.replace(' ', ""),
        KANA.into(),
        KANA.replace(' ', ""),
        MAIL.into(),
        MAIL.to_lowercase(),
        "washizu".into(),
        PHONE.into(),
        PHONE.replace('-', ""),
        // A trigram index term.
        "瑠璃子".into(),
        "鷲頭瑠".into(),
    ];
    // A bigram index term: 鷲頭 as the migration writes it (0011).
    t.push(format!("{:06x}{:06x}", '鷲' as u32, '頭' as u32));
    t.into_iter().map(|s| (s.clone(), s.into_bytes())).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every value of every table, the search indexes' shadow tables
/// included, as bytes.
fn every_value(conn: &rusqlite::Connection) -> Vec<(String, Vec<u8>)> {
    let tables = texts(
        conn.into(),
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'",
    );
    let mut out = Vec::new();
    for table in tables {
        let mut st = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let width = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..width {
                use rusqlite::types::ValueRef;
                let bytes = match r.get_ref(i).unwrap() {
                    ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
                    _ => continue,
                };
                out.push((table.clone(), bytes));
            }
        }
    }
    out
}

/// Every term of every search index, read through `fts5vocab`: what the
/// index's shadow tables hold, tombstoned rows' terms included.
fn index_terms(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    let indexes = texts(
        conn.into(),
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'",
    );
    let mut out = Vec::new();
    for index in indexes {
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.vocab; CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, '{index}', 'row');"
        ))
        .unwrap();
        let terms = texts(conn.into(), "SELECT term FROM temp.vocab");
        out.extend(terms.into_iter().map(|t| (index.clone(), t)));
    }
    conn.execute_batch("DROP TABLE IF EXISTS temp.vocab").unwrap();
    out
}

/// Index terms that come from the person: a trigram of their name or
/// mail, the bigram of their family name.
fn persons_terms(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    let bigram = format!("{:06x}{:06x}", '鷲' as u32, '頭' as u32);
    index_terms(conn)
        .into_iter()
        .filter(|(_, t)| ["瑠璃子", "鷲頭瑠", "頭瑠璃", "hiz", "zu@", bigram.as_str()].contains(&t.as_str()))
        .collect()
}

fn deal_totals(conn: &rusqlite::Connection) -> (i64, i64, i64) {
    conn.query_row(
        "SELECT count(*), sum(amount), (SELECT count(*) FROM activities) FROM deals WHERE deleted_at IS NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn before_erasure_the_person_is_in_the_file_so_the_search_below_can_fail() {
    let s = scene();
    let file = std::fs::read(s.f.db.path()).unwrap();
    // An encrypted file (the encrypted test run) shows none of it to a tool
    // reading the share: there the values SQLite holds are what the search
    // after erasure can fail on.
    let encrypted = crate::store::cipher::looks_encrypted(s.f.db.path()).is_some();
    let values = every_value(s.f.db.conn());
    for what in [NAME, KANA, MAIL, PHONE, "鷲頭瑠璃子"] {
        assert_eq!(
            contains(&file, what.as_bytes()),
            !encrypted,
            "{what} is in the file's bytes before erasure unless the file is encrypted"
        );
        assert!(
            values.iter().any(|(_, v)| contains(v, what.as_bytes())),
            "{what} is in a value before erasure"
        );
    }
    let terms = persons_terms(s.f.db.conn());
    for index in ["contacts_fts", "contacts_bigrams", "activities_fts", "leads_fts"] {
        assert!(
            terms.iter().any(|(i, _)| i == index),
            "{index} holds the person's terms: {terms:?}"
        );
    }
}

#[test]
fn after_erasure_nothing_of_the_person_is_left_in_the_file_and_the_deal_totals_stand() {
    let mut s = scene();
    let before = deal_totals(s.f.db.conn());
    let done = erase::erase(&mut s.f.db, &s.person, "鷲頭瑠璃子").unwrap();
    assert!(done.compacted);
    assert!(done.rows_changed >= 8, "{done:?}");

    // The file's bytes, as any tool reading the share would see them.
    let file = std::fs::read(s.f.db.path()).unwrap();
    let journal = s.f.db.path().with_extension("db-journal");
    assert!(!journal.exists(), "no journal is left beside the file");
    for (what, bytes) in traces() {
        assert!(!contains(&file, &bytes), "{what} is still in the file's bytes");
    }
    // And every value SQLite holds, the indexes' shadow tables included.
    for (table, value) in every_value(s.f.db.conn()) {
        for (what, bytes) in traces() {
            assert!(!contains(&value, &bytes), "{what} is still in {table}");
        }
    }
    // The search indexes hold no term of theirs, not even a tombstoned one.
    assert_eq!(persons_terms(s.f.db.conn()), Vec::<(String, String)>::new());
    // Search finds nothing of them.
    for query in [NAME, "瑠璃子", "washizu", "4417"] {
        let found = crate::timeline::search::search(s.f.db.conn(), query, 0, crate::language::Language::Ja).unwrap();
        assert!(
            found.companies.hits.is_empty()
                && found.contacts.hits.is_empty()
                && found.deals.hits.is_empty()
                && found.activities.hits.is_empty(),
            "{query}: {found:?}"
        );
    }

    // The business facts stand, anonymised.
    assert_eq!(deal_totals(s.f.db.conn()), before);
    let (name, email, deleted): (String, String, Option<String>) =
        s.f.db
            .conn()
            .query_row(
                "SELECT name, email, deleted_at FROM contacts WHERE id = ?1",
                [&s.person],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
    assert_eq!((name.as_str(), email.as_str()), ("削除済みの連絡先", ""));
    assert!(deleted.is_some());
    let deal_contact: i64 =
        s.f.db
            .conn()
            .query_row("SELECT count(*) FROM deals WHERE contact_id = ?1", [&s.person], |r| {
                r.get(0)
            })
            .unwrap();
    assert_eq!(deal_contact, 1, "the deal still says it had a contact");
    let note: String =
        s.f.db
            .conn()
            .query_row("SELECT summary FROM activities WHERE kind = 'meeting'", [], |r| {
                r.get(0)
            })
            .unwrap();
    assert_eq!(note, "［削除済み］様と打合せ", "the team's record of its work stays");

    // The colleague beside them is whole.
    let other: (String, String) =
        s.f.db
            .conn()
            .query_row("SELECT name, email FROM contacts WHERE id = ?1", [&s.other], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
    assert_eq!(other, ("佐藤 一郎".to_string(), "ichiro.sato@example.jp".to_string()));
    assert!(
        !crate::timeline::search::search(s.f.db.conn(), "佐藤 一郎", 0, crate::language::Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty()
    );

    // The erasure is recorded: who, when, which record, not what.
    let (record, by): (String, String) =
        s.f.db
            .conn()
            .query_row("SELECT record_id, erased_by FROM erasures", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
    assert_eq!(record, s.person);
    assert_eq!(by, s.f.db.member().unwrap().id);
    let trail: String =
        s.f.db
            .conn()
            .query_row(
                "SELECT detail FROM audit_log WHERE action = 'erase' AND entity_id = ?1",
                [&s.person],
                |r| r.get(0),
            )
            .unwrap();
    assert!(trail.contains("rows_changed"));

    // Never mailed again, even when the address comes back.
    assert!(crate::sequences::stop::opted_out(s.f.db.conn(), "ruriko.washizu@EXAMPLE.jp").unwrap());
    let status: String =
        s.f.db
            .conn()
            .query_row("SELECT status FROM sequence_enrolments WHERE id = 'enr1'", [], |r| {
                r.get(0)
            })
            .unwrap();
    assert_eq!(status, "stopped");
    let _ = s.company_id;
}

#[test]
fn an_erasure_needs_a_manager_and_the_name_typed_and_happens_once() {
    let mut s = scene();
    let mut ito = file_colleague(&s.f, "ito", "伊藤 彩");
    let err = erase::erase(&mut ito, &s.person, NAME).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ManagerOnly);
    assert_invalid(erase::erase(&mut s.f.db, &s.person, "鷲頭"), "confirm_name", "mismatch");
    let still: String =
        s.f.db
            .conn()
            .query_row("SELECT name FROM contacts WHERE id = ?1", [&s.person], |r| r.get(0))
            .unwrap();
    assert_eq!(still, NAME, "nothing was erased");
    erase::erase(&mut s.f.db, &s.person, NAME).unwrap();
    assert_invalid(
        erase::erase(&mut s.f.db, &s.person, "削除済みの連絡先"),
        "contact",
        "erased",
    );
}

#[test]
fn the_preview_counts_what_names_the_person() {
    let s = scene();
    let me = s.f.db.member().unwrap().id.clone();
    let p = erase::preview(s.f.db.conn(), &me, &s.person).unwrap();
    assert_eq!(p.name, NAME);
    // The meeting with them, and the case's opening on the timeline (its text names them).
    assert_eq!(
        (p.timeline, p.deals, p.mails, p.leads, p.cases, p.enrolments),
        (2, 1, 1, 1, 1, 1),
        "{p:?}"
    );
    assert!(!p.erased);
}

fn sheet_text(path: &std::path::Path) -> Vec<(String, String)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            let text = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("\t"))
                .collect::<Vec<_>>()
                .join("\n");
            (n, text)
        })
        .collect()
}

#[test]
fn the_disclosure_holds_each_kind_of_data_about_the_person() {
    let mut s = scene();
    let path = s.f._dir.path().join("開示.xlsx");
    let done = disclose::disclose(&mut s.f.db, &s.person, &path).unwrap();
    assert!(done.rows >= 9);
    let sheets = sheet_text(&path);
    let sheet = |name: &str| {
        sheets
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no sheet {name}: {sheets:?}"))
            .1
            .clone()
    };
    assert!(sheet("連絡先").contains(NAME) && sheet("連絡先").contains(MAIL) && sheet("連絡先").contains(PHONE));
    assert!(sheet("タイムライン").contains("鷲頭 瑠璃子様と打合せ"));
    assert!(
        !sheet("タイムライン").contains("佐藤 一郎様へ電話"),
        "only what names the person"
    );
    assert!(sheet("案件").contains("会計システム更改"));
    assert!(sheet("送信メール").contains("ご提案の件"));
    assert!(sheet("フォローアップ").contains("鷲頭瑠璃子様に見積を送る"));
    assert!(sheet("シーケンス").contains("商談後フォロー"));
    assert!(sheet("リード").contains("見積をお願いします"));
    assert!(sheet("サポート").contains("ログインできない"));
    assert!(sheet("変更履歴").contains("部長") && sheet("変更履歴").contains("課長"));
    // Made by a manager, recorded as made.
    let recorded: i64 =
        s.f.db
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'disclose' AND entity_id = ?1",
                [&s.person],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(recorded, 1);
    let mut ito = file_colleague(&s.f, "ito", "伊藤 彩");
    let err = disclose::disclose(&mut ito, &s.person, &s.f._dir.path().join("x.xlsx")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ManagerOnly);
}
