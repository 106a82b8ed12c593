//! How this desktop sends a sequence's automatic mails, and where the
//! runner's outcome goes (the log).

use kizuna_core::sequences::engine::{MailSender, OutgoingMail, RunReport, Sent};
use kizuna_core::sequences::runner::RunSink;
use kizuna_core::Db;

/// Sends through the member's SMTP account (the mail module).
pub struct Sender;

impl MailSender for Sender {
    fn send_once(&self, _db: &mut Db, _mail: &OutgoingMail) -> Result<Sent, String> {
        Err("no SMTP account is connected on this computer".into())
    }
}

/// The runner's outcome in the desktop's log: a failed run is logged once
/// per run, a send with its counts.
pub struct RunLog;

impl RunSink for RunLog {
    fn ran(&self, report: &RunReport) {
        if report.sent + report.failed > 0 {
            tracing::info!(sent = report.sent, failed = report.failed, "sequence mails");
        }
    }
    fn failed(&self, error: &kizuna_core::Error) {
        tracing::warn!(code = %error.code(), "sequence steps could not run: {error}");
    }
}
