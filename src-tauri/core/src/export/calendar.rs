//! Open work as calendar events: follow-ups (every kind, renewal steps
//! included) or, for contracts, the renewal steps and each running
//! contract's last day. All-day events on the day in the reader's zone.
//! Archived customers' work is left out, as it is from the reminders.

use super::{date, ExportKind, Scope};
use crate::engine_text::{self, EngineText};
use crate::error::Result;
use crate::writers::ics::{Calendar, Event};
use std::io::Write;

/// `updated_at` as an iCalendar UTC stamp.
fn stamp(stored: &str) -> String {
    crate::clock::from_db(stored)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| "19700101T000000Z".into())
}

pub(super) fn write(scope: &Scope, kind: ExportKind, out: &mut dyn Write) -> Result<u64> {
    let name = match (kind, scope.ja()) {
        (ExportKind::Contracts, true) => "Kizuna 契約更新",
        (ExportKind::Contracts, false) => "Kizuna renewals",
        (_, true) => "Kizuna フォローアップ",
        (_, false) => "Kizuna follow-ups",
    };
    let mut cal = Calendar::new(out, name)?;
    let renewal_only = kind == ExportKind::Contracts;
    let sql = format!(
        "SELECT f.id AS rid, f.id, f.version, f.updated_at, COALESCE(f.snoozed_until, f.due_at) AS due, f.title,
                f.text_kind, f.text_params, co.name AS company
           FROM follow_ups f LEFT JOIN companies co ON co.id = f.company_id
          WHERE f.deleted_at IS NULL AND f.status = 'open' AND co.deleted_at IS NULL AND co.archived_at IS NULL
            AND f.id > ?1 AND (?3 IS NULL OR f.assignee_id = ?3) AND (?4 IS NULL OR 1 = 1) {}
          ORDER BY f.id LIMIT ?2",
        if renewal_only {
            "AND f.contract_id IS NOT NULL"
        } else {
            ""
        }
    );
    let mut rows = scope.each_page(
        &sql,
        |r| {
            let written = EngineText::from_columns(
                r.get::<Option<String>>("text_kind")?.as_deref(),
                r.get::<Option<String>>("text_params")?.as_deref(),
            );
            let id: String = r.get("id")?;
            Ok((
                r.get("rid")?,
                (
                    r.get::<Option<String>>("due")?,
                    Event {
                        uid: format!("follow-up-{id}@kizuna"),
                        day: chrono::NaiveDate::MIN,
                        summary: engine_text::shown(&r.get::<String>("title")?, written.as_ref(), scope.lang),
                        description: r.get::<Option<String>>("company")?.unwrap_or_default(),
                        stamp: stamp(&r.get::<String>("updated_at")?),
                        sequence: r.get("version")?,
                    },
                ),
            ))
        },
        |(due, mut event)| {
            let Some(day) = scope.local(due).map(|t| t.date()) else {
                return Ok(());
            };
            event.day = day;
            cal.event(&event)
        },
    )?;
    if renewal_only {
        rows += scope.each_page(
            "SELECT k.id AS rid, k.id, k.version, k.updated_at, k.end_date, k.plan, co.name AS company
               FROM contracts k JOIN companies co ON co.id = k.company_id
              WHERE k.deleted_at IS NULL AND k.status IN ('active', 'in_renewal')
                AND co.deleted_at IS NULL AND co.archived_at IS NULL
                AND k.id > ?1 AND (?3 IS NULL OR k.owner_id = ?3) AND (?4 IS NULL OR 1 = 1)
              ORDER BY k.id LIMIT ?2",
            |r| {
                let id: String = r.get("id")?;
                let (company, plan): (String, String) = (r.get("company")?, r.get("plan")?);
                let summary = if scope.ja() {
                    format!("契約終了: {company} {plan}")
                } else {
                    format!("Contract ends: {company} {plan}")
                };
                Ok((
                    r.get("rid")?,
                    (
                        date(r.get("end_date")?),
                        Event {
                            uid: format!("contract-end-{id}@kizuna"),
                            day: chrono::NaiveDate::MIN,
                            summary,
                            description: String::new(),
                            stamp: stamp(&r.get::<String>("updated_at")?),
                            sequence: r.get("version")?,
                        },
                    ),
                ))
            },
            |(end, mut event)| {
                let Some(day) = end else { return Ok(()) };
                event.day = day;
                cal.event(&event)
            },
        )?;
    }
    cal.finish()?;
    Ok(rows)
}
