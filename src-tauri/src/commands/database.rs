//! Which database this desktop has open: the status, choosing or creating
//! a team file or connecting to a team server, falling back to the local
//! one, and this desktop's backups.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::server_choice::ServerChoice;
use kizuna_core::app::session::{AppStatus, RestoreOutcome, TeamServerView};
use kizuna_core::store::backup::BackupInfo;
use std::path::PathBuf;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn app_status(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.status().await
}

/// Whether the team file answered the change watcher's last probe (the
/// `db-reachability` event says when that changes).
#[tauri::command]
pub fn database_reachable(state: State<'_, AppState>) -> bool {
    state.reachable()
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_team_database(state: State<'_, AppState>, path: String) -> Reply<AppStatus> {
    state
        .with_session(move |s| s.create_team_database(&PathBuf::from(path)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn open_team_database(state: State<'_, AppState>, path: String) -> Reply<AppStatus> {
    state
        .with_session(move |s| s.open_team_database(&PathBuf::from(path)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn use_local_database(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.with_session(|s| s.use_local_database()).await
}

/// The team server this desktop connects to, and whether its password is kept.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn team_server(state: State<'_, AppState>) -> Reply<TeamServerView> {
    state.with_session(|s| s.team_server()).await
}

/// Connects to a team server and switches to it; an empty password uses
/// the one the credential store keeps.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn connect_team_server(
    state: State<'_, AppState>,
    choice: ServerChoice,
    password: String,
) -> Reply<AppStatus> {
    state
        .with_session(move |s| s.connect_team_server(&choice, &password))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn retry_open(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.with_session(|s| Ok(s.retry_open())).await
}

/// This desktop's copies of the database, newest first.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn backups(state: State<'_, AppState>) -> Reply<Vec<BackupInfo>> {
    state.with_session(|s| s.backups()).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn back_up_now(state: State<'_, AppState>) -> Reply<BackupInfo> {
    state.with_session(|s| s.back_up_now()).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn restore_backup(state: State<'_, AppState>, path: String) -> Reply<RestoreOutcome> {
    state
        .with_session(move |s| s.restore_backup(std::path::Path::new(&path)))
        .await
}
