//! Time comes from a [`Clock`] so that due dates, going-cold and sample data can
//! be tested against a fixed moment instead of the wall clock.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, Offset, SecondsFormat, Utc};
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// The user's UTC offset; "today" and "overdue" are judged in it.
    fn offset(&self) -> FixedOffset;

    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.offset()).date_naive()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn offset(&self) -> FixedOffset {
        Local::now().offset().fix()
    }
}

/// A clock for tests: stands still until told to move.
#[derive(Debug, Clone)]
pub struct FixedClock {
    now: Arc<Mutex<DateTime<Utc>>>,
    offset: FixedOffset,
}

impl FixedClock {
    pub fn new(now: DateTime<Utc>, offset_hours: i32) -> Self {
        FixedClock {
            now: Arc::new(Mutex::new(now)),
            offset: FixedOffset::east_opt(offset_hours * 3600).expect("offset within a day"),
        }
    }
    pub fn at(rfc3339: &str) -> Self {
        let t = DateTime::parse_from_rfc3339(rfc3339).expect("valid RFC 3339 time");
        Self::new(t.with_timezone(&Utc), t.offset().local_minus_utc() / 3600)
    }
    pub fn advance(&self, d: chrono::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += d;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn offset(&self) -> FixedOffset {
        self.offset
    }
}

/// The one text form of an instant in the database: sortable as text.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}
