//! Changing the owner of many customers at once (a rep leaves, a territory
//! is split): the companies the user ticked in the customer list, each as
//! of the version the list showed, and optionally the open deals and open
//! follow-ups the previous owner held there.
//!
//! The change is written in batches of [`BATCH`] customers, each its own
//! short transaction, so colleagues' saves get through between them. A
//! customer a colleague changed since the list was loaded (or removed) is
//! not overwritten: it is reported, and the user looks at it again.

use crate::error::{Error, Result};
use crate::store::changes::Entity;
use crate::store::sql;
use crate::store::write::{Saves, WriteCtx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// Customers per write transaction.
pub const BATCH: usize = 200;

/// One ticked customer, as the list showed it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct Ticked {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OwnerChange {
    pub companies: Vec<Ticked>,
    /// The new owner; None: nobody.
    pub owner_id: Option<String>,
    /// Also the open deals the previous owner held at these customers.
    pub with_open_deals: bool,
    /// Also the open follow-ups the previous owner held there.
    pub with_open_follow_ups: bool,
}

/// Why a customer was left as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Skip {
    /// A colleague changed it since the list was loaded.
    Changed,
    /// It was deleted meanwhile.
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Skipped {
    pub id: String,
    /// The name now stored ("" when it is gone).
    pub name: String,
    pub why: Skip,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OwnerChanged {
    pub companies: u32,
    pub deals: u32,
    pub follow_ups: u32,
    pub skipped: Vec<Skipped>,
}

/// The whole change, batch by batch.
pub fn change_owner(db: &mut impl Saves, change: &OwnerChange) -> Result<OwnerChanged> {
    let owner = change.owner_id.as_deref().filter(|s| !s.is_empty());
    let mut done = OwnerChanged::default();
    for batch in change.companies.chunks(BATCH) {
        let part = db.save(|ctx| change_batch(ctx, owner, batch, change))?;
        done.companies += part.companies;
        done.deals += part.deals;
        done.follow_ups += part.follow_ups;
        done.skipped.extend(part.skipped);
    }
    Ok(done)
}

/// One batch, inside one write transaction.
pub fn change_batch(
    ctx: &WriteCtx,
    owner: Option<&str>,
    batch: &[Ticked],
    change: &OwnerChange,
) -> Result<OwnerChanged> {
    if let Some(o) = owner {
        let active = ctx.sql().query_opt(
            "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL AND deactivated_at IS NULL",
            sql::params![o],
            |_| Ok(()),
        )?;
        if active.is_none() {
            return Err(Error::invalid("owner_id", "unknown"));
        }
    }
    let mut done = OwnerChanged::default();
    for t in batch {
        let stored: Option<(String, i64, Option<String>, bool)> = ctx.sql().query_opt(
            "SELECT name, version, owner_id, deleted_at IS NOT NULL FROM companies WHERE id = ?1",
            sql::params![&t.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let (name, version, previous) = match stored {
            None | Some((_, _, _, true)) => {
                done.skipped.push(Skipped {
                    id: t.id.clone(),
                    name: stored.map(|s| s.0).unwrap_or_default(),
                    why: Skip::Gone,
                });
                continue;
            }
            Some((name, version, previous, false)) => (name, version, previous),
        };
        if version != t.version {
            done.skipped.push(Skipped {
                id: t.id.clone(),
                name,
                why: Skip::Changed,
            });
            continue;
        }
        if previous.as_deref() == owner {
            continue;
        }
        ctx.sql().execute(
            "UPDATE companies SET owner_id = ?3, version = version + 1, updated_at = ?4, updated_by = ?5
             WHERE id = ?1 AND version = ?2",
            sql::params![t.id, t.version, owner, ctx.now, ctx.user_id],
        )?;
        ctx.audit(
            Entity::Company,
            &t.id,
            "update",
            json!({ "owner_id": { "from": previous, "to": owner } }),
        )?;
        ctx.changed(Entity::Company, &t.id, "update")?;
        done.companies += 1;
        if change.with_open_deals {
            done.deals += reassign(
                ctx,
                Entity::Deal,
                "SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id AND s.kind = 'open'
                  WHERE d.company_id = ?1 AND d.deleted_at IS NULL AND d.owner_id IS NOT DISTINCT FROM ?2
                  ORDER BY d.id",
                "UPDATE deals SET owner_id = ?2, version = version + 1, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
                &t.id,
                previous.as_deref(),
                owner,
            )?;
        }
        if change.with_open_follow_ups {
            done.follow_ups += reassign(
                ctx,
                Entity::FollowUp,
                "SELECT f.id FROM follow_ups f
                  WHERE f.status = 'open' AND f.deleted_at IS NULL AND f.assignee_id IS NOT DISTINCT FROM ?2
                    AND (f.company_id = ?1 OR f.deal_id IN (SELECT id FROM deals WHERE company_id = ?1)
                         OR f.contract_id IN (SELECT id FROM contracts WHERE company_id = ?1))
                  ORDER BY f.id",
                "UPDATE follow_ups SET assignee_id = ?2, version = version + 1, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
                &t.id,
                previous.as_deref(),
                owner,
            )?;
        }
    }
    Ok(done)
}

/// Moves the rows `select` finds (`?1` the company, `?2` the previous
/// owner) to the new owner; returns how many. `select` orders them, so the
/// change log and the audit log list them alike on every store.
fn reassign(
    ctx: &WriteCtx,
    entity: Entity,
    select: &str,
    update: &str,
    company_id: &str,
    previous: Option<&str>,
    owner: Option<&str>,
) -> Result<u32> {
    let ids: Vec<String> = ctx
        .sql()
        .query(select, sql::params![company_id, previous], |r| r.get(0))?;
    for id in &ids {
        ctx.sql()
            .execute(update, sql::params![id, owner, ctx.now, ctx.user_id])?;
        ctx.audit(
            entity,
            id,
            "update",
            json!({ "owner": { "from": previous, "to": owner } }),
        )?;
        ctx.changed(entity, id, "update")?;
    }
    Ok(ids.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::company;
    use crate::testutil::{colleague, company, fixture, seed_pipeline};

    #[test]
    fn many_customers_change_owner_in_batches_and_a_colleagues_change_is_reported_not_overwritten() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let leaving = f.db.user().id.clone();
        let mut sato = colleague(&f, "sato", "佐藤 次郎");
        let successor = sato.user().id.clone();
        let mut ticked: Vec<Ticked> = (0..(BATCH + 5))
            .map(|i| Ticked {
                id: company(&mut f.db, &format!("会社{i}")),
                version: 1,
            })
            .collect();
        f.db.sql()
            .execute("UPDATE companies SET owner_id = ?1", sql::params![&leaving])
            .unwrap();
        let deal = s.deal(&mut f.db, "基幹システム刷新", s.stage("提案"), 1, "JPY");
        f.db.sql()
            .execute("UPDATE deals SET owner_id = ?1", sql::params![&leaving])
            .unwrap();
        let fu = s.follow_up(&mut f.db, &deal, "2026-11-30T00:00:00Z");
        f.db.sql()
            .execute("UPDATE follow_ups SET assignee_id = ?1", sql::params![&leaving])
            .unwrap();
        ticked.push(Ticked {
            id: s.company_id.clone(),
            version: 1,
        });
        // The colleague edits one after the list was loaded.
        let edited = ticked[3].id.clone();
        let c = company::get(sato.sql(), &edited).unwrap();
        let mut edit = company::CompanyEdit {
            name: "会社3（改）".into(),
            name_kana: c.name_kana,
            industry: c.industry,
            segment: c.segment,
            owner_id: c.owner_id,
            address: c.address,
            phone: c.phone,
            website: c.website,
            tags: c.tags,
        };
        sato.write(|ctx| company::update(ctx, &edited, 1, &edit)).unwrap();
        edit.name.clear();

        let done = change_owner(
            &mut f.db,
            &OwnerChange {
                companies: ticked.clone(),
                owner_id: Some(successor.clone()),
                with_open_deals: true,
                with_open_follow_ups: true,
            },
        )
        .unwrap();
        assert_eq!(done.companies as usize, ticked.len() - 1);
        assert_eq!((done.deals, done.follow_ups), (1, 1));
        assert_eq!(
            done.skipped,
            [Skipped {
                id: edited.clone(),
                name: "会社3（改）".into(),
                why: Skip::Changed
            }]
        );
        let owner_of = |id: &str| company::get(f.db.sql(), id).unwrap().owner_id.unwrap();
        assert_eq!(owner_of(&edited), leaving, "the colleague's row is not overwritten");
        assert_eq!(owner_of(&ticked[0].id), successor);
        assert_eq!(owner_of(&s.company_id), successor);
        let (deal_owner, fu_assignee): (String, String) =
            f.db.sql()
                .query_one(
                    "SELECT d.owner_id, f.assignee_id FROM deals d, follow_ups f WHERE d.id = ?1 AND f.id = ?2",
                    sql::params![&deal, &fu],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
        assert_eq!((deal_owner, fu_assignee), (successor.clone(), successor.clone()));
        // Two write transactions for 206 customers: the batches.
        let audited: i64 =
            f.db.sql()
                .query_one(
                    "SELECT COUNT(*) FROM audit_log WHERE entity = 'company' AND detail LIKE '%owner_id%from%'",
                    &[],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(audited as usize, ticked.len() - 1);

        // An unknown owner changes nothing.
        let e = change_owner(
            &mut f.db,
            &OwnerChange {
                companies: ticked[..1].to_vec(),
                owner_id: Some("nobody".into()),
                with_open_deals: false,
                with_open_follow_ups: false,
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::Invalid);
    }
}
