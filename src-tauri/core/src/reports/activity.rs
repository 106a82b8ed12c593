//! What the team did: touches (meetings, calls, mails) per member and per
//! week, and whether follow-ups were done on time.
//!
//! A touch counts for the member who logged it (its author), in the week
//! of its day on the user's calendar, weeks starting on Monday. A
//! follow-up due in the period is on time when done on or before its due
//! day, late when done after it, overdue when still open past its due time.
//! Cancelled ones are left out: nobody owed them any more.

use super::{monday, Builder, Chart, ChartId, DrillKind, LabelKind, Query, Unit};
use crate::clock::to_db;
use crate::error::Result;
use crate::store::sql;

pub const TOUCH_KINDS: [&str; 3] = ["meeting", "call", "email"];

pub const TOUCHES: &str = "
SELECT a.company_id, a.kind, a.author_id, COALESCE(u.display_name, ''), c.segment, a.occurred_at
  FROM activities a
  JOIN companies c ON c.id = a.company_id
  LEFT JOIN users u ON u.id = a.author_id
 WHERE a.occurred_at >= ?1 AND a.occurred_at < ?2 AND a.deleted_at IS NULL
   AND a.kind IN ('meeting', 'call', 'email')
   AND c.deleted_at IS NULL AND c.archived_at IS NULL
 ORDER BY a.id";

pub const FOLLOW_UPS: &str = "
SELECT f.id, f.assignee_id, COALESCE(u.display_name, ''), COALESCE(c.segment, 'normal'), f.status, f.due_at, f.done_at
  FROM follow_ups f
  LEFT JOIN companies c ON c.id = f.company_id
  LEFT JOIN users u ON u.id = f.assignee_id
 WHERE f.due_at >= ?1 AND f.due_at < ?2 AND f.deleted_at IS NULL AND f.status IN ('open', 'done')
   AND (c.id IS NULL OR (c.deleted_at IS NULL AND c.archived_at IS NULL))
 ORDER BY f.id";

pub fn charts(q: &Query) -> Result<Vec<Chart>> {
    let mut by_member = Builder::new();
    let mut by_week = Builder::new();
    for w in q.weeks() {
        let key = w.to_string();
        by_week.category(&key, &key, LabelKind::Week);
    }
    for k in TOUCH_KINDS {
        by_member.series(k, k, LabelKind::Code);
        by_week.series(k, k, LabelKind::Code);
    }
    q.conn.query(TOUCHES, sql::params![&q.start, &q.end], |r| {
        let company: String = r.get(0)?;
        let kind: String = r.get(1)?;
        let author: Option<String> = r.get(2)?;
        let name: String = r.get(3)?;
        let segment: String = r.get(4)?;
        if !q.keeps(author.as_deref(), &segment, None) {
            return Ok(());
        }
        let Some(si) = TOUCH_KINDS.iter().position(|k| *k == kind) else {
            return Ok(());
        };
        let mi = match &author {
            Some(a) => by_member.category(a, &name, LabelKind::Text),
            None => by_member.category("", "nobody", LabelKind::Code),
        };
        by_member.add(si, mi, 1.0, Some(&company));
        let at: String = r.get(5)?;
        if let Some(day) = q.local_day(&at) {
            let wi = by_week.category(&monday(day).to_string(), &monday(day).to_string(), LabelKind::Week);
            by_week.add(si, wi, 1.0, Some(&company));
        }
        Ok(())
    })?;

    let mut punctual = Builder::new();
    let on_time = punctual.series("on_time", "on_time", LabelKind::Code);
    let late = punctual.series("late", "late", LabelKind::Code);
    let overdue = punctual.series("overdue", "overdue", LabelKind::Code);
    let now = to_db(q.now);
    q.conn.query(FOLLOW_UPS, sql::params![&q.start, &q.end], |r| {
        let id: String = r.get(0)?;
        let assignee: Option<String> = r.get(1)?;
        let name: String = r.get(2)?;
        let segment: String = r.get(3)?;
        if !q.keeps(assignee.as_deref(), &segment, None) {
            return Ok(());
        }
        let status: String = r.get(4)?;
        let due: String = r.get(5)?;
        let done: Option<String> = r.get(6)?;
        let series = match (status.as_str(), done) {
            ("done", Some(done)) => match (q.local_day(&done), q.local_day(&due)) {
                (Some(d), Some(u)) if d <= u => on_time,
                _ => late,
            },
            ("open", _) if due < now => overdue,
            _ => return Ok(()),
        };
        let ci = match &assignee {
            Some(a) => punctual.category(a, &name, LabelKind::Text),
            None => punctual.category("", "nobody", LabelKind::Code),
        };
        punctual.add(series, ci, 1.0, Some(&id));
        Ok(())
    })?;
    Ok(vec![
        by_member.build(ChartId::ActivityByMember, Unit::Count, None, true, DrillKind::Companies),
        by_week.build(ChartId::ActivityByWeek, Unit::Count, None, true, DrillKind::Companies),
        punctual.build(ChartId::Punctuality, Unit::Count, None, true, DrillKind::FollowUps),
    ])
}
