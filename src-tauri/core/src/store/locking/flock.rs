//! The probe on macOS: `flock` through two descriptors of a probe file.
//! macOS has no open-file-description byte-range locks (Linux's
//! `F_OFD_SETLK`), and its POSIX locks belong to the process, so two
//! descriptors of one process never conflict. BSD `flock` locks belong to the
//! open file instead: a second `open` must be refused. The SMB client
//! (`smbfs`) passes them to the server as byte-range locks over the whole
//! file, so a share that refuses locks (`ENOTSUP`) or grants both is caught.
//!
//! The same calls behave the same on Linux, which is where this code is
//! tested (macOS is only compiled here: docs/install.md says why).

use super::{probe_file_name, LockProblem};
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

// Compiled on Linux for its tests only; macOS uses it as its probe.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
pub fn probe(db_path: &Path) -> Result<(), LockProblem> {
    let path = db_path.with_file_name(probe_file_name(db_path));
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
    };
    // No probe file (a folder the user may only read, say) says nothing
    // about locks: the normal checks decide what happens then.
    let outcome = match (open(), open()) {
        (Ok(first), Ok(second)) => probe_files(&first, &second),
        _ => Ok(()),
    };
    let _ = std::fs::remove_file(&path);
    outcome
}

fn probe_files(first: &File, second: &File) -> Result<(), LockProblem> {
    let took = flock(first, libc::LOCK_EX | libc::LOCK_NB);
    let second_took = if took.is_ok() {
        flock(second, libc::LOCK_EX | libc::LOCK_NB)
    } else {
        Ok(())
    };
    let _ = flock(second, libc::LOCK_UN);
    let _ = flock(first, libc::LOCK_UN);
    judge(took, second_took)
}

/// What two lock attempts say about the file system.
fn judge(first: std::io::Result<()>, second: std::io::Result<()>) -> Result<(), LockProblem> {
    first.map_err(|e| LockProblem::Refused(e.to_string()))?;
    match second {
        Ok(()) => Err(LockProblem::NotExclusive),
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(()),
        Err(e) => Err(LockProblem::Refused(e.to_string())),
    }
}

fn flock(file: &File, how: libc::c_int) -> std::io::Result<()> {
    // SAFETY: the descriptor is open for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), how) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_opens_of_one_file_exclude_each_other_and_leave_nothing_behind() {
        // Linux's own probe is another; this one is macOS's, run here.
        crate::store::locking::tests::locks_and_leaves_nothing(probe);
    }

    #[test]
    fn a_second_lock_granted_or_refused_locks_are_a_problem() {
        use std::io::Error;
        assert_eq!(judge(Ok(()), Err(Error::from_raw_os_error(libc::EWOULDBLOCK))), Ok(()));
        assert_eq!(judge(Ok(()), Ok(())), Err(LockProblem::NotExclusive));
        // ENOTSUP: an smbfs mount (or any file system) that does not lock.
        let refused = || Err(Error::from_raw_os_error(libc::ENOTSUP));
        assert!(matches!(judge(refused(), Ok(())), Err(LockProblem::Refused(_))));
        assert!(matches!(judge(Ok(()), refused()), Err(LockProblem::Refused(_))));
    }

    #[test]
    fn the_same_open_file_twice_is_noticed() {
        // A duplicated descriptor shares the open file and so its flock: the
        // second lock is granted, as on a file system that ignores locks.
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("probe")).unwrap();
        let same = file.try_clone().unwrap();
        assert_eq!(probe_files(&file, &same), Err(LockProblem::NotExclusive));
    }
}
