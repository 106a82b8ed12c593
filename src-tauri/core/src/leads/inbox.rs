//! The leads inbox: tabs (new / mine / overdue first response / nurture),
//! counted, a page at a time, narrowed by the same Japanese search as
//! everywhere (the leads' own trigram and bigram indexes, read by
//! `timeline/search.rs`'s rules). One lead in full for its panel.
//!
//! Every tab is one range of a partial index (`leads_status`,
//! `leads_owner`, `leads_overdue`; migration 0016), and the next page
//! starts after the last row (keyset): a page costs the same on a file
//! with 100,000 leads as on one with 20 (benches/leads.rs).

use crate::clock::Clock;
use crate::clock::{from_db, to_db};
use crate::error::{known, Error, Result};
use crate::leads::lead::{self, LeadEvent, LeadStatus};
use crate::store::sql::{self, Sql};
use crate::support::sla::{self, SlaView};
use crate::timeline::entries::Params;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;
/// What a row shows of the inquiry (the panel shows all of it).
const MESSAGE_PREVIEW: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LeadTab {
    /// Nobody has answered yet.
    New,
    /// Active and owned by the reader.
    Mine,
    /// Not answered and past the first-response target, most overdue first.
    Overdue,
    /// Handed back to marketing.
    Nurture,
}

impl LeadTab {
    pub const ALL: [LeadTab; 4] = [LeadTab::New, LeadTab::Mine, LeadTab::Overdue, LeadTab::Nurture];

    /// The tab's condition on lead `l`, its sort column and whether it runs
    /// oldest first.
    fn filter(self, p: &mut Params, me: &str, now: &str) -> (String, &'static str, bool) {
        match self {
            LeadTab::New => ("l.status = 'new'".into(), "l.received_at", false),
            LeadTab::Mine => (
                format!(
                    "l.owner_id = {} AND l.status IN ('new','contacted')",
                    p.push(me.to_string())
                ),
                "l.received_at",
                false,
            ),
            LeadTab::Overdue => (
                format!(
                    "l.status = 'new' AND l.first_response_at IS NULL AND l.first_response_due < {}",
                    p.push(now.to_string())
                ),
                "l.first_response_due",
                true,
            ),
            LeadTab::Nurture => ("l.status = 'nurture'".into(), "l.received_at", false),
        }
    }
}

/// Where the next page starts: after this lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LeadCursor {
    pub at: String,
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LeadQuery {
    pub tab: LeadTab,
    /// Words to find in who they are and what they asked; empty: all.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub after: Option<LeadCursor>,
    /// 0: [`DEFAULT_PAGE`].
    #[serde(default)]
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LeadRow {
    pub id: String,
    #[ts(type = "number")]
    pub number: i64,
    /// inquiry, or lost_deal (a lost deal handed to nurture).
    pub origin: String,
    pub source: String,
    pub status: LeadStatus,
    pub received_at: String,
    pub person_name: String,
    pub company_name: String,
    pub phone: String,
    pub mail: String,
    /// The start of what they asked.
    pub message: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    /// The first-response target: counting down while new, then met or breached.
    pub first_response: SlaView,
    pub disqualify_reason: String,
    pub nurture_reason: String,
    pub nurture_until: Option<String>,
    pub resurfaced_at: Option<String>,
    #[ts(type = "number")]
    pub resurfaced_count: i64,
    pub resurface_trigger: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub mail_opt_out_at: Option<String>,
    #[ts(type = "number")]
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LeadPage {
    pub rows: Vec<LeadRow>,
    pub next: Option<LeadCursor>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LeadCounts {
    pub new: u32,
    pub mine: u32,
    pub overdue: u32,
    pub nurture: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LeadsView {
    pub page: LeadPage,
    pub counts: LeadCounts,
}

pub use crate::support::sla::Reader;

const ROW_COLUMNS: &str = "l.id, l.number, l.origin, l.source, l.status, l.received_at, l.person_name,
     l.company_name, l.phone, l.mail, substr(l.message, 1, 120), l.owner_id, u.display_name, l.first_response_due,
     l.first_response_at, l.disqualify_reason, l.nurture_reason, l.nurture_until, l.resurfaced_at,
     l.resurfaced_count, l.resurface_trigger, l.company_id, l.deal_id, l.mail_opt_out_at, l.version";
const ROW_JOINS: &str = "LEFT JOIN users u ON u.id = l.owner_id";

struct Raw {
    row: LeadRow,
    status: String,
    due: String,
    done: Option<String>,
}

fn raw(r: &sql::Row) -> Result<Raw> {
    let message: String = r.get(10)?;
    Ok(Raw {
        row: LeadRow {
            id: r.get(0)?,
            number: r.get(1)?,
            origin: r.get(2)?,
            source: r.get(3)?,
            status: LeadStatus::New,
            received_at: r.get(5)?,
            person_name: r.get(6)?,
            company_name: r.get(7)?,
            phone: r.get(8)?,
            mail: r.get(9)?,
            message: message.chars().take(MESSAGE_PREVIEW).collect(),
            owner_id: r.get(11)?,
            owner_name: r.get(12)?,
            first_response: SlaView {
                state: sla::SlaState::OnTrack,
                due_at: String::new(),
                minutes_left: None,
            },
            disqualify_reason: r.get(15)?,
            nurture_reason: r.get(16)?,
            nurture_until: r.get(17)?,
            resurfaced_at: r.get(18)?,
            resurfaced_count: r.get(19)?,
            resurface_trigger: r.get(20)?,
            company_id: r.get(21)?,
            deal_id: r.get(22)?,
            mail_opt_out_at: r.get(23)?,
            version: r.get(24)?,
        },
        status: r.get(4)?,
        due: r.get(13)?,
        done: r.get(14)?,
    })
}

fn judged(raw: Raw, rd: &Reader) -> Result<LeadRow> {
    let mut row = raw.row;
    row.status = known("leads", &row.id, &raw.status, LeadStatus::parse)?;
    // Only a new lead's clock runs: one dropped, nurtured or back from
    // nurture without a logged answer is past the question.
    let done = raw
        .done
        .or_else(|| (row.status != LeadStatus::New).then(|| raw.due.clone()));
    row.first_response = sla::view(rd.team, &raw.due, done.as_deref(), rd.now, rd.offset);
    Ok(row)
}

/// The fields a lead is searched by, in the order of the server's trigram
/// index over them (`leads_search`, migrations/postgres/search.sql).
pub(crate) const SEARCHED: [&str; 5] = ["l.person_name", "l.company_name", "l.mail", "l.phone", "l.message"];

/// The leads that say `search` (in a name, the company, mail, phone or
/// message), read as the timeline's search reads a query: the file's own
/// pair of indexes, or on a server the fields' text as one expression, the
/// one `leads_search` indexes (with a team's few thousand leads the server's
/// planner may rightly read them whole instead).
fn search_filter(conn: Sql, search: &str, p: &mut Params) -> String {
    let found = match conn {
        Sql::File(_) => crate::timeline::search::index_rows("leads_fts", "leads_bigrams", search, p)
            .map(|found| format!("l.rowid IN ({found})")),
        Sql::Server(_) => crate::timeline::server_search::holds_in(&SEARCHED, search, p),
    };
    found.map(|f| format!(" AND {f}")).unwrap_or_default()
}

/// One page of a tab.
pub fn page<'c>(conn: impl Into<Sql<'c>>, rd: &Reader, q: &LeadQuery) -> Result<LeadPage> {
    let conn = conn.into();
    let mut p = Params::default();
    let (sql, limit) = page_sql(conn, rd, q, &mut p)?;
    let raws = conn.query(&sql, &p.0, |r| Ok((raw(r)?, r.get::<String>(25)?)))?;
    let more = raws.len() > limit as usize;
    let mut rows = Vec::with_capacity(raws.len());
    let mut next = None;
    for (r, at) in raws.into_iter().take(limit as usize) {
        if more {
            next = Some(LeadCursor {
                at,
                id: r.row.id.clone(),
            });
        }
        rows.push(judged(r, rd)?);
    }
    Ok(LeadPage { rows, next })
}

/// The query of one page and its size: what [`page`] runs and [`explain`]
/// shows.
fn page_sql(conn: Sql, rd: &Reader, q: &LeadQuery, p: &mut Params) -> Result<(String, u32)> {
    let limit = match q.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    let now = to_db(rd.now);
    let (mut filter, column, ascending) = q.tab.filter(p, rd.user_id, &now);
    filter.push_str(&search_filter(conn, &q.search, p));
    if let Some(after) = &q.after {
        if from_db(&after.at).is_none() {
            return Err(Error::invalid("after", "format"));
        }
        filter.push_str(&format!(
            " AND ({column}, l.id) {} ({}, {})",
            if ascending { ">" } else { "<" },
            p.push(after.at.clone()),
            p.push(after.id.clone())
        ));
    }
    let dir = if ascending { "" } else { " DESC" };
    let sql = format!(
        "SELECT {ROW_COLUMNS}, {column} FROM leads l {ROW_JOINS}
          WHERE l.deleted_at IS NULL AND {filter}
          ORDER BY {column}{dir}, l.id{dir} LIMIT {}",
        p.push(i64::from(limit) + 1)
    );
    Ok((sql, limit))
}

/// The store's plan of a page's query, line by line ([`Sql::plan`]), for
/// the bench to show which index answers a search.
#[doc(hidden)]
pub fn explain<'c>(conn: impl Into<Sql<'c>>, rd: &Reader, q: &LeadQuery) -> Result<Vec<String>> {
    let conn = conn.into();
    let mut p = Params::default();
    let (sql, _) = page_sql(conn, rd, q, &mut p)?;
    conn.plan(&sql, &p.0)
}

/// How many leads each tab holds (with the search, if any).
pub fn counts<'c>(conn: impl Into<Sql<'c>>, user_id: &str, now: DateTime<Utc>, search: &str) -> Result<LeadCounts> {
    let conn = conn.into();
    let now = to_db(now);
    let mut out = [0u32; 4];
    let mut p = Params::default();
    let searched = search_filter(conn, search, &mut p);
    if searched.is_empty() {
        // Each tab a range of its own partial index.
        for (i, tab) in LeadTab::ALL.into_iter().enumerate() {
            let mut p = Params::default();
            let (filter, _, _) = tab.filter(&mut p, user_id, &now);
            let sql = format!("SELECT COUNT(*) FROM leads l WHERE l.deleted_at IS NULL AND {filter}");
            let n: i64 = conn.query_one(&sql, &p.0, |r| r.get(0))?;
            out[i] = u32::try_from(n).unwrap_or(u32::MAX);
        }
    } else {
        // The search's hits found once and sorted into the tabs: four
        // searches cost four looks at every hit's text (over 100,000
        // leads, 180 ms on the server and 55 on the file, against 50 and
        // 28 in one pass: benches/leads.rs).
        let tabs: Vec<String> = LeadTab::ALL
            .into_iter()
            .map(|tab| {
                format!(
                    "COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0)",
                    tab.filter(&mut p, user_id, &now).0
                )
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM leads l WHERE l.deleted_at IS NULL{searched}",
            tabs.join(", ")
        );
        out = conn.query_one(&sql, &p.0, |r| {
            let n = |i: usize| -> Result<u32> { Ok(u32::try_from(r.get::<i64>(i)?).unwrap_or(u32::MAX)) };
            Ok([n(0)?, n(1)?, n(2)?, n(3)?])
        })?;
    }
    Ok(LeadCounts {
        new: out[0],
        mine: out[1],
        overdue: out[2],
        nurture: out[3],
    })
}

/// A lead in full: its row, everything it said, where it went, its history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LeadDetail {
    pub lead: LeadRow,
    pub message: String,
    pub first_response_at: Option<String>,
    pub nurture_since: Option<String>,
    pub company_name_linked: Option<String>,
    pub deal_title: Option<String>,
    pub events: Vec<LeadEvent>,
}

pub fn detail<'c>(conn: impl Into<Sql<'c>>, rd: &Reader, id: &str) -> Result<LeadDetail> {
    let conn = conn.into();
    let sql = format!(
        "SELECT {ROW_COLUMNS}, l.message, l.first_response_at, l.nurture_since, co.name, d.title
           FROM leads l {ROW_JOINS}
           LEFT JOIN companies co ON co.id = l.company_id
           LEFT JOIN deals d ON d.id = l.deal_id
          WHERE l.id = ?1 AND l.deleted_at IS NULL"
    );
    let found = conn.query_opt(&sql, sql::params![id], |r| {
        Ok((
            raw(r)?,
            r.get::<String>(25)?,
            r.get::<Option<String>>(26)?,
            r.get::<Option<String>>(27)?,
            r.get::<Option<String>>(28)?,
            r.get::<Option<String>>(29)?,
        ))
    })?;
    let Some((raw, message, first_response_at, nurture_since, company_name_linked, deal_title)) = found else {
        return Err(Error::NotFound {
            entity: "lead",
            id: id.to_string(),
        });
    };
    Ok(LeadDetail {
        lead: judged(raw, rd)?,
        message,
        first_response_at,
        nurture_since,
        company_name_linked,
        deal_title,
        events: lead::events(conn, id)?,
    })
}

/// The inbox as member `user_id` sees it now.
pub fn view<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, user_id: &str, q: &LeadQuery) -> Result<LeadsView> {
    let conn = conn.into();
    sla::as_member(conn, clock, user_id, |rd| {
        Ok(LeadsView {
            page: page(conn, rd, q)?,
            counts: counts(conn, rd.user_id, rd.now, &q.search)?,
        })
    })
}

/// A lead in full as member `user_id` sees it now.
pub fn lead_detail<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, user_id: &str, id: &str) -> Result<LeadDetail> {
    let conn = conn.into();
    sla::as_member(conn, clock, user_id, |rd| detail(conn, rd, id))
}
