//! The people the team talks to at a customer (担当者): who they are, how to
//! reach them, and the mail link the timeline offers.

use super::alias;
use super::company::{live, PHONE_MAX};
use crate::changeset::Changes;
use crate::error::{Error, Result};
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::deletion::{self, Batch, Deletion, Table};
use crate::store::sql::{self, Row, Sql};
use crate::store::write::WriteCtx;
use crate::text::fold;
use crate::validate::{optional, required};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

const CONTACT_NAME_MAX: usize = 100;
const CONTACT_TITLE_MAX: usize = 100;

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

/// The editable fields of a contact; the company does not change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactEdit {
    pub name: String,
    pub name_kana: String,
    /// Job title (役職).
    pub title: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Contact {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub company_id: String,
    pub name: String,
    pub name_kana: String,
    pub title: String,
    pub email: String,
    /// The link that writes to this contact; None when the stored address
    /// is not one valid address (an old file may hold `a@x,b@y`).
    pub mailto: Option<String>,
    pub phone: String,
    pub updated_at: String,
    /// When they asked for no more mail (leads/nurture.rs records it); the
    /// nurture export and the sequences send them nothing.
    pub mail_opt_out_at: Option<String>,
}

struct CheckedContact {
    name: String,
    name_kana: String,
    title: String,
    email: String,
    phone: String,
}

fn check_contact(e: &ContactEdit) -> Result<CheckedContact> {
    Ok(CheckedContact {
        name: required("name", &e.name, CONTACT_NAME_MAX)?,
        name_kana: optional("name_kana", &e.name_kana, CONTACT_NAME_MAX)?,
        title: optional("title", &e.title, CONTACT_TITLE_MAX)?,
        email: crate::email::check("email", &e.email)?,
        phone: optional("phone", &e.phone, PHONE_MAX)?,
    })
}

pub fn create_contact(ctx: &WriteCtx, c: &NewContact) -> Result<String> {
    let k = check_contact(&ContactEdit {
        name: c.name.clone(),
        name_kana: c.name_kana.clone(),
        title: c.title.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
    })?;
    if !live(
        ctx.sql(),
        "SELECT 1 FROM companies WHERE id = ?1 AND deleted_at IS NULL",
        &c.company_id,
    )? {
        return Err(Error::invalid("company_id", "unknown"));
    }
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO contacts (id, company_id, name, name_kana, title, email, phone, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
        sql::params![id, c.company_id, k.name, k.name_kana, k.title, k.email, k.phone, ctx.now, ctx.user_id],
    )?;
    ctx.audit(Entity::Contact, &id, "insert", json!({ "name": k.name }))?;
    ctx.changed(Entity::Contact, &id, "insert")?;
    Ok(id)
}

const CONTACT_COLUMNS: &str =
    "SELECT id, version, company_id, name, name_kana, title, email, phone, updated_at, mail_opt_out_at FROM contacts";

fn contact_row(r: &Row) -> Result<Contact> {
    let email: String = r.get(6)?;
    Ok(Contact {
        id: r.get(0)?,
        version: r.get(1)?,
        company_id: r.get(2)?,
        name: r.get(3)?,
        name_kana: r.get(4)?,
        title: r.get(5)?,
        mailto: crate::email::mailto_link(&email),
        email,
        phone: r.get(7)?,
        updated_at: r.get(8)?,
        mail_opt_out_at: r.get(9)?,
    })
}

/// One live contact; NotFound when it does not exist or was deleted. A
/// contact merged into another is that other one (its `id` says so).
pub fn contact<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Contact> {
    let conn = conn.into();
    match contact_exactly(conn, id) {
        Err(Error::NotFound { .. }) => match alias::survivor(conn, alias::Kind::Contact, id)? {
            Some(survivor) => contact_exactly(conn, &survivor),
            None => contact_exactly(conn, id),
        },
        found => found,
    }
}

fn contact_exactly(conn: Sql, id: &str) -> Result<Contact> {
    conn.query_opt(
        &format!("{CONTACT_COLUMNS} WHERE id = ?1 AND deleted_at IS NULL"),
        sql::params![id],
        contact_row,
    )?
    .ok_or_else(|| Error::NotFound {
        entity: "contact",
        id: id.to_string(),
    })
}

/// A company's live contacts in reading order (those without a reading last).
pub fn contacts_of<'c>(conn: impl Into<Sql<'c>>, company_id: &str) -> Result<Vec<Contact>> {
    let mut rows = conn.into().query(
        &format!("{CONTACT_COLUMNS} WHERE company_id = ?1 AND deleted_at IS NULL"),
        sql::params![company_id],
        contact_row,
    )?;
    rows.sort_by_cached_key(|c| {
        let kana = fold(&c.name_kana);
        (kana.is_empty(), kana, fold(&c.name), c.id.clone())
    });
    Ok(rows)
}

pub fn update_contact(ctx: &WriteCtx, id: &str, version: i64, e: &ContactEdit) -> Result<i64> {
    let old = contact(ctx.sql(), id)?;
    if old.version != version {
        ctx.expect_one("contact", "contacts", id, 0)?;
    }
    let k = check_contact(e)?;
    let mut changes = Changes::default();
    changes.note("name", &old.name, &k.name);
    changes.note("name_kana", &old.name_kana, &k.name_kana);
    changes.note("title", &old.title, &k.title);
    changes.note("email", &old.email, &k.email);
    changes.note("phone", &old.phone, &k.phone);
    if changes.is_empty() {
        return Ok(old.version);
    }
    let n = ctx.sql().execute(
        "UPDATE contacts SET name = ?3, name_kana = ?4, title = ?5, email = ?6, phone = ?7,
                             version = version + 1, updated_at = ?8, updated_by = ?9
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            id,
            version,
            k.name,
            k.name_kana,
            k.title,
            k.email,
            k.phone,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.expect_one("contact", "contacts", id, n)?;
    ctx.audit(Entity::Contact, id, "update", changes.into_value())?;
    ctx.changed(Entity::Contact, id, "update")?;
    Ok(version + 1)
}

/// Soft delete as a batch of its own ([`crate::store::deletion`]), so Undo
/// puts it back: deals and timeline entries that name the contact keep
/// showing who it was (they read the row whatever its `deleted_at`), and the
/// customer's timeline says who removed whom.
pub fn delete_contact(ctx: &WriteCtx, id: &str, version: i64) -> Result<Deletion> {
    let old = contact(ctx.sql(), id)?;
    // A colleague's edit meanwhile is a conflict here, and nothing is removed.
    let mut batch = Batch::new(ctx);
    batch.mark_one(Table::Contacts, id, version, json!({ "name": old.name }))?;
    deletion::note(
        ctx,
        &old.company_id,
        &format!("担当者を削除: {}", old.name),
        json!({ "event": "contact_deleted", "name": old.name, "contact_id": id, "deletion_id": batch.id() }),
    )?;
    Ok(batch.finish())
}
