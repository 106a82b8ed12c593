//! Erasing a person (「私の情報を消してください」, APPI art. 35): their
//! personal data goes from every row of the team file — the contact's
//! fields, their leads, their words and name in timeline entries, mails,
//! cases, hand-offs and follow-ups, the audit trail's copies of them — and
//! from the search indexes, while what the team did stays as an anonymous
//! fact (a deal's amount and stage, a meeting's date, the counts).
//!
//! In one write: a colleague sees the person either whole or gone. The
//! connection runs with `secure_delete` on, so the pages the old text was on
//! are zeroed rather than freed with it; the search indexes are then merged
//! (FTS5 `optimize`), since a contentless index forgets a row by a tombstone
//! and keeps its terms until a merge; and finally the file is rewritten
//! without free space ([`Db::compact`]), where earlier edits may have left
//! old text. What it cannot reach (copies outside the file: backups, a
//! colleague's outbox, exports already made) is in docs/security.md.
//!
//! What is kept: that an erasure happened, by whom, when and of which record
//! id (`erasures`, and an `erase` entry in the audit trail) — never what was
//! erased; and a salted hash of each of the person's mail addresses, so they
//! are never mailed again (mail/suppression.rs). Undo is impossible by
//! design: nothing is kept to undo with.

use super::person::{self, placeholders, Person};
use super::redact::{redact_stored, Needles};
use crate::error::{Error, Result};
use crate::language::Language;
use crate::store::changes::Entity;
use crate::store::sql;
use crate::store::write::WriteCtx;
use crate::Db;
use rusqlite::{params_from_iter, types::Value as Sql, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the confirmation shows before anything is erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ErasePreview {
    pub contact_id: String,
    /// The name the user must type to confirm.
    pub name: String,
    pub company_name: String,
    /// Records that name the person (by link or in their text), by kind.
    pub timeline: u32,
    pub deals: u32,
    pub mails: u32,
    pub leads: u32,
    pub cases: u32,
    pub enrolments: u32,
    pub erased: bool,
    /// How many daily copies a desktop keeps (store/backup.rs): the person
    /// is gone from every daily copy once that many more have been taken.
    pub daily_backups_kept: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Erased {
    /// Rows changed in the file (the contact, its links and every text the
    /// person was taken out of).
    pub rows_changed: u32,
    /// The file was rewritten without free space; `false` when colleagues
    /// kept it busy past the wait (the next erasure or `kizuna compact` does it).
    pub compacted: bool,
}

/// The words that stand where the person was, in the eraser's language.
pub fn erased_contact_name(lang: Language) -> &'static str {
    match lang {
        Language::Ja => "削除済みの連絡先",
        Language::En => "Erased contact",
    }
}

pub fn erased_mark(lang: Language) -> &'static str {
    match lang {
        Language::Ja => "［削除済み］",
        Language::En => "[erased]",
    }
}

/// Tables never searched for the person: the team's own members and
/// settings, and the erasure's own records.
const NOT_THE_PERSONS: &[&str] = &["users", "member_sessions", "settings", "erasures", "mail_suppressions"];

/// A table's rows as the change feed names them: the entity and the column
/// holding the id a colleague's view refreshes by.
fn feed(table: &str) -> Option<(Entity, &'static str)> {
    Some(match table {
        "companies" => (Entity::Company, "id"),
        "contacts" => (Entity::Contact, "id"),
        "deals" => (Entity::Deal, "id"),
        "activities" => (Entity::Activity, "id"),
        "follow_ups" => (Entity::FollowUp, "id"),
        "contracts" => (Entity::Contract, "id"),
        "support_cases" => (Entity::SupportCase, "id"),
        "case_events" => (Entity::SupportCase, "case_id"),
        "handoffs" => (Entity::Handoff, "id"),
        "handoff_messages" | "handoff_promises" => (Entity::Handoff, "handoff_id"),
        "leads" => (Entity::Lead, "id"),
        "lead_events" => (Entity::Lead, "lead_id"),
        "sequence_enrolments" => (Entity::Enrolment, "id"),
        "mail_sends" => (Entity::MailSend, "key"),
        _ => return None,
    })
}

fn count(conn: &Connection, sql: &str, args: &[String]) -> Result<u32> {
    Ok(conn.query_row(sql, params_from_iter(args.iter()), |r| r.get(0))?)
}

/// The timeline entries that name the person: met on them, or named in
/// their text.
pub(crate) fn timeline_sql(p: &Person) -> (String, Vec<String>) {
    let ids = placeholders(1, p.contact_ids.len());
    let mut args = p.contact_ids.clone();
    let mut named = Vec::new();
    for n in &p.needles.names {
        args.push(n.clone());
        let a = args.len();
        named.push(format!(
            "instr(a.summary, ?{a}) OR instr(a.body, ?{a}) OR instr(a.minutes, ?{a})"
        ));
    }
    let text = if named.is_empty() {
        String::new()
    } else {
        format!(" OR {}", named.join(" OR "))
    };
    (
        format!(
            "a.contact_id IN ({ids}) OR a.id IN (SELECT activity_id FROM activity_contacts WHERE contact_id IN ({ids})){text}"
        ),
        args,
    )
}

pub fn preview(conn: &Connection, viewer_id: &str, contact_id: &str) -> Result<ErasePreview> {
    crate::team::role::require_manager(conn, viewer_id)?;
    let p = person::load(conn, contact_id)?;
    let ids = placeholders(1, p.contact_ids.len());
    let (timeline_where, timeline_args) = timeline_sql(&p);
    let mail_args: Vec<String> = p.mails.iter().map(|m| m.to_lowercase()).collect();
    let mails = if mail_args.is_empty() {
        0
    } else {
        count(
            conn,
            &format!(
                "SELECT count(*) FROM mail_sends WHERE lower(to_address) IN ({})",
                placeholders(1, mail_args.len())
            ),
            &mail_args,
        )?
    };
    Ok(ErasePreview {
        contact_id: p.contact_id.clone(),
        name: p.name.clone(),
        company_name: p.company_name.clone(),
        timeline: count(
            conn,
            &format!("SELECT count(*) FROM activities a WHERE {timeline_where}"),
            &timeline_args,
        )?,
        deals: count(
            conn,
            &format!("SELECT count(*) FROM deals WHERE contact_id IN ({ids})"),
            &p.contact_ids,
        )?,
        mails,
        leads: p.lead_ids.len() as u32,
        cases: count(
            conn,
            &format!("SELECT count(*) FROM support_cases WHERE contact_id IN ({ids})"),
            &p.contact_ids,
        )?,
        enrolments: count(
            conn,
            &format!(
                "SELECT count(*) FROM sequence_enrolments
                  WHERE contact_id IN ({ids}) OR (target_kind = 'contact' AND target_id IN ({ids}))"
            ),
            &p.contact_ids,
        )?,
        erased: p.erased,
        daily_backups_kept: crate::store::backup::KEEP_DAILY as u32,
    })
}

/// Whether what the user typed is the person's name (spaces and width aside).
fn confirms(typed: &str, name: &str) -> bool {
    let squash = |s: &str| -> String {
        crate::text::fold(s)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
            .collect()
    };
    !squash(name).is_empty() && squash(typed) == squash(name)
}

/// Erases contact `contact_id`; `typed_name` is what the user typed to
/// confirm. Only a manager may; nothing can undo it.
pub fn erase(db: &mut Db, contact_id: &str, typed_name: &str) -> Result<Erased> {
    db.conn().pragma_update(None, "secure_delete", "ON")?;
    let erased = db.write(|ctx| erase_in(ctx, contact_id, typed_name));
    let _ = db.conn().pragma_update(None, "secure_delete", "OFF");
    let rows_changed = erased?;
    let compacted = match db.compact() {
        Ok(()) => true,
        Err(e) if e.code() == crate::ErrorCode::Busy => false,
        Err(e) => return Err(e),
    };
    Ok(Erased {
        rows_changed,
        compacted,
    })
}

/// The erasure inside one write; returns the rows it changed.
pub fn erase_in(ctx: &WriteCtx, contact_id: &str, typed_name: &str) -> Result<u32> {
    crate::team::role::require_manager(ctx.sql(), ctx.user_id)?;
    let p = person::load(ctx.tx()?, contact_id)?;
    if p.erased {
        return Err(Error::invalid("contact", "erased"));
    }
    if !confirms(typed_name, &p.name) {
        return Err(Error::invalid("confirm_name", "mismatch"));
    }
    let mut changed: u32 = 0;
    let ids = placeholders(1, p.contact_ids.len());
    let n = p.contact_ids.len();

    // Never mailed again, whatever row the address turns up in later.
    for mail in &p.mails {
        crate::mail::suppression::suppress(ctx, mail)?;
    }

    // The contact (and what was merged into it): anonymous, out of every list.
    let mut args: Vec<Sql> = p.contact_ids.iter().map(|s| Sql::Text(s.clone())).collect();
    args.push(Sql::Text(erased_contact_name(ctx.lang).into()));
    args.push(Sql::Text(ctx.now.clone()));
    args.push(Sql::Text(ctx.user_id.into()));
    changed += ctx.tx()?.execute(
        &format!(
            "UPDATE contacts SET name = ?{a}, name_kana = '', title = '', email = '', phone = '',
                    mail_opt_out_at = COALESCE(mail_opt_out_at, ?{b}), deleted_at = COALESCE(deleted_at, ?{b}),
                    version = version + 1, updated_at = ?{b}, updated_by = ?{c}
              WHERE id IN ({ids})",
            a = n + 1,
            b = n + 2,
            c = n + 3
        ),
        params_from_iter(args.iter()),
    )? as u32;
    for id in &p.contact_ids {
        ctx.changed(Entity::Contact, id, "update")?;
    }

    // Their leads: who they were and what they wrote; the source, the dates
    // and what became of the lead stay (the leads numbers count them).
    for lead in &p.lead_ids {
        changed += ctx.sql().execute(
            "UPDATE leads SET person_name = '', mail = '', phone = '', message = '', mail_key = '', phone_key = '',
                    mail_opt_out_at = COALESCE(mail_opt_out_at, ?2),
                    version = version + 1, updated_at = ?2, updated_by = ?3
              WHERE id = ?1",
            sql::params![lead, ctx.now, ctx.user_id],
        )? as u32;
        ctx.changed(Entity::Lead, lead, "update")?;
    }

    // How they liked to be contacted, on hand-off sheets.
    changed += ctx.tx()?.execute(
        &format!("UPDATE handoff_contacts SET note = '' WHERE note <> '' AND contact_id IN ({ids})"),
        params_from_iter(p.contact_ids.iter()),
    )? as u32;

    // Sequences stop: nothing more goes to them.
    let stopped: Vec<String> = {
        let mut args: Vec<String> = p.contact_ids.clone();
        args.extend(p.lead_ids.iter().cloned());
        let leads = placeholders(n + 1, p.lead_ids.len());
        let by_lead = if p.lead_ids.is_empty() {
            String::new()
        } else {
            format!(" OR (target_kind = 'lead' AND target_id IN ({leads}))")
        };
        args.push(ctx.now.clone());
        args.push(ctx.user_id.into());
        let now = args.len() - 1;
        let by = args.len();
        ctx.tx()?
            .prepare(&format!(
                "UPDATE sequence_enrolments SET status = 'stopped', stop_reason = 'target_removed', stopped_at = ?{now},
                        last_error = NULL, version = version + 1, updated_at = ?{now}, updated_by = ?{by}
                  WHERE status = 'active'
                    AND (contact_id IN ({ids}) OR (target_kind = 'contact' AND target_id IN ({ids})){by_lead})
                 RETURNING id"
            ))?
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    for id in &stopped {
        ctx.changed(Entity::Enrolment, id, "update")?;
    }
    changed += stopped.len() as u32;

    // The trail's entries about the contact and their leads keep who did
    // what and when; the values they recorded were the person's.
    for (entity, list) in [("contact", &p.contact_ids), ("lead", &p.lead_ids)] {
        if list.is_empty() {
            continue;
        }
        let mut args = vec![entity.to_string()];
        args.extend(list.iter().cloned());
        changed += ctx.tx()?.execute(
            &format!(
                "UPDATE audit_log SET detail = '{{\"erased\":true}}' WHERE entity = ?1 AND entity_id IN ({})",
                placeholders(2, list.len())
            ),
            params_from_iter(args.iter()),
        )? as u32;
    }

    // Everywhere else their name, address or number was written.
    changed += scrub(ctx, &p.needles, erased_mark(ctx.lang))?;

    // The search indexes forget a row by a tombstone and keep its terms
    // until their segments merge: merge them now (with secure_delete on,
    // the pages the old segments were on are zeroed).
    for index in search_indexes(ctx.tx()?)? {
        ctx.sql().execute(
            &format!("INSERT INTO \"{index}\" (\"{index}\") VALUES ('optimize')"),
            sql::params![],
        )?;
    }

    ctx.sql().execute(
        "INSERT INTO erasures (id, kind, record_id, erased_at, erased_by, rows_changed)
         VALUES (?1, 'contact', ?2, ?3, ?4, ?5)",
        sql::params![crate::id::new_id(), p.contact_id, ctx.now, ctx.user_id, changed],
    )?;
    ctx.audit(
        Entity::Contact,
        &p.contact_id,
        "erase",
        serde_json::json!({ "rows_changed": changed }),
    )?;
    ctx.changed(Entity::Company, &p.company_id, "update")?;
    Ok(changed)
}

/// The FTS5 tables of the file (the trigram and bigram search indexes).
fn search_indexes(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'
              ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The ordinary tables and their text columns a person's data may be in:
/// every table of the schema (so a table added later is covered without
/// being listed), less the search indexes and their shadow tables (merged
/// instead), the team's own members and settings, and `WITHOUT ROWID` link
/// tables (they hold ids only).
fn text_columns(conn: &Connection) -> Result<Vec<(String, Vec<String>)>> {
    let indexes = search_indexes(conn)?;
    let tables: Vec<(String, bool)> = conn
        .prepare(
            "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
               AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (table, without_rowid) in tables {
        if without_rowid
            || NOT_THE_PERSONS.contains(&table.as_str())
            || indexes
                .iter()
                .any(|i| table == *i || table.starts_with(&format!("{i}_")))
        {
            continue;
        }
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name, type FROM pragma_table_info('{table}')"))?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .filter_map(|r| r.ok())
            .filter(|(name, ty)| {
                let ty = ty.to_ascii_uppercase();
                (ty.contains("TEXT") || ty.is_empty())
                    && name != "id"
                    && !name.ends_with("_id")
                    && !name.ends_with("_at")
                    && !name.ends_with("_by")
            })
            .map(|(name, _)| name)
            .collect();
        if !columns.is_empty() {
            out.push((table, columns));
        }
    }
    Ok(out)
}

/// Takes the needles out of every text column of every table; returns the
/// rows changed. Each changed row gets a new version (an edit opened before
/// cannot put the text back) and a change-feed entry where a view shows it.
fn scrub(ctx: &WriteCtx, needles: &Needles, mark: &str) -> Result<u32> {
    if needles.is_empty() {
        return Ok(0);
    }
    let probes = needles.probes();
    let mut changed = 0;
    for (table, columns) in text_columns(ctx.tx()?)? {
        let all_columns: Vec<String> = ctx.sql().query(
            &format!("SELECT name FROM pragma_table_info('{table}')"),
            sql::params![],
            |r| r.get(0),
        )?;
        let has = |c: &str| all_columns.iter().any(|x| x == c);
        let mut tests = Vec::new();
        for c in &columns {
            for (i, (_, lower)) in probes.iter().enumerate() {
                let p = i + 1;
                tests.push(if *lower {
                    format!("instr(lower(\"{c}\"), ?{p})")
                } else {
                    format!("instr(\"{c}\", ?{p})")
                });
            }
        }
        let feed = feed(&table).filter(|(_, key)| has(key));
        let key_select = feed.map(|(_, key)| format!(", \"{key}\"")).unwrap_or_default();
        let select = format!(
            "SELECT rowid{key_select}, {} FROM \"{table}\" WHERE {}",
            columns
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", "),
            tests.join(" OR ")
        );
        let found: Vec<(i64, Option<String>, Vec<Option<String>>)> = {
            let mut st = ctx.tx()?.prepare(&select)?;
            let skip = if feed.is_some() { 2 } else { 1 };
            let rows = st.query_map(params_from_iter(probes.iter().map(|(p, _)| p)), |r| {
                let key = if feed.is_some() {
                    r.get::<_, Option<String>>(1)?
                } else {
                    None
                };
                let values = (0..columns.len())
                    .map(|i| r.get::<_, Option<String>>(skip + i))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((r.get::<_, i64>(0)?, key, values))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (rowid, key, values) in found {
            let mut sets = Vec::new();
            let mut args: Vec<Sql> = Vec::new();
            for (c, v) in columns.iter().zip(values) {
                if let Some(new) = v.as_deref().and_then(|v| redact_stored(v, needles, mark)) {
                    args.push(Sql::Text(new));
                    sets.push(format!("\"{c}\" = ?{}", args.len()));
                }
            }
            if sets.is_empty() {
                continue;
            }
            if has("version") {
                sets.push("version = version + 1".into());
            }
            if has("updated_at") {
                args.push(Sql::Text(ctx.now.clone()));
                sets.push(format!("updated_at = ?{}", args.len()));
            }
            if has("updated_by") {
                args.push(Sql::Text(ctx.user_id.into()));
                sets.push(format!("updated_by = ?{}", args.len()));
            }
            args.push(Sql::Integer(rowid));
            ctx.tx()?.execute(
                &format!(
                    "UPDATE \"{table}\" SET {} WHERE rowid = ?{}",
                    sets.join(", "),
                    args.len()
                ),
                params_from_iter(args.iter()),
            )?;
            changed += 1;
            if let (Some((entity, _)), Some(key)) = (feed, key) {
                ctx.changed(entity, &key, "update")?;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_name_confirms_with_spaces_and_width_aside() {
        assert!(confirms("鷲頭瑠璃子", "鷲頭 瑠璃子"));
        assert!(confirms(" 鷲頭\u{3000}瑠璃子 ", "鷲頭 瑠璃子"));
        assert!(confirms("ＡＢＣ Ｄ", "abc d"));
        assert!(!confirms("鷲頭", "鷲頭 瑠璃子"));
        assert!(!confirms("", ""));
    }
}
