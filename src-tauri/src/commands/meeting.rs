//! The weekly sales meeting (engine: `reports::meeting`, docs/meeting.md)
//! and its presentation mode's full screen.

use super::{read_team, Reply};
use crate::state::AppState;
use chrono::NaiveDate;
use kizuna_core::reports::meeting::{self, At, Meeting};
use kizuna_core::Error;
use tauri::{State, WebviewWindow};

/// The meeting of the week holding `week` (None: this week). The session
/// is held only to learn which team and the user's clock; the report reads
/// through its own read-only connection, so it never waits behind (or
/// holds up) this desktop's saves.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn meeting(state: State<'_, AppState>, week: Option<NaiveDate>) -> Reply<Meeting> {
    let clock = |s: &mut kizuna_core::app::session::Session| {
        let db = s.team()?;
        Ok(At {
            now: db.clock().now(),
            offset: db.clock().offset(),
        })
    };
    read_team(&state, clock, move |team, clock| meeting::meeting(team, &clock, week)).await
}

/// Presentation mode fills the screen (`on`) and gives it back.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub fn meeting_fullscreen(window: WebviewWindow, on: bool) -> Reply<()> {
    window
        .set_fullscreen(on)
        .map_err(|e| Error::Internal(format!("full screen: {e}")).payload())
}
