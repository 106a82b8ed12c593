//! The SMTP password in the operating system's credential store, through
//! the `keyring` crate: Windows Credential Manager, the macOS Keychain, the
//! Linux kernel's key retention service (keyutils). Never in config.json
//! nor the team file. One entry per member, so two people sharing one OS
//! login keep their own passwords.

use crate::error::{Error, Result};

/// Where in the credential store Kizuna's passwords live.
#[derive(Debug, Clone)]
pub struct Vault {
    service: String,
}

impl Vault {
    /// The desktop's own entries ("jp.kizuna.desktop.smtp" / member id).
    pub fn kizuna() -> Vault {
        Vault::named(format!("{}.smtp", crate::platform::APP_ID))
    }

    /// Entries under another service name: tests, so they never touch the
    /// user's own.
    pub fn named(service: impl Into<String>) -> Vault {
        Vault {
            service: service.into(),
        }
    }

    fn entry(&self, member_id: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, member_id).map_err(store_error)
    }

    pub fn save(&self, member_id: &str, password: &str) -> Result<()> {
        if password.is_empty() {
            return Err(Error::invalid("password", "required"));
        }
        self.entry(member_id)?.set_password(password).map_err(store_error)
    }

    /// `None` when nothing is kept for the member.
    pub fn password(&self, member_id: &str) -> Result<Option<String>> {
        match self.entry(member_id)?.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    /// Forgetting what is not there is no error.
    pub fn forget(&self, member_id: &str) -> Result<()> {
        match self.entry(member_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }
}

fn store_error(e: keyring::Error) -> Error {
    Error::CredentialStore(e.to_string())
}
