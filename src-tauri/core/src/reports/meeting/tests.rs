//! The meeting's sections against scenes built through the real write path,
//! at the fixture's moment: Wednesday 2026-11-25 10:00 in Tokyo, so this
//! week is Monday 11-23 to Sunday 11-29.

use super::*;
use crate::customers::company::{self, NewCompany};
use crate::followups::follow_up::NewFollowUp;
use crate::pipeline::deal::{self, NewDeal};
use crate::pipeline::moves::{self, LostInfo, MoveDeal};
use crate::store::team_db::TeamDb;
use crate::testutil::{fixture, seed_pipeline, Fixture, Seed};
use chrono::{DateTime, Utc};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn set_clock(clock: &crate::FixedClock, to: &str) {
    let d = at(to) - clock.now();
    assert!(d >= Duration::zero(), "the fake clock only goes forward");
    clock.advance(d);
}

fn sql(db: &mut TeamDb, statement: &str, id: &str) {
    let (statement, id) = (statement.to_string(), id.to_string());
    db.write(|ctx| {
        ctx.sql().execute(&statement, sql::params![&id])?;
        Ok(())
    })
    .unwrap();
}

fn version(db: &TeamDb, table: &str, id: &str) -> i64 {
    db.sql()
        .query_one(
            &format!("SELECT version FROM {table} WHERE id = ?1"),
            sql::params![id],
            |r| r.get(0),
        )
        .unwrap()
}

/// A deal owned by `owner` (None: nobody).
fn deal_of(db: &mut TeamDb, f: &Seed, title: &str, stage: &str, owner: Option<&str>) -> String {
    let d = NewDeal {
        pipeline_id: f.pipeline_id.clone(),
        stage_id: f.stage(stage),
        company_id: f.company_id.clone(),
        title: title.into(),
        amount: 1_000,
        currency: "JPY".into(),
        owner_id: owner.map(String::from),
        ..Default::default()
    };
    db.write(|ctx| deal::create(ctx, &d)).unwrap()
}

fn move_to(db: &mut TeamDb, f: &Seed, id: &str, stage: &str) {
    let v = version(db, "deals", id);
    f.move_deal(db, id, v, f.stage(stage));
}

fn lose(db: &mut TeamDb, f: &Seed, id: &str, reason: &str, to: &str) {
    let m = MoveDeal {
        deal_id: id.into(),
        version: version(db, "deals", id),
        to_stage_id: f.stage("失注"),
        lost: Some(LostInfo {
            reason: reason.into(),
            lost_to: to.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    db.write(|ctx| moves::move_to(ctx, &m)).unwrap();
}

fn follow_up_for(db: &mut TeamDb, f: &Seed, assignee: &str, due_at: &str) -> String {
    let n = NewFollowUp {
        kind: FollowUpKind::FollowUp,
        title: format!("due {due_at}"),
        due_at: due_at.into(),
        assignee_id: Some(assignee.into()),
        company_id: Some(f.company_id.clone()),
        deal_id: None,
        contract_id: None,
        activity_id: None,
    };
    db.write(|ctx| follow_up::create(ctx, &n)).unwrap()
}

fn member<'a>(m: &'a Meeting, id: Option<&str>) -> &'a MeetingMember {
    m.members
        .iter()
        .find(|x| x.member_id.as_deref() == id)
        .unwrap_or_else(|| panic!("member {id:?} listed"))
}

fn moved_titles(m: &MeetingMember) -> Vec<&str> {
    m.moved.iter().map(|x| x.deal.title.as_str()).collect()
}

#[test]
fn a_move_late_on_sunday_in_tokyo_belongs_to_that_week() {
    let Fixture { mut db, clock, _keep } = fixture();
    let f = seed_pipeline(&mut db);
    let me = db.user().id.clone();
    let sunday = deal_of(&mut db, &f, "sunday", "提案", Some(&me));
    let monday = deal_of(&mut db, &f, "monday", "提案", Some(&me));
    // Sunday 23:30 in Tokyo is 14:30 UTC: still Sunday on the user's calendar.
    set_clock(&clock, "2026-11-29T14:30:00Z");
    move_to(&mut db, &f, &sunday, "見積");
    // Midnight starts the next week.
    set_clock(&clock, "2026-11-29T15:00:00Z");
    move_to(&mut db, &f, &monday, "見積");
    set_clock(&clock, "2026-12-01T01:00:00Z");

    let last = meeting(db.sql(), &clock, Some(day("2026-11-26"))).unwrap();
    assert_eq!((last.week_start, last.week_end), (day("2026-11-23"), day("2026-11-29")));
    assert!(!last.current);
    assert_eq!(moved_titles(member(&last, Some(&me))), ["sunday"]);

    let this = meeting(db.sql(), &clock, None).unwrap();
    assert_eq!(this.week_start, day("2026-11-30"));
    assert!(this.current);
    assert_eq!(moved_titles(member(&this, Some(&me))), ["monday"]);
}

#[test]
fn each_section_holds_what_it_should_and_nothing_else() {
    let Fixture { mut db, clock, _keep } = fixture();
    let f = seed_pipeline(&mut db);
    let me = db.user().id.clone();
    let sato = db
        .write(|ctx| crate::team::member::ensure(ctx, "sato", "佐藤"))
        .unwrap()
        .id;

    // Moved: twice this week, from リード via 初回商談 to 提案.
    let moving = deal_of(&mut db, &f, "moving", "リード", Some(&me));
    move_to(&mut db, &f, &moving, "初回商談");
    move_to(&mut db, &f, &moving, "提案");
    // Lost this week: in the lost section, not again under moved.
    let lost = deal_of(&mut db, &f, "lost", "見積", Some(&me));
    lose(&mut db, &f, &lost, "価格", "競合社");
    // Lost and reopened: no longer a loss to talk about, but it moved.
    let reopened = deal_of(&mut db, &f, "reopened", "見積", Some(&sato));
    lose(&mut db, &f, &reopened, "時期", "");
    move_to(&mut db, &f, &reopened, "提案");

    // Going cold: 見積 allows 7 idle days; this one has had 15.
    let cold = deal_of(&mut db, &f, "cold", "見積", Some(&sato));
    sql(
        &mut db,
        "UPDATE deals SET stage_entered_at = '2026-11-10T01:00:00Z' WHERE id = ?1",
        &cold,
    );
    deal_of(&mut db, &f, "warm", "見積", Some(&sato));

    // Decision deadlines: only in a closing stage, up to 7 days ahead or passed.
    for (title, stage, date) in [
        ("in 7 days", "クロージング", "2026-12-02"),
        ("in 8 days", "クロージング", "2026-12-03"),
        ("passed", "クロージング", "2026-11-20"),
        ("not closing", "提案", "2026-11-26"),
    ] {
        let id = deal_of(&mut db, &f, title, stage, Some(&me));
        sql(
            &mut db,
            &format!("UPDATE deals SET decision_deadline = '{date}' WHERE id = ?1"),
            &id,
        );
    }

    // Overdue: due on an earlier day of the user's calendar. 23:30 UTC on
    // the 24th is 08:30 on the 25th in Tokyo: today, not late.
    follow_up_for(&mut db, &f, &sato, "2026-11-24T14:00:00Z");
    follow_up_for(&mut db, &f, &sato, "2026-11-24T23:30:00Z");
    let snoozed = follow_up_for(&mut db, &f, &sato, "2026-11-20T00:00:00Z");
    sql(
        &mut db,
        "UPDATE follow_ups SET snoozed_until = '2026-11-27T00:00:00Z' WHERE id = ?1",
        &snoozed,
    );

    let m = meeting(db.sql(), &clock, None).unwrap();
    assert!(m.current);
    let mine = member(&m, Some(&me));
    let theirs = member(&m, Some(&sato));

    assert_eq!(moved_titles(mine), ["moving"]);
    let mv = &mine.moved[0];
    assert_eq!((mv.from.as_str(), mv.to.as_str(), mv.moves), ("リード", "提案", 2));
    assert_eq!(moved_titles(theirs), ["reopened"]);

    assert_eq!(mine.lost.len(), 1);
    let l = &mine.lost[0];
    assert_eq!(
        (l.deal.title.as_str(), l.reason.as_str(), l.lost_to.as_deref()),
        ("lost", "価格", Some("競合社"))
    );
    // Nobody knew when the competitor's contract ends: six months on.
    assert_eq!(l.reapproach_on, Some(day("2027-05-25")));
    assert!(l.reapproach_planned);
    assert!(theirs.lost.is_empty());

    let cold_titles: Vec<_> = theirs.cold.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(cold_titles, ["cold"]);
    assert_eq!(theirs.cold[0].cold_days, Some(15));
    assert!(mine.cold.is_empty(), "{:?}", mine.cold);

    let deadlines: Vec<_> = mine
        .deadlines
        .iter()
        .map(|d| (d.deal.title.as_str(), d.days_left))
        .collect();
    assert_eq!(deadlines, [("passed", -5), ("in 7 days", 7)]);

    let overdue: Vec<_> = theirs.overdue.iter().map(|o| o.due_at.as_str()).collect();
    assert_eq!(overdue, ["2026-11-24T14:00:00Z"]);
    assert!(mine.overdue.is_empty());
}

#[test]
fn deleted_deals_and_archived_customers_are_not_on_the_agenda() {
    let Fixture { mut db, clock, _keep } = fixture();
    let f = seed_pipeline(&mut db);
    let me = db.user().id.clone();
    let gone = deal_of(&mut db, &f, "deleted", "提案", Some(&me));
    move_to(&mut db, &f, &gone, "見積");
    let v = version(&db, "deals", &gone);
    db.write(|ctx| deal::delete(ctx, &gone, v)).unwrap();

    let archived = db
        .write(|ctx| {
            company::create(
                ctx,
                &NewCompany {
                    name: "休眠商事".into(),
                    name_kana: "きゅうみんしょうじ".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let d = NewDeal {
        pipeline_id: f.pipeline_id.clone(),
        stage_id: f.stage("見積"),
        company_id: archived.clone(),
        title: "archived".into(),
        amount: 1,
        currency: "JPY".into(),
        owner_id: Some(me.clone()),
        ..Default::default()
    };
    let id = db.write(|ctx| deal::create(ctx, &d)).unwrap();
    lose(&mut db, &f, &id, "価格", "");
    sql(
        &mut db,
        "UPDATE deals SET stage_entered_at = '2026-11-01T00:00:00Z' WHERE id = ?1",
        &id,
    );
    let v = version(&db, "companies", &archived);
    db.write(|ctx| crate::customers::archive::set_archived(ctx, &archived, v, true))
        .unwrap();

    let m = meeting(db.sql(), &clock, None).unwrap();
    let mine = member(&m, Some(&me));
    assert!(mine.is_empty(), "{mine:?}");
    assert!(m.members.iter().all(|x| x.member_id.is_some()), "no one else's group");
}

#[test]
fn every_active_member_has_a_turn_and_departed_ones_only_with_something_to_show() {
    let Fixture { mut db, clock, _keep } = fixture();
    let f = seed_pipeline(&mut db);
    let quiet = db
        .write(|ctx| crate::team::member::ensure(ctx, "abe", "阿部"))
        .unwrap()
        .id;
    let left = db
        .write(|ctx| crate::team::member::ensure(ctx, "ito", "伊藤"))
        .unwrap()
        .id;
    let left_with_deal = db
        .write(|ctx| crate::team::member::ensure(ctx, "ueda", "上田"))
        .unwrap()
        .id;
    let moved = deal_of(&mut db, &f, "theirs", "提案", Some(&left_with_deal));
    move_to(&mut db, &f, &moved, "見積");
    let nobodys = deal_of(&mut db, &f, "nobody's", "提案", None);
    move_to(&mut db, &f, &nobodys, "見積");
    for id in [&left, &left_with_deal] {
        let v = version(&db, "users", id);
        db.write(|ctx| crate::team::member::set_active(ctx, id, v, false))
            .unwrap();
    }

    let m = meeting(db.sql(), &clock, None).unwrap();
    let names: Vec<_> = m.members.iter().map(|x| (x.name.as_deref(), x.active)).collect();
    // Active in name order, then who left with a deal, then nobody's.
    assert_eq!(
        names,
        [
            (Some("田中 太郎"), true),
            (Some("阿部"), true),
            (Some("上田"), false),
            (None, true)
        ]
    );
    assert!(member(&m, Some(&quiet)).is_empty());
    assert_eq!(moved_titles(member(&m, None)), ["nobody's"]);
}

#[test]
fn a_past_week_shows_what_happened_and_a_future_one_is_refused() {
    let Fixture { mut db, clock, _keep } = fixture();
    let f = seed_pipeline(&mut db);
    let me = db.user().id.clone();
    let cold = deal_of(&mut db, &f, "cold", "見積", Some(&me));
    sql(
        &mut db,
        "UPDATE deals SET stage_entered_at = '2026-11-01T00:00:00Z' WHERE id = ?1",
        &cold,
    );
    let lost = deal_of(&mut db, &f, "lost", "見積", Some(&me));
    lose(&mut db, &f, &lost, "価格", "");
    set_clock(&clock, "2026-12-08T01:00:00Z");

    let past = meeting(db.sql(), &clock, Some(day("2026-11-23"))).unwrap();
    assert!(!past.current);
    let mine = member(&past, Some(&me));
    assert_eq!(mine.lost.len(), 1);
    assert!(mine.cold.is_empty(), "judged now, so not shown for a past week");

    let now = meeting(db.sql(), &clock, None).unwrap();
    let mine = member(&now, Some(&me));
    assert!(mine.lost.is_empty(), "lost in an earlier week");
    assert_eq!(mine.cold.len(), 1);

    let e = meeting(db.sql(), &clock, Some(day("2026-12-14"))).unwrap_err();
    assert_eq!(e.code(), crate::ErrorCode::Invalid);
}

#[test]
fn the_report_reads_through_its_own_connection() {
    let Fixture { mut db, clock, _keep } = fixture();
    let f = seed_pipeline(&mut db);
    let me = db.user().id.clone();
    let id = deal_of(&mut db, &f, "moved", "提案", Some(&me));
    move_to(&mut db, &f, &id, "見積");
    let snapshot = At {
        now: clock.now(),
        offset: clock.offset(),
    };
    let own = crate::store::reader::Reader::open(&_keep.source()).unwrap();
    let m = meeting(own.sql(), &snapshot, None).unwrap();
    assert_eq!(moved_titles(member(&m, Some(&me))), ["moved"]);
}
