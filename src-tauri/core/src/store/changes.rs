//! Live refresh: what changed in the team file since this desktop last looked.
//!
//! Every write appends to `change_log` in its own transaction
//! ([`crate::store::write::WriteCtx::changed`]), so the log's sequence orders changes
//! exactly as they were committed. A [`Feed`] keeps its own read-only
//! connection and asks SQLite for `PRAGMA data_version` — answered from the
//! file's change counter, one small read — and only when that moved reads
//! the log from its last sequence. The [`Watcher`] thread does that every
//! [`PROBE`] and hands each batch to a [`ChangeSink`]; the shell turns it
//! into one event the open views refresh from.
//!
//! The same probe is the share's health check: when it fails (the path is
//! gone, an I/O error, the file system hangs past [`PROBE_LIMIT`]) the sink
//! hears "unreachable", and "reachable" again once a probe succeeds.
//!
//! On a team server the watcher reads the server's feed instead
//! ([`crate::store::server::ServerFeed`]): it waits for the log's `NOTIFY`
//! rather than probing, and a lost connection is "unreachable" in the same
//! way, the feed catching up by sequence once the server answers again.

use crate::error::{Error, Result};
use crate::store::background::{self, Background, Stop};
use rusqlite::Connection;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

/// How often the file is probed. Half a second keeps a colleague's change
/// on screen within a second; each probe is one lock-and-read of the
/// file's first page, a few hundred bytes on the share.
pub const PROBE: Duration = Duration::from_millis(500);
/// How often the feed looks under a lock although the counter did not move:
/// a glance without a lock is a hint, and a file replaced underneath is
/// caught by the log itself.
pub const FULL_LOOK: Duration = Duration::from_secs(10);
/// How long a feed lets colleagues' saves in turn go first before it looks
/// anyway: a look holds a read lock, which a commit has to wait out.
pub const YIELD_LIMIT: Duration = Duration::from_secs(2);
/// A probe that has not answered by then means the share hangs.
pub const PROBE_LIMIT: Duration = Duration::from_secs(5);
/// At most this many log rows per batch; a desktop that was away for long
/// gets `overflow` instead and reloads everything it shows.
pub(crate) const BATCH: i64 = 500;

/// The kinds of record the change log and the audit log name. The UI gets
/// the same list (ts-rs) and subscribes its views to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Entity {
    Activity,
    Company,
    Contact,
    Contract,
    Deal,
    /// A pair said not to be duplicates (dedupe/pairs.rs).
    Duplicate,
    FollowUp,
    Handoff,
    ImportBatch,
    Lead,
    MailSend,
    MemberSession,
    Pipeline,
    Sequence,
    Enrolment,
    Settings,
    Stage,
    SupportCase,
    User,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Activity => "activity",
            Entity::Company => "company",
            Entity::Contact => "contact",
            Entity::Contract => "contract",
            Entity::Deal => "deal",
            Entity::Duplicate => "duplicate",
            Entity::FollowUp => "follow_up",
            Entity::Handoff => "handoff",
            Entity::ImportBatch => "import_batch",
            Entity::Lead => "lead",
            Entity::MailSend => "mail_send",
            Entity::MemberSession => "member_session",
            Entity::Pipeline => "pipeline",
            Entity::Sequence => "sequence",
            Entity::Enrolment => "enrolment",
            Entity::Settings => "settings",
            Entity::Stage => "stage",
            Entity::SupportCase => "support_case",
            Entity::User => "user",
        }
    }

    /// `None` for a kind this version does not know (a newer Kizuna wrote it).
    pub fn parse(s: &str) -> Option<Entity> {
        match s {
            "activity" => Some(Entity::Activity),
            "company" => Some(Entity::Company),
            "contact" => Some(Entity::Contact),
            "contract" => Some(Entity::Contract),
            "deal" => Some(Entity::Deal),
            "duplicate" => Some(Entity::Duplicate),
            "follow_up" => Some(Entity::FollowUp),
            "handoff" => Some(Entity::Handoff),
            "import_batch" => Some(Entity::ImportBatch),
            "lead" => Some(Entity::Lead),
            "mail_send" => Some(Entity::MailSend),
            "member_session" => Some(Entity::MemberSession),
            "pipeline" => Some(Entity::Pipeline),
            "sequence" => Some(Entity::Sequence),
            "enrolment" => Some(Entity::Enrolment),
            "settings" => Some(Entity::Settings),
            "stage" => Some(Entity::Stage),
            "support_case" => Some(Entity::SupportCase),
            "user" => Some(Entity::User),
            _ => None,
        }
    }
}

/// One committed change, as the log recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Change {
    #[ts(type = "number")]
    pub seq: i64,
    pub entity: Entity,
    pub entity_id: String,
    /// `insert`, `update`, `delete`, or a domain verb (`move`, `complete`).
    pub op: String,
    pub user_id: Option<String>,
    pub at: String,
}

/// What one probe found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChangeBatch {
    pub changes: Vec<Change>,
    /// More changed than one batch holds: refresh everything shown.
    pub overflow: bool,
}

/// The newest sequence in the log (0 when empty).
pub fn latest_seq(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM change_log", [], |r| r.get(0))?)
}

/// One row of `change_log`, as either store reads it.
pub(crate) struct LogRow {
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub user_id: Option<String>,
    pub at: String,
}

/// The rows committed after `seq`, oldest first, at most `limit`.
fn rows_after(conn: &Connection, seq: i64, limit: i64) -> Result<Vec<LogRow>> {
    let mut st = conn.prepare_cached(
        "SELECT seq, entity, entity_id, op, user_id, at FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = st.query_map([seq, limit], |r| {
        Ok(LogRow {
            seq: r.get("seq")?,
            entity: r.get("entity")?,
            entity_id: r.get("entity_id")?,
            op: r.get("op")?,
            user_id: r.get("user_id")?,
            at: r.get("at")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a reader that has seen the log up to `seen` is told, the same for
/// the file and the server: `end` is the log's newest sequence and `rows`
/// what follows `seen` (at most [`BATCH`] + 1, oldest first). Returns the
/// batch and the sequence seen after it.
///
/// A log that went back (a backup restored over the team) and more than
/// one batch (a desktop away for long) are `overflow`: everything shown
/// is reloaded. A kind of record this version does not know (a newer
/// Kizuna wrote it) is left out and also makes `overflow`: the reader
/// cannot tell which view it concerns, so it refreshes them all.
pub(crate) fn batch_after(seen: i64, end: i64, rows: Vec<LogRow>) -> (ChangeBatch, i64) {
    let everything = ChangeBatch {
        changes: Vec::new(),
        overflow: true,
    };
    if end < seen || rows.len() as i64 > BATCH {
        return (everything, end);
    }
    let (mut batch, mut last) = (ChangeBatch::default(), seen);
    for r in rows {
        last = r.seq;
        match Entity::parse(&r.entity) {
            Some(entity) => batch.changes.push(Change {
                seq: r.seq,
                entity,
                entity_id: r.entity_id,
                op: r.op,
                user_id: r.user_id,
                at: r.at,
            }),
            None => batch.overflow = true,
        }
    }
    (batch, last)
}

/// A reader of the change log from where it last stopped.
pub struct Feed {
    path: PathBuf,
    conn: Connection,
    version: i64,
    seq: i64,
    /// The change counter glanced at before the last locked look, and when
    /// that look was.
    counter: Option<u32>,
    looked: std::time::Instant,
    /// Where colleagues' saves take turns (to let a burst of them through).
    queue: crate::store::queue::Queue,
    /// Since when the counter says there is something to read.
    pending_since: Option<std::time::Instant>,
}

impl Feed {
    /// Starts at the log's current end: what is on screen was loaded from
    /// the file as it is now.
    pub fn open(path: &Path) -> Result<Feed> {
        if !path.exists() {
            return Err(Error::Unreachable {
                detail: format!("{} is not there", path.display()),
            });
        }
        // On a share that refuses locks the file is read without them, as
        // the session reads it (db.rs, LockingBroken).
        let nolock = crate::store::locking::probe(path).is_err();
        let conn = crate::store::db::read_only_connection(path, nolock)?;
        conn.busy_timeout(Duration::from_secs(2))?;
        let counter = crate::store::vfs::peek_change_counter(&conn);
        let start = |conn: &Connection| Ok::<_, Error>((data_version(conn)?, latest_seq(conn)?));
        let (version, seq) = match start(&conn) {
            // The last desktop that wrote died mid-save (recovery.rs).
            Err(e) if crate::store::recovery::is_hot_journal_error(&e) && !nolock => {
                crate::store::recovery::roll_back(path)?;
                start(&conn)?
            }
            other => other?,
        };
        Ok(Feed {
            path: path.to_path_buf(),
            counter,
            conn,
            version,
            seq,
            looked: std::time::Instant::now(),
            queue: crate::store::queue::Queue::beside(path),
            pending_since: None,
        })
    }

    /// The changes committed since the last call. Cheap when nothing changed.
    pub fn poll(&mut self) -> Result<ChangeBatch> {
        match self.poll_once() {
            // A colleague's desktop died mid-save and nobody has read the
            // file since: this read-only handle is refused until the save
            // is rolled back, which any Kizuna may do (recovery.rs).
            Err(e) if crate::store::recovery::is_hot_journal_error(&e) => {
                crate::store::recovery::roll_back(&self.path)?;
                self.poll_once()
            }
            other => other,
        }
    }

    fn poll_once(&mut self) -> Result<ChangeBatch> {
        // An open handle keeps reading a file that was moved or whose share
        // was unmounted underneath; the path is what colleagues write to.
        if !self.path.exists() {
            return Err(Error::Unreachable {
                detail: format!("{} is not there", self.path.display()),
            });
        }
        // Glanced before the locked look, so a commit between the two is
        // seen at the next glance.
        let counter = crate::store::vfs::peek_change_counter(&self.conn);
        let due = self.looked.elapsed() >= FULL_LOOK;
        if counter.is_some() && counter == self.counter && !due {
            return Ok(ChangeBatch::default());
        }
        // Colleagues saving go first, for a moment: a look now would hold
        // a read lock their commits must wait out.
        let since = *self.pending_since.get_or_insert_with(std::time::Instant::now);
        if !due && since.elapsed() < YIELD_LIMIT && self.queue.saves_under_way(&self.conn) {
            return Ok(ChangeBatch::default());
        }
        self.pending_since = None;
        // One read transaction: one read lock, one look for a crashed
        // save's journal, however many statements.
        let tx = self.conn.unchecked_transaction()?;
        let mut at = (self.version, self.seq);
        let batch = read_log(&tx, &mut at)?;
        tx.commit()?;
        (self.version, self.seq) = at;
        // Only a look that got through settles the glance: the counter can
        // move while the writer still holds the file (its pages are in, its
        // commit is not), and a look refused then (busy past the timeout,
        // a slow disk's fsync) must be taken again at the next probe, not
        // FULL_LOOK later.
        self.counter = counter;
        self.looked = std::time::Instant::now();
        Ok(batch)
    }
}

/// What the log holds after `at` (the data version and sequence last
/// read), moving `at` past it.
fn read_log(conn: &Connection, at: &mut (i64, i64)) -> Result<ChangeBatch> {
    let (seen_version, seen_seq) = *at;
    let version = data_version(conn)?;
    if version == seen_version {
        // The counter says nothing moved, but a handle can miss its own
        // file being replaced (a restore renames a copy in); the log
        // itself is the truth, and reading its end is one index seek.
        if latest_seq(conn)? == seen_seq {
            return Ok(ChangeBatch::default());
        }
    }
    at.0 = version;
    let end = latest_seq(conn)?;
    let rows = if end < seen_seq {
        Vec::new()
    } else {
        rows_after(conn, seen_seq, BATCH + 1)?
    };
    let (batch, seq) = batch_after(seen_seq, end, rows);
    at.1 = seq;
    Ok(batch)
}

impl ChangeBatch {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && !self.overflow
    }
}

fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
}

/// Whether the team file answers, as the window is told when that changes.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Reachability {
    pub reachable: bool,
    /// Why not, when it does not.
    pub error: Option<crate::error::ErrorPayload>,
}

/// Where the watcher reports.
pub trait ChangeSink: Send + Sync + 'static {
    fn changed(&self, batch: &ChangeBatch);
    /// The team file could not be read (or did not answer in time).
    fn unreachable(&self, error: &Error);
    /// It answers again after being unreachable.
    fn reachable(&self);
    /// A colleague encrypted, decrypted or re-keyed the file: what this
    /// desktop has open can no longer be read, and it must open it again
    /// (with the passphrase, if it has none for the new key).
    fn key_changed(&self) {}
}

/// What the watcher reads: the team file, or the team server's feed.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    // Boxed: an address with its TLS settings is ten times a path.
    Server(Box<crate::store::server::Server>),
}

impl PartialEq for Source {
    fn eq(&self, other: &Source) -> bool {
        match (self, other) {
            (Source::File(a), Source::File(b)) => a == b,
            // One login on one server is one feed (the password is the
            // credential store's, and the same for both).
            (Source::Server(a), Source::Server(b)) => a.describe() == b.describe(),
            _ => false,
        }
    }
}

impl From<PathBuf> for Source {
    fn from(path: PathBuf) -> Source {
        Source::File(path)
    }
}

/// How long one read of a server's feed waits for its `NOTIFY`: short
/// enough that the watcher sees a new source or a stop within a moment.
const SERVER_WAIT: Duration = Duration::from_millis(400);

#[derive(Default)]
struct Control {
    source: Option<Source>,
    generation: u64,
    stop: bool,
}

impl Stop for Control {
    fn stop(&mut self) {
        self.stop = true;
    }
}

type Shared = background::Shared<Control>;

/// The thread that probes the file and reports changes and reachability.
pub struct Watcher {
    thread: Background<Control>,
}

impl Watcher {
    pub fn start(sink: Arc<dyn ChangeSink>) -> Watcher {
        Watcher {
            thread: Background::spawn("kizuna-changes", Control::default(), move |shared| watch(shared, sink)),
        }
    }

    /// The file watched now (none when it is a server).
    pub fn path(&self) -> Option<PathBuf> {
        match &self.thread.shared().lock().source {
            Some(Source::File(path)) => Some(path.clone()),
            _ => None,
        }
    }

    /// The file or server watched now.
    pub fn source(&self) -> Option<Source> {
        self.thread.shared().lock().source.clone()
    }

    /// Watches this file or server from now on (`None`: none).
    pub fn attach(&self, source: Option<Source>) {
        let shared = self.thread.shared();
        if shared.lock().source != source {
            shared.update(|c| {
                c.source = source;
                c.generation += 1;
            });
        }
    }
}

/// A file system call that hangs (a dead SMB server) never returns; the
/// probe therefore runs on a helper thread and the watcher waits for it
/// only up to [`PROBE_LIMIT`]. A hung helper is abandoned, and no new one
/// starts until it returns, so a hang costs one thread, not one per probe.
struct Prober {
    requests: mpsc::Sender<Option<Source>>,
    answers: mpsc::Receiver<Result<ChangeBatch>>,
    busy: bool,
}

impl Prober {
    fn start() -> Prober {
        let (requests, jobs) = mpsc::channel::<Option<Source>>();
        let (reply, answers) = mpsc::channel();
        std::thread::Builder::new()
            .name("kizuna-probe".into())
            .spawn(move || {
                let mut feed: Option<(Source, Reader)> = None;
                for job in jobs {
                    let out = match job {
                        None => {
                            feed = None;
                            continue;
                        }
                        Some(source) => match &mut feed {
                            Some((s, reader)) if *s == source => reader.read(),
                            _ => Reader::open(&source).map(|reader| {
                                feed = Some((source, reader));
                                ChangeBatch::default()
                            }),
                        },
                    };
                    if out.as_ref().is_err_and(|e| e.code() != crate::error::ErrorCode::Busy) {
                        // Reopen next time: the share may come back as a new file.
                        // (Busy is colleagues' long saves: the same file, looked at again.)
                        feed = None;
                    }
                    if reply.send(out).is_err() {
                        return;
                    }
                }
            })
            .expect("spawning the probe thread");
        Prober {
            requests,
            answers,
            busy: false,
        }
    }

    fn probe(&mut self, source: &Source) -> Result<ChangeBatch> {
        if !self.busy {
            let _ = self.requests.send(Some(source.clone()));
            self.busy = true;
        }
        match self.answers.recv_timeout(PROBE_LIMIT) {
            Ok(out) => {
                self.busy = false;
                out
            }
            Err(RecvTimeoutError::Timeout) => Err(Error::Unreachable {
                detail: format!("no answer from the file system in {} s", PROBE_LIMIT.as_secs()),
            }),
            Err(RecvTimeoutError::Disconnected) => Err(Error::Internal("the probe thread ended".into())),
        }
    }

    fn forget(&mut self) {
        if !self.busy {
            let _ = self.requests.send(None);
        }
    }
}

/// The file's feed, or the server's.
enum Reader {
    File(Feed),
    Server(Box<crate::store::server::ServerFeed>),
}

impl Reader {
    fn open(source: &Source) -> Result<Reader> {
        Ok(match source {
            Source::File(path) => Reader::File(Feed::open(path)?),
            Source::Server(server) => Reader::Server(Box::new(crate::store::server::ServerFeed::open(server)?)),
        })
    }

    fn read(&mut self) -> Result<ChangeBatch> {
        match self {
            Reader::File(feed) => feed.poll(),
            Reader::Server(feed) => feed.next(SERVER_WAIT),
        }
    }
}

fn watch(shared: Arc<Shared>, sink: Arc<dyn ChangeSink>) {
    let mut prober = Prober::start();
    let mut seen_generation = u64::MAX;
    let mut unreachable = false;
    loop {
        let (generation, source) = {
            let c = shared.lock();
            if c.stop {
                return;
            }
            (c.generation, c.source.clone())
        };
        if generation != seen_generation {
            seen_generation = generation;
            prober.forget();
            if unreachable {
                unreachable = false;
                sink.reachable();
            }
        }
        // A server's feed has waited for its wake-up already; a file is
        // probed again after a pause, and so is a server that failed.
        let mut pause = PROBE;
        if let Some(source) = &source {
            match prober.probe(source) {
                Ok(batch) => {
                    if matches!(source, Source::Server(_)) {
                        pause = Duration::ZERO;
                    }
                    if unreachable {
                        unreachable = false;
                        sink.reachable();
                    }
                    if !batch.is_empty() {
                        sink.changed(&batch);
                    }
                }
                Err(e) if e.code() == crate::error::ErrorCode::KeyChanged => {
                    // A fresh connection next time, keyed as the file is now.
                    prober.forget();
                    sink.key_changed();
                }
                Err(e) if is_unreachable(&e) => {
                    if !unreachable {
                        unreachable = true;
                        sink.unreachable(&e);
                    }
                }
                // Busy (a colleague's long write) or similar: try again next probe.
                Err(_) => {}
            }
        }
        let c = shared.lock();
        if c.stop || c.generation != seen_generation || pause.is_zero() {
            continue;
        }
        let _ = shared.wake.wait_timeout(c, pause);
    }
}

fn is_unreachable(e: &Error) -> bool {
    use crate::error::ErrorCode::*;
    matches!(
        e.code(),
        Unreachable | Io | Damaged | NotKizuna | Internal | ServerUnreachable | ServerAuth | ServerRefused
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{company, file_fixture};
    use std::sync::Mutex;
    use std::time::Instant;

    #[test]
    fn a_colleagues_crashed_save_does_not_blind_the_feed() {
        let mut f = file_fixture();
        company(&mut f.db, "前からある会社");
        let mut feed = Feed::open(f.db.path()).unwrap();
        let path = f.db.path().to_path_buf();
        crate::testutil::crash_mid_save(&path);
        // The glance without a lock may not see the crashed save (it never
        // reached the file's first page); the locked look due at the latest
        // after FULL_LOOK does.
        feed.counter = None;
        // The feed's read-only handle is refused until someone rolls the
        // save back; the feed does it itself instead of calling the file
        // unreachable.
        assert!(feed.poll().is_ok());
        assert!(!crate::store::recovery::journal_path(&path).exists());
        let later = company(&mut f.db, "そのあとの会社");
        let ids: Vec<String> = feed.poll().unwrap().changes.into_iter().map(|c| c.entity_id).collect();
        assert!(ids.contains(&later), "{ids:?}");
    }

    #[test]
    fn a_look_refused_while_a_colleague_holds_the_file_is_taken_again_at_the_next_probe() {
        let mut f = file_fixture();
        let mut feed = Feed::open(f.db.path()).unwrap();
        feed.conn.busy_timeout(Duration::from_millis(50)).unwrap();
        let theirs = company(&mut f.db, "同僚が保存した会社");
        // The counter has moved, but a writer holds the file past the
        // feed's busy timeout (as during a commit waiting on a slow fsync).
        let holder = Connection::open(f.db.path()).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
        // The feed has let the save go first for as long as it does.
        feed.pending_since = Some(Instant::now() - YIELD_LIMIT);
        let refused = feed.poll();
        assert!(
            refused.is_err(),
            "the look is refused while the file is held: {refused:?}"
        );
        holder.execute_batch("ROLLBACK").unwrap();
        let ids: Vec<String> = feed.poll().unwrap().changes.into_iter().map(|c| c.entity_id).collect();
        assert_eq!(ids, [theirs], "seen at the next probe, not a full look later");
    }

    #[test]
    fn a_feed_opened_after_a_crash_rolls_it_back() {
        let mut f = file_fixture();
        company(&mut f.db, "前からある会社");
        let path = f.db.path().to_path_buf();
        crate::testutil::crash_mid_save(&path);
        assert!(Feed::open(&path).is_ok());
    }

    #[test]
    fn a_feed_sees_only_what_was_committed_after_it_opened() {
        let mut f = file_fixture();
        let before = company(&mut f.db, "前からある会社");
        let mut feed = Feed::open(f.db.path()).unwrap();
        assert!(feed.poll().unwrap().is_empty());

        let after = company(&mut f.db, "あとから来た会社");
        let batch = feed.poll().unwrap();
        let ids: Vec<&str> = batch.changes.iter().map(|c| c.entity_id.as_str()).collect();
        assert!(ids.contains(&after.as_str()), "{ids:?}");
        assert!(!ids.contains(&before.as_str()));
        assert!(
            batch
                .changes
                .iter()
                .any(|c| c.entity == Entity::Company && c.op == "insert"),
            "{batch:?}"
        );
        // Read once, gone.
        assert!(feed.poll().unwrap().is_empty());
    }

    #[test]
    fn a_kind_of_record_this_version_does_not_know_refreshes_every_view() {
        let mut f = file_fixture();
        let mut feed = Feed::open(f.db.path()).unwrap();
        // What a newer Kizuna might log beside a change this one knows.
        f.db.conn()
            .execute(
                "INSERT INTO change_log (entity, entity_id, op, user_id, at) VALUES ('quote', 'q1', 'insert', NULL, '2026-11-30T00:00:00Z')",
                [],
            )
            .unwrap();
        let known = company(&mut f.db, "知っている会社");
        let batch = feed.poll().unwrap();
        assert!(batch.overflow, "{batch:?}");
        assert_eq!(batch.changes.len(), 1);
        assert_eq!(
            (batch.changes[0].entity, batch.changes[0].entity_id.as_str()),
            (Entity::Company, known.as_str())
        );
        assert!(feed.poll().unwrap().is_empty(), "read once, unknown or not");
    }

    #[test]
    fn a_long_absence_asks_for_a_full_refresh() {
        let mut f = file_fixture();
        let mut feed = Feed::open(f.db.path()).unwrap();
        f.db.write(|ctx| {
            for i in 0..(BATCH + 5) {
                ctx.changed(Entity::Deal, &format!("d{i}"), "update")?;
            }
            Ok(())
        })
        .unwrap();
        let batch = feed.poll().unwrap();
        assert!(batch.overflow);
        assert!(batch.changes.is_empty());
        assert!(feed.poll().unwrap().is_empty());
    }

    #[test]
    fn a_restored_backup_asks_for_a_full_refresh() {
        let mut f = file_fixture();
        let dir = f._dir.path().join("backups");
        let copy = crate::store::backup::take(
            f.db.path(),
            &dir,
            crate::store::backup::BackupKind::Manual,
            chrono::Utc::now(),
        )
        .unwrap();
        let mut feed = Feed::open(f.db.path()).unwrap();
        company(&mut f.db, "バックアップ後の会社");
        assert!(!feed.poll().unwrap().is_empty());
        crate::store::db::restore(f.db.path(), &copy, "2026-11-26T00:00:00Z").unwrap();
        let batch = feed.poll().unwrap();
        assert!(batch.overflow, "{batch:?}");
        // And from there on it follows the restored log.
        let id = company(&mut f.db, "復元後の会社");
        assert!(feed.poll().unwrap().changes.iter().any(|c| c.entity_id == id));
    }

    #[test]
    fn a_missing_file_is_unreachable() {
        let err = Feed::open(Path::new("/nonexistent/kizuna/team.db")).err().unwrap();
        assert!(is_unreachable(&err));
    }

    #[derive(Default)]
    struct Recorder {
        events: Mutex<Vec<String>>,
    }

    impl ChangeSink for Recorder {
        fn changed(&self, batch: &ChangeBatch) {
            let mut e = self.events.lock().unwrap();
            for c in &batch.changes {
                e.push(format!("{}:{}", c.entity.as_str(), c.entity_id));
            }
        }
        fn unreachable(&self, _: &Error) {
            self.events.lock().unwrap().push("unreachable".into());
        }
        fn reachable(&self) {
            self.events.lock().unwrap().push("reachable".into());
        }
    }

    fn wait_for(rec: &Recorder, what: &str) -> Duration {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if rec.events.lock().unwrap().iter().any(|e| e == what) {
                return start.elapsed();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("{what} never reported: {:?}", rec.events.lock().unwrap());
    }

    #[test]
    #[cfg_attr(
        windows,
        ignore = "Windows refuses to rename a file other handles hold open (the watcher's): \
                  a vanishing share is shown on Linux, here and in share_outage.rs"
    )]
    fn the_watcher_reports_a_commit_and_a_vanished_file_and_its_return() {
        let mut f = file_fixture();
        let rec = Arc::new(Recorder::default());
        let watcher = Watcher::start(rec.clone());
        watcher.attach(Some(f.db.path().to_path_buf().into()));
        std::thread::sleep(PROBE * 2);

        let id = company(&mut f.db, "見張られた会社");
        let took = wait_for(&rec, &format!("company:{id}"));
        assert!(took < PROBE * 3, "{took:?}");

        // The share goes away: the file is moved out from under it.
        let path = f.db.path().to_path_buf();
        let aside = path.with_extension("away");
        std::fs::rename(&path, &aside).unwrap();
        wait_for(&rec, "unreachable");
        std::fs::rename(&aside, &path).unwrap();
        wait_for(&rec, "reachable");
        let events = rec.events.lock().unwrap().clone();
        assert_eq!(events.iter().filter(|e| *e == "unreachable").count(), 1, "{events:?}");
    }
}
