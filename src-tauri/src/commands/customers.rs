//! Customers (companies): the list, one customer, its summary, deleting one.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::outbox::Op;
use kizuna_core::customers::company::{
    self, Company, CompanyEdit, CompanyListItem, CompanyQuery, DeletionImpact, NewCompany,
};
use kizuna_core::customers::owner::{OwnerChange, OwnerChanged};
use kizuna_core::overview::customer::{self, CompanySummary};
use kizuna_core::store::deletion::Deletion;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn companies(state: State<'_, AppState>, query: CompanyQuery) -> Reply<Vec<CompanyListItem>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            company::list(db.sql(), db.clock(), &query)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_company(state: State<'_, AppState>, company: NewCompany) -> Reply<String> {
    state
        .write_or_queue(Op::CreateCompany { company }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn company(state: State<'_, AppState>, id: String) -> Reply<Company> {
    state.with_session(move |s| company::get(s.team()?.sql(), &id)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_company(state: State<'_, AppState>, id: String, version: i64, edit: CompanyEdit) -> Reply<i64> {
    state
        .write_or_queue(Op::UpdateCompany { id, version, edit }, |_, applied| {
            applied
                .version
                .ok_or_else(|| kizuna_core::Error::Internal("an edit without its new version".into()))
        })
        .await
}

/// What deleting a customer would take with it, for the question before.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn company_deletion_impact(state: State<'_, AppState>, id: String) -> Reply<DeletionImpact> {
    state
        .with_session(move |s| company::deletion_impact(s.team()?.sql(), &id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_company(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    with_open_work: bool,
) -> Reply<Deletion> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| company::delete(ctx, &id, version, with_open_work))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn company_summary(state: State<'_, AppState>, id: String) -> Reply<CompanySummary> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            customer::summary(db.sql(), db.clock(), &id)
        })
        .await
}

/// Archives or unarchives a customer as of the version the page showed.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_company_archived(state: State<'_, AppState>, id: String, version: i64, archived: bool) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| kizuna_core::customers::archive::set_archived(ctx, &id, version, archived))
        })
        .await
}

/// The owner of the ticked customers, in batches; colleagues' changes since
/// the list was loaded come back as skipped.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn change_company_owner(state: State<'_, AppState>, change: OwnerChange) -> Reply<OwnerChanged> {
    state
        .with_session(move |s| kizuna_core::customers::owner::change_owner(s.team()?, &change))
        .await
}
