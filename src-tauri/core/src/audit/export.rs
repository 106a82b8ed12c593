//! The audit trail as a file for an auditor: one row per changed field
//! (an entry that changed no field is one row), newest first, through the
//! one table writer (writers/: formula guard, encodings, xlsx dates).

use super::trail::{self, AuditQuery};
use crate::error::Result;
use crate::language::Language;
use crate::store::sql::Sql;
use crate::writers::csv::{self, CsvEncoding};
use crate::writers::xlsx::Xlsx;
use crate::writers::{write_whole, Cell, TableSink};
use chrono::FixedOffset;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AuditFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditExported {
    #[ts(type = "number")]
    pub rows: u64,
    pub path: String,
}

/// The kind of record in the reader's language.
pub fn entity_label(entity: &str, lang: Language) -> String {
    let (ja, en) = match entity {
        "activity" => ("タイムライン", "Timeline entry"),
        "company" => ("顧客", "Customer"),
        "contact" => ("担当者", "Contact"),
        "contract" => ("契約", "Contract"),
        "deal" => ("案件", "Deal"),
        "duplicate" => ("重複の判断", "Duplicate decision"),
        "follow_up" => ("フォローアップ", "Follow-up"),
        "handoff" => ("引き継ぎ", "Hand-off"),
        "import_batch" => ("インポート", "Import"),
        "lead" => ("リード", "Lead"),
        "mail_send" => ("送信メール", "Mail sent"),
        "pipeline" => ("パイプライン", "Pipeline"),
        "sequence" => ("シーケンス", "Sequence"),
        "enrolment" => ("シーケンス登録", "Enrolment"),
        "settings" => ("チーム設定", "Team settings"),
        "stage" => ("ステージ", "Stage"),
        "support_case" => ("サポート案件", "Support case"),
        "user" => ("メンバー", "Member"),
        other => return other.to_string(),
    };
    lang.pick(ja, en).to_string()
}

/// What was done, in the reader's language.
pub fn action_label(action: &str, lang: Language) -> String {
    let (ja, en) = match action {
        "insert" => ("作成", "Created"),
        "update" => ("変更", "Changed"),
        "delete" => ("削除", "Deleted"),
        "restore" => ("復元", "Restored"),
        "merge" => ("統合", "Merged"),
        "archive" => ("アーカイブ", "Archived"),
        "unarchive" => ("アーカイブ解除", "Unarchived"),
        "erase" => ("個人データ消去", "Personal data erased"),
        "disclose" => ("開示用に書き出し", "Exported for a disclosure request"),
        "mail_opt_out" => ("配信停止", "Mail opt-out"),
        other => return other.to_string(),
    };
    lang.pick(ja, en).to_string()
}

/// A recorded value as one cell's text.
fn shown(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// [`export`] for member `viewer_id`, who must hold the manager role.
#[allow(clippy::too_many_arguments)]
pub fn export_for<'c>(
    conn: impl Into<Sql<'c>>,
    viewer_id: &str,
    q: &AuditQuery,
    lang: Language,
    offset: FixedOffset,
    format: AuditFormat,
    encoding: CsvEncoding,
    path: &Path,
) -> Result<AuditExported> {
    let conn = conn.into();
    crate::team::role::require_manager(conn, viewer_id)?;
    export(conn, q, lang, offset, format, encoding, path)
}

/// Writes every entry `q` selects (its cursor and limit ignored) to `path`,
/// under a temporary name first so a failed export leaves no half file.
pub fn export<'c>(
    conn: impl Into<Sql<'c>>,
    q: &AuditQuery,
    lang: Language,
    offset: FixedOffset,
    format: AuditFormat,
    encoding: CsvEncoding,
    path: &Path,
) -> Result<AuditExported> {
    let conn = conn.into();
    let rows = write_whole(path, |partial| match format {
        AuditFormat::Xlsx => {
            let mut book = Xlsx::new(lang.pick("変更履歴", "Audit trail"))?;
            let rows = write(conn, q, lang, offset, &mut book)?;
            book.save(partial)?;
            Ok(rows)
        }
        AuditFormat::Csv => csv::write_file(partial, encoding, |csv| write(conn, q, lang, offset, csv)),
    })?;
    Ok(AuditExported {
        rows,
        path: path.display().to_string(),
    })
}

/// The rows, page by page (each page its own short read).
pub fn write(conn: Sql, q: &AuditQuery, lang: Language, offset: FixedOffset, sink: &mut dyn TableSink) -> Result<u64> {
    let header: &[&str] = if lang == Language::Ja {
        &[
            "日時",
            "メンバー",
            "種類",
            "レコードID",
            "レコード",
            "顧客",
            "操作",
            "項目",
            "変更前",
            "変更後",
        ]
    } else {
        &[
            "When",
            "Member",
            "Kind",
            "Record ID",
            "Record",
            "Customer",
            "Action",
            "Field",
            "Before",
            "After",
        ]
    };
    sink.header(header)?;
    let mut q = AuditQuery {
        before: None,
        limit: trail::MAX_PAGE,
        ..q.clone()
    };
    let mut rows = 0;
    loop {
        let page = trail::page(conn, &q, offset)?;
        for e in &page.entries {
            let when = crate::clock::from_db(&e.at).map(|t| t.with_timezone(&offset).naive_local());
            let common = [
                Cell::date_time(when),
                Cell::text(e.member_name.clone()),
                Cell::text(entity_label(&e.entity, lang)),
                Cell::text(e.record_id.clone()),
                Cell::text(e.record_label.clone().unwrap_or_default()),
                Cell::text(e.company_name.clone().unwrap_or_default()),
                Cell::text(action_label(&e.action, lang)),
            ];
            if e.fields.is_empty() {
                let mut cells = common.to_vec();
                cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
                sink.row(&cells)?;
                rows += 1;
            }
            for f in &e.fields {
                let mut cells = common.to_vec();
                cells.extend([
                    Cell::text(f.field.clone()),
                    Cell::text(shown(&f.before)),
                    Cell::text(shown(&f.after)),
                ]);
                sink.row(&cells)?;
                rows += 1;
            }
        }
        match page.next {
            Some(next) => q.before = Some(next),
            None => return Ok(rows),
        }
    }
}
