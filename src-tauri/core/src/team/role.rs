//! What a member does in the team: sells, supports customers, manages.
//! Roles decide what a member sees first (a support member starts on the
//! support inbox) and who is told when work crosses between sales and
//! support (a hand-off goes to support; a breached service level also goes
//! to the managers). They grant nothing: every member may still do
//! everything, as in a small office where the manager also answers the phone
//! — except reading the audit trail and answering personal-data requests,
//! which are the managers' ([`require_manager`], docs/security.md).

use crate::error::{Error, Result};
use crate::store::changes::Entity;
use crate::store::identity::User;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Sales,
    Support,
    Manager,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Sales, Role::Support, Role::Manager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sales => "sales",
            Role::Support => "support",
            Role::Manager => "manager",
        }
    }
}

/// The roles as stored: a JSON array, sorted, without repeats. A role this
/// build does not know (written by a newer Kizuna) is kept out of the list
/// rather than failing the whole member list.
pub(crate) fn parse(raw: &str) -> Vec<Role> {
    let values: Vec<serde_json::Value> = serde_json::from_str(raw).unwrap_or_default();
    let mut roles: Vec<Role> = values
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Role>(v).ok())
        .collect();
    roles.sort_unstable();
    roles.dedup();
    roles
}

/// The roles a member holds.
pub fn of<'c>(conn: impl Into<Sql<'c>>, user_id: &str) -> Result<Vec<Role>> {
    let raw: Option<String> =
        conn.into()
            .query_opt("SELECT roles FROM users WHERE id = ?1", sql::params![user_id], |r| {
                r.get(0)
            })?;
    Ok(raw.as_deref().map(parse).unwrap_or_default())
}

/// SQL that is true when the member bound to `?1` holds `role`: the one
/// test the reminders and the inboxes share for "support" and "manager".
pub(crate) fn held_by_param_1(role: Role) -> String {
    format!(
        "EXISTS (SELECT 1 FROM users role_holder, json_each(role_holder.roles) held
                  WHERE role_holder.id = ?1 AND held.value = '{}')",
        role.as_str()
    )
}

/// The active members holding `role`, by name: who a hand-off or a breach
/// is announced to.
pub fn members_with<'c>(conn: impl Into<Sql<'c>>, role: Role) -> Result<Vec<User>> {
    conn.into().query(
        "SELECT u.id, u.login, u.display_name, u.version
           FROM users u, json_each(u.roles) r
          WHERE u.deleted_at IS NULL AND u.deactivated_at IS NULL AND r.value = ?1
          ORDER BY u.display_name, u.id",
        sql::params![role.as_str()],
        |r| {
            Ok(User {
                id: r.get(0)?,
                login: r.get(1)?,
                display_name: r.get(2)?,
                version: r.get(3)?,
            })
        },
    )
}

/// Refuses (`manager_only`) unless member `user_id` holds the manager role:
/// the one gate of what shows every colleague's work and every customer's
/// data at once (the audit trail) or cannot be undone (erasing a person).
/// Roles otherwise grant nothing; this is where a small team's managers act
/// as its administrators (docs/security.md, "Who may do what").
pub fn require_manager<'c>(conn: impl Into<Sql<'c>>, user_id: &str) -> Result<()> {
    if of(conn, user_id)?.contains(&Role::Manager) {
        Ok(())
    } else {
        Err(Error::ManagerOnly)
    }
}

/// Sets a member's roles as of the version the user saw. Everyone holds at
/// least one role, or nothing would say what they start on. Returns the new
/// version.
pub fn set(ctx: &WriteCtx, id: &str, version: i64, roles: &[Role]) -> Result<i64> {
    let mut roles = roles.to_vec();
    roles.sort_unstable();
    roles.dedup();
    if roles.is_empty() {
        return Err(Error::invalid("roles", "required"));
    }
    let stored = serde_json::to_string(&roles).map_err(|e| Error::Internal(e.to_string()))?;
    let before = of(ctx.sql(), id)?;
    let n = ctx.sql().execute(
        "UPDATE users SET roles = ?3, version = version + 1, updated_at = ?4, updated_by = ?5
         WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
        sql::params![id, version, stored, ctx.now, ctx.user_id],
    )?;
    ctx.expect_one("user", "users", id, n)?;
    ctx.audit(
        Entity::User,
        id,
        "update",
        json!({ "roles": { "from": before, "to": roles } }),
    )?;
    ctx.changed(Entity::User, id, "update")?;
    Ok(version + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::fixture;
    use crate::ErrorCode;

    #[test]
    fn roles_are_set_version_checked_and_found_by_role() {
        let mut f = fixture();
        let me = f.db.user().clone();
        assert_eq!(
            of(f.db.sql(), &me.id).unwrap(),
            vec![Role::Sales],
            "everyone sells at first"
        );
        let v2 =
            f.db.write(|ctx| set(ctx, &me.id, me.version, &[Role::Support, Role::Manager, Role::Support]))
                .unwrap();
        assert_eq!(of(f.db.sql(), &me.id).unwrap(), vec![Role::Support, Role::Manager]);
        let support = members_with(f.db.sql(), Role::Support).unwrap();
        assert_eq!(
            support.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
            vec![me.id.as_str()]
        );
        assert!(members_with(f.db.sql(), Role::Sales).unwrap().is_empty());

        // A colleague's screen still showing the old version is told, not obeyed.
        let stale = f.db.write(|ctx| set(ctx, &me.id, me.version, &[Role::Sales]));
        assert_eq!(stale.unwrap_err().code(), ErrorCode::Conflict);
        let none = f.db.write(|ctx| set(ctx, &me.id, v2, &[]));
        assert!(matches!(
            none,
            Err(Error::Invalid {
                field: "roles",
                reason: "required"
            })
        ));
    }

    #[test]
    fn an_unknown_role_from_a_newer_kizuna_is_left_out() {
        assert_eq!(
            parse(r#"["support","auditor","sales","support"]"#),
            vec![Role::Sales, Role::Support]
        );
        assert_eq!(parse("not json"), Vec::<Role>::new());
    }
}
