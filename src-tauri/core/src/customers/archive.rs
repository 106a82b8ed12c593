//! Archiving a customer: the team stopped working with them but keeps the
//! record. An archived customer leaves the customer list, the board, the
//! follow-up lists and the reminders (its open follow-ups wait, unshown,
//! rather than being closed: unarchiving brings the work back as it was),
//! and stays findable by search and by the list's text filter, marked
//! archived. Nothing is deleted; both directions are version-checked and
//! on the customer's timeline.

use super::company::get;
use crate::error::{Error, Result};
use crate::store::changes::Entity;
use crate::store::deletion;
use crate::store::sql;
use crate::store::write::WriteCtx;
use serde_json::json;

/// Archives (`archived`) or unarchives the customer as of `version`;
/// returns the new version. Asking for the state it is already in is
/// refused (`already`), so a stale screen never seems to have done something.
pub fn set_archived(ctx: &WriteCtx, id: &str, version: i64, archived: bool) -> Result<i64> {
    let old = get(ctx.sql(), id)?;
    if old.archived_at.is_some() == archived && old.version == version {
        return Err(Error::invalid("archived", "already"));
    }
    let n = ctx.sql().execute(
        "UPDATE companies SET archived_at = CASE WHEN ?3 <> 0 THEN ?4 END, archived_by = CASE WHEN ?3 <> 0 THEN ?5 END,
                              version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, archived, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("company", "companies", id, n)?;
    let (event, summary) = if archived {
        ("company_archived", format!("顧客をアーカイブ: {}", old.name))
    } else {
        ("company_unarchived", format!("顧客のアーカイブを解除: {}", old.name))
    };
    deletion::note(ctx, id, &summary, json!({ "event": event, "name": old.name }))?;
    ctx.audit(
        Entity::Company,
        id,
        if archived { "archive" } else { "unarchive" },
        json!({}),
    )?;
    ctx.changed(Entity::Company, id, "update")?;
    Ok(version + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::company::{self, CompanyQuery};
    use crate::followups::follow_up::{self, FollowUpQuery};
    use crate::pipeline::board::{self, BoardFilter};
    use crate::testutil::{assert_invalid, colleague, fixture, seed_pipeline, Fixture};
    use crate::ErrorCode;

    fn listed(f: &Fixture, q: &CompanyQuery) -> Vec<(String, bool)> {
        company::list(f.db.sql(), &f.clock, q)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.archived_at.is_some()))
            .collect()
    }

    fn on_board(f: &Fixture) -> usize {
        let b = board::load(f.db.sql(), &f.clock, None, &BoardFilter::default()).unwrap();
        b.columns.iter().map(|c| c.cards.len()).sum()
    }

    #[test]
    fn an_archived_customer_leaves_the_list_board_and_reminders_and_unarchive_restores_them() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let deal = s.deal(&mut f.db, "基幹システム刷新", s.stage("提案"), 1_000, "JPY");
        s.follow_up(&mut f.db, &deal, "2026-11-24T00:00:00Z");
        let me = f.db.user().id.clone();
        let mine = FollowUpQuery {
            assignee_id: Some(me.clone()),
            ..Default::default()
        };
        let due = |f: &Fixture| follow_up::due_count(f.db.sql(), &f.clock, &me).unwrap();
        assert_eq!((on_board(&f), due(&f)), (1, 1));
        assert_eq!(follow_up::list(f.db.sql(), &f.clock, &mine).unwrap().len(), 1);

        // A colleague's edit since the page was loaded is a conflict.
        let mut other = colleague(&f, "sato", "佐藤");
        let c = company::get(f.db.sql(), &s.company_id).unwrap();
        let e = other
            .write(|ctx| set_archived(ctx, &s.company_id, c.version + 1, true))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);

        let v =
            f.db.write(|ctx| set_archived(ctx, &s.company_id, c.version, true))
                .unwrap();
        assert!(listed(&f, &CompanyQuery::default()).is_empty());
        assert_eq!(on_board(&f), 0);
        assert_eq!(due(&f), 0);
        assert!(follow_up::list(f.db.sql(), &f.clock, &mine).unwrap().is_empty());
        // Kept: its own page, the list on request or by search, marked archived.
        let here = FollowUpQuery {
            company_id: Some(s.company_id.clone()),
            ..Default::default()
        };
        assert_eq!(follow_up::list(f.db.sql(), &f.clock, &here).unwrap().len(), 1);
        let with_archived = CompanyQuery {
            include_archived: true,
            ..Default::default()
        };
        assert_eq!(listed(&f, &with_archived), [("株式会社テスト".to_string(), true)]);
        let search = CompanyQuery {
            text: Some("テスト".into()),
            ..Default::default()
        };
        assert_eq!(listed(&f, &search), [("株式会社テスト".to_string(), true)]);
        assert!(company::get(f.db.sql(), &s.company_id).unwrap().archived_at.is_some());
        assert_invalid(
            f.db.write(|ctx| set_archived(ctx, &s.company_id, v, true)),
            "archived",
            "already",
        );

        f.db.write(|ctx| set_archived(ctx, &s.company_id, v, false)).unwrap();
        assert_eq!(
            listed(&f, &CompanyQuery::default()),
            [("株式会社テスト".to_string(), false)]
        );
        assert_eq!((on_board(&f), due(&f)), (1, 1));
        let events: Vec<String> =
            f.db.sql()
                .query(
                    "SELECT body FROM activities WHERE kind = 'system' ORDER BY id",
                    &[],
                    |r| r.get::<String>(0),
                )
                .unwrap()
                .into_iter()
                .map(|body| {
                    serde_json::from_str::<serde_json::Value>(&body).unwrap()["event"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
        assert_eq!(events, ["company_archived", "company_unarchived"]);
    }
}
