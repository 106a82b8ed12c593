//! What a new team file starts with. The store creates the file and its
//! schema; what a team needs on the first day (a pipeline with the usual
//! stages, the team settings, both named in the creator's language) belongs
//! to the folders above it, so it is chosen here and handed down as a seed.

use crate::error::Result;
use crate::pipeline::stage;
use crate::store::db::{Db, OpenOptions};
use crate::team::settings::TeamSettings;
use std::path::Path;

impl Db {
    /// Creates a new, empty team database with the default pipeline and
    /// team settings, named in the creator's language (`opts.language`).
    /// Refuses to touch a file that already has content.
    pub fn create(path: &Path, opts: OpenOptions) -> Result<Db> {
        Db::create_seeded(path, opts, |ctx| {
            stage::create_default(ctx)?;
            TeamSettings::for_language(ctx.lang).save(ctx)
        })
    }
}
