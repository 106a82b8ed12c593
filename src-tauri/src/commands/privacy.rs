//! Personal-data requests (docs/security.md): a person's disclosure as one
//! workbook, and erasing a person. Managers only (the engine checks).

use super::Reply;
use crate::state::AppState;
use kizuna_core::privacy::disclose::{self, Disclosed};
use kizuna_core::privacy::erase::{self, ErasePreview, Erased};
use kizuna_core::Error;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn erase_preview(state: State<'_, AppState>, contact_id: String) -> Reply<ErasePreview> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let viewer = db.member().map(|u| u.id.clone()).ok_or(Error::IdentityRequired)?;
            erase::preview(db.sql(), &viewer, &contact_id)
        })
        .await
}

/// Erases the contact; `typed_name` is what the user typed to confirm.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn erase_contact(state: State<'_, AppState>, contact_id: String, typed_name: String) -> Reply<Erased> {
    state
        .with_session(move |s| erase::erase_team(s.team()?, &contact_id, &typed_name))
        .await
}

/// Writes the contact's disclosure workbook to `path` (the save dialog's choice).
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn disclose_contact(state: State<'_, AppState>, contact_id: String, path: String) -> Reply<Disclosed> {
    state
        .with_session(move |s| disclose::disclose(s.team()?, &contact_id, std::path::Path::new(&path)))
        .await
}
