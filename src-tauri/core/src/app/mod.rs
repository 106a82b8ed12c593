//! What one desktop does with the team file: its own configuration, the
//! session that opens the file and keeps it open, the outbox of saves made
//! while the share was away, the sample data, and updates.

pub mod config;
pub mod lead_close;
pub mod new_file;
pub mod outbox;
pub mod passphrase;
pub mod sample;
pub mod server_choice;
pub mod session;
pub mod update;
