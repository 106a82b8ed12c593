//! The support engine against the fake clock (fixture: Wednesday
//! 2026-11-25 10:00 Tokyo, office 9:00–18:00 Monday to Friday).

use crate::clock::{from_db, Clock};
use crate::followups::reminder::{self, NotifyPrefs, ReminderKind};
use crate::store::identity::User;
use crate::store::sql;
use crate::store::team_db::TeamDb;
use crate::support::case::{self, CaseStatus, Category, Channel, NewCase, Priority};
use crate::support::inbox::{self, InboxQuery, InboxTab, Reader};
use crate::support::sla::SlaState;
use crate::support::thread::{self, EventKind, NewPost};
use crate::team::role::{self, Role};
use crate::team::settings::TeamSettings;
use crate::testutil::{assert_invalid, colleague, company, fixture, Fixture};
use chrono::{Duration, NaiveDate};

fn new_case(company_id: &str, subject: &str, priority: Priority, assignee: Option<&str>) -> NewCase {
    NewCase {
        id: None,
        company_id: company_id.into(),
        contact_id: None,
        deal_id: None,
        contract_id: None,
        subject: subject.into(),
        body: "請求書の金額が見積と違うとのお申し出".into(),
        channel: Channel::Phone,
        category: Category::Complaint,
        priority,
        assignee_id: assignee.map(String::from),
        received_at: None,
    }
}

fn open(db: &mut TeamDb, c: &NewCase) -> String {
    db.write(|ctx| case::open(ctx, c)).unwrap()
}

fn stored(db: &TeamDb, id: &str, column: &str) -> Option<String> {
    db.sql()
        .query_one(
            &format!("SELECT {column} FROM support_cases WHERE id = ?1"),
            sql::params![id],
            |r| r.get(0),
        )
        .unwrap()
}

fn version(db: &TeamDb, id: &str) -> i64 {
    db.sql()
        .query_one(
            "SELECT version FROM support_cases WHERE id = ?1",
            sql::params![id],
            |r| r.get(0),
        )
        .unwrap()
}

fn detail(f: &Fixture, id: &str) -> inbox::CaseDetail {
    let team = TeamSettings::load(f.db.sql()).unwrap();
    let rd = Reader {
        user_id: &f.db.user().id,
        team: &team,
        now: f.clock.now(),
        offset: f.clock.offset(),
    };
    inbox::detail(f.db.sql(), &rd, id).unwrap()
}

fn set_roles(f: &mut Fixture, user: &User, roles: &[Role]) {
    let v: i64 =
        f.db.sql()
            .query_one("SELECT version FROM users WHERE id = ?1", sql::params![&user.id], |r| {
                r.get(0)
            })
            .unwrap();
    f.db.write(|ctx| role::set(ctx, &user.id, v, roles)).unwrap();
}

fn no_quiet() -> NotifyPrefs {
    NotifyPrefs {
        enabled: true,
        quiet_start: None,
        quiet_end: None,
        working_days: vec![1, 2, 3, 4, 5, 6, 7],
    }
}

/// What `user` is told now (claimed, so told once), as (kind, case id).
fn told(f: &mut Fixture, user: &str, prefs: &NotifyPrefs) -> Vec<(ReminderKind, String)> {
    let team = TeamSettings::load(f.db.sql()).unwrap();
    let step = reminder::step(f.db.sql(), &f.clock, user, prefs, &team).unwrap();
    let claimed = f.db.write(|ctx| reminder::claim(ctx, user, &step.due)).unwrap();
    claimed
        .into_iter()
        .filter(|r| r.kind.as_str().starts_with("case_"))
        .map(|r| (r.kind, r.item_id))
        .collect()
}

#[test]
fn due_times_count_business_hours_across_nights_weekends_and_holidays() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社サポート");
    // Monday 2026-11-30 is a company holiday.
    let mut team = TeamSettings::load(f.db.sql()).unwrap();
    team.business_hours.holidays = vec![NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()];
    f.db.write(|ctx| team.save(ctx)).unwrap();
    // Friday 17:30: normal priority, first response within 4 business hours,
    // resolution within 27.
    f.clock.advance(Duration::days(2) + Duration::minutes(450));
    let id = open(
        &mut f.db,
        &new_case(&co, "金曜夕方の問い合わせ", Priority::Normal, None),
    );
    // 30 minutes on Friday, then Tuesday 9:00 + 3:30.
    assert_eq!(
        stored(&f.db, &id, "first_response_due").unwrap(),
        "2026-12-01T03:30:00Z"
    );
    // Warned an hour of business time before.
    assert_eq!(
        stored(&f.db, &id, "first_response_warn_at").unwrap(),
        "2026-12-01T02:30:00Z"
    );
    // 27 h: Fri 0.5 + Tue 9 + Wed 9 + Thu 8.5 → Thursday 17:30.
    assert_eq!(stored(&f.db, &id, "resolution_due").unwrap(), "2026-12-03T08:30:00Z");
    assert_eq!(stored(&f.db, &id, "next_due"), stored(&f.db, &id, "first_response_due"));

    // Over the weekend the target is on track, with 4 business hours less
    // the half hour of Friday left.
    f.clock.advance(Duration::days(1));
    let d = detail(&f, &id);
    assert_eq!(d.case.first_response.state, SlaState::OnTrack);
    assert_eq!(d.case.first_response.minutes_left, Some(210));
    // Tuesday 11:45: within the hour's warning.
    f.clock.advance(Duration::days(2) + Duration::minutes(1095));
    assert_eq!(detail(&f, &id).case.first_response.state, SlaState::DueSoon);
    // Raising the priority plans both targets again from when it came in.
    let v = version(&f.db, &id);
    f.db.write(|ctx| case::set_priority(ctx, &id, v, Priority::Urgent))
        .unwrap();
    // Urgent: one business hour → Friday 17:30 + 0:30, Tuesday 9:30.
    assert_eq!(
        stored(&f.db, &id, "first_response_due").unwrap(),
        "2026-12-01T00:30:00Z"
    );
    let d = detail(&f, &id);
    assert_eq!(d.case.first_response.state, SlaState::Breached);
    assert_eq!(d.case.first_response.minutes_left, Some(-135));
}

#[test]
fn the_status_machine_refuses_impossible_steps_and_allows_reopening() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社サポート");
    let id = open(&mut f.db, &new_case(&co, "ログインできない", Priority::High, None));
    let step = |f: &mut Fixture, to| {
        let v = version(&f.db, &id);
        f.db.write(|ctx| case::set_status(ctx, &id, v, to))
    };
    assert_invalid(step(&mut f, CaseStatus::Closed), "status", "not_allowed");
    assert_invalid(step(&mut f, CaseStatus::New), "status", "not_allowed");
    step(&mut f, CaseStatus::InProgress).unwrap();
    step(&mut f, CaseStatus::Waiting).unwrap();
    step(&mut f, CaseStatus::Resolved).unwrap();
    assert!(stored(&f.db, &id, "resolved_at").is_some());
    assert_eq!(stored(&f.db, &id, "next_due"), None);
    assert_invalid(step(&mut f, CaseStatus::Waiting), "status", "not_allowed");
    step(&mut f, CaseStatus::Closed).unwrap();
    // Nothing is said on a closed case; it is reopened first.
    let reply = NewPost {
        case_id: id.clone(),
        body: "再度ご連絡します".into(),
    };
    assert_invalid(f.db.write(|ctx| thread::reply(ctx, &reply)), "status", "not_allowed");
    f.clock.advance(Duration::days(7));
    step(&mut f, CaseStatus::InProgress).unwrap();
    assert_eq!(stored(&f.db, &id, "resolved_at"), None);
    assert_eq!(stored(&f.db, &id, "closed_at"), None);
    // The resolution is due again, counted from the reopening (Wednesday
    // 10:00 + 18 business hours = Friday 10:00).
    assert_eq!(stored(&f.db, &id, "resolution_due").unwrap(), "2026-12-04T01:00:00Z");
    // A stale version is a conflict, with the colleague's row.
    let stale = f.db.write(|ctx| case::set_status(ctx, &id, 1, CaseStatus::Waiting));
    assert!(matches!(stale, Err(crate::Error::Conflict { .. })), "{stale:?}");
    let kinds: Vec<EventKind> = detail(&f, &id).events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.len(), 6);
    assert_eq!(kinds[0], EventKind::Opened);
}

#[test]
fn the_first_reply_is_the_first_response_and_every_step_is_on_the_timeline() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社サポート");
    let id = open(&mut f.db, &new_case(&co, "納品書の再発行", Priority::Normal, None));
    assert_eq!(stored(&f.db, &id, "status").unwrap(), "new");
    f.clock.advance(Duration::minutes(30));
    let post = |body: &str| NewPost {
        case_id: id.clone(),
        body: body.into(),
    };
    f.db.write(|ctx| thread::note(ctx, &post("経理に確認する"))).unwrap();
    assert_eq!(
        stored(&f.db, &id, "first_response_at"),
        None,
        "a note is not a response"
    );
    f.db.write(|ctx| thread::reply(ctx, &post("本日中に再発行します")))
        .unwrap();
    assert_eq!(stored(&f.db, &id, "first_response_at").unwrap(), "2026-11-25T01:30:00Z");
    assert_eq!(stored(&f.db, &id, "status").unwrap(), "in_progress");
    assert_eq!(stored(&f.db, &id, "next_due"), stored(&f.db, &id, "resolution_due"));
    f.clock.advance(Duration::minutes(30));
    f.db.write(|ctx| thread::reply(ctx, &post("再発行しました"))).unwrap();
    assert_eq!(
        stored(&f.db, &id, "first_response_at").unwrap(),
        "2026-11-25T01:30:00Z",
        "only the first reply counts"
    );
    let d = detail(&f, &id);
    assert_eq!(d.case.first_response.state, SlaState::Met);
    // On the customer's timeline, as support entries in the engine's words.
    let kinds: Vec<(String, Option<String>)> =
        f.db.sql()
            .query(
                "SELECT kind, text_kind FROM activities WHERE company_id = ?1 ORDER BY id",
                sql::params![&co],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
            .into_iter()
            .collect();
    let texts: Vec<&str> = kinds.iter().filter_map(|(_, t)| t.as_deref()).collect();
    assert_eq!(texts, ["case_opened", "case_noted", "case_replied", "case_replied"]);
    assert!(kinds.iter().all(|(k, _)| k == "support"));
    // Those entries belong to the case: not edited or removed from the timeline.
    let (entry, v): (String, i64) =
        f.db.sql()
            .query_one(
                "SELECT id, version FROM activities WHERE company_id = ?1 AND text_kind = 'case_noted'",
                sql::params![&co],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert_invalid(
        f.db.write(|ctx| crate::timeline::activity::delete_activity(ctx, &entry, v)),
        "activity",
        "not_editable",
    );
}

#[test]
fn the_inbox_tabs_count_page_and_find_japanese_words() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社サポート");
    let me = f.db.user().id.clone();
    let a = open(
        &mut f.db,
        &new_case(&co, "請求書の宛名違い", Priority::Normal, Some(&me)),
    );
    let b = open(&mut f.db, &new_case(&co, "操作方法の質問", Priority::Low, None));
    let c = open(&mut f.db, &new_case(&co, "至急: サーバー停止", Priority::Urgent, None));
    let v = version(&f.db, &b);
    f.db.write(|ctx| case::set_status(ctx, &b, v, CaseStatus::Waiting))
        .unwrap();
    let reply = NewPost {
        case_id: c.clone(),
        body: "再起動手順をご案内しました".into(),
    };
    f.db.write(|ctx| thread::reply(ctx, &reply)).unwrap();
    // Two business hours later the urgent one's first response is met, but
    // the normal one has none yet... and after five, it is overdue.
    f.clock.advance(Duration::hours(5));
    let team = TeamSettings::load(f.db.sql()).unwrap();
    let rd = Reader {
        user_id: &me,
        team: &team,
        now: f.clock.now(),
        offset: f.clock.offset(),
    };
    let ids = |tab, search: &str| -> Vec<String> {
        let q = InboxQuery {
            tab,
            search: search.into(),
            after: None,
            limit: 0,
        };
        inbox::page(f.db.sql(), &rd, &q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(InboxTab::New, ""), [a.as_str()]);
    assert_eq!(ids(InboxTab::Mine, ""), [a.as_str()]);
    assert_eq!(ids(InboxTab::Waiting, ""), [b.as_str()]);
    // Overdue, earliest due first: the urgent one's resolution (9 h) is not
    // past, the normal one's first response (4 h) is.
    assert_eq!(ids(InboxTab::Overdue, ""), [a.as_str()]);
    let counts = inbox::counts(f.db.sql(), &me, f.clock.now(), "").unwrap();
    assert_eq!((counts.new, counts.mine, counts.waiting, counts.overdue), (1, 1, 1, 1));
    // A substring of a reply (trigram), a two-character word (bigram), and
    // the subject: each finds its case only.
    let c_open = InboxQuery {
        tab: InboxTab::Mine,
        search: String::new(),
        after: None,
        limit: 0,
    };
    assert_eq!(inbox::page(f.db.sql(), &rd, &c_open).unwrap().rows.len(), 1);
    let all_open = |search: &str| -> Vec<String> {
        let mut found = Vec::new();
        for tab in [InboxTab::New, InboxTab::Waiting, InboxTab::Overdue] {
            found.extend(ids(tab, search));
        }
        found.sort();
        found.dedup();
        found
    };
    assert_eq!(all_open("宛名"), [a.as_str()]);
    assert_eq!(all_open("操作方法"), [b.as_str()]);
    let in_progress: Vec<String> = {
        let q = InboxQuery {
            tab: InboxTab::Overdue,
            search: "再起動手順".into(),
            after: None,
            limit: 0,
        };
        inbox::page(f.db.sql(), &rd, &q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert!(in_progress.is_empty(), "the urgent case is not overdue");
    assert_eq!(inbox::counts(f.db.sql(), &me, f.clock.now(), "宛名").unwrap().new, 1);
    assert_eq!(
        inbox::counts(f.db.sql(), &me, f.clock.now(), "存在しない言葉")
            .unwrap()
            .new,
        0
    );
}

#[test]
fn inbox_pages_follow_on_without_repeats() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社サポート");
    for i in 0..7 {
        open(
            &mut f.db,
            &new_case(&co, &format!("問い合わせ{i}"), Priority::Normal, None),
        );
        f.clock.advance(Duration::minutes(1));
    }
    let team = TeamSettings::load(f.db.sql()).unwrap();
    let me = f.db.user().id.clone();
    let rd = Reader {
        user_id: &me,
        team: &team,
        now: f.clock.now(),
        offset: f.clock.offset(),
    };
    let mut after = None;
    let mut seen = Vec::new();
    loop {
        let q = InboxQuery {
            tab: InboxTab::New,
            search: String::new(),
            after: after.clone(),
            limit: 3,
        };
        let page = inbox::page(f.db.sql(), &rd, &q).unwrap();
        seen.extend(page.rows.into_iter().map(|r| r.subject));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).map(|i| format!("問い合わせ{i}")).collect();
    assert_eq!(seen, expected);
}

#[test]
fn a_breach_is_told_once_to_the_assignee_and_the_managers_and_waits_for_quiet_hours_to_end() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社サポート");
    let sato_db = colleague(&f, "sato", "佐藤 花子");
    let sato = sato_db.user().clone();
    let boss_db = colleague(&f, "boss", "鈴木 部長");
    let boss = boss_db.user().clone();
    let sales_db = colleague(&f, "yamada", "山田 営業");
    let sales = sales_db.user().clone();
    set_roles(&mut f, &sato, &[Role::Support]);
    set_roles(&mut f, &boss, &[Role::Manager, Role::Sales]);
    // Wednesday 10:00, high priority: first response due 12:00, warned 11:00.
    let id = open(&mut f.db, &new_case(&co, "請求の誤り", Priority::High, Some(&sato.id)));
    assert!(told(&mut f, &sato.id, &no_quiet()).is_empty());
    f.clock.advance(Duration::minutes(61));
    assert_eq!(
        told(&mut f, &sato.id, &no_quiet()),
        [(ReminderKind::CaseResponseDueSoon, id.clone())]
    );
    assert!(
        told(&mut f, &boss.id, &no_quiet()).is_empty(),
        "managers hear of breaches only"
    );
    assert!(told(&mut f, &sato.id, &no_quiet()).is_empty(), "once");
    f.clock.advance(Duration::hours(1));
    assert_eq!(
        told(&mut f, &sato.id, &no_quiet()),
        [(ReminderKind::CaseResponseBreached, id.clone())]
    );
    assert_eq!(
        told(&mut f, &boss.id, &no_quiet()),
        [(ReminderKind::CaseResponseBreached, id.clone())]
    );
    assert!(
        told(&mut f, &sales.id, &no_quiet()).is_empty(),
        "a sales member is not told"
    );
    assert!(told(&mut f, &sato.id, &no_quiet()).is_empty(), "once");
    assert!(told(&mut f, &boss.id, &no_quiet()).is_empty(), "once");
    // Answered: nothing more about the first response.
    let reply = NewPost {
        case_id: id.clone(),
        body: "確認中です".into(),
    };
    f.db.write(|ctx| thread::reply(ctx, &reply)).unwrap();

    // An unassigned case warns the support members at once (its one-hour
    // target is within the warning). It breaches on Thursday at 9:01 (59
    // minutes on Wednesday evening, one on Thursday), inside the manager's
    // quiet hours (20:00–10:00): the breach waits for 10:00, then is told once.
    f.clock.advance(Duration::hours(5)); // 17:01
    let other = open(&mut f.db, &new_case(&co, "夕方の問い合わせ", Priority::Urgent, None));
    assert_eq!(
        told(&mut f, &sato.id, &no_quiet()),
        [(ReminderKind::CaseResponseDueSoon, other.clone())]
    );
    assert_eq!(
        stored(&f.db, &other, "first_response_due").unwrap(),
        "2026-11-26T00:01:00Z"
    );
    f.clock.advance(Duration::hours(16) + Duration::minutes(1)); // Thursday 09:02
    let quiet = NotifyPrefs {
        quiet_start: Some("20:00".into()),
        quiet_end: Some("10:00".into()),
        ..NotifyPrefs::default()
    };
    let team = TeamSettings::load(f.db.sql()).unwrap();
    let s = reminder::step(f.db.sql(), &f.clock, &boss.id, &quiet, &team).unwrap();
    assert!(s.due.is_empty());
    assert_eq!(s.next_wake, from_db("2026-11-26T01:00:00Z"), "Thursday 10:00");
    f.clock.advance(Duration::minutes(58)); // 10:00
    assert_eq!(
        told(&mut f, &boss.id, &quiet),
        [(ReminderKind::CaseResponseBreached, other.clone())]
    );
    assert!(told(&mut f, &boss.id, &quiet).is_empty());
    assert_eq!(
        told(&mut f, &sato.id, &no_quiet()),
        [(ReminderKind::CaseResponseBreached, other.clone())]
    );
}

#[test]
fn edits_are_version_checked_and_deletion_takes_the_case_off_the_timeline() {
    let mut f = fixture();
    let co = company(&mut f.db, "株式会社サポート");
    let other = company(&mut f.db, "別会社");
    let contact = crate::testutil::contact(&mut f.db, &other, "他社 太郎", "x@example.com");
    let id = open(&mut f.db, &new_case(&co, "誤登録", Priority::Normal, None));
    let edit = case::CaseEdit {
        subject: "件名を直す".into(),
        body: String::new(),
        channel: Channel::Mail,
        category: Category::Question,
        contact_id: Some(contact),
        deal_id: None,
        contract_id: None,
    };
    assert_invalid(
        f.db.write(|ctx| case::update(ctx, &id, 1, &edit)),
        "contact_id",
        "other_company",
    );
    let edit = case::CaseEdit {
        contact_id: None,
        ..edit
    };
    let v = f.db.write(|ctx| case::update(ctx, &id, 1, &edit)).unwrap();
    assert_eq!(v, 2);
    assert!(matches!(
        f.db.write(|ctx| case::update(ctx, &id, 1, &edit)),
        Err(crate::Error::Conflict { .. })
    ));
    f.db.write(|ctx| case::delete(ctx, &id, 2)).unwrap();
    let live: i64 =
        f.db.sql()
            .query_one(
                "SELECT COUNT(*) FROM activities WHERE company_id = ?1 AND deleted_at IS NULL",
                sql::params![&co],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(live, 0);
    assert_eq!(inbox::counts(f.db.sql(), "x", f.clock.now(), "").unwrap().new, 0);
}
