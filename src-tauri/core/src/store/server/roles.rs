//! Who may do what on the team server. Each member logs in as their own
//! PostgreSQL role, a member of one group role, `kizuna_member`, that may
//! read and write the team's rows and nothing else: no superuser, no
//! creating or altering tables at run time. The admin who runs
//! `kizuna server init` owns the schema; only they migrate it.

use crate::error::{Error, Result};
use postgres::Client;

/// The group role every member's login belongs to.
pub const MEMBER_GROUP: &str = "kizuna_member";

/// What `init` did, for the admin to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initialised {
    /// The schema version found before (`None`: a new database).
    pub found: Option<i64>,
    pub version: i64,
}

/// Creates (or brings up to date) the schema, the member group, and the
/// group's rights on every table and sequence. Safe to run again after an
/// upgrade of Kizuna: that is how a server's schema is migrated.
pub fn init(client: &mut Client) -> Result<Initialised> {
    let found = super::schema::install(client)?;
    let mut tx = client.transaction()?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&MEMBER_GROUP],
        )?
        .get(0);
    if !exists {
        tx.batch_execute(&format!("CREATE ROLE {MEMBER_GROUP} NOLOGIN"))?;
    }
    let database: String = tx.query_one("SELECT current_database()", &[])?.get(0);
    tx.batch_execute(&format!(
        "REVOKE ALL ON DATABASE {db} FROM PUBLIC;
         GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {MEMBER_GROUP};
         REVOKE CREATE ON SCHEMA public FROM PUBLIC;
         GRANT USAGE ON SCHEMA public TO {MEMBER_GROUP};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {MEMBER_GROUP};
         REVOKE INSERT, UPDATE, DELETE ON kizuna_schema FROM {MEMBER_GROUP};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {MEMBER_GROUP};",
        db = quote_ident(&database)
    ))?;
    tx.commit()?;
    Ok(Initialised {
        found,
        version: super::schema::CURRENT,
    })
}

/// Creates the login `login` with `password`, in the member group. A login
/// that exists already is refused: an admin resets a password with their
/// own tools, never by accident here.
pub fn add_member(client: &mut Client, login: &str, password: &str) -> Result<()> {
    if !valid_login(login) {
        return Err(Error::invalid("login", "format"));
    }
    if password.chars().count() < 12 {
        return Err(Error::invalid("password", "too_short"));
    }
    let mut tx = client.transaction()?;
    let exists: bool = tx
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&login])?
        .get(0);
    if exists {
        return Err(Error::invalid("login", "taken"));
    }
    // Role statements take no parameters: the login is checked above, and
    // the password is sent as its SCRAM verifier, as psql's \password does,
    // so no server log or statement view ever holds it in clear.
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    tx.batch_execute(&format!(
        "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE {MEMBER_GROUP}",
        quote_ident(login),
        quote_literal(&verifier)
    ))?;
    tx.commit()?;
    Ok(())
}

/// A login as an admin types it: letters, digits, `.`, `_`, `-`, up to 63
/// bytes (PostgreSQL's limit), not one of the server's own roles.
fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 63
        && !login.starts_with("pg_")
        && login != MEMBER_GROUP
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_plain_names_and_never_the_servers_own() {
        for ok in ["tanaka", "sato.k", "yamada-2"] {
            assert!(valid_login(ok), "{ok}");
        }
        for bad in [
            "",
            "pg_read_all_data",
            "kizuna_member",
            "a b",
            "x\"; DROP TABLE deals; --",
            "田中",
        ] {
            assert!(!valid_login(bad), "{bad}");
        }
    }

    #[test]
    fn a_literal_cannot_end_early() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
