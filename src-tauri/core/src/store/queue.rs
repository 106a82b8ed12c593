//! Saves take turns: a first-come, first-served queue beside the team file.
//!
//! SQLite's locks are not fair. A desktop that finds the file locked sleeps
//! and tries again, and whoever happens to try just after the holder lets go
//! wins, however long the others have waited: with ten colleagues saving on
//! a slow share some waited seconds while others went twice, and a few gave
//! up. So before it asks SQLite for the write lock, a desktop that sees
//! colleagues waiting takes a ticket here and waits until nobody with an
//! earlier ticket is still waiting or saving. SQLite's locks still decide
//! who writes (a program that knows nothing of this queue is only
//! unfair, never unsafe); the queue only decides who asks first.
//!
//! The queue is a small file of its own, `.NAME.queue` beside `NAME`:
//! [`SLOTS`] records of (ticket, process id), and one lock byte per record
//! far beyond them. A waiter holds the lock byte of its record for as long
//! as it waits and saves, so a record whose byte nobody holds belongs to a
//! desktop that crashed or lost the share, and the queue passes over it
//! (the operating system, or the file server for a share, drops the locks
//! of a process that is gone). Tickets are one more than the largest in the
//! file; two taken at once are ordered by their record's place.
//!
//! Cost: with nobody waiting a save reads the 1 KiB of records once (one
//! round trip on a share) and goes. Only a contended save writes here.
//!
//! Within one process the turns of its connections (the window's, the
//! reminder scheduler's) are taken one after the other behind a mutex, with
//! one handle on the queue file per process. That keeps POSIX locks, which
//! belong to the process and vanish when any of its descriptors of the file
//! closes, meaning what the queue needs on Linux and macOS alike.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

/// Records in the queue: more than a team that shares one file has desktops.
/// With all taken a save goes without a ticket, as before the queue.
pub const SLOTS: usize = 64;
const RECORD: usize = 16;
const TABLE: usize = SLOTS * RECORD;
/// Where the lock bytes start: far beyond the records, so that reading the
/// records never meets a lock (Windows locks are mandatory for reads).
const LOCK_BASE: u64 = 0x4000_0000;

/// How a waiting save is doing, for the "saving…" notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Waiting {
    /// Colleagues' saves still ahead of this one (0: the file is held by a
    /// save outside the queue, or the turn is just coming).
    pub ahead: u32,
    /// How long it has waited so far.
    #[ts(type = "number")]
    pub waited_ms: u64,
}

impl Waiting {
    pub(crate) fn after(ahead: u32, waited: Duration) -> Waiting {
        Waiting {
            ahead,
            waited_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// The queue of one team file, shared by the connections of this process.
#[derive(Clone)]
pub struct Queue {
    file: Arc<QueueFile>,
}

struct QueueFile {
    path: PathBuf,
    /// Taken for a whole turn: one connection of this process at a time.
    /// Opened when first needed; created only by a save that has to wait,
    /// so a file nobody ever waited for has nothing beside it.
    handle: Mutex<Option<File>>,
}

impl QueueFile {
    /// The open queue file, opened (and with `create`, created) if need be.
    fn open<'a>(&self, handle: &'a mut Option<File>, create: bool) -> Option<&'a File> {
        if handle.is_none() {
            *handle = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(create)
                .truncate(false)
                .open(&self.path)
                .ok();
        }
        handle.as_ref()
    }
}

/// This process's queue files, by path; a file is closed once no
/// connection uses it.
fn registry() -> &'static Mutex<HashMap<PathBuf, Weak<QueueFile>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<PathBuf, Weak<QueueFile>>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// The queue file's name beside the team file.
pub fn path_beside(db_path: &Path) -> PathBuf {
    db_path.with_file_name(format!(
        ".{}.queue",
        db_path.file_name().unwrap_or_default().to_string_lossy()
    ))
}

impl Queue {
    /// The queue of the team file at `db_path`. Where no queue file can be
    /// kept (a folder this desktop may not write to), saves go as SQLite
    /// lets them.
    pub fn beside(db_path: &Path) -> Queue {
        let path = path_beside(db_path);
        let mut known = registry().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(file) = known.get(&path).and_then(Weak::upgrade) {
            return Queue { file };
        }
        let file = Arc::new(QueueFile {
            path: path.clone(),
            handle: Mutex::new(None),
        });
        known.retain(|_, f| f.strong_count() > 0);
        known.insert(path, Arc::downgrade(&file));
        Queue { file }
    }

    /// Waits until it is this save's turn: nobody who came earlier still
    /// waits or saves. `report` hears how the wait goes about every quarter
    /// second once it has lasted `quiet`; after `limit` the wait ends with
    /// [`Error::Busy`] and the ticket is given back.
    ///
    /// With nobody in the queue the save goes at once without a ticket; if
    /// SQLite then finds the file locked, [`Queue::join`] puts it in line.
    pub fn turn(&self, started: Instant, limit: Duration, report: &mut dyn FnMut(Waiting)) -> Result<Turn<'_>> {
        self.wait(false, started, limit, report)
    }

    /// Like [`Queue::turn`], but with a ticket even when nobody else holds
    /// one: a colleague's save holds the file without one.
    pub fn join(&self, started: Instant, limit: Duration, report: &mut dyn FnMut(Waiting)) -> Result<Turn<'_>> {
        self.wait(true, started, limit, report)
    }

    fn wait(
        &self,
        always: bool,
        started: Instant,
        limit: Duration,
        report: &mut dyn FnMut(Waiting),
    ) -> Result<Turn<'_>> {
        let mut handle = self.file.handle.lock().unwrap_or_else(|p| p.into_inner());
        // A queue that cannot be opened or read must not stop a save.
        let Some(file) = self.file.open(&mut handle, always) else {
            return Ok(Turn {
                file: handle,
                slot: None,
            });
        };
        let table = match Table::read(file) {
            Ok(t) if always || !t.is_empty() => t,
            _ => {
                return Ok(Turn {
                    file: handle,
                    slot: None,
                })
            }
        };
        let Some(slot) = table.free_slot(file) else {
            return Ok(Turn {
                file: handle,
                slot: None,
            });
        };
        let ticket = table.largest() + 1;
        if write_record(file, slot, ticket).is_err() {
            os::unlock(file, LOCK_BASE + slot as u64);
            return Ok(Turn {
                file: handle,
                slot: None,
            });
        }
        let turn = Turn {
            file: handle,
            slot: Some((slot, ticket)),
        };
        if table.is_empty() {
            // Nobody to wait for: straight to SQLite's own wait.
            return Ok(turn);
        }
        let mut last_report: Option<Instant> = None;
        loop {
            let file = turn.file.as_ref().expect("a ticket means an open queue file");
            let ahead = match Table::read(file) {
                Ok(table) => table.live_ahead(file, slot, ticket),
                Err(_) => return Ok(turn),
            };
            if ahead == 0 {
                return Ok(turn);
            }
            let waited = started.elapsed();
            if waited >= limit {
                return Err(Error::Busy);
            }
            if waited >= QUIET && !last_report.is_some_and(|t| t.elapsed() < REPORT_EVERY) {
                report(Waiting::after(ahead, waited));
                last_report = Some(Instant::now());
            }
            // Further back, look less often: each look is a round trip.
            let ms = (8 * u64::from(ahead)).clamp(8, 80) + rand::random_range(0..8);
            std::thread::sleep(Duration::from_millis(ms));
        }
    }
}

impl Queue {
    /// Whether colleagues are saving in turn right now (a live ticket in the
    /// queue, or a save of this process under way): a reader that can wait
    /// a moment lets them through first rather than hold a lock they need.
    pub fn in_use(&self) -> bool {
        let Ok(mut handle) = self.file.handle.try_lock() else {
            return true;
        };
        let Some(file) = self.file.open(&mut handle, false) else {
            return false;
        };
        Table::read(file)
            .is_ok_and(|t| (0..SLOTS).any(|i| t.tickets[i] != 0 && os::held_by_another(file, LOCK_BASE + i as u64)))
    }
}

impl Queue {
    /// Whether a reader should let saves through first: one is in progress
    /// on `conn`'s file (here or on another desktop), or colleagues hold
    /// tickets. The change feed and the reminder scheduler both ask.
    pub(crate) fn saves_under_way(&self, conn: &rusqlite::Connection) -> bool {
        crate::store::vfs::save_in_progress(conn) || self.in_use()
    }
}

/// How long a save waits before the user hears why.
pub const QUIET: Duration = Duration::from_millis(600);
const REPORT_EVERY: Duration = Duration::from_millis(250);

/// This save's turn, until it is dropped (after the commit): its record is
/// cleared and its lock byte let go, and the next in line goes.
pub struct Turn<'a> {
    file: MutexGuard<'a, Option<File>>,
    slot: Option<(usize, u64)>,
}

impl Turn<'_> {
    /// Whether this save holds a ticket (colleagues were waiting).
    pub fn queued(&self) -> bool {
        self.slot.is_some()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let (Some((slot, _)), Some(file)) = (self.slot.take(), self.file.as_ref()) {
            let _ = write_record(file, slot, 0);
            os::unlock(file, LOCK_BASE + slot as u64);
        }
    }
}

/// The records as read in one call.
struct Table {
    tickets: [u64; SLOTS],
}

impl Table {
    fn read(file: &File) -> std::io::Result<Table> {
        let mut bytes = [0u8; TABLE];
        let mut got = 0;
        // A new or short file reads as empty records.
        while got < TABLE {
            match os::read_at(file, &mut bytes[got..], got as u64)? {
                0 => break,
                n => got += n,
            }
        }
        let mut tickets = [0u64; SLOTS];
        for (i, t) in tickets.iter_mut().enumerate() {
            let at = i * RECORD;
            *t = u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        }
        Ok(Table { tickets })
    }

    fn is_empty(&self) -> bool {
        self.tickets.iter().all(|&t| t == 0)
    }

    fn largest(&self) -> u64 {
        self.tickets.iter().copied().max().unwrap_or(0)
    }

    /// A record to wait in, its lock byte taken: cleared records first,
    /// then those of desktops that are gone.
    fn free_slot(&self, file: &File) -> Option<usize> {
        let (cleared, used): (Vec<usize>, Vec<usize>) = (0..SLOTS).partition(|&i| self.tickets[i] == 0);
        cleared
            .into_iter()
            .chain(used)
            .find(|&i| os::try_lock(file, LOCK_BASE + i as u64).unwrap_or(false))
    }

    /// How many saves ahead of (`slot`, `ticket`) are still alive. Records
    /// of desktops that are gone are cleared on the way, so nobody looks at
    /// them twice.
    fn live_ahead(&self, file: &File, slot: usize, ticket: u64) -> u32 {
        let mut ahead: Vec<usize> = (0..SLOTS)
            .filter(|&i| i != slot && self.tickets[i] != 0 && (self.tickets[i], i) < (ticket, slot))
            .collect();
        // The one just before this save is the likeliest to be alive: one
        // look at it is usually all a waiter needs.
        ahead.sort_by_key(|&i| std::cmp::Reverse((self.tickets[i], i)));
        for (k, &i) in ahead.iter().enumerate() {
            if os::held_by_another(file, LOCK_BASE + i as u64) {
                return (ahead.len() - k) as u32;
            }
            // Gone: take its byte so nobody can be taking the record while
            // it is cleared, then let it go.
            if os::try_lock(file, LOCK_BASE + i as u64).unwrap_or(false) {
                let _ = write_record(file, i, 0);
                os::unlock(file, LOCK_BASE + i as u64);
            }
        }
        0
    }
}

fn write_record(file: &File, slot: usize, ticket: u64) -> std::io::Result<()> {
    let mut record = [0u8; RECORD];
    record[..8].copy_from_slice(&ticket.to_le_bytes());
    record[8..12].copy_from_slice(&std::process::id().to_le_bytes());
    os::write_at(file, &record, (slot * RECORD) as u64)
}

#[cfg(unix)]
mod os {
    //! POSIX byte-range locks (`fcntl`), which SMB and NFS clients carry to
    //! the server, on Linux and macOS alike.
    // The lock kinds are `c_int` on Linux and `c_short` on macOS: one cast
    // serves both, and is "unnecessary" on one of them.
    #![allow(clippy::unnecessary_cast)]
    use std::fs::File;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::FileExt;

    fn lock_call(file: &File, cmd: libc::c_int, kind: libc::c_short, at: u64) -> std::io::Result<libc::flock> {
        // SAFETY: all zeroes is a valid `flock`; the fields that matter are
        // set below, and fcntl reads (and for F_GETLK writes) only it.
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = kind;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        fl.l_start = at as libc::off_t;
        fl.l_len = 1;
        // SAFETY: the descriptor is open for the call; `fl` lives on the stack.
        if unsafe { libc::fcntl(file.as_raw_fd(), cmd, &mut fl) } == 0 {
            Ok(fl)
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    pub fn try_lock(file: &File, at: u64) -> std::io::Result<bool> {
        match lock_call(file, libc::F_SETLK, libc::F_WRLCK as libc::c_short, at) {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EACCES)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn unlock(file: &File, at: u64) {
        let _ = lock_call(file, libc::F_SETLK, libc::F_UNLCK as libc::c_short, at);
    }

    /// Whether another process holds the byte. A file system that cannot
    /// say is taken to say yes: waiting a little longer is safe.
    pub fn held_by_another(file: &File, at: u64) -> bool {
        lock_call(file, libc::F_GETLK, libc::F_WRLCK as libc::c_short, at)
            .map_or(true, |fl| fl.l_type != libc::F_UNLCK as libc::c_short)
    }

    pub fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        file.read_at(buf, at)
    }

    pub fn write_at(file: &File, buf: &[u8], at: u64) -> std::io::Result<()> {
        file.write_all_at(buf, at)
    }
}

#[cfg(windows)]
mod os {
    //! `LockFileEx` (through the locking probe's own calls), which SMB
    //! carries to the server. A Windows lock belongs to the handle; the
    //! process has one handle per queue file.
    use crate::store::locking::windows::{lock_byte, unlock_byte};
    use std::fs::File;
    use std::os::windows::fs::FileExt;
    use windows_sys::Win32::Foundation::ERROR_LOCK_VIOLATION;

    pub fn try_lock(file: &File, at: u64) -> std::io::Result<bool> {
        match lock_byte(file, at) {
            Ok(()) => Ok(true),
            Err(e) if e.raw_os_error() == Some(ERROR_LOCK_VIOLATION as i32) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn unlock(file: &File, at: u64) {
        unlock_byte(file, at);
    }

    /// Windows cannot ask who holds a lock: taking it tells, and it is let
    /// go at once. A file system that cannot say is taken to say yes.
    pub fn held_by_another(file: &File, at: u64) -> bool {
        match try_lock(file, at) {
            Ok(true) => {
                unlock(file, at);
                false
            }
            _ => true,
        }
    }

    pub fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        file.seek_read(buf, at)
    }

    pub fn write_at(file: &File, mut buf: &[u8], mut at: u64) -> std::io::Result<()> {
        while !buf.is_empty() {
            let n = file.seek_write(buf, at)?;
            buf = &buf[n..];
            at += n as u64;
        }
        Ok(())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    /// A colleague's desktop in the queue: its record, and its lock byte
    /// held through a lock of another owner (Linux's open-file-description
    /// locks conflict with this process's own POSIX locks, as another
    /// process's would).
    struct Colleague {
        file: File,
        slot: usize,
    }

    impl Colleague {
        fn waiting(db: &Path, slot: usize, ticket: u64) -> Colleague {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path_beside(db))
                .unwrap();
            write_record(&file, slot, ticket).unwrap();
            let c = Colleague { file, slot };
            c.lock(libc::F_WRLCK);
            c
        }

        fn lock(&self, kind: libc::c_int) {
            // SAFETY: as in `os::lock_call`.
            let mut fl: libc::flock = unsafe { std::mem::zeroed() };
            fl.l_type = kind as libc::c_short;
            fl.l_whence = libc::SEEK_SET as libc::c_short;
            fl.l_start = (LOCK_BASE + self.slot as u64) as libc::off_t;
            fl.l_len = 1;
            // SAFETY: the descriptor is open; `fl` lives on the stack.
            assert_eq!(
                unsafe { libc::fcntl(self.file.as_raw_fd(), libc::F_OFD_SETLK, &mut fl) },
                0
            );
        }

        /// Its save is done: record cleared, byte let go.
        fn done(self) {
            write_record(&self.file, self.slot, 0).unwrap();
            self.lock(libc::F_UNLCK);
        }
    }

    fn tickets(db: &Path) -> Vec<u64> {
        let file = File::open(path_beside(db)).unwrap();
        Table::read(&file)
            .unwrap()
            .tickets
            .into_iter()
            .filter(|&t| t != 0)
            .collect()
    }

    #[test]
    fn a_save_with_nobody_waiting_goes_at_once_and_leaves_nothing_beside_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("team.db");
        let queue = Queue::beside(&db);
        let turn = queue
            .turn(Instant::now(), Duration::from_secs(1), &mut |_| panic!("no wait"))
            .unwrap();
        assert!(!turn.queued());
        drop(turn);
        assert!(!path_beside(&db).exists(), "no queue file until someone waits");
        assert!(!queue.in_use());
    }

    #[test]
    fn a_save_waits_behind_a_colleague_in_line_and_goes_when_they_are_done() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("team.db");
        let colleague = Colleague::waiting(&db, 0, 7);
        let queue = Queue::beside(&db);
        assert!(queue.in_use());
        let released = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(900));
            colleague.done();
        });
        let mut heard = Vec::new();
        let started = Instant::now();
        let turn = queue
            .turn(started, Duration::from_secs(10), &mut |w| heard.push(w.ahead))
            .unwrap();
        let waited = started.elapsed();
        assert!(turn.queued());
        assert!(waited >= Duration::from_millis(850), "{waited:?}");
        assert!(!heard.is_empty() && heard.iter().all(|&a| a == 1), "{heard:?}");
        // Its ticket comes after the colleague's.
        assert_eq!(tickets(&db), vec![8]);
        drop(turn);
        assert_eq!(tickets(&db), Vec::<u64>::new(), "the record is cleared after the save");
        released.join().unwrap();
    }

    #[test]
    fn a_wait_past_the_limit_is_busy_and_gives_the_ticket_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("team.db");
        let colleague = Colleague::waiting(&db, 3, 2);
        let queue = Queue::beside(&db);
        let err = queue
            .turn(Instant::now(), Duration::from_millis(200), &mut |_| {})
            .err()
            .unwrap();
        assert_eq!(err.code(), crate::ErrorCode::Busy);
        assert_eq!(tickets(&db), vec![2], "only the colleague's ticket is left");
        colleague.done();
    }

    #[test]
    fn the_ticket_of_a_desktop_that_is_gone_is_passed_over_and_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("team.db");
        // Crashed while waiting: its record stays, nobody holds its byte.
        let crashed = Colleague::waiting(&db, 5, 40);
        crashed.lock(libc::F_UNLCK);
        let queue = Queue::beside(&db);
        assert!(!queue.in_use());
        let started = Instant::now();
        let turn = queue.turn(started, Duration::from_secs(5), &mut |_| {}).unwrap();
        assert!(turn.queued(), "a record in the file means a ticket");
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(tickets(&db), vec![41], "the crashed desktop's record was cleared");
        drop(turn);
        assert!(tickets(&db).is_empty());
    }

    #[test]
    fn one_queue_file_per_process_whatever_the_connections() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("team.db");
        let (a, b) = (Queue::beside(&db), Queue::beside(&db));
        assert!(Arc::ptr_eq(&a.file, &b.file));
        // A save of this process under way: its other connections' feeds
        // let it through first.
        let turn = a.join(Instant::now(), Duration::from_secs(1), &mut |_| {}).unwrap();
        assert!(b.in_use());
        drop(turn);
        assert!(!b.in_use());
    }
}
