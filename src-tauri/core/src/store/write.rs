//! What every save is given, on either store: the open transaction, who
//! writes, one time for the whole save, and the three things each save
//! records besides its rows (the audit entry, the change-log entries, and the
//! conflict report when a colleague saved first).
//!
//! The team file's `Db::write` and the server's `ServerDb::write` make one
//! and hand it to the domain; a domain function says `ctx.sql()` and writes
//! the same statements to both (docs/team-server.md, "The seam"). A function
//! not moved to `store::sql` yet still says `ctx.tx()?()?`, which is the file's
//! transaction and, on a server, the typed refusal `NotOnServer`.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::language::Language;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql, Value};
use rusqlite::Transaction;
use std::cell::RefCell;

/// A change-log entry waiting for the end of its save.
#[derive(Debug, Clone)]
pub struct PendingChange {
    entity: Entity,
    id: String,
    op: String,
    user_id: String,
    at: String,
}

/// Everything a write needs: the open transaction, who writes, and one
/// timestamp for the whole transaction.
pub struct WriteCtx<'a> {
    sql: Sql<'a>,
    file: Option<&'a Transaction<'a>>,
    /// Shared with the contexts made from this one ([`WriteCtx::at`]), so
    /// that every entry is appended by the one save that commits them.
    changes: &'a RefCell<Vec<PendingChange>>,
    pub user_id: &'a str,
    pub now: String,
    pub clock: &'a dyn Clock,
    /// The writer's language: the text the engine writes is in it.
    pub lang: Language,
}

impl<'a> WriteCtx<'a> {
    /// A save on the team file, inside `tx`.
    pub fn on_file(
        tx: &'a Transaction<'a>,
        changes: &'a RefCell<Vec<PendingChange>>,
        user_id: &'a str,
        now: String,
        clock: &'a dyn Clock,
        lang: Language,
    ) -> WriteCtx<'a> {
        WriteCtx {
            file: Some(tx),
            ..WriteCtx::on_server(Sql::File(tx), changes, user_id, now, clock, lang)
        }
    }

    /// A save on a team server, inside the session's transaction (and the
    /// fields of every save).
    pub(crate) fn on_server(
        sql: Sql<'a>,
        changes: &'a RefCell<Vec<PendingChange>>,
        user_id: &'a str,
        now: String,
        clock: &'a dyn Clock,
        lang: Language,
    ) -> WriteCtx<'a> {
        WriteCtx {
            sql,
            file: None,
            changes,
            user_id,
            now,
            clock,
            lang,
        }
    }

    /// The same save, written as `user_id` at `now` (the sample team's
    /// history, written as it would have happened).
    pub fn at(&self, user_id: &'a str, now: String) -> WriteCtx<'a> {
        WriteCtx { user_id, now, ..*self }
    }

    /// Where this save's statements go, on either store.
    pub fn sql(&self) -> Sql<'a> {
        self.sql
    }

    /// The team file's transaction, for the writes not yet on `store::sql`.
    /// On a server they are refused before anything is written.
    pub fn tx(&self) -> Result<&'a Transaction<'a>> {
        self.file.ok_or(Error::NotOnServer)
    }

    /// Appends to the change log, which tells other open clients what to
    /// refresh. The entry is written when the save ends
    /// ([`WriteCtx::append_changes`]).
    pub fn changed(&self, entity: Entity, id: &str, op: &str) -> Result<()> {
        self.changes.borrow_mut().push(PendingChange {
            entity,
            id: id.to_string(),
            op: op.to_string(),
            user_id: self.user_id.to_string(),
            at: self.now.clone(),
        });
        Ok(())
    }

    /// How many changes this save has noted so far: a mark for
    /// [`WriteCtx::added_since`].
    pub fn noted(&self) -> usize {
        self.changes.borrow().len()
    }

    /// The records of `entity` this save added after `mark` (a
    /// [`WriteCtx::noted`]): what a call made, on either store, without
    /// asking the store for its row numbers.
    pub fn added_since(&self, mark: usize, entity: Entity) -> Vec<String> {
        self.changes
            .borrow()
            .iter()
            .skip(mark)
            .filter(|c| c.entity == entity && c.op == "insert")
            .map(|c| c.id.clone())
            .collect()
    }

    /// Writes the save's change-log entries, in the order they were noted.
    /// Last, because on a server appending to the log takes turns with every
    /// other save (`change_log_in_turn`, so that sequence order is commit
    /// order): written last, a save holds that turn only for its commit.
    pub(crate) fn append_changes(&self) -> Result<()> {
        let pending = std::mem::take(&mut *self.changes.borrow_mut());
        for c in &pending {
            self.sql.execute(
                "INSERT INTO change_log (entity, entity_id, op, user_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                sql::params![c.entity.as_str(), &c.id, &c.op, &c.user_id, &c.at],
            )?;
        }
        Ok(())
    }

    /// Records who changed what, for the audit trail.
    pub fn audit(&self, entity: Entity, id: &str, action: &str, detail: serde_json::Value) -> Result<()> {
        self.sql.execute(
            "INSERT INTO audit_log (id, at, user_id, entity, entity_id, action, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            sql::params![
                crate::id::new_id(),
                &self.now,
                self.user_id,
                entity.as_str(),
                id,
                action,
                detail.to_string()
            ],
        )?;
        Ok(())
    }

    /// Turns "the versioned UPDATE touched no row" into the right error: the
    /// row is gone, or a colleague changed it first (with their version, so
    /// the user can compare instead of overwriting blindly).
    pub fn expect_one(&self, entity: &'static str, table: &'static str, id: &str, rows: usize) -> Result<()> {
        if rows == 1 {
            return Ok(());
        }
        match row_json(self.sql, table, id)? {
            Some(current) if current["deleted_at"].is_null() => Err(Error::Conflict {
                entity,
                id: id.to_string(),
                current_version: current["version"].as_i64().unwrap_or(0),
                current,
            }),
            _ => Err(Error::NotFound {
                entity,
                id: id.to_string(),
            }),
        }
    }
}

/// A row as a JSON object, column by column (for conflict reports).
fn row_json(sql: Sql, table: &'static str, id: &str) -> Result<Option<serde_json::Value>> {
    sql.query_opt(
        &format!("SELECT * FROM {table} WHERE id = ?1"),
        sql::params![id],
        |row| {
            let mut map = serde_json::Map::new();
            for (i, name) in row.names().into_iter().enumerate() {
                let v = match row.get::<Value>(i)? {
                    Value::Null(_) | Value::Blob(_) => serde_json::Value::Null,
                    Value::Integer(n) => n.into(),
                    Value::Real(f) => f.into(),
                    Value::Text(t) => t.into(),
                };
                map.insert(name, v);
            }
            Ok(serde_json::Value::Object(map))
        },
    )
}

/// The team a piece of work runs on: the team file (`Db`), the team server
/// (`ServerDb`), or whichever a desktop has open (`TeamDb`), as the member
/// its profile is. Object-safe, so background work (the sequences runner)
/// holds any of them as `&mut dyn Store`; [`Saves::save`] is its typed save.
pub trait Store {
    /// Runs `f` in a write transaction, again after a colleague's save as
    /// each store does. [`Saves::save`] is the form to call.
    fn save_with(&mut self, f: &mut dyn FnMut(&WriteCtx) -> Result<()>) -> Result<()>;
    fn sql(&self) -> Sql<'_>;
    fn member(&self) -> Option<&crate::store::identity::User>;
    fn clock(&self) -> &dyn crate::clock::Clock;
    /// The member's language: what the engine writes is in it.
    fn language(&self) -> Language;
}

/// A save on any [`Store`], typed: for code that saves without knowing
/// which store it has, such as the outbox's replay.
pub trait Saves {
    fn save<T>(&mut self, f: impl FnMut(&WriteCtx) -> Result<T>) -> Result<T>;
}

impl<S: Store + ?Sized> Saves for S {
    fn save<T>(&mut self, mut f: impl FnMut(&WriteCtx) -> Result<T>) -> Result<T> {
        let mut out = None;
        self.save_with(&mut |ctx| {
            out = Some(f(ctx)?);
            Ok(())
        })?;
        out.ok_or_else(|| crate::Error::Internal("a save ended without running".into()))
    }
}

macro_rules! store_of {
    ($($t:ty),*) => {$(
        impl Store for $t {
            fn save_with(&mut self, f: &mut dyn FnMut(&WriteCtx) -> Result<()>) -> Result<()> {
                self.write(f)
            }
            fn sql(&self) -> Sql<'_> {
                <$t>::sql(self)
            }
            fn member(&self) -> Option<&crate::store::identity::User> {
                <$t>::member(self)
            }
            fn clock(&self) -> &dyn crate::clock::Clock {
                <$t>::clock(self)
            }
            fn language(&self) -> Language {
                <$t>::language(self)
            }
        }
    )*};
}
store_of!(
    crate::store::db::Db,
    crate::store::server::ServerDb,
    crate::store::team_db::TeamDb
);
