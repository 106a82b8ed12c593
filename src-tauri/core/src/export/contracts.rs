//! Contracts, each period its own row, with the renewal step it is at.

use super::{date, labels, text, Scope};
use crate::error::Result;
use crate::writers::{Cell, TableSink};

pub(super) fn write(scope: &Scope, sink: &mut dyn TableSink) -> Result<u64> {
    sink.header(&scope.header(&[
        ("会社名", "Company"),
        ("プラン", "Plan"),
        ("開始日", "Start"),
        ("終了日", "End"),
        ("自動更新", "Auto-renew"),
        ("金額", "Amount"),
        ("通貨", "Currency"),
        ("請求", "Billing"),
        ("解約通知（日前）", "Notice (days)"),
        ("担当者", "Owner"),
        ("状態", "Status"),
        ("更新ステップ", "Renewal step"),
        ("解約理由", "Churn reason"),
    ]))?;
    scope.each_page(
        "SELECT k.id AS rid, co.name AS company, k.plan, k.start_date, k.end_date, k.auto_renew, k.amount,
                k.currency, k.billing, k.notice_days, u.display_name AS owner, k.status, k.renewal_stage,
                k.churn_reason
           FROM contracts k
           JOIN companies co ON co.id = k.company_id
           LEFT JOIN users u ON u.id = k.owner_id
          WHERE k.deleted_at IS NULL AND co.deleted_at IS NULL AND k.id > ?1
            AND (?3 IS NULL OR k.owner_id = ?3) AND (?4 IS NULL OR 1 = 1)
          ORDER BY k.id LIMIT ?2",
        |r| {
            let currency: String = r.get("currency")?;
            Ok((
                r.get("rid")?,
                vec![
                    text(r, "company")?,
                    text(r, "plan")?,
                    Cell::date(date(r.get("start_date")?)),
                    Cell::date(date(r.get("end_date")?)),
                    Cell::Text(labels::yes_no(r.get("auto_renew")?, scope.lang)),
                    Cell::money(r.get("amount")?, &currency),
                    Cell::Text(currency),
                    Cell::Text(labels::billing(&r.get::<String>("billing")?, scope.lang)),
                    Cell::Number(r.get::<i64>("notice_days")? as f64),
                    text(r, "owner")?,
                    Cell::Text(labels::contract_status(&r.get::<String>("status")?, scope.lang)),
                    Cell::Text(labels::renewal_step(
                        r.get::<Option<String>>("renewal_stage")?.as_deref(),
                        scope.lang,
                    )),
                    text(r, "churn_reason")?,
                ],
            ))
        },
        |cells| sink.row(&cells),
    )
}
