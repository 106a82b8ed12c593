//! Row ids: UUIDv7, time-ordered and safe to create on any PC of the team
//! without asking the database for a number.

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
