//! Contracts and renewal management.

use super::Reply;
use crate::state::AppState;
use chrono::NaiveDate;
use kizuna_core::contracts::contract::{self, NewContract};
use kizuna_core::contracts::renewal::{self, RenewalCard, RenewalRate, RenewalStep, StepInput, StepOutcome};
use kizuna_core::store::deletion::Deletion;
use tauri::State;

/// The renewal board: running contracts ending within `horizon_days`, and
/// those decided in the last 30 days.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn renewal_board(state: State<'_, AppState>, horizon_days: u32) -> Reply<Vec<RenewalCard>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            renewal::board(db.sql(), db.clock(), i64::from(horizon_days.min(3660)))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn company_contracts(state: State<'_, AppState>, company_id: String) -> Reply<Vec<RenewalCard>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            renewal::for_company(db.sql(), db.clock().today(), &company_id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_contract(state: State<'_, AppState>, contract: NewContract) -> Reply<RenewalCard> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let id = db.write(|ctx| contract::create(ctx, &contract))?;
            renewal::get(db.sql(), db.clock().today(), &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_contract(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    contract: NewContract,
) -> Reply<RenewalCard> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| contract::update(ctx, &id, version, &contract))?;
            renewal::get(db.sql(), db.clock().today(), &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn advance_renewal(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    step: RenewalStep,
    input: StepInput,
) -> Reply<StepOutcome> {
    state
        .with_session(move |s| s.team()?.write(|ctx| renewal::advance(ctx, &id, version, step, &input)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn renewal_rate(state: State<'_, AppState>, from: NaiveDate, to: NaiveDate) -> Reply<RenewalRate> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            renewal::rate(db.sql(), db.clock(), from, to)
        })
        .await
}

/// Removes a contract with its open renewal work; undoable.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_contract(state: State<'_, AppState>, id: String, version: i64) -> Reply<Deletion> {
    state
        .with_session(move |s| s.team()?.write(|ctx| contract::delete(ctx, &id, version)))
        .await
}
