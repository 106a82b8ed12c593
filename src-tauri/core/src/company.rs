//! Customers: companies (顧客企業) and their contacts (担当者).

use crate::db::WriteCtx;
use crate::error::{Error, Result};
use crate::id::new_id;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Segment {
    /// 優良顧客: contacted more often, listed for special campaigns.
    Key,
    Normal,
    Small,
}

impl Segment {
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Key => "key",
            Segment::Normal => "normal",
            Segment::Small => "small",
        }
    }
    pub fn parse(s: &str) -> Segment {
        match s {
            "key" => Segment::Key,
            "small" => Segment::Small,
            _ => Segment::Normal,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct NewCompany {
    pub name: String,
    pub name_kana: String,
    pub industry: String,
    pub segment: Option<Segment>,
    pub owner_id: Option<String>,
    pub address: String,
    pub phone: String,
    pub website: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct NewContact {
    pub company_id: String,
    pub name: String,
    pub name_kana: String,
    pub title: String,
    pub email: String,
    pub phone: String,
}

/// One row of the customer list.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CompanyListItem {
    pub id: String,
    pub name: String,
    pub name_kana: String,
    pub industry: String,
    pub segment: Segment,
    pub owner_name: Option<String>,
    pub last_contact_at: Option<String>,
    pub open_deals: i32,
    #[ts(type = "number")]
    pub open_amount: i64,
}

pub(crate) fn required(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "required"));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(field, "too_long"));
    }
    Ok(v.to_string())
}

pub fn create(ctx: &WriteCtx, c: &NewCompany) -> Result<String> {
    let name = required("name", &c.name, 200)?;
    let id = new_id();
    let tags = serde_json::to_string(&c.tags).unwrap_or_else(|_| "[]".into());
    ctx.tx.execute(
        "INSERT INTO companies (id, name, name_kana, industry, segment, owner_id, address, phone, website, tags,
                                created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)",
        params![
            id,
            name,
            c.name_kana.trim(),
            c.industry.trim(),
            c.segment.unwrap_or(Segment::Normal).as_str(),
            c.owner_id,
            c.address.trim(),
            c.phone.trim(),
            c.website.trim(),
            tags,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.audit("company", &id, "insert", serde_json::json!({ "name": name }))?;
    ctx.changed("company", &id, "insert")?;
    Ok(id)
}

pub fn create_contact(ctx: &WriteCtx, c: &NewContact) -> Result<String> {
    let name = required("name", &c.name, 100)?;
    let id = new_id();
    ctx.tx.execute(
        "INSERT INTO contacts (id, company_id, name, name_kana, title, email, phone, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
        params![id, c.company_id, name, c.name_kana.trim(), c.title.trim(), c.email.trim(), c.phone.trim(), ctx.now, ctx.user_id],
    )?;
    ctx.audit("contact", &id, "insert", serde_json::json!({ "name": name }))?;
    ctx.changed("contact", &id, "insert")?;
    Ok(id)
}

/// Customers in Japanese reading order (by kana, then name), optionally
/// filtered by a text that matches the name or its reading.
pub fn list(conn: &Connection, text: Option<&str>) -> Result<Vec<CompanyListItem>> {
    let pattern = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", escape_like(t)));
    let mut st = conn.prepare(
        "SELECT c.id, c.name, c.name_kana, c.industry, c.segment, u.display_name, c.last_contact_at,
                (SELECT COUNT(*) FROM deals d JOIN stages s ON s.id = d.stage_id
                  WHERE d.company_id = c.id AND d.deleted_at IS NULL AND s.kind = 'open'),
                (SELECT COALESCE(SUM(d.amount), 0) FROM deals d JOIN stages s ON s.id = d.stage_id
                  WHERE d.company_id = c.id AND d.deleted_at IS NULL AND s.kind = 'open')
         FROM companies c LEFT JOIN users u ON u.id = c.owner_id
         WHERE c.deleted_at IS NULL
           AND (?1 IS NULL OR c.name LIKE ?1 ESCAPE '\\' OR c.name_kana LIKE ?1 ESCAPE '\\')
         ORDER BY CASE WHEN c.name_kana = '' THEN 1 ELSE 0 END, c.name_kana, c.name",
    )?;
    let rows = st
        .query_map([pattern], |r| {
            Ok(CompanyListItem {
                id: r.get(0)?,
                name: r.get(1)?,
                name_kana: r.get(2)?,
                industry: r.get(3)?,
                segment: Segment::parse(&r.get::<_, String>(4)?),
                owner_name: r.get(5)?,
                last_contact_at: r.get(6)?,
                open_deals: r.get(7)?,
                open_amount: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
