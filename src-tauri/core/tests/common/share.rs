//! A share that misbehaves on command: `tests/faultfs.py`, a FUSE process
//! that mirrors a folder and slows every call down, fails it with EIO, or
//! hangs it like a dead SMB server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A FUSE mount of a temp folder, unmounted on drop.
pub struct FaultyShare {
    pub backing: PathBuf,
    _dir: tempfile::TempDir,
    pub mount: PathBuf,
    control: PathBuf,
    server: Child,
}

impl FaultyShare {
    /// `None` (and a note) where FUSE cannot run; under CI that is a failure.
    pub fn mount() -> Option<FaultyShare> {
        Self::mount_with(&[])
    }

    /// `extra`: `["refuse-locks"]` for a share that refuses every lock.
    pub fn mount_with(extra: &[&str]) -> Option<FaultyShare> {
        let usable = Path::new("/dev/fuse").exists()
            && Command::new("/usr/bin/python3")
                .args(["-c", "import fusepy"])
                .status()
                .is_ok_and(|s| s.success());
        if !usable {
            assert!(
                std::env::var_os("CI").is_none(),
                "FUSE (/dev/fuse and python3-fusepy, see `make test-deps`) is needed for the share tests"
            );
            eprintln!("skipping: no FUSE here (needs /dev/fuse and python3-fusepy)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let (backing, mount, control) = (
            dir.path().join("server"),
            dir.path().join("share"),
            dir.path().join("mode"),
        );
        std::fs::create_dir_all(&backing).unwrap();
        std::fs::create_dir_all(&mount).unwrap();
        std::fs::write(&control, "ok").unwrap();
        let server = serve(&backing, &mount, &control, extra);
        Some(FaultyShare {
            backing,
            _dir: dir,
            mount,
            control,
            server,
        })
    }

    /// The server restarts: every handle opened before is dead for good
    /// (ENOTCONN), new ones work — what an SMB server reboot does to a client.
    pub fn restart(&mut self) {
        self.unmount();
        self.server = serve(&self.backing, &self.mount, &self.control, &[]);
    }

    pub fn unmount(&mut self) {
        self.set("ok");
        let _ = Command::new("fusermount").args(["-u", "-z"]).arg(&self.mount).status();
        let _ = self.server.kill();
        let _ = self.server.wait();
    }

    pub fn set(&self, mode: &str) {
        std::fs::write(&self.control, mode).unwrap();
    }
}

impl Drop for FaultyShare {
    fn drop(&mut self) {
        self.unmount();
    }
}

/// Starts tests/faultfs.py and waits until the mount is there.
fn serve(backing: &Path, mount: &Path, control: &Path, extra: &[&str]) -> Child {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/faultfs.py");
    let server = Command::new("/usr/bin/python3")
        .arg(script)
        .args([backing, mount, control])
        .args(extra)
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_to_string("/proc/mounts")
        .unwrap()
        .contains(&*mount.to_string_lossy())
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the FUSE share did not mount"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}
