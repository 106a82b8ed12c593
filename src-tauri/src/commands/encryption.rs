//! The team file's encryption and where its copies are kept
//! (kizuna_core::store::cipher, kizuna_core::store::backup::Placement).

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::session::{AppStatus, EncryptionChange, EncryptionOutcome, EncryptionView};
use kizuna_core::store::backup::Placement;
use tauri::State;

/// The passphrase or recovery key typed on the "enter the passphrase" screen.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn unlock_team_database(state: State<'_, AppState>, passphrase: String) -> Reply<AppStatus> {
    state.with_session(move |s| s.unlock(&passphrase)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn encryption(state: State<'_, AppState>) -> Reply<EncryptionView> {
    state.with_session(|s| s.encryption()).await
}

/// Encrypt, change the passphrase, or decrypt (`passphrase` empty then).
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn change_encryption(
    state: State<'_, AppState>,
    change: EncryptionChange,
    passphrase: String,
) -> Reply<EncryptionOutcome> {
    state
        .with_session(move |s| s.change_encryption(change, &passphrase))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_backup_placement(
    state: State<'_, AppState>,
    version: i64,
    placement: Placement,
) -> Reply<EncryptionView> {
    state
        .with_session(move |s| s.set_backup_placement(version, &placement))
        .await
}

/// This desktop leaves the team: its copies deleted, the passphrase forgotten.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn leave_team(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.with_session(|s| s.leave_team()).await
}
