//! The customers: companies and the people the team talks to there, the one
//! normalisation that tells two of them are the same (`likeness`), and the
//! ids merged records keep (`alias`).

pub mod alias;
pub mod archive;
pub mod company;
pub mod contact;
pub mod health;
pub mod likeness;
pub mod owner;
