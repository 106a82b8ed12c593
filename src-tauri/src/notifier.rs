//! Native notifications for the reminder scheduler: D-Bus on Linux, toasts
//! on Windows, the notification centre on macOS. A notification that cannot
//! be shown is logged and shown inside the app instead, never dropped.

use crate::events;
use crate::tray;
use kizuna_core::followups::reminder::{Notice, NoticeText, NotificationFailed};
use kizuna_core::followups::scheduler::Notifier;
use tauri::AppHandle;

/// The AppUserModelID on Windows, the bundle identifier on macOS (Linux
/// names the app by its D-Bus name).
#[cfg(any(windows, target_os = "macos"))]
use kizuna_core::platform::APP_ID;

pub struct DesktopNotifier {
    app: AppHandle,
}

impl DesktopNotifier {
    pub fn new(app: AppHandle) -> DesktopNotifier {
        #[cfg(windows)]
        if let Some(dirs) = kizuna_core::app::config::Dirs::for_this_user() {
            if let Err(e) = kizuna_core::platform::register_app_user_model_id(&dirs.data_dir) {
                tracing::warn!("could not register for Windows notifications: {e}");
            }
        }
        #[cfg(target_os = "macos")]
        if let Err(e) = notify_rust::set_application(APP_ID) {
            tracing::warn!("could not set the notification application: {e}");
        }
        DesktopNotifier { app }
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, notice: &Notice, text: &NoticeText) -> Result<(), String> {
        let mut n = notify_rust::Notification::new();
        n.summary(&text.summary)
            .body(&body_for_server(&text.body))
            .appname("Kizuna");
        #[cfg(windows)]
        n.app_id(APP_ID);
        #[cfg(all(unix, not(target_os = "macos")))]
        n.action("default", "Kizuna");
        let handle = n.show().map_err(|e| e.to_string())?;
        events::REMINDER_SHOWN.emit(&self.app, notice.clone());
        // Clicking brings the window forward at the record. Waiting for the
        // click blocks, so it gets its own thread until the notification
        // closes. notify-rust subscribes to the click only once this wait
        // starts: a click in the first moment after the notification is up
        // goes unheard (tests/e2e/reminders.test.mjs clicks again, as a
        // person would).
        let app = self.app.clone();
        let notice = notice.clone();
        std::thread::spawn(move || {
            handle.wait_for_action(|action| {
                if action == "default" {
                    tray::show_main_window(&app);
                    events::REMINDER_OPEN.emit(&app, notice.clone());
                }
            })
        });
        Ok(())
    }

    fn failed(&self, _notice: &Notice, text: &NoticeText, error: &str) {
        // The summary names the customer: the log keeps only why.
        tracing::warn!("a notification was not shown: {error}");
        events::NOTIFICATION_FAILED.emit(
            &self.app,
            NotificationFailed {
                summary: text.summary.clone(),
                body: text.body.clone(),
                error: error.to_string(),
            },
        );
    }

    fn due_count(&self, count: u32) {
        tray::set_due_count(&self.app, count);
        events::DUE_COUNT.emit(&self.app, count);
    }

    fn unavailable(&self, error: &kizuna_core::Error) {
        tracing::warn!(code = %error.code(), "reminders paused, the database is not readable");
    }
}

/// The body as this desktop's notification server will read it. GNOME's and
/// KDE's servers advertise `body-markup` and read the body as a small HTML
/// subset: a customer named "R&D" or a title with "<b>" would break or
/// restyle it, so text is escaped for them — and only for them, since a
/// plain-text server would show the escapes literally.
#[cfg(all(unix, not(target_os = "macos")))]
fn body_for_server(body: &str) -> String {
    let markup = notify_rust::get_capabilities().is_ok_and(|caps| caps.iter().any(|c| c == "body-markup"));
    if !markup {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Toasts and the notification centre show text as text.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn body_for_server(body: &str) -> String {
    body.to_string()
}
