//! The dashboard's charts (docs/reports.md). Each call reads the team (file
//! or server)
//! through a read-only connection of its own on the blocking pool: the
//! session (and its write connection) is not held, so the user's saves and
//! the UI thread never wait for a chart, and colleagues' saves wait at most
//! for one query.

use super::{blocking, read_from, Reply};
use crate::state::AppState;
use kizuna_core::reports::table::{self, ChartTable, TableFormat};
use kizuna_core::reports::{self, Dashboard, DrillList, DrillRequest, ReportFilter};
use kizuna_core::store::sql::Sql;
use kizuna_core::writers::csv::CsvEncoding;
use kizuna_core::{Error, Result, SystemClock};
use std::path::{Path, PathBuf};
use tauri::State;

/// Runs `f` on a read connection of its own to the open team, off the UI
/// thread. Which team is known without the session's lock (the watcher's).
async fn read<T, F>(state: &AppState, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(Sql) -> Result<T> + Send + 'static,
{
    let team = match state.team() {
        Some(t) => t,
        // Not watched yet (still opening): the session says why, or where.
        None => {
            state
                .with_session(|s| s.watch_source().ok_or(Error::NoDatabase))
                .await?
        }
    };
    read_from(team, f).await
}

/// Every chart of the dashboard for `filter`.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn dashboard(state: State<'_, AppState>, filter: ReportFilter) -> Reply<Dashboard> {
    read(&state, move |team| reports::dashboard(team, &SystemClock, &filter)).await
}

/// The deals, customers, follow-ups or contracts behind one bar.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn report_drill(state: State<'_, AppState>, filter: ReportFilter, request: DrillRequest) -> Reply<DrillList> {
    read(&state, move |team| {
        reports::drill(team, &SystemClock, &filter, &request)
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
