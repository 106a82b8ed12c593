//! Merging two records that are one customer (or one person): everything
//! that names the duplicate moves to the survivor in one short write, the
//! survivor keeps the values the user chose field by field, the duplicate
//! is soft-deleted and its id stays an alias of the survivor
//! (`customers/alias.rs`), so a colleague's open page and work queued in an
//! outbox that name it still land on the right record (docs/duplicates.md).

use crate::customers::alias::Kind;
use crate::customers::company::{self, Company};
use crate::customers::contact::{self, Contact};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, ActivityKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// Every column that names a company, with the record kind a colleague's
/// screen refreshes for. A test fails when a table naming a company is
/// missing here (`merge_knows_every_column_that_names_a_company_or_contact`).
pub(crate) const NAMES_A_COMPANY: &[(&str, &str, Entity)] = &[
    ("contacts", "company_id", Entity::Contact),
    ("deals", "company_id", Entity::Deal),
    ("activities", "company_id", Entity::Activity),
    ("follow_ups", "company_id", Entity::FollowUp),
    ("contracts", "company_id", Entity::Contract),
    ("support_cases", "company_id", Entity::SupportCase),
    ("handoffs", "company_id", Entity::Handoff),
    ("case_handoffs", "company_id", Entity::Handoff),
    ("leads", "company_id", Entity::Lead),
    ("sequence_enrolments", "company_id", Entity::Enrolment),
];

/// Every versioned column that names a contact.
pub(crate) const NAMES_A_CONTACT: &[(&str, &str, Entity)] = &[
    ("deals", "contact_id", Entity::Deal),
    ("activities", "contact_id", Entity::Activity),
    ("support_cases", "contact_id", Entity::SupportCase),
    ("leads", "contact_id", Entity::Lead),
    ("sequence_enrolments", "contact_id", Entity::Enrolment),
];

/// Link rows keyed by (record, contact): the survivor may already be named
/// on the same entry, so a row that would repeat it is dropped.
pub(crate) const CONTACT_LINKS: &[(&str, &str, Entity)] = &[
    ("activity_contacts", "activity_id", Entity::Activity),
    ("handoff_contacts", "handoff_id", Entity::Handoff),
];

/// A company's fields the user chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CompanyField {
    Name,
    NameKana,
    Industry,
    Segment,
    Owner,
    Address,
    Phone,
    Website,
}

pub const COMPANY_FIELDS: [CompanyField; 8] = [
    CompanyField::Name,
    CompanyField::NameKana,
    CompanyField::Industry,
    CompanyField::Segment,
    CompanyField::Owner,
    CompanyField::Address,
    CompanyField::Phone,
    CompanyField::Website,
];

impl CompanyField {
    /// The field's value as text, for comparing and for "" (nothing there).
    fn of(self, c: &Company) -> String {
        match self {
            CompanyField::Name => c.name.clone(),
            CompanyField::NameKana => c.name_kana.clone(),
            CompanyField::Industry => c.industry.clone(),
            CompanyField::Segment => c.segment.as_str().to_string(),
            CompanyField::Owner => c.owner_id.clone().unwrap_or_default(),
            CompanyField::Address => c.address.clone(),
            CompanyField::Phone => c.phone.clone(),
            CompanyField::Website => c.website.clone(),
        }
    }

    fn take(self, into: &mut Company, from: &Company) {
        match self {
            CompanyField::Name => into.name.clone_from(&from.name),
            CompanyField::NameKana => into.name_kana.clone_from(&from.name_kana),
            CompanyField::Industry => into.industry.clone_from(&from.industry),
            CompanyField::Segment => into.segment = from.segment,
            CompanyField::Owner => into.owner_id.clone_from(&from.owner_id),
            CompanyField::Address => into.address.clone_from(&from.address),
            CompanyField::Phone => into.phone.clone_from(&from.phone),
            CompanyField::Website => into.website.clone_from(&from.website),
        }
    }
}

/// A contact's fields the user chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ContactField {
    Name,
    NameKana,
    Title,
    Email,
    Phone,
}

pub const CONTACT_FIELDS: [ContactField; 5] = [
    ContactField::Name,
    ContactField::NameKana,
    ContactField::Title,
    ContactField::Email,
    ContactField::Phone,
];

impl ContactField {
    fn of(self, c: &Contact) -> String {
        match self {
            ContactField::Name => c.name.clone(),
            ContactField::NameKana => c.name_kana.clone(),
            ContactField::Title => c.title.clone(),
            ContactField::Email => c.email.clone(),
            ContactField::Phone => c.phone.clone(),
        }
    }

    fn take(self, into: &mut Contact, from: &Contact) {
        match self {
            ContactField::Name => into.name.clone_from(&from.name),
            ContactField::NameKana => into.name_kana.clone_from(&from.name_kana),
            ContactField::Title => into.title.clone_from(&from.title),
            ContactField::Email => into.email.clone_from(&from.email),
            ContactField::Phone => into.phone.clone_from(&from.phone),
        }
    }
}

/// The merge dialog's question: both companies side by side, the fields
/// that differ, and which of them the duplicate should give (those the
/// survivor leaves empty).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CompanyMergePreview {
    pub survivor: Company,
    pub loser: Company,
    pub differing: Vec<CompanyField>,
    pub suggested: Vec<CompanyField>,
    /// Timeline entries, deals, contacts, … that name the duplicate and move.
    pub moving: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ContactMergePreview {
    pub survivor: Contact,
    pub loser: Contact,
    pub survivor_company: String,
    pub loser_company: String,
    pub differing: Vec<ContactField>,
    pub suggested: Vec<ContactField>,
    pub moving: u32,
}

/// What the user confirmed: who survives, the versions both were seen at,
/// and the fields the survivor takes from the duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CompanyMerge {
    pub survivor_id: String,
    #[ts(type = "number")]
    pub survivor_version: i64,
    pub loser_id: String,
    #[ts(type = "number")]
    pub loser_version: i64,
    pub take_from_loser: Vec<CompanyField>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactMerge {
    pub survivor_id: String,
    #[ts(type = "number")]
    pub survivor_version: i64,
    pub loser_id: String,
    #[ts(type = "number")]
    pub loser_version: i64,
    pub take_from_loser: Vec<ContactField>,
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Merged {
    pub survivor_id: String,
    #[ts(type = "number")]
    pub survivor_version: i64,
    /// Rows that named the duplicate and now name the survivor.
    pub moved: u32,
}

/// The live record with exactly this id: a merge names records, not
/// aliases (an id already merged away is gone, not its survivor).
fn live_company(conn: Sql, id: &str) -> Result<Company> {
    let c = company::get(conn, id)?;
    if c.id != id {
        return Err(Error::invalid("merge", "gone"));
    }
    Ok(c)
}

fn live_contact(conn: Sql, id: &str) -> Result<Contact> {
    let c = contact::contact(conn, id)?;
    if c.id != id {
        return Err(Error::invalid("merge", "gone"));
    }
    Ok(c)
}

fn count_naming(conn: Sql, columns: &[(&str, &str, Entity)], id: &str) -> Result<u32> {
    let mut n = 0;
    for (table, column, _) in columns {
        n += conn.query_one(
            &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1"),
            sql::params![id],
            |r| r.get::<u32>(0),
        )?;
    }
    Ok(n)
}

pub fn company_preview<'c>(conn: impl Into<Sql<'c>>, survivor_id: &str, loser_id: &str) -> Result<CompanyMergePreview> {
    let conn = conn.into();
    if survivor_id == loser_id {
        return Err(Error::invalid("merge", "same"));
    }
    let survivor = live_company(conn, survivor_id)?;
    let loser = live_company(conn, loser_id)?;
    let differing: Vec<CompanyField> = COMPANY_FIELDS
        .into_iter()
        .filter(|f| f.of(&survivor) != f.of(&loser))
        .collect();
    let suggested = differing
        .iter()
        .copied()
        .filter(|f| f.of(&survivor).is_empty() && !f.of(&loser).is_empty())
        .collect();
    Ok(CompanyMergePreview {
        moving: count_naming(conn, NAMES_A_COMPANY, loser_id)?,
        survivor,
        loser,
        differing,
        suggested,
    })
}

pub fn contact_preview<'c>(conn: impl Into<Sql<'c>>, survivor_id: &str, loser_id: &str) -> Result<ContactMergePreview> {
    let conn = conn.into();
    if survivor_id == loser_id {
        return Err(Error::invalid("merge", "same"));
    }
    let survivor = live_contact(conn, survivor_id)?;
    let loser = live_contact(conn, loser_id)?;
    let differing: Vec<ContactField> = CONTACT_FIELDS
        .into_iter()
        .filter(|f| f.of(&survivor) != f.of(&loser))
        .collect();
    let suggested = differing
        .iter()
        .copied()
        .filter(|f| f.of(&survivor).is_empty() && !f.of(&loser).is_empty())
        .collect();
    let moving = count_naming(conn, NAMES_A_CONTACT, loser_id)?
        + count_naming(
            conn,
            &CONTACT_LINKS
                .iter()
                .map(|(t, _, e)| (*t, "contact_id", *e))
                .collect::<Vec<_>>(),
            loser_id,
        )?;
    Ok(ContactMergePreview {
        survivor_company: company::get(conn, &survivor.company_id)?.name,
        loser_company: company::get(conn, &loser.company_id)?.name,
        moving,
        survivor,
        loser,
        differing,
        suggested,
    })
}

/// The survivor and the duplicate as they are now, and the survivor with
/// the chosen fields taken from the duplicate. Both rows must still be at
/// the versions the user saw: a colleague's edit in between is a conflict
/// naming the row that changed.
fn both<R: Clone, F: Copy>(
    ctx: &WriteCtx,
    (entity, table): (&'static str, &'static str),
    [(survivor_id, survivor_seen), (loser_id, loser_seen)]: [(&str, i64); 2],
    live: fn(Sql, &str) -> Result<R>,
    version: fn(&R) -> i64,
    take: &[F],
    take_one: fn(F, &mut R, &R),
) -> Result<[R; 3]> {
    if survivor_id == loser_id {
        return Err(Error::invalid("merge", "same"));
    }
    let survivor = live(ctx.sql(), survivor_id)?;
    let loser = live(ctx.sql(), loser_id)?;
    for (id, seen, now) in [
        (survivor_id, survivor_seen, version(&survivor)),
        (loser_id, loser_seen, version(&loser)),
    ] {
        if seen != now {
            ctx.expect_one(entity, table, id, 0)?;
        }
    }
    let mut kept = survivor.clone();
    for f in take {
        take_one(*f, &mut kept, &loser);
    }
    Ok([survivor, loser, kept])
}

/// Points every row in `columns` that names `loser` at `survivor`; each
/// moved row gets a new version, so an edit opened before the merge cannot
/// put the old id back.
fn move_rows(
    ctx: &WriteCtx,
    columns: &[(&str, &str, Entity)],
    loser: &str,
    survivor: &str,
) -> Result<(u32, serde_json::Map<String, serde_json::Value>)> {
    let mut total = 0;
    let mut moved = serde_json::Map::new();
    for (table, column, entity) in columns {
        let mut ids = ctx.sql().query(
            &format!(
                "UPDATE {table} SET {column} = ?2, version = version + 1, updated_at = ?3, updated_by = ?4
                 WHERE {column} = ?1 RETURNING id"
            ),
            sql::params![loser, survivor, ctx.now, ctx.user_id],
            |r| r.get::<String>(0),
        )?;
        // RETURNING comes in no set order: sorted, both stores log the same.
        ids.sort();
        for id in &ids {
            ctx.changed(*entity, id, "update")?;
        }
        if !ids.is_empty() {
            moved.insert(format!("{table}.{column}"), ids.len().into());
            total += u32::try_from(ids.len()).unwrap_or(u32::MAX);
        }
    }
    Ok((total, moved))
}

/// The loser's id becomes an alias of the survivor, and ids that were
/// aliases of the loser follow it (aliases stay one lookup deep).
fn keep_alias(ctx: &WriteCtx, kind: Kind, loser: &str, survivor: &str) -> Result<()> {
    ctx.sql().execute(
        "UPDATE merged_ids SET survivor_id = ?2 WHERE survivor_id = ?1 AND kind = ?3",
        sql::params![loser, survivor, kind.as_str()],
    )?;
    ctx.sql().execute(
        "INSERT INTO merged_ids (id, kind, survivor_id, merged_at, merged_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        sql::params![loser, kind.as_str(), survivor, ctx.now, ctx.user_id],
    )?;
    Ok(())
}

/// Soft-deletes the merged-away row at the version the user saw.
fn soft_delete(ctx: &WriteCtx, entity: &'static str, table: &'static str, id: &str, version: i64) -> Result<()> {
    let n = ctx.sql().execute(
        &format!(
            "UPDATE {table} SET deleted_at = ?3, version = version + 1, updated_at = ?3, updated_by = ?4
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL"
        ),
        sql::params![id, version, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one(entity, table, id, n)
}

/// The audit of a merge (on both records) and the live refresh of both.
fn recorded(
    ctx: &WriteCtx,
    entity: Entity,
    (survivor_id, survivor_version): (&str, i64),
    (loser_id, loser_name): (&str, &str),
    what: serde_json::Value,
    moved: u32,
) -> Result<Merged> {
    let mut detail = json!({ "merged": loser_id, "merged_name": loser_name });
    if let (Some(d), serde_json::Value::Object(w)) = (detail.as_object_mut(), what) {
        d.extend(w);
    }
    ctx.audit(entity, survivor_id, "merge", detail)?;
    ctx.audit(entity, loser_id, "merged_into", json!({ "into": survivor_id }))?;
    ctx.changed(entity, loser_id, "delete")?;
    ctx.changed(entity, survivor_id, "update")?;
    Ok(Merged {
        survivor_id: survivor_id.to_string(),
        survivor_version: survivor_version + 1,
        moved,
    })
}

fn later(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn earlier(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Folds the duplicate company into the survivor (module docs).
pub fn companies(ctx: &WriteCtx, m: &CompanyMerge) -> Result<Merged> {
    let [survivor, loser, mut kept] = both(
        ctx,
        ("company", "companies"),
        [(&m.survivor_id, m.survivor_version), (&m.loser_id, m.loser_version)],
        live_company,
        |c| c.version,
        &m.take_from_loser,
        CompanyField::take,
    )?;
    // Tags are labels the team gave either record: all of them stay.
    for tag in &loser.tags {
        if !kept.tags.contains(tag) {
            kept.tags.push(tag.clone());
        }
    }
    let (moved, by_column) = move_rows(ctx, NAMES_A_COMPANY, &m.loser_id, &m.survivor_id)?;
    soft_delete(ctx, "company", "companies", &m.loser_id, m.loser_version)?;
    let n = ctx.sql().execute(
        "UPDATE companies SET name = ?3, name_kana = ?4, industry = ?5, segment = ?6, owner_id = ?7, address = ?8,
                              phone = ?9, website = ?10, tags = ?11, last_contact_at = ?12,
                              retention_days = COALESCE(retention_days, ?13),
                              version = version + 1, updated_at = ?14, updated_by = ?15
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            m.survivor_id,
            m.survivor_version,
            kept.name,
            kept.name_kana,
            kept.industry,
            kept.segment.as_str(),
            kept.owner_id,
            kept.address,
            kept.phone,
            kept.website,
            serde_json::to_string(&kept.tags).unwrap_or_else(|_| "[]".into()),
            later(survivor.last_contact_at.clone(), loser.last_contact_at.clone()),
            loser.retention_days,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.expect_one("company", "companies", &m.survivor_id, n)?;
    keep_alias(ctx, Kind::Company, &m.loser_id, &m.survivor_id)?;
    activity::record(
        ctx,
        &activity::Record {
            company_id: &m.survivor_id,
            contact_id: None,
            deal_id: None,
            kind: ActivityKind::System,
            occurred_at: &ctx.now,
            text: &EngineText::CompanyMerged {
                merged: loser.name.clone(),
            },
            body: "",
        },
    )?;
    recorded(
        ctx,
        Entity::Company,
        (&m.survivor_id, m.survivor_version),
        (&m.loser_id, &loser.name),
        json!({ "took": m.take_from_loser, "moved": serde_json::Value::Object(by_column) }),
        moved,
    )
}

/// Folds the duplicate contact into the survivor; the survivor stays at
/// its company. A "no more mail" either of them asked for stays asked.
pub fn contacts(ctx: &WriteCtx, m: &ContactMerge) -> Result<Merged> {
    let [survivor, loser, kept] = both(
        ctx,
        ("contact", "contacts"),
        [(&m.survivor_id, m.survivor_version), (&m.loser_id, m.loser_version)],
        live_contact,
        |c| c.version,
        &m.take_from_loser,
        ContactField::take,
    )?;
    // One person in a sequence once: the duplicate's run of a sequence the
    // survivor is in already ends, as if the duplicate had been removed.
    let mut stopped = ctx.sql().query(
        "UPDATE sequence_enrolments SET status = 'stopped', stop_reason = 'target_removed', stopped_at = ?3,
                    version = version + 1, updated_at = ?3, updated_by = ?4
              WHERE target_kind = 'contact' AND target_id = ?1 AND status = 'active' AND deleted_at IS NULL
                AND sequence_id IN (SELECT sequence_id FROM sequence_enrolments
                                     WHERE target_kind = 'contact' AND target_id = ?2
                                       AND status = 'active' AND deleted_at IS NULL)
          RETURNING id",
        sql::params![m.loser_id, m.survivor_id, ctx.now, ctx.user_id],
        |r| r.get::<String>(0),
    )?;
    // RETURNING comes in no set order: sorted, both stores log the same.
    stopped.sort();
    for id in &stopped {
        ctx.changed(Entity::Enrolment, id, "update")?;
    }
    let (mut moved, mut by_column) = move_rows(ctx, NAMES_A_CONTACT, &m.loser_id, &m.survivor_id)?;
    let mut targets = ctx.sql().query(
        "UPDATE sequence_enrolments SET target_id = ?2, version = version + 1, updated_at = ?3, updated_by = ?4
              WHERE target_kind = 'contact' AND target_id = ?1 RETURNING id",
        sql::params![m.loser_id, m.survivor_id, ctx.now, ctx.user_id],
        |r| r.get::<String>(0),
    )?;
    // RETURNING comes in no set order: sorted, both stores log the same.
    targets.sort();
    for id in &targets {
        ctx.changed(Entity::Enrolment, id, "update")?;
    }
    for (table, owner, entity) in CONTACT_LINKS {
        let owners = ctx.sql().query(
            &format!("SELECT {owner} FROM {table} WHERE contact_id = ?1"),
            sql::params![&m.loser_id],
            |r| r.get::<String>(0),
        )?;
        // Each link's key is (owner, contact): a row that would name the
        // survivor twice is not moved (SQLite's UPDATE OR IGNORE, written
        // so that a server reads it too), and goes below.
        ctx.sql().execute(
            &format!(
                "UPDATE {table} SET contact_id = ?2 WHERE contact_id = ?1
                   AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.contact_id = ?2 AND s.{owner} = {table}.{owner})"
            ),
            sql::params![m.loser_id, m.survivor_id],
        )?;
        // Where the survivor was already named, the duplicate's row goes.
        ctx.sql().execute(
            &format!("DELETE FROM {table} WHERE contact_id = ?1"),
            sql::params![&m.loser_id],
        )?;
        for id in &owners {
            ctx.changed(*entity, id, "update")?;
        }
        if !owners.is_empty() {
            by_column.insert(format!("{table}.contact_id"), owners.len().into());
            moved += u32::try_from(owners.len()).unwrap_or(u32::MAX);
        }
    }
    soft_delete(ctx, "contact", "contacts", &m.loser_id, m.loser_version)?;
    let n = ctx.sql().execute(
        "UPDATE contacts SET name = ?3, name_kana = ?4, title = ?5, email = ?6, phone = ?7, mail_opt_out_at = ?8,
                             version = version + 1, updated_at = ?9, updated_by = ?10
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            m.survivor_id,
            m.survivor_version,
            kept.name,
            kept.name_kana,
            kept.title,
            kept.email,
            kept.phone,
            earlier(survivor.mail_opt_out_at.clone(), loser.mail_opt_out_at.clone()),
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.expect_one("contact", "contacts", &m.survivor_id, n)?;
    keep_alias(ctx, Kind::Contact, &m.loser_id, &m.survivor_id)?;
    let text = EngineText::ContactMerged {
        merged: loser.name.clone(),
        into: kept.name.clone(),
    };
    let mut companies = vec![survivor.company_id.as_str()];
    if loser.company_id != survivor.company_id {
        companies.push(loser.company_id.as_str());
    }
    for company_id in companies {
        activity::record(
            ctx,
            &activity::Record {
                company_id,
                contact_id: Some(&m.survivor_id),
                deal_id: None,
                kind: ActivityKind::System,
                occurred_at: &ctx.now,
                text: &text,
                body: "",
            },
        )?;
    }
    recorded(
        ctx,
        Entity::Contact,
        (&m.survivor_id, m.survivor_version),
        (&m.loser_id, &loser.name),
        json!({ "took": m.take_from_loser, "moved": serde_json::Value::Object(by_column) }),
        moved,
    )
}
