//! The audit trail read back (Settings → 変更履歴, docs/security.md): who
//! changed what and when, with each field's value before and after, a page
//! at a time; filtered by member, record, customer and period; and the same
//! list as a file for an auditor.
//!
//! The trail itself is written by every save (`WriteCtx::audit`, store/write.rs)
//! in the same transaction as the change. Reading it is for managers only
//! (`team::role::require_manager`): it shows every colleague's work and the
//! customers' data before and after each change.

pub mod export;
pub mod trail;

#[cfg(test)]
mod tests;
