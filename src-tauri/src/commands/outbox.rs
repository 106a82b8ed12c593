//! Work kept on this computer while the share is away (kizuna_core::app::outbox).

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::outbox::{DrainReport, Entry, OutboxCounts};
use tauri::State;

/// How much work waits in this computer's outbox.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub fn outbox_counts(state: State<'_, AppState>) -> Reply<OutboxCounts> {
    state.outbox_counts()
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub fn outbox_entries(state: State<'_, AppState>) -> Reply<Vec<Entry>> {
    state.outbox_entries()
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn drain_outbox(state: State<'_, AppState>) -> Reply<DrainReport> {
    state.drain_outbox().await
}

/// A conflict's answer: `apply_mine` puts the waiting edit on top of the
/// colleague's version; otherwise it is let go.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn resolve_outbox(state: State<'_, AppState>, seq: i64, apply_mine: bool) -> Reply<()> {
    state.resolve_outbox(seq, apply_mine).await
}
