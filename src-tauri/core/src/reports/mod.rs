//! Reports for the manager: the weekly sales meeting (営業会議, `meeting`,
//! docs/meeting.md) and the dashboard's charts (docs/reports.md), each
//! computed from the team (file or server) as it stands, on a read connection
//! of its own (store::reader).
//!
//! Every query a chart is built from has an ORDER BY, down to the row's id:
//! a chart's categories come in the order first seen, and the file and the
//! server must draw the same chart from the same team.
//!
//! Every chart has one shape ([`Chart`]: categories, series of values, one
//! unit) so the window draws all of them with one component, and every
//! point knows the rows behind it: [`drill`] recomputes the chart and hands
//! back the deals, customers, follow-ups or contracts of one bar. Money is
//! never summed across currencies: a money chart is one chart per currency.
//! Soft-deleted rows and archived customers are left out everywhere.
//!
//! The modules are named after what they measure: `pipeline` (by stage, and
//! as it stood a week ago), `forecast`, `win_loss`, `activity` (touches and
//! follow-up punctuality), `keep_in_touch` (customers past their interval,
//! deals going cold), `renewals`, `support` (cases received, service
//! levels) and `leads` (by source and outcome, first-response target);
//! `table` writes a chart's table as CSV or xlsx through `writers/`.

pub mod activity;
pub mod forecast;
pub mod keep_in_touch;
pub mod leads;
pub mod meeting;
pub mod pipeline;
pub mod renewals;
pub mod support;
pub mod table;
pub mod win_loss;

#[cfg(test)]
mod tests;

use crate::clock::{from_db, to_db, Clock};
use crate::customers::company::Segment;
use crate::error::{Error, Result};
use crate::store::sql::{self, Sql};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// What the dashboard shows: a period on the user's calendar (both days
/// included), and optionally some owners, one pipeline, one segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportFilter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Empty: everyone.
    pub owner_ids: Vec<String>,
    /// `None`: every pipeline; the charts by stage then show the first one.
    pub pipeline_id: Option<String>,
    pub segment: Option<Segment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChartId {
    PipelineCount,
    PipelineAmount,
    Forecast,
    WinRate,
    CycleDays,
    LostReasons,
    LostTo,
    ActivityByMember,
    ActivityByWeek,
    Punctuality,
    KeepInTouch,
    GoingCold,
    RenewalsByMonth,
    RenewalRate,
    RenewalKinds,
    ChurnReasons,
    RenewalsDue,
    SupportReceived,
    SupportServiceLevels,
    LeadsBySource,
    LeadResponse,
}

/// What a chart's numbers are. Money is in the currency's minor unit, the
/// currency on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Unit {
    Count,
    Money,
    Days,
    Percent,
}

/// How the window words a label: as stored (a stage, a member, a reason),
/// as a code it translates (`meeting`, `week_ago`), a month (`2026-11`) or
/// a week by its Monday (`2026-11-23`), formatted in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LabelKind {
    Text,
    Code,
    Month,
    Week,
}

/// What a point's drill-down lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DrillKind {
    Deals,
    Companies,
    FollowUps,
    Contracts,
    Cases,
    Leads,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChartCategory {
    pub key: String,
    pub label: String,
    pub kind: LabelKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Series {
    pub key: String,
    pub label: String,
    pub kind: LabelKind,
    /// One per category; `None` where the figure has no meaning (a rate of
    /// nothing decided).
    pub values: Vec<Option<f64>>,
    /// The rows behind each value, for [`drill`]; not sent with the chart.
    #[serde(skip)]
    #[ts(skip)]
    pub ids: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Chart {
    pub id: ChartId,
    /// The currency of a money chart (one chart per currency).
    pub currency: Option<String>,
    pub unit: Unit,
    /// Series stacked in one bar (parts of a whole) rather than side by side.
    pub stacked: bool,
    pub drill: DrillKind,
    pub categories: Vec<ChartCategory>,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub charts: Vec<Chart>,
    /// The pipeline the charts by stage show.
    pub pipeline_id: Option<String>,
    /// The user's today, which "now" figures are as of.
    pub today: NaiveDate,
}

/// One bar (or point) of one chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DrillRequest {
    pub chart: ChartId,
    pub currency: Option<String>,
    pub series: String,
    pub category: String,
}

/// A row of a drill-down list; `company_id` opens the customer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DrillRow {
    pub id: String,
    pub company_id: String,
    pub company: String,
    /// The deal's title, the follow-up's, the contract's plan; the company
    /// name again for a customer.
    pub title: String,
    pub owner: Option<String>,
    /// The date that matters for the row: expected close, due, contract end,
    /// last contact.
    pub date: Option<String>,
    #[ts(type = "number | null")]
    pub amount: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DrillList {
    pub kind: DrillKind,
    pub rows: Vec<DrillRow>,
}

/// Longest period a dashboard covers: a week-by-week chart of more would be
/// unreadable, and the queries stay bounded.
const MAX_PERIOD_DAYS: i64 = 366 * 2;

/// The filter turned into what the queries need: instants in the database's
/// text form for the period's bounds on the user's calendar.
pub struct Query<'c> {
    pub conn: Sql<'c>,
    pub filter: ReportFilter,
    pub offset: FixedOffset,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    /// The first instant of `from`, and the first instant after `to`.
    pub start: String,
    pub end: String,
    /// The pipeline the charts by stage show.
    pub pipeline_id: Option<String>,
}

impl<'c> Query<'c> {
    pub fn new(conn: impl Into<Sql<'c>>, clock: &dyn Clock, filter: &ReportFilter) -> Result<Query<'c>> {
        let conn = conn.into();
        if filter.to < filter.from {
            return Err(Error::invalid("to", "before_from"));
        }
        if (filter.to - filter.from).num_days() > MAX_PERIOD_DAYS {
            return Err(Error::invalid("to", "too_long"));
        }
        let offset = clock.offset();
        let pipeline_id = match &filter.pipeline_id {
            Some(id) => Some(id.clone()),
            None => conn.query_opt(
                "SELECT id FROM pipelines WHERE deleted_at IS NULL ORDER BY position, id LIMIT 1",
                &[],
                |r| r.get(0),
            )?,
        };
        Ok(Query {
            conn,
            filter: filter.clone(),
            offset,
            now: clock.now(),
            today: clock.today(),
            start: to_db(day_start(filter.from, offset)),
            end: to_db(day_start(filter.to + Duration::days(1), offset)),
            pipeline_id,
        })
    }

    /// Whether a row owned by `owner` at a customer of `segment` (and in
    /// `pipeline`, when the row belongs to one) is in the filter.
    pub fn keeps(&self, owner: Option<&str>, segment: &str, pipeline: Option<&str>) -> bool {
        self.keeps_owner(owner)
            && !matches!(self.filter.segment, Some(s) if s.as_str() != segment)
            && match (&self.filter.pipeline_id, pipeline) {
                (Some(p), Some(q)) => p == q,
                _ => true,
            }
    }

    /// Whether a row owned by `owner` is in the owner filter (rows that
    /// belong to no customer segment or pipeline: leads).
    pub fn keeps_owner(&self, owner: Option<&str>) -> bool {
        self.filter.owner_ids.is_empty() || owner.is_some_and(|o| self.filter.owner_ids.iter().any(|x| x == o))
    }

    /// The user's calendar day of a stored instant.
    pub fn local_day(&self, stored: &str) -> Option<NaiveDate> {
        from_db(stored).map(|t| t.with_timezone(&self.offset).date_naive())
    }

    pub fn in_period(&self, stored: &str) -> bool {
        stored >= self.start.as_str() && stored < self.end.as_str()
    }

    /// Every month the period touches, as `YYYY-MM`.
    pub fn months(&self) -> Vec<String> {
        months_between(self.filter.from, self.filter.to)
    }

    /// Every week (its Monday) the period touches.
    pub fn weeks(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut w = monday(self.filter.from);
        while w <= self.filter.to {
            out.push(w);
            w += Duration::days(7);
        }
        out
    }
}

pub fn day_start(day: NaiveDate, offset: FixedOffset) -> DateTime<Utc> {
    offset
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("a fixed offset has one midnight")
        .with_timezone(&Utc)
}

pub fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

pub fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

pub fn months_between(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        out.push(format!("{y:04}-{m:02}"));
        if m == 12 {
            (y, m) = (y + 1, 1);
        } else {
            m += 1;
        }
    }
    out
}

/// Rounded half up, in the minor unit, as the board weighs a column.
pub fn weighted(amount: i64, probability: i32) -> i64 {
    (i128::from(amount) * i128::from(probability) + 50).div_euclid(100) as i64
}

/// How a target (a first response, a resolution) went, in the order the
/// charts stack them.
pub const SERVICE_LEVELS: [&str; 4] = ["met", "late", "overdue", "pending"];

/// `due` and `done` as stored instants, `now` too (the same text form, so
/// they compare as text): met when done by the due time, late when after
/// it, overdue when not done and past it, pending when not done yet.
pub fn service_level(due: &str, done: Option<&str>, now: &str) -> &'static str {
    match done {
        Some(d) if d <= due => "met",
        Some(_) => "late",
        None if now > due => "overdue",
        None => "pending",
    }
}

/// JSON held as text (a timeline entry's body, an audit entry's detail),
/// read once per row; text that is no JSON reads as null. The stores spell
/// SQL's JSON functions differently, so the charts read JSON here.
pub fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

/// The value at `path` in `json`; `None` where it lacks it or holds null,
/// as SQLite's `json_extract` reads it.
pub fn json_at<'v>(json: &'v serde_json::Value, path: &[&str]) -> Option<&'v serde_json::Value> {
    let mut v = json;
    for key in path {
        v = v.get(*key)?;
    }
    (!v.is_null()).then_some(v)
}

/// A currency code as the charts key it: empty means yen, as everywhere.
pub fn currency_of(stored: &str) -> String {
    let c = stored.trim().to_uppercase();
    if c.is_empty() {
        "JPY".into()
    } else {
        c
    }
}

/// Builds one chart: categories and series by key, in the order first seen
/// (or given), each value with the ids behind it.
pub struct Builder {
    categories: Vec<ChartCategory>,
    category_index: HashMap<String, usize>,
    series: Vec<Series>,
    series_index: HashMap<String, usize>,
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            categories: Vec::new(),
            category_index: HashMap::new(),
            series: Vec::new(),
            series_index: HashMap::new(),
        }
    }

    pub fn category(&mut self, key: &str, label: &str, kind: LabelKind) -> usize {
        if let Some(&i) = self.category_index.get(key) {
            return i;
        }
        let i = self.categories.len();
        self.categories.push(ChartCategory {
            key: key.into(),
            label: label.into(),
            kind,
        });
        self.category_index.insert(key.into(), i);
        for s in &mut self.series {
            s.values.push(None);
            s.ids.push(Vec::new());
        }
        i
    }

    pub fn series(&mut self, key: &str, label: &str, kind: LabelKind) -> usize {
        if let Some(&i) = self.series_index.get(key) {
            return i;
        }
        let i = self.series.len();
        let n = self.categories.len();
        self.series.push(Series {
            key: key.into(),
            label: label.into(),
            kind,
            values: vec![None; n],
            ids: vec![Vec::new(); n],
        });
        self.series_index.insert(key.into(), i);
        i
    }

    /// Adds `value` to a sum, with the row it came from.
    pub fn add(&mut self, series: usize, category: usize, value: f64, id: Option<&str>) {
        let s = &mut self.series[series];
        *s.values[category].get_or_insert(0.0) += value;
        if let Some(id) = id {
            s.ids[category].push(id.to_string());
        }
    }

    pub fn value(&self, series: usize, category: usize) -> Option<f64> {
        self.series[series].values[category]
    }

    /// A value computed from the sum (a weighting, a rate), keeping its ids.
    pub fn replace(&mut self, series: usize, category: usize, value: f64) {
        self.series[series].values[category] = Some(value);
    }

    pub fn set(&mut self, series: usize, category: usize, value: Option<f64>, ids: Vec<String>) {
        let s = &mut self.series[series];
        s.values[category] = value;
        s.ids[category] = ids;
    }

    /// Empty sums read as 0 for counts and money (a bar of nothing), and
    /// stay empty for days and rates (nothing to average).
    pub fn build(
        mut self,
        id: ChartId,
        unit: Unit,
        currency: Option<String>,
        stacked: bool,
        drill: DrillKind,
    ) -> Chart {
        if matches!(unit, Unit::Count | Unit::Money) {
            for s in &mut self.series {
                for v in &mut s.values {
                    v.get_or_insert(0.0);
                }
            }
        }
        // The rows behind a point in one order, whatever order the store
        // read them in (the file by its index, the server by its plan).
        for s in &mut self.series {
            for ids in &mut s.ids {
                ids.sort_unstable();
            }
        }
        Chart {
            id,
            currency,
            unit,
            stacked,
            drill,
            categories: self.categories,
            series: self.series,
        }
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

/// Money charts of one kind, one builder per currency (JPY first).
pub struct PerCurrency(pub std::collections::BTreeMap<String, Builder>);

impl PerCurrency {
    pub fn new() -> PerCurrency {
        PerCurrency(Default::default())
    }

    /// The builder of `currency`, made with `setup` the first time.
    pub fn of(&mut self, currency: &str, setup: impl FnOnce(&mut Builder)) -> &mut Builder {
        self.0.entry(currency.to_string()).or_insert_with(|| {
            let mut b = Builder::new();
            setup(&mut b);
            b
        })
    }

    pub fn build(self, id: ChartId, stacked: bool, drill: DrillKind) -> Vec<Chart> {
        let mut charts: Vec<Chart> = self
            .0
            .into_iter()
            .map(|(c, b)| b.build(id, Unit::Money, Some(c), stacked, drill))
            .collect();
        charts.sort_by_key(|c| c.currency.as_deref() != Some("JPY"));
        charts
    }
}

impl Default for PerCurrency {
    fn default() -> Self {
        PerCurrency::new()
    }
}

/// The whole dashboard.
pub fn dashboard<'c>(conn: impl Into<Sql<'c>>, clock: &dyn Clock, filter: &ReportFilter) -> Result<Dashboard> {
    let q = Query::new(conn, clock, filter)?;
    // No read transaction around the whole: each query holds the file's
    // shared lock only while it runs, so a colleague's save waits for one
    // query at most, never for the dashboard (docs/reports.md). A save that
    // lands between two charts is shown by the refresh it triggers.
    let charts = all_charts(&q)?;
    Ok(Dashboard {
        charts,
        pipeline_id: q.pipeline_id.clone(),
        today: q.today,
    })
}

fn all_charts(q: &Query) -> Result<Vec<Chart>> {
    let mut charts = Vec::new();
    charts.extend(pipeline::charts(q)?);
    charts.extend(forecast::charts(q)?);
    charts.extend(win_loss::charts(q)?);
    charts.extend(activity::charts(q)?);
    charts.extend(keep_in_touch::charts(q)?);
    charts.extend(renewals::charts(q)?);
    charts.extend(support::charts(q)?);
    charts.extend(leads::charts(q)?);
    Ok(charts)
}

/// The charts of the module that draws `id`.
fn charts_of(q: &Query, id: ChartId) -> Result<Vec<Chart>> {
    use ChartId::*;
    match id {
        PipelineCount | PipelineAmount => pipeline::charts(q),
        Forecast => forecast::charts(q),
        WinRate | CycleDays | LostReasons | LostTo => win_loss::charts(q),
        ActivityByMember | ActivityByWeek | Punctuality => activity::charts(q),
        KeepInTouch | GoingCold => keep_in_touch::charts(q),
        RenewalsByMonth | RenewalRate | RenewalKinds | ChurnReasons | RenewalsDue => renewals::charts(q),
        SupportReceived | SupportServiceLevels => support::charts(q),
        LeadsBySource | LeadResponse => leads::charts(q),
    }
}

/// The rows behind one point of one chart, as the chart computes them now.
pub fn drill<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    filter: &ReportFilter,
    req: &DrillRequest,
) -> Result<DrillList> {
    let q = Query::new(conn, clock, filter)?;
    let charts = charts_of(&q, req.chart)?;
    let chart = charts
        .into_iter()
        .find(|c| c.id == req.chart && c.currency == req.currency)
        .ok_or(Error::invalid("chart", "unknown"))?;
    let ci = chart
        .categories
        .iter()
        .position(|c| c.key == req.category)
        .ok_or(Error::invalid("category", "unknown"))?;
    let series = chart
        .series
        .iter()
        .find(|s| s.key == req.series)
        .ok_or(Error::invalid("series", "unknown"))?;
    let mut ids = series.ids[ci].clone();
    ids.sort();
    ids.dedup();
    Ok(DrillList {
        kind: chart.drill,
        rows: rows(q.conn, chart.drill, &ids)?,
    })
}

/// The list rows of `ids`, in the order a person scans them.
fn rows(conn: Sql, kind: DrillKind, ids: &[String]) -> Result<Vec<DrillRow>> {
    let sql = match kind {
        DrillKind::Deals => {
            "SELECT d.id, d.company_id, c.name, d.title, u.display_name, d.expected_close, d.amount, d.currency
               FROM deals d JOIN companies c ON c.id = d.company_id LEFT JOIN users u ON u.id = d.owner_id
              WHERE d.id = ?1"
        }
        DrillKind::Companies => {
            "SELECT c.id, c.id, c.name, c.name, u.display_name, c.last_contact_at, NULL, NULL
               FROM companies c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ?1"
        }
        DrillKind::FollowUps => {
            "SELECT f.id, COALESCE(f.company_id, ''), COALESCE(c.name, ''), f.title, u.display_name, f.due_at, NULL, NULL
               FROM follow_ups f LEFT JOIN companies c ON c.id = f.company_id
               LEFT JOIN users u ON u.id = f.assignee_id WHERE f.id = ?1"
        }
        DrillKind::Contracts => {
            "SELECT k.id, k.company_id, c.name, k.plan, u.display_name, k.end_date, k.amount, k.currency
               FROM contracts k JOIN companies c ON c.id = k.company_id LEFT JOIN users u ON u.id = k.owner_id
              WHERE k.id = ?1"
        }
        DrillKind::Cases => {
            "SELECT s.id, s.company_id, c.name, '#' || s.number || ' ' || s.subject, u.display_name, s.received_at, NULL, NULL
               FROM support_cases s JOIN companies c ON c.id = s.company_id
               LEFT JOIN users u ON u.id = s.assignee_id WHERE s.id = ?1"
        }
        // A lead is listed by who asked, with their company as they wrote it.
        DrillKind::Leads => {
            "SELECT l.id, COALESCE(l.company_id, ''), l.company_name,
                    CASE WHEN l.person_name <> '' THEN l.person_name ELSE l.company_name END,
                    u.display_name, l.received_at, NULL, NULL
               FROM leads l LEFT JOIN users u ON u.id = l.owner_id WHERE l.id = ?1"
        }
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row = conn.query_opt(sql, sql::params![id], |r| {
            Ok(DrillRow {
                id: r.get(0)?,
                company_id: r.get(1)?,
                company: r.get(2)?,
                title: r.get(3)?,
                owner: r.get(4)?,
                date: r.get(5)?,
                amount: r.get(6)?,
                currency: r.get(7)?,
            })
        });
        // None: gone since the chart was drawn, nothing to list.
        out.extend(row?);
    }
    out.sort_by(|a, b| (&a.company, &a.title).cmp(&(&b.company, &b.title)));
    Ok(out)
}
