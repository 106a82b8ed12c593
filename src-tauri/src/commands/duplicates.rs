//! Duplicates: the possible pairs, "not a duplicate", and merging two
//! companies or two contacts (the engine's `dedupe`).

use super::Reply;
use crate::state::AppState;
use kizuna_core::dedupe::merge::{self, CompanyMerge, CompanyMergePreview, ContactMerge, ContactMergePreview, Merged};
use kizuna_core::dedupe::pairs::{self, DuplicateKind, DuplicateList};
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn duplicates(state: State<'_, AppState>, kind: DuplicateKind) -> Reply<DuplicateList> {
    state.with_session(move |s| pairs::list(s.team()?.sql(), kind)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn dismiss_duplicate(
    state: State<'_, AppState>,
    kind: DuplicateKind,
    first_id: String,
    second_id: String,
) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| pairs::dismiss(ctx, kind, &first_id, &second_id)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn company_merge_preview(
    state: State<'_, AppState>,
    survivor_id: String,
    loser_id: String,
) -> Reply<CompanyMergePreview> {
    state
        .with_session(move |s| merge::company_preview(s.team()?.sql(), &survivor_id, &loser_id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn merge_companies(state: State<'_, AppState>, merge: CompanyMerge) -> Reply<Merged> {
    state
        .with_session(move |s| s.team()?.write(|ctx| merge::companies(ctx, &merge)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn contact_merge_preview(
    state: State<'_, AppState>,
    survivor_id: String,
    loser_id: String,
) -> Reply<ContactMergePreview> {
    state
        .with_session(move |s| merge::contact_preview(s.team()?.sql(), &survivor_id, &loser_id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn merge_contacts(state: State<'_, AppState>, merge: ContactMerge) -> Reply<Merged> {
    state
        .with_session(move |s| s.team()?.write(|ctx| merge::contacts(ctx, &merge)))
        .await
}
