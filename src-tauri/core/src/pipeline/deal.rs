//! Deals (案件): a sales opportunity, its record (create, edit, delete) and
//! the reminders it plans. Moving it between stages is `moves.rs`.

use crate::changeset::Changes;
use crate::clock::to_db;
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use crate::id::new_id;
use crate::pipeline::stage::{self, Stage, StageKind};
use crate::store::changes::Entity;
use crate::store::deletion::{self, Batch, Deletion, Table};
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::validate::non_empty;
use crate::validate::required;
use chrono::{Duration, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// Reminders for a plain date (decision deadline, re-approach) fall at the
/// start of the user's office day, not at midnight.
const TITLE_MAX: usize = 200;
const NOTES_MAX: usize = 20_000;
const REMINDER_HOUR: i64 = 9;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct NewDeal {
    pub pipeline_id: String,
    pub stage_id: String,
    pub company_id: String,
    pub contact_id: Option<String>,
    pub title: String,
    /// In the currency's minor unit (yen have none).
    #[ts(type = "number")]
    pub amount: i64,
    /// ISO 4217; JPY when empty.
    pub currency: String,
    pub owner_id: Option<String>,
    pub expected_close: Option<NaiveDate>,
    pub decision_deadline: Option<NaiveDate>,
    pub notes: String,
}

/// A deal as the deal dialog shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Deal {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub pipeline_id: String,
    pub stage_id: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub title: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub expected_close: Option<NaiveDate>,
    /// Kept after the deal leaves closing, as history; the board shows a
    /// countdown only while the deal is in a closing stage.
    pub decision_deadline: Option<NaiveDate>,
    pub notes: String,
    pub won_at: Option<String>,
    pub lost_at: Option<String>,
    /// The reason as picked (one of the team's presets, or typed).
    pub lost_reason: Option<String>,
    /// Free text about the loss, kept apart from the reason so that lost
    /// deals can be counted by reason.
    pub lost_detail: Option<String>,
    /// The competitor who won.
    pub lost_to: Option<String>,
    pub competitor_contract_end: Option<NaiveDate>,
    pub reapproach_on: Option<NaiveDate>,
    /// When the deal entered its current stage (UTC, RFC 3339).
    pub stage_entered_at: String,
    /// The last touch logged on this deal (UTC, RFC 3339).
    pub last_activity_at: Option<String>,
}

/// The editable fields of the deal dialog; the stage changes through [`move_to`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DealEdit {
    pub title: String,
    pub company_id: String,
    pub contact_id: Option<String>,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub owner_id: Option<String>,
    pub expected_close: Option<NaiveDate>,
    pub notes: String,
    /// A new decision deadline for a deal in a closing stage (the customer
    /// asked for more time, or decides sooner): its reminder moves with it.
    /// None keeps the deadline as it is; it is never cleared here (leaving
    /// closing retires it). Defaulted so an edit kept in an outbox before
    /// this field existed still reads.
    #[serde(default)]
    pub decision_deadline: Option<NaiveDate>,
}

impl From<&Deal> for DealEdit {
    /// The dialog's fields of a deal as it is, to change one of them.
    fn from(d: &Deal) -> Self {
        DealEdit {
            title: d.title.clone(),
            company_id: d.company_id.clone(),
            contact_id: d.contact_id.clone(),
            amount: d.amount,
            currency: d.currency.clone(),
            owner_id: d.owner_id.clone(),
            expected_close: d.expected_close,
            notes: d.notes.clone(),
            decision_deadline: d.decision_deadline,
        }
    }
}

fn parse_date(v: Option<String>) -> Option<NaiveDate> {
    v.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

/// The fields shared by create and update, validated and normalised.
struct Checked {
    title: String,
    currency: String,
    contact_id: Option<String>,
    owner_id: Option<String>,
}

fn check_fields(conn: Sql, e: &DealEdit) -> Result<Checked> {
    let company_id = e.company_id.as_str();
    let title = required("title", &e.title, TITLE_MAX)?;
    if e.amount < 0 {
        return Err(Error::invalid("amount", "negative"));
    }
    let currency = crate::validate::currency(&e.currency)?;
    if e.notes.chars().count() > NOTES_MAX {
        return Err(Error::invalid("notes", "too_long"));
    }
    let live =
        |statement: &str, p: &[sql::Value]| -> Result<bool> { Ok(conn.query_opt(statement, p, |_| Ok(()))?.is_some()) };
    // Checked here rather than left to the foreign keys so the user sees which
    // field is wrong (and a soft-deleted row counts as gone).
    if !live(
        "SELECT 1 FROM companies WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![company_id],
    )? {
        return Err(Error::invalid("company_id", "unknown"));
    }
    let contact_id = non_empty(&e.contact_id);
    if let Some(c) = &contact_id {
        if !live(
            "SELECT 1 FROM contacts WHERE id = ?1 AND company_id = ?2 AND deleted_at IS NULL",
            sql::params![c, company_id],
        )? {
            return Err(Error::invalid("contact_id", "other_company"));
        }
    }
    let owner_id = non_empty(&e.owner_id);
    if let Some(o) = &owner_id {
        if !live(
            "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL",
            sql::params![o],
        )? {
            return Err(Error::invalid("owner_id", "unknown"));
        }
    }
    Ok(Checked {
        title,
        currency,
        contact_id,
        owner_id,
    })
}

/// Adds a deal at the bottom of its stage column.
pub fn create(ctx: &WriteCtx, d: &NewDeal) -> Result<String> {
    let c = check_fields(
        ctx.sql(),
        &DealEdit {
            title: d.title.clone(),
            company_id: d.company_id.clone(),
            contact_id: d.contact_id.clone(),
            amount: d.amount,
            currency: d.currency.clone(),
            owner_id: d.owner_id.clone(),
            expected_close: d.expected_close,
            notes: d.notes.clone(),
            decision_deadline: None,
        },
    )?;
    match stage::stage(ctx.sql(), &d.stage_id)? {
        Some((s, false)) if s.pipeline_id == d.pipeline_id => {}
        _ => return Err(Error::invalid("stage", "other_pipeline")),
    }
    let id = new_id();
    let position: f64 = ctx.sql().query_one(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM deals WHERE stage_id = ?1 AND deleted_at IS NULL",
        sql::params![&d.stage_id],
        |r| r.get(0),
    )?;
    ctx.sql().execute(
        "INSERT INTO deals (id, pipeline_id, stage_id, company_id, contact_id, title, amount, currency, owner_id,
                            position, expected_close, decision_deadline, stage_entered_at, notes,
                            created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?13, ?15)",
        sql::params![
            id,
            d.pipeline_id,
            d.stage_id,
            d.company_id,
            c.contact_id,
            c.title,
            d.amount,
            c.currency,
            c.owner_id,
            position,
            d.expected_close.map(|x| x.to_string()),
            d.decision_deadline.map(|x| x.to_string()),
            ctx.now,
            d.notes,
            ctx.user_id
        ],
    )?;
    ctx.audit(
        Entity::Deal,
        &id,
        "insert",
        json!({ "title": c.title, "stage_id": d.stage_id, "amount": d.amount }),
    )?;
    ctx.changed(Entity::Deal, &id, "insert")?;
    Ok(id)
}

const DEAL_SELECT: &str = "SELECT d.id, d.version, d.pipeline_id, d.stage_id, d.company_id, c.name, d.contact_id,
        d.title, d.amount, d.currency, d.owner_id, u.display_name, d.expected_close, d.decision_deadline, d.notes,
        d.won_at, d.lost_at, d.lost_reason, d.lost_detail, d.lost_to, d.competitor_contract_end, d.reapproach_on,
        d.stage_entered_at, d.last_activity_at
 FROM deals d
 JOIN companies c ON c.id = d.company_id
 LEFT JOIN users u ON u.id = d.owner_id
 WHERE d.id = ?1 AND d.deleted_at IS NULL";

/// One deal; NotFound when it does not exist or was deleted.
pub fn get<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Deal> {
    conn.into()
        .query_opt(DEAL_SELECT, sql::params![id], |r| {
            Ok(Deal {
                id: r.get(0)?,
                version: r.get(1)?,
                pipeline_id: r.get(2)?,
                stage_id: r.get(3)?,
                company_id: r.get(4)?,
                company_name: r.get(5)?,
                contact_id: r.get(6)?,
                title: r.get(7)?,
                amount: r.get(8)?,
                currency: r.get(9)?,
                owner_id: r.get(10)?,
                owner_name: r.get(11)?,
                expected_close: parse_date(r.get(12)?),
                decision_deadline: parse_date(r.get(13)?),
                notes: r.get(14)?,
                won_at: r.get(15)?,
                lost_at: r.get(16)?,
                lost_reason: r.get(17)?,
                lost_detail: r.get(18)?,
                lost_to: r.get(19)?,
                competitor_contract_end: parse_date(r.get(20)?),
                reapproach_on: parse_date(r.get(21)?),
                stage_entered_at: r.get(22)?,
                last_activity_at: r.get(23)?,
            })
        })?
        .ok_or_else(|| Error::NotFound {
            entity: "deal",
            id: id.to_string(),
        })
}

/// Turns "the deal the user saw is not the current one" into the conflict
/// error (with the colleague's row) before anything is judged or written.
pub(super) fn ensure_version(ctx: &WriteCtx, current: &Deal, version: i64) -> Result<()> {
    if current.version == version {
        Ok(())
    } else {
        ctx.expect_one("deal", "deals", &current.id, 0)
    }
}

/// Saves the deal dialog. Returns the new version (the same one when nothing
/// changed: a save without changes must not make colleagues' copies stale).
pub fn update(ctx: &WriteCtx, id: &str, version: i64, e: &DealEdit) -> Result<i64> {
    let old = get(ctx.sql(), id)?;
    ensure_version(ctx, &old, version)?;
    let c = check_fields(ctx.sql(), e)?;
    let deadline = match e.decision_deadline {
        Some(d) if Some(d) != old.decision_deadline => Some(check_deadline_change(ctx, &old, d)?),
        _ => None,
    };
    let mut changes = Changes::default();
    changes.note("title", &old.title, &c.title);
    changes.note("company_id", &old.company_id, &e.company_id);
    changes.note("contact_id", &old.contact_id, &c.contact_id);
    changes.note("amount", old.amount, e.amount);
    changes.note("currency", &old.currency, &c.currency);
    changes.note("owner_id", &old.owner_id, &c.owner_id);
    changes.note("expected_close", old.expected_close, e.expected_close);
    changes.note("notes", &old.notes, &e.notes);
    if let Some(d) = deadline {
        changes.note("decision_deadline", old.decision_deadline, d);
    }
    if changes.is_empty() {
        return Ok(old.version);
    }
    let n = ctx.sql().execute(
        "UPDATE deals SET title = ?3, company_id = ?4, contact_id = ?5, amount = ?6, currency = ?7, owner_id = ?8,
                          expected_close = ?9, notes = ?10, version = version + 1, updated_at = ?11, updated_by = ?12,
                          decision_deadline = COALESCE(?13, decision_deadline)
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![
            id,
            version,
            c.title,
            e.company_id,
            c.contact_id,
            e.amount,
            c.currency,
            c.owner_id,
            e.expected_close.map(|d| d.to_string()),
            e.notes,
            ctx.now,
            ctx.user_id,
            deadline.map(|d| d.to_string())
        ],
    )?;
    ctx.expect_one("deal", "deals", id, n)?;
    if let Some(d) = deadline {
        // The owner as saved now: a deal handed to a colleague in the same
        // save reminds the colleague.
        let saved = get(ctx.sql(), id)?;
        plan_decision_deadline(ctx, &saved, d, "deadline_changed")?;
    }
    ctx.audit(Entity::Deal, id, "update", changes.into_value())?;
    ctx.changed(Entity::Deal, id, "update")?;
    Ok(version + 1)
}

/// A deadline may move only while the customer is deciding (the deal is in
/// a closing stage), and not into the past.
fn check_deadline_change(ctx: &WriteCtx, deal: &Deal, d: NaiveDate) -> Result<NaiveDate> {
    let stage = target_stage(ctx.sql(), &deal.stage_id)?;
    if !(stage.kind == StageKind::Open && stage.is_closing) {
        return Err(Error::invalid("decision_deadline", "not_closing"));
    }
    if d < ctx.clock.today() {
        return Err(Error::invalid("decision_deadline", "past"));
    }
    Ok(d)
}

/// Deletes a deal (soft; [`deletion::undo`] takes it back). Its open
/// follow-ups go with it, so nobody is reminded of a deal that is gone; its
/// timeline entries stay on the customer's timeline (they happened), and a
/// line there says who deleted it.
pub fn delete(ctx: &WriteCtx, id: &str, version: i64) -> Result<Deletion> {
    let old = get(ctx.sql(), id)?;
    ensure_version(ctx, &old, version)?;
    let mut batch = Batch::new(ctx);
    batch.mark_one(
        Table::Deals,
        id,
        version,
        json!({ "title": old.title, "company_id": old.company_id, "amount": old.amount, "currency": old.currency }),
    )?;
    batch.mark_where(Table::FollowUps, "deal_id = ?1 AND status = 'open'", id)?;
    deletion::note(
        ctx,
        &old.company_id,
        &format!("案件を削除: {}", old.title),
        json!({ "event": "deal_deleted", "title": old.title, "deal_id": id, "deletion_id": batch.id() }),
    )?;
    Ok(batch.finish())
}

pub(super) fn target_stage<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<Stage> {
    match stage::stage(conn, id)? {
        Some((s, false)) => Ok(s),
        _ => Err(Error::NotFound {
            entity: "stage",
            id: id.to_string(),
        }),
    }
}

/// 09:00 in the user's time zone on `day`, as the database stores instants.
pub(crate) fn reminder_at(day: NaiveDate, offset: FixedOffset) -> String {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::hours(REMINDER_HOUR);
    let utc = local - Duration::seconds(i64::from(offset.local_minus_utc()));
    to_db(utc.and_utc())
}

/// Whom a deal's reminders go to: its owner, or whoever acted on it.
fn reminder_assignee(ctx: &WriteCtx, deal: &Deal) -> Option<String> {
    deal.owner_id
        .clone()
        .or_else(|| (!ctx.user_id.is_empty()).then(|| ctx.user_id.to_string()))
}

/// A reminder about a deal at 09:00 on `day` in the user's zone.
pub(super) fn plan_reminder(
    ctx: &WriteCtx,
    deal: &Deal,
    kind: FollowUpKind,
    text: EngineText,
    day: NaiveDate,
) -> Result<String> {
    follow_up::create_titled(
        ctx,
        &NewFollowUp {
            kind,
            title: String::new(),
            due_at: reminder_at(day, ctx.clock.offset()),
            assignee_id: reminder_assignee(ctx, deal),
            company_id: Some(deal.company_id.clone()),
            deal_id: Some(deal.id.clone()),
            contract_id: None,
            activity_id: None,
        },
        &text,
    )
}

/// The decision-deadline reminder: the open one (if any) is cancelled and
/// one is planned for `day`. The one place that plans it, whether the deal
/// just entered closing or the customer moved the date.
pub(super) fn plan_decision_deadline(ctx: &WriteCtx, deal: &Deal, day: NaiveDate, why: &str) -> Result<String> {
    cancel_open_follow_ups(ctx, &deal.id, FollowUpKind::DecisionDeadline, why)?;
    plan_reminder(
        ctx,
        deal,
        FollowUpKind::DecisionDeadline,
        EngineText::DecisionDeadline {
            deal: deal.title.clone(),
        },
        day,
    )
}

/// Cancels the open follow-ups of one kind on a deal (a newer deadline, or a
/// decision, made them moot). Returns their ids.
pub(super) fn cancel_open_follow_ups(
    ctx: &WriteCtx,
    deal_id: &str,
    kind: FollowUpKind,
    why: &str,
) -> Result<Vec<String>> {
    let open: Vec<(String, i64)> = ctx.sql().query(
        "SELECT id, version FROM follow_ups
         WHERE deal_id = ?1 AND kind = ?2 AND status = 'open' AND deleted_at IS NULL",
        sql::params![deal_id, kind.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (id, version) in &open {
        crate::followups::follow_up::close(ctx, id, *version, "cancelled", why)?;
    }
    Ok(open.into_iter().map(|(id, _)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::pipeline::board::{self, Board, BoardFilter};
    use crate::pipeline::moves::*;
    use crate::store::team_db::TeamDb;
    use crate::testutil::{assert_invalid, fixture, seed_pipeline, Fixture, Seed};
    use crate::ErrorCode;
    use serde_json::Value;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn mv(db: &mut TeamDb, deal_id: &str, to_stage_id: &str, index: Option<u32>) -> Result<MoveOutcome> {
        let version = get(db.sql(), deal_id).unwrap().version;
        let m = MoveDeal {
            deal_id: deal_id.into(),
            version,
            to_stage_id: to_stage_id.into(),
            index,
            ..Default::default()
        };
        db.write(|ctx| move_to(ctx, &m))
    }

    fn move_with(db: &mut TeamDb, m: MoveDeal) -> Result<MoveOutcome> {
        let m = MoveDeal {
            version: get(db.sql(), &m.deal_id).unwrap().version,
            ..m
        };
        db.write(|ctx| move_to(ctx, &m))
    }

    fn count(db: &TeamDb, sql: &str, p: &[crate::store::sql::Value]) -> i64 {
        db.sql().query_one(sql, p, |r| r.get(0)).unwrap()
    }

    /// Every card of a column, in order (the board sends a page at a time).
    fn column_titles(db: &TeamDb, clock: &dyn Clock, stage: &str) -> Vec<String> {
        let b: Board = board::load(db.sql(), clock, None, &BoardFilter::default()).unwrap();
        let col = b.columns.iter().find(|c| c.stage.name == stage).unwrap();
        let mut titles: Vec<String> = col.cards.iter().map(|c| c.title.clone()).collect();
        let mut next = col.next.clone();
        while let Some(after) = next {
            let page = board::column_page(db.sql(), clock, &col.stage.id, &BoardFilter::default(), &after, 0).unwrap();
            titles.extend(page.cards.iter().map(|c| c.title.clone()));
            next = page.next;
        }
        titles
    }

    /// (kind, status, due_at, title, assignee) of a deal's follow-ups, oldest first.
    #[allow(clippy::type_complexity)]
    fn follow_ups(db: &TeamDb, deal_id: &str) -> Vec<(String, String, String, String, Option<String>)> {
        db
            .sql()
            .query("SELECT kind, status, due_at, title, assignee_id FROM follow_ups WHERE deal_id = ?1 ORDER BY created_at, id", sql::params![deal_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        }).unwrap()
    }

    fn setup() -> (Fixture, Seed) {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        (f, s)
    }

    fn lost(reason: &str, end: Option<&str>) -> LostInfo {
        LostInfo {
            reason: reason.into(),
            detail: "  予算が半分に  ".into(),
            lost_to: "  競合社  ".into(),
            competitor_contract_end: end.map(date),
        }
    }

    #[test]
    fn get_finds_live_deals_only() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "案件A", s.stage("提案"), 1_000, "JPY");
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!((d.title.as_str(), d.company_name.as_str()), ("案件A", "株式会社テスト"));
        assert_eq!(d.version, 1);
        assert_eq!(get(f.db.sql(), "nope").unwrap_err().code(), ErrorCode::NotFound);
        f.db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE deals SET deleted_at = ?2 WHERE id = ?1",
                sql::params![id, ctx.now],
            )?;
            Ok(())
        })
        .unwrap();
        assert_eq!(get(f.db.sql(), &id).unwrap_err().code(), ErrorCode::NotFound);
    }

    #[test]
    fn moving_between_stages_records_one_stage_change_and_bumps_the_version() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "案件A", s.stage("提案"), 1_000, "JPY");
        f.clock.advance(Duration::hours(3));
        let out = mv(&mut f.db, &id, &s.stage("見積"), None).unwrap();
        assert_eq!(out.version, 2);
        assert_eq!(out.follow_up_id, None);
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!((d.stage_id.clone(), d.version), (s.stage("見積"), 2));
        assert_eq!(d.stage_entered_at, "2026-11-25T04:00:00Z", "the stage clock restarts");

        let (kind, summary, body, author, deal_id): (String, String, String, String, String) =
            f.db.sql()
                .query_one(
                    "SELECT kind, summary, body, author_id, deal_id FROM activities WHERE company_id = ?1",
                    sql::params![&s.company_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .unwrap();
        assert_eq!((kind.as_str(), summary.as_str()), ("stage_change", "提案 → 見積"));
        assert_eq!((author, deal_id), (f.db.user().id.clone(), id.clone()));
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["from_stage_id"], json!(s.stage("提案")));
        assert_eq!(body["to_stage_id"], json!(s.stage("見積")));
        assert_eq!(
            (body["from"].as_str(), body["to"].as_str()),
            (Some("提案"), Some("見積"))
        );
        // Bookkeeping, not a touch with the customer.
        assert_eq!(d.last_activity_at, None);
        assert_eq!(
            count(
                &f.db,
                "SELECT COUNT(*) FROM companies WHERE last_contact_at IS NOT NULL",
                &[]
            ),
            0
        );
        // Both column totals follow the card.
        let b = board::load(f.db.sql(), &f.clock, None, &BoardFilter::default()).unwrap();
        let total = |name: &str| {
            let c = b.columns.iter().find(|c| c.stage.name == name).unwrap();
            (c.count, c.totals.first().map(|t| t.amount).unwrap_or(0))
        };
        assert_eq!(total("提案"), (0, 0));
        assert_eq!(total("見積"), (1, 1_000));
    }

    #[test]
    fn moves_store_what_happened_and_read_in_the_readers_language() {
        use crate::engine_text::EngineText;
        use crate::language::Language::{En, Ja};
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "基幹システム刷新", s.stage("提案"), 1, "JPY");
        mv(&mut f.db, &id, &s.stage("見積"), None).unwrap();
        let to_closing = MoveDeal {
            deal_id: id.clone(),
            to_stage_id: s.stage("クロージング"),
            decision_deadline: Some(date("2026-12-09")),
            ..Default::default()
        };
        move_with(&mut f.db, to_closing).unwrap();
        let deadline = follow_up::list_open(f.db.sql(), &f.clock, None).unwrap();
        assert_eq!(
            deadline[0].engine_text,
            Some(EngineText::DecisionDeadline {
                deal: "基幹システム刷新".into()
            })
        );
        // An English colleague loses the deal: the stored words are theirs,
        // what is shown is each reader's.
        f.db.set_language(En);
        let to_lost = MoveDeal {
            deal_id: id.clone(),
            to_stage_id: s.stage("失注"),
            lost: Some(lost("価格", None)),
            ..Default::default()
        };
        move_with(&mut f.db, to_lost).unwrap();
        let reapproach = follow_up::list_open(f.db.sql(), &f.clock, None).unwrap();
        let text = reapproach[0].engine_text.clone().expect("the engine's title");
        assert_eq!(reapproach[0].title, "Re-approach: 株式会社テスト");
        assert_eq!(text.render(Ja), "再アプローチ: 株式会社テスト");

        let q = crate::timeline::entries::TimelineQuery {
            deal_id: Some(id.clone()),
            ..Default::default()
        };
        let entries = crate::timeline::entries::timeline(f.db.sql(), &q).unwrap().entries;
        let said: Vec<(String, String, String)> = entries
            .iter()
            .map(|e| {
                let t = e.engine_text.as_ref().expect("a stage change says what happened");
                (e.summary.clone(), t.render(Ja), t.render(En))
            })
            .collect();
        assert_eq!(
            said,
            vec![
                (
                    "クロージング → 失注".into(),
                    "クロージング → 失注".into(),
                    "クロージング → 失注".into()
                ),
                (
                    "見積 → クロージング（決断期限 2026-12-09）".into(),
                    "見積 → クロージング（決断期限 2026-12-09）".into(),
                    "見積 → クロージング (decision by 2026-12-09)".into()
                ),
                ("提案 → 見積".into(), "提案 → 見積".into(), "提案 → 見積".into()),
            ]
        );
        assert_eq!(
            entries[1].engine_text,
            Some(EngineText::MovedToClosing {
                from: "見積".into(),
                to: "クロージング".into(),
                deadline: date("2026-12-09"),
            })
        );
    }

    #[test]
    fn reorder_puts_the_card_at_the_index_and_rewrites_no_other_row() {
        let (mut f, s) = setup();
        let stage = s.stage("提案");
        let a = s.deal(&mut f.db, "A", stage.clone(), 1, "JPY");
        let b = s.deal(&mut f.db, "B", stage.clone(), 1, "JPY");
        let c = s.deal(&mut f.db, "C", stage.clone(), 1, "JPY");
        let entered = get(f.db.sql(), &c).unwrap().stage_entered_at;
        f.clock.advance(Duration::hours(1));
        let snapshot = |db: &TeamDb, id: &str| -> (i64, f64) {
            db.sql()
                .query_one(
                    "SELECT version, position FROM deals WHERE id = ?1",
                    sql::params![id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        let (a0, b0) = (snapshot(&f.db, &a), snapshot(&f.db, &b));

        let out = mv(&mut f.db, &c, &stage, Some(0)).unwrap();
        assert_eq!(out.version, 2);
        assert_eq!(column_titles(&f.db, &f.clock, "提案"), ["C", "A", "B"]);
        assert_eq!(
            (snapshot(&f.db, &a), snapshot(&f.db, &b)),
            (a0, b0),
            "neighbours untouched"
        );

        mv(&mut f.db, &b, &stage, Some(1)).unwrap();
        assert_eq!(column_titles(&f.db, &f.clock, "提案"), ["C", "B", "A"]);
        mv(&mut f.db, &c, &stage, None).unwrap();
        assert_eq!(column_titles(&f.db, &f.clock, "提案"), ["B", "A", "C"]);
        // An index past the end is the bottom.
        mv(&mut f.db, &b, &stage, Some(99)).unwrap();
        assert_eq!(column_titles(&f.db, &f.clock, "提案"), ["A", "C", "B"]);

        assert_eq!(
            count(&f.db, "SELECT COUNT(*) FROM activities", &[]),
            0,
            "no timeline entry"
        );
        let d = get(f.db.sql(), &c).unwrap();
        assert_eq!(d.stage_entered_at, entered, "the stage clock keeps running");
        assert_eq!(d.version, 3);
    }

    #[test]
    fn dropping_a_card_where_it_is_writes_nothing() {
        let (mut f, s) = setup();
        let stage = s.stage("提案");
        s.deal(&mut f.db, "A", stage.clone(), 1, "JPY");
        let b = s.deal(&mut f.db, "B", stage.clone(), 1, "JPY");
        let log = count(&f.db, "SELECT COUNT(*) FROM change_log", &[]);
        let out = mv(&mut f.db, &b, &stage, Some(1)).unwrap();
        assert_eq!(out.version, 1);
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM change_log", &[]), log);
    }

    #[test]
    fn a_worn_out_gap_renumbers_the_column_and_keeps_the_order() {
        let (mut f, s) = setup();
        let stage = s.stage("提案");
        let mut expected: Vec<String> = Vec::new();
        for t in ["A", "B"] {
            s.deal(&mut f.db, t, stage.clone(), 1, "JPY");
            expected.push(t.into());
        }
        // Each new card lands right after A: the A/next gap halves every
        // time, which exhausts a double's precision after ~30 drops.
        for i in 0..45 {
            let title = format!("N{i:02}");
            let id = s.deal(&mut f.db, &title, s.stage("見積"), 1, "JPY");
            mv(&mut f.db, &id, &stage, Some(1)).unwrap();
            expected.insert(1, title);
            assert_eq!(column_titles(&f.db, &f.clock, "提案"), expected, "after drop {i}");
        }
        let min_gap: f64 =
            f.db.sql()
                .query_one(
                    "SELECT MIN(b.position - a.position) FROM deals a JOIN deals b
                 ON a.stage_id = b.stage_id AND b.position > a.position WHERE a.stage_id = ?1",
                    sql::params![&stage],
                    |r| r.get(0),
                )
                .unwrap();
        assert!(min_gap >= MIN_POSITION_GAP, "renumbered: {min_gap}");
    }

    #[test]
    fn a_stale_version_is_a_conflict_with_the_current_row_and_writes_nothing() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        // A colleague edits first.
        let edit = DealEdit {
            title: "A (改)".into(),
            company_id: s.company_id.clone(),
            amount: 2,
            ..Default::default()
        };
        assert_eq!(f.db.write(|ctx| update(ctx, &id, 1, &edit)).unwrap(), 2);
        let before = |db: &TeamDb| {
            [
                "SELECT COUNT(*) FROM activities",
                "SELECT COUNT(*) FROM follow_ups",
                "SELECT COUNT(*) FROM change_log",
                "SELECT COUNT(*) FROM audit_log",
            ]
            .map(|q| count(db, q, &[]))
        };
        let snapshot = before(&f.db);
        let m = MoveDeal {
            deal_id: id.clone(),
            version: 1,
            to_stage_id: s.stage("クロージング"),
            index: None,
            decision_deadline: Some(date("2026-12-01")),
            lost: None,
        };
        match f.db.write(|ctx| move_to(ctx, &m)).unwrap_err() {
            Error::Conflict {
                current_version,
                current,
                ..
            } => {
                assert_eq!(current_version, 2);
                assert_eq!(current["title"], json!("A (改)"));
                assert_eq!(current["stage_id"], json!(s.stage("見積")));
            }
            e => panic!("expected a conflict, got {e:?}"),
        }
        assert_eq!(before(&f.db), snapshot);
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!((d.stage_id, d.version, d.decision_deadline), (s.stage("見積"), 2, None));
        // The same for a reorder.
        let m = MoveDeal {
            to_stage_id: s.stage("見積"),
            index: Some(0),
            ..m
        };
        assert_eq!(
            f.db.write(|ctx| move_to(ctx, &m)).unwrap_err().code(),
            ErrorCode::Conflict
        );
    }

    #[test]
    fn a_stage_of_another_pipeline_is_refused() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let other = f.db.write(|ctx| stage::create_pipeline(ctx, "既存顧客")).unwrap();
        let there = stage::stages(f.db.sql(), &other).unwrap()[1].id.clone();
        let e = mv(&mut f.db, &id, &there, None).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "stage",
                    reason: "other_pipeline"
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            mv(&mut f.db, &id, "nope", None).unwrap_err().code(),
            ErrorCode::NotFound
        );
    }

    #[test]
    fn entering_closing_asks_for_a_deadline_and_plans_a_reminder_at_nine() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "基幹システム刷新", s.stage("見積"), 1, "JPY");
        let closing = s.stage("クロージング");
        let to_closing = |deadline: Option<&str>| MoveDeal {
            deal_id: id.clone(),
            to_stage_id: closing.clone(),
            decision_deadline: deadline.map(date),
            ..Default::default()
        };
        let e = move_with(&mut f.db, to_closing(None)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "decision_deadline",
                    reason: "required"
                }
            ),
            "{e:?}"
        );
        let e = move_with(&mut f.db, to_closing(Some("2026-11-24"))).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "decision_deadline",
                    reason: "past"
                }
            ),
            "{e:?}"
        );
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM activities", &[]), 0);

        let out = move_with(&mut f.db, to_closing(Some("2026-12-09"))).unwrap();
        let first = out.follow_up_id.clone().expect("a follow-up");
        assert_eq!(
            get(f.db.sql(), &id).unwrap().decision_deadline,
            Some(date("2026-12-09"))
        );
        let me = Some(f.db.user().id.clone());
        assert_eq!(
            follow_ups(&f.db, &id),
            vec![(
                "decision_deadline".into(),
                "open".into(),
                // 09:00 in Tokyo is midnight UTC.
                "2026-12-09T00:00:00Z".into(),
                "決断期限: 基幹システム刷新".into(),
                me.clone()
            )]
        );
        let b = board::load(f.db.sql(), &f.clock, None, &BoardFilter::default()).unwrap();
        let card = b.columns.iter().flat_map(|c| &c.cards).find(|c| c.id == id).unwrap();
        assert_eq!(card.deadline_days_left, Some(14));

        // Back to 見積: the reminder goes, the date stays as history.
        mv(&mut f.db, &id, &s.stage("見積"), None).unwrap();
        assert_eq!(follow_ups(&f.db, &id)[0].1, "cancelled");
        assert_eq!(
            get(f.db.sql(), &id).unwrap().decision_deadline,
            Some(date("2026-12-09"))
        );
        let b = board::load(f.db.sql(), &f.clock, None, &BoardFilter::default()).unwrap();
        let card = b.columns.iter().flat_map(|c| &c.cards).find(|c| c.id == id).unwrap();
        assert_eq!(card.deadline_days_left, None, "no countdown outside closing");

        // Into closing again, today is allowed; the new reminder replaces the old.
        let out = move_with(&mut f.db, to_closing(Some("2026-11-25"))).unwrap();
        let fus = follow_ups(&f.db, &id);
        assert_eq!(fus.len(), 2);
        assert_eq!((fus[0].1.as_str(), fus[1].1.as_str()), ("cancelled", "open"));
        assert_eq!(fus[1].2, "2026-11-25T00:00:00Z");
        assert_ne!(out.follow_up_id, Some(first));
    }

    #[test]
    fn a_second_closing_stage_replaces_the_earlier_reminder() {
        let (mut f, s) = setup();
        // A pipeline with two closing steps (e.g. 稟議 then 契約).
        let p = stage::list(f.db.sql()).unwrap()[0].clone();
        let mut edits: Vec<stage::StageEdit> = s
            .stages
            .iter()
            .map(|st| stage::StageEdit {
                id: Some(st.id.clone()),
                name: st.name.clone(),
                probability: st.probability,
                idle_days: st.idle_days,
                kind: st.kind,
                is_closing: st.is_closing,
            })
            .collect();
        edits.insert(
            5,
            stage::StageEdit {
                id: None,
                name: "契約手続き".into(),
                probability: 90,
                idle_days: 7,
                kind: StageKind::Open,
                is_closing: true,
            },
        );
        f.db.write(|ctx| stage::save_pipeline(ctx, &p.id, p.version, &p.name, &edits))
            .unwrap();
        let second = stage::stages(f.db.sql(), &p.id).unwrap()[5].id.clone();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("クロージング"),
                decision_deadline: Some(date("2026-12-01")),
                ..Default::default()
            },
        )
        .unwrap();
        move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: second,
                decision_deadline: Some(date("2026-12-05")),
                ..Default::default()
            },
        )
        .unwrap();
        let fus = follow_ups(&f.db, &id);
        let open: Vec<_> = fus.iter().filter(|f| f.1 == "open").collect();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].2, "2026-12-05T00:00:00Z");
    }

    #[test]
    fn the_reminder_goes_to_the_owner() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        let sato =
            f.db.write(|ctx| crate::team::member::ensure(ctx, "sato", "佐藤"))
                .unwrap();
        let edit = DealEdit {
            title: "A".into(),
            company_id: s.company_id.clone(),
            amount: 1,
            owner_id: Some(sato.id.clone()),
            ..Default::default()
        };
        f.db.write(|ctx| update(ctx, &id, 1, &edit)).unwrap();
        move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("クロージング"),
                decision_deadline: Some(date("2026-12-01")),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(follow_ups(&f.db, &id)[0].4, Some(sato.id));
    }

    #[test]
    fn lost_requires_a_reason() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        for lost in [None, Some(lost("   ", None))] {
            let e = move_with(
                &mut f.db,
                MoveDeal {
                    deal_id: id.clone(),
                    to_stage_id: s.stage("失注"),
                    lost,
                    ..Default::default()
                },
            )
            .unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::Invalid {
                        field: "lost_reason",
                        reason: "required"
                    }
                ),
                "{e:?}"
            );
        }
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!((d.stage_id, d.version, d.lost_at), (s.stage("見積"), 1, None));
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM follow_ups", &[]), 0);
    }

    #[test]
    fn lost_to_a_competitor_with_a_known_end_is_reapproached_60_days_before() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        let out = move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("失注"),
                lost: Some(lost(" 価格 ", Some("2027-06-30"))),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(out.reapproach_on, Some(date("2027-05-01")));
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!(d.lost_reason.as_deref(), Some("価格"));
        assert_eq!(d.lost_detail.as_deref(), Some("予算が半分に"));
        assert_eq!(d.lost_to.as_deref(), Some("競合社"));
        assert_eq!(d.competitor_contract_end, Some(date("2027-06-30")));
        assert_eq!(d.reapproach_on, Some(date("2027-05-01")));
        assert_eq!(d.lost_at.as_deref(), Some("2026-11-25T01:00:00Z"));
        assert_eq!(d.won_at, None);
        let fus = follow_ups(&f.db, &id);
        assert_eq!(
            fus,
            vec![(
                "reapproach".into(),
                "open".into(),
                "2027-05-01T00:00:00Z".into(),
                "再アプローチ: 株式会社テスト".into(),
                Some(f.db.user().id.clone())
            )]
        );
        assert!(out.follow_up_id.is_some());
        // Lost deals stay on the board with their reason.
        let b = board::load(f.db.sql(), &f.clock, None, &BoardFilter::default()).unwrap();
        let card = b.columns.iter().flat_map(|c| &c.cards).find(|c| c.id == id).unwrap();
        assert_eq!(card.lost_reason.as_deref(), Some("価格"));
        assert_eq!(card.reapproach_on, Some(date("2027-05-01")));
    }

    #[test]
    fn lost_with_an_unknown_end_is_reapproached_six_months_later() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        let out = move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("失注"),
                lost: Some(LostInfo {
                    reason: "タイミング".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(out.reapproach_on, Some(date("2027-05-25")));
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!(
            (d.lost_detail, d.lost_to),
            (None, None),
            "empty text is stored as nothing"
        );
        assert_eq!(follow_ups(&f.db, &id)[0].2, "2027-05-25T00:00:00Z");
    }

    #[test]
    fn the_team_settings_drive_the_reapproach() {
        let (mut f, s) = setup();
        let (mut settings, v) = crate::team::settings::load_versioned(f.db.sql()).unwrap();
        settings.reapproach_lead_days = 30;
        settings.reapproach_unknown_months = 3;
        f.db.write(|ctx| crate::team::settings::update(ctx, v, &settings))
            .unwrap();
        let known = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        let unknown = s.deal(&mut f.db, "B", s.stage("見積"), 1, "JPY");
        let lose = |db: &mut TeamDb, id: &str, end: Option<&str>| {
            move_with(
                db,
                MoveDeal {
                    deal_id: id.into(),
                    to_stage_id: s.stage("失注"),
                    lost: Some(lost("価格", end)),
                    ..Default::default()
                },
            )
            .unwrap()
            .reapproach_on
        };
        assert_eq!(lose(&mut f.db, &known, Some("2027-06-30")), Some(date("2027-05-31")));
        assert_eq!(lose(&mut f.db, &unknown, None), Some(date("2027-02-25")));
    }

    #[test]
    fn back_to_open_clears_the_loss_and_cancels_the_reapproach() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("失注"),
                lost: Some(lost("価格", Some("2027-06-30"))),
                ..Default::default()
            },
        )
        .unwrap();
        let out = mv(&mut f.db, &id, &s.stage("提案"), Some(0)).unwrap();
        assert_eq!((out.follow_up_id, out.reapproach_on), (None, None));
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!(
            (
                d.lost_at,
                d.lost_reason,
                d.lost_to,
                d.reapproach_on,
                d.competitor_contract_end
            ),
            (None, None, None, None, None)
        );
        assert_eq!(follow_ups(&f.db, &id)[0].1, "cancelled");
        // The audit log still knows why it was lost.
        let detail: String = f
            .db
            .sql()
            .query_one(
                "SELECT detail FROM audit_log WHERE entity = 'deal' AND entity_id = ?1 ORDER BY at DESC, id DESC LIMIT 1",
                sql::params![&id],
                |r| r.get(0),
            )
            .unwrap();
        let detail: Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["lost_reason"]["from"], json!("価格"));
        assert_eq!(detail["lost_to"]["from"], json!("競合社"));
        assert_eq!(detail["lost_reason"]["to"], Value::Null);
    }

    #[test]
    fn won_records_the_date_and_ends_the_loss() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("見積"), 1, "JPY");
        move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("失注"),
                lost: Some(lost("価格", None)),
                ..Default::default()
            },
        )
        .unwrap();
        f.clock.advance(Duration::days(2));
        mv(&mut f.db, &id, &s.stage("受注"), None).unwrap();
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!(d.won_at.as_deref(), Some("2026-11-27T01:00:00Z"));
        assert_eq!((d.lost_at, d.lost_reason), (None, None));
        assert_eq!(follow_ups(&f.db, &id)[0].1, "cancelled");
        // Won to lost: the win is undone.
        move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("失注"),
                lost: Some(lost("機能不足", None)),
                ..Default::default()
            },
        )
        .unwrap();
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!((d.won_at, d.lost_reason.as_deref()), (None, Some("機能不足")));
    }

    #[test]
    fn reapproach_dates() {
        let today = date("2026-11-25");
        // Known end: lead days before it.
        assert_eq!(reapproach_date(today, Some(date("2027-06-30")), 60), date("2027-05-01"));
        assert_eq!(reapproach_date(today, Some(date("2027-06-30")), 0), date("2027-06-30"));
        // Across February: 60 days before 1 March is 1 January in a leap year,
        // 31 December in a common one.
        assert_eq!(reapproach_date(today, Some(date("2028-03-01")), 60), date("2028-01-01"));
        assert_eq!(reapproach_date(today, Some(date("2027-03-01")), 60), date("2026-12-31"));
        // The window is already open (or the end passed): tomorrow, never today.
        assert_eq!(reapproach_date(today, Some(date("2026-12-20")), 60), date("2026-11-26"));
        assert_eq!(reapproach_date(today, Some(date("2027-01-24")), 60), date("2026-11-26"));
        assert_eq!(reapproach_date(today, Some(date("2026-01-01")), 60), date("2026-11-26"));
        assert_eq!(reapproach_date(today, Some(date("2027-01-26")), 60), date("2026-11-27"));
        // Unknown: six calendar months, month-end safe.
        assert_eq!(reapproach_date(today, None, 60), date("2027-05-25"));
        assert_eq!(reapproach_date(date("2026-08-31"), None, 60), date("2027-02-28"));
        assert_eq!(reapproach_date(date("2027-08-31"), None, 60), date("2028-02-29"));
        assert_eq!(reapproach_date(date("2027-08-29"), None, 60), date("2028-02-29"));
        assert_eq!(reapproach_date(date("2026-12-31"), None, 60), date("2027-06-30"));
        assert_eq!(
            reapproach_date_with(date("2027-11-30"), None, 60, 3),
            date("2028-02-29")
        );
    }

    #[test]
    fn reminders_fall_at_nine_in_the_users_zone() {
        let day = date("2026-12-09");
        assert_eq!(
            reminder_at(day, FixedOffset::east_opt(9 * 3600).unwrap()),
            "2026-12-09T00:00:00Z"
        );
        assert_eq!(
            reminder_at(day, FixedOffset::east_opt(0).unwrap()),
            "2026-12-09T09:00:00Z"
        );
        assert_eq!(
            reminder_at(day, FixedOffset::west_opt(5 * 3600).unwrap()),
            "2026-12-09T14:00:00Z"
        );
    }

    #[test]
    fn update_saves_the_dialog_and_audits_the_changed_fields() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("提案"), 100, "JPY");
        let contact =
            f.db.write(|ctx| {
                crate::customers::contact::create_contact(
                    ctx,
                    &crate::customers::contact::NewContact {
                        company_id: s.company_id.clone(),
                        name: "山田 花子".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let edit = DealEdit {
            title: "  A2  ".into(),
            company_id: s.company_id.clone(),
            contact_id: Some(contact.clone()),
            amount: 250,
            currency: "usd".into(),
            owner_id: Some(String::new()),
            expected_close: Some(date("2027-01-15")),
            notes: String::new(),
            decision_deadline: None,
        };
        assert_eq!(f.db.write(|ctx| update(ctx, &id, 1, &edit)).unwrap(), 2);
        let d = get(f.db.sql(), &id).unwrap();
        assert_eq!(
            (
                d.title.as_str(),
                d.amount,
                d.currency.as_str(),
                d.contact_id.as_deref(),
                d.owner_id
            ),
            ("A2", 250, "USD", Some(contact.as_str()), None)
        );
        assert_eq!(d.expected_close, Some(date("2027-01-15")));
        let detail: String =
            f.db.sql()
                .query_one(
                    "SELECT detail FROM audit_log WHERE entity_id = ?1 AND action = 'update'",
                    sql::params![&id],
                    |r| r.get(0),
                )
                .unwrap();
        let detail: Value = serde_json::from_str(&detail).unwrap();
        let mut keys: Vec<_> = detail.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["amount", "contact_id", "currency", "expected_close", "title"]);
        assert_eq!(detail["amount"], json!({ "from": 100, "to": 250 }));

        // Saving the same again changes nothing, not even the version.
        assert_eq!(f.db.write(|ctx| update(ctx, &id, 2, &edit)).unwrap(), 2);
        // A stale version is a conflict.
        let e =
            f.db.write(|ctx| {
                update(
                    ctx,
                    &id,
                    1,
                    &DealEdit {
                        amount: 1,
                        ..edit.clone()
                    },
                )
            })
            .unwrap_err();
        assert!(matches!(e, Error::Conflict { current_version: 2, .. }), "{e:?}");
        assert_eq!(get(f.db.sql(), &id).unwrap().amount, 250);
    }

    #[test]
    fn update_validates_like_create() {
        let (mut f, s) = setup();
        let id = s.deal(&mut f.db, "A", s.stage("提案"), 100, "JPY");
        let other =
            f.db.write(|ctx| {
                crate::customers::company::create(
                    ctx,
                    &crate::customers::company::NewCompany {
                        name: "他社".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let theirs =
            f.db.write(|ctx| {
                crate::customers::contact::create_contact(
                    ctx,
                    &crate::customers::contact::NewContact {
                        company_id: other.clone(),
                        name: "他社の人".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let ok = DealEdit {
            title: "A".into(),
            company_id: s.company_id.clone(),
            amount: 1,
            ..Default::default()
        };
        let cases: Vec<(DealEdit, &str, &str)> = vec![
            (
                DealEdit {
                    title: " ".into(),
                    ..ok.clone()
                },
                "title",
                "required",
            ),
            (
                DealEdit {
                    title: "あ".repeat(201),
                    ..ok.clone()
                },
                "title",
                "too_long",
            ),
            (
                DealEdit {
                    amount: -1,
                    ..ok.clone()
                },
                "amount",
                "negative",
            ),
            (
                DealEdit {
                    currency: "YEN!".into(),
                    ..ok.clone()
                },
                "currency",
                "format",
            ),
            (
                DealEdit {
                    company_id: "nope".into(),
                    ..ok.clone()
                },
                "company_id",
                "unknown",
            ),
            (
                DealEdit {
                    contact_id: Some(theirs.clone()),
                    ..ok.clone()
                },
                "contact_id",
                "other_company",
            ),
            (
                DealEdit {
                    owner_id: Some("nobody".into()),
                    ..ok.clone()
                },
                "owner_id",
                "unknown",
            ),
        ];
        for (edit, field, reason) in cases {
            match f.db.write(|ctx| update(ctx, &id, 1, &edit)).unwrap_err() {
                Error::Invalid { field: fd, reason: r } => assert_eq!((fd, r), (field, reason)),
                e => panic!("{field}: {e:?}"),
            }
        }
        assert_eq!(get(f.db.sql(), &id).unwrap().version, 1);
        // Moving the deal to another customer together with its contact is fine.
        let moved = DealEdit {
            company_id: other,
            contact_id: Some(theirs),
            ..ok
        };
        assert_eq!(f.db.write(|ctx| update(ctx, &id, 1, &moved)).unwrap(), 2);
    }

    fn in_closing(f: &mut Fixture, s: &Seed, deadline: &str) -> String {
        let id = s.deal(&mut f.db, "基幹システム刷新", s.stage("見積"), 1, "JPY");
        move_with(
            &mut f.db,
            MoveDeal {
                deal_id: id.clone(),
                to_stage_id: s.stage("クロージング"),
                decision_deadline: Some(date(deadline)),
                ..Default::default()
            },
        )
        .unwrap();
        id
    }

    #[test]
    fn changing_the_decision_deadline_moves_its_reminder() {
        let (mut f, s) = setup();
        let id = in_closing(&mut f, &s, "2026-12-09");
        let d = get(f.db.sql(), &id).unwrap();
        let edit = DealEdit {
            decision_deadline: Some(date("2026-12-16")),
            ..DealEdit::from(&d)
        };
        assert_eq!(
            f.db.write(|ctx| update(ctx, &id, d.version, &edit)).unwrap(),
            d.version + 1
        );
        assert_eq!(
            get(f.db.sql(), &id).unwrap().decision_deadline,
            Some(date("2026-12-16"))
        );
        let me = Some(f.db.user().id.clone());
        assert_eq!(
            follow_ups(&f.db, &id),
            vec![
                (
                    "decision_deadline".into(),
                    "cancelled".into(),
                    "2026-12-09T00:00:00Z".into(),
                    "決断期限: 基幹システム刷新".into(),
                    me.clone()
                ),
                (
                    "decision_deadline".into(),
                    "open".into(),
                    "2026-12-16T00:00:00Z".into(),
                    "決断期限: 基幹システム刷新".into(),
                    me
                ),
            ]
        );
        let why: String =
            f.db.sql()
                .query_one(
                    "SELECT detail FROM audit_log WHERE entity = 'follow_up' AND action = 'update'",
                    &[],
                    |r| r.get::<String>(0),
                )
                .map(|detail| {
                    serde_json::from_str::<serde_json::Value>(&detail).unwrap()["why"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .unwrap();
        assert_eq!(why, "deadline_changed");
        let detail: String =
            f.db.sql()
                .query_one(
                    "SELECT detail FROM audit_log WHERE entity_id = ?1 AND action = 'update' ORDER BY id DESC LIMIT 1",
                    sql::params![&id],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&detail).unwrap()["decision_deadline"],
            json!({ "from": "2026-12-09", "to": "2026-12-16" })
        );
        // The board's countdown follows.
        let b = board::load(f.db.sql(), &f.clock, None, &BoardFilter::default()).unwrap();
        let card = b.columns.iter().flat_map(|c| &c.cards).find(|c| c.id == id).unwrap();
        assert_eq!(card.deadline_days_left, Some(21));
    }

    #[test]
    fn an_edit_that_keeps_the_deadline_plans_nothing_new() {
        let (mut f, s) = setup();
        let id = in_closing(&mut f, &s, "2026-12-09");
        let d = get(f.db.sql(), &id).unwrap();
        // The same date, and no date at all (an older edit kept in an outbox), both keep it.
        for deadline in [Some(date("2026-12-09")), None] {
            let v = get(f.db.sql(), &id).unwrap().version;
            let edit = DealEdit {
                notes: format!("{deadline:?}"),
                decision_deadline: deadline,
                ..DealEdit::from(&d)
            };
            f.db.write(|ctx| update(ctx, &id, v, &edit)).unwrap();
        }
        assert_eq!(
            get(f.db.sql(), &id).unwrap().decision_deadline,
            Some(date("2026-12-09"))
        );
        assert_eq!(follow_ups(&f.db, &id).len(), 1);
        // What an outbox written before the field existed holds still reads.
        let old: DealEdit = serde_json::from_value(json!({
            "title": "t", "company_id": "c", "contact_id": null, "amount": 1, "currency": "JPY",
            "owner_id": null, "expected_close": null, "notes": ""
        }))
        .unwrap();
        assert_eq!(old.decision_deadline, None);
    }

    #[test]
    fn a_deadline_moves_only_in_closing_and_never_into_the_past() {
        let (mut f, s) = setup();
        let id = in_closing(&mut f, &s, "2026-12-09");
        let d = get(f.db.sql(), &id).unwrap();
        let past = DealEdit {
            decision_deadline: Some(date("2026-11-24")),
            ..DealEdit::from(&d)
        };
        assert_invalid(
            f.db.write(|ctx| update(ctx, &id, d.version, &past)),
            "decision_deadline",
            "past",
        );
        // Out of closing the date is history, not a plan to move.
        mv(&mut f.db, &id, &s.stage("見積"), None).unwrap();
        let d = get(f.db.sql(), &id).unwrap();
        let later = DealEdit {
            decision_deadline: Some(date("2026-12-20")),
            ..DealEdit::from(&d)
        };
        assert_invalid(
            f.db.write(|ctx| update(ctx, &id, d.version, &later)),
            "decision_deadline",
            "not_closing",
        );
        assert_eq!(
            get(f.db.sql(), &id).unwrap().decision_deadline,
            Some(date("2026-12-09"))
        );
        assert!(follow_ups(&f.db, &id).iter().all(|f| f.1 == "cancelled"));
    }
}
