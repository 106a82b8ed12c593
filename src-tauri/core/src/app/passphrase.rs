//! Where a desktop keeps the team passphrase: the operating system's
//! credential store (Windows Credential Manager, the macOS Keychain, the
//! Linux kernel keyring), one entry per team file path, beside the SMTP
//! password and through the same seam (mail/secret.rs). Never in
//! config.json nor anywhere on the share.

use crate::error::Result;
use crate::mail::Vault;
use crate::store::cipher::{self, Key};
use std::path::Path;

fn vault() -> Vault {
    // Tests and the e2e harness use a service of their own, so they never
    // read nor overwrite what a real desktop keeps.
    match std::env::var("KIZUNA_VAULT_SERVICE") {
        Ok(s) if !s.is_empty() => Vault::named(s),
        _ => Vault::named(format!("{}.team", crate::platform::APP_ID)),
    }
}

/// The entry's name: the file's full path (each desktop sees the share
/// under its own drive letter, and keeps its own entry).
fn entry(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// The passphrase this desktop keeps for `path`, if any.
pub fn saved(path: &Path) -> Result<Option<String>> {
    vault().password(&entry(path))
}

pub fn save(path: &Path, passphrase: &str) -> Result<()> {
    vault().save(&entry(path), passphrase)
}

pub fn forget(path: &Path) -> Result<()> {
    vault().forget(&entry(path))
}

/// Unlocks `path` for this process with the passphrase kept for it, when
/// it is encrypted and not unlocked yet. A credential store that fails is
/// no reason not to ask the user.
pub fn unlock_with_saved(path: &Path) {
    if cipher::looks_encrypted(path).is_none() || cipher::is_unlocked(path) {
        return;
    }
    if let Ok(Some(p)) = saved(path) {
        let _ = cipher::unlock(path, &Key::Passphrase(p));
    }
}
