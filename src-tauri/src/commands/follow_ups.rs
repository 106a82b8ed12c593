//! Follow-ups, cadence, the nobody-forgotten list and notification settings.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::outbox::Op;
use kizuna_core::followups::follow_up::{self, FollowUpItem, FollowUpQuery, NewFollowUp, SnoozeChoice};
use kizuna_core::followups::reminder::{self, NotifyPrefs};
use kizuna_core::followups::retention::{self, OwnerGroup};
use kizuna_core::team::settings::TeamSettings;
use kizuna_core::timeline::activity::NewActivity;
use kizuna_core::timeline::cadence::{self, CadenceAdvice};
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn follow_ups(
    state: State<'_, AppState>,
    mine_only: bool,
    include_done: bool,
    company_id: Option<String>,
) -> Reply<Vec<FollowUpItem>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let q = FollowUpQuery {
                assignee_id: mine_only.then(|| db.user().id.clone()),
                company_id,
                include_done,
            };
            follow_up::list(db.sql(), db.clock(), &q)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_follow_up(state: State<'_, AppState>, follow_up: NewFollowUp) -> Reply<FollowUpItem> {
    state
        .write_or_queue(Op::CreateFollowUp { follow_up }, |s, applied| {
            let db = s.team()?;
            follow_up::get(db.sql(), db.clock(), &applied.id)
        })
        .await
}

/// Done, optionally with the touch that did it logged in the same step.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn complete_follow_up(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    touch: Option<NewActivity>,
) -> Reply<Option<String>> {
    state
        .write_or_queue(Op::CompleteFollowUp { id, version, touch }, |_, applied| {
            applied.reply_as()
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn snooze_follow_up(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    choice: SnoozeChoice,
) -> Reply<FollowUpItem> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let prefs = reminder::load_prefs(db.sql(), &db.user().id)?;
            let until = follow_up::snooze_until(&choice, db.clock(), &prefs)?;
            db.write(|ctx| follow_up::snooze(ctx, &id, version, until))?;
            follow_up::get(db.sql(), db.clock(), &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn reassign_follow_up(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    assignee_id: String,
) -> Reply<FollowUpItem> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            db.write(|ctx| follow_up::reassign(ctx, &id, version, &assignee_id))?;
            follow_up::get(db.sql(), db.clock(), &id)
        })
        .await
}

/// The cadence's proposal for a customer's next follow-up, and the
/// pushiness warning when the team already reached out too often.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn cadence(state: State<'_, AppState>, company_id: String) -> Reply<CadenceAdvice> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let team = TeamSettings::load(db.sql())?;
            cadence::advise(db.sql(), db.clock(), &team, &company_id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn nobody_forgotten(state: State<'_, AppState>) -> Reply<Vec<OwnerGroup>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let team = TeamSettings::load(db.sql())?;
            let me = db.user().id.clone();
            retention::nobody_forgotten(db.sql(), db.clock(), &team, Some(&me))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn due_count(state: State<'_, AppState>) -> Reply<u32> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            follow_up::due_count(db.sql(), db.clock(), &db.user().id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn notify_prefs(state: State<'_, AppState>) -> Reply<NotifyPrefs> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            reminder::load_prefs(db.sql(), &db.user().id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn save_notify_prefs(state: State<'_, AppState>, prefs: NotifyPrefs) -> Reply<NotifyPrefs> {
    state
        .with_session(move |s| s.team()?.write(|ctx| reminder::save_prefs(ctx, &prefs)))
        .await
}

/// Whether Kizuna starts at login (a per-machine choice, kept by the OS).
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub fn autostart(app: AppHandle) -> Reply<bool> {
    app.autolaunch()
        .is_enabled()
        .map_err(|e| kizuna_core::Error::Internal(e.to_string()).payload())
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub fn set_autostart(app: AppHandle, enabled: bool) -> Reply<bool> {
    let manager = app.autolaunch();
    let result = if enabled { manager.enable() } else { manager.disable() };
    result
        .and_then(|()| manager.is_enabled())
        .map_err(|e| kizuna_core::Error::Internal(e.to_string()).payload())
}
