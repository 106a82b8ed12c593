//! The reminder loop: sleeps until the next reminder is due, wakes early when
//! the data changes (here or on a colleague's desktop), and hands what is due
//! to a [`Notifier`] — exactly once per person, through
//! [`reminder::claim`].
//!
//! It runs on its own thread with its own connection, so a reminder never
//! waits for the window's database calls and the window never waits for it.
//! A plain thread with a condition variable rather than an async task: it
//! sleeps on one deadline, and the engine stays free of an async runtime.
//!
//! "Wakes on change" costs one `PRAGMA data_version` per second: SQLite
//! answers it from the file's change counter, so a colleague's commit is
//! seen within a second without re-reading any table. The due list itself
//! is only recomputed when something changed or a reminder is due. On a
//! team server the same glance is the change log's newest sequence, one
//! indexed read a second.

use crate::error::Result;
use crate::followups::follow_up;
use crate::followups::reminder::{self, Notice, NoticeText, Reminder};
use crate::language::Language;
use crate::store::background::{self, Background, Stop};
use crate::store::changes::Source;
use crate::store::db::OpenOptions;
use crate::store::sql::Sql;
use crate::store::team_db::TeamDb;
use crate::team::settings::TeamSettings;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// Where notices go: the desktop's notification service, or a test's list.
pub trait Notifier: Send + Sync + 'static {
    /// Shows one notice. An error is handed to [`Notifier::failed`], never dropped.
    fn show(&self, notice: &Notice, text: &NoticeText) -> std::result::Result<(), String>;
    /// The notice could not be shown (no notification service, refused, …).
    fn failed(&self, notice: &Notice, text: &NoticeText, error: &str);
    /// How many follow-ups are due today or late for the user (the tray count).
    fn due_count(&self, count: u32);
    /// The scheduler could not read the database (it keeps retrying).
    fn unavailable(&self, _error: &crate::Error) {}
}

/// Which database and person the scheduler works for.
#[derive(Clone)]
pub struct Target {
    /// The team file, or the team server.
    pub place: Source,
    pub opts: OpenOptions,
    pub language: Language,
}

/// How often a change by another desktop is looked for while idle.
const CHANGE_PROBE: Duration = Duration::from_secs(1);
/// How long the file must have been quiet after a colleague's change
/// before the scheduler looks.
const SETTLE: Duration = Duration::from_secs(1);
/// The longest a colleague's change waits for that quiet.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);
/// How long to wait before trying a database that could not be opened again.
const RETRY_OPEN: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Control {
    target: Option<Target>,
    generation: u64,
    poked: bool,
    stop: bool,
}

impl Stop for Control {
    fn stop(&mut self) {
        self.stop = true;
    }
}

type Shared = background::Shared<Control>;

pub struct Scheduler {
    thread: Background<Control>,
}

impl Scheduler {
    pub fn start(notifier: Arc<dyn Notifier>) -> Scheduler {
        let thread = Background::spawn("kizuna-reminders", Control::default(), move |shared| {
            Worker {
                shared,
                notifier,
                current: None,
                told: HashSet::new(),
            }
            .run()
        });
        Scheduler { thread }
    }

    /// Works for this database and person from now on (`None`: no database).
    pub fn attach(&self, target: Option<Target>) {
        self.thread.shared().update(|c| {
            c.target = target;
            c.generation += 1;
        });
    }

    /// Something changed: look again now rather than at the next probe.
    pub fn poke(&self) {
        self.thread.shared().update(|c| c.poked = true);
    }
}

struct Current {
    generation: u64,
    db: TeamDb,
    /// Where colleagues' saves take turns in the file: a busy one is let
    /// through first (a server has no such queue).
    queue: Option<crate::store::queue::Queue>,
    language: Language,
    /// Reminders that fell due before this moment were missed while the app
    /// was closed and are summarised.
    started_at: DateTime<Utc>,
}

struct Worker {
    shared: Arc<Shared>,
    notifier: Arc<dyn Notifier>,
    current: Option<Current>,
    /// Shown by this process: keeps a read-only file (where nothing can be
    /// recorded) from repeating a reminder on every wake.
    told: HashSet<(String, String, String)>,
}

enum Wake {
    At(Option<DateTime<Utc>>),
    Retry,
}

impl Worker {
    fn run(mut self) {
        loop {
            let (generation, target) = {
                let mut c = self.shared.lock();
                if c.stop {
                    return;
                }
                c.poked = false;
                (c.generation, c.target.clone())
            };
            let wake = self.ensure_open(generation, target).and_then(|()| self.tick());
            let wake = match wake {
                Ok(w) => w,
                Err(e) => {
                    self.notifier.unavailable(&e);
                    // Reopen next time: the share may have gone away.
                    self.current = None;
                    Wake::Retry
                }
            };
            self.sleep(generation, wake);
        }
    }

    fn ensure_open(&mut self, generation: u64, target: Option<Target>) -> Result<()> {
        if self.current.as_ref().is_some_and(|c| c.generation == generation) {
            return Ok(());
        }
        self.current = None;
        let Some(t) = target else { return Ok(()) };
        let started_at = t.opts.clock.now();
        let queue = match &t.place {
            Source::File(path) => Some(crate::store::queue::Queue::beside(path)),
            Source::Server(_) => None,
        };
        let Some(db) = TeamDb::open_at(&t.place, t.opts)? else {
            return Ok(());
        };
        self.current = Some(Current {
            generation,
            queue,
            db,
            language: t.language,
            started_at,
        });
        Ok(())
    }

    /// Shows what is due now; returns when to look again.
    fn tick(&mut self) -> Result<Wake> {
        let Some(cur) = self.current.as_mut() else {
            return Ok(Wake::At(None));
        };
        let user_id = cur.db.user().id.clone();
        // One read transaction for every look: one read lock, which a
        // colleague's commit may have to wait out, not five.
        let look = |sql: Sql| -> Result<(reminder::Step, u32)> {
            let prefs = reminder::load_prefs(sql, &user_id)?;
            let team = TeamSettings::load(sql)?;
            let step = reminder::step(sql, cur.db.clock(), &user_id, &prefs, &team)?;
            Ok((step, follow_up::due_count(sql, cur.db.clock(), &user_id)?))
        };
        let (step, due_count) = match &cur.db {
            TeamDb::File(db) => {
                let tx = db.conn().unchecked_transaction()?;
                let seen = look(Sql::File(&tx))?;
                tx.commit()?;
                seen
            }
            TeamDb::Server(db) => look(db.sql())?,
        };
        let fresh: Vec<Reminder> = step.due.into_iter().filter(|r| !self.told.contains(&key(r))).collect();
        if !fresh.is_empty() {
            let read_only = cur.db.as_file().is_some_and(|db| db.read_only().is_some());
            let mine = if read_only {
                fresh
            } else {
                cur.db.write(|ctx| reminder::claim(ctx, &user_id, &fresh))?
            };
            self.told.extend(mine.iter().map(key));
            let offset = cur.db.clock().offset();
            for notice in reminder::group(mine, cur.started_at) {
                let text = reminder::render(&notice, cur.language, offset);
                if let Err(e) = self.notifier.show(&notice, &text) {
                    self.notifier.failed(&notice, &text, &e);
                }
            }
        }
        self.notifier.due_count(due_count);
        Ok(Wake::At(step.next_wake))
    }

    /// Waits until `wake`, a poke, a new target, or a change in the file.
    /// After a colleague's change it looks again once the file has been
    /// quiet for [`SETTLE`] (or after [`SETTLE_LIMIT`]): a look holds a read
    /// lock that commits must wait out, and thirty desktops looking after
    /// every save of a busy minute would slow every save.
    fn sleep(&self, generation: u64, wake: Wake) {
        let mut seen_version = self.current.as_ref().and_then(|c| data_version(&c.db));
        let (deadline, clock) = match (&wake, &self.current) {
            (Wake::At(at), Some(c)) => (*at, Some(c.db.clock())),
            _ => (None, None),
        };
        let retry_until = std::time::Instant::now() + RETRY_OPEN;
        // When the first change not yet looked at was seen, and the last.
        let mut changed: Option<(std::time::Instant, std::time::Instant)> = None;
        loop {
            let probe = if changed.is_some() { SETTLE / 4 } else { CHANGE_PROBE };
            let timeout = match (&wake, deadline, clock) {
                (Wake::Retry, ..) => {
                    let left = retry_until.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        return;
                    }
                    left.min(probe)
                }
                (_, Some(at), Some(clock)) => match (at - clock.now()).to_std() {
                    Ok(d) if !d.is_zero() => d.min(probe),
                    _ => return,
                },
                _ => probe,
            };
            {
                let c = self.shared.lock();
                if c.stop || c.poked || c.generation != generation {
                    return;
                }
                let (c, _) = self
                    .shared
                    .wake
                    .wait_timeout(c, timeout)
                    .unwrap_or_else(|p| p.into_inner());
                if c.stop || c.poked || c.generation != generation {
                    return;
                }
            }
            let Some(cur) = &self.current else { continue };
            let version = data_version(&cur.db);
            let now = std::time::Instant::now();
            if version != seen_version {
                seen_version = version;
                changed = Some((changed.map_or(now, |(first, _)| first), now));
            }
            if let Some((first, last)) = changed {
                let saving = match (&cur.queue, cur.db.as_file()) {
                    (Some(queue), Some(db)) => queue.saves_under_way(db.conn()),
                    _ => false,
                };
                let quiet = now - last >= SETTLE && !saving;
                if quiet || now - first >= SETTLE_LIMIT {
                    return;
                }
            }
        }
    }
}

fn key(r: &Reminder) -> (String, String, String) {
    (r.kind.as_str().to_string(), r.item_id.clone(), r.due_at.clone())
}

/// Changes whenever a connection commits to the file: the file change
/// counter glanced at without a lock (store/vfs.rs), so thirty idle
/// desktops checking every second make no colleague's commit wait; where
/// it cannot be read, SQLite's data version under a read lock. On a server,
/// the change log's newest sequence (every save appends to it).
fn data_version(db: &TeamDb) -> Option<i64> {
    let db = match db {
        TeamDb::File(db) => db,
        TeamDb::Server(db) => {
            return db
                .sql()
                .query_one("SELECT COALESCE(MAX(seq), 0) FROM change_log", &[], |r| r.get(0))
                .ok()
        }
    };
    match crate::store::vfs::peek_change_counter(db.conn()) {
        Some(counter) => Some(i64::from(counter)),
        None => db.conn().pragma_query_value(None, "data_version", |r| r.get(0)).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::to_db;
    use crate::followups::follow_up::{FollowUpKind, NewFollowUp};
    use crate::followups::reminder::NotifyPrefs;
    use crate::Db;
    use crate::SystemClock;
    use std::sync::mpsc;
    use std::sync::Mutex;

    struct Recorder {
        shown: mpsc::Sender<(NoticeText, std::time::Instant)>,
        fail: bool,
        failed: Mutex<Vec<String>>,
    }

    impl Notifier for Recorder {
        fn show(&self, _n: &Notice, text: &NoticeText) -> std::result::Result<(), String> {
            if self.fail {
                return Err("no notification service".into());
            }
            let _ = self.shown.send((text.clone(), std::time::Instant::now()));
            Ok(())
        }
        fn failed(&self, _n: &Notice, text: &NoticeText, error: &str) {
            self.failed.lock().unwrap().push(format!("{}: {error}", text.summary));
        }
        fn due_count(&self, _count: u32) {}
    }

    fn setup() -> (tempfile::TempDir, Target, Db) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.db");
        let opts = OpenOptions::new("tanaka", "田中").with_clock(Arc::new(SystemClock));
        let mut db = Db::create(&path, opts.clone()).unwrap();
        let all_day = NotifyPrefs {
            quiet_start: None,
            quiet_end: None,
            working_days: (1..=7).collect(),
            enabled: true,
        };
        db.write(|ctx| reminder::save_prefs(ctx, &all_day)).unwrap();
        let target = Target {
            place: Source::File(path),
            opts,
            language: Language::Ja,
        };
        (dir, target, db)
    }

    fn plan_in(db: &mut Db, title: &str, in_ms: i64) {
        let due = Utc::now() + chrono::Duration::milliseconds(in_ms);
        let n = NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: title.into(),
            due_at: to_db(due),
            assignee_id: None,
            company_id: None,
            deal_id: None,
            contract_id: None,
            activity_id: None,
        };
        db.write(|ctx| follow_up::create(ctx, &n)).unwrap();
    }

    #[test]
    fn a_change_from_another_connection_wakes_the_scheduler_and_it_notifies_once() {
        let (_dir, target, mut other_desktop) = setup();
        let (tx, rx) = mpsc::channel();
        let rec = Arc::new(Recorder {
            shown: tx,
            fail: false,
            failed: Mutex::new(Vec::new()),
        });
        let s = Scheduler::start(rec.clone());
        s.attach(Some(target));
        // Planned by "another desktop" (a separate connection), no poke.
        plan_in(&mut other_desktop, "電話する", 1500);
        let (text, _) = rx.recv_timeout(Duration::from_secs(6)).expect("notified");
        assert_eq!(text.summary, "フォロー: 電話する");
        assert!(rx.recv_timeout(Duration::from_millis(2500)).is_err(), "shown once");
        drop(s);
    }

    #[test]
    fn a_failed_notification_is_reported_not_swallowed() {
        let (_dir, target, mut db) = setup();
        let (tx, _rx) = mpsc::channel();
        let rec = Arc::new(Recorder {
            shown: tx,
            fail: true,
            failed: Mutex::new(Vec::new()),
        });
        plan_in(&mut db, "見積送付", 200);
        let s = Scheduler::start(rec.clone());
        s.attach(Some(target));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while rec.failed.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(s);
        assert_eq!(
            *rec.failed.lock().unwrap(),
            ["フォロー: 見積送付: no notification service"]
        );
    }
}
