//! What the team has promised to do next and when: follow-ups, the
//! reminders that raise them on time, the scheduler that wakes for them, and
//! the retention alert for customers who have gone quiet.

pub mod follow_up;
pub mod reminder;
pub mod retention;
pub mod scheduler;
