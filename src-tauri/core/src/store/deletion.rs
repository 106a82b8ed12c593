//! Deleting a deal, a customer, a contact or a contract, and taking the
//! deletion back.
//!
//! Deletion is soft (docs/architecture.md): rows get `deleted_at` and every
//! read leaves them out. One delete usually takes more than one row: a
//! deleted deal's open follow-ups would keep reminding about a deal nobody
//! can open, and a deleted customer's deals, contracts, contacts and open
//! follow-ups would be orphans on the board, the renewal board and the
//! follow-up lists. So each delete is a *batch*: every row it marks carries
//! the same `deletion_id` (migration 0008), and [`undo`] puts back exactly
//! that batch — never a row removed earlier on its own, never another batch.
//!
//! Both directions leave a line on the customer's timeline (kind `system`,
//! its body naming the event for the UI to word in the reader's language)
//! and in the audit log, so "who deleted this, and when" has an answer.

use crate::error::{Error, Result};
use crate::id::new_id;
use crate::store::changes::Entity;
use crate::store::sql;
use crate::store::write::WriteCtx;
use serde::Serialize;
use serde_json::{json, Value};
use ts_rs::TS;

/// The tables a delete can mark. A closed list, so table names in SQL never
/// come from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Companies,
    Contacts,
    Deals,
    Contracts,
    FollowUps,
}

impl Table {
    const ALL: [Table; 5] = [
        Table::Companies,
        Table::Contacts,
        Table::Deals,
        Table::Contracts,
        Table::FollowUps,
    ];

    fn name(self) -> &'static str {
        match self {
            Table::Companies => "companies",
            Table::Contacts => "contacts",
            Table::Deals => "deals",
            Table::Contracts => "contracts",
            Table::FollowUps => "follow_ups",
        }
    }

    /// The entity name of the change log and the audit log.
    fn entity(self) -> Entity {
        match self {
            Table::Companies => Entity::Company,
            Table::Contacts => Entity::Contact,
            Table::Deals => Entity::Deal,
            Table::Contracts => Entity::Contract,
            Table::FollowUps => Entity::FollowUp,
        }
    }
}

/// What one delete did: the id that undoes it, and what went with the record
/// the user chose (for the notice: "…and its 2 deals").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Deletion {
    pub deletion_id: String,
    pub deals: u32,
    pub contracts: u32,
    pub contacts: u32,
    pub follow_ups: u32,
}

impl Deletion {
    fn count(&mut self, table: Table, n: u32) {
        match table {
            Table::Deals => self.deals += n,
            Table::Contracts => self.contracts += n,
            Table::Contacts => self.contacts += n,
            Table::FollowUps => self.follow_ups += n,
            Table::Companies => {}
        }
    }
}

/// One delete in progress, inside the caller's transaction.
pub(crate) struct Batch<'c, 'a> {
    ctx: &'c WriteCtx<'a>,
    done: Deletion,
}

impl<'c, 'a> Batch<'c, 'a> {
    pub(crate) fn new(ctx: &'c WriteCtx<'a>) -> Self {
        Batch {
            ctx,
            done: Deletion {
                deletion_id: new_id(),
                ..Default::default()
            },
        }
    }

    pub(crate) fn id(&self) -> &str {
        &self.done.deletion_id
    }

    /// The record the user chose, as of the version they saw: a colleague's
    /// change meanwhile is a conflict, and nothing is deleted.
    pub(crate) fn mark_one(&mut self, table: Table, id: &str, version: i64, detail: Value) -> Result<()> {
        let n = self.ctx.sql().execute(
            &format!(
                "UPDATE {} SET deleted_at = ?3, deletion_id = ?4, version = version + 1, updated_at = ?3, updated_by = ?5
                 WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
                table.name()
            ),
            sql::params![id, version, self.ctx.now, self.done.deletion_id, self.ctx.user_id],
        )?;
        self.ctx.expect_one(table.entity().as_str(), table.name(), id, n)?;
        self.logged(table, id, detail)
    }

    /// The live rows of `table` that `filter` picks (`?1` is `key`), taken
    /// along with the chosen record. Returns how many.
    pub(crate) fn mark_where(&mut self, table: Table, filter: &str, key: &str) -> Result<u32> {
        let ids: Vec<String> = self.ctx.sql().query(
            &format!(
                "SELECT id FROM {} WHERE deleted_at IS NULL AND ({filter})",
                table.name()
            ),
            sql::params![key],
            |r| r.get(0),
        )?;
        for id in &ids {
            self.ctx.sql().execute(
                &format!(
                    "UPDATE {} SET deleted_at = ?2, deletion_id = ?3, version = version + 1, updated_at = ?2, updated_by = ?4
                     WHERE id = ?1",
                    table.name()
                ),
                sql::params![id, self.ctx.now, self.done.deletion_id, self.ctx.user_id],
            )?;
            self.logged(table, id, json!({ "with": true }))?;
        }
        let n = ids.len() as u32;
        self.done.count(table, n);
        Ok(n)
    }

    fn logged(&self, table: Table, id: &str, mut detail: Value) -> Result<()> {
        detail["deletion_id"] = json!(self.done.deletion_id);
        self.ctx.audit(table.entity(), id, "delete", detail)?;
        self.ctx.changed(table.entity(), id, "delete")
    }

    pub(crate) fn finish(self) -> Deletion {
        self.done
    }
}

/// A line on the customer's timeline for a delete or an undo. The summary is
/// for the record (and the CLI); the UI words the `event` in the reader's
/// language. Bookkeeping, not a touch: last contact does not move. Written
/// as the timeline's `system` kind in SQL: the store sits below the timeline.
pub(crate) fn note(ctx: &WriteCtx, company_id: &str, summary: &str, body: Value) -> Result<()> {
    let id = new_id();
    ctx.sql().execute(
        "INSERT INTO activities (id, company_id, kind, occurred_at, summary, body, author_id, created_at, updated_at, updated_by)
         VALUES (?1, ?2, 'system', ?3, ?4, ?5, ?6, ?3, ?3, ?6)",
        sql::params![id, company_id, ctx.now, summary, body.to_string(), ctx.user_id],
    )?;
    ctx.changed(Entity::Activity, &id, "insert")
}

/// What an undo put back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Restored {
    /// The customer restored, or the customer of the restored deal.
    pub company_id: Option<String>,
    /// The deal restored, when the deletion was of a deal.
    pub deal_id: Option<String>,
    #[ts(type = "number")]
    pub rows: u32,
}

/// Puts back every row of one delete. Refused (and nothing changes) when
/// something the batch hangs on was deleted on its own since — a deal whose
/// customer a colleague then deleted comes back only with that customer.
pub fn undo(ctx: &WriteCtx, deletion_id: &str) -> Result<Restored> {
    let Some(what) = chosen(ctx, deletion_id)? else {
        return Err(Error::NotFound {
            entity: "deletion",
            id: deletion_id.to_string(),
        });
    };
    let orphan = |statement: &str| -> Result<bool> {
        Ok(ctx
            .sql()
            .query_opt(statement, sql::params![deletion_id], |_| Ok(()))?
            .is_some())
    };
    // Rows of the batch whose customer is gone and does not come back with it.
    for table in ["deals", "contacts", "contracts"] {
        if orphan(&format!(
            "SELECT 1 FROM {table} x JOIN companies c ON c.id = x.company_id
             WHERE x.deletion_id = ?1 AND c.deleted_at IS NOT NULL AND c.deletion_id IS DISTINCT FROM ?1"
        ))? {
            return Err(Error::invalid("company_id", "deleted"));
        }
    }
    if orphan(
        "SELECT 1 FROM deals d JOIN stages s ON s.id = d.stage_id
         WHERE d.deletion_id = ?1 AND s.deleted_at IS NOT NULL",
    )? {
        return Err(Error::invalid("stage", "unknown"));
    }

    let mut rows = 0;
    for table in Table::ALL {
        let ids: Vec<String> = ctx.sql().query(
            &format!("SELECT id FROM {} WHERE deletion_id = ?1", table.name()),
            sql::params![deletion_id],
            |r| r.get(0),
        )?;
        for id in &ids {
            ctx.sql().execute(
                &format!(
                    "UPDATE {} SET deleted_at = NULL, deletion_id = NULL, version = version + 1, updated_at = ?2, updated_by = ?3
                     WHERE id = ?1",
                    table.name()
                ),
                sql::params![id, ctx.now, ctx.user_id],
            )?;
            ctx.audit(table.entity(), id, "restore", json!({ "deletion_id": deletion_id }))?;
            ctx.changed(table.entity(), id, "insert")?;
        }
        rows += ids.len() as u32;
    }

    let (summary, body, company_id, deal_id) = match what {
        Chosen::Company { id, name } => (
            format!("顧客を元に戻しました: {name}"),
            json!({ "event": "company_restored", "name": name }),
            id,
            None,
        ),
        Chosen::Deal { id, company_id, title } => (
            format!("案件を元に戻しました: {title}"),
            json!({ "event": "deal_restored", "title": title, "deal_id": id }),
            company_id,
            Some(id),
        ),
        Chosen::Contact { id, company_id, name } => (
            format!("担当者を元に戻しました: {name}"),
            json!({ "event": "contact_restored", "name": name, "contact_id": id }),
            company_id,
            None,
        ),
        Chosen::Contract { id, company_id, plan } => (
            format!("契約を元に戻しました: {plan}"),
            json!({ "event": "contract_restored", "title": plan, "contract_id": id }),
            company_id,
            None,
        ),
    };
    note(ctx, &company_id, &summary, body)?;
    Ok(Restored {
        company_id: Some(company_id),
        deal_id,
        rows,
    })
}

/// The record the user deleted, which the batch hangs on.
enum Chosen {
    Company {
        id: String,
        name: String,
    },
    Deal {
        id: String,
        company_id: String,
        title: String,
    },
    Contact {
        id: String,
        company_id: String,
        name: String,
    },
    Contract {
        id: String,
        company_id: String,
        plan: String,
    },
}

/// Which record a batch was the delete of: a customer's delete takes its
/// deals, contacts and contracts along, so the customer is looked for
/// first; a deal's, a contact's or a contract's own delete marks exactly
/// one of them (and perhaps follow-ups).
fn chosen(ctx: &WriteCtx, deletion_id: &str) -> Result<Option<Chosen>> {
    let one = |statement: &str| -> Result<Option<(String, String, String)>> {
        ctx.sql().query_opt(statement, sql::params![deletion_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
    };
    if let Some((id, name, _)) = one("SELECT id, name, '' FROM companies WHERE deletion_id = ?1")? {
        return Ok(Some(Chosen::Company { id, name }));
    }
    if let Some((id, company_id, title)) = one("SELECT id, company_id, title FROM deals WHERE deletion_id = ?1")? {
        return Ok(Some(Chosen::Deal { id, company_id, title }));
    }
    if let Some((id, company_id, name)) = one("SELECT id, company_id, name FROM contacts WHERE deletion_id = ?1")? {
        return Ok(Some(Chosen::Contact { id, company_id, name }));
    }
    if let Some((id, company_id, plan)) = one("SELECT id, company_id, plan FROM contracts WHERE deletion_id = ?1")? {
        return Ok(Some(Chosen::Contract { id, company_id, plan }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followups::follow_up::{self, FollowUpQuery};
    use crate::pipeline::board::{self, BoardFilter};
    use crate::pipeline::deal::{self};
    use crate::pipeline::moves::MoveDeal;
    use crate::testutil::{assert_invalid, contact, contract, fixture, seed_pipeline, Fixture, Seed};
    use crate::timeline::activity::ActivityKind;
    use crate::timeline::entries::{self, TimelineQuery};
    use crate::{customers::company, ErrorCode};
    use chrono::NaiveDate;

    fn board_titles(f: &Fixture) -> Vec<String> {
        let b = board::load(f.db.sql(), &f.clock, None, &BoardFilter::default()).unwrap();
        b.columns
            .iter()
            .flat_map(|c| &c.cards)
            .map(|c| c.title.clone())
            .collect()
    }

    fn open_follow_ups(f: &Fixture) -> Vec<String> {
        follow_up::list(f.db.sql(), &f.clock, &FollowUpQuery::default())
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect()
    }

    fn events(f: &Fixture, company_id: &str) -> Vec<String> {
        let page = entries::timeline(
            f.db.sql(),
            &TimelineQuery {
                company_id: Some(company_id.into()),
                ..Default::default()
            },
        )
        .unwrap();
        page.entries
            .iter()
            .filter(|e| e.kind == ActivityKind::System)
            .map(|e| {
                serde_json::from_str::<Value>(&e.body).unwrap()["event"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    fn in_closing(f: &mut Fixture, s: &Seed, title: &str) -> String {
        let id = s.deal(&mut f.db, title, s.stage("見積"), 1_000, "JPY");
        let m = MoveDeal {
            deal_id: id.clone(),
            version: 1,
            to_stage_id: s.stage("クロージング"),
            decision_deadline: NaiveDate::from_ymd_opt(2026, 12, 9),
            ..Default::default()
        };
        f.db.write(|ctx| crate::pipeline::moves::move_to(ctx, &m)).unwrap();
        id
    }

    fn count(f: &Fixture, sql: &str) -> i64 {
        f.db.sql().query_one(sql, &[], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_deleted_deal_leaves_the_board_and_its_reminders_and_undo_brings_both_back() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = in_closing(&mut f, &s, "基幹システム刷新");
        s.deal(&mut f.db, "別の案件", s.stage("提案"), 1, "JPY");
        let version = deal::get(f.db.sql(), &id).unwrap().version;
        assert_eq!(open_follow_ups(&f), ["決断期限: 基幹システム刷新"]);

        // A stale version deletes nothing.
        let e = f.db.write(|ctx| deal::delete(ctx, &id, version - 1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert!(board_titles(&f).contains(&"基幹システム刷新".to_string()));

        let gone = f.db.write(|ctx| deal::delete(ctx, &id, version)).unwrap();
        assert_eq!(
            (gone.deals, gone.follow_ups),
            (0, 1),
            "the deal's reminder went with it"
        );
        assert_eq!(board_titles(&f), ["別の案件"]);
        assert!(open_follow_ups(&f).is_empty());
        assert_eq!(deal::get(f.db.sql(), &id).unwrap_err().code(), ErrorCode::NotFound);
        assert_eq!(events(&f, &s.company_id), ["deal_deleted"]);
        assert_eq!(
            count(&f, "SELECT COUNT(*) FROM audit_log WHERE action = 'delete'"),
            2,
            "the deal and its follow-up, each audited"
        );
        // Deleting again is "not found", not a second batch.
        let e = f.db.write(|ctx| deal::delete(ctx, &id, version + 1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);

        let back = f.db.write(|ctx| undo(ctx, &gone.deletion_id)).unwrap();
        assert_eq!(back.deal_id.as_deref(), Some(id.as_str()));
        assert_eq!(back.company_id.as_deref(), Some(s.company_id.as_str()));
        assert_eq!(back.rows, 2);
        let d = deal::get(f.db.sql(), &id).unwrap();
        assert_eq!(d.version, version + 2, "deleted and restored are both changes");
        assert_eq!(d.stage_id, s.stage("クロージング"));
        assert!(board_titles(&f).contains(&"基幹システム刷新".to_string()));
        assert_eq!(open_follow_ups(&f), ["決断期限: 基幹システム刷新"]);
        assert_eq!(events(&f, &s.company_id), ["deal_restored", "deal_deleted"]);
        assert_eq!(count(&f, "SELECT COUNT(*) FROM audit_log WHERE action = 'restore'"), 2);
        assert_eq!(count(&f, "SELECT COUNT(*) FROM deals WHERE deletion_id IS NOT NULL"), 0);
        // Search finds it again (the index follows deleted_at).
        let hits =
            crate::timeline::search::search(f.db.sql(), "基幹システム", 0, crate::language::Language::Ja).unwrap();
        assert_eq!(hits.deals.hits.len(), 1);
        // The same undo twice finds nothing left to undo.
        let e = f.db.write(|ctx| undo(ctx, &gone.deletion_id)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
    }

    #[test]
    fn a_cancelled_or_done_follow_up_stays_as_it_was() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let done = s.follow_up(&mut f.db, &id, "2026-11-26T00:00:00Z");
        f.db.write(|ctx| follow_up::complete(ctx, &done, 1, None)).unwrap();
        let gone = f.db.write(|ctx| deal::delete(ctx, &id, 1)).unwrap();
        assert_eq!(gone.follow_ups, 0);
        let history: (String, Option<String>) =
            f.db.sql()
                .query_one(
                    "SELECT status, deleted_at FROM follow_ups WHERE id = ?1",
                    sql::params![&done],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
        assert_eq!(history, ("done".into(), None));
    }

    #[test]
    fn a_customer_with_open_work_is_deleted_only_on_an_explicit_yes_and_comes_back_whole() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let deal_id = in_closing(&mut f, &s, "基幹システム刷新");
        let won = s.deal(&mut f.db, "過去の受注", s.stage("提案"), 1, "JPY");
        s.move_deal(&mut f.db, &won, 1, s.stage("受注"));
        contract(&mut f, &s.company_id, "2026-01-01", "2026-12-31", 600_000);
        contact(&mut f.db, &s.company_id, "山田 花子", "");
        // Removed on its own last week: an undo of the customer must not revive it.
        let old = contact(&mut f.db, &s.company_id, "退職した人", "");
        f.db.write(|ctx| crate::customers::contact::delete_contact(ctx, &old, 1))
            .unwrap();
        let version = company::get(f.db.sql(), &s.company_id).unwrap().version;

        let impact = company::deletion_impact(f.db.sql(), &s.company_id).unwrap();
        assert_eq!(
            (
                impact.open_deals,
                impact.closed_deals,
                impact.running_contracts,
                impact.other_contracts,
                impact.contacts
            ),
            (1, 1, 1, 0, 1)
        );
        // The decision deadline, and the contract's renewal work.
        assert!(impact.open_follow_ups >= 2, "{impact:?}");
        assert!(impact.has_open_work());

        assert_invalid(
            f.db.write(|ctx| company::delete(ctx, &s.company_id, version, false)),
            "company",
            "has_open_work",
        );
        assert_eq!(board_titles(&f).len(), 2, "nothing deleted without the yes");

        let gone =
            f.db.write(|ctx| company::delete(ctx, &s.company_id, version, true))
                .unwrap();
        assert_eq!((gone.deals, gone.contracts, gone.contacts), (2, 1, 1));
        assert_eq!(gone.follow_ups, impact.open_follow_ups);
        assert!(board_titles(&f).is_empty());
        assert!(open_follow_ups(&f).is_empty());
        assert!(company::list(f.db.sql(), &f.clock, &Default::default())
            .unwrap()
            .is_empty());
        assert!(crate::contracts::renewal::board(f.db.sql(), &f.clock, 400)
            .unwrap()
            .is_empty());
        assert_eq!(
            company::get(f.db.sql(), &s.company_id).unwrap_err().code(),
            ErrorCode::NotFound
        );

        let back = f.db.write(|ctx| undo(ctx, &gone.deletion_id)).unwrap();
        assert_eq!(back.company_id.as_deref(), Some(s.company_id.as_str()));
        assert_eq!(back.deal_id, None);
        assert_eq!(board_titles(&f).len(), 2);
        assert_eq!(open_follow_ups(&f).len() as u32, impact.open_follow_ups);
        assert_eq!(company::deletion_impact(f.db.sql(), &s.company_id).unwrap(), impact);
        assert_eq!(
            deal::get(f.db.sql(), &deal_id).unwrap().stage_id,
            s.stage("クロージング")
        );
        let names: Vec<String> = crate::customers::contact::contacts_of(f.db.sql(), &s.company_id)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["山田 花子"], "the contact removed earlier stays removed");
        assert_eq!(
            events(&f, &s.company_id),
            ["company_restored", "company_deleted", "contact_deleted"]
        );
    }

    #[test]
    fn a_customer_without_open_work_needs_no_yes() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let gone = f.db.write(|ctx| company::delete(ctx, &s.company_id, 1, false)).unwrap();
        assert_eq!(gone.deals + gone.contracts + gone.contacts + gone.follow_ups, 0);
    }

    #[test]
    fn a_deal_comes_back_only_with_its_customer() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let id = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let deal_gone = f.db.write(|ctx| deal::delete(ctx, &id, 1)).unwrap();
        let v = company::get(f.db.sql(), &s.company_id).unwrap().version;
        let company_gone = f.db.write(|ctx| company::delete(ctx, &s.company_id, v, false)).unwrap();
        assert_eq!(company_gone.deals, 0, "the deal was already gone on its own");

        assert_invalid(
            f.db.write(|ctx| undo(ctx, &deal_gone.deletion_id)),
            "company_id",
            "deleted",
        );
        assert_eq!(deal::get(f.db.sql(), &id).unwrap_err().code(), ErrorCode::NotFound);
        // The customer first, then the deal.
        f.db.write(|ctx| undo(ctx, &company_gone.deletion_id)).unwrap();
        assert_eq!(deal::get(f.db.sql(), &id).unwrap_err().code(), ErrorCode::NotFound);
        f.db.write(|ctx| undo(ctx, &deal_gone.deletion_id)).unwrap();
        assert_eq!(deal::get(f.db.sql(), &id).unwrap().title, "A");
    }

    #[test]
    fn a_removed_contact_keeps_its_name_on_the_timeline_and_undo_brings_it_back() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let yamada = contact(&mut f.db, &s.company_id, "山田 花子", "hanako@example.jp");
        let mut met = crate::testutil::entry(&s.company_id, ActivityKind::Meeting, "2026-11-20T01:00:00Z", "定例");
        met.contact_ids = vec![yamada.clone()];
        let touch = crate::testutil::log(&mut f.db, &met);

        // A stale version removes nothing.
        let e =
            f.db.write(|ctx| crate::customers::contact::delete_contact(ctx, &yamada, 0))
                .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        let gone =
            f.db.write(|ctx| crate::customers::contact::delete_contact(ctx, &yamada, 1))
                .unwrap();
        assert!(crate::customers::contact::contacts_of(f.db.sql(), &s.company_id)
            .unwrap()
            .is_empty());
        let page = entries::timeline(
            f.db.sql(),
            &TimelineQuery {
                company_id: Some(s.company_id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        let meeting = page.entries.iter().find(|e| e.id == touch).unwrap();
        assert_eq!(
            meeting.contacts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["山田 花子"]
        );
        assert_eq!(events(&f, &s.company_id), ["contact_deleted"]);

        let back = f.db.write(|ctx| undo(ctx, &gone.deletion_id)).unwrap();
        assert_eq!(
            (back.company_id.as_deref(), back.rows),
            (Some(s.company_id.as_str()), 1)
        );
        let names: Vec<String> = crate::customers::contact::contacts_of(f.db.sql(), &s.company_id)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["山田 花子"]);
        assert_eq!(events(&f, &s.company_id), ["contact_restored", "contact_deleted"]);
    }

    #[test]
    fn a_removed_contract_takes_its_open_renewal_work_and_undo_restores_both() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let k = contract(&mut f, &s.company_id, "2026-01-01", "2027-03-31", 600_000);
        let open_work = |f: &Fixture| {
            count(
                f,
                &format!("SELECT COUNT(*) FROM follow_ups WHERE contract_id = '{k}' AND status = 'open' AND deleted_at IS NULL"),
            )
        };
        let planned = open_work(&f);
        assert!(planned >= 2, "the hearing and the proposal are planned");
        assert_eq!(
            crate::contracts::renewal::board(f.db.sql(), &f.clock, 400)
                .unwrap()
                .len(),
            1
        );

        let e =
            f.db.write(|ctx| crate::contracts::contract::delete(ctx, &k, 0))
                .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        let gone =
            f.db.write(|ctx| crate::contracts::contract::delete(ctx, &k, 1))
                .unwrap();
        assert_eq!(i64::from(gone.follow_ups), planned);
        assert_eq!(open_work(&f), 0);
        assert!(open_follow_ups(&f).is_empty(), "no reminder about a removed contract");
        assert!(crate::contracts::renewal::board(f.db.sql(), &f.clock, 400)
            .unwrap()
            .is_empty());
        assert_eq!(
            events(&f, &s.company_id).first().map(String::as_str),
            Some("contract_deleted")
        );

        f.db.write(|ctx| undo(ctx, &gone.deletion_id)).unwrap();
        assert_eq!(open_work(&f), planned);
        assert_eq!(
            crate::contracts::renewal::board(f.db.sql(), &f.clock, 400)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            events(&f, &s.company_id).first().map(String::as_str),
            Some("contract_restored")
        );
    }

    #[test]
    fn a_contact_comes_back_only_with_its_customer() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let yamada = contact(&mut f.db, &s.company_id, "山田 花子", "");
        let contact_gone =
            f.db.write(|ctx| crate::customers::contact::delete_contact(ctx, &yamada, 1))
                .unwrap();
        let v = company::get(f.db.sql(), &s.company_id).unwrap().version;
        f.db.write(|ctx| company::delete(ctx, &s.company_id, v, false)).unwrap();
        assert_invalid(
            f.db.write(|ctx| undo(ctx, &contact_gone.deletion_id)),
            "company_id",
            "deleted",
        );
    }

    #[test]
    fn an_unknown_deletion_is_not_found() {
        let mut f = fixture();
        let e = f.db.write(|ctx| undo(ctx, "nope")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
    }
}
