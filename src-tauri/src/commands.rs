//! Tauri commands: thin on purpose. Each one parses its input, calls the
//! engine through the session, and returns the engine's typed error payload.

use crate::state::AppState;
use crate::tray;
use kizuna_core::board::Board;
use kizuna_core::company::CompanyListItem;
use kizuna_core::config::Language;
use kizuna_core::contract::RenewalItem;
use kizuna_core::follow_up::FollowUpItem;
use kizuna_core::session::AppStatus;
use kizuna_core::{board, company, contract, follow_up, ErrorPayload};
use std::path::PathBuf;
use tauri::{AppHandle, State};

type Reply<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.status().await
}

#[tauri::command]
pub async fn board(state: State<'_, AppState>, pipeline_id: Option<String>) -> Reply<Board> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            board::load(db.conn(), db.clock(), pipeline_id.as_deref(), &Default::default())
        })
        .await
}

#[tauri::command]
pub async fn companies(state: State<'_, AppState>, text: Option<String>) -> Reply<Vec<CompanyListItem>> {
    state
        .with_session(move |s| company::list(s.db()?.conn(), text.as_deref()))
        .await
}

#[tauri::command]
pub async fn follow_ups(state: State<'_, AppState>, mine_only: bool) -> Reply<Vec<FollowUpItem>> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            let me = mine_only.then(|| db.user().id.clone());
            follow_up::list_open(db.conn(), db.clock(), me.as_deref())
        })
        .await
}

#[tauri::command]
pub async fn renewals(state: State<'_, AppState>, within_days: u32) -> Reply<Vec<RenewalItem>> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            contract::upcoming(db.conn(), db.clock().today(), i64::from(within_days.min(3660)))
        })
        .await
}

#[tauri::command]
pub async fn create_team_database(state: State<'_, AppState>, path: String) -> Reply<AppStatus> {
    state
        .with_session(move |s| s.create_team_database(&PathBuf::from(path)))
        .await
}

#[tauri::command]
pub async fn open_team_database(state: State<'_, AppState>, path: String) -> Reply<AppStatus> {
    state
        .with_session(move |s| s.open_team_database(&PathBuf::from(path)))
        .await
}

#[tauri::command]
pub async fn use_local_database(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.with_session(|s| s.use_local_database()).await
}

#[tauri::command]
pub async fn retry_open(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.with_session(|s| Ok(s.retry_open())).await
}

#[tauri::command]
pub async fn set_language(app: AppHandle, state: State<'_, AppState>, language: Option<Language>) -> Reply<AppStatus> {
    let status = state.with_session(move |s| s.set_language(language)).await?;
    tray::relabel(&app, status.language);
    Ok(status)
}

#[tauri::command]
pub async fn set_close_to_tray(state: State<'_, AppState>, enabled: bool) -> Reply<AppStatus> {
    state.with_session(move |s| s.set_close_to_tray(enabled)).await
}

#[tauri::command]
pub async fn set_display_name(state: State<'_, AppState>, name: String) -> Reply<AppStatus> {
    state.with_session(move |s| s.set_display_name(&name)).await
}
