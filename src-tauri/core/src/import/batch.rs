//! The import batch: the plan written in short transactions, each its own
//! `Db::write` of a few hundred rows, so a colleague's save waits at most
//! one of them (well under a second) however long the file is; progress
//! after each, a cancel between them. Every row the batch adds or changes
//! is listed in `import_batch_rows` with the version it left it at, which
//! is what makes [`undo`] exact.

use super::mapping::{self, ImportField, ImportKind};
use super::plan::{self, CompanyRef, ImportRowAction, OnMatch, PlannedRow, Record};
use super::preview::{self, ImportCounts};
use super::source::{ReadOptions, Sheet};
use crate::contracts::contract::{self, Billing, NewContract};
use crate::customers::company::{self, CompanyEdit, NewCompany};
use crate::customers::contact::{self, ContactEdit, NewContact};
use crate::error::{Error, ErrorCode, ImportProblem, Result};
use crate::id::new_id;
use crate::pipeline::deal::{self, NewDeal};
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::{Saves, Store, WriteCtx};
use crate::timeline::activity::{self, NewActivity};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use ts_rs::TS;

/// Rows per transaction at the start; adjusted so each takes about
/// [`TARGET_WRITE`]: a share is slower than a local disk.
const FIRST_CHUNK: usize = 200;
const MIN_CHUNK: usize = 20;
const MAX_CHUNK: usize = 1000;
const TARGET_WRITE: Duration = Duration::from_millis(250);

/// What the user accepted after the dry run.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequest {
    pub kind: ImportKind,
    #[serde(default)]
    pub read: ReadOptions,
    pub header_row: u32,
    pub columns: Vec<Option<ImportField>>,
    #[serde(default)]
    pub on_match: OnMatch,
    /// Keep this mapping for the file's layout.
    #[serde(default)]
    pub save_mapping: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportBatchStatus {
    Running,
    Done,
    Cancelled,
    Undone,
}

impl ImportBatchStatus {
    fn as_str(self) -> &'static str {
        match self {
            ImportBatchStatus::Running => "running",
            ImportBatchStatus::Done => "done",
            ImportBatchStatus::Cancelled => "cancelled",
            ImportBatchStatus::Undone => "undone",
        }
    }
    fn parse(s: &str) -> Option<ImportBatchStatus> {
        match s {
            "running" => Some(ImportBatchStatus::Running),
            "done" => Some(ImportBatchStatus::Done),
            "cancelled" => Some(ImportBatchStatus::Cancelled),
            "undone" => Some(ImportBatchStatus::Undone),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    pub rows_per_second: f64,
    /// None until the first rows are written.
    pub seconds_left: Option<f64>,
}

/// A row that was planned but could not be written (a colleague changed
/// the matched record meanwhile, a value too long for its field).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportRowFailure {
    pub line: u32,
    pub code: ErrorCode,
    pub field: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportReport {
    pub batch_id: String,
    pub status: ImportBatchStatus,
    /// The plan the batch followed.
    pub planned: ImportCounts,
    pub added: u32,
    pub updated: u32,
    /// Rows not written: matches skipped, duplicates in the file, rows
    /// with problems, and (after a cancel) the rows not reached.
    pub skipped: u32,
    pub failed: Vec<ImportRowFailure>,
    /// Companies added along with the contacts or deals that name them.
    pub companies_added: u32,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    pub rows_per_second: f64,
    /// The longest single save (waiting for colleagues included).
    #[ts(type = "number")]
    pub longest_write_ms: u64,
}

/// How a batch the window started ended: its report, or the error that
/// stopped it (what it wrote before stays, as a batch that can be undone).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportFinished {
    pub report: Option<ImportReport>,
    pub error: Option<crate::error::ErrorPayload>,
}

/// Imports `sheet` as `req` says, as one batch. `progress` hears after
/// every transaction; setting `cancel` stops before the next one (what was
/// written stays, as a batch that can be undone).
pub fn run(
    db: &mut dyn Store,
    file_name: &str,
    sheet: &Sheet,
    req: &ImportRequest,
    progress: &mut dyn FnMut(&ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let started = Instant::now();
    let (header_row, headers) = preview::header_of(sheet, req.kind, Some(req.header_row))?;
    let planned = plan::plan(
        db.sql(),
        db.clock().offset(),
        req.kind,
        &sheet.rows,
        header_row,
        &req.columns,
        req.on_match,
    )?;
    if planned.is_empty() {
        return Err(Error::Import(ImportProblem::Empty));
    }
    let counts = ImportCounts::of(&planned);
    let to_write: Vec<&PlannedRow> = planned
        .iter()
        .filter(|p| matches!(p.action, ImportRowAction::New | ImportRowAction::Update))
        .collect();
    let batch_id = new_id();
    let layout_key = mapping::layout_key(&headers);
    db.save(|ctx| {
        ctx.sql().execute(
            "INSERT INTO import_batches (id, kind, file_name, layout_key, status, rows_total, started_at, created_by,
                                         updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?6, ?7)",
            sql::params![
                batch_id,
                req.kind.as_str(),
                file_name,
                layout_key,
                counts.total,
                ctx.now,
                ctx.user_id
            ],
        )?;
        if req.save_mapping {
            mapping::save(ctx, &layout_key, req.kind, &req.columns)?;
        }
        ctx.audit(
            Entity::ImportBatch,
            &batch_id,
            "start",
            json!({ "kind": req.kind.as_str(), "file": file_name }),
        )?;
        ctx.changed(Entity::ImportBatch, &batch_id, "insert")
    })?;

    let mut new_companies: HashMap<String, String> = HashMap::new();
    let (mut added, mut updated, mut companies_added) = (0u32, 0u32, 0u32);
    let mut failed = Vec::new();
    let mut longest = Duration::ZERO;
    let mut chunk = FIRST_CHUNK;
    let mut next = 0;
    let total = to_write.len() as u32;
    let mut status = ImportBatchStatus::Done;
    while next < to_write.len() {
        if cancel.load(Ordering::Relaxed) {
            status = ImportBatchStatus::Cancelled;
            break;
        }
        let rows = &to_write[next..(next + chunk).min(to_write.len())];
        let write_started = Instant::now();
        let out = db.save(|ctx| write_chunk(ctx, &batch_id, req.kind, rows, &new_companies))?;
        let took = write_started.elapsed();
        longest = longest.max(took);
        chunk = if took > TARGET_WRITE * 2 {
            (chunk / 2).max(MIN_CHUNK)
        } else if took < TARGET_WRITE / 2 {
            (chunk * 2).min(MAX_CHUNK)
        } else {
            chunk
        };
        next += rows.len();
        added += out.added;
        updated += out.updated;
        companies_added += out.companies.len() as u32;
        new_companies.extend(out.companies);
        failed.extend(out.failed);
        progress(&progress_at(next as u32, total, started.elapsed()));
    }
    let written = added + updated;
    let skipped = counts.total - written - failed.len() as u32;
    db.save(|ctx| {
        ctx.sql().execute(
            "UPDATE import_batches SET status = ?2, added = ?3, updated = ?4, skipped = ?5, failed = ?6,
                    finished_at = ?7, version = version + 1, updated_at = ?7, updated_by = ?8
             WHERE id = ?1",
            sql::params![
                batch_id,
                status.as_str(),
                added,
                updated,
                skipped,
                failed.len() as u32,
                ctx.now,
                ctx.user_id
            ],
        )?;
        ctx.audit(
            Entity::ImportBatch,
            &batch_id,
            "finish",
            json!({ "status": status.as_str(), "added": added, "updated": updated, "failed": failed.len() }),
        )?;
        ctx.changed(Entity::ImportBatch, &batch_id, "update")
    })?;
    let elapsed = started.elapsed();
    Ok(ImportReport {
        batch_id,
        status,
        planned: counts,
        added,
        updated,
        skipped,
        failed,
        companies_added,
        elapsed_ms: elapsed.as_millis() as u64,
        rows_per_second: per_second(written, elapsed),
        longest_write_ms: longest.as_millis() as u64,
    })
}

fn per_second(rows: u32, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 {
        f64::from(rows) / s
    } else {
        0.0
    }
}

fn progress_at(done: u32, total: u32, elapsed: Duration) -> ImportProgress {
    let rate = per_second(done, elapsed);
    ImportProgress {
        done,
        total,
        elapsed_ms: elapsed.as_millis() as u64,
        rows_per_second: rate,
        seconds_left: (rate > 0.0).then(|| f64::from(total - done) / rate),
    }
}

#[derive(Default)]
struct ChunkOutcome {
    added: u32,
    updated: u32,
    /// Company key → id of the companies this chunk added.
    companies: HashMap<String, String>,
    failed: Vec<ImportRowFailure>,
}

/// A row-level refusal (the row is reported and the batch goes on); any
/// other error (the share went away) ends the batch.
fn row_level(e: &Error) -> bool {
    matches!(e.code(), ErrorCode::Invalid | ErrorCode::Conflict | ErrorCode::NotFound)
}

fn write_chunk(
    ctx: &WriteCtx,
    batch_id: &str,
    kind: ImportKind,
    rows: &[&PlannedRow],
    earlier: &HashMap<String, String>,
) -> Result<ChunkOutcome> {
    let mut out = ChunkOutcome::default();
    for p in rows {
        // A savepoint per row: a refused row leaves nothing half written.
        // Both stores spell savepoints alike, one statement at a time; on
        // the server the rollback also makes the save usable after an error.
        ctx.sql().execute("SAVEPOINT import_row", &[])?;
        match write_row(ctx, batch_id, kind, p, earlier, &mut out) {
            Ok(()) => {
                ctx.sql().execute("RELEASE SAVEPOINT import_row", &[])?;
            }
            Err(e) if row_level(&e) => {
                ctx.sql().execute("ROLLBACK TO SAVEPOINT import_row", &[])?;
                ctx.sql().execute("RELEASE SAVEPOINT import_row", &[])?;
                let payload = e.payload();
                out.failed.push(ImportRowFailure {
                    line: p.line,
                    code: payload.code,
                    field: payload.field,
                    reason: payload.reason,
                });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn remember(
    ctx: &WriteCtx,
    batch_id: &str,
    entity: Entity,
    id: &str,
    action: &str,
    version: i64,
    before: Option<String>,
) -> Result<()> {
    ctx.sql().execute(
        "INSERT INTO import_batch_rows (batch_id, entity, row_id, action, version, before) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", sql::params![batch_id, entity.as_str(), id, action, version, before])?;
    Ok(())
}

/// The company a contact or deal belongs to: found, added by an earlier
/// row of this import, or added now (with what a business card says of it).
fn company_for(
    ctx: &WriteCtx,
    batch_id: &str,
    p: &PlannedRow,
    earlier: &HashMap<String, String>,
    out: &mut ChunkOutcome,
) -> Result<String> {
    match &p.company {
        Some(CompanyRef::Existing(id)) => Ok(id.clone()),
        Some(CompanyRef::New(key)) => {
            if let Some(id) = out.companies.get(key).or_else(|| earlier.get(key)) {
                return Ok(id.clone());
            }
            let r = &p.record;
            let id = company::create(
                ctx,
                &NewCompany {
                    name: r.company_name.clone(),
                    address: r.address.clone(),
                    website: r.website.clone(),
                    ..NewCompany::default()
                },
            )?;
            remember(ctx, batch_id, Entity::Company, &id, "insert", 1, None)?;
            out.companies.insert(key.clone(), id.clone());
            Ok(id)
        }
        None => Err(Error::invalid("company", "required")),
    }
}

fn or_keep(new: &str, old: &str) -> String {
    if new.is_empty() {
        old.to_string()
    } else {
        new.to_string()
    }
}

fn as_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

fn write_row(
    ctx: &WriteCtx,
    batch_id: &str,
    kind: ImportKind,
    p: &PlannedRow,
    earlier: &HashMap<String, String>,
    out: &mut ChunkOutcome,
) -> Result<()> {
    let r: &Record = &p.record;
    match (kind, p.action, &p.existing) {
        (ImportKind::Companies, ImportRowAction::New, _) => {
            let id = company::create(
                ctx,
                &NewCompany {
                    name: r.company_name.clone(),
                    name_kana: r.company_kana.clone(),
                    industry: r.industry.clone(),
                    segment: None,
                    owner_id: r.owner_id.clone(),
                    address: r.address.clone(),
                    phone: r.phone.clone(),
                    website: r.website.clone(),
                    tags: Vec::new(),
                },
            )?;
            remember(ctx, batch_id, Entity::Company, &id, "insert", 1, None)?;
            out.added += 1;
        }
        (ImportKind::Companies, ImportRowAction::Update, Some((id, version))) => {
            let old = company::get(ctx.sql(), id)?;
            let before = CompanyEdit {
                name: old.name.clone(),
                name_kana: old.name_kana.clone(),
                industry: old.industry.clone(),
                segment: old.segment,
                owner_id: old.owner_id.clone(),
                address: old.address.clone(),
                phone: old.phone.clone(),
                website: old.website.clone(),
                tags: old.tags.clone(),
            };
            let edit = CompanyEdit {
                // The name stays as the team wrote it: the file's only matched it.
                name: old.name.clone(),
                name_kana: or_keep(&r.company_kana, &old.name_kana),
                industry: or_keep(&r.industry, &old.industry),
                owner_id: r.owner_id.clone().or(old.owner_id.clone()),
                address: or_keep(&r.address, &old.address),
                phone: or_keep(&r.phone, &old.phone),
                website: or_keep(&r.website, &old.website),
                ..before.clone()
            };
            let v = company::update(ctx, id, *version, &edit)?;
            if v != *version {
                remember(ctx, batch_id, Entity::Company, id, "update", v, Some(as_json(&before)?))?;
                out.updated += 1;
            }
        }
        (ImportKind::Contacts, ImportRowAction::New, _) => {
            let company_id = company_for(ctx, batch_id, p, earlier, out)?;
            let id = contact::create_contact(
                ctx,
                &NewContact {
                    company_id,
                    name: r.contact_name.clone(),
                    name_kana: r.contact_kana.clone(),
                    title: r.title.clone(),
                    email: r.email.clone(),
                    phone: r.phone.clone(),
                },
            )?;
            remember(ctx, batch_id, Entity::Contact, &id, "insert", 1, None)?;
            out.added += 1;
        }
        (ImportKind::Contacts, ImportRowAction::Update, Some((id, version))) => {
            let old = contact::contact(ctx.sql(), id)?;
            let before = ContactEdit {
                name: old.name.clone(),
                name_kana: old.name_kana.clone(),
                title: old.title.clone(),
                email: old.email.clone(),
                phone: old.phone.clone(),
            };
            let edit = ContactEdit {
                name: old.name.clone(),
                name_kana: or_keep(&r.contact_kana, &old.name_kana),
                title: or_keep(&r.title, &old.title),
                email: or_keep(&r.email, &old.email),
                phone: or_keep(&r.phone, &old.phone),
            };
            let v = contact::update_contact(ctx, id, *version, &edit)?;
            if v != *version {
                remember(ctx, batch_id, Entity::Contact, id, "update", v, Some(as_json(&before)?))?;
                out.updated += 1;
            }
        }
        (ImportKind::Deals, ImportRowAction::New, _) => {
            let company_id = company_for(ctx, batch_id, p, earlier, out)?;
            let id = deal::create(
                ctx,
                &NewDeal {
                    pipeline_id: r.pipeline_id.clone(),
                    stage_id: r.stage_id.clone(),
                    company_id,
                    contact_id: None,
                    title: r.deal_title.clone(),
                    amount: r.amount,
                    currency: String::new(),
                    owner_id: r.owner_id.clone(),
                    expected_close: r.expected_close,
                    decision_deadline: None,
                    notes: r.notes.clone(),
                },
            )?;
            remember(ctx, batch_id, Entity::Deal, &id, "insert", 1, None)?;
            out.added += 1;
        }
        (ImportKind::Touches, ImportRowAction::New, _) => {
            let (Some(CompanyRef::Existing(company_id)), Some(kind), Some(day)) =
                (&p.company, r.touch_kind, r.occurred_on)
            else {
                return Err(Error::Internal(format!("row {} planned without its touch", p.line)));
            };
            let id = activity::log(
                ctx,
                &NewActivity {
                    company_id: company_id.clone(),
                    contact_ids: r.contact_id.iter().cloned().collect(),
                    deal_id: None,
                    kind,
                    direction: None,
                    // A sheet gives the day, not the hour: the morning of it,
                    // as the team's reminders are.
                    occurred_at: crate::pipeline::deal::reminder_at(day, ctx.clock.offset()).min(ctx.now.clone()),
                    summary: r.summary.clone(),
                    body: r.body.clone(),
                    minutes: String::new(),
                    next_todos: String::new(),
                    next_appointment_at: None,
                    signals: Vec::new(),
                },
            )?;
            remember(ctx, batch_id, Entity::Activity, &id, "insert", 1, None)?;
            out.added += 1;
        }
        (ImportKind::Contracts, ImportRowAction::New, _) => {
            let (Some(CompanyRef::Existing(company_id)), Some(start_date), Some(end_date)) =
                (&p.company, r.start_date, r.end_date)
            else {
                return Err(Error::Internal(format!("row {} planned without its period", p.line)));
            };
            // The timeline entries the create adds are the batch's too: those
            // this save notes after the mark.
            let mark = ctx.noted();
            let id = contract::create(
                ctx,
                &NewContract {
                    company_id: company_id.clone(),
                    deal_id: None,
                    plan: r.plan.clone(),
                    start_date,
                    end_date,
                    // What the contract dialog starts from.
                    auto_renew: true,
                    amount: r.amount,
                    currency: String::new(),
                    billing: Billing::Monthly,
                    notice_days: 30,
                    owner_id: r.owner_id.clone(),
                    hearing_days: None,
                    proposal_days: None,
                },
            )?;
            remember(ctx, batch_id, Entity::Contract, &id, "insert", 1, None)?;
            let entries = ctx.added_since(mark, Entity::Activity);
            // Tied to their contract (in `before`): undo keeps them while it stays.
            for entry in entries {
                remember(ctx, batch_id, Entity::Activity, &entry, "insert", 1, Some(id.clone()))?;
            }
            out.added += 1;
        }
        _ => return Err(Error::Internal(format!("row {} planned as {:?}", p.line, p.action))),
    }
    Ok(())
}

// ------------------------------------------------------------------ undo

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportRefusalReason {
    /// A colleague edited the row after the import (its version moved).
    ChangedSince,
    /// A company that now has contacts or deals (added since, or kept
    /// because they were changed): removing it would leave them orphans.
    HasRecords,
}

/// A row undo left in place, and why.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportUndoRefusal {
    pub entity: Entity,
    pub id: String,
    /// The company's, contact's or deal's name as it is now.
    pub name: String,
    pub reason: ImportRefusalReason,
    /// Who changed it last, and when (for `changed_since`).
    pub by: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct ImportUndoReport {
    pub removed: u32,
    pub restored: u32,
    /// Already deleted by someone: nothing to undo.
    pub gone: u32,
    pub refused: Vec<ImportUndoRefusal>,
}

struct BatchRow {
    entity: Entity,
    id: String,
    action: String,
    version: i64,
    before: Option<String>,
}

fn table_of(entity: Entity) -> Result<(&'static str, &'static str)> {
    match entity {
        Entity::Company => Ok(("companies", "name")),
        Entity::Contact => Ok(("contacts", "name")),
        Entity::Deal => Ok(("deals", "title")),
        Entity::Activity => Ok(("activities", "summary")),
        Entity::Contract => Ok(("contracts", "plan")),
        other => Err(Error::Internal(format!("an import does not write {}", other.as_str()))),
    }
}

/// Takes back one import: what it added is removed (soft, like every
/// delete), what it changed is put back — unless a colleague changed the
/// row since, which is left as it is and named in the report. Timeline
/// entries, contracts and deals go first, then contacts, then companies,
/// each in short transactions.
pub fn undo(db: &mut dyn Store, batch_id: &str) -> Result<ImportUndoReport> {
    let status: Option<String> = db.sql().query_opt(
        "SELECT status FROM import_batches WHERE id = ?1",
        sql::params![batch_id],
        |r| r.get(0),
    )?;
    match status.as_deref().and_then(ImportBatchStatus::parse) {
        None => {
            return Err(Error::NotFound {
                entity: "import_batch",
                id: batch_id.to_string(),
            })
        }
        Some(ImportBatchStatus::Done | ImportBatchStatus::Cancelled) => {}
        Some(_) => return Err(Error::Import(ImportProblem::BatchClosed)),
    }
    let rows: Vec<BatchRow> = db.sql().query(
        "SELECT entity, row_id, action, version, before FROM import_batch_rows WHERE batch_id = ?1
         ORDER BY CASE entity WHEN 'company' THEN 3 WHEN 'contact' THEN 2 WHEN 'activity' THEN 1 ELSE 0 END, row_id",
        sql::params![batch_id],
        |r| {
            let entity: String = r.get(0)?;
            Ok(BatchRow {
                entity: crate::error::known("import_batch_rows", batch_id, &entity, Entity::parse)?,
                id: r.get(1)?,
                action: r.get(2)?,
                version: r.get(3)?,
                before: r.get(4)?,
            })
        },
    )?;
    let mut report = ImportUndoReport::default();
    for chunk in rows.chunks(FIRST_CHUNK) {
        let part = db.save(|ctx| {
            let mut part = ImportUndoReport::default();
            for row in chunk {
                undo_row(ctx, row, &mut part)?;
            }
            Ok(part)
        })?;
        report.removed += part.removed;
        report.restored += part.restored;
        report.gone += part.gone;
        report.refused.extend(part.refused);
    }
    db.save(|ctx| {
        ctx.sql().execute(
            "UPDATE import_batches SET status = 'undone', undone_at = ?2, version = version + 1, updated_at = ?2,
                    updated_by = ?3
             WHERE id = ?1",
            sql::params![batch_id, ctx.now, ctx.user_id],
        )?;
        ctx.audit(
            Entity::ImportBatch,
            batch_id,
            "undo",
            json!({ "removed": report.removed, "restored": report.restored, "refused": report.refused.len() }),
        )?;
        ctx.changed(Entity::ImportBatch, batch_id, "update")
    })?;
    Ok(report)
}

/// A batch row as it is now in its table.
struct Current {
    version: i64,
    deleted: bool,
    name: String,
    /// Who changed it last, and when.
    by: Option<String>,
    at: String,
}

fn undo_row(ctx: &WriteCtx, row: &BatchRow, part: &mut ImportUndoReport) -> Result<()> {
    let (table, name_column) = table_of(row.entity)?;
    let now: Option<Current> = ctx.sql().query_opt(
        &format!(
            "SELECT t.version, t.deleted_at, t.{name_column}, u.display_name, t.updated_at
                   FROM {table} t LEFT JOIN users u ON u.id = t.updated_by WHERE t.id = ?1"
        ),
        sql::params![&row.id],
        |r| {
            Ok(Current {
                version: r.get(0)?,
                deleted: r.get::<Option<String>>(1)?.is_some(),
                name: r.get(2)?,
                by: r.get(3)?,
                at: r.get(4)?,
            })
        },
    )?;
    let Some(Current {
        version,
        deleted,
        name,
        by,
        at,
    }) = now
    else {
        part.gone += 1;
        return Ok(());
    };
    if deleted {
        part.gone += 1;
        return Ok(());
    }
    let refuse = |reason, by: Option<String>, at: Option<String>| ImportUndoRefusal {
        entity: row.entity,
        id: row.id.clone(),
        name: name.clone(),
        reason,
        by,
        at,
    };
    if version != row.version {
        part.refused
            .push(refuse(ImportRefusalReason::ChangedSince, by, Some(at)));
        return Ok(());
    }
    if row.action == "update" {
        let before = row.before.as_deref().unwrap_or("null");
        let bad = |e: serde_json::Error| Error::Internal(e.to_string());
        match row.entity {
            Entity::Company => {
                company::update(
                    ctx,
                    &row.id,
                    version,
                    &serde_json::from_str::<CompanyEdit>(before).map_err(bad)?,
                )?;
            }
            Entity::Contact => {
                contact::update_contact(
                    ctx,
                    &row.id,
                    version,
                    &serde_json::from_str::<ContactEdit>(before).map_err(bad)?,
                )?;
            }
            _ => return Err(Error::Internal("an import updates only companies and contacts".into())),
        }
        part.restored += 1;
        return Ok(());
    }
    if let (Entity::Activity, Some(contract_id)) = (row.entity, &row.before) {
        let kept: bool = ctx.sql().query_one(
            "SELECT EXISTS (SELECT 1 FROM contracts WHERE id = ?1 AND deleted_at IS NULL)",
            sql::params![contract_id],
            |r| r.get(0),
        )?;
        if kept {
            // The contract it records was refused (and named) just before.
            return Ok(());
        }
    }
    if row.entity == Entity::Company {
        let records: i64 = ctx.sql().query_one(
            // Anything that names the company and is still there — the
            // batch's own rows were undone before companies — is a colleague's
            // work since: a touch, a follow-up, a case or a lead would be left
            // on a removed customer.
            "SELECT (SELECT COUNT(*) FROM contacts WHERE company_id = ?1 AND deleted_at IS NULL)
                  + (SELECT COUNT(*) FROM deals WHERE company_id = ?1 AND deleted_at IS NULL)
                  + (SELECT COUNT(*) FROM contracts WHERE company_id = ?1 AND deleted_at IS NULL)
                  + (SELECT COUNT(*) FROM activities WHERE company_id = ?1 AND deleted_at IS NULL)
                  + (SELECT COUNT(*) FROM follow_ups WHERE company_id = ?1 AND deleted_at IS NULL AND status = 'open')
                  + (SELECT COUNT(*) FROM support_cases WHERE company_id = ?1 AND deleted_at IS NULL)
                  + (SELECT COUNT(*) FROM leads WHERE company_id = ?1 AND deleted_at IS NULL)",
            sql::params![&row.id],
            |r| r.get(0),
        )?;
        if records > 0 {
            part.refused.push(refuse(ImportRefusalReason::HasRecords, None, None));
            return Ok(());
        }
    }
    let n = ctx.sql().execute(
        &format!(
            "UPDATE {table} SET deleted_at = ?3, version = version + 1, updated_at = ?3, updated_by = ?4
              WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL"
        ),
        sql::params![row.id, version, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one(row.entity.as_str(), table, &row.id, n)?;
    ctx.audit(row.entity, &row.id, "delete", json!({ "undo_import": true }))?;
    ctx.changed(row.entity, &row.id, "delete")?;
    match row.entity {
        Entity::Contract => remove_renewal_work(ctx, &row.id)?,
        // The company's last contact falls back to the touches that remain.
        Entity::Activity => {
            let company: String = ctx.sql().query_one(
                "SELECT company_id FROM activities WHERE id = ?1",
                sql::params![&row.id],
                |r| r.get(0),
            )?;
            activity::recompute_last_contact(ctx, &company)?;
        }
        _ => {}
    }
    part.removed += 1;
    Ok(())
}

/// The renewal follow-ups an imported contract planned go with it (its
/// version did not move, so no step of them was taken).
fn remove_renewal_work(ctx: &WriteCtx, contract_id: &str) -> Result<()> {
    let planned: Vec<String> = ctx.sql().query(
        "SELECT id FROM follow_ups WHERE contract_id = ?1 AND status = 'open' AND deleted_at IS NULL",
        sql::params![contract_id],
        |r| r.get(0),
    )?;
    for id in planned {
        ctx.sql().execute(
            "UPDATE follow_ups SET deleted_at = ?2, version = version + 1, updated_at = ?2, updated_by = ?3
              WHERE id = ?1",
            sql::params![id, ctx.now, ctx.user_id],
        )?;
        ctx.audit(Entity::FollowUp, &id, "delete", json!({ "undo_import": true }))?;
        ctx.changed(Entity::FollowUp, &id, "delete")?;
    }
    Ok(())
}

// ------------------------------------------------------------------ list

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportBatchItem {
    pub id: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub status: ImportBatchStatus,
    pub rows_total: u32,
    pub added: u32,
    pub updated: u32,
    pub skipped: u32,
    pub failed: u32,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub undone_at: Option<String>,
    pub created_by_name: Option<String>,
}

/// The latest imports, newest first.
pub fn list<'c>(conn: impl Into<Sql<'c>>) -> Result<Vec<ImportBatchItem>> {
    conn.into().query(
        "SELECT b.id, b.kind, b.file_name, b.status, b.rows_total, b.added, b.updated, b.skipped, b.failed,
                b.started_at, b.finished_at, b.undone_at, u.display_name
           FROM import_batches b LEFT JOIN users u ON u.id = b.created_by
          ORDER BY b.started_at DESC, b.id DESC LIMIT 50",
        &[],
        |r| {
            let id: String = r.get(0)?;
            Ok(ImportBatchItem {
                kind: crate::error::known("import_batches", &id, &r.get::<String>(1)?, ImportKind::parse)?,
                status: crate::error::known("import_batches", &id, &r.get::<String>(3)?, ImportBatchStatus::parse)?,
                id,
                file_name: r.get(2)?,
                rows_total: r.get(4)?,
                added: r.get(5)?,
                updated: r.get(6)?,
                skipped: r.get(7)?,
                failed: r.get(8)?,
                started_at: r.get(9)?,
                finished_at: r.get(10)?,
                undone_at: r.get(11)?,
                created_by_name: r.get(12)?,
            })
        },
    )
}
