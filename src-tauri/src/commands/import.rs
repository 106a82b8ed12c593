//! Import from Excel and CSV (docs/import.md): look at a file, preview it
//! with a mapping, run it as a batch, cancel it, list and undo batches.
//! The batch and its undo run on a thread of their own with their own
//! connection (`Session::another_connection`), so the window's other calls
//! go on meanwhile and no 20 s call limit cuts a long file short; progress
//! and the end arrive as events.

use super::Reply;
use crate::events;
use crate::state::AppState;
use kizuna_core::import::batch::{self, ImportBatchItem, ImportFinished, ImportRequest, ImportUndoReport};
use kizuna_core::import::mapping::ImportKind;
use kizuna_core::import::preview::{self, FileInspection, ImportPreview};
use kizuna_core::import::source::{self, ReadOptions};
use kizuna_core::Error;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, State};

/// The running import's cancel flag (one import at a time per desktop).
#[derive(Default)]
pub struct Running(Mutex<Option<Arc<AtomicBool>>>);

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn import_inspect(
    state: State<'_, AppState>,
    path: String,
    kind: ImportKind,
    read: ReadOptions,
) -> Reply<FileInspection> {
    state
        .with_session(move |s| {
            let sheet = source::read(Path::new(&path), &read)?;
            preview::inspect(s.team()?.sql(), &sheet, kind, read.header_row)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn import_preview(state: State<'_, AppState>, path: String, request: ImportRequest) -> Reply<ImportPreview> {
    state
        .with_session(move |s| {
            let sheet = source::read(Path::new(&path), &request.read)?;
            let r = &request;
            let db = s.team()?;
            preview::preview(
                db.sql(),
                db.clock().offset(),
                &sheet,
                r.kind,
                r.header_row,
                &r.columns,
                r.on_match,
            )
        })
        .await
}

/// Starts the import; `import-progress` events follow, then one
/// `import-finished`.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn import_start(
    app: AppHandle,
    state: State<'_, AppState>,
    running: State<'_, Running>,
    path: String,
    request: ImportRequest,
) -> Reply<()> {
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut slot = running.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(Error::Import(kizuna_core::error::ImportProblem::BatchClosed).payload());
        }
        *slot = Some(cancel.clone());
    }
    let db = match state.with_session(|s| s.another_connection()).await {
        Ok(db) => db,
        Err(e) => {
            *running.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
            return Err(e);
        }
    };
    let path = PathBuf::from(path);
    std::thread::spawn(move || {
        let mut db = db;
        let outcome = source::read(&path, &request.read).and_then(|sheet| {
            batch::run(
                &mut db,
                &file_name(&path),
                &sheet,
                &request,
                &mut |p| events::IMPORT_PROGRESS.emit(&app, p.clone()),
                &cancel,
            )
        });
        if let Some(r) = tauri::Manager::try_state::<Running>(&app) {
            *r.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        let finished = match outcome {
            Ok(report) => ImportFinished {
                report: Some(report),
                error: None,
            },
            Err(e) => ImportFinished {
                report: None,
                error: Some(e.payload()),
            },
        };
        events::IMPORT_FINISHED.emit(&app, finished);
    });
    Ok(())
}

/// Stops the running import before its next transaction.
#[tauri::command]
pub fn import_cancel(running: State<'_, Running>) -> bool {
    match &*running.0.lock().unwrap_or_else(|p| p.into_inner()) {
        Some(flag) => {
            flag.store(true, Ordering::Relaxed);
            true
        }
        None => false,
    }
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn import_batches(state: State<'_, AppState>) -> Reply<Vec<ImportBatchItem>> {
    state.with_session(|s| batch::list(s.team()?.sql())).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn undo_import(state: State<'_, AppState>, batch_id: String) -> Reply<ImportUndoReport> {
    let mut db = state.with_session(|s| s.another_connection()).await?;
    super::blocking(move || batch::undo(&mut db, &batch_id)).await
}
