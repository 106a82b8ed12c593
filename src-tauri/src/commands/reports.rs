//! The dashboard's charts (docs/reports.md). Each call reads the team file
//! through a read-only connection of its own on the blocking pool: the
//! session (and its write connection) is not held, so the user's saves and
//! the UI thread never wait for a chart, and colleagues' saves wait at most
//! for one query.

use super::Reply;
use crate::state::AppState;
use kizuna_core::reports::table::{self, ChartTable, TableFormat};
use kizuna_core::reports::{self, Dashboard, DrillList, DrillRequest, ReportFilter};
use kizuna_core::writers::csv::CsvEncoding;
use kizuna_core::{Error, Result, SystemClock};
use std::path::{Path, PathBuf};
use tauri::State;

/// Runs `f` on a read connection to the open team file, off the UI thread.
async fn read<T, F>(state: &AppState, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&Path) -> Result<T> + Send + 'static,
{
    let path = match state.team_file() {
        Some(p) => p,
        // Not watched yet (still opening): the session says why, or where.
        None => state.with_session(|s| Ok(s.db()?.path().to_path_buf())).await?,
    };
    blocking(move || f(&path)).await
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")).payload())?
        .map_err(|e| e.payload())
}

/// Every chart of the dashboard for `filter`.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn dashboard(state: State<'_, AppState>, filter: ReportFilter) -> Reply<Dashboard> {
    read(&state, move |file| {
        reports::dashboard(&reports::open(file)?, &SystemClock, &filter)
    })
    .await
}

/// The deals, customers, follow-ups or contracts behind one bar.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn report_drill(state: State<'_, AppState>, filter: ReportFilter, request: DrillRequest) -> Reply<DrillList> {
    read(&state, move |file| {
        reports::drill(&reports::open(file)?, &SystemClock, &filter, &request)
    })
    .await
}

/// Writes a chart's table (as the window shows it) to `path`, the save
/// dialog's choice; returns the rows written.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn export_chart_table(
    table: ChartTable,
    format: TableFormat,
    encoding: CsvEncoding,
    path: String,
) -> Reply<u64> {
    blocking(move || table::write(&table, format, encoding, Path::new(&path))).await
}

/// Writes the chart's picture (the PNG the window drew) to `path`.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn save_chart_png(png: Vec<u8>, path: String) -> Reply<()> {
    blocking(move || table::write_png(&png, &PathBuf::from(path))).await
}
