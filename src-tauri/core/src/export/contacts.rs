//! Contacts (担当者) of live customers, with their customer's name.

use super::{labels, text, Scope};
use crate::error::Result;
use crate::writers::{Cell, TableSink};

pub(super) fn write(scope: &Scope, sink: &mut dyn TableSink) -> Result<u64> {
    sink.header(&scope.header(&[
        ("会社名", "Company"),
        ("氏名", "Name"),
        ("フリガナ", "Reading"),
        ("役職", "Title"),
        ("メール", "Mail"),
        ("電話番号", "Phone"),
        ("配信停止", "No mail"),
    ]))?;
    scope.each_page(
        "SELECT ct.id AS rid, co.name AS company, ct.name, ct.name_kana, ct.title, ct.email, ct.phone,
                ct.mail_opt_out_at
           FROM contacts ct JOIN companies co ON co.id = ct.company_id
          WHERE ct.deleted_at IS NULL AND co.deleted_at IS NULL AND ct.id > ?1
            AND (?3 IS NULL OR co.owner_id = ?3) AND (?4 IS NULL OR 1 = 1)
          ORDER BY ct.id LIMIT ?2",
        |r| {
            Ok((
                r.get("rid")?,
                vec![
                    text(r, "company")?,
                    text(r, "name")?,
                    text(r, "name_kana")?,
                    text(r, "title")?,
                    text(r, "email")?,
                    text(r, "phone")?,
                    Cell::Text(labels::yes_no(
                        r.get::<Option<String>>("mail_opt_out_at")?.is_some(),
                        scope.lang,
                    )),
                ],
            ))
        },
        |cells| sink.row(&cells),
    )
}
