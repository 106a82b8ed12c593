//! The sequences engine against the fake clock (2026-11-25 10:00 JST, a
//! Wednesday): timing in business days, every stop condition, the guard,
//! once-only sending, late mails, templates.

use super::definition::{self, SequenceInput, Step};
use super::engine::{self, MailSender, OutgoingMail, Sent};
use super::enrolment::{self, Target, TargetKind};
use super::stop::{self, StopReason};
use super::template::{self, Facts};
use crate::app::outbox::{apply_once, Op};
use crate::clock::Clock;
use crate::language::Language;
use crate::pipeline::moves::MoveDeal;
use crate::store::sql;
use crate::store::team_db::TeamDb;
use crate::team::settings::TeamSettings;
use crate::testutil::{assert_invalid, colleague, contact, entry, fixture, log, seed_pipeline, Fixture, Seed};
use crate::timeline::activity::{ActivityKind, Direction};
use chrono::{Duration, FixedOffset, NaiveDate};
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Mutex;

/// A sender that keeps what it sent and, like the mail module's ledger,
/// sends a key only once; `down` makes it fail as a refused connection does.
#[derive(Default)]
struct FakeSender {
    sent: Mutex<Vec<OutgoingMail>>,
    ledger: Mutex<HashSet<String>>,
    down: RefCell<bool>,
}

impl MailSender for FakeSender {
    fn send_once(&self, _db: &mut dyn crate::store::write::Store, mail: &OutgoingMail) -> crate::error::Result<Sent> {
        if *self.down.borrow() {
            return Err(crate::error::Error::Mail {
                failure: crate::error::MailFailure::Unreachable,
                detail: "connection refused (127.0.0.1:2525)".into(),
            });
        }
        if !self.ledger.lock().unwrap().insert(mail.key.clone()) {
            return Ok(Sent::AlreadySent);
        }
        self.sent.lock().unwrap().push(mail.clone());
        Ok(Sent::Sent)
    }
}

impl FakeSender {
    fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }
}

fn mail(automatic: bool) -> Step {
    Step::Mail {
        subject: "{{会社名}} 資料のご案内".into(),
        body: "{{会社名}}\n{{ご担当者名}}\n\n先日はありがとうございました。\n\n{{署名}}".into(),
        automatic,
    }
}

fn sequence(db: &mut TeamDb, steps: Vec<Step>) -> String {
    let input = SequenceInput {
        name: "資料請求後フォロー".into(),
        language: Language::Ja,
        steps,
    };
    db.write(|ctx| definition::create(ctx, &input)).unwrap()
}

struct Scene {
    f: Fixture,
    s: Seed,
    deal: String,
    contact: String,
}

fn scene() -> Scene {
    let mut f = fixture();
    let s = seed_pipeline(&mut f.db);
    let contact = contact(&mut f.db, &s.company_id, "山田 太郎", "yamada@example.co.jp");
    let deal = s.deal(&mut f.db, "基幹システム刷新", s.stages[0].id.clone(), 1_000_000, "JPY");
    Scene { f, s, deal, contact }
}

fn enrol_deal(sc: &mut Scene, seq: &str) -> String {
    let t = Target {
        kind: TargetKind::Deal,
        id: sc.deal.clone(),
    };
    sc.f.db.write(|ctx| enrolment::enrol(ctx, seq, &t)).unwrap()
}

fn state(db: &TeamDb, id: &str) -> enrolment::Row {
    enrolment::row(db.sql(), id).unwrap()
}

fn jst(s: &str) -> String {
    crate::clock::from_db(s)
        .unwrap()
        .with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m-%d %a %H:%M")
        .to_string()
}

fn follow_up_status(db: &TeamDb, id: &str) -> String {
    db.sql()
        .query_one("SELECT status FROM follow_ups WHERE id = ?1", sql::params![id], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn waits_count_business_days_over_a_weekend_and_a_holiday() {
    let mut sc = scene();
    // Monday 30 November is a holiday; the clock is moved to Friday 15:00.
    let mut team = TeamSettings::load(sc.f.db.sql()).unwrap();
    team.business_hours.holidays = vec![NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()];
    sc.f.db.write(|ctx| team.save(ctx)).unwrap();
    sc.f.clock.advance(Duration::hours(53)); // Fri 27th 15:00
    let seq = sequence(
        &mut sc.f.db,
        vec![
            Step::Call {
                note: "ご挨拶".into()
            },
            Step::Wait { days: 2 },
            mail(false),
        ],
    );
    let id = enrol_deal(&mut sc, &seq);
    let sender = FakeSender::default();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    let e = state(&sc.f.db, &id);
    let call = e.follow_up_id.clone().expect("the call is the owner's follow-up");
    // The follow-up is titled by the engine, in the reader's language.
    let fu = crate::followups::follow_up::get(sc.f.db.sql(), &sc.f.clock, &call).unwrap();
    assert_eq!(
        fu.engine_text.unwrap().render(Language::En),
        "Sequence (資料請求後フォロー 1): call 株式会社テスト"
    );
    // The owner makes the call at once: two business days later, skipping
    // the weekend and the holiday, is Wednesday 15:00.
    sc.f.db
        .write(|ctx| crate::followups::follow_up::complete(ctx, &call, fu.version, None))
        .unwrap();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    let e = state(&sc.f.db, &id);
    assert_eq!((e.step_index, e.follow_up_id.as_deref()), (2, None));
    assert_eq!(jst(e.due_at.as_deref().unwrap()), "2026-12-02 Wed 15:00");
    // Nothing is due before then.
    sc.f.clock.advance(Duration::days(4)); // Tue 1st 15:00
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert!(state(&sc.f.db, &id).follow_up_id.is_none());
    sc.f.clock.advance(Duration::days(1));
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert!(state(&sc.f.db, &id).follow_up_id.is_some());
}

fn stopped(db: &TeamDb, id: &str) -> Option<StopReason> {
    let e = state(db, id);
    assert!(e.status != "active" || e.stop_reason.is_none());
    e.stop_reason.as_deref().and_then(StopReason::parse)
}

#[test]
fn every_stop_condition_stops_the_sequence_when_it_is_written() {
    type Happen = Box<dyn Fn(&mut Scene)>;
    let cases: Vec<(&str, Happen)> = vec![
        (
            "inbound",
            Box::new(|sc: &mut Scene| {
                let mut a = entry(&sc.s.company_id, ActivityKind::Call, &sc.now(), "先方から電話");
                a.direction = Some(Direction::Inbound);
                apply_once(&mut sc.f.db, "op1", &Op::LogActivity { activity: a }).unwrap();
            }),
        ),
        (
            "signal",
            Box::new(|sc: &mut Scene| {
                let mut a = entry(&sc.s.company_id, ActivityKind::Email, &sc.now(), "見積に前向き");
                a.signals = vec!["positive_quote".into()];
                apply_once(&mut sc.f.db, "op1", &Op::LogActivity { activity: a }).unwrap();
            }),
        ),
        (
            "meeting",
            Box::new(|sc: &mut Scene| {
                let a = entry(&sc.s.company_id, ActivityKind::Meeting, &sc.now(), "訪問");
                apply_once(&mut sc.f.db, "op1", &Op::LogActivity { activity: a }).unwrap();
            }),
        ),
        (
            "meeting",
            // A call that books the next appointment.
            Box::new(|sc: &mut Scene| {
                let mut a = entry(&sc.s.company_id, ActivityKind::Call, &sc.now(), "アポ取得");
                a.next_appointment_at = Some("2026-12-03T05:00:00Z".into());
                apply_once(&mut sc.f.db, "op1", &Op::LogActivity { activity: a }).unwrap();
            }),
        ),
        (
            "deal_moved",
            Box::new(|sc: &mut Scene| {
                let request = MoveDeal {
                    deal_id: sc.deal.clone(),
                    version: 1,
                    to_stage_id: sc.s.stages[1].id.clone(),
                    ..Default::default()
                };
                apply_once(&mut sc.f.db, "op1", &Op::MoveDeal { request }).unwrap();
            }),
        ),
    ];
    for (reason, happen) in cases {
        let mut sc = scene();
        let seq = sequence(&mut sc.f.db, vec![mail(true), Step::Wait { days: 3 }, mail(true)]);
        let id = enrol_deal(&mut sc, &seq);
        sc.f.clock.advance(Duration::minutes(5));
        happen(&mut sc);
        assert_eq!(stopped(&sc.f.db, &id).map(StopReason::as_str), Some(reason), "{reason}");
        // The timeline says why, and nothing is sent afterwards.
        let why: String =
            sc.f.db
                .sql()
                .query_one(
                    "SELECT text_params FROM activities WHERE text_kind = 'sequence_stopped'",
                    &[],
                    |r| r.get(0),
                )
                .unwrap();
        assert!(why.contains(reason), "{why}");
        let sender = FakeSender::default();
        engine::run_due(&mut sc.f.db, &sender).unwrap();
        assert_eq!(sender.count(), 0, "{reason}");
    }
}

impl Scene {
    fn now(&self) -> String {
        crate::clock::to_db(self.f.clock.now())
    }
}

#[test]
fn a_write_that_bypassed_the_hook_is_caught_before_the_next_step() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true)]);
    let id = enrol_deal(&mut sc, &seq);
    // Logged straight through the timeline (as an older Kizuna would).
    let mut a = entry(&sc.s.company_id, ActivityKind::Email, &sc.now(), "返信");
    a.direction = Some(Direction::Inbound);
    log(&mut sc.f.db, &a);
    assert_eq!(state(&sc.f.db, &id).status, "active");
    let sender = FakeSender::default();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 0);
    assert_eq!(stopped(&sc.f.db, &id), Some(StopReason::Inbound));
}

#[test]
fn an_automatic_mail_is_sent_logged_with_its_text_and_they_replied_stops_it() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true), Step::Wait { days: 3 }, mail(true)]);
    let id = enrol_deal(&mut sc, &seq);
    let sender = FakeSender::default();
    let r = engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!((r.sent, r.failed), (1, 0));
    let sent = sender.sent.lock().unwrap()[0].clone();
    assert_eq!(sent.key, format!("seq:{id}:0"));
    assert_eq!(sent.to_address, "yamada@example.co.jp");
    assert_eq!(sent.subject, "株式会社テスト 資料のご案内");
    assert!(sent.body.starts_with("株式会社テスト\n山田 太郎 様\n"), "{}", sent.body);
    // On the timeline as an outbound mail with the exact text.
    let (activity_id, summary, body, direction): (String, String, String, String) = sc
        .f
        .db
        .sql()
        .query_one(
            "SELECT a.id, a.summary, a.body, a.direction FROM sequence_sends s JOIN activities a ON a.id = s.activity_id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (summary.as_str(), direction.as_str()),
        (sent.subject.as_str(), "outbound")
    );
    assert!(body.ends_with(&sent.body));
    let e = state(&sc.f.db, &id);
    assert_eq!(e.step_index, 2);
    assert_eq!(jst(e.due_at.as_deref().unwrap()), "2026-11-30 Mon 10:00");
    // "They replied" beside that mail.
    let enrolment_id = stop::enrolment_of_mail(sc.f.db.sql(), &activity_id).unwrap();
    sc.f.db.write(|ctx| stop::replied(ctx, &enrolment_id)).unwrap();
    assert_eq!(stopped(&sc.f.db, &id), Some(StopReason::Replied));
    sc.f.clock.advance(Duration::days(7));
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 1);
    // The reply is an inbound touch: the cadence starts over.
    let p = crate::timeline::cadence::propose(sc.f.db.sql(), &sc.f.clock, &TeamSettings::default(), &sc.s.company_id)
        .unwrap();
    assert!(p.restarted);
}

#[test]
fn the_guard_makes_a_step_wait_and_it_continues_when_allowed() {
    let mut sc = scene();
    // Two unanswered calls by colleagues this week; the sequence's mail
    // would be the third (the cap): it waits.
    let c = sc.s.company_id.clone();
    log(
        &mut sc.f.db,
        &entry(&c, ActivityKind::Call, "2026-11-20T01:00:00Z", "電話1"),
    );
    log(
        &mut sc.f.db,
        &entry(&c, ActivityKind::Call, "2026-11-23T01:00:00Z", "電話2"),
    );
    log(
        &mut sc.f.db,
        &entry(&c, ActivityKind::Call, "2026-11-24T01:00:00Z", "電話3"),
    );
    let seq = sequence(&mut sc.f.db, vec![mail(true)]);
    let id = enrol_deal(&mut sc, &seq);
    let sender = FakeSender::default();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 0);
    let e = state(&sc.f.db, &id);
    assert_eq!(e.waiting.as_deref(), Some("pushy"));
    // Until the oldest of the three leaves the 7-day window.
    assert_eq!(e.due_at.as_deref(), Some("2026-11-27T01:00:00Z"));
    let waits: i64 =
        sc.f.db
            .sql()
            .query_one(
                "SELECT COUNT(*) FROM activities WHERE text_kind = 'sequence_waiting'",
                &[],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(waits, 1);
    // Looking again before then changes nothing and writes no second line.
    sc.f.clock.advance(Duration::hours(3));
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 0);
    sc.f.clock.advance(Duration::days(2));
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 1);
    assert_eq!(state(&sc.f.db, &id).status, "done");
}

#[test]
fn an_open_complaint_makes_the_step_wait_for_the_next_business_day() {
    use crate::testutil::{insert_case, Case};
    let mut sc = scene();
    insert_case(
        &sc.f.db,
        &sc.s.company_id,
        &Case {
            category: "complaint",
            status: "in_progress",
            resolved_at: None,
            resolution_due: "2026-11-30T00:00:00Z",
            ..Case::default()
        },
    );
    let seq = sequence(&mut sc.f.db, vec![mail(true)]);
    let id = enrol_deal(&mut sc, &seq);
    let sender = FakeSender::default();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    let e = state(&sc.f.db, &id);
    assert_eq!(e.waiting.as_deref(), Some("complaint"));
    assert_eq!(jst(e.due_at.as_deref().unwrap()), "2026-11-26 Thu 10:00");
    assert_eq!(sender.count(), 0);
}

#[test]
fn two_desktops_of_one_person_send_a_step_once() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true)]);
    enrol_deal(&mut sc, &seq);
    // The same member on a second computer.
    let mut laptop = colleague(&sc.f, "tanaka", "田中 太郎");
    assert_eq!(laptop.member().unwrap().id, sc.f.db.member().unwrap().id);
    let sender = FakeSender::default();
    // The desktop takes the step; before it has sent, the laptop looks.
    let jobs = engine::due_steps(&mut sc.f.db).unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(engine::due_steps(&mut laptop).unwrap().is_empty());
    assert_eq!(engine::run_due(&mut laptop, &sender).unwrap().sent, 0);
    // The desktop crashed before recording: after the claim runs out the
    // laptop takes it, and the once-only key keeps it to one mail.
    sender.send_once(&mut sc.f.db, &jobs[0].mail).unwrap();
    sc.f.clock.advance(Duration::minutes(11));
    engine::run_due(&mut laptop, &sender).unwrap();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 1);
    let sends: i64 =
        sc.f.db
            .sql()
            .query_one("SELECT COUNT(*) FROM sequence_sends", &[], |r| r.get(0))
            .unwrap();
    assert_eq!(sends, 1);
}

#[test]
fn a_mail_over_a_day_late_waits_for_the_owner() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true), Step::Wait { days: 1 }, mail(true)]);
    let id = enrol_deal(&mut sc, &seq);
    // Kizuna was off for two days.
    sc.f.clock.advance(Duration::days(2));
    let sender = FakeSender::default();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 0);
    let e = state(&sc.f.db, &id);
    assert_eq!(e.waiting.as_deref(), Some("confirm_late"));
    let fu = e.follow_up_id.clone().expect("the owner is asked");
    assert_eq!(follow_up_status(&sc.f.db, &fu), "open");
    // Asking again does not ask twice.
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(state(&sc.f.db, &id).follow_up_id.as_deref(), Some(fu.as_str()));
    // The owner says send.
    sc.f.db
        .write(|ctx| enrolment::confirm_late(ctx, &id, e.version, true))
        .unwrap();
    assert_eq!(follow_up_status(&sc.f.db, &fu), "cancelled");
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 1);
    // The next step is a day after sending, not late.
    let e = state(&sc.f.db, &id);
    assert_eq!(e.step_index, 2);
    assert_eq!(e.waiting, None);
}

#[test]
fn a_skipped_late_mail_goes_on_with_the_next_step() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true), Step::Call { note: String::new() }]);
    let id = enrol_deal(&mut sc, &seq);
    sc.f.clock.advance(Duration::days(3));
    let sender = FakeSender::default();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    let v = state(&sc.f.db, &id).version;
    sc.f.db
        .write(|ctx| enrolment::confirm_late(ctx, &id, v, false))
        .unwrap();
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    let e = state(&sc.f.db, &id);
    assert_eq!((e.step_index, sender.count()), (1, 0));
    assert!(e.follow_up_id.is_some(), "the call is the owner's follow-up");
}

#[test]
fn a_failed_send_keeps_the_step_due_with_the_error_and_tries_again() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true)]);
    let id = enrol_deal(&mut sc, &seq);
    let sender = FakeSender::default();
    *sender.down.borrow_mut() = true;
    let r = engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(r.failed, 1);
    let e = state(&sc.f.db, &id);
    assert_eq!(
        (e.status.as_str(), e.step_index, e.waiting.as_deref()),
        ("active", 0, Some("send_failed"))
    );
    let view = enrolment::get(sc.f.db.sql(), &sc.f.clock, &id).unwrap();
    let error = view.last_error.expect("the send error on the record");
    assert_eq!(
        (error.code, error.message.as_str()),
        (
            crate::error::ErrorCode::MailUnreachable,
            "mail not sent: connection refused (127.0.0.1:2525)"
        )
    );
    *sender.down.borrow_mut() = false;
    // Not hammered: the next try after the claim ran out.
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 0);
    sc.f.clock.advance(Duration::minutes(11));
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 1);
    assert_eq!(state(&sc.f.db, &id).status, "done");
}

#[test]
fn one_active_enrolment_per_target_and_sequence() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(false)]);
    let id = enrol_deal(&mut sc, &seq);
    let t = Target {
        kind: TargetKind::Deal,
        id: sc.deal.clone(),
    };
    assert_invalid(
        sc.f.db.write(|ctx| enrolment::enrol(ctx, &seq, &t)),
        "sequence_id",
        "already_enrolled",
    );
    // Stopped by hand, it can be enrolled again; the contact too.
    let v = state(&sc.f.db, &id).version;
    sc.f.db.write(|ctx| stop::stop_by_user(ctx, &id, v)).unwrap();
    sc.f.db.write(|ctx| enrolment::enrol(ctx, &seq, &t)).unwrap();
    let c = Target {
        kind: TargetKind::Contact,
        id: sc.contact.clone(),
    };
    sc.f.db.write(|ctx| enrolment::enrol(ctx, &seq, &c)).unwrap();
    let shown = enrolment::for_record(sc.f.db.sql(), &sc.f.clock, "company", &sc.s.company_id).unwrap();
    assert_eq!(
        shown.iter().map(|e| e.status.as_str()).collect::<Vec<_>>(),
        ["active", "active", "stopped"]
    );
}

#[test]
fn manual_mail_steps_become_follow_ups_with_the_draft_on_the_record() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(false)]);
    let id = enrol_deal(&mut sc, &seq);
    engine::run_due(&mut sc.f.db, &FakeSender::default()).unwrap();
    let view = enrolment::get(sc.f.db.sql(), &sc.f.clock, &id).unwrap();
    let draft = view.draft.expect("the draft to open or copy");
    assert_eq!(draft.to_address.as_deref(), Some("yamada@example.co.jp"));
    assert!(draft.body.contains("山田 太郎 様"));
    assert!(state(&sc.f.db, &id).follow_up_id.is_some());
}

#[test]
fn unknown_placeholders_are_refused_when_saved() {
    let mut f = fixture();
    let input = SequenceInput {
        name: "x".into(),
        language: Language::Ja,
        steps: vec![Step::Mail {
            subject: "{{会社名}}".into(),
            body: "{{ご担当者}} 様 {{company}}".into(),
            automatic: false,
        }],
    };
    assert_invalid(
        f.db.write(|ctx| definition::create(ctx, &input)),
        "steps",
        "unknown_placeholder",
    );
    assert_eq!(
        template::unknown_placeholders("{{ご担当者}} {{ x }} {{会社名}} {{x}}"),
        ["ご担当者", "x"]
    );
    let only_waits = SequenceInput {
        steps: vec![Step::Wait { days: 2 }],
        ..input.clone()
    };
    assert_invalid(
        f.db.write(|ctx| definition::create(ctx, &only_waits)),
        "steps",
        "only_waits",
    );
}

#[test]
fn edits_are_version_checked_and_deletion_is_soft() {
    let mut f = fixture();
    let input = SequenceInput {
        name: "Follow-up".into(),
        language: Language::En,
        steps: vec![Step::Call { note: "hi".into() }],
    };
    let id = f.db.write(|ctx| definition::create(ctx, &input)).unwrap();
    let v = f.db.write(|ctx| definition::update(ctx, &id, 1, &input)).unwrap();
    assert_eq!(v, 2);
    assert!(matches!(
        f.db.write(|ctx| definition::update(ctx, &id, 1, &input)),
        Err(crate::Error::Conflict { .. })
    ));
    f.db.write(|ctx| definition::delete(ctx, &id, 2)).unwrap();
    assert!(definition::list(f.db.sql()).unwrap().is_empty());
    assert_eq!(definition::get(f.db.sql(), &id).unwrap().name, "Follow-up");
}

fn facts(contact: Option<&str>) -> Facts {
    Facts {
        company: "株式会社テスト".into(),
        contact: contact.map(String::from),
        contact_email: None,
        last_meeting_at: Some("2026-11-20T05:00:00Z".into()),
        last_meeting_minutes: "・現行システムの課題をヒアリング\n・予算は来期".into(),
        rep: "田中 太郎".into(),
        signature: "株式会社キズナ\n営業部 田中 太郎".into(),
    }
}

#[test]
fn templates_render_japanese_business_forms_and_english() {
    let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
    let body = "{{ご担当者名}}\n\n{{前回商談日}}の打ち合わせ:\n{{前回議事録}}\n\n{{署名}}";
    let to_person = template::render(body, &facts(Some("山田 太郎")), Language::Ja, tokyo);
    assert_eq!(
        to_person,
        "山田 太郎 様\n\n2026年11月20日の打ち合わせ:\n・現行システムの課題をヒアリング\n・予算は来期\n\n株式会社キズナ\n営業部 田中 太郎"
    );
    let to_company = template::render("{{contact}}", &facts(None), Language::Ja, tokyo);
    assert_eq!(to_company, "株式会社テスト 御中");
    let en = template::render(
        "Dear {{contact}},\nThank you for the meeting on {{last_meeting_date}}.\n{{last_meeting_minutes}}\n{{rep}}",
        &facts(Some("Jane Smith")),
        Language::En,
        tokyo,
    );
    assert_eq!(
        en,
        "Dear Jane Smith,\nThank you for the meeting on 20 November 2026.\n・現行システムの課題をヒアリング\n・予算は来期\n田中 太郎"
    );
    assert_eq!(
        template::render("Dear {{contact}},", &facts(None), Language::En, tokyo),
        "Dear Sir or Madam,"
    );
    // Without a signature: the rep's name.
    let mut f = facts(None);
    f.signature.clear();
    assert_eq!(template::render("{{署名}}", &f, Language::Ja, tokyo), "田中 太郎");
}

#[test]
fn the_preview_reads_the_last_meeting_from_the_timeline() {
    let mut sc = scene();
    let mut m = entry(
        &sc.s.company_id,
        ActivityKind::Meeting,
        "2026-11-18T02:00:00Z",
        "初回訪問",
    );
    m.minutes = "課題: 在庫管理".into();
    log(&mut sc.f.db, &m);
    let me = sc.f.db.member().unwrap().id.clone();
    let p = engine::preview(
        sc.f.db.sql(),
        &sc.f.clock,
        Language::Ja,
        "{{会社名}} 様",
        "{{ご担当者名}}\n{{前回商談日}} {{前回議事録}} {{謎}}",
        &Target {
            kind: TargetKind::Deal,
            id: sc.deal.clone(),
        },
        &me,
    )
    .unwrap();
    assert_eq!(p.mail.body, "山田 太郎 様\n2026年11月18日 課題: 在庫管理 {{謎}}");
    assert_eq!(p.unknown, ["謎"]);
}

#[test]
fn an_opted_out_person_gets_no_automatic_mail_and_the_sequence_says_why() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true), Step::Wait { days: 3 }, mail(true)]);
    let id = enrol_deal(&mut sc, &seq);
    // Opted out after enrolment, with the address typed in another case.
    sc.f.db
        .sql()
        .execute(
            "UPDATE contacts SET mail_opt_out_at = '2026-11-20T00:00:00Z', email = 'Yamada@Example.co.jp' WHERE id = ?1",
            sql::params![&sc.contact],
        )
        .unwrap();
    let sender = FakeSender::default();
    let r = engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!((r.sent, sender.count()), (0, 0));
    assert_eq!(stopped(&sc.f.db, &id), Some(StopReason::OptedOut));
}

fn lead(db: &mut TeamDb, mail: &str) -> String {
    let l = crate::leads::lead::NewLead {
        id: None,
        source: "web_form".into(),
        received_at: None,
        person_name: "佐々木 花子".into(),
        company_name: "有限会社ささき".into(),
        phone: String::new(),
        mail: mail.into(),
        message: "資料をください".into(),
        owner_id: None,
    };
    db.write(|ctx| crate::leads::lead::add(ctx, &l)).unwrap()
}

fn lead_version(conn: crate::store::sql::Sql, id: &str) -> i64 {
    conn.query_one("SELECT version FROM leads WHERE id = ?1", sql::params![id], |r| {
        r.get(0)
    })
    .unwrap()
}

fn enrol_lead(sc: &mut Scene, seq: &str, lead_id: &str) -> String {
    let t = Target {
        kind: TargetKind::Lead,
        id: lead_id.to_string(),
    };
    sc.f.db.write(|ctx| enrolment::enrol(ctx, seq, &t)).unwrap()
}

fn lead_events(db: &TeamDb, lead_id: &str) -> Vec<(String, String)> {
    db.sql()
        .query(
            "SELECT kind, body FROM lead_events WHERE lead_id = ?1 ORDER BY at, id",
            sql::params![lead_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn a_lead_is_written_to_as_it_reached_us_and_its_history_keeps_the_mail() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(true), Step::Wait { days: 3 }, mail(true)]);
    let l = lead(&mut sc.f.db, "hanako@sasaki.example.jp");
    let id = enrol_lead(&mut sc, &seq, &l);
    let sender = FakeSender::default();
    let r = engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!((r.sent, r.failed), (1, 0));
    let sent = sender.sent.lock().unwrap()[0].clone();
    assert_eq!(sent.to_address, "hanako@sasaki.example.jp");
    assert_eq!(sent.subject, "有限会社ささき 資料のご案内");
    assert!(
        sent.body.starts_with("有限会社ささき\n佐々木 花子 様\n"),
        "{}",
        sent.body
    );
    // No customer yet: the lead's own history has the enrolment and the exact mail.
    let events = lead_events(&sc.f.db, &l);
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.ends_with(&["sequence", "sequence_mail"]), "{kinds:?}");
    assert!(events.last().unwrap().1.ends_with(&sent.body));
    assert_eq!(state(&sc.f.db, &id).step_index, 2);
    // The panel of the lead shows it, with the draft of the next mail.
    let views = enrolment::for_record(sc.f.db.sql(), &sc.f.clock, "lead", &l).unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(
        views[0].draft.as_ref().and_then(|d| d.to_address.clone()).as_deref(),
        Some("hanako@sasaki.example.jp")
    );
    // "They replied", recorded on the lead, stops it.
    sc.f.db.write(|ctx| stop::replied(ctx, &id)).unwrap();
    assert_eq!(stopped(&sc.f.db, &id), Some(StopReason::Replied));
    assert_eq!(
        lead_events(&sc.f.db, &l).iter().filter(|(k, _)| k == "replied").count(),
        1
    );
    sc.f.clock.advance(Duration::days(7));
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 1);
}

#[test]
fn a_lead_s_sequence_stops_when_it_is_qualified_disqualified_or_removed() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![Step::Wait { days: 3 }, mail(true)]);
    // Converted: the deal's own work takes over.
    let converted = lead(&mut sc.f.db, "a@sasaki.example.jp");
    let a = enrol_lead(&mut sc, &seq, &converted);
    let convert = crate::leads::qualify::Convert {
        lead_id: converted.clone(),
        version: lead_version(sc.f.db.sql(), &converted),
        company_id: None,
        contact_id: None,
        create_despite_match: true,
        pipeline_id: None,
        deal_title: String::new(),
        amount: None,
    };
    apply_once(&mut sc.f.db, "op-convert", &Op::ConvertLead { convert }).unwrap();
    assert_eq!(stopped(&sc.f.db, &a), Some(StopReason::Qualified));
    // Disqualified and removed, through the app's joins.
    let dq = lead(&mut sc.f.db, "b@other.example.jp");
    let b = enrol_lead(&mut sc, &seq, &dq);
    sc.f.db
        .write(|ctx| crate::app::lead_close::disqualify(ctx, &dq, lead_version(ctx.sql(), &dq), "competitor"))
        .unwrap();
    assert_eq!(stopped(&sc.f.db, &b), Some(StopReason::Disqualified));
    let gone = lead(&mut sc.f.db, "c@third.example.jp");
    let c = enrol_lead(&mut sc, &seq, &gone);
    sc.f.db
        .write(|ctx| crate::app::lead_close::delete(ctx, &gone, lead_version(ctx.sql(), &gone)))
        .unwrap();
    assert_eq!(stopped(&sc.f.db, &c), Some(StopReason::TargetRemoved));
    // A closed lead cannot be enrolled.
    let t = Target {
        kind: TargetKind::Lead,
        id: dq,
    };
    assert_invalid(
        sc.f.db.write(|ctx| enrolment::enrol(ctx, &seq, &t)),
        "target",
        "lead_closed",
    );
    let sender = FakeSender::default();
    sc.f.clock.advance(Duration::days(7));
    engine::run_due(&mut sc.f.db, &sender).unwrap();
    assert_eq!(sender.count(), 0);
}

#[test]
fn an_opted_out_person_gets_no_manual_mail_step_either() {
    let mut sc = scene();
    let seq = sequence(&mut sc.f.db, vec![mail(false)]);
    let id = enrol_deal(&mut sc, &seq);
    sc.f.db
        .sql()
        .execute(
            "UPDATE contacts SET mail_opt_out_at = '2026-11-20T00:00:00Z' WHERE id = ?1",
            sql::params![&sc.contact],
        )
        .unwrap();
    engine::run_due(&mut sc.f.db, &FakeSender::default()).unwrap();
    assert_eq!(stopped(&sc.f.db, &id), Some(StopReason::OptedOut));
    assert_eq!(state(&sc.f.db, &id).follow_up_id, None);
}
