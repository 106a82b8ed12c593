//! The team server: the team's tables in PostgreSQL, for a team that
//! outgrows one shared file (docs/team-server.md). What stands so far is the
//! server's side of the seam: connecting (TLS required except to this
//! computer), its schema and numbered migrations, the group role members log
//! in under, live refresh (`feed`: LISTEN/NOTIFY and a catch-up read by
//! sequence). Search on `pg_trgm` is `timeline::server_search`. Moving a team
//! between a file and a server is `store::transfer`. The domain's reads and
//! writes still speak SQLite only; putting them on both stores is the next
//! step of the plan.

pub mod connect;
pub mod feed;
pub mod roles;
pub mod schema;

pub use connect::{connect, Server};
pub use feed::ServerFeed;
