//! Follow-up sequences (追客シナリオ, docs/sequences.md): the team's plan of
//! steps — a mail from a template, a call, a wait of business days — that a
//! contact or a deal (later a lead) walks through, each due step the owner's
//! follow-up or a mail Kizuna sends itself, stopping the moment the customer
//! answers, shows a buying signal, books a meeting, or the deal moves, and
//! waiting rather than becoming pushy (timeline/cadence.rs).
//!
//! Above the timeline and the pipeline, which it reads; the hooks that stop
//! a sequence when a touch or a move is written are called from `app`
//! (outbox.rs applies every such write), and before each step it checks again.

/// The team's sequences and their steps.
pub mod definition;
/// Walking the steps: due steps, the guard, automatic mails, late mails.
pub mod engine;
/// Enrolling a target, the state a record shows.
pub mod enrolment;
/// The background thread that does the owner's due steps on their desktop.
pub mod runner;
/// Why a sequence stops, checked when it happens and before each step; "they replied".
pub mod stop;
/// Templates with placeholders and Japanese / English business forms.
pub mod template;

pub use stop::StopReason;

#[cfg(test)]
mod tests;
