//! Follow-ups (追客): the next thing someone promised to do for a customer.

use crate::clock::{from_db, to_db, Clock};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::reminder::NotifyPrefs;
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::sql::{self, Row, Sql};
use crate::store::write::WriteCtx;
use crate::validate::required;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FollowUpKind {
    FollowUp,
    DecisionDeadline,
    Reapproach,
    Renewal,
    Retention,
    Appointment,
}

impl FollowUpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::FollowUp => "follow_up",
            FollowUpKind::DecisionDeadline => "decision_deadline",
            FollowUpKind::Reapproach => "reapproach",
            FollowUpKind::Renewal => "renewal",
            FollowUpKind::Retention => "retention",
            FollowUpKind::Appointment => "appointment",
        }
    }
    pub fn parse(s: &str) -> Option<FollowUpKind> {
        Some(match s {
            "follow_up" => FollowUpKind::FollowUp,
            "decision_deadline" => FollowUpKind::DecisionDeadline,
            "reapproach" => FollowUpKind::Reapproach,
            "renewal" => FollowUpKind::Renewal,
            "retention" => FollowUpKind::Retention,
            "appointment" => FollowUpKind::Appointment,
            _ => return None,
        })
    }
}

/// Where a due time stands relative to the user's today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DueState {
    Overdue,
    Today,
    Upcoming,
}

impl DueState {
    /// Judged by the user's calendar day: something due at 9:00 is still
    /// today's work at 15:00, and only earlier days are overdue.
    pub fn of(due_at: &str, clock: &dyn Clock) -> DueState {
        let Some(due) = from_db(due_at) else {
            return DueState::Upcoming;
        };
        let due_day = due.with_timezone(&clock.offset()).date_naive();
        let today = clock.today();
        if due_day < today {
            DueState::Overdue
        } else if due_day == today {
            DueState::Today
        } else {
            DueState::Upcoming
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewFollowUp {
    pub kind: FollowUpKind,
    pub title: String,
    pub due_at: String,
    pub assignee_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub contract_id: Option<String>,
    pub activity_id: Option<String>,
}

/// The five lists of the Follow-ups view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Bucket {
    Overdue,
    Today,
    Upcoming,
    Snoozed,
    Done,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FollowUpItem {
    pub id: String,
    pub kind: FollowUpKind,
    /// As typed, or the engine's words in the planner's language.
    pub title: String,
    /// A title the engine wrote, to be shown in the reader's language
    /// instead of `title`.
    pub engine_text: Option<EngineText>,
    /// When it was promised for.
    pub due_at: String,
    /// Set while snoozed: the reminder comes back then.
    pub snoozed_until: Option<String>,
    /// Judged by the snoozed time when snoozed, else by `due_at`.
    pub state: DueState,
    pub bucket: Bucket,
    pub done_at: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    /// The colleague who planned it for the assignee or passed it on;
    /// `None` when the assignee planned or took it themselves.
    pub handed_over_by: Option<String>,
    pub handed_over_by_name: Option<String>,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
    pub activity_id: Option<String>,
    #[ts(type = "number")]
    pub version: i64,
}

/// Which follow-ups a list shows.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct FollowUpQuery {
    /// Only this person's; `None` for the whole team.
    pub assignee_id: Option<String>,
    /// Only those of one customer.
    pub company_id: Option<String>,
    /// Add the ones completed in the last 30 days.
    pub include_done: bool,
}

/// How far back the Done list reaches, and how long it gets.
const DONE_DAYS: i64 = 30;
const DONE_LIMIT: i64 = 200;

const SELECT: &str = "SELECT f.id, f.kind, f.title, f.due_at, f.snoozed_until, f.status, f.done_at, f.assignee_id,
        u.display_name, f.company_id, c.name, f.deal_id, d.title, f.activity_id, f.version, f.text_kind, f.text_params,
        f.handed_over_by, h.display_name
     FROM follow_ups f
     LEFT JOIN users u ON u.id = f.assignee_id
     LEFT JOIN users h ON h.id = f.handed_over_by
     LEFT JOIN companies c ON c.id = f.company_id
     LEFT JOIN deals d ON d.id = f.deal_id";

fn from_row(r: &Row, clock: &dyn Clock) -> Result<FollowUpItem> {
    let due_at: String = r.get(3)?;
    let snoozed_until: Option<String> = r.get(4)?;
    let status: String = r.get(5)?;
    let now = clock.now();
    let snoozed = snoozed_until
        .as_deref()
        .and_then(from_db)
        .is_some_and(|until| until > now);
    let state = DueState::of(snoozed_until.as_deref().unwrap_or(&due_at), clock);
    let bucket = if status != "open" {
        Bucket::Done
    } else if snoozed {
        Bucket::Snoozed
    } else {
        match state {
            DueState::Overdue => Bucket::Overdue,
            DueState::Today => Bucket::Today,
            DueState::Upcoming => Bucket::Upcoming,
        }
    };
    Ok(FollowUpItem {
        id: r.get(0)?,
        kind: crate::error::known(
            "follow_ups",
            &r.get::<String>(0)?,
            &r.get::<String>(1)?,
            FollowUpKind::parse,
        )?,
        title: r.get(2)?,
        engine_text: EngineText::from_cells(r.get(15)?, r.get(16)?),
        due_at,
        snoozed_until,
        state,
        bucket,
        done_at: r.get(6)?,
        assignee_id: r.get(7)?,
        assignee_name: r.get(8)?,
        handed_over_by: r.get(17)?,
        handed_over_by_name: r.get(18)?,
        company_id: r.get(9)?,
        company_name: r.get(10)?,
        deal_id: r.get(11)?,
        deal_title: r.get(12)?,
        activity_id: r.get(13)?,
        version: r.get(14)?,
    })
}

/// Open follow-ups, earliest first (by the time they come back when
/// snoozed), then the recently done ones, latest first.
pub fn list<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, q: &FollowUpQuery) -> Result<Vec<FollowUpItem>> {
    let conn = conn.into();
    let mut out = conn.query(
        &format!(
            "{SELECT}
             WHERE f.status = 'open' AND f.deleted_at IS NULL
               AND (?1 IS NULL OR f.assignee_id = ?1) AND (?2 IS NULL OR f.company_id = ?2)
               AND (?2 IS NOT NULL OR c.archived_at IS NULL)
             ORDER BY COALESCE(f.snoozed_until, f.due_at), f.id"
        ),
        sql::params![q.assignee_id.as_deref(), q.company_id.as_deref()],
        |r| from_row(r, clock),
    )?;
    if q.include_done {
        let since = to_db(clock.now() - Duration::days(DONE_DAYS));
        out.extend(conn.query(
            &format!(
                "{SELECT}
                 WHERE f.status = 'done' AND f.deleted_at IS NULL AND f.done_at >= ?3
                   AND (?1 IS NULL OR f.assignee_id = ?1) AND (?2 IS NULL OR f.company_id = ?2)
                 ORDER BY f.done_at DESC, f.id LIMIT ?4"
            ),
            sql::params![q.assignee_id.as_deref(), q.company_id.as_deref(), since, DONE_LIMIT],
            |r| from_row(r, clock),
        )?);
    }
    Ok(out)
}

/// Open follow-ups, earliest first; for one assignee or the whole team.
pub fn list_open<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    assignee_id: Option<&str>,
) -> Result<Vec<FollowUpItem>> {
    list(
        conn,
        clock,
        &FollowUpQuery {
            assignee_id: assignee_id.map(String::from),
            ..Default::default()
        },
    )
}

pub fn get<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, id: &str) -> Result<FollowUpItem> {
    conn.into()
        .query_opt(
            &format!("{SELECT} WHERE f.id = ?1 AND f.deleted_at IS NULL"),
            sql::params![id],
            |r| from_row(r, clock),
        )?
        .ok_or_else(|| Error::NotFound {
            entity: "follow_up",
            id: id.to_string(),
        })
}

/// How many of a person's follow-ups need doing today or are late (the tray
/// count): snoozed ones are not counted until they come back.
pub fn due_count<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, assignee_id: &str) -> Result<u32> {
    let end_of_today = clock
        .today()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(clock.offset()).single())
        .map(|t| to_db(t.with_timezone(&Utc)))
        .unwrap_or_else(|| to_db(clock.now()));
    conn.into().query_one(
        "SELECT COUNT(*) FROM follow_ups f LEFT JOIN companies c ON c.id = f.company_id
         WHERE f.assignee_id = ?1 AND f.status = 'open' AND f.deleted_at IS NULL AND c.archived_at IS NULL
           AND COALESCE(f.snoozed_until, f.due_at) < ?2",
        sql::params![assignee_id, end_of_today],
        |r| r.get(0),
    )
}

/// Every stored time in one form, so times compare as text (the reminder
/// planner and the lists order by it).
fn normalized_time(field: &'static str, value: &str) -> Result<String> {
    from_db(value).map(to_db).ok_or(Error::invalid(field, "format"))
}

/// Work goes to active members only: a deactivated one is nobody's desktop.
fn check_assignee(ctx: &WriteCtx, assignee_id: &str) -> Result<()> {
    let active: Option<bool> = ctx.sql().query_opt(
        "SELECT deactivated_at IS NULL FROM users WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![assignee_id],
        |r| r.get(0),
    )?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(Error::invalid("assignee_id", "inactive")),
        None => Err(Error::invalid("assignee_id", "unknown")),
    }
}

/// Who handed the work over: the writer, unless they are its assignee.
fn handed_over_by<'a>(ctx: &'a WriteCtx, assignee_id: &str) -> Option<&'a str> {
    (assignee_id != ctx.user_id).then_some(ctx.user_id)
}

/// Plans a follow-up the engine derives from another step (a decision
/// deadline, renewal work, a meeting's next appointment, sample data):
/// nobody handed it over. Without an assignee it is the writer's own.
pub fn create(ctx: &WriteCtx, f: &NewFollowUp) -> Result<String> {
    insert(ctx, f, &f.title, None, false)
}

/// A person plans a follow-up (the Follow-up dialog, the CLI); planned for
/// a colleague, it says who handed it to them.
pub fn plan(ctx: &WriteCtx, f: &NewFollowUp) -> Result<String> {
    insert(ctx, f, &f.title, None, true)
}

/// Plans a follow-up the engine titles: stored as what it is about, so each
/// reader sees the title in their language; `f.title` is ignored.
pub(crate) fn create_titled(ctx: &WriteCtx, f: &NewFollowUp, text: &EngineText) -> Result<String> {
    insert(ctx, f, &text.render(ctx.lang), Some(text), false)
}

/// A person hands a colleague work the engine titles (a promise from a
/// hand-off sheet, what support passes to the account owner): titled like
/// [`create_titled`], handed over like [`plan`].
pub(crate) fn plan_titled(ctx: &WriteCtx, f: &NewFollowUp, text: &EngineText) -> Result<String> {
    insert(ctx, f, &text.render(ctx.lang), Some(text), true)
}

fn insert(
    ctx: &WriteCtx,
    f: &NewFollowUp,
    title: &str,
    text: Option<&EngineText>,
    by_a_person: bool,
) -> Result<String> {
    let title = required("title", title, 300)?;
    let (text_kind, text_params) = text.map(EngineText::to_columns).unzip();
    let due_at = normalized_time("due_at", &f.due_at)?;
    let assignee = f.assignee_id.clone().unwrap_or_else(|| ctx.user_id.to_string());
    check_assignee(ctx, &assignee)?;
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO follow_ups (id, kind, title, due_at, assignee_id, company_id, deal_id, contract_id, activity_id,
                                 created_at, updated_at, updated_by, text_kind, text_params, handed_over_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14)",
        sql::params![
            id,
            f.kind.as_str(),
            title,
            due_at,
            assignee,
            f.company_id,
            f.deal_id,
            f.contract_id,
            f.activity_id,
            ctx.now,
            ctx.user_id,
            text_kind,
            text_params.flatten(),
            handed_over_by(ctx, &assignee).filter(|_| by_a_person)
        ],
    )?;
    ctx.audit(
        Entity::FollowUp,
        &id,
        "insert",
        json!({ "kind": f.kind.as_str(), "title": title, "due_at": due_at, "assignee_id": assignee }),
    )?;
    ctx.changed(Entity::FollowUp, &id, "insert")?;
    Ok(id)
}

/// The customer and deal of a follow-up an action applies to, which must
/// be live and still open.
pub(crate) fn open_target(ctx: &WriteCtx, id: &str) -> Result<(Option<String>, Option<String>)> {
    let row: Option<(String, Option<String>, Option<String>)> = ctx.sql().query_opt(
        "SELECT status, company_id, deal_id FROM follow_ups WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    match row {
        None => Err(Error::NotFound {
            entity: "follow_up",
            id: id.to_string(),
        }),
        Some((status, ..)) if status != "open" => Err(Error::invalid("follow_up", "not_open")),
        Some((_, company, deal)) => Ok((company, deal)),
    }
}

/// Marks a follow-up done, with the timeline entry that did it when there
/// is one (`timeline::touch` logs the entry and calls this in one step).
pub fn complete(ctx: &WriteCtx, id: &str, version: i64, activity_id: Option<&str>) -> Result<()> {
    open_target(ctx, id)?;
    let n = ctx.sql().execute(
        "UPDATE follow_ups SET status = 'done', done_at = ?3, done_activity_id = ?4, snoozed_until = NULL,
                version = version + 1, updated_at = ?3, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, ctx.now, activity_id, ctx.user_id],
    )?;
    ctx.expect_one("follow_up", "follow_ups", id, n)?;
    ctx.audit(
        Entity::FollowUp,
        id,
        "update",
        json!({ "status": { "from": "open", "to": "done" } }),
    )?;
    ctx.changed(Entity::FollowUp, id, "update")?;
    Ok(())
}

/// Closes an open follow-up the engine closes on the user's behalf (a
/// decision made it moot, or the step it stood for was taken), as of the
/// version read in the same transaction; audited with the reason.
pub(crate) fn close(ctx: &WriteCtx, id: &str, version: i64, status: &str, why: &str) -> Result<()> {
    let n = ctx.sql().execute(
        "UPDATE follow_ups SET status = ?3, done_at = CASE WHEN ?3 = 'done' THEN ?4 END, snoozed_until = NULL,
                version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, status, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("follow_up", "follow_ups", id, n)?;
    ctx.audit(
        Entity::FollowUp,
        id,
        "update",
        json!({ "status": { "from": "open", "to": status }, "why": why }),
    )?;
    ctx.changed(Entity::FollowUp, id, "update")
}

/// When a snoozed reminder should come back.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
#[ts(export)]
pub enum SnoozeChoice {
    OneHour,
    /// The start of the next working day (after quiet hours).
    TomorrowMorning,
    /// The start of the first working day of next week.
    NextWeek,
    /// A time the user chose (RFC 3339).
    At(String),
}

/// The working day starts when quiet hours end, or at 09:00 without them.
fn morning(prefs: &NotifyPrefs) -> NaiveTime {
    prefs
        .quiet_end_time()
        .filter(|_| prefs.has_quiet_hours())
        .unwrap_or(NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"))
}

/// Resolves a snooze choice to an instant, in the user's zone and working week.
pub fn snooze_until(choice: &SnoozeChoice, clock: &dyn Clock, prefs: &NotifyPrefs) -> Result<DateTime<Utc>> {
    let now = clock.now();
    let offset = clock.offset();
    let at_morning = |day: chrono::NaiveDate| -> Result<DateTime<Utc>> {
        day.and_time(morning(prefs))
            .and_local_timezone(offset)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(Error::invalid("snooze", "format"))
    };
    let until = match choice {
        SnoozeChoice::OneHour => now + Duration::hours(1),
        SnoozeChoice::TomorrowMorning => {
            let mut day = clock.today() + Duration::days(1);
            while !prefs.is_working_day(day.weekday()) {
                day += Duration::days(1);
            }
            at_morning(day)?
        }
        SnoozeChoice::NextWeek => {
            let today = clock.today();
            let mut day = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
            for _ in 0..7 {
                if prefs.is_working_day(day.weekday()) {
                    break;
                }
                day += Duration::days(1);
            }
            at_morning(day)?
        }
        SnoozeChoice::At(at) => from_db(at).ok_or(Error::invalid("snooze", "format"))?,
    };
    if until <= now {
        return Err(Error::invalid("snooze", "past"));
    }
    Ok(until)
}

/// Puts a follow-up away until `until`; its reminder comes back then (a new
/// due time, so a new notification).
pub fn snooze(ctx: &WriteCtx, id: &str, version: i64, until: DateTime<Utc>) -> Result<()> {
    open_target(ctx, id)?;
    let until = to_db(until);
    let n = ctx.sql().execute(
        "UPDATE follow_ups SET snoozed_until = ?3, version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, until, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("follow_up", "follow_ups", id, n)?;
    ctx.audit(Entity::FollowUp, id, "update", json!({ "snoozed_until": until }))?;
    ctx.changed(Entity::FollowUp, id, "update")
}

/// Hands a follow-up to a colleague; their desktop reminds them, and their
/// list says who handed it over (nobody, when someone takes it themselves).
pub fn reassign(ctx: &WriteCtx, id: &str, version: i64, assignee_id: &str) -> Result<()> {
    open_target(ctx, id)?;
    check_assignee(ctx, assignee_id)?;
    let by = handed_over_by(ctx, assignee_id);
    let n = ctx.sql().execute(
        "UPDATE follow_ups SET assignee_id = ?3, handed_over_by = ?6, version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, assignee_id, ctx.now, ctx.user_id, by],
    )?;
    ctx.expect_one("follow_up", "follow_ups", id, n)?;
    ctx.audit(
        Entity::FollowUp,
        id,
        "update",
        json!({ "assignee_id": assignee_id, "handed_over_by": by }),
    )?;
    ctx.changed(Entity::FollowUp, id, "update")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_invalid, colleague, entry, fixture, seed_pipeline};
    use crate::timeline::activity::ActivityKind;

    fn plan(f: &mut crate::testutil::Fixture, company_id: &str, due_at: &str) -> String {
        let n = NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: "お見積りのご確認".into(),
            due_at: due_at.into(),
            assignee_id: None,
            company_id: Some(company_id.into()),
            deal_id: None,
            contract_id: None,
            activity_id: None,
        };
        f.db.write(|ctx| create(ctx, &n)).unwrap()
    }

    fn buckets(f: &crate::testutil::Fixture) -> Vec<(String, Bucket)> {
        let q = FollowUpQuery {
            include_done: true,
            ..Default::default()
        };
        list(f.db.sql(), &f.clock, &q)
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.bucket))
            .collect()
    }

    #[test]
    fn times_are_stored_in_one_form_and_planned_for_the_planner() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = plan(&mut f, &s.company_id, "2026-11-26T09:00:00.000+09:00");
        let item = get(f.db.sql(), &f.clock, &id).unwrap();
        assert_eq!(item.due_at, "2026-11-26T00:00:00Z");
        assert_eq!(item.assignee_id.as_deref(), Some(f.db.user().id.as_str()));
        let n = NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: "x".into(),
            due_at: "明日".into(),
            assignee_id: None,
            company_id: None,
            deal_id: None,
            contract_id: None,
            activity_id: None,
        };
        assert_invalid(f.db.write(|ctx| create(ctx, &n)), "due_at", "format");
        let n = NewFollowUp {
            due_at: "2026-11-26T00:00:00Z".into(),
            assignee_id: Some("nobody".into()),
            ..n
        };
        assert_invalid(f.db.write(|ctx| create(ctx, &n)), "assignee_id", "unknown");
    }

    #[test]
    fn the_five_lists_and_completing_with_a_logged_touch() {
        let mut f = fixture(); // Wednesday 2026-11-25 10:00 JST
        let s = seed_pipeline(&mut f.db);
        let late = plan(&mut f, &s.company_id, "2026-11-24T00:00:00Z");
        let today = plan(&mut f, &s.company_id, "2026-11-25T08:00:00Z");
        let later = plan(&mut f, &s.company_id, "2026-11-30T00:00:00Z");
        let until = snooze_until(&SnoozeChoice::OneHour, &f.clock, &NotifyPrefs::default()).unwrap();
        f.db.write(|ctx| snooze(ctx, &later, 1, until)).unwrap();
        let touch = entry(&s.company_id, ActivityKind::Call, "2026-11-25T00:55:00Z", "確認の電話");
        let logged =
            f.db.write(|ctx| crate::timeline::touch::complete_follow_up(ctx, &late, 1, Some(&touch)))
                .unwrap();
        assert!(logged.is_some());
        assert_eq!(
            buckets(&f),
            // Open ones by the time they come back (the snooze ends at
            // 11:00, before today's 17:00 one), then the done.
            [
                (later.clone(), Bucket::Snoozed),
                (today.clone(), Bucket::Today),
                (late.clone(), Bucket::Done)
            ]
        );
        // The touch is on the timeline and moved the last contact.
        let last: Option<String> =
            f.db.sql()
                .query_one(
                    "SELECT last_contact_at FROM companies WHERE id = ?1",
                    sql::params![&s.company_id],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(last.as_deref(), Some("2026-11-25T00:55:00Z"));
        // Done is done: acting on it again is refused, not repeated.
        assert_invalid(f.db.write(|ctx| complete(ctx, &late, 2, None)), "follow_up", "not_open");
        // The snooze ends: it is today's work again.
        f.clock.advance(chrono::Duration::minutes(61));
        assert!(buckets(&f).contains(&(later, Bucket::Today)));
        assert_eq!(due_count(f.db.sql(), &f.clock, &f.db.user().id).unwrap(), 2);
    }

    #[test]
    fn a_colleagues_change_in_between_is_a_conflict_not_an_overwrite() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = plan(&mut f, &s.company_id, "2026-11-26T00:00:00Z");
        let mut sato = colleague(&f, "sato", "佐藤");
        let sato_id = sato.user().id.clone();
        sato.write(|ctx| reassign(ctx, &id, 1, &sato_id)).unwrap();
        let r = f.db.write(|ctx| complete(ctx, &id, 1, None));
        assert!(matches!(r, Err(Error::Conflict { current_version: 2, .. })), "{r:?}");
        let item = get(f.db.sql(), &f.clock, &id).unwrap();
        assert_eq!(item.assignee_name.as_deref(), Some("佐藤"));
    }

    #[test]
    fn snooze_choices_follow_the_working_week() {
        let f = fixture(); // Wednesday 2026-11-25 10:00 JST
        let p = NotifyPrefs::default(); // quiet until 08:00, Monday–Friday
        let t = |c: SnoozeChoice| to_db(snooze_until(&c, &f.clock, &p).unwrap());
        assert_eq!(t(SnoozeChoice::OneHour), "2026-11-25T02:00:00Z");
        assert_eq!(t(SnoozeChoice::TomorrowMorning), "2026-11-25T23:00:00Z"); // Thu 08:00
        assert_eq!(t(SnoozeChoice::NextWeek), "2026-11-29T23:00:00Z"); // Mon 08:00
        let friday = crate::FixedClock::at("2026-11-27T18:00:00+09:00");
        assert_eq!(
            to_db(snooze_until(&SnoozeChoice::TomorrowMorning, &friday, &p).unwrap()),
            "2026-11-29T23:00:00Z"
        );
        let past = SnoozeChoice::At("2026-11-24T00:00:00Z".into());
        assert_invalid(snooze_until(&past, &f.clock, &p), "snooze", "past");
        assert_invalid(
            snooze_until(&SnoozeChoice::At("soon".into()), &f.clock, &p),
            "snooze",
            "format",
        );
    }

    #[test]
    fn a_follow_up_says_who_handed_it_over() {
        let mut f = fixture(); // 田中 太郎
        let s = seed_pipeline(&mut f.db);
        let mine = plan(&mut f, &s.company_id, "2026-11-26T00:00:00Z");
        assert_eq!(
            get(f.db.sql(), &f.clock, &mine).unwrap().handed_over_by,
            None,
            "planned for myself"
        );
        let mut sato = colleague(&f, "sato", "佐藤 健太");
        let sato_id = sato.user().id.clone();
        let me = f.db.user().id.clone();

        // Tanaka passes it on: Sato's list says from whom.
        f.db.write(|ctx| reassign(ctx, &mine, 1, &sato_id)).unwrap();
        let item = get(sato.sql(), &f.clock, &mine).unwrap();
        assert_eq!(
            (item.handed_over_by.as_deref(), item.handed_over_by_name.as_deref()),
            (Some(me.as_str()), Some("田中 太郎"))
        );
        // Sato gives it back; then Tanaka's says Sato.
        sato.write(|ctx| reassign(ctx, &mine, 2, &me)).unwrap();
        let item = get(f.db.sql(), &f.clock, &mine).unwrap();
        assert_eq!(item.handed_over_by_name.as_deref(), Some("佐藤 健太"));
        // Taking one yourself is no handover.
        let planned_by_sato = NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: "ご挨拶".into(),
            due_at: "2026-11-27T00:00:00Z".into(),
            assignee_id: Some(me.clone()),
            company_id: Some(s.company_id.clone()),
            deal_id: None,
            contract_id: None,
            activity_id: None,
        };
        let derived = sato.write(|ctx| create(ctx, &planned_by_sato)).unwrap();
        assert_eq!(
            get(f.db.sql(), &f.clock, &derived).unwrap().handed_over_by,
            None,
            "derived from another step (a deal move, renewal work): nobody handed it over"
        );
        let id = sato.write(|ctx| super::plan(ctx, &planned_by_sato)).unwrap();
        assert_eq!(
            get(f.db.sql(), &f.clock, &id).unwrap().handed_over_by_name.as_deref(),
            Some("佐藤 健太"),
            "planned for me by a colleague"
        );
        f.db.write(|ctx| reassign(ctx, &id, 1, &sato_id)).unwrap();
        sato.write(|ctx| reassign(ctx, &id, 2, &sato_id)).unwrap();
        assert_eq!(get(f.db.sql(), &f.clock, &id).unwrap().handed_over_by, None);
    }

    #[test]
    fn a_past_next_step_is_overdue_on_the_customer_page_as_on_the_board() {
        let mut f = fixture(); // Wednesday 2026-11-25 10:00 JST
        let s = seed_pipeline(&mut f.db);
        let deal = s.deal(&mut f.db, "案件", s.stage("提案"), 100, "JPY");
        s.follow_up(&mut f.db, &deal, "2026-11-28T01:00:00Z");
        let state = |f: &crate::testutil::Fixture| {
            let summary = crate::overview::customer::summary(f.db.sql(), &f.clock, &s.company_id).unwrap();
            let board = crate::pipeline::board::load(f.db.sql(), &f.clock, None, &Default::default()).unwrap();
            let card = board
                .columns
                .iter()
                .flat_map(|c| &c.cards)
                .find(|c| c.id == deal)
                .unwrap()
                .next_step;
            (summary.next_follow_up.unwrap().state, card)
        };
        assert_eq!(
            state(&f),
            (DueState::Upcoming, crate::pipeline::board::NextStep::Upcoming)
        );
        f.clock.advance(Duration::days(3)); // Saturday 11/28, 10:00
        assert_eq!(state(&f), (DueState::Today, crate::pipeline::board::NextStep::Today));
        f.clock.advance(Duration::days(3)); // Tuesday 12/1: 11/28 is past
        assert_eq!(
            state(&f),
            (DueState::Overdue, crate::pipeline::board::NextStep::Overdue)
        );
    }

    #[test]
    fn an_unknown_kind_is_an_error_naming_the_follow_up() {
        let mut f = crate::testutil::fixture();
        let s = crate::testutil::seed_pipeline(&mut f.db);
        let deal = s.deal(&mut f.db, "商談", s.stages[0].id.clone(), 100, "JPY");
        let id = s.follow_up(&mut f.db, &deal, "2026-11-26T00:00:00Z");
        crate::testutil::store_unknown(
            &f,
            &format!("UPDATE follow_ups SET kind = 'escalation' WHERE id = '{id}'"),
        );
        crate::testutil::assert_unknown(get(f.db.sql(), &f.clock, &id), "follow_ups", &id, "escalation");
    }
}
