//! Updating a team without an update server. Once one desktop's newer
//! Kizuna migrates the team file, every older Kizuna opens it read-only
//! ("update Kizuna"). So the admin puts the new installers, with the
//! manifest `make dist` writes beside them, into an agreed folder next to
//! the team file:
//!
//! ```text
//! \\server\share\営業\kizuna.db
//! \\server\share\営業\Kizuna-updates\kizuna-update.json
//! \\server\share\営業\Kizuna-updates\Kizuna-0.2.0-x64-setup.exe
//! ```
//!
//! Every Kizuna looks there ([`look`]); one older than what it finds offers
//! the installer for its own system. Before anything runs, [`verify`] copies
//! the installer to this computer and checks the copy: the version must be
//! newer than the running one, the size and SHA-256 the ones the manifest
//! records, and an Authenticode signature, where the file carries one, valid
//! for Windows (platform-specific part in `update/`). What is checked is
//! exactly what runs: the local copy, never the file on the share.
//!
//! The checksum catches a file damaged or half-copied on its way to the
//! share, or replaced without the manifest. It does not stop someone who may
//! write both to the share; a signature does (docs/install.md).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// This build's version (the workspace's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The agreed folder, beside the team file.
pub const FOLDER: &str = "Kizuna-updates";
/// The manifest in it, written by `make dist` (scripts/dist.sh).
pub const MANIFEST: &str = "kizuna-update.json";

#[cfg(windows)]
mod windows;

/// This computer's name for its installer in the manifest:
/// `windows-x86_64`, `linux-x86_64`, `macos-aarch64`.
pub fn platform() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

/// `kizuna-update.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The app id (platform::APP_ID): another product's folder is not ours.
    pub product: String,
    pub version: String,
    /// The schema this version writes: a team file at a higher one needs a
    /// newer Kizuna still.
    pub schema: i64,
    pub installers: Vec<Installer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installer {
    pub platform: String,
    /// A file name in the folder (no path).
    pub file: String,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// What the agreed folder holds for this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UpdateCheck {
    /// The agreed folder, to tell an admin where the installer goes.
    pub folder: String,
    /// The version running now.
    pub running: String,
    /// A newer Kizuna for this computer, ready to be checked and installed.
    pub offer: Option<UpdateOffer>,
    /// Why what lies there is not offered; `None` also when nothing is there.
    pub problem: Option<UpdateProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UpdateOffer {
    pub version: String,
    /// The schema that version writes.
    #[ts(type = "number")]
    pub schema: i64,
    pub file: String,
    #[ts(type = "number")]
    pub size: u64,
}

/// Why the folder's content is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UpdateProblem {
    /// The manifest cannot be read as one (or names another product).
    Manifest,
    /// It has no installer for this kind of computer.
    NoInstallerForThisComputer,
    /// It names an installer that is not in the folder.
    InstallerMissing,
}

/// The platform an installer's file name says it is for, as `make dist`
/// names them: `…-x64-setup.exe`, `…_amd64.deb`, `…-aarch64.pkg`.
pub fn platform_of_installer(file: &str) -> Option<&'static str> {
    let f = file.to_ascii_lowercase();
    if f.ends_with("-x64-setup.exe") {
        Some("windows-x86_64")
    } else if f.ends_with("_amd64.deb") {
        Some("linux-x86_64")
    } else if f.ends_with("-aarch64.pkg") {
        Some("macos-aarch64")
    } else {
        None
    }
}

/// The manifest for the installers in `dir` (every file
/// [`platform_of_installer`] knows), as version `version` writing schema
/// `schema`: what `kizuna update-manifest` writes.
pub fn manifest_for(dir: &Path, version: &str, schema: i64) -> Result<Manifest> {
    parse(version)?;
    let mut installers = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    for file in names {
        let Some(platform) = platform_of_installer(&file) else {
            continue;
        };
        let mut hash = Sha256::new();
        let size = std::io::copy(&mut std::fs::File::open(dir.join(&file))?, &mut hash)?;
        installers.push(Installer {
            platform: platform.to_string(),
            sha256: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            file,
            size,
        });
    }
    Ok(Manifest {
        product: crate::platform::APP_ID.to_string(),
        version: version.to_string(),
        schema,
        installers,
    })
}

/// The folder beside `team_db`.
pub fn folder_of(team_db: &Path) -> PathBuf {
    team_db.parent().unwrap_or(Path::new(".")).join(FOLDER)
}

/// What the agreed folder beside `team_db` offers this build. Never fails:
/// an unreadable folder is "nothing there", a broken manifest a problem.
pub fn look(team_db: &Path) -> UpdateCheck {
    look_as(team_db, VERSION, &platform())
}

/// [`look`] as a given version on a given platform (tests: an older build).
pub fn look_as(team_db: &Path, running: &str, platform: &str) -> UpdateCheck {
    let folder = folder_of(team_db);
    let mut check = UpdateCheck {
        folder: folder.display().to_string(),
        running: running.to_string(),
        offer: None,
        problem: None,
    };
    let manifest = match read_manifest(&folder) {
        Ok(Some(m)) => m,
        Ok(None) => return check,
        Err(_) => {
            check.problem = Some(UpdateProblem::Manifest);
            return check;
        }
    };
    let (Ok(offered), Ok(running)) = (parse(&manifest.version), parse(running)) else {
        check.problem = Some(UpdateProblem::Manifest);
        return check;
    };
    if offered <= running {
        return check;
    }
    let Some(entry) = manifest.installers.iter().find(|i| i.platform == platform) else {
        check.problem = Some(UpdateProblem::NoInstallerForThisComputer);
        return check;
    };
    if !plain_file_name(&entry.file) || !folder.join(&entry.file).is_file() {
        check.problem = Some(if plain_file_name(&entry.file) {
            UpdateProblem::InstallerMissing
        } else {
            UpdateProblem::Manifest
        });
        return check;
    }
    check.offer = Some(UpdateOffer {
        version: manifest.version.clone(),
        schema: manifest.schema,
        file: entry.file.clone(),
        size: entry.size,
    });
    check
}

/// `Ok(None)` when there is no manifest (or no folder) at all.
fn read_manifest(folder: &Path) -> Result<Option<Manifest>> {
    let bytes = match std::fs::read(folder.join(MANIFEST)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let m: Manifest = serde_json::from_slice(&bytes).map_err(|_| Error::invalid("installer", "manifest"))?;
    if m.product != crate::platform::APP_ID {
        return Err(Error::invalid("installer", "manifest"));
    }
    Ok(Some(m))
}

fn parse(version: &str) -> Result<semver::Version> {
    semver::Version::parse(version.trim()).map_err(|_| Error::invalid("installer", "manifest"))
}

/// A name inside the folder: never a path that leads out of it.
fn plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', ':'])
        && Path::new(name).file_name().is_some_and(|f| f == name)
}

/// Where installers are copied for checking: this computer's cache
/// (`%LOCALAPPDATA%\jp.kizuna.desktop\updates` on Windows), not the roaming
/// profile, which would carry them to the server at every sign-out; the data
/// folder when `KIZUNA_HOME` sets it (tests, portable use).
pub fn download_dir(data_dir: &Path) -> PathBuf {
    let home = std::env::var_os("KIZUNA_HOME").filter(|v| !v.is_empty());
    match (home, dirs::cache_dir()) {
        (None, Some(cache)) => cache.join(crate::platform::APP_ID).join("updates"),
        _ => data_dir.join("updates"),
    }
}

/// An installer copied to this computer and checked, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub path: PathBuf,
    pub version: String,
    /// It carried a signature and Windows accepted it (always `false` where
    /// signatures are not checked).
    pub signed: bool,
}

/// Copies the installer of `version` from the agreed folder into `into`
/// (this computer's disk) and checks the copy; refuses with
/// `invalid installer.<reason>`: `changed` (the folder no longer offers that
/// version), `not_newer`, `no_installer`, `manifest`, `size`, `checksum`,
/// `signature`. A copy that fails is deleted.
pub fn verify(team_db: &Path, version: &str, into: &Path) -> Result<Verified> {
    verify_as(team_db, version, into, VERSION, &platform())
}

pub fn verify_as(team_db: &Path, version: &str, into: &Path, running: &str, platform: &str) -> Result<Verified> {
    let folder = folder_of(team_db);
    let manifest = read_manifest(&folder)?.ok_or(Error::invalid("installer", "changed"))?;
    if manifest.version != version {
        return Err(Error::invalid("installer", "changed"));
    }
    if parse(&manifest.version)? <= parse(running)? {
        return Err(Error::invalid("installer", "not_newer"));
    }
    let entry = manifest
        .installers
        .iter()
        .find(|i| i.platform == platform)
        .ok_or(Error::invalid("installer", "no_installer"))?;
    if !plain_file_name(&entry.file) {
        return Err(Error::invalid("installer", "manifest"));
    }
    std::fs::create_dir_all(into)?;
    let copy = into.join(&entry.file);
    let outcome = copy_and_check(&folder.join(&entry.file), &copy, entry);
    let signed = outcome.and_then(|()| check_signature(&copy));
    match signed {
        Ok(signed) => Ok(Verified {
            path: copy,
            version: manifest.version,
            signed,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&copy);
            Err(e)
        }
    }
}

/// Copies while hashing, so what is checked is what was written here.
fn copy_and_check(from: &Path, to: &Path, entry: &Installer) -> Result<()> {
    let mut src = std::fs::File::open(from).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::invalid("installer", "changed"),
        _ => e.into(),
    })?;
    let mut dst = std::fs::File::create(to)?;
    let mut hash = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        // Nobody's installer is a hundred times the size it claims.
        if size > entry.size.saturating_mul(2).max(1 << 20) {
            return Err(Error::invalid("installer", "size"));
        }
        hash.update(&buf[..n]);
        dst.write_all(&buf[..n])?;
    }
    dst.sync_all()?;
    if size != entry.size {
        return Err(Error::invalid("installer", "size"));
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if !hex.eq_ignore_ascii_case(entry.sha256.trim()) {
        return Err(Error::invalid("installer", "checksum"));
    }
    Ok(())
}

/// Where the installer carries a signature, the system must accept it; an
/// unsigned installer rests on its checksum. Windows: Authenticode, through
/// WinVerifyTrust. macOS: a `.pkg`'s signature, through `pkgutil` (compiled
/// here, not run: docs/install.md). A `.deb` has no signature to check.
fn check_signature(path: &Path) -> Result<bool> {
    #[cfg(windows)]
    {
        if !carries_authenticode_signature(path)? {
            return Ok(false);
        }
        windows::verify_authenticode(path).map_err(|_| Error::invalid("installer", "signature"))?;
        Ok(true)
    }
    #[cfg(target_os = "macos")]
    {
        if !matches!(path.extension(), Some(e) if e == "pkg") {
            return Ok(false);
        }
        let out = std::process::Command::new("/usr/sbin/pkgutil")
            .arg("--check-signature")
            .arg(path)
            .output()?;
        pkg_signature(out.status.success(), &String::from_utf8_lossy(&out.stdout))
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        let _ = path;
        Ok(false)
    }
}

/// What `pkgutil --check-signature` said: `Status: no signature` is an
/// unsigned package; a signature is good only when pkgutil succeeded and
/// says signed; anything else (untrusted, expired, changed) is refused.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
fn pkg_signature(succeeded: bool, report: &str) -> Result<bool> {
    let status = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Status:"))
        .map(str::trim)
        .unwrap_or("");
    if status == "no signature" {
        Ok(false)
    } else if succeeded && status.starts_with("signed") {
        Ok(true)
    } else {
        Err(Error::invalid("installer", "signature"))
    }
}

/// Whether a Windows executable has a certificate table (the PE security
/// directory): the sign that it was signed, valid or not.
pub fn carries_authenticode_signature(path: &Path) -> Result<bool> {
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)?.take(4096).read_to_end(&mut head)?;
    Ok(security_directory_size(&head).is_some_and(|size| size > 0))
}

/// The size of the PE security directory, `None` for what is not a PE file.
fn security_directory_size(head: &[u8]) -> Option<u32> {
    let u16_at = |at: usize| head.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if head.get(..2)? != b"MZ" {
        return None;
    }
    let pe = u32_at(0x3C)? as usize;
    if head.get(pe..pe + 4)? != b"PE\0\0" {
        return None;
    }
    let optional = pe + 24;
    let directories = match u16_at(optional)? {
        0x10b => optional + 96,  // PE32
        0x20b => optional + 112, // PE32+
        _ => return None,
    };
    // Entry 4 of the data directories: IMAGE_DIRECTORY_ENTRY_SECURITY.
    u32_at(directories + 4 * 8 + 4)
}

/// What "Install" did, for the window to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InstallStarted {
    pub version: String,
    /// The installer carried a signature Windows accepted.
    pub signed: bool,
    /// Kizuna closes now and the installer starts the new one (Windows);
    /// elsewhere the system's installer opened and the user restarts Kizuna.
    pub restarts: bool,
}

/// Starts a checked installer. On Windows it runs silently over the
/// installed Kizuna (`/S`), waits for this one to close, and with `restart`
/// starts the new one (`/UPDATE`, installer/windows/kizuna.nsi); the caller
/// then quits. Elsewhere the system's installer for the file opens it (a
/// `.deb` in the software centre, a `.pkg` in Installer).
pub fn launch(installer: &Verified, restart: bool) -> Result<InstallStarted> {
    #[cfg(windows)]
    {
        let mut cmd = std::process::Command::new(&installer.path);
        cmd.arg("/S");
        if restart {
            cmd.arg("/UPDATE");
        }
        cmd.spawn()?;
    }
    #[cfg(not(windows))]
    {
        let _ = restart;
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        let mut child = std::process::Command::new(opener).arg(&installer.path).spawn()?;
        // Reaped when it is done, so no zombie stays behind.
        std::thread::spawn(move || child.wait());
    }
    Ok(InstallStarted {
        version: installer.version.clone(),
        signed: installer.signed,
        restarts: cfg!(windows) && restart,
    })
}

#[cfg(test)]
mod tests;
