//! Fewer round trips per save: SQLite's own file layer, with the writes of a
//! transaction gathered until they must reach the file.
//!
//! On a share every file-system call is a round trip to the server, and
//! SQLite writes a rollback journal three calls per page (page number, page,
//! checksum) and the database one call per page. Nothing written before a
//! sync is durable, and SQLite never relies on it being: the journal is
//! synced before the first page of the file is written, the file is synced
//! before the journal is deleted, and nobody else can read either file while
//! this connection holds the write lock. So this layer keeps contiguous
//! writes of the journal and of the database file in memory and hands them
//! to the real file in one call when they must be there: before a sync, a
//! read, a size query, a truncation, a lock change, a file control, or the
//! close (and when 124 KiB have gathered). On disk, at every sync and every
//! lock change, the files are byte for byte what SQLite alone would have
//! left; a crash loses only what was never synced, as before.
//!
//! It wraps the platform's default file layer (unix, or win32 on Windows)
//! and becomes the default itself (`install`), so every connection of the
//! process — the engine's, the change watcher's, recovery's — uses it.
//! Other files (temporary files, a WAL another program left) pass through
//! untouched.

use rusqlite::ffi;
use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Once;

thread_local! {
    /// Writes handed to the platform by this thread's connections: what a
    /// save costs in calls, for the tests (SQLite calls its file layer on
    /// the thread that runs the statement).
    static HANDED: Cell<u64> = const { Cell::new(0) };
}

/// How many writes this thread's connections have handed to the platform.
pub fn writes_handed() -> u64 {
    HANDED.with(Cell::get)
}

fn count_write() {
    HANDED.with(|n| n.set(n.get() + 1));
}

/// Gathered bytes beyond this go to the file (a migration, an import). The
/// unix layer writes at most 128 KiB − 1 bytes in one call (and reports a
/// longer write as a full disk), so a little less than that.
const MAX_PENDING: usize = 0x1F000;

#[repr(C)]
struct File {
    /// SQLite's view: must be first.
    base: ffi::sqlite3_file,
    /// The platform's file, placed after this header in SQLite's allocation.
    real: *mut ffi::sqlite3_file,
    /// Where `pending` starts in the file.
    start: i64,
    pending: Vec<u8>,
}

/// The platform's file sits after our header, aligned.
const HEADER: usize = (std::mem::size_of::<File>() + 15) & !15;

/// The platform's default file layer, which ours wraps.
static BASE: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(std::ptr::null_mut());

/// Makes the gathering layer SQLite's default for this process (once;
/// before the first connection opens). Without a default file layer to
/// wrap (impossible with the bundled SQLite) nothing changes.
pub fn install() {
    // Every connection opened after this is keyed for an encrypted file.
    crate::store::cipher::install();
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe {
        let base = ffi::sqlite3_vfs_find(std::ptr::null());
        if base.is_null() {
            return;
        }
        BASE.store(base, Ordering::Release);
        let mut vfs: ffi::sqlite3_vfs = std::ptr::read(base);
        vfs.szOsFile = (HEADER + (*base).szOsFile as usize) as c_int;
        vfs.pNext = std::ptr::null_mut();
        vfs.zName = c"kizuna".as_ptr() as *const c_char;
        vfs.xOpen = Some(open);
        // SQLite keeps the pointer for the life of the process.
        let vfs = Box::leak(Box::new(vfs));
        ffi::sqlite3_vfs_register(vfs, 1);
    });
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let base = BASE.load(Ordering::Acquire);
    let real = (file as *mut u8).add(HEADER) as *mut ffi::sqlite3_file;
    let Some(base_open) = (*base).xOpen else {
        return ffi::SQLITE_CANTOPEN;
    };
    let rc = base_open(base, name, real, flags, out_flags);
    if rc != ffi::SQLITE_OK || (*real).pMethods.is_null() {
        (*file).pMethods = std::ptr::null();
        return rc;
    }
    let gathered = flags & (ffi::SQLITE_OPEN_MAIN_DB | ffi::SQLITE_OPEN_MAIN_JOURNAL) != 0;
    std::ptr::write(
        file as *mut File,
        File {
            base: ffi::sqlite3_file { pMethods: &METHODS },
            real,
            // Other files are never gathered: -1 makes `write` pass them on.
            start: if gathered { 0 } else { -1 },
            pending: Vec::new(),
        },
    );
    rc
}

unsafe fn this<'a>(file: *mut ffi::sqlite3_file) -> &'a mut File {
    &mut *(file as *mut File)
}

unsafe fn real_methods(f: &File) -> &'static ffi::sqlite3_io_methods {
    &*(*f.real).pMethods
}

/// Sends what was gathered to the file, in one call.
unsafe fn flush(f: &mut File) -> c_int {
    if f.pending.is_empty() {
        return ffi::SQLITE_OK;
    }
    let Some(w) = real_methods(f).xWrite else {
        return ffi::SQLITE_IOERR_WRITE;
    };
    count_write();
    let rc = w(
        f.real,
        f.pending.as_ptr() as *const c_void,
        f.pending.len() as c_int,
        f.start,
    );
    f.pending.clear();
    rc
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    let f = this(file);
    let flushed = flush(f);
    let closed = match real_methods(f).xClose {
        Some(c) => c(f.real),
        None => ffi::SQLITE_OK,
    };
    std::ptr::drop_in_place(&mut f.pending);
    (*file).pMethods = std::ptr::null();
    if flushed != ffi::SQLITE_OK {
        flushed
    } else {
        closed
    }
}

unsafe extern "C" fn read(file: *mut ffi::sqlite3_file, buf: *mut c_void, amt: c_int, off: i64) -> c_int {
    let f = this(file);
    let rc = flush(f);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    match real_methods(f).xRead {
        Some(r) => r(f.real, buf, amt, off),
        None => ffi::SQLITE_IOERR_READ,
    }
}

unsafe extern "C" fn write(file: *mut ffi::sqlite3_file, buf: *const c_void, amt: c_int, off: i64) -> c_int {
    let f = this(file);
    let data = std::slice::from_raw_parts(buf as *const u8, amt.max(0) as usize);
    if f.start >= 0 {
        let end = f.start + f.pending.len() as i64;
        if !f.pending.is_empty() && off >= f.start && off <= end && f.pending.len() + data.len() <= MAX_PENDING {
            // Continues or overwrites what is gathered.
            let at = (off - f.start) as usize;
            let overlap = (f.pending.len() - at).min(data.len());
            f.pending[at..at + overlap].copy_from_slice(&data[..overlap]);
            f.pending.extend_from_slice(&data[overlap..]);
            return ffi::SQLITE_OK;
        }
        let rc = flush(f);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        if data.len() < MAX_PENDING {
            f.start = off;
            f.pending.extend_from_slice(data);
            return ffi::SQLITE_OK;
        }
    }
    count_write();
    match real_methods(f).xWrite {
        Some(w) => w(f.real, buf, amt, off),
        None => ffi::SQLITE_IOERR_WRITE,
    }
}

/// Passes a call on to the platform's file after what was gathered.
macro_rules! after_flush {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*), $missing:expr) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file, $($arg: $ty),*) -> c_int {
            let f = this(file);
            let rc = flush(f);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            match real_methods(f).$method {
                Some(m) => m(f.real, $($arg),*),
                None => $missing,
            }
        }
    };
}

after_flush!(truncate, xTruncate, (size: i64), ffi::SQLITE_IOERR_TRUNCATE);
after_flush!(sync, xSync, (flags: c_int), ffi::SQLITE_IOERR_FSYNC);
after_flush!(file_size, xFileSize, (size: *mut i64), ffi::SQLITE_IOERR_FSTAT);
after_flush!(lock, xLock, (level: c_int), ffi::SQLITE_IOERR_LOCK);
after_flush!(unlock, xUnlock, (level: c_int), ffi::SQLITE_IOERR_UNLOCK);
after_flush!(file_control, xFileControl, (op: c_int, arg: *mut c_void), ffi::SQLITE_NOTFOUND);
after_flush!(fetch, xFetch, (off: i64, amt: c_int, out: *mut *mut c_void), {
    *out = std::ptr::null_mut();
    ffi::SQLITE_OK
});

unsafe extern "C" fn check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    let f = this(file);
    match real_methods(f).xCheckReservedLock {
        Some(m) => m(f.real, out),
        None => ffi::SQLITE_IOERR_CHECKRESERVEDLOCK,
    }
}

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    let f = this(file);
    real_methods(f).xSectorSize.map_or(4096, |m| m(f.real))
}

unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    let f = this(file);
    real_methods(f).xDeviceCharacteristics.map_or(0, |m| m(f.real))
}

unsafe extern "C" fn shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    let f = this(file);
    match real_methods(f).xShmMap {
        Some(m) if real_methods(f).iVersion >= 2 => m(f.real, page, size, extend, out),
        _ => ffi::SQLITE_IOERR_SHMMAP,
    }
}

unsafe extern "C" fn shm_lock(file: *mut ffi::sqlite3_file, off: c_int, n: c_int, flags: c_int) -> c_int {
    let f = this(file);
    match real_methods(f).xShmLock {
        Some(m) if real_methods(f).iVersion >= 2 => m(f.real, off, n, flags),
        _ => ffi::SQLITE_IOERR_SHMLOCK,
    }
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    let f = this(file);
    if let Some(m) = real_methods(f).xShmBarrier.filter(|_| real_methods(f).iVersion >= 2) {
        m(f.real)
    }
}

unsafe extern "C" fn shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    let f = this(file);
    match real_methods(f).xShmUnmap {
        Some(m) if real_methods(f).iVersion >= 2 => m(f.real, delete),
        _ => ffi::SQLITE_OK,
    }
}

unsafe extern "C" fn unfetch(file: *mut ffi::sqlite3_file, off: i64, p: *mut c_void) -> c_int {
    let f = this(file);
    match real_methods(f).xUnfetch {
        Some(m) if real_methods(f).iVersion >= 3 => m(f.real, off, p),
        _ => ffi::SQLITE_OK,
    }
}

/// `conn`'s open main file, owned by SQLite: valid while the connection is
/// open, and used only while it is borrowed.
fn main_file(conn: &rusqlite::Connection) -> Option<*mut ffi::sqlite3_file> {
    let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
    // SAFETY: the handle is the live connection's; FILE_POINTER writes one
    // pointer to the main database's open file.
    let rc = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_FILE_POINTER,
            (&mut file as *mut *mut ffi::sqlite3_file).cast(),
        )
    };
    // SAFETY: a non-null file pointer from SQLite points at an open file.
    (rc == ffi::SQLITE_OK && !file.is_null() && unsafe { !(*file).pMethods.is_null() }).then_some(file)
}

/// The file change counter of `conn`'s main file (bytes 24..28 of its
/// header, which every commit changes), read through the connection's own
/// file handle *without a lock*: one read, and no colleague's commit waits
/// for it. It can be torn or a moment early; it is only a hint of whether a
/// locked look is worth taking. `None` when it cannot be read (the file is
/// empty or not open yet).
pub(crate) fn peek_change_counter(conn: &rusqlite::Connection) -> Option<u32> {
    let file = main_file(conn)?;
    let mut counter = [0u8; 4];
    // SAFETY: `file` is open (main_file); xRead of 4 bytes into a buffer of
    // 4 is within its contract, and reads need no lock.
    let rc = unsafe { ((*(*file).pMethods).xRead?)(file, counter.as_mut_ptr().cast(), 4, 24) };
    (rc == ffi::SQLITE_OK).then(|| u32::from_be_bytes(counter))
}

/// Copies `conn`'s main file into `dest` in large reads through the
/// connection's own handle, while the caller holds a read transaction (so
/// no colleague's commit can change the file underneath). On a share a copy
/// page by page makes one round trip per page, thousands with a read lock
/// held; this makes one per [`COPY_CHUNK`]. Through SQLite's own handle,
/// because opening and closing another descriptor of the file would drop
/// every POSIX lock this process holds on it.
pub(crate) fn copy_main_file(conn: &rusqlite::Connection, dest: &mut impl std::io::Write) -> std::io::Result<u64> {
    let io_error = |what: &str, rc: std::os::raw::c_int| std::io::Error::other(format!("{what} failed ({rc})"));
    let file = main_file(conn).ok_or_else(|| std::io::Error::other("the team file is not open"))?;
    let mut size: i64 = 0;
    // SAFETY: `file` is open (main_file); the out-parameter lives on the stack.
    let rc = unsafe {
        match (*(*file).pMethods).xFileSize {
            Some(size_of) => size_of(file, &mut size),
            None => return Err(std::io::Error::other("no file size")),
        }
    };
    if rc != ffi::SQLITE_OK {
        return Err(io_error("reading the file size", rc));
    }
    let mut buf = vec![0u8; COPY_CHUNK];
    let mut at: i64 = 0;
    while at < size {
        let n = COPY_CHUNK.min((size - at) as usize);
        // SAFETY: as above; `buf` holds at least `n` bytes.
        let rc = unsafe {
            match (*(*file).pMethods).xRead {
                Some(read) => read(file, buf.as_mut_ptr().cast(), n as std::os::raw::c_int, at),
                None => return Err(std::io::Error::other("no read")),
            }
        };
        if rc != ffi::SQLITE_OK {
            return Err(io_error("reading the team file", rc));
        }
        dest.write_all(&buf[..n])?;
        at += n as i64;
    }
    Ok(size as u64)
}

/// How much one read of [`copy_main_file`] asks for.
const COPY_CHUNK: usize = 1 << 20;

/// Whether some connection, here or on another desktop, is in the middle of
/// a save on `conn`'s file (holds SQLite's reserved lock or more): one lock
/// test, nothing taken. A file system that cannot say answers no.
pub(crate) fn save_in_progress(conn: &rusqlite::Connection) -> bool {
    let Some(file) = main_file(conn) else { return false };
    let mut reserved: std::os::raw::c_int = 0;
    // SAFETY: as in `peek_change_counter`; the out-parameter lives on the stack.
    let rc = unsafe {
        match (*(*file).pMethods).xCheckReservedLock {
            Some(check) => check(file, &mut reserved),
            None => return false,
        }
    };
    rc == ffi::SQLITE_OK && reserved != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{self, file_fixture};
    use crate::timeline::activity::ActivityKind;

    /// Logs a call; returns the writes it handed to the platform and the
    /// pages of the file it changed.
    fn writes_of_a_save(db: &mut crate::Db, company_id: &str, summary: &str) -> (u64, usize) {
        let before_file = std::fs::read(db.path()).unwrap();
        let before = writes_handed();
        testutil::log(
            db,
            &testutil::entry(company_id, ActivityKind::Call, "2026-11-25T09:00:00+09:00", summary),
        );
        let calls = writes_handed() - before;
        let after_file = std::fs::read(db.path()).unwrap();
        let page = 4096;
        let changed = (0..after_file.len().div_ceil(page))
            .filter(|i| before_file.get(i * page..(i + 1) * page) != after_file.get(i * page..(i + 1) * page))
            .count();
        (calls, changed)
    }

    #[test]
    fn a_save_hands_its_journal_over_in_one_call_not_three_per_page() {
        let mut f = file_fixture();
        let company = testutil::company(&mut f.db, "株式会社さくら商事");
        for i in 0..5 {
            let (calls, pages) = writes_of_a_save(&mut f.db, &company, &format!("見積の件で電話 {i}"));
            // Through SQLite's own layer every changed page costs four
            // writes (page number, page and checksum in the journal, the
            // page in the file). Gathered: the journal once, its header
            // once, and at most one write per page of the file.
            assert!(
                pages >= 5,
                "a logged call changes the entry, its indexes, search, audit and log: {pages}"
            );
            assert!(calls <= pages as u64 + 2, "{calls} writes for {pages} pages");
        }
    }

    #[test]
    fn a_transaction_larger_than_what_is_gathered_is_written_whole() {
        let mut f = file_fixture();
        let company = testutil::company(&mut f.db, "株式会社さくら商事");
        // Minutes of ~290 KB (98,000 characters): over twice the gathering
        // limit, in one save.
        let mut long = testutil::entry(&company, ActivityKind::Meeting, "2026-11-25T09:00:00+09:00", "定例会議");
        long.minutes = "議事録の本文。".repeat(14_000);
        let id = testutil::log(&mut f.db, &long);
        let path = f.db.path().to_path_buf();
        drop(f.db);
        // A fresh connection reads what reached the file.
        let conn = rusqlite::Connection::open(&path).unwrap();
        let minutes: String = conn
            .query_row("SELECT minutes FROM activities WHERE id = ?1", [&id], |r| r.get(0))
            .unwrap();
        assert_eq!(minutes, long.minutes);
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
    }

    #[test]
    fn the_layer_is_the_default_once_a_team_file_was_opened() {
        let _f = file_fixture();
        let name = unsafe { std::ffi::CStr::from_ptr((*ffi::sqlite3_vfs_find(std::ptr::null())).zName) };
        assert_eq!(name.to_str().unwrap(), "kizuna");
    }
}
