//! Who gets a new lead: the team's rule (TeamSettings `lead_assignment`).
//!
//! Round robin keeps whose turn it was in the team file (a settings row),
//! read and advanced inside the same write transaction that stores the
//! lead: two desktops receiving leads at once are serialised by the file's
//! write lock, so they never both pick the same next person.

use crate::error::Result;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::team::settings::{AssignMode, TeamSettings};

/// The settings row holding the last member given a lead in turn.
const TURN_KEY: &str = "lead_round_robin";

/// The active members among `ids`, in the list's order.
fn active(ctx: &WriteCtx, ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let found = ctx.sql().query_opt(
            "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL AND deactivated_at IS NULL",
            sql::params![id],
            |_| Ok(()),
        )?;
        if found.is_some() {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// The owner the rule gives the next lead, advancing the turn. `None`: the
/// rule gives nobody (or nobody on its list is still active).
pub fn next_owner(ctx: &WriteCtx, team: &TeamSettings) -> Result<Option<String>> {
    let rule = &team.lead_assignment;
    let members = active(ctx, &rule.members)?;
    match rule.mode {
        AssignMode::Nobody => Ok(None),
        AssignMode::One => Ok(members.into_iter().next()),
        AssignMode::RoundRobin => {
            if members.is_empty() {
                return Ok(None);
            }
            let last: Option<String> = ctx.sql().query_opt(
                "SELECT value FROM settings WHERE key = ?1",
                sql::params![TURN_KEY],
                |r| r.get(0),
            )?;
            // After the last one given (a member who left the list: from the start).
            let last = last.and_then(|raw| serde_json::from_str::<String>(&raw).ok());
            let next = match last.and_then(|l| members.iter().position(|m| *m == l)) {
                Some(i) => members[(i + 1) % members.len()].clone(),
                None => members[0].clone(),
            };
            ctx.sql().execute(
                "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = settings.version + 1,
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                sql::params![
                    TURN_KEY,
                    serde_json::Value::from(next.as_str()).to_string(),
                    ctx.now,
                    ctx.user_id
                ],
            )?;
            Ok(Some(next))
        }
    }
}
