//! Live refresh and the share's health, as window events: the engine's
//! change watcher reports, this forwards. `data-changed` carries which
//! records changed (each view refreshes what it shows); `db-reachability`
//! says whether the team file answers.

use crate::events;
use kizuna_core::store::changes::{ChangeBatch, ChangeSink, Reachability};
use kizuna_core::Error;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Manager};

pub struct WindowSink {
    app: AppHandle,
    reachable: AtomicBool,
}

impl WindowSink {
    pub fn new(app: AppHandle) -> WindowSink {
        WindowSink {
            app,
            reachable: AtomicBool::new(true),
        }
    }

    /// For a window that (re)loads after the last report.
    pub fn is_reachable(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }
}

impl ChangeSink for WindowSink {
    fn changed(&self, batch: &ChangeBatch) {
        events::DATA_CHANGED.emit(&self.app, batch.clone());
    }

    fn unreachable(&self, error: &Error) {
        tracing::warn!(code = %error.code(), "the team database does not answer");
        self.reachable.store(false, Ordering::Relaxed);
        events::DB_REACHABILITY.emit(
            &self.app,
            Reachability {
                reachable: false,
                error: Some(error.payload()),
            },
        );
    }

    fn key_changed(&self) {
        tracing::info!("the team file's key changed: the window opens it again");
        events::KEY_CHANGED.emit(&self.app, ());
    }

    fn reachable(&self) {
        self.reachable.store(true, Ordering::Relaxed);
        // Back: send what waited in the outbox, oldest first.
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            if let Some(state) = app.try_state::<crate::state::AppState>() {
                if let Err(e) = state.drain_outbox().await {
                    tracing::warn!(code = %e.code, "sending the outbox failed");
                }
            }
        });
        events::DB_REACHABILITY.emit(
            &self.app,
            Reachability {
                reachable: true,
                error: None,
            },
        );
    }
}
