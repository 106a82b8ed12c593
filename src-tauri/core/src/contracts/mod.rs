//! What a won customer has signed, and renewing it: the contract, the
//! renewal plan started 60 days ahead, its steps and the renewal rate.

pub mod contract;
pub mod renewal;
