//! Reports read across the domain folders for the sales manager: the
//! weekly sales meeting (営業会議, docs/meeting.md). Above every folder whose
//! rules they reuse, so a figure here is the same as on the screen that owns it.

pub mod meeting;
