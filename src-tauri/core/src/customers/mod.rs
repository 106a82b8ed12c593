//! The customers: companies and the people the team talks to there.

pub mod company;
pub mod contact;
pub mod health;
