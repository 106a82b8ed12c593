//! Hand-offs between sales and support (営業とサポートの連携, docs/handoffs.md).
//!
//! Sales → support (導入引き継ぎ): when a deal is won the rep fills a sheet
//! of what support must know — what was sold, the customer's goals, the
//! promises made and who keeps them, the key persons and how they like to be
//! reached, the risks, the team's checklist. Support is told at once,
//! acknowledges it or asks back; nobody acknowledging within the team's
//! business hours reminds both sides (the reminders themselves are
//! `followups/reminder.rs`, which reads these tables by SQL).
//!
//! Support → sales: from a case, support hands the account owner an
//! opportunity, a renewal risk or a complaint; it becomes the owner's
//! follow-up, and the deal or contract it leads to shows where it came from.

/// Support's side of a sheet: acknowledging it, questions and answers.
pub mod acknowledge;
/// The Hand-offs view's lists.
pub mod inbox;
/// The sheet: its fields, the draft a won deal prefills, sending and editing.
pub mod sheet;
/// The sheet's steps on the customer's timeline.
mod timeline;
/// From a support case to the account owner.
pub mod to_sales;

pub use crate::engine_text::ToSalesKind;

#[cfg(test)]
mod tests;
