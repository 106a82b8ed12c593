//! The probe on Windows: byte-range locks (`LockFileEx`) through two handles
//! of a probe file. On Windows a byte-range lock belongs to the handle that
//! took it, and SMB carries it to the server, so a second handle must be
//! refused — by the server when the file is on a share. A redirector that
//! cannot lock at all (a WebDAV drive mapped to a letter, some NAS
//! firmwares) answers with an error, and a server configured without
//! locking (Samba `locking = no`) grants both: either way the team file
//! opens read-only.
//!
//! Unlike a lock on the team file itself, which a colleague's read would
//! run into (Windows locks are mandatory), a lock on a probe file of our own
//! hinders nobody. It is created with delete-on-close, so not even a crash
//! leaves it behind once Windows closes the handles.

use super::{probe_file_name, LockProblem, PROBE_OFFSET};
use std::fs::File;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use windows_sys::Win32::Foundation::{ERROR_LOCK_VIOLATION, HANDLE};
use windows_sys::Win32::Storage::FileSystem::{
    LockFileEx, UnlockFileEx, FILE_FLAG_DELETE_ON_CLOSE, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
    LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY,
};
use windows_sys::Win32::System::IO::OVERLAPPED;

pub fn probe(db_path: &Path) -> Result<(), LockProblem> {
    let path = db_path.with_file_name(probe_file_name(db_path));
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
            .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
            .open(&path)
    };
    // No probe file (a folder the user may only read, say) says nothing
    // about locks: the normal checks decide what happens then.
    let Ok(first) = open() else { return Ok(()) };
    let Ok(second) = open() else { return Ok(()) };
    probe_handles(&first, &second)
}

/// Locks through `first`, then tries through `second`, which a working file
/// system refuses.
fn probe_handles(first: &File, second: &File) -> Result<(), LockProblem> {
    let took = lock(first);
    let second_took = if took.is_ok() { lock(second) } else { Ok(()) };
    if second_took.is_ok() && took.is_ok() {
        unlock(second);
    }
    if took.is_ok() {
        unlock(first);
    }
    judge(took, second_took)
}

/// What two lock attempts say about the file system.
fn judge(first: std::io::Result<()>, second: std::io::Result<()>) -> Result<(), LockProblem> {
    first.map_err(|e| LockProblem::Refused(e.to_string()))?;
    match second {
        Ok(()) => Err(LockProblem::NotExclusive),
        Err(e) if e.raw_os_error() == Some(ERROR_LOCK_VIOLATION as i32) => Ok(()),
        Err(e) => Err(LockProblem::Refused(e.to_string())),
    }
}

/// Where a lock goes: `at`, one byte.
fn at_offset(at: u64) -> OVERLAPPED {
    // SAFETY: OVERLAPPED is a plain C struct for which all zeroes is valid;
    // the offset of the lock is set on it below.
    let mut o: OVERLAPPED = unsafe { std::mem::zeroed() };
    o.Anonymous.Anonymous.Offset = (at & 0xFFFF_FFFF) as u32;
    o.Anonymous.Anonymous.OffsetHigh = (at >> 32) as u32;
    o
}

/// An exclusive lock on the byte at `at`, without waiting: a lock held
/// elsewhere is `ERROR_LOCK_VIOLATION`. The save queue locks this way too.
pub(crate) fn lock_byte(file: &File, at: u64) -> std::io::Result<()> {
    let mut o = at_offset(at);
    // SAFETY: the handle is open for the duration of the call, and the
    // handle is synchronous, so the OVERLAPPED on the stack outlives the call.
    let ok = unsafe {
        LockFileEx(
            file.as_raw_handle() as HANDLE,
            LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
            0,
            1,
            0,
            &mut o,
        )
    };
    if ok != 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

pub(crate) fn unlock_byte(file: &File, at: u64) {
    let mut o = at_offset(at);
    // SAFETY: as in `lock_byte`.
    unsafe { UnlockFileEx(file.as_raw_handle() as HANDLE, 0, 1, 0, &mut o) };
}

fn lock(file: &File) -> std::io::Result<()> {
    lock_byte(file, PROBE_OFFSET)
}

fn unlock(file: &File) {
    unlock_byte(file, PROBE_OFFSET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_granted_or_an_error_from_the_share_is_a_problem() {
        use std::io::Error;
        let violation = || Err(Error::from_raw_os_error(ERROR_LOCK_VIOLATION as i32));
        // ERROR_NOT_SUPPORTED (50): a WebDAV drive, a redirector without locks.
        let unsupported = || Err(Error::from_raw_os_error(50));
        assert_eq!(judge(Ok(()), violation()), Ok(()));
        assert_eq!(judge(Ok(()), Ok(())), Err(LockProblem::NotExclusive));
        assert!(matches!(judge(unsupported(), Ok(())), Err(LockProblem::Refused(_))));
        assert!(matches!(judge(Ok(()), unsupported()), Err(LockProblem::Refused(_))));
    }

    #[test]
    fn a_probe_while_the_file_is_held_by_another_handle_still_works() {
        // A colleague's lock on the team file does not touch the probe file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.db");
        let held = File::create(&path).unwrap();
        lock(&held).unwrap();
        assert_eq!(probe(&path), Ok(()));
        unlock(&held);
    }
}
