//! Everything the team file holds about one person, as one workbook
//! (APPI art. 33, 開示請求): a sheet each for the contact's own fields, the
//! timeline entries that name them, the deals they are the contact of, the
//! mails Kizuna sent them, the follow-ups about them, their sequence
//! enrolments, the leads that were them, their support cases, and the audit
//! trail's entries about them.
//!
//! An `.xlsx` rather than a folder of CSV files: one file to check and hand
//! over, each sheet with a header in the reader's language, dates as dates.
//! Written through the one table writer (writers/: formula guard). The
//! export itself is recorded in the audit trail (who, when: not the file).

use super::erase::timeline_sql;
use super::person::{self, placeholders, Person};
use crate::audit::export::{action_label, entity_label};
use crate::audit::trail::{self, AuditQuery};
use crate::error::{Error, Result};
use crate::language::Language;
use crate::store::changes::Entity;
use crate::store::sql::{Sql, Value};
use crate::store::write::{Saves, Store};
use crate::writers::xlsx::Xlsx;
use crate::writers::{write_whole, Cell, TableSink};
use chrono::FixedOffset;
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Disclosed {
    /// Data rows written, over every sheet.
    #[ts(type = "number")]
    pub rows: u64,
    pub path: String,
}

struct Book<'a> {
    xlsx: Xlsx,
    first: bool,
    lang: Language,
    offset: FixedOffset,
    conn: Sql<'a>,
    rows: u64,
}

impl Book<'_> {
    fn words(&self, ja: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(ja, en)
    }

    fn start(&mut self, name: (&'static str, &'static str), header: &[(&'static str, &'static str)]) -> Result<()> {
        let name = self.words(name.0, name.1);
        if self.first {
            self.first = false;
            // The workbook was made with its first sheet named already.
        } else {
            self.xlsx.next_sheet(name)?;
        }
        let names: Vec<&str> = header.iter().map(|(ja, en)| self.words(ja, en)).collect();
        self.xlsx.header(&names)
    }

    /// One row per result of `sql`; a column whose name ends in `_at` is a
    /// stored instant, shown in the reader's time zone.
    fn rows(&mut self, sql: &str, args: &[String]) -> Result<()> {
        let offset = self.offset;
        let rows = self.conn.query(sql, &super::person::texts(args), |r| {
            let names = r.names();
            let mut cells = Vec::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                cells.push(match r.get::<Value>(i)? {
                    Value::Null(_) | Value::Blob(_) => Cell::Empty,
                    Value::Integer(n) => Cell::Number(n as f64),
                    Value::Real(f) => Cell::Number(f),
                    Value::Text(t) => match crate::clock::from_db(&t).filter(|_| name.ends_with("_at")) {
                        Some(at) => Cell::DateTime(at.with_timezone(&offset).naive_local()),
                        None => Cell::Text(t),
                    },
                });
            }
            Ok(cells)
        })?;
        for cells in rows {
            self.xlsx.row(&cells)?;
            self.rows += 1;
        }
        Ok(())
    }
}

/// Writes the disclosure of contact `contact_id` to `path` (a manager
/// only), and records in the trail that it was made.
pub fn disclose(db: &mut dyn Store, contact_id: &str, path: &Path) -> Result<Disclosed> {
    let viewer = db.member().map(|u| u.id.clone()).ok_or(Error::IdentityRequired)?;
    crate::team::role::require_manager(db.sql(), &viewer)?;
    let (lang, offset) = (db.language(), db.clock().offset());
    let out = write(db.sql(), contact_id, lang, offset, path)?;
    db.save(|ctx| ctx.audit(Entity::Contact, contact_id, "disclose", serde_json::json!({})))?;
    Ok(out)
}

/// The workbook, under a temporary name until whole.
pub fn write(conn: Sql, contact_id: &str, lang: Language, offset: FixedOffset, path: &Path) -> Result<Disclosed> {
    let p = person::load(conn, contact_id)?;
    let rows = write_whole(path, |partial| {
        let mut book = Book {
            xlsx: Xlsx::new(lang.pick("連絡先", "Contact"))?,
            first: true,
            lang,
            offset,
            conn,
            rows: 0,
        };
        sheets(&mut book, &p)?;
        book.xlsx.save(partial)?;
        Ok(book.rows)
    })?;
    Ok(Disclosed {
        rows,
        path: path.display().to_string(),
    })
}

fn sheets(b: &mut Book, p: &Person) -> Result<()> {
    let ids = placeholders(1, p.contact_ids.len());
    let cids = p.contact_ids.clone();

    b.start(
        ("連絡先", "Contact"),
        &[
            ("ID", "ID"),
            ("会社名", "Company"),
            ("氏名", "Name"),
            ("ふりがな", "Reading"),
            ("役職", "Title"),
            ("メール", "Mail"),
            ("電話", "Phone"),
            ("配信停止", "Mail opt-out"),
            ("登録日時", "Created"),
            ("更新日時", "Updated"),
            ("削除日時", "Deleted"),
        ],
    )?;
    b.rows(
        &format!(
            "SELECT ct.id, co.name, ct.name, ct.name_kana, ct.title, ct.email, ct.phone, ct.mail_opt_out_at,
                    ct.created_at, ct.updated_at, ct.deleted_at
               FROM contacts ct JOIN companies co ON co.id = ct.company_id WHERE ct.id IN ({ids})"
        ),
        &cids,
    )?;

    let (timeline_where, timeline_args) = timeline_sql(p);
    b.start(
        ("タイムライン", "Timeline"),
        &[
            ("日時", "When"),
            ("種類", "Kind"),
            ("方向", "Direction"),
            ("件名", "Summary"),
            ("内容", "Details"),
            ("議事録", "Minutes"),
            ("次回までの宿題", "To-dos"),
            ("記録者", "Logged by"),
        ],
    )?;
    b.rows(
        &format!(
            "SELECT a.occurred_at, a.kind, a.direction, a.summary, a.body, a.minutes, a.next_todos, u.display_name
               FROM activities a LEFT JOIN users u ON u.id = a.author_id
              WHERE ({timeline_where}) ORDER BY a.occurred_at, a.id"
        ),
        &timeline_args,
    )?;

    b.start(
        ("案件", "Deals"),
        &[
            ("案件名", "Deal"),
            ("金額", "Amount"),
            ("通貨", "Currency"),
            ("ステージ", "Stage"),
            ("メモ", "Notes"),
            ("登録日時", "Created"),
        ],
    )?;
    b.rows(
        &format!(
            "SELECT d.title, d.amount, d.currency, s.name, d.notes, d.created_at
               FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.contact_id IN ({ids}) ORDER BY d.created_at"
        ),
        &cids,
    )?;

    b.start(
        ("送信メール", "Mails sent"),
        &[
            ("送信日時", "Sent"),
            ("状態", "State"),
            ("宛名", "To"),
            ("宛先", "Address"),
            ("件名", "Subject"),
            ("本文", "Body"),
        ],
    )?;
    let mails: Vec<String> = p.mails.iter().map(|m| m.to_lowercase()).collect();
    if !mails.is_empty() {
        b.rows(
            &format!(
                "SELECT COALESCE(finished_at, claimed_at) AS sent_at, state, to_name, to_address, subject, body
                   FROM mail_sends WHERE lower(to_address) IN ({}) ORDER BY claimed_at",
                placeholders(1, mails.len())
            ),
            &mails,
        )?;
    }

    b.start(
        ("フォローアップ", "Follow-ups"),
        &[
            ("期日", "Due"),
            ("件名", "Title"),
            ("状態", "Status"),
            ("担当", "Assignee"),
        ],
    )?;
    b.rows(
        &format!(
            "SELECT f.due_at, f.title, f.status, u.display_name FROM follow_ups f LEFT JOIN users u ON u.id = f.assignee_id
              WHERE f.deal_id IN (SELECT id FROM deals WHERE contact_id IN ({ids}))
                 OR f.activity_id IN (SELECT activity_id FROM activity_contacts WHERE contact_id IN ({ids}))
                 OR f.id IN (SELECT follow_up_id FROM sequence_enrolments
                              WHERE contact_id IN ({ids}) OR (target_kind = 'contact' AND target_id IN ({ids})))
              ORDER BY f.due_at"
        ),
        &cids,
    )?;

    b.start(
        ("シーケンス", "Sequences"),
        &[
            ("シーケンス", "Sequence"),
            ("状態", "Status"),
            ("ステップ", "Step"),
            ("開始日時", "Started"),
            ("停止理由", "Stop reason"),
        ],
    )?;
    b.rows(
        &format!(
            "SELECT s.name, e.status, e.step_index + 1, e.started_at, e.stop_reason
               FROM sequence_enrolments e JOIN sequences s ON s.id = e.sequence_id
              WHERE e.contact_id IN ({ids}) OR (e.target_kind = 'contact' AND e.target_id IN ({ids}))
              ORDER BY e.started_at"
        ),
        &cids,
    )?;

    b.start(
        ("リード", "Leads"),
        &[
            ("番号", "Number"),
            ("受付日時", "Received"),
            ("流入元", "Source"),
            ("氏名", "Name"),
            ("会社名", "Company"),
            ("メール", "Mail"),
            ("電話", "Phone"),
            ("内容", "Message"),
            ("状態", "Status"),
        ],
    )?;
    if !p.lead_ids.is_empty() {
        b.rows(
            &format!(
                "SELECT 'L-' || number, received_at, source, person_name, company_name, mail, phone, message, status
                   FROM leads WHERE id IN ({}) ORDER BY number",
                placeholders(1, p.lead_ids.len())
            ),
            &p.lead_ids,
        )?;
    }

    b.start(
        ("サポート", "Support"),
        &[
            ("番号", "Number"),
            ("受付日時", "Received"),
            ("件名", "Subject"),
            ("内容", "Details"),
            ("状態", "Status"),
        ],
    )?;
    b.rows(
        &format!(
            "SELECT '#' || number, received_at, subject, body, status FROM support_cases
              WHERE contact_id IN ({ids}) ORDER BY received_at"
        ),
        &cids,
    )?;

    b.start(
        ("変更履歴", "Audit trail"),
        &[
            ("日時", "When"),
            ("メンバー", "Member"),
            ("種類", "Kind"),
            ("操作", "Action"),
            ("項目", "Field"),
            ("変更前", "Before"),
            ("変更後", "After"),
        ],
    )?;
    let lang = b.lang;
    let offset = b.offset;
    for id in &p.contact_ids {
        let mut q = AuditQuery {
            entity: Some("contact".into()),
            record_id: Some(id.clone()),
            ..Default::default()
        };
        loop {
            let page = trail::page(b.conn, &q, offset)?;
            for e in &page.entries {
                let when = crate::clock::from_db(&e.at).map(|t| t.with_timezone(&offset).naive_local());
                let shown = |v: &Option<serde_json::Value>| match v {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                let fields: Vec<(String, String, String)> = if e.fields.is_empty() {
                    vec![(String::new(), String::new(), String::new())]
                } else {
                    e.fields
                        .iter()
                        .map(|f| (f.field.clone(), shown(&f.before), shown(&f.after)))
                        .collect()
                };
                for (field, before, after) in fields {
                    b.xlsx.row(&[
                        Cell::date_time(when),
                        Cell::text(e.member_name.clone()),
                        Cell::text(entity_label(&e.entity, lang)),
                        Cell::text(action_label(&e.action, lang)),
                        Cell::text(field),
                        Cell::text(before),
                        Cell::text(after),
                    ])?;
                    b.rows += 1;
                }
            }
            match page.next {
                Some(n) => q.before = Some(n),
                None => break,
            }
        }
    }
    Ok(())
}
