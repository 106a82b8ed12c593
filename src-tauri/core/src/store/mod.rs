//! The team file and its protocol: opening and creating it, the one write
//! path and the queue its saves wait in, the schema and its migrations, the
//! locking probe, crash recovery, encryption at rest, the change feed that tells other desktops
//! what changed, backups, and the undo bin of deletions; and the team server's side of the
//! same (`server`), with moving a team between the two (`transfer`). Nothing here knows a deal from a customer beyond
//! the names of their tables.

pub(crate) mod background;
pub mod backup;
pub mod changes;
pub mod check;
pub mod cipher;
pub mod db;
pub mod deletion;
pub mod identity;
pub mod locking;
pub mod queue;
pub mod reader;
pub mod recovery;
pub mod schema;
pub mod server;
pub mod sql;
pub mod team_db;
pub mod transfer;
pub mod vfs;
pub mod write;
