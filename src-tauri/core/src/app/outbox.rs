//! Work kept on this computer while the team file cannot be reached.
//!
//! The outbox is a small SQLite file on the user's own disk. A piece of work
//! ([`Op`]) gets an id when the user saves it; if the share does not answer,
//! it waits here in order. When the share answers again, [`Outbox::drain`]
//! applies it oldest first, each in its own short transaction, under the
//! same version rules as any save: an edit based on a version a colleague
//! has since changed becomes a *conflict* entry that stays (with the
//! colleague's row) until the user decides — never dropped, never forced.
//!
//! Applying records the op's id in the team file's `applied_ops` in the same
//! transaction ([`apply_once`]); a save that timed out on a hanging share may
//! still have landed, and its queued copy is then skipped, not doubled.

use crate::customers::alias::{self, Kind};
use crate::customers::company::{self, CompanyEdit, NewCompany};
use crate::error::{Error, ErrorCode, ErrorPayload, Result};
use crate::followups::follow_up::{self, NewFollowUp};
use crate::handoff::acknowledge;
use crate::handoff::sheet::{self, HandoffInput};
use crate::leads::lead::{self as leads_lead, Contacted, NewLead};
use crate::leads::nurture;
use crate::leads::qualify::{self, Convert};
use crate::pipeline::deal::{self, DealEdit};
use crate::pipeline::moves::MoveDeal;
use crate::sequences::stop;
use crate::store::changes::Source;
#[cfg(test)]
use crate::store::db::Db;
use crate::store::sql::{self, Sql};
use crate::store::write::{Saves, WriteCtx};
use crate::support::case::{self as support_case, NewCase};
use crate::support::thread::{self, NewPost};
use crate::timeline::activity::{self, NewActivity};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

/// The kinds of work that can wait for the share: what people do most
/// while a share blinks — log a touch, plan or finish a follow-up, add a
/// customer, correct a deal or a customer, move a card on the board, take
/// a support case and answer it, send or acknowledge a hand-off sheet.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "op", rename_all = "snake_case")]
#[ts(export)]
pub enum Op {
    LogActivity {
        activity: NewActivity,
    },
    CreateFollowUp {
        follow_up: NewFollowUp,
    },
    CreateCompany {
        company: NewCompany,
    },
    UpdateCompany {
        id: String,
        #[ts(type = "number")]
        version: i64,
        edit: CompanyEdit,
    },
    UpdateDeal {
        id: String,
        #[ts(type = "number")]
        version: i64,
        edit: DealEdit,
    },
    MoveDeal {
        request: MoveDeal,
    },
    CompleteFollowUp {
        id: String,
        #[ts(type = "number")]
        version: i64,
        /// The touch logged with it, if any.
        touch: Option<NewActivity>,
    },
    /// A support case taken on the phone while the share was away; its id
    /// is chosen when it is queued, so replies queued after it name it.
    OpenCase {
        case: NewCase,
    },
    ReplyToCase {
        post: NewPost,
    },
    NoteOnCase {
        post: NewPost,
    },
    /// A hand-off sheet filled in after a win (often at the customer's, away
    /// from the office share).
    SendHandoff {
        handoff: HandoffInput,
    },
    /// Support acknowledging a sheet it read.
    AcknowledgeHandoff {
        id: String,
        #[ts(type = "number")]
        version: i64,
    },
    /// A lead taken on the phone or at a fair; its id is chosen when queued.
    AddLead {
        lead: NewLead,
    },
    /// The first answer to a lead (called from the road).
    LeadContacted {
        contacted: Contacted,
    },
    /// A lead qualified into customer + contact + deal.
    ConvertLead {
        convert: Convert,
    },
}

/// What applying an op produced: the record's id, its new version for an
/// edit, and what the command replies (a move's outcome, a logged touch's id).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub id: String,
    pub version: Option<i64>,
    pub reply: serde_json::Value,
}

/// `id` or, when that company was merged away while the op waited, its survivor.
fn company_id(conn: Sql, id: &mut String) -> Result<()> {
    *id = alias::resolve(conn, Kind::Company, id)?;
    Ok(())
}

fn contact_id(conn: Sql, id: &mut String) -> Result<()> {
    *id = alias::resolve(conn, Kind::Contact, id)?;
    Ok(())
}

fn touch_ids(conn: Sql, a: &mut NewActivity) -> Result<()> {
    company_id(conn, &mut a.company_id)?;
    for c in &mut a.contact_ids {
        contact_id(conn, c)?;
    }
    Ok(())
}

impl Op {
    /// The op naming survivors: a customer or contact merged away after the
    /// op was queued is its survivor now (dedupe/merge.rs). An edit of the
    /// merged-away record then meets the survivor's version, and becomes a
    /// conflict the user decides, like any edit a colleague overtook.
    fn resolved(&self, conn: Sql) -> Result<Op> {
        let mut op = self.clone();
        match &mut op {
            Op::LogActivity { activity } => touch_ids(conn, activity)?,
            Op::CompleteFollowUp { touch: Some(t), .. } => touch_ids(conn, t)?,
            Op::CreateFollowUp { follow_up } => {
                if let Some(id) = &mut follow_up.company_id {
                    company_id(conn, id)?;
                }
            }
            Op::UpdateCompany { id, .. } => company_id(conn, id)?,
            Op::OpenCase { case } => {
                company_id(conn, &mut case.company_id)?;
                if let Some(id) = &mut case.contact_id {
                    contact_id(conn, id)?;
                }
            }
            Op::SendHandoff { handoff } => {
                company_id(conn, &mut handoff.company_id)?;
                for p in &mut handoff.key_persons {
                    contact_id(conn, &mut p.contact_id)?;
                }
            }
            Op::ConvertLead { convert } => {
                if let Some(id) = &mut convert.company_id {
                    company_id(conn, id)?;
                }
                if let Some(id) = &mut convert.contact_id {
                    contact_id(conn, id)?;
                }
            }
            _ => {}
        }
        Ok(op)
    }

    fn apply(&self, ctx: &WriteCtx) -> Result<Applied> {
        let op = self.resolved(ctx.sql())?;
        let applied = op.apply_only(ctx)?;
        // A touch, a signal, a booked meeting or a deal's move stops the
        // sequences of that customer as it is written (sequences/stop.rs).
        match &op {
            Op::LogActivity { activity } => stop::after_touch(ctx, &activity.company_id)?,
            Op::MoveDeal { request } => stop::after_deal_change(ctx, &request.deal_id)?,
            Op::UpdateDeal { id, .. } => stop::after_deal_change(ctx, id)?,
            Op::ConvertLead { convert } => stop::after_lead_change(ctx, &convert.lead_id)?,
            Op::CompleteFollowUp { id, .. } => {
                let company: Option<String> = ctx
                    .sql()
                    .query_opt(
                        "SELECT company_id FROM follow_ups WHERE id = ?1",
                        sql::params![id],
                        |r| r.get(0),
                    )?
                    .flatten();
                if let Some(c) = company {
                    stop::after_touch(ctx, &c)?;
                }
            }
            _ => {}
        }
        Ok(applied)
    }

    fn apply_only(&self, ctx: &WriteCtx) -> Result<Applied> {
        let created = |id: String| Applied {
            id,
            version: None,
            reply: serde_json::Value::Null,
        };
        match self {
            // A touch may bring a nurtured lead back (leads/nurture.rs).
            Op::LogActivity { activity } => {
                let id = activity::log(ctx, activity)?;
                nurture::after_touch(ctx, &id)?;
                Ok(created(id))
            }
            Op::CreateFollowUp { follow_up } => follow_up::plan(ctx, follow_up).map(created),
            Op::CreateCompany { company } => company::create(ctx, company).map(created),
            Op::UpdateCompany { id, version, edit } => company::update(ctx, id, *version, edit).map(|v| Applied {
                id: id.clone(),
                version: Some(v),
                reply: serde_json::Value::Null,
            }),
            Op::UpdateDeal { id, version, edit } => {
                deal::update(ctx, id, *version, edit)?;
                Ok(created(id.clone()))
            }
            Op::MoveDeal { request } => replied(&request.deal_id, &crate::pipeline::moves::move_to(ctx, request)?),
            Op::CompleteFollowUp { id, version, touch } => {
                let done = crate::timeline::touch::complete_follow_up(ctx, id, *version, touch.as_ref())?;
                // What the touch says may bring a nurtured lead back; if it
                // did not, a nurture check-in done plans the next one.
                if let Some(activity_id) = &done {
                    nurture::after_touch(ctx, activity_id)?;
                }
                nurture::after_follow_up_done(ctx, id)?;
                replied(id, &done)
            }
            Op::OpenCase { case } => support_case::open(ctx, case).map(created),
            Op::ReplyToCase { post } => thread::reply(ctx, post).map(created),
            Op::NoteOnCase { post } => thread::note(ctx, post).map(created),
            Op::SendHandoff { handoff } => sheet::send(ctx, handoff).map(created),
            Op::AcknowledgeHandoff { id, version } => acknowledge::acknowledge(ctx, id, *version).map(|v| Applied {
                id: id.clone(),
                version: Some(v),
                reply: serde_json::Value::Null,
            }),
            Op::AddLead { lead } => leads_lead::add(ctx, lead).map(created),
            Op::LeadContacted { contacted } => leads_lead::contacted(ctx, contacted).map(|v| Applied {
                id: contacted.lead_id.clone(),
                version: Some(v),
                reply: serde_json::Value::Null,
            }),
            Op::ConvertLead { convert } => replied(&convert.lead_id, &qualify::convert(ctx, convert)?),
        }
    }

    /// The same edit, stated against `version` ("apply mine on top").
    fn rebased(&self, to: i64) -> Option<Op> {
        match self {
            Op::UpdateCompany { id, edit, .. } => Some(Op::UpdateCompany {
                id: id.clone(),
                version: to,
                edit: edit.clone(),
            }),
            Op::UpdateDeal { id, edit, .. } => Some(Op::UpdateDeal {
                id: id.clone(),
                version: to,
                edit: edit.clone(),
            }),
            Op::MoveDeal { request } => Some(Op::MoveDeal {
                request: MoveDeal {
                    version: to,
                    ..request.clone()
                },
            }),
            Op::CompleteFollowUp { id, touch, .. } => Some(Op::CompleteFollowUp {
                id: id.clone(),
                version: to,
                touch: touch.clone(),
            }),
            Op::AcknowledgeHandoff { id, .. } => Some(Op::AcknowledgeHandoff {
                id: id.clone(),
                version: to,
            }),
            Op::ConvertLead { convert } => Some(Op::ConvertLead {
                convert: Convert {
                    version: to,
                    ..convert.clone()
                },
            }),
            _ => None,
        }
    }
}

/// How long the team file remembers an applied op id.
const APPLIED_KEEP_DAYS: i64 = 90;

impl Applied {
    /// The command's reply, typed again.
    pub fn reply_as<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.reply.clone()).map_err(|e| Error::Internal(e.to_string()))
    }
}

/// An op's result with the command's reply as JSON.
fn replied<T: Serialize>(id: &str, reply: &T) -> Result<Applied> {
    Ok(Applied {
        id: id.to_string(),
        version: None,
        reply: serde_json::to_value(reply).map_err(|e| Error::Internal(e.to_string()))?,
    })
}

/// Applies `op` unless the team database already has it; `None` when it had.
pub fn apply_once(db: &mut impl Saves, op_id: &str, op: &Op) -> Result<Option<Applied>> {
    db.save(|ctx| {
        let fresh = ctx.sql().execute(
            "INSERT INTO applied_ops (op_id, applied_at, user_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            sql::params![op_id, ctx.now, ctx.user_id],
        )?;
        if fresh == 0 {
            return Ok(None);
        }
        // Ids older than any outbox entry could plausibly be kept (a laptop
        // away for a quarter) have done their job; the index makes this cheap.
        let cutoff = crate::clock::to_db(ctx.clock.now() - chrono::Duration::days(APPLIED_KEEP_DAYS));
        ctx.sql()
            .execute("DELETE FROM applied_ops WHERE applied_at < ?1", sql::params![cutoff])?;
        op.apply(ctx).map(Some)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EntryState {
    /// Waiting for the share.
    Pending,
    /// A colleague changed the record meanwhile: the user decides.
    Conflict,
    /// The team file refused it for another reason (the record was
    /// deleted, a value is no longer allowed): shown, kept until dismissed.
    Failed,
}

/// One piece of waiting work, as the window lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Entry {
    #[ts(type = "number")]
    pub seq: i64,
    pub op_id: String,
    pub op: Op,
    pub queued_at: String,
    pub state: EntryState,
    /// Why it is not applied (for conflicts, with the colleague's row).
    pub error: Option<ErrorPayload>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OutboxCounts {
    pub pending: u32,
    /// Conflicts and failures: waiting for the user, not for the share.
    pub attention: u32,
}

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DrainReport {
    pub applied: u32,
    /// Already in the team file (a save that timed out had landed).
    pub skipped: u32,
    pub conflicts: u32,
    pub failed: u32,
    /// The share went away again mid-way: the rest still waits.
    pub interrupted: bool,
}

pub struct Outbox {
    conn: Connection,
}

impl Outbox {
    /// Opens (creating) the outbox file on the user's own disk.
    pub fn open(path: &Path) -> Result<Outbox> {
        Self::open_keyed(path, None)
    }

    /// [`Outbox::open`] for an encrypted team file: with `key` (the team
    /// file's), a plain outbox is encrypted with it first, and a new one is
    /// created encrypted, so work waiting for the share is as protected as
    /// the file it is for (store/cipher.rs).
    pub fn open_keyed(path: &Path, key: Option<crate::store::cipher::RawKey>) -> Result<Outbox> {
        use crate::store::cipher;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::store::vfs::install();
        let fresh = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
        if let (Some(raw), false) = (key, fresh) {
            cipher::encrypt_local_copy(path, &raw)?;
        }
        cipher::ensure_unlocked(path)?;
        let conn = Connection::open(path)?;
        if let (Some(raw), true) = (key, fresh) {
            cipher::key_new_file(&conn, &cipher::Key::Recovery(raw))?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS entries (
                seq       INTEGER PRIMARY KEY AUTOINCREMENT,
                op_id     TEXT NOT NULL UNIQUE,
                database  TEXT NOT NULL,
                op        TEXT NOT NULL,
                queued_at TEXT NOT NULL,
                state     TEXT NOT NULL DEFAULT 'pending',
                error     TEXT
            )",
        )?;
        Ok(Outbox { conn })
    }

    /// Keeps `op` for the team `database` ([`team_of`]).
    pub fn push(&self, database: &str, op_id: &str, op: &Op, now: &str) -> Result<i64> {
        let json = serde_json::to_string(op).map_err(|e| Error::Internal(e.to_string()))?;
        self.conn.execute(
            "INSERT OR IGNORE INTO entries (op_id, database, op, queued_at) VALUES (?1, ?2, ?3, ?4)",
            params![op_id, database, json, now],
        )?;
        Ok(self
            .conn
            .query_row("SELECT seq FROM entries WHERE op_id = ?1", [op_id], |r| r.get(0))?)
    }

    pub fn entries(&self, database: &str) -> Result<Vec<Entry>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, op_id, op, queued_at, state, error FROM entries WHERE database = ?1 ORDER BY seq")?;
        let rows = st
            .query_map([database], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(seq, op_id, op, queued_at, state, error)| {
                Ok(Entry {
                    seq,
                    op_id,
                    op: serde_json::from_str(&op).map_err(|e| Error::Internal(format!("outbox entry {seq}: {e}")))?,
                    queued_at,
                    state: match state.as_str() {
                        "conflict" => EntryState::Conflict,
                        "failed" => EntryState::Failed,
                        _ => EntryState::Pending,
                    },
                    error: error.and_then(|e| serde_json::from_str(&e).ok()),
                })
            })
            .collect()
    }

    pub fn counts(&self, database: &str) -> Result<OutboxCounts> {
        let (pending, attention) = self.conn.query_row(
            "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state <> 'pending'), 0) FROM entries WHERE database = ?1",
            [database],
            |r| Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?)),
        )?;
        Ok(OutboxCounts { pending, attention })
    }

    /// Applies what waits for the team `database` (its file or server,
    /// open as `db`), oldest first. Stops (keeping the rest) when the share
    /// or the server goes away again.
    pub fn drain(&self, database: &str, db: &mut impl Saves) -> Result<DrainReport> {
        let mut report = DrainReport::default();
        for entry in self.entries(database)? {
            if entry.state != EntryState::Pending {
                continue;
            }
            match apply_once(db, &entry.op_id, &entry.op) {
                Ok(Some(_)) => report.applied += 1,
                Ok(None) => report.skipped += 1,
                Err(e) if is_outage(&e) => {
                    report.interrupted = true;
                    return Ok(report);
                }
                Err(e) => {
                    let state = if e.code() == ErrorCode::Conflict {
                        report.conflicts += 1;
                        "conflict"
                    } else {
                        report.failed += 1;
                        "failed"
                    };
                    let payload = serde_json::to_string(&e.payload()).map_err(|e| Error::Internal(e.to_string()))?;
                    self.conn.execute(
                        "UPDATE entries SET state = ?1, error = ?2 WHERE seq = ?3",
                        params![state, payload, entry.seq],
                    )?;
                    continue;
                }
            }
            self.conn.execute("DELETE FROM entries WHERE seq = ?1", [entry.seq])?;
        }
        Ok(report)
    }

    /// The user's answer to a conflict: put their edit on top of the
    /// colleague's version (it is applied at once), or let it go.
    pub fn resolve(&self, db: &mut impl Saves, seq: i64, apply_mine: bool) -> Result<()> {
        let entry: Option<(String, String, Option<String>)> = self
            .conn
            .query_row("SELECT op_id, op, error FROM entries WHERE seq = ?1", [seq], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((op_id, op, error)) = entry else {
            return Err(Error::NotFound {
                entity: "outbox entry",
                id: seq.to_string(),
            });
        };
        if apply_mine {
            let op: Op = serde_json::from_str(&op).map_err(|e| Error::Internal(e.to_string()))?;
            let current = error
                .and_then(|e| serde_json::from_str::<serde_json::Value>(&e).ok())
                .and_then(|e| e["current"]["version"].as_i64());
            let rebased = current
                .and_then(|v| op.rebased(v))
                .ok_or(Error::invalid("outbox", "not_a_conflict"))?;
            // A new id: the first attempt never landed, and this is a new decision.
            apply_once(db, &format!("{op_id}+{}", current.unwrap_or(0)), &rebased)?;
        }
        self.conn.execute("DELETE FROM entries WHERE seq = ?1", [seq])?;
        Ok(())
    }
}

/// The share or the server is away (rather than the work being refused).
pub fn is_outage(e: &Error) -> bool {
    is_outage_code(e.code())
}

/// [`is_outage`] for an error as the window has it (its code): the work
/// then waits in the outbox.
pub fn is_outage_code(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Unreachable | ErrorCode::Io | ErrorCode::Busy | ErrorCode::ServerUnreachable
    )
}

/// Which team an entry waits for: the team file's path, or the server as
/// `postgres://login@host:port/database` (never its password).
pub fn team_of(place: &Source) -> String {
    match place {
        Source::File(path) => path.display().to_string(),
        Source::Server(server) => format!("postgres://{}", server.describe()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{file_fixture, seed_pipeline};
    use crate::timeline::activity::{ActivityKind, Direction};

    fn team(db: &Db) -> String {
        team_of(&Source::File(db.path().to_path_buf()))
    }

    fn touch(company_id: &str, summary: &str) -> Op {
        Op::LogActivity {
            activity: NewActivity {
                company_id: company_id.to_string(),
                contact_ids: Vec::new(),
                deal_id: None,
                kind: ActivityKind::Call,
                direction: Some(Direction::Outbound),
                occurred_at: "2026-11-25T10:00:00+09:00".into(),
                summary: summary.to_string(),
                body: String::new(),
                minutes: String::new(),
                next_todos: String::new(),
                next_appointment_at: None,
                signals: Vec::new(),
            },
        }
    }

    fn summaries(db: &Db) -> Vec<String> {
        let mut st = db
            .conn()
            .prepare("SELECT summary FROM activities ORDER BY rowid")
            .unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn waiting_work_is_applied_in_order_once() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        let outbox = Outbox::open(&f._dir.path().join("outbox.db")).unwrap();
        for (i, s) in ["一件目", "二件目", "三件目"].iter().enumerate() {
            outbox
                .push(
                    &team(&f.db),
                    &format!("op-{i}"),
                    &touch(&seed.company_id, s),
                    "2026-11-26T00:00:00Z",
                )
                .unwrap();
        }
        // The second had landed before the share went away (its save timed out).
        apply_once(&mut f.db, "op-1", &touch(&seed.company_id, "二件目")).unwrap();
        assert_eq!(outbox.counts(&team(&f.db)).unwrap().pending, 3);

        let report = outbox.drain(&team(&f.db), &mut f.db).unwrap();
        assert_eq!((report.applied, report.skipped), (2, 1));
        let got = summaries(&f.db);
        let tail: Vec<&str> = got.iter().rev().take(3).rev().map(String::as_str).collect();
        assert_eq!(tail, ["二件目", "一件目", "三件目"]);
        assert_eq!(outbox.counts(&team(&f.db)).unwrap(), OutboxCounts::default());
        // Draining again does nothing.
        assert_eq!(outbox.drain(&team(&f.db), &mut f.db).unwrap(), DrainReport::default());
    }

    #[test]
    fn a_queued_case_and_its_reply_land_in_order_once() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        let outbox = Outbox::open(&f._dir.path().join("outbox.db")).unwrap();
        let case = NewCase {
            id: Some("case-offline".into()),
            company_id: seed.company_id.clone(),
            contact_id: None,
            deal_id: None,
            contract_id: None,
            subject: "電話で受けた苦情".into(),
            body: "納品物の数量が違う".into(),
            channel: crate::support::case::Channel::Phone,
            category: crate::support::case::Category::Complaint,
            priority: crate::support::case::Priority::High,
            assignee_id: None,
            received_at: None,
        };
        let post = |body: &str| NewPost {
            case_id: "case-offline".into(),
            body: body.into(),
        };
        let ops = [
            Op::OpenCase { case },
            Op::ReplyToCase {
                post: post("確認してご連絡します"),
            },
            Op::NoteOnCase {
                post: post("倉庫に確認中"),
            },
        ];
        for (i, op) in ops.iter().enumerate() {
            outbox
                .push(&team(&f.db), &format!("op-{i}"), op, "2026-11-26T00:00:00Z")
                .unwrap();
        }
        let report = outbox.drain(&team(&f.db), &mut f.db).unwrap();
        assert_eq!((report.applied, report.skipped), (3, 0));
        let kinds: Vec<(String, String)> =
            f.db.conn()
                .prepare("SELECT kind, body FROM case_events WHERE case_id = 'case-offline' ORDER BY rowid")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
        assert_eq!(
            kinds,
            [
                ("opened".to_string(), "納品物の数量が違う".to_string()),
                ("reply".into(), "確認してご連絡します".into()),
                ("note".into(), "倉庫に確認中".into())
            ]
        );
        let responded: Option<String> =
            f.db.conn()
                .query_row(
                    "SELECT first_response_at FROM support_cases WHERE id = 'case-offline'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
        assert!(responded.is_some());
        assert_eq!(outbox.drain(&team(&f.db), &mut f.db).unwrap(), DrainReport::default());
    }

    #[test]
    fn an_edit_a_colleague_overtook_waits_as_a_conflict_until_the_user_decides() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        let company = company::get(f.db.conn(), &seed.company_id).unwrap();
        let edit = |name: &str| CompanyEdit {
            name: name.into(),
            name_kana: company.name_kana.clone(),
            industry: company.industry.clone(),
            segment: company.segment,
            owner_id: company.owner_id.clone(),
            address: company.address.clone(),
            phone: company.phone.clone(),
            website: company.website.clone(),
            tags: company.tags.clone(),
        };
        let outbox = Outbox::open(&f._dir.path().join("outbox.db")).unwrap();
        let mine = Op::UpdateCompany {
            id: seed.company_id.clone(),
            version: company.version,
            edit: edit("オフラインで直した名前"),
        };
        outbox
            .push(&team(&f.db), "mine", &mine, "2026-11-26T00:00:00Z")
            .unwrap();
        // Meanwhile a colleague renames it.
        f.db.write(|ctx| company::update(ctx, &seed.company_id, company.version, &edit("同僚の名前")))
            .unwrap();

        let report = outbox.drain(&team(&f.db), &mut f.db).unwrap();
        assert_eq!((report.applied, report.conflicts), (0, 1));
        let entries = outbox.entries(&team(&f.db)).unwrap();
        assert_eq!(entries[0].state, EntryState::Conflict);
        let theirs = entries[0].error.as_ref().unwrap().current.as_ref().unwrap();
        assert_eq!(theirs["name"], "同僚の名前");
        assert_eq!(company::get(f.db.conn(), &seed.company_id).unwrap().name, "同僚の名前");
        // It stays through later drains…
        outbox.drain(&team(&f.db), &mut f.db).unwrap();
        assert_eq!(outbox.counts(&team(&f.db)).unwrap().attention, 1);
        // …until the user puts theirs on top.
        outbox.resolve(&mut f.db, entries[0].seq, true).unwrap();
        assert_eq!(
            company::get(f.db.conn(), &seed.company_id).unwrap().name,
            "オフラインで直した名前"
        );
        assert_eq!(outbox.counts(&team(&f.db)).unwrap(), OutboxCounts::default());
    }

    #[test]
    fn a_queued_move_lands_and_a_completion_a_colleague_overtook_waits() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        let deal_id = seed.deal(&mut f.db, "移動する案件", seed.stage("リード"), 100_000, "JPY");
        let d = deal::get(f.db.conn(), &deal_id).unwrap();
        let outbox = Outbox::open(&f._dir.path().join("outbox.db")).unwrap();
        let to = seed.stage("提案");
        let request = MoveDeal {
            deal_id: deal_id.clone(),
            version: d.version,
            to_stage_id: to.clone(),
            index: None,
            decision_deadline: None,
            lost: None,
        };
        outbox
            .push(&team(&f.db), "move", &Op::MoveDeal { request }, "t")
            .unwrap();

        let fu = seed.follow_up(&mut f.db, &deal_id, "2026-11-26T01:00:00Z");
        let item = follow_up::get(f.db.conn(), f.db.clock(), &fu).unwrap();
        let done = Op::CompleteFollowUp {
            id: fu.clone(),
            version: item.version,
            touch: None,
        };
        outbox.push(&team(&f.db), "done", &done, "t").unwrap();
        // A colleague snoozes that follow-up first.
        let later = f.db.clock().now() + chrono::Duration::hours(1);
        f.db.write(|ctx| follow_up::snooze(ctx, &fu, item.version, later))
            .unwrap();

        let report = outbox.drain(&team(&f.db), &mut f.db).unwrap();
        assert_eq!((report.applied, report.conflicts), (1, 1));
        assert_eq!(deal::get(f.db.conn(), &deal_id).unwrap().stage_id, to);
        let waiting = outbox.entries(&team(&f.db)).unwrap();
        assert_eq!(waiting.len(), 1);
        assert!(matches!(waiting[0].op, Op::CompleteFollowUp { .. }));
        // Done after all, on top of the snooze.
        outbox.resolve(&mut f.db, waiting[0].seq, true).unwrap();
        assert!(follow_up::get(f.db.conn(), f.db.clock(), &fu)
            .unwrap()
            .done_at
            .is_some());
    }

    #[test]
    fn a_hand_off_sent_away_from_the_share_lands_once_and_a_stale_acknowledgement_waits() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        let outbox = Outbox::open(&f._dir.path().join("outbox.db")).unwrap();
        let sheet = HandoffInput {
            company_id: seed.company_id.clone(),
            sold: "クラウド会計 年額".into(),
            ..Default::default()
        };
        outbox
            .push(&team(&f.db), "send", &Op::SendHandoff { handoff: sheet }, "t")
            .unwrap();
        assert_eq!(outbox.drain(&team(&f.db), &mut f.db).unwrap().applied, 1);
        assert_eq!(outbox.drain(&team(&f.db), &mut f.db).unwrap(), DrainReport::default());
        let id: String =
            f.db.conn()
                .query_row("SELECT id FROM handoffs", [], |r| r.get(0))
                .unwrap();

        // Support acknowledges offline while the rep corrects the sheet.
        let ack = Op::AcknowledgeHandoff {
            id: id.clone(),
            version: 1,
        };
        outbox.push(&team(&f.db), "ack", &ack, "t").unwrap();
        let corrected = HandoffInput {
            company_id: seed.company_id.clone(),
            sold: "クラウド会計 年額 20ユーザー".into(),
            ..Default::default()
        };
        f.db.write(|ctx| sheet::update(ctx, &id, 1, &corrected)).unwrap();
        let report = outbox.drain(&team(&f.db), &mut f.db).unwrap();
        assert_eq!((report.applied, report.conflicts), (0, 1));
        let waiting = outbox.entries(&team(&f.db)).unwrap();
        // Having read the correction, the support member acknowledges on top of it.
        outbox.resolve(&mut f.db, waiting[0].seq, true).unwrap();
        let status: String =
            f.db.conn()
                .query_row("SELECT status FROM handoffs WHERE id = ?1", [&id], |r| r.get(0))
                .unwrap();
        assert_eq!(status, "acknowledged");
    }

    #[test]
    fn a_queued_touch_keeps_the_contacts_it_names() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        let yamada = crate::testutil::contact(&mut f.db, &seed.company_id, "山田 花子", "");
        let ito = crate::testutil::contact(&mut f.db, &seed.company_id, "伊藤 誠", "");
        let outbox = Outbox::open(&f._dir.path().join("outbox.db")).unwrap();
        let mut op = touch(&seed.company_id, "オフラインの訪問");
        if let Op::LogActivity { activity } = &mut op {
            activity.contact_ids = vec![ito.clone(), yamada.clone()];
        }
        outbox.push(&team(&f.db), "met", &op, "t").unwrap();
        // Work queued by the version before touch contacts names none.
        let old = r#"{"op":"log_activity","activity":{"company_id":"COMPANY","contact_id":null,"deal_id":null,
            "kind":"call","direction":"outbound","occurred_at":"2026-11-25T10:00:00+09:00","summary":"以前の電話",
            "body":"","minutes":"","next_todos":"","next_appointment_at":null,"signals":[]}}"#
            .replace("COMPANY", &seed.company_id);
        let old: Op = serde_json::from_str(&old).unwrap();
        outbox.push(&team(&f.db), "old", &old, "t").unwrap();

        assert_eq!(outbox.drain(&team(&f.db), &mut f.db).unwrap().applied, 2);
        let named = |summary: &str| -> Vec<String> {
            let id: String =
                f.db.conn()
                    .query_row("SELECT id FROM activities WHERE summary = ?1", [summary], |r| r.get(0))
                    .unwrap();
            activity::contact_ids(f.db.conn(), &id).unwrap()
        };
        assert_eq!(named("オフラインの訪問"), [ito, yamada]);
        assert!(named("以前の電話").is_empty());
    }

    #[test]
    fn applied_ids_are_forgotten_after_a_quarter() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        apply_once(&mut f.db, "old", &touch(&seed.company_id, "古い")).unwrap();
        f.clock.advance(chrono::Duration::days(APPLIED_KEEP_DAYS + 1));
        apply_once(&mut f.db, "new", &touch(&seed.company_id, "新しい")).unwrap();
        let ids: Vec<String> = {
            let mut st = f.db.conn().prepare("SELECT op_id FROM applied_ops").unwrap();
            st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
        };
        assert_eq!(ids, ["new"]);
    }

    #[test]
    fn entries_belong_to_their_team_file() {
        let mut f = file_fixture();
        let seed = seed_pipeline(&mut f.db);
        let outbox = Outbox::open(&f._dir.path().join("outbox.db")).unwrap();
        outbox
            .push("/elsewhere/other.db", "x", &touch(&seed.company_id, "別ファイル"), "t")
            .unwrap();
        assert_eq!(outbox.drain(&team(&f.db), &mut f.db).unwrap(), DrainReport::default());
        assert_eq!(outbox.counts("/elsewhere/other.db").unwrap().pending, 1);
    }
}
