//! Who the team is: its members (who wrote what, who a follow-up is for),
//! the settings the whole team shares, and which desktops are open now.

pub mod business_hours;
pub mod member;
pub mod presence;
pub mod role;
pub mod settings;
