//! Every event the shell sends the window, with its payload type. This list
//! is the one source of the UI's typed listeners: `make types` turns each
//! constant into `onName(handler)` in `ui/src/lib/generated/events.ts`
//! (tools/ipc-bindings), so an event cannot be renamed or change its
//! payload on one side only.

use kizuna_core::app::outbox::OutboxCounts;
use kizuna_core::followups::reminder::{Notice, NotificationFailed};
use kizuna_core::import::batch::{ImportFinished, ImportProgress};
use kizuna_core::store::changes::{ChangeBatch, Reachability};
use kizuna_core::store::queue::Waiting;
use kizuna_core::team::presence::Presence;
use serde::Serialize;
use std::marker::PhantomData;
use tauri::{AppHandle, Emitter};

/// An event's name, tied to the type of what it carries.
pub struct Event<T> {
    name: &'static str,
    payload: PhantomData<fn(T)>,
}

impl<T: Serialize + Clone> Event<T> {
    pub const fn new(name: &'static str) -> Self {
        Event {
            name,
            payload: PhantomData,
        }
    }

    /// Sends it to every window. A window that is gone (closed to the tray)
    /// loads the state anew when it comes back, so a lost event is harmless.
    pub fn emit(&self, app: &AppHandle, payload: T) {
        if let Err(e) = app.emit(self.name, payload) {
            tracing::warn!(event = self.name, "the window did not get an event: {e}");
        }
    }
}

/// What colleagues (or this desktop's other threads) changed in the team file.
pub const DATA_CHANGED: Event<ChangeBatch> = Event::new("data-changed");
/// The team file stopped or started answering.
pub const DB_REACHABILITY: Event<Reachability> = Event::new("db-reachability");
/// A colleague encrypted, decrypted or re-keyed the team file: the window
/// opens it again (and asks for the passphrase when it has none for it).
pub const KEY_CHANGED: Event<()> = Event::new("key-changed");
/// How much work waits in this computer's outbox.
pub const OUTBOX: Event<OutboxCounts> = Event::new("outbox");
/// How many of the user's items are due (the badge and the tray).
pub const DUE_COUNT: Event<u32> = Event::new("due-count");
/// A reminder was shown as a desktop notification.
pub const REMINDER_SHOWN: Event<Notice> = Event::new("reminder-shown");
/// The user clicked a notification: open its record.
pub const REMINDER_OPEN: Event<Notice> = Event::new("reminder-open");
/// A notification could not be shown; the window tells the user instead.
pub const NOTIFICATION_FAILED: Event<NotificationFailed> = Event::new("notification-failed");
/// The tray's "due" item: open Follow-ups.
pub const SHOW_FOLLOW_UPS: Event<()> = Event::new("show-follow-ups");
/// Whether the same member is active on another computer (the heartbeat).
pub const PRESENCE: Event<Presence> = Event::new("presence");
/// A save waits for colleagues' saves (`null`: it is through).
pub const SAVE_WAIT: Event<Option<Waiting>> = Event::new("save-wait");
/// The running import wrote another transaction's rows.
pub const IMPORT_PROGRESS: Event<ImportProgress> = Event::new("import-progress");
/// The running import ended (done, cancelled, or stopped by an error).
pub const IMPORT_FINISHED: Event<ImportFinished> = Event::new("import-finished");
