//! The support inbox: open cases by tab (new / mine / waiting / overdue),
//! most urgent first, counted, a page at a time, and narrowed by the
//! timeline's Japanese search over what the cases say. One case in full for
//! its page.
//!
//! Every tab is one range of a partial index in due order
//! (`support_cases_inbox`, `_assignee`, `_due`; migration 0013): the page
//! costs the same on a file with 200,000 cases as on one with 20, and the
//! next page starts after the last row (keyset), never after an offset.

use crate::clock::from_db;
use crate::clock::Clock;
use crate::error::{known, Error, Result};
use crate::store::sql::{self, Sql};
use crate::support::case::{CaseStatus, Category, Channel, Priority};
use crate::support::sla::{self, SlaView};
use crate::support::thread::{self, CaseEvent};
use crate::timeline::entries::Params;
use crate::timeline::search::SearchKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InboxTab {
    /// Nobody has looked at it yet.
    New,
    /// Open and assigned to the reader.
    Mine,
    /// Waiting for the customer.
    Waiting,
    /// Open and past its current target.
    Overdue,
}

impl InboxTab {
    pub const ALL: [InboxTab; 4] = [InboxTab::New, InboxTab::Mine, InboxTab::Waiting, InboxTab::Overdue];

    /// The tab's condition on case `c`; `me` and `now` are parameters.
    fn filter(self, p: &mut Params, me: &str, now: &str) -> String {
        match self {
            InboxTab::New => "c.status = 'new'".into(),
            InboxTab::Mine => format!("c.assignee_id = {} AND c.next_due IS NOT NULL", p.push(me.to_string())),
            InboxTab::Waiting => "c.status = 'waiting'".into(),
            InboxTab::Overdue => format!("c.next_due IS NOT NULL AND c.next_due < {}", p.push(now.to_string())),
        }
    }
}

/// Where the next page starts: after this case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InboxCursor {
    pub due: String,
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InboxQuery {
    pub tab: InboxTab,
    /// Words to find in the cases' subjects, bodies, replies and notes
    /// (the global search's rules); empty: every case of the tab.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub after: Option<InboxCursor>,
    /// 0: [`DEFAULT_PAGE`].
    #[serde(default)]
    pub limit: u32,
}

/// A case as a row of the inbox (and the head of its page).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseRow {
    pub id: String,
    #[ts(type = "number")]
    pub number: i64,
    pub subject: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub channel: Channel,
    pub category: Category,
    pub priority: Priority,
    pub status: CaseStatus,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub received_at: String,
    pub first_response: SlaView,
    pub resolution: SlaView,
    #[ts(type = "number")]
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct InboxPage {
    pub rows: Vec<CaseRow>,
    pub next: Option<InboxCursor>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InboxCounts {
    pub new: u32,
    pub mine: u32,
    pub waiting: u32,
    pub overdue: u32,
}

pub use crate::support::sla::Reader;

const ROW_COLUMNS: &str = "c.id, c.number, c.subject, c.company_id, co.name, c.contact_id, ct.name, c.channel,
     c.category, c.priority, c.status, c.assignee_id, u.display_name, c.received_at, c.first_response_due,
     c.first_response_at, c.resolution_due, c.resolved_at, c.version, c.next_due";
const ROW_JOINS: &str = "JOIN companies co ON co.id = c.company_id
     LEFT JOIN contacts ct ON ct.id = c.contact_id
     LEFT JOIN users u ON u.id = c.assignee_id";

/// The raw row, before the service levels are judged (which needs the
/// settings; kept out of the row closure so it stays a plain read).
struct Raw {
    row: CaseRow,
    codes: [String; 4],
    times: [Option<String>; 4],
    next_due: Option<String>,
}

fn raw(r: &sql::Row) -> Result<Raw> {
    let pending = SlaView {
        state: sla::SlaState::OnTrack,
        due_at: String::new(),
        minutes_left: None,
    };
    Ok(Raw {
        row: CaseRow {
            id: r.get(0)?,
            number: r.get(1)?,
            subject: r.get(2)?,
            company_id: r.get(3)?,
            company_name: r.get(4)?,
            contact_id: r.get(5)?,
            contact_name: r.get(6)?,
            channel: Channel::Phone,
            category: Category::Question,
            priority: Priority::Normal,
            status: CaseStatus::New,
            assignee_id: r.get(11)?,
            assignee_name: r.get(12)?,
            received_at: r.get(13)?,
            first_response: pending.clone(),
            resolution: pending,
            version: r.get(18)?,
        },
        codes: [r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?],
        times: [r.get(14)?, r.get(15)?, r.get(16)?, r.get(17)?],
        next_due: r.get(19)?,
    })
}

fn judged(raw: Raw, rd: &Reader) -> Result<CaseRow> {
    let mut row = raw.row;
    let id = row.id.clone();
    let [channel, category, priority, status] = &raw.codes;
    row.channel = known("support_cases", &id, channel, Channel::parse)?;
    row.category = known("support_cases", &id, category, Category::parse)?;
    row.priority = known("support_cases", &id, priority, Priority::parse)?;
    row.status = known("support_cases", &id, status, CaseStatus::parse)?;
    let [fr_due, fr_at, res_due, res_at] = &raw.times;
    // A case resolved without a reply in Kizuna (answered in person) had
    // its first response when it was resolved.
    let responded = fr_at.as_deref().or(res_at.as_deref());
    let (fr_due, res_due) = (
        fr_due.as_deref().unwrap_or_default(),
        res_due.as_deref().unwrap_or_default(),
    );
    row.first_response = sla::view(rd.team, fr_due, responded, rd.now, rd.offset);
    row.resolution = sla::view(rd.team, res_due, res_at.as_deref(), rd.now, rd.offset);
    Ok(row)
}

/// One page of a tab, most urgent (earliest due) first.
pub fn page<'c>(conn: impl Into<Sql<'c>>, rd: &Reader, q: &InboxQuery) -> Result<InboxPage> {
    let conn = conn.into();
    let limit = match q.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    let mut p = Params::default();
    let now = crate::clock::to_db(rd.now);
    let mut filter = q.tab.filter(&mut p, rd.user_id, &now);
    if let Some(found) = cases_saying(conn, &q.search, &mut p) {
        filter.push_str(&format!(" AND c.id IN ({found})"));
    }
    if let Some(after) = &q.after {
        if from_db(&after.due).is_none() {
            return Err(Error::invalid("after", "format"));
        }
        filter.push_str(&format!(
            " AND (c.next_due, c.id) > ({}, {})",
            p.push(after.due.clone()),
            p.push(after.id.clone())
        ));
    }
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM support_cases c {ROW_JOINS}
          WHERE c.deleted_at IS NULL AND {filter}
          ORDER BY c.next_due, c.id LIMIT {}",
        p.push(i64::from(limit) + 1)
    );
    let raws = conn.query(&sql, &p.0, raw)?;
    let more = raws.len() > limit as usize;
    let mut rows = Vec::with_capacity(raws.len());
    let mut next = None;
    for r in raws.into_iter().take(limit as usize) {
        if more {
            next = Some(InboxCursor {
                due: r.next_due.clone().unwrap_or_default(),
                id: r.row.id.clone(),
            });
        }
        rows.push(judged(r, rd)?);
    }
    Ok(InboxPage { rows, next })
}

/// The ids of the cases whose timeline entries say `search`, read as the
/// timeline's search reads it: the file's search index, or on a server the
/// same fields' trigram index. `None` for an empty search.
fn cases_saying(conn: Sql, search: &str, p: &mut Params) -> Option<String> {
    let found = match conn {
        Sql::File(_) => format!("x.rowid IN ({})", crate::timeline::search::activity_rows(search, p)?),
        Sql::Server(_) => crate::timeline::server_search::holds(SearchKind::Activities, search, p)?,
    };
    Some(format!(
        "SELECT e.case_id FROM activities x JOIN case_events e ON e.activity_id = x.id
          WHERE {found} AND x.kind = 'support'"
    ))
}

/// How many cases each tab holds (with the search, if any).
pub fn counts<'c>(conn: impl Into<Sql<'c>>, user_id: &str, now: DateTime<Utc>, search: &str) -> Result<InboxCounts> {
    let conn = conn.into();
    let now = crate::clock::to_db(now);
    let mut out = [0u32; 4];
    for (i, tab) in InboxTab::ALL.into_iter().enumerate() {
        let mut p = Params::default();
        let mut filter = tab.filter(&mut p, user_id, &now);
        if let Some(found) = cases_saying(conn, search, &mut p) {
            filter.push_str(&format!(" AND c.id IN ({found})"));
        }
        let sql = format!("SELECT COUNT(*) FROM support_cases c WHERE c.deleted_at IS NULL AND {filter}");
        let n: i64 = conn.query_one(&sql, &p.0, |r| r.get(0))?;
        out[i] = u32::try_from(n).unwrap_or(u32::MAX);
    }
    Ok(InboxCounts {
        new: out[0],
        mine: out[1],
        waiting: out[2],
        overdue: out[3],
    })
}

/// A case in full: its row, what was asked, and the thread.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseDetail {
    pub case: CaseRow,
    pub body: String,
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
    pub contract_id: Option<String>,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    /// The statuses the case may move to now (the status machine's steps).
    pub next_statuses: Vec<CaseStatus>,
    pub events: Vec<CaseEvent>,
}

pub fn detail<'c>(conn: impl Into<Sql<'c>>, rd: &Reader, id: &str) -> Result<CaseDetail> {
    let conn = conn.into();
    let sql = format!(
        "SELECT {ROW_COLUMNS}, c.body, c.deal_id, d.title, c.contract_id, c.first_response_at, c.resolved_at,
                c.closed_at
           FROM support_cases c {ROW_JOINS} LEFT JOIN deals d ON d.id = c.deal_id
          WHERE c.id = ?1 AND c.deleted_at IS NULL"
    );
    let found = conn.query_opt(&sql, sql::params![id], |r| {
        Ok((
            raw(r)?,
            (
                r.get::<String>(20)?,
                r.get::<Option<String>>(21)?,
                r.get::<Option<String>>(22)?,
                r.get::<Option<String>>(23)?,
            ),
            (
                r.get::<Option<String>>(24)?,
                r.get::<Option<String>>(25)?,
                r.get::<Option<String>>(26)?,
            ),
        ))
    })?;
    let Some((raw, (body, deal_id, deal_title, contract_id), (first_response_at, resolved_at, closed_at))) = found
    else {
        return Err(Error::NotFound {
            entity: "support_case",
            id: id.to_string(),
        });
    };
    let case = judged(raw, rd)?;
    Ok(CaseDetail {
        next_statuses: case.status.next(),
        case,
        body,
        deal_id,
        deal_title,
        contract_id,
        first_response_at,
        resolved_at,
        closed_at,
        events: thread::events(conn, id)?,
    })
}

/// A customer's cases, newest first (the customer page's list).
pub fn for_company<'c>(conn: impl Into<Sql<'c>>, rd: &Reader, company_id: &str) -> Result<Vec<CaseRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM support_cases c {ROW_JOINS}
          WHERE c.company_id = ?1 AND c.deleted_at IS NULL ORDER BY c.received_at DESC LIMIT 100"
    );
    let raws = conn.into().query(&sql, sql::params![company_id], raw)?;
    raws.into_iter().map(|r| judged(r, rd)).collect()
}

/// An inbox tab's page and every tab's count, as one view shows them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct InboxView {
    pub page: InboxPage,
    pub counts: InboxCounts,
}

/// The inbox as member `user_id` sees it now.
pub fn view<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, user_id: &str, q: &InboxQuery) -> Result<InboxView> {
    let conn = conn.into();
    sla::as_member(conn, clock, user_id, |rd| view_as(conn, rd, q))
}

fn view_as(conn: Sql, rd: &Reader, q: &InboxQuery) -> Result<InboxView> {
    Ok(InboxView {
        page: page(conn, rd, q)?,
        counts: counts(conn, rd.user_id, rd.now, &q.search)?,
    })
}

/// A case in full as member `user_id` sees it now.
pub fn case_detail<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, user_id: &str, id: &str) -> Result<CaseDetail> {
    let conn = conn.into();
    sla::as_member(conn, clock, user_id, |rd| detail(conn, rd, id))
}

/// A customer's cases as member `user_id` sees them now.
pub fn company_cases<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    user_id: &str,
    company_id: &str,
) -> Result<Vec<CaseRow>> {
    let conn = conn.into();
    sla::as_member(conn, clock, user_id, |rd| for_company(conn, rd, company_id))
}
