//! Connecting to the team server, and what its failures mean to a user.
//!
//! The address is a libpq-style URL or key=value string
//! (`postgres://tanaka@crm.example.co.jp/kizuna`). The password is never
//! part of what Kizuna stores: it comes from the credential store (the
//! desktop) or `PGPASSWORD` (the CLI, as psql reads it).
//!
//! TLS is required to any server but this computer: a team's customers and
//! deals never cross a network in the clear. Certificates and host names
//! are always checked (libpq's `verify-full`), against the operating
//! system's trusted roots, so a company CA that IT installed is trusted as
//! it is by the browser, and against libpq's `sslrootcert=FILE` when the
//! address names one (a CA the OS does not hold). To this computer (a
//! loopback address or a Unix socket) the URL's `sslmode` is followed.

use crate::error::{Error, Result, ServerFailure};
use postgres::config::{Host, SslMode};
use postgres::{Client, Config};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long a connection attempt waits for an answer before the server
/// counts as unreachable (a laptop on a train).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed server address, checked against the TLS rule.
#[derive(Clone)]
pub struct Server {
    config: Config,
    /// PEM certificates to trust beside the operating system's.
    root_cert: Option<PathBuf>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Server {
    /// Parses `address`; `password` when the caller holds one. Refuses an
    /// address that would talk to another computer without TLS.
    pub fn parse(address: &str, password: Option<&str>) -> Result<Server> {
        let (address, root_cert) = libpq_tls_options(address);
        let mut config: Config = address.parse().map_err(|e: postgres::Error| Error::Server {
            failure: ServerFailure::Unreachable,
            detail: format!("not a server address: {e}"),
        })?;
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if let Some(p) = password {
            config.password(p);
        } else if config.get_password().is_none() {
            if let Ok(p) = std::env::var("PGPASSWORD") {
                config.password(p);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("kizuna");
        if !is_this_computer(config.get_hosts()) {
            if config.get_ssl_mode() == SslMode::Disable {
                return Err(Error::Server {
                    failure: ServerFailure::Tls,
                    detail: "sslmode=disable is only allowed to a server on this computer".into(),
                });
            }
            config.ssl_mode(SslMode::Require);
        }
        Ok(Server { config, root_cert })
    }

    /// `login@host:port/database`, never the password: for messages and logs.
    pub fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "{}@{host}:{port}/{}",
            self.config.get_user().unwrap_or(""),
            self.config.get_dbname().unwrap_or("")
        )
    }

    pub fn login(&self) -> Option<&str> {
        self.config.get_user()
    }

    /// The same server, another database (an admin creates one from `postgres`).
    pub fn with_database(&self, name: &str) -> Server {
        let mut config = self.config.clone();
        config.dbname(name);
        Server {
            config,
            root_cert: self.root_cert.clone(),
        }
    }

    /// The same server and database as another login (an admin's tools
    /// and the tests, which log members in by their own roles).
    pub fn as_login(&self, login: &str, password: &str) -> Server {
        let mut config = self.config.clone();
        config.user(login).password(password);
        Server {
            config,
            root_cert: self.root_cert.clone(),
        }
    }

    /// Whether TLS will be asked for (every server but this computer's).
    pub fn requires_tls(&self) -> bool {
        self.config.get_ssl_mode() == SslMode::Require
    }
}

/// Opens one connection. Every failure is a typed [`Error::Server`].
pub fn connect(server: &Server) -> Result<Client> {
    server
        .config
        .connect(tls(server.root_cert.as_deref())?)
        .map_err(Error::from)
}

/// Takes out of `address` what Kizuna reads itself rather than the client
/// crate: `sslrootcert`, and the `verify-ca` / `verify-full` modes an admin
/// copies from libpq's documentation (Kizuna always verifies as
/// `verify-full` does, so they mean `require` here). Either form of address:
/// a URL's query, or `key=value` words.
fn libpq_tls_options(address: &str) -> (String, Option<PathBuf>) {
    let mut root = None;
    let mut keep = |key: &str, value: &str| -> Option<String> {
        match (key, value) {
            ("sslrootcert", v) => {
                root = Some(PathBuf::from(v));
                None
            }
            ("sslmode", "verify-ca" | "verify-full") => Some("sslmode=require".into()),
            _ => Some(format!("{key}={value}")),
        }
    };
    let rewritten = if address.starts_with("postgres://") || address.starts_with("postgresql://") {
        match address.split_once('?') {
            None => address.to_string(),
            Some((base, query)) => {
                let kept: Vec<String> = query
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        let decoded = percent_decode(v);
                        match keep(k, &decoded) {
                            Some(kv) if k == "sslmode" => Some(kv),
                            Some(_) => Some(p.to_string()),
                            None => None,
                        }
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        address
            .split_whitespace()
            .filter_map(|w| match w.split_once('=') {
                Some((k, v)) => keep(k, v),
                None => Some(w.to_string()),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    (rewritten, root)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            std::str::from_utf8(bytes.get(i + 1..i + 3)?)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match (bytes[i], hex()) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_this_computer(hosts: &[Host]) -> bool {
    hosts.iter().all(|h| match h {
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_matches(['[', ']'])
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    })
}

fn tls(root_cert: Option<&Path>) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    // A store that cannot be read in part still leaves the rest usable; a
    // server whose CA is missing then fails with a TLS error, never silently.
    let found = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(found.certs);
    if let Some(path) = root_cert {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| Error::Server {
                failure: ServerFailure::Tls,
                detail: format!("sslrootcert {}: {e}", path.display()),
            })?;
        roots.add_parsable_certificates(certs);
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        let detail = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => e.to_string(),
        };
        Error::Server {
            failure: failure_of(&e),
            detail,
        }
    }
}

fn failure_of(e: &postgres::Error) -> ServerFailure {
    use postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        return if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED {
            ServerFailure::Busy
        } else if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            ServerFailure::Auth
        } else if code.code().starts_with("08")
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
        {
            ServerFailure::Unreachable
        } else {
            ServerFailure::Refused
        };
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<rustls::Error>() {
            return ServerFailure::Tls;
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
                return ServerFailure::Tls;
            }
        }
        source = s.source();
    }
    let text = e.to_string();
    if text.contains("TLS") || text.contains("ssl") || text.contains("SSL") {
        ServerFailure::Tls
    } else {
        ServerFailure::Unreachable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_required_to_another_computer_and_optional_to_this_one() {
        let remote = Server::parse("postgres://tanaka@crm.example.co.jp/kizuna", None).unwrap();
        assert!(remote.requires_tls());
        assert_eq!(remote.describe(), "tanaka@crm.example.co.jp:5432/kizuna");
        let refused = Server::parse("postgres://tanaka@10.0.0.5/kizuna?sslmode=disable", None).unwrap_err();
        assert_eq!(refused.code(), crate::ErrorCode::ServerTls);
        for local in [
            "postgres://tanaka@localhost/kizuna?sslmode=disable",
            "postgres://tanaka@127.0.0.1:5433/kizuna?sslmode=disable",
            "host=::1 user=tanaka dbname=kizuna sslmode=disable",
        ] {
            assert!(!Server::parse(local, None).unwrap().requires_tls(), "{local}");
        }
    }

    #[test]
    fn an_address_that_is_not_one_says_so() {
        let e = Server::parse("postgres://tanaka@host:notaport/kizuna", None).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::ServerUnreachable);
        assert!(e.to_string().contains("not a server address"), "{e}");
    }

    #[test]
    fn libpqs_tls_words_are_read_not_refused() {
        let (url, root) = libpq_tls_options(
            "postgres://tanaka@crm.example.co.jp/kizuna?sslmode=verify-full&sslrootcert=C%3A%5Ccerts%5Cca.pem&connect_timeout=5",
        );
        assert_eq!(
            url,
            "postgres://tanaka@crm.example.co.jp/kizuna?sslmode=require&connect_timeout=5"
        );
        assert_eq!(root, Some(PathBuf::from("C:\\certs\\ca.pem")));
        let (kv, root) = libpq_tls_options("host=crm user=tanaka sslmode=verify-ca sslrootcert=/etc/kizuna/ca.pem");
        assert_eq!(kv, "host=crm user=tanaka sslmode=require");
        assert_eq!(root, Some(PathBuf::from("/etc/kizuna/ca.pem")));
        assert!(Server::parse("postgres://tanaka@crm/kizuna?sslmode=verify-full", None)
            .unwrap()
            .requires_tls());
    }

    #[test]
    fn the_password_never_shows_in_a_description() {
        let s = Server::parse("postgres://tanaka:himitsu@localhost/kizuna", None).unwrap();
        assert!(!format!("{s:?}").contains("himitsu"));
    }
}
