//! Qualifying a lead: one step into customer + contact + deal, offering the
//! existing customer or contact that matches (the user chooses; creating a
//! new one beside a match needs saying so), or disqualifying it with a
//! reason from the team's list.

use crate::customers::company::{self, NewCompany};
use crate::customers::contact::{self, NewContact};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::leads::lead::{self, LeadStatus};
use crate::leads::matching::{self, Matches, Said};
use crate::pipeline::deal::{self, NewDeal};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, ActivityKind};
use crate::validate::non_empty;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

const TITLE_MAX_FROM_MESSAGE: usize = 40;

/// The customers and contacts a lead may already be (the convert dialog
/// offers them).
pub fn matches<'c>(conn: impl Into<Sql<'c>>, lead_id: &str) -> Result<Matches> {
    let conn = conn.into();
    let said: Option<(String, String, String)> = conn.query_opt(
        "SELECT company_name, phone, mail FROM leads WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![lead_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((company_name, phone, mail)) = said else {
        return Err(Error::NotFound {
            entity: "lead",
            id: lead_id.to_string(),
        });
    };
    matching::find(
        conn,
        &Said {
            company_name: &company_name,
            phone: &phone,
            mail: &mail,
        },
    )
}

/// What the user chose in the convert dialog.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Convert {
    pub lead_id: String,
    #[ts(type = "number")]
    pub version: i64,
    /// An existing customer; `None`: a new one from the lead.
    pub company_id: Option<String>,
    /// An existing contact of that customer; `None`: a new one from the
    /// lead's person (when it names one).
    pub contact_id: Option<String>,
    /// The user saw the matches and still wants a new customer / contact.
    #[serde(default)]
    pub create_despite_match: bool,
    /// The deal: `None`: the first pipeline; it starts in its first stage.
    pub pipeline_id: Option<String>,
    pub deal_title: String,
    /// Optional; in the currency's minor unit.
    #[ts(type = "number | null")]
    pub amount: Option<i64>,
}

/// What converting made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Converted {
    pub company_id: String,
    pub contact_id: Option<String>,
    pub deal_id: String,
}

/// The first open stage of `pipeline_id` (or of the first pipeline).
fn first_stage(ctx: &WriteCtx, pipeline_id: Option<&str>) -> Result<(String, String)> {
    let found: Option<(String, String)> = ctx.sql().query_opt(
        "SELECT s.pipeline_id, s.id FROM stages s JOIN pipelines p ON p.id = s.pipeline_id AND p.deleted_at IS NULL
              WHERE s.deleted_at IS NULL AND s.kind = 'open' AND (?1 IS NULL OR s.pipeline_id = ?1)
              ORDER BY p.position, p.name, s.position, s.id LIMIT 1",
        sql::params![pipeline_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    found.ok_or(Error::invalid("pipeline_id", "unknown"))
}

/// Converts the lead: the chosen (or a new) customer and contact, a deal in
/// the pipeline's first stage owned by the lead's owner, an entry on the
/// customer's timeline, and the lead qualified (its first answer, if none
/// was logged, is now). A new customer or contact beside a match is refused
/// with `Invalid(company_id | contact_id, matches_existing)` unless the user
/// said so: never a silent duplicate.
pub fn convert(ctx: &WriteCtx, c: &Convert) -> Result<Converted> {
    let h = lead::head(ctx, &c.lead_id, Some(c.version))?;
    if !matches!(h.status, LeadStatus::New | LeadStatus::Contacted | LeadStatus::Nurture) {
        return Err(Error::invalid("status", "not_allowed"));
    }
    let found = matching::find(
        ctx.sql(),
        &Said {
            company_name: &h.company_name,
            phone: &h.phone,
            mail: &h.mail,
        },
    )?;
    let company_id = match non_empty(&c.company_id) {
        Some(id) => {
            let live = ctx
                .sql()
                .query_opt(
                    "SELECT 1 FROM companies WHERE id = ?1 AND deleted_at IS NULL",
                    sql::params![&id],
                    |_| Ok(()),
                )?
                .is_some();
            if !live {
                return Err(Error::invalid("company_id", "unknown"));
            }
            id
        }
        None => {
            if !found.companies.is_empty() && !c.create_despite_match {
                return Err(Error::invalid("company_id", "matches_existing"));
            }
            let name = if h.company_name.is_empty() {
                h.person_name.clone()
            } else {
                h.company_name.clone()
            };
            company::create(
                ctx,
                &NewCompany {
                    name,
                    owner_id: h.owner_id.clone(),
                    phone: h.phone.clone(),
                    ..Default::default()
                },
            )?
        }
    };
    let contact_id = match non_empty(&c.contact_id) {
        Some(id) => {
            let ours = ctx
                .sql()
                .query_opt(
                    "SELECT 1 FROM contacts WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL",
                    sql::params![&id, &company_id],
                    |_| Ok(()),
                )?
                .is_some();
            if !ours {
                return Err(Error::invalid("contact_id", "other_company"));
            }
            Some(id)
        }
        None if h.person_name.is_empty() => None,
        None => {
            if found.contacts.iter().any(|m| m.company_id == company_id) && !c.create_despite_match {
                return Err(Error::invalid("contact_id", "matches_existing"));
            }
            Some(contact::create_contact(
                ctx,
                &NewContact {
                    company_id: company_id.clone(),
                    name: h.person_name.clone(),
                    name_kana: String::new(),
                    title: String::new(),
                    email: h.mail.clone(),
                    phone: h.phone.clone(),
                },
            )?)
        }
    };
    let message: String = ctx
        .sql()
        .query_one("SELECT message FROM leads WHERE id = ?1", sql::params![&h.id], |r| {
            r.get(0)
        })?;
    let (pipeline_id, stage_id) = first_stage(ctx, non_empty(&c.pipeline_id).as_deref())?;
    let title = match c.deal_title.trim() {
        "" => default_title(&h.name(), &message),
        t => t.to_string(),
    };
    let deal_id = deal::create(
        ctx,
        &NewDeal {
            pipeline_id,
            stage_id,
            company_id: company_id.clone(),
            contact_id: contact_id.clone(),
            title,
            amount: c.amount.unwrap_or(0),
            currency: String::new(),
            owner_id: h.owner_id.clone(),
            expected_close: None,
            decision_deadline: None,
            notes: String::new(),
        },
    )?;
    lead::touch(
        ctx,
        &h,
        "status = 'qualified', company_id = ?5, contact_id = ?6, deal_id = ?7, converted_at = ?1,
         first_response_at = COALESCE(first_response_at, ?1)",
        sql::params![company_id, contact_id, deal_id],
    )?;
    let company_name: String = ctx.sql().query_one(
        "SELECT name FROM companies WHERE id = ?1",
        sql::params![&company_id],
        |r| r.get(0),
    )?;
    let text = EngineText::LeadConverted {
        number: h.number,
        company: company_name,
        source: h.source.clone(),
    };
    lead::event(ctx, &h.id, "qualified", "", &text)?;
    // Where the customer came from stays on their timeline.
    activity::record(
        ctx,
        &activity::Record {
            company_id: &company_id,
            contact_id: contact_id.as_deref(),
            deal_id: Some(&deal_id),
            kind: ActivityKind::System,
            occurred_at: &ctx.now,
            text: &text,
            body: &message,
        },
    )?;
    ctx.audit(
        Entity::Lead,
        &h.id,
        "convert",
        json!({ "company_id": company_id, "contact_id": contact_id, "deal_id": deal_id }),
    )?;
    ctx.changed(Entity::Lead, &h.id, "update")?;
    Ok(Converted {
        company_id,
        contact_id,
        deal_id,
    })
}

/// A deal title from the lead: who, and the start of what they asked.
pub fn default_title(who: &str, message: &str) -> String {
    let asked: String = message
        .split(['\n', '\r'])
        .next()
        .unwrap_or_default()
        .chars()
        .take(TITLE_MAX_FROM_MESSAGE)
        .collect();
    match asked.trim() {
        "" => who.to_string(),
        a => format!("{who} {a}"),
    }
}

/// Drops the lead with a reason (the team's list, or the user's words).
pub fn disqualify(ctx: &WriteCtx, id: &str, version: i64, reason: &str) -> Result<i64> {
    let h = lead::head(ctx, id, Some(version))?;
    if !matches!(h.status, LeadStatus::New | LeadStatus::Contacted | LeadStatus::Nurture) {
        return Err(Error::invalid("status", "not_allowed"));
    }
    let reason = lead::reason("reason", reason)?;
    let v = lead::touch(
        ctx,
        &h,
        "status = 'disqualified', disqualify_reason = ?5",
        sql::params![reason],
    )?;
    lead::event(
        ctx,
        id,
        "disqualified",
        "",
        &EngineText::LeadDisqualified {
            number: h.number,
            reason: reason.clone(),
        },
    )?;
    crate::leads::nurture::stop_check_ins(ctx, &h)?;
    ctx.audit(Entity::Lead, id, "disqualify", json!({ "reason": reason }))?;
    ctx.changed(Entity::Lead, id, "update")?;
    Ok(v)
}
