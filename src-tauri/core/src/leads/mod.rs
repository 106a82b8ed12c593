//! Inbound leads (見込み客・問い合わせ) and nurture (マーケティングに戻す):
//! an inquiry before it is a customer, answered fast, qualified into a deal,
//! disqualified, or handed back to marketing until it warms up again
//! (docs/leads.md).
//!
//! - [`lead`]: receiving a lead, its edits, owner, first answer, opt-out,
//!   deletion, and its history;
//! - [`assign`]: the team's rule for who gets a new lead (round robin kept
//!   in the team file);
//! - [`matching`]: the same company, person or phone said differently
//!   (株式会社 before or after, widths, free-mail domains);
//! - [`qualify`]: converting into customer + contact + deal (offering the
//!   existing ones), disqualifying;
//! - [`nurture`]: the nurture cadence of leads and lost deals, resurfacing,
//!   and the newsletter export;
//! - [`inbox`]: the leads inbox (new / mine / overdue / nurture), counted,
//!   paged and searched;
//! - [`numbers`]: what a manager asks (by source, first-response time,
//!   conversion, resurfaced).
//!
//! Who is told of a new lead, a breached first answer or a lead that came
//! back is decided by the reminder scheduler (`followups/reminder.rs`),
//! which reads the times stored here.

pub mod assign;
pub mod inbox;
pub mod lead;
pub mod matching;
pub mod numbers;
pub mod nurture;
pub mod qualify;

#[cfg(test)]
mod tests;
