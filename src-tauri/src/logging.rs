//! The desktop's own log: a daily file in the app-data folder (beside the
//! local database and the backups), the last [`KEEP_FILES`] days kept.
//!
//! What goes in is meant to be sent to whoever helps when something goes
//! wrong, so it holds no personal data: a failed command is logged as its
//! name and its error code only (`update_deal: error=conflict`), never the
//! message, which may name a customer, a colleague or a path. Each command
//! carries `#[tracing::instrument(skip_all, err(level = "warn", Display))]`:
//! `skip_all` keeps its arguments out, and an `ErrorPayload` displays as its
//! code alone (kizuna_core::error).

use std::path::{Path, PathBuf};
use tracing::Level;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, Registry};

/// Two weeks: enough to cover "it went wrong last week", small on disk.
pub const KEEP_FILES: usize = 14;

/// Where the log lives, shown in Settings so a user can find it.
pub struct Folder(pub PathBuf);

pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// What every line looks like. Only the shell's own events: libraries
/// below it (the webview, D-Bus) may log what they carry.
fn subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_filter(Targets::new().with_target(env!("CARGO_CRATE_NAME"), Level::INFO));
    Registry::default().with(layer)
}

/// Starts the log once, at start-up. Without a log the app still runs:
/// the reason goes to stderr, the only place left.
pub fn init(dir: &Path) {
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("kizuna")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(dir);
    match appender {
        Ok(appender) => {
            if let Err(e) = tracing::subscriber::set_global_default(subscriber(appender)) {
                eprintln!("Kizuna: the log was already started: {e}");
            }
        }
        Err(e) => eprintln!("Kizuna: no log, its folder cannot be written: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_core::Error;
    use std::sync::{Arc, Mutex};

    /// Collects what the log would write.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Buffer {
            self.clone()
        }
    }

    /// Shaped like a command: the customer's name goes in, an error
    /// whose message repeats it comes out.
    #[tracing::instrument(skip_all, err(level = "warn", Display))]
    fn rename_customer(name: String) -> crate::commands::Reply<()> {
        Err(Error::FileExists {
            path: format!("/home/tanaka/{name}.db"),
        }
        .payload())
    }

    #[tracing::instrument(skip_all, err(level = "warn", Display))]
    fn list_customers() -> crate::commands::Reply<u32> {
        Ok(3)
    }

    #[test]
    fn a_failed_command_logs_one_line_with_its_name_and_code_only() {
        let buffer = Buffer::default();
        tracing::subscriber::with_default(subscriber(buffer.clone()), || {
            let _ = rename_customer("山田商事".into());
            let _ = list_customers();
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert!(lines[0].contains("WARN"), "{text}");
        assert!(lines[0].contains("rename_customer"), "{text}");
        assert!(lines[0].contains("error=file_exists"), "{text}");
        assert!(!text.contains("山田商事"), "{text}");
        assert!(!text.contains("tanaka"), "{text}");
    }

    /// A command without the attribute would fail silently: every one that
    /// can fail carries it, right under `#[tauri::command]`.
    #[test]
    fn every_command_that_can_fail_is_logged() {
        let sources = [
            include_str!("commands/contacts.rs"),
            include_str!("commands/customers.rs"),
            include_str!("commands/database.rs"),
            include_str!("commands/deals.rs"),
            include_str!("commands/deletions.rs"),
            include_str!("commands/follow_ups.rs"),
            include_str!("commands/members.rs"),
            include_str!("commands/outbox.rs"),
            include_str!("commands/pipelines.rs"),
            include_str!("commands/preferences.rs"),
            include_str!("commands/renewals.rs"),
            include_str!("commands/search.rs"),
            include_str!("commands/team_settings.rs"),
            include_str!("commands/timeline.rs"),
            include_str!("commands/updates.rs"),
        ];
        let mut commands = 0;
        for source in sources {
            let mut rest = source;
            while let Some(at) = rest.find("#[tauri::command]") {
                rest = &rest[at + "#[tauri::command]".len()..];
                let signature = &rest[..rest.find('{').unwrap()];
                if signature.contains("-> Reply<") {
                    commands += 1;
                    assert!(
                        signature
                            .trim_start()
                            .starts_with(r#"#[tracing::instrument(skip_all, err(level = "warn", Display))]"#),
                        "not logged: {signature}"
                    );
                }
            }
        }
        assert!(commands > 70, "only {commands} commands found");
    }
}
