//! Taking the team's data out as a file (docs/export.md).

use super::{read_team, Reply};
use crate::state::AppState;
use kizuna_core::export::{ExportOutcome, ExportRequest};
use tauri::State;

/// Writes the export to `path` (the save dialog's choice). The session is
/// held only to learn which team, language and time zone; the export itself
/// reads through its own read-only connection off the session, so a large
/// one neither blocks the user's other work nor runs into the call limit.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn export_data(state: State<'_, AppState>, request: ExportRequest, path: String) -> Reply<ExportOutcome> {
    read_team(
        &state,
        |s| {
            let db = s.team()?;
            Ok((db.language(), db.clock().offset()))
        },
        move |team, (language, offset)| {
            kizuna_core::export::export(team, language, offset, &request, std::path::Path::new(&path))
        },
    )
    .await
}
