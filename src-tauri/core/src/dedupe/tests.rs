use super::merge::{
    self, CompanyField, CompanyMerge, ContactField, ContactMerge, CONTACT_LINKS, NAMES_A_COMPANY, NAMES_A_CONTACT,
};
use super::pairs::{self, DuplicateKind, DuplicateReason};
use crate::app::outbox::{apply_once, Op};
use crate::customers::company::{self, CompanyEdit, NewCompany};
use crate::customers::contact;
use crate::engine_text::EngineText;
use crate::followups::follow_up::{self, FollowUpKind, FollowUpQuery, NewFollowUp};
use crate::language::Language;
use crate::overview::customer;
use crate::store::sql;
use crate::store::team_db::TeamDb;
use crate::testutil::{assert_invalid, colleague, contact as add_contact, entry, fixture, log, Fixture};
use crate::timeline::activity::ActivityKind;
use crate::timeline::entries::{timeline, TimelineQuery};

fn add_company(db: &mut TeamDb, name: &str, kana: &str, phone: &str) -> String {
    db.write(|ctx| {
        company::create(
            ctx,
            &NewCompany {
                name: name.into(),
                name_kana: kana.into(),
                phone: phone.into(),
                ..Default::default()
            },
        )
    })
    .unwrap()
}

fn follow_up_for(db: &mut TeamDb, company_id: &str, title: &str) -> String {
    let f = NewFollowUp {
        kind: FollowUpKind::FollowUp,
        title: title.into(),
        due_at: "2026-12-01T01:00:00Z".into(),
        assignee_id: None,
        company_id: Some(company_id.into()),
        deal_id: None,
        contract_id: None,
        activity_id: None,
    };
    db.write(|ctx| follow_up::create(ctx, &f)).unwrap()
}

fn entries_of(db: &TeamDb, company_id: &str) -> Vec<String> {
    timeline(
        db.sql(),
        &TimelineQuery {
            company_id: Some(company_id.into()),
            deal_id: None,
            kinds: Vec::new(),
            before: None,
            limit: 200,
        },
    )
    .unwrap()
    .entries
    .into_iter()
    .map(|e| e.id)
    .collect()
}

fn follow_ups_of(f: &Fixture, company_id: &str) -> Vec<String> {
    let mut ids: Vec<String> = follow_up::list(
        f.db.sql(),
        &f.clock,
        &FollowUpQuery {
            assignee_id: None,
            company_id: Some(company_id.into()),
            include_done: true,
        },
    )
    .unwrap()
    .into_iter()
    .map(|i| i.id)
    .collect();
    ids.sort();
    ids
}

fn merge_companies(
    db: &mut TeamDb,
    survivor: &str,
    loser: &str,
    take: Vec<CompanyField>,
) -> crate::Result<merge::Merged> {
    let (sv, lv) = (
        company::get(db.sql(), survivor).unwrap().version,
        company::get(db.sql(), loser).unwrap().version,
    );
    db.write(|ctx| {
        merge::companies(
            ctx,
            &CompanyMerge {
                survivor_id: survivor.into(),
                survivor_version: sv,
                loser_id: loser.into(),
                loser_version: lv,
                take_from_loser: take.clone(),
            },
        )
    })
}

/// Two spellings of one customer, and one that only looks alike.
fn yamada(f: &mut Fixture) -> (String, String, String) {
    let a = add_company(&mut f.db, "株式会社 山田商事", "やまだしょうじ", "03-1234-5678");
    let b = add_company(&mut f.db, "山田商事（株）", "ヤマダショウジ", "+81-3-1234-5678");
    let other = add_company(&mut f.db, "山田商店", "やまだしょうてん", "06-1111-2222");
    (a, b, other)
}

#[test]
fn company_pairs_say_why_they_match_strongest_first() {
    let mut f = fixture();
    let (a, b, _) = yamada(&mut f);
    // Same phone only: a weaker pair, listed after.
    let c = add_company(&mut f.db, "大阪物産", "", "06-1111-2222");
    let list = pairs::list(f.db.sql(), DuplicateKind::Companies).unwrap();
    assert_eq!(list.total, 2);
    let top = &list.pairs[0];
    assert_eq!(
        (top.first.id.as_str(), top.second.id.as_str()),
        (a.as_str(), b.as_str())
    );
    assert_eq!(
        top.reasons,
        [DuplicateReason::Name, DuplicateReason::Phone, DuplicateReason::Reading]
    );
    assert_eq!(list.pairs[1].reasons, [DuplicateReason::Phone]);
    assert!([&list.pairs[1].first.id, &list.pairs[1].second.id].contains(&&c));
    assert!(top.score > list.pairs[1].score);
}

#[test]
fn a_shared_company_mail_domain_pairs_companies_but_free_mail_does_not() {
    let mut f = fixture();
    let a = company_with(&mut f.db, "ABC商事");
    let b = company_with(&mut f.db, "エービーシー");
    let c = company_with(&mut f.db, "まるで別会社");
    add_contact(&mut f.db, &a, "佐藤", "sato@abc.co.jp");
    add_contact(&mut f.db, &b, "鈴木", "suzuki@ABC.co.jp");
    add_contact(&mut f.db, &a, "田中", "tanaka@gmail.com");
    add_contact(&mut f.db, &c, "高橋", "takahashi@gmail.com");
    let list = pairs::list(f.db.sql(), DuplicateKind::Companies).unwrap();
    assert_eq!(list.total, 1, "{list:?}");
    assert_eq!(list.pairs[0].reasons, [DuplicateReason::Domain]);
}

#[test]
fn a_domain_on_more_than_two_companies_is_a_group_not_a_duplicate() {
    let mut f = fixture();
    // As in the sample file: ten companies on one placeholder website.
    for name in ["朝日物産", "大和不動産", "中央システムズ"] {
        f.db.write(|ctx| {
            company::create(
                ctx,
                &NewCompany {
                    name: name.into(),
                    website: "https://www.asahi.co.jp".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    }
    assert_eq!(pairs::list(f.db.sql(), DuplicateKind::Companies).unwrap().total, 0);
}

fn company_with(db: &mut TeamDb, name: &str) -> String {
    crate::testutil::company(db, name)
}

#[test]
fn contact_pairs_need_the_same_person_not_only_the_same_switchboard() {
    let mut f = fixture();
    let co = company_with(&mut f.db, "山田商事");
    let other = company_with(&mut f.db, "別会社");
    let taro = add_contact(&mut f.db, &co, "山田 太郎", "taro@yamada.co.jp");
    let taro2 = add_contact(&mut f.db, &co, "山田太郎", "");
    let mailed = add_contact(&mut f.db, &other, "Taro Yamada", "TARO@yamada.co.jp");
    // Namesakes at another company are not one person by name alone.
    add_contact(&mut f.db, &other, "山田 太郎", "");
    let list = pairs::list(f.db.sql(), DuplicateKind::Contacts).unwrap();
    let found: Vec<(Vec<&str>, Vec<DuplicateReason>)> = list
        .pairs
        .iter()
        .map(|p| {
            let mut ids = vec![p.first.id.as_str(), p.second.id.as_str()];
            ids.sort();
            (ids, p.reasons.clone())
        })
        .collect();
    let mut by_mail = vec![taro.as_str(), mailed.as_str()];
    by_mail.sort();
    let mut by_name = vec![taro.as_str(), taro2.as_str()];
    by_name.sort();
    assert_eq!(list.total, 2, "{found:?}");
    assert!(found.contains(&(by_mail, vec![DuplicateReason::Mail])));
    assert!(found.contains(&(by_name, vec![DuplicateReason::Name])));
}

#[test]
fn a_dismissed_pair_is_not_offered_again_to_anyone() {
    let mut f = fixture();
    let (a, b, _) = yamada(&mut f);
    f.db.write(|ctx| pairs::dismiss(ctx, DuplicateKind::Companies, &b, &a))
        .unwrap();
    let other = colleague(&f, "sato", "佐藤 健太");
    assert_eq!(pairs::list(other.sql(), DuplicateKind::Companies).unwrap().total, 0);
    // Asked again from the other side: still one row, still dismissed.
    f.db.write(|ctx| pairs::dismiss(ctx, DuplicateKind::Companies, &a, &b))
        .unwrap();
    let rows: i64 =
        f.db.sql()
            .query_one("SELECT COUNT(*) FROM duplicate_dismissals", &[], |r| r.get(0))
            .unwrap();
    assert_eq!(rows, 1);
    assert_invalid(
        f.db.write(|ctx| pairs::dismiss(ctx, DuplicateKind::Companies, &a, &a)),
        "merge",
        "same",
    );
}

#[test]
fn a_merge_keeps_every_timeline_entry_and_follow_up_of_both_customers() {
    let mut f = fixture();
    let (a, b, _) = yamada(&mut f);
    for (id, what) in [
        (&a, "初回訪問"),
        (&a, "見積提出"),
        (&b, "電話で問い合わせ"),
        (&b, "請求書の件"),
    ] {
        log(&mut f.db, &entry(id, ActivityKind::Call, "2026-11-20T01:00:00Z", what));
    }
    let fa = follow_up_for(&mut f.db, &a, "見積フォロー");
    let fb = follow_up_for(&mut f.db, &b, "請求フォロー");
    let contact_b = add_contact(&mut f.db, &b, "山田 花子", "hanako@yamada.co.jp");
    let contract_b = crate::testutil::contract(&mut f, &b, "2026-04-01", "2027-03-31", 600_000);
    let mut before: Vec<String> = entries_of(&f.db, &a);
    before.extend(entries_of(&f.db, &b));
    let mut expected_follow_ups = follow_ups_of(&f, &a);
    expected_follow_ups.extend(follow_ups_of(&f, &b));
    expected_follow_ups.sort();
    assert!(expected_follow_ups.contains(&fa) && expected_follow_ups.contains(&fb));

    let merged = merge_companies(&mut f.db, &a, &b, vec![]).unwrap();
    assert!(merged.moved >= 6, "{merged:?}");

    let after = entries_of(&f.db, &a);
    for id in &before {
        assert!(after.contains(id), "entry {id} lost");
    }
    // And the merge itself, in the reader's language.
    assert_eq!(after.len(), before.len() + 1);
    let page = timeline(
        f.db.sql(),
        &TimelineQuery {
            company_id: Some(a.clone()),
            deal_id: None,
            kinds: vec![ActivityKind::System],
            before: None,
            limit: 10,
        },
    )
    .unwrap();
    let text = EngineText::CompanyMerged {
        merged: "山田商事（株）".into(),
    };
    assert!(page.entries.iter().any(|e| e.engine_text.as_ref() == Some(&text)));
    assert_eq!(
        text.render(Language::En),
        "Duplicate merged: 山田商事（株） is now this customer"
    );

    assert_eq!(follow_ups_of(&f, &a), expected_follow_ups);
    assert_eq!(contact::contact(f.db.sql(), &contact_b).unwrap().company_id, a);
    let contract_company: String =
        f.db.sql()
            .query_one(
                "SELECT company_id FROM contracts WHERE id = ?1",
                sql::params![&contract_b],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(contract_company, a);
    // The duplicate is soft-deleted, nothing names it any more.
    let deleted: Option<String> =
        f.db.sql()
            .query_one(
                "SELECT deleted_at FROM companies WHERE id = ?1",
                sql::params![&b],
                |r| r.get(0),
            )
            .unwrap();
    assert!(deleted.is_some());
    for (table, column, _) in NAMES_A_COMPANY {
        let left: i64 =
            f.db.sql()
                .query_one(
                    &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1"),
                    sql::params![&b],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(left, 0, "{table}.{column} still names the duplicate");
    }
    // Audited, and found by search under the survivor.
    let audits: i64 =
        f.db.sql()
            .query_one(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'company' AND entity_id = ?1 AND action = 'merge'",
                sql::params![&a],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(audits, 1);
    let hits = crate::timeline::search::search(f.db.sql(), "請求書の件", 10, Language::Ja).unwrap();
    assert_eq!(hits.activities.hits.len(), 1);
    assert_eq!(hits.activities.hits[0].company_id, a);
    let companies = crate::timeline::search::search(f.db.sql(), "山田商事", 10, Language::Ja).unwrap();
    assert_eq!(
        companies
            .companies
            .hits
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        [a.as_str()]
    );
}

#[test]
fn the_survivor_keeps_the_values_chosen_field_by_field() {
    let mut f = fixture();
    let a = add_company(&mut f.db, "山田商事", "", "03-1234-5678");
    let b =
        f.db.write(|ctx| {
            company::create(
                ctx,
                &NewCompany {
                    name: "株式会社山田商事".into(),
                    name_kana: "やまだしょうじ".into(),
                    industry: "卸売".into(),
                    phone: "03-9999-0000".into(),
                    tags: vec!["展示会".into()],
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let preview = merge::company_preview(f.db.sql(), &a, &b).unwrap();
    assert_eq!(
        preview.differing,
        [
            CompanyField::Name,
            CompanyField::NameKana,
            CompanyField::Industry,
            CompanyField::Phone
        ]
    );
    // What the survivor lacks is offered from the duplicate.
    assert_eq!(preview.suggested, [CompanyField::NameKana, CompanyField::Industry]);
    merge_companies(&mut f.db, &a, &b, vec![CompanyField::Name, CompanyField::NameKana]).unwrap();
    let kept = company::get(f.db.sql(), &a).unwrap();
    assert_eq!(kept.name, "株式会社山田商事");
    assert_eq!(kept.name_kana, "やまだしょうじ");
    assert_eq!(kept.industry, "");
    assert_eq!(kept.phone, "03-1234-5678");
    assert_eq!(kept.tags, ["展示会"]);
}

#[test]
fn the_merged_away_id_still_opens_the_survivor_and_queued_work_lands_there() {
    let mut f = fixture();
    let (a, b, _) = yamada(&mut f);
    let seen = company::get(f.db.sql(), &b).unwrap();
    merge_companies(&mut f.db, &a, &b, vec![]).unwrap();
    // A colleague's open page reloads the old id: it gets the survivor.
    let mut other = colleague(&f, "sato", "佐藤 健太");
    assert_eq!(company::get(other.sql(), &b).unwrap().id, a);
    assert_eq!(customer::summary(other.sql(), &f.clock, &b).unwrap().company_id, a);
    // A touch queued against the old id while the share was away.
    let touch = entry(
        &b,
        ActivityKind::Meeting,
        "2026-11-25T01:00:00Z",
        "外出先で記録した訪問",
    );
    let applied = apply_once(&mut other, "op-1", &Op::LogActivity { activity: touch })
        .unwrap()
        .unwrap();
    let company_of: String = other
        .sql()
        .query_one(
            "SELECT company_id FROM activities WHERE id = ?1",
            sql::params![&applied.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(company_of, a);
    // An edit of the old record made before the merge: a conflict with the
    // survivor, for the user to decide, never a silent overwrite.
    let edit = CompanyEdit {
        name: "山田商事".into(),
        name_kana: seen.name_kana.clone(),
        industry: String::new(),
        segment: seen.segment,
        owner_id: None,
        address: String::new(),
        phone: seen.phone.clone(),
        website: String::new(),
        tags: Vec::new(),
    };
    let queued = apply_once(
        &mut other,
        "op-2",
        &Op::UpdateCompany {
            id: b.clone(),
            version: seen.version,
            edit,
        },
    );
    match queued {
        Err(crate::Error::Conflict { id, .. }) => assert_eq!(id, a),
        other => panic!("expected a conflict on the survivor, got {other:?}"),
    }
    // Merging the survivor on: the first alias follows.
    let c = add_company(&mut f.db, "ヤマダ商事", "", "");
    merge_companies(&mut f.db, &c, &a, vec![]).unwrap();
    assert_eq!(company::get(f.db.sql(), &b).unwrap().id, c);
}

#[test]
fn a_merge_refuses_a_record_a_colleague_changed_and_moves_nothing() {
    let mut f = fixture();
    let (a, b, _) = yamada(&mut f);
    log(
        &mut f.db,
        &entry(&b, ActivityKind::Call, "2026-11-20T01:00:00Z", "電話"),
    );
    let (sv, lv) = (
        company::get(f.db.sql(), &a).unwrap().version,
        company::get(f.db.sql(), &b).unwrap().version,
    );
    // A colleague corrects the duplicate's address meanwhile.
    let mut other = colleague(&f, "sato", "佐藤 健太");
    let seen = company::get(other.sql(), &b).unwrap();
    other
        .write(|ctx| {
            company::update(
                ctx,
                &b,
                seen.version,
                &CompanyEdit {
                    name: seen.name.clone(),
                    name_kana: seen.name_kana.clone(),
                    industry: String::new(),
                    segment: seen.segment,
                    owner_id: None,
                    address: "東京都千代田区".into(),
                    phone: seen.phone.clone(),
                    website: String::new(),
                    tags: Vec::new(),
                },
            )
        })
        .unwrap();
    let r = f.db.write(|ctx| {
        merge::companies(
            ctx,
            &CompanyMerge {
                survivor_id: a.clone(),
                survivor_version: sv,
                loser_id: b.clone(),
                loser_version: lv,
                take_from_loser: vec![],
            },
        )
    });
    match r {
        Err(crate::Error::Conflict { id, .. }) => assert_eq!(id, b),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(entries_of(&f.db, &b).len(), 1);
    assert_eq!(company::get(f.db.sql(), &b).unwrap().id, b);
    assert_invalid(merge_companies(&mut f.db, &a, &a, vec![]), "merge", "same");
}

#[test]
fn contacts_merge_the_same_way_and_a_no_mail_request_stays() {
    let mut f = fixture();
    let co = company_with(&mut f.db, "山田商事");
    let taro = add_contact(&mut f.db, &co, "山田 太郎", "");
    let taro2 = add_contact(&mut f.db, &co, "山田太郎", "taro@yamada.co.jp");
    f.db.sql()
        .execute(
            "UPDATE contacts SET mail_opt_out_at = '2026-11-01T00:00:00Z' WHERE id = ?1",
            sql::params![&taro2],
        )
        .unwrap();
    // A meeting with both (as two people), and one with the duplicate only.
    let mut both = entry(&co, ActivityKind::Meeting, "2026-11-20T01:00:00Z", "打ち合わせ");
    both.contact_ids = vec![taro.clone(), taro2.clone()];
    let both = log(&mut f.db, &both);
    let mut alone = entry(&co, ActivityKind::Call, "2026-11-21T01:00:00Z", "電話");
    alone.contact_ids = vec![taro2.clone()];
    let alone = log(&mut f.db, &alone);
    let preview = merge::contact_preview(f.db.sql(), &taro, &taro2).unwrap();
    assert_eq!(preview.suggested, [ContactField::Email]);
    let (sv, lv) = (preview.survivor.version, preview.loser.version);
    f.db.write(|ctx| {
        merge::contacts(
            ctx,
            &ContactMerge {
                survivor_id: taro.clone(),
                survivor_version: sv,
                loser_id: taro2.clone(),
                loser_version: lv,
                take_from_loser: vec![ContactField::Email],
            },
        )
    })
    .unwrap();
    let kept = contact::contact(f.db.sql(), &taro).unwrap();
    assert_eq!(kept.email, "taro@yamada.co.jp");
    assert_eq!(kept.mail_opt_out_at.as_deref(), Some("2026-11-01T00:00:00Z"));
    assert_eq!(contact::contact(f.db.sql(), &taro2).unwrap().id, taro);
    let named = |activity_id: &str| -> Vec<String> {
        f.db.sql()
            .query(
                "SELECT contact_id FROM activity_contacts WHERE activity_id = ?1 ORDER BY position",
                sql::params![activity_id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(named(&both), std::slice::from_ref(&taro));
    assert_eq!(named(&alone), std::slice::from_ref(&taro));
    assert_eq!(contact::contacts_of(f.db.sql(), &co).unwrap().len(), 1);
    let text = EngineText::ContactMerged {
        merged: "山田太郎".into(),
        into: "山田 太郎".into(),
    };
    let page = timeline(
        f.db.sql(),
        &TimelineQuery {
            company_id: Some(co.clone()),
            deal_id: None,
            kinds: vec![ActivityKind::System],
            before: None,
            limit: 10,
        },
    )
    .unwrap();
    assert!(page.entries.iter().any(|e| e.engine_text.as_ref() == Some(&text)));
}

/// Like `team/member.rs`'s merge test: a new table that names a company or
/// a contact must say here how a merge treats it, or this fails.
#[test]
fn merge_knows_every_column_that_names_a_company_or_contact() {
    let f = fixture();
    // Moved separately (a unique key, no version), or the merge's own records.
    let separate = [
        "sequence_enrolments.target_id",
        "merged_ids.survivor_id",
        "duplicate_dismissals.first_id",
        "duplicate_dismissals.second_id",
    ];
    let named = |c: &str| {
        c.contains("company_id") || c.contains("contact_id") || c == "target_id" || c.ends_with("survivor_id")
    };
    let unknown: Vec<String> = crate::testutil::columns_naming(f.db.sql(), &["companies", "contacts"], named)
        .into_iter()
        .filter(|key| {
            let (table, column) = key.split_once('.').unwrap_or_default();
            let moved = NAMES_A_COMPANY
                .iter()
                .chain(NAMES_A_CONTACT)
                .any(|(t, c, _)| *t == table && *c == column)
                || CONTACT_LINKS
                    .iter()
                    .any(|(t, _, _)| *t == table && column == "contact_id");
            !(moved || separate.contains(&key.as_str()))
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "a merge does not know these columns that name a company or contact (move them in dedupe/merge.rs or say why not): {unknown:?}"
    );
}
