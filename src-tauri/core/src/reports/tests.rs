//! Every figure against hand-computed fixtures, at the fixed clock of
//! `testutil::fixture` (2026-11-25 10:00 Tokyo, Wednesday).

use super::*;
use crate::pipeline::deal::{self, DealEdit};
use crate::testutil::{company, fixture, seed_pipeline, Fixture, Seed};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn filter(from: &str, to: &str) -> ReportFilter {
    ReportFilter {
        from: day(from),
        to: day(to),
        owner_ids: Vec::new(),
        pipeline_id: None,
        segment: None,
    }
}

fn board(f: &Fixture, filter: &ReportFilter) -> Dashboard {
    dashboard(f.db.sql(), &f.clock, filter).unwrap()
}

fn chart<'a>(d: &'a Dashboard, id: ChartId, currency: Option<&str>) -> &'a Chart {
    d.charts
        .iter()
        .find(|c| c.id == id && c.currency.as_deref() == currency)
        .unwrap_or_else(|| panic!("no chart {id:?} {currency:?}"))
}

/// A series' values by category label (`None` stays visible).
fn values(c: &Chart, series: &str) -> Vec<(String, Option<f64>)> {
    let s = c.series.iter().find(|s| s.key == series).expect("series");
    c.categories
        .iter()
        .map(|c| c.label.clone())
        .zip(s.values.iter().copied())
        .collect()
}

fn value(c: &Chart, series: &str, category_label: &str) -> Option<f64> {
    values(c, series)
        .into_iter()
        .find(|(l, _)| l == category_label)
        .unwrap_or_else(|| panic!("no category {category_label}"))
        .1
}

/// A deal written as stored, for figures that need dates a real save
/// could not give (won last month, expected at a month's end).
#[allow(clippy::too_many_arguments)]
fn raw_deal(
    f: &Fixture,
    seed: &Seed,
    company: &str,
    stage: &str,
    amount: i64,
    currency: &str,
    expected_close: Option<&str>,
    closed_at: Option<&str>,
) -> String {
    let id = crate::id::new_id();
    let kind: String =
        f.db.sql()
            .query_one(
                "SELECT kind FROM stages WHERE id = ?1",
                sql::params![seed.stage(stage)],
                |r| r.get(0),
            )
            .unwrap();
    let (won, lost) = match kind.as_str() {
        "won" => (closed_at, None),
        "lost" => (None, closed_at),
        _ => (None, None),
    };
    f.db.sql()
        .execute(
            "INSERT INTO deals (id, pipeline_id, stage_id, company_id, title, amount, currency, owner_id,
                                expected_close, stage_entered_at, won_at, lost_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '2026-10-01T00:00:00Z', ?10, ?11,
                     '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z')",
            sql::params![
                id,
                seed.pipeline_id,
                seed.stage(stage),
                company,
                format!("deal {amount}"),
                amount,
                currency,
                f.db.user().id,
                expected_close,
                won,
                lost
            ],
        )
        .unwrap();
    id
}

#[test]
fn the_period_is_the_users_calendar_days() {
    let f = fixture();
    let q = Query::new(f.db.sql(), &f.clock, &filter("2026-11-01", "2026-11-30")).unwrap();
    // Tokyo is UTC+9: 1 November begins at 15:00 UTC on 31 October.
    assert_eq!(q.start, "2026-10-31T15:00:00Z");
    assert_eq!(q.end, "2026-11-30T15:00:00Z");
    assert_eq!(q.months(), ["2026-11"]);
    assert_eq!(q.weeks().first().unwrap().to_string(), "2026-10-26");
    assert_eq!(q.weeks().len(), 6);
    let bad = Query::new(f.db.sql(), &f.clock, &filter("2026-11-30", "2026-11-01"));
    crate::testutil::assert_invalid(bad.map(|_| ()), "to", "before_from");
}

#[test]
fn pipeline_by_stage_counts_sums_and_weighs_each_currency_apart() {
    let mut f = fixture();
    let seed = seed_pipeline(&mut f.db);
    let c = seed.company_id.clone();
    raw_deal(&f, &seed, &c, "提案", 1_000_000, "JPY", None, None);
    raw_deal(&f, &seed, &c, "提案", 500_001, "JPY", None, None);
    raw_deal(&f, &seed, &c, "見積", 300_000, "JPY", None, None);
    raw_deal(&f, &seed, &c, "提案", 12_345, "USD", None, None);
    // Left out: a deleted deal, a deal at an archived customer, a won one.
    let gone = raw_deal(&f, &seed, &c, "提案", 9_999_999, "JPY", None, None);
    f.db.sql()
        .execute(
            "UPDATE deals SET deleted_at = '2026-11-20T00:00:00Z' WHERE id = ?1",
            sql::params![gone],
        )
        .unwrap();
    let archived = company(&mut f.db, "休眠株式会社");
    f.db.sql()
        .execute(
            "UPDATE companies SET archived_at = '2026-11-20T00:00:00Z' WHERE id = ?1",
            sql::params![&archived],
        )
        .unwrap();
    raw_deal(&f, &seed, &archived, "提案", 7_777_777, "JPY", None, None);
    raw_deal(
        &f,
        &seed,
        &c,
        "受注",
        8_888_888,
        "JPY",
        None,
        Some("2026-11-20T00:00:00Z"),
    );

    let d = board(&f, &filter("2026-11-01", "2026-11-30"));
    let count = chart(&d, ChartId::PipelineCount, None);
    assert_eq!(
        values(count, "now"),
        [
            ("リード".to_string(), Some(0.0)),
            ("初回商談".into(), Some(0.0)),
            ("提案".into(), Some(3.0)),
            ("見積".into(), Some(1.0)),
            ("クロージング".into(), Some(0.0))
        ]
    );
    let yen = chart(&d, ChartId::PipelineAmount, Some("JPY"));
    assert_eq!(value(yen, "amount", "提案"), Some(1_500_001.0));
    // 40% of 1,500,001 = 600,000.4 → 600,000; 60% of 300,000.
    assert_eq!(value(yen, "weighted", "提案"), Some(600_000.0));
    assert_eq!(value(yen, "weighted", "見積"), Some(180_000.0));
    let usd = chart(&d, ChartId::PipelineAmount, Some("USD"));
    assert_eq!(value(usd, "amount", "提案"), Some(12_345.0));
    // 40% of 123.45 dollars = 49.38 dollars, in cents.
    assert_eq!(value(usd, "weighted", "提案"), Some(4_938.0));
    // Yen first, then the others.
    let order: Vec<_> = d
        .charts
        .iter()
        .filter(|c| c.id == ChartId::PipelineAmount)
        .map(|c| c.currency.clone().unwrap())
        .collect();
    assert_eq!(order, ["JPY", "USD"]);
}

#[test]
fn the_pipeline_a_week_ago_follows_moves_and_amount_edits_since() {
    let mut f = fixture();
    let seed = seed_pipeline(&mut f.db);
    // Ten days ago: a deal in リード at 100,000.
    f.clock.advance(chrono::Duration::days(-10));
    let moved = seed.deal(&mut f.db, "移る案件", seed.stage("リード"), 100_000, "JPY");
    let stays = seed.deal(&mut f.db, "残る案件", seed.stage("見積"), 50_000, "JPY");
    // Three days ago: moved to 提案 and raised to 250,000.
    f.clock.advance(chrono::Duration::days(7));
    seed.move_deal(&mut f.db, &moved, 1, seed.stage("提案"));
    let d = deal::get(f.db.sql(), &moved).unwrap();
    let edit = DealEdit {
        title: d.title.clone(),
        company_id: d.company_id.clone(),
        contact_id: None,
        amount: 250_000,
        currency: "JPY".into(),
        owner_id: d.owner_id.clone(),
        expected_close: None,
        notes: String::new(),
        ..Default::default()
    };
    f.db.write(|ctx| deal::update(ctx, &moved, d.version, &edit)).unwrap();
    // Yesterday: a new deal, which did not exist a week ago.
    f.clock.advance(chrono::Duration::days(2));
    seed.deal(&mut f.db, "新しい案件", seed.stage("リード"), 70_000, "JPY");
    f.clock.advance(chrono::Duration::days(1));

    let d = board(&f, &filter("2026-11-01", "2026-11-30"));
    let count = chart(&d, ChartId::PipelineCount, None);
    assert_eq!(value(count, "now", "リード"), Some(1.0));
    assert_eq!(value(count, "now", "提案"), Some(1.0));
    assert_eq!(value(count, "week_ago", "リード"), Some(1.0));
    assert_eq!(value(count, "week_ago", "提案"), Some(0.0));
    assert_eq!(value(count, "week_ago", "見積"), Some(1.0));
    let yen = chart(&d, ChartId::PipelineAmount, Some("JPY"));
    assert_eq!(value(yen, "week_ago", "リード"), Some(100_000.0));
    assert_eq!(value(yen, "amount", "提案"), Some(250_000.0));
    assert_eq!(value(yen, "week_ago", "見積"), Some(50_000.0));
    // The drill-down of a week ago's リード bar is the deal that left it.
    let list = drill(
        f.db.sql(),
        &f.clock,
        &filter("2026-11-01", "2026-11-30"),
        &DrillRequest {
            chart: ChartId::PipelineCount,
            currency: None,
            series: "week_ago".into(),
            category: seed.stage("リード"),
        },
    )
    .unwrap();
    assert_eq!(list.kind, DrillKind::Deals);
    assert_eq!(
        list.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [moved.as_str()]
    );
    assert_eq!(list.rows[0].amount, Some(250_000));
    let _ = stays;
}

#[test]
fn the_forecast_puts_deals_in_their_close_month_and_wins_in_the_users_month() {
    let mut f = fixture();
    let seed = seed_pipeline(&mut f.db);
    let c = seed.company_id.clone();
    // Month ends: the 30th of November is November, the 1st of December is December.
    raw_deal(&f, &seed, &c, "見積", 1_000_000, "JPY", Some("2026-11-30"), None);
    raw_deal(&f, &seed, &c, "提案", 555_555, "JPY", Some("2026-12-01"), None);
    raw_deal(&f, &seed, &c, "提案", 10_000, "EUR", Some("2026-12-31"), None);
    // Outside the period and without a date: not in the forecast.
    raw_deal(&f, &seed, &c, "提案", 1, "JPY", Some("2027-01-01"), None);
    raw_deal(&f, &seed, &c, "提案", 2, "JPY", None, None);
    // Won at 00:30 on 1 December in Tokyo (15:30 UTC on 30 November): December.
    raw_deal(
        &f,
        &seed,
        &c,
        "受注",
        400_000,
        "JPY",
        None,
        Some("2026-11-30T15:30:00Z"),
    );
    // Won at 23:59 on 30 November in Tokyo: November.
    raw_deal(&f, &seed, &c, "受注", 30_000, "JPY", None, Some("2026-11-30T14:59:00Z"));
    // Won before the period began (31 October 23:59 Tokyo).
    raw_deal(&f, &seed, &c, "受注", 999, "JPY", None, Some("2026-10-31T14:59:00Z"));

    let d = board(&f, &filter("2026-11-01", "2026-12-31"));
    let yen = chart(&d, ChartId::Forecast, Some("JPY"));
    assert_eq!(
        values(yen, "weighted"),
        [
            ("2026-11".to_string(), Some(600_000.0)),
            ("2026-12".into(), Some(222_222.0))
        ]
    );
    assert_eq!(
        values(yen, "best_case"),
        [
            ("2026-11".to_string(), Some(1_000_000.0)),
            ("2026-12".into(), Some(555_555.0))
        ]
    );
    assert_eq!(
        values(yen, "won"),
        [
            ("2026-11".to_string(), Some(30_000.0)),
            ("2026-12".into(), Some(400_000.0))
        ]
    );
    let eur = chart(&d, ChartId::Forecast, Some("EUR"));
    assert_eq!(value(eur, "weighted", "2026-12"), Some(4_000.0));
    assert_eq!(value(eur, "won", "2026-12"), Some(0.0));
}

#[test]
fn win_rate_and_days_to_win_count_every_stage_a_deal_entered() {
    let mut f = fixture();
    let seed = seed_pipeline(&mut f.db);
    // Created 20 days ago in リード; 10 days ago to 提案; today won.
    f.clock.advance(chrono::Duration::days(-20));
    let won = seed.deal(&mut f.db, "受注する", seed.stage("リード"), 100, "JPY");
    let lost = seed.deal(&mut f.db, "失注する", seed.stage("提案"), 100, "JPY");
    f.clock.advance(chrono::Duration::days(10));
    seed.move_deal(&mut f.db, &won, 1, seed.stage("提案"));
    f.clock.advance(chrono::Duration::days(10));
    seed.move_deal(&mut f.db, &won, 2, seed.stage("受注"));
    let m = crate::pipeline::moves::MoveDeal {
        deal_id: lost.clone(),
        version: 1,
        to_stage_id: seed.stage("失注"),
        lost: Some(crate::pipeline::moves::LostInfo {
            reason: "価格".into(),
            detail: String::new(),
            lost_to: "競合A社".into(),
            competitor_contract_end: None,
        }),
        ..Default::default()
    };
    f.db.write(|ctx| crate::pipeline::moves::move_to(ctx, &m)).unwrap();

    let d = board(&f, &filter("2026-11-01", "2026-11-30"));
    let rate = chart(&d, ChartId::WinRate, None);
    assert_eq!(value(rate, "win_rate", "リード"), Some(100.0));
    assert_eq!(value(rate, "win_rate", "提案"), Some(50.0));
    assert_eq!(value(rate, "win_rate", "見積"), None);
    let days = chart(&d, ChartId::CycleDays, None);
    assert_eq!(value(days, "days_to_win", "リード"), Some(20.0));
    assert_eq!(value(days, "days_to_win", "提案"), Some(10.0));
    let reasons = chart(&d, ChartId::LostReasons, None);
    assert_eq!(value(reasons, "lost", "価格"), Some(1.0));
    let rivals = chart(&d, ChartId::LostTo, None);
    assert_eq!(value(rivals, "lost", "競合A社"), Some(1.0));
    // Losing planned a re-approach (six months on).
    assert_eq!(value(rivals, "reapproach", "競合A社"), Some(1.0));
    // Decided before the period: nothing.
    let d = board(&f, &filter("2026-10-01", "2026-10-31"));
    assert_eq!(value(chart(&d, ChartId::WinRate, None), "win_rate", "提案"), None);
}

#[test]
fn follow_ups_are_on_time_late_or_overdue_by_the_users_day() {
    let f = fixture();
    let me = f.db.user().id.clone();
    let insert = |due: &str, status: &str, done: Option<&str>| {
        let id = crate::id::new_id();
        f.db.sql()
            .execute(
                "INSERT INTO follow_ups (id, title, due_at, assignee_id, status, done_at, created_at, updated_at)
                 VALUES (?1, 't', ?2, ?3, ?4, ?5, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
                sql::params![id, due, me, status, done],
            )
            .unwrap();
        id
    };
    // Due 09:00 on 10 Nov Tokyo, done 23:30 that day Tokyo: on time.
    insert("2026-11-10T00:00:00Z", "done", Some("2026-11-10T14:30:00Z"));
    // Done 00:30 on 11 Nov Tokyo: late.
    insert("2026-11-10T00:00:00Z", "done", Some("2026-11-10T15:30:00Z"));
    // Open and past due: overdue; open and not yet due: not counted.
    insert("2026-11-20T00:00:00Z", "open", None);
    insert("2026-11-28T00:00:00Z", "open", None);
    // Cancelled, and deleted: left out.
    insert("2026-11-12T00:00:00Z", "cancelled", None);
    let gone = insert("2026-11-12T00:00:00Z", "open", None);
    f.db.sql()
        .execute(
            "UPDATE follow_ups SET deleted_at = '2026-11-13T00:00:00Z' WHERE id = ?1",
            sql::params![gone],
        )
        .unwrap();
    let d = board(&f, &filter("2026-11-01", "2026-11-30"));
    let p = chart(&d, ChartId::Punctuality, None);
    let name = f.db.user().display_name.clone();
    assert_eq!(value(p, "on_time", &name), Some(1.0));
    assert_eq!(value(p, "late", &name), Some(1.0));
    assert_eq!(value(p, "overdue", &name), Some(1.0));
}

#[test]
fn touches_count_per_member_and_per_week_of_the_users_calendar() {
    let mut f = fixture();
    let c = company(&mut f.db, "顧客");
    use crate::timeline::activity::ActivityKind;
    // Monday 23 Nov 00:30 Tokyo is still Sunday 22 Nov in UTC: the week of the 23rd.
    crate::testutil::log(
        &mut f.db,
        &crate::testutil::entry(&c, ActivityKind::Call, "2026-11-22T15:30:00Z", "a"),
    );
    crate::testutil::log(
        &mut f.db,
        &crate::testutil::entry(&c, ActivityKind::Meeting, "2026-11-22T14:30:00Z", "b"),
    );
    crate::testutil::log(
        &mut f.db,
        &crate::testutil::entry(&c, ActivityKind::Note, "2026-11-23T01:00:00Z", "c"),
    );
    let d = board(&f, &filter("2026-11-16", "2026-11-29"));
    let weeks = chart(&d, ChartId::ActivityByWeek, None);
    assert_eq!(
        values(weeks, "call"),
        [("2026-11-16".to_string(), Some(0.0)), ("2026-11-23".into(), Some(1.0))]
    );
    assert_eq!(
        values(weeks, "meeting"),
        [("2026-11-16".to_string(), Some(1.0)), ("2026-11-23".into(), Some(0.0))]
    );
    let members = chart(&d, ChartId::ActivityByMember, None);
    let name = f.db.user().display_name.clone();
    assert_eq!(value(members, "call", &name), Some(1.0));
    assert_eq!(value(members, "email", &name), Some(0.0));
}

#[test]
fn renewals_are_rated_by_count_and_by_amount_in_each_currency() {
    let mut f = fixture();
    let c = company(&mut f.db, "顧客");
    let insert = |end: &str, status: &str, amount: i64, currency: &str, next: Option<i64>, reason: Option<&str>| {
        let id = crate::id::new_id();
        let next_id = next.map(|a| {
            let n = crate::id::new_id();
            f.db.sql()
                .execute(
                    "INSERT INTO contracts (id, company_id, plan, start_date, end_date, amount, currency, status,
                                            created_at, updated_at)
                     VALUES (?1, ?2, 'p', ?3, '2027-12-31', ?4, ?5, 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                    sql::params![n, c, end, a, currency],
                )
                .unwrap();
            n
        });
        f.db.sql()
            .execute(
                "INSERT INTO contracts (id, company_id, plan, start_date, end_date, amount, currency, status,
                                        churn_reason, next_contract_id, created_at, updated_at)
                 VALUES (?1, ?2, 'p', '2025-12-01', ?3, ?4, ?5, ?6, ?7, ?8, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                sql::params![id, c, end, amount, currency, status, reason, next_id],
            )
            .unwrap();
    };
    insert("2026-11-30", "renewed", 100_000, "JPY", Some(150_000), None);
    insert("2026-11-01", "renewed", 100_000, "JPY", Some(80_000), None);
    insert("2026-11-15", "churned", 200_000, "JPY", None, Some("予算"));
    insert("2026-11-15", "renewed", 1_000, "USD", Some(1_000), None);
    // December: outside the period.
    insert("2026-12-01", "churned", 5, "JPY", None, Some("予算"));
    let d = board(&f, &filter("2026-11-01", "2026-11-30"));
    let rate = chart(&d, ChartId::RenewalRate, None);
    assert_eq!(value(rate, "by_count", "2026-11"), Some(75.0));
    // 200,000 renewed of 400,000 decided yen; 1,000 of 1,000 cents.
    assert_eq!(value(rate, "by_amount:JPY", "2026-11"), Some(50.0));
    assert_eq!(value(rate, "by_amount:USD", "2026-11"), Some(100.0));
    let kinds = chart(&d, ChartId::RenewalKinds, None);
    assert_eq!(value(kinds, "upsell", "2026-11"), Some(1.0));
    assert_eq!(value(kinds, "downsell", "2026-11"), Some(1.0));
    assert_eq!(value(kinds, "same", "2026-11"), Some(1.0));
    let reasons = chart(&d, ChartId::ChurnReasons, None);
    assert_eq!(value(reasons, "churned", "予算"), Some(1.0));
    // The next contracts (ending 2027-12-31) are not due within 90 days.
    let due = chart(&d, ChartId::RenewalsDue, None);
    assert!(due.series[0].values.iter().all(|v| *v == Some(0.0)));
}

#[test]
fn owners_and_segment_narrow_every_chart() {
    let mut f = fixture();
    let seed = seed_pipeline(&mut f.db);
    let c = seed.company_id.clone();
    raw_deal(&f, &seed, &c, "提案", 100, "JPY", Some("2026-11-30"), None);
    let mut only = filter("2026-11-01", "2026-11-30");
    only.owner_ids = vec!["somebody-else".into()];
    let d = board(&f, &only);
    assert_eq!(value(chart(&d, ChartId::PipelineCount, None), "now", "提案"), Some(0.0));
    let yen = chart(&d, ChartId::Forecast, Some("JPY"));
    assert_eq!(value(yen, "best_case", "2026-11"), Some(0.0));
    only.owner_ids = vec![f.db.user().id.clone()];
    only.segment = Some(Segment::Key);
    let d = board(&f, &only);
    assert_eq!(value(chart(&d, ChartId::PipelineCount, None), "now", "提案"), Some(0.0));
    only.segment = Some(Segment::Normal);
    let d = board(&f, &only);
    assert_eq!(value(chart(&d, ChartId::PipelineCount, None), "now", "提案"), Some(1.0));
}

#[test]
fn a_customer_past_its_interval_is_counted_in_each_week_it_was() {
    let mut f = fixture();
    let seed = seed_pipeline(&mut f.db);
    let c = seed.company_id.clone();
    // A customer who bought (a won deal), normal segment: 90 days.
    raw_deal(&f, &seed, &c, "受注", 1, "JPY", None, Some("2026-01-01T00:00:00Z"));
    f.db.sql()
        .execute(
            "UPDATE companies SET created_at = '2026-01-01T00:00:00Z' WHERE id = ?1",
            sql::params![&c],
        )
        .unwrap();
    use crate::timeline::activity::ActivityKind;
    // Last touched 1 August 09:00 Tokyo; touched again 18 November.
    crate::testutil::log(
        &mut f.db,
        &crate::testutil::entry(&c, ActivityKind::Call, "2026-08-01T00:00:00Z", "a"),
    );
    crate::testutil::log(
        &mut f.db,
        &crate::testutil::entry(&c, ActivityKind::Call, "2026-11-18T00:00:00Z", "b"),
    );
    let d = board(&f, &filter("2026-10-26", "2026-11-22"));
    let k = chart(&d, ChartId::KeepInTouch, None);
    // Weeks end 2 Nov (93 days after 1 Aug: past), 9 Nov, 16 Nov (past),
    // 23 Nov (touched on the 18th: not past).
    assert_eq!(
        values(k, "past_interval")
            .into_iter()
            .map(|(_, v)| v.unwrap())
            .collect::<Vec<_>>(),
        [1.0, 1.0, 1.0, 0.0]
    );
}

#[test]
fn a_table_goes_out_as_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let t = table::ChartTable {
        title: "案件数".into(),
        header: vec!["ステージ".into(), "現在".into()],
        rows: vec![
            vec![table::TableCell::Text("=提案".into()), table::TableCell::Number(3.0)],
            vec![table::TableCell::Text("見積".into()), table::TableCell::Empty],
        ],
    };
    let csv = dir.path().join("chart.csv");
    let n = table::write(
        &t,
        table::TableFormat::Csv,
        crate::writers::csv::CsvEncoding::Utf8,
        &csv,
    )
    .unwrap();
    assert_eq!(n, 2);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.trim_start_matches('\u{feff}'),
        "\"ステージ\",\"現在\"\r\n\"'=提案\",3\r\n\"見積\",\r\n"
    );
    let xlsx = dir.path().join("chart.xlsx");
    table::write(&t, table::TableFormat::Xlsx, Default::default(), &xlsx).unwrap();
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let bad = table::ChartTable {
        rows: vec![vec![]],
        ..t
    };
    crate::testutil::assert_invalid(
        table::write(&bad, table::TableFormat::Csv, Default::default(), &csv),
        "table",
        "width",
    );
    crate::testutil::assert_invalid(
        table::write_png(b"GIF89a", &dir.path().join("x.png")),
        "image",
        "format",
    );
}

/// A support case written as stored: received, its two targets and when
/// each was met (`None`: not yet).
#[allow(clippy::too_many_arguments)]
fn raw_case(
    f: &Fixture,
    company: &str,
    number: i64,
    category: &str,
    received: &str,
    first_response: (&str, Option<&str>),
    resolution: (&str, Option<&str>),
    closed_at: Option<&str>,
) -> String {
    let id = crate::id::new_id();
    f.db.sql()
        .execute(
            "INSERT INTO support_cases (id, number, company_id, subject, category, status, received_at,
                                        first_response_due, first_response_warn_at, first_response_at,
                                        resolution_due, resolution_warn_at, resolved_at, closed_at,
                                        created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'in_progress', ?6, ?7, ?7, ?8, ?9, ?9, ?10, ?11, ?6, ?6)",
            sql::params![
                id,
                number,
                company,
                format!("件名{number}"),
                category,
                received,
                first_response.0,
                first_response.1,
                resolution.0,
                resolution.1,
                closed_at
            ],
        )
        .unwrap();
    id
}

#[test]
fn support_cases_count_in_their_received_week_and_each_target_is_met_late_overdue_or_pending() {
    let mut f = fixture();
    let c = company(&mut f.db, "サポート株式会社");
    // Now is 2026-11-25T01:00Z. Answered and resolved: met, then late.
    raw_case(
        &f,
        &c,
        1,
        "question",
        "2026-11-17T01:00:00Z",
        ("2026-11-17T03:00:00Z", Some("2026-11-17T02:00:00Z")),
        ("2026-11-18T01:00:00Z", Some("2026-11-19T00:00:00Z")),
        None,
    );
    // Not answered past its due time: overdue; resolution not yet due: pending.
    let waiting = raw_case(
        &f,
        &c,
        2,
        "complaint",
        "2026-11-24T00:00:00Z",
        ("2026-11-24T02:00:00Z", None),
        ("2026-11-27T00:00:00Z", None),
        None,
    );
    // 01:00 on 16 November in Tokyo (15 November in UTC): the week of the
    // 16th. Answered late; closed without "resolved", by its due time: met.
    raw_case(
        &f,
        &c,
        3,
        "trouble",
        "2026-11-15T16:00:00Z",
        ("2026-11-15T16:30:00Z", Some("2026-11-15T17:00:00Z")),
        ("2026-11-16T05:00:00Z", None),
        Some("2026-11-16T00:00:00Z"),
    );
    // 23:00 on 15 November in Tokyo: before the period. And a deleted case.
    raw_case(
        &f,
        &c,
        4,
        "request",
        "2026-11-15T14:00:00Z",
        ("2026-11-15T16:00:00Z", None),
        ("2026-11-16T16:00:00Z", None),
        None,
    );
    let gone = raw_case(
        &f,
        &c,
        5,
        "request",
        "2026-11-20T00:00:00Z",
        ("2026-11-20T02:00:00Z", None),
        ("2026-11-21T02:00:00Z", None),
        None,
    );
    f.db.sql()
        .execute(
            "UPDATE support_cases SET deleted_at = '2026-11-21T00:00:00Z' WHERE id = ?1",
            sql::params![gone],
        )
        .unwrap();

    let period = filter("2026-11-16", "2026-11-29");
    let d = board(&f, &period);
    let received = chart(&d, ChartId::SupportReceived, None);
    assert!(received.stacked);
    assert_eq!(received.drill, DrillKind::Cases);
    assert_eq!(
        values(received, "question"),
        [("2026-11-16".into(), Some(1.0)), ("2026-11-23".into(), Some(0.0))]
    );
    assert_eq!(value(received, "trouble", "2026-11-16"), Some(1.0));
    assert_eq!(value(received, "complaint", "2026-11-23"), Some(1.0));
    assert_eq!(
        values(received, "request").iter().map(|v| v.1).collect::<Vec<_>>(),
        [Some(0.0), Some(0.0)]
    );

    let levels = chart(&d, ChartId::SupportServiceLevels, None);
    assert_eq!(
        SERVICE_LEVELS.map(|l| value(levels, l, "first_response")),
        [Some(1.0), Some(1.0), Some(1.0), Some(0.0)]
    );
    assert_eq!(
        SERVICE_LEVELS.map(|l| value(levels, l, "resolution")),
        [Some(1.0), Some(1.0), Some(0.0), Some(1.0)]
    );

    let list = drill(
        f.db.sql(),
        &f.clock,
        &period,
        &DrillRequest {
            chart: ChartId::SupportServiceLevels,
            currency: None,
            series: "overdue".into(),
            category: "first_response".into(),
        },
    )
    .unwrap();
    assert_eq!(list.kind, DrillKind::Cases);
    assert_eq!(list.rows.len(), 1);
    assert_eq!(list.rows[0].id, waiting);
    assert_eq!(list.rows[0].title, "#2 件名2");
    assert_eq!(list.rows[0].company, "サポート株式会社");
}

/// A lead written as stored.
#[allow(clippy::too_many_arguments)]
fn raw_lead(
    f: &Fixture,
    number: i64,
    source: &str,
    status: &str,
    owner: Option<&str>,
    received: &str,
    due: &str,
    answered: Option<&str>,
) -> String {
    let id = crate::id::new_id();
    f.db.sql()
        .execute(
            "INSERT INTO leads (id, number, source, status, owner_id, person_name, company_name, received_at,
                                first_response_due, first_response_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, '問合せ商事', ?7, ?8, ?9, ?7, ?7)",
            sql::params![
                id,
                number,
                source,
                status,
                owner,
                format!("山田{number}"),
                received,
                due,
                answered
            ],
        )
        .unwrap();
    id
}

#[test]
fn leads_count_by_source_and_outcome_and_their_first_answer_against_its_target() {
    let f = fixture();
    let me = f.db.user().id.clone();
    let me = Some(me.as_str());
    raw_lead(
        &f,
        1,
        "web_form",
        "qualified",
        me,
        "2026-11-17T00:00:00Z",
        "2026-11-17T02:00:00Z",
        Some("2026-11-17T01:00:00Z"),
    );
    // A team's own source; nobody owns it yet; past its target unanswered.
    let unowned = raw_lead(
        &f,
        2,
        "セミナー",
        "new",
        None,
        "2026-11-24T00:00:00Z",
        "2026-11-24T03:00:00Z",
        None,
    );
    // Disqualified without an answer: a source figure, no response figure.
    raw_lead(
        &f,
        3,
        "web_form",
        "disqualified",
        me,
        "2026-11-18T00:00:00Z",
        "2026-11-18T02:00:00Z",
        None,
    );
    // Received at 08:00 on the 25th in Tokyo, due later today: pending.
    raw_lead(
        &f,
        4,
        "phone",
        "new",
        me,
        "2026-11-24T23:00:00Z",
        "2026-11-25T05:00:00Z",
        None,
    );
    let gone = raw_lead(
        &f,
        5,
        "phone",
        "new",
        me,
        "2026-11-24T23:30:00Z",
        "2026-11-25T05:00:00Z",
        None,
    );
    f.db.sql()
        .execute(
            "UPDATE leads SET deleted_at = '2026-11-25T00:00:00Z' WHERE id = ?1",
            sql::params![gone],
        )
        .unwrap();

    let period = filter("2026-11-16", "2026-11-29");
    let d = board(&f, &period);
    let by_source = chart(&d, ChartId::LeadsBySource, None);
    let labels: Vec<_> = by_source
        .categories
        .iter()
        .map(|c| (c.label.as_str(), c.kind))
        .collect();
    assert_eq!(
        labels,
        [
            ("source_web_form", LabelKind::Code),
            ("セミナー", LabelKind::Text),
            ("source_phone", LabelKind::Code)
        ]
    );
    assert_eq!(value(by_source, "qualified", "source_web_form"), Some(1.0));
    assert_eq!(value(by_source, "disqualified", "source_web_form"), Some(1.0));
    assert_eq!(value(by_source, "new", "セミナー"), Some(1.0));
    assert_eq!(value(by_source, "new", "source_phone"), Some(1.0));
    assert_eq!(value(by_source, "nurture", "source_phone"), Some(0.0));

    let response = chart(&d, ChartId::LeadResponse, None);
    assert_eq!(value(response, "met", "2026-11-16"), Some(1.0));
    assert_eq!(value(response, "overdue", "2026-11-16"), Some(0.0));
    assert_eq!(value(response, "overdue", "2026-11-23"), Some(1.0));
    assert_eq!(value(response, "pending", "2026-11-23"), Some(1.0));

    let list = drill(
        f.db.sql(),
        &f.clock,
        &period,
        &DrillRequest {
            chart: ChartId::LeadResponse,
            currency: None,
            series: "overdue".into(),
            category: "2026-11-23".into(),
        },
    )
    .unwrap();
    assert_eq!(list.kind, DrillKind::Leads);
    assert_eq!(
        list.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [unowned.as_str()]
    );
    assert_eq!(
        (list.rows[0].title.as_str(), list.rows[0].company_id.as_str()),
        ("山田2", "")
    );

    // Narrowed to my leads: the unowned one is gone from both charts.
    let mine = ReportFilter {
        owner_ids: vec![f.db.user().id.clone()],
        ..period
    };
    let d = board(&f, &mine);
    assert!(!chart(&d, ChartId::LeadsBySource, None)
        .categories
        .iter()
        .any(|c| c.label == "セミナー"));
    assert_eq!(
        value(chart(&d, ChartId::LeadResponse, None), "overdue", "2026-11-23"),
        Some(0.0)
    );
}
