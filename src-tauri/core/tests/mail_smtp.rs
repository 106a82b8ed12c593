//! Mail through a real SMTP server: Debian's python3-aiosmtpd on 127.0.0.1
//! with STARTTLS (a throw-away certificate authority made here with the
//! openssl command), AUTH after TLS, and a handler that writes every
//! message it takes to a folder (tests/mail_smtp/server.py). What arrived is
//! read with Python's `email` package, as a mail program reads it. The
//! password goes through the real kernel keyring (keyutils), not a mock.
//!
//! Linux only: `make windows-test` runs the engine's tests under Wine,
//! which has neither Python nor the kernel keyring.
#![cfg(target_os = "linux")]

mod common;

use common::free_port;
use common::tls::certificates;
use kizuna_core::error::ErrorCode;
use kizuna_core::mail::{self, OutgoingMail, Security, SendOutcome, SendState, Sender, Smtp, SmtpAccount, Vault};
use kizuna_core::{Db, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const PYTHON: &str = "/usr/bin/python3";
const USER: &str = "tanaka";
const PASSWORD: &str = "s3cret-パスワード";

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail_smtp")
}

/// The SMTP server, stopped (stdin closed, then killed) when dropped.
struct Server {
    child: Child,
    inbox: PathBuf,
}

impl Server {
    fn start(dir: &Path, port: u16, cert: &Path, key: &Path) -> Server {
        Server::spawn(dir, port, cert, key, &[])
    }

    /// TLS from the first byte, as on port 465.
    fn start_implicit(dir: &Path, port: u16, cert: &Path, key: &Path) -> Server {
        Server::spawn(dir, port, cert, key, &["implicit"])
    }

    fn spawn(dir: &Path, port: u16, cert: &Path, key: &Path, mode: &[&str]) -> Server {
        let inbox = dir.join(format!("inbox-{port}"));
        std::fs::create_dir_all(&inbox).unwrap();
        let mut child = Command::new(PYTHON)
            .arg(here().join("server.py"))
            .args([
                &port.to_string(),
                inbox.to_str().unwrap(),
                cert.to_str().unwrap(),
                key.to_str().unwrap(),
                USER,
                PASSWORD,
            ])
            .args(mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd (apt python3-aiosmtpd; make test-deps)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        Server { child, inbox }
    }

    /// The messages received so far, oldest first.
    fn received(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.inbox)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a mail program shows of a received message (tests/mail_smtp/parse.py).
fn read_as_a_mail_program(path: &Path) -> serde_json::Value {
    let out = Command::new(PYTHON)
        .arg(here().join("parse.py"))
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

struct Scene {
    dir: tempfile::TempDir,
    ca: Vec<u8>,
    cert: PathBuf,
    key: PathBuf,
}

fn scene() -> Scene {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    Scene { dir, ca, cert, key }
}

impl Scene {
    fn team_file(&self) -> PathBuf {
        self.dir.path().join("team.db")
    }
    fn desktop(&self) -> Db {
        let opts = OpenOptions::new("tanaka", "田中 太郎");
        if self.team_file().exists() {
            Db::open(&self.team_file(), opts).unwrap()
        } else {
            Db::create(&self.team_file(), opts).unwrap()
        }
    }
}

fn account(port: u16) -> SmtpAccount {
    SmtpAccount {
        host: "127.0.0.1".into(),
        port,
        security: Security::StartTls,
        user: USER.into(),
        from_address: "tanaka@kizuna.example.jp".into(),
        from_name: "田中 太郎（株式会社きずな）".into(),
    }
    .validated()
    .unwrap()
}

fn sender(port: u16, computer: &str) -> Sender {
    Sender {
        account: account(port),
        password: Some(PASSWORD.into()),
        computer_id: computer.into(),
    }
}

fn mail(key: &str, to: &str) -> OutgoingMail {
    OutgoingMail {
        key: key.into(),
        to_name: "山田 花子 様".into(),
        to_address: to.into(),
        subject: "【ご案内】先日のお打ち合わせの件について（資料を添えて）".into(),
        body: "株式会社やまだ\n山田 花子 様\n\nいつもお世話になっております。株式会社きずなの田中です。\n先日はお忙しいところ、ありがとうございました。①髙橋 﨑 〜～\n\n何卒よろしくお願い申し上げます。\n".into(),
    }
}

#[test]
fn a_due_mail_arrives_once_over_starttls_and_reads_as_written() {
    let s = scene();
    let port = free_port();
    let server = Server::start(s.dir.path(), port, &s.cert, &s.key);
    let smtp = Smtp::new().trusting(&s.ca);
    let m = mail("seq:e1:s1", "hanako@yamada.example.jp");
    let mut pc_a = s.desktop();
    let mut pc_b = s.desktop();
    let outcome = mail::send_once(&mut pc_a, &m, &sender(port, "pc-a"), &smtp).unwrap();
    let SendOutcome::Sent { message_id } = outcome else {
        panic!("{outcome:?}")
    };
    // The member's second computer, and this one after a restart.
    assert!(matches!(
        mail::send_once(&mut pc_b, &m, &sender(port, "pc-b"), &smtp).unwrap(),
        SendOutcome::AlreadySent { .. }
    ));
    drop(pc_a);
    let mut restarted = s.desktop();
    assert!(matches!(
        mail::send_once(&mut restarted, &m, &sender(port, "pc-a"), &smtp).unwrap(),
        SendOutcome::AlreadySent { .. }
    ));

    let received = server.received();
    assert_eq!(received.len(), 1, "exactly one mail arrived");
    let seen = read_as_a_mail_program(&received[0]);
    assert_eq!(seen["subject"], m.subject.as_str());
    assert_eq!(seen["from_name"], "田中 太郎（株式会社きずな）");
    assert_eq!(seen["from_address"], "tanaka@kizuna.example.jp");
    assert_eq!(seen["to_name"], "山田 花子 様");
    assert_eq!(seen["to_address"], "hanako@yamada.example.jp");
    assert_eq!(seen["body"], m.body.as_str());
    assert_eq!(seen["charset"], "utf-8");
    assert_eq!(seen["message_id"], message_id.as_str());
    assert!(!seen["date"].as_str().unwrap().is_empty());
    let row = mail::get(restarted.conn(), &m.key).unwrap().unwrap();
    assert_eq!((row.state, row.subject, row.body), (SendState::Sent, m.subject, m.body));
}

#[test]
fn a_mail_goes_over_implicit_tls_and_tls_against_a_starttls_port_is_told_apart() {
    let s = scene();
    let port = free_port();
    let server = Server::start_implicit(s.dir.path(), port, &s.cert, &s.key);
    let smtp = Smtp::new().trusting(&s.ca);
    let mut desk = s.desktop();
    let mut tls = sender(port, "pc-a");
    tls.account.security = Security::Tls;
    let m = mail("seq:e465:s1", "hanako@yamada.example.jp");
    let outcome = mail::send_once(&mut desk, &m, &tls, &smtp).unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(read_as_a_mail_program(&received[0])["body"], m.body.as_str());
    // The usual slip: SSL/TLS chosen for a STARTTLS port (587). The server's
    // plain greeting is not a TLS handshake: a typed failure, nothing sent.
    let port_587 = free_port();
    let starttls_server = Server::start(s.dir.path(), port_587, &s.cert, &s.key);
    let mut wrong = sender(port_587, "pc-a");
    wrong.account.security = Security::Tls;
    let err = mail::send_once(
        &mut desk,
        &mail("seq:e587:s1", "hanako@yamada.example.jp"),
        &wrong,
        &smtp,
    )
    .expect_err("TLS against a STARTTLS port fails");
    assert_eq!(err.code(), ErrorCode::MailTls, "{err:?}");
    assert!(starttls_server.received().is_empty());
    assert_eq!(server.received().len(), 1);
}

#[test]
fn a_server_that_is_down_gives_a_typed_error_and_the_mail_stays_due() {
    let s = scene();
    let port = free_port();
    let smtp = Smtp::new().trusting(&s.ca);
    let m = mail("seq:e1:s2", "hanako@yamada.example.jp");
    let mut db = s.desktop();
    let err = mail::send_once(&mut db, &m, &sender(port, "pc-a"), &smtp).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MailUnreachable, "{err}");
    let row = mail::get(db.conn(), &m.key).unwrap().unwrap();
    assert_eq!(row.state, SendState::Failed);
    assert_eq!(row.error_code.as_deref(), Some("mail_unreachable"));
    assert!(row.error.unwrap().to_lowercase().contains("refused"));

    // The server is back: the next try sends it, once.
    let server = Server::start(s.dir.path(), port, &s.cert, &s.key);
    assert!(matches!(
        mail::send_once(&mut db, &m, &sender(port, "pc-a"), &smtp).unwrap(),
        SendOutcome::Sent { .. }
    ));
    assert_eq!(server.received().len(), 1);
    assert_eq!(mail::get(db.conn(), &m.key).unwrap().unwrap().attempts, 2);
}

#[test]
fn the_servers_refusals_are_told_apart() {
    let s = scene();
    let port = free_port();
    let server = Server::start(s.dir.path(), port, &s.cert, &s.key);
    let mut db = s.desktop();
    let trusted = Smtp::new().trusting(&s.ca);

    let refused = mail::send_once(
        &mut db,
        &mail("r", "nobody@yamada.example.jp"),
        &sender(port, "pc"),
        &trusted,
    );
    let err = refused.unwrap_err();
    assert_eq!(err.code(), ErrorCode::MailRejected, "{err}");
    assert!(
        err.to_string().contains("User unknown"),
        "the server's words are kept: {err}"
    );
    assert_eq!(mail::get(db.conn(), "r").unwrap().unwrap().state, SendState::Failed);

    let mut wrong = sender(port, "pc");
    wrong.password = Some("wrong".into());
    let err = mail::send_once(&mut db, &mail("a", "hanako@yamada.example.jp"), &wrong, &trusted).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MailAuth, "{err}");

    // Without the test's authority the certificate is not trusted.
    let err = mail::send_once(
        &mut db,
        &mail("t", "hanako@yamada.example.jp"),
        &sender(port, "pc"),
        &Smtp::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::MailTls, "{err}");

    assert!(server.received().is_empty());
}

/// The kernel keyring needs a session keyring; a process started outside a
/// login (CI, a container) may have none, which the Makefile provides with
/// `keyctl session -` around this test (docs/mail.md).
#[test]
fn the_password_lives_in_the_kernel_keyring_not_in_files() {
    let vault = Vault::named(format!("jp.kizuna.test.{}", std::process::id()));
    let member = "member-1";
    vault.forget(member).unwrap();
    assert_eq!(vault.password(member).unwrap(), None);
    let err = mail::sender(Some(account(25)), &vault, member, "pc").unwrap_err();
    assert_eq!(err.code(), ErrorCode::MailNoPassword);

    vault.save(member, PASSWORD).unwrap();
    assert_eq!(vault.password(member).unwrap().as_deref(), Some(PASSWORD));
    // What the kernel holds, seen by its own tool.
    let listed = Command::new("keyctl").args(["show", "@s"]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains(&format!("jp.kizuna.test.{}", std::process::id())),
        "{listed}"
    );
    let s = mail::sender(Some(account(25)), &vault, member, "pc").unwrap().unwrap();
    assert_eq!(s.password.as_deref(), Some(PASSWORD));
    assert!(Vault::named("jp.kizuna.test.other").password(member).unwrap().is_none());

    vault.forget(member).unwrap();
    assert_eq!(vault.password(member).unwrap(), None);
}
