//! Kizuna's engine: the domain of a small sales team's CRM and the rules for
//! keeping it in one SQLite file that a whole team shares over a network drive.
//!
//! Nothing here knows about Tauri or a window: the desktop shell and the
//! `kizuna` CLI are thin layers over [`Db`] and the domain folders.
//!
//! The folders depend on each other in one direction only, each on those
//! listed before it (`tests/layering.rs` fails on an import against it):
//! the foundation files at the root, then `store`, `team`, `mail`, `customers`,
//! `followups`, `timeline`, `pipeline`, `contracts`, `support`, `handoff`,
//! `leads`, `sequences`, `import`, `dedupe`, `reports`, `audit`, `privacy`,
//! `overview`, `app`, `export`.

// Foundation: no domain, used everywhere.
pub mod changeset;
pub mod clock;
pub mod email;
pub mod engine_text;
pub mod error;
pub mod id;
pub mod language;
pub mod platform;
pub mod text;
pub mod validate;
pub mod writers;

pub mod app;
pub mod audit;
pub mod contracts;
pub mod customers;
pub mod dedupe;
pub mod export;
pub mod followups;
pub mod handoff;
pub mod import;
pub mod leads;
pub mod mail;
pub mod overview;
pub mod pipeline;
pub mod privacy;
pub mod reports;
pub mod sequences;
pub mod store;
pub mod support;
pub mod team;
pub mod timeline;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, ErrorCode, ErrorPayload, Result};
pub use store::db::{Db, OpenOptions};

#[cfg(test)]
mod testutil;
