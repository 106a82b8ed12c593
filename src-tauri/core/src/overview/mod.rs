//! Views that read across the domain folders for one screen: the customer
//! page's header.

pub mod customer;
