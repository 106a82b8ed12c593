//! The team server: the team's tables in PostgreSQL, for a team that
//! outgrows one shared file (docs/team-server.md). What stands so far is the
//! server's side of the seam: connecting (TLS required except to this
//! computer), its schema and numbered migrations, the group role members log
//! in under, live refresh (`feed`: LISTEN/NOTIFY and a catch-up read by
//! sequence), and a member's session (`db::ServerDb`: reads, and saves in
//! `SERIALIZABLE` transactions run again when they meet). Search on
//! `pg_trgm` is `timeline::server_search`. Moving a team between a file and
//! a server is `store::transfer`. The domain's statements go through
//! `store::sql`; those not moved there yet are refused on a server
//! (`NotOnServer`).

pub mod connect;
pub mod db;
pub mod feed;
pub mod roles;
pub mod schema;

pub use connect::{connect, Server};
pub use db::ServerDb;
pub use feed::ServerFeed;
