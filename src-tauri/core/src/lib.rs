//! Kizuna's engine: the domain of a small sales team's CRM and the rules for
//! keeping it in one SQLite file that a whole team shares over a network drive.
//!
//! Nothing here knows about Tauri or a window: the desktop shell and the
//! `kizuna` CLI are thin layers over [`db::Db`] and the domain modules.

pub mod activity;
mod background;
pub mod backup;
pub mod board;
pub mod cadence;
pub mod changes;
pub mod check;
pub mod clock;
pub mod company;
pub mod config;
pub mod contract;
pub mod db;
pub mod deal;
pub mod deletion;
pub mod email;
pub mod engine_text;
pub mod error;
pub mod follow_up;
pub mod id;
pub mod locking;
pub mod mail;
pub mod outbox;
pub mod pipeline;
pub mod platform;
pub mod presence;
pub mod recovery;
pub mod reminder;
pub mod renewal;
pub mod retention;
pub mod sample;
pub mod scheduler;
pub mod schema;
pub mod search;
pub mod session;
pub mod settings;
pub mod text;
pub mod timeline;
pub mod update;
pub mod user;

pub use clock::{Clock, FixedClock, SystemClock};
pub use db::{Db, OpenOptions};
pub use error::{Error, ErrorCode, ErrorPayload, Result};

#[cfg(test)]
mod testutil;
