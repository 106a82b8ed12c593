//! Pipelines and their stages, as Settings edits them.

use super::Reply;
use crate::state::AppState;
use kizuna_core::pipeline::stage::{self, PipelineStages, StageEdit};
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn pipelines(state: State<'_, AppState>) -> Reply<Vec<PipelineStages>> {
    state.with_session(|s| stage::all_with_stages(s.team()?.sql())).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_pipeline(state: State<'_, AppState>, name: String) -> Reply<Vec<PipelineStages>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| stage::create_pipeline(ctx, &name))?;
            stage::all_with_stages(db.sql())
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn save_pipeline(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    name: String,
    stages: Vec<StageEdit>,
) -> Reply<Vec<PipelineStages>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| stage::save_pipeline(ctx, &id, version, &name, &stages))?;
            stage::all_with_stages(db.sql())
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_pipeline(state: State<'_, AppState>, id: String, version: i64) -> Reply<Vec<PipelineStages>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| stage::delete_pipeline(ctx, &id, version))?;
            stage::all_with_stages(db.sql())
        })
        .await
}
