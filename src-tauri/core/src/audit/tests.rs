use super::export::{self, AuditFormat};
use super::trail::{self, AuditQuery};
use crate::customers::contact::{self, ContactEdit, NewContact};
use crate::store::sql;
use crate::testutil::{colleague, company, fixture, make_manager, Fixture};
use crate::writers::csv::CsvEncoding;
use crate::ErrorCode;
use chrono::FixedOffset;

fn tokyo() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap()
}

fn all(f: &Fixture, q: AuditQuery) -> Vec<trail::AuditEntry> {
    trail::page(f.db.sql(), &AuditQuery { limit: 500, ..q }, tokyo())
        .unwrap()
        .entries
}

#[test]
fn an_edit_shows_each_field_before_and_after_and_who_made_it() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社青空");
    let ct =
        f.db.write(|ctx| {
            contact::create_contact(
                ctx,
                &NewContact {
                    company_id: co.clone(),
                    name: "山本 恵".into(),
                    title: "課長".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    f.db.write(|ctx| {
        contact::update_contact(
            ctx,
            &ct,
            1,
            &ContactEdit {
                name: "山本 恵".into(),
                name_kana: String::new(),
                title: "部長".into(),
                email: String::new(),
                phone: String::new(),
            },
        )
    })
    .unwrap();
    let entries = all(
        &f,
        AuditQuery {
            entity: Some("contact".into()),
            record_id: Some(ct.clone()),
            ..Default::default()
        },
    );
    assert_eq!(entries.len(), 2, "{entries:?}");
    let edit = &entries[0];
    assert_eq!(edit.action, "update", "newest first");
    assert_eq!(edit.member_name, "田中 太郎");
    assert_eq!(edit.record_label.as_deref(), Some("山本 恵"));
    assert_eq!(edit.company_name.as_deref(), Some("株式会社青空"));
    let title = edit
        .fields
        .iter()
        .find(|c| c.field == "title")
        .expect("the title changed");
    assert!(title.has_before);
    assert_eq!(title.before, Some(serde_json::json!("課長")));
    assert_eq!(title.after, Some(serde_json::json!("部長")));
    assert!(
        edit.fields.iter().all(|c| c.field != "name"),
        "unchanged fields are not listed"
    );
    // The first values of a new record are values after, with no before.
    let insert = &entries[1];
    assert_eq!(insert.action, "insert");
    assert!(insert.fields.iter().all(|c| !c.has_before && c.after.is_some()));
    // An id is shown as the name a person reads; an id of nothing stays.
    let me = f.db.member().unwrap().id.clone();
    f.db.sql()
        .execute(
            "INSERT INTO audit_log (id, at, user_id, entity, entity_id, action, detail)
             VALUES ('zz', '2026-11-25T02:00:00Z', ?1, 'deal', 'd1', 'update', ?2)",
            sql::params![
                me,
                format!(r#"{{"owner_id":{{"from":"gone-member","to":"{me}"}},"company_id":"{co}"}}"#)
            ],
        )
        .unwrap();
    let e = &all(&f, AuditQuery::default())[0];
    let owner = e.fields.iter().find(|c| c.field == "owner_id").unwrap();
    assert_eq!(owner.before, Some(serde_json::json!("gone-member")));
    assert_eq!(owner.after, Some(serde_json::json!("田中 太郎")));
    let company = e.fields.iter().find(|c| c.field == "company_id").unwrap();
    assert_eq!(company.after, Some(serde_json::json!("株式会社青空")));
}

#[test]
fn a_member_rename_and_a_role_change_record_what_they_were() {
    let mut f = fixture();
    make_manager(&mut f.db);
    let me = f.db.member().unwrap().id.clone();
    let entries = all(
        &f,
        AuditQuery {
            entity: Some("user".into()),
            record_id: Some(me.clone()),
            ..Default::default()
        },
    );
    let roles = entries[0].fields.iter().find(|c| c.field == "roles").unwrap();
    assert_eq!(roles.before, Some(serde_json::json!(["sales"])));
    assert_eq!(roles.after, Some(serde_json::json!(["sales", "manager"])));
    let version: i64 =
        f.db.sql()
            .query_one("SELECT version FROM users WHERE id = ?1", sql::params![&me], |r| {
                r.get(0)
            })
            .unwrap();
    f.db.write(|ctx| crate::team::member::rename(ctx, &me, version, "田中 太一"))
        .unwrap();
    let entries = all(
        &f,
        AuditQuery {
            entity: Some("user".into()),
            record_id: Some(me),
            ..Default::default()
        },
    );
    let name = entries[0].fields.iter().find(|c| c.field == "display_name").unwrap();
    assert_eq!(
        (name.before.clone(), name.after.clone()),
        (
            Some(serde_json::json!("田中 太郎")),
            Some(serde_json::json!("田中 太一"))
        )
    );
}

#[test]
fn filters_by_member_customer_and_period_narrow_together() {
    let mut f = fixture();
    let mine = company(&mut f.db, "株式会社みなと");
    let mut ito = colleague(&f, "ito", "伊藤 彩");
    let theirs = company(&mut ito, "株式会社ひかり");
    let their_contact = crate::testutil::contact(&mut ito, &theirs, "小林 誠", "");
    let ito_id = ito.member().unwrap().id.clone();

    let by_ito = all(
        &f,
        AuditQuery {
            member_id: Some(ito_id.clone()),
            ..Default::default()
        },
    );
    assert!(!by_ito.is_empty());
    assert!(by_ito.iter().all(|e| e.member_id.as_deref() == Some(ito_id.as_str())));
    assert!(by_ito.iter().any(|e| e.record_id == theirs));
    assert!(by_ito.iter().all(|e| e.record_id != mine));

    // A customer's history holds the company and what belongs to it.
    let customer = all(
        &f,
        AuditQuery {
            company_id: Some(theirs.clone()),
            ..Default::default()
        },
    );
    let records: Vec<&str> = customer.iter().map(|e| e.record_id.as_str()).collect();
    assert!(
        records.contains(&theirs.as_str()) && records.contains(&their_contact.as_str()),
        "{records:?}"
    );
    assert!(!records.contains(&mine.as_str()));

    // The fixture's clock stands at 2026-11-25 in Tokyo.
    let today = AuditQuery {
        from: Some("2026-11-25".into()),
        to: Some("2026-11-25".into()),
        ..Default::default()
    };
    assert_eq!(all(&f, today).len(), all(&f, AuditQuery::default()).len());
    let yesterday = AuditQuery {
        from: Some("2026-11-24".into()),
        to: Some("2026-11-24".into()),
        ..Default::default()
    };
    assert!(all(&f, yesterday).is_empty());
    let both = AuditQuery {
        member_id: Some(ito_id),
        company_id: Some(mine),
        ..Default::default()
    };
    assert!(all(&f, both).is_empty(), "filters narrow together");
}

#[test]
fn pages_follow_each_other_without_repeats_or_gaps() {
    let mut f = fixture();
    for i in 0..7 {
        company(&mut f.db, &format!("株式会社{i}"));
    }
    let whole = all(&f, AuditQuery::default());
    let mut seen = Vec::new();
    let mut q = AuditQuery {
        limit: 3,
        ..Default::default()
    };
    loop {
        let page = trail::page(f.db.sql(), &q, tokyo()).unwrap();
        assert!(page.entries.len() <= 3);
        seen.extend(page.entries.iter().map(|e| e.id.clone()));
        match page.next {
            Some(next) => q.before = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = whole.iter().map(|e| e.id.clone()).collect();
    assert_eq!(seen, expected);
    assert!(seen.len() >= 7);
}

#[test]
fn only_a_manager_reads_or_exports_the_trail() {
    let mut f = fixture();
    let me = f.db.member().unwrap().id.clone();
    let q = AuditQuery::default();
    let err = trail::page_for(f.db.sql(), &me, &q, tokyo()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ManagerOnly);
    let path = f.dir().join("trail.csv");
    let err = export::export_for(
        f.db.sql(),
        &me,
        &q,
        crate::language::Language::Ja,
        tokyo(),
        AuditFormat::Csv,
        CsvEncoding::Utf8,
        &path,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ManagerOnly);
    assert!(!path.exists());
    make_manager(&mut f.db);
    assert!(!trail::page_for(f.db.sql(), &me, &q, tokyo())
        .unwrap()
        .entries
        .is_empty());
}

#[test]
fn the_export_has_a_row_per_changed_field_with_before_and_after() {
    let mut f = fixture();
    make_manager(&mut f.db);
    let co = company(&mut f.db, "株式会社青空");
    let ct = crate::testutil::contact(&mut f.db, &co, "山本 恵", "");
    f.db.write(|ctx| {
        contact::update_contact(
            ctx,
            &ct,
            1,
            &ContactEdit {
                name: "山本 恵".into(),
                name_kana: String::new(),
                title: "=部長".into(),
                email: String::new(),
                phone: "03-1111-2222".into(),
            },
        )
    })
    .unwrap();
    let me = f.db.member().unwrap().id.clone();
    let path = f.dir().join("trail.csv");
    let q = AuditQuery {
        company_id: Some(co),
        ..Default::default()
    };
    let done = export::export_for(
        f.db.sql(),
        &me,
        &q,
        crate::language::Language::Ja,
        tokyo(),
        AuditFormat::Csv,
        CsvEncoding::Utf8,
        &path,
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("変更前") && lines[0].contains("変更後"),
        "{}",
        lines[0]
    );
    assert_eq!(done.rows as usize, lines.len() - 1);
    assert!(
        lines.iter().any(|l| l.contains("phone") && l.contains("03-1111-2222")),
        "{text}"
    );
    // Formula-like text is shown, never run.
    assert!(text.contains("'=部長"), "{text}");
    // An xlsx of the same has the same rows.
    let xlsx = f.dir().join("trail.xlsx");
    let again = export::export_for(
        f.db.sql(),
        &me,
        &q,
        crate::language::Language::En,
        tokyo(),
        AuditFormat::Xlsx,
        CsvEncoding::Utf8,
        &xlsx,
    )
    .unwrap();
    assert_eq!(again.rows, done.rows);
}
