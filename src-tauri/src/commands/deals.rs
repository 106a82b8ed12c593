//! The board and its deals.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::outbox::Op;
use kizuna_core::pipeline::board::{self, Board, BoardFilter, CardCursor, CardPage};
use kizuna_core::pipeline::deal::{self, Deal, DealEdit, NewDeal};
use kizuna_core::pipeline::moves::{MoveDeal, MoveOutcome};
use kizuna_core::store::deletion::Deletion;
use std::collections::HashMap;
use tauri::State;

/// The board: per column the count, the totals and the first cards; a
/// column listed in `loaded` (stage id → cards on screen) keeps that many.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn board(
    state: State<'_, AppState>,
    pipeline_id: Option<String>,
    filter: Option<BoardFilter>,
    loaded: Option<HashMap<String, u32>>,
) -> Reply<Board> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            board::load_keeping(
                db.sql(),
                db.clock(),
                pipeline_id.as_deref(),
                &filter.unwrap_or_default(),
                &loaded.unwrap_or_default(),
            )
        })
        .await
}

/// The next cards of a column as it scrolls.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn board_column_page(
    state: State<'_, AppState>,
    stage_id: String,
    filter: Option<BoardFilter>,
    after: CardCursor,
) -> Reply<CardPage> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            board::column_page(
                db.sql(),
                db.clock(),
                &stage_id,
                &filter.unwrap_or_default(),
                &after,
                board::PAGE,
            )
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn deal(state: State<'_, AppState>, id: String) -> Reply<Deal> {
    state.with_session(move |s| deal::get(s.team()?.sql(), &id)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_deal(state: State<'_, AppState>, deal: NewDeal) -> Reply<Deal> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let id = db.write(|ctx| deal::create(ctx, &deal))?;
            deal::get(db.sql(), &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_deal(state: State<'_, AppState>, id: String, version: i64, edit: DealEdit) -> Reply<Deal> {
    state
        .write_or_queue(Op::UpdateDeal { id, version, edit }, |s, applied| {
            deal::get(s.team()?.sql(), &applied.id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn move_deal(state: State<'_, AppState>, request: MoveDeal) -> Reply<MoveOutcome> {
    state
        .write_or_queue(Op::MoveDeal { request }, |_, applied| applied.reply_as())
        .await
}

/// Soft delete, version-checked; the answer's id undoes it.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_deal(state: State<'_, AppState>, id: String, version: i64) -> Reply<Deletion> {
    state
        .with_session(move |s| s.team()?.write(|ctx| deal::delete(ctx, &id, version)))
        .await
}
