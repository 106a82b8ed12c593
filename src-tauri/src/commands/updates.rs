//! Updating Kizuna from the team folder (kizuna_core::update): what the
//! `Kizuna-updates` folder beside the team file offers, and installing it.

use super::Reply;
use crate::state::AppState;
use kizuna_core::update::{self, InstallStarted, UpdateCheck};
use kizuna_core::Error;
use std::time::Duration;
use tauri::{AppHandle, State};

/// `None` while the local database is open: only a team file has a folder.
#[tauri::command]
pub async fn update_check(state: State<'_, AppState>) -> Reply<Option<UpdateCheck>> {
    state
        .with_session(|s| Ok(s.config().database.as_deref().map(update::look)))
        .await
}

/// Copies the offered installer to this computer, checks the copy, and
/// starts it. On Windows the installer replaces this Kizuna, so it closes.
#[tauri::command]
pub async fn install_update(app: AppHandle, state: State<'_, AppState>, version: String) -> Reply<InstallStarted> {
    let verified = state
        .with_session(move |s| {
            let team = s.config().database.clone().ok_or(Error::NoDatabase)?;
            update::verify(&team, &version, &s.data_dir().join("updates"))
        })
        .await?;
    let started = update::launch(&verified, true).map_err(|e| e.payload())?;
    if started.restarts {
        // Long enough for the window to say so; the installer waits for us.
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            app.exit(0);
        });
    }
    Ok(started)
}
