//! Tauri commands: thin on purpose. Each one parses its input, calls the
//! engine through the session, and returns the engine's typed error payload.
//! One file per domain; the UI calls each command by its function name.

use kizuna_core::ErrorPayload;

pub mod audit;
pub mod contacts;
pub mod customers;
pub mod database;
pub mod deals;
pub mod deletions;
pub mod duplicates;
pub mod encryption;
pub mod export;
pub mod follow_ups;
pub mod handoff;
pub mod import;
pub mod leads;
pub mod mail;
pub mod meeting;
pub mod members;
pub mod outbox;
pub mod pipelines;
pub mod preferences;
pub mod privacy;
pub mod renewals;
pub mod reports;
pub mod search;
pub mod sequences;
pub mod support;
pub mod team_settings;
pub mod timeline;
pub mod updates;

pub(crate) type Reply<T> = Result<T, ErrorPayload>;

use crate::state::AppState;
use kizuna_core::app::session::Session;
use kizuna_core::store::changes::Source;
use kizuna_core::store::reader::Reader;
use kizuna_core::store::sql::Sql;
use kizuna_core::{Error, Result};

/// Runs `f` on the blocking pool, off the UI thread.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")).payload())?
        .map_err(|e| e.payload())
}

/// Runs `f` on a read-only connection of its own to the team (the file or
/// the server), so a long read (a report, an export, the meeting) neither
/// holds up this desktop's saves nor runs into the session's call limit.
/// The session is held only for `ask`: which team, and what `f` needs from
/// it (the user's clock, language, who is asking).
pub(crate) async fn read_team<A, T>(
    state: &AppState,
    ask: impl FnOnce(&mut Session) -> Result<A> + Send + 'static,
    f: impl FnOnce(Sql, A) -> Result<T> + Send + 'static,
) -> Reply<T>
where
    A: Send + 'static,
    T: Send + 'static,
{
    let (team, asked) = state
        .with_session(move |s| {
            let team = s.watch_source().ok_or(Error::NoDatabase)?;
            Ok((team, ask(s)?))
        })
        .await?;
    read_from(team, move |sql| f(sql, asked)).await
}

/// [`read_team`] where the team is already known.
pub(crate) async fn read_from<T: Send + 'static>(
    team: Source,
    f: impl FnOnce(Sql) -> Result<T> + Send + 'static,
) -> Reply<T> {
    blocking(move || f(Reader::open(&team)?.sql())).await
}
