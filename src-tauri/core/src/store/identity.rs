//! Who is writing: the member row every save is attributed to (updated_by,
//! the audit log). Part of the file's protocol, so the store can say who
//! acts before any domain code runs; `team::member` manages the members.

use crate::error::{Error, Result};
use crate::store::changes::Entity;
use crate::store::sql::{self, Row, Sql};
use crate::store::write::WriteCtx;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

/// A member as pickers and the window's header know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct User {
    pub id: String,
    /// The OS login they were first seen with: a hint, not an identity.
    pub login: String,
    pub display_name: String,
    #[ts(type = "number")]
    pub version: i64,
}

impl User {
    /// Nobody yet: a profile that has not said who it is.
    pub(crate) fn nobody(login: &str, display_name: &str) -> User {
        User {
            id: String::new(),
            login: login.to_string(),
            display_name: display_name.to_string(),
            version: 0,
        }
    }
}

pub(crate) const USER_COLUMNS: &str = "id, login, display_name, version";

pub(crate) fn from_row(r: &Row) -> Result<User> {
    Ok(User {
        id: r.get("id")?,
        login: r.get("login")?,
        display_name: r.get("display_name")?,
        version: r.get("version")?,
    })
}

/// How many merges a chain may have before it is taken as a loop.
const MERGE_HOPS: usize = 16;

/// The active member `id` stands for now: itself, or the member it was
/// merged into. `None` for a deactivated or unknown member.
pub fn resolve<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Option<User>> {
    let conn = conn.into();
    let mut id = id.to_string();
    for _ in 0..MERGE_HOPS {
        let row: Option<(Option<String>, Option<String>, Option<String>)> = conn.query_opt(
            "SELECT deleted_at, merged_into, deactivated_at FROM users WHERE id = ?1",
            sql::params![&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        match row {
            None => return Ok(None),
            Some((Some(_), Some(into), _)) => id = into,
            Some((Some(_), None, _)) | Some((None, _, Some(_))) => return Ok(None),
            Some((None, _, None)) => return get(conn, &id),
        }
    }
    Ok(None)
}

/// A member that is not deleted (deactivated ones included).
pub fn get<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Option<User>> {
    conn.into().query_opt(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1 AND deleted_at IS NULL"),
        sql::params![id],
        from_row,
    )
}

/// The member a login or id names, for the CLI's `--as` and `--to`: an id
/// first; else the one member with that login (active before deactivated);
/// else whom a merged member with that login went into. Two members sharing
/// the login is `ambiguous`: name the member by id instead.
pub fn find_by_login<'c>(conn: impl Into<Sql<'c>>, login: &str) -> Result<Option<User>> {
    let conn = conn.into();
    if let Some(u) = get(conn, login)? {
        return Ok(Some(u));
    }
    let found = conn.query(
        &format!(
            "SELECT {USER_COLUMNS}, deactivated_at IS NULL AS active FROM users
             WHERE login = ?1 AND deleted_at IS NULL ORDER BY active DESC, created_at, id"
        ),
        sql::params![login],
        |r| Ok((from_row(r)?, r.get::<bool>("active")?)),
    )?;
    match found.as_slice() {
        [(only, _)] => return Ok(Some(only.clone())),
        [(_, true), (_, true), ..] => return Err(Error::invalid("login", "ambiguous")),
        [(first, _), ..] => return Ok(Some(first.clone())),
        [] => {}
    }
    let merged: Option<String> = conn.query_opt(
        "SELECT merged_into FROM users WHERE login = ?1 AND merged_into IS NOT NULL
         ORDER BY deleted_at DESC LIMIT 1",
        sql::params![login],
        |r| r.get(0),
    )?;
    match merged {
        Some(into) => resolve(conn, &into),
        None => Ok(None),
    }
}

/// The member with this login, created when there is none (sample data,
/// the CLI).
pub fn ensure(ctx: &WriteCtx, login: &str, display_name: &str) -> Result<User> {
    if let Some(u) = find_by_login(ctx.sql(), login)? {
        return Ok(u);
    }
    insert(ctx, &crate::id::new_id(), login, display_name)
}

/// Adds a member; `login` is the OS login to suggest them by.
pub(crate) fn insert(ctx: &WriteCtx, id: &str, login: &str, display_name: &str) -> Result<User> {
    let name = validate_display_name(display_name)?;
    ctx.sql().execute(
        "INSERT INTO users (id, login, display_name, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        sql::params![id, login, &name, &ctx.now, ctx.user_id],
    )?;
    ctx.audit(
        Entity::User,
        id,
        "insert",
        json!({ "login": login, "display_name": name }),
    )?;
    ctx.changed(Entity::User, id, "insert")?;
    Ok(User {
        id: id.to_string(),
        login: login.to_string(),
        display_name: name,
        version: 1,
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
