//! Walking the steps. The owner's desktop looks at their due enrolments
//! ([`run_due`], from the runner thread): each is checked for a reason to
//! stop first, then against the pushiness guard — a step that would make
//! the team's unanswered touches reach the cap waits until the oldest of
//! them leaves the window, and says so —, then a manual step becomes the
//! owner's follow-up and an automatic mail is sent once through a
//! [`MailSender`] (the mail module's `send_once`) under the key
//! `seq:<enrolment>:<step>`. A mail more than a day late is not sent
//! silently: the owner is asked first.

use crate::clock::{from_db, to_db, Clock};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::sequences::definition::Step;
use crate::sequences::enrolment::{self, Row, TargetKind};
use crate::sequences::stop::{self, StopReason};
use crate::sequences::template;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::{Saves, Store, WriteCtx};
use crate::team::settings::TeamSettings;
use crate::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use crate::timeline::cadence;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// A mail as handed to the sender: the mail layer's own, so the key the
/// runner names is the key its once-only ledger keeps.
pub use crate::mail::OutgoingMail;

/// What the sender did with a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Sent,
    /// The once-only ledger knew the key: another desktop of this person (or
    /// this one before a crash) sent it.
    AlreadySent,
}

/// Sends a mail at most once per key across the person's computers.
pub trait MailSender {
    /// `Err` is why, typed (a mail error carries the server's own words): it
    /// is kept on the record and the reader's language words it.
    fn send_once(&self, db: &mut dyn Store, mail: &OutgoingMail) -> Result<Sent>;
}

/// An automatic mail taken to send (claimed under the enrolment's version).
#[derive(Debug, Clone)]
pub struct MailJob {
    pub enrolment_id: String,
    pub step_index: usize,
    pub mail: OutgoingMail,
}

/// How long a desktop's claim on a mail keeps the person's other desktops
/// away, and how long a failed send waits before the next try.
const CLAIM: i64 = 10;
/// Past this, an automatic mail is not sent without asking (Kizuna was off).
const LATE_HOURS: i64 = 24;

/// From step `index` at time `from`: the first step that is not a wait and
/// when it is due (`None` past the last step).
pub(crate) fn settle<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    steps: &[Step],
    index: usize,
    from: DateTime<Utc>,
) -> Result<(usize, Option<String>)> {
    let conn = conn.into();
    let hours = TeamSettings::load(conn)?.business_hours;
    let mut i = index;
    let mut t = from;
    while let Some(Step::Wait { days }) = steps.get(i) {
        t = hours.add_days(t, *days, clock.offset());
        i += 1;
    }
    Ok((i, (i < steps.len()).then(|| to_db(t))))
}

/// The current step was taken (sent, done, skipped) at `at`: on to the next.
pub(crate) fn advance(ctx: &WriteCtx, e: &Row, at: DateTime<Utc>) -> Result<()> {
    let (index, due_at) = settle(ctx.sql(), ctx.clock, &e.steps, e.step_index + 1, at)?;
    let status = if due_at.is_some() { "active" } else { "done" };
    let n = ctx.sql().execute(
        "UPDATE sequence_enrolments SET step_index = ?3, due_at = ?4, status = ?5, waiting = NULL, last_error = NULL,
                follow_up_id = NULL, confirmed_step = NULL, claimed_at = NULL,
                stopped_at = CASE WHEN ?5 = 'done' THEN ?6 END,
                version = version + 1, updated_at = ?6, updated_by = ?7
          WHERE id = ?1 AND version = ?2",
        sql::params![e.id, e.version, index as i64, due_at, status, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("enrolment", "sequence_enrolments", &e.id, n)?;
    ctx.audit(
        Entity::Enrolment,
        &e.id,
        "update",
        json!({ "step_index": { "from": e.step_index, "to": index }, "status": status }),
    )?;
    ctx.changed(Entity::Enrolment, &e.id, "update")
}

fn set(ctx: &WriteCtx, e: &Row, sql_set: &str, p: &[sql::Value]) -> Result<()> {
    let mut all = sql::params![&e.id, e.version, &ctx.now, ctx.user_id].to_vec();
    all.extend_from_slice(p);
    let n = ctx.sql().execute(
        &format!(
            "UPDATE sequence_enrolments SET {sql_set}, version = version + 1, updated_at = ?3, updated_by = ?4
              WHERE id = ?1 AND version = ?2"
        ),
        &all,
    )?;
    ctx.expect_one("enrolment", "sequence_enrolments", &e.id, n)?;
    ctx.changed(Entity::Enrolment, &e.id, "update")
}

/// When the guard lets one more touch through: the unanswered touch that
/// makes the count reach the cap leaves the window; an open complaint is
/// looked at again the next business day.
fn allowed_from(w: &cadence::PushyWarning, team: &TeamSettings, clock: &dyn Clock) -> (String, DateTime<Utc>) {
    let now = clock.now();
    let mut until = now;
    let mut reason = "pushy";
    if w.over_cap {
        let cap = w.max_touches.max(1) as usize;
        if let Some(t) = w.touches.get(cap - 1).and_then(|t| from_db(&t.occurred_at)) {
            until = until.max(t + Duration::days(i64::from(w.window_days)));
        }
    }
    if w.open_complaints > 0 {
        reason = if w.over_cap { "pushy" } else { "complaint" };
        until = until.max(team.business_hours.add_days(now, 1, clock.offset()));
    }
    if until <= now {
        until = now + Duration::hours(1);
    }
    (reason.to_string(), until)
}

fn step_title(e: &Row, company: &str, call: bool) -> EngineText {
    EngineText::SequenceStepDue {
        sequence: e.sequence_name.clone(),
        company: company.to_string(),
        step: e.step_index as u32 + 1,
        call,
    }
}

/// Who a step is about, for its follow-up's title: the customer, or a
/// lead's company (or person) as it gave it.
fn company_name<'c>(conn: impl Into<Sql<'c>>, e: &Row) -> Result<String> {
    let conn = conn.into();
    Ok(match (&e.company_id, e.target_kind) {
        (Some(id), _) => conn
            .query_opt("SELECT name FROM companies WHERE id = ?1", sql::params![id], |r| {
                r.get(0)
            })?
            .unwrap_or_default(),
        (None, TargetKind::Lead) => conn
            .query_opt(
                "SELECT CASE WHEN company_name <> '' THEN company_name ELSE person_name END FROM leads WHERE id = ?1",
                sql::params![&e.target_id],
                |r| r.get(0),
            )?
            .unwrap_or_default(),
        (None, _) => String::new(),
    })
}

fn facts<'c>(conn: impl Into<Sql<'c>>, e: &Row) -> Result<template::Facts> {
    let conn = conn.into();
    let target = enrolment::Target {
        kind: e.target_kind,
        id: e.target_id.clone(),
    };
    template::facts_for(
        conn,
        &target,
        e.company_id.as_deref(),
        e.contact_id.as_deref(),
        &e.owner_id,
    )
}

fn owners_follow_up(ctx: &WriteCtx, e: &Row, due_at: &str, text: &EngineText) -> Result<String> {
    follow_up::create_titled(
        ctx,
        &NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: String::new(),
            due_at: due_at.to_string(),
            assignee_id: Some(e.owner_id.clone()),
            company_id: e.company_id.clone(),
            deal_id: e.deal_id.clone(),
            contract_id: None,
            activity_id: None,
        },
        text,
    )
}

fn to_opted_out<'c>(conn: impl Into<Sql<'c>>, e: &Row) -> Result<bool> {
    let conn = conn.into();
    match facts(conn, e)?.contact_email {
        Some(address) => stop::opted_out(conn, &address),
        None => Ok(false),
    }
}

/// One due enrolment: stop, wait, become a follow-up, or hand out a mail.
fn process(ctx: &WriteCtx, e: &Row, team: &TeamSettings) -> Result<Option<MailJob>> {
    let now = ctx.clock.now();
    if let Some(reason) = stop::check(ctx.sql(), e)? {
        stop::stop(ctx, e, reason)?;
        return Ok(None);
    }
    let Some(step) = e.steps.get(e.step_index).cloned() else {
        advance(ctx, e, now)?;
        return Ok(None);
    };
    // A manual step stands as the owner's follow-up until it is done.
    if let Some(fu) = &e.follow_up_id {
        if e.waiting.as_deref() == Some("confirm_late") {
            return Ok(None);
        }
        let status: Option<String> =
            ctx.sql()
                .query_opt("SELECT status FROM follow_ups WHERE id = ?1", sql::params![fu], |r| {
                    r.get(0)
                })?;
        if status.as_deref() != Some("open") {
            advance(ctx, e, now)?;
        }
        return Ok(None);
    }
    if let Some(company_id) = &e.company_id {
        if let Some(w) = cadence::pushiness(ctx.sql(), ctx.clock, team, company_id)? {
            let (reason, until) = allowed_from(&w, team, ctx.clock);
            let until_db = to_db(until);
            set(ctx, e, "waiting = ?5, due_at = ?6", sql::params![&reason, &until_db])?;
            if e.waiting.as_deref() != Some(reason.as_str()) {
                let local = until.with_timezone(&ctx.clock.offset()).format("%Y-%m-%d %H:%M");
                enrolment::on_timeline(
                    ctx,
                    e,
                    &EngineText::SequenceWaiting {
                        sequence: e.sequence_name.clone(),
                        reason,
                        until: local.to_string(),
                    },
                )?;
            }
            return Ok(None);
        }
    }
    let company = company_name(ctx.sql(), e)?;
    let due_at = e.due_at.clone().unwrap_or_else(|| ctx.now.clone());
    match step {
        Step::Call { .. } | Step::Mail { automatic: false, .. } => {
            let call = matches!(step, Step::Call { .. });
            // A person who asked for no more mail gets none by hand either:
            // the rep would be handed a draft to someone who said stop.
            if !call && to_opted_out(ctx.sql(), e)? {
                stop::stop(ctx, e, StopReason::OptedOut)?;
                return Ok(None);
            }
            let fu = owners_follow_up(ctx, e, &due_at, &step_title(e, &company, call))?;
            set(ctx, e, "follow_up_id = ?5, waiting = NULL", sql::params![&fu])?;
            Ok(None)
        }
        Step::Mail { subject, body, .. } => {
            let f = facts(ctx.sql(), e)?;
            let mail = template::mail(&subject, &body, &f, e.language, ctx.clock.offset());
            let Some(to_address) = mail.to_address.clone() else {
                stop::stop(ctx, e, StopReason::NoAddress)?;
                return Ok(None);
            };
            // The person asked for no more mail (on any contact or lead with
            // this address): Kizuna never sends them one by itself.
            if stop::opted_out(ctx.sql(), &to_address)? {
                stop::stop(ctx, e, StopReason::OptedOut)?;
                return Ok(None);
            }
            let late = from_db(&due_at).is_some_and(|d| now - d > Duration::hours(LATE_HOURS));
            if late && e.confirmed_step != Some(e.step_index) {
                if e.waiting.as_deref() != Some("confirm_late") {
                    let fu = owners_follow_up(
                        ctx,
                        e,
                        &ctx.now,
                        &EngineText::SequenceLateMail {
                            sequence: e.sequence_name.clone(),
                            company,
                        },
                    )?;
                    set(ctx, e, "waiting = 'confirm_late', follow_up_id = ?5", sql::params![&fu])?;
                }
                return Ok(None);
            }
            let fresh_claim = e
                .claimed_at
                .as_deref()
                .and_then(from_db)
                .is_some_and(|c| now - c < Duration::minutes(CLAIM));
            if fresh_claim {
                return Ok(None);
            }
            set(ctx, e, "claimed_at = ?3", &[])?;
            Ok(Some(MailJob {
                enrolment_id: e.id.clone(),
                step_index: e.step_index,
                mail: OutgoingMail {
                    key: format!("seq:{}:{}", e.id, e.step_index),
                    to_name: mail.to_name,
                    to_address,
                    subject: mail.subject,
                    body: mail.body,
                },
            }))
        }
        Step::Wait { .. } => {
            // settle() never leaves a wait current; an edited sequence may.
            advance(ctx, e, now)?;
            Ok(None)
        }
    }
}

/// The member's due enrolments, each in its own short transaction; the
/// automatic mails claimed for sending.
pub fn due_steps(db: &mut dyn Store) -> Result<Vec<MailJob>> {
    let Some(me) = db.member().map(|m| m.id.clone()) else {
        return Ok(Vec::new());
    };
    let now = to_db(db.clock().now());
    let due = enrolment::due_of(db.sql(), &me, &now)?;
    let mut jobs = Vec::new();
    for e in due {
        let job = db.save(|ctx| {
            // Read again inside the lock: a colleague's desktop (or this
            // person's other one) may have moved it on.
            let e = match enrolment::row(ctx.sql(), &e.id) {
                Ok(e) if e.status == "active" => e,
                Ok(_) => return Ok(None),
                Err(Error::NotFound { .. }) => return Ok(None),
                Err(err) => return Err(err),
            };
            if !e.due_at.as_deref().is_some_and(|d| d <= ctx.now.as_str()) {
                return Ok(None);
            }
            let team = TeamSettings::load(ctx.sql())?;
            process(ctx, &e, &team)
        });
        match job {
            Ok(Some(j)) => jobs.push(j),
            Ok(None) => {}
            // Another desktop took it between the read and the write.
            Err(Error::Conflict { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(jobs)
}

/// A sent mail: on the timeline as an outbound mail with its exact text,
/// linked to the step (so "they replied" shows beside it), and the next step.
fn record_sent(ctx: &WriteCtx, job: &MailJob) -> Result<()> {
    let e = enrolment::row(ctx.sql(), &job.enrolment_id)?;
    if e.status != "active" || e.step_index != job.step_index {
        return Ok(());
    }
    if let Some(company_id) = &e.company_id {
        let id = activity::log(
            ctx,
            &NewActivity {
                company_id: company_id.clone(),
                contact_ids: e.contact_id.iter().cloned().collect(),
                deal_id: e.deal_id.clone(),
                kind: ActivityKind::Email,
                direction: Some(Direction::Outbound),
                occurred_at: ctx.now.clone(),
                summary: job.mail.subject.chars().take(500).collect(),
                body: format!(
                    "To: {} <{}>\n\n{}",
                    job.mail.to_name, job.mail.to_address, job.mail.body
                ),
                minutes: String::new(),
                next_todos: String::new(),
                next_appointment_at: None,
                signals: Vec::new(),
            },
        )?;
        ctx.sql().execute(
            "INSERT INTO sequence_sends (enrolment_id, step_index, activity_id, mail_key, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            sql::params![e.id, job.step_index as i64, id, job.mail.key, ctx.now],
        )?;
    } else if e.target_kind == TargetKind::Lead {
        // No customer yet: the exact text goes on the lead's own history.
        crate::leads::lead::event(
            ctx,
            &e.target_id,
            "sequence_mail",
            &format!(
                "To: {} <{}>\n{}\n\n{}",
                job.mail.to_name, job.mail.to_address, job.mail.subject, job.mail.body
            ),
            &EngineText::SequenceMailSent {
                sequence: e.sequence_name.clone(),
                subject: job.mail.subject.chars().take(200).collect(),
            },
        )?;
    }
    enrolment::cancel_follow_up(ctx, e.follow_up_id.as_deref(), "late mail sent")?;
    advance(ctx, &e, ctx.clock.now())
}

/// A failed send: the step stays due, the error on the record; tried
/// again once the claim has run out.
fn record_failed(ctx: &WriteCtx, job: &MailJob, error: &Error) -> Result<()> {
    let e = enrolment::row(ctx.sql(), &job.enrolment_id)?;
    if e.status != "active" || e.step_index != job.step_index {
        return Ok(());
    }
    let mut payload = error.payload();
    payload.message = payload.message.chars().take(1000).collect();
    let stored = serde_json::to_string(&payload).map_err(|e| Error::Internal(e.to_string()))?;
    set(
        ctx,
        &e,
        "waiting = 'send_failed', last_error = ?5",
        sql::params![&stored],
    )?;
    ctx.audit(
        Entity::Enrolment,
        &e.id,
        "update",
        json!({ "send_failed": payload.code }),
    )
}

/// What one run did, for the runner's log and the tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub sent: u32,
    pub failed: u32,
}

/// Does the member's due steps and sends the automatic mails, each outside
/// any transaction (a slow server never holds the team file's lock).
pub fn run_due(db: &mut dyn Store, sender: &dyn MailSender) -> Result<RunReport> {
    let mut report = RunReport::default();
    for job in due_steps(db)? {
        match sender.send_once(db, &job.mail) {
            Ok(_) => {
                db.save(|ctx| record_sent(ctx, &job))?;
                report.sent += 1;
            }
            Err(error) => {
                db.save(|ctx| record_failed(ctx, &job, &error))?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// A template rendered for a chosen target, exactly as it would go out (the
/// editor's preview), with the placeholders it does not know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Preview {
    pub mail: template::RenderedMail,
    pub unknown: Vec<String>,
}

pub fn preview<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    language: crate::language::Language,
    subject: &str,
    body: &str,
    target: &enrolment::Target,
    owner_id: &str,
) -> Result<Preview> {
    let conn = conn.into();
    let (company_id, contact_id): (Option<String>, Option<String>) = match target.kind {
        enrolment::TargetKind::Deal => conn
            .query_opt(
                "SELECT company_id, COALESCE(contact_id,
                        (SELECT id FROM contacts c WHERE c.company_id = d.company_id AND c.deleted_at IS NULL
                          ORDER BY created_at, id LIMIT 1))
                   FROM deals d WHERE id = ?1",
                sql::params![&target.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .unwrap_or((None, None)),
        enrolment::TargetKind::Contact => conn
            .query_opt(
                "SELECT company_id, id FROM contacts WHERE id = ?1",
                sql::params![&target.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .unwrap_or((None, None)),
        enrolment::TargetKind::Lead => conn
            .query_opt(
                "SELECT company_id, contact_id FROM leads WHERE id = ?1",
                sql::params![&target.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .unwrap_or((None, None)),
    };
    let f = template::facts_for(conn, target, company_id.as_deref(), contact_id.as_deref(), owner_id)?;
    let mut unknown = template::unknown_placeholders(subject);
    for u in template::unknown_placeholders(body) {
        if !unknown.contains(&u) {
            unknown.push(u);
        }
    }
    Ok(Preview {
        mail: template::mail(subject, body, &f, language, clock.offset()),
        unknown,
    })
}
