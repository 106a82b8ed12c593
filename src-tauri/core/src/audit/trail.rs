//! Pages of the audit log, newest first, with the fields an entry changed
//! as before / after pairs.

use crate::error::Result;
use crate::store::sql::{self, Sql, Value as Param};
use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Entries per page when the caller asks for 0; at most [`MAX_PAGE`].
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// Where the previous page ended: keyset paging, so the thousandth page of
/// a large log costs what the first does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditCursor {
    pub at: String,
    pub id: String,
}

/// What to show. Every filter is optional; together they narrow (AND).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditQuery {
    /// Only what this member did.
    #[serde(default)]
    pub member_id: Option<String>,
    /// Only one kind of record (`company`, `contact`, `deal`…, as the change
    /// feed names them), and with `record_id` one record.
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub record_id: Option<String>,
    /// Everything about one customer: the company and its contacts, deals,
    /// timeline entries, follow-ups, contracts, cases, hand-offs and leads.
    #[serde(default)]
    pub company_id: Option<String>,
    /// The period, as the reader's calendar days, both included.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub before: Option<AuditCursor>,
    #[serde(default)]
    pub limit: u32,
}

/// One field an entry changed. `before` is absent where the entry recorded
/// only the new value: a new record's first values, and the few saves that
/// record what they set rather than an edit's `from` / `to`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FieldChange {
    pub field: String,
    #[ts(type = "unknown")]
    pub before: Option<Value>,
    #[ts(type = "unknown")]
    pub after: Option<Value>,
    /// Whether the entry recorded the value before (a `from` / `to` pair).
    pub has_before: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    pub member_id: Option<String>,
    /// The member's name now (empty for a save no member made: migrations).
    pub member_name: String,
    /// The kind of record, as stored (a kind from a newer Kizuna is shown as
    /// it is rather than failing the page).
    pub entity: String,
    pub record_id: String,
    /// The record's name now (a customer's name, a deal's title…); `None`
    /// when the record is gone for good.
    pub record_label: Option<String>,
    /// The customer the record belongs to, for the list's second line.
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    /// `insert`, `update`, `delete` or a domain verb (`merge`, `erase`…).
    pub action: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// `Some` when more entries follow.
    pub next: Option<AuditCursor>,
}

/// The tables whose rows belong to one customer by a `company_id` column,
/// with the kind the audit log names them by.
const UNDER_A_COMPANY: &[(&str, &str)] = &[
    ("contact", "contacts"),
    ("deal", "deals"),
    ("activity", "activities"),
    ("follow_up", "follow_ups"),
    ("contract", "contracts"),
    ("support_case", "support_cases"),
    ("handoff", "handoffs"),
    ("lead", "leads"),
];

/// The first instant of a calendar day in the reader's zone, as stored.
fn day_start(day: &str, offset: FixedOffset) -> Option<String> {
    let d = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok()?;
    let local = offset.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single()?;
    Some(crate::clock::to_db(local.with_timezone(&Utc)))
}

/// Binds `v` as the next parameter and names it.
fn arg(args: &mut Vec<Param>, v: String) -> String {
    args.push(Param::Text(v));
    format!("?{}", args.len())
}

/// The WHERE clause and its parameters for `q` (without the cursor).
pub(crate) fn filter(q: &AuditQuery, offset: FixedOffset) -> Result<(String, Vec<Param>)> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Param> = Vec::new();
    if let Some(m) = q.member_id.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut args, m.into());
        clauses.push(format!("a.user_id = {p}"));
    }
    if let Some(e) = q.entity.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut args, e.into());
        clauses.push(format!("a.entity = {p}"));
    }
    if let Some(r) = q.record_id.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut args, r.into());
        clauses.push(format!("a.entity_id = {p}"));
    }
    if let Some(c) = q.company_id.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(&mut args, c.into());
        let mut any = vec![format!("(a.entity = 'company' AND a.entity_id = {p})")];
        for (entity, table) in UNDER_A_COMPANY {
            any.push(format!(
                "(a.entity = '{entity}' AND a.entity_id IN (SELECT id FROM {table} WHERE company_id = {p}))"
            ));
        }
        clauses.push(format!("({})", any.join(" OR ")));
    }
    if let Some(from) = q.from.as_deref().filter(|s| !s.is_empty()) {
        let start = day_start(from, offset).ok_or(crate::Error::invalid("from", "format"))?;
        let p = arg(&mut args, start);
        clauses.push(format!("a.at >= {p}"));
    }
    if let Some(to) = q.to.as_deref().filter(|s| !s.is_empty()) {
        let day =
            NaiveDate::parse_from_str(to.trim(), "%Y-%m-%d").map_err(|_| crate::Error::invalid("to", "format"))?;
        let next = day.succ_opt().ok_or(crate::Error::invalid("to", "format"))?;
        let end =
            day_start(&next.format("%Y-%m-%d").to_string(), offset).ok_or(crate::Error::invalid("to", "format"))?;
        let p = arg(&mut args, end);
        clauses.push(format!("a.at < {p}"));
    }
    // `1 = 1`, not SQLite's bare `1`, which the server refuses as a condition.
    let sql = if clauses.is_empty() {
        "1 = 1".to_string()
    } else {
        clauses.join(" AND ")
    };
    Ok((sql, args))
}

/// [`page`] for member `viewer_id`, who must hold the manager role.
pub fn page_for<'c>(
    conn: impl Into<Sql<'c>>,
    viewer_id: &str,
    q: &AuditQuery,
    offset: FixedOffset,
) -> Result<AuditPage> {
    let conn = conn.into();
    crate::team::role::require_manager(conn, viewer_id)?;
    page(conn, q, offset)
}

/// One page of the trail. Only the filters given become SQL, so each kind
/// of question is an index range of its own (by time, by member, by record).
pub fn page<'c>(conn: impl Into<Sql<'c>>, q: &AuditQuery, offset: FixedOffset) -> Result<AuditPage> {
    let conn = conn.into();
    let limit = match q.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    let (mut where_sql, mut args) = filter(q, offset)?;
    if let Some(c) = &q.before {
        args.push(Param::Text(c.at.clone()));
        args.push(Param::Text(c.id.clone()));
        where_sql = format!("{where_sql} AND (a.at, a.id) < (?{}, ?{})", args.len() - 1, args.len());
    }
    args.push(Param::Integer(i64::from(limit) + 1));
    let sql = format!(
        "SELECT a.id, a.at, a.user_id, COALESCE(u.display_name, ''), a.entity, a.entity_id, a.action, a.detail
           FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
          WHERE {where_sql}
          ORDER BY a.at DESC, a.id DESC LIMIT ?{}",
        args.len()
    );
    let raw = conn.query(&sql, &args, |r| {
        Ok(Raw {
            id: r.get(0)?,
            at: r.get(1)?,
            user_id: r.get(2)?,
            user_name: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            action: r.get(6)?,
            detail: r.get(7)?,
        })
    })?;
    let more = raw.len() > limit as usize;
    let mut entries = Vec::with_capacity(raw.len().min(limit as usize));
    for r in raw.into_iter().take(limit as usize) {
        entries.push(entry(conn, r)?);
    }
    let next = more.then(|| {
        let last = entries.last().expect("a page with more has entries");
        AuditCursor {
            at: last.at.clone(),
            id: last.id.clone(),
        }
    });
    Ok(AuditPage { entries, next })
}

pub(crate) struct Raw {
    pub id: String,
    pub at: String,
    pub user_id: Option<String>,
    pub user_name: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub detail: String,
}

pub(crate) fn entry(conn: Sql, r: Raw) -> Result<AuditEntry> {
    let (record_label, company_id, company_name) = record(conn, &r.entity, &r.entity_id)?;
    let mut fields = fields(&r.detail);
    for f in &mut fields {
        f.before = named(conn, &f.field, f.before.take())?;
        f.after = named(conn, &f.field, f.after.take())?;
    }
    Ok(AuditEntry {
        fields,
        id: r.id,
        at: r.at,
        member_id: r.user_id,
        member_name: r.user_name,
        entity: r.entity,
        record_id: r.entity_id,
        record_label,
        company_id,
        company_name,
        action: r.action,
    })
}

/// The fields of an entry's detail. An edit records `{field: {from, to}}`
/// (changeset.rs); a new record or an older entry records `{field: value}`,
/// which is the value after.
pub fn fields(detail: &str) -> Vec<FieldChange> {
    let value: Value = serde_json::from_str(detail).unwrap_or(Value::Null);
    match value {
        Value::Object(map) => map
            .into_iter()
            .map(|(field, v)| match v {
                Value::Object(pair) if pair.contains_key("from") && pair.contains_key("to") && pair.len() == 2 => {
                    FieldChange {
                        field,
                        before: pair.get("from").cloned(),
                        after: pair.get("to").cloned(),
                        has_before: true,
                    }
                }
                other => FieldChange {
                    field,
                    before: None,
                    after: Some(other),
                    has_before: false,
                },
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![FieldChange {
            field: "detail".into(),
            before: None,
            after: Some(other),
            has_before: false,
        }],
    }
}

/// A record's name now, and the customer it belongs to.
fn record(conn: Sql, entity: &str, id: &str) -> Result<(Option<String>, Option<String>, Option<String>)> {
    let sql = match entity {
        "company" => "SELECT name, id FROM companies WHERE id = ?1",
        "contact" => "SELECT name, company_id FROM contacts WHERE id = ?1",
        "deal" => "SELECT title, company_id FROM deals WHERE id = ?1",
        "activity" => "SELECT summary, company_id FROM activities WHERE id = ?1",
        "follow_up" => "SELECT title, company_id FROM follow_ups WHERE id = ?1",
        "contract" => "SELECT plan, company_id FROM contracts WHERE id = ?1",
        "support_case" => "SELECT '#' || number || ' ' || subject, company_id FROM support_cases WHERE id = ?1",
        "handoff" => "SELECT sold, company_id FROM handoffs WHERE id = ?1",
        "lead" => {
            "SELECT 'L-' || number || ' ' || COALESCE(NULLIF(person_name, ''), company_name), company_id FROM leads WHERE id = ?1"
        }
        "user" => "SELECT display_name, NULL FROM users WHERE id = ?1",
        "pipeline" => "SELECT name, NULL FROM pipelines WHERE id = ?1",
        "stage" => "SELECT name, NULL FROM stages WHERE id = ?1",
        "sequence" => "SELECT name, NULL FROM sequences WHERE id = ?1",
        "settings" => "SELECT key, NULL FROM settings WHERE key = ?1",
        _ => return Ok((None, None, None)),
    };
    let found: Option<(Option<String>, Option<String>)> =
        conn.query_opt(sql, sql::params![id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let Some((label, company_id)) = found else {
        return Ok((None, None, None));
    };
    let company_name = match &company_id {
        Some(c) => conn.query_opt("SELECT name FROM companies WHERE id = ?1", sql::params![c], |r| {
            r.get(0)
        })?,
        None => None,
    };
    Ok((label, company_id, company_name))
}

/// A recorded id as the name a person reads: a member's for who owns or is
/// assigned, a customer's for a company. The id stays where nothing is found
/// (a record removed for good), so the value is never lost.
fn named(conn: Sql, field: &str, value: Option<Value>) -> Result<Option<Value>> {
    let Some(Value::String(id)) = &value else {
        return Ok(value);
    };
    let sql = match field {
        "owner_id" | "owner" | "assignee_id" | "to_user_id" | "from_user_id" | "handed_over_by" | "keeper_id" => {
            "SELECT display_name FROM users WHERE id = ?1"
        }
        "company_id" => "SELECT name FROM companies WHERE id = ?1",
        "contact_id" => "SELECT name FROM contacts WHERE id = ?1",
        "stage_id" => "SELECT name FROM stages WHERE id = ?1",
        _ => return Ok(value),
    };
    let name: Option<String> = conn.query_opt(sql, sql::params![id], |r| r.get(0))?;
    Ok(Some(name.map_or_else(|| Value::String(id.clone()), Value::String)))
}
