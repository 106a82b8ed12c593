//! A customer's contacts (担当者): add, edit, remove.

use super::Reply;
use crate::state::AppState;
use kizuna_core::customers::contact::{Contact, ContactEdit, NewContact};
use kizuna_core::store::deletion::Deletion;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn contacts(state: State<'_, AppState>, company_id: String) -> Reply<Vec<Contact>> {
    state
        .with_session(move |s| kizuna_core::customers::contact::contacts_of(s.team()?.sql(), &company_id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_contact(state: State<'_, AppState>, contact: NewContact) -> Reply<String> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| kizuna_core::customers::contact::create_contact(ctx, &contact))
        })
        .await
}

/// Saves the contact dialog against the version it showed; returns the new one.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_contact(state: State<'_, AppState>, id: String, version: i64, edit: ContactEdit) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| kizuna_core::customers::contact::update_contact(ctx, &id, version, &edit))
        })
        .await
}

/// Soft and undoable: the timeline entries and deals that name the contact keep the name.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_contact(state: State<'_, AppState>, id: String, version: i64) -> Reply<Deletion> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| kizuna_core::customers::contact::delete_contact(ctx, &id, version))
        })
        .await
}
