//! Why a sequence stops. 追客 exists to be answered: the moment the customer
//! replies or gets in touch, shows a buying signal, books a meeting, or the
//! deal moves, a scripted next step would talk past them, so the sequence
//! stops and the rep takes over. Checked when it happens (`after_touch`,
//! `after_deal_change`, called where `app` applies those writes) and again
//! before every step (the engine), so a write that came by another path —
//! a colleague's older Kizuna, the CLI — is caught before anything goes out.

use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::sequences::enrolment::{self, Row};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StopReason {
    /// The rep recorded that the customer answered a sequence's mail.
    Replied,
    /// Any inbound touch (a call, a mail, a visit from them).
    Inbound,
    /// A buying signal on any touch.
    Signal,
    /// A meeting held or an appointment booked.
    Meeting,
    /// The enrolled deal changed stage (won, lost, or moved on).
    DealMoved,
    /// The person asked not to be mailed.
    OptedOut,
    /// The contact or deal was deleted.
    TargetRemoved,
    /// Someone stopped it by hand.
    StoppedByUser,
    /// An automatic mail step with nobody to send it to.
    NoAddress,
    /// The enrolled lead became a customer: the deal's own work takes over.
    Qualified,
    /// The enrolled lead was disqualified.
    Disqualified,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Replied => "replied",
            StopReason::Inbound => "inbound",
            StopReason::Signal => "signal",
            StopReason::Meeting => "meeting",
            StopReason::DealMoved => "deal_moved",
            StopReason::OptedOut => "opted_out",
            StopReason::TargetRemoved => "target_removed",
            StopReason::StoppedByUser => "stopped_by_user",
            StopReason::NoAddress => "no_address",
            StopReason::Qualified => "qualified",
            StopReason::Disqualified => "disqualified",
        }
    }
    pub fn parse(s: &str) -> Option<StopReason> {
        [
            StopReason::Replied,
            StopReason::Inbound,
            StopReason::Signal,
            StopReason::Meeting,
            StopReason::DealMoved,
            StopReason::OptedOut,
            StopReason::TargetRemoved,
            StopReason::StoppedByUser,
            StopReason::NoAddress,
            StopReason::Qualified,
            StopReason::Disqualified,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Whether the person at `address` opted out of mail, as a contact or as a
/// lead (`mail_opt_out_at`, leads/), or was erased (mail/suppression.rs):
/// addresses compare without case, as mail servers treat the domain and
/// most treat the local part.
pub fn opted_out<'c>(conn: impl Into<Sql<'c>>, address: &str) -> Result<bool> {
    let conn = conn.into();
    // An erased person's address is suppressed for good, whoever it now
    // belongs to in the file (mail/suppression.rs).
    if crate::mail::suppression::is_suppressed(conn, address)? {
        return Ok(true);
    }
    conn.query_one(
        "SELECT EXISTS(SELECT 1 FROM contacts WHERE lower(email) = lower(?1)
                          AND mail_opt_out_at IS NOT NULL AND deleted_at IS NULL)
             OR EXISTS(SELECT 1 FROM leads WHERE lower(mail) = lower(?1)
                          AND mail_opt_out_at IS NOT NULL AND deleted_at IS NULL)",
        sql::params![address],
        |r| r.get(0),
    )
}

/// Why an enrolled lead's sequence must stop: the lead is gone, qualified
/// or disqualified, or it answered — a reply recorded on it, or a new
/// inquiry, inbound touch or buying signal that brought it back from nurture.
fn check_lead<'c>(conn: impl Into<Sql<'c>>, e: &Row) -> Result<Option<StopReason>> {
    let conn = conn.into();
    let lead: Option<(String, Option<String>)> = conn.query_opt(
        "SELECT status, deleted_at FROM leads WHERE id = ?1",
        sql::params![&e.target_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match lead {
        None | Some((_, Some(_))) => return Ok(Some(StopReason::TargetRemoved)),
        Some((status, None)) if status == "qualified" => return Ok(Some(StopReason::Qualified)),
        Some((status, None)) if status == "disqualified" => return Ok(Some(StopReason::Disqualified)),
        _ => {}
    }
    let answer: Option<String> = conn.query_opt(
        "SELECT kind FROM lead_events
              WHERE lead_id = ?1 AND kind IN ('replied', 'resurfaced') AND at >= ?2
              ORDER BY at, id LIMIT 1",
        sql::params![e.target_id, e.started_at],
        |r| r.get(0),
    )?;
    Ok(answer.map(|k| {
        if k == "replied" {
            StopReason::Replied
        } else {
            StopReason::Inbound
        }
    }))
}

/// Why this enrolment must stop now, if it must.
pub fn check<'c>(conn: impl Into<Sql<'c>>, e: &Row) -> Result<Option<StopReason>> {
    let conn = conn.into();
    if e.target_kind == enrolment::TargetKind::Lead {
        if let Some(reason) = check_lead(conn, e)? {
            return Ok(Some(reason));
        }
    }
    if let Some(deal_id) = &e.deal_id {
        let deal: Option<(String, Option<String>)> = conn.query_opt(
            "SELECT stage_id, deleted_at FROM deals WHERE id = ?1",
            sql::params![deal_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        match deal {
            None | Some((_, Some(_))) => return Ok(Some(StopReason::TargetRemoved)),
            Some((stage, None)) if e.deal_stage_id.as_deref().is_some_and(|s| s != stage) => {
                return Ok(Some(StopReason::DealMoved))
            }
            _ => {}
        }
    }
    if let Some(contact_id) = &e.contact_id {
        let live: Option<Option<String>> = conn.query_opt(
            "SELECT deleted_at FROM contacts WHERE id = ?1",
            sql::params![contact_id],
            |r| r.get(0),
        )?;
        if !matches!(live, Some(None)) && e.target_kind == enrolment::TargetKind::Contact {
            return Ok(Some(StopReason::TargetRemoved));
        }
    }
    let Some(company_id) = &e.company_id else {
        return Ok(None);
    };
    // The first answer since the sequence started, by when it happened.
    let answer: Option<(Option<String>, String, String, Option<String>)> = conn.query_opt(
        "SELECT direction, signals, kind, text_kind FROM activities
              WHERE company_id = ?1 AND deleted_at IS NULL AND occurred_at >= ?2
                AND (direction = 'inbound' OR signals <> '[]' OR kind = 'meeting')
              ORDER BY occurred_at, id LIMIT 1",
        sql::params![company_id, e.started_at],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    if let Some((direction, signals, kind, text_kind)) = answer {
        return Ok(Some(if text_kind.as_deref() == Some("sequence_replied") {
            StopReason::Replied
        } else if signals != "[]" {
            StopReason::Signal
        } else if direction.as_deref() == Some("inbound") {
            StopReason::Inbound
        } else {
            debug_assert_eq!(kind, "meeting");
            StopReason::Meeting
        }));
    }
    let booked = conn
        .query_opt(
            "SELECT 1 FROM follow_ups
              WHERE company_id = ?1 AND kind = 'appointment' AND created_at >= ?2 AND deleted_at IS NULL
              LIMIT 1",
            sql::params![company_id, e.started_at],
            |_| Ok(()),
        )?
        .is_some();
    Ok(booked.then_some(StopReason::Meeting))
}

/// Stops an enrolment (as of the row read in this transaction): its open
/// follow-up is cancelled, the timeline says why.
pub(crate) fn stop(ctx: &WriteCtx, e: &Row, reason: StopReason) -> Result<()> {
    let n = ctx.sql().execute(
        "UPDATE sequence_enrolments SET status = 'stopped', stop_reason = ?3, stopped_at = ?4, waiting = NULL,
                follow_up_id = NULL, claimed_at = NULL, version = version + 1, updated_at = ?4, updated_by = ?5
          WHERE id = ?1 AND version = ?2 AND status = 'active'",
        sql::params![e.id, e.version, reason.as_str(), ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("enrolment", "sequence_enrolments", &e.id, n)?;
    enrolment::cancel_follow_up(ctx, e.follow_up_id.as_deref(), "sequence stopped")?;
    ctx.audit(
        Entity::Enrolment,
        &e.id,
        "update",
        json!({ "status": { "from": "active", "to": "stopped" }, "reason": reason.as_str() }),
    )?;
    ctx.changed(Entity::Enrolment, &e.id, "update")?;
    enrolment::on_timeline(
        ctx,
        e,
        &EngineText::SequenceStopped {
            sequence: e.sequence_name.clone(),
            reason: reason.as_str().into(),
        },
    )?;
    Ok(())
}

/// Stops every active enrolment of the company that must stop after a
/// touch was logged or edited there.
pub fn after_touch(ctx: &WriteCtx, company_id: &str) -> Result<()> {
    for e in enrolment::active_of_company(ctx.sql(), company_id)? {
        if let Some(reason) = check(ctx.sql(), &e)? {
            stop(ctx, &e, reason)?;
        }
    }
    Ok(())
}

/// The same after a lead was qualified, disqualified or removed.
pub fn after_lead_change(ctx: &WriteCtx, lead_id: &str) -> Result<()> {
    let ids: Vec<String> = ctx.sql().query(
        "SELECT id FROM sequence_enrolments
          WHERE target_kind = 'lead' AND target_id = ?1 AND status = 'active' AND deleted_at IS NULL",
        sql::params![lead_id],
        |r| r.get(0),
    )?;
    for id in ids {
        let e = enrolment::row(ctx.sql(), &id)?;
        if let Some(reason) = check(ctx.sql(), &e)? {
            stop(ctx, &e, reason)?;
        }
    }
    Ok(())
}

/// The same after a deal changed (a move, a deletion).
pub fn after_deal_change(ctx: &WriteCtx, deal_id: &str) -> Result<()> {
    let company: Option<String> = ctx.sql().query_opt(
        "SELECT company_id FROM deals WHERE id = ?1",
        sql::params![deal_id],
        |r| r.get(0),
    )?;
    match company {
        Some(c) => after_touch(ctx, &c),
        None => Ok(()),
    }
}

/// Stopped by hand (the enrolment panel), as of `version`.
pub fn stop_by_user(ctx: &WriteCtx, id: &str, version: i64) -> Result<()> {
    let e = enrolment::row(ctx.sql(), id)?;
    if e.version != version {
        return ctx.expect_one("enrolment", "sequence_enrolments", id, 0);
    }
    if e.status != "active" {
        return Err(Error::invalid("enrolment", "not_active"));
    }
    stop(ctx, &e, StopReason::StoppedByUser)
}

/// "They replied": the customer answered a sequence's mail. Recorded as an
/// inbound mail on the timeline (a touch: the cadence restarts, the last
/// contact moves), and the sequence stops. `activity_id` is the sent mail
/// the button stood beside, or `None` from the enrolment panel.
pub fn replied(ctx: &WriteCtx, enrolment_id: &str) -> Result<String> {
    let e = enrolment::row(ctx.sql(), enrolment_id)?;
    let text = EngineText::SequenceReplied {
        sequence: e.sequence_name.clone(),
    };
    let Some(company_id) = e.company_id.clone() else {
        // A lead with no customer yet: the answer goes on its own history.
        if e.target_kind != enrolment::TargetKind::Lead {
            return Err(Error::invalid("enrolment", "no_company"));
        }
        crate::leads::lead::event(ctx, &e.target_id, "replied", "", &text)?;
        if e.status == "active" {
            stop(ctx, &e, StopReason::Replied)?;
        }
        return Ok(e.target_id);
    };
    let id = activity::log(
        ctx,
        &NewActivity {
            company_id,
            contact_ids: e.contact_id.iter().cloned().collect(),
            deal_id: e.deal_id.clone(),
            kind: ActivityKind::Email,
            direction: Some(Direction::Inbound),
            occurred_at: ctx.now.clone(),
            summary: text.render(ctx.lang),
            body: String::new(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        },
    )?;
    activity::set_engine_text(ctx, &id, &text)?;
    if e.status == "active" {
        stop(ctx, &e, StopReason::Replied)?;
    }
    Ok(id)
}

/// "They replied" beside a mail a sequence sent: the enrolment it came from.
pub fn enrolment_of_mail<'c>(conn: impl Into<Sql<'c>>, activity_id: &str) -> Result<String> {
    let conn = conn.into();
    conn.query_opt(
        "SELECT enrolment_id FROM sequence_sends WHERE activity_id = ?1",
        sql::params![activity_id],
        |r| r.get(0),
    )?
    .ok_or_else(|| Error::NotFound {
        entity: "sequence_mail",
        id: activity_id.to_string(),
    })
}
