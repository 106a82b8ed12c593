//! Hand-offs between sales and support: the sheet, its acknowledgement and
//! questions, the Hand-offs view, and support handing a case to sales.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::outbox::Op;
use kizuna_core::handoff::acknowledge;
use kizuna_core::handoff::inbox::{self, HandoffLists, HandoffSummary};
use kizuna_core::handoff::sheet::{self, HandoffDraft, HandoffInput, HandoffSheet};
use kizuna_core::handoff::to_sales::{self, ToSalesInput, ToSalesOutcome, ToSalesTarget};
use tauri::State;

/// A new sheet for a customer, prefilled from a won deal when named.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn handoff_draft(
    state: State<'_, AppState>,
    company_id: String,
    deal_id: Option<String>,
) -> Reply<HandoffDraft> {
    state
        .with_session(move |s| sheet::draft(s.team()?.sql(), &company_id, deal_id.as_deref()))
        .await
}

/// Sends a sheet (kept in the outbox while the share is away); the sent
/// sheet's id.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn send_handoff(state: State<'_, AppState>, handoff: HandoffInput) -> Reply<String> {
    state
        .write_or_queue(Op::SendHandoff { handoff }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_handoff(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    handoff: HandoffInput,
) -> Reply<HandoffSheet> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| sheet::update(ctx, &id, version, &handoff))?;
            sheet::get(db.sql(), &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn handoff(state: State<'_, AppState>, id: String) -> Reply<HandoffSheet> {
    state.with_session(move |s| sheet::get(s.team()?.sql(), &id)).await
}

/// Acknowledges a sheet (kept in the outbox while the share is away); the
/// sheet's new version.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn acknowledge_handoff(state: State<'_, AppState>, id: String, version: i64) -> Reply<Option<i64>> {
    state
        .write_or_queue(Op::AcknowledgeHandoff { id, version }, |_, applied| Ok(applied.version))
        .await
}

/// A question on a sheet (support) or an answer (the rep); the sheet as it is now.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn handoff_message(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    question: bool,
    body: String,
) -> Reply<HandoffSheet> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| {
                if question {
                    acknowledge::ask(ctx, &id, version, &body)
                } else {
                    acknowledge::answer(ctx, &id, version, &body)
                }
            })?;
            sheet::get(db.sql(), &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn handoff_lists(state: State<'_, AppState>) -> Reply<HandoffLists> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            inbox::lists(db.sql(), db.clock(), &db.user().id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn company_handoffs(state: State<'_, AppState>, company_id: String) -> Reply<Vec<HandoffSummary>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            inbox::for_company(db.sql(), db.clock(), &company_id)
        })
        .await
}

/// Who a hand-over from a case goes to, and what it may name.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn to_sales_target(state: State<'_, AppState>, case_id: String) -> Reply<ToSalesTarget> {
    state
        .with_session(move |s| to_sales::target(s.team()?.sql(), &case_id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn hand_to_sales(state: State<'_, AppState>, input: ToSalesInput) -> Reply<ToSalesOutcome> {
    state
        .with_session(move |s| s.team()?.write(|ctx| to_sales::hand_to_sales(ctx, &input)))
        .await
}
