use crate::clock::{to_db, Clock};
use crate::engine_text::{EngineText, ToSalesKind};
use crate::error::ErrorCode;
use crate::followups::reminder::{self, NotifyPrefs, Reminder, ReminderKind};
use crate::handoff::sheet::{self, ChecklistTick, HandoffInput, HandoffStatus, KeyPersonInput, PromiseInput};
use crate::handoff::{acknowledge, inbox, to_sales};
use crate::store::sql;
use crate::store::team_db::TeamDb;
use crate::team::role::{self, Role};
use crate::team::settings::TeamSettings;
use crate::testutil::{assert_invalid, colleague, contact, fixture, seed_pipeline, Fixture, Seed};
use chrono::{DateTime, Duration, NaiveDate, Utc};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The rep (the fixture's member) and a support member on another desktop.
fn team(f: &mut Fixture) -> (Seed, TeamDb) {
    let s = seed_pipeline(&mut f.db);
    let mut sato = colleague(f, "sato", "佐藤 花子");
    let (id, version) = (sato.user().id.clone(), sato.user().version);
    sato.write(|ctx| role::set(ctx, &id, version, &[Role::Support]))
        .unwrap();
    (s, sato)
}

fn input(s: &Seed) -> HandoffInput {
    HandoffInput {
        company_id: s.company_id.clone(),
        sold: "クラウド会計 年額".into(),
        amount: 600_000,
        currency: "JPY".into(),
        goals: "月次決算を3日早める".into(),
        risks: "経理部長が導入に慎重".into(),
        ..Default::default()
    }
}

fn kinds(due: &[Reminder]) -> Vec<ReminderKind> {
    due.iter().map(|r| r.kind).collect()
}

fn pending(db: &TeamDb, now: DateTime<Utc>) -> Vec<Reminder> {
    reminder::pending(db.sql(), &db.user().id, &TeamSettings::load(db.sql()).unwrap(), now).unwrap()
}

fn claim(db: &mut TeamDb, due: &[Reminder]) -> Vec<Reminder> {
    let me = db.user().id.clone();
    db.write(|ctx| reminder::claim(ctx, &me, due)).unwrap()
}

fn handoff_entries(f: &Fixture, company_id: &str) -> Vec<EngineText> {
    f
        .db
        .sql()
        .query("SELECT text_kind, text_params FROM activities WHERE company_id = ?1 AND kind = 'handoff' ORDER BY created_at, id", sql::params![company_id], |r| {
        let (k, p): (Option<String>, Option<String>) = (r.get(0)?, r.get(1)?);
        Ok(EngineText::from_columns(k.as_deref(), p.as_deref()).unwrap())
    }).unwrap()
}

#[test]
fn support_hears_at_once_and_an_unacknowledged_sheet_reminds_both_once_after_business_hours_across_a_weekend() {
    let mut f = fixture();
    let (s, mut sato) = team(&mut f);
    // Friday 16:00 in Tokyo; 4 business hours (9:00–18:00) end on Monday 11:00.
    f.clock.advance(Duration::hours(54));
    assert_eq!(to_db(f.clock.now()), "2026-11-27T07:00:00Z");
    let id = f.db.write(|ctx| sheet::send(ctx, &input(&s))).unwrap();
    let sent = sheet::get(f.db.sql(), &id).unwrap();
    assert_eq!(sent.ack_due_at, "2026-11-30T02:00:00Z", "Monday 11:00 JST");
    assert_eq!(sent.status, HandoffStatus::Sent);

    // Support is told now; the rep is not told of their own sheet.
    let now = f.clock.now();
    let told = pending(&sato, now);
    assert_eq!(kinds(&told), [ReminderKind::HandoffSent]);
    assert_eq!(told[0].company_name.as_deref(), Some("株式会社テスト"));
    assert_eq!(claim(&mut sato, &told).len(), 1);
    assert!(pending(&sato, now).is_empty());
    assert!(pending(&f.db, now).is_empty());

    // Over the weekend nothing more, though the calendar hours passed.
    let sunday_night = at("2026-11-29T23:00:00+09:00");
    assert!(pending(&f.db, sunday_night).is_empty());
    assert!(pending(&sato, sunday_night).is_empty());

    // Monday 11:00: both are reminded, once each.
    let monday = at("2026-11-30T11:00:00+09:00");
    let rep_due = pending(&f.db, monday);
    let support_due = pending(&sato, monday);
    assert_eq!(kinds(&rep_due), [ReminderKind::HandoffUnacknowledged]);
    assert_eq!(kinds(&support_due), [ReminderKind::HandoffUnacknowledged]);
    let text = reminder::render(
        &reminder::Notice::Single {
            reminder: Box::new(rep_due[0].clone()),
        },
        crate::language::Language::Ja,
        f.clock.offset(),
    );
    assert_eq!(text.summary, "引き継ぎがまだ受領されていません: 株式会社テスト");
    assert_eq!(claim(&mut f.db, &rep_due).len(), 1);
    assert_eq!(claim(&mut sato, &support_due).len(), 1);
    assert!(pending(&f.db, monday + Duration::days(3)).is_empty());
    assert!(pending(&sato, monday + Duration::days(3)).is_empty());
}

#[test]
fn quiet_hours_hold_back_a_hand_off_sent_at_night() {
    let mut f = fixture();
    let (s, sato) = team(&mut f);
    // Wednesday 21:00 JST: in the support member's quiet hours (20:00–08:00).
    f.clock.advance(Duration::hours(11));
    f.db.write(|ctx| sheet::send(ctx, &input(&s))).unwrap();
    let team_settings = TeamSettings::load(sato.sql()).unwrap();
    let prefs = NotifyPrefs::default();
    let step = reminder::step(sato.sql(), &f.clock, &sato.user().id, &prefs, &team_settings).unwrap();
    assert!(step.due.is_empty());
    assert_eq!(step.next_wake, Some(at("2026-11-26T08:00:00+09:00")));
    f.clock.advance(Duration::hours(11));
    let step = reminder::step(sato.sql(), &f.clock, &sato.user().id, &prefs, &team_settings).unwrap();
    assert_eq!(kinds(&step.due), [ReminderKind::HandoffSent]);
}

#[test]
fn a_sheet_addressed_to_one_member_tells_only_them_and_acknowledging_ends_the_reminders() {
    let mut f = fixture();
    let (s, sato) = team(&mut f);
    let mut suzuki = colleague(&f, "suzuki", "鈴木 一郎");
    let mut h = input(&s);
    h.to_user_id = Some(suzuki.user().id.clone());
    let id = f.db.write(|ctx| sheet::send(ctx, &h)).unwrap();
    let now = f.clock.now();
    assert!(pending(&sato, now).is_empty(), "the support team is not told");
    assert_eq!(kinds(&pending(&suzuki, now)), [ReminderKind::HandoffSent]);
    suzuki.write(|ctx| acknowledge::acknowledge(ctx, &id, 1)).unwrap();
    let later = now + Duration::days(7);
    assert!(pending(&f.db, later).is_empty());
    assert!(pending(&suzuki, later).is_empty());
    assert_eq!(
        handoff_entries(&f, &s.company_id),
        [
            EngineText::HandoffSent {
                handoff_id: id.clone(),
                to: Some("鈴木 一郎".into())
            },
            EngineText::HandoffAcknowledged {
                handoff_id: id.clone(),
                by: "鈴木 一郎".into()
            }
        ]
    );
}

#[test]
fn dated_promises_become_follow_ups_of_their_keepers_handed_over_by_the_rep() {
    let mut f = fixture();
    let (s, sato) = team(&mut f);
    let rep = f.db.user().id.clone();
    let sato_id = sato.user().id.clone();
    let mut h = input(&s);
    h.promises = vec![
        PromiseInput {
            text: "初期設定を代行する".into(),
            due_on: Some(day("2026-12-04")),
            keeper_id: Some(sato_id.clone()),
        },
        PromiseInput {
            text: "請求書を送る".into(),
            due_on: Some(day("2026-12-01")),
            keeper_id: None,
        },
        PromiseInput {
            text: "導入後も定期的に訪問する".into(),
            due_on: None,
            keeper_id: None,
        },
    ];
    let id = f.db.write(|ctx| sheet::send(ctx, &h)).unwrap();
    let follow_ups = |db: &TeamDb| -> Vec<(String, String, Option<String>, String, String)> {
        db.sql()
            .query(
                "SELECT title, assignee_id, handed_over_by, due_at, status FROM follow_ups
                  WHERE kind = 'follow_up' ORDER BY due_at",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap()
    };
    assert_eq!(
        follow_ups(&f.db),
        [
            (
                "約束: 請求書を送る（株式会社テスト）".to_string(),
                rep.clone(),
                None,
                "2026-12-01T00:00:00Z".to_string(),
                "open".to_string()
            ),
            (
                "約束: 初期設定を代行する（株式会社テスト）".to_string(),
                sato_id.clone(),
                Some(rep.clone()),
                "2026-12-04T00:00:00Z".to_string(),
                "open".to_string()
            ),
        ]
    );
    let sent = sheet::get(f.db.sql(), &id).unwrap();
    assert_eq!(sent.promises.len(), 3);
    assert_eq!(sent.promises[0].keeper_name.as_deref(), Some("佐藤 花子"));
    assert!(sent.promises[2].follow_up_id.is_none());

    // Moving one promise's date replaces its follow-up; the others keep theirs.
    let kept_follow_up = sent.promises[1].follow_up_id.clone();
    h.promises[0].due_on = Some(day("2026-12-08"));
    let v2 = f.db.write(|ctx| sheet::update(ctx, &id, 1, &h)).unwrap();
    assert_eq!(v2, 2);
    let edited = sheet::get(f.db.sql(), &id).unwrap();
    assert_eq!(edited.promises[1].follow_up_id, kept_follow_up);
    assert_eq!(edited.promises[0].due_on, Some(day("2026-12-08")));
    let statuses: Vec<(String, String)> = follow_ups(&f.db).into_iter().map(|r| (r.3, r.4)).collect();
    assert_eq!(
        statuses,
        [
            ("2026-12-01T00:00:00Z".to_string(), "open".to_string()),
            ("2026-12-04T00:00:00Z".to_string(), "cancelled".to_string()),
            ("2026-12-08T00:00:00Z".to_string(), "open".to_string()),
        ]
    );
    // A stale edit is a conflict, not an overwrite.
    let stale = f.db.write(|ctx| sheet::update(ctx, &id, 1, &h));
    assert_eq!(stale.unwrap_err().code(), ErrorCode::Conflict);
}

#[test]
fn the_checklist_is_the_teams_template_ticked_and_key_persons_are_the_customers_contacts() {
    let mut f = fixture();
    let (s, _sato) = team(&mut f);
    let yamada = contact(&mut f.db, &s.company_id, "山田 一郎", "yamada@example.jp");
    let template = TeamSettings::load(f.db.sql()).unwrap().handoff_checklist;
    let mut h = input(&s);
    h.checklist = vec![
        ChecklistTick {
            item: template[1].clone(),
            done: true,
        },
        ChecklistTick {
            item: "テンプレートにない項目".into(),
            done: true,
        },
    ];
    h.key_persons = vec![KeyPersonInput {
        contact_id: yamada.clone(),
        channel: sheet::PreferredChannel::Mail,
        note: "午前中はメールのみ".into(),
    }];
    let id = f.db.write(|ctx| sheet::send(ctx, &h)).unwrap();
    let sent = sheet::get(f.db.sql(), &id).unwrap();
    assert_eq!(sent.checklist.len(), template.len());
    assert_eq!(
        sent.checklist
            .iter()
            .filter(|t| t.done)
            .map(|t| t.item.clone())
            .collect::<Vec<_>>(),
        [template[1].clone()]
    );
    assert_eq!(sent.key_persons[0].name, "山田 一郎");
    assert_eq!(sent.key_persons[0].channel, sheet::PreferredChannel::Mail);

    // Another customer's contact is refused, and so is a sheet without what was sold.
    let other = crate::testutil::company(&mut f.db, "別会社");
    let stranger = contact(&mut f.db, &other, "他社 太郎", "t@example.jp");
    h.key_persons[0].contact_id = stranger;
    assert_invalid(f.db.write(|ctx| sheet::send(ctx, &h)), "key_persons", "other_company");
    let mut blank = input(&s);
    blank.sold = " ".into();
    assert_invalid(f.db.write(|ctx| sheet::send(ctx, &blank)), "sold", "required");
}

#[test]
fn acknowledging_and_asking_are_checked_against_the_version_read() {
    let mut f = fixture();
    let (s, mut sato) = team(&mut f);
    let id = f.db.write(|ctx| sheet::send(ctx, &input(&s))).unwrap();

    // Support asks back; the rep is told.
    let v2 = sato
        .write(|ctx| acknowledge::ask(ctx, &id, 1, "キックオフの参加者は？"))
        .unwrap();
    assert_eq!(v2, 2);
    let rep_due = pending(&f.db, f.clock.now());
    assert_eq!(kinds(&rep_due), [ReminderKind::HandoffMessage]);
    assert_eq!(rep_due[0].title, "キックオフの参加者は？");
    let lists = inbox::lists(f.db.sql(), &f.clock, &f.db.user().id).unwrap();
    assert!(lists.waiting[0].open_question);

    // An acknowledgement based on the sheet before the question is stale.
    let stale = sato.write(|ctx| acknowledge::acknowledge(ctx, &id, 1));
    assert_eq!(stale.unwrap_err().code(), ErrorCode::Conflict);
    // So is an answer to an old version.
    let stale =
        f.db.write(|ctx| acknowledge::answer(ctx, &id, 1, "経理部長と担当者です"));
    assert_eq!(stale.unwrap_err().code(), ErrorCode::Conflict);
    assert_invalid(
        f.db.write(|ctx| acknowledge::answer(ctx, &id, 2, "  ")),
        "body",
        "required",
    );
    let v3 =
        f.db.write(|ctx| acknowledge::answer(ctx, &id, 2, "経理部長と担当者です"))
            .unwrap();
    // The asker hears the answer (beside the arrival, not claimed here).
    let support_due = pending(&sato, f.clock.now());
    assert_eq!(
        kinds(&support_due),
        [ReminderKind::HandoffMessage, ReminderKind::HandoffSent]
    );
    let lists = inbox::lists(sato.sql(), &f.clock, &sato.user().id).unwrap();
    assert_eq!(lists.to_acknowledge.len(), 1);
    assert!(!lists.to_acknowledge[0].open_question);

    sato.write(|ctx| acknowledge::acknowledge(ctx, &id, v3)).unwrap();
    assert_invalid(
        sato.write(|ctx| acknowledge::acknowledge(ctx, &id, v3 + 1)),
        "handoff",
        "already_acknowledged",
    );
    let done = sheet::get(f.db.sql(), &id).unwrap();
    assert_eq!(done.status, HandoffStatus::Acknowledged);
    assert_eq!(done.acknowledged_by_name.as_deref(), Some("佐藤 花子"));
    assert_eq!(done.messages.len(), 2);
    let lists = inbox::lists(f.db.sql(), &f.clock, &f.db.user().id).unwrap();
    assert!(lists.waiting.is_empty());
    assert_eq!(lists.recent.len(), 1);
    let steps: Vec<&'static str> = handoff_entries(&f, &s.company_id)
        .iter()
        .map(|t| match t {
            EngineText::HandoffSent { .. } => "sent",
            EngineText::HandoffQuestion { .. } => "question",
            EngineText::HandoffAnswer { .. } => "answer",
            EngineText::HandoffAcknowledged { .. } => "acknowledged",
            _ => "other",
        })
        .collect();
    assert_eq!(steps, ["sent", "question", "answer", "acknowledged"]);
}

#[test]
fn a_won_deal_prefills_the_sheet_with_its_contract_and_the_teams_checklist() {
    let mut f = fixture();
    let (s, _sato) = team(&mut f);
    let deal = s.deal(&mut f.db, "会計システム導入", s.stage("受注"), 1_200_000, "JPY");
    let d = sheet::draft(f.db.sql(), &s.company_id, Some(&deal)).unwrap();
    assert_eq!((d.sold.as_str(), d.amount), ("会計システム導入", 1_200_000));
    assert_eq!(d.checklist, TeamSettings::load(f.db.sql()).unwrap().handoff_checklist);
    assert!(d.existing_id.is_none());
    crate::testutil::contract(&mut f, &s.company_id, "2026-12-01", "2027-11-30", 600_000);
    let d = sheet::draft(f.db.sql(), &s.company_id, Some(&deal)).unwrap();
    assert_eq!((d.sold.as_str(), d.amount), ("クラウド会計 年額", 600_000));
    assert!(d.contract_id.is_some());
    let mut h = input(&s);
    h.deal_id = Some(deal.clone());
    let id = f.db.write(|ctx| sheet::send(ctx, &h)).unwrap();
    assert_eq!(
        sheet::draft(f.db.sql(), &s.company_id, Some(&deal))
            .unwrap()
            .existing_id,
        Some(id)
    );
}

/// A support case opened through the cases engine, renumbered so the
/// cards' "from case #N" can be checked against a known number.
fn support_case(f: &mut Fixture, company_id: &str, number: i64) -> String {
    use crate::support::case::{self, Category, Channel, NewCase, Priority};
    let new = NewCase {
        id: None,
        company_id: company_id.to_string(),
        contact_id: None,
        deal_id: None,
        contract_id: None,
        subject: "ライセンス追加の相談".into(),
        body: String::new(),
        channel: Channel::Phone,
        category: Category::Request,
        priority: Priority::Normal,
        assignee_id: None,
        received_at: None,
    };
    let id = f.db.write(|ctx| case::open(ctx, &new)).unwrap();
    f.db.sql()
        .execute(
            "UPDATE support_cases SET number = ?2 WHERE id = ?1",
            sql::params![id, number],
        )
        .unwrap();
    id
}

#[test]
fn support_hands_the_owner_an_opportunity_with_a_follow_up_and_a_deal_that_says_where_it_came_from() {
    let mut f = fixture();
    let (s, mut sato) = team(&mut f);
    let owner = f.db.user().id.clone();
    let case_id = support_case(&mut f, &s.company_id, 12);
    let input = to_sales::ToSalesInput {
        case_id: case_id.clone(),
        kind: ToSalesKind::Opportunity,
        note: "10ユーザー追加を検討中".into(),
        contract_id: None,
        deal: Some(to_sales::OpportunityDeal {
            title: "ユーザー追加".into(),
            amount: 240_000,
            currency: "JPY".into(),
        }),
    };
    // Nobody owns the customer yet: there is nobody to hand it to.
    assert_invalid(
        sato.write(|ctx| to_sales::hand_to_sales(ctx, &input)),
        "owner_id",
        "none",
    );
    f.db.sql()
        .execute("UPDATE companies SET owner_id = ?1", sql::params![&owner])
        .unwrap();
    let out = sato.write(|ctx| to_sales::hand_to_sales(ctx, &input)).unwrap();
    assert_eq!(out.owner_id, owner);
    let deal_id = out.deal_id.clone().unwrap();

    // The owner's follow-up, handed over by support, due now: the reminders tell them.
    let (assignee, handed, deal_of): (String, Option<String>, Option<String>) =
        f.db.sql()
            .query_one(
                "SELECT assignee_id, handed_over_by, deal_id FROM follow_ups WHERE id = ?1",
                sql::params![&out.follow_up_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
    assert_eq!(
        (assignee, handed, deal_of),
        (owner.clone(), Some(sato.user().id.clone()), Some(deal_id.clone()))
    );
    let due = pending(&f.db, f.clock.now());
    assert!(due.iter().any(|r| r.item_id == out.follow_up_id), "{due:?}");

    // The deal sits in the first stage, owned by the owner, and knows its case.
    let (stage, deal_owner): (String, String) =
        f.db.sql()
            .query_one(
                "SELECT stage_id, owner_id FROM deals WHERE id = ?1",
                sql::params![&deal_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert_eq!((stage, deal_owner), (s.stages[0].id.clone(), owner.clone()));
    assert_eq!(to_sales::deal_origin(f.db.sql(), &deal_id).unwrap(), Some(12));
    let board = crate::pipeline::board::load(
        f.db.sql(),
        &f.clock,
        None,
        &crate::pipeline::board::BoardFilter::default(),
    )
    .unwrap();
    let card = board
        .columns
        .iter()
        .flat_map(|c| &c.cards)
        .find(|c| c.id == deal_id)
        .unwrap();
    assert_eq!(card.from_case, Some(12), "the deal card says where it came from");
    assert_eq!(
        handoff_entries(&f, &s.company_id),
        [EngineText::CaseHandedToSales {
            kind: ToSalesKind::Opportunity,
            case_number: 12,
            owner: "田中 太郎".into()
        }]
    );
    let thread: i64 =
        f.db.sql()
            .query_one(
                "SELECT COUNT(*) FROM case_events WHERE case_id = ?1 AND kind = 'handoff'",
                sql::params![&case_id],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(thread, 1);
    assert_eq!(to_sales::target(f.db.sql(), &case_id).unwrap().handed.len(), 1);
}

#[test]
fn a_renewal_risk_names_the_customers_contract_and_a_complaint_needs_words() {
    let mut f = fixture();
    let (s, mut sato) = team(&mut f);
    let owner = f.db.user().id.clone();
    f.db.sql()
        .execute("UPDATE companies SET owner_id = ?1", sql::params![&owner])
        .unwrap();
    let contract = crate::testutil::contract(&mut f, &s.company_id, "2026-04-01", "2027-03-31", 600_000);
    let case_id = support_case(&mut f, &s.company_id, 3);
    let mut risk = to_sales::ToSalesInput {
        case_id: case_id.clone(),
        kind: ToSalesKind::RenewalRisk,
        note: "他社への乗り換えを検討と発言".into(),
        contract_id: None,
        deal: None,
    };
    assert_invalid(
        sato.write(|ctx| to_sales::hand_to_sales(ctx, &risk)),
        "contract_id",
        "required",
    );
    risk.contract_id = Some(contract.clone());
    let out = sato.write(|ctx| to_sales::hand_to_sales(ctx, &risk)).unwrap();
    assert!(out.deal_id.is_none());
    let on: Option<String> =
        f.db.sql()
            .query_one(
                "SELECT contract_id FROM case_handoffs WHERE id = ?1",
                sql::params![&out.id],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(on, Some(contract.clone()));
    let card = crate::contracts::renewal::get(f.db.sql(), f.clock.today(), &contract).unwrap();
    assert_eq!(
        card.from_case,
        Some(3),
        "the renewal card says where the risk came from"
    );
    let complaint = to_sales::ToSalesInput {
        kind: ToSalesKind::Complaint,
        note: "".into(),
        contract_id: None,
        ..risk
    };
    assert_invalid(
        sato.write(|ctx| to_sales::hand_to_sales(ctx, &complaint)),
        "note",
        "required",
    );
}
