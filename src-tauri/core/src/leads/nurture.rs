//! Nurture (マーケティングに戻す): leads not ready yet and lost deals get a
//! light cadence — the owner's check-in follow-up every few months, for up
//! to two years — and come back to their owner when they warm up: a new
//! inquiry from the same company or person, an inbound touch on the
//! customer, or a buying signal (docs/leads.md). A lost deal handed to
//! nurture is a lead of origin `lost_deal` linked to its deal and customer,
//! so both live on one list.
//!
//! Also here: mail opt-out on a contact, and the newsletter export of the
//! nurture list (opted-in only).

use crate::clock::{from_db, to_db};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::id::new_id;
use crate::language::Language;
use crate::leads::lead::{self, head_from_row, Head, LeadStatus, HEAD_COLUMNS};
use crate::leads::matching;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::team::settings::TeamSettings;
use crate::timeline::activity::{self, ActivityKind};
use crate::writers::csv::{Csv, CsvEncoding};
use crate::writers::{Cell, TableSink};
use chrono::Months;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// What brought a nurtured lead back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Trigger {
    NewInquiry,
    InboundTouch,
    BuyingSignal,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::NewInquiry => "new_inquiry",
            Trigger::InboundTouch => "inbound_touch",
            Trigger::BuyingSignal => "buying_signal",
        }
    }
}

/// Plans the next check-in `months` after `from` for the lead's owner,
/// unless it would fall after `until`. Returns the follow-up's id.
fn plan_check_in(ctx: &WriteCtx, h: &Head, team: &TeamSettings, until: &str) -> Result<Option<String>> {
    let Some(owner) = h.owner_id.clone() else {
        return Ok(None);
    };
    let Some(due) = ctx
        .clock
        .now()
        .checked_add_months(Months::new(team.nurture_check_in_months))
    else {
        return Ok(None);
    };
    if from_db(until).is_some_and(|u| due > u) {
        return Ok(None);
    }
    let id = follow_up::plan_titled(
        ctx,
        &NewFollowUp {
            kind: FollowUpKind::Reapproach,
            title: String::new(),
            due_at: to_db(due),
            assignee_id: Some(owner),
            company_id: h.company_id.clone(),
            deal_id: h.deal_id.clone(),
            contract_id: None,
            activity_id: None,
        },
        &EngineText::NurtureCheckIn { name: h.name() },
    )?;
    Ok(Some(id))
}

/// Closes the lead's open check-in, if any (it resurfaced, was converted
/// or dropped: nobody should call to "check in" any more).
pub(crate) fn stop_check_ins(ctx: &WriteCtx, h: &Head) -> Result<()> {
    let Some(fu) = &h.check_in_follow_up_id else {
        return Ok(());
    };
    let open: Option<i64> = ctx.sql().query_opt(
        "SELECT version FROM follow_ups WHERE id = ?1 AND status = 'open' AND deleted_at IS NULL",
        sql::params![fu],
        |r| r.get(0),
    )?;
    if let Some(v) = open {
        follow_up::close(ctx, fu, v, "cancelled", "lead_left_nurture")?;
    }
    Ok(())
}

/// Starts the cadence of a nurtured lead: until now + the team's maximum,
/// the first check-in planned.
fn start(ctx: &WriteCtx, h: &Head, reason: &str) -> Result<i64> {
    let team = TeamSettings::load(ctx.sql())?;
    let until = ctx
        .clock
        .now()
        .checked_add_months(Months::new(team.nurture_max_months))
        .map(to_db)
        .unwrap_or_else(|| ctx.now.clone());
    let check_in = plan_check_in(ctx, h, &team, &until)?;
    lead::touch(
        ctx,
        h,
        "status = 'nurture', nurture_reason = ?5, nurture_since = ?1, nurture_until = ?6, check_in_follow_up_id = ?7",
        sql::params![reason, until, check_in],
    )
}

/// Hands a lead back to marketing with a reason.
pub fn to_nurture(ctx: &WriteCtx, id: &str, version: i64, reason: &str) -> Result<i64> {
    let h = lead::head(ctx, id, Some(version))?;
    if !h.status.is_active() {
        return Err(Error::invalid("status", "not_allowed"));
    }
    let reason = lead::reason("reason", reason)?;
    let v = start(ctx, &h, &reason)?;
    lead::event(
        ctx,
        id,
        "nurture",
        "",
        &EngineText::LeadNurtured {
            number: h.number,
            reason: reason.clone(),
        },
    )?;
    ctx.audit(Entity::Lead, id, "nurture", json!({ "reason": reason }))?;
    ctx.changed(Entity::Lead, id, "update")?;
    Ok(v)
}

/// What handing a lost deal to nurture reads of it.
struct LostDeal {
    company_id: String,
    contact_id: Option<String>,
    owner_id: Option<String>,
    kind: String,
    company_name: String,
    person_name: String,
    mail: String,
}

/// Hands a lost deal to nurture: a lead of origin `lost_deal` for its
/// customer, owned by the deal's owner (or whoever hands it over), on the
/// nurture list with the same cadence. `Invalid(deal_id, not_lost)` for a
/// deal that is not lost, `Invalid(deal_id, already_nurtured)` when it is
/// on the list already.
pub fn deal_to_nurture(ctx: &WriteCtx, deal_id: &str, reason: &str) -> Result<String> {
    let reason = lead::reason("reason", reason)?;
    let deal = ctx.sql().query_opt(
        "SELECT d.company_id, d.contact_id, d.owner_id, s.kind, c.name, COALESCE(ct.name, ''),
                    COALESCE(ct.email, '')
               FROM deals d JOIN stages s ON s.id = d.stage_id JOIN companies c ON c.id = d.company_id
               LEFT JOIN contacts ct ON ct.id = d.contact_id
              WHERE d.id = ?1 AND d.deleted_at IS NULL",
        sql::params![deal_id],
        |r| {
            Ok(LostDeal {
                company_id: r.get(0)?,
                contact_id: r.get(1)?,
                owner_id: r.get(2)?,
                kind: r.get(3)?,
                company_name: r.get(4)?,
                person_name: r.get(5)?,
                mail: r.get(6)?,
            })
        },
    )?;
    let Some(LostDeal {
        company_id,
        contact_id,
        owner_id,
        kind,
        company_name,
        person_name,
        mail,
    }) = deal
    else {
        return Err(Error::NotFound {
            entity: "deal",
            id: deal_id.to_string(),
        });
    };
    if kind != "lost" {
        return Err(Error::invalid("deal_id", "not_lost"));
    }
    // Someone must check in: the deal's owner, or whoever hands it over.
    let owner_id = owner_id.or_else(|| Some(ctx.user_id.to_string()));
    let already = ctx
        .sql()
        .query_opt(
            "SELECT 1 FROM leads WHERE deal_id = ?1 AND status = 'nurture' AND deleted_at IS NULL",
            sql::params![deal_id],
            |_| Ok(()),
        )?
        .is_some();
    if already {
        return Err(Error::invalid("deal_id", "already_nurtured"));
    }
    let id = new_id();
    let number: i64 = ctx
        .sql()
        .query_one("SELECT COALESCE(MAX(number), 0) + 1 FROM leads", sql::params![], |r| {
            r.get(0)
        })?;
    ctx.sql().execute(
        "INSERT INTO leads (id, number, origin, source, received_at, person_name, company_name, mail,
                            company_key, mail_key, status, owner_id, first_response_due, first_response_at,
                            company_id, contact_id, deal_id, created_at, updated_at, updated_by)
         VALUES (?1, ?2, 'lost_deal', 'other', ?3, ?4, ?5, ?6, ?7, ?8, 'contacted', ?9, ?3, ?3, ?10, ?11, ?12,
                 ?3, ?3, ?13)",
        sql::params![
            id,
            number,
            ctx.now,
            person_name,
            company_name,
            mail,
            matching::company_key(&company_name),
            matching::mail_key(&mail),
            owner_id,
            company_id,
            contact_id,
            deal_id,
            ctx.user_id
        ],
    )?;
    let h = lead::head(ctx, &id, None)?;
    start(ctx, &h, &reason)?;
    let text = EngineText::DealNurtured { reason: reason.clone() };
    lead::event(ctx, &id, "nurture", "", &text)?;
    activity::record(
        ctx,
        &activity::Record {
            company_id: &company_id,
            contact_id: contact_id.as_deref(),
            deal_id: Some(deal_id),
            kind: ActivityKind::System,
            occurred_at: &ctx.now,
            text: &text,
            body: "",
        },
    )?;
    ctx.audit(
        Entity::Lead,
        &id,
        "insert",
        json!({ "number": number, "origin": "lost_deal", "deal_id": deal_id, "reason": reason }),
    )?;
    ctx.changed(Entity::Lead, &id, "insert")?;
    Ok(id)
}

/// A check-in follow-up was done: the next one is planned while the
/// nurture lasts (after its end the lead simply stays on the list).
pub fn after_follow_up_done(ctx: &WriteCtx, follow_up_id: &str) -> Result<()> {
    let found = ctx.sql().query_opt(
        &format!(
            "SELECT {HEAD_COLUMNS} FROM leads
                  WHERE check_in_follow_up_id = ?1 AND status = 'nurture' AND deleted_at IS NULL"
        ),
        sql::params![follow_up_id],
        head_from_row,
    )?;
    let Some((mut h, _)) = found else {
        return Ok(());
    };
    h.status = LeadStatus::Nurture;
    let team = TeamSettings::load(ctx.sql())?;
    let until = h.nurture_until.clone().unwrap_or_else(|| ctx.now.clone());
    let next = plan_check_in(ctx, &h, &team, &until)?;
    lead::touch(ctx, &h, "check_in_follow_up_id = ?5", sql::params![next])?;
    ctx.changed(Entity::Lead, &h.id, "update")
}

fn nurtured_where(conn: Sql, condition: &str, values: &[sql::Value]) -> Result<Vec<Head>> {
    let statement =
        format!("SELECT {HEAD_COLUMNS} FROM leads WHERE status = 'nurture' AND deleted_at IS NULL AND ({condition})");
    let rows = conn.query(&statement, values, head_from_row)?;
    Ok(rows
        .into_iter()
        .map(|(mut h, _)| {
            h.status = LeadStatus::Nurture;
            h
        })
        .collect())
}

/// The nurtured leads (and lost deals) a new inquiry is the same company or
/// person as: by the normalised company name, the mail or the phone.
pub(crate) fn nurtured_like<'c>(
    conn: impl Into<Sql<'c>>,
    company_key: &str,
    phone_key: &str,
    mail_key: &str,
) -> Result<Vec<Head>> {
    nurtured_where(
        conn.into(),
        "(?1 <> '' AND company_key = ?1) OR (?2 <> '' AND phone_key = ?2) OR (?3 <> '' AND mail_key = ?3)",
        sql::params![company_key, phone_key, mail_key],
    )
}

/// Brings a nurtured lead back to its owner: active again (contacted, as
/// they have talked before), the check-ins stopped, the reason on its
/// history (and the customer's timeline, when it has one). The owner is
/// told by the reminder scheduler (`lead_resurfaced`, once per return).
pub(crate) fn resurface(ctx: &WriteCtx, h: &Head, trigger: Trigger) -> Result<()> {
    stop_check_ins(ctx, h)?;
    lead::touch(
        ctx,
        h,
        "status = 'contacted', resurfaced_at = ?1, resurfaced_count = resurfaced_count + 1, resurface_trigger = ?5,
         check_in_follow_up_id = NULL",
        sql::params![trigger.as_str()],
    )?;
    let text = EngineText::LeadResurfaced {
        number: h.number,
        trigger: trigger.as_str().into(),
    };
    lead::event(ctx, &h.id, "resurfaced", "", &text)?;
    if let Some(company_id) = &h.company_id {
        activity::record(
            ctx,
            &activity::Record {
                company_id,
                contact_id: h.contact_id.as_deref(),
                deal_id: h.deal_id.as_deref(),
                kind: ActivityKind::System,
                occurred_at: &ctx.now,
                text: &text,
                body: "",
            },
        )?;
    }
    ctx.audit(Entity::Lead, &h.id, "resurface", json!({ "trigger": trigger }))?;
    ctx.changed(Entity::Lead, &h.id, "update")
}

/// After a touch is logged on the timeline: an inbound touch, or any touch
/// with a buying signal, on a nurtured customer (or its contact) brings
/// its leads back. Called where a logged touch is applied (app/outbox.rs).
pub fn after_touch(ctx: &WriteCtx, activity_id: &str) -> Result<()> {
    let row: Option<(String, Option<String>, Option<String>, String)> = ctx.sql().query_opt(
        "SELECT company_id, contact_id, direction, signals FROM activities WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![activity_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let Some((company_id, contact_id, direction, signals)) = row else {
        return Ok(());
    };
    let signalled = serde_json::from_str::<Vec<String>>(&signals).is_ok_and(|s| !s.is_empty());
    let trigger = if signalled {
        Trigger::BuyingSignal
    } else if direction.as_deref() == Some("inbound") {
        Trigger::InboundTouch
    } else {
        return Ok(());
    };
    let leads = nurtured_where(
        ctx.sql(),
        "company_id = ?1 OR (?2 IS NOT NULL AND contact_id = ?2)",
        sql::params![company_id, contact_id],
    )?;
    for h in &leads {
        resurface(ctx, h, trigger)?;
    }
    Ok(())
}

/// Records on a contact that they asked for no more mail (`true`), or
/// allow it again: on the customer's timeline, respected by the nurture
/// export and the sequences. Returns the contact's new version.
pub fn set_contact_opt_out(ctx: &WriteCtx, contact_id: &str, version: i64, opt_out: bool) -> Result<i64> {
    let row: Option<(String, String, i64)> = ctx.sql().query_opt(
        "SELECT company_id, name, version FROM contacts WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![contact_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((company_id, name, _)) = row else {
        return Err(Error::NotFound {
            entity: "contact",
            id: contact_id.to_string(),
        });
    };
    let n = ctx.sql().execute(
        "UPDATE contacts SET mail_opt_out_at = CASE WHEN ?3 <> 0 THEN COALESCE(mail_opt_out_at, ?4) END,
                version = version + 1, updated_at = ?4, updated_by = ?5
          WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![contact_id, version, opt_out, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("contact", "contacts", contact_id, n)?;
    let text = if opt_out {
        EngineText::MailOptOut { name }
    } else {
        EngineText::MailOptIn { name }
    };
    activity::record(
        ctx,
        &activity::Record {
            company_id: &company_id,
            contact_id: Some(contact_id),
            deal_id: None,
            kind: ActivityKind::System,
            occurred_at: &ctx.now,
            text: &text,
            body: "",
        },
    )?;
    ctx.audit(
        Entity::Contact,
        contact_id,
        "mail_opt_out",
        json!({ "opt_out": opt_out }),
    )?;
    ctx.changed(Entity::Contact, contact_id, "update")?;
    Ok(version + 1)
}

/// One person on the newsletter list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub company: String,
    pub name: String,
    pub mail: String,
    pub phone: String,
    pub source: String,
    pub since: String,
}

/// Who the nurture newsletter goes to: nurtured leads with a mail, and the
/// contacts of nurtured lost deals' customers — only those who did not opt
/// out, each address once.
pub fn export_rows<'c>(conn: impl Into<Sql<'c>>) -> Result<Vec<ExportRow>> {
    let conn = conn.into();
    // Ordered by every column: which of two rows for one address is kept
    // must not depend on the store's order of ties.
    let rows = conn.query(
        "SELECT company_name, person_name, mail, phone, source, COALESCE(nurture_since, ''), mail_key
           FROM leads
          WHERE status = 'nurture' AND deleted_at IS NULL AND origin = 'inquiry' AND mail <> ''
            AND mail_opt_out_at IS NULL
         UNION ALL
         SELECT co.name, ct.name, ct.email, ct.phone, l.source, COALESCE(l.nurture_since, ''), lower(ct.email)
           FROM leads l JOIN contacts ct ON ct.company_id = l.company_id JOIN companies co ON co.id = ct.company_id
          WHERE l.status = 'nurture' AND l.deleted_at IS NULL AND l.origin = 'lost_deal' AND ct.deleted_at IS NULL
            AND ct.email <> '' AND ct.mail_opt_out_at IS NULL
         ORDER BY 1, 2, 3, 4, 5, 6, 7",
        &[],
        |r| {
            Ok((
                ExportRow {
                    company: r.get(0)?,
                    name: r.get(1)?,
                    mail: r.get(2)?,
                    phone: r.get(3)?,
                    source: r.get(4)?,
                    since: r.get(5)?,
                },
                r.get::<String>(6)?,
            ))
        },
    )?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (row, key) in rows {
        // A contact who opted out on their lead (or the other way) is out.
        if seen.insert(key) {
            out.push(row);
        }
    }
    let opted_out: std::collections::HashSet<String> = conn
        .query(
            "SELECT mail_key FROM leads WHERE mail_opt_out_at IS NOT NULL AND mail_key <> ''
             UNION SELECT lower(email) FROM contacts WHERE mail_opt_out_at IS NOT NULL AND email <> ''",
            &[],
            |r| r.get::<String>(0),
        )?
        .into_iter()
        .collect();
    out.retain(|r| !opted_out.contains(&matching::mail_key(&r.mail)));
    // An erased person's address stays off the list for good.
    let mut kept = Vec::with_capacity(out.len());
    for r in out {
        if !crate::mail::suppression::is_suppressed(conn, &r.mail)? {
            kept.push(r);
        }
    }
    Ok(kept)
}

/// The export as a CSV file's text: UTF-8 with a byte-order mark (so Excel
/// reads the Japanese correctly), CRLF lines, formula-like cells neutralised
/// (the one CSV writer, writers/csv.rs), a header in `lang`.
pub fn export_csv<'c>(conn: impl Into<Sql<'c>>, lang: Language) -> Result<String> {
    let header: [&str; 6] = match lang {
        Language::Ja => ["会社名", "氏名", "メール", "電話", "流入元", "ナーチャリング開始"],
        Language::En => ["Company", "Name", "Mail", "Phone", "Source", "Nurtured since"],
    };
    let mut csv = Csv::new(Vec::new(), CsvEncoding::Utf8);
    csv.header(&header)?;
    for r in export_rows(conn)? {
        let source = crate::engine_text::lead_source_label(&r.source, lang);
        let since = r.since.get(..10).unwrap_or_default().to_string();
        csv.row(&[r.company, r.name, r.mail, r.phone, source, since].map(Cell::Text))?;
    }
    String::from_utf8(csv.into_inner()).map_err(|e| Error::Internal(e.to_string()))
}
