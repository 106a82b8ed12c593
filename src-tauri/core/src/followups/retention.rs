//! Nobody forgotten (docs/sales-methods.md, "Nobody silently dropped"): the customers and open deals that have
//! nothing planned next, and the customers past their retention interval,
//! grouped by owner so each person sees whom they owe a call.

use crate::clock::{from_db, Clock};
use crate::customers::company::Segment;
use crate::customers::health::OPEN_COMPLAINT;
use crate::error::Result;
use crate::store::sql::{self, Sql};
use crate::team::settings::TeamSettings;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ForgottenCustomer {
    pub id: String,
    pub name: String,
    pub segment: Segment,
    pub last_contact_at: Option<String>,
    /// Whole days since the last contact (or since the customer was added).
    #[ts(type = "number")]
    pub days_since_contact: i64,
    /// Their retention interval in days (their own, or their segment's).
    #[ts(type = "number")]
    pub interval_days: i64,
    /// Past the interval.
    pub overdue: bool,
    /// An active customer (open deal or running contract) with no open follow-up.
    pub no_next_step: bool,
    /// A key account with an open complaint that its owner has not spoken
    /// to in [`COMPLAINT_QUIET_DAYS`] days: support is on it, but the
    /// relationship is the owner's.
    pub complaint_unattended: bool,
}

/// How long a key account with an open complaint may go without a word from its owner.
pub const COMPLAINT_QUIET_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DealWithoutStep {
    pub id: String,
    pub title: String,
    pub company_id: String,
    pub company_name: String,
    pub stage_name: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub last_activity_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OwnerGroup {
    /// `None`: nobody owns them, which is a finding in itself.
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub customers: Vec<ForgottenCustomer>,
    pub deals: Vec<DealWithoutStep>,
}

/// Whether company `c` is a customer the team keeps in touch with on its
/// retention interval: it bought (a won deal) or has a running contract —
/// and nobody already planned when to come back (a re-approach after a loss
/// or a churn). A prospect is followed through its deals, not by retention;
/// a lost customer waits for its re-approach, and a "you forgot them" before
/// that date would push exactly where the team decided to wait
/// (docs/sales-methods.md, "Lost is not the end" and "Retention").
pub(crate) const RETAINED: &str = "
     (EXISTS (SELECT 1 FROM deals wd JOIN stages ws ON ws.id = wd.stage_id AND ws.kind = 'won'
               WHERE wd.company_id = c.id AND wd.deleted_at IS NULL)
      OR EXISTS (SELECT 1 FROM contracts rk WHERE rk.company_id = c.id AND rk.deleted_at IS NULL
                  AND rk.status IN ('active','in_renewal')))
     AND NOT EXISTS (SELECT 1 FROM follow_ups rf WHERE rf.company_id = c.id AND rf.kind = 'reapproach'
                      AND rf.status = 'open' AND rf.deleted_at IS NULL)";

fn customers_sql() -> String {
    format!(
        "SELECT c.id, c.name, c.segment, c.last_contact_at, COALESCE(c.last_contact_at, c.created_at),
       COALESCE(c.retention_days, CASE c.segment WHEN 'key' THEN ?1 ELSE ?2 END) AS interval,
       c.owner_id, u.display_name, {RETAINED} AS retained,
       (EXISTS (SELECT 1 FROM deals d JOIN stages s ON s.id = d.stage_id AND s.kind = 'open'
                 WHERE d.company_id = c.id AND d.deleted_at IS NULL)
        OR EXISTS (SELECT 1 FROM contracts k WHERE k.company_id = c.id AND k.deleted_at IS NULL
                    AND k.status IN ('active','in_renewal')))
       AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.company_id = c.id AND f.status = 'open'
                        AND f.deleted_at IS NULL) AS no_next,
       c.segment = 'key' AND {OPEN_COMPLAINT}
       AND NOT EXISTS (SELECT 1 FROM activities oa WHERE oa.company_id = c.id AND oa.deleted_at IS NULL
                        AND oa.occurred_at >= ?3 AND oa.kind IN ('meeting','call','email','sns','quote')
                        AND (c.owner_id IS NULL OR oa.author_id = c.owner_id)) AS complaint_unattended
  FROM companies c LEFT JOIN users u ON u.id = c.owner_id
 WHERE c.deleted_at IS NULL AND c.archived_at IS NULL
 ORDER BY COALESCE(c.last_contact_at, c.created_at), c.name_kana, c.id"
    )
}

const DEALS: &str = "
SELECT d.id, d.title, d.company_id, c.name, s.name, d.amount, d.currency, d.last_activity_at, d.owner_id, u.display_name
  FROM deals d
  JOIN stages s ON s.id = d.stage_id AND s.kind = 'open'
  JOIN companies c ON c.id = d.company_id
  LEFT JOIN users u ON u.id = d.owner_id
 WHERE d.deleted_at IS NULL AND c.archived_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.deal_id = d.id AND f.status = 'open' AND f.deleted_at IS NULL)
 ORDER BY COALESCE(d.last_activity_at, d.created_at), d.title, d.id";

type Owner = (Option<String>, Option<String>);

fn group(groups: &mut BTreeMap<Owner, OwnerGroup>, owner: Owner) -> &mut OwnerGroup {
    groups.entry(owner.clone()).or_insert_with(|| OwnerGroup {
        owner_id: owner.0,
        owner_name: owner.1,
        customers: Vec::new(),
        deals: Vec::new(),
    })
}

/// Everyone's list, the current user's group first, the unowned last.
pub fn nobody_forgotten<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    team: &TeamSettings,
    me: Option<&str>,
) -> Result<Vec<OwnerGroup>> {
    let conn = conn.into();
    let now = clock.now();
    let mut groups: BTreeMap<Owner, OwnerGroup> = BTreeMap::new();
    let quiet_since = crate::clock::to_db(now - chrono::Duration::days(COMPLAINT_QUIET_DAYS));
    let customers = conn.query(
        &customers_sql(),
        sql::params![team.retention_days_key, team.retention_days_other, quiet_since],
        |r| {
            let since: String = r.get(4)?;
            let interval: i64 = r.get(5)?;
            let days = from_db(&since).map_or(0, |t| (now - t).num_days());
            let retained: bool = r.get::<Option<bool>>(8)?.unwrap_or(false);
            let no_next: bool = r.get::<Option<bool>>(9)?.unwrap_or(false);
            let overdue = retained && days > interval;
            let complaint: bool = r.get::<Option<bool>>(10)?.unwrap_or(false);
            if !overdue && !no_next && !complaint {
                return Ok(None);
            }
            let owner: Owner = (r.get(6)?, r.get(7)?);
            Ok(Some((
                owner,
                ForgottenCustomer {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    segment: crate::error::known_in_row("companies", &r.get::<String>(0)?, r.get(2)?, Segment::parse)?,
                    last_contact_at: r.get(3)?,
                    days_since_contact: days,
                    interval_days: interval,
                    overdue,
                    no_next_step: no_next,
                    complaint_unattended: complaint,
                },
            )))
        },
    )?;
    for (owner, customer) in customers.into_iter().flatten() {
        group(&mut groups, owner).customers.push(customer);
    }
    let deals = conn.query(DEALS, &[], |r| {
        let owner: Owner = (r.get(8)?, r.get(9)?);
        Ok((
            owner,
            DealWithoutStep {
                id: r.get(0)?,
                title: r.get(1)?,
                company_id: r.get(2)?,
                company_name: r.get(3)?,
                stage_name: r.get(4)?,
                amount: r.get(5)?,
                currency: r.get(6)?,
                last_activity_at: r.get(7)?,
            },
        ))
    })?;
    for (owner, deal) in deals {
        group(&mut groups, owner).deals.push(deal);
    }
    let mut out: Vec<OwnerGroup> = groups.into_values().collect();
    out.sort_by_key(|g| {
        (
            g.owner_id.as_deref() != me || me.is_none(),
            g.owner_id.is_none(),
            g.owner_name.clone(),
        )
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{colleague, entry, fixture, log, seed_pipeline};
    use crate::timeline::activity::ActivityKind;

    #[test]
    fn a_key_account_with_an_open_complaint_and_no_word_from_its_owner_in_14_days_is_listed() {
        use crate::testutil::{insert_case, Case};
        let mut f = fixture(); // 2026-11-25T01:00:00Z
        let s = seed_pipeline(&mut f.db);
        let me = f.db.user().id.clone();
        let team = TeamSettings::default();
        f.db.sql()
            .execute("UPDATE companies SET owner_id = ?1, segment = 'key'", sql::params![&me])
            .unwrap();
        let c = &s.company_id;
        // My last call was 15 days ago: well within the 30-day retention interval.
        log(
            &mut f.db,
            &entry(c, ActivityKind::Call, "2026-11-10T00:00:00Z", "定期連絡"),
        );
        let listed = |f: &crate::testutil::Fixture| {
            nobody_forgotten(f.db.sql(), &f.clock, &team, Some(&me))
                .unwrap()
                .into_iter()
                .flat_map(|g| g.customers)
                .find(|x| &x.id == c)
        };
        assert_eq!(listed(&f), None, "no complaint: nothing to say");
        insert_case(
            &f.db,
            c,
            &Case {
                category: "complaint",
                status: "in_progress",
                resolved_at: None,
                resolution_due: "2026-11-30T00:00:00Z",
                ..Case::default()
            },
        );
        let found = listed(&f).expect("listed for the complaint");
        assert!(found.complaint_unattended && !found.overdue && !found.no_next_step);

        // A colleague's call is not the owner's.
        let mut sato = colleague(&f, "sato", "佐藤");
        let call = entry(c, ActivityKind::Call, "2026-11-24T00:00:00Z", "サポートから");
        sato.write(|ctx| crate::timeline::activity::log(ctx, &call)).unwrap();
        assert!(listed(&f).is_some_and(|x| x.complaint_unattended));
        // The owner's call 14 days ago to the second takes it off.
        log(
            &mut f.db,
            &entry(c, ActivityKind::Call, "2026-11-11T01:00:00Z", "お詫び"),
        );
        assert_eq!(listed(&f), None);
    }

    #[test]
    fn lists_overdue_customers_and_deals_without_a_next_step_by_owner() {
        let mut f = fixture(); // 2026-11-25
        let s = seed_pipeline(&mut f.db);
        let me = f.db.user().id.clone();
        let sato = colleague(&f, "sato", "佐藤");
        let sato_id = sato.user().id.clone();
        let team = TeamSettings::default();
        let conn = f.db.sql();
        conn.execute(
            "UPDATE companies SET owner_id = ?1, segment = 'key', created_at = '2026-01-01T00:00:00Z'",
            sql::params![&me],
        )
        .unwrap();
        // A key account (it bought once) last called 31 days ago: past its 30 days.
        s.deal(&mut f.db, "初回受注", s.stage("受注"), 100, "JPY");
        log(
            &mut f.db,
            &entry(&s.company_id, ActivityKind::Call, "2026-10-25T00:00:00Z", "電話"),
        );
        // A prospect of mine as silent for as long, that never bought: not
        // a forgotten customer (its deals are what the team follows).
        let prospect =
            f.db.write(|ctx| {
                crate::customers::company::create(
                    ctx,
                    &crate::customers::company::NewCompany {
                        name: "見込み商事".into(),
                        owner_id: Some(me.clone()),
                        segment: Some(Segment::Key),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        f.db.sql()
            .execute(
                "UPDATE companies SET created_at = '2026-01-01T00:00:00Z' WHERE id = ?1",
                sql::params![&prospect],
            )
            .unwrap();
        // An open deal of Sato's with nothing planned, and one with a follow-up.
        let bare = s.deal(&mut f.db, "放置案件", s.stage("提案"), 500, "JPY");
        let planned = s.deal(&mut f.db, "予定あり", s.stage("提案"), 100, "JPY");
        s.follow_up(&mut f.db, &planned, "2026-12-01T00:00:00Z");
        f.db.sql()
            .execute(
                "UPDATE deals SET owner_id = ?1 WHERE id = ?2",
                sql::params![sato_id, bare],
            )
            .unwrap();

        let groups = nobody_forgotten(f.db.sql(), &f.clock, &team, Some(&me)).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].owner_id.as_deref(), Some(me.as_str()), "mine first");
        assert!(
            groups[0].customers.iter().all(|c| c.id != prospect),
            "a prospect is not a forgotten customer"
        );
        let c = &groups[0].customers[0];
        assert_eq!((c.days_since_contact, c.interval_days, c.overdue), (31, 30, true));
        // The company has an open deal and a company follow-up planned
        // through the deal: it does have a next step.
        assert!(!c.no_next_step);
        assert_eq!(groups[1].owner_name.as_deref(), Some("佐藤"));
        assert_eq!(
            groups[1].deals.iter().map(|d| d.title.as_str()).collect::<Vec<_>>(),
            ["放置案件"]
        );

        // A recent touch and a longer interval take the customer off the list.
        log(
            &mut f.db,
            &entry(&s.company_id, ActivityKind::Meeting, "2026-11-24T00:00:00Z", "訪問"),
        );
        let groups = nobody_forgotten(f.db.sql(), &f.clock, &team, Some(&me)).unwrap();
        assert!(groups.iter().all(|g| g.customers.is_empty()));
    }
}
