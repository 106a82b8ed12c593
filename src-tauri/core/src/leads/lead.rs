//! A lead: receiving it (assigned by the team's rule, its first-response
//! target fixed in business time), version-checked edits, its owner, the
//! first answer, mail opt-out, soft deletion, and its history in the
//! reader's language.

use crate::clock::{from_db, to_db};
use crate::email;
use crate::engine_text::EngineText;
use crate::error::{known, Error, Result};
use crate::id::new_id;
use crate::leads::{assign, matching, nurture};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::team::settings::TeamSettings;
use crate::validate::{non_empty, optional};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

const NAME_MAX: usize = 200;
const PHONE_MAX: usize = 50;
const MAIL_MAX: usize = 254;
/// A pasted inquiry with its quoted history fits; a whole file does not.
pub(crate) const MESSAGE_MAX: usize = 20_000;
const REASON_MAX: usize = 200;
/// Colleagues' clocks drift; a lead received in the future is a typo.
const FUTURE_SLACK_MINUTES: i64 = 60;

/// new → contacted → qualified (a deal) | disqualified | nurture; a nurtured
/// lead comes back as contacted when it resurfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LeadStatus {
    New,
    Contacted,
    Qualified,
    Disqualified,
    Nurture,
}

impl LeadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified => "disqualified",
            LeadStatus::Nurture => "nurture",
        }
    }
    pub fn parse(s: &str) -> Option<LeadStatus> {
        [
            LeadStatus::New,
            LeadStatus::Contacted,
            LeadStatus::Qualified,
            LeadStatus::Disqualified,
            LeadStatus::Nurture,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// Still sales' work (not converted, dropped or nurtured).
    pub fn is_active(self) -> bool {
        matches!(self, LeadStatus::New | LeadStatus::Contacted)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewLead {
    /// Chosen by the caller when the lead may wait in the outbox; `None`: a new id.
    #[serde(default)]
    pub id: Option<String>,
    /// A code or word of the team's `lead_sources`.
    pub source: String,
    /// RFC 3339, when the inquiry came; `None`: now.
    #[serde(default)]
    pub received_at: Option<String>,
    pub person_name: String,
    pub company_name: String,
    pub phone: String,
    pub mail: String,
    /// What they asked.
    pub message: String,
    /// `None`: the team's rule decides.
    #[serde(default)]
    pub owner_id: Option<String>,
}

/// What a version-checked edit may change.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LeadEdit {
    pub source: String,
    pub person_name: String,
    pub company_name: String,
    pub phone: String,
    pub mail: String,
    pub message: String,
}

/// What a step needs of the stored lead.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub id: String,
    pub number: i64,
    pub status: LeadStatus,
    pub source: String,
    pub person_name: String,
    pub company_name: String,
    pub phone: String,
    pub mail: String,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub check_in_follow_up_id: Option<String>,
    pub nurture_until: Option<String>,
    pub version: i64,
}

impl Head {
    /// How the lead is named in a follow-up or a notification.
    pub fn name(&self) -> String {
        match (self.company_name.trim(), self.person_name.trim()) {
            ("", p) => p.to_string(),
            (c, "") => c.to_string(),
            (c, p) => format!("{c} {p}"),
        }
    }
}

pub(crate) const HEAD_COLUMNS: &str =
    "id, number, status, source, person_name, company_name, phone, mail, owner_id, company_id,
     contact_id, deal_id, check_in_follow_up_id, nurture_until, version";

pub(crate) fn head_from_row(r: &sql::Row) -> Result<(Head, String)> {
    Ok((
        Head {
            id: r.get(0)?,
            number: r.get(1)?,
            status: LeadStatus::New,
            source: r.get(3)?,
            person_name: r.get(4)?,
            company_name: r.get(5)?,
            phone: r.get(6)?,
            mail: r.get(7)?,
            owner_id: r.get(8)?,
            company_id: r.get(9)?,
            contact_id: r.get(10)?,
            deal_id: r.get(11)?,
            check_in_follow_up_id: r.get(12)?,
            nurture_until: r.get(13)?,
            version: r.get(14)?,
        },
        r.get(2)?,
    ))
}

/// The live lead, checked against the version the user saw (`None`: any).
pub(crate) fn head(ctx: &WriteCtx, id: &str, version: Option<i64>) -> Result<Head> {
    let row = ctx.sql().query_opt(
        &format!("SELECT {HEAD_COLUMNS} FROM leads WHERE id = ?1 AND deleted_at IS NULL"),
        sql::params![id],
        head_from_row,
    )?;
    let Some((mut h, status)) = row else {
        return Err(Error::NotFound {
            entity: "lead",
            id: id.to_string(),
        });
    };
    h.status = known("leads", id, &status, LeadStatus::parse)?;
    if version.is_some_and(|v| v != h.version) {
        ctx.expect_one("lead", "leads", id, 0)?;
    }
    Ok(h)
}

/// Bumps the lead's version after a step; the row must still be at `h.version`.
pub(crate) fn touch(ctx: &WriteCtx, h: &Head, set: &str, extra: &[sql::Value]) -> Result<i64> {
    let statement = format!(
        "UPDATE leads SET {set}{sep} version = version + 1, updated_at = ?1, updated_by = ?2
          WHERE id = ?3 AND version = ?4 AND deleted_at IS NULL",
        sep = if set.is_empty() { "" } else { "," }
    );
    let mut values = sql::params![&ctx.now, ctx.user_id, &h.id, h.version].to_vec();
    values.extend_from_slice(extra);
    let n = ctx.sql().execute(&statement, &values)?;
    ctx.expect_one("lead", "leads", &h.id, n)?;
    Ok(h.version + 1)
}

/// Records a step on the lead's history, in the engine's words.
pub(crate) fn event(ctx: &WriteCtx, lead_id: &str, kind: &str, body: &str, text: &EngineText) -> Result<()> {
    let (text_kind, text_params) = text.to_columns();
    ctx.sql().execute(
        "INSERT INTO lead_events (id, lead_id, kind, body, text_kind, text_params, author_id, at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        sql::params![
            new_id(),
            lead_id,
            kind,
            body,
            text_kind,
            text_params,
            ctx.user_id,
            ctx.now
        ],
    )?;
    Ok(())
}

/// An active member's name, or `Invalid(owner_id, unknown)`.
pub(crate) fn member_name<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<String> {
    conn.into()
        .query_opt(
            "SELECT display_name FROM users WHERE id = ?1 AND deleted_at IS NULL AND deactivated_at IS NULL",
            sql::params![id],
            |r| r.get(0),
        )?
        .ok_or(Error::invalid("owner_id", "unknown"))
}

/// The fields of a lead as stored, checked.
struct Fields {
    source: String,
    person_name: String,
    company_name: String,
    phone: String,
    mail: String,
    message: String,
}

impl Fields {
    fn checked(team: &TeamSettings, e: &LeadEdit) -> Result<Fields> {
        let source = e.source.trim().to_string();
        if !team.lead_sources.contains(&source) {
            return Err(Error::invalid("source", "unknown"));
        }
        let f = Fields {
            source,
            person_name: optional("person_name", &e.person_name, NAME_MAX)?,
            company_name: optional("company_name", &e.company_name, NAME_MAX)?,
            phone: optional("phone", &e.phone, PHONE_MAX)?,
            mail: email::check("mail", &optional("mail", &e.mail, MAIL_MAX)?)?,
            message: e.message.clone(),
        };
        if f.message.chars().count() > MESSAGE_MAX {
            return Err(Error::invalid("message", "too_long"));
        }
        // Someone must be reachable or at least named.
        if [&f.person_name, &f.company_name, &f.phone, &f.mail]
            .iter()
            .all(|v| v.is_empty())
        {
            return Err(Error::invalid("person_name", "required"));
        }
        Ok(f)
    }

    fn keys(&self) -> (String, String, String) {
        (
            matching::company_key(&self.company_name),
            matching::phone_key(&self.phone),
            matching::mail_key(&self.mail),
        )
    }
}

/// Receives a lead: numbered, given an owner (the one named, or the team's
/// rule — unless it is the same company or person as a nurtured lead, which
/// resurfaces to its owner, who gets this one too), its first-response due
/// time planned in business hours. Returns its id.
pub fn add(ctx: &WriteCtx, l: &NewLead) -> Result<String> {
    let team = TeamSettings::load(ctx.sql())?;
    let f = Fields::checked(
        &team,
        &LeadEdit {
            source: l.source.clone(),
            person_name: l.person_name.clone(),
            company_name: l.company_name.clone(),
            phone: l.phone.clone(),
            mail: l.mail.clone(),
            message: l.message.clone(),
        },
    )?;
    let now = ctx.clock.now();
    let received = match l.received_at.as_deref().map(str::trim) {
        None | Some("") => now,
        Some(t) => from_db(t).ok_or(Error::invalid("received_at", "format"))?,
    };
    if received > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
        return Err(Error::invalid("received_at", "in_future"));
    }
    let (company_key, phone_key, mail_key) = f.keys();
    let nurtured = nurture::nurtured_like(ctx.sql(), &company_key, &phone_key, &mail_key)?;
    let owner = match non_empty(&l.owner_id) {
        Some(o) => {
            member_name(ctx.sql(), &o)?;
            Some(o)
        }
        None => match nurtured.iter().find_map(|h| h.owner_id.clone()) {
            Some(o) if member_name(ctx.sql(), &o).is_ok() => Some(o),
            _ => assign::next_owner(ctx, &team)?,
        },
    };
    let id = non_empty(&l.id).unwrap_or_else(new_id);
    let due = team.business_hours.add(
        received,
        i64::from(team.lead_first_response_hours) * 60,
        ctx.clock.offset(),
    );
    let number: i64 = ctx
        .sql()
        .query_one("SELECT COALESCE(MAX(number), 0) + 1 FROM leads", sql::params![], |r| {
            r.get(0)
        })?;
    ctx.sql().execute(
        "INSERT INTO leads (id, number, source, received_at, person_name, company_name, phone, mail, message,
                            company_key, phone_key, mail_key, owner_id, assigned_at, assigned_by,
                            first_response_due, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, ?15)",
        sql::params![
            id,
            number,
            f.source,
            to_db(received),
            f.person_name,
            f.company_name,
            f.phone,
            f.mail,
            f.message,
            company_key,
            phone_key,
            mail_key,
            owner,
            owner.as_ref().map(|_| &ctx.now),
            ctx.user_id,
            to_db(due),
            ctx.now
        ],
    )?;
    event(
        ctx,
        &id,
        "received",
        &f.message,
        &EngineText::LeadReceived {
            number,
            source: f.source.clone(),
        },
    )?;
    if let Some(o) = &owner {
        event(
            ctx,
            &id,
            "assigned",
            "",
            &EngineText::LeadAssigned {
                number,
                owner: Some(member_name(ctx.sql(), o)?),
            },
        )?;
    }
    for h in &nurtured {
        nurture::resurface(ctx, h, nurture::Trigger::NewInquiry)?;
    }
    ctx.audit(
        Entity::Lead,
        &id,
        "insert",
        json!({ "number": number, "source": f.source, "owner_id": owner }),
    )?;
    ctx.changed(Entity::Lead, &id, "insert")?;
    Ok(id)
}

/// Edits what the lead said, if nobody changed it since `version`.
pub fn update(ctx: &WriteCtx, id: &str, version: i64, e: &LeadEdit) -> Result<i64> {
    let h = head(ctx, id, Some(version))?;
    let team = TeamSettings::load(ctx.sql())?;
    let f = Fields::checked(&team, e)?;
    let (company_key, phone_key, mail_key) = f.keys();
    let v = touch(
        ctx,
        &h,
        "source = ?5, person_name = ?6, company_name = ?7, phone = ?8, mail = ?9, message = ?10,
         company_key = ?11, phone_key = ?12, mail_key = ?13",
        sql::params![
            &f.source,
            &f.person_name,
            &f.company_name,
            &f.phone,
            &f.mail,
            &f.message,
            &company_key,
            &phone_key,
            &mail_key,
        ],
    )?;
    ctx.audit(Entity::Lead, id, "update", json!({ "source": f.source }))?;
    ctx.changed(Entity::Lead, id, "update")?;
    Ok(v)
}

/// Gives the lead to a member (`None`: nobody). The new owner is told at
/// once (a new assignment time is a new reminder).
pub fn set_owner(ctx: &WriteCtx, id: &str, version: i64, owner_id: Option<&str>) -> Result<i64> {
    let h = head(ctx, id, Some(version))?;
    let owner = owner_id.map(str::trim).filter(|s| !s.is_empty());
    let name = owner.map(|o| member_name(ctx.sql(), o)).transpose()?;
    let v = touch(
        ctx,
        &h,
        "owner_id = ?5, assigned_at = CASE WHEN ?5 IS NULL THEN NULL ELSE ?1 END, assigned_by = ?2",
        sql::params![owner],
    )?;
    event(
        ctx,
        id,
        "assigned",
        "",
        &EngineText::LeadAssigned {
            number: h.number,
            owner: name,
        },
    )?;
    ctx.audit(Entity::Lead, id, "assign", json!({ "to": owner }))?;
    ctx.changed(Entity::Lead, id, "update")?;
    Ok(v)
}

/// The owner answered the lead (a call, a mail; `note` says how it went).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contacted {
    pub lead_id: String,
    #[serde(default)]
    pub note: String,
}

/// Records an answer: the first one meets (or ends) the first-response
/// target, and a new lead becomes contacted. Appending needs no version
/// (two people may log at once; both are kept).
pub fn contacted(ctx: &WriteCtx, c: &Contacted) -> Result<i64> {
    let h = head(ctx, &c.lead_id, None)?;
    if c.note.chars().count() > MESSAGE_MAX {
        return Err(Error::invalid("note", "too_long"));
    }
    if !h.status.is_active() {
        return Err(Error::invalid("status", "not_allowed"));
    }
    let v = touch(
        ctx,
        &h,
        "status = 'contacted', first_response_at = COALESCE(first_response_at, ?1)",
        &[],
    )?;
    event(
        ctx,
        &h.id,
        "contacted",
        c.note.trim(),
        &EngineText::LeadContacted { number: h.number },
    )?;
    ctx.audit(Entity::Lead, &h.id, "contacted", json!({}))?;
    ctx.changed(Entity::Lead, &h.id, "update")?;
    Ok(v)
}

/// Records that the person asked for no more mail (`true`) or allows it
/// again; the nurture export and the sequences respect it.
pub fn set_mail_opt_out(ctx: &WriteCtx, id: &str, version: i64, opt_out: bool) -> Result<i64> {
    let h = head(ctx, id, Some(version))?;
    let v = touch(
        ctx,
        &h,
        "mail_opt_out_at = CASE WHEN ?5 <> 0 THEN COALESCE(mail_opt_out_at, ?1) END",
        sql::params![opt_out],
    )?;
    let name = h.name();
    let text = if opt_out {
        EngineText::MailOptOut { name }
    } else {
        EngineText::MailOptIn { name }
    };
    event(ctx, id, if opt_out { "opt_out" } else { "opt_in" }, "", &text)?;
    ctx.audit(Entity::Lead, id, "mail_opt_out", json!({ "opt_out": opt_out }))?;
    ctx.changed(Entity::Lead, id, "update")?;
    Ok(v)
}

/// Soft-deletes a lead entered by mistake (spam is disqualified instead,
/// so it still counts).
pub fn delete(ctx: &WriteCtx, id: &str, version: i64) -> Result<()> {
    let h = head(ctx, id, Some(version))?;
    touch(ctx, &h, "deleted_at = ?1", &[])?;
    ctx.audit(Entity::Lead, id, "delete", json!({ "number": h.number }))?;
    ctx.changed(Entity::Lead, id, "delete")
}

/// Checks a pick-list reason: trimmed, not blank, short.
pub(crate) fn reason(field: &'static str, value: &str) -> Result<String> {
    crate::validate::required(field, value, REASON_MAX)
}

/// One step of a lead's history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LeadEvent {
    pub id: String,
    pub kind: String,
    pub body: String,
    pub author_name: Option<String>,
    pub at: String,
    /// The step in words, for the reader's language.
    pub text: Option<EngineText>,
}

/// A lead's history, oldest first.
pub fn events<'c>(conn: impl Into<Sql<'c>>, lead_id: &str) -> Result<Vec<LeadEvent>> {
    // Ids are UUIDv7, made in time order: the order the steps were written.
    conn.into().query(
        "SELECT e.id, e.kind, e.body, u.display_name, e.at, e.text_kind, e.text_params
           FROM lead_events e LEFT JOIN users u ON u.id = e.author_id
          WHERE e.lead_id = ?1 ORDER BY e.at, e.id",
        sql::params![lead_id],
        |r| {
            Ok(LeadEvent {
                id: r.get(0)?,
                kind: r.get(1)?,
                body: r.get(2)?,
                author_name: r.get(3)?,
                at: r.get(4)?,
                text: EngineText::from_cells(r.get(5)?, r.get(6)?),
            })
        },
    )
}
