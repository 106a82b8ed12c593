//! The engine's background threads (the reminder scheduler, the change
//! watcher) share one shape: a control record behind a mutex that the owner
//! changes and the thread sleeps on with a condition variable, and a thread
//! that is told to stop and joined when its owner is dropped.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// What a background thread and its owner share.
pub(crate) struct Shared<C> {
    control: Mutex<C>,
    pub(crate) wake: Condvar,
}

impl<C> Shared<C> {
    /// The control record. A panic elsewhere never makes it unusable: the
    /// record is plain data, valid whatever was half-done.
    pub(crate) fn lock(&self) -> MutexGuard<'_, C> {
        self.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the control record and wakes the thread.
    pub(crate) fn update(&self, change: impl FnOnce(&mut C)) {
        change(&mut self.lock());
        self.wake.notify_all();
    }
}

/// A control record that can ask its thread to end.
pub(crate) trait Stop {
    fn stop(&mut self);
}

/// A named thread over `Shared<C>`, stopped and joined on drop.
pub(crate) struct Background<C: Stop> {
    shared: Arc<Shared<C>>,
    thread: Option<JoinHandle<()>>,
}

impl<C: Stop + Send + 'static> Background<C> {
    pub(crate) fn spawn(name: &str, control: C, body: impl FnOnce(Arc<Shared<C>>) + Send + 'static) -> Self {
        let shared = Arc::new(Shared {
            control: Mutex::new(control),
            wake: Condvar::new(),
        });
        let inner = shared.clone();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || body(inner))
            .unwrap_or_else(|e| panic!("spawning the {name} thread: {e}"));
        Background {
            shared,
            thread: Some(thread),
        }
    }

    pub(crate) fn shared(&self) -> &Shared<C> {
        &self.shared
    }
}

impl<C: Stop> Drop for Background<C> {
    fn drop(&mut self) {
        self.shared.lock().stop();
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
