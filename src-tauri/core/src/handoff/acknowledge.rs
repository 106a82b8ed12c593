//! Support's side of a sheet: acknowledging it (受領), or asking back
//! before doing so, and the rep's answers. Each step is version-checked
//! against the sheet the person read — an answer written while a colleague
//! corrected the sheet, or an acknowledgement of a sheet that changed since
//! it was read, is a conflict to look at, not a silent pass — and each stands
//! on the customer's timeline.

use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::handoff::sheet::MessageKind;
use crate::handoff::timeline;
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::validate::required;
use serde_json::json;

const MESSAGE_MAX: usize = 4000;

struct Target {
    company_id: String,
    deal_id: Option<String>,
    status: String,
}

fn target(ctx: &WriteCtx, id: &str) -> Result<Target> {
    ctx.sql()
        .query_opt(
            "SELECT company_id, deal_id, status FROM handoffs WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![id],
            |r| {
                Ok(Target {
                    company_id: r.get(0)?,
                    deal_id: r.get(1)?,
                    status: r.get(2)?,
                })
            },
        )?
        .ok_or_else(|| Error::NotFound {
            entity: "handoff",
            id: id.to_string(),
        })
}

/// The sheet moves to `version + 1`, or the reader's version was stale.
fn bump(ctx: &WriteCtx, id: &str, version: i64, extra: &str) -> Result<()> {
    let n = ctx.sql().execute(
        &format!(
            "UPDATE handoffs SET {extra} version = version + 1, updated_at = ?3, updated_by = ?4
              WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL"
        ),
        sql::params![id, version, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("handoff", "handoffs", id, n)
}

/// Support has read the sheet and takes the customer over. Returns the
/// sheet's new version.
pub fn acknowledge(ctx: &WriteCtx, id: &str, version: i64) -> Result<i64> {
    let t = target(ctx, id)?;
    if t.status == "acknowledged" {
        return Err(Error::invalid("handoff", "already_acknowledged"));
    }
    bump(
        ctx,
        id,
        version,
        "status = 'acknowledged', acknowledged_at = ?3, acknowledged_by = ?4,",
    )?;
    let by = timeline::member_name(ctx, ctx.user_id)?;
    timeline::record(
        ctx,
        &t.company_id,
        t.deal_id.as_deref(),
        EngineText::HandoffAcknowledged {
            handoff_id: id.to_string(),
            by,
        },
        "",
    )?;
    ctx.audit(
        Entity::Handoff,
        id,
        "update",
        json!({ "status": { "from": "sent", "to": "acknowledged" } }),
    )?;
    ctx.changed(Entity::Handoff, id, "update")?;
    Ok(version + 1)
}

/// Support asks about the sheet; the rep is told (a reminder of kind
/// `handoff_message`). Returns the sheet's new version.
pub fn ask(ctx: &WriteCtx, id: &str, version: i64, body: &str) -> Result<i64> {
    message(ctx, id, version, MessageKind::Question, body)
}

/// The rep answers; whoever asked is told. Returns the sheet's new version.
pub fn answer(ctx: &WriteCtx, id: &str, version: i64, body: &str) -> Result<i64> {
    message(ctx, id, version, MessageKind::Answer, body)
}

fn message(ctx: &WriteCtx, id: &str, version: i64, kind: MessageKind, body: &str) -> Result<i64> {
    let body = required("body", body, MESSAGE_MAX)?;
    let t = target(ctx, id)?;
    bump(ctx, id, version, "")?;
    let (text, kind_str) = match kind {
        MessageKind::Question => (
            EngineText::HandoffQuestion {
                handoff_id: id.to_string(),
            },
            "question",
        ),
        MessageKind::Answer => (
            EngineText::HandoffAnswer {
                handoff_id: id.to_string(),
            },
            "answer",
        ),
    };
    let activity_id = timeline::record(ctx, &t.company_id, t.deal_id.as_deref(), text, &body)?;
    let message_id = new_id();
    ctx.sql().execute(
        "INSERT INTO handoff_messages (id, handoff_id, kind, body, author_id, at, activity_id, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?5)",
        sql::params![message_id, id, kind_str, body, ctx.user_id, ctx.now, activity_id],
    )?;
    ctx.audit(Entity::Handoff, id, "update", json!({ kind_str: body }))?;
    ctx.changed(Entity::Handoff, id, "update")?;
    Ok(version + 1)
}
