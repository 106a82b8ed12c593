//! Live refresh from the team server: the same change log as the file's,
//! written in the same transaction as the change, read by sequence.
//!
//! A file is probed every half second because SQLite cannot say when a
//! colleague committed; a server can. The feed keeps one connection that
//! `LISTEN`s on [`CHANNEL`] (the log's trigger notifies at commit, never
//! for a rolled-back save) and reads the log only when woken. A wake-up
//! carries nothing: the log is the truth, so a notification lost with a
//! dropped connection costs nothing either. After any reconnect the feed
//! reads everything after the last sequence it saw before it waits again:
//! a laptop that was off the network for an hour catches up in one read
//! (or is told to reload, past [`BATCH`](crate::store::changes) changes).
//!
//! Reading by sequence is only safe when sequence order is commit order,
//! as it is in the file, where one writer commits at a time. PostgreSQL
//! numbers rows at insert and commits in any order, so the schema makes
//! every statement that appends to the log wait its turn first
//! (`change_log_in_turn` in the baseline): a reader that has seen N never
//! later finds a smaller number committed.

use super::connect::{connect, Server};
use crate::error::{Error, Result, ServerFailure};
use crate::store::changes::{batch_after, ChangeBatch, LogRow, BATCH};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, GenericClient, IsolationLevel};
use std::time::Duration;

/// The channel the log's trigger notifies (migrations/postgres).
pub const CHANNEL: &str = "kizuna_changes";

/// A reader of the server's change log from where it last stopped.
pub struct ServerFeed {
    server: Server,
    /// `None` after the connection was lost: the next call connects again.
    client: Option<Client>,
    seq: i64,
}

impl ServerFeed {
    /// Starts at the log's current end: what is on screen was loaded from
    /// the server as it is now.
    pub fn open(server: &Server) -> Result<ServerFeed> {
        let mut client = listen(server)?;
        let seq = latest(&mut client)?;
        Ok(ServerFeed {
            server: server.clone(),
            client: Some(client),
            seq,
        })
    }

    /// The newest sequence this feed has read.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// Waits up to `wait` for a colleague's commit and returns what the
    /// log holds after the last change read (empty when nothing came).
    /// A lost connection is `server_unreachable`; the call after it
    /// connects again and returns everything committed meanwhile.
    pub fn next(&mut self, wait: Duration) -> Result<ChangeBatch> {
        let client = match &mut self.client {
            Some(client) => {
                let woken = client.notifications().timeout_iter(wait).next();
                // The wait's end and a closed connection look alike there.
                if client.is_closed() {
                    self.client = None;
                    return Err(lost("the connection was closed"));
                }
                match woken {
                    Ok(Some(_)) => {}
                    Ok(None) => return Ok(ChangeBatch::default()),
                    Err(e) => {
                        self.client = None;
                        return Err(e.into());
                    }
                }
                // A burst of commits wakes once: one read covers them all.
                while let Ok(Some(_)) = client.notifications().iter().next() {}
                client
            }
            // Listening again before reading: a commit between the two is
            // read now or wakes the next wait, never neither.
            None => self.client.insert(listen(&self.server)?),
        };
        match read_after(client, self.seq) {
            Ok((batch, seq)) => {
                self.seq = seq;
                Ok(batch)
            }
            Err(e) => {
                self.client = None;
                Err(e)
            }
        }
    }
}

fn listen(server: &Server) -> Result<Client> {
    let mut client = connect(server)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

/// The newest sequence in the log (0 when empty).
fn latest(client: &mut impl GenericClient) -> Result<i64> {
    Ok(client
        .query_one("SELECT COALESCE(MAX(seq), 0) FROM change_log", &[])?
        .get(0))
}

fn lost(detail: &str) -> Error {
    Error::Server {
        failure: ServerFailure::Unreachable,
        detail: detail.into(),
    }
}

/// The log after `seen` as a batch, and the sequence read up to; one
/// snapshot, so the log's end and its rows agree.
fn read_after(client: &mut Client, seen: i64) -> Result<(ChangeBatch, i64)> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let end = latest(&mut tx)?;
    let rows = if end <= seen {
        Vec::new()
    } else {
        tx.query(
            "SELECT seq, entity, entity_id, op, user_id, at FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&seen, &(BATCH + 1)],
        )?
        .iter()
        .map(|r| LogRow {
            seq: r.get("seq"),
            entity: r.get("entity"),
            entity_id: r.get("entity_id"),
            op: r.get("op"),
            user_id: r.get("user_id"),
            at: r.get("at"),
        })
        .collect()
    };
    tx.commit()?;
    Ok(batch_after(seen, end, rows))
}
