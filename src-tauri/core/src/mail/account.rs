//! A member's SMTP account on one computer. Kept in the per-user config
//! (config.json) without the password, which lives in the credential
//! store (secret.rs): a colleague reading the team file or a copied
//! config.json learns nothing that logs in.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a relay on this computer (the password would
    /// cross the network in the clear otherwise).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SmtpAccount {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The login; empty for a server that takes mail without one.
    pub user: String,
    pub from_address: String,
    /// The name recipients see (`田中 太郎`), encoded for them.
    pub from_name: String,
}

const HOST_MAX: usize = 253;
const TEXT_MAX: usize = 200;

fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]")
}

impl SmtpAccount {
    /// The account as it will be saved: trimmed, the address in its usual
    /// form (email.rs), unsafe combinations refused.
    pub fn validated(&self) -> Result<SmtpAccount> {
        let host = self.host.trim().to_string();
        if host.is_empty() {
            return Err(Error::invalid("host", "required"));
        }
        if host.len() > HOST_MAX || host.chars().any(|c| c.is_whitespace() || c == '/' || c == '@') {
            return Err(Error::invalid("host", "format"));
        }
        if self.port == 0 {
            return Err(Error::invalid("port", "format"));
        }
        if self.security == Security::None && !is_local(&host) {
            return Err(Error::invalid("security", "plain_remote"));
        }
        let user = self.user.trim().to_string();
        let from_name = self.from_name.trim().to_string();
        if user.chars().count() > TEXT_MAX || user.contains(['\r', '\n']) {
            return Err(Error::invalid("user", "format"));
        }
        if from_name.chars().count() > TEXT_MAX || from_name.contains(['\r', '\n']) {
            return Err(Error::invalid("from_name", "too_long"));
        }
        if self.from_address.trim().is_empty() {
            return Err(Error::invalid("from_address", "required"));
        }
        let from_address = crate::email::check("from_address", &self.from_address)?;
        Ok(SmtpAccount {
            host,
            port: self.port,
            security: self.security,
            user,
            from_address,
            from_name,
        })
    }
}
