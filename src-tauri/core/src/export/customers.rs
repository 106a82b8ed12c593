//! The customer list: one row per live company, archived ones included and
//! marked (an export is the team's whole record).

use super::{labels, text, Scope};
use crate::error::Result;
use crate::writers::{Cell, TableSink};

pub(super) fn write(scope: &Scope, sink: &mut dyn TableSink) -> Result<u64> {
    sink.header(&scope.header(&[
        ("会社名", "Company"),
        ("フリガナ", "Reading"),
        ("業種", "Industry"),
        ("区分", "Segment"),
        ("担当者", "Owner"),
        ("電話番号", "Phone"),
        ("住所", "Address"),
        ("Webサイト", "Website"),
        ("タグ", "Tags"),
        ("最終接触", "Last contact"),
        ("登録日", "Created"),
        ("アーカイブ", "Archived"),
    ]))?;
    scope.each_page(
        "SELECT c.id AS rid, c.name, c.name_kana, c.industry, c.segment, u.display_name AS owner, c.phone,
                c.address, c.website, c.tags, c.last_contact_at, c.created_at, c.archived_at
           FROM companies c LEFT JOIN users u ON u.id = c.owner_id
          WHERE c.deleted_at IS NULL AND c.id > ?1 AND (?3 IS NULL OR c.owner_id = ?3) AND (?4 IS NULL OR 1 = 1)
          ORDER BY c.id LIMIT ?2",
        |r| {
            let tags: Vec<String> = serde_json::from_str(&r.get::<String>("tags")?).unwrap_or_default();
            Ok((
                r.get("rid")?,
                (
                    vec![
                        text(r, "name")?,
                        text(r, "name_kana")?,
                        text(r, "industry")?,
                        Cell::Text(labels::segment(&r.get::<String>("segment")?, scope.lang)),
                        text(r, "owner")?,
                        text(r, "phone")?,
                        text(r, "address")?,
                        text(r, "website")?,
                        Cell::Text(tags.join(", ")),
                    ],
                    r.get::<Option<String>>("last_contact_at")?,
                    r.get::<Option<String>>("created_at")?,
                    r.get::<Option<String>>("archived_at")?,
                ),
            ))
        },
        |(mut cells, last, created, archived)| {
            cells.push(Cell::date_time(scope.local(last)));
            cells.push(Cell::date_time(scope.local(created)));
            cells.push(Cell::date(scope.local(archived).map(|t| t.date())));
            sink.row(&cells)
        },
    )
}
