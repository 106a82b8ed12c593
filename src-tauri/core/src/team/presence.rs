//! Which computers act as which member right now. Each running Kizuna
//! writes a heartbeat for its member — at most every [`BEAT_EVERY`], since
//! every write to the shared file takes its lock and wakes every colleague's
//! watcher — and a member seen on another computer within [`ACTIVE_WITHIN`]
//! is active there too: the window warns, because two people sharing one
//! member see each other's follow-ups and only one of them is reminded
//! (`notification_log` is per member, which is what a person with two
//! computers wants, and wrong for two people).

use crate::clock::to_db;
use crate::error::Result;
use crate::store::changes::Entity;
use crate::store::sql::Sql;
use crate::store::write::WriteCtx;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

/// How often a running Kizuna says it is still there.
pub const BEAT_EVERY: Duration = Duration::minutes(2);
/// How long after its last heartbeat a computer still counts as active:
/// two beats and some slack, so one late beat (a busy share) is no gap.
pub const ACTIVE_WITHIN: Duration = Duration::minutes(5);

/// This computer profile: its id (made once, kept in config.json) and the
/// name colleagues recognise it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computer {
    pub id: String,
    pub name: String,
}

/// Another computer acting as the same member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OtherComputer {
    pub computer_name: String,
    pub seen_at: String,
}

/// What the status bar warns about: empty when this member is active here only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Presence {
    pub elsewhere: Vec<OtherComputer>,
}

/// Records that `computer` acts as the current member now. Not audited:
/// nobody changed anything. `announce` (a start, another member chosen)
/// adds a change log entry, so the other computer of the same member warns
/// within a second instead of at its next look; the periodic beats stay out
/// of the change log, which is never pruned and would otherwise gain a row
/// per desktop every two minutes.
pub fn beat(ctx: &WriteCtx, computer: &Computer, announce: bool) -> Result<()> {
    ctx.sql().execute(
        "INSERT INTO member_sessions (computer_id, user_id, computer_name, started_at, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (computer_id) DO UPDATE SET
             started_at = CASE WHEN member_sessions.user_id = excluded.user_id THEN member_sessions.started_at ELSE excluded.started_at END,
             user_id = excluded.user_id, computer_name = excluded.computer_name, seen_at = excluded.seen_at",
        crate::store::sql::params![computer.id, ctx.user_id, computer.name, ctx.now],
    )?;
    if announce {
        ctx.changed(Entity::MemberSession, &computer.id, "update")?;
    }
    Ok(())
}

/// The other computers active as `user_id` at `now`.
pub fn elsewhere<'c>(
    conn: impl Into<Sql<'c>>,
    user_id: &str,
    computer_id: &str,
    now: DateTime<Utc>,
) -> Result<Presence> {
    let since = to_db(now - ACTIVE_WITHIN);
    let elsewhere = conn.into().query(
        "SELECT computer_name, seen_at FROM member_sessions
         WHERE user_id = ?1 AND computer_id <> ?2 AND seen_at >= ?3
         ORDER BY seen_at DESC",
        crate::store::sql::params![user_id, computer_id, since],
        |r| {
            Ok(OtherComputer {
                computer_name: r.get(0)?,
                seen_at: r.get(1)?,
            })
        },
    )?;
    Ok(Presence { elsewhere })
}

/// Whether a heartbeat is due — `Some(announce)` — and whether it is news:
/// the first as this member (announced), or one [`BEAT_EVERY`] after the last.
pub fn beat_due(last: Option<(&str, DateTime<Utc>)>, member_id: &str, now: DateTime<Utc>) -> Option<bool> {
    match last {
        Some((id, at)) if id == member_id => (now - at >= BEAT_EVERY).then_some(false),
        _ => Some(true),
    }
}
