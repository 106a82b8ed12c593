//! Every live touch on the timeline, oldest first (by when it was logged),
//! with what Kizuna itself wrote worded in the reader's language.

use super::{labels, text, Scope};
use crate::engine_text::{self, EngineText};
use crate::error::Result;
use crate::writers::{Cell, TableSink};

pub(super) fn write(scope: &Scope, sink: &mut dyn TableSink) -> Result<u64> {
    sink.header(&scope.header(&[
        ("日時", "When"),
        ("会社名", "Company"),
        ("種類", "Kind"),
        ("方向", "Direction"),
        ("件名", "Summary"),
        ("内容", "Details"),
        ("議事録", "Minutes"),
        ("次回までの宿題", "To-dos"),
        ("担当者", "Contact"),
        ("案件", "Deal"),
        ("記録者", "Logged by"),
    ]))?;
    scope.each_page(
        "SELECT a.id AS rid, a.occurred_at, co.name AS company, a.kind, a.direction, a.summary, a.text_kind,
                a.text_params, a.body, a.minutes, a.next_todos, ct.name AS contact, d.title AS deal,
                u.display_name AS author
           FROM activities a
           JOIN companies co ON co.id = a.company_id
           LEFT JOIN contacts ct ON ct.id = a.contact_id
           LEFT JOIN deals d ON d.id = a.deal_id
           LEFT JOIN users u ON u.id = a.author_id
          WHERE a.deleted_at IS NULL AND co.deleted_at IS NULL AND a.id > ?1
            AND (?3 IS NULL OR co.owner_id = ?3) AND (?4 IS NULL OR 1 = 1)
          ORDER BY a.id LIMIT ?2",
        |r| {
            let written = EngineText::from_columns(
                r.get::<Option<String>>("text_kind")?.as_deref(),
                r.get::<Option<String>>("text_params")?.as_deref(),
            );
            let summary = engine_text::shown(&r.get::<String>("summary")?, written.as_ref(), scope.lang);
            // A system line's body is bookkeeping (JSON for the UI), not text.
            let kind: String = r.get("kind")?;
            let body = if kind == "system" {
                Cell::Empty
            } else {
                text(r, "body")?
            };
            Ok((
                r.get("rid")?,
                (
                    r.get::<Option<String>>("occurred_at")?,
                    vec![
                        text(r, "company")?,
                        Cell::Text(labels::activity_kind(&kind, scope.lang)),
                        Cell::Text(labels::direction(
                            r.get::<Option<String>>("direction")?.as_deref(),
                            scope.lang,
                        )),
                        Cell::Text(summary),
                        body,
                        text(r, "minutes")?,
                        text(r, "next_todos")?,
                        text(r, "contact")?,
                        text(r, "deal")?,
                        text(r, "author")?,
                    ],
                ),
            ))
        },
        |(when, rest)| {
            let mut cells = vec![Cell::date_time(scope.local(when))];
            cells.extend(rest);
            sink.row(&cells)
        },
    )
}
