//! Tauri commands: thin on purpose. Each one parses its input, calls the
//! engine through the session, and returns the engine's typed error payload.
//! One file per domain; the UI calls each command by its function name.

use kizuna_core::ErrorPayload;

pub mod audit;
pub mod contacts;
pub mod customers;
pub mod database;
pub mod deals;
pub mod deletions;
pub mod duplicates;
pub mod encryption;
pub mod export;
pub mod follow_ups;
pub mod handoff;
pub mod import;
pub mod leads;
pub mod mail;
pub mod meeting;
pub mod members;
pub mod outbox;
pub mod pipelines;
pub mod preferences;
pub mod privacy;
pub mod renewals;
pub mod reports;
pub mod search;
pub mod sequences;
pub mod support;
pub mod team_settings;
pub mod timeline;
pub mod updates;

pub(crate) type Reply<T> = Result<T, ErrorPayload>;
