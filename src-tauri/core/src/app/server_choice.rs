//! The team server a desktop connects to (Settings → "Connect to a team
//! server"): host, port, database, login and TLS mode in config.json, the
//! password in the operating system's credential store beside the SMTP
//! password and the team passphrase (mail/secret.rs), never in a file.

use crate::error::{Error, Result};
use crate::mail::Vault;
use crate::store::server::Server;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the connection form asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServerChoice {
    pub host: String,
    pub port: u16,
    pub database: String,
    /// The member's own login on the server (`kizuna server add-member`).
    pub user: String,
    pub tls: TlsMode,
}

/// Whether the connection is encrypted. `Off` is for a server on this
/// computer only: to any other, Kizuna requires TLS and checks the
/// certificate (store/server/connect.rs refuses `Off` there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TlsMode {
    Required,
    Off,
}

impl ServerChoice {
    /// Trimmed, with each field checked: a message per field, so the form
    /// can say which one is wrong and keep what was typed.
    pub fn validated(&self) -> Result<ServerChoice> {
        let host = self.host.trim().to_string();
        let database = self.database.trim().to_string();
        let user = self.user.trim().to_string();
        if host.is_empty() {
            return Err(Error::invalid("server_host", "required"));
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c == '\'' || c == '\\' || c == '/')
        {
            return Err(Error::invalid("server_host", "format"));
        }
        if self.port == 0 {
            return Err(Error::invalid("server_port", "format"));
        }
        if database.is_empty() {
            return Err(Error::invalid("server_database", "required"));
        }
        if user.is_empty() {
            return Err(Error::invalid("server_user", "required"));
        }
        Ok(ServerChoice {
            host,
            port: self.port,
            database,
            user,
            tls: self.tls,
        })
    }

    /// The address in libpq's `key=value` form, each value quoted, so a
    /// database name with a space or a quote means what was typed.
    fn address(&self) -> String {
        let quote = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
        let sslmode = match self.tls {
            TlsMode::Required => "require",
            TlsMode::Off => "disable",
        };
        format!(
            "host={} port={} dbname={} user={} sslmode={sslmode}",
            quote(&self.host),
            self.port,
            quote(&self.database),
            quote(&self.user)
        )
    }

    /// The server to connect to, with the password.
    pub fn server(&self, password: &str) -> Result<Server> {
        Server::parse(&self.address(), Some(password))
    }

    /// The credential store's entry: one per login and server.
    fn entry(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host, self.port, self.database)
    }
}

fn vault() -> Vault {
    // Tests and the e2e harness name a service of their own (see passphrase.rs).
    match std::env::var("KIZUNA_VAULT_SERVICE") {
        Ok(s) if !s.is_empty() => Vault::named(format!("{s}.server")),
        _ => Vault::named(format!("{}.server", crate::platform::APP_ID)),
    }
}

pub fn saved_password(choice: &ServerChoice) -> Result<Option<String>> {
    vault().password(&choice.entry())
}

pub fn save_password(choice: &ServerChoice, password: &str) -> Result<()> {
    vault().save(&choice.entry(), password)
}

pub fn forget_password(choice: &ServerChoice) -> Result<()> {
    vault().forget(&choice.entry())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_invalid;

    fn choice() -> ServerChoice {
        ServerChoice {
            host: " crm.example.co.jp ".into(),
            port: 5432,
            database: "kizuna".into(),
            user: "tanaka".into(),
            tls: TlsMode::Required,
        }
    }

    #[test]
    fn each_missing_field_is_named() {
        assert_invalid(
            ServerChoice {
                host: " ".into(),
                ..choice()
            }
            .validated(),
            "server_host",
            "required",
        );
        assert_invalid(
            ServerChoice {
                database: "".into(),
                ..choice()
            }
            .validated(),
            "server_database",
            "required",
        );
        assert_invalid(
            ServerChoice {
                user: "".into(),
                ..choice()
            }
            .validated(),
            "server_user",
            "required",
        );
        assert_invalid(
            ServerChoice { port: 0, ..choice() }.validated(),
            "server_port",
            "format",
        );
        assert_invalid(
            ServerChoice {
                host: "a b".into(),
                ..choice()
            }
            .validated(),
            "server_host",
            "format",
        );
        assert_eq!(choice().validated().unwrap().host, "crm.example.co.jp");
    }

    #[test]
    fn tls_off_is_refused_to_another_computer_and_allowed_to_this_one() {
        let off = ServerChoice {
            tls: TlsMode::Off,
            ..choice().validated().unwrap()
        };
        let e = off.server("pw").unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::ServerTls, "{e}");
        let local = ServerChoice {
            host: "127.0.0.1".into(),
            ..off
        };
        let server = local.server("pw").unwrap();
        assert!(!server.requires_tls());
        assert_eq!(server.describe(), "tanaka@127.0.0.1:5432/kizuna");
    }

    #[test]
    fn a_quote_in_a_name_stays_part_of_the_name() {
        let odd = ServerChoice {
            database: "営業 'A'".into(),
            host: "127.0.0.1".into(),
            ..choice()
        };
        assert_eq!(odd.server("pw").unwrap().describe(), "tanaka@127.0.0.1:5432/営業 'A'");
    }
}
