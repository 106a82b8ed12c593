//! The customers: companies and the people the team talks to there.

pub mod archive;
pub mod company;
pub mod contact;
pub mod health;
pub mod owner;
