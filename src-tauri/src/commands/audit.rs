//! The audit trail (Settings → 変更履歴): a page of it, and the same list as a
//! file for an auditor. Managers only (the engine checks).

use super::{read_team, Reply};
use crate::state::AppState;
use kizuna_core::audit::export::{self, AuditExported, AuditFormat};
use kizuna_core::audit::trail::{self, AuditPage, AuditQuery};
use kizuna_core::writers::csv::CsvEncoding;
use kizuna_core::Error;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn audit_trail(state: State<'_, AppState>, query: AuditQuery) -> Reply<AuditPage> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let viewer = db.member().map(|u| u.id.clone()).ok_or(Error::IdentityRequired)?;
            trail::page_for(db.sql(), &viewer, &query, db.clock().offset())
        })
        .await
}

/// Writes the trail `query` selects to `path` (the save dialog's choice),
/// through its own read-only connection like the data export, on either store.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn export_audit_trail(
    state: State<'_, AppState>,
    query: AuditQuery,
    format: AuditFormat,
    encoding: Option<CsvEncoding>,
    path: String,
) -> Reply<AuditExported> {
    read_team(
        &state,
        |s| {
            let db = s.team()?;
            let viewer = db.member().map(|u| u.id.clone()).ok_or(Error::IdentityRequired)?;
            Ok((viewer, db.language(), db.clock().offset()))
        },
        move |team, (viewer, language, offset)| {
            export::export_for(
                team,
                &viewer,
                &query,
                language,
                offset,
                format,
                encoding.unwrap_or_default(),
                std::path::Path::new(&path),
            )
        },
    )
    .await
}
