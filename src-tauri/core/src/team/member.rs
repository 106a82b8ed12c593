//! Team members. A computer profile says which member it is (session.rs,
//! remembered per team file in config.json); the OS login a member was first
//! seen with is only a hint, which several members may share — small offices
//! often set every PC up with the same login. Every write names its member
//! (updated_by, audit_log).
//!
//! Members are managed here: rename, deactivate (gone from the pickers, their
//! history stays) and merge a stray member into the real one.

use crate::error::{Error, Result};
use crate::store::changes::Entity;
pub use crate::store::identity::{ensure, find_by_login, get, resolve, validate_display_name, User};
use crate::store::identity::{from_row, USER_COLUMNS};
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::team::role::{self, Role};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

/// A member as Settings → Members and the "who are you?" question show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Member {
    pub id: String,
    pub login: String,
    pub display_name: String,
    /// `false` once deactivated: out of the pickers, history kept.
    pub active: bool,
    /// When a Kizuna last said it acts as this member, and on which computer.
    pub last_seen_at: Option<String>,
    pub last_computer: Option<String>,
    /// What they do in the team: what they see first, who is told what.
    pub roles: Vec<Role>,
    #[ts(type = "number")]
    pub version: i64,
}

/// The active members: what owner and assignee pickers offer.
pub fn list<'c>(conn: impl Into<Sql<'c>>) -> Result<Vec<User>> {
    conn.into().query(
        &format!(
            "SELECT {USER_COLUMNS} FROM users WHERE deleted_at IS NULL AND deactivated_at IS NULL
             ORDER BY display_name, id"
        ),
        &[],
        from_row,
    )
}

/// Every member that is not merged away, deactivated ones last, with where
/// each was last seen.
pub fn members<'c>(conn: impl Into<Sql<'c>>) -> Result<Vec<Member>> {
    conn.into().query(
        "SELECT u.id, u.login, u.display_name, u.deactivated_at IS NULL, s.seen_at, s.computer_name, u.version, u.roles
           FROM users u
           LEFT JOIN member_sessions s ON s.computer_id = (
                SELECT computer_id FROM member_sessions WHERE user_id = u.id ORDER BY seen_at DESC LIMIT 1)
          WHERE u.deleted_at IS NULL
          ORDER BY u.deactivated_at IS NOT NULL, u.display_name, u.id",
        &[],
        |r| {
            Ok(Member {
                id: r.get(0)?,
                login: r.get(1)?,
                display_name: r.get(2)?,
                active: r.get(3)?,
                last_seen_at: r.get(4)?,
                last_computer: r.get(5)?,
                version: r.get(6)?,
                roles: role::parse(&r.get::<String>(7)?),
            })
        },
    )
}

/// Renames a member as of the version the user saw; other rows keep
/// pointing at the same id. Returns the new version.
pub fn rename(ctx: &WriteCtx, id: &str, version: i64, display_name: &str) -> Result<i64> {
    let name = validate_display_name(display_name)?;
    let before: Option<String> =
        ctx.sql()
            .query_opt("SELECT display_name FROM users WHERE id = ?1", sql::params![id], |r| {
                r.get(0)
            })?;
    let n = ctx.sql().execute(
        "UPDATE users SET display_name = ?3, version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, name, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("user", "users", id, n)?;
    ctx.audit(
        Entity::User,
        id,
        "update",
        json!({ "display_name": { "from": before, "to": name } }),
    )?;
    ctx.changed(Entity::User, id, "update")?;
    Ok(version + 1)
}

/// Deactivates (someone left, a stray login) or reactivates a member.
/// Nobody deactivates themselves: the profile would be locked out mid-work.
pub fn set_active(ctx: &WriteCtx, id: &str, version: i64, active: bool) -> Result<i64> {
    if !active && id == ctx.user_id {
        return Err(Error::invalid("member", "is_you"));
    }
    let was_active: Option<bool> = ctx.sql().query_opt(
        "SELECT deactivated_at IS NULL FROM users WHERE id = ?1",
        sql::params![id],
        |r| r.get(0),
    )?;
    let n = ctx.sql().execute(
        "UPDATE users SET deactivated_at = CASE WHEN ?3 <> 0 THEN NULL ELSE ?4 END,
                version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, active, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("user", "users", id, n)?;
    ctx.audit(
        Entity::User,
        id,
        "update",
        json!({ "active": { "from": was_active, "to": active } }),
    )?;
    ctx.changed(Entity::User, id, "update")?;
    Ok(version + 1)
}

/// Every column that says whose something is (owner, author, assignee, who
/// handed it over): a merge moves these onto the survivor, with the change
/// log entity of the table. Columns that only record history — who last
/// changed a row (`updated_by`), `audit_log`, `change_log`, `applied_ops`,
/// who sent a mail (`mail_sends`), who archived a customer (`archived_by`) —
/// stay as they were: the stray's row is kept (soft-deleted) so they still
/// read as a name. `notification_log` and `member_sessions` are moved
/// separately (a unique key, no version).
pub(crate) const OWNED_BY_MEMBER: &[(&str, &str, Entity)] = &[
    ("companies", "owner_id", Entity::Company),
    ("deals", "owner_id", Entity::Deal),
    ("contracts", "owner_id", Entity::Contract),
    ("activities", "author_id", Entity::Activity),
    ("follow_ups", "assignee_id", Entity::FollowUp),
    ("follow_ups", "handed_over_by", Entity::FollowUp),
    ("support_cases", "assignee_id", Entity::SupportCase),
    ("case_events", "author_id", Entity::SupportCase),
    ("handoffs", "from_user_id", Entity::Handoff),
    ("handoffs", "to_user_id", Entity::Handoff),
    ("handoff_promises", "keeper_id", Entity::Handoff),
    ("handoff_messages", "author_id", Entity::Handoff),
    ("case_handoffs", "owner_id", Entity::Handoff),
    ("leads", "owner_id", Entity::Lead),
    ("sequence_enrolments", "owner_id", Entity::Sequence),
];

/// What a merge moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MergeReport {
    /// Records whose owner, author or assignee became the survivor.
    pub moved: u32,
}

/// Folds a stray member (a CLI login, someone added twice) into the real
/// one in one transaction: everything the stray owns, wrote or was assigned
/// becomes the survivor's (each moved row gets a new version, so an edit
/// opened before the merge cannot put the stray back), what the stray was
/// already reminded of counts for the survivor, the stray's computers now
/// act as the survivor, and the stray is soft-deleted pointing at them.
pub fn merge(ctx: &WriteCtx, stray_id: &str, stray_version: i64, survivor_id: &str) -> Result<MergeReport> {
    if stray_id == survivor_id {
        return Err(Error::invalid("survivor_id", "same"));
    }
    let survivor_active: Option<bool> = ctx.sql().query_opt(
        "SELECT deactivated_at IS NULL FROM users WHERE id = ?1 AND deleted_at IS NULL",
        sql::params![survivor_id],
        |r| r.get(0),
    )?;
    match survivor_active {
        None => return Err(Error::invalid("survivor_id", "unknown")),
        Some(false) => return Err(Error::invalid("survivor_id", "inactive")),
        Some(true) => {}
    }
    let n = ctx.sql().execute(
        "UPDATE users SET deleted_at = ?3, merged_into = ?4, version = version + 1, updated_at = ?3, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![stray_id, stray_version, ctx.now, survivor_id, ctx.user_id],
    )?;
    ctx.expect_one("user", "users", stray_id, n)?;

    let mut moved = serde_json::Map::new();
    let mut total = 0u32;
    for (table, column, entity) in OWNED_BY_MEMBER {
        let mut ids: Vec<String> = ctx.sql().query(
            &format!(
                "UPDATE {table} SET {column} = ?2, version = version + 1, updated_at = ?3, updated_by = ?4
                 WHERE {column} = ?1 RETURNING id"
            ),
            sql::params![stray_id, survivor_id, ctx.now, ctx.user_id],
            |r| r.get(0),
        )?;
        // RETURNING comes in no set order: sorted, both stores log the same.
        ids.sort();
        for id in &ids {
            ctx.changed(*entity, id, "update")?;
        }
        if !ids.is_empty() {
            moved.insert(format!("{table}.{column}"), ids.len().into());
            total += u32::try_from(ids.len()).unwrap_or(u32::MAX);
        }
    }
    // Told once is told once: what the stray was reminded of is not
    // reminded again to the survivor (where both were, one row is enough).
    ctx.sql().execute(
        "UPDATE notification_log SET user_id = ?2 WHERE user_id = ?1
           AND NOT EXISTS (SELECT 1 FROM notification_log s WHERE s.user_id = ?2 AND s.item_kind = notification_log.item_kind
                           AND s.item_id = notification_log.item_id AND s.due_at = notification_log.due_at)",
        sql::params![stray_id, survivor_id],
    )?;
    ctx.sql().execute(
        "DELETE FROM notification_log WHERE user_id = ?1",
        sql::params![stray_id],
    )?;
    ctx.sql().execute(
        "UPDATE member_sessions SET user_id = ?2 WHERE user_id = ?1",
        sql::params![stray_id, survivor_id],
    )?;
    ctx.audit(
        Entity::User,
        stray_id,
        "merge",
        json!({ "into": survivor_id, "moved": serde_json::Value::Object(moved) }),
    )?;
    ctx.changed(Entity::User, stray_id, "delete")?;
    ctx.changed(Entity::User, survivor_id, "update")?;
    Ok(MergeReport { moved: total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::company::{self, CompanyEdit, NewCompany};
    use crate::followups::follow_up::{self, FollowUpKind, NewFollowUp};
    use crate::followups::reminder::{self, Reminder, ReminderKind};
    use crate::store::identity::insert;
    use crate::testutil::{assert_invalid, colleague, entry, fixture, log, seed_pipeline};

    fn follow_up_for(assignee: &str, company_id: &str) -> NewFollowUp {
        NewFollowUp {
            kind: FollowUpKind::FollowUp,
            title: "ご連絡".into(),
            due_at: "2026-11-26T00:00:00Z".into(),
            assignee_id: Some(assignee.into()),
            company_id: Some(company_id.into()),
            deal_id: None,
            contract_id: None,
            activity_id: None,
        }
    }

    fn reminder(item: &str) -> Reminder {
        Reminder {
            kind: ReminderKind::FollowUp,
            item_id: item.into(),
            due_at: "2026-11-26T00:00:00Z".into(),
            follow_up_kind: Some(FollowUpKind::FollowUp),
            title: "ご連絡".into(),
            company_id: None,
            company_name: None,
            deal_id: None,
            deal_title: None,
            engine_text: None,
        }
    }

    fn count(db: &crate::store::team_db::TeamDb, sql: &str, id: &str) -> i64 {
        db.sql().query_one(sql, sql::params![id], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_merge_moves_everything_the_stray_owns_in_one_audited_step() {
        let mut f = fixture(); // tanaka, who does the merge
        let s = seed_pipeline(&mut f.db);
        let kenta = colleague(&f, "kenta", "佐藤 健太").user().clone();
        // `kizuna --as sato` left a stray "sato" that did real work.
        let mut sato = colleague(&f, "sato", "sato");
        let stray = sato.user().clone();
        let company = sato
            .write(|ctx| {
                company::create(
                    ctx,
                    &NewCompany {
                        name: "株式会社みなと".into(),
                        owner_id: Some(stray.id.clone()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let deal = s.deal(&mut sato, "案件", s.stage("提案"), 100, "JPY");
        let mut edit = crate::pipeline::deal::DealEdit::from(&crate::pipeline::deal::get(sato.sql(), &deal).unwrap());
        edit.owner_id = Some(stray.id.clone());
        sato.write(|ctx| crate::pipeline::deal::update(ctx, &deal, 1, &edit))
            .unwrap();
        log(
            &mut sato,
            &entry(
                &s.company_id,
                crate::timeline::activity::ActivityKind::Call,
                "2026-11-24T00:00:00Z",
                "電話",
            ),
        );
        let assigned =
            f.db.write(|ctx| follow_up::create(ctx, &follow_up_for(&stray.id, &company)))
                .unwrap();
        let handed = sato
            .write(|ctx| follow_up::plan(ctx, &follow_up_for(&f.db.user().id, &company)))
            .unwrap();
        // Both were told of the same item once; the stray also of another.
        sato.write(|ctx| reminder::claim(ctx, &stray.id, &[reminder("x"), reminder("y")]))
            .unwrap();
        f.db.write(|ctx| reminder::claim(ctx, &kenta.id, &[reminder("x")]))
            .unwrap();
        sato.write(|ctx| {
            crate::team::presence::beat(
                ctx,
                &crate::team::presence::Computer {
                    id: "pc-sato".into(),
                    name: "EIGYO-3".into(),
                },
                true,
            )
        })
        .unwrap();
        let company_version = company::get(f.db.sql(), &company).unwrap().version;

        let report =
            f.db.write(|ctx| merge(ctx, &stray.id, stray.version, &kenta.id))
                .unwrap();
        assert_eq!(report.moved, 5, "company, deal, timeline entry, two follow-ups");

        for (table, column, _) in OWNED_BY_MEMBER {
            let left = count(
                &f.db,
                &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1"),
                &stray.id,
            );
            assert_eq!(left, 0, "{table}.{column} still names the stray");
        }
        let item = follow_up::get(f.db.sql(), &f.clock, &assigned).unwrap();
        assert_eq!(item.assignee_name.as_deref(), Some("佐藤 健太"));
        let item = follow_up::get(f.db.sql(), &f.clock, &handed).unwrap();
        assert_eq!(item.handed_over_by_name.as_deref(), Some("佐藤 健太"));
        // Told once stays told once, now for the survivor.
        let told: Vec<String> =
            f.db.sql()
                .query(
                    "SELECT item_id FROM notification_log WHERE user_id = ?1 ORDER BY item_id",
                    sql::params![&kenta.id],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(told, ["x", "y"]);
        assert_eq!(
            count(
                &f.db,
                "SELECT COUNT(*) FROM notification_log WHERE user_id = ?1",
                &stray.id
            ),
            0
        );
        assert_eq!(
            count(
                &f.db,
                "SELECT COUNT(*) FROM member_sessions WHERE user_id = ?1",
                &kenta.id
            ),
            1,
            "the stray's computer now acts as the survivor"
        );
        // The stray is gone from every list, its row kept for history.
        assert!(members(f.db.sql()).unwrap().iter().all(|m| m.id != stray.id));
        assert_eq!(resolve(f.db.sql(), &stray.id).unwrap().unwrap().id, kenta.id);
        assert_eq!(
            find_by_login(f.db.sql(), "sato").unwrap().unwrap().id,
            kenta.id,
            "`--as sato` is Kenta now"
        );
        // Audited once, with what moved, by who merged.
        let (who, detail): (String, String) = f
            .db
            .sql()
            .query_one(
                "SELECT user_id, detail FROM audit_log WHERE entity = 'user' AND entity_id = ?1 AND action = 'merge'",
                sql::params![&stray.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(who, f.db.user().id);
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["into"], kenta.id.as_str());
        assert_eq!(detail["moved"]["follow_ups.assignee_id"], 1);
        // An edit opened before the merge cannot put the stray back.
        let stale = CompanyEdit {
            name: "株式会社みなと".into(),
            name_kana: String::new(),
            industry: String::new(),
            segment: company::Segment::Normal,
            owner_id: Some(stray.id.clone()),
            address: String::new(),
            phone: String::new(),
            website: String::new(),
            tags: Vec::new(),
        };
        let r = sato.write(|ctx| company::update(ctx, &company, company_version, &stale));
        assert_eq!(r.unwrap_err().code(), crate::ErrorCode::Conflict);
        // A second merge of the same stray is refused, nothing moves twice.
        let again = f.db.write(|ctx| merge(ctx, &stray.id, stray.version + 1, &kenta.id));
        assert_eq!(again.unwrap_err().code(), crate::ErrorCode::NotFound);
    }

    #[test]
    fn a_merge_is_version_checked_and_needs_a_live_survivor() {
        let mut f = fixture();
        let kenta = colleague(&f, "kenta", "佐藤 健太").user().clone();
        let stray = colleague(&f, "sato", "sato").user().clone();
        f.db.write(|ctx| rename(ctx, &stray.id, stray.version, "佐藤?"))
            .unwrap();
        let r = f.db.write(|ctx| merge(ctx, &stray.id, stray.version, &kenta.id));
        assert!(matches!(r, Err(Error::Conflict { current_version: 2, .. })), "{r:?}");
        assert_invalid(
            f.db.write(|ctx| merge(ctx, &stray.id, 2, &stray.id)),
            "survivor_id",
            "same",
        );
        assert_invalid(
            f.db.write(|ctx| merge(ctx, &stray.id, 2, "nobody")),
            "survivor_id",
            "unknown",
        );
        f.db.write(|ctx| set_active(ctx, &kenta.id, kenta.version, false))
            .unwrap();
        assert_invalid(
            f.db.write(|ctx| merge(ctx, &stray.id, 2, &kenta.id)),
            "survivor_id",
            "inactive",
        );
    }

    #[test]
    fn merge_knows_every_column_that_names_a_member() {
        let f = fixture();
        // Moved separately (a unique key, or no version), or the link itself.
        let separate = [
            "notification_log.user_id",
            "member_sessions.user_id",
            "users.merged_into",
        ];
        // History: who last changed a row, who did what when.
        let history = [
            "audit_log.user_id",
            "change_log.user_id",
            "applied_ops.user_id",
            // The send ledger records who sent a mail from which computer,
            // as it happened (mail/ledger.rs).
            "mail_sends.member_id",
            // Who archived a customer, as it happened (customers/archive.rs).
            "companies.archived_by",
            "handoffs.acknowledged_by",
            "case_handoffs.created_by",
            // Who gave a lead out (the rule's run or a colleague), and a
            // lead's history: what happened then, by whom.
            "leads.assigned_by",
            "lead_events.author_id",
            // Who ran an import: the batch list says it as it happened.
            "import_batches.created_by",
            // Who merged two customers, who said two were not duplicates.
            "merged_ids.merged_by",
            "duplicate_dismissals.dismissed_by",
            // Who erased a person: the record of the erasure as it happened.
            "erasures.erased_by",
        ];
        let named = |c: &str| c.ends_with("_by") || ["user_id", "owner_id", "assignee_id", "author_id"].contains(&c);
        let unknown: Vec<String> = crate::testutil::columns_naming(f.db.sql(), &["users"], named)
            .into_iter()
            .filter(|key| {
                let (table, column) = key.split_once('.').unwrap_or_default();
                let moved = OWNED_BY_MEMBER.iter().any(|(t, c, _)| *t == table && *c == column);
                !(moved
                    || separate.contains(&key.as_str())
                    || history.contains(&key.as_str())
                    || column == "updated_by")
            })
            .collect();
        assert!(unknown.is_empty(), "decide what a merge does with {unknown:?}");
    }

    #[test]
    fn a_deactivated_member_leaves_the_pickers_but_keeps_their_history() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let mut ito = colleague(&f, "ito", "伊藤 彩");
        let me = ito.user().clone();
        let fu = ito
            .write(|ctx| follow_up::create(ctx, &follow_up_for(&me.id, &s.company_id)))
            .unwrap();
        assert_invalid(
            ito.write(|ctx| set_active(ctx, &me.id, me.version, false)),
            "member",
            "is_you",
        );

        let v = f.db.write(|ctx| set_active(ctx, &me.id, me.version, false)).unwrap();
        assert!(list(f.db.sql()).unwrap().iter().all(|u| u.id != me.id), "not offered");
        let all = members(f.db.sql()).unwrap();
        assert_eq!(
            all.last().map(|m| (m.id.as_str(), m.active)),
            Some((me.id.as_str(), false))
        );
        // What they did still reads with their name.
        let item = follow_up::get(f.db.sql(), &f.clock, &fu).unwrap();
        assert_eq!(item.assignee_name.as_deref(), Some("伊藤 彩"));
        // No new work goes to them.
        assert_invalid(
            f.db.write(|ctx| follow_up::create(ctx, &follow_up_for(&me.id, &s.company_id))),
            "assignee_id",
            "inactive",
        );
        assert_invalid(
            f.db.write(|ctx| follow_up::reassign(ctx, &fu, 1, &me.id)),
            "assignee_id",
            "inactive",
        );
        // A profile that chose them is asked again.
        assert!(resolve(f.db.sql(), &me.id).unwrap().is_none());

        f.db.write(|ctx| set_active(ctx, &me.id, v, true)).unwrap();
        assert!(list(f.db.sql()).unwrap().iter().any(|u| u.id == me.id));
        let audit = count(
            &f.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND entity_id = ?1 AND detail LIKE '%active%'",
            &me.id,
        );
        assert_eq!(audit, 2);
    }

    #[test]
    fn a_rename_is_version_checked() {
        let mut f = fixture();
        let sato = colleague(&f, "sato", "sato").user().clone();
        let v =
            f.db.write(|ctx| rename(ctx, &sato.id, sato.version, "佐藤 健太"))
                .unwrap();
        let stale = f.db.write(|ctx| rename(ctx, &sato.id, sato.version, "佐藤"));
        assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
        assert_invalid(
            f.db.write(|ctx| rename(ctx, &sato.id, v, "  ")),
            "display_name",
            "required",
        );
        assert_eq!(get(f.db.sql(), &sato.id).unwrap().unwrap().display_name, "佐藤 健太");
    }

    #[test]
    fn a_login_several_members_share_names_nobody_in_particular() {
        let mut f = fixture();
        let a = f.db.write(|ctx| insert(ctx, "a-1", "user", "佐藤")).unwrap();
        assert_eq!(find_by_login(f.db.sql(), "user").unwrap(), Some(a.clone()));
        f.db.write(|ctx| insert(ctx, "b-1", "user", "鈴木")).unwrap();
        assert_invalid(find_by_login(f.db.sql(), "user"), "login", "ambiguous");
        // An id always names exactly one.
        assert_eq!(find_by_login(f.db.sql(), "b-1").unwrap().unwrap().display_name, "鈴木");
        assert_eq!(find_by_login(f.db.sql(), "nobody").unwrap(), None);
    }
}
