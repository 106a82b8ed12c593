//! Deals with their stage, amount and dates; filtered by owner and pipeline.

use super::{date, text, Scope};
use crate::error::Result;
use crate::writers::{Cell, TableSink};

pub(super) fn write(scope: &Scope, sink: &mut dyn TableSink) -> Result<u64> {
    sink.header(&scope.header(&[
        ("案件名", "Deal"),
        ("会社名", "Company"),
        ("パイプライン", "Pipeline"),
        ("ステージ", "Stage"),
        ("金額", "Amount"),
        ("通貨", "Currency"),
        ("担当者", "Owner"),
        ("受注予定日", "Expected close"),
        ("決断期限", "Decision deadline"),
        ("受注日", "Won"),
        ("失注日", "Lost"),
        ("失注理由", "Lost reason"),
        ("競合", "Lost to"),
        ("メモ", "Notes"),
        ("登録日", "Created"),
    ]))?;
    scope.each_page(
        "SELECT d.id AS rid, d.title, co.name AS company, p.name AS pipeline, s.name AS stage, d.amount,
                d.currency, u.display_name AS owner, d.expected_close, d.decision_deadline, d.won_at, d.lost_at,
                d.lost_reason, d.lost_to, d.notes, d.created_at
           FROM deals d
           JOIN companies co ON co.id = d.company_id
           JOIN stages s ON s.id = d.stage_id
           JOIN pipelines p ON p.id = d.pipeline_id
           LEFT JOIN users u ON u.id = d.owner_id
          WHERE d.deleted_at IS NULL AND co.deleted_at IS NULL AND d.id > ?1
            AND (?3 IS NULL OR d.owner_id = ?3) AND (?4 IS NULL OR d.pipeline_id = ?4)
          ORDER BY d.id LIMIT ?2",
        |r| {
            let currency: String = r.get("currency")?;
            Ok((
                r.get("rid")?,
                (
                    vec![
                        text(r, "title")?,
                        text(r, "company")?,
                        text(r, "pipeline")?,
                        text(r, "stage")?,
                        Cell::money(r.get("amount")?, &currency),
                        Cell::Text(currency),
                        text(r, "owner")?,
                        Cell::date(date(r.get("expected_close")?)),
                        Cell::date(date(r.get("decision_deadline")?)),
                    ],
                    [r.get::<Option<String>>("won_at")?, r.get("lost_at")?],
                    [text(r, "lost_reason")?, text(r, "lost_to")?, text(r, "notes")?],
                    r.get::<Option<String>>("created_at")?,
                ),
            ))
        },
        |(mut cells, [won, lost], rest, created)| {
            cells.push(Cell::date(scope.local(won).map(|t| t.date())));
            cells.push(Cell::date(scope.local(lost).map(|t| t.date())));
            cells.extend(rest);
            cells.push(Cell::date_time(scope.local(created)));
            sink.row(&cells)
        },
    )
}
