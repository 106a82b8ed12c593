//! Follow-up cadence without being pushy (docs/sales-methods.md, "Follow-up cadence and the pushiness guard").
//!
//! After a touch Kizuna proposes the next follow-up on a widening schedule
//! (1 / 3 / 7 / 14 / 30 days by default): each unanswered outbound touch
//! moves one step out, and a reply or a buying signal starts over. The
//! pushiness guard counts the whole team's unanswered outbound touches to a
//! customer in a recent window and warns before one more.

use crate::clock::{from_db, to_db, Clock};
use crate::customers::health;
use crate::engine_text::EngineText;
use crate::error::Result;
use crate::store::sql::{self, Sql};
use crate::team::settings::TeamSettings;
use crate::timeline::activity::ActivityKind;
use chrono::{Duration, NaiveTime, Utc};
use serde::Serialize;
use ts_rs::TS;

/// The proposed next follow-up for a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CadenceProposal {
    /// Outbound touches since the customer last replied or showed a signal.
    pub unanswered: u32,
    pub days: u32,
    /// 10:00 on the proposed day, in the user's zone.
    pub due_at: String,
    /// The customer replied (or showed a signal) last: the cadence restarted.
    pub restarted: bool,
}

/// One of the touches behind a pushiness warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TouchRef {
    pub id: String,
    pub kind: ActivityKind,
    pub occurred_at: String,
    pub summary: String,
    /// A summary the engine wrote (a thank-you mail without subject), to
    /// show in the reader's language.
    pub engine_text: Option<EngineText>,
    pub author_name: Option<String>,
}

/// Think before one more touch: the team already reached out this often
/// without an answer, or the customer has a complaint nobody resolved yet
/// (a sales call then lands on an angry customer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PushyWarning {
    pub max_touches: u32,
    pub window_days: u32,
    /// Newest first.
    pub touches: Vec<TouchRef>,
    /// The unanswered touches reached the cap.
    pub over_cap: bool,
    /// Complaints still open with support.
    pub open_complaints: u32,
}

/// A company's touches, newest first, as (outbound-without-reply?, row).
/// A reply is an inbound touch or any entry carrying a buying signal.
const TOUCHES: &str = "SELECT a.id, a.kind, a.occurred_at, a.summary, u.display_name,
        (a.direction = 'inbound' OR a.signals <> '[]') AS reply,
        (a.direction = 'outbound') AS outbound, a.text_kind, a.text_params
   FROM activities a LEFT JOIN users u ON u.id = a.author_id
  WHERE a.company_id = ?1 AND a.deleted_at IS NULL AND a.occurred_at >= ?2
    AND a.kind IN ('meeting','call','email','sns','quote','support')
  ORDER BY a.occurred_at DESC, a.id DESC";

struct Touch {
    r: TouchRef,
    reply: bool,
    outbound: bool,
}

fn touches_since<'c>(conn: impl Into<Sql<'c>>, company_id: &str, since: &str) -> Result<Vec<Touch>> {
    let conn = conn.into();
    let rows = conn.query(TOUCHES, sql::params![company_id, since], |r| {
        Ok(Touch {
            r: TouchRef {
                id: r.get(0)?,
                kind: crate::error::known(
                    "activities",
                    &r.get::<String>(0)?,
                    &r.get::<String>(1)?,
                    ActivityKind::parse,
                )?,
                occurred_at: r.get(2)?,
                summary: r.get(3)?,
                engine_text: EngineText::from_cells(r.get(7)?, r.get(8)?),
                author_name: r.get(4)?,
            },
            reply: r.get::<Option<bool>>(5)?.unwrap_or(false),
            outbound: r.get::<Option<bool>>(6)?.unwrap_or(false),
        })
    })?;
    Ok(rows)
}

/// Unanswered outbound touches, newest first: those after the latest reply.
fn unanswered(touches: Vec<Touch>) -> Vec<TouchRef> {
    touches
        .into_iter()
        .take_while(|t| !t.reply)
        .filter(|t| t.outbound)
        .map(|t| t.r)
        .collect()
}

/// How far the cadence looks back for touches.
const CADENCE_HORIZON_DAYS: i64 = 365;

/// The next follow-up the cadence proposes for a customer, counted from their
/// latest touch (or from now when there is none).
pub fn propose<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    team: &TeamSettings,
    company_id: &str,
) -> Result<CadenceProposal> {
    let conn = conn.into();
    let now = clock.now();
    let since = to_db(now - Duration::days(CADENCE_HORIZON_DAYS));
    let touches = touches_since(conn, company_id, &since)?;
    let last = touches.first().and_then(|t| from_db(&t.r.occurred_at));
    let restarted = touches.first().is_some_and(|t| t.reply);
    let n = unanswered(touches).len() as u32;
    let schedule: &[u32] = if team.cadence_days.is_empty() {
        &[1, 3, 7, 14, 30]
    } else {
        &team.cadence_days
    };
    let step = (n.max(1) - 1) as usize;
    let days = schedule[step.min(schedule.len() - 1)];
    // From the latest touch, but never into the past for a late log.
    let base = last.map_or(now, |t| t.max(now - Duration::days(i64::from(days))));
    let day = base.with_timezone(&clock.offset()).date_naive() + Duration::days(i64::from(days));
    let due = day
        .and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("valid time"))
        .and_local_timezone(clock.offset())
        .single()
        .map_or(now + Duration::days(i64::from(days)), |t| t.with_timezone(&Utc));
    Ok(CadenceProposal {
        unanswered: n,
        days,
        due_at: to_db(due.max(now)),
        restarted,
    })
}

/// A warning when the team made `pushy_max_touches` or more outbound touches
/// to the customer within `pushy_window_days` and heard nothing back, or
/// when the customer has an open complaint.
pub fn pushiness<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    team: &TeamSettings,
    company_id: &str,
) -> Result<Option<PushyWarning>> {
    let conn = conn.into();
    let since = to_db(clock.now() - Duration::days(i64::from(team.pushy_window_days)));
    let touches = unanswered(touches_since(conn, company_id, &since)?);
    let over_cap = team.pushy_max_touches > 0 && touches.len() as u32 >= team.pushy_max_touches;
    let open_complaints = health::of(conn, clock, company_id)?.facts.open_complaints;
    Ok((over_cap || open_complaints > 0).then_some(PushyWarning {
        max_touches: team.pushy_max_touches,
        window_days: team.pushy_window_days,
        touches,
        over_cap,
        open_complaints,
    }))
}

/// What the app says when someone logs or plans a touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CadenceAdvice {
    pub proposal: CadenceProposal,
    pub warning: Option<PushyWarning>,
}

pub fn advise<'c>(
    conn: impl Into<Sql<'c>>,
    clock: &dyn Clock,
    team: &TeamSettings,
    company_id: &str,
) -> Result<CadenceAdvice> {
    let conn = conn.into();
    Ok(CadenceAdvice {
        proposal: propose(conn, clock, team, company_id)?,
        warning: pushiness(conn, clock, team, company_id)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{colleague, entry, fixture, log, seed_pipeline};
    use crate::timeline::activity::Direction;

    #[test]
    fn each_unanswered_touch_widens_the_interval_and_a_reply_starts_over() {
        let mut f = fixture(); // 2026-11-25 10:00 JST
        let s = seed_pipeline(&mut f.db);
        let team = TeamSettings::default();
        let c = &s.company_id;
        let p = propose(f.db.sql(), &f.clock, &team, c).unwrap();
        assert_eq!((p.unanswered, p.days), (0, 1));

        let mut expected = vec![];
        for (i, at) in ["2026-11-20T01:00:00Z", "2026-11-22T01:00:00Z", "2026-11-24T01:00:00Z"]
            .iter()
            .enumerate()
        {
            log(&mut f.db, &entry(c, ActivityKind::Call, at, &format!("電話{i}")));
            let p = propose(f.db.sql(), &f.clock, &team, c).unwrap();
            expected.push((p.unanswered, p.days));
        }
        assert_eq!(expected, [(1, 1), (2, 3), (3, 7)]);
        // 7 days after the 24th, at 10:00 JST.
        assert_eq!(
            propose(f.db.sql(), &f.clock, &team, c).unwrap().due_at,
            "2026-12-01T01:00:00Z"
        );

        // The customer writes back: start over at the first interval.
        let mut reply = entry(c, ActivityKind::Email, "2026-11-25T00:30:00Z", "返信あり");
        reply.direction = Some(Direction::Inbound);
        log(&mut f.db, &reply);
        let p = propose(f.db.sql(), &f.clock, &team, c).unwrap();
        assert_eq!((p.unanswered, p.days, p.restarted), (0, 1, true));

        // A buying signal on our own touch counts as an answer too.
        log(&mut f.db, &entry(c, ActivityKind::Call, "2026-11-25T00:40:00Z", "電話"));
        let mut signal = entry(c, ActivityKind::Meeting, "2026-11-25T00:50:00Z", "二回目の訪問に合意");
        signal.signals = vec!["second_visit".into()];
        log(&mut f.db, &signal);
        assert_eq!(propose(f.db.sql(), &f.clock, &team, c).unwrap().unanswered, 0);

        // The last step repeats; an edited schedule is followed.
        let short = TeamSettings {
            cadence_days: vec![2, 5],
            ..TeamSettings::default()
        };
        for at in ["2026-11-25T00:55:00Z", "2026-11-25T00:56:00Z", "2026-11-25T00:57:00Z"] {
            log(&mut f.db, &entry(c, ActivityKind::Email, at, "メール"));
        }
        let p = propose(f.db.sql(), &f.clock, &short, c).unwrap();
        assert_eq!((p.unanswered, p.days), (3, 5));
    }

    #[test]
    fn the_guard_warns_after_three_unanswered_touches_in_a_week_by_anyone() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let team = TeamSettings::default();
        let c = &s.company_id;
        // Older than the window: does not count.
        log(
            &mut f.db,
            &entry(c, ActivityKind::Call, "2026-11-10T01:00:00Z", "古い電話"),
        );
        log(&mut f.db, &entry(c, ActivityKind::Call, "2026-11-20T01:00:00Z", "電話"));
        let mut sato = colleague(&f, "sato", "佐藤");
        let mail = entry(c, ActivityKind::Email, "2026-11-22T01:00:00Z", "資料送付");
        sato.write(|ctx| crate::timeline::activity::log(ctx, &mail)).unwrap();
        // Bookkeeping and inbound-less notes are not outbound touches.
        log(&mut f.db, &entry(c, ActivityKind::Note, "2026-11-23T01:00:00Z", "メモ"));
        assert_eq!(pushiness(f.db.sql(), &f.clock, &team, c).unwrap(), None);

        log(&mut f.db, &entry(c, ActivityKind::Sns, "2026-11-24T01:00:00Z", "DM"));
        let w = pushiness(f.db.sql(), &f.clock, &team, c).unwrap().expect("warned");
        assert_eq!(
            w.touches.iter().map(|t| t.summary.as_str()).collect::<Vec<_>>(),
            ["DM", "資料送付", "電話"]
        );
        assert_eq!(w.touches[1].author_name.as_deref(), Some("佐藤"));
        assert_eq!(
            (w.max_touches, w.window_days, w.over_cap, w.open_complaints),
            (3, 7, true, 0)
        );

        // A reply clears it.
        let mut reply = entry(c, ActivityKind::Call, "2026-11-24T05:00:00Z", "折り返し");
        reply.direction = Some(Direction::Inbound);
        log(&mut f.db, &reply);
        assert_eq!(pushiness(f.db.sql(), &f.clock, &team, c).unwrap(), None);
    }

    #[test]
    fn an_open_complaint_warns_before_any_touch_until_support_resolves_it() {
        use crate::testutil::{insert_case, Case};
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let team = TeamSettings::default();
        let c = &s.company_id;
        let open = insert_case(
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
        let w = pushiness(f.db.sql(), &f.clock, &team, c).unwrap().expect("warned");
        assert_eq!((w.over_cap, w.open_complaints, w.touches.len()), (false, 1, 0));
        // A resolved complaint no longer stops a call (health still remembers it).
        f.db.sql()
            .execute(
                "UPDATE support_cases SET status = 'resolved', resolved_at = '2026-11-25T00:00:00Z' WHERE id = ?1",
                sql::params![&open],
            )
            .unwrap();
        assert_eq!(pushiness(f.db.sql(), &f.clock, &team, c).unwrap(), None);
    }
}
