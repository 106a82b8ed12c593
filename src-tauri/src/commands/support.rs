//! Support cases: the inbox, a case's page, and every step on a case.
//! Opening a case, replying and noting wait in the outbox while the share
//! is away, as logging a touch does.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::outbox::Op;
use kizuna_core::support::case::{self, CaseEdit, CaseStatus, NewCase, Priority};
use kizuna_core::support::inbox::{self, CaseDetail, CaseRow, InboxQuery, InboxView};
use kizuna_core::support::thread::NewPost;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn support_inbox(state: State<'_, AppState>, query: InboxQuery) -> Reply<InboxView> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            inbox::view(db.sql(), db.clock(), &db.user().id, &query)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn support_case(state: State<'_, AppState>, id: String) -> Reply<CaseDetail> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            inbox::case_detail(db.sql(), db.clock(), &db.user().id, &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn company_cases(state: State<'_, AppState>, company_id: String) -> Reply<Vec<CaseRow>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            inbox::company_cases(db.sql(), db.clock(), &db.user().id, &company_id)
        })
        .await
}

/// Returns the new case's id. Its id is chosen here, before it may wait in
/// the outbox, so the window can open the case page and queue replies.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn open_case(state: State<'_, AppState>, new_case: NewCase) -> Reply<String> {
    let mut case = new_case;
    case.id = Some(case.id.unwrap_or_else(kizuna_core::id::new_id));
    state
        .write_or_queue(Op::OpenCase { case }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn reply_to_case(state: State<'_, AppState>, post: NewPost) -> Reply<String> {
    state
        .write_or_queue(Op::ReplyToCase { post }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn note_on_case(state: State<'_, AppState>, post: NewPost) -> Reply<String> {
    state
        .write_or_queue(Op::NoteOnCase { post }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_case(state: State<'_, AppState>, id: String, version: i64, edit: CaseEdit) -> Reply<i64> {
    state
        .with_session(move |s| s.team()?.write(|ctx| case::update(ctx, &id, version, &edit)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_case_status(state: State<'_, AppState>, id: String, version: i64, status: CaseStatus) -> Reply<i64> {
    state
        .with_session(move |s| s.team()?.write(|ctx| case::set_status(ctx, &id, version, status)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn assign_case(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    assignee_id: Option<String>,
) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| case::assign(ctx, &id, version, assignee_id.as_deref()))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_case_priority(state: State<'_, AppState>, id: String, version: i64, priority: Priority) -> Reply<i64> {
    state
        .with_session(move |s| s.team()?.write(|ctx| case::set_priority(ctx, &id, version, priority)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_case(state: State<'_, AppState>, id: String, version: i64) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| case::delete(ctx, &id, version)))
        .await
}
