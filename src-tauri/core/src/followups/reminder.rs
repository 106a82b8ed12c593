//! Reminders: what falls due for one person, when their desktop may say so,
//! and the record that makes each reminder arrive exactly once.
//!
//! A reminder is a (kind, item, due time) triple. The "once" is the unique
//! key of `notification_log` in the shared file: a desktop shows a reminder
//! only after its row was inserted, so two desktops of the same person — or
//! a restart — never repeat it. Snoozing gives a follow-up a new due time and
//! so a new reminder.
//!
//! The rules here are pure over a connection and a clock; the loop that
//! sleeps until the next one lives in [`crate::followups::scheduler`].

use crate::clock::{from_db, to_db, Clock};
use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::followups::follow_up::FollowUpKind;
use crate::language::Language;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::team::business_hours::parse_hm;
use crate::team::role::{self, Role};
use crate::team::settings::TeamSettings;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A person's notification preferences. Stored with the user in the shared
/// file, so every desktop of theirs keeps the same quiet hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NotifyPrefs {
    /// Desktop notifications at all (the in-app lists work either way).
    pub enabled: bool,
    /// "HH:MM" local time; both set, or neither for no quiet hours. A start
    /// after the end spans midnight (20:00–08:00).
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    /// ISO weekday numbers, 1 = Monday … 7 = Sunday. On other days reminders
    /// wait for the next working day.
    pub working_days: Vec<u8>,
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        NotifyPrefs {
            enabled: true,
            quiet_start: Some("20:00".into()),
            quiet_end: Some("08:00".into()),
            working_days: vec![1, 2, 3, 4, 5],
        }
    }
}

impl NotifyPrefs {
    pub fn validated(&self) -> Result<NotifyPrefs> {
        let mut p = self.clone();
        for (field, v) in [("quiet_start", &mut p.quiet_start), ("quiet_end", &mut p.quiet_end)] {
            if let Some(s) = v.take().filter(|s| !s.trim().is_empty()) {
                let t = parse_hm(&s).ok_or(Error::invalid(field, "format"))?;
                *v = Some(t.format("%H:%M").to_string());
            }
        }
        match (&p.quiet_start, &p.quiet_end) {
            (Some(a), Some(b)) if a == b => return Err(Error::invalid("quiet_end", "same_as_start")),
            (Some(_), None) => return Err(Error::invalid("quiet_end", "required")),
            (None, Some(_)) => return Err(Error::invalid("quiet_start", "required")),
            _ => {}
        }
        p.working_days.sort_unstable();
        p.working_days.dedup();
        if p.working_days.iter().any(|d| !(1..=7).contains(d)) {
            return Err(Error::invalid("working_days", "format"));
        }
        if p.working_days.is_empty() {
            return Err(Error::invalid("working_days", "required"));
        }
        Ok(p)
    }

    pub fn has_quiet_hours(&self) -> bool {
        self.quiet_start.as_deref().and_then(parse_hm).is_some()
            && self.quiet_end.as_deref().and_then(parse_hm).is_some()
    }

    pub fn quiet_end_time(&self) -> Option<NaiveTime> {
        self.quiet_end.as_deref().and_then(parse_hm)
    }

    pub fn is_working_day(&self, day: Weekday) -> bool {
        // An empty list (a hand-edited row) must not silence someone for ever.
        self.working_days.is_empty() || self.working_days.contains(&(day.number_from_monday() as u8))
    }

    /// Whether `t` falls in quiet hours or on a day off, in the user's zone.
    pub fn is_quiet(&self, t: DateTime<Utc>, offset: FixedOffset) -> bool {
        let local = t.with_timezone(&offset);
        if !self.is_working_day(local.weekday()) {
            return true;
        }
        let (Some(start), Some(end)) = (
            self.quiet_start.as_deref().and_then(parse_hm),
            self.quiet_end.as_deref().and_then(parse_hm),
        ) else {
            return false;
        };
        let now = local.time();
        if start < end {
            now >= start && now < end
        } else {
            now >= start || now < end
        }
    }

    /// The first moment at or after `t` when a reminder may be shown.
    pub fn next_allowed(&self, t: DateTime<Utc>, offset: FixedOffset) -> DateTime<Utc> {
        if !self.is_quiet(t, offset) {
            return t;
        }
        let local = t.with_timezone(&offset);
        let day_start = self.quiet_end_time().unwrap_or(NaiveTime::MIN);
        for d in 0..=8 {
            let day = local.date_naive() + Duration::days(d);
            let Some(candidate) = day
                .and_time(day_start)
                .and_local_timezone(offset)
                .single()
                .map(|c| c.with_timezone(&Utc))
            else {
                continue;
            };
            if candidate >= t && !self.is_quiet(candidate, offset) {
                return candidate;
            }
        }
        t
    }
}

pub fn load_prefs<'c>(conn: impl Into<Sql<'c>>, user_id: &str) -> Result<NotifyPrefs> {
    let raw: Option<String> = conn.into().query_opt(
        "SELECT notify_prefs FROM users WHERE id = ?1",
        sql::params![user_id],
        |r| r.get(0),
    )?;
    // '{}' (never saved) and anything unreadable fall back to the defaults.
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default())
}

pub fn save_prefs(ctx: &WriteCtx, prefs: &NotifyPrefs) -> Result<NotifyPrefs> {
    let p = prefs.validated()?;
    let value = serde_json::to_string(&p).map_err(|e| Error::Internal(e.to_string()))?;
    ctx.sql().execute(
        "UPDATE users SET notify_prefs = ?2, version = version + 1, updated_at = ?3, updated_by = ?1 WHERE id = ?1",
        sql::params![ctx.user_id, value, ctx.now],
    )?;
    ctx.audit(
        Entity::User,
        ctx.user_id,
        "update",
        serde_json::json!({ "notify_prefs": p }),
    )?;
    ctx.changed(Entity::User, ctx.user_id, "update")?;
    Ok(p)
}

/// What a reminder is about; the first part of its "once" key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReminderKind {
    /// A follow-up (of any kind) reaching its time, or its snooze ending.
    FollowUp,
    /// The day before a decision deadline.
    DecisionEve,
    /// A customer past their retention interval.
    ForgottenCustomer,
    /// An open deal with nothing planned next.
    NoNextStep,
    /// A support case's first response (or resolution) is about to be due:
    /// told to its assignee, or to the support members while nobody has it.
    CaseResponseDueSoon,
    CaseResolutionDueSoon,
    /// The target passed: told to the same people and to the managers.
    CaseResponseBreached,
    CaseResolutionBreached,
    /// A sales → support hand-off arrived (for the support member it is
    /// addressed to, or every support member).
    HandoffSent,
    /// A hand-off nobody acknowledged within the team's business hours
    /// (for the rep and for support).
    HandoffUnacknowledged,
    /// A question on my hand-off, or an answer to my question.
    HandoffMessage,
    /// A lead was given to me (by the team's rule or a colleague).
    LeadAssigned,
    /// My new lead is past its first-response target, unanswered.
    LeadResponseBreached,
    /// A nurtured lead or lost deal of mine came back.
    LeadResurfaced,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::FollowUp => "follow_up",
            ReminderKind::DecisionEve => "decision_eve",
            ReminderKind::ForgottenCustomer => "forgotten_customer",
            ReminderKind::NoNextStep => "no_next_step",
            ReminderKind::CaseResponseDueSoon => "case_response_due_soon",
            ReminderKind::CaseResolutionDueSoon => "case_resolution_due_soon",
            ReminderKind::CaseResponseBreached => "case_response_breached",
            ReminderKind::CaseResolutionBreached => "case_resolution_breached",
            ReminderKind::HandoffSent => "handoff_sent",
            ReminderKind::HandoffUnacknowledged => "handoff_unacknowledged",
            ReminderKind::HandoffMessage => "handoff_message",
            ReminderKind::LeadAssigned => "lead_assigned",
            ReminderKind::LeadResponseBreached => "lead_response_breached",
            ReminderKind::LeadResurfaced => "lead_resurfaced",
        }
    }
    fn parse(s: &str) -> ReminderKind {
        match s {
            "case_response_due_soon" => ReminderKind::CaseResponseDueSoon,
            "case_resolution_due_soon" => ReminderKind::CaseResolutionDueSoon,
            "case_response_breached" => ReminderKind::CaseResponseBreached,
            "case_resolution_breached" => ReminderKind::CaseResolutionBreached,
            "decision_eve" => ReminderKind::DecisionEve,
            "forgotten_customer" => ReminderKind::ForgottenCustomer,
            "no_next_step" => ReminderKind::NoNextStep,
            "handoff_sent" => ReminderKind::HandoffSent,
            "handoff_unacknowledged" => ReminderKind::HandoffUnacknowledged,
            "handoff_message" => ReminderKind::HandoffMessage,
            "lead_assigned" => ReminderKind::LeadAssigned,
            "lead_response_breached" => ReminderKind::LeadResponseBreached,
            "lead_resurfaced" => ReminderKind::LeadResurfaced,
            _ => ReminderKind::FollowUp,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// The follow-up, company, deal or support case it is about.
    pub item_id: String,
    /// The due time that makes it this reminder (normalised RFC 3339).
    pub due_at: String,
    pub follow_up_kind: Option<FollowUpKind>,
    /// The follow-up's title as stored, or the company's or deal's name.
    pub title: String,
    /// A follow-up title the engine wrote: said in the recipient's language.
    pub engine_text: Option<EngineText>,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
}

/// One thing for the desktop to say: a single reminder, or several at once
/// (what fell due while the app was closed, or a burst) as one summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Notice {
    // Boxed: a reminder is large next to a list of them.
    Single { reminder: Box<Reminder> },
    Summary { reminders: Vec<Reminder>, missed: bool },
}

impl Notice {
    pub fn reminders(&self) -> &[Reminder] {
        match self {
            Notice::Single { reminder } => std::slice::from_ref(reminder.as_ref()),
            Notice::Summary { reminders, .. } => reminders,
        }
    }
}

/// The time format SQLite's strftime gives for [`to_db`]'s form.
const DB_TIME: &str = "'%Y-%m-%dT%H:%M:%SZ'";

/// Everything that can fall due for person ?1 (retention intervals ?2 for key
/// accounts, ?3 for others), not yet notified to them.
fn candidates_sql() -> String {
    format!(
        "WITH cand (kind, item_id, due, fu_kind, title, company_id, company_name, deal_id, deal_title, text_kind, text_params) AS (
           SELECT 'follow_up', f.id, strftime({DB_TIME}, COALESCE(f.snoozed_until, f.due_at)), f.kind, f.title,
                  f.company_id, c.name, f.deal_id, d.title, f.text_kind, f.text_params
             FROM follow_ups f
             LEFT JOIN companies c ON c.id = f.company_id
             LEFT JOIN deals d ON d.id = f.deal_id
            WHERE f.assignee_id = ?1 AND f.status = 'open' AND f.deleted_at IS NULL AND c.archived_at IS NULL
           UNION ALL
           SELECT 'decision_eve', f.id, strftime({DB_TIME}, f.due_at, '-1 day'), f.kind, f.title,
                  f.company_id, c.name, f.deal_id, d.title, f.text_kind, f.text_params
             FROM follow_ups f
             LEFT JOIN companies c ON c.id = f.company_id
             LEFT JOIN deals d ON d.id = f.deal_id
            WHERE f.assignee_id = ?1 AND f.kind = 'decision_deadline' AND f.status = 'open'
              AND f.deleted_at IS NULL AND f.snoozed_until IS NULL AND c.archived_at IS NULL
           UNION ALL
           SELECT 'forgotten_customer', c.id,
                  strftime({DB_TIME}, COALESCE(c.last_contact_at, c.created_at),
                           '+' || COALESCE(c.retention_days, CASE c.segment WHEN 'key' THEN ?2 ELSE ?3 END) || ' days'),
                  NULL, c.name, c.id, c.name, NULL, NULL, NULL, NULL
             FROM companies c
            WHERE c.owner_id = ?1 AND c.deleted_at IS NULL AND c.archived_at IS NULL AND {retained}
           UNION ALL
           SELECT 'no_next_step', d.id,
                  strftime({DB_TIME}, max(COALESCE(d.last_activity_at, d.created_at), d.stage_entered_at,
                           COALESCE((SELECT MAX(done_at) FROM follow_ups g WHERE g.deal_id = d.id), '')), '+1 day'),
                  NULL, d.title, d.company_id, c.name, d.id, d.title, NULL, NULL
             FROM deals d
             JOIN stages s ON s.id = d.stage_id AND s.kind = 'open'
             JOIN companies c ON c.id = d.company_id
            WHERE d.owner_id = ?1 AND d.deleted_at IS NULL AND c.archived_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM follow_ups g
                               WHERE g.deal_id = d.id AND g.status = 'open' AND g.deleted_at IS NULL)
           UNION ALL
           {cases}
           {handoffs}
           {leads}
         ),
         pending AS (
           SELECT * FROM cand
            WHERE due IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM notification_log n
                               WHERE n.user_id = ?1 AND n.item_kind = cand.kind
                                 AND n.item_id = cand.item_id AND n.due_at = cand.due)
         )",
        retained = crate::followups::retention::RETAINED,
        cases = case_candidates(),
        handoffs = handoff_candidates(),
        leads = lead_candidates(),
    )
}

/// The hand-off reminders (the `handoff` folder owns the tables; read here
/// by SQL like the deals above). "Support" is whoever holds the role now.
fn handoff_candidates() -> String {
    let support = role::held_by_param_1(Role::Support);
    let addressed = format!("(h.to_user_id = ?1 OR (h.to_user_id IS NULL AND {support}))");
    format!(
        "UNION ALL
           SELECT 'handoff_sent', h.id, strftime({DB_TIME}, h.sent_at), NULL, h.sold,
                  h.company_id, c.name, h.deal_id, d.title, NULL, NULL
             FROM handoffs h
             JOIN companies c ON c.id = h.company_id
             LEFT JOIN deals d ON d.id = h.deal_id
            WHERE h.status = 'sent' AND h.deleted_at IS NULL AND h.from_user_id <> ?1 AND {addressed}
           UNION ALL
           SELECT 'handoff_unacknowledged', h.id, strftime({DB_TIME}, h.ack_due_at), NULL, h.sold,
                  h.company_id, c.name, h.deal_id, d.title, NULL, NULL
             FROM handoffs h
             JOIN companies c ON c.id = h.company_id
             LEFT JOIN deals d ON d.id = h.deal_id
            WHERE h.status = 'sent' AND h.deleted_at IS NULL AND (h.from_user_id = ?1 OR {addressed})
           UNION ALL
           SELECT 'handoff_message', m.id, strftime({DB_TIME}, m.at), NULL, m.body,
                  h.company_id, c.name, h.deal_id, d.title, NULL, NULL
             FROM handoff_messages m
             JOIN handoffs h ON h.id = m.handoff_id
             JOIN companies c ON c.id = h.company_id
             LEFT JOIN deals d ON d.id = h.deal_id
            WHERE h.deleted_at IS NULL AND m.author_id <> ?1
              AND ((m.kind = 'question' AND h.from_user_id = ?1)
                OR (m.kind = 'answer' AND EXISTS (SELECT 1 FROM handoff_messages q
                                                   WHERE q.handoff_id = m.handoff_id AND q.kind = 'question'
                                                     AND q.author_id = ?1)))"
    )
}

/// The leads' reminders (the `leads` folder owns the table; read here by
/// SQL): a lead given to me by someone else (or the rule, run on another
/// desktop or the CLI) at its assignment time; my unanswered new lead at its
/// first-response due time (once: the log's key is the due time); my
/// nurtured lead come back, at the time it came back.
fn lead_candidates() -> String {
    let title = "CASE WHEN l.company_name = '' THEN l.person_name ELSE l.company_name END";
    format!(
        "UNION ALL
           SELECT 'lead_assigned', l.id, strftime({DB_TIME}, l.assigned_at), NULL, 'L-' || l.number || ' ' || {title},
                  l.company_id, {title}, l.deal_id, NULL, NULL, NULL
             FROM leads l
            WHERE l.owner_id = ?1 AND l.deleted_at IS NULL AND l.status IN ('new', 'contacted')
              AND l.assigned_at IS NOT NULL AND (l.assigned_by IS NULL OR l.assigned_by <> ?1)
           UNION ALL
           SELECT 'lead_response_breached', l.id, strftime({DB_TIME}, l.first_response_due), NULL, 'L-' || l.number || ' ' || {title},
                  l.company_id, {title}, l.deal_id, NULL, NULL, NULL
             FROM leads l
            WHERE l.owner_id = ?1 AND l.deleted_at IS NULL AND l.status = 'new' AND l.first_response_at IS NULL
           UNION ALL
           SELECT 'lead_resurfaced', l.id, strftime({DB_TIME}, l.resurfaced_at), NULL, 'L-' || l.number || ' ' || {title},
                  l.company_id, {title}, l.deal_id, NULL, NULL, NULL
             FROM leads l
            WHERE l.owner_id = ?1 AND l.deleted_at IS NULL AND l.resurfaced_at IS NOT NULL
              AND l.status IN ('new', 'contacted')"
    )
}

/// Support cases' service levels (support/, docs/support.md), read by SQL
/// as the deals are: the layer below does not call the support engine.
/// For each open case and target not yet done: the warning, until the due
/// time passes (a breach says more), to the assignee — or, while nobody has
/// the case, to every support member; the breach to the same people and to
/// every manager. A member holding two of those roles is told once (one
/// row per case and kind). ?1 is the person, ?4 the moment asked about.
fn case_candidates() -> String {
    let (support, manager) = (
        role::held_by_param_1(Role::Support),
        role::held_by_param_1(Role::Manager),
    );
    let owner = format!("(s.assignee_id = ?1 OR (s.assignee_id IS NULL AND {support}))");
    let one = |kind: &str, due: &str, done: &str, breach: bool| {
        let (due_col, who, still) = if breach {
            (due.to_string(), format!("({owner} OR {manager})"), String::new())
        } else {
            (
                format!("{due}_warn_at"),
                owner.clone(),
                format!(" AND s.{due}_due > ?4"),
            )
        };
        let due_col = if breach { format!("{due_col}_due") } else { due_col };
        format!(
            "SELECT '{kind}', s.id, s.{due_col}, NULL, '#' || s.number || ' ' || s.subject, s.company_id, c.name,
                    NULL, NULL, NULL, NULL
               FROM support_cases s JOIN companies c ON c.id = s.company_id
              WHERE s.next_due IS NOT NULL AND s.deleted_at IS NULL AND s.{done} IS NULL{still} AND {who}"
        )
    };
    [
        one("case_response_due_soon", "first_response", "first_response_at", false),
        one("case_response_breached", "first_response", "first_response_at", true),
        one("case_resolution_due_soon", "resolution", "resolved_at", false),
        one("case_resolution_breached", "resolution", "resolved_at", true),
    ]
    .join("\n           UNION ALL\n           ")
}

/// The parameters of [`candidates_sql`], and ?4 the moment asked about.
fn candidate_params(user_id: &str, team: &TeamSettings, at: DateTime<Utc>) -> [sql::Value; 4] {
    [
        user_id.into(),
        i64::from(team.retention_days_key).into(),
        i64::from(team.retention_days_other).into(),
        to_db(at).into(),
    ]
}

/// Reminders for `user_id` due at or before `until`, not yet notified,
/// earliest first.
pub fn pending<'c>(
    conn: impl Into<Sql<'c>>,
    user_id: &str,
    team: &TeamSettings,
    until: DateTime<Utc>,
) -> Result<Vec<Reminder>> {
    let sql = format!(
        "{} SELECT kind, item_id, due, fu_kind, title, company_id, company_name, deal_id, deal_title,
                   text_kind, text_params
              FROM pending WHERE due <= ?4 ORDER BY due, kind, item_id",
        candidates_sql()
    );
    conn.into().query(&sql, &candidate_params(user_id, team, until), |r| {
        Ok(Reminder {
            kind: ReminderKind::parse(&r.get::<String>(0)?),
            item_id: r.get(1)?,
            due_at: r.get(2)?,
            follow_up_kind: r
                .get::<Option<String>>(3)?
                .map(|k| crate::error::known("follow_ups", &r.get::<String>(1)?, &k, FollowUpKind::parse))
                .transpose()?,
            title: r.get(4)?,
            engine_text: EngineText::from_cells(r.get(9)?, r.get(10)?),
            company_id: r.get(5)?,
            company_name: r.get(6)?,
            deal_id: r.get(7)?,
            deal_title: r.get(8)?,
        })
    })
}

/// The earliest due time after `after` of a reminder not yet notified.
pub fn next_due_after<'c>(
    conn: impl Into<Sql<'c>>,
    user_id: &str,
    team: &TeamSettings,
    after: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let sql = format!("{} SELECT MIN(due) FROM pending WHERE due > ?4", candidates_sql());
    let due: Option<String> = conn
        .into()
        .query_one(&sql, &candidate_params(user_id, team, after), |r| r.get(0))?;
    Ok(due.as_deref().and_then(from_db))
}

/// Records that `user_id` was told of these reminders. Returns those this
/// call recorded: a reminder another desktop of the same person recorded
/// first is theirs to show.
pub fn claim(ctx: &WriteCtx, user_id: &str, reminders: &[Reminder]) -> Result<Vec<Reminder>> {
    let mut mine = Vec::new();
    for r in reminders {
        let n = ctx.sql().execute(
            "INSERT INTO notification_log (id, user_id, item_kind, item_id, due_at, notified_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            sql::params![
                crate::id::new_id(),
                user_id,
                r.kind.as_str(),
                r.item_id,
                r.due_at,
                ctx.now
            ],
        )?;
        if n == 1 {
            mine.push(r.clone());
        }
    }
    Ok(mine)
}

/// More reminders than this at one moment become one summary.
pub const MAX_BURST: usize = 3;

/// Groups what is to be shown now: what fell due before the app started is
/// one summary (when there are several), and so is any larger burst.
pub fn group(reminders: Vec<Reminder>, started_at: DateTime<Utc>) -> Vec<Notice> {
    let started = to_db(started_at);
    let (missed, fresh): (Vec<_>, Vec<_>) = reminders.into_iter().partition(|r| r.due_at < started);
    let mut out = Vec::new();
    match missed.len() {
        0 => {}
        1 => out.extend(missed.into_iter().map(|reminder| Notice::Single {
            reminder: Box::new(reminder),
        })),
        _ => out.push(Notice::Summary {
            reminders: missed,
            missed: true,
        }),
    }
    if fresh.len() > MAX_BURST {
        out.push(Notice::Summary {
            reminders: fresh,
            missed: false,
        });
    } else {
        out.extend(fresh.into_iter().map(|reminder| Notice::Single {
            reminder: Box::new(reminder),
        }));
    }
    out
}

/// A notification the desktop could not show, told to the window instead so
/// the user still learns what fell due.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NotificationFailed {
    pub summary: String,
    pub body: String,
    pub error: String,
}

/// The words of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    pub summary: String,
    pub body: String,
}

fn follow_up_label(kind: Option<FollowUpKind>, lang: Language) -> &'static str {
    use FollowUpKind::*;
    match (kind.unwrap_or(FollowUp), lang) {
        (FollowUp, Language::Ja) => "フォロー",
        (FollowUp, Language::En) => "Follow-up",
        (DecisionDeadline, Language::Ja) => "決断期限",
        (DecisionDeadline, Language::En) => "Decision deadline",
        (Reapproach, Language::Ja) => "再アプローチ",
        (Reapproach, Language::En) => "Re-approach",
        (Renewal, Language::Ja) => "契約更新",
        (Renewal, Language::En) => "Renewal",
        (Retention, Language::Ja) => "定期連絡",
        (Retention, Language::En) => "Keep in touch",
        (Appointment, Language::Ja) => "アポイント",
        (Appointment, Language::En) => "Appointment",
    }
}

/// The one-line headline of a reminder, naming the customer.
fn headline(r: &Reminder, lang: Language) -> String {
    let title = crate::engine_text::shown(&r.title, r.engine_text.as_ref(), lang);
    let who = r.company_name.as_deref().unwrap_or(&title);
    match (r.kind, lang) {
        (ReminderKind::FollowUp, _) => format!("{}: {who}", follow_up_label(r.follow_up_kind, lang)),
        (ReminderKind::DecisionEve, Language::Ja) => format!("明日が決断期限: {who}"),
        (ReminderKind::DecisionEve, Language::En) => format!("Decision deadline tomorrow: {who}"),
        (ReminderKind::ForgottenCustomer, Language::Ja) => format!("しばらく連絡していません: {who}"),
        (ReminderKind::ForgottenCustomer, Language::En) => format!("Not contacted for a while: {who}"),
        (ReminderKind::NoNextStep, Language::Ja) => format!("次の予定がない商談: {who}"),
        (ReminderKind::NoNextStep, Language::En) => format!("Deal with no next step: {who}"),
        (ReminderKind::CaseResponseDueSoon, Language::Ja) => format!("まもなく初回回答期限: {who}"),
        (ReminderKind::CaseResponseDueSoon, Language::En) => format!("First response due soon: {who}"),
        (ReminderKind::CaseResolutionDueSoon, Language::Ja) => format!("まもなく解決期限: {who}"),
        (ReminderKind::CaseResolutionDueSoon, Language::En) => format!("Resolution due soon: {who}"),
        (ReminderKind::CaseResponseBreached, Language::Ja) => format!("初回回答期限を過ぎました: {who}"),
        (ReminderKind::CaseResponseBreached, Language::En) => format!("First response overdue: {who}"),
        (ReminderKind::CaseResolutionBreached, Language::Ja) => format!("解決期限を過ぎました: {who}"),
        (ReminderKind::CaseResolutionBreached, Language::En) => format!("Resolution overdue: {who}"),
        (ReminderKind::HandoffSent, Language::Ja) => format!("導入引き継ぎが届きました: {who}"),
        (ReminderKind::HandoffSent, Language::En) => format!("New hand-off: {who}"),
        (ReminderKind::HandoffUnacknowledged, Language::Ja) => format!("引き継ぎがまだ受領されていません: {who}"),
        (ReminderKind::HandoffUnacknowledged, Language::En) => format!("Hand-off not acknowledged yet: {who}"),
        (ReminderKind::HandoffMessage, Language::Ja) => format!("引き継ぎへのメッセージ: {who}"),
        (ReminderKind::HandoffMessage, Language::En) => format!("New message on a hand-off: {who}"),
        (ReminderKind::LeadAssigned, Language::Ja) => format!("新しいリードの担当になりました: {who}"),
        (ReminderKind::LeadAssigned, Language::En) => format!("New lead for you: {who}"),
        (ReminderKind::LeadResponseBreached, Language::Ja) => format!("リードの初回対応期限を過ぎました: {who}"),
        (ReminderKind::LeadResponseBreached, Language::En) => format!("Lead not answered in time: {who}"),
        (ReminderKind::LeadResurfaced, Language::Ja) => format!("ナーチャリング中のリードが再浮上: {who}"),
        (ReminderKind::LeadResurfaced, Language::En) => format!("A nurtured lead came back: {who}"),
    }
}

fn detail(r: &Reminder, lang: Language, offset: FixedOffset) -> String {
    match r.kind {
        ReminderKind::FollowUp | ReminderKind::DecisionEve => {
            let when = from_db(&r.due_at)
                .map(|t| t.with_timezone(&offset).format("%m/%d %H:%M").to_string())
                .unwrap_or_default();
            let title = crate::engine_text::shown(&r.title, r.engine_text.as_ref(), lang);
            let subject = match &r.deal_title {
                Some(d) if *d != r.title && !title.contains(d.as_str()) => format!("{title} ({d})"),
                _ => title,
            };
            format!("{subject}\n{when}")
        }
        ReminderKind::ForgottenCustomer => match lang {
            Language::Ja => "定期連絡の間隔を過ぎました。近況を伺ってみましょう。".into(),
            Language::En => "Past the keep-in-touch interval: time to ask how they are doing.".into(),
        },
        ReminderKind::NoNextStep => match lang {
            Language::Ja => "次のフォローを予定してください。".into(),
            Language::En => "Plan the next follow-up.".into(),
        },
        // The case's number and subject, and when the target is (was) due.
        ReminderKind::CaseResponseDueSoon
        | ReminderKind::CaseResolutionDueSoon
        | ReminderKind::CaseResponseBreached
        | ReminderKind::CaseResolutionBreached => {
            let when = from_db(&r.due_at)
                .map(|t| t.with_timezone(&offset).format("%m/%d %H:%M").to_string())
                .unwrap_or_default();
            format!("{}\n{when}", r.title)
        }
        // What was sold, or the message itself, as written.
        ReminderKind::HandoffSent | ReminderKind::HandoffUnacknowledged | ReminderKind::HandoffMessage => {
            r.title.clone()
        }
        // The lead's number and who they are.
        ReminderKind::LeadAssigned | ReminderKind::LeadResponseBreached | ReminderKind::LeadResurfaced => {
            r.title.clone()
        }
    }
}

pub fn render(notice: &Notice, lang: Language, offset: FixedOffset) -> NoticeText {
    match notice {
        Notice::Single { reminder } => NoticeText {
            summary: headline(reminder, lang),
            body: detail(reminder, lang, offset),
        },
        Notice::Summary { reminders, missed } => {
            let n = reminders.len();
            let summary = match (missed, lang) {
                (true, Language::Ja) => format!("Kizuna を閉じている間に {n} 件の期限が来ました"),
                (true, Language::En) => format!("{n} items fell due while Kizuna was closed"),
                (false, Language::Ja) => format!("{n} 件の期限が来ました"),
                (false, Language::En) => format!("{n} items are due"),
            };
            let mut lines: Vec<String> = reminders.iter().take(MAX_BURST).map(|r| headline(r, lang)).collect();
            if n > MAX_BURST {
                lines.push(match lang {
                    Language::Ja => format!("ほか {} 件", n - MAX_BURST),
                    Language::En => format!("and {} more", n - MAX_BURST),
                });
            }
            NoticeText {
                summary,
                body: lines.join("\n"),
            }
        }
    }
}

/// What the scheduler should do at `now`: show `due` (already grouped), then
/// wake at `next_wake`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub due: Vec<Reminder>,
    pub next_wake: Option<DateTime<Utc>>,
}

/// Decides what is due at `now` for a person, and when to look again. In
/// quiet hours nothing is due; everything waits for their end.
pub fn step<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    user_id: &str,
    prefs: &NotifyPrefs,
    team: &TeamSettings,
) -> Result<Step> {
    let conn = conn.into();
    let now = clock.now();
    let offset = clock.offset();
    if !prefs.enabled {
        return Ok(Step {
            due: Vec::new(),
            next_wake: None,
        });
    }
    let due = pending(conn, user_id, team, now)?;
    if !due.is_empty() && prefs.is_quiet(now, offset) {
        return Ok(Step {
            due: Vec::new(),
            next_wake: Some(prefs.next_allowed(now, offset)),
        });
    }
    let next = next_due_after(conn, user_id, team, now)?.map(|t| prefs.next_allowed(t, offset));
    Ok(Step { due, next_wake: next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followups::follow_up::{self, NewFollowUp};
    use crate::testutil::{colleague, entry, fixture, log, seed_pipeline, Fixture};
    use crate::timeline::activity::ActivityKind;

    fn at(s: &str) -> DateTime<Utc> {
        from_db(s).unwrap()
    }

    fn jst() -> FixedOffset {
        FixedOffset::east_opt(9 * 3600).unwrap()
    }

    fn no_quiet() -> NotifyPrefs {
        NotifyPrefs {
            enabled: true,
            quiet_start: None,
            quiet_end: None,
            working_days: vec![1, 2, 3, 4, 5, 6, 7],
        }
    }

    fn plan(f: &mut Fixture, company_id: Option<&str>, title: &str, due_at: &str) -> String {
        let n = NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: title.into(),
            due_at: due_at.into(),
            assignee_id: None,
            company_id: company_id.map(String::from),
            deal_id: None,
            contract_id: None,
            activity_id: None,
        };
        f.db.write(|ctx| follow_up::create(ctx, &n)).unwrap()
    }

    fn step_now(f: &Fixture, prefs: &NotifyPrefs) -> Step {
        let team = TeamSettings::load(f.db.sql()).unwrap();
        step(f.db.sql(), &f.clock, &f.db.user().id, prefs, &team).unwrap()
    }

    fn deliver(f: &mut Fixture, due: &[Reminder]) -> Vec<Reminder> {
        let me = f.db.user().id.clone();
        f.db.write(|ctx| claim(ctx, &me, due)).unwrap()
    }

    /// Only reminders of follow-ups: the fixture's company has no owner and
    /// no deals, so nothing else falls due.
    fn follow_ups_only(s: &Step) -> Vec<&str> {
        s.due.iter().map(|r| r.title.as_str()).collect()
    }

    #[test]
    fn quiet_hours_span_midnight_and_days_off_wait_for_the_next_working_morning() {
        let p = NotifyPrefs::default(); // 20:00–08:00, Monday to Friday
                                        // Wednesday 2026-11-25.
        assert!(!p.is_quiet(at("2026-11-25T10:00:00Z"), jst())); // 19:00 JST
        assert!(p.is_quiet(at("2026-11-25T11:00:00Z"), jst())); // 20:00 JST
        assert!(p.is_quiet(at("2026-11-25T22:59:59Z"), jst())); // 07:59 JST Thu
        assert!(!p.is_quiet(at("2026-11-25T23:00:00Z"), jst())); // 08:00 JST Thu
        assert_eq!(
            p.next_allowed(at("2026-11-25T12:00:00Z"), jst()),
            at("2026-11-25T23:00:00Z")
        );
        // Friday 21:00 JST → Monday 08:00 JST.
        assert_eq!(
            p.next_allowed(at("2026-11-27T12:00:00Z"), jst()),
            at("2026-11-29T23:00:00Z")
        );
        // Saturday noon → Monday 08:00.
        assert_eq!(
            p.next_allowed(at("2026-11-28T03:00:00Z"), jst()),
            at("2026-11-29T23:00:00Z")
        );
        // Allowed times stay.
        assert_eq!(
            p.next_allowed(at("2026-11-25T01:00:00Z"), jst()),
            at("2026-11-25T01:00:00Z")
        );
        // Daytime quiet hours (lunch) do not span midnight.
        let lunch = NotifyPrefs {
            quiet_start: Some("12:00".into()),
            quiet_end: Some("13:00".into()),
            ..no_quiet()
        };
        assert!(lunch.is_quiet(at("2026-11-25T03:30:00Z"), jst()));
        assert!(!lunch.is_quiet(at("2026-11-25T04:00:00Z"), jst()));
        assert_eq!(
            lunch.next_allowed(at("2026-11-25T03:30:00Z"), jst()),
            at("2026-11-25T04:00:00Z")
        );
    }

    #[test]
    fn preferences_are_validated_and_kept_per_person() {
        let mut f = fixture();
        let bad = NotifyPrefs {
            quiet_start: Some("25:00".into()),
            ..NotifyPrefs::default()
        };
        crate::testutil::assert_invalid(f.db.write(|ctx| save_prefs(ctx, &bad)), "quiet_start", "format");
        let half = NotifyPrefs {
            quiet_end: None,
            ..NotifyPrefs::default()
        };
        crate::testutil::assert_invalid(f.db.write(|ctx| save_prefs(ctx, &half)), "quiet_end", "required");
        let none = NotifyPrefs {
            working_days: vec![],
            ..NotifyPrefs::default()
        };
        crate::testutil::assert_invalid(f.db.write(|ctx| save_prefs(ctx, &none)), "working_days", "required");
        let mine = NotifyPrefs {
            quiet_start: Some("7:30".into()),
            quiet_end: Some("22:00".into()),
            working_days: vec![6, 1, 1],
            enabled: true,
        };
        f.db.write(|ctx| save_prefs(ctx, &mine)).unwrap();
        let me = f.db.user().id.clone();
        let saved = load_prefs(f.db.sql(), &me).unwrap();
        assert_eq!(saved.quiet_start.as_deref(), Some("07:30"));
        assert_eq!(saved.working_days, [1, 6]);
        let sato = colleague(&f, "sato", "佐藤");
        assert_eq!(load_prefs(sato.sql(), &sato.user().id).unwrap(), NotifyPrefs::default());
    }

    #[test]
    fn a_follow_up_is_due_at_its_time_and_notified_once() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        plan(&mut f, Some(&s.company_id), "見積のご確認", "2026-11-25T01:00:30Z");
        let prefs = no_quiet();
        let first = step_now(&f, &prefs);
        assert!(first.due.is_empty());
        assert_eq!(first.next_wake, Some(at("2026-11-25T01:00:30Z")));

        f.clock.advance(Duration::seconds(30));
        let due = step_now(&f, &prefs);
        assert_eq!(follow_ups_only(&due), ["見積のご確認"]);
        assert_eq!(due.due[0].company_name.as_deref(), Some("株式会社テスト"));
        assert_eq!(deliver(&mut f, &due.due).len(), 1);

        // Recorded: neither this desktop after a restart nor another of the
        // same person sees it again.
        assert!(step_now(&f, &prefs).due.is_empty());
        let mut other_pc = colleague(&f, "tanaka", "田中 太郎");
        let again = pending(other_pc.sql(), &f.db.user().id, &TeamSettings::default(), f.clock.now()).unwrap();
        assert!(again.is_empty());
        let me = f.db.user().id.clone();
        assert!(other_pc.write(|ctx| claim(ctx, &me, &due.due)).unwrap().is_empty());
    }

    #[test]
    fn snoozing_brings_the_reminder_back_at_the_new_time() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = plan(&mut f, Some(&s.company_id), "お礼の電話", "2026-11-25T01:00:00Z");
        let prefs = no_quiet();
        let due = step_now(&f, &prefs);
        deliver(&mut f, &due.due);
        let until = f.clock.now() + Duration::minutes(10);
        f.db.write(|ctx| follow_up::snooze(ctx, &id, 1, until)).unwrap();
        let s1 = step_now(&f, &prefs);
        assert!(s1.due.is_empty());
        assert_eq!(s1.next_wake, Some(until));
        f.clock.advance(Duration::minutes(10));
        let s2 = step_now(&f, &prefs);
        assert_eq!(follow_ups_only(&s2), ["お礼の電話"]);
        assert_eq!(s2.due[0].due_at, to_db(until));
    }

    #[test]
    fn reminders_due_in_quiet_hours_wait_until_they_end() {
        let mut f = fixture(); // Wednesday 10:00 JST
        let s = seed_pipeline(&mut f.db);
        plan(&mut f, Some(&s.company_id), "夜のフォロー", "2026-11-25T12:00:00Z"); // 21:00 JST
        let prefs = NotifyPrefs::default();
        assert_eq!(step_now(&f, &prefs).next_wake, Some(at("2026-11-25T23:00:00Z")));
        f.clock.advance(Duration::hours(11)); // 21:00 JST: due but quiet
        let quiet = step_now(&f, &prefs);
        assert!(quiet.due.is_empty());
        assert_eq!(quiet.next_wake, Some(at("2026-11-25T23:00:00Z")));
        f.clock.advance(Duration::hours(11)); // Thursday 08:00 JST
        assert_eq!(follow_ups_only(&step_now(&f, &prefs)), ["夜のフォロー"]);
        // Switched off: nothing, and no wake-up either.
        let off = NotifyPrefs {
            enabled: false,
            ..prefs
        };
        assert_eq!(
            step_now(&f, &off),
            Step {
                due: vec![],
                next_wake: None
            }
        );
    }

    #[test]
    fn only_the_assignees_desktop_reminds_and_reassigning_moves_it() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = plan(&mut f, Some(&s.company_id), "引き継ぎ", "2026-11-25T00:30:00Z");
        let sato = colleague(&f, "sato", "佐藤");
        let team = TeamSettings::default();
        let sato_id = sato.user().id.clone();
        assert!(pending(sato.sql(), &sato_id, &team, f.clock.now()).unwrap().is_empty());
        f.db.write(|ctx| follow_up::reassign(ctx, &id, 1, &sato_id)).unwrap();
        let theirs = pending(sato.sql(), &sato_id, &team, f.clock.now()).unwrap();
        assert_eq!(theirs.len(), 1);
        assert!(step_now(&f, &no_quiet()).due.is_empty());
    }

    #[test]
    fn a_decision_deadline_reminds_the_day_before_and_on_the_day() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let n = NewFollowUp {
            kind: FollowUpKind::DecisionDeadline,
            title: "決断期限".into(),
            due_at: "2026-11-27T00:00:00Z".into(), // Friday 09:00 JST
            assignee_id: None,
            company_id: Some(s.company_id.clone()),
            deal_id: None,
            contract_id: None,
            activity_id: None,
        };
        f.db.write(|ctx| follow_up::create(ctx, &n)).unwrap();
        let prefs = no_quiet();
        assert_eq!(step_now(&f, &prefs).next_wake, Some(at("2026-11-26T00:00:00Z")));
        f.clock.advance(Duration::hours(24));
        let eve = step_now(&f, &prefs);
        assert_eq!(
            eve.due.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ReminderKind::DecisionEve]
        );
        deliver(&mut f, &eve.due);
        assert_eq!(step_now(&f, &prefs).next_wake, Some(at("2026-11-27T00:00:00Z")));
        f.clock.advance(Duration::hours(24));
        let day = step_now(&f, &prefs);
        assert_eq!(
            day.due.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ReminderKind::FollowUp]
        );
        let text = render(
            &Notice::Single {
                reminder: Box::new(day.due[0].clone()),
            },
            Language::Ja,
            jst(),
        );
        assert_eq!(text.summary, "決断期限: 株式会社テスト");
    }

    #[test]
    fn a_follow_up_the_engine_titled_is_told_in_the_recipients_language() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        // Planned by a Japanese colleague's desktop (its words are stored),
        // told to whoever it is for in their own language.
        let n = NewFollowUp {
            kind: FollowUpKind::Renewal,
            title: String::new(),
            due_at: "2026-11-25T00:30:00Z".into(),
            assignee_id: None,
            company_id: Some(s.company_id.clone()),
            deal_id: None,
            contract_id: None,
            activity_id: None,
        };
        let text = crate::engine_text::EngineText::RenewalHearingDue {
            company: "株式会社テスト".into(),
            plan: "クラウド会計".into(),
        };
        f.db.write(|ctx| follow_up::create_titled(ctx, &n, &text)).unwrap();
        let due = step_now(&f, &no_quiet()).due;
        let notice = Notice::Single {
            reminder: Box::new(due[0].clone()),
        };
        let en = render(&notice, Language::En, jst());
        assert_eq!(en.summary, "Renewal: 株式会社テスト");
        assert_eq!(en.body, "Renewal hearing: 株式会社テスト クラウド会計\n11/25 09:30");
        let ja = render(&notice, Language::Ja, jst());
        assert_eq!(ja.summary, "契約更新: 株式会社テスト");
        assert_eq!(ja.body, "更新ヒアリング: 株式会社テスト クラウド会計\n11/25 09:30");
        // In a summary of several, each line names the customer in the reader's words.
        let many = Notice::Summary {
            reminders: vec![due[0].clone(), due[0].clone()],
            missed: true,
        };
        assert_eq!(
            render(&many, Language::En, jst()).body,
            "Renewal: 株式会社テスト\nRenewal: 株式会社テスト"
        );
    }

    #[test]
    fn forgotten_customers_and_deals_without_a_next_step_remind_their_owner() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let me = f.db.user().id.clone();
        f.db.sql()
            .execute("UPDATE companies SET owner_id = ?1, segment = 'key'", sql::params![&me])
            .unwrap();
        log(
            &mut f.db,
            &entry(&s.company_id, ActivityKind::Call, "2026-11-01T01:00:00Z", "電話"),
        );
        let prefs = no_quiet();
        // A prospect that never bought is followed through its deals, not
        // on a retention interval: nothing falls due for it.
        assert_eq!(step_now(&f, &prefs).next_wake, None);
        // Once it bought, it is a customer to keep in touch with.
        s.deal(&mut f.db, "初回受注", s.stage("受注"), 100, "JPY");
        // Key account: 30 days after the last call.
        assert_eq!(step_now(&f, &prefs).next_wake, Some(at("2026-12-01T01:00:00Z")));
        f.clock.advance(Duration::days(7));
        let due = step_now(&f, &prefs);
        assert_eq!(
            due.due.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ReminderKind::ForgottenCustomer]
        );
        deliver(&mut f, &due.due);
        // A new touch resets the interval: a new reminder 30 days later.
        log(
            &mut f.db,
            &entry(&s.company_id, ActivityKind::Meeting, "2026-12-02T01:00:00Z", "訪問"),
        );
        assert_eq!(step_now(&f, &prefs).next_wake, Some(at("2027-01-01T01:00:00Z")));

        // An open deal of mine with nothing planned: due a day after its
        // last activity, gone once a follow-up is planned.
        let deal = s.deal(&mut f.db, "新規案件", s.stage("提案"), 100, "JPY");
        f.db.sql()
            .execute("UPDATE deals SET owner_id = ?1", sql::params![&me])
            .unwrap();
        f.clock.advance(Duration::days(2));
        let due = step_now(&f, &prefs);
        assert_eq!(
            due.due.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ReminderKind::NoNextStep]
        );
        s.follow_up(&mut f.db, &deal, "2026-12-20T00:00:00Z");
        assert!(step_now(&f, &prefs).due.is_empty());

        // A customer the team lost, with a re-approach planned, is not
        // reminded as forgotten before that date: the team chose to wait.
        f.clock.advance(Duration::days(40));
        assert!(step_now(&f, &prefs)
            .due
            .iter()
            .any(|r| r.kind == ReminderKind::ForgottenCustomer));
        f.db.write(|ctx| {
            crate::followups::follow_up::create(
                ctx,
                &crate::followups::follow_up::NewFollowUp {
                    kind: crate::followups::follow_up::FollowUpKind::Reapproach,
                    title: "再アプローチ".into(),
                    due_at: "2027-06-01T00:00:00Z".into(),
                    assignee_id: None,
                    company_id: Some(s.company_id.clone()),
                    deal_id: None,
                    contract_id: None,
                    activity_id: None,
                },
            )
        })
        .unwrap();
        assert!(!step_now(&f, &prefs)
            .due
            .iter()
            .any(|r| r.kind == ReminderKind::ForgottenCustomer));
    }

    #[test]
    fn what_fell_due_while_closed_is_one_summary_and_bursts_are_grouped() {
        let r = |title: &str, due: &str| Reminder {
            kind: ReminderKind::FollowUp,
            item_id: title.into(),
            due_at: due.into(),
            follow_up_kind: None,
            title: title.into(),
            engine_text: None,
            company_id: None,
            company_name: Some(format!("{title}社")),
            deal_id: None,
            deal_title: None,
        };
        let started = at("2026-11-25T01:00:00Z");
        let notices = group(
            vec![
                r("a", "2026-11-24T01:00:00Z"),
                r("b", "2026-11-25T00:59:00Z"),
                r("c", "2026-11-25T01:00:05Z"),
            ],
            started,
        );
        assert_eq!(notices.len(), 2);
        assert!(matches!(&notices[0], Notice::Summary { reminders, missed: true } if reminders.len() == 2));
        assert!(matches!(&notices[1], Notice::Single { reminder } if reminder.title == "c"));
        let text = render(&notices[0], Language::Ja, jst());
        assert_eq!(text.summary, "Kizuna を閉じている間に 2 件の期限が来ました");
        assert_eq!(text.body, "フォロー: a社\nフォロー: b社");

        let burst: Vec<_> = (0..5).map(|i| r(&format!("x{i}"), "2026-11-25T02:00:00Z")).collect();
        let notices = group(burst, started);
        assert_eq!(notices.len(), 1);
        let text = render(&notices[0], Language::En, jst());
        assert_eq!(text.summary, "5 items are due");
        assert!(text.body.ends_with("and 2 more"), "{}", text.body);
        // A single missed one is just itself.
        assert!(matches!(
            &group(vec![r("a", "2026-11-24T01:00:00Z")], started)[0],
            Notice::Single { .. }
        ));
    }
}
