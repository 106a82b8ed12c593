//! Handing a message to a mail server. [`Smtp`] is the real one (lettre,
//! rustls); [`RecordingTransport`] keeps messages in memory for tests of
//! what is built on sending.

use crate::error::{Error, MailFailure, Result};
use crate::mail::account::{Security, SmtpAccount};
use lettre::message::Message;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::SmtpTransport;
use std::sync::Mutex;
use std::time::Duration;

pub trait Transport: Send + Sync {
    /// Sends `message` through `account`'s server, or says why not.
    fn send(&self, account: &SmtpAccount, password: Option<&str>, message: &Message) -> Result<()>;
}

/// One connection per send: automatic mails are few, and a held connection
/// would outlive a laptop's network change.
pub struct Smtp {
    /// Extra trusted roots in PEM (tests' throw-away certificate); the
    /// operating system's roots are always trusted.
    extra_roots: Vec<Vec<u8>>,
    timeout: Duration,
}

/// Well inside the ledger's lease (ledger.rs): a send cannot still be
/// running when its claim is judged abandoned.
const TIMEOUT: Duration = Duration::from_secs(30);

impl Default for Smtp {
    fn default() -> Self {
        Smtp::new()
    }
}

impl Smtp {
    pub fn new() -> Smtp {
        Smtp {
            extra_roots: Vec::new(),
            timeout: TIMEOUT,
        }
    }

    /// Also trusting the certificate authority in `pem`.
    pub fn trusting(mut self, pem: &[u8]) -> Smtp {
        self.extra_roots.push(pem.to_vec());
        self
    }

    fn tls(&self, host: &str) -> Result<TlsParameters> {
        let mut params = TlsParameters::builder(host.to_string());
        for pem in &self.extra_roots {
            params = params.add_root_certificate(Certificate::from_pem(pem).map_err(classify)?);
        }
        params.build_rustls().map_err(classify)
    }
}

impl Transport for Smtp {
    fn send(&self, account: &SmtpAccount, password: Option<&str>, message: &Message) -> Result<()> {
        use lettre::Transport as _;
        let host = account.host.as_str();
        let tls = match account.security {
            Security::StartTls => Tls::Required(self.tls(host)?),
            Security::Tls => Tls::Wrapper(self.tls(host)?),
            Security::None => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(account.port)
            .tls(tls)
            .timeout(Some(self.timeout));
        if !account.user.is_empty() {
            let password = password.ok_or(Error::MailNoPassword)?;
            builder = builder.credentials(Credentials::new(account.user.clone(), password.to_string()));
        }
        builder.build().send(message).map(drop).map_err(classify)
    }
}

/// Which of the user's messages a failure earns, with the server's words.
fn classify(e: lettre::transport::smtp::Error) -> Error {
    let failure = if e.is_tls() || tls_underneath(&e) {
        MailFailure::Tls
    } else if let Some(code) = e.status() {
        // 530/534/535: authentication required / too weak / refused.
        let text = code.to_string();
        if e.is_permanent() && matches!(text.as_str(), "530" | "534" | "535") {
            MailFailure::Auth
        } else if e.is_permanent() {
            MailFailure::Rejected
        } else {
            MailFailure::Server
        }
    } else if e.is_response() || e.is_client() {
        MailFailure::Server
    } else {
        // Connection and network errors: refused, no such host, timed out.
        MailFailure::Unreachable
    };
    Error::Mail {
        failure,
        detail: chain(&e),
    }
}

/// A handshake that failed after STARTTLS (an untrusted certificate, a
/// protocol the server lacks) reaches lettre as a network error.
fn tls_underneath(e: &dyn std::error::Error) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<rustls::Error>()
            || s.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// The error and its causes in one line ("Connection refused (os error 111)").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// Keeps what it is given, or fails as told: for tests of code that sends.
#[derive(Default)]
pub struct RecordingTransport {
    sent: Mutex<Vec<Vec<u8>>>,
    fail_with: Mutex<Option<MailFailure>>,
}

impl RecordingTransport {
    pub fn new() -> RecordingTransport {
        RecordingTransport::default()
    }

    /// Every message it took, as the bytes a server would have received.
    pub fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Fails every send from now on (`None`: sends again).
    pub fn fail_with(&self, failure: Option<MailFailure>) {
        if let Ok(mut f) = self.fail_with.lock() {
            *f = failure;
        }
    }
}

impl Transport for RecordingTransport {
    fn send(&self, _account: &SmtpAccount, _password: Option<&str>, message: &Message) -> Result<()> {
        if let Some(failure) = self.fail_with.lock().ok().and_then(|f| *f) {
            return Err(Error::Mail {
                failure,
                detail: "refused by the test transport".into(),
            });
        }
        self.sent
            .lock()
            .map_err(|_| Error::Internal("the recording transport's lock is poisoned".into()))?
            .push(message.formatted());
        Ok(())
    }
}
