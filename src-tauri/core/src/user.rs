//! Team members. A desktop knows its user by the OS login; the display name is
//! theirs to edit. Every write names its user (updated_by, audit_log).

use crate::db::{Db, WriteCtx};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct User {
    pub id: String,
    pub login: String,
    pub display_name: String,
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        login: r.get(1)?,
        display_name: r.get(2)?,
    })
}

pub fn find_by_login(conn: &Connection, login: &str) -> Result<Option<User>> {
    Ok(conn
        .query_row(
            "SELECT id, login, display_name FROM users WHERE login = ?1 AND deleted_at IS NULL",
            [login],
            from_row,
        )
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut st =
        conn.prepare("SELECT id, login, display_name FROM users WHERE deleted_at IS NULL ORDER BY display_name")?;
    let rows = st.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Inserts a team member unless the login is known already.
pub fn ensure(ctx: &WriteCtx, login: &str, display_name: &str) -> Result<User> {
    if let Some(u) = find_by_login(ctx.tx, login)? {
        return Ok(u);
    }
    let id = crate::id::new_id();
    ctx.tx.execute(
        "INSERT INTO users (id, login, display_name, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?4, ?1)",
        params![id, login, display_name, ctx.now],
    )?;
    ctx.changed("user", &id, "insert")?;
    Ok(User {
        id,
        login: login.to_string(),
        display_name: display_name.to_string(),
    })
}

pub fn validate_display_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("display_name", "required"));
    }
    if name.chars().count() > 100 {
        return Err(Error::invalid("display_name", "too_long"));
    }
    Ok(name.to_string())
}

impl Db {
    /// Renames the current user; other rows keep pointing at the same id.
    pub fn set_display_name(&mut self, name: &str) -> Result<User> {
        let name = validate_display_name(name)?;
        let id = self.user().id.clone();
        self.write(|ctx| {
            ctx.tx.execute(
                "UPDATE users SET display_name = ?2, version = version + 1, updated_at = ?3, updated_by = ?1
                 WHERE id = ?1",
                params![id, name, ctx.now],
            )?;
            ctx.audit("user", &id, "update", serde_json::json!({ "display_name": name }))?;
            ctx.changed("user", &id, "update")
        })?;
        self.refresh_user()?;
        Ok(self.user().clone())
    }
}
