//! Updating Kizuna from the team folder (kizuna_core::app::update): what the
//! `Kizuna-updates` folder beside the team file offers, and installing it.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::update::{self, InstallStarted, UpdateCheck};
use kizuna_core::{Error, Result};
use std::time::Duration;
use tauri::{AppHandle, State};

/// `None` while the local database is open: only a team file has a folder.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_check(state: State<'_, AppState>) -> Reply<Option<UpdateCheck>> {
    let Some(team) = state.with_session(|s| Ok(s.config().database.clone())).await? else {
        return Ok(None);
    };
    on_the_share(Duration::from_secs(10), move || Ok(update::look(&team)))
        .await
        .map(Some)
}

/// Copies the offered installer to this computer, checks the copy, and
/// starts it. On Windows the installer replaces this Kizuna, so it closes.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn install_update(app: AppHandle, state: State<'_, AppState>, version: String) -> Reply<InstallStarted> {
    let (team, data_dir) = state
        .with_session(|s| {
            let team = s.config().database.clone().ok_or(Error::NoDatabase)?;
            Ok((team, s.data_dir().to_path_buf()))
        })
        .await?;
    // A few megabytes from the share: slow over a VPN, so a generous limit.
    let verified = on_the_share(Duration::from_secs(120), move || {
        update::verify(&team, &version, &update::download_dir(&data_dir))
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

/// Reads of the share can hang with it: they run off the session (which
/// every other call needs) and are given up after `limit`.
async fn on_the_share<T, F>(limit: Duration, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    match tokio::time::timeout(limit, tauri::async_runtime::spawn_blocking(f)).await {
        Ok(Ok(outcome)) => outcome.map_err(|e| e.payload()),
        Ok(Err(e)) => Err(Error::Internal(e.to_string()).payload()),
        Err(_) => Err(Error::Unreachable {
            detail: format!("the team folder did not answer in {} s", limit.as_secs()),
        }
        .payload()),
    }
}
