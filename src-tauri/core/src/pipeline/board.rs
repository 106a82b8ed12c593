//! The pipeline board (案件ボード): deals grouped by stage with counts and
//! totals, and on each card what needs attention (next follow-up, going
//! cold, decision deadline, buying signals).
//!
//! A board can hold 10,000 open deals while a column shows a handful, so
//! the engine sends what the columns show: per column the count and the
//! totals per currency of every deal the filter lets through (one grouped
//! query), and the first page of its cards. A column asks for the next page
//! ([`column_page`]) as it scrolls, by keyset on (position, id), the order
//! the cards are in; a reload asks for as many cards as each column already
//! shows ([`load_keeping`]), so a refresh never shortens a scrolled column.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::followups::follow_up::DueState;
use crate::pipeline::stage::{self, Pipeline, Stage, StageKind};
use crate::store::sql::{Kind, Row, Sql, Value};
use crate::validate::escape_like;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// Cards per column in the board's first answer and in each further page:
/// more than a column shows at once even on a tall screen (about 15 at
/// 2160 px), and a small team's whole column. Every card sent is one the
/// window builds before it paints (about 0.7 ms each in the bench).
pub const PAGE: u32 = 30;
/// The most cards one request returns for a column (what a refresh keeps of
/// a column scrolled that far).
pub const MAX_PAGE: u32 = 10_000;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Board {
    pub pipelines: Vec<Pipeline>,
    pub pipeline_id: String,
    pub columns: Vec<BoardColumn>,
    /// The user's today, which the card states were judged against.
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BoardColumn {
    pub stage: Stage,
    /// Every deal in the column that the filter lets through, loaded or not.
    pub count: i32,
    /// One total per currency, JPY first, over the same deals as `count`.
    pub totals: Vec<MoneyTotal>,
    /// The first cards, in column order.
    pub cards: Vec<DealCard>,
    /// Where the next page starts, when more cards follow.
    pub next: Option<CardCursor>,
}

/// A place in a column's order: after the card with this position and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CardCursor {
    pub position: f64,
    pub id: String,
}

/// The cards of one column that follow a cursor.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CardPage {
    pub cards: Vec<DealCard>,
    pub next: Option<CardCursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MoneyTotal {
    pub currency: String,
    #[ts(type = "number")]
    pub amount: i64,
    /// Amount times the stage's win probability.
    #[ts(type = "number")]
    pub weighted: i64,
}

/// The next-step state a card shows: red overdue, green today, yellow when
/// nothing is planned (a deal must never be silently dropped), grey future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NextStep {
    Overdue,
    Today,
    Upcoming,
    None,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DealCard {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub stage_id: String,
    pub title: String,
    pub company_id: String,
    pub company_name: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    /// Sort key inside the column (ascending, ties by id).
    pub position: f64,
    pub next_step: NextStep,
    pub next_follow_up_at: Option<String>,
    /// Days without a touch, when that exceeds the stage's idle days.
    pub cold_days: Option<i32>,
    /// Shown only while the deal is in a closing stage (the deal keeps the
    /// date as history after leaving it).
    pub decision_deadline: Option<NaiveDate>,
    /// Days left until the decision deadline (negative: passed); only in a closing stage.
    pub deadline_days_left: Option<i32>,
    /// Buying signals recorded on this deal's timeline.
    pub signal_count: i32,
    /// The support case this deal came from (support handed it to sales).
    #[ts(type = "number | null")]
    pub from_case: Option<i64>,
    /// On a lost card: why it was lost, the competitor who won, what was
    /// said about it, and when to re-approach.
    pub lost_reason: Option<String>,
    pub lost_to: Option<String>,
    pub lost_detail: Option<String>,
    pub reapproach_on: Option<NaiveDate>,
}

/// What the board shows of a pipeline: all its deals, or only some.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct BoardFilter {
    /// Only this owner's deals ("my deals" is the current user's id).
    pub owner_id: Option<String>,
    /// Part of the deal title, the company name or its reading (kana);
    /// ASCII letters match regardless of case.
    pub text: Option<String>,
    /// Only deals going cold.
    pub cold_only: bool,
}

/// Whole days since a deal's last sign of life, on the user's calendar: the
/// later of entering its stage (moving a deal forward is itself a sign of
/// life) and its last touch. NULL when neither is known. Parameters: ?5 the
/// user's today (YYYY-MM-DD), ?6 the user's UTC offset as an SQLite modifier.
macro_rules! idle_days {
    () => {
        "CAST(round(julianday(?5) - julianday(date(NULLIF(max(
            COALESCE(julianday(d.stage_entered_at), 0), COALESCE(julianday(d.last_activity_at), 0)), 0), ?6)))
         AS INTEGER)"
    };
}

/// The deals of a pipeline the filter lets through, with their stage (s) and
/// company (c). Parameters: ?1 pipeline id, ?2 owner id or NULL, ?3 LIKE
/// pattern or NULL, ?4 1 for going cold only, ?5 and ?6 as in `idle_days`.
/// Going cold is an open deal idle for longer than its stage's idle days;
/// filtering on it here keeps the counts and totals those of the cards the
/// filter shows.
macro_rules! filtered_deals {
    () => {
        concat!(
            " FROM deals d
              JOIN stages s ON s.id = d.stage_id
              JOIN companies c ON c.id = d.company_id
              WHERE d.pipeline_id = ?1 AND d.deleted_at IS NULL AND c.archived_at IS NULL
                AND (?2 IS NULL OR d.owner_id = ?2)
                AND (?3 IS NULL OR d.title LIKE ?3 ESCAPE '\\' OR c.name LIKE ?3 ESCAPE '\\'
                     OR c.name_kana LIKE ?3 ESCAPE '\\')
                AND (?4 = 0 OR (s.kind = 'open' AND s.idle_days > 0 AND ",
            idle_days!(),
            " > s.idle_days))"
        )
    };
}

/// The columns of a card, then the filtered deals of one stage (?7).
macro_rules! cards_of_stage {
    () => {
        concat!(
            "SELECT d.id, d.version, d.stage_id, d.title, d.company_id, c.name, d.amount, d.currency,
                d.owner_id, (SELECT u.display_name FROM users u WHERE u.id = d.owner_id),
                d.decision_deadline, ",
            idle_days!(),
            ", d.position, d.lost_reason, d.reapproach_on,
                (SELECT MIN(f.due_at) FROM follow_ups f
                  WHERE f.deal_id = d.id AND f.status = 'open' AND f.deleted_at IS NULL),
                (SELECT COALESCE(SUM(json_array_length(a.signals)), 0) FROM activities a
                  WHERE a.deal_id = d.id AND a.deleted_at IS NULL AND a.signals <> '[]'),
                d.lost_to, d.lost_detail,
                (SELECT MAX(s.number) FROM case_handoffs h JOIN support_cases s ON s.id = h.case_id
                  WHERE h.deal_id = d.id AND h.deleted_at IS NULL)",
            filtered_deals!(),
            " AND d.stage_id = ?7"
        )
    };
}

// The board's queries, public so that the benchmark runs exactly what
// [`load`] runs.

/// Count and sum per stage and currency of every deal the filter lets through.
#[doc(hidden)]
pub const TOTALS_SQL: &str = concat!(
    "SELECT d.stage_id, d.currency, COUNT(*), CAST(SUM(d.amount) AS BIGINT)",
    filtered_deals!(),
    " GROUP BY d.stage_id, d.currency"
);

/// A column's first cards: ?7 the stage, ?8 and ?9 unused, ?10 how many.
#[doc(hidden)]
pub const FIRST_CARDS_SQL: &str = concat!(
    cards_of_stage!(),
    " AND ?8 IS NULL AND ?9 IS NULL ORDER BY d.position, d.id LIMIT ?10"
);

/// A column's cards after a cursor: ?8 position and ?9 id of the last card shown.
#[doc(hidden)]
pub const NEXT_CARDS_SQL: &str = concat!(
    cards_of_stage!(),
    " AND (d.position, d.id) > (?8, ?9) ORDER BY d.position, d.id LIMIT ?10"
);

/// The parameters every board query starts with (?1 to ?6).
struct Scope {
    values: Vec<Value>,
}

impl Scope {
    fn new(clock: &dyn Clock, pipeline_id: &str, filter: &BoardFilter) -> Scope {
        let owner = filter.owner_id.as_deref().map(str::trim).filter(|o| !o.is_empty());
        let pattern = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| format!("%{}%", escape_like(t)));
        let offset_minutes = clock.offset().local_minus_utc() / 60;
        Scope {
            values: vec![
                Value::Text(pipeline_id.to_string()),
                Value::from(owner),
                Value::from(pattern),
                Value::Integer(i64::from(filter.cold_only)),
                Value::Text(clock.today().to_string()),
                Value::Text(format!("{offset_minutes:+} minutes")),
            ],
        }
    }

    fn with(&self, more: impl IntoIterator<Item = Value>) -> Vec<Value> {
        self.values.iter().cloned().chain(more).collect()
    }
}

/// Loads one pipeline's board (the requested one, else the first), showing
/// the deals the filter lets through: each column's count and totals, and
/// its first [`PAGE`] cards.
pub fn load<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    pipeline_id: Option<&str>,
    filter: &BoardFilter,
) -> Result<Board> {
    load_keeping(conn, clock, pipeline_id, filter, &HashMap::new())
}

/// Like [`load`], but a column listed in `loaded` (stage id → cards the
/// screen holds) gets at least that many cards (at most [`MAX_PAGE`]): a
/// refresh after a move or a colleague's change keeps a scrolled column as long.
pub fn load_keeping<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    pipeline_id: Option<&str>,
    filter: &BoardFilter,
    loaded: &HashMap<String, u32>,
) -> Result<Board> {
    let conn = conn.into();
    let pipelines = stage::list(conn)?;
    let pipeline = match pipeline_id {
        Some(id) => pipelines.iter().find(|p| p.id == id).ok_or(Error::NotFound {
            entity: "pipeline",
            id: id.to_string(),
        })?,
        None => pipelines.first().ok_or(Error::NotFound {
            entity: "pipeline",
            id: String::new(),
        })?,
    };
    let stages = stage::stages(conn, &pipeline.id)?;
    let scope = Scope::new(clock, &pipeline.id, filter);

    let mut sums: HashMap<String, Vec<(String, i64, i64)>> = HashMap::new();
    for (stage, total) in conn.query(TOTALS_SQL, &scope.with([]), |r| {
        Ok((r.get::<String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
    })? {
        sums.entry(stage).or_default().push(total);
    }

    let mut columns = Vec::with_capacity(stages.len());
    for stage in stages {
        let per_currency = sums.remove(&stage.id).unwrap_or_default();
        let limit = loaded.get(&stage.id).copied().unwrap_or(0).clamp(PAGE, MAX_PAGE);
        let page = cards(conn, clock, &scope, &stage, None, limit)?;
        columns.push(BoardColumn {
            count: per_currency.iter().map(|(_, n, _)| *n).sum::<i64>() as i32,
            totals: money_totals(per_currency.into_iter().map(|(c, _, a)| (c, a)), stage.probability),
            cards: page.cards,
            next: page.next,
            stage,
        });
    }
    Ok(Board {
        pipelines: pipelines.clone(),
        pipeline_id: pipeline.id.clone(),
        columns,
        today: clock.today(),
    })
}

/// The cards of one column after `after`, under the same filter as the board.
pub fn column_page<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    stage_id: &str,
    filter: &BoardFilter,
    after: &CardCursor,
    limit: u32,
) -> Result<CardPage> {
    let conn = conn.into();
    let (stage, _) = stage::stage(conn, stage_id)?
        .filter(|(_, deleted)| !deleted)
        .ok_or_else(|| Error::NotFound {
            entity: "stage",
            id: stage_id.to_string(),
        })?;
    let scope = Scope::new(clock, &stage.pipeline_id, filter);
    let limit = if limit == 0 { PAGE } else { limit.min(MAX_PAGE) };
    cards(conn, clock, &scope, &stage, Some(after), limit)
}

/// Up to `limit` cards of a column after `after` (from the top for None).
fn cards(
    conn: Sql,
    clock: &dyn Clock,
    scope: &Scope,
    stage: &Stage,
    after: Option<&CardCursor>,
    limit: u32,
) -> Result<CardPage> {
    let (sql, position, id) = match after {
        Some(c) => (NEXT_CARDS_SQL, Value::Real(c.position), Value::Text(c.id.clone())),
        None => (FIRST_CARDS_SQL, Value::Null(Kind::Real), Value::Null(Kind::Text)),
    };
    let params = scope.with([
        Value::Text(stage.id.clone()),
        position,
        id,
        Value::Integer(i64::from(limit) + 1),
    ]);
    let today = clock.today();
    let mut cards = conn.query(sql, &params, |r| card(r, stage, today, clock))?;
    let more = cards.len() > limit as usize;
    cards.truncate(limit as usize);
    let next = if more {
        cards.last().map(|c| CardCursor {
            position: c.position,
            id: c.id.clone(),
        })
    } else {
        None
    };
    Ok(CardPage { cards, next })
}

/// One row of [`FIRST_CARDS_SQL`] or [`NEXT_CARDS_SQL`] as a card.
fn card(r: &Row, stage: &Stage, today: NaiveDate, clock: &dyn Clock) -> Result<DealCard> {
    let open = stage.kind == StageKind::Open;
    let idle: Option<i32> = r.get(11)?;
    let cold_days = match (open, idle) {
        (true, Some(idle)) if stage.idle_days > 0 && idle > stage.idle_days => Some(idle),
        _ => None,
    };
    let day = |s: Option<String>| s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    // The decision deadline is what closing is about; a deal sent back to an
    // earlier stage keeps the date as history but no countdown.
    let decision_deadline = if open && stage.is_closing {
        day(r.get(10)?)
    } else {
        None
    };
    let next_follow_up_at: Option<String> = r.get(15)?;
    let next_step = match (&next_follow_up_at, open) {
        (_, false) => NextStep::Upcoming,
        (None, true) => NextStep::None,
        (Some(due), true) => match DueState::of(due, clock) {
            DueState::Overdue => NextStep::Overdue,
            DueState::Today => NextStep::Today,
            DueState::Upcoming => NextStep::Upcoming,
        },
    };
    let lost = stage.kind == StageKind::Lost;
    Ok(DealCard {
        id: r.get(0)?,
        version: r.get(1)?,
        stage_id: r.get(2)?,
        title: r.get(3)?,
        company_id: r.get(4)?,
        company_name: r.get(5)?,
        amount: r.get(6)?,
        currency: r.get(7)?,
        owner_id: r.get(8)?,
        owner_name: r.get(9)?,
        position: r.get(12)?,
        next_step,
        next_follow_up_at,
        cold_days,
        deadline_days_left: decision_deadline.map(|d| (d - today).num_days() as i32),
        decision_deadline,
        lost_reason: if lost { r.get(13)? } else { None },
        lost_to: if lost { r.get(17)? } else { None },
        lost_detail: if lost { r.get(18)? } else { None },
        reapproach_on: if lost { day(r.get(14)?) } else { None },
        signal_count: r.get(16)?,
        from_case: r.get(19)?,
    })
}

/// Totals per currency, JPY first, each with its weighted amount; a column
/// never adds yen to dollars.
fn money_totals(per_currency: impl IntoIterator<Item = (String, i64)>, probability: i32) -> Vec<MoneyTotal> {
    let mut by_currency: Vec<MoneyTotal> = Vec::new();
    for (currency, amount) in per_currency {
        match by_currency.iter_mut().find(|t| t.currency == currency) {
            Some(t) => t.amount += amount,
            None => by_currency.push(MoneyTotal {
                currency,
                amount,
                weighted: 0,
            }),
        }
    }
    for t in &mut by_currency {
        t.weighted = weighted(t.amount, probability);
    }
    by_currency.sort_by(|a, b| (a.currency != "JPY", &a.currency).cmp(&(b.currency != "JPY", &b.currency)));
    by_currency
}

/// The totals of some cards, summed as the board sums a column.
pub fn totals(cards: &[DealCard], probability: i32) -> Vec<MoneyTotal> {
    money_totals(cards.iter().map(|c| (c.currency.clone(), c.amount)), probability)
}

/// Rounded half up, in the minor unit.
fn weighted(amount: i64, probability: i32) -> i64 {
    (i128::from(amount) * i128::from(probability) + 50).div_euclid(100) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql;
    use crate::store::team_db::TeamDb;
    use crate::testutil::{fixture, Fixture};
    use chrono::Duration;

    fn card(b: &Board, title: &str) -> DealCard {
        b.columns
            .iter()
            .flat_map(|c| &c.cards)
            .find(|c| c.title == title)
            .cloned()
            .expect("card on the board")
    }

    #[test]
    fn columns_follow_stage_order_and_totals_equal_the_cards() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        f.deal(&mut db, "A", f.stage("提案"), 1_000_000, "JPY");
        f.deal(&mut db, "B", f.stage("提案"), 250_000, "JPY");
        f.deal(&mut db, "C", f.stage("提案"), 300, "USD");
        f.deal(&mut db, "D", f.stage("見積"), 999, "JPY");
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        let names: Vec<_> = b.columns.iter().map(|c| c.stage.name.as_str()).collect();
        assert_eq!(
            names,
            ["リード", "初回商談", "提案", "見積", "クロージング", "受注", "失注"]
        );
        let proposal = &b.columns[2];
        assert_eq!(proposal.count, 3);
        assert_eq!(
            proposal.totals,
            vec![
                MoneyTotal {
                    currency: "JPY".into(),
                    amount: 1_250_000,
                    weighted: 500_000
                },
                MoneyTotal {
                    currency: "USD".into(),
                    amount: 300,
                    weighted: 120
                },
            ]
        );
        // 999 * 60% = 599.4 -> 599
        assert_eq!(b.columns[3].totals[0].weighted, 599);
        assert_eq!(b.columns[0].count, 0);
        assert!(b.columns[0].totals.is_empty());
    }

    #[test]
    fn next_step_states_follow_the_users_calendar_day() {
        // 2026-11-25 10:00 in Tokyo.
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let none = f.deal(&mut db, "none", f.stage("提案"), 1, "JPY");
        let over = f.deal(&mut db, "over", f.stage("提案"), 1, "JPY");
        let today = f.deal(&mut db, "today", f.stage("提案"), 1, "JPY");
        let later = f.deal(&mut db, "later", f.stage("提案"), 1, "JPY");
        // 23:30 UTC on the 24th is 08:30 on the 25th in Tokyo: today, not overdue.
        f.follow_up(&mut db, &today, "2026-11-24T23:30:00Z");
        f.follow_up(&mut db, &over, "2026-11-24T14:00:00Z");
        f.follow_up(&mut db, &later, "2026-11-25T15:30:00Z");
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(card(&b, "none").next_step, NextStep::None);
        assert_eq!(card(&b, "over").next_step, NextStep::Overdue);
        assert_eq!(card(&b, "today").next_step, NextStep::Today);
        assert_eq!(card(&b, "later").next_step, NextStep::Upcoming);
        let _ = none;
    }

    #[test]
    fn a_deal_goes_cold_after_its_stages_idle_days() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        // 見積 has 7 idle days.
        f.deal(&mut db, "quiet", f.stage("見積"), 1, "JPY");
        clock.advance(Duration::days(7));
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(
            card(&b, "quiet").cold_days,
            None,
            "exactly the idle days is not yet cold"
        );
        clock.advance(Duration::days(2));
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(card(&b, "quiet").cold_days, Some(9));
        // A touch warms it up again.
        let deal = card(&b, "quiet");
        f.touch(&mut db, &deal.id, &clock);
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(card(&b, "quiet").cold_days, None);
    }

    #[test]
    fn decision_deadline_counts_down_and_signals_are_counted() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let id = f.deal(&mut db, "closing", f.stage("クロージング"), 1, "JPY");
        db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE deals SET decision_deadline = '2026-12-02' WHERE id = ?1",
                sql::params![&id],
            )?;
            Ok(())
        })
        .unwrap();
        f.signal(&mut db, &id, &["replied_thanks", "second_visit"]);
        f.signal(&mut db, &id, &["answered_question"]);
        let c = card(
            &load(db.sql(), &clock, None, &BoardFilter::default()).unwrap(),
            "closing",
        );
        assert_eq!(c.deadline_days_left, Some(7));
        assert_eq!(c.signal_count, 3);
    }

    #[test]
    fn a_lost_card_says_why_to_whom_and_what_was_said() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let id = f.deal(&mut db, "lost", f.stage("見積"), 1, "JPY");
        db.write(|ctx| {
            crate::pipeline::moves::move_to(
                ctx,
                &crate::pipeline::moves::MoveDeal {
                    deal_id: id.clone(),
                    version: 1,
                    to_stage_id: f.stage("失注"),
                    lost: Some(crate::pipeline::moves::LostInfo {
                        reason: "価格".into(),
                        detail: "予算が半分に".into(),
                        lost_to: "競合社".into(),
                        competitor_contract_end: None,
                    }),
                    ..Default::default()
                },
            )
        })
        .unwrap();
        let c = card(&load(db.sql(), &clock, None, &BoardFilter::default()).unwrap(), "lost");
        assert_eq!(
            (c.lost_reason.as_deref(), c.lost_to.as_deref(), c.lost_detail.as_deref()),
            (Some("価格"), Some("競合社"), Some("予算が半分に"))
        );
        assert!(c.reapproach_on.is_some());
    }

    #[test]
    fn unknown_pipeline_is_not_found() {
        let Fixture { mut db, clock, _keep } = fixture();
        crate::testutil::seed_pipeline(&mut db);
        let e = load(db.sql(), &clock, Some("nope"), &BoardFilter::default()).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::NotFound);
    }

    /// Every column's count and totals are exactly those of its cards.
    fn assert_totals_match_cards(b: &Board) {
        for col in &b.columns {
            assert_eq!(col.count as usize, col.cards.len(), "{}", col.stage.name);
            let mut sums: Vec<(String, i64)> = Vec::new();
            for c in &col.cards {
                match sums.iter_mut().find(|(cur, _)| *cur == c.currency) {
                    Some((_, a)) => *a += c.amount,
                    None => sums.push((c.currency.clone(), c.amount)),
                }
            }
            let mut shown: Vec<(String, i64)> = col.totals.iter().map(|t| (t.currency.clone(), t.amount)).collect();
            sums.sort();
            shown.sort();
            assert_eq!(shown, sums, "{}", col.stage.name);
            for t in &col.totals {
                assert_eq!(t.weighted, weighted(t.amount, col.stage.probability));
            }
        }
    }

    fn titles(b: &Board) -> Vec<String> {
        let mut t: Vec<String> = b
            .columns
            .iter()
            .flat_map(|c| &c.cards)
            .map(|c| c.title.clone())
            .collect();
        t.sort();
        t
    }

    #[test]
    fn filters_narrow_the_cards_and_the_totals_follow() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let other_company = db
            .write(|ctx| {
                crate::customers::company::create(
                    ctx,
                    &crate::customers::company::NewCompany {
                        name: "Acme Trading".into(),
                        name_kana: "あくめとれーでぃんぐ".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let sato = db
            .write(|ctx| crate::team::member::ensure(ctx, "sato", "佐藤"))
            .unwrap();
        let me = db.user().id.clone();
        let a = f.deal(&mut db, "Cloud 移行", f.stage("提案"), 1_000, "JPY");
        let b = f.deal(&mut db, "保守契約", f.stage("提案"), 2_000, "JPY");
        let c = f.deal(&mut db, "100%_値引き", f.stage("見積"), 300, "USD");
        let acme = db
            .write(|ctx| {
                crate::pipeline::deal::create(
                    ctx,
                    &crate::pipeline::deal::NewDeal {
                        pipeline_id: f.pipeline_id.clone(),
                        stage_id: f.stage("見積"),
                        company_id: other_company.clone(),
                        title: "新規導入".into(),
                        amount: 5_000,
                        owner_id: Some(sato.id.clone()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        db.write(|ctx| {
            for id in [&a, &c] {
                ctx.sql()
                    .execute("UPDATE deals SET owner_id = ?2 WHERE id = ?1", sql::params![id, me])?;
            }
            Ok(())
        })
        .unwrap();
        let _ = (b, acme);
        let load_with = |filter: BoardFilter| {
            let board = load(db.sql(), &clock, None, &filter).unwrap();
            assert_totals_match_cards(&board);
            board
        };

        let all = load_with(BoardFilter::default());
        assert_eq!(all.columns.iter().map(|c| c.count).sum::<i32>(), 4);
        assert_eq!(all.columns[3].totals[0].amount, 5_000, "JPY first");

        let mine = load_with(BoardFilter {
            owner_id: Some(me.clone()),
            ..Default::default()
        });
        assert_eq!(titles(&mine), ["100%_値引き", "Cloud 移行"]);
        assert_eq!(mine.columns[2].totals, totals(&mine.columns[2].cards, 40));
        assert_eq!(mine.columns[2].totals[0].amount, 1_000);

        let text = |t: &str| {
            titles(&load_with(BoardFilter {
                text: Some(t.into()),
                ..Default::default()
            }))
        };
        assert_eq!(text("cloud"), ["Cloud 移行"], "ASCII ignores case");
        assert_eq!(text("  保守 "), ["保守契約"]);
        assert_eq!(text("ACME"), ["新規導入"], "company name");
        assert_eq!(text("とれーでぃ"), ["新規導入"], "company reading");
        assert_eq!(text("テスト"), ["100%_値引き", "Cloud 移行", "保守契約"]);
        assert_eq!(text("%"), ["100%_値引き"], "LIKE wildcards are literal");
        assert_eq!(text("_"), ["100%_値引き"]);
        assert!(text("該当なし").is_empty());
        assert_eq!(text("").len(), 4, "blank text is no filter");

        // Going cold: 見積 has 7 idle days, 提案 10.
        clock.advance(Duration::days(8));
        let cold = load_with(BoardFilter {
            cold_only: true,
            ..Default::default()
        });
        assert_eq!(titles(&cold), ["100%_値引き", "新規導入"]);
        assert!(cold.columns[2].totals.is_empty());
        let cold_mine = load_with(BoardFilter {
            cold_only: true,
            owner_id: Some(me),
            text: Some("値引".into()),
        });
        assert_eq!(titles(&cold_mine), ["100%_値引き"]);
        assert_eq!(cold_mine.columns[3].totals[0].amount, 300);
    }

    #[test]
    fn cards_come_in_position_order_with_their_position() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        for t in ["A", "B", "C"] {
            f.deal(&mut db, t, f.stage("提案"), 1, "JPY");
        }
        db.write(|ctx| {
            ctx.sql()
                .execute("UPDATE deals SET position = 0.5 WHERE title = 'C'", &[])?;
            Ok(())
        })
        .unwrap();
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        let col: Vec<(String, f64)> = b.columns[2]
            .cards
            .iter()
            .map(|c| (c.title.clone(), c.position))
            .collect();
        assert_eq!(col, [("C".into(), 0.5), ("A".into(), 1.0), ("B".into(), 2.0)]);
    }

    /// Every card of a column, following the cursors page by page.
    fn whole_column(
        db: &TeamDb,
        clock: &dyn Clock,
        b: &Board,
        stage: usize,
        filter: &BoardFilter,
        per_page: u32,
    ) -> Vec<DealCard> {
        let col = &b.columns[stage];
        let mut cards = col.cards.clone();
        let mut next = col.next.clone();
        while let Some(after) = next {
            let page = column_page(db.sql(), clock, &col.stage.id, filter, &after, per_page).unwrap();
            assert!(page.cards.len() <= per_page as usize);
            assert!(!page.cards.is_empty(), "a cursor is only given when cards follow");
            cards.extend(page.cards);
            next = page.next;
        }
        cards
    }

    #[test]
    fn a_long_column_sends_one_page_and_totals_of_every_deal() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let proposal = f.stage("提案");
        for i in 0..75 {
            let currency = if i % 10 == 0 { "USD" } else { "JPY" };
            f.deal(&mut db, &format!("案件 {i:02}"), proposal.clone(), 1_000 + i, currency);
        }
        // Ties in position are ordered by id, as the column shows them.
        db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE deals SET position = 5 WHERE title IN ('案件 07', '案件 08', '案件 09')",
                &[],
            )?;
            Ok(())
        })
        .unwrap();
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        let col = &b.columns[2];
        assert_eq!(col.count, 75);
        assert_eq!(col.cards.len(), PAGE as usize);
        assert!(col.next.is_some());
        let usd: i64 = (0..75).filter(|i| i % 10 == 0).map(|i| 1_000 + i).sum();
        let jpy: i64 = (0..75).filter(|i| i % 10 != 0).map(|i| 1_000 + i).sum();
        assert_eq!(
            col.totals,
            vec![
                MoneyTotal {
                    currency: "JPY".into(),
                    amount: jpy,
                    weighted: weighted(jpy, 40)
                },
                MoneyTotal {
                    currency: "USD".into(),
                    amount: usd,
                    weighted: weighted(usd, 40)
                },
            ]
        );
        // Page by page, every card once, in the column's order.
        let all = whole_column(&db, &clock, &b, 2, &BoardFilter::default(), 20);
        let mut expected: Vec<(f64, String)> = db
            .sql()
            .query(
                "SELECT position, id FROM deals WHERE stage_id = ?1",
                sql::params![&proposal],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        assert_eq!(
            all.iter().map(|c| (c.position, c.id.clone())).collect::<Vec<_>>(),
            expected
        );
        // The other columns are short: no cursor.
        assert!(b.columns.iter().enumerate().all(|(i, c)| i == 2 || c.next.is_none()));
    }

    #[test]
    fn a_refresh_keeps_as_many_cards_as_the_column_shows() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        for i in 0..50 {
            f.deal(&mut db, &format!("案件 {i:02}"), f.stage("見積"), 1, "JPY");
        }
        let quote = f.stage("見積");
        let keeping = |n: u32| {
            let loaded = HashMap::from([(quote.clone(), n)]);
            let b = load_keeping(db.sql(), &clock, None, &BoardFilter::default(), &loaded).unwrap();
            (b.columns[3].cards.len(), b.columns[3].next.is_some())
        };
        assert_eq!(keeping(45), (45, true));
        assert_eq!(keeping(50), (50, false));
        assert_eq!(keeping(3), (PAGE as usize, true), "never less than a page");
        assert_eq!(keeping(u32::MAX), (50, false));
    }

    #[test]
    fn pages_and_totals_follow_the_filters() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let me = db.user().id.clone();
        let proposal = f.stage("提案");
        for i in 0..70 {
            let id = f.deal(
                &mut db,
                &format!("{} {i:02}", if i % 2 == 0 { "保守" } else { "新規" }),
                proposal.clone(),
                100,
                "JPY",
            );
            if i % 3 == 0 {
                db.write(|ctx| {
                    ctx.sql()
                        .execute("UPDATE deals SET owner_id = ?2 WHERE id = ?1", sql::params![id, me])?;
                    Ok(())
                })
                .unwrap();
            }
        }
        for (filter, expected) in [
            (
                BoardFilter {
                    text: Some("保守".into()),
                    ..Default::default()
                },
                (0..70).filter(|i| i % 2 == 0).count(),
            ),
            (
                BoardFilter {
                    owner_id: Some(me.clone()),
                    ..Default::default()
                },
                (0..70).filter(|i| i % 3 == 0).count(),
            ),
            (
                BoardFilter {
                    owner_id: Some(me.clone()),
                    text: Some("新規".into()),
                    ..Default::default()
                },
                (0..70).filter(|i| i % 3 == 0 && i % 2 == 1).count(),
            ),
        ] {
            let b = load(db.sql(), &clock, None, &filter).unwrap();
            let col = &b.columns[2];
            assert_eq!(col.count as usize, expected);
            assert_eq!(col.totals[0].amount, expected as i64 * 100);
            let all = whole_column(&db, &clock, &b, 2, &filter, 7);
            assert_eq!(all.len(), expected);
            assert_eq!(col.totals, totals(&all, 40));
        }
    }

    #[test]
    fn going_cold_is_judged_on_the_users_calendar_day() {
        // Tokyo: 2026-11-25 10:00. 見積 has 7 idle days.
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let id = f.deal(&mut db, "境目", f.stage("見積"), 1, "JPY");
        // 15:30 UTC on the 17th is 00:30 on the 18th in Tokyo: 7 days ago
        // there (not yet cold), 8 days ago in UTC.
        db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE deals SET stage_entered_at = '2026-11-17T15:30:00Z', last_activity_at = NULL WHERE id = ?1",
                sql::params![&id],
            )?;
            Ok(())
        })
        .unwrap();
        let cold = BoardFilter {
            cold_only: true,
            ..Default::default()
        };
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(card(&b, "境目").cold_days, None);
        assert_eq!(load(db.sql(), &clock, None, &cold).unwrap().columns[3].count, 0);
        clock.advance(chrono::Duration::days(1));
        let b = load(db.sql(), &clock, None, &cold).unwrap();
        assert_eq!(b.columns[3].count, 1);
        assert_eq!(card(&b, "境目").cold_days, Some(8));
        // A later touch counts, whichever of the two is later.
        db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE deals SET last_activity_at = '2026-11-25T00:00:00Z' WHERE id = ?1",
                sql::params![&id],
            )?;
            Ok(())
        })
        .unwrap();
        assert_eq!(load(db.sql(), &clock, None, &cold).unwrap().columns[3].count, 0);
    }

    #[test]
    fn a_card_moved_while_paging_is_not_shown_twice() {
        let Fixture { mut db, clock, _keep } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let ids: Vec<String> = (0..40)
            .map(|i| f.deal(&mut db, &format!("案件 {i:02}"), f.stage("提案"), 1, "JPY"))
            .collect();
        let b = load(db.sql(), &clock, None, &BoardFilter::default()).unwrap();
        let after = b.columns[2].next.clone().unwrap();
        // A colleague drags the 35th card to the top meanwhile.
        db.write(|ctx| {
            crate::pipeline::moves::move_to(
                ctx,
                &crate::pipeline::moves::MoveDeal {
                    deal_id: ids[35].clone(),
                    version: 1,
                    to_stage_id: f.stage("提案"),
                    index: Some(0),
                    ..Default::default()
                },
            )
        })
        .unwrap();
        let page = column_page(db.sql(), &clock, &f.stage("提案"), &BoardFilter::default(), &after, 30).unwrap();
        let titles: Vec<&str> = page.cards.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles.len(), 9);
        assert!(!titles.contains(&"案件 35"));
        assert!(page.next.is_none());
    }

    #[test]
    fn a_page_of_an_unknown_or_deleted_stage_is_not_found() {
        let Fixture { mut db, clock, _keep } = fixture();
        crate::testutil::seed_pipeline(&mut db);
        let after = CardCursor {
            position: 1.0,
            id: String::new(),
        };
        let e = column_page(db.sql(), &clock, "nope", &BoardFilter::default(), &after, 10).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::NotFound);
    }

    #[test]
    fn a_page_is_read_in_index_order_without_sorting() {
        // SQLite's plan: the server's planner chooses by its own statistics.
        let crate::testutil::FileFixture { mut db, clock, _dir } = crate::testutil::file_fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let scope = Scope::new(&clock, &f.pipeline_id, &BoardFilter::default());
        for sql in [FIRST_CARDS_SQL, NEXT_CARDS_SQL] {
            let params = scope.with([
                Value::Text(f.stage("提案")),
                Value::Real(1.0),
                Value::Text("x".into()),
                Value::Integer(31),
            ]);
            let plan = db.sql().plan(sql, &params).unwrap().join(" | ");
            assert!(plan.contains("SEARCH d USING INDEX deals_"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}
