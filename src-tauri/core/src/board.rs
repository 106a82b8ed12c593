//! The pipeline board (案件ボード): deals grouped by stage with counts and
//! totals, and on each card what needs attention (next follow-up, going
//! cold, decision deadline, buying signals).

use crate::clock::{from_db, Clock};
use crate::company::escape_like;
use crate::error::{Error, Result};
use crate::follow_up::DueState;
use crate::pipeline::{self, Pipeline, Stage, StageKind};
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

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
    pub count: i32,
    /// One total per currency, JPY first; each is the sum of the cards.
    pub totals: Vec<MoneyTotal>,
    pub cards: Vec<DealCard>,
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

/// The board's query, public so that the benchmark measures exactly what
/// [`load`] runs. Parameters: pipeline id, owner id or NULL, LIKE pattern or NULL.
#[doc(hidden)]
pub const BOARD_SQL: &str = "SELECT d.id, d.version, d.stage_id, d.title, d.company_id, c.name, d.amount, d.currency,
        d.owner_id, u.display_name, d.decision_deadline, d.stage_entered_at, d.last_activity_at, d.position,
        d.lost_reason, d.reapproach_on,
        (SELECT MIN(f.due_at) FROM follow_ups f
          WHERE f.deal_id = d.id AND f.status = 'open' AND f.deleted_at IS NULL),
        (SELECT COALESCE(SUM(json_array_length(a.signals)), 0) FROM activities a
          WHERE a.deal_id = d.id AND a.deleted_at IS NULL AND a.signals <> '[]'),
        d.lost_to, d.lost_detail
 FROM deals d
 JOIN companies c ON c.id = d.company_id
 LEFT JOIN users u ON u.id = d.owner_id
 WHERE d.pipeline_id = ?1 AND d.deleted_at IS NULL
   AND (?2 IS NULL OR d.owner_id = ?2)
   AND (?3 IS NULL OR d.title LIKE ?3 ESCAPE '\\' OR c.name LIKE ?3 ESCAPE '\\' OR c.name_kana LIKE ?3 ESCAPE '\\')
 ORDER BY d.stage_id, d.position, d.id";

/// Loads one pipeline's board (the requested one, else the first), showing
/// the deals the filter lets through; column counts and totals are always
/// those of the cards shown.
pub fn load(conn: &Connection, clock: &dyn Clock, pipeline_id: Option<&str>, filter: &BoardFilter) -> Result<Board> {
    let pipelines = pipeline::list(conn)?;
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
    let stages = pipeline::stages(conn, &pipeline.id)?;
    let today = clock.today();
    let offset = clock.offset();
    let day_of = |s: &str| from_db(s).map(|t| t.with_timezone(&offset).date_naive());
    let owner = filter.owner_id.as_deref().map(str::trim).filter(|o| !o.is_empty());
    let pattern = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", escape_like(t)));

    let mut st = conn.prepare_cached(BOARD_SQL)?;
    let stage_index: HashMap<&str, usize> = stages.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let mut cards_by_stage: Vec<Vec<DealCard>> = vec![Vec::new(); stages.len()];
    let mut rows = st.query(params![pipeline.id, owner, pattern])?;
    while let Some(r) = rows.next()? {
        let stage_id: String = r.get(2)?;
        let Some(&si) = stage_index.get(stage_id.as_str()) else {
            continue;
        };
        let stage = &stages[si];
        let open = stage.kind == StageKind::Open;
        let entered: String = r.get(11)?;
        let last_activity: Option<String> = r.get(12)?;
        // The later of "entered this stage" and "last touch": moving a deal
        // forward is itself a sign of life.
        let last_touch = [Some(entered.as_str()), last_activity.as_deref()]
            .into_iter()
            .flatten()
            .filter_map(day_of)
            .max();
        let cold_days = match (open, last_touch) {
            (true, Some(day)) if stage.idle_days > 0 => {
                let idle = (today - day).num_days() as i32;
                (idle > stage.idle_days).then_some(idle)
            }
            _ => None,
        };
        if filter.cold_only && cold_days.is_none() {
            continue;
        }
        // The decision deadline is what closing is about; a deal sent back
        // to an earlier stage keeps the date as history but no countdown.
        let decision_deadline = if open && stage.is_closing {
            r.get::<_, Option<String>>(10)?
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        } else {
            None
        };
        let next_follow_up_at: Option<String> = r.get(16)?;
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
        cards_by_stage[si].push(DealCard {
            id: r.get(0)?,
            version: r.get(1)?,
            stage_id,
            title: r.get(3)?,
            company_id: r.get(4)?,
            company_name: r.get(5)?,
            amount: r.get(6)?,
            currency: r.get(7)?,
            owner_id: r.get(8)?,
            owner_name: r.get(9)?,
            position: r.get(13)?,
            next_step,
            next_follow_up_at,
            cold_days,
            deadline_days_left: decision_deadline.map(|d| (d - today).num_days() as i32),
            decision_deadline,
            lost_reason: if lost { r.get(14)? } else { None },
            lost_to: if lost { r.get(18)? } else { None },
            lost_detail: if lost { r.get(19)? } else { None },
            reapproach_on: if lost {
                r.get::<_, Option<String>>(15)?
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            } else {
                None
            },
            signal_count: r.get(17)?,
        });
    }

    let columns = stages
        .into_iter()
        .zip(cards_by_stage)
        .map(|(stage, cards)| BoardColumn {
            count: cards.len() as i32,
            totals: totals(&cards, stage.probability),
            cards,
            stage,
        })
        .collect();
    Ok(Board {
        pipelines: pipelines.clone(),
        pipeline_id: pipeline.id.clone(),
        columns,
        today,
    })
}

/// Sums per currency so a column never adds yen to dollars.
pub fn totals(cards: &[DealCard], probability: i32) -> Vec<MoneyTotal> {
    let mut by_currency: Vec<MoneyTotal> = Vec::new();
    for card in cards {
        match by_currency.iter_mut().find(|t| t.currency == card.currency) {
            Some(t) => t.amount += card.amount,
            None => by_currency.push(MoneyTotal {
                currency: card.currency.clone(),
                amount: card.amount,
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

/// Rounded half up, in the minor unit.
fn weighted(amount: i64, probability: i32) -> i64 {
    (i128::from(amount) * i128::from(probability) + 50).div_euclid(100) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let Fixture { mut db, clock, _dir } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        f.deal(&mut db, "A", f.stage("提案"), 1_000_000, "JPY");
        f.deal(&mut db, "B", f.stage("提案"), 250_000, "JPY");
        f.deal(&mut db, "C", f.stage("提案"), 300, "USD");
        f.deal(&mut db, "D", f.stage("見積"), 999, "JPY");
        let b = load(db.conn(), &clock, None, &BoardFilter::default()).unwrap();
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
        let Fixture { mut db, clock, _dir } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let none = f.deal(&mut db, "none", f.stage("提案"), 1, "JPY");
        let over = f.deal(&mut db, "over", f.stage("提案"), 1, "JPY");
        let today = f.deal(&mut db, "today", f.stage("提案"), 1, "JPY");
        let later = f.deal(&mut db, "later", f.stage("提案"), 1, "JPY");
        // 23:30 UTC on the 24th is 08:30 on the 25th in Tokyo: today, not overdue.
        f.follow_up(&mut db, &today, "2026-11-24T23:30:00Z");
        f.follow_up(&mut db, &over, "2026-11-24T14:00:00Z");
        f.follow_up(&mut db, &later, "2026-11-25T15:30:00Z");
        let b = load(db.conn(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(card(&b, "none").next_step, NextStep::None);
        assert_eq!(card(&b, "over").next_step, NextStep::Overdue);
        assert_eq!(card(&b, "today").next_step, NextStep::Today);
        assert_eq!(card(&b, "later").next_step, NextStep::Upcoming);
        let _ = none;
    }

    #[test]
    fn a_deal_goes_cold_after_its_stages_idle_days() {
        let Fixture { mut db, clock, _dir } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        // 見積 has 7 idle days.
        f.deal(&mut db, "quiet", f.stage("見積"), 1, "JPY");
        clock.advance(Duration::days(7));
        let b = load(db.conn(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(
            card(&b, "quiet").cold_days,
            None,
            "exactly the idle days is not yet cold"
        );
        clock.advance(Duration::days(2));
        let b = load(db.conn(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(card(&b, "quiet").cold_days, Some(9));
        // A touch warms it up again.
        let deal = card(&b, "quiet");
        f.touch(&mut db, &deal.id, &clock);
        let b = load(db.conn(), &clock, None, &BoardFilter::default()).unwrap();
        assert_eq!(card(&b, "quiet").cold_days, None);
    }

    #[test]
    fn decision_deadline_counts_down_and_signals_are_counted() {
        let Fixture { mut db, clock, _dir } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let id = f.deal(&mut db, "closing", f.stage("クロージング"), 1, "JPY");
        db.write(|ctx| {
            ctx.tx
                .execute("UPDATE deals SET decision_deadline = '2026-12-02' WHERE id = ?1", [&id])?;
            Ok(())
        })
        .unwrap();
        f.signal(&mut db, &id, &["replied_thanks", "second_visit"]);
        f.signal(&mut db, &id, &["answered_question"]);
        let c = card(
            &load(db.conn(), &clock, None, &BoardFilter::default()).unwrap(),
            "closing",
        );
        assert_eq!(c.deadline_days_left, Some(7));
        assert_eq!(c.signal_count, 3);
    }

    #[test]
    fn a_lost_card_says_why_to_whom_and_what_was_said() {
        let Fixture { mut db, clock, _dir } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let id = f.deal(&mut db, "lost", f.stage("見積"), 1, "JPY");
        db.write(|ctx| {
            crate::deal::move_to(
                ctx,
                &crate::deal::MoveDeal {
                    deal_id: id.clone(),
                    version: 1,
                    to_stage_id: f.stage("失注"),
                    lost: Some(crate::deal::LostInfo {
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
        let c = card(&load(db.conn(), &clock, None, &BoardFilter::default()).unwrap(), "lost");
        assert_eq!(
            (c.lost_reason.as_deref(), c.lost_to.as_deref(), c.lost_detail.as_deref()),
            (Some("価格"), Some("競合社"), Some("予算が半分に"))
        );
        assert!(c.reapproach_on.is_some());
    }

    #[test]
    fn unknown_pipeline_is_not_found() {
        let Fixture { mut db, clock, _dir } = fixture();
        crate::testutil::seed_pipeline(&mut db);
        let e = load(db.conn(), &clock, Some("nope"), &BoardFilter::default()).unwrap_err();
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
        let Fixture { mut db, clock, _dir } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        let other_company = db
            .write(|ctx| {
                crate::company::create(
                    ctx,
                    &crate::company::NewCompany {
                        name: "Acme Trading".into(),
                        name_kana: "あくめとれーでぃんぐ".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let sato = db.write(|ctx| crate::user::ensure(ctx, "sato", "佐藤")).unwrap();
        let me = db.user().id.clone();
        let a = f.deal(&mut db, "Cloud 移行", f.stage("提案"), 1_000, "JPY");
        let b = f.deal(&mut db, "保守契約", f.stage("提案"), 2_000, "JPY");
        let c = f.deal(&mut db, "100%_値引き", f.stage("見積"), 300, "USD");
        let acme = db
            .write(|ctx| {
                crate::deal::create(
                    ctx,
                    &crate::deal::NewDeal {
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
                ctx.tx
                    .execute("UPDATE deals SET owner_id = ?2 WHERE id = ?1", params![id, me])?;
            }
            Ok(())
        })
        .unwrap();
        let _ = (b, acme);
        let load_with = |filter: BoardFilter| {
            let board = load(db.conn(), &clock, None, &filter).unwrap();
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
        let Fixture { mut db, clock, _dir } = fixture();
        let f = crate::testutil::seed_pipeline(&mut db);
        for t in ["A", "B", "C"] {
            f.deal(&mut db, t, f.stage("提案"), 1, "JPY");
        }
        db.write(|ctx| {
            ctx.tx
                .execute("UPDATE deals SET position = 0.5 WHERE title = 'C'", [])?;
            Ok(())
        })
        .unwrap();
        let b = load(db.conn(), &clock, None, &BoardFilter::default()).unwrap();
        let col: Vec<(String, f64)> = b.columns[2]
            .cards
            .iter()
            .map(|c| (c.title.clone(), c.position))
            .collect();
        assert_eq!(col, [("C".into(), 0.5), ("A".into(), 1.0), ("B".into(), 2.0)]);
    }
}
