//! A read-only connection of its own to the team, for long reads (a report,
//! an export, the sales meeting's week): the desktop's session, and the
//! saves behind it, never wait for them, on either store.

use crate::error::Result;
use crate::store::changes::Source;
use crate::store::sql::Sql;
use std::cell::RefCell;
use std::time::Duration;

/// How long a read waits for a colleague's save to finish on the team file
/// rather than fail.
const BUSY_WAIT: Duration = Duration::from_secs(10);

pub enum Reader {
    File(rusqlite::Connection),
    // Boxed: a server client is three times a connection to a file (clippy
    // says so on macOS, where the sizes differ most).
    Server(Box<RefCell<postgres::Client>>),
}

impl Reader {
    /// Opens `place` for reading: the file without its write lock, or a new
    /// session on the server as the same login, in which nothing can be
    /// written by mistake.
    pub fn open(place: &Source) -> Result<Reader> {
        match place {
            Source::File(path) => {
                let conn = crate::store::db::read_only_connection(path, false)?;
                conn.busy_timeout(BUSY_WAIT)?;
                Ok(Reader::File(conn))
            }
            Source::Server(server) => {
                let mut client = crate::store::server::connect(server)?;
                client.batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")?;
                Ok(Reader::Server(Box::new(RefCell::new(client))))
            }
        }
    }

    pub fn sql(&self) -> Sql<'_> {
        match self {
            Reader::File(conn) => Sql::File(conn),
            Reader::Server(client) => Sql::Server(client.as_ref()),
        }
    }
}
