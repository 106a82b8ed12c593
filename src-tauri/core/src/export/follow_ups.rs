//! Follow-ups, open and done, of live customers (and those tied to no
//! customer), with the engine's titles in the reader's language.

use super::{labels, text, Scope};
use crate::engine_text::{self, EngineText};
use crate::error::Result;
use crate::writers::{Cell, TableSink};

pub(super) fn write(scope: &Scope, sink: &mut dyn TableSink) -> Result<u64> {
    sink.header(&scope.header(&[
        ("期日", "Due"),
        ("件名", "Title"),
        ("種類", "Kind"),
        ("状態", "Status"),
        ("担当", "Assignee"),
        ("会社名", "Company"),
        ("案件", "Deal"),
        ("更新ステップ", "Renewal step"),
        ("完了日時", "Done"),
    ]))?;
    scope.each_page(
        "SELECT f.id AS rid, f.due_at, f.title, f.text_kind, f.text_params, f.kind, f.status,
                u.display_name AS assignee, co.name AS company, d.title AS deal, f.renewal_step, f.done_at
           FROM follow_ups f
           LEFT JOIN users u ON u.id = f.assignee_id
           LEFT JOIN companies co ON co.id = f.company_id
           LEFT JOIN deals d ON d.id = f.deal_id
          WHERE f.deleted_at IS NULL AND (co.id IS NULL OR co.deleted_at IS NULL) AND f.id > ?1
            AND (?3 IS NULL OR f.assignee_id = ?3) AND (?4 IS NULL OR 1 = 1)
          ORDER BY f.id LIMIT ?2",
        |r| {
            let written = EngineText::from_columns(
                r.get::<Option<String>>("text_kind")?.as_deref(),
                r.get::<Option<String>>("text_params")?.as_deref(),
            );
            Ok((
                r.get("rid")?,
                (
                    r.get::<Option<String>>("due_at")?,
                    vec![
                        Cell::Text(engine_text::shown(
                            &r.get::<String>("title")?,
                            written.as_ref(),
                            scope.lang,
                        )),
                        Cell::Text(labels::follow_up_kind(&r.get::<String>("kind")?, scope.lang)),
                        Cell::Text(labels::follow_up_status(&r.get::<String>("status")?, scope.lang)),
                        text(r, "assignee")?,
                        text(r, "company")?,
                        text(r, "deal")?,
                        Cell::Text(labels::renewal_step(
                            r.get::<Option<String>>("renewal_step")?.as_deref(),
                            scope.lang,
                        )),
                    ],
                    r.get::<Option<String>>("done_at")?,
                ),
            ))
        },
        |(due, rest, done)| {
            let mut cells = vec![Cell::date_time(scope.local(due))];
            cells.extend(rest);
            cells.push(Cell::date_time(scope.local(done)));
            sink.row(&cells)
        },
    )
}
