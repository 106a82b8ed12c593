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

use super::person::texts;
use super::person::{self, placeholders, Person};
use super::redact::{redact_stored, Needles};
use crate::error::{Error, Result};
use crate::language::Language;
use crate::store::changes::Entity;
use crate::store::server::ServerDb;
use crate::store::sql;
use crate::store::sql::{Sql, Value};
use crate::store::team_db::TeamDb;
use crate::store::write::WriteCtx;
use crate::Db;
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

fn count(conn: Sql, sql: &str, args: &[String]) -> Result<u32> {
    conn.query_one(sql, &texts(args), |r| r.get(0))
}

/// The timeline entries that name the person: met on them, or named in
/// their text.
pub(crate) fn timeline_sql(p: &Person) -> (String, Vec<String>) {
    let ids = placeholders(1, p.contact_ids.len());
    let mut args = p.contact_ids.clone();
    let mut named = Vec::new();
    // LIKE, which both stores have (SQLite's instr is the file's own); it
    // also finds a name written in other ASCII case, which is more to show
    // or to redact, never less.
    for n in &p.needles.names {
        args.push(format!("%{}%", crate::validate::escape_like(n)));
        let a = args.len();
        named.push(format!(
            "a.summary LIKE ?{a} ESCAPE '\\' OR a.body LIKE ?{a} ESCAPE '\\' OR a.minutes LIKE ?{a} ESCAPE '\\'"
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

pub fn preview<'c>(conn: impl Into<Sql<'c>>, viewer_id: &str, contact_id: &str) -> Result<ErasePreview> {
    let conn = conn.into();
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

/// [`erase`] on the team server: one save. What the server keeps of the
/// rows as they were (the old row versions until autovacuum reuses them,
/// and IT's `pg_dump` backups) is the server's, as a file's daily backups
/// are (docs/privacy.md).
pub fn erase_on_server(db: &mut ServerDb, contact_id: &str, typed_name: &str) -> Result<Erased> {
    let rows_changed = db.write(|ctx| erase_in(ctx, contact_id, typed_name))?;
    Ok(Erased {
        rows_changed,
        compacted: false,
    })
}

/// [`erase`] or [`erase_on_server`], whichever store `db` is.
pub fn erase_team(db: &mut TeamDb, contact_id: &str, typed_name: &str) -> Result<Erased> {
    match db {
        TeamDb::File(db) => erase(db, contact_id, typed_name),
        TeamDb::Server(db) => erase_on_server(db, contact_id, typed_name),
    }
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
    let p = person::load(ctx.sql(), contact_id)?;
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
    let mut args: Vec<Value> = texts(&p.contact_ids);
    args.push(Value::Text(erased_contact_name(ctx.lang).into()));
    args.push(Value::Text(ctx.now.clone()));
    args.push(Value::Text(ctx.user_id.into()));
    changed += ctx.sql().execute(
        &format!(
            "UPDATE contacts SET name = ?{a}, name_kana = '', title = '', email = '', phone = '',
                    mail_opt_out_at = COALESCE(mail_opt_out_at, ?{b}), deleted_at = COALESCE(deleted_at, ?{b}),
                    version = version + 1, updated_at = ?{b}, updated_by = ?{c}
              WHERE id IN ({ids})",
            a = n + 1,
            b = n + 2,
            c = n + 3
        ),
        &args,
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
    changed += ctx.sql().execute(
        &format!("UPDATE handoff_contacts SET note = '' WHERE note <> '' AND contact_id IN ({ids})"),
        &texts(&p.contact_ids),
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
        ctx.sql().query(
            &format!(
                "UPDATE sequence_enrolments SET status = 'stopped', stop_reason = 'target_removed', stopped_at = ?{now},
                        last_error = NULL, version = version + 1, updated_at = ?{now}, updated_by = ?{by}
                  WHERE status = 'active'
                    AND (contact_id IN ({ids}) OR (target_kind = 'contact' AND target_id IN ({ids})){by_lead})
                 RETURNING id"
            ),
            &texts(&args),
            |r| r.get::<String>(0),
        )?
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
        changed += ctx.sql().execute(
            &format!(
                "UPDATE audit_log SET detail = '{{\"erased\":true}}' WHERE entity = ?1 AND entity_id IN ({})",
                placeholders(2, list.len())
            ),
            &texts(&args),
        )? as u32;
    }

    // Everywhere else their name, address or number was written.
    changed += scrub(ctx, &p.needles, erased_mark(ctx.lang))?;

    // The search indexes forget a row by a tombstone and keep its terms
    // until their segments merge: merge them now (with secure_delete on,
    // the pages the old segments were on are zeroed).
    // (The server's trigram indexes hold no text of their own to merge.)
    let indexes = match ctx.tx() {
        Ok(tx) => search_indexes(tx.into())?,
        Err(_) => Vec::new(),
    };
    for index in indexes {
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
fn search_indexes(conn: Sql) -> Result<Vec<String>> {
    conn.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'
          ORDER BY name",
        &[],
        |r| r.get(0),
    )
}

/// Every table and its columns with their declared types, from the store's
/// own catalogue: SQLite's pragmas, or the server's information schema.
/// `WITHOUT ROWID` tables of the file are left out (they hold ids only,
/// which the server's ids-only link tables show by having no text column).
fn tables(ctx: &WriteCtx) -> Result<Vec<Table>> {
    let names: Vec<String> = match ctx.tx() {
        Ok(_) => ctx.sql().query(
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
               AND name NOT LIKE 'sqlite_%' AND wr = 0 ORDER BY name",
            &[],
            |r| r.get(0),
        )?,
        Err(_) => ctx.sql().query(
            "SELECT table_name FROM information_schema.tables
              WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'kizuna_schema'
              ORDER BY table_name",
            &[],
            |r| r.get(0),
        )?,
    };
    let mut out = Vec::new();
    for table in names {
        let columns: Vec<(String, String)> = match ctx.tx() {
            Ok(_) => ctx.sql().query(
                &format!("SELECT name, type FROM pragma_table_info('{table}')"),
                &[],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?,
            Err(_) => ctx.sql().query(
                "SELECT column_name, data_type FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
                crate::store::sql::params![table],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?,
        };
        out.push(Table { name: table, columns });
    }
    Ok(out)
}

/// A table and its columns with their declared types.
struct Table {
    name: String,
    columns: Vec<(String, String)>,
}

/// A table a person's data may be in: the text columns to look in, and
/// every column (what a changed row's version and stamps are kept in).
struct Searched {
    table: String,
    text: Vec<String>,
    all: Vec<String>,
}

/// How the scrub names a row to update it: the file's rowid, or the
/// server's ctid (the row's place, stable within the one transaction the
/// erasure is): (what to select, as text; the test for parameter `?n`).
fn row_key(ctx: &WriteCtx, n: usize) -> (&'static str, String) {
    match ctx.tx() {
        Ok(_) => ("CAST(rowid AS TEXT)", format!("rowid = CAST(?{n} AS INTEGER)")),
        Err(_) => ("CAST(ctid AS TEXT)", format!("ctid = CAST(?{n} AS tid)")),
    }
}

/// The ordinary tables and their text columns a person's data may be in:
/// every table of the schema (so a table added later is covered without
/// being listed), less the search indexes and their shadow tables (merged
/// instead), the team's own members and settings, and link tables (they
/// hold ids only).
fn text_columns(ctx: &WriteCtx) -> Result<Vec<Searched>> {
    let indexes = match ctx.tx() {
        Ok(tx) => search_indexes(tx.into())?,
        Err(_) => Vec::new(),
    };
    let mut out = Vec::new();
    for Table {
        name: table,
        columns: all,
    } in tables(ctx)?
    {
        if NOT_THE_PERSONS.contains(&table.as_str())
            || indexes
                .iter()
                .any(|i| table == *i || table.starts_with(&format!("{i}_")))
        {
            continue;
        }
        let columns: Vec<String> = all
            .iter()
            .filter(|(name, ty)| {
                let ty = ty.to_ascii_uppercase();
                (ty.contains("TEXT") || ty.is_empty())
                    && name != "id"
                    && !name.ends_with("_id")
                    && !name.ends_with("_at")
                    && !name.ends_with("_by")
            })
            .map(|(name, _)| name.clone())
            .collect();
        if !columns.is_empty() {
            out.push(Searched {
                table,
                text: columns,
                all: all.into_iter().map(|(name, _)| name).collect(),
            });
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
    // LIKE patterns (both stores have LIKE; SQLite's instr is its own);
    // the redaction below changes only what really holds a needle.
    let probes: Vec<Value> = needles
        .probes()
        .into_iter()
        .map(|(p, _)| Value::Text(format!("%{}%", crate::validate::escape_like(&p))))
        .collect();
    let lowered: Vec<bool> = needles.probes().into_iter().map(|(_, lower)| lower).collect();
    let mut changed = 0;
    for Searched {
        table,
        text: columns,
        all: all_columns,
    } in text_columns(ctx)?
    {
        let has = |c: &str| all_columns.iter().any(|x| x == c);
        let mut tests = Vec::new();
        for c in &columns {
            for (i, lower) in lowered.iter().enumerate() {
                let p = i + 1;
                tests.push(if *lower {
                    format!("lower(\"{c}\") LIKE ?{p} ESCAPE '\\'")
                } else {
                    format!("\"{c}\" LIKE ?{p} ESCAPE '\\'")
                });
            }
        }
        let feed = feed(&table).filter(|(_, key)| has(key));
        let key_select = feed.map(|(_, key)| format!(", \"{key}\"")).unwrap_or_default();
        let (row, _) = row_key(ctx, 0);
        let select = format!(
            "SELECT {row}{key_select}, {} FROM \"{table}\" WHERE {}",
            columns
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", "),
            tests.join(" OR ")
        );
        let skip = if feed.is_some() { 2 } else { 1 };
        let found: Vec<(String, Option<String>, Vec<Option<String>>)> = ctx.sql().query(&select, &probes, |r| {
            let key = if feed.is_some() {
                r.get::<Option<String>>(1)?
            } else {
                None
            };
            let values = (0..columns.len())
                .map(|i| r.get::<Option<String>>(skip + i))
                .collect::<Result<Vec<_>>>()?;
            Ok((r.get::<String>(0)?, key, values))
        })?;
        for (at, key, values) in found {
            let mut sets = Vec::new();
            let mut args: Vec<Value> = Vec::new();
            for (c, v) in columns.iter().zip(values) {
                if let Some(new) = v.as_deref().and_then(|v| redact_stored(v, needles, mark)) {
                    args.push(Value::Text(new));
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
                args.push(Value::Text(ctx.now.clone()));
                sets.push(format!("updated_at = ?{}", args.len()));
            }
            if has("updated_by") {
                args.push(Value::Text(ctx.user_id.into()));
                sets.push(format!("updated_by = ?{}", args.len()));
            }
            args.push(Value::Text(at));
            let (_, this_row) = row_key(ctx, args.len());
            ctx.sql().execute(
                &format!("UPDATE \"{table}\" SET {} WHERE {this_row}", sets.join(", ")),
                &args,
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
