//! Undoing a delete, whichever kind of record it took.

use super::Reply;
use crate::state::AppState;
use kizuna_core::store::deletion::{self, Restored};
use tauri::State;

/// Puts back everything one delete (of a deal or a customer) took.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn undo_deletion(state: State<'_, AppState>, deletion_id: String) -> Reply<Restored> {
    state
        .with_session(move |s| s.team()?.write(|ctx| deletion::undo(ctx, &deletion_id)))
        .await
}
