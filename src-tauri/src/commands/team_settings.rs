//! The settings the whole team shares (kizuna_core::team::settings).

use super::Reply;
use crate::state::AppState;
use kizuna_core::team::settings::{self, TeamSettings, VersionedSettings};
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn team_settings(state: State<'_, AppState>) -> Reply<VersionedSettings> {
    state
        .with_session(|s| {
            let (settings, version) = settings::load_versioned(s.team()?.sql())?;
            Ok(VersionedSettings { settings, version })
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_team_settings(
    state: State<'_, AppState>,
    version: i64,
    settings: TeamSettings,
) -> Reply<VersionedSettings> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| settings::update(ctx, version, &settings))?;
            // Read back: validation trims and de-duplicates what was typed.
            let (settings, version) = settings::load_versioned(db.sql())?;
            Ok(VersionedSettings { settings, version })
        })
        .await
}
