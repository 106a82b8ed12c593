//! The team's business hours, and time counted in them.
//!
//! Service levels ("first answer within 4 hours") and hand-off reminders
//! ("acknowledge within one working day") promise *business* time: a case
//! opened on Friday at 17:30 with a 4-hour target is due on Monday at 12:30
//! when the office works 9:00–18:00, Monday to Friday, not on Friday night.
//! All of it happens in the office's zone (the clock's offset), one window a
//! day; shifts across midnight are not a small office's hours, but a desk
//! open around the clock is: it closes at "24:00", the end of the day.

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct BusinessHours {
    /// Working days, 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    /// "HH:MM" local time the office opens and closes; `end` may be "24:00".
    pub start: String,
    pub end: String,
    /// Days the office is closed although they are working days (祝日, 年末年始),
    /// as "YYYY-MM-DD".
    #[ts(type = "string[]")]
    pub holidays: Vec<NaiveDate>,
}

impl Default for BusinessHours {
    fn default() -> Self {
        BusinessHours {
            days: vec![1, 2, 3, 4, 5],
            start: "09:00".into(),
            end: "18:00".into(),
            holidays: Vec::new(),
        }
    }
}

/// A calendar of at least one working day a week ends within this many
/// days; the walk stops there even when every day is a holiday.
const HORIZON_DAYS: i64 = 3 * 366;

/// The most holidays a team lists: a few years of public holidays.
const HOLIDAYS_MAX: usize = 200;

pub fn parse_hm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

/// When a day's window closes, as a span from that day's midnight: "24:00"
/// is the whole day (chrono has no time of day 24:00).
fn parse_end(s: &str) -> Option<Duration> {
    if s.trim() == "24:00" {
        return Some(Duration::days(1));
    }
    parse_hm(s).map(|t| t - NaiveTime::MIN)
}

impl BusinessHours {
    pub fn validated(&self) -> Result<BusinessHours> {
        let mut h = self.clone();
        h.days.sort_unstable();
        h.days.dedup();
        if h.days.is_empty() {
            return Err(Error::invalid("business_days", "required"));
        }
        if h.days.iter().any(|d| !(1..=7).contains(d)) {
            return Err(Error::invalid("business_days", "format"));
        }
        let start = parse_hm(&h.start).ok_or(Error::invalid("business_start", "format"))?;
        let end = parse_end(&h.end).ok_or(Error::invalid("business_end", "format"))?;
        if end <= start - NaiveTime::MIN {
            return Err(Error::invalid("business_end", "before_start"));
        }
        h.start = start.format("%H:%M").to_string();
        h.end = format!("{:02}:{:02}", end.num_hours(), end.num_minutes() % 60);
        h.holidays.sort_unstable();
        h.holidays.dedup();
        if h.holidays.len() > HOLIDAYS_MAX {
            return Err(Error::invalid("holidays", "too_many"));
        }
        Ok(h)
    }

    /// Today's window in local time, or `None` on a day off. A stored value
    /// that no longer parses reads as the defaults' hours, so a damaged
    /// setting never stops the clock.
    fn window(&self, day: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let working = self.days.contains(&(day.weekday().number_from_monday() as u8));
        if !working || self.holidays.binary_search(&day).is_ok() {
            return None;
        }
        let start = parse_hm(&self.start).unwrap_or(NaiveTime::from_hms_opt(9, 0, 0)?);
        let end = parse_end(&self.end).unwrap_or(Duration::hours(18));
        let (open, close) = (day.and_time(start), day.and_time(NaiveTime::MIN) + end);
        (close > open).then_some((open, close))
    }

    /// Whether the office is open at `t`.
    pub fn is_open(&self, t: DateTime<Utc>, offset: FixedOffset) -> bool {
        let local = t.with_timezone(&offset).naive_local();
        self.window(local.date())
            .is_some_and(|(open, close)| local >= open && local < close)
    }

    /// The instant `minutes` of business time after `from`. Zero minutes from
    /// a closed office is the next opening: work that arrives at night is
    /// first looked at in the morning.
    pub fn add(&self, from: DateTime<Utc>, minutes: i64, offset: FixedOffset) -> DateTime<Utc> {
        let local = from.with_timezone(&offset).naive_local();
        let mut left = Duration::minutes(minutes.max(0));
        let mut day = local.date();
        for _ in 0..HORIZON_DAYS {
            if let Some((open, close)) = self.window(day) {
                let cursor = local.max(open);
                if cursor < close {
                    let available = close - cursor;
                    if left < available || (left == available && left > Duration::zero()) {
                        return to_utc(cursor + left, offset);
                    }
                    left -= available;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        // No working day within years (every day a holiday): the calendar
        // cannot say, so the plain duration is the honest answer.
        from + Duration::minutes(minutes.max(0))
    }

    /// The instant `days` working days after `from`, at the same time of
    /// day, moved to the next opening when the office is closed then: a
    /// sequence's "wait 2 business days" from Friday afternoon is Tuesday
    /// afternoon, and a wait over a holiday skips it.
    pub fn add_days(&self, from: DateTime<Utc>, days: u32, offset: FixedOffset) -> DateTime<Utc> {
        let local = from.with_timezone(&offset).naive_local();
        let mut day = local.date();
        let mut left = days;
        let mut steps = 0;
        while left > 0 && steps < HORIZON_DAYS {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            steps += 1;
            if self.window(day).is_some() {
                left -= 1;
            }
        }
        if left > 0 {
            return from + Duration::days(i64::from(days));
        }
        self.add(to_utc(day.and_time(local.time()), offset), 0, offset)
    }

    /// Business minutes from `a` to `b` (0 when `b` is not after `a`): how
    /// much of a target has been used.
    pub fn minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>, offset: FixedOffset) -> i64 {
        if b <= a {
            return 0;
        }
        let from = a.with_timezone(&offset).naive_local();
        let to = b.with_timezone(&offset).naive_local();
        let mut total = Duration::zero();
        let mut day = from.date();
        let mut steps = 0;
        while day <= to.date() && steps < HORIZON_DAYS {
            if let Some((open, close)) = self.window(day) {
                let (open, close) = (open.max(from), close.min(to));
                if close > open {
                    total += close - open;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
            steps += 1;
        }
        total.num_minutes()
    }
}

fn to_utc(local: chrono::NaiveDateTime, offset: FixedOffset) -> DateTime<Utc> {
    // A fixed offset has no gaps or folds: the mapping is always single.
    offset
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&(local - Duration::seconds(offset.local_minus_utc() as i64))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> FixedOffset {
        FixedOffset::east_opt(9 * 3600).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn jst(t: DateTime<Utc>) -> String {
        t.with_timezone(&tokyo()).format("%Y-%m-%d %a %H:%M").to_string()
    }

    #[test]
    fn a_target_counts_only_open_hours_across_nights_and_weekends() {
        let h = BusinessHours::default();
        // 2026-11-27 is a Friday.
        let fri_1730 = at("2026-11-27T17:30:00+09:00");
        assert_eq!(jst(h.add(fri_1730, 4 * 60, tokyo())), "2026-11-30 Mon 12:30");
        // Within the day.
        assert_eq!(
            jst(h.add(at("2026-11-25T10:00:00+09:00"), 60, tokyo())),
            "2026-11-25 Wed 11:00"
        );
        // Ending exactly at closing time stays that day.
        assert_eq!(
            jst(h.add(at("2026-11-25T17:00:00+09:00"), 60, tokyo())),
            "2026-11-25 Wed 18:00"
        );
        // Opened at night: the clock starts in the morning.
        assert_eq!(
            jst(h.add(at("2026-11-25T22:00:00+09:00"), 30, tokyo())),
            "2026-11-26 Thu 09:30"
        );
        // Opened on Saturday: Monday.
        assert_eq!(
            jst(h.add(at("2026-11-28T11:00:00+09:00"), 0, tokyo())),
            "2026-11-30 Mon 09:00"
        );
        // Two business days = 18 hours.
        assert_eq!(
            jst(h.add(at("2026-11-25T09:00:00+09:00"), 18 * 60, tokyo())),
            "2026-11-26 Thu 18:00"
        );
    }

    #[test]
    fn holidays_and_a_changed_week_move_the_target() {
        let mut h = BusinessHours {
            holidays: vec![NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()],
            ..BusinessHours::default()
        };
        assert_eq!(
            jst(h.add(at("2026-11-27T17:30:00+09:00"), 60, tokyo())),
            "2026-12-01 Tue 09:30"
        );
        // A shop open on Saturdays, 10:00–19:00.
        h.days = vec![2, 3, 4, 5, 6];
        h.start = "10:00".into();
        h.end = "19:00".into();
        assert_eq!(
            jst(h.add(at("2026-11-27T18:30:00+09:00"), 60, tokyo())),
            "2026-11-28 Sat 10:30"
        );
    }

    #[test]
    fn used_time_is_the_business_minutes_between() {
        let h = BusinessHours::default();
        let fri_1730 = at("2026-11-27T17:30:00+09:00");
        assert_eq!(
            h.minutes_between(fri_1730, at("2026-11-30T09:15:00+09:00"), tokyo()),
            45
        );
        assert_eq!(
            h.minutes_between(fri_1730, at("2026-11-28T12:00:00+09:00"), tokyo()),
            30
        );
        assert_eq!(h.minutes_between(fri_1730, fri_1730, tokyo()), 0);
        assert_eq!(h.minutes_between(fri_1730, at("2026-11-20T09:00:00+09:00"), tokyo()), 0);
        // add and minutes_between agree.
        let due = h.add(fri_1730, 300, tokyo());
        assert_eq!(h.minutes_between(fri_1730, due, tokyo()), 300);
        assert!(h.is_open(at("2026-11-30T09:00:00+09:00"), tokyo()));
        assert!(!h.is_open(at("2026-11-30T18:00:00+09:00"), tokyo()));
        assert!(!h.is_open(at("2026-11-29T12:00:00+09:00"), tokyo()));
    }

    #[test]
    fn business_days_skip_weekends_and_holidays_and_keep_the_time() {
        let h = BusinessHours {
            holidays: vec![NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()],
            ..BusinessHours::default()
        };
        // Friday 15:00 + 2 business days: Monday is a holiday, so Wednesday.
        assert_eq!(
            jst(h.add_days(at("2026-11-27T15:00:00+09:00"), 2, tokyo())),
            "2026-12-02 Wed 15:00"
        );
        // Friday 20:00 is after closing: it counts from Tuesday's opening
        // (Monday is off), so one business day later is Wednesday 09:00.
        assert_eq!(
            jst(h.add_days(at("2026-11-27T20:00:00+09:00"), 1, tokyo())),
            "2026-12-02 Wed 09:00"
        );
        // Zero days on a Saturday: the next opening.
        assert_eq!(
            jst(h.add_days(at("2026-11-28T11:00:00+09:00"), 0, tokyo())),
            "2026-12-01 Tue 09:00"
        );
    }

    #[test]
    fn hours_are_checked() {
        let bad = |f: fn(&mut BusinessHours)| {
            let mut h = BusinessHours::default();
            f(&mut h);
            match h.validated() {
                Err(Error::Invalid { field, reason }) => (field, reason),
                other => panic!("accepted: {other:?}"),
            }
        };
        assert_eq!(bad(|h| h.days.clear()), ("business_days", "required"));
        assert_eq!(bad(|h| h.days = vec![0]), ("business_days", "format"));
        assert_eq!(bad(|h| h.start = "9時".into()), ("business_start", "format"));
        assert_eq!(bad(|h| h.end = "08:00".into()), ("business_end", "before_start"));
        let ok = BusinessHours {
            start: " 9:00".into(),
            days: vec![5, 1, 1],
            ..BusinessHours::default()
        };
        let v = ok.validated().unwrap();
        assert_eq!((v.start.as_str(), v.days), ("09:00", vec![1, 5]));
        assert_eq!(bad(|h| h.end = "24:30".into()), ("business_end", "format"));
    }

    #[test]
    fn a_desk_open_around_the_clock_closes_at_24_00() {
        let h = BusinessHours {
            days: vec![1, 2, 3, 4, 5, 6, 7],
            start: "00:00".into(),
            end: "24:00".into(),
            holidays: vec![],
        }
        .validated()
        .unwrap();
        assert_eq!(h.end, "24:00");
        // Saturday 23:30 with a 4-hour target: due Sunday 03:30, time running through midnight.
        let sat = at("2026-11-28T23:30:00+09:00");
        assert!(h.is_open(sat, tokyo()));
        assert!(h.is_open(at("2026-11-29T00:00:00+09:00"), tokyo()));
        assert_eq!(jst(h.add(sat, 4 * 60, tokyo())), "2026-11-29 Sun 03:30");
        assert_eq!(h.minutes_between(sat, at("2026-11-29T03:30:00+09:00"), tokyo()), 240);
        // Late opening to midnight: 18:00–24:00 leaves the night after 24:00 closed.
        let evening = BusinessHours {
            start: "18:00".into(),
            end: "24:00".into(),
            ..BusinessHours::default()
        };
        assert_eq!(
            jst(evening.add(at("2026-11-27T23:00:00+09:00"), 120, tokyo())),
            "2026-11-30 Mon 19:00"
        );
    }
}
