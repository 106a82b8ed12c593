//! Search across customers, contacts, deals and notes.

use super::Reply;
use crate::state::AppState;
use kizuna_core::timeline::search::{self, SearchCursor, SearchGroup, SearchKind, SearchResults};
use tauri::State;

/// Results per kind at first: enough to find the record, few enough to scan by eye.
const SEARCH_LIMIT: u32 = 8;

/// Each "show more" of one kind.
const SEARCH_MORE: u32 = 20;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn search(state: State<'_, AppState>, query: String) -> Reply<SearchResults> {
    state
        .with_session(move |s| {
            let lang = s.status().language;
            search::search(s.team()?.sql(), &query, SEARCH_LIMIT, lang)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn search_more(
    state: State<'_, AppState>,
    query: String,
    kind: SearchKind,
    after: SearchCursor,
) -> Reply<SearchGroup> {
    state
        .with_session(move |s| {
            let lang = s.status().language;
            search::search_more(s.team()?.sql(), &query, kind, &after, SEARCH_MORE, lang)
        })
        .await
}
