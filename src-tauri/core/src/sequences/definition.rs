//! A sequence as the team defines it: a name, the language its mails are
//! written in, and its steps. Edits name the version they were based on;
//! deletion is soft and stops nothing already running (those enrolments
//! finish the steps they were given).

use crate::error::{Error, Result};
use crate::id::new_id;
use crate::language::Language;
use crate::sequences::template;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::validate::required;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// One step of a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Step {
    /// A mail from a template. Manual: the owner's follow-up with the draft
    /// to open in the mail program or copy. Automatic: Kizuna sends it.
    Mail {
        subject: String,
        body: String,
        automatic: bool,
    },
    /// A call: the owner's follow-up, with what to talk about.
    Call { note: String },
    /// Wait this many business days (team/business_hours.rs) before the next step.
    Wait { days: u32 },
}

impl Step {
    /// Steps that reach the customer (the guard counts them).
    pub fn is_touch(&self) -> bool {
        !matches!(self, Step::Wait { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SequenceInput {
    pub name: String,
    pub language: Language,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Sequence {
    pub id: String,
    pub name: String,
    pub language: Language,
    pub steps: Vec<Step>,
    /// Enrolments walking it now.
    pub active: u32,
    #[ts(type = "number")]
    pub version: i64,
}

const NAME_MAX: usize = 100;
const STEPS_MAX: usize = 30;
const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 20_000;
const NOTE_MAX: usize = 2_000;
/// Half a year of business days: a longer wait is not a follow-up any more.
const WAIT_MAX: u32 = 130;

fn lang_code(l: Language) -> &'static str {
    match l {
        Language::Ja => "ja",
        Language::En => "en",
    }
}

fn parse_lang(s: &str) -> Option<Language> {
    match s {
        "ja" => Some(Language::Ja),
        "en" => Some(Language::En),
        _ => None,
    }
}

/// The input checked and trimmed. A template naming a placeholder Kizuna
/// does not know is `steps / unknown_placeholder` (the editor shows which,
/// through [`template::unknown_placeholders`]).
pub fn validated(input: &SequenceInput) -> Result<SequenceInput> {
    let name = required("name", &input.name, NAME_MAX)?;
    if input.steps.is_empty() {
        return Err(Error::invalid("steps", "required"));
    }
    if input.steps.len() > STEPS_MAX {
        return Err(Error::invalid("steps", "too_many"));
    }
    if !input.steps.iter().any(Step::is_touch) {
        return Err(Error::invalid("steps", "only_waits"));
    }
    let mut steps = Vec::with_capacity(input.steps.len());
    for s in &input.steps {
        steps.push(match s {
            Step::Mail {
                subject,
                body,
                automatic,
            } => {
                let subject = required("subject", subject, SUBJECT_MAX)?;
                let body = required("body", body, BODY_MAX)?;
                if !template::unknown_placeholders(&subject).is_empty()
                    || !template::unknown_placeholders(&body).is_empty()
                {
                    return Err(Error::invalid("steps", "unknown_placeholder"));
                }
                Step::Mail {
                    subject,
                    body,
                    automatic: *automatic,
                }
            }
            Step::Call { note } => {
                let note = crate::validate::optional("note", note, NOTE_MAX)?;
                if !template::unknown_placeholders(&note).is_empty() {
                    return Err(Error::invalid("steps", "unknown_placeholder"));
                }
                Step::Call { note }
            }
            Step::Wait { days } => {
                if *days == 0 || *days > WAIT_MAX {
                    return Err(Error::invalid("wait_days", "range"));
                }
                Step::Wait { days: *days }
            }
        });
    }
    Ok(SequenceInput {
        name,
        language: input.language,
        steps,
    })
}

pub fn create(ctx: &WriteCtx, input: &SequenceInput) -> Result<String> {
    let s = validated(input)?;
    let id = new_id();
    let steps = serde_json::to_string(&s.steps).map_err(|e| Error::Internal(e.to_string()))?;
    ctx.sql().execute(
        "INSERT INTO sequences (id, name, language, steps, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        sql::params![id, s.name, lang_code(s.language), steps, ctx.now, ctx.user_id],
    )?;
    ctx.audit(
        Entity::Sequence,
        &id,
        "insert",
        json!({ "name": s.name, "steps": s.steps.len() }),
    )?;
    ctx.changed(Entity::Sequence, &id, "insert")?;
    Ok(id)
}

/// A version-checked edit; the new version. Running enrolments follow the
/// new steps from the step they are at.
pub fn update(ctx: &WriteCtx, id: &str, version: i64, input: &SequenceInput) -> Result<i64> {
    let s = validated(input)?;
    let steps = serde_json::to_string(&s.steps).map_err(|e| Error::Internal(e.to_string()))?;
    let n = ctx.sql().execute(
        "UPDATE sequences SET name = ?3, language = ?4, steps = ?5, version = version + 1, updated_at = ?6, updated_by = ?7
          WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL", sql::params![id, version, s.name, lang_code(s.language), steps, ctx.now, ctx.user_id])?;
    ctx.expect_one("sequence", "sequences", id, n)?;
    ctx.audit(
        Entity::Sequence,
        id,
        "update",
        json!({ "name": s.name, "steps": s.steps.len() }),
    )?;
    ctx.changed(Entity::Sequence, id, "update")?;
    Ok(version + 1)
}

/// Soft delete: no new enrolments; running ones keep their steps.
pub fn delete(ctx: &WriteCtx, id: &str, version: i64) -> Result<()> {
    let n = ctx.sql().execute(
        "UPDATE sequences SET deleted_at = ?3, version = version + 1, updated_at = ?3, updated_by = ?4
          WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("sequence", "sequences", id, n)?;
    ctx.audit(Entity::Sequence, id, "delete", json!({}))?;
    ctx.changed(Entity::Sequence, id, "delete")
}

const SELECT: &str = "SELECT s.id, s.name, s.language, s.steps, s.version,
        (SELECT COUNT(*) FROM sequence_enrolments e
          WHERE e.sequence_id = s.id AND e.status = 'active' AND e.deleted_at IS NULL)
   FROM sequences s";

fn from_row(r: &sql::Row) -> Result<Sequence> {
    let id: String = r.get(0)?;
    let language = crate::error::known("sequences", &id, &r.get::<String>(2)?, parse_lang)?;
    let steps_json: String = r.get(3)?;
    let steps = serde_json::from_str(&steps_json)
        .map_err(|e| Error::Internal(format!("sequences {id}: steps that do not read: {e}")))?;
    Ok(Sequence {
        id,
        name: r.get(1)?,
        language,
        steps,
        version: r.get(4)?,
        active: r.get(5)?,
    })
}

/// The team's sequences, by name.
pub fn list<'c>(conn: impl Into<Sql<'c>>) -> Result<Vec<Sequence>> {
    let conn = conn.into();
    let rows = conn.query(
        &format!("{SELECT} WHERE s.deleted_at IS NULL ORDER BY s.name, s.id"),
        sql::params![],
        from_row,
    )?;
    Ok(rows)
}

/// One sequence, a deleted one too (its enrolments still read their steps).
pub fn get<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Sequence> {
    let conn = conn.into();
    conn.query_opt(&format!("{SELECT} WHERE s.id = ?1"), sql::params![id], from_row)?
        .ok_or_else(|| Error::NotFound {
            entity: "sequence",
            id: id.to_string(),
        })
}
