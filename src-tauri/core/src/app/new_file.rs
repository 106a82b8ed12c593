//! What a new team file starts with. The store creates the file and its
//! schema; what a team needs on the first day (a pipeline with the usual
//! stages, the team settings, both named in the creator's language) belongs
//! to the folders above it, so it is chosen here and handed down as a seed:
//! to a new file, and to the first member who joins a new team server.

use crate::clock::Clock;
use crate::error::Result;
use crate::language::Language;
use crate::pipeline::stage;
use crate::store::db::{Db, OpenOptions};
use crate::store::identity::User;
use crate::store::server::{Server, ServerDb};
use crate::store::write::WriteCtx;
use crate::team::settings::TeamSettings;
use std::path::Path;
use std::sync::Arc;

/// A new team's first day, in the language of the save it runs in.
fn first_day(ctx: &WriteCtx) -> Result<()> {
    stage::create_default(ctx)?;
    TeamSettings::for_language(ctx.lang).save(ctx)
}

impl Db {
    /// Creates a new, empty team database with the default pipeline and
    /// team settings, named in the creator's language (`opts.language`).
    /// Refuses to touch a file that already has content.
    pub fn create(path: &Path, opts: OpenOptions) -> Result<Db> {
        Db::create_seeded(path, opts, first_day)
    }
}

impl ServerDb {
    /// [`ServerDb::open`], and a login that is no member yet joins under
    /// its own name (the member can rename themself later): what a desktop
    /// and the CLI do, since on a server the login is the member. A team
    /// begun on the server (`kizuna server init`, not a moved file) gets
    /// its first day with its first member, as a new file with its creator.
    pub fn open_as_member(server: &Server, clock: Arc<dyn Clock>, language: Language) -> Result<ServerDb> {
        let mut db = ServerDb::open(server, clock, language)?;
        if db.member().is_none() {
            db.join(server.login().unwrap_or_default(), first_day)?;
        }
        Ok(db)
    }

    /// Joins as `display_name`, with the first day if this is the team's
    /// first member (tests name members apart from their logins).
    pub fn join_named(&mut self, display_name: &str) -> Result<User> {
        self.join(display_name, first_day)
    }
}
