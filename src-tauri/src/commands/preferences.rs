//! This computer profile's own choices: language, the tray, the name shown.

use super::Reply;
use crate::logging;
use crate::state::AppState;
use crate::tray;
use kizuna_core::app::config::NumberStyle;
use kizuna_core::app::session::AppStatus;
use kizuna_core::language::Language;
use tauri::{AppHandle, State};

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_language(app: AppHandle, state: State<'_, AppState>, language: Option<Language>) -> Reply<AppStatus> {
    let status = state.with_session(move |s| s.set_language(language)).await?;
    tray::relabel(&app, status.language);
    Ok(status)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_close_to_tray(state: State<'_, AppState>, enabled: bool) -> Reply<AppStatus> {
    state.with_session(move |s| s.set_close_to_tray(enabled)).await
}

/// 万/億 or every digit in the charts (this profile's choice).
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_number_style(state: State<'_, AppState>, style: NumberStyle) -> Reply<AppStatus> {
    state.with_session(move |s| s.set_number_style(style)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_display_name(state: State<'_, AppState>, version: i64, name: String) -> Reply<AppStatus> {
    state.with_session(move |s| s.set_display_name(version, &name)).await
}

/// The folder of this computer's log (logging.rs), for Settings to show:
/// what to send whoever helps when something goes wrong.
#[tauri::command]
pub fn log_location(folder: State<'_, logging::Folder>) -> String {
    folder.0.display().to_string()
}
