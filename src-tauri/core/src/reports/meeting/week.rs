//! The meeting's week: Monday to Sunday on the user's calendar, the way a
//! Japanese sales team plans (the 営業会議 usually opens the week on Monday).

use crate::clock::to_db;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};

/// Monday of the week that holds `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// A week as the instants that bound it, in the stored text form, so a
/// query compares them with stored times as text: `[from, until)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    pub from: String,
    pub until: String,
}

/// Midnight at the start of `monday` and of the Monday after, in the
/// user's offset: a move at Sunday 23:30 in Tokyo is still that week.
pub fn bounds(monday: NaiveDate, offset: FixedOffset) -> Bounds {
    let start = |d: NaiveDate| -> String {
        let local = d.and_hms_opt(0, 0, 0).expect("midnight exists");
        let at: DateTime<Utc> = (local - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc();
        to_db(at)
    };
    Bounds {
        from: start(monday),
        until: start(monday + Duration::days(7)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_week_starts_on_monday() {
        // 2026-11-23 is a Monday.
        for d in ["2026-11-23", "2026-11-25", "2026-11-29"] {
            assert_eq!(monday_of(day(d)), day("2026-11-23"), "{d}");
        }
        assert_eq!(monday_of(day("2026-11-30")), day("2026-11-30"));
        // Across a year end.
        assert_eq!(monday_of(day("2027-01-02")), day("2026-12-28"));
    }

    #[test]
    fn bounds_are_midnight_in_the_users_offset() {
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(
            bounds(day("2026-11-23"), tokyo),
            Bounds {
                from: "2026-11-22T15:00:00Z".into(),
                until: "2026-11-29T15:00:00Z".into()
            }
        );
        let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(bounds(day("2026-11-23"), new_york).from, "2026-11-23T05:00:00Z");
    }
}
