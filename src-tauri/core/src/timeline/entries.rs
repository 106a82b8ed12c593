//! Reading the customer timeline: everything about a company (or one deal),
//! newest first, in pages for infinite scroll.
//!
//! Paging is by keyset, never OFFSET: the next page starts strictly after the
//! last entry shown, `(occurred_at, id) < cursor`, which SQLite answers with
//! one seek into `activities_company_time` (or `activities_deal_time`) and
//! a walk of `limit` index entries. Page 1 and page 2,000 cost the same, for a
//! customer with 100 entries as for one with 100,000, however large the file.
//! A kind filter on a company walks `activities_company_kind_time` once per
//! kind and merges (at most 11 × limit rows), so a rare kind is as cheap.

use crate::engine_text::EngineText;
use crate::error::{Error, Result};
use crate::store::sql::{self, Row, Sql, Value};
use crate::timeline::activity::{ActivityKind, Direction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// Where a page ends: the last entry shown. Opaque to the UI, which hands it
/// back to ask for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimelineCursor {
    pub occurred_at: String,
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct TimelineQuery {
    /// The customer's timeline (everything, including their deals' entries).
    pub company_id: Option<String>,
    /// One deal's timeline; wins over `company_id` when both are given.
    pub deal_id: Option<String>,
    /// Only these kinds; empty = all.
    pub kinds: Vec<ActivityKind>,
    /// The next page after this entry; None = the newest page.
    pub before: Option<TimelineCursor>,
    /// Entries per page; 0 = 50, at most 200.
    pub limit: u32,
}

/// One entry as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TimelineEntry {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub company_id: String,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    /// UTC RFC 3339.
    pub occurred_at: String,
    /// As typed, or the engine's words in the writer's language.
    pub summary: String,
    /// A summary the engine wrote, to be shown in the reader's language
    /// instead of `summary`.
    pub engine_text: Option<EngineText>,
    pub body: String,
    pub minutes: String,
    pub next_todos: String,
    pub next_appointment_at: Option<String>,
    pub signals: Vec<String>,
    /// The UI offers edit and delete when this is the current user.
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
    /// The contacts the touch was with, in the order picked.
    pub contacts: Vec<EntryContact>,
    /// The open or done appointment follow-up planned from this entry.
    pub follow_up_id: Option<String>,
    /// Removed by its author: shown to others as removed, with kind, author
    /// and time but no text.
    pub deleted: bool,
    /// Differs from the creation time once the author edited the entry.
    pub updated_at: String,
    /// A mail a follow-up sequence sent: the timeline offers "they replied"
    /// beside it (read from sequences' `sequence_sends` by SQL, as the
    /// reminders read the hand-off tables).
    pub sequence_mail: bool,
}

/// A contact named on a timeline entry.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EntryContact {
    pub id: String,
    pub name: String,
    /// Removed from the customer since; still named, the entry is history.
    pub removed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    /// Hand back as `before` for the next page; None at the oldest entry.
    pub next: Option<TimelineCursor>,
}

/// Collects positional parameters while the SQL is assembled, so that a
/// query whose shape depends on the request still binds every value.
#[derive(Default)]
pub(crate) struct Params(pub(crate) Vec<Value>);

impl Params {
    pub(crate) fn push(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("?{}", self.0.len())
    }
}

/// The keys (occurred_at t, id i) of one page, in timeline order (`limit` + 1 of them, to know
/// whether another page follows).
fn page_keys(q: &TimelineQuery, limit: u32, p: &mut Params) -> Result<String> {
    let (column, scope) = match (&q.deal_id, &q.company_id) {
        (Some(d), _) if !d.is_empty() => ("deal_id", d.clone()),
        (_, Some(c)) if !c.is_empty() => ("company_id", c.clone()),
        _ => return Err(Error::invalid("company_id", "required")),
    };
    let scope = p.push(scope);
    let fetch = p.push(i64::from(limit) + 1);
    let after = match &q.before {
        Some(c) => format!(
            " AND (occurred_at, id) < ({}, {})",
            p.push(c.occurred_at.clone()),
            p.push(c.id.clone())
        ),
        None => String::new(),
    };
    let mut kinds: Vec<ActivityKind> = Vec::new();
    for k in &q.kinds {
        if !kinds.contains(k) {
            kinds.push(*k);
        }
    }
    if kinds.len() == ActivityKind::ALL.len() {
        kinds.clear();
    }
    let order = "ORDER BY occurred_at DESC, id DESC";
    Ok(if kinds.is_empty() {
        format!(
            "SELECT occurred_at AS t, id AS i FROM activities WHERE {column} = {scope}{after} {order} LIMIT {fetch}"
        )
    } else if column == "deal_id" {
        // A deal's history is short: filter on the deal's own index.
        let list: Vec<String> = kinds.iter().map(|k| p.push(k.as_str().to_string())).collect();
        format!(
            "SELECT occurred_at AS t, id AS i FROM activities
             WHERE deal_id = {scope} AND kind IN ({}){after} {order} LIMIT {fetch}",
            list.join(", ")
        )
    } else {
        let arms: Vec<String> = kinds
            .iter()
            .enumerate()
            .map(|(n, k)| {
                // PostgreSQL wants each subquery named.
                format!(
                    "SELECT * FROM (SELECT occurred_at AS t, id AS i FROM activities
                     WHERE company_id = {scope} AND kind = {}{after} {order} LIMIT {fetch}) AS k{n}",
                    p.push(k.as_str().to_string())
                )
            })
            .collect();
        format!("{} ORDER BY t DESC, i DESC LIMIT {fetch}", arms.join(" UNION ALL "))
    })
}

/// One page of a company's or a deal's timeline, newest first
/// (`occurred_at` DESC, then id DESC for entries logged for the same minute).
pub fn timeline<'c>(conn: impl Into<Sql<'c>>, q: &TimelineQuery) -> Result<TimelinePage> {
    let limit = match q.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    let mut p = Params::default();
    let keys = page_keys(q, limit, &mut p)?;
    let mut entries = load_entries(conn.into(), &keys, p)?;
    let next = if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        entries.last().map(|e| TimelineCursor {
            occurred_at: e.occurred_at.clone(),
            id: e.id.clone(),
        })
    } else {
        None
    };
    Ok(TimelinePage { entries, next })
}

/// The entries whose keys `keys` selects (occurred_at t, id i), in
/// timeline order, each joined to its author, deal, contacts and follow-up.
fn load_entries(conn: Sql, keys: &str, p: Params) -> Result<Vec<TimelineEntry>> {
    // MATERIALIZED: the page is chosen on the index first, and only its rows
    // are joined to their author, deal and follow-up.
    let sql = format!(
        "WITH page AS MATERIALIZED ({keys})
         SELECT a.id, a.version, a.company_id, a.kind, a.direction, a.occurred_at, a.summary, a.body, a.minutes,
                a.next_todos, a.next_appointment_at, a.signals, a.author_id, u.display_name, a.deal_id, d.title,
                a.deleted_at IS NOT NULL, a.updated_at,
                (SELECT f.id FROM follow_ups f
                  WHERE f.activity_id = a.id AND f.kind = 'appointment' AND f.status <> 'cancelled'
                    AND f.deleted_at IS NULL
                  ORDER BY f.created_at DESC LIMIT 1),
                a.text_kind, a.text_params,
                EXISTS (SELECT 1 FROM sequence_sends q WHERE q.activity_id = a.id)
         FROM page JOIN activities a ON a.id = page.i
         LEFT JOIN users u ON u.id = a.author_id
         LEFT JOIN deals d ON d.id = a.deal_id
         ORDER BY page.t DESC, page.i DESC"
    );
    let mut entries = conn.query(&sql, &p.0, |r| {
        let deleted: bool = r.get(16)?;
        // A removed entry keeps its place and its author, not its words.
        let text = |i: usize| -> Result<String> {
            if deleted {
                Ok(String::new())
            } else {
                r.get(i)
            }
        };
        Ok(TimelineEntry {
            id: r.get(0)?,
            version: r.get(1)?,
            company_id: r.get(2)?,
            kind: crate::error::known(
                "activities",
                &r.get::<String>(0)?,
                &r.get::<String>(3)?,
                ActivityKind::parse,
            )?,
            direction: r.get::<Option<String>>(4)?.as_deref().and_then(Direction::parse),
            occurred_at: r.get(5)?,
            summary: text(6)?,
            engine_text: if deleted {
                None
            } else {
                EngineText::from_cells(r.get(19)?, r.get(20)?)
            },
            body: text(7)?,
            minutes: text(8)?,
            next_todos: text(9)?,
            next_appointment_at: if deleted { None } else { r.get(10)? },
            signals: if deleted {
                Vec::new()
            } else {
                serde_json::from_str(&r.get::<String>(11)?).unwrap_or_default()
            },
            author_id: r.get(12)?,
            author_name: r.get(13)?,
            deal_id: r.get(14)?,
            deal_title: r.get(15)?,
            contacts: Vec::new(),
            deleted,
            updated_at: r.get(17)?,
            follow_up_id: if deleted { None } else { r.get(18)? },
            sequence_mail: !deleted && r.get(21)?,
        })
    })?;
    attach_contacts(conn, &mut entries)?;
    Ok(entries)
}

/// Names each entry's contacts, one query for the whole page. A removed
/// entry keeps no more than its kind, author and time.
fn attach_contacts(conn: Sql, entries: &mut [TimelineEntry]) -> Result<()> {
    let live: Vec<&str> = entries.iter().filter(|e| !e.deleted).map(|e| e.id.as_str()).collect();
    if live.is_empty() {
        return Ok(());
    }
    let mut p = Params::default();
    let list: Vec<String> = live.iter().map(|id| p.push(id.to_string())).collect();
    let sql = format!(
        "SELECT ac.activity_id, k.id, k.name, k.deleted_at IS NOT NULL
         FROM activity_contacts ac JOIN contacts k ON k.id = ac.contact_id
         WHERE ac.activity_id IN ({})
         ORDER BY ac.activity_id, ac.position",
        list.join(", ")
    );
    let rows = conn.query(&sql, &p.0, |r: &Row| {
        let contact = EntryContact {
            id: r.get(1)?,
            name: r.get(2)?,
            removed: r.get(3)?,
        };
        Ok((r.get::<String>(0)?, contact))
    })?;
    for (activity_id, contact) in rows {
        if let Some(e) = entries.iter_mut().find(|e| e.id == activity_id) {
            e.contacts.push(contact);
        }
    }
    Ok(())
}

/// One entry, as the timeline shows it (for the thank-you mail of a meeting).
pub fn entry<'c>(conn: impl Into<Sql<'c>>, id: &str) -> Result<TimelineEntry> {
    let mut p = Params::default();
    let keys = format!(
        "SELECT occurred_at AS t, id AS i FROM activities WHERE id = {}",
        p.push(id.to_string())
    );
    load_entries(conn.into(), &keys, p)?.pop().ok_or(Error::NotFound {
        entity: "activity",
        id: id.to_string(),
    })
}

/// The store's plan of the page query, line by line ([`Sql::plan`]), for
/// tests and the bench.
pub fn explain<'c>(conn: impl Into<Sql<'c>>, q: &TimelineQuery) -> Result<Vec<String>> {
    let mut p = Params::default();
    let keys = page_keys(q, DEFAULT_PAGE, &mut p)?;
    conn.into().plan(&keys, &p.0)
}

/// How often each buying signal was recorded on a deal's live entries, most
/// frequent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SignalCount {
    pub code: String,
    pub count: i32,
}

pub fn deal_signals<'c>(conn: impl Into<Sql<'c>>, deal_id: &str) -> Result<Vec<SignalCount>> {
    conn.into().query(
        "SELECT j.value, COUNT(*) FROM activities a, json_each(a.signals) j
         WHERE a.deal_id = ?1 AND a.deleted_at IS NULL AND a.signals <> '[]'
         GROUP BY j.value ORDER BY COUNT(*) DESC, j.value",
        sql::params![deal_id],
        |r| {
            Ok(SignalCount {
                code: r.get(0)?,
                count: r.get(1)?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_invalid, colleague, entry, fixture, log, seed_pipeline, Fixture, Seed};
    use crate::timeline::activity::{delete_activity, ActivityKind};

    fn setup() -> (Fixture, Seed) {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        (f, s)
    }

    fn company(s: &Seed, limit: u32) -> TimelineQuery {
        TimelineQuery {
            company_id: Some(s.company_id.clone()),
            limit,
            ..Default::default()
        }
    }

    /// Every page of a query, following the cursors.
    fn all_pages(conn: crate::store::sql::Sql, mut q: TimelineQuery) -> Vec<Vec<TimelineEntry>> {
        let mut pages = Vec::new();
        loop {
            let page = timeline(conn, &q).unwrap();
            pages.push(page.entries);
            match page.next {
                Some(c) => q.before = Some(c),
                None => return pages,
            }
        }
    }

    /// `n` calls an hour apart, going back from 2026-11-25 00:00 UTC, kinds rotating.
    fn history(f: &mut Fixture, s: &Seed, n: usize) -> Vec<String> {
        let kinds = [
            ActivityKind::Call,
            ActivityKind::Email,
            ActivityKind::Meeting,
            ActivityKind::Note,
        ];
        let start = crate::clock::from_db("2026-11-25T00:00:00Z").unwrap();
        f.db.write(|ctx| {
            (0..n)
                .map(|i| {
                    let at = crate::clock::to_db(start - chrono::Duration::hours(i as i64));
                    crate::timeline::activity::log(ctx, &entry(&s.company_id, kinds[i % 4], &at, &format!("#{i}")))
                })
                .collect()
        })
        .unwrap()
    }

    #[test]
    fn newest_first_with_ties_broken_by_id() {
        let (mut f, s) = setup();
        let c = &s.company_id;
        // Logged out of order; two at the same minute.
        let b = log(&mut f.db, &entry(c, ActivityKind::Call, "2026-11-20T10:00:00Z", "b"));
        let a = log(&mut f.db, &entry(c, ActivityKind::Call, "2026-11-24T10:00:00Z", "a"));
        let c1 = log(&mut f.db, &entry(c, ActivityKind::Note, "2026-11-10T10:00:00Z", "c1"));
        let c2 = log(&mut f.db, &entry(c, ActivityKind::Note, "2026-11-10T10:00:00Z", "c2"));
        let page = timeline(f.db.sql(), &company(&s, 0)).unwrap();
        let ids: Vec<&str> = page.entries.iter().map(|e| e.id.as_str()).collect();
        let (hi, lo) = if c1 > c2 { (&c1, &c2) } else { (&c2, &c1) };
        assert_eq!(ids, [a.as_str(), b.as_str(), hi.as_str(), lo.as_str()]);
        assert_eq!(page.next, None);
        let top = &page.entries[0];
        assert_eq!(top.author_name.as_deref(), Some("田中 太郎"));
        assert_eq!(top.author_id.as_deref(), Some(f.db.user().id.as_str()));
        assert_eq!(top.kind, ActivityKind::Call);
        assert_eq!(top.direction, Some(crate::timeline::activity::Direction::Outbound));
        assert!(!top.deleted);
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let (mut f, s) = setup();
        let ids = history(&mut f, &s, 120);
        let pages = all_pages(f.db.sql(), company(&s, 50));
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
        let seen: Vec<String> = pages.concat().into_iter().map(|e| e.id).collect();
        assert_eq!(seen, ids, "newest first, each entry once");
        // Exactly one page: no empty page after it.
        let pages = all_pages(f.db.sql(), company(&s, 120));
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [120]);
    }

    #[test]
    fn a_colleagues_new_entry_does_not_shift_the_next_page() {
        let (mut f, s) = setup();
        history(&mut f, &s, 30);
        let first = timeline(f.db.sql(), &company(&s, 10)).unwrap();
        // Meanwhile a colleague logs a call (with OFFSET, page 2 would now
        // repeat the last entry of page 1).
        let mut sato = colleague(&f, "sato", "佐藤");
        sato.write(|ctx| {
            crate::timeline::activity::log(
                ctx,
                &entry(&s.company_id, ActivityKind::Call, "2026-11-25T00:30:00Z", "新着"),
            )
        })
        .unwrap();
        let second = timeline(
            f.db.sql(),
            &TimelineQuery {
                before: first.next.clone(),
                ..company(&s, 10)
            },
        )
        .unwrap();
        assert_eq!(second.entries[0].summary, "#10");
        let newest = timeline(f.db.sql(), &company(&s, 1)).unwrap();
        assert_eq!(newest.entries[0].summary, "新着");
        assert_eq!(newest.entries[0].author_name.as_deref(), Some("佐藤"));
    }

    #[test]
    fn filter_by_kind_pages_through_the_merged_kinds() {
        let (mut f, s) = setup();
        history(&mut f, &s, 120);
        let only = |kinds: Vec<ActivityKind>, limit: u32| TimelineQuery {
            kinds,
            ..company(&s, limit)
        };
        let meetings: Vec<TimelineEntry> = all_pages(f.db.sql(), only(vec![ActivityKind::Meeting], 7)).concat();
        assert_eq!(meetings.len(), 30);
        assert!(meetings.iter().all(|e| e.kind == ActivityKind::Meeting));
        let two = all_pages(
            f.db.sql(),
            only(vec![ActivityKind::Call, ActivityKind::Email, ActivityKind::Call], 13),
        )
        .concat();
        let everything = all_pages(f.db.sql(), company(&s, 200)).concat();
        let expected: Vec<&TimelineEntry> = everything
            .iter()
            .filter(|e| matches!(e.kind, ActivityKind::Call | ActivityKind::Email))
            .collect();
        assert_eq!(two.iter().collect::<Vec<_>>(), expected, "merged in timeline order");
        // A kind the customer never had: an empty page, not an error.
        let none = timeline(f.db.sql(), &only(vec![ActivityKind::Handoff], 50)).unwrap();
        assert!(none.entries.is_empty() && none.next.is_none());
        // All kinds ticked is no filter.
        let all = all_pages(f.db.sql(), only(ActivityKind::ALL.to_vec(), 200)).concat();
        assert_eq!(all, everything);
    }

    #[test]
    fn a_deals_timeline_holds_its_own_entries() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let other = s.deal(&mut f.db, "B", s.stage("提案"), 1, "JPY");
        for (i, d) in [&deal, &other, &deal].into_iter().enumerate() {
            let mut a = entry(
                &s.company_id,
                ActivityKind::Call,
                &format!("2026-11-2{i}T00:00:00Z"),
                "電話",
            );
            a.deal_id = Some(d.clone());
            log(&mut f.db, &a);
        }
        log(
            &mut f.db,
            &entry(&s.company_id, ActivityKind::Note, "2026-11-23T00:00:00Z", "会社全体"),
        );
        let q = TimelineQuery {
            deal_id: Some(deal.clone()),
            company_id: Some(s.company_id.clone()),
            ..Default::default()
        };
        let page = timeline(f.db.sql(), &q).unwrap();
        assert_eq!(page.entries.len(), 2);
        assert!(page.entries.iter().all(|e| e.deal_title.as_deref() == Some("A")));
        let notes = timeline(
            f.db.sql(),
            &TimelineQuery {
                kinds: vec![ActivityKind::Note],
                ..q.clone()
            },
        )
        .unwrap();
        assert!(notes.entries.is_empty());
        // The company's timeline holds all four.
        assert_eq!(timeline(f.db.sql(), &company(&s, 0)).unwrap().entries.len(), 4);
    }

    #[test]
    fn a_deleted_entry_keeps_its_place_but_not_its_words() {
        let (mut f, s) = setup();
        let contact = crate::testutil::contact(&mut f.db, &s.company_id, "山田 花子", "");
        let mut a = entry(&s.company_id, ActivityKind::Meeting, "2026-11-24T00:00:00Z", "訪問");
        a.contact_ids = vec![contact];
        a.body = "本文".into();
        a.minutes = "議事録".into();
        a.next_todos = "ToDo".into();
        a.signals = vec!["second_visit".into()];
        a.next_appointment_at = Some("2026-12-01T00:00:00Z".into());
        let id = log(&mut f.db, &a);
        let shown = &timeline(f.db.sql(), &company(&s, 0)).unwrap().entries[0];
        let names: Vec<&str> = shown.contacts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["山田 花子"]);
        assert_eq!(shown.signals, ["second_visit"]);
        assert!(shown.follow_up_id.is_some());
        f.db.write(|ctx| delete_activity(ctx, &id, 1)).unwrap();
        let page = timeline(f.db.sql(), &company(&s, 0)).unwrap();
        let e = &page.entries[0];
        assert!(e.deleted);
        assert_eq!(e.id, id);
        assert_eq!(e.version, 2);
        assert_eq!(e.kind, ActivityKind::Meeting);
        assert_eq!(e.author_name.as_deref(), Some("田中 太郎"));
        assert_eq!(
            (
                e.summary.as_str(),
                e.body.as_str(),
                e.minutes.as_str(),
                e.next_todos.as_str()
            ),
            ("", "", "", "")
        );
        assert!(e.signals.is_empty() && e.next_appointment_at.is_none() && e.follow_up_id.is_none());
        assert!(e.contacts.is_empty(), "nor whom it was with");
    }

    #[test]
    fn bad_input_is_stored_and_returned_exactly() {
        let (mut f, s) = setup();
        let texts = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "'); DROP TABLE activities; --",
            "\" OR 1=1 --",
            "絵文字 👍🏽 と 🇯🇵 と 家族👨‍👩‍👧",
            "  先頭と末尾の空白も  \n改行も\r\nそのまま\t",
        ];
        for (i, t) in texts.iter().enumerate() {
            let mut a = entry(&s.company_id, ActivityKind::Note, &format!("2026-11-2{i}T00:00:00Z"), t);
            a.body = t.to_string();
            a.minutes = t.to_string();
            log(&mut f.db, &a);
        }
        let long = "長".repeat(100_000);
        let mut a = entry(&s.company_id, ActivityKind::Note, "2026-11-19T00:00:00Z", "長文");
        a.body = long.clone();
        log(&mut f.db, &a);
        let page = timeline(f.db.sql(), &company(&s, 0)).unwrap();
        assert_eq!(page.entries.len(), texts.len() + 1);
        for (i, t) in texts.iter().enumerate() {
            let e = &page.entries[texts.len() - 1 - i];
            assert_eq!(e.summary, t.trim(), "the one-line summary is trimmed");
            assert_eq!(e.body, *t, "the body is kept exactly");
            assert_eq!(e.minutes, *t);
        }
        assert_eq!(page.entries.last().unwrap().body, long);
    }

    #[test]
    fn limits_and_scope() {
        let (mut f, s) = setup();
        history(&mut f, &s, 260);
        assert_eq!(timeline(f.db.sql(), &company(&s, 0)).unwrap().entries.len(), 50);
        assert_eq!(timeline(f.db.sql(), &company(&s, 1_000)).unwrap().entries.len(), 200);
        assert_invalid(
            timeline(f.db.sql(), &TimelineQuery::default()),
            "company_id",
            "required",
        );
        let other = TimelineQuery {
            company_id: Some("nobody".into()),
            ..Default::default()
        };
        assert!(timeline(f.db.sql(), &other).unwrap().entries.is_empty());
    }

    #[test]
    fn a_page_is_one_index_walk() {
        let (mut f, s) = setup();
        // SQLite's plans, which hold for any size of table. The server's
        // planner chooses by statistics: on ten rows, reading them whole is
        // its right answer, so no plan of its is asserted here.
        if f.on_server() {
            return;
        }
        history(&mut f, &s, 10);
        let plan = |q: &TimelineQuery| explain(f.db.sql(), q).unwrap().join(" | ");
        let cursor = Some(TimelineCursor {
            occurred_at: "2026-11-24T00:00:00Z".into(),
            id: "x".into(),
        });
        let p = plan(&TimelineQuery {
            before: cursor.clone(),
            ..company(&s, 50)
        });
        assert!(
            p.contains("INDEX activities_company_time (company_id=? AND (occurred_at,id)<(?,?))"),
            "{p}"
        );
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        let p = plan(&company(&s, 50));
        assert!(p.contains("INDEX activities_company_time (company_id=?)"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        // A kind filter: one walk per kind on the kind index; only the merge
        // of those short lists is sorted.
        let p = plan(&TimelineQuery {
            kinds: vec![ActivityKind::Meeting, ActivityKind::Call],
            before: cursor.clone(),
            ..company(&s, 50)
        });
        assert_eq!(
            p.matches("INDEX activities_company_kind_time (company_id=? AND kind=? AND (occurred_at,id)<(?,?))")
                .count(),
            2,
            "{p}"
        );
        let p = plan(&TimelineQuery {
            deal_id: Some("d".into()),
            before: cursor,
            ..Default::default()
        });
        assert!(
            p.contains("INDEX activities_deal_time (deal_id=? AND (occurred_at,id)<(?,?))"),
            "{p}"
        );
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }

    #[test]
    fn buying_signals_are_counted_on_the_deal() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        s.signal(&mut f.db, &deal, &["replied_thanks", "second_visit"]);
        s.signal(&mut f.db, &deal, &["replied_thanks", "custom:予算確保"]);
        let mut gone = entry(&s.company_id, ActivityKind::Email, "2026-11-25T00:00:00Z", "x");
        gone.deal_id = Some(deal.clone());
        gone.signals = vec!["positive_quote".into()];
        let id = log(&mut f.db, &gone);
        f.db.write(|ctx| delete_activity(ctx, &id, 1)).unwrap();
        let counts: Vec<(String, i32)> = deal_signals(f.db.sql(), &deal)
            .unwrap()
            .into_iter()
            .map(|c| (c.code, c.count))
            .collect();
        assert_eq!(
            counts,
            vec![
                ("replied_thanks".into(), 2),
                ("custom:予算確保".into(), 1),
                ("second_visit".into(), 1)
            ]
        );
    }

    #[test]
    fn an_unknown_activity_kind_is_an_error_naming_the_activity() {
        let mut f = crate::testutil::fixture();
        let company = crate::testutil::company(&mut f.db, "株式会社みらい");
        let id = crate::testutil::log(
            &mut f.db,
            &crate::testutil::entry(&company, ActivityKind::Call, "2026-11-20T01:00:00Z", "電話"),
        );
        crate::testutil::store_unknown(&f, &format!("UPDATE activities SET kind = 'visit' WHERE id = '{id}'"));
        let q = TimelineQuery {
            company_id: Some(company.clone()),
            ..Default::default()
        };
        crate::testutil::assert_unknown(timeline(f.db.sql(), &q), "activities", &id, "visit");
    }
}
