//! Support cases (問い合わせ / サポート案件): what customers ask or complain
//! about, answered against service levels counted in business hours, with
//! every step on the customer's timeline so sales sees it (docs/support.md).
//!
//! - [`case`]: opening a case, its status machine, assignee, priority,
//!   version-checked edits and deletion;
//! - [`thread`]: replies to the customer, internal notes, and the record of
//!   every step (a case event and a timeline entry);
//! - [`sla`]: the due times of the first response and the resolution, and
//!   how a target stands now;
//! - [`inbox`]: the support inbox (new / mine / waiting / overdue), counted,
//!   paged and searchable with the timeline's Japanese search.
//!
//! Who is told of a target about to breach or breached is decided by the
//! reminder scheduler (`followups/reminder.rs`), which reads the due times
//! stored here.

pub mod case;
pub mod inbox;
pub mod sla;
pub mod thread;

#[cfg(test)]
mod tests;
