//! A merged-away company or contact keeps its id as an alias of the record
//! it was merged into (`merged_ids`, written by `dedupe/merge.rs`): a
//! colleague's open page, a link in a note or a save queued in an outbox
//! that names the old id still finds the survivor.

use crate::error::Result;
use crate::store::sql::{self, Sql};

/// What a merge can fold: the `kind` column of `merged_ids`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Company,
    Contact,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Company => "company",
            Kind::Contact => "contact",
        }
    }
}

/// The record `id` was merged into, if it was. Aliases are kept flat (a
/// survivor merged again moves its aliases along), so one lookup is enough.
pub fn survivor<'c>(conn: impl Into<Sql<'c>>, kind: Kind, id: &str) -> Result<Option<String>> {
    conn.into().query_opt(
        "SELECT survivor_id FROM merged_ids WHERE id = ?1 AND kind = ?2",
        sql::params![id, kind.as_str()],
        |r| r.get(0),
    )
}

/// `id`, or the record it was merged into.
pub fn resolve<'c>(conn: impl Into<Sql<'c>>, kind: Kind, id: &str) -> Result<String> {
    Ok(survivor(conn, kind, id)?.unwrap_or_else(|| id.to_string()))
}

/// `id` resolved when it is set.
pub fn resolve_opt<'c>(conn: impl Into<Sql<'c>>, kind: Kind, id: Option<&str>) -> Result<Option<String>> {
    let conn = conn.into();
    id.map(|id| resolve(conn, kind, id)).transpose()
}
