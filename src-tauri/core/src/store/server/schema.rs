//! The server's schema and its migrations: numbered files in
//! `migrations/postgres/`, the same numbers as the team file's, applied in
//! one transaction each, with the version in `kizuna_schema` (a server has
//! no `PRAGMA user_version`). Only `kizuna server init`, run by an admin,
//! changes the schema: members have no rights to (docs/team-server.md).

use crate::error::{Error, Result};
use postgres::Client;

/// One step: the schema version it brings the server to, and its SQL.
struct Migration {
    version: i64,
    sql: &'static str,
}

/// A server database is always new, so it starts at the file's version 23
/// in one step; later versions add a file each.
const MIGRATIONS: &[Migration] = &[Migration {
    version: 23,
    sql: include_str!("../../../migrations/postgres/0023_baseline.sql"),
}];

/// The newest schema this build writes on a server: always the team
/// file's, so a team moves between the two without conversion.
pub const CURRENT: i64 = crate::store::schema::CURRENT;

/// The server database's schema version; `None` for a database Kizuna never set up.
pub fn version(client: &mut Client) -> Result<Option<i64>> {
    let exists: bool = client
        .query_one("SELECT to_regclass('kizuna_schema') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(None);
    }
    Ok(client
        .query_opt("SELECT version FROM kizuna_schema", &[])?
        .map(|r| r.get(0)))
}

/// Brings the database to [`CURRENT`]. Refuses one written by a newer
/// Kizuna, as a file is refused. Returns the version it found.
pub fn install(client: &mut Client) -> Result<Option<i64>> {
    let found = version(client)?;
    if let Some(v) = found.filter(|v| *v > CURRENT) {
        return Err(Error::SchemaTooNew {
            found: v,
            known: CURRENT,
        });
    }
    for m in MIGRATIONS.iter().filter(|m| found.map_or(true, |v| m.version > v)) {
        let mut tx = client.transaction()?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS kizuna_schema (
                 one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
                 version BIGINT NOT NULL)",
        )?;
        tx.batch_execute(m.sql)?;
        tx.execute(
            "INSERT INTO kizuna_schema (one, version) VALUES (TRUE, $1)
             ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version",
            &[&m.version],
        )?;
        tx.commit()?;
    }
    // Indexes that only speed searches up, brought to a server of any age.
    client.batch_execute(SEARCH_INDEXES)?;
    Ok(found)
}

/// The search's indexes (their file says why they are no migration).
const SEARCH_INDEXES: &str = include_str!("../../../migrations/postgres/search.sql");

/// The tables a team is made of, in the order the file's migrations made
/// them (the server's own `kizuna_schema` left out): what a copy moves.
pub fn team_tables(client: &mut Client) -> Result<Vec<String>> {
    team_tables_in(client)
}

pub(crate) fn team_tables_in(client: &mut impl postgres::GenericClient) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'kizuna_schema'
              ORDER BY c.oid",
            &[],
        )?
        .into_iter()
        .map(|r| r.get(0))
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_last_server_migration_is_the_files_version() {
        assert_eq!(super::MIGRATIONS.last().unwrap().version, super::CURRENT);
    }
}
