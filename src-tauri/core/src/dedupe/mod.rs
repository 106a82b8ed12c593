//! Duplicates already in the file: the possible pairs with why they match
//! (`pairs`), and merging two companies or two contacts into one (`merge`).
//! Above every folder whose rows a merge moves (deals, timeline, contracts,
//! cases, hand-offs, leads, sequences); docs/duplicates.md.

pub mod merge;
pub mod pairs;

#[cfg(test)]
mod tests;
