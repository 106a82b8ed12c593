//! The team database a desktop has open: the shared file or the team
//! server. Callers read through [`TeamDb::sql`] and save through
//! [`TeamDb::write`], which both stores answer, so a screen works on either
//! without knowing which. What only the file can do yet (an import, erasing
//! a person, backups, encryption) asks for [`TeamDb::file`], which a server
//! answers with the typed refusal `not_on_server` before anything is done.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::language::Language;
use crate::store::changes::Source;
use crate::store::db::{Db, Identity, OpenOptions};
use crate::store::identity::User;
use crate::store::server::ServerDb;
use crate::store::sql::Sql;
use crate::store::write::WriteCtx;
use serde::Serialize;
use ts_rs::TS;

/// Which kind of team database is open, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StoreKind {
    File,
    Server,
}

// One per desktop session, made when a database is opened and never moved
// about: the variants' sizes (a server session is twice a file's) cost nothing.
#[allow(clippy::large_enum_variant)]
pub enum TeamDb {
    File(Db),
    Server(ServerDb),
}

impl TeamDb {
    /// Opens `place` for a desktop's background work (its reminders, its
    /// sequence steps) as the member `opts` names: the file as that member,
    /// the server as its login, which is the member there. `None` when the
    /// login is another member than the profile's: then nobody's work is done
    /// rather than someone else's.
    pub fn open_at(place: &Source, opts: OpenOptions) -> Result<Option<TeamDb>> {
        match place {
            Source::File(path) => Ok(Some(TeamDb::File(Db::open(path, opts)?))),
            Source::Server(server) => {
                let db = ServerDb::open(server, opts.clock.clone(), opts.language)?;
                if let Identity::Member(Some(id)) = &opts.identity {
                    if db.member().map(|u| &u.id) != Some(id) {
                        return Ok(None);
                    }
                }
                Ok(Some(TeamDb::Server(db)))
            }
        }
    }

    /// Whether this desktop may save here: a file it may only read (a share
    /// that refuses locks) says why; a server decides per save.
    pub fn read_only(&self) -> Option<crate::store::db::ReadOnlyReason> {
        match self {
            TeamDb::File(db) => db.read_only(),
            TeamDb::Server(_) => None,
        }
    }

    /// [`TeamDb::read_only`] as the error a save would meet (`read_only`,
    /// with the reason), before a command looks anything up.
    pub fn ensure_writable(&self) -> Result<()> {
        match self {
            TeamDb::File(db) => db.ensure_writable(),
            TeamDb::Server(_) => Ok(()),
        }
    }

    /// Where reads go, on either store.
    pub fn sql(&self) -> Sql<'_> {
        match self {
            TeamDb::File(db) => Sql::File(db.conn()),
            TeamDb::Server(db) => db.sql(),
        }
    }

    /// One save, on either store: the file's turn in its queue, or the
    /// server's `SERIALIZABLE` transaction run again when it met another.
    pub fn write<T>(&mut self, f: impl FnMut(&WriteCtx) -> Result<T>) -> Result<T> {
        match self {
            TeamDb::File(db) => db.write(f),
            TeamDb::Server(db) => db.write(f),
        }
    }

    /// The team file, for what only the file does so far.
    pub fn file(&mut self) -> Result<&mut Db> {
        match self {
            TeamDb::File(db) => Ok(db),
            TeamDb::Server(_) => Err(Error::NotOnServer),
        }
    }

    pub fn as_file(&self) -> Option<&Db> {
        match self {
            TeamDb::File(db) => Some(db),
            TeamDb::Server(_) => None,
        }
    }

    pub fn as_server(&self) -> Option<&ServerDb> {
        match self {
            TeamDb::File(_) => None,
            TeamDb::Server(db) => Some(db),
        }
    }

    pub fn kind(&self) -> StoreKind {
        match self {
            TeamDb::File(_) => StoreKind::File,
            TeamDb::Server(_) => StoreKind::Server,
        }
    }

    /// The file's path, or `login@host:port/database`: what the status bar
    /// shows, never a password.
    pub fn describe(&self) -> String {
        match self {
            TeamDb::File(db) => db.path().display().to_string(),
            TeamDb::Server(db) => db.server().describe(),
        }
    }

    /// The member this desktop acts as, once known.
    pub fn member(&self) -> Option<&User> {
        match self {
            TeamDb::File(db) => db.member(),
            TeamDb::Server(db) => db.member(),
        }
    }

    pub fn user(&self) -> &User {
        match self {
            TeamDb::File(db) => db.user(),
            TeamDb::Server(db) => db.user(),
        }
    }

    /// Reads this desktop's member again (after a rename or a merge).
    pub fn refresh_user(&mut self) -> Result<()> {
        match self {
            TeamDb::File(db) => db.refresh_user(),
            TeamDb::Server(db) => db.refresh_user(),
        }
    }

    pub fn clock(&self) -> &dyn Clock {
        match self {
            TeamDb::File(db) => db.clock(),
            TeamDb::Server(db) => db.clock(),
        }
    }

    pub fn language(&self) -> Language {
        match self {
            TeamDb::File(db) => db.language(),
            TeamDb::Server(db) => db.language(),
        }
    }

    pub fn set_language(&mut self, language: Language) {
        match self {
            TeamDb::File(db) => db.set_language(language),
            TeamDb::Server(db) => db.set_language(language),
        }
    }
}
