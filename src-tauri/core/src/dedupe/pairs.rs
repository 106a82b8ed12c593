//! Possible duplicates among the companies or contacts already in the file,
//! each pair with why it is offered, strongest first.
//!
//! Names are compared after normalising (`customers/likeness.rs`), which SQL
//! cannot do, so the live rows are read once and grouped by each key in a
//! hash map: one pass, not every record against every other, so 50,000
//! companies take well under a second (`benches/duplicates.rs`).

use crate::customers::likeness::{
    company_domain, company_key, mail_key, person_key, phone_key, reading_key, website_domain,
};
use crate::error::{Error, Result};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;

/// A key shared by more records than this is something they have in
/// common, not a sign that they are one record: a name like 山田 at most a
/// handful of times, a group's switchboard a few, and a web or mail domain
/// on more than two companies is a group's or a host's, not one company's
/// (sample files and shared hosting put dozens on one). Offering every pair
/// of such a group would bury the real duplicates.
fn group_max(reason: DuplicateReason) -> usize {
    match reason {
        DuplicateReason::Name | DuplicateReason::Reading => 12,
        DuplicateReason::Mail | DuplicateReason::Phone => 4,
        DuplicateReason::Domain => 2,
    }
}
/// How many pairs one look returns; the total says how many there are.
pub const PAGE: usize = 200;

/// What is compared: companies, or the people at them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DuplicateKind {
    Companies,
    Contacts,
}

impl DuplicateKind {
    /// The `kind` column of `duplicate_dismissals` and `merged_ids`.
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateKind::Companies => "company",
            DuplicateKind::Contacts => "contact",
        }
    }

    pub fn parse(s: &str) -> Option<DuplicateKind> {
        match s {
            "companies" | "company" => Some(DuplicateKind::Companies),
            "contacts" | "contact" => Some(DuplicateKind::Contacts),
            _ => None,
        }
    }
}

/// Why two records look like one, strongest first (the order they are listed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DuplicateReason {
    /// The same mail address (contacts).
    Mail,
    /// The same name once legal form, widths, kana and spaces are set aside
    /// (contacts: at the same company).
    Name,
    /// The same phone number by its digits (+81 read as 0).
    Phone,
    /// The same reading (読み), hiragana or katakana alike.
    Reading,
    /// The same company mail or web domain (free mail never counts).
    Domain,
}

impl DuplicateReason {
    fn weight(self) -> u32 {
        match self {
            DuplicateReason::Mail | DuplicateReason::Name => 4,
            DuplicateReason::Phone => 3,
            DuplicateReason::Reading => 2,
            DuplicateReason::Domain => 1,
        }
    }

    /// Enough on its own to offer a pair of contacts: two people at one
    /// company share its switchboard and domain without being one person.
    fn names_a_person(self) -> bool {
        matches!(
            self,
            DuplicateReason::Mail | DuplicateReason::Name | DuplicateReason::Reading
        )
    }
}

/// One side of a pair, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PairSide {
    pub id: String,
    pub name: String,
    pub name_kana: String,
    pub phone: String,
    /// Contacts: their mail. Companies: their website.
    pub detail: String,
    /// Contacts: the company they are at. Companies: "".
    pub company_name: String,
    pub created_at: String,
}

/// Two records that may be one. `first` is the older, the suggested survivor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DuplicatePair {
    pub kind: DuplicateKind,
    pub first: PairSide,
    pub second: PairSide,
    pub reasons: Vec<DuplicateReason>,
    pub score: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DuplicateList {
    /// The strongest pairs, at most [`PAGE`].
    pub pairs: Vec<DuplicatePair>,
    /// How many pairs there are in all.
    pub total: u32,
}

/// The live records of one kind with the keys they are grouped by.
struct Candidate {
    side: PairSide,
    keys: Vec<(DuplicateReason, String)>,
}

fn companies(conn: Sql) -> Result<Vec<Candidate>> {
    let mut domains: HashMap<String, HashSet<String>> = HashMap::new();
    conn.query(
        "SELECT company_id, email FROM contacts WHERE deleted_at IS NULL AND email <> ''",
        sql::params![],
        |r| {
            let d = company_domain(&r.get::<String>(1)?);
            if !d.is_empty() {
                domains.entry(r.get(0)?).or_default().insert(d);
            }
            Ok(())
        },
    )?;
    let mut out = Vec::new();
    conn.query(
        "SELECT id, name, name_kana, phone, website, created_at FROM companies WHERE deleted_at IS NULL",
        sql::params![],
        |r| {
            let side = PairSide {
                id: r.get("id")?,
                name: r.get("name")?,
                name_kana: r.get("name_kana")?,
                phone: r.get("phone")?,
                detail: r.get("website")?,
                company_name: String::new(),
                created_at: r.get("created_at")?,
            };
            let mut own = domains.remove(&side.id).unwrap_or_default();
            own.insert(website_domain(&side.detail));
            let mut keys = vec![
                (DuplicateReason::Name, company_key(&side.name)),
                (DuplicateReason::Reading, reading_key(&side.name_kana)),
                (DuplicateReason::Phone, phone_key(&side.phone)),
            ];
            keys.extend(own.into_iter().map(|d| (DuplicateReason::Domain, d)));
            keys.retain(|(_, k)| !k.is_empty());
            out.push(Candidate { side, keys });
            Ok(())
        },
    )?;
    Ok(out)
}

fn contacts(conn: Sql) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    conn.query(
        "SELECT ct.id, ct.name, ct.name_kana, ct.phone, ct.email, ct.company_id, co.name AS company_name, ct.created_at
           FROM contacts ct JOIN companies co ON co.id = ct.company_id AND co.deleted_at IS NULL
          WHERE ct.deleted_at IS NULL",
        sql::params![],
        |r| {
            let company_id: String = r.get("company_id")?;
            let side = PairSide {
                id: r.get("id")?,
                name: r.get("name")?,
                name_kana: r.get("name_kana")?,
                phone: r.get("phone")?,
                detail: r.get("email")?,
                company_name: r.get("company_name")?,
                created_at: r.get("created_at")?,
            };
            // A name is one person only at one company (田中 is everywhere).
            let at = |k: String| {
                if k.is_empty() {
                    k
                } else {
                    format!("{company_id}\u{1f}{k}")
                }
            };
            let mut keys = vec![
                (DuplicateReason::Mail, mail_key(&side.detail)),
                (DuplicateReason::Name, at(person_key(&side.name))),
                (DuplicateReason::Reading, at(reading_key(&side.name_kana))),
                (DuplicateReason::Phone, phone_key(&side.phone)),
            ];
            keys.retain(|(_, k)| !k.is_empty());
            out.push(Candidate { side, keys });
            Ok(())
        },
    )?;
    Ok(out)
}

/// The pairs someone said are not duplicates.
fn dismissed(conn: Sql, kind: DuplicateKind) -> Result<HashSet<(String, String)>> {
    let rows = conn.query(
        "SELECT first_id, second_id FROM duplicate_dismissals WHERE kind = ?1",
        sql::params![kind.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.into_iter().collect())
}

fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The possible duplicates of `kind`, strongest first: the first [`PAGE`].
pub fn list<'c>(conn: impl Into<Sql<'c>>, kind: DuplicateKind) -> Result<DuplicateList> {
    let conn = conn.into();
    let mut pairs = all(conn, kind)?;
    let total = u32::try_from(pairs.len()).unwrap_or(u32::MAX);
    pairs.truncate(PAGE);
    Ok(DuplicateList { pairs, total })
}

/// Every possible duplicate of `kind`, strongest first.
pub fn all<'c>(conn: impl Into<Sql<'c>>, kind: DuplicateKind) -> Result<Vec<DuplicatePair>> {
    let conn = conn.into();
    let candidates = match kind {
        DuplicateKind::Companies => companies(conn)?,
        DuplicateKind::Contacts => contacts(conn)?,
    };
    let mut groups: HashMap<(DuplicateReason, &str), Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        for (reason, key) in &c.keys {
            groups.entry((*reason, key.as_str())).or_default().push(i);
        }
    }
    let mut found: HashMap<(usize, usize), Vec<DuplicateReason>> = HashMap::new();
    for ((reason, _), members) in &groups {
        if members.len() < 2 || members.len() > group_max(*reason) {
            continue;
        }
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                let reasons = found.entry((a.min(b), a.max(b))).or_default();
                if !reasons.contains(reason) {
                    reasons.push(*reason);
                }
            }
        }
    }
    let dismissed = dismissed(conn, kind)?;
    let mut pairs: Vec<DuplicatePair> = found
        .into_iter()
        .filter(|(_, reasons)| kind == DuplicateKind::Companies || reasons.iter().any(|r| r.names_a_person()))
        .filter_map(|((a, b), mut reasons)| {
            let (a, b) = (&candidates[a].side, &candidates[b].side);
            let (x, y) = ordered(&a.id, &b.id);
            if dismissed.contains(&(x.to_string(), y.to_string())) {
                return None;
            }
            reasons.sort();
            let (first, second) = if (&a.created_at, &a.id) <= (&b.created_at, &b.id) {
                (a, b)
            } else {
                (b, a)
            };
            Some(DuplicatePair {
                kind,
                score: reasons.iter().map(|r| r.weight()).sum(),
                reasons,
                first: first.clone(),
                second: second.clone(),
            })
        })
        .collect();
    pairs.sort_by(|p, q| {
        q.score
            .cmp(&p.score)
            .then_with(|| p.first.name.cmp(&q.first.name))
            .then_with(|| p.first.id.cmp(&q.first.id))
            .then_with(|| p.second.id.cmp(&q.second.id))
    });
    Ok(pairs)
}

/// "Not a duplicate": the pair is not offered again, to anyone.
pub fn dismiss(ctx: &WriteCtx, kind: DuplicateKind, a: &str, b: &str) -> Result<()> {
    if a == b {
        return Err(Error::invalid("merge", "same"));
    }
    let (table, entity) = match kind {
        DuplicateKind::Companies => ("companies", "company"),
        DuplicateKind::Contacts => ("contacts", "contact"),
    };
    for id in [a, b] {
        let live: bool = ctx.sql().query_one(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1 AND deleted_at IS NULL)"),
            sql::params![id],
            |r| r.get(0),
        )?;
        if !live {
            return Err(Error::NotFound {
                entity,
                id: id.to_string(),
            });
        }
    }
    let (first, second) = ordered(a, b);
    ctx.sql().execute(
        "INSERT INTO duplicate_dismissals (kind, first_id, second_id, dismissed_at, dismissed_by)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        sql::params![kind.as_str(), first, second, ctx.now, ctx.user_id],
    )?;
    let key = format!("{first}:{second}");
    ctx.audit(
        Entity::Duplicate,
        &key,
        "dismiss",
        json!({ "kind": kind.as_str(), "first": first, "second": second }),
    )?;
    ctx.changed(Entity::Duplicate, &key, "insert")?;
    Ok(())
}
