//! Customers (顧客企業): a company's record, the customer list, and deleting
//! a customer with everything that would be left an orphan.

use crate::changeset::Changes;
use crate::clock::Clock;
use crate::customers::alias;
use crate::customers::health::Health;
use crate::error::{Error, Result};
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::deletion::{self, Batch, Deletion, Table};
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::text::fold;
use crate::validate::{non_empty, optional, required};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::cmp::Ordering;
use ts_rs::TS;

const NAME_MAX: usize = 200;
const KANA_MAX: usize = 200;
const INDUSTRY_MAX: usize = 100;
const ADDRESS_MAX: usize = 300;
pub(super) const PHONE_MAX: usize = 50;
const WEBSITE_MAX: usize = 300;
const TAG_MAX: usize = 50;
const TAGS_MAX: usize = 20;

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
    pub fn parse(s: &str) -> Option<Segment> {
        match s {
            "key" => Some(Segment::Key),
            "normal" => Some(Segment::Normal),
            "small" => Some(Segment::Small),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
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

/// The editable fields of a company, as the edit dialog sends them.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CompanyEdit {
    pub name: String,
    /// The reading (読み), the Japanese sort key; hiragana or katakana.
    pub name_kana: String,
    pub industry: String,
    pub segment: Segment,
    /// "" or None: nobody.
    pub owner_id: Option<String>,
    pub address: String,
    pub phone: String,
    pub website: String,
    pub tags: Vec<String>,
}

/// The edit that leaves a company as it is: what the dialog starts from.
impl From<&Company> for CompanyEdit {
    fn from(c: &Company) -> CompanyEdit {
        CompanyEdit {
            name: c.name.clone(),
            name_kana: c.name_kana.clone(),
            industry: c.industry.clone(),
            segment: c.segment,
            owner_id: c.owner_id.clone(),
            address: c.address.clone(),
            phone: c.phone.clone(),
            website: c.website.clone(),
            tags: c.tags.clone(),
        }
    }
}

/// A company as its detail page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Company {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub name: String,
    pub name_kana: String,
    pub industry: String,
    pub segment: Segment,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub address: String,
    pub phone: String,
    pub website: String,
    pub tags: Vec<String>,
    /// The latest touch (meeting, call, mail, …), UTC RFC 3339.
    pub last_contact_at: Option<String>,
    /// Overrides the segment's retention interval.
    pub retention_days: Option<i32>,
    pub created_at: String,
    pub updated_at: String,
    /// Archived (customers/archive.rs): kept, found by search, out of the
    /// lists, the board and the reminders.
    pub archived_at: Option<String>,
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
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub last_contact_at: Option<String>,
    pub open_deals: i32,
    /// Sum of the open deals' amounts (in their minor units, whatever the currency).
    #[ts(type = "number")]
    pub open_amount: i64,
    /// Support's view of the customer (docs/customer-health.md).
    pub health: Health,
    pub archived_at: Option<String>,
    /// For the bulk owner change: the version the list showed.
    #[ts(type = "number")]
    pub version: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CompanySort {
    /// Japanese reading order (五十音順); customers without a reading last.
    #[default]
    NameKana,
    /// Least recently contacted first, never contacted at the very top: the
    /// customers about to be forgotten are the ones to look at.
    LastContact,
    /// Largest open pipeline first.
    OpenAmount,
    /// At risk first, then watched, then good: the customers support worries
    /// about on top.
    Health,
}

/// What the customer list shows.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct CompanyQuery {
    /// Matches name, reading, industry, phone and tags; hiragana, katakana
    /// (also half-width) and full-width letters are treated alike.
    pub text: Option<String>,
    pub owner_id: Option<String>,
    pub segment: Option<Segment>,
    pub sort: CompanySort,
    /// Archived customers too (always, when searching by text).
    pub include_archived: bool,
}

pub(super) fn live(conn: Sql, sql: &str, id: &str) -> Result<bool> {
    Ok(conn.query_opt(sql, sql::params![id], |_| Ok(()))?.is_some())
}

/// Trimmed, without empties and duplicates, in the order typed.
fn check_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() || out.iter().any(|o| o == t) {
            continue;
        }
        if t.chars().count() > TAG_MAX {
            return Err(Error::invalid("tags", "too_long"));
        }
        out.push(t.to_string());
    }
    if out.len() > TAGS_MAX {
        return Err(Error::invalid("tags", "too_many"));
    }
    Ok(out)
}

/// A company's fields, validated and normalised.
struct CheckedCompany {
    name: String,
    name_kana: String,
    industry: String,
    segment: Segment,
    owner_id: Option<String>,
    address: String,
    phone: String,
    website: String,
    tags: Vec<String>,
}

fn check_company(conn: Sql, e: &CompanyEdit) -> Result<CheckedCompany> {
    let owner_id = non_empty(&e.owner_id);
    if let Some(o) = &owner_id {
        if !live(conn, "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL", o)? {
            return Err(Error::invalid("owner_id", "unknown"));
        }
    }
    Ok(CheckedCompany {
        name: required("name", &e.name, NAME_MAX)?,
        name_kana: optional("name_kana", &e.name_kana, KANA_MAX)?,
        industry: optional("industry", &e.industry, INDUSTRY_MAX)?,
        segment: e.segment,
        owner_id,
        address: optional("address", &e.address, ADDRESS_MAX)?,
        phone: optional("phone", &e.phone, PHONE_MAX)?,
        website: optional("website", &e.website, WEBSITE_MAX)?,
        tags: check_tags(&e.tags)?,
    })
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

pub fn create(ctx: &WriteCtx, c: &NewCompany) -> Result<String> {
    let c = check_company(
        ctx.sql(),
        &CompanyEdit {
            name: c.name.clone(),
            name_kana: c.name_kana.clone(),
            industry: c.industry.clone(),
            segment: c.segment.unwrap_or(Segment::Normal),
            owner_id: c.owner_id.clone(),
            address: c.address.clone(),
            phone: c.phone.clone(),
            website: c.website.clone(),
            tags: c.tags.clone(),
        },
    )?;
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO companies (id, name, name_kana, industry, segment, owner_id, address, phone, website, tags,
                                created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)",
        sql::params![
            &id,
            &c.name,
            &c.name_kana,
            &c.industry,
            c.segment.as_str(),
            c.owner_id.as_deref(),
            &c.address,
            &c.phone,
            &c.website,
            tags_json(&c.tags),
            &ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.audit(Entity::Company, &id, "insert", json!({ "name": c.name }))?;
    ctx.changed(Entity::Company, &id, "insert")?;
    Ok(id)
}

const COMPANY_SELECT: &str = "SELECT c.id, c.version, c.name, c.name_kana, c.industry, c.segment, c.owner_id,
        u.display_name, c.address, c.phone, c.website, c.tags, c.last_contact_at, c.retention_days, c.created_at,
        c.updated_at, c.archived_at
 FROM companies c LEFT JOIN users u ON u.id = c.owner_id
 WHERE c.id = ?1 AND c.deleted_at IS NULL";

/// One company; NotFound when it does not exist or was deleted. A company
/// merged into another is that other one (its `id` says so).
pub fn get<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Company> {
    let conn = conn.into();
    match get_exactly(conn, id) {
        Err(Error::NotFound { .. }) => match alias::survivor(conn, alias::Kind::Company, id)? {
            Some(survivor) => get_exactly(conn, &survivor),
            None => get_exactly(conn, id),
        },
        found => found,
    }
}

fn get_exactly(conn: Sql, id: &str) -> Result<Company> {
    conn.query_opt(COMPANY_SELECT, sql::params![id], |r| {
        Ok(Company {
            id: r.get(0)?,
            version: r.get(1)?,
            name: r.get(2)?,
            name_kana: r.get(3)?,
            industry: r.get(4)?,
            segment: crate::error::known("companies", &r.get::<String>(0)?, &r.get::<String>(5)?, Segment::parse)?,
            owner_id: r.get(6)?,
            owner_name: r.get(7)?,
            address: r.get(8)?,
            phone: r.get(9)?,
            website: r.get(10)?,
            tags: serde_json::from_str(&r.get::<String>(11)?).unwrap_or_default(),
            last_contact_at: r.get(12)?,
            retention_days: r.get(13)?,
            created_at: r.get(14)?,
            updated_at: r.get(15)?,
            archived_at: r.get(16)?,
        })
    })?
    .ok_or_else(|| Error::NotFound {
        entity: "company",
        id: id.to_string(),
    })
}

/// Saves the company dialog. Returns the new version (the same one when
/// nothing changed, so a colleague's open copy does not go stale for nothing).
pub fn update(ctx: &WriteCtx, id: &str, version: i64, e: &CompanyEdit) -> Result<i64> {
    let old = get(ctx.sql(), id)?;
    if old.version != version {
        ctx.expect_one("company", "companies", id, 0)?;
    }
    let c = check_company(ctx.sql(), e)?;
    let mut changes = Changes::default();
    changes.note("name", &old.name, &c.name);
    changes.note("name_kana", &old.name_kana, &c.name_kana);
    changes.note("industry", &old.industry, &c.industry);
    changes.note("segment", old.segment, c.segment);
    changes.note("owner_id", &old.owner_id, &c.owner_id);
    changes.note("address", &old.address, &c.address);
    changes.note("phone", &old.phone, &c.phone);
    changes.note("website", &old.website, &c.website);
    changes.note("tags", &old.tags, &c.tags);
    if changes.is_empty() {
        return Ok(old.version);
    }
    let n = ctx.sql().execute(
        "UPDATE companies SET name = ?3, name_kana = ?4, industry = ?5, segment = ?6, owner_id = ?7, address = ?8,
                              phone = ?9, website = ?10, tags = ?11,
                              version = version + 1, updated_at = ?12, updated_by = ?13
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            id,
            version,
            &c.name,
            &c.name_kana,
            &c.industry,
            c.segment.as_str(),
            c.owner_id.as_deref(),
            &c.address,
            &c.phone,
            &c.website,
            tags_json(&c.tags),
            &ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.expect_one("company", "companies", id, n)?;
    ctx.audit(Entity::Company, id, "update", changes.into_value())?;
    ctx.changed(Entity::Company, id, "update")?;
    Ok(version + 1)
}

/// What deleting a customer takes with it, asked before the user decides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeletionImpact {
    /// Deals still in an open stage (the pipeline loses them).
    pub open_deals: u32,
    /// Won and lost deals (history that goes with the customer).
    pub closed_deals: u32,
    /// Active and in-renewal contracts (their renewal work stops).
    pub running_contracts: u32,
    pub other_contracts: u32,
    pub contacts: u32,
    /// Planned follow-ups for the customer, its deals and contracts.
    pub open_follow_ups: u32,
}

impl DeletionImpact {
    /// Work that is still going on: deleting it needs the user's explicit yes.
    pub fn has_open_work(&self) -> bool {
        self.open_deals > 0 || self.running_contracts > 0
    }
}

/// Open follow-ups that belong to a customer: its own, its deals' and its contracts'.
const COMPANY_FOLLOW_UPS: &str = "status = 'open' AND (company_id = ?1
     OR deal_id IN (SELECT id FROM deals WHERE company_id = ?1)
     OR contract_id IN (SELECT id FROM contracts WHERE company_id = ?1))";

pub fn deletion_impact<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<DeletionImpact> {
    let conn = conn.into();
    get(conn, id)?;
    let count = |statement: &str| -> Result<u32> { conn.query_one(statement, sql::params![id], |r| r.get(0)) };
    Ok(DeletionImpact {
        open_deals: count(
            "SELECT COUNT(*) FROM deals d JOIN stages s ON s.id = d.stage_id
             WHERE d.company_id = ?1 AND d.deleted_at IS NULL AND s.kind = 'open'",
        )?,
        closed_deals: count(
            "SELECT COUNT(*) FROM deals d JOIN stages s ON s.id = d.stage_id
             WHERE d.company_id = ?1 AND d.deleted_at IS NULL AND s.kind <> 'open'",
        )?,
        running_contracts: count(
            "SELECT COUNT(*) FROM contracts
             WHERE company_id = ?1 AND deleted_at IS NULL AND status IN ('active', 'in_renewal')",
        )?,
        other_contracts: count(
            "SELECT COUNT(*) FROM contracts
             WHERE company_id = ?1 AND deleted_at IS NULL AND status NOT IN ('active', 'in_renewal')",
        )?,
        contacts: count("SELECT COUNT(*) FROM contacts WHERE company_id = ?1 AND deleted_at IS NULL")?,
        open_follow_ups: count(&format!(
            "SELECT COUNT(*) FROM follow_ups WHERE deleted_at IS NULL AND ({COMPANY_FOLLOW_UPS})"
        ))?,
    })
}

/// Deletes a customer (soft; [`deletion::undo`] takes it all back) together
/// with its deals, contracts, contacts and open follow-ups: left behind they
/// would be orphans on the board, the renewal board and the reminders. When
/// the customer still has open deals or running contracts the caller must
/// say so (`with_open_work`, after asking the user); otherwise the delete is
/// refused, also when a colleague added such work after the user was asked.
pub fn delete(ctx: &WriteCtx, id: &str, version: i64, with_open_work: bool) -> Result<Deletion> {
    let old = get(ctx.sql(), id)?;
    if old.version != version {
        ctx.expect_one("company", "companies", id, 0)?;
    }
    if !with_open_work && deletion_impact(ctx.sql(), id)?.has_open_work() {
        return Err(Error::invalid("company", "has_open_work"));
    }
    let mut batch = Batch::new(ctx);
    // Follow-ups first: their filter looks through the deals and contracts.
    batch.mark_where(Table::FollowUps, COMPANY_FOLLOW_UPS, id)?;
    batch.mark_where(Table::Deals, "company_id = ?1", id)?;
    batch.mark_where(Table::Contracts, "company_id = ?1", id)?;
    batch.mark_where(Table::Contacts, "company_id = ?1", id)?;
    batch.mark_one(Table::Companies, id, version, json!({ "name": old.name }))?;
    deletion::note(
        ctx,
        id,
        &format!("顧客を削除: {}", old.name),
        json!({ "event": "company_deleted", "name": old.name, "deletion_id": batch.id() }),
    )?;
    Ok(batch.finish())
}

/// The customer list's one query (the rest is sorting and text matching in
/// memory); public for the benchmark's bare-SQL baseline.
pub const LIST_SQL: &str =
    "SELECT c.id, c.name, c.name_kana, c.industry, c.segment, c.owner_id, u.display_name, c.last_contact_at,
                COALESCE(o.n, 0), COALESCE(o.amount, 0), c.phone, c.tags, c.archived_at, c.version
         FROM companies c
         LEFT JOIN users u ON u.id = c.owner_id
         LEFT JOIN (SELECT d.company_id, COUNT(*) AS n, CAST(SUM(d.amount) AS BIGINT) AS amount
                    FROM deals d JOIN stages s ON s.id = d.stage_id
                    WHERE d.deleted_at IS NULL AND s.kind = 'open'
                    GROUP BY d.company_id) o ON o.company_id = c.id
         WHERE c.deleted_at IS NULL AND (?1 IS NULL OR c.owner_id = ?1) AND (?2 IS NULL OR c.segment = ?2)";

/// The customer list: filtered by owner and segment in SQL, by text and
/// sorted here, because both compare folded readings (see [`crate::text`])
/// that SQLite's collations do not know. A team has hundreds to a few
/// thousand customers, so this stays a few milliseconds.
pub fn list<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, q: &CompanyQuery) -> Result<Vec<CompanyListItem>> {
    let conn = conn.into();
    // Every customer's health in one grouped pass, not a query per row.
    let mut health = super::health::all(conn, clock)?;
    let owner = non_empty(&q.owner_id);
    let needle = q.text.as_deref().map(fold).filter(|t| !t.is_empty());
    let found = conn.query(
        LIST_SQL,
        sql::params![owner, q.segment.map(Segment::as_str)],
        |r| -> Result<Option<(String, String, CompanyListItem)>> {
            let mut item = CompanyListItem {
                id: r.get(0)?,
                name: r.get(1)?,
                name_kana: r.get(2)?,
                industry: r.get(3)?,
                segment: crate::error::known("companies", &r.get::<String>(0)?, &r.get::<String>(4)?, Segment::parse)?,
                owner_id: r.get(5)?,
                owner_name: r.get(6)?,
                last_contact_at: r.get(7)?,
                open_deals: r.get(8)?,
                open_amount: r.get(9)?,
                health: Health::default(),
                archived_at: r.get(12)?,
                version: r.get(13)?,
            };
            // Archived customers leave the list, unless asked for or searched.
            if item.archived_at.is_some() && !q.include_archived && needle.is_none() {
                return Ok(None);
            }
            let (kana_key, name_key) = (fold(&item.name_kana), fold(&item.name));
            if let Some(n) = &needle {
                let phone: String = r.get(10)?;
                let tags: Vec<String> = serde_json::from_str(&r.get::<String>(11)?).unwrap_or_default();
                let hit = [
                    &kana_key,
                    &name_key,
                    &fold(&item.industry),
                    &fold(&phone),
                    &fold(&tags.join(" ")),
                ]
                .iter()
                .any(|h| h.contains(n.as_str()));
                if !hit {
                    return Ok(None);
                }
            }
            item.health = health.remove(&item.id).unwrap_or_default();
            Ok(Some((kana_key, name_key, item)))
        },
    )?;
    let mut rows: Vec<(String, String, CompanyListItem)> = found.into_iter().flatten().collect();
    let by_reading = |a: &(String, String, CompanyListItem), b: &(String, String, CompanyListItem)| {
        (a.0.is_empty(), &a.0, &a.1, &a.2.id).cmp(&(b.0.is_empty(), &b.0, &b.1, &b.2.id))
    };
    rows.sort_by(|a, b| {
        let first = match q.sort {
            CompanySort::NameKana => Ordering::Equal,
            // None (never contacted) sorts before any time, and RFC 3339 UTC
            // text sorts like the instants it names.
            CompanySort::LastContact => a.2.last_contact_at.cmp(&b.2.last_contact_at),
            CompanySort::OpenAmount => b.2.open_amount.cmp(&a.2.open_amount),
            // Within a level, the one with more reasons first.
            CompanySort::Health => {
                (a.2.health.level, b.2.health.reasons.len()).cmp(&(b.2.health.level, a.2.health.reasons.len()))
            }
        };
        first.then_with(|| by_reading(a, b))
    });
    Ok(rows.into_iter().map(|(_, _, item)| item).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::contract::ContractStatus;
    use crate::customers::contact::*;
    use crate::followups::follow_up::DueState;
    use crate::overview::customer::summary;
    use crate::store::team_db::TeamDb;
    use chrono::NaiveDate;

    fn text_query(text: &str) -> CompanyQuery {
        CompanyQuery {
            text: Some(text.into()),
            ..Default::default()
        }
    }
    use crate::contracts::contract::{self, Billing, NewContract};
    use crate::testutil::{assert_invalid, entry, fixture, log, seed_pipeline, Fixture};
    use crate::timeline::activity::ActivityKind;
    use crate::ErrorCode;

    fn new_company(db: &mut TeamDb, name: &str, kana: &str) -> String {
        let c = NewCompany {
            name: name.into(),
            name_kana: kana.into(),
            ..Default::default()
        };
        db.write(|ctx| create(ctx, &c)).unwrap()
    }

    fn edit_of(c: &Company) -> CompanyEdit {
        CompanyEdit::from(c)
    }

    fn names(items: &[CompanyListItem]) -> Vec<&str> {
        items.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn the_detail_holds_every_field_and_an_edit_is_versioned_and_audited() {
        let Fixture { mut db, clock, _keep } = fixture();
        let sato = db
            .write(|ctx| crate::team::member::ensure(ctx, "sato", "佐藤 健太"))
            .unwrap();
        let id = new_company(&mut db, "株式会社さくら商事", "さくらしょうじ");
        let c = get(db.sql(), &id).unwrap();
        assert_eq!((c.version, c.segment, c.tags.len()), (1, Segment::Normal, 0));
        let edit = CompanyEdit {
            name: " 株式会社さくら商事 ".into(),
            name_kana: "サクラショウジ".into(),
            industry: "卸売業".into(),
            segment: Segment::Key,
            owner_id: Some(sato.id.clone()),
            address: "東京都千代田区丸の内2-4-1".into(),
            phone: "03-1234-5678".into(),
            website: "https://sakura.example.co.jp".into(),
            tags: vec![" 重点顧客 ".into(), "".into(), "展示会".into(), "重点顧客".into()],
        };
        assert_eq!(db.write(|ctx| update(ctx, &id, 1, &edit)).unwrap(), 2);
        let c = get(db.sql(), &id).unwrap();
        assert_eq!(c.name, "株式会社さくら商事");
        assert_eq!(c.name_kana, "サクラショウジ");
        assert_eq!((c.segment, c.owner_name.as_deref()), (Segment::Key, Some("佐藤 健太")));
        assert_eq!(c.tags, ["重点顧客", "展示会"]);
        assert_eq!(
            names(&list(db.sql(), &clock, &text_query("展示")).unwrap()),
            ["株式会社さくら商事"]
        );
        assert!(
            list(db.sql(), &clock, &text_query("\"")).unwrap().is_empty(),
            "the tags' JSON is not searched"
        );
        assert_eq!(c.updated_at, "2026-11-25T01:00:00Z");
        let detail: String = db
            .sql()
            .query_one(
                "SELECT detail FROM audit_log WHERE entity_id = ?1 AND action = 'update'",
                sql::params![&id],
                |r| r.get(0),
            )
            .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        let mut keys: Vec<&String> = detail.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "address",
                "industry",
                "name_kana",
                "owner_id",
                "phone",
                "segment",
                "tags",
                "website"
            ]
        );
        // The same save again changes nothing; a stale one is a conflict.
        assert_eq!(db.write(|ctx| update(ctx, &id, 2, &edit)).unwrap(), 2);
        let e = db
            .write(|ctx| {
                update(
                    ctx,
                    &id,
                    1,
                    &CompanyEdit {
                        phone: "03-0000-0000".into(),
                        ..edit.clone()
                    },
                )
            })
            .unwrap_err();
        assert!(matches!(e, Error::Conflict { current_version: 2, .. }), "{e:?}");
        assert_eq!(get(db.sql(), "nope").unwrap_err().code(), ErrorCode::NotFound);
    }

    #[test]
    fn company_edits_are_validated() {
        let Fixture { mut db, _keep, .. } = fixture();
        let id = new_company(&mut db, "A社", "");
        let ok = edit_of(&get(db.sql(), &id).unwrap());
        let cases: Vec<(CompanyEdit, &str, &str)> = vec![
            (
                CompanyEdit {
                    name: " ".into(),
                    ..ok.clone()
                },
                "name",
                "required",
            ),
            (
                CompanyEdit {
                    name: "あ".repeat(201),
                    ..ok.clone()
                },
                "name",
                "too_long",
            ),
            (
                CompanyEdit {
                    name_kana: "あ".repeat(201),
                    ..ok.clone()
                },
                "name_kana",
                "too_long",
            ),
            (
                CompanyEdit {
                    phone: "0".repeat(51),
                    ..ok.clone()
                },
                "phone",
                "too_long",
            ),
            (
                CompanyEdit {
                    owner_id: Some("nobody".into()),
                    ..ok.clone()
                },
                "owner_id",
                "unknown",
            ),
            (
                CompanyEdit {
                    tags: vec!["あ".repeat(51)],
                    ..ok.clone()
                },
                "tags",
                "too_long",
            ),
            (
                CompanyEdit {
                    tags: (0..21).map(|i| format!("t{i}")).collect(),
                    ..ok.clone()
                },
                "tags",
                "too_many",
            ),
        ];
        for (edit, field, reason) in cases {
            assert_invalid(db.write(|ctx| update(ctx, &id, 1, &edit)), field, reason);
        }
        // "" from a select is "nobody".
        let v = db
            .write(|ctx| {
                update(
                    ctx,
                    &id,
                    1,
                    &CompanyEdit {
                        owner_id: Some(String::new()),
                        industry: "製造業".into(),
                        ..ok.clone()
                    },
                )
            })
            .unwrap();
        assert_eq!(v, 2);
        assert_eq!(get(db.sql(), &id).unwrap().owner_id, None);
    }

    #[test]
    fn the_list_sorts_by_reading_whatever_script_it_was_typed_in() {
        let Fixture { mut db, clock, _keep } = fixture();
        new_company(&mut db, "株式会社わかば", "わかば");
        new_company(&mut db, "カ行の会社", "カガク");
        new_company(&mut db, "半角の会社", "ｱｵﾊﾞ");
        new_company(&mut db, "読みなし", "");
        new_company(&mut db, "株式会社いろは", "いろは");
        new_company(&mut db, "ABC株式会社", "ＡＢＣ");
        let all = list(db.sql(), &clock, &CompanyQuery::default()).unwrap();
        assert_eq!(
            names(&all),
            [
                "ABC株式会社",
                "半角の会社",
                "株式会社いろは",
                "カ行の会社",
                "株式会社わかば",
                "読みなし"
            ]
        );
        // The text matches a reading in another script, a name, an industry.
        let q = |t: &str| CompanyQuery {
            text: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(names(&list(db.sql(), &clock, &q("ワカ")).unwrap()), ["株式会社わかば"]);
        assert_eq!(names(&list(db.sql(), &clock, &q("あおば")).unwrap()), ["半角の会社"]);
        assert_eq!(names(&list(db.sql(), &clock, &q("abc")).unwrap()), ["ABC株式会社"]);
        assert_eq!(names(&list(db.sql(), &clock, &q("  ")).unwrap()).len(), 6);
        assert!(list(db.sql(), &clock, &q("%")).unwrap().is_empty());
        // The shell's old call still works.
        assert_eq!(
            names(&list(db.sql(), &clock, &text_query("いろは")).unwrap()),
            ["株式会社いろは"]
        );
    }

    #[test]
    fn the_list_filters_by_owner_and_segment_and_sorts_by_contact_or_amount() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let db = &mut f.db;
        let me = db.user().id.clone();
        let quiet = new_company(db, "ご無沙汰", "ごぶさた");
        let fresh = new_company(db, "最近", "さいきん");
        new_company(db, "未接触", "みせっしょく");
        log(db, &entry(&quiet, ActivityKind::Call, "2026-09-01T00:00:00Z", "電話"));
        log(db, &entry(&fresh, ActivityKind::Call, "2026-11-24T00:00:00Z", "電話"));
        for (id, seg, owner) in [(&quiet, Segment::Key, Some(me.clone())), (&fresh, Segment::Key, None)] {
            let mut e = edit_of(&get(db.sql(), id).unwrap());
            e.segment = seg;
            e.owner_id = owner;
            db.write(|ctx| update(ctx, id, 1, &e)).unwrap();
        }
        s.deal(db, "大型案件", s.stage("提案"), 9_000_000, "JPY");
        s.deal(db, "失注案件", s.stage("失注"), 99_000_000, "JPY");
        let q = |sort: CompanySort| CompanyQuery {
            sort,
            ..Default::default()
        };
        assert_eq!(
            names(&list(db.sql(), &f.clock, &q(CompanySort::LastContact)).unwrap()),
            ["株式会社テスト", "未接触", "ご無沙汰", "最近"],
            "never contacted first (by reading), then the longest ago"
        );
        let by_amount = list(db.sql(), &f.clock, &q(CompanySort::OpenAmount)).unwrap();
        assert_eq!(by_amount[0].name, "株式会社テスト");
        assert_eq!((by_amount[0].open_deals, by_amount[0].open_amount), (1, 9_000_000));
        let keys = CompanyQuery {
            segment: Some(Segment::Key),
            ..Default::default()
        };
        assert_eq!(names(&list(db.sql(), &f.clock, &keys).unwrap()), ["ご無沙汰", "最近"]);
        let mine = CompanyQuery {
            owner_id: Some(me.clone()),
            ..keys
        };
        let mine = list(db.sql(), &f.clock, &mine).unwrap();
        assert_eq!(names(&mine), ["ご無沙汰"]);
        assert_eq!(mine[0].owner_id.as_deref(), Some(me.as_str()));
        assert_eq!(mine[0].last_contact_at.as_deref(), Some("2026-09-01T00:00:00Z"));
    }

    #[test]
    fn the_list_sorts_by_health_at_risk_first_and_shows_each_customers_indicator() {
        use crate::customers::health::HealthLevel;
        use crate::testutil::{insert_case, Case};
        let Fixture { mut db, clock, _keep } = fixture();
        let calm = new_company(&mut db, "あんしん", "あんしん");
        let angry = new_company(&mut db, "おこり", "おこり");
        let watched = new_company(&mut db, "きがかり", "きがかり");
        let open_complaint = Case {
            category: "complaint",
            status: "new",
            first_response_at: None,
            resolved_at: None,
            first_response_due: "2026-11-26T00:00:00Z",
            resolution_due: "2026-11-30T00:00:00Z",
            ..Case::default()
        };
        insert_case(&db, &angry, &open_complaint);
        insert_case(
            &db,
            &watched,
            &Case {
                category: "complaint",
                ..Case::default()
            },
        );
        insert_case(&db, &calm, &Case::default());
        let q = CompanyQuery {
            sort: CompanySort::Health,
            ..Default::default()
        };
        let rows = list(db.sql(), &clock, &q).unwrap();
        assert_eq!(names(&rows), ["おこり", "きがかり", "あんしん"]);
        assert_eq!(
            rows.iter().map(|r| r.health.level).collect::<Vec<_>>(),
            [HealthLevel::AtRisk, HealthLevel::Watch, HealthLevel::Good]
        );
        // The other sorts carry the same indicator.
        let by_name = list(db.sql(), &clock, &CompanyQuery::default()).unwrap();
        assert_eq!(by_name[1].name, "おこり");
        assert_eq!(by_name[1].health.facts.open_complaints, 1);
    }

    #[test]
    fn contacts_are_listed_edited_and_softly_deleted() {
        let Fixture { mut db, _keep, .. } = fixture();
        let company = new_company(&mut db, "A社", "えーしゃ");
        let add = |db: &mut TeamDb, name: &str, kana: &str| {
            let c = NewContact {
                company_id: company.clone(),
                name: name.into(),
                name_kana: kana.into(),
                email: "a@example.com".into(),
                ..Default::default()
            };
            db.write(|ctx| create_contact(ctx, &c)).unwrap()
        };
        let yamada = add(&mut db, "山田 花子", "ヤマダ ハナコ");
        add(&mut db, "伊藤 誠", "いとう まこと");
        add(&mut db, "John Smith", "");
        let shown: Vec<String> = contacts_of(db.sql(), &company)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(shown, ["伊藤 誠", "山田 花子", "John Smith"]);

        let edit = ContactEdit {
            name: "山田 花子".into(),
            name_kana: "やまだ はなこ".into(),
            title: "情報システム部 課長".into(),
            email: " hanako.yamada+crm@example.co.jp ".into(),
            phone: "090-1234-5678".into(),
        };
        assert_eq!(db.write(|ctx| update_contact(ctx, &yamada, 1, &edit)).unwrap(), 2);
        let c = contact(db.sql(), &yamada).unwrap();
        assert_eq!(c.email, "hanako.yamada+crm@example.co.jp");
        assert_eq!(c.mailto.as_deref(), Some("mailto:hanako.yamada+crm@example.co.jp"));
        assert_eq!(c.title, "情報システム部 課長");
        assert_eq!(db.write(|ctx| update_contact(ctx, &yamada, 2, &edit)).unwrap(), 2);
        for bad in [
            "090-1234-5678",
            "a@b@c",
            "@example.com",
            "hanako@",
            "hanako@example",
            "hana ko@example.com",
        ] {
            let e = ContactEdit {
                email: bad.into(),
                ..edit.clone()
            };
            assert_invalid(db.write(|ctx| update_contact(ctx, &yamada, 2, &e)), "email", "format");
        }
        // Two addresses in one field would be two recipients of one mail.
        for two in ["a@x.jp,b@y.jp", "a@x.jp; b@y.jp"] {
            let e = ContactEdit {
                email: two.into(),
                ..edit.clone()
            };
            assert_invalid(db.write(|ctx| update_contact(ctx, &yamada, 2, &e)), "email", "several");
            let c = NewContact {
                company_id: company.clone(),
                name: "二人分".into(),
                email: two.into(),
                ..Default::default()
            };
            assert_invalid(db.write(|ctx| create_contact(ctx, &c)), "email", "several");
        }
        assert_eq!(
            contact(db.sql(), &yamada).unwrap().version,
            2,
            "a refused edit writes nothing"
        );
        let e = ContactEdit {
            name: "".into(),
            ..edit.clone()
        };
        assert_invalid(db.write(|ctx| update_contact(ctx, &yamada, 2, &e)), "name", "required");
        let err = db.write(|ctx| delete_contact(ctx, &yamada, 1)).unwrap_err();
        assert!(matches!(err, Error::Conflict { current_version: 2, .. }), "{err:?}");
        db.write(|ctx| delete_contact(ctx, &yamada, 2)).unwrap();
        assert_eq!(contacts_of(db.sql(), &company).unwrap().len(), 2);
        assert_eq!(contact(db.sql(), &yamada).unwrap_err().code(), ErrorCode::NotFound);
        let err = db.write(|ctx| delete_contact(ctx, &yamada, 3)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
        let orphan = NewContact {
            company_id: "nope".into(),
            name: "誰か".into(),
            ..Default::default()
        };
        assert_invalid(db.write(|ctx| create_contact(ctx, &orphan)), "company_id", "unknown");
    }

    #[test]
    fn the_summary_shows_open_deals_contracts_last_contact_and_next_step() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let db = &mut f.db;
        let a = s.deal(db, "基幹システム刷新", s.stage("提案"), 5_000_000, "JPY");
        let b = s.deal(db, "保守契約", s.stage("リード"), 1_200, "USD");
        s.deal(db, "受注済み", s.stage("受注"), 1, "JPY");
        s.deal(db, "失注", s.stage("失注"), 1, "JPY");
        let contract = |plan: &str, end: &str| NewContract {
            company_id: s.company_id.clone(),
            deal_id: None,
            plan: plan.into(),
            start_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            end_date: NaiveDate::parse_from_str(end, "%Y-%m-%d").unwrap(),
            auto_renew: false,
            amount: 1,
            currency: "JPY".into(),
            billing: Billing::Annual,
            notice_days: 30,
            owner_id: None,
            hearing_days: None,
            proposal_days: None,
        };
        let later = db
            .write(|ctx| contract::create(ctx, &contract("年間保守", "2027-03-31")))
            .unwrap();
        let sooner = db
            .write(|ctx| contract::create(ctx, &contract("クラウド", "2027-02-28")))
            .unwrap();
        let churned = db
            .write(|ctx| contract::create(ctx, &contract("旧プラン", "2026-06-30")))
            .unwrap();
        db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE contracts SET status = 'churned' WHERE id = ?1",
                sql::params![&churned],
            )?;
            // Its renewal work went with it.
            ctx.sql().execute(
                "UPDATE follow_ups SET status = 'cancelled' WHERE contract_id = ?1",
                sql::params![&churned],
            )?;
            Ok(())
        })
        .unwrap();
        s.follow_up(db, &a, "2026-12-05T00:00:00Z");
        let next = s.follow_up(db, &b, "2026-11-30T00:00:00Z");
        let done = s.follow_up(db, &b, "2026-11-26T00:00:00Z");
        db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE follow_ups SET status = 'done' WHERE id = ?1",
                sql::params![&done],
            )?;
            Ok(())
        })
        .unwrap();
        log(
            db,
            &entry(&s.company_id, ActivityKind::Meeting, "2026-11-20T00:00:00Z", "訪問"),
        );
        let mut facts = edit_of(&get(db.sql(), &s.company_id).unwrap());
        facts.industry = "製造業".into();
        facts.address = "大阪府大阪市北区梅田1-1-1".into();
        facts.phone = "06-1234-5678".into();
        facts.website = "https://test.example.co.jp".into();
        facts.tags = vec!["展示会".into(), "紹介".into()];
        db.write(|ctx| update(ctx, &s.company_id, 1, &facts)).unwrap();
        let sum = summary(db.sql(), db.clock(), &s.company_id).unwrap();
        assert_eq!(sum.name, "株式会社テスト");
        assert_eq!(sum.version, 2);
        assert_eq!(
            (
                sum.industry.as_str(),
                sum.address.as_str(),
                sum.phone.as_str(),
                sum.website.as_str()
            ),
            (
                "製造業",
                "大阪府大阪市北区梅田1-1-1",
                "06-1234-5678",
                "https://test.example.co.jp"
            )
        );
        assert_eq!(sum.tags, ["展示会", "紹介"]);
        assert_eq!(
            sum.open_deals
                .iter()
                .map(|d| (d.title.as_str(), d.amount, d.currency.as_str(), d.stage_name.as_str()))
                .collect::<Vec<_>>(),
            [
                ("保守契約", 1_200, "USD", "リード"),
                ("基幹システム刷新", 5_000_000, "JPY", "提案")
            ]
        );
        assert_eq!(
            sum.contracts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            [sooner.as_str(), later.as_str()]
        );
        assert_eq!(sum.contracts[0].status, ContractStatus::Active);
        assert_eq!(sum.last_contact_at.as_deref(), Some("2026-11-20T00:00:00Z"));
        let n = sum.next_follow_up.unwrap();
        assert_eq!(
            (n.id.as_str(), n.due_at.as_str()),
            (next.as_str(), "2026-11-30T00:00:00Z")
        );
        assert_eq!(n.state, DueState::Upcoming);
        assert_eq!(
            summary(db.sql(), db.clock(), "nope").unwrap_err().code(),
            ErrorCode::NotFound
        );
    }

    #[test]
    fn an_unknown_segment_is_an_error_naming_the_company() {
        let mut f = crate::testutil::fixture();
        let id = crate::testutil::company(&mut f.db, "株式会社みらい");
        crate::testutil::store_unknown(&f, &format!("UPDATE companies SET segment = 'vip' WHERE id = '{id}'"));
        crate::testutil::assert_unknown(get(f.db.sql(), &id), "companies", &id, "vip");
        assert!(matches!(
            list(f.db.sql(), &f.clock, &CompanyQuery::default()),
            Err(crate::Error::UnknownValue { .. })
        ));
    }
}
