//! The Hand-offs view: what I am to acknowledge (support), what I wait for
//! (the rep: not yet acknowledged, or a question to answer), and the
//! team's recent ones.

use crate::clock::{from_db, to_db, Clock};
use crate::error::Result;
use crate::handoff::sheet::HandoffStatus;
use crate::store::sql::{self, Sql, Value};
use crate::team::role::{self, Role};
use chrono::Duration;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoffSummary {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub company_id: String,
    pub company_name: String,
    pub deal_title: Option<String>,
    pub sold: String,
    pub from_user_id: String,
    pub from_name: String,
    pub to_user_id: Option<String>,
    /// `None`: the whole support team.
    pub to_name: Option<String>,
    pub status: HandoffStatus,
    pub sent_at: String,
    pub ack_due_at: String,
    /// Still unacknowledged past its business-hours limit.
    pub overdue: bool,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by_name: Option<String>,
    /// The last message is a question nobody answered yet.
    pub open_question: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoffLists {
    /// Sent to me, or to the support team when I am in it; not yet acknowledged.
    pub to_acknowledge: Vec<HandoffSummary>,
    /// Mine, waiting for acknowledgement or with a question to answer.
    pub waiting: Vec<HandoffSummary>,
    /// The team's hand-offs of the last 30 days, newest first.
    pub recent: Vec<HandoffSummary>,
}

const RECENT_DAYS: i64 = 30;
const RECENT_LIMIT: i64 = 50;

const SELECT: &str = "SELECT h.id, h.version, h.company_id, c.name, d.title, h.sold, h.from_user_id,
        COALESCE(fu.display_name, ''), h.to_user_id, tu.display_name, h.status, h.sent_at, h.ack_due_at,
        h.acknowledged_at, au.display_name,
        (SELECT m.kind = 'question' FROM handoff_messages m WHERE m.handoff_id = h.id ORDER BY m.at DESC, m.id DESC LIMIT 1)
     FROM handoffs h
     JOIN companies c ON c.id = h.company_id
     LEFT JOIN deals d ON d.id = h.deal_id
     LEFT JOIN users fu ON fu.id = h.from_user_id
     LEFT JOIN users tu ON tu.id = h.to_user_id
     LEFT JOIN users au ON au.id = h.acknowledged_by";

fn query(sql: Sql, clock: &dyn Clock, filter: &str, args: &[Value]) -> Result<Vec<HandoffSummary>> {
    let now = clock.now();
    sql.query(
        &format!("{SELECT} WHERE h.deleted_at IS NULL AND {filter}"),
        args,
        |r| {
            let id: String = r.get(0)?;
            let status = crate::error::known_in_row("handoffs", &id, r.get(10)?, HandoffStatus::parse)?;
            let ack_due_at: String = r.get(12)?;
            Ok(HandoffSummary {
                version: r.get(1)?,
                company_id: r.get(2)?,
                company_name: r.get(3)?,
                deal_title: r.get(4)?,
                sold: r.get(5)?,
                from_user_id: r.get(6)?,
                from_name: r.get(7)?,
                to_user_id: r.get(8)?,
                to_name: r.get(9)?,
                overdue: status == HandoffStatus::Sent && from_db(&ack_due_at).is_some_and(|due| due <= now),
                status,
                sent_at: r.get(11)?,
                ack_due_at,
                acknowledged_at: r.get(13)?,
                acknowledged_by_name: r.get(14)?,
                open_question: r.get::<Option<bool>>(15)?.unwrap_or(false),
                id,
            })
        },
    )
}

/// The three lists for member `me`.
pub fn lists<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, me: &str) -> Result<HandoffLists> {
    let conn = conn.into();
    let to_acknowledge = query(
        conn,
        clock,
        &format!(
            "h.status = 'sent' AND h.from_user_id <> ?1
             AND (h.to_user_id = ?1 OR (h.to_user_id IS NULL AND {}))
             ORDER BY h.sent_at, h.id",
            role::held_by_param_1(Role::Support)
        ),
        sql::params![me],
    )?;
    let waiting = query(
        conn,
        clock,
        "h.from_user_id = ?1
         AND (h.status = 'sent' OR (SELECT m.kind FROM handoff_messages m WHERE m.handoff_id = h.id
                                     ORDER BY m.at DESC, m.id DESC LIMIT 1) = 'question')
         ORDER BY h.sent_at, h.id",
        sql::params![me],
    )?;
    let recent = query(
        conn,
        clock,
        "h.sent_at >= ?1 ORDER BY h.sent_at DESC, h.id DESC LIMIT ?2",
        sql::params![to_db(clock.now() - Duration::days(RECENT_DAYS)), RECENT_LIMIT],
    )?;
    Ok(HandoffLists {
        to_acknowledge,
        waiting,
        recent,
    })
}

/// A customer's hand-offs, newest first (the customer page).
pub fn for_company<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, company_id: &str) -> Result<Vec<HandoffSummary>> {
    query(
        conn.into(),
        clock,
        "h.company_id = ?1 ORDER BY h.sent_at DESC, h.id DESC",
        sql::params![company_id],
    )
}
