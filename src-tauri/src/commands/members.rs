//! Who this computer profile is, the team's members, and the same member
//! active on two computers.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::session::{AppStatus, IdentityChoice, WhoAreYou};
use kizuna_core::team::member::{self, Member, MergeReport, User};
use kizuna_core::team::presence::Presence;
use kizuna_core::team::role::Role;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn who_are_you(state: State<'_, AppState>) -> Reply<WhoAreYou> {
    state.with_session(|s| s.who_are_you()).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn identify(state: State<'_, AppState>, choice: IdentityChoice) -> Reply<AppStatus> {
    state.with_session(move |s| s.identify(&choice)).await
}

/// The other computers active as this member now (a heartbeat is written
/// at most every few minutes, however often this is asked).
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn presence(state: State<'_, AppState>) -> Reply<Presence> {
    state.presence().await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn members(state: State<'_, AppState>) -> Reply<Vec<Member>> {
    state.with_session(|s| s.members()).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn rename_member(state: State<'_, AppState>, id: String, version: i64, name: String) -> Reply<Vec<Member>> {
    state.with_session(move |s| s.rename_member(&id, version, &name)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_member_roles(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    roles: Vec<Role>,
) -> Reply<Vec<Member>> {
    state
        .with_session(move |s| s.set_member_roles(&id, version, &roles))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_member_active(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    active: bool,
) -> Reply<Vec<Member>> {
    state
        .with_session(move |s| s.set_member_active(&id, version, active))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn merge_members(
    state: State<'_, AppState>,
    stray_id: String,
    stray_version: i64,
    survivor_id: String,
) -> Reply<MergeReport> {
    state
        .with_session(move |s| s.merge_members(&stray_id, stray_version, &survivor_id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn users(state: State<'_, AppState>) -> Reply<Vec<User>> {
    state.with_session(|s| member::list(s.team()?.sql())).await
}
