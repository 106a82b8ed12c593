//! The shell's state: the engine session behind a lock, opened on a
//! background thread so a slow or missing share never delays the window.

use crate::live::WindowSink;
use kizuna_core::app::config::Dirs;
use kizuna_core::app::outbox::{self, Applied, DrainReport, Entry, Op, Outbox, OutboxCounts};
use kizuna_core::app::session::{AppStatus, Session};
use kizuna_core::followups::scheduler::{Notifier, Scheduler};
use kizuna_core::language::Language;
use kizuna_core::sequences::runner::{Runner, Target as RunnerTarget};
use kizuna_core::store::changes::{Source, Watcher};
use kizuna_core::store::db::Identity;
use kizuna_core::team::presence::Presence;
use kizuna_core::{Error, ErrorCode, ErrorPayload, Result, SystemClock};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// The longest a command waits for the database. A save waits for
/// colleagues' saves for at most [`SAVE_WAIT_LIMIT`]; past this the share is
/// taken as hung: the window gets "unreachable" and stays usable, while the
/// call finishes (or not) on its blocking thread.
const CALL_LIMIT: Duration = Duration::from_secs(20);
/// How long a save from the window waits its turn behind colleagues' saves
/// (the status bar says "saving…" meanwhile). Past it, a piece of work the
/// outbox can hold waits there and goes in order once the file is free.
const SAVE_WAIT_LIMIT: Duration = Duration::from_secs(10);
/// How often work kept because the file stayed busy is tried again.
const BUSY_RETRY: Duration = Duration::from_secs(3);

pub(crate) type Slot = (Mutex<Option<Session>>, Condvar);

/// The reminder scheduler and what it was last pointed at: which file, in
/// which language, for which member (a profile may say who it is, or
/// change its mind, while the file stays open).
struct Reminders {
    scheduler: Scheduler,
    /// The member's due sequence steps, done on this desktop (sequences/runner.rs).
    sequences: Runner,
    watching: Mutex<Option<(Source, Language, Identity)>>,
}

impl Reminders {
    /// Points the scheduler at the session's database when that (or the
    /// language) changed; otherwise, when the call wrote, tells it to look
    /// again at once (it would see the change at its next once-a-second
    /// probe anyway; reads never make it recompute).
    fn follow(&self, session: &Session, wrote: bool) {
        let target = session.reminder_target();
        let key = target
            .as_ref()
            .map(|t| (t.place.clone(), t.language, t.opts.identity.clone()));
        let mut watching = self.watching.lock().unwrap_or_else(|p| p.into_inner());
        if *watching != key {
            *watching = key;
            self.sequences.attach(target.as_ref().map(|t| RunnerTarget {
                place: t.place.clone(),
                opts: t.opts.clone(),
            }));
            self.scheduler.attach(target);
        } else if wrote {
            self.scheduler.poke();
            self.sequences.poke();
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
    /// Work kept on this computer while the share is away (app/outbox.rs);
    /// `None` if its file could not be opened (then nothing is queued and
    /// the user sees the unreachable error, with the form kept).
    outbox: Arc<Mutex<Option<Outbox>>>,
    app: AppHandle,
}

/// The daily copy of whatever file is open, checked every half hour (and
/// ten seconds after start, once the window has loaded). Its own
/// connection: a copy never holds up the window's calls.
fn spawn_daily_backups(changes: Arc<Watcher>, dir: PathBuf, session: Arc<Slot>) {
    std::thread::Builder::new()
        .name("kizuna-backups".into())
        .spawn(move || {
            std::thread::sleep(Duration::from_secs(10));
            loop {
                if let Some(path) = changes.path() {
                    // Who this desktop is decides whether it keeps copies
                    // (the team's placement); the lock is held for a glance.
                    let me = session
                        .0
                        .lock()
                        .ok()
                        .and_then(|s| s.as_ref().and_then(|s| s.member_id()));
                    let now = chrono::Utc::now();
                    match kizuna_core::store::backup::daily_as_placed(&path, &dir, me.as_deref(), now) {
                        Ok(Some(_)) => tracing::info!("daily backup made"),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(code = %e.code(), "the daily backup failed"),
                    }
                }
                std::thread::sleep(Duration::from_secs(30 * 60));
            }
        })
        .expect("spawning the backup thread");
}

/// How often the window is told whether its member is active elsewhere too;
/// the heartbeat itself is written less often (presence.rs).
const PRESENCE_EVERY: Duration = Duration::from_secs(60);

/// Keeps this computer's heartbeat going and tells the window when the
/// same member is active on another computer (`presence` event).
fn spawn_heartbeat(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(PRESENCE_EVERY).await;
            let Some(state) = app.try_state::<AppState>() else {
                continue;
            };
            match state.presence().await {
                Ok(presence) => crate::events::PRESENCE.emit(&app, presence),
                Err(e) => tracing::warn!(code = %e.code, "the heartbeat failed"),
            }
        }
    });
}

/// How start-up's open went, by code: which file it was stays out of the log.
fn log_opened(status: &AppStatus) {
    match (&status.database, &status.open_error) {
        (Some(db), _) => match db.read_only {
            Some(reason) => tracing::info!(local = db.is_local, read_only = ?reason, "database opened read-only"),
            None => tracing::info!(local = db.is_local, "database opened"),
        },
        (None, Some(e)) => tracing::info!(code = %e.code, "database not opened"),
        (None, None) => tracing::info!("no database chosen yet"),
    }
}

/// The outbox follows the team file: once that is encrypted and unlocked,
/// a plain outbox is encrypted with the same key (and one that could not be
/// opened before the key was known is opened now).
fn protect_outbox(outbox: &Mutex<Option<Outbox>>, session: &Session) {
    let Some(raw) = session
        .database_path()
        .and_then(|p| kizuna_core::store::cipher::key_of(&p))
    else {
        return;
    };
    let file = session.data_dir().join("outbox.db");
    let mut guard = outbox.lock().unwrap_or_else(|p| p.into_inner());
    if guard.is_some() && kizuna_core::store::cipher::looks_encrypted(&file).is_some() {
        return;
    }
    *guard = None;
    match Outbox::open_keyed(&file, Some(raw)) {
        Ok(o) => *guard = Some(o),
        Err(e) => tracing::error!(code = %e.code(), "the local outbox cannot be encrypted"),
    }
}

/// Points both background watchers at what the session has open.
fn follow(reminders: &Reminders, changes: &Watcher, session: &Session, wrote: bool) {
    reminders.follow(session, wrote);
    changes.attach(session.watch_source());
}

impl AppState {
    pub fn start(
        dirs: Dirs,
        os_locale: Option<String>,
        notifier: Arc<dyn Notifier>,
        sink: Arc<WindowSink>,
        app: AppHandle,
    ) -> AppState {
        let outbox = Outbox::open(&dirs.data_dir.join("outbox.db"))
            .map_err(|e| tracing::error!(code = %e.code(), "the local outbox cannot be opened"))
            .ok();
        let slot: Arc<Slot> = Arc::new((Mutex::new(None), Condvar::new()));
        let state = AppState {
            session: slot.clone(),
            close_to_tray: Arc::new(AtomicBool::new(true)),
            reminders: Arc::new(Reminders {
                scheduler: Scheduler::start(notifier),
                sequences: Runner::start(
                    Arc::new(crate::sequence_sender::Sender::new(slot.clone())),
                    Arc::new(crate::sequence_sender::RunLog),
                ),
                watching: Mutex::new(None),
            }),
            changes: Arc::new(Watcher::start(sink.clone())),
            sink,
            outbox: Arc::new(Mutex::new(outbox)),
            app,
        };
        let slot = state.session.clone();
        let tray = state.close_to_tray.clone();
        let reminders = state.reminders.clone();
        let changes = state.changes.clone();
        let waits = state.app.clone();
        let outbox = state.outbox.clone();
        spawn_daily_backups(
            state.changes.clone(),
            dirs.data_dir.join("backups"),
            state.session.clone(),
        );
        spawn_heartbeat(state.app.clone());
        std::thread::spawn(move || {
            let mut session = Session::start(dirs, os_locale.as_deref(), Arc::new(SystemClock));
            session.set_wait(
                SAVE_WAIT_LIMIT,
                Some(Arc::new(move |w| crate::events::SAVE_WAIT.emit(&waits, w))),
            );
            log_opened(&session.status());
            tray.store(session.config().close_to_tray, Ordering::Relaxed);
            follow(&reminders, &changes, &session, false);
            protect_outbox(&outbox, &session);
            let (lock, ready) = &*slot;
            *lock.lock().unwrap_or_else(|p| p.into_inner()) = Some(session);
            ready.notify_all();
        });
        state
    }

    /// The team open now (its file or server), known without the session's
    /// lock: reports read it through connections of their own.
    pub fn team(&self) -> Option<kizuna_core::store::changes::Source> {
        self.changes.source()
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
        let outbox = self.outbox.clone();
        let down = !self.reachable();
        let call = tauri::async_runtime::spawn_blocking(move || {
            let (lock, ready) = &*slot;
            // With the share known to be down, a call stuck in the file
            // system may hold the session: answer at once rather than queue
            // behind it for the full time limit.
            let mut guard = match (down, lock.try_lock()) {
                (_, Ok(g)) => g,
                (_, Err(std::sync::TryLockError::Poisoned(p))) => p.into_inner(),
                (true, Err(std::sync::TryLockError::WouldBlock)) => {
                    return Err(Error::Unreachable {
                        detail: "the team database does not answer".into(),
                    })
                }
                (false, Err(std::sync::TryLockError::WouldBlock)) => lock.lock().unwrap_or_else(|p| p.into_inner()),
            };
            while guard.is_none() {
                guard = ready.wait(guard).unwrap_or_else(|p| p.into_inner());
            }
            let session = guard.as_mut().expect("session present after wait");
            let written = session.rows_written();
            let out = f(session);
            tray.store(session.config().close_to_tray, Ordering::Relaxed);
            follow(&reminders, &changes, session, session.rows_written() != written);
            protect_outbox(&outbox, session);
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

    /// Saves `op` in the team file, or — when the share is away (known from
    /// the watcher, or found by this attempt), or colleagues' saves kept it
    /// waiting past [`SAVE_WAIT_LIMIT`] — keeps it in the outbox and answers
    /// `queued`. `then` turns what was applied into the reply.
    pub async fn write_or_queue<T, F>(&self, op: Op, then: F) -> Result<T, ErrorPayload>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session, Applied) -> Result<T> + Send + 'static,
    {
        let op_id = kizuna_core::id::new_id();
        let mut busy = false;
        if self.reachable() {
            let (id, attempt) = (op_id.clone(), op.clone());
            let tried = self
                .with_session(move |s| {
                    let applied = outbox::apply_once(s.team()?, &id, &attempt)?
                        .ok_or_else(|| Error::Internal("a new piece of work was already applied".into()))?;
                    then(s, applied)
                })
                .await;
            match tried {
                Err(e) if outbox::is_outage_code(e.code) => {
                    busy = e.code == ErrorCode::Busy;
                }
                done => {
                    // The file answers: anything still waiting (queued after
                    // a failed write the watcher never saw as an outage) goes too.
                    if done.is_ok() && self.outbox_counts().is_ok_and(|c| c.pending > 0) {
                        let app = self.app.clone();
                        tauri::async_runtime::spawn(async move {
                            if let Some(state) = app.try_state::<AppState>() {
                                let _ = state.drain_outbox().await;
                            }
                        });
                    }
                    return done;
                }
            }
        }
        let Some(team) = self.outbox_team() else {
            return Err(Error::NoDatabase.payload());
        };
        let now = kizuna_core::clock::to_db(chrono::Utc::now());
        let seq = {
            let guard = self.outbox.lock().unwrap_or_else(|p| p.into_inner());
            let Some(outbox) = guard.as_ref() else {
                return Err(Error::Unreachable {
                    detail: "the team database does not answer and the local outbox is unavailable".into(),
                }
                .payload());
            };
            outbox.push(&team, &op_id, &op, &now).map_err(|e| e.payload())?
        };
        self.announce_outbox();
        if busy {
            // The share answers, so no return of it will send this: try
            // again until colleagues are through.
            self.drain_when_free();
        }
        Err(Error::Queued { seq, busy }.payload())
    }

    /// Sends the outbox every [`BUSY_RETRY`] until it is empty (or for a
    /// few minutes; then the next save or the share's return sends it).
    fn drain_when_free(&self) {
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            for _ in 0..60 {
                tokio::time::sleep(BUSY_RETRY).await;
                let Some(state) = app.try_state::<AppState>() else {
                    return;
                };
                let _ = state.drain_outbox().await;
                if state.outbox_counts().is_ok_and(|c| c.pending == 0) {
                    return;
                }
            }
        });
    }

    /// Which team the outbox's entries wait for now: the one watched.
    fn outbox_team(&self) -> Option<String> {
        self.changes.source().map(|s| outbox::team_of(&s))
    }

    fn outbox_call<T, F>(&self, f: F) -> Result<T, ErrorPayload>
    where
        F: FnOnce(&Outbox, &str) -> Result<T>,
    {
        let team = self.outbox_team().ok_or_else(|| Error::NoDatabase.payload())?;
        let guard = self.outbox.lock().unwrap_or_else(|p| p.into_inner());
        let outbox = guard
            .as_ref()
            .ok_or_else(|| Error::Internal("the local outbox is unavailable".into()).payload())?;
        f(outbox, &team).map_err(|e| e.payload())
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts, ErrorPayload> {
        self.outbox_call(|o, p| o.counts(p))
    }

    pub fn outbox_entries(&self) -> Result<Vec<Entry>, ErrorPayload> {
        self.outbox_call(|o, p| o.entries(p))
    }

    /// Tells the window how much waits (the status bar's count).
    fn announce_outbox(&self) {
        if let Ok(counts) = self.outbox_counts() {
            crate::events::OUTBOX.emit(&self.app, counts);
        }
    }

    /// Sends what waits, oldest first, after replacing a connection that
    /// went stale during the outage (`Session::heal`). Interrupted by a new
    /// outage, the rest waits for the next return of the share.
    pub async fn drain_outbox(&self) -> Result<DrainReport, ErrorPayload> {
        let outbox = self.outbox.clone();
        let report = self
            .with_session(move |s| {
                s.heal();
                let guard = outbox.lock().unwrap_or_else(|p| p.into_inner());
                match guard.as_ref() {
                    Some(outbox) => {
                        let team = s.watch_source().map(|p| outbox::team_of(&p)).ok_or(Error::NoDatabase)?;
                        outbox.drain(&team, s.team()?)
                    }
                    None => Ok(DrainReport::default()),
                }
            })
            .await;
        self.announce_outbox();
        report
    }

    /// The user's answer to an entry that needs one (app/outbox.rs, `resolve`).
    pub async fn resolve_outbox(&self, seq: i64, apply_mine: bool) -> Result<(), ErrorPayload> {
        let outbox = self.outbox.clone();
        let done = self
            .with_session(move |s| {
                let guard = outbox.lock().unwrap_or_else(|p| p.into_inner());
                match guard.as_ref() {
                    Some(o) => o.resolve(s.team()?, seq, apply_mine),
                    None => Err(Error::Internal("the local outbox is unavailable".into())),
                }
            })
            .await;
        self.announce_outbox();
        done
    }

    /// Whether the team file answered the last probe.
    pub fn reachable(&self) -> bool {
        self.sink.is_reachable()
    }

    pub async fn status(&self) -> Result<AppStatus, ErrorPayload> {
        self.with_session(|s| Ok(s.status())).await
    }

    /// The heartbeat (written when due) and who else is this member now.
    /// While the share is away there is nothing to learn: no warning.
    pub async fn presence(&self) -> Result<Presence, ErrorPayload> {
        if !self.reachable() {
            return Ok(Presence::default());
        }
        self.with_session(|s| s.heartbeat()).await
    }
}
