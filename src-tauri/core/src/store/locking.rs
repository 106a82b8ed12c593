//! Does this file system really lock? SQLite's safety on a shared file rests
//! entirely on byte-range locks; a share that ignores them (or refuses them)
//! lets two desktops write at once, which corrupts the file
//! (sqlite.org, "How To Corrupt An SQLite Database File", §2). Kizuna
//! checks before it writes, and opens read-only where locking is broken.
//!
//! The probe takes an exclusive lock through one handle and tries to take it
//! again through a second handle; a working file system refuses the second.
//! It needs locks that conflict between two handles of one process, which
//! SQLite's own (per-process POSIX) locks do not: it uses Linux's
//! open-file-description locks, `LockFileEx` on Windows (`locking/windows.rs`)
//! and `flock` on macOS (`locking/flock.rs`).
//!
//! It probes a file of its own beside the database, never the database:
//! closing any descriptor of a file drops every POSIX lock the process
//! holds on it, so a probe on the team file itself would silently release
//! the locks of this process's other connections (the reminder and change
//! threads) — the corruption of §2.2 in that article.
//!
//! What it can catch: a file system that refuses locks (ENOLCK from an NFS
//! mount without a lock manager, a FUSE layer without lock support that
//! reports it) or grants two at once. What it cannot: a share that locks
//! correctly on this machine but does not pass the lock to the server
//! (Linux `cifs` mounted `nobrl`, NFS mounted `nolock`); docs/shared-database.md
//! names those mount options as unsupported.

use std::path::Path;

/// Why the probe thinks locking does not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockProblem {
    /// The file system refused the lock call.
    Refused(String),
    /// A second handle was granted a lock the first one held.
    NotExclusive,
}

impl std::fmt::Display for LockProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockProblem::Refused(e) => write!(f, "the file system refused a lock: {e}"),
            LockProblem::NotExclusive => write!(f, "two handles held the same exclusive lock"),
        }
    }
}

/// The probe the engine uses; replaced in tests through [`crate::OpenOptions`].
pub type Probe = fn(&Path) -> Result<(), LockProblem>;

/// Where the probe locks: the same offset SQLite's lock bytes use (1 GiB),
/// so a file system that handles only small offsets is caught too.
#[cfg(any(target_os = "linux", windows))]
const PROBE_OFFSET: u64 = 0x4000_0000;

#[cfg(windows)]
pub(crate) mod windows;
#[cfg(windows)]
pub use windows::probe;

#[cfg(unix)]
mod flock;
#[cfg(target_os = "macos")]
pub use flock::probe;

/// The probe's own file beside the database, a new name each time, so two
/// desktops probing at once never share one.
fn probe_file_name(db_path: &Path) -> String {
    format!(
        ".{}.lockprobe-{}-{:08x}",
        db_path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id(),
        rand::random::<u32>()
    )
}

#[cfg(target_os = "linux")]
pub fn probe(db_path: &Path) -> Result<(), LockProblem> {
    let path = db_path.with_file_name(probe_file_name(db_path));
    let outcome = probe_file(&path);
    let _ = std::fs::remove_file(&path);
    outcome
}

#[cfg(target_os = "linux")]
fn probe_file(path: &Path) -> Result<(), LockProblem> {
    use std::os::fd::AsRawFd;
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    };
    // No probe file (a folder the user may only read, say) says nothing
    // about locks: the normal checks decide what happens then.
    let (Ok(first), Ok(second)) = (open(), open()) else {
        return Ok(());
    };
    let lock = |fd: i32, kind: libc::c_short| -> std::io::Result<()> {
        // SAFETY: a zeroed flock is a valid value of the C struct; the fields
        // that matter are set below, and fcntl only reads it.
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = kind;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        fl.l_start = PROBE_OFFSET as libc::off_t;
        fl.l_len = 1;
        // SAFETY: fd is open for the duration of the call; fl lives on the stack.
        let rc = unsafe { libc::fcntl(fd, libc::F_OFD_SETLK, &fl) };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    };
    lock(first.as_raw_fd(), libc::F_WRLCK as libc::c_short).map_err(|e| LockProblem::Refused(e.to_string()))?;
    let outcome = match lock(second.as_raw_fd(), libc::F_WRLCK as libc::c_short) {
        Ok(()) => Err(LockProblem::NotExclusive),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EACCES)) => Ok(()),
        Err(e) => Err(LockProblem::Refused(e.to_string())),
    };
    let _ = lock(first.as_raw_fd(), libc::F_UNLCK as libc::c_short);
    let _ = lock(second.as_raw_fd(), libc::F_UNLCK as libc::c_short);
    outcome
}

/// Elsewhere there is no probe; SQLite's own lock errors are what the user
/// sees (docs/shared-database.md, limits).
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub fn probe(_path: &Path) -> Result<(), LockProblem> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local disk locks: `probe` passes twice (the first released its
    /// lock) and leaves nothing beside the team file.
    pub(super) fn locks_and_leaves_nothing(probe: Probe) {
        let dir = tempfile::tempdir().unwrap();
        // Folder and file names as Japanese teams write them, with spaces.
        let path = dir.path().join("営業 チーム.db");
        std::fs::write(&path, b"x").unwrap();
        assert_eq!(probe(&path), Ok(()));
        assert_eq!(probe(&path), Ok(()), "the first probe released its lock");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("営業 チーム.db")]);
    }

    #[test]
    fn a_local_disk_locks() {
        locks_and_leaves_nothing(probe);
    }

    #[test]
    fn a_file_system_whose_locks_fail_is_opened_read_only_and_still_read() {
        use crate::store::db::ReadOnlyReason;
        use crate::{Db, ErrorCode, OpenOptions};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.db");
        drop(Db::create(&path, OpenOptions::new("sato", "佐藤")).unwrap());
        fn broken(_: &Path) -> Result<(), LockProblem> {
            Err(LockProblem::NotExclusive)
        }
        let mut db = Db::open(&path, OpenOptions::new("suzuki", "鈴木").with_lock_probe(broken)).unwrap();
        assert_eq!(db.read_only(), Some(ReadOnlyReason::LockingBroken));
        assert_eq!(db.write(|_| Ok(())).unwrap_err().code(), ErrorCode::ReadOnly);
        assert!(!crate::pipeline::stage::list(db.conn()).unwrap().is_empty());
        // With working locks the same file opens for writing.
        assert_eq!(
            Db::open(&path, OpenOptions::new("suzuki", "鈴木")).unwrap().read_only(),
            None
        );
    }

    #[test]
    fn a_folder_without_room_for_the_probe_is_not_judged() {
        assert_eq!(probe(Path::new("/nonexistent/team.db")), Ok(()));
    }
}
