//! The sales → support hand-off sheet (導入引き継ぎシート).
//!
//! Sending is creating: a sheet exists once support may read it, so a rep
//! never leaves a half-written one that support is waiting for. The rep
//! (or anyone) may correct it afterwards, version-checked like every edit.

use crate::clock::{from_db, to_db};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::handoff::timeline;
use crate::id::new_id;
use crate::pipeline::deal::reminder_at;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::team::settings::TeamSettings;
use crate::validate::{optional, required};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// How a key person likes to be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PreferredChannel {
    Any,
    Phone,
    Mail,
    Visit,
    Chat,
}

impl PreferredChannel {
    fn as_str(self) -> &'static str {
        match self {
            PreferredChannel::Any => "any",
            PreferredChannel::Phone => "phone",
            PreferredChannel::Mail => "mail",
            PreferredChannel::Visit => "visit",
            PreferredChannel::Chat => "chat",
        }
    }
    fn parse(s: &str) -> Option<PreferredChannel> {
        Some(match s {
            "any" => PreferredChannel::Any,
            "phone" => PreferredChannel::Phone,
            "mail" => PreferredChannel::Mail,
            "visit" => PreferredChannel::Visit,
            "chat" => PreferredChannel::Chat,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HandoffStatus {
    /// Waiting for support to acknowledge it.
    Sent,
    Acknowledged,
}

impl HandoffStatus {
    pub(crate) fn parse(s: &str) -> Option<HandoffStatus> {
        match s {
            "sent" => Some(HandoffStatus::Sent),
            "acknowledged" => Some(HandoffStatus::Acknowledged),
            _ => None,
        }
    }
}

/// A promise made to the customer, as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PromiseInput {
    pub text: String,
    /// By when; a dated promise becomes its keeper's follow-up.
    #[ts(type = "string | null")]
    pub due_on: Option<NaiveDate>,
    /// Who keeps it; `None` for the rep who fills the sheet.
    pub keeper_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KeyPersonInput {
    pub contact_id: String,
    pub channel: PreferredChannel,
    pub note: String,
}

/// One item of the team's checklist, ticked or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistTick {
    pub item: String,
    pub done: bool,
}

/// The sheet as the form sends it (to send it, or to correct it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct HandoffInput {
    pub company_id: String,
    pub deal_id: Option<String>,
    pub contract_id: Option<String>,
    /// What was sold, in the rep's words.
    pub sold: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    /// The customer's goals and expectations.
    pub goals: String,
    pub risks: String,
    pub promises: Vec<PromiseInput>,
    pub key_persons: Vec<KeyPersonInput>,
    /// Ticks by item text; the items themselves are the team's template,
    /// copied when the sheet is sent.
    pub checklist: Vec<ChecklistTick>,
    /// One support member, or `None` for the whole support team.
    pub to_user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SheetPromise {
    pub id: String,
    pub text: String,
    #[ts(type = "string | null")]
    pub due_on: Option<NaiveDate>,
    pub keeper_id: Option<String>,
    pub keeper_name: Option<String>,
    pub follow_up_id: Option<String>,
    /// Its follow-up is done.
    pub kept: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KeyPerson {
    pub contact_id: String,
    pub name: String,
    pub title: String,
    pub phone: String,
    pub email: String,
    pub channel: PreferredChannel,
    pub note: String,
    /// Removed from the customer since; still named, the sheet is history.
    pub removed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MessageKind {
    Question,
    Answer,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoffMessage {
    pub id: String,
    pub kind: MessageKind,
    pub body: String,
    pub author_id: String,
    pub author_name: String,
    pub at: String,
}

/// A whole sheet, as the sheet view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoffSheet {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub company_id: String,
    pub company_name: String,
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
    pub contract_id: Option<String>,
    pub contract_plan: Option<String>,
    pub sold: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub goals: String,
    pub risks: String,
    pub promises: Vec<SheetPromise>,
    pub key_persons: Vec<KeyPerson>,
    pub checklist: Vec<ChecklistTick>,
    pub from_user_id: String,
    pub from_name: String,
    pub to_user_id: Option<String>,
    pub to_name: Option<String>,
    pub status: HandoffStatus,
    pub sent_at: String,
    /// When nobody acknowledging it reminds both sides.
    pub ack_due_at: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by_name: Option<String>,
    pub messages: Vec<HandoffMessage>,
    pub updated_by: Option<String>,
}

/// What a new sheet starts with: the deal's facts and the team's checklist.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoffDraft {
    pub company_id: String,
    pub company_name: String,
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
    /// The deal's contract when one was entered for it, else the
    /// customer's newest running one.
    pub contract_id: Option<String>,
    pub contract_plan: Option<String>,
    pub sold: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub checklist: Vec<String>,
    /// A sheet already sent for this deal: the form offers to open it.
    pub existing_id: Option<String>,
}

const TEXT_MAX: usize = 4000;
const LINE_MAX: usize = 300;
const PROMISES_MAX: usize = 30;
const KEY_PERSONS_MAX: usize = 20;

/// The draft of a sheet for a customer, from a won deal when named.
pub fn draft<'c>(conn: impl Into<Sql<'c>>, company_id: &str, deal_id: Option<&str>) -> Result<HandoffDraft> {
    let conn = conn.into();
    let company_name: String = conn
        .query_opt(
            "SELECT name FROM companies WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![company_id],
            |r| r.get(0),
        )?
        .ok_or_else(|| Error::NotFound {
            entity: "company",
            id: company_id.to_string(),
        })?;
    let deal: Option<(String, String, i64, String)> = match deal_id {
        Some(id) => conn.query_opt(
            "SELECT id, title, amount, currency FROM deals WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL",
            sql::params![id, company_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?,
        None => None,
    };
    // The contract of the named deal first (IS NOT DISTINCT FROM: both
    // stores read it, and it matches no deal as no deal).
    let contract: Option<(String, String, i64, String)> = conn.query_opt(
        "SELECT id, plan, amount, currency FROM contracts
          WHERE company_id = ?1 AND deleted_at IS NULL AND status IN ('active','in_renewal')
          ORDER BY (deal_id IS NOT DISTINCT FROM ?2) DESC, start_date DESC, id DESC LIMIT 1",
        sql::params![company_id, deal_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let existing_id: Option<String> = match deal_id {
        Some(id) => conn.query_opt(
            "SELECT id FROM handoffs WHERE deal_id = ?1 AND deleted_at IS NULL ORDER BY sent_at DESC LIMIT 1",
            sql::params![id],
            |r| r.get(0),
        )?,
        None => None,
    };
    let settings = TeamSettings::load(conn)?;
    // What was sold reads best as the contract's plan; the deal's title
    // and amount when no contract was entered yet.
    let (sold, amount, currency) = match (&contract, &deal) {
        (Some((_, plan, amount, currency)), _) => (plan.clone(), *amount, currency.clone()),
        (None, Some((_, title, amount, currency))) => (title.clone(), *amount, currency.clone()),
        (None, None) => (String::new(), 0, "JPY".to_string()),
    };
    Ok(HandoffDraft {
        company_id: company_id.to_string(),
        company_name,
        deal_id: deal.as_ref().map(|d| d.0.clone()),
        deal_title: deal.map(|d| d.1),
        contract_id: contract.as_ref().map(|c| c.0.clone()),
        contract_plan: contract.map(|c| c.1),
        sold,
        amount,
        currency,
        checklist: settings.handoff_checklist,
        existing_id,
    })
}

/// The checked fields of a sheet.
struct Checked {
    sold: String,
    goals: String,
    risks: String,
    currency: String,
    promises: Vec<(String, Option<NaiveDate>, String)>,
    key_persons: Vec<(String, PreferredChannel, String)>,
}

fn check(ctx: &WriteCtx, h: &HandoffInput) -> Result<Checked> {
    let sold = required("sold", &h.sold, LINE_MAX)?;
    let goals = optional("goals", &h.goals, TEXT_MAX)?;
    let risks = optional("risks", &h.risks, TEXT_MAX)?;
    if h.amount < 0 {
        return Err(Error::invalid("amount", "negative"));
    }
    let currency = crate::validate::currency(&h.currency)?;
    let belongs = |table: &str, id: &str| -> Result<bool> {
        Ok(ctx
            .sql()
            .query_opt(
                &format!("SELECT 1 FROM {table} WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL"),
                sql::params![id, h.company_id],
                |_| Ok(()),
            )?
            .is_some())
    };
    if let Some(d) = &h.deal_id {
        if !belongs("deals", d)? {
            return Err(Error::invalid("deal_id", "other_company"));
        }
    }
    if let Some(c) = &h.contract_id {
        if !belongs("contracts", c)? {
            return Err(Error::invalid("contract_id", "other_company"));
        }
    }
    if let Some(to) = &h.to_user_id {
        active_member(ctx, "to_user_id", to)?;
    }
    if h.promises.len() > PROMISES_MAX {
        return Err(Error::invalid("promises", "too_many"));
    }
    let mut promises = Vec::new();
    for p in &h.promises {
        let text = required("promise", &p.text, LINE_MAX)?;
        let keeper = p
            .keeper_id
            .clone()
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| ctx.user_id.to_string());
        active_member(ctx, "keeper_id", &keeper)?;
        promises.push((text, p.due_on, keeper));
    }
    if h.key_persons.len() > KEY_PERSONS_MAX {
        return Err(Error::invalid("key_persons", "too_many"));
    }
    let mut key_persons: Vec<(String, PreferredChannel, String)> = Vec::new();
    for k in &h.key_persons {
        if !belongs("contacts", &k.contact_id)? {
            return Err(Error::invalid("key_persons", "other_company"));
        }
        if key_persons.iter().any(|(id, ..)| *id == k.contact_id) {
            continue;
        }
        key_persons.push((
            k.contact_id.clone(),
            k.channel,
            optional("key_person_note", &k.note, LINE_MAX)?,
        ));
    }
    Ok(Checked {
        sold,
        goals,
        risks,
        currency,
        promises,
        key_persons,
    })
}

fn active_member(ctx: &WriteCtx, field: &'static str, id: &str) -> Result<()> {
    let active: Option<bool> = ctx.sql().query_opt(
        "SELECT deactivated_at IS NULL FROM users WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| r.get(0),
    )?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(Error::invalid(field, "inactive")),
        None => Err(Error::invalid(field, "unknown")),
    }
}

/// The team's template with the form's ticks, matched by item text.
fn ticked(items: &[String], ticks: &[ChecklistTick]) -> Vec<ChecklistTick> {
    items
        .iter()
        .map(|item| ChecklistTick {
            item: item.clone(),
            done: ticks.iter().any(|t| t.done && t.item == *item),
        })
        .collect()
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// Sends a sheet: support is told at once (the reminders read `sent_at`),
/// and reminded with the rep when nobody acknowledged it within the team's
/// `handoff_ack_hours` of business time. Dated promises become their
/// keepers' follow-ups. Returns the sheet's id.
pub fn send(ctx: &WriteCtx, h: &HandoffInput) -> Result<String> {
    let company = company_name(ctx, &h.company_id)?;
    let c = check(ctx, h)?;
    let settings = TeamSettings::load(ctx.sql())?;
    let checklist = ticked(&settings.handoff_checklist, &h.checklist);
    let now = from_db(&ctx.now).ok_or_else(|| Error::Internal("the write clock is unreadable".into()))?;
    let ack_due_at = to_db(settings.business_hours.add(
        now,
        i64::from(settings.handoff_ack_hours) * 60,
        ctx.clock.offset(),
    ));
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO handoffs (id, company_id, deal_id, contract_id, sold, amount, currency, goals, risks, checklist,
                               from_user_id, to_user_id, status, sent_at, ack_due_at, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'sent', ?13, ?14, ?13, ?13, ?11)", sql::params![
            id,
            h.company_id,
            h.deal_id,
            h.contract_id,
            c.sold,
            h.amount,
            c.currency,
            c.goals,
            c.risks,
            to_json(&checklist)?,
            ctx.user_id,
            h.to_user_id,
            ctx.now,
            ack_due_at
        ])?;
    for (i, p) in c.promises.iter().enumerate() {
        insert_promise(ctx, &id, i, p, &h.company_id, &company, h.deal_id.as_deref())?;
    }
    insert_key_persons(ctx, &id, &c.key_persons)?;
    let to = match &h.to_user_id {
        Some(u) => Some(timeline::member_name(ctx, u)?),
        None => None,
    };
    timeline::record(
        ctx,
        &h.company_id,
        h.deal_id.as_deref(),
        EngineText::HandoffSent {
            handoff_id: id.clone(),
            to,
        },
        &c.sold,
    )?;
    ctx.audit(
        Entity::Handoff,
        &id,
        "insert",
        json!({ "company_id": h.company_id, "deal_id": h.deal_id, "to_user_id": h.to_user_id, "ack_due_at": ack_due_at }),
    )?;
    ctx.changed(Entity::Handoff, &id, "insert")?;
    Ok(id)
}

fn company_name(ctx: &WriteCtx, company_id: &str) -> Result<String> {
    ctx.sql()
        .query_opt(
            "SELECT name FROM companies WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![company_id],
            |r| r.get(0),
        )?
        .ok_or(Error::invalid("company_id", "unknown"))
}

fn insert_promise(
    ctx: &WriteCtx,
    handoff_id: &str,
    position: usize,
    (text, due_on, keeper): &(String, Option<NaiveDate>, String),
    company_id: &str,
    company: &str,
    deal_id: Option<&str>,
) -> Result<()> {
    // A dated promise is work for its keeper, handed over by the writer.
    let follow_up_id = match due_on {
        Some(day) => Some(follow_up::plan_titled(
            ctx,
            &NewFollowUp {
                kind: FollowUpKind::FollowUp,
                title: String::new(),
                due_at: reminder_at(*day, ctx.clock.offset()),
                assignee_id: Some(keeper.clone()),
                company_id: Some(company_id.to_string()),
                deal_id: deal_id.map(String::from),
                contract_id: None,
                activity_id: None,
            },
            &EngineText::HandoffPromise {
                company: company.to_string(),
                promise: text.clone(),
            },
        )?),
        None => None,
    };
    ctx.sql().execute(
        "INSERT INTO handoff_promises (id, handoff_id, position, text, due_on, keeper_id, follow_up_id, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", sql::params![
            new_id(),
            handoff_id,
            position as i64,
            text,
            due_on.map(|d| d.to_string()),
            keeper,
            follow_up_id,
            ctx.now,
            ctx.user_id
        ])?;
    Ok(())
}

fn insert_key_persons(ctx: &WriteCtx, handoff_id: &str, people: &[(String, PreferredChannel, String)]) -> Result<()> {
    for (i, (contact, channel, note)) in people.iter().enumerate() {
        ctx.sql().execute(
            "INSERT INTO handoff_contacts (handoff_id, contact_id, position, channel, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            sql::params![handoff_id, contact, i as i64, channel.as_str(), note],
        )?;
    }
    Ok(())
}

/// A promise as stored, for comparing with the corrected sheet.
struct StoredPromise {
    id: String,
    text: String,
    due_on: Option<String>,
    keeper: String,
    follow_up_id: Option<String>,
    /// Its follow-up's version while that is still open.
    open_version: Option<i64>,
}

/// Corrects a sent sheet as of the version the user saw. The checklist's
/// items stay those copied when it was sent; only the ticks change. A
/// promise that stays as it was keeps its follow-up; one changed or
/// removed has its open follow-up cancelled, and a new or changed dated one
/// gets a new follow-up. Returns the new version.
pub fn update(ctx: &WriteCtx, id: &str, version: i64, h: &HandoffInput) -> Result<i64> {
    let stored: Option<(String, String)> = ctx.sql().query_opt(
        "SELECT company_id, checklist FROM handoffs WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let Some((company_id, checklist)) = stored else {
        return Err(Error::NotFound {
            entity: "handoff",
            id: id.to_string(),
        });
    };
    if company_id != h.company_id {
        return Err(Error::invalid("company_id", "changed"));
    }
    let c = check(ctx, h)?;
    let items: Vec<String> = serde_json::from_str::<Vec<ChecklistTick>>(&checklist)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.item)
        .collect();
    let checklist = ticked(&items, &h.checklist);
    let n = ctx.sql().execute(
        "UPDATE handoffs SET deal_id = ?3, contract_id = ?4, sold = ?5, amount = ?6, currency = ?7, goals = ?8,
                risks = ?9, checklist = ?10, to_user_id = ?11, version = version + 1, updated_at = ?12, updated_by = ?13
          WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            id,
            version,
            h.deal_id,
            h.contract_id,
            c.sold,
            h.amount,
            c.currency,
            c.goals,
            c.risks,
            to_json(&checklist)?,
            h.to_user_id,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.expect_one("handoff", "handoffs", id, n)?;

    // Promises: the unchanged ones stay, with their follow-ups.
    let old: Vec<StoredPromise> = ctx.sql().query(
        "SELECT p.id, p.text, p.due_on, COALESCE(p.keeper_id, ''), p.follow_up_id,
                CASE WHEN f.status = 'open' AND f.deleted_at IS NULL THEN f.version END
           FROM handoff_promises p LEFT JOIN follow_ups f ON f.id = p.follow_up_id
          WHERE p.handoff_id = ?1 ORDER BY p.position",
        sql::params![id],
        |r| {
            Ok(StoredPromise {
                id: r.get(0)?,
                text: r.get(1)?,
                due_on: r.get(2)?,
                keeper: r.get(3)?,
                follow_up_id: r.get(4)?,
                open_version: r.get(5)?,
            })
        },
    )?;
    let same = |(text, due, keeper): &(String, Option<NaiveDate>, String), old: &StoredPromise| {
        old.text == *text && old.due_on == due.map(|d| d.to_string()) && old.keeper == *keeper
    };
    let mut kept: Vec<&str> = Vec::new();
    for (i, p) in c.promises.iter().enumerate() {
        match old.iter().find(|o| same(p, o) && !kept.contains(&o.id.as_str())) {
            Some(o) => {
                kept.push(&o.id);
                ctx.sql().execute(
                    "UPDATE handoff_promises SET position = ?2 WHERE id = ?1",
                    sql::params![o.id, i as i64],
                )?;
            }
            None => {
                let company = company_name(ctx, &company_id)?;
                insert_promise(ctx, id, 1000 + i, p, &company_id, &company, h.deal_id.as_deref())?;
                ctx.sql().execute(
                    "UPDATE handoff_promises SET position = ?3 WHERE handoff_id = ?1 AND position = ?2",
                    sql::params![id, (1000 + i) as i64, i as i64],
                )?;
            }
        }
    }
    for o in old.iter().filter(|o| !kept.contains(&o.id.as_str())) {
        if let (Some(fu), Some(fu_version)) = (&o.follow_up_id, o.open_version) {
            follow_up::close(ctx, fu, fu_version, "cancelled", "hand-off promise changed")?;
        }
        ctx.sql()
            .execute("DELETE FROM handoff_promises WHERE id = ?1", sql::params![&o.id])?;
    }
    ctx.sql()
        .execute("DELETE FROM handoff_contacts WHERE handoff_id = ?1", sql::params![id])?;
    insert_key_persons(ctx, id, &c.key_persons)?;
    ctx.audit(
        Entity::Handoff,
        id,
        "update",
        json!({ "sold": c.sold, "goals": c.goals, "risks": c.risks, "to_user_id": h.to_user_id,
                "promises": c.promises.len(), "key_persons": c.key_persons.len() }),
    )?;
    ctx.changed(Entity::Handoff, id, "update")?;
    Ok(version + 1)
}

/// A whole sheet.
pub fn get<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<HandoffSheet> {
    let conn = conn.into();
    let mut sheet = conn
        .query_opt(
            "SELECT h.id, h.version, h.company_id, c.name, h.deal_id, d.title, h.contract_id, k.plan,
                    h.sold, h.amount, h.currency, h.goals, h.risks, h.checklist,
                    h.from_user_id, fu.display_name, h.to_user_id, tu.display_name, h.status, h.sent_at,
                    h.ack_due_at, h.acknowledged_at, au.display_name, h.updated_by
               FROM handoffs h
               JOIN companies c ON c.id = h.company_id
               LEFT JOIN deals d ON d.id = h.deal_id
               LEFT JOIN contracts k ON k.id = h.contract_id
               LEFT JOIN users fu ON fu.id = h.from_user_id
               LEFT JOIN users tu ON tu.id = h.to_user_id
               LEFT JOIN users au ON au.id = h.acknowledged_by
              WHERE h.id = ?1 AND h.deleted_at IS NULL",
            sql::params![id],
            |r| {
                let checklist: String = r.get(13)?;
                Ok(HandoffSheet {
                    id: r.get(0)?,
                    version: r.get(1)?,
                    company_id: r.get(2)?,
                    company_name: r.get(3)?,
                    deal_id: r.get(4)?,
                    deal_title: r.get(5)?,
                    contract_id: r.get(6)?,
                    contract_plan: r.get(7)?,
                    sold: r.get(8)?,
                    amount: r.get(9)?,
                    currency: r.get(10)?,
                    goals: r.get(11)?,
                    risks: r.get(12)?,
                    promises: Vec::new(),
                    key_persons: Vec::new(),
                    checklist: serde_json::from_str(&checklist).unwrap_or_default(),
                    from_user_id: r.get(14)?,
                    from_name: r.get::<Option<String>>(15)?.unwrap_or_default(),
                    to_user_id: r.get(16)?,
                    to_name: r.get(17)?,
                    status: crate::error::known_in_row("handoffs", id, r.get(18)?, HandoffStatus::parse)?,
                    sent_at: r.get(19)?,
                    ack_due_at: r.get(20)?,
                    acknowledged_at: r.get(21)?,
                    acknowledged_by_name: r.get(22)?,
                    messages: Vec::new(),
                    updated_by: r.get(23)?,
                })
            },
        )?
        .ok_or_else(|| Error::NotFound {
            entity: "handoff",
            id: id.to_string(),
        })?;
    sheet.promises = {
        conn.query(
            "SELECT p.id, p.text, p.due_on, p.keeper_id, u.display_name, p.follow_up_id, f.status = 'done'
               FROM handoff_promises p
               LEFT JOIN users u ON u.id = p.keeper_id
               LEFT JOIN follow_ups f ON f.id = p.follow_up_id
              WHERE p.handoff_id = ?1 ORDER BY p.position",
            sql::params![id],
            |r| {
                let due: Option<String> = r.get(2)?;
                Ok(SheetPromise {
                    id: r.get(0)?,
                    text: r.get(1)?,
                    due_on: due.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                    keeper_id: r.get(3)?,
                    keeper_name: r.get(4)?,
                    follow_up_id: r.get(5)?,
                    kept: r.get::<Option<bool>>(6)?.unwrap_or(false),
                })
            },
        )?
    };
    sheet.key_persons = {
        conn.query(
            "SELECT k.contact_id, c.name, c.title, c.phone, c.email, k.channel, k.note, c.deleted_at IS NOT NULL
               FROM handoff_contacts k JOIN contacts c ON c.id = k.contact_id
              WHERE k.handoff_id = ?1 ORDER BY k.position",
            sql::params![id],
            |r| {
                Ok(KeyPerson {
                    contact_id: r.get(0)?,
                    name: r.get(1)?,
                    title: r.get(2)?,
                    phone: r.get(3)?,
                    email: r.get(4)?,
                    channel: crate::error::known_in_row("handoff_contacts", id, r.get(5)?, PreferredChannel::parse)?,
                    note: r.get(6)?,
                    removed: r.get(7)?,
                })
            },
        )?
    };
    sheet.messages = {
        conn.query(
            "SELECT m.id, m.kind, m.body, m.author_id, COALESCE(u.display_name, ''), m.at
               FROM handoff_messages m LEFT JOIN users u ON u.id = m.author_id
              WHERE m.handoff_id = ?1 ORDER BY m.at, m.id",
            sql::params![id],
            |r| {
                let mid: String = r.get(0)?;
                Ok(HandoffMessage {
                    kind: crate::error::known_in_row("handoff_messages", &mid, r.get(1)?, |k| match k {
                        "question" => Some(MessageKind::Question),
                        "answer" => Some(MessageKind::Answer),
                        _ => None,
                    })?,
                    id: mid,
                    body: r.get(2)?,
                    author_id: r.get(3)?,
                    author_name: r.get(4)?,
                    at: r.get(5)?,
                })
            },
        )?
    };
    Ok(sheet)
}
