//! Personal-data requests under Japan's APPI (個人情報保護法; what it asks and
//! how Kizuna answers each request: docs/security.md): everything the file
//! holds about one contact as one workbook ([`disclose`]), and erasing the
//! person everywhere the file holds them ([`erase`]) while the team's
//! business facts (deals, amounts, counts) stay, anonymised.
//!
//! Above every folder whose rows name a person (customers, timeline, leads,
//! support, hand-offs, sequences, mail, the audit trail), so it can reach
//! each of them. Both are for managers only (`team::role::require_manager`).

pub mod disclose;
pub mod erase;
pub mod person;
pub mod redact;

#[cfg(test)]
mod tests;
