//! The shell's state: the engine session behind a lock, opened on a
//! background thread so a slow or missing share never delays the window.

use crate::live::WindowSink;
use kizuna_core::changes::Watcher;
use kizuna_core::config::{Dirs, Language};
use kizuna_core::scheduler::{Notifier, Scheduler};
use kizuna_core::session::{AppStatus, Session};
use kizuna_core::{Error, ErrorPayload, Result, SystemClock};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The longest a command waits for the database. A write that meets a busy
/// file retries for up to ~15 s (db.rs); past this the share is taken as
/// hung: the window gets "unreachable" and stays usable, while the call
/// finishes (or not) on its blocking thread.
const CALL_LIMIT: Duration = Duration::from_secs(20);

type Slot = (Mutex<Option<Session>>, Condvar);

/// The reminder scheduler and what it was last pointed at.
struct Reminders {
    scheduler: Scheduler,
    watching: Mutex<Option<(PathBuf, Language)>>,
}

impl Reminders {
    /// Points the scheduler at the session's database when that (or the
    /// language) changed; otherwise, when the call wrote, tells it to look
    /// again at once (it would see the change at its next once-a-second
    /// probe anyway; reads never make it recompute).
    fn follow(&self, session: &Session, wrote: bool) {
        let target = session.reminder_target();
        let key = target.as_ref().map(|t| (t.path.clone(), t.language));
        let mut watching = self.watching.lock().unwrap_or_else(|p| p.into_inner());
        if *watching != key {
            *watching = key;
            self.scheduler.attach(target);
        } else if wrote {
            self.scheduler.poke();
        }
    }
}

pub struct AppState {
    session: Arc<Slot>,
    // Read on the main thread when the window closes, so never behind the
    // session lock (which a slow database call may hold).
    close_to_tray: Arc<AtomicBool>,
    reminders: Arc<Reminders>,
    changes: Arc<Watcher>,
    sink: Arc<WindowSink>,
}

/// The daily copy of whatever file is open, checked every half hour (and a
/// minute after start, out of start-up's way). Its own connection: a copy
/// never holds up the window's calls.
fn spawn_daily_backups(changes: Arc<Watcher>, dir: PathBuf) {
    std::thread::Builder::new()
        .name("kizuna-backups".into())
        .spawn(move || {
            std::thread::sleep(Duration::from_secs(60));
            loop {
                if let Some(path) = changes.path() {
                    match kizuna_core::backup::daily(&path, &dir, chrono::Utc::now()) {
                        Ok(Some(copy)) => eprintln!("Kizuna: daily backup {}", copy.display()),
                        Ok(None) => {}
                        Err(e) => eprintln!("Kizuna: the daily backup of {} failed: {e}", path.display()),
                    }
                }
                std::thread::sleep(Duration::from_secs(30 * 60));
            }
        })
        .expect("spawning the backup thread");
}

/// Points both background watchers at what the session has open.
fn follow(reminders: &Reminders, changes: &Watcher, session: &Session, wrote: bool) {
    reminders.follow(session, wrote);
    changes.attach(session.database_path());
}

impl AppState {
    pub fn start(
        config_dir: PathBuf,
        data_dir: PathBuf,
        os_locale: Option<String>,
        notifier: Arc<dyn Notifier>,
        sink: Arc<WindowSink>,
    ) -> AppState {
        let dirs = Dirs::from_env_or(config_dir, data_dir);
        let state = AppState {
            session: Arc::new((Mutex::new(None), Condvar::new())),
            close_to_tray: Arc::new(AtomicBool::new(true)),
            reminders: Arc::new(Reminders {
                scheduler: Scheduler::start(notifier),
                watching: Mutex::new(None),
            }),
            changes: Arc::new(Watcher::start(sink.clone())),
            sink,
        };
        let slot = state.session.clone();
        let tray = state.close_to_tray.clone();
        let reminders = state.reminders.clone();
        let changes = state.changes.clone();
        spawn_daily_backups(state.changes.clone(), dirs.data_dir.join("backups"));
        std::thread::spawn(move || {
            let session = Session::start(dirs, os_locale.as_deref(), Arc::new(SystemClock));
            tray.store(session.config().close_to_tray, Ordering::Relaxed);
            follow(&reminders, &changes, &session, false);
            let (lock, ready) = &*slot;
            *lock.lock().unwrap_or_else(|p| p.into_inner()) = Some(session);
            ready.notify_all();
        });
        state
    }

    pub fn close_to_tray(&self) -> bool {
        self.close_to_tray.load(Ordering::Relaxed)
    }

    /// Runs `f` on the blocking pool with the session, waiting for start-up to
    /// finish first, for at most [`CALL_LIMIT`]. The UI thread never waits on
    /// SQLite.
    pub async fn with_session<T, F>(&self, f: F) -> Result<T, ErrorPayload>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session) -> Result<T> + Send + 'static,
    {
        let slot = self.session.clone();
        let tray = self.close_to_tray.clone();
        let reminders = self.reminders.clone();
        let changes = self.changes.clone();
        let call = tauri::async_runtime::spawn_blocking(move || {
            let (lock, ready) = &*slot;
            let mut guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            while guard.is_none() {
                guard = ready.wait(guard).unwrap_or_else(|p| p.into_inner());
            }
            let session = guard.as_mut().expect("session present after wait");
            let written = session.rows_written();
            let out = f(session);
            tray.store(session.config().close_to_tray, Ordering::Relaxed);
            follow(&reminders, &changes, session, session.rows_written() != written);
            out
        });
        match tokio::time::timeout(CALL_LIMIT, call).await {
            Err(_) => Err(Error::Unreachable {
                detail: format!("no answer from the database in {} s", CALL_LIMIT.as_secs()),
            }
            .payload()),
            Ok(joined) => joined
                .map_err(|e| Error::Internal(format!("background task failed: {e}")).payload())?
                .map_err(|e| e.payload()),
        }
    }

    /// Whether the team file answered the last probe.
    pub fn reachable(&self) -> bool {
        self.sink.is_reachable()
    }

    pub async fn status(&self) -> Result<AppStatus, ErrorPayload> {
        self.with_session(|s| Ok(s.status())).await
    }
}
