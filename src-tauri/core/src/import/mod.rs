//! Bringing a team's existing data in: Excel workbooks and CSV/TSV files
//! (docs/import.md). One file per step: `source` reads the bytes into a
//! table (`encoding` decides how text is encoded), `layout` finds the
//! header row and whose export it is, `mapping` guesses which column is
//! which field, `value` reads dates and amounts, `plan` turns each row
//! into the record it will be and matches it against the team file,
//! `preview` is the dry run, `batch` writes it in short transactions and
//! undoes it.

pub mod batch;
pub mod encoding;
pub mod layout;
pub mod mapping;
pub mod plan;
pub mod preview;
pub mod source;
pub mod value;

#[cfg(test)]
mod tests;
