//! Taking the team's data out as a file (docs/export.md).

use super::Reply;
use crate::state::AppState;
use kizuna_core::export::{ExportOutcome, ExportRequest};
use kizuna_core::Error;
use tauri::State;

/// Writes the export to `path` (the save dialog's choice). The session is
/// held only to learn which file, language and time zone; the export itself
/// reads through its own read-only connection off the session, so a large
/// one neither blocks the user's other work nor runs into the call limit.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn export_data(state: State<'_, AppState>, request: ExportRequest, path: String) -> Reply<ExportOutcome> {
    let (team_file, language, offset) = state
        .with_session(|s| {
            let db = s.db()?;
            Ok((db.path().to_path_buf(), db.language(), db.clock().offset()))
        })
        .await?;
    tauri::async_runtime::spawn_blocking(move || {
        kizuna_core::export::export_team_file(&team_file, language, offset, &request, std::path::Path::new(&path))
    })
    .await
    .map_err(|e| Error::Internal(format!("background task failed: {e}")).payload())?
    .map_err(|e| e.payload())
}
