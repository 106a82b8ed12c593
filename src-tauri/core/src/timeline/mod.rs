//! Every touch with a customer, in order: calls, meetings, mails, notes and
//! what the engine recorded; the timeline pages, search over all of it,
//! thank-you mails, and the cadence advice read off the touches.

pub mod activity;
pub mod cadence;
pub mod entries;
pub mod mail;
pub mod search;
pub mod server_search;
pub mod touch;
