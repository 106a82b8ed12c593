//! Global search (Ctrl/Cmd+K) over companies, contacts, deals and the text of
//! the timeline, grouped by kind.
//!
//! The index is FTS5 with the trigram tokenizer (migration 0003): Japanese
//! has no spaces between words, and a trigram index finds any substring of
//! three or more characters — 議事録 inside a sentence, a company by a piece
//! of its reading — with case folded.
//!
//! How a query is read:
//! - It is split at white space (including the ideographic space); every
//!   term must be found (AND), each literally: quotes, `AND`/`OR`/`NEAR`,
//!   `*`, `:` or `<script>` are plain text, never query syntax or markup.
//! - Terms of 3+ characters go to the trigram index.
//! - Terms of 1–2 characters (佐藤, 議事, a two-letter code) cannot: a trigram
//!   index has nothing shorter than three characters. They are matched with
//!   LIKE (ASCII case-insensitive), in bounded work so that even a one-
//!   character query answers in tens of milliseconds on a million entries:
//!   - with a long term as well, on the rows the index found for it — for
//!     the timeline on its newest [`SHORT_FILTER_ROWS`] such rows (a short
//!     term rarer than the long one would otherwise make SQLite visit every
//!     row that holds the long one: 100 ms for 50,000 entries with 議事録);
//!   - with no long term, by scanning: companies, contacts and deals
//!     completely (a team has thousands, not millions), the timeline only
//!     over its newest [`SHORT_SCAN_ROWS`] entries, newest first.
//!
//!   [`SearchResults::scan_limited`] says a short term was involved, so the
//!   UI can suggest a longer query when the entry sought is not among the hits.
//!
//! Order: companies and contacts by reading, deals and timeline entries
//! newest first (by when they were recorded: that is the index's own order,
//! so the first hits come without visiting every match).

use crate::config::Language;
use crate::engine_text::EngineText;
use crate::error::Result;
use crate::timeline::Params;
use rusqlite::{params_from_iter, Connection};
use serde::Serialize;
use ts_rs::TS;

/// How many of the newest timeline entries a query without any 3+ character
/// term scans (about 30 ms on the bench's million entries).
pub const SHORT_SCAN_ROWS: i64 = 50_000;
/// How many of the newest timeline entries found by the long terms a short
/// term filters (about 20 ms).
pub const SHORT_FILTER_ROWS: i64 = 10_000;
/// Hits per kind when the caller asks for 0; at most [`MAX_PER_KIND`].
pub const DEFAULT_PER_KIND: u32 = 10;
pub const MAX_PER_KIND: u32 = 100;
const MAX_TERMS: usize = 8;
const MAX_TERM_CHARS: usize = 100;
/// Characters of context a snippet shows before the first hit, and in all.
const SNIPPET_BEFORE: usize = 20;
const SNIPPET_CHARS: usize = 80;

/// A piece of a snippet; the UI renders `hit` parts highlighted, all as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub id: String,
    /// Company name, contact name, deal title or entry summary.
    pub title: String,
    /// An entry summary the engine wrote, to show in the reader's language
    /// instead of `title`.
    pub engine_text: Option<EngineText>,
    /// The reading of a company; the company of a contact, deal or entry.
    pub detail: String,
    /// Where the query was found, with the hits marked.
    pub snippet: Vec<SnippetPart>,
    /// Where to navigate: the company page (a contact's, deal's or entry's).
    pub company_id: String,
    pub deal_id: Option<String>,
    /// Timeline entries: when the touch happened.
    pub occurred_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchResults {
    pub companies: Vec<SearchHit>,
    pub contacts: Vec<SearchHit>,
    pub deals: Vec<SearchHit>,
    pub activities: Vec<SearchHit>,
    /// The query has a term shorter than 3 characters, so the timeline was
    /// searched only in its newest entries (see the module documentation).
    pub scan_limited: bool,
}

/// The query split into terms: `long` for the trigram index, `short` for LIKE.
#[derive(Debug, Default, PartialEq)]
struct Terms {
    long: Vec<String>,
    short: Vec<String>,
}

fn terms(query: &str) -> Terms {
    let mut t = Terms::default();
    let mut seen: Vec<String> = Vec::new();
    for raw in query.split_whitespace() {
        let term: String = raw.chars().filter(|c| !c.is_control()).take(MAX_TERM_CHARS).collect();
        if term.is_empty() || seen.contains(&term) {
            continue;
        }
        if seen.len() == MAX_TERMS {
            break;
        }
        seen.push(term.clone());
        if term.chars().count() >= 3 {
            t.long.push(term);
        } else {
            t.short.push(term);
        }
    }
    t
}

/// An FTS5 query that matches every term literally: each term is a string
/// in double quotes (a quote inside doubled), so nothing in it is syntax.
fn fts_query(long: &[String]) -> String {
    long.iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One kind of record the search covers.
struct Source {
    table: &'static str,
    fts: &'static str,
    /// The searched text (columns of the row x), in the order a snippet
    /// looks at them (NULL reads as empty: a deal's lost reason is NULL
    /// until it is lost).
    text: &'static [&'static str],
    /// id, title, detail, company id, deal id, occurred at, text kind, text params.
    head: &'static str,
    /// Joins the row's company (x is the row, co the company).
    join: &'static str,
    /// Extra condition for the LIKE scan (the index holds only these rows).
    scan_filter: &'static str,
    /// Order of the LIKE scan.
    scan_order: &'static str,
    /// Order of index hits.
    fts_order: &'static str,
    /// The LIKE scan looks at the newest SHORT_SCAN_ROWS rows only.
    capped: bool,
}

const COMPANIES: Source = Source {
    table: "companies",
    fts: "companies_fts",
    text: &["x.name", "x.name_kana", "x.industry"],
    head: "x.id, x.name, x.name_kana, x.id, NULL, NULL, NULL, NULL",
    join: "",
    scan_filter: "",
    scan_order: "CASE WHEN x.name_kana = '' THEN 1 ELSE 0 END, x.name_kana, x.name",
    fts_order: "CASE WHEN x.name_kana = '' THEN 1 ELSE 0 END, x.name_kana, x.name",
    capped: false,
};
const CONTACTS: Source = Source {
    table: "contacts",
    fts: "contacts_fts",
    text: &["x.name", "x.name_kana", "x.email"],
    head: "x.id, x.name, co.name, x.company_id, NULL, NULL, NULL, NULL",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    scan_filter: "",
    scan_order: "CASE WHEN x.name_kana = '' THEN 1 ELSE 0 END, x.name_kana, x.name",
    fts_order: "CASE WHEN x.name_kana = '' THEN 1 ELSE 0 END, x.name_kana, x.name",
    capped: false,
};
const DEALS: Source = Source {
    table: "deals",
    fts: "deals_fts",
    // Why a deal was lost, so "the deal we lost to X社" is found (migration 0007).
    text: &["x.title", "x.notes", "x.lost_detail", "x.lost_to", "x.lost_reason"],
    head: "x.id, x.title, co.name, x.company_id, x.id, NULL, NULL, NULL",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    scan_filter: "",
    scan_order: "x.rowid DESC",
    fts_order: "f.r DESC",
    capped: false,
};
const ACTIVITIES: Source = Source {
    table: "activities",
    fts: "activities_fts",
    // An entry the engine wrote is searched in every language (search_text,
    // as the index holds it).
    text: &[
        "COALESCE(x.search_text, x.summary)",
        "x.minutes",
        "x.body",
        "x.next_todos",
    ],
    head: "x.id, x.summary, co.name, x.company_id, x.deal_id, x.occurred_at, x.text_kind, x.text_params",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    scan_filter: "AND x.kind NOT IN ('stage_change', 'system')",
    scan_order: "x.rowid DESC",
    fts_order: "f.r DESC",
    capped: true,
};

/// Searches everything; see the module documentation for how the query is
/// read. Never fails on what the user typed: any text is searched literally.
/// `lang` is the reader's: a snippet of what the engine wrote shows their
/// words when the query is found there.
pub fn search(conn: &Connection, query: &str, limit_per_kind: u32, lang: Language) -> Result<SearchResults> {
    let t = terms(query);
    if t.long.is_empty() && t.short.is_empty() {
        return Ok(SearchResults::default());
    }
    let limit = match limit_per_kind {
        0 => DEFAULT_PER_KIND,
        n => n.min(MAX_PER_KIND),
    };
    Ok(SearchResults {
        companies: find(conn, &COMPANIES, &t, limit, lang)?,
        contacts: find(conn, &CONTACTS, &t, limit, lang)?,
        deals: find(conn, &DEALS, &t, limit, lang)?,
        activities: find(conn, &ACTIVITIES, &t, limit, lang)?,
        scan_limited: !t.short.is_empty(),
    })
}

/// The SQL (and its parameters) for one kind.
fn plan(s: &Source, t: &Terms, limit: u32) -> (String, Params) {
    let mut p = Params::default();
    let cols = s
        .text
        .iter()
        .map(|c| format!("COALESCE({c}, '')"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = if t.long.is_empty() {
        let cap = if s.capped {
            format!(
                " AND x.rowid > (SELECT COALESCE(MAX(rowid), 0) FROM {}) - {}",
                s.table,
                p.push(SHORT_SCAN_ROWS)
            )
        } else {
            String::new()
        };
        format!(
            "SELECT {}, {cols} FROM {} x {} WHERE x.deleted_at IS NULL {}{cap}",
            s.head, s.table, s.join, s.scan_filter
        )
    } else {
        let matched = p.push(fts_query(&t.long));
        let cap = if s.capped && !t.short.is_empty() {
            format!(" ORDER BY rowid DESC LIMIT {}", p.push(SHORT_FILTER_ROWS))
        } else {
            String::new()
        };
        format!(
            "SELECT {}, {cols} FROM (SELECT rowid AS r FROM {fts} WHERE {fts} MATCH {matched}{cap}) f
             JOIN {} x ON x.rowid = f.r {} WHERE x.deleted_at IS NULL",
            s.head,
            s.table,
            s.join,
            fts = s.fts
        )
    };
    for short in &t.short {
        let pattern = p.push(format!("%{}%", crate::company::escape_like(short)));
        let any = s
            .text
            .iter()
            .map(|c| format!("{c} LIKE {pattern} ESCAPE '\\'"))
            .collect::<Vec<_>>()
            .join(" OR ");
        sql.push_str(&format!(" AND ({any})"));
    }
    let order = if t.long.is_empty() { s.scan_order } else { s.fts_order };
    sql.push_str(&format!(" ORDER BY {order} LIMIT {}", p.push(i64::from(limit))));
    (sql, p)
}

fn find(conn: &Connection, s: &Source, t: &Terms, limit: u32, lang: Language) -> Result<Vec<SearchHit>> {
    let (sql, p) = plan(s, t, limit);
    let all: Vec<&String> = t.long.iter().chain(&t.short).collect();
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st
        .query_map(params_from_iter(p.0), |r| {
            let engine_text = EngineText::read(r, 6)?;
            let mut texts: Vec<String> = Vec::with_capacity(s.text.len() + 1);
            // The reader's words first, then the other languages'.
            if let Some(e) = &engine_text {
                texts.push(e.render(lang));
            }
            for i in 0..s.text.len() {
                texts.push(r.get(8 + i)?);
            }
            Ok(SearchHit {
                id: r.get(0)?,
                title: r.get(1)?,
                engine_text,
                detail: r.get(2)?,
                company_id: r.get(3)?,
                deal_id: r.get(4)?,
                occurred_at: r.get(5)?,
                snippet: snippet(&texts, &all),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Case folding that keeps one char per char, so positions stay aligned.
fn fold_char(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Where `needle` occurs in `hay` (both folded), without overlaps.
fn occurrences(hay: &[char], needle: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if needle.is_empty() || needle.len() > hay.len() {
        return out;
    }
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i..i + needle.len()] == *needle {
            out.push((i, i + needle.len()));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// The first text that contains a term, cut to a window around the first
/// hit, with every term occurrence in the window marked. Line breaks become
/// spaces: a snippet is one line.
fn snippet(texts: &[String], terms: &[&String]) -> Vec<SnippetPart> {
    let needles: Vec<Vec<char>> = terms.iter().map(|t| t.chars().map(fold_char).collect()).collect();
    for text in texts {
        let chars: Vec<char> = text
            .chars()
            .map(|c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c })
            .collect();
        let folded: Vec<char> = chars.iter().map(|&c| fold_char(c)).collect();
        let mut hits: Vec<(usize, usize)> = needles.iter().flat_map(|n| occurrences(&folded, n)).collect();
        if hits.is_empty() {
            continue;
        }
        hits.sort();
        let first = hits[0].0;
        let start = first
            .saturating_sub(SNIPPET_BEFORE)
            .min(chars.len().saturating_sub(SNIPPET_CHARS));
        let end = (start + SNIPPET_CHARS).min(chars.len());
        let mut parts: Vec<SnippetPart> = Vec::new();
        let mut push = |text: String, hit: bool| {
            if text.is_empty() {
                return;
            }
            match parts.last_mut() {
                Some(last) if last.hit == hit => last.text.push_str(&text),
                _ => parts.push(SnippetPart { text, hit }),
            }
        };
        if start > 0 {
            push("…".into(), false);
        }
        let mut pos = start;
        for (a, b) in hits {
            let (a, b) = (a.max(pos), b.min(end));
            if a >= b {
                continue;
            }
            push(chars[pos..a].iter().collect(), false);
            push(chars[a..b].iter().collect(), true);
            pos = b;
        }
        push(chars[pos..end].iter().collect(), false);
        if end < chars.len() {
            push("…".into(), false);
        }
        return parts;
    }
    // Found by the index but not by this simpler matcher (a folding the two
    // disagree on): show the start of the first non-empty text.
    let text = texts.iter().find(|t| !t.trim().is_empty()).cloned().unwrap_or_default();
    let mut shown: String = text
        .chars()
        .take(SNIPPET_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > SNIPPET_CHARS {
        shown.push('…');
    }
    vec![SnippetPart {
        text: shown,
        hit: false,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::{delete_activity, update_activity, ActivityEdit, ActivityKind};
    use crate::company::{self, NewCompany, NewContact};
    use crate::testutil::{entry, fixture, log, seed_pipeline, Fixture, Seed};
    use crate::Db;

    fn setup() -> (Fixture, Seed) {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        (f, s)
    }

    fn titles(hits: &[SearchHit]) -> Vec<&str> {
        hits.iter().map(|h| h.title.as_str()).collect()
    }

    fn marked(h: &SearchHit) -> String {
        h.snippet
            .iter()
            .map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() })
            .collect()
    }

    fn integrity(db: &Db) {
        for t in ["companies_fts", "contacts_fts", "deals_fts", "activities_fts"] {
            db.conn()
                .execute(&format!("INSERT INTO {t} ({t}) VALUES ('integrity-check')"), [])
                .unwrap();
        }
    }

    fn company(db: &mut Db, name: &str, kana: &str, industry: &str) -> String {
        let c = NewCompany {
            name: name.into(),
            name_kana: kana.into(),
            industry: industry.into(),
            ..Default::default()
        };
        db.write(|ctx| company::create(ctx, &c)).unwrap()
    }

    #[test]
    fn the_bundled_sqlite_has_fts5_with_trigrams() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram');
             INSERT INTO t (x) VALUES ('本日の議事録を共有します');",
        )
        .unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM t WHERE t MATCH '\"議事録\"'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_japanese_substring_is_found_inside_a_sentence() {
        let (mut f, s) = setup();
        let mut a = entry(&s.company_id, ActivityKind::Meeting, "2026-11-24T00:00:00Z", "初回訪問");
        a.minutes = "先方の部長より、前回の議事録の内容に誤りがあるとのご指摘をいただいた。".into();
        let id = log(&mut f.db, &a);
        log(
            &mut f.db,
            &entry(
                &s.company_id,
                ActivityKind::Call,
                "2026-11-24T01:00:00Z",
                "無関係な電話",
            ),
        );
        let r = search(f.db.conn(), "議事録", 0, Language::Ja).unwrap();
        assert_eq!(r.activities.len(), 1);
        let hit = &r.activities[0];
        assert_eq!((hit.id.as_str(), hit.title.as_str()), (id.as_str(), "初回訪問"));
        assert_eq!(hit.company_id, s.company_id);
        assert_eq!(hit.detail, "株式会社テスト");
        assert_eq!(hit.occurred_at.as_deref(), Some("2026-11-24T00:00:00Z"));
        assert_eq!(
            marked(hit),
            "先方の部長より、前回の[議事録]の内容に誤りがあるとのご指摘をいただいた。"
        );
        assert!(!r.scan_limited);
    }

    #[test]
    fn a_company_is_found_by_a_piece_of_its_reading_or_name() {
        let (mut f, _s) = setup();
        let id = company(&mut f.db, "株式会社さくら商事", "さくらしょうじ", "卸売業");
        company(&mut f.db, "青葉物産", "あおばぶっさん", "商社");
        let r = search(f.db.conn(), "らしょう", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.companies), ["株式会社さくら商事"]);
        assert_eq!(r.companies[0].company_id, id);
        assert_eq!(r.companies[0].detail, "さくらしょうじ");
        assert_eq!(marked(&r.companies[0]), "さく[らしょう]じ");
        assert_eq!(
            titles(&search(f.db.conn(), "さくら商", 0, Language::Ja).unwrap().companies),
            ["株式会社さくら商事"]
        );
        // Industry too.
        assert_eq!(
            titles(&search(f.db.conn(), "卸売業", 0, Language::Ja).unwrap().companies),
            ["株式会社さくら商事"]
        );
    }

    #[test]
    fn english_is_case_insensitive_and_terms_combine() {
        let (mut f, s) = setup();
        let mut a = entry(&s.company_id, ActivityKind::Email, "2026-11-24T00:00:00Z", "Pricing");
        a.body = "Sent the revised Proposal for the Cloud migration.".into();
        log(&mut f.db, &a);
        let mut b = entry(&s.company_id, ActivityKind::Email, "2026-11-24T01:00:00Z", "提案書");
        b.body = "クラウド移行のproposalを送付。議事録も添付。".into();
        log(&mut f.db, &b);
        let r = search(f.db.conn(), "PROPOSAL", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.activities), ["提案書", "Pricing"], "newest first");
        assert_eq!(
            marked(&r.activities[1]),
            "Sent the revised [Proposal] for the Cloud migration."
        );
        // Mixed scripts, every term must match.
        let r = search(f.db.conn(), "proposal 議事録", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.activities), ["提案書"]);
        assert_eq!(
            marked(&r.activities[0]),
            "クラウド移行の[proposal]を送付。[議事録]も添付。"
        );
        let r = search(f.db.conn(), "cloud　migration", 0, Language::Ja).unwrap();
        assert_eq!(
            titles(&r.activities),
            ["Pricing"],
            "the ideographic space separates terms"
        );
    }

    #[test]
    fn short_terms_fall_back_to_like() {
        let (mut f, s) = setup();
        let other = company(&mut f.db, "佐藤工業", "さとうこうぎょう", "");
        let c = NewContact {
            company_id: s.company_id.clone(),
            name: "佐藤 健太".into(),
            name_kana: "さとう けんた".into(),
            ..Default::default()
        };
        f.db.write(|ctx| company::create_contact(ctx, &c)).unwrap();
        let mut a = entry(
            &s.company_id,
            ActivityKind::Call,
            "2026-11-24T00:00:00Z",
            "佐藤様から電話",
        );
        a.body = "議事の進め方について".into();
        log(&mut f.db, &a);
        let r = search(f.db.conn(), "佐藤", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.companies), ["佐藤工業"]);
        assert_eq!(r.companies[0].company_id, other);
        assert_eq!(titles(&r.contacts), ["佐藤 健太"]);
        assert_eq!(r.contacts[0].detail, "株式会社テスト");
        assert_eq!(titles(&r.activities), ["佐藤様から電話"]);
        assert_eq!(marked(&r.activities[0]), "[佐藤]様から電話");
        assert!(r.scan_limited);
        let r = search(f.db.conn(), "議事", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.activities), ["佐藤様から電話"]);
        assert_eq!(marked(&r.activities[0]), "[議事]の進め方について");
        // A short term narrows what a long one found.
        let r = search(f.db.conn(), "佐藤 から電話", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.activities), ["佐藤様から電話"]);
        assert!(r.scan_limited);
        assert!(!search(f.db.conn(), "から電話", 0, Language::Ja).unwrap().scan_limited);
        assert!(search(f.db.conn(), "鈴木 から電話", 0, Language::Ja)
            .unwrap()
            .activities
            .is_empty());
        // One character, any case.
        let r = search(f.db.conn(), "様", 0, Language::Ja).unwrap();
        assert_eq!(r.activities.len(), 1);
    }

    #[test]
    fn markup_quotes_and_query_syntax_are_searched_literally() {
        let (mut f, s) = setup();
        let texts = [
            "<script>alert(1)</script>",
            "'); DROP TABLE activities; --",
            "say \"hello\" AND goodbye",
            "NEAR(a b) OR c* NOT d",
            "100% off_sale",
            "name:値 ^始まり",
        ];
        for (i, t) in texts.iter().enumerate() {
            log(
                &mut f.db,
                &entry(&s.company_id, ActivityKind::Note, &format!("2026-11-2{i}T00:00:00Z"), t),
            );
        }
        let find = |q: &str| -> Vec<String> {
            search(f.db.conn(), q, 0, Language::Ja)
                .unwrap()
                .activities
                .into_iter()
                .map(|h| h.title)
                .collect()
        };
        assert_eq!(find("<script>"), [texts[0]]);
        assert_eq!(find("</script>"), [texts[0]]);
        assert_eq!(find("DROP TABLE"), [texts[1]]);
        assert_eq!(find("');"), [texts[1]]);
        assert_eq!(find("\"hello\""), [texts[2]]);
        assert_eq!(find("AND"), [texts[2]]);
        assert_eq!(find("NEAR(a"), [texts[3]]);
        assert_eq!(find("c*"), [texts[3]]);
        assert_eq!(find("OR"), [texts[3]]);
        assert_eq!(find("100%"), [texts[4]]);
        assert_eq!(find("%"), [texts[4]]);
        assert_eq!(find("_"), [texts[4]]);
        assert_eq!(find("name:値"), [texts[5]]);
        assert_eq!(find("^始"), [texts[5]]);
        for q in [
            "\"",
            "\"\"\"",
            "*",
            "(",
            ")",
            "-",
            "NOT",
            ":",
            "\u{0}",
            "'",
            "\\",
            "AND OR NEAR",
        ] {
            search(f.db.conn(), q, 0, Language::Ja).unwrap();
        }
        assert_eq!(
            search(f.db.conn(), "   ", 0, Language::Ja).unwrap(),
            SearchResults::default()
        );
    }

    #[test]
    fn deleted_and_edited_rows_leave_the_index() {
        let (mut f, s) = setup();
        let a = entry(
            &s.company_id,
            ActivityKind::Meeting,
            "2026-11-24T00:00:00Z",
            "誤って記録した議事録",
        );
        let gone = log(&mut f.db, &a);
        let b = entry(
            &s.company_id,
            ActivityKind::Meeting,
            "2026-11-24T01:00:00Z",
            "最初の見出し",
        );
        let edited = log(&mut f.db, &b);
        let contact = NewContact {
            company_id: s.company_id.clone(),
            name: "退職した担当者".into(),
            email: "leaver@example.com".into(),
            ..Default::default()
        };
        let contact = f.db.write(|ctx| company::create_contact(ctx, &contact)).unwrap();
        let deal = s.deal(&mut f.db, "消える案件", s.stage("提案"), 1, "JPY");
        assert_eq!(
            search(f.db.conn(), "議事録", 0, Language::Ja).unwrap().activities.len(),
            1
        );
        assert_eq!(
            search(f.db.conn(), "leaver@", 0, Language::Ja).unwrap().contacts.len(),
            1
        );
        assert_eq!(
            search(f.db.conn(), "消える案件", 0, Language::Ja).unwrap().deals.len(),
            1
        );

        f.db.write(|ctx| delete_activity(ctx, &gone, 1)).unwrap();
        f.db.write(|ctx| company::delete_contact(ctx, &contact, 1)).unwrap();
        f.db.write(|ctx| {
            ctx.tx.execute(
                "UPDATE deals SET deleted_at = ?2, version = version + 1 WHERE id = ?1",
                rusqlite::params![deal, ctx.now],
            )?;
            Ok(())
        })
        .unwrap();
        let mut e = ActivityEdit::from(&b);
        e.summary = "書き直した見出し".into();
        f.db.write(|ctx| update_activity(ctx, &edited, 1, &e)).unwrap();

        assert!(search(f.db.conn(), "議事録", 0, Language::Ja)
            .unwrap()
            .activities
            .is_empty());
        assert!(search(f.db.conn(), "leaver@", 0, Language::Ja)
            .unwrap()
            .contacts
            .is_empty());
        assert!(search(f.db.conn(), "消える案件", 0, Language::Ja)
            .unwrap()
            .deals
            .is_empty());
        assert!(search(f.db.conn(), "最初の見出し", 0, Language::Ja)
            .unwrap()
            .activities
            .is_empty());
        assert_eq!(
            titles(&search(f.db.conn(), "書き直", 0, Language::Ja).unwrap().activities),
            ["書き直した見出し"]
        );
        // The LIKE fallback skips deleted rows too.
        assert!(search(f.db.conn(), "誤っ", 0, Language::Ja)
            .unwrap()
            .activities
            .is_empty());
        assert!(search(f.db.conn(), "退職", 0, Language::Ja)
            .unwrap()
            .contacts
            .is_empty());
        integrity(&f.db);
    }

    #[test]
    fn a_lost_deal_is_found_by_its_detail_and_the_competitor_who_won() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "基幹システム刷新", s.stage("見積"), 1, "JPY");
        s.deal(&mut f.db, "別の案件", s.stage("提案"), 1, "JPY");
        let lose = |version: i64| crate::deal::MoveDeal {
            deal_id: deal.clone(),
            version,
            to_stage_id: s.stage("失注"),
            lost: Some(crate::deal::LostInfo {
                reason: "価格".into(),
                detail: "先方の予算が半分に削られた".into(),
                lost_to: "ライバルソフト株式会社".into(),
                competitor_contract_end: None,
            }),
            ..Default::default()
        };
        f.db.write(|ctx| crate::deal::move_to(ctx, &lose(1))).unwrap();
        let found = crate::testutil::deal_hits;
        assert_eq!(
            found(&f.db, "予算が半分"),
            [deal.as_str()],
            "the detail typed when losing"
        );
        assert_eq!(found(&f.db, "ライバルソフト"), [deal.as_str()], "the competitor");
        assert_eq!(found(&f.db, "ライバル 半分"), [deal.as_str()], "terms across both");
        assert_eq!(found(&f.db, "価格"), [deal.as_str()], "the reason (a short term)");
        let hit = &search(f.db.conn(), "ライバルソフト", 0, Language::Ja).unwrap().deals[0];
        assert_eq!(hit.title, "基幹システム刷新");
        assert!(marked(hit).contains("[ライバルソフト]株式会社"), "{}", marked(hit));
        integrity(&f.db);
        // Reopened: the loss is no longer the deal's, nor in the index.
        f.db.write(|ctx| {
            crate::deal::move_to(
                ctx,
                &crate::deal::MoveDeal {
                    deal_id: deal.clone(),
                    version: 2,
                    to_stage_id: s.stage("提案"),
                    ..Default::default()
                },
            )
        })
        .unwrap();
        assert!(found(&f.db, "ライバルソフト").is_empty());
        assert!(found(&f.db, "予算が半分").is_empty());
        integrity(&f.db);
    }

    #[test]
    fn stage_changes_are_not_searched() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        f.db.write(|ctx| {
            crate::deal::move_to(
                ctx,
                &crate::deal::MoveDeal {
                    deal_id: deal.clone(),
                    version: 1,
                    to_stage_id: s.stage("見積"),
                    ..Default::default()
                },
            )
        })
        .unwrap();
        assert!(search(f.db.conn(), "提案 → 見積", 0, Language::Ja)
            .unwrap()
            .activities
            .is_empty());
        assert!(search(f.db.conn(), "見積", 0, Language::Ja)
            .unwrap()
            .activities
            .is_empty());
    }

    #[test]
    fn results_are_limited_per_kind_newest_first() {
        let (mut f, s) = setup();
        f.db.write(|ctx| {
            for i in 0..30 {
                crate::activity::log(
                    ctx,
                    &entry(
                        &s.company_id,
                        ActivityKind::Call,
                        &format!("2026-11-{:02}T00:00:00Z", i % 20 + 1),
                        &format!("フォローの電話 {i}"),
                    ),
                )?;
            }
            Ok(())
        })
        .unwrap();
        let r = search(f.db.conn(), "フォロー", 5, Language::Ja).unwrap();
        assert_eq!(
            titles(&r.activities),
            [
                "フォローの電話 29",
                "フォローの電話 28",
                "フォローの電話 27",
                "フォローの電話 26",
                "フォローの電話 25"
            ]
        );
        assert_eq!(
            search(f.db.conn(), "フォ", 7, Language::Ja).unwrap().activities.len(),
            7
        );
        assert_eq!(
            search(f.db.conn(), "フォロー", 0, Language::Ja)
                .unwrap()
                .activities
                .len(),
            10
        );
    }

    #[test]
    fn vacuum_keeps_the_index_pointing_at_the_right_rows() {
        let (mut f, s) = setup();
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(log(
                &mut f.db,
                &entry(
                    &s.company_id,
                    ActivityKind::Note,
                    "2026-11-24T00:00:00Z",
                    &format!("メモ{i:02}番"),
                ),
            ));
        }
        // Holes in the rowids, as a hard delete (or an admin's cleanup) leaves.
        f.db.conn()
            .execute("DELETE FROM activities WHERE summary IN ('メモ03番', 'メモ11番')", [])
            .unwrap();
        f.db.conn().execute_batch("VACUUM").unwrap();
        for (i, id) in ids.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 11) {
            let r = search(f.db.conn(), &format!("メモ{i:02}番"), 0, Language::Ja).unwrap();
            assert_eq!(
                r.activities.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
                [id.as_str()]
            );
        }
        assert!(search(f.db.conn(), "メモ03番", 0, Language::Ja)
            .unwrap()
            .activities
            .is_empty());
        integrity(&f.db);
    }

    #[test]
    fn queries_are_split_into_long_and_short_terms() {
        let t = terms(" 佐藤　議事録 ab abc \"x\" 佐藤 ");
        assert_eq!(t.long, ["議事録", "abc", "\"x\""]);
        assert_eq!(t.short, ["佐藤", "ab"]);
        assert_eq!(fts_query(&t.long), "\"議事録\" \"abc\" \"\"\"x\"\"\"");
        let many = terms("a b c d e f g h i j");
        assert_eq!(many.short.len(), MAX_TERMS);
    }

    #[test]
    fn snippets_cut_long_texts_around_the_first_hit() {
        let long = format!("{}議事録{}", "前".repeat(100), "後".repeat(100));
        let parts = snippet(&[String::new(), long], &[&"議事録".to_string()]);
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, format!("…{}議事録{}…", "前".repeat(20), "後".repeat(57)));
        assert_eq!(parts.iter().filter(|p| p.hit).count(), 1);
        let parts = snippet(&["一行目\n二行目".into()], &[&"二行".to_string()]);
        assert_eq!(
            parts,
            [
                SnippetPart {
                    text: "一行目 ".into(),
                    hit: false
                },
                SnippetPart {
                    text: "二行".into(),
                    hit: true
                },
                SnippetPart {
                    text: "目".into(),
                    hit: false
                }
            ]
        );
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::testutil::fixture;

    fn explain(conn: &Connection, s: &Source, q: &str) -> String {
        let (sql, p) = plan(s, &terms(q), 10);
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        st.query_map(params_from_iter(p.0), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join(" | ")
    }

    #[test]
    fn timeline_hits_come_in_index_order_without_sorting() {
        let f = fixture();
        for q in ["議事録", "佐藤 議事録", "佐藤", "proposal quote"] {
            let p = explain(f.db.conn(), &ACTIVITIES, q);
            assert!(!p.contains("TEMP B-TREE"), "{q}: {p}");
        }
    }
}
