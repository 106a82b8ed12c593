//! Pipelines and their stages (案件のステージ). A team may keep several
//! pipelines; each has ordered open stages and closing kinds won / lost.

use crate::db::WriteCtx;
use crate::error::Result;
use crate::id::new_id;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    pub position: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StageKind {
    Open,
    Won,
    Lost,
}

impl StageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }
    fn parse(s: &str) -> StageKind {
        match s {
            "won" => StageKind::Won,
            "lost" => StageKind::Lost,
            _ => StageKind::Open,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Stage {
    pub id: String,
    pub pipeline_id: String,
    pub name: String,
    pub position: i32,
    /// Win probability in percent, for the weighted column total.
    pub probability: i32,
    /// A deal untouched for longer than this is going cold.
    pub idle_days: i32,
    pub kind: StageKind,
    /// Entering this stage asks for the customer's decision deadline.
    pub is_closing: bool,
}

pub fn list(conn: &Connection) -> Result<Vec<Pipeline>> {
    let mut st =
        conn.prepare("SELECT id, name, position FROM pipelines WHERE deleted_at IS NULL ORDER BY position, name")?;
    let rows = st
        .query_map([], |r| {
            Ok(Pipeline {
                id: r.get(0)?,
                name: r.get(1)?,
                position: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn stages(conn: &Connection, pipeline_id: &str) -> Result<Vec<Stage>> {
    let mut st = conn.prepare(
        "SELECT id, pipeline_id, name, position, probability, idle_days, kind, is_closing
         FROM stages WHERE pipeline_id = ?1 AND deleted_at IS NULL ORDER BY position",
    )?;
    let rows = st
        .query_map([pipeline_id], |r| {
            Ok(Stage {
                id: r.get(0)?,
                pipeline_id: r.get(1)?,
                name: r.get(2)?,
                position: r.get(3)?,
                probability: r.get(4)?,
                idle_days: r.get(5)?,
                kind: StageKind::parse(&r.get::<_, String>(6)?),
                is_closing: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The stages PRODUCT.md describes: リード → 初回商談 → 提案 → 見積 → クロージング,
/// then 受注 (won) and 失注 (lost). Names are data, written in the team's language.
pub fn create_default(ctx: &WriteCtx) -> Result<String> {
    let pipeline_id = new_id();
    ctx.tx.execute(
        "INSERT INTO pipelines (id, name, position, created_at, updated_at, updated_by) VALUES (?1, ?2, 0, ?3, ?3, ?4)",
        params![pipeline_id, "新規営業", ctx.now, ctx.user_id],
    )?;
    ctx.changed("pipeline", &pipeline_id, "insert")?;
    let stages: [(&str, i32, i32, StageKind, bool); 7] = [
        ("リード", 10, 14, StageKind::Open, false),
        ("初回商談", 20, 10, StageKind::Open, false),
        ("提案", 40, 10, StageKind::Open, false),
        ("見積", 60, 7, StageKind::Open, false),
        ("クロージング", 80, 7, StageKind::Open, true),
        ("受注", 100, 0, StageKind::Won, false),
        ("失注", 0, 0, StageKind::Lost, false),
    ];
    for (pos, (name, probability, idle_days, kind, closing)) in stages.into_iter().enumerate() {
        let id = new_id();
        ctx.tx.execute(
            "INSERT INTO stages (id, pipeline_id, name, position, probability, idle_days, kind, is_closing,
                                 created_at, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
            params![
                id,
                pipeline_id,
                name,
                pos as i32,
                probability,
                idle_days,
                kind.as_str(),
                closing,
                ctx.now,
                ctx.user_id
            ],
        )?;
        ctx.changed("stage", &id, "insert")?;
    }
    Ok(pipeline_id)
}
