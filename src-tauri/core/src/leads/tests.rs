//! The leads engine against the fake clock (fixture: Wednesday 2026-11-25
//! 10:00 Tokyo, office 9:00–18:00 Monday to Friday).

use crate::clock::{from_db, to_db, Clock};
use crate::engine_text::EngineText;
use crate::followups::reminder::{self, ReminderKind};
use crate::language::Language;
use crate::leads::inbox::{self, LeadQuery, LeadTab, Reader};
use crate::leads::lead::{self, Contacted, LeadStatus, NewLead};
use crate::leads::matching::MatchReason;
use crate::leads::numbers;
use crate::leads::nurture::{self, Trigger};
use crate::leads::qualify::{self, Convert};
use crate::store::sql;
use crate::store::team_db::TeamDb;
use crate::support::sla::SlaState;
use crate::team::settings::{self, AssignMode, TeamSettings};
use crate::testutil::{assert_invalid, colleague, company, contact, entry, fixture, log, seed_pipeline, Fixture};
use crate::timeline::activity::{ActivityKind, Direction};
use chrono::Duration;

fn inquiry(company: &str, person: &str, mail: &str) -> NewLead {
    NewLead {
        source: "web_form".into(),
        person_name: person.into(),
        company_name: company.into(),
        mail: mail.into(),
        message: "料金表と導入事例の資料をお願いします".into(),
        ..Default::default()
    }
}

fn add(db: &mut TeamDb, l: &NewLead) -> String {
    db.write(|ctx| lead::add(ctx, l)).unwrap()
}

fn col(db: &TeamDb, id: &str, column: &str) -> Option<String> {
    db.sql()
        .query_one(
            &format!("SELECT CAST({column} AS TEXT) FROM leads WHERE id = ?1"),
            sql::params![id],
            |r| r.get(0),
        )
        .unwrap()
}

fn version(db: &TeamDb, id: &str) -> i64 {
    db.sql()
        .query_one("SELECT version FROM leads WHERE id = ?1", sql::params![id], |r| {
            r.get(0)
        })
        .unwrap()
}

fn set_rule(db: &mut TeamDb, mode: AssignMode, members: Vec<String>) {
    let (mut team, v) = settings::load_versioned(db.sql()).unwrap();
    team.lead_assignment.mode = mode;
    team.lead_assignment.members = members;
    db.write(|ctx| settings::update(ctx, v, &team)).unwrap();
}

fn kinds_for(db: &TeamDb, user_id: &str, until: chrono::DateTime<chrono::Utc>) -> Vec<(ReminderKind, String)> {
    let team = TeamSettings::load(db.sql()).unwrap();
    reminder::pending(db.sql(), user_id, &team, until)
        .unwrap()
        .into_iter()
        .map(|r| (r.kind, r.item_id))
        .collect()
}

fn nurtured(f: &mut Fixture, l: &NewLead) -> String {
    let id = add(&mut f.db, l);
    let v = version(&f.db, &id);
    f.db.write(|ctx| nurture::to_nurture(ctx, &id, v, "来期に予算化を検討"))
        .unwrap();
    id
}

#[test]
fn round_robin_takes_turns_across_two_desktops() {
    let mut f = fixture();
    let mut sato = colleague(&f, "sato", "佐藤 花子");
    let mut suzuki = colleague(&f, "suzuki", "鈴木 一郎");
    let ids = [f.db.user().id.clone(), sato.user().id.clone(), suzuki.user().id.clone()];
    set_rule(&mut f.db, AssignMode::RoundRobin, ids.to_vec());
    // Two desktops (and a third) receive leads in turn; each reads and
    // advances the turn inside its own write.
    let owners: Vec<String> = (0..6)
        .map(|i| {
            let db = match i % 2 {
                0 => &mut f.db,
                _ => &mut sato,
            };
            let id = add(db, &inquiry(&format!("会社{i}"), "担当者", ""));
            col(db, &id, "owner_id").unwrap()
        })
        .collect();
    assert_eq!(
        owners,
        [&ids[0], &ids[1], &ids[2], &ids[0], &ids[1], &ids[2]].map(|s| s.to_string())
    );
    // "Always one person".
    set_rule(&mut suzuki, AssignMode::One, vec![ids[2].clone()]);
    let id = add(&mut f.db, &inquiry("会社X", "", "x@example.jp"));
    assert_eq!(col(&f.db, &id, "owner_id").as_deref(), Some(ids[2].as_str()));
    // A rule that names nobody needs nobody.
    let mut bad = TeamSettings::load(f.db.sql()).unwrap();
    bad.lead_assignment.members.clear();
    assert_invalid(bad.validated(), "lead_assignment", "required");
}

#[test]
fn the_assignee_is_told_at_once_and_a_breach_once() {
    let mut f = fixture();
    let sato = colleague(&f, "sato", "佐藤 花子");
    let sato_id = sato.user().id.clone();
    set_rule(&mut f.db, AssignMode::One, vec![sato_id.clone()]);
    let id = add(&mut f.db, &inquiry("株式会社テスト", "山田 一郎", "yamada@test.co.jp"));
    let now = f.clock.now();
    // Due one business hour after 10:00 → 11:00.
    assert_eq!(
        col(&f.db, &id, "first_response_due").as_deref(),
        Some("2026-11-25T02:00:00Z")
    );
    assert_eq!(
        kinds_for(&f.db, &sato_id, now),
        vec![(ReminderKind::LeadAssigned, id.clone())]
    );
    // Nothing to tell the one who received it (it is not theirs).
    assert!(kinds_for(&f.db, &f.db.user().id.clone(), now + Duration::hours(3)).is_empty());
    // The assignment is told; at 11:00 the breach is due, once.
    let team = TeamSettings::load(f.db.sql()).unwrap();
    f.clock.advance(Duration::hours(1) + Duration::minutes(1));
    let later = f.clock.now();
    let due = reminder::pending(f.db.sql(), &sato_id, &team, later).unwrap();
    let kinds: Vec<_> = due.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ReminderKind::LeadAssigned, ReminderKind::LeadResponseBreached]);
    let claimed = f.db.write(|ctx| reminder::claim(ctx, &sato_id, &due)).unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(kinds_for(&f.db, &sato_id, later + Duration::days(3)).is_empty());
    // The card counts down, then shows the breach.
    let rd = |db: &TeamDb, team: &TeamSettings| {
        inbox::detail(
            db.sql(),
            &Reader {
                user_id: &sato_id,
                team,
                now: f.clock.now(),
                offset: f.clock.offset(),
            },
            &id,
        )
        .unwrap()
    };
    let row = rd(&f.db, &team).lead;
    assert_eq!(row.first_response.state, SlaState::Breached);
    assert_eq!(row.first_response.minutes_left, Some(-1));
    // Answering stops the clock: breached stays breached, no new breach.
    f.db.write(|ctx| {
        lead::contacted(
            ctx,
            &Contacted {
                lead_id: id.clone(),
                note: "電話で要件を確認".into(),
            },
        )
    })
    .unwrap();
    assert_eq!(rd(&f.db, &team).lead.status, LeadStatus::Contacted);
    assert!(kinds_for(&f.db, &sato_id, later + Duration::days(3)).is_empty());
}

#[test]
fn a_lead_answered_in_time_never_breaches() {
    let mut f = fixture();
    let me = f.db.user().id.clone();
    let sato = colleague(&f, "sato", "佐藤 花子");
    let l = NewLead {
        owner_id: Some(sato.user().id.clone()),
        ..inquiry("", "個人 太郎", "taro@gmail.com")
    };
    let id = add(&mut f.db, &l);
    f.clock.advance(Duration::minutes(30));
    f.db.write(|ctx| {
        lead::contacted(
            ctx,
            &Contacted {
                lead_id: id.clone(),
                note: String::new(),
            },
        )
    })
    .unwrap();
    let team = TeamSettings::load(f.db.sql()).unwrap();
    let row = inbox::detail(
        f.db.sql(),
        &Reader {
            user_id: &me,
            team: &team,
            now: f.clock.now() + Duration::days(1),
            offset: f.clock.offset(),
        },
        &id,
    )
    .unwrap();
    assert_eq!(row.lead.first_response.state, SlaState::Met);
    let kinds: Vec<_> = kinds_for(&f.db, &sato.user().id, f.clock.now() + Duration::days(2))
        .into_iter()
        .map(|k| k.0)
        .collect();
    assert_eq!(kinds, [ReminderKind::LeadAssigned]);
}

#[test]
fn qualify_offers_the_existing_company_however_it_is_written() {
    let mut f = fixture();
    let s = seed_pipeline(&mut f.db); // 株式会社テスト
    let other = company(&mut f.db, "サンプル商事");
    contact(&mut f.db, &other, "山本 次郎", "yamamoto@sample-shoji.co.jp");
    contact(&mut f.db, &other, "田村 三郎", "tamura@gmail.com");
    for name in ["テスト（株）", "㈱テスト", "ﾃｽﾄ株式会社", "(株) テスト"] {
        let id = add(&mut f.db, &inquiry(name, "山田 一郎", "yamada@free.example"));
        let m = qualify::matches(f.db.sql(), &id).unwrap();
        assert_eq!(m.companies.len(), 1, "{name}");
        assert_eq!(m.companies[0].id, s.company_id);
        assert_eq!(m.companies[0].reasons, [MatchReason::Name]);
    }
    // The company's own mail domain matches; a free-mail domain never does.
    let by_domain = add(&mut f.db, &inquiry("", "小林 四郎", "kobayashi@sample-shoji.co.jp"));
    let m = qualify::matches(f.db.sql(), &by_domain).unwrap();
    assert_eq!(m.companies.len(), 1);
    assert_eq!(
        (m.companies[0].id.as_str(), &m.companies[0].reasons[..]),
        (other.as_str(), &[MatchReason::MailDomain][..])
    );
    let free = add(&mut f.db, &inquiry("", "木村 五郎", "kimura@gmail.com"));
    assert!(qualify::matches(f.db.sql(), &free).unwrap().companies.is_empty());
    // The same person's mail offers the contact.
    let same = add(&mut f.db, &inquiry("", "田村 三郎", "Tamura@gmail.com"));
    let m = qualify::matches(f.db.sql(), &same).unwrap();
    assert_eq!(m.contacts.len(), 1);
    assert_eq!(m.contacts[0].reasons, [MatchReason::Mail]);
    // By phone, +81 and hyphens aside.
    f.db.sql()
        .execute(
            "UPDATE companies SET phone = '03-1234-5678' WHERE id = ?1",
            sql::params![&s.company_id],
        )
        .unwrap();
    let phoned = add(
        &mut f.db,
        &NewLead {
            phone: "+81 3 1234 5678".into(),
            ..inquiry("", "電話 の人", "")
        },
    );
    assert_eq!(
        qualify::matches(f.db.sql(), &phoned).unwrap().companies[0].reasons,
        [MatchReason::Phone]
    );
}

#[test]
fn converting_never_makes_a_silent_duplicate() {
    let mut f = fixture();
    let s = seed_pipeline(&mut f.db);
    let id = add(&mut f.db, &inquiry("テスト株式会社", "山田 一郎", "yamada@test.co.jp"));
    let convert = |company_id: Option<String>, despite: bool, v: i64| Convert {
        lead_id: id.clone(),
        version: v,
        company_id,
        contact_id: None,
        create_despite_match: despite,
        pipeline_id: None,
        deal_title: String::new(),
        amount: Some(500_000),
    };
    let v = version(&f.db, &id);
    assert_invalid(
        f.db.write(|ctx| qualify::convert(ctx, &convert(None, false, v))),
        "company_id",
        "matches_existing",
    );
    let done =
        f.db.write(|ctx| qualify::convert(ctx, &convert(Some(s.company_id.clone()), false, v)))
            .unwrap();
    assert_eq!(done.company_id, s.company_id);
    let companies: i64 =
        f.db.sql()
            .query_one("SELECT COUNT(*) FROM companies WHERE deleted_at IS NULL", &[], |r| {
                r.get(0)
            })
            .unwrap();
    assert_eq!(companies, 1);
    let (stage, amount, title, contact): (String, i64, String, Option<String>) =
        f.db.sql()
            .query_one(
                "SELECT stage_id, amount, title, contact_id FROM deals WHERE id = ?1",
                sql::params![&done.deal_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
    assert_eq!(stage, s.stages[0].id);
    assert_eq!(amount, 500_000);
    assert!(title.starts_with("テスト株式会社 山田 一郎"), "{title}");
    assert_eq!(contact, done.contact_id);
    assert_eq!(col(&f.db, &id, "status").as_deref(), Some("qualified"));
    assert!(col(&f.db, &id, "first_response_at").is_some());
    // Once converted, never again.
    let v = version(&f.db, &id);
    assert_invalid(
        f.db.write(|ctx| qualify::convert(ctx, &convert(Some(s.company_id.clone()), false, v))),
        "status",
        "not_allowed",
    );
    // A lead nobody else resembles makes a new customer without asking.
    let fresh = add(&mut f.db, &inquiry("新規工業", "新井 六郎", "arai@shinki.co.jp"));
    let v = version(&f.db, &fresh);
    let made =
        f.db.write(|ctx| {
            qualify::convert(
                ctx,
                &Convert {
                    lead_id: fresh.clone(),
                    ..convert(None, false, v)
                },
            )
        })
        .unwrap();
    assert_ne!(made.company_id, s.company_id);
    // A stale version is a conflict.
    let gone = add(&mut f.db, &inquiry("別会社", "", "a@b.co.jp"));
    assert!(matches!(
        f.db.write(|ctx| qualify::disqualify(ctx, &gone, 99, "重複")),
        Err(crate::Error::Conflict { .. })
    ));
    let v = version(&f.db, &gone);
    f.db.write(|ctx| qualify::disqualify(ctx, &gone, v, "重複")).unwrap();
    assert_eq!(col(&f.db, &gone, "disqualify_reason").as_deref(), Some("重複"));
}

#[test]
fn a_new_inquiry_from_a_nurtured_company_resurfaces_it_to_its_owner() {
    let mut f = fixture();
    let sato = colleague(&f, "sato", "佐藤 花子");
    let sato_id = sato.user().id.clone();
    let old = nurtured(
        &mut f,
        &NewLead {
            owner_id: Some(sato_id.clone()),
            ..inquiry("株式会社ミライ", "森 七子", "mori@mirai.co.jp")
        },
    );
    assert_eq!(col(&f.db, &old, "status").as_deref(), Some("nurture"));
    // A check-in is planned three months on, for the owner.
    let fu = col(&f.db, &old, "check_in_follow_up_id").unwrap();
    let (due, assignee): (String, String) =
        f.db.sql()
            .query_one(
                "SELECT due_at, assignee_id FROM follow_ups WHERE id = ?1",
                sql::params![&fu],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert_eq!(
        (due.as_str(), assignee.as_str()),
        ("2027-02-25T01:00:00Z", sato_id.as_str())
    );
    f.clock.advance(Duration::days(40));
    // A month later the same company writes in again, said differently.
    let new = add(&mut f.db, &inquiry("ミライ（株）", "別の 人", "other@gmail.com"));
    assert_eq!(col(&f.db, &old, "status").as_deref(), Some("contacted"));
    assert_eq!(col(&f.db, &old, "resurface_trigger").as_deref(), Some("new_inquiry"));
    assert_eq!(col(&f.db, &old, "resurfaced_count").as_deref(), Some("1"));
    // The owner gets the new one too, and is told the old one is back.
    assert_eq!(col(&f.db, &new, "owner_id").as_deref(), Some(sato_id.as_str()));
    let kinds = kinds_for(&f.db, &sato_id, f.clock.now());
    assert!(
        kinds.contains(&(ReminderKind::LeadResurfaced, old.clone())),
        "{kinds:?}"
    );
    // The check-in is no longer due; the history says why it came back.
    let status: String =
        f.db.sql()
            .query_one("SELECT status FROM follow_ups WHERE id = ?1", sql::params![&fu], |r| {
                r.get(0)
            })
            .unwrap();
    assert_eq!(status, "cancelled");
    let events = lead::events(f.db.sql(), &old).unwrap();
    assert!(events.iter().any(|e| e.text
        == Some(EngineText::LeadResurfaced {
            number: 1,
            trigger: "new_inquiry".into()
        })));
    // The same person by mail resurfaces too; an unrelated lead does not.
    let by_mail = nurtured(&mut f, &inquiry("", "個人 八郎", "hachiro@gmail.com"));
    add(&mut f.db, &inquiry("全然別の会社", "", "someone@else.co.jp"));
    assert_eq!(col(&f.db, &by_mail, "status").as_deref(), Some("nurture"));
    add(&mut f.db, &inquiry("", "", "HACHIRO@gmail.com"));
    assert_eq!(col(&f.db, &by_mail, "status").as_deref(), Some("contacted"));
}

/// A lost deal of `company` handed to nurture; returns (deal, lead).
fn lost_deal_nurtured(f: &mut Fixture) -> (crate::testutil::Seed, String, String) {
    let s = seed_pipeline(&mut f.db);
    let deal = s.deal(&mut f.db, "基幹システム刷新", s.stage("提案"), 1_000_000, "JPY");
    f.db.sql()
        .execute(
            "UPDATE deals SET stage_id = ?2 WHERE id = ?1",
            sql::params![&deal, &s.stage("失注")],
        )
        .unwrap();
    let lead_id =
        f.db.write(|ctx| nurture::deal_to_nurture(ctx, &deal, "予算凍結、来年度に再検討"))
            .unwrap();
    (s, deal, lead_id)
}

#[test]
fn an_inbound_touch_or_a_buying_signal_resurfaces_a_nurtured_lost_deal() {
    let mut f = fixture();
    let (s, deal, lead_id) = lost_deal_nurtured(&mut f);
    assert_eq!(col(&f.db, &lead_id, "status").as_deref(), Some("nurture"));
    assert_eq!(col(&f.db, &lead_id, "origin").as_deref(), Some("lost_deal"));
    // Twice is refused; an open deal is refused.
    assert_invalid(
        f.db.write(|ctx| nurture::deal_to_nurture(ctx, &deal, "もう一度")),
        "deal_id",
        "already_nurtured",
    );
    let open = s.deal(&mut f.db, "別案件", s.stage("提案"), 1, "JPY");
    assert_invalid(
        f.db.write(|ctx| nurture::deal_to_nurture(ctx, &open, "x")),
        "deal_id",
        "not_lost",
    );
    // Our own call without a signal changes nothing.
    let out = log(
        &mut f.db,
        &entry(&s.company_id, ActivityKind::Call, &to_db(f.clock.now()), "近況確認"),
    );
    f.db.write(|ctx| nurture::after_touch(ctx, &out)).unwrap();
    assert_eq!(col(&f.db, &lead_id, "status").as_deref(), Some("nurture"));
    // They call us: back.
    let inbound = crate::timeline::activity::NewActivity {
        direction: Some(Direction::Inbound),
        ..entry(&s.company_id, ActivityKind::Call, &to_db(f.clock.now()), "先方から電話")
    };
    let a = log(&mut f.db, &inbound);
    f.db.write(|ctx| nurture::after_touch(ctx, &a)).unwrap();
    assert_eq!(col(&f.db, &lead_id, "status").as_deref(), Some("contacted"));
    assert_eq!(
        col(&f.db, &lead_id, "resurface_trigger").as_deref(),
        Some(Trigger::InboundTouch.as_str())
    );
    // Nurtured again; a buying signal on our own mail brings it back too.
    let v = version(&f.db, &lead_id);
    f.db.write(|ctx| nurture::to_nurture(ctx, &lead_id, v, "まだ時期尚早"))
        .unwrap();
    let signalled = crate::timeline::activity::NewActivity {
        signals: vec!["replied_thanks".into()],
        ..entry(&s.company_id, ActivityKind::Email, &to_db(f.clock.now()), "お礼メール")
    };
    let a = log(&mut f.db, &signalled);
    f.db.write(|ctx| nurture::after_touch(ctx, &a)).unwrap();
    assert_eq!(
        col(&f.db, &lead_id, "resurface_trigger").as_deref(),
        Some("buying_signal")
    );
    assert_eq!(col(&f.db, &lead_id, "resurfaced_count").as_deref(), Some("2"));
}

#[test]
fn a_logged_touch_through_the_outbox_path_resurfaces() {
    let mut f = fixture();
    let (s, _, lead_id) = lost_deal_nurtured(&mut f);
    let inbound = crate::timeline::activity::NewActivity {
        direction: Some(Direction::Inbound),
        ..entry(
            &s.company_id,
            ActivityKind::Email,
            &to_db(f.clock.now()),
            "先方から問い合わせ",
        )
    };
    crate::app::outbox::apply_once(
        &mut f.db,
        "op-1",
        &crate::app::outbox::Op::LogActivity { activity: inbound },
    )
    .unwrap();
    assert_eq!(col(&f.db, &lead_id, "status").as_deref(), Some("contacted"));
}

#[test]
fn the_check_ins_continue_every_interval_for_at_most_the_maximum() {
    let mut f = fixture();
    let mut team = TeamSettings::load(f.db.sql()).unwrap();
    team.nurture_check_in_months = 6;
    team.nurture_max_months = 12;
    let (_, v) = settings::load_versioned(f.db.sql()).unwrap();
    f.db.write(|ctx| settings::update(ctx, v, &team)).unwrap();
    let me = f.db.user().id.clone();
    let id = nurtured(
        &mut f,
        &NewLead {
            owner_id: Some(me),
            ..inquiry("長期検討株式会社", "", "a@choki.co.jp")
        },
    );
    let mut dues = Vec::new();
    while let Some(fu) = col(&f.db, &id, "check_in_follow_up_id") {
        let due: String =
            f.db.sql()
                .query_one("SELECT due_at FROM follow_ups WHERE id = ?1", sql::params![&fu], |r| {
                    r.get(0)
                })
                .unwrap();
        dues.push(due.clone());
        f.clock.advance(from_db(&due).unwrap() - f.clock.now());
        let fv: i64 =
            f.db.sql()
                .query_one("SELECT version FROM follow_ups WHERE id = ?1", sql::params![&fu], |r| {
                    r.get(0)
                })
                .unwrap();
        crate::app::outbox::apply_once(
            &mut f.db,
            &format!("done-{fu}"),
            &crate::app::outbox::Op::CompleteFollowUp {
                id: fu.clone(),
                version: fv,
                touch: None,
            },
        )
        .unwrap();
        assert!(dues.len() < 5, "{dues:?}");
    }
    assert_eq!(dues, ["2027-05-25T01:00:00Z", "2027-11-25T01:00:00Z"]);
    assert_eq!(col(&f.db, &id, "status").as_deref(), Some("nurture"));
}

#[test]
fn the_export_holds_only_opted_in_people_and_defuses_formulas() {
    let mut f = fixture();
    let (s, _, lost_lead) = lost_deal_nurtured(&mut f);
    let kept = contact(&mut f.db, &s.company_id, "=HYPERLINK(\"x\")", "keep@test.co.jp");
    let out = contact(&mut f.db, &s.company_id, "配信停止 さん", "stop@test.co.jp");
    let v: i64 =
        f.db.sql()
            .query_one("SELECT version FROM contacts WHERE id = ?1", sql::params![&out], |r| {
                r.get(0)
            })
            .unwrap();
    f.db.write(|ctx| nurture::set_contact_opt_out(ctx, &out, v, true))
        .unwrap();
    let a = nurtured(&mut f, &inquiry("ナーチャー株式会社", "+81 山田", "a@nurture.co.jp"));
    let b = nurtured(&mut f, &inquiry("停止株式会社", "停止 希望", "b@stop.co.jp"));
    let vb = version(&f.db, &b);
    f.db.write(|ctx| lead::set_mail_opt_out(ctx, &b, vb, true)).unwrap();
    // An active lead is not on the nurture list.
    add(&mut f.db, &inquiry("商談中株式会社", "", "c@active.co.jp"));
    let csv = nurture::export_csv(f.db.sql(), Language::Ja).unwrap();
    assert!(csv.starts_with("\u{FEFF}\"会社名\""), "{csv}");
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
    assert!(csv.contains("\"'+81 山田\""), "{csv}");
    assert!(csv.contains("keep@test.co.jp") && csv.contains("a@nurture.co.jp"));
    assert!(!csv.contains("stop@test.co.jp") && !csv.contains("b@stop.co.jp") && !csv.contains("c@active"));
    let _ = (kept, a, lost_lead);
    // The opt-out is on the customer's timeline, in the reader's words.
    let said: String =
        f.db.sql()
            .query_one(
                "SELECT text_kind FROM activities WHERE contact_id = ?1 ORDER BY id DESC LIMIT 1",
                sql::params![&out],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(said, "mail_opt_out");
}

#[test]
fn the_inbox_tabs_count_page_and_find_japanese_words() {
    let mut f = fixture();
    let me = f.db.user().id.clone();
    let ids: Vec<String> = (0..5)
        .map(|i| {
            let l = NewLead {
                owner_id: (i % 2 == 0).then(|| me.clone()),
                received_at: Some(to_db(f.clock.now() - Duration::minutes(10 * i))),
                ..inquiry(&format!("検索{i}工業"), "", &format!("p{i}@kensaku{i}.co.jp"))
            };
            add(&mut f.db, &l)
        })
        .collect();
    let n = nurtured(&mut f, &inquiry("林業株式会社", "林 さん", "hayashi@ringyo.co.jp"));
    let team = TeamSettings::load(f.db.sql()).unwrap();
    f.clock.advance(Duration::hours(2));
    let rd = Reader {
        user_id: &me,
        team: &team,
        now: f.clock.now(),
        offset: f.clock.offset(),
    };
    let c = inbox::counts(f.db.sql(), &me, rd.now, "").unwrap();
    assert_eq!((c.new, c.mine, c.overdue, c.nurture), (5, 3, 5, 1));
    // Pages of two, newest first, keyset.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = inbox::page(
            f.db.sql(),
            &rd,
            &LeadQuery {
                tab: LeadTab::New,
                search: String::new(),
                after: after.clone(),
                limit: 2,
            },
        )
        .unwrap();
        seen.extend(page.rows.iter().map(|r| r.id.clone()));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    // Overdue: the oldest due first.
    let overdue = inbox::page(
        f.db.sql(),
        &rd,
        &LeadQuery {
            tab: LeadTab::Overdue,
            search: String::new(),
            after: None,
            limit: 0,
        },
    )
    .unwrap();
    assert_eq!(overdue.rows.first().map(|r| r.id.clone()), ids.last().cloned());
    // One-character and longer Japanese words, and a mail domain.
    for (q, tab, want) in [
        ("林", LeadTab::Nurture, vec![n.clone()]),
        ("検索3", LeadTab::New, vec![ids[3].clone()]),
        (
            "資料",
            LeadTab::Mine,
            vec![ids[0].clone(), ids[2].clone(), ids[4].clone()],
        ),
        ("kensaku1.co", LeadTab::New, vec![ids[1].clone()]),
    ] {
        let got: Vec<String> = inbox::page(
            f.db.sql(),
            &rd,
            &LeadQuery {
                tab,
                search: q.into(),
                after: None,
                limit: 0,
            },
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect();
        assert_eq!(got, want, "{q}");
    }
    // Searched, each tab counts what its pages show.
    let count = |q: &str| {
        let c = inbox::counts(f.db.sql(), &me, rd.now, q).unwrap();
        (c.new, c.mine, c.overdue, c.nurture)
    };
    assert_eq!(count("林"), (0, 0, 0, 1));
    assert_eq!(count("検索"), (5, 3, 5, 0));
    assert_eq!(count("検索3"), (1, 0, 1, 0));
    assert_eq!(count("見つからない語"), (0, 0, 0, 0));
    for q in ["資料", "kensaku1.co", "株式会社"] {
        let shown = LeadTab::ALL.map(|tab| {
            let q = LeadQuery {
                tab,
                search: q.into(),
                after: None,
                limit: 0,
            };
            inbox::page(f.db.sql(), &rd, &q).unwrap().rows.len() as u32
        });
        let c = count(q);
        assert_eq!([c.0, c.1, c.2, c.3], shown, "{q}");
    }
}

#[test]
fn the_numbers_match_a_hand_count() {
    let mut f = fixture();
    let s = seed_pipeline(&mut f.db);
    let me = f.db.user().id.clone();
    // (received, source, answered after business minutes, converted, won)
    // Received Wednesday 10:00 (the fixture's now) unless said otherwise.
    let at = |s: &str| Some(s.to_string());
    let rows = [
        ("2026-10-05T01:00:00Z", "web_form", Some(30), true, true), // Mon 10:00 JST
        ("2026-10-06T08:30:00Z", "web_form", Some(60), false, false), // Tue 17:30 → Wed 09:30 = 60 business minutes
        ("2026-11-20T01:00:00Z", "exhibition", Some(120), true, false),
        ("2026-11-24T01:00:00Z", "web_form", None, false, false),
        ("2026-11-25T00:00:00Z", "referral", Some(10), false, false),
    ];
    let mut ids = Vec::new();
    for (received, source, answered, converted, won) in rows {
        let id = add(
            &mut f.db,
            &NewLead {
                source: source.into(),
                received_at: at(received),
                owner_id: Some(me.clone()),
                ..inquiry(&format!("数字{}", ids.len()), "", "")
            },
        );
        if let Some(mins) = answered {
            let team = TeamSettings::load(f.db.sql()).unwrap();
            let t = team
                .business_hours
                .add(from_db(received).unwrap(), mins, f.clock.offset());
            f.db.sql()
                .execute(
                    "UPDATE leads SET first_response_at = ?2 WHERE id = ?1",
                    sql::params![&id, &to_db(t)],
                )
                .unwrap();
        }
        if converted {
            let deal = s.deal(&mut f.db, "x", s.stage(if won { "受注" } else { "提案" }), 1, "JPY");
            f.db.sql()
                .execute(
                    "UPDATE leads SET deal_id = ?2, converted_at = received_at, status = 'qualified' WHERE id = ?1",
                    sql::params![&id, &deal],
                )
                .unwrap();
        }
        ids.push(id);
    }
    // One resurfaced in the period (and a lead of June, outside six months).
    f.db.sql()
        .execute(
            "UPDATE leads SET resurfaced_at = '2026-11-01T00:00:00Z' WHERE id = ?1",
            sql::params![&ids[0]],
        )
        .unwrap();
    add(
        &mut f.db,
        &NewLead {
            received_at: at("2026-05-20T00:00:00Z"),
            ..inquiry("古い会社", "", "")
        },
    );
    let team = TeamSettings::load(f.db.sql()).unwrap();
    let n = numbers::numbers(f.db.sql(), &team, f.clock.now(), f.clock.offset(), 6).unwrap();
    assert_eq!(n.since, "2026-06");
    let by_month: Vec<(String, String, u32)> = n
        .by_month
        .iter()
        .map(|m| (m.month.clone(), m.source.clone(), m.leads))
        .collect();
    assert_eq!(
        by_month,
        [
            ("2026-10".into(), "web_form".into(), 2),
            ("2026-11".into(), "exhibition".into(), 1),
            ("2026-11".into(), "referral".into(), 1),
            ("2026-11".into(), "web_form".into(), 1),
        ]
    );
    // Answered: 30, 60, 120, 10 business minutes → the lower middle is 30.
    assert_eq!((n.answered, n.median_first_response_minutes), (4, Some(30)));
    let conv: Vec<(String, u32, u32, u32)> = n
        .by_source
        .iter()
        .map(|c| (c.source.clone(), c.leads, c.deals, c.won))
        .collect();
    assert_eq!(
        conv,
        [
            ("web_form".into(), 3, 1, 1),
            ("exhibition".into(), 1, 1, 0),
            ("referral".into(), 1, 0, 0),
        ]
    );
    assert_eq!(n.resurfaced, 1);
}

#[test]
fn bad_input_is_refused_with_its_field() {
    let mut f = fixture();
    assert_invalid(
        f.db.write(|ctx| {
            lead::add(
                ctx,
                &NewLead {
                    source: "web_form".into(),
                    ..Default::default()
                },
            )
        }),
        "person_name",
        "required",
    );
    assert_invalid(
        f.db.write(|ctx| {
            lead::add(
                ctx,
                &NewLead {
                    source: "fax".into(),
                    ..inquiry("a", "b", "")
                },
            )
        }),
        "source",
        "unknown",
    );
    assert_invalid(
        f.db.write(|ctx| lead::add(ctx, &inquiry("a", "b", "not a mail"))),
        "mail",
        "format",
    );
    let tomorrow = to_db(f.clock.now() + Duration::days(1));
    assert_invalid(
        f.db.write(|ctx| {
            lead::add(
                ctx,
                &NewLead {
                    received_at: Some(tomorrow.clone()),
                    ..inquiry("a", "b", "")
                },
            )
        }),
        "received_at",
        "in_future",
    );
    let id = add(&mut f.db, &inquiry("a", "b", ""));
    let v = version(&f.db, &id);
    assert_invalid(
        f.db.write(|ctx| nurture::to_nurture(ctx, &id, v, "  ")),
        "reason",
        "required",
    );
    f.db.write(|ctx| lead::delete(ctx, &id, v)).unwrap();
    assert!(matches!(
        f.db.write(|ctx| lead::set_owner(ctx, &id, v + 1, None)),
        Err(crate::Error::NotFound { .. })
    ));
}

#[test]
fn a_check_in_answered_by_the_customer_brings_the_lead_back_and_plans_no_more() {
    let mut f = fixture();
    let (s, _, lead_id) = lost_deal_nurtured(&mut f);
    let fu = col(&f.db, &lead_id, "check_in_follow_up_id").unwrap();
    let fv: i64 =
        f.db.sql()
            .query_one("SELECT version FROM follow_ups WHERE id = ?1", sql::params![&fu], |r| {
                r.get(0)
            })
            .unwrap();
    let reply = crate::timeline::activity::NewActivity {
        direction: Some(Direction::Inbound),
        ..entry(
            &s.company_id,
            ActivityKind::Call,
            &to_db(f.clock.now()),
            "近況伺いに折り返しの電話",
        )
    };
    crate::app::outbox::apply_once(
        &mut f.db,
        "check-in",
        &crate::app::outbox::Op::CompleteFollowUp {
            id: fu,
            version: fv,
            touch: Some(reply),
        },
    )
    .unwrap();
    assert_eq!(col(&f.db, &lead_id, "status").as_deref(), Some("contacted"));
    assert_eq!(col(&f.db, &lead_id, "check_in_follow_up_id"), None);
    let open: i64 =
        f.db.sql()
            .query_one(
                "SELECT COUNT(*) FROM follow_ups WHERE status = 'open' AND text_kind = 'nurture_check_in'",
                &[],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(open, 0);
}

#[test]
fn an_edit_names_its_version_and_keeps_the_keys_in_step() {
    let mut f = fixture();
    let id = add(&mut f.db, &inquiry("株式会社アサヒ", "朝日 太郎", "asahi@asahi.co.jp"));
    let v = version(&f.db, &id);
    let edit = lead::LeadEdit {
        source: "exhibition".into(),
        person_name: "朝日 太郎".into(),
        company_name: "ユウヒ（株）".into(),
        phone: "+81 6 1111 2222".into(),
        mail: "taro@yuhi.co.jp".into(),
        message: "展示会で名刺交換".into(),
    };
    let v2 = f.db.write(|ctx| lead::update(ctx, &id, v, &edit)).unwrap();
    assert_eq!(v2, v + 1);
    assert_eq!(col(&f.db, &id, "company_key").as_deref(), Some("ゆうひ"));
    assert_eq!(col(&f.db, &id, "phone_key").as_deref(), Some("0611112222"));
    // A colleague's edit in between: a conflict, nothing overwritten.
    assert!(matches!(
        f.db.write(|ctx| lead::update(ctx, &id, v, &edit)),
        Err(crate::Error::Conflict { .. })
    ));
    // Found by its new words, not its old ones.
    let me = f.db.user().id.clone();
    let hits = |q: &str| inbox::counts(f.db.sql(), &me, f.clock.now(), q).unwrap().new;
    assert_eq!((hits("ユウヒ"), hits("アサヒ")), (1, 0));
}
