//! Pipelines and their stages (案件のステージ). A team may keep several
//! pipelines; each has ordered open stages and closing kinds won / lost.
//!
//! Stages are edited as a whole list per pipeline (Settings shows one
//! pipeline's stages in a table), so the pipeline row's version guards the
//! list: every save bumps it, and two admins editing the stages of the same
//! pipeline get a conflict instead of interleaving their edits.

use crate::error::{Error, Result};
use crate::id::new_id;
use crate::language::Language;
use crate::store::changes::Entity;
use crate::store::sql::{self, Row, Sql};
use crate::store::write::WriteCtx;
use crate::validate::required;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Pipeline {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
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
    pub(crate) fn parse(s: &str) -> Option<StageKind> {
        match s {
            "open" => Some(StageKind::Open),
            "won" => Some(StageKind::Won),
            "lost" => Some(StageKind::Lost),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Stage {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
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

/// One row of the stage editor. The slice order is the column order.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StageEdit {
    /// None for a stage added in this edit.
    pub id: Option<String>,
    pub name: String,
    pub probability: i32,
    pub idle_days: i32,
    pub kind: StageKind,
    pub is_closing: bool,
}

const PIPELINE_NAME_MAX: usize = 100;
const STAGE_NAME_MAX: usize = 50;

/// The stages of docs/sales-methods.md ("Pipeline board"): リード → 初回商談 → 提案 → 見積 → クロージング,
/// then 受注 (won) and 失注 (lost). Names are data, written in the language
/// of whoever creates the pipeline; after that the team renames them at will.
const DEFAULT_STAGES: [(&str, &str, i32, i32, StageKind, bool); 7] = [
    ("リード", "Lead", 10, 14, StageKind::Open, false),
    ("初回商談", "First meeting", 20, 10, StageKind::Open, false),
    ("提案", "Proposal", 40, 10, StageKind::Open, false),
    ("見積", "Quote", 60, 7, StageKind::Open, false),
    ("クロージング", "Closing", 80, 7, StageKind::Open, true),
    ("受注", "Won", 100, 0, StageKind::Won, false),
    ("失注", "Lost", 0, 0, StageKind::Lost, false),
];

pub fn list<'c>(conn: impl Into<Sql<'c>>) -> Result<Vec<Pipeline>> {
    conn.into().query(
        "SELECT id, version, name, position FROM pipelines WHERE deleted_at IS NULL ORDER BY position, name",
        &[],
        |r| {
            Ok(Pipeline {
                id: r.get(0)?,
                version: r.get(1)?,
                name: r.get(2)?,
                position: r.get(3)?,
            })
        },
    )
}

const STAGE_COLUMNS: &str = "id, version, pipeline_id, name, position, probability, idle_days, kind, is_closing";

fn stage_from_row(r: &Row) -> Result<Stage> {
    let id: String = r.get(0)?;
    Ok(Stage {
        kind: crate::error::known("stages", &id, &r.get::<String>(7)?, StageKind::parse)?,
        id,
        version: r.get(1)?,
        pipeline_id: r.get(2)?,
        name: r.get(3)?,
        position: r.get(4)?,
        probability: r.get(5)?,
        idle_days: r.get(6)?,
        is_closing: r.get(8)?,
    })
}

pub fn stages<'c>(conn: impl Into<Sql<'c>>, pipeline_id: &str) -> Result<Vec<Stage>> {
    conn.into().query(
        &format!(
            "SELECT {STAGE_COLUMNS} FROM stages WHERE pipeline_id = ?1 AND deleted_at IS NULL ORDER BY position, id"
        ),
        sql::params![pipeline_id],
        stage_from_row,
    )
}

/// One stage, also a soft-deleted one (a deal's history may name it).
/// A pipeline with its stages, as the stage editor in Settings shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PipelineStages {
    pub pipeline: Pipeline,
    pub stages: Vec<Stage>,
}

/// Every pipeline with its stages, in board order.
pub fn all_with_stages<'c>(conn: impl Into<Sql<'c>>) -> Result<Vec<PipelineStages>> {
    let conn = conn.into();
    list(conn)?
        .into_iter()
        .map(|pipeline| {
            let stages = stages(conn, &pipeline.id)?;
            Ok(PipelineStages { pipeline, stages })
        })
        .collect()
}

pub fn stage<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Option<(Stage, bool)>> {
    conn.into().query_opt(
        &format!("SELECT {STAGE_COLUMNS}, deleted_at IS NOT NULL FROM stages WHERE id = ?1"),
        sql::params![id],
        |r| Ok((stage_from_row(r)?, r.get::<bool>(9)?)),
    )
}

/// The default pipeline a new team database starts with, named in the
/// creator's language.
pub fn create_default(ctx: &WriteCtx) -> Result<String> {
    let name = match ctx.lang {
        Language::Ja => "新規営業",
        Language::En => "New business",
    };
    insert_pipeline(ctx, name)
}

/// A new pipeline with the default stages, after the existing pipelines.
pub fn create_pipeline(ctx: &WriteCtx, name: &str) -> Result<String> {
    let name = required("name", name, PIPELINE_NAME_MAX)?;
    insert_pipeline(ctx, &name)
}

fn insert_pipeline(ctx: &WriteCtx, name: &str) -> Result<String> {
    let pipeline_id = new_id();
    let position: i32 = ctx.sql().query_one(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM pipelines WHERE deleted_at IS NULL",
        sql::params![],
        |r| r.get(0),
    )?;
    ctx.sql().execute(
        "INSERT INTO pipelines (id, name, position, created_at, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?4, ?5)", sql::params![pipeline_id, name, position, ctx.now, ctx.user_id])?;
    for (pos, (ja, en, probability, idle_days, kind, closing)) in DEFAULT_STAGES.into_iter().enumerate() {
        let stage_name = match ctx.lang {
            Language::Ja => ja,
            Language::En => en,
        };
        insert_stage(
            ctx,
            &pipeline_id,
            pos as i32,
            &StageEdit {
                id: None,
                name: stage_name.into(),
                probability,
                idle_days,
                kind,
                is_closing: closing,
            },
        )?;
    }
    ctx.audit(
        Entity::Pipeline,
        &pipeline_id,
        "insert",
        serde_json::json!({ "name": name }),
    )?;
    ctx.changed(Entity::Pipeline, &pipeline_id, "insert")?;
    Ok(pipeline_id)
}

fn insert_stage(ctx: &WriteCtx, pipeline_id: &str, position: i32, s: &StageEdit) -> Result<String> {
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO stages (id, pipeline_id, name, position, probability, idle_days, kind, is_closing,
                             created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
        sql::params![
            id,
            pipeline_id,
            s.name,
            position,
            s.probability,
            s.idle_days,
            s.kind.as_str(),
            s.is_closing,
            ctx.now,
            ctx.user_id
        ],
    )?;
    ctx.changed(Entity::Stage, &id, "insert")?;
    Ok(id)
}

/// Checks a stage list on its own (no database), returning it with trimmed names.
fn validate_stages(stages: &[StageEdit]) -> Result<Vec<StageEdit>> {
    let mut out = Vec::with_capacity(stages.len());
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    for s in stages {
        let name = required("stage_name", &s.name, STAGE_NAME_MAX)?;
        // The board and the timeline ("提案 → 見積") tell stages apart by name.
        if !names.insert(name.clone()) {
            return Err(Error::invalid("stage_name", "duplicate"));
        }
        if let Some(id) = &s.id {
            if !ids.insert(id.clone()) {
                return Err(Error::invalid("stages", "duplicate_id"));
            }
        }
        if !(0..=100).contains(&s.probability) {
            return Err(Error::invalid("probability", "range"));
        }
        if !(0..=365).contains(&s.idle_days) {
            return Err(Error::invalid("idle_days", "range"));
        }
        // A decision deadline belongs to a deal still being decided.
        if s.is_closing && s.kind != StageKind::Open {
            return Err(Error::invalid("is_closing", "open_only"));
        }
        out.push(StageEdit { name, ..s.clone() });
    }
    if !out.iter().any(|s| s.kind == StageKind::Open) {
        return Err(Error::invalid("stages", "no_open_stage"));
    }
    let count = |k: StageKind| out.iter().filter(|s| s.kind == k).count();
    // Won and lost are where a deal ends; the board, re-approach and
    // reporting rely on exactly one of each.
    if count(StageKind::Won) != 1 || count(StageKind::Lost) != 1 {
        return Err(Error::invalid("stages", "won_lost_required"));
    }
    Ok(out)
}

fn live_deals_in_stage(ctx: &WriteCtx, stage_id: &str) -> Result<i64> {
    ctx.sql().query_one(
        "SELECT COUNT(*) FROM deals WHERE stage_id = ?1 AND deleted_at IS NULL",
        sql::params![stage_id],
        |r| r.get(0),
    )
}

/// Renames a pipeline and replaces its stage list: stages keep their ids
/// (deals point at them), take the slice order as position, new ones are
/// created and missing ones soft-deleted. Version-checked on the pipeline row.
pub fn save_pipeline(ctx: &WriteCtx, pipeline_id: &str, version: i64, name: &str, stages: &[StageEdit]) -> Result<()> {
    let name = required("name", name, PIPELINE_NAME_MAX)?;
    let edits = validate_stages(stages)?;

    // The pipeline's version guards the whole list, so it is bumped even when
    // only a stage changed.
    let n = ctx.sql().execute(
        "UPDATE pipelines SET name = ?3, version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![pipeline_id, version, name, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("pipeline", "pipelines", pipeline_id, n)?;

    let current = self::stages(ctx.sql(), pipeline_id)?;
    let mut audit_stages = Vec::new();
    for (pos, e) in edits.iter().enumerate() {
        let pos = pos as i32;
        let Some(id) = &e.id else {
            let id = insert_stage(ctx, pipeline_id, pos, e)?;
            ctx.audit(
                Entity::Stage,
                &id,
                "insert",
                serde_json::json!({ "pipeline_id": pipeline_id, "name": e.name, "kind": e.kind }),
            )?;
            audit_stages.push(serde_json::json!({ "id": id, "op": "insert", "name": e.name }));
            continue;
        };
        // An id from another pipeline, or one a colleague removed before our
        // version was read (removal bumps the pipeline, so that is a bad request).
        let Some(old) = current.iter().find(|s| &s.id == id) else {
            return Err(Error::invalid("stages", "unknown_stage"));
        };
        // Turning a column of open deals into "won" would close them without
        // a won date or a lost reason: move the deals first.
        if old.kind != e.kind && live_deals_in_stage(ctx, id)? > 0 {
            return Err(Error::invalid("stages", "kind_change_has_deals"));
        }
        let mut changes = serde_json::Map::new();
        let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
            if from != to {
                changes.insert(field.into(), serde_json::json!({ "from": from, "to": to }));
            }
        };
        note("name", old.name.clone().into(), e.name.clone().into());
        note("position", old.position.into(), pos.into());
        note("probability", old.probability.into(), e.probability.into());
        note("idle_days", old.idle_days.into(), e.idle_days.into());
        note("kind", old.kind.as_str().into(), e.kind.as_str().into());
        note("is_closing", old.is_closing.into(), e.is_closing.into());
        if changes.is_empty() {
            continue;
        }
        let n = ctx.sql().execute(
            "UPDATE stages SET name = ?3, position = ?4, probability = ?5, idle_days = ?6, kind = ?7,
                               is_closing = ?8, version = version + 1, updated_at = ?9, updated_by = ?10
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
            sql::params![
                id,
                old.version,
                e.name,
                pos,
                e.probability,
                e.idle_days,
                e.kind.as_str(),
                e.is_closing,
                ctx.now,
                ctx.user_id
            ],
        )?;
        ctx.expect_one("stage", "stages", id, n)?;
        let changes = serde_json::Value::Object(changes);
        ctx.audit(Entity::Stage, id, "update", changes.clone())?;
        ctx.changed(Entity::Stage, id, "update")?;
        audit_stages.push(serde_json::json!({ "id": id, "op": "update", "changes": changes }));
    }
    for old in current
        .iter()
        .filter(|s| !edits.iter().any(|e| e.id.as_deref() == Some(s.id.as_str())))
    {
        // Soft deletion would hide these deals from the board: the user
        // moves them to another stage first.
        if live_deals_in_stage(ctx, &old.id)? > 0 {
            return Err(Error::invalid("stages", "stage_has_deals"));
        }
        let n = ctx.sql().execute(
            "UPDATE stages SET deleted_at = ?3, version = version + 1, updated_at = ?3, updated_by = ?4
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
            sql::params![old.id, old.version, ctx.now, ctx.user_id],
        )?;
        ctx.expect_one("stage", "stages", &old.id, n)?;
        ctx.audit(
            Entity::Stage,
            &old.id,
            "delete",
            serde_json::json!({ "name": old.name }),
        )?;
        ctx.changed(Entity::Stage, &old.id, "delete")?;
        audit_stages.push(serde_json::json!({ "id": old.id, "op": "delete", "name": old.name }));
    }
    ctx.audit(
        Entity::Pipeline,
        pipeline_id,
        "update",
        serde_json::json!({ "name": name, "stages": audit_stages }),
    )?;
    ctx.changed(Entity::Pipeline, pipeline_id, "update")?;
    Ok(())
}

/// Soft-deletes an empty pipeline with its stages. The last pipeline stays:
/// the board always has one to show.
pub fn delete_pipeline(ctx: &WriteCtx, id: &str, version: i64) -> Result<()> {
    let found: Option<(i64, bool)> = ctx.sql().query_opt(
        "SELECT version, deleted_at IS NOT NULL FROM pipelines WHERE id = ?1",
        sql::params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match found {
        None | Some((_, true)) => {
            return Err(Error::NotFound {
                entity: "pipeline",
                id: id.to_string(),
            })
        }
        // Judge a stale request by the colleague's version, not by our checks.
        Some((v, false)) if v != version => return ctx.expect_one("pipeline", "pipelines", id, 0),
        Some(_) => {}
    }
    let deals: i64 = ctx.sql().query_one(
        "SELECT COUNT(*) FROM deals WHERE pipeline_id = ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| r.get(0),
    )?;
    if deals > 0 {
        return Err(Error::invalid("pipeline", "has_deals"));
    }
    let others: i64 = ctx.sql().query_one(
        "SELECT COUNT(*) FROM pipelines WHERE id <> ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| r.get(0),
    )?;
    if others == 0 {
        return Err(Error::invalid("pipeline", "last"));
    }
    let n = ctx.sql().execute(
        "UPDATE pipelines SET deleted_at = ?3, version = version + 1, updated_at = ?3, updated_by = ?4
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("pipeline", "pipelines", id, n)?;
    for s in stages(ctx.sql(), id)? {
        let n = ctx.sql().execute(
            "UPDATE stages SET deleted_at = ?3, version = version + 1, updated_at = ?3, updated_by = ?4
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
            sql::params![s.id, s.version, ctx.now, ctx.user_id],
        )?;
        ctx.expect_one("stage", "stages", &s.id, n)?;
        ctx.changed(Entity::Stage, &s.id, "delete")?;
    }
    ctx.audit(Entity::Pipeline, id, "delete", serde_json::json!({}))?;
    ctx.changed(Entity::Pipeline, id, "delete")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::team_db::TeamDb;
    use crate::testutil::{fixture, seed_pipeline};
    use crate::ErrorCode;

    fn edits(stages: &[Stage]) -> Vec<StageEdit> {
        stages
            .iter()
            .map(|s| StageEdit {
                id: Some(s.id.clone()),
                name: s.name.clone(),
                probability: s.probability,
                idle_days: s.idle_days,
                kind: s.kind,
                is_closing: s.is_closing,
            })
            .collect()
    }

    fn first(db: &TeamDb) -> Pipeline {
        list(db.sql()).unwrap()[0].clone()
    }

    fn save(db: &mut TeamDb, p: &Pipeline, name: &str, e: &[StageEdit]) -> Result<()> {
        db.write(|ctx| save_pipeline(ctx, &p.id, p.version, name, e))
    }

    fn invalid(r: Result<()>) -> (&'static str, &'static str) {
        match r.unwrap_err() {
            Error::Invalid { field, reason } => (field, reason),
            e => panic!("expected invalid, got {e:?}"),
        }
    }

    #[test]
    fn a_new_pipeline_gets_the_default_stages_after_the_others() {
        let mut f = fixture();
        let id = f.db.write(|ctx| create_pipeline(ctx, " 既存顧客 ")).unwrap();
        let all = list(f.db.sql()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[1].id.as_str(), all[1].name.as_str(), all[1].position),
            (id.as_str(), "既存顧客", 1)
        );
        assert_eq!(all[1].version, 1);
        let names: Vec<_> = stages(f.db.sql(), &id).unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            ["リード", "初回商談", "提案", "見積", "クロージング", "受注", "失注"]
        );
        let e = f.db.write(|ctx| create_pipeline(ctx, "  ")).unwrap_err();
        assert!(matches!(
            e,
            Error::Invalid {
                field: "name",
                reason: "required"
            }
        ));
    }

    #[test]
    fn a_team_database_is_created_in_its_creators_language() {
        use crate::team::settings::TeamSettings;
        // On a server, the first member to join begins the team.
        let created = |lang: Language| crate::testutil::fixture_in(lang);
        let names = |db: &TeamDb| -> (String, Vec<String>, Vec<String>) {
            let p = first(db);
            let stages = stages(db.sql(), &p.id).unwrap().into_iter().map(|s| s.name).collect();
            (p.name, stages, TeamSettings::load(db.sql()).unwrap().lost_reasons)
        };
        let mut en = created(Language::En);
        assert_eq!(
            names(&en.db),
            (
                "New business".to_string(),
                ["Lead", "First meeting", "Proposal", "Quote", "Closing", "Won", "Lost"]
                    .map(String::from)
                    .to_vec(),
                [
                    "Price",
                    "Missing features",
                    "Timing",
                    "Chose a competitor",
                    "Budget frozen",
                    "Lost contact"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        let ja = created(Language::Ja);
        let (pipeline, stage_names, reasons) = names(&ja.db);
        assert_eq!(pipeline, "新規営業");
        assert_eq!(stage_names[..2], ["リード", "初回商談"]);
        assert_eq!(reasons[0], "価格");
        // A pipeline added later takes the language of whoever adds it.
        en.db.set_language(Language::Ja);
        let added = en.db.write(|ctx| create_pipeline(ctx, "既存顧客")).unwrap();
        assert_eq!(stages(en.db.sql(), &added).unwrap()[0].name, "リード");
    }

    #[test]
    fn save_renames_reorders_edits_adds_and_removes_stages() {
        let mut f = fixture();
        let p = first(&f.db);
        let old = stages(f.db.sql(), &p.id).unwrap();
        let mut e = edits(&old);
        e.swap(0, 1); // 初回商談 before リード
        e[2].probability = 45;
        e[2].name = " 提案書 ".into();
        let removed = e.remove(3); // 見積, empty
        e.insert(
            3,
            StageEdit {
                id: None,
                name: "デモ".into(),
                probability: 50,
                idle_days: 5,
                kind: StageKind::Open,
                is_closing: false,
            },
        );
        save(&mut f.db, &p, "法人営業", &e).unwrap();
        let p2 = first(&f.db);
        assert_eq!((p2.name.as_str(), p2.version), ("法人営業", 2));
        let now = stages(f.db.sql(), &p.id).unwrap();
        let names: Vec<_> = now.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["初回商談", "リード", "提案書", "デモ", "クロージング", "受注", "失注"]
        );
        assert_eq!(now[2].probability, 45);
        assert_eq!(now[2].id, old[2].id, "stages keep their ids");
        assert_eq!(now[2].version, 2);
        assert_eq!(now[6].version, 1, "an unchanged stage is not rewritten");
        let (gone, deleted) = stage(f.db.sql(), &removed.id.unwrap()).unwrap().unwrap();
        assert!(deleted, "{} soft-deleted", gone.name);

        // A second admin still holding version 1 conflicts.
        let e = save(&mut f.db, &p, "別名", &edits(&now)).unwrap_err();
        assert!(matches!(e, Error::Conflict { current_version: 2, .. }), "{e:?}");
        // Saving with only a stage change still bumps the pipeline.
        let mut e = edits(&now);
        e[0].idle_days = 3;
        save(&mut f.db, &p2, &p2.name, &e).unwrap();
        assert_eq!(first(&f.db).version, 3);
    }

    #[test]
    fn save_validates_the_stage_list_and_writes_nothing_when_refused() {
        let mut f = fixture();
        let p = first(&f.db);
        let base = edits(&stages(f.db.sql(), &p.id).unwrap());
        let with = |change: &dyn Fn(&mut Vec<StageEdit>)| {
            let mut e = base.clone();
            change(&mut e);
            e
        };
        let cases: Vec<(String, Vec<StageEdit>, (&str, &str))> = vec![
            (" ".into(), base.clone(), ("name", "required")),
            (
                "p".into(),
                with(&|e| e[0].name = " ".into()),
                ("stage_name", "required"),
            ),
            (
                "p".into(),
                with(&|e| e[1].name = "リード".into()),
                ("stage_name", "duplicate"),
            ),
            ("p".into(), with(&|e| e[0].probability = 101), ("probability", "range")),
            ("p".into(), with(&|e| e[0].probability = -1), ("probability", "range")),
            ("p".into(), with(&|e| e[0].idle_days = 366), ("idle_days", "range")),
            ("p".into(), with(&|e| e[0].idle_days = -1), ("idle_days", "range")),
            (
                "p".into(),
                with(&|e| e[5].is_closing = true),
                ("is_closing", "open_only"),
            ),
            ("p".into(), with(&|e| e.truncate(5)), ("stages", "won_lost_required")),
            (
                "p".into(),
                with(&|e| e[6].kind = StageKind::Won),
                ("stages", "won_lost_required"),
            ),
            (
                "p".into(),
                with(&|e| e.drain(0..5).for_each(drop)),
                ("stages", "no_open_stage"),
            ),
            (
                "p".into(),
                with(&|e| e[1].id = e[0].id.clone()),
                ("stages", "duplicate_id"),
            ),
            (
                "p".into(),
                with(&|e| e[1].id = Some("nope".into())),
                ("stages", "unknown_stage"),
            ),
        ];
        for (name, e, expected) in cases {
            assert_eq!(invalid(save(&mut f.db, &p, &name, &e)), expected);
        }
        // A valid list with 0 and 100 and 365 at the edges passes.
        let ok = with(&|e| {
            e[0].probability = 0;
            e[1].probability = 100;
            e[2].idle_days = 365;
            e[3].idle_days = 0;
        });
        assert_eq!(first(&f.db).version, 1, "refused saves wrote nothing");
        save(&mut f.db, &p, "p", &ok).unwrap();
    }

    #[test]
    fn a_stage_with_deals_is_neither_removed_nor_turned_into_another_kind() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        let p = first(&f.db);
        let base = edits(&s.stages);
        let mut e = base.clone();
        e.remove(3);
        assert_eq!(invalid(save(&mut f.db, &p, &p.name, &e)), ("stages", "stage_has_deals"));
        let mut e = base.clone();
        e[3].kind = StageKind::Won;
        e[5].kind = StageKind::Open;
        assert_eq!(
            invalid(save(&mut f.db, &p, &p.name, &e)),
            ("stages", "kind_change_has_deals")
        );
        assert_eq!(stages(f.db.sql(), &p.id).unwrap().len(), 7);
        // Once the deal is gone the stage can go.
        f.db.write(|ctx| {
            ctx.sql()
                .execute("UPDATE deals SET deleted_at = ?1", sql::params![&ctx.now])?;
            Ok(())
        })
        .unwrap();
        let mut e = base;
        e.remove(3);
        save(&mut f.db, &p, &p.name, &e).unwrap();
        assert_eq!(stages(f.db.sql(), &p.id).unwrap().len(), 6);
    }

    #[test]
    fn delete_pipeline_refuses_deals_and_the_last_one() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let p = first(&f.db);
        let e = f.db.write(|ctx| delete_pipeline(ctx, &p.id, p.version)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "pipeline",
                    reason: "last"
                }
            ),
            "{e:?}"
        );
        let other = f.db.write(|ctx| create_pipeline(ctx, "既存顧客")).unwrap();
        s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let e = f.db.write(|ctx| delete_pipeline(ctx, &p.id, p.version)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "pipeline",
                    reason: "has_deals"
                }
            ),
            "{e:?}"
        );
        let e = f.db.write(|ctx| delete_pipeline(ctx, &other, 7)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        f.db.write(|ctx| delete_pipeline(ctx, &other, 1)).unwrap();
        assert_eq!(list(f.db.sql()).unwrap().len(), 1);
        assert!(stages(f.db.sql(), &other).unwrap().is_empty());
        let e = f.db.write(|ctx| delete_pipeline(ctx, &other, 2)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
    }

    #[test]
    fn an_unknown_stage_kind_is_an_error_naming_the_stage() {
        let mut f = crate::testutil::fixture();
        let s = crate::testutil::seed_pipeline(&mut f.db);
        let id = s.stages[0].id.clone();
        crate::testutil::store_unknown(&f, &format!("UPDATE stages SET kind = 'paused' WHERE id = '{id}'"));
        crate::testutil::assert_unknown(stages(f.db.sql(), &s.pipeline_id), "stages", &id, "paused");
    }
}
