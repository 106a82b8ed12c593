//! A desktop's session on the team server: the server's counterpart of the
//! file's `Db`. It reads through [`ServerDb::sql`] and saves through
//! [`ServerDb::write`], which hands the domain the same [`WriteCtx`] as the
//! file's saves, so a domain function is written once for both stores.
//!
//! What differs from the file is how saves meet. The file lets one writer
//! in at a time (its queue and lock); the server lets saves run side by
//! side under `SERIALIZABLE`, and when two of them touched the same rows it
//! fails one with a serialization failure at a statement or at the commit.
//! That save is then run again from the start, the closure included, as the
//! file's `Db::write` runs it again after a busy lock: the domain reads the
//! rows as they are now and decides again (a versioned edit from a stale
//! copy then reports the colleague's version, as on the file). Only after
//! the wait limit does a save report busy, having written nothing.

use super::connect::{connect, Server};
use super::schema;
use crate::clock::{to_db, Clock};
use crate::error::{Error, ErrorCode, Result};
use crate::language::Language;
use crate::store::identity::{self, User};
use crate::store::sql::Sql;
use crate::store::write::WriteCtx;
use postgres::{Client, IsolationLevel};
use rand::Rng;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a save keeps trying when colleagues' saves keep meeting it.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// One member's connection to the team server.
pub struct ServerDb {
    client: RefCell<Client>,
    server: Server,
    user: User,
    clock: Arc<dyn Clock>,
    language: Language,
    wait_limit: Duration,
}

impl ServerDb {
    /// Connects as the login `server` names, checks the schema is this
    /// build's, and finds the member that login is (`users.login`; none yet
    /// is a profile that has not joined: [`ServerDb::join`]).
    pub fn open(server: &Server, clock: Arc<dyn Clock>, language: Language) -> Result<ServerDb> {
        let mut client = connect(server)?;
        match schema::version(&mut client)? {
            Some(v) if v == schema::CURRENT => {}
            Some(v) if v > schema::CURRENT => {
                return Err(Error::SchemaTooNew {
                    found: v,
                    known: schema::CURRENT,
                })
            }
            // An older schema is brought up by the admin's `server init`,
            // which members have no rights to run.
            found => {
                return Err(Error::Server {
                    failure: crate::error::ServerFailure::Refused,
                    detail: match found {
                        Some(v) => {
                            format!("the server's schema is version {v}: run `kizuna server init` to upgrade it")
                        }
                        None => "this database holds no Kizuna team: run `kizuna server init`".to_string(),
                    },
                })
            }
        }
        let login: String = client.query_one("SELECT session_user::text", &[])?.get(0);
        let client = RefCell::new(client);
        let user =
            identity::find_by_login(Sql::Server(&client), &login)?.unwrap_or_else(|| User::nobody(&login, &login));
        Ok(ServerDb {
            client,
            server: server.clone(),
            user,
            clock,
            language,
            wait_limit: WAIT_LIMIT,
        })
    }

    /// Where reads go. Each statement reads the server as it is at that
    /// moment (the server's default, `READ COMMITTED`), as a read of the
    /// file does outside a save.
    pub fn sql(&self) -> Sql<'_> {
        Sql::Server(&self.client)
    }

    pub fn server(&self) -> &Server {
        &self.server
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    /// The member this login is, once known.
    pub fn member(&self) -> Option<&User> {
        (!self.user.id.is_empty()).then_some(&self.user)
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }

    /// How long a save may keep meeting colleagues' saves before it reports busy.
    pub fn set_wait_limit(&mut self, limit: Duration) {
        self.wait_limit = limit;
    }

    /// Reads this member again: a rename or a merge since the session began.
    pub(crate) fn refresh_user(&mut self) -> Result<()> {
        if let Some(id) = self.member().map(|u| u.id.clone()) {
            if let Some(u) = identity::resolve(self.sql(), &id)? {
                self.user = u;
            }
        }
        Ok(())
    }

    /// This login's first visit: adds the member it is, attributed to
    /// itself, as a file's `Db::join_as_new_member` does. The team's first
    /// member also gets `seed` in the same save: what a new team starts
    /// with (the file's creator gets it from `Db::create_seeded`), chosen
    /// above the store (`app::new_file`) and named in this session's language.
    pub fn join(&mut self, display_name: &str, seed: impl Fn(&WriteCtx) -> Result<()>) -> Result<User> {
        if let Some(u) = self.member() {
            return Ok(u.clone());
        }
        let name = identity::validate_display_name(display_name)?;
        let login = self.user.login.clone();
        let before = std::mem::replace(&mut self.user, User::nobody(&login, &name));
        self.user.id = crate::id::new_id();
        let id = self.user.id.clone();
        // Two first members at once: both saves read no member, the server
        // fails one, and it runs again to find the other already seeded.
        let joined = self.write_unattributed(|ctx| {
            let first = ctx
                .sql()
                .query_opt("SELECT 1 FROM users LIMIT 1", &[], |r| r.get::<i64>(0))?
                .is_none();
            let u = identity::insert(ctx, &id, &login, &name)?;
            if first {
                seed(ctx)?;
            }
            Ok(u)
        });
        match joined {
            Ok(u) => {
                self.user = u.clone();
                Ok(u)
            }
            Err(e) => {
                self.user = before;
                Err(e)
            }
        }
    }

    /// Runs `f` in one `SERIALIZABLE` transaction; run again from the start
    /// when the server says it met another save (see the module's comment).
    pub fn write<T>(&mut self, f: impl FnMut(&WriteCtx) -> Result<T>) -> Result<T> {
        if self.member().is_none() {
            return Err(Error::IdentityRequired);
        }
        self.write_unattributed(f)
    }

    fn write_unattributed<T>(&mut self, mut f: impl FnMut(&WriteCtx) -> Result<T>) -> Result<T> {
        let started = Instant::now();
        loop {
            match self.write_once(&mut f) {
                Err(e) if e.code() == ErrorCode::Busy && started.elapsed() < self.wait_limit => {
                    // Both saves would otherwise meet again at once.
                    let ms = rand::rng().random_range(2..20);
                    std::thread::sleep(Duration::from_millis(ms));
                }
                other => return other,
            }
        }
    }

    fn write_once<T>(&mut self, f: &mut impl FnMut(&WriteCtx) -> Result<T>) -> Result<T> {
        let now = to_db(self.clock.now());
        let mut client = self.client.borrow_mut();
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::Serializable)
            .start()?;
        let tx = RefCell::new(tx);
        let changes = RefCell::new(Vec::new());
        let out = {
            let ctx = WriteCtx::on_server(
                Sql::Server(&tx),
                &changes,
                &self.user.id,
                now,
                self.clock.as_ref(),
                self.language,
            );
            let out = f(&ctx)?;
            ctx.append_changes()?;
            out
        };
        // A failed statement or commit leaves nothing: the transaction is
        // rolled back when dropped.
        tx.into_inner().commit()?;
        Ok(out)
    }
}
