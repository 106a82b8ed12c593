//! Team-wide settings, stored in the shared database so the whole team works
//! to the same cadence, caps and lead times.

use crate::db::WriteCtx;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct TeamSettings {
    /// Widening intervals (days) between follow-ups after a touch.
    pub cadence_days: Vec<u32>,
    /// Pushiness guard: at most this many outbound touches without a reply...
    pub pushy_max_touches: u32,
    /// ...within this many days.
    pub pushy_window_days: u32,
    /// Retention interval for key accounts and for everyone else.
    pub retention_days_key: u32,
    pub retention_days_other: u32,
    /// Renewal lead times before a contract ends.
    pub renewal_hearing_days: u32,
    pub renewal_proposal_days: u32,
    /// Default decision deadline for a deal entering closing.
    pub decision_deadline_days: u32,
    /// Preset reasons offered when a deal is lost.
    pub lost_reasons: Vec<String>,
}

impl Default for TeamSettings {
    fn default() -> Self {
        TeamSettings {
            cadence_days: vec![1, 3, 7, 14, 30],
            pushy_max_touches: 3,
            pushy_window_days: 7,
            retention_days_key: 30,
            retention_days_other: 90,
            renewal_hearing_days: 60,
            renewal_proposal_days: 30,
            decision_deadline_days: 14,
            lost_reasons: ["価格", "機能不足", "タイミング", "競合に決定", "予算凍結", "連絡途絶"]
                .map(String::from)
                .to_vec(),
        }
    }
}

const KEY: &str = "team";

impl TeamSettings {
    pub fn load(conn: &Connection) -> Result<TeamSettings> {
        let raw: Option<String> = conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [KEY], |r| r.get(0))
            .optional()?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    pub fn save(&self, ctx: &WriteCtx) -> Result<()> {
        let value = serde_json::to_string(self).map_err(|e| crate::Error::Internal(e.to_string()))?;
        ctx.tx.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = version + 1,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![KEY, value, ctx.now, ctx.user_id],
        )?;
        ctx.changed("settings", KEY, "update")
    }
}
