//! Global search (Ctrl/Cmd+K) over companies, contacts, deals and the text of
//! the timeline, grouped by kind, a page at a time.
//!
//! Two indexes per kind, both FTS5, both kept in sync by triggers:
//! - a trigram index (migration 0003): Japanese has no spaces between words,
//!   and a trigram index finds any substring of three or more characters —
//!   議事録 inside a sentence, a company by a piece of its reading — with
//!   case folded;
//! - a bigram index beside it (migration 0011) for what a trigram index
//!   cannot hold: the one- and two-character words that are the commonest
//!   Japanese names and terms (田中, 稟議, 見積, 林). Each token is a pair of
//!   neighbouring characters (or the last one of a run), written as the
//!   characters' code points in hexadecimal; see the migration for why.
//!
//! How a query is read:
//! - It is split at white space (including the ideographic space); every
//!   term must be found (AND), each literally: quotes, `AND`/`OR`/`NEAR`,
//!   `*`, `:` or `<script>` are plain text, never query syntax or markup.
//! - Only terms of 3+ characters: the trigram index answers alone.
//! - Any shorter term: the bigram index answers, every record of the kind
//!   searched. A two-character term is one token, a one-character term a
//!   prefix (answered by the index's prefix index, not by merging every pair
//!   that starts with it), and a longer term in the same query is first
//!   narrowed to rows holding all its pairs (one FTS5 query, whose AND skips
//!   through both lists) and then confirmed by the trigram index, so it
//!   matches exactly as it would alone.
//!   Letters are case-folded for ASCII here (SQLite's lower()); the trigram
//!   index also folds other scripts.
//!
//! Order and pages: companies and contacts by reading, deals and timeline
//! entries newest first (by when they were recorded: that is the index's own
//! order, so a page comes without visiting every match). Each group holds
//! one page and, when more hits follow, a [`SearchCursor`] for the next one
//! ([`search_more`]): keyset paging, so the hundredth page costs what the
//! first does.
//!
//! On a team server the same functions answer from `pg_trgm` indexes over
//! the same fields (timeline/server_search.rs builds the page's SQL); the
//! hits, snippets and pages are made here, once, for both stores.

use crate::engine_text::EngineText;
use crate::error::Result;
use crate::language::Language;
use crate::store::sql::Sql;
use crate::timeline::entries::Params;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use ts_rs::TS;

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

/// The kinds of record search covers, one group of hits each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SearchKind {
    Companies,
    Contacts,
    Deals,
    Activities,
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
    /// Deals: when the deal was last changed.
    pub updated_at: Option<String>,
    /// Deals: when it is expected to close.
    pub expected_close: Option<NaiveDate>,
    /// Companies: the last touch with the customer.
    pub last_contact_at: Option<String>,
}

/// Where the next page of a group starts: after this hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchCursor {
    /// The hit's row in its table (the order of deals and timeline entries
    /// in the file).
    #[ts(type = "number")]
    pub row: i64,
    /// The hit's id (the order on a team server, where ids are UUIDv7).
    pub id: String,
    /// Companies and contacts (listed by reading): the hit's reading and name.
    pub reading: Option<String>,
    pub name: Option<String>,
}

/// One page of one kind's hits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchGroup {
    pub hits: Vec<SearchHit>,
    /// Present when more hits follow: pass it to [`search_more`].
    pub next: Option<SearchCursor>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchResults {
    pub companies: SearchGroup,
    pub contacts: SearchGroup,
    pub deals: SearchGroup,
    pub activities: SearchGroup,
}

/// The query split into terms: `long` for the trigram index, `short` for
/// the bigram index.
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

/// Every term of `query` as search reads it (split at white space,
/// repeats dropped, at most [`MAX_TERMS`]): the team server's search
/// (timeline/server_search.rs) reads a query by the same rules.
pub(crate) fn query_terms(query: &str) -> Vec<String> {
    let t = terms(query);
    t.long.into_iter().chain(t.short).collect()
}

/// An FTS5 query that matches every term literally: each term is a string
/// in double quotes (a quote inside doubled), so nothing in it is syntax.
fn fts_query(long: &[String]) -> String {
    long.iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One character as the bigram index writes it: its code point in six
/// hexadecimal digits, ASCII letters lowercased first as SQLite's lower()
/// does in the triggers (migration 0011).
fn hex_char(out: &mut String, c: char) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{:06x}", u32::from(c.to_ascii_lowercase()));
}

/// The bigram index's query for the short terms, plus every pair of each
/// long term (a row holding the long term holds all its pairs; the trigram
/// index then confirms the term itself). Tokens are hexadecimal digits only,
/// so nothing the user typed reaches FTS5's query syntax.
fn bigram_query(t: &Terms) -> String {
    let mut parts: Vec<String> = Vec::new();
    for term in &t.short {
        let chars: Vec<char> = term.chars().collect();
        let mut token = String::new();
        for &c in &chars {
            hex_char(&mut token, c);
        }
        // One character: every pair it starts, and a run's last character alone.
        parts.push(if chars.len() == 1 { format!("{token}*") } else { token });
    }
    for term in &t.long {
        let chars: Vec<char> = term.chars().collect();
        for pair in chars.windows(2) {
            let mut token = String::new();
            hex_char(&mut token, pair[0]);
            hex_char(&mut token, pair[1]);
            parts.push(token);
        }
    }
    parts.sort();
    parts.dedup();
    parts.join(" ")
}

/// The order of a kind's hits.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    /// By reading (names without one last), then name: companies and contacts.
    Reading,
    /// Newest recorded first: deals and timeline entries.
    Newest,
}

/// One kind of record the search covers.
struct Source {
    kind: SearchKind,
    table: &'static str,
    trigrams: &'static str,
    bigrams: &'static str,
    /// The searched text (columns of the row x), in the order a snippet
    /// looks at them (NULL reads as empty: a deal's lost reason is NULL
    /// until it is lost).
    text: &'static [&'static str],
    /// id, title, detail, company id, deal id, occurred at, updated at,
    /// expected close, last contact, text kind, text params.
    head: &'static str,
    /// Joins the row's company (x is the row, co the company).
    join: &'static str,
    order: Order,
}

const COMPANIES: Source = Source {
    kind: SearchKind::Companies,
    table: "companies",
    trigrams: "companies_fts",
    bigrams: "companies_bigrams",
    text: &["x.name", "x.name_kana", "x.industry"],
    head: "x.id, x.name, x.name_kana, x.id, NULL, NULL, NULL, NULL, x.last_contact_at, NULL, NULL",
    join: "",
    order: Order::Reading,
};
const CONTACTS: Source = Source {
    kind: SearchKind::Contacts,
    table: "contacts",
    trigrams: "contacts_fts",
    bigrams: "contacts_bigrams",
    text: &["x.name", "x.name_kana", "x.email"],
    head: "x.id, x.name, co.name, x.company_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    order: Order::Reading,
};
const DEALS: Source = Source {
    kind: SearchKind::Deals,
    table: "deals",
    trigrams: "deals_fts",
    bigrams: "deals_bigrams",
    // Why a deal was lost, so "the deal we lost to X社" is found (migration 0007).
    text: &["x.title", "x.notes", "x.lost_detail", "x.lost_to", "x.lost_reason"],
    head: "x.id, x.title, co.name, x.company_id, x.id, NULL, x.updated_at, x.expected_close, NULL, NULL, NULL",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    order: Order::Newest,
};
const ACTIVITIES: Source = Source {
    kind: SearchKind::Activities,
    table: "activities",
    trigrams: "activities_fts",
    bigrams: "activities_bigrams",
    // An entry the engine wrote is searched in every language (search_text,
    // as the index holds it).
    text: &[
        "COALESCE(x.search_text, x.summary)",
        "x.minutes",
        "x.body",
        "x.next_todos",
    ],
    head:
        "x.id, x.summary, co.name, x.company_id, x.deal_id, x.occurred_at, NULL, NULL, NULL, x.text_kind, x.text_params",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    order: Order::Newest,
};
/// Columns of `head`; the row's sort keys follow them, then the text.
pub(crate) const HEAD_COLUMNS: usize = 11;

fn source(kind: SearchKind) -> &'static Source {
    match kind {
        SearchKind::Companies => &COMPANIES,
        SearchKind::Contacts => &CONTACTS,
        SearchKind::Deals => &DEALS,
        SearchKind::Activities => &ACTIVITIES,
    }
}

/// What `kind` searches: its table, the join that leaves out records of
/// deleted customers, and its fields in the index's order. The team
/// server's search (timeline/server_search.rs) searches the same.
pub(crate) fn searched(kind: SearchKind) -> (&'static str, &'static str, &'static [&'static str]) {
    let s = source(kind);
    (s.table, s.join, s.text)
}

fn page_size(limit: u32) -> u32 {
    match limit {
        0 => DEFAULT_PER_KIND,
        n => n.min(MAX_PER_KIND),
    }
}

/// Searches everything: the first page of each kind. See the module
/// documentation for how the query is read. Never fails on what the user
/// typed: any text is searched literally. `lang` is the reader's: a snippet
/// of what the engine wrote shows their words when the query is found there.
pub fn search<'c>(conn: impl Into<Sql<'c>>, query: &str, limit_per_kind: u32, lang: Language) -> Result<SearchResults> {
    let conn = conn.into();
    let t = terms(query);
    if t.long.is_empty() && t.short.is_empty() {
        return Ok(SearchResults::default());
    }
    let limit = page_size(limit_per_kind);
    Ok(SearchResults {
        companies: find(conn, &COMPANIES, &t, None, limit, lang)?,
        contacts: find(conn, &CONTACTS, &t, None, limit, lang)?,
        deals: find(conn, &DEALS, &t, None, limit, lang)?,
        activities: find(conn, &ACTIVITIES, &t, None, limit, lang)?,
    })
}

/// The page of `kind`'s hits that follows `after` (a group's `next`).
pub fn search_more<'c>(
    conn: impl Into<Sql<'c>>,
    query: &str,
    kind: SearchKind,
    after: &SearchCursor,
    limit: u32,
    lang: Language,
) -> Result<SearchGroup> {
    let t = terms(query);
    if t.long.is_empty() && t.short.is_empty() {
        return Ok(SearchGroup::default());
    }
    find(conn.into(), source(kind), &t, Some(after), page_size(limit), lang)
}

/// The rowids of the timeline entries `query` finds, read exactly as
/// [`search`] reads it, as a subquery for another view's filter (the support
/// inbox finds cases by what their entries say). `None` for an empty query.
pub(crate) fn activity_rows(query: &str, p: &mut Params) -> Option<String> {
    index_rows(ACTIVITIES.trigrams, ACTIVITIES.bigrams, query, p)
}

/// The rowids that the trigram index `tri` and its bigram twin `bi` find
/// for `query`, by the same rules as every search: another folder's own
/// pair of indexes (the leads inbox's) reads queries as search does.
pub(crate) fn index_rows(tri: &str, bi: &str, query: &str, p: &mut Params) -> Option<String> {
    let t = terms(query);
    if t.long.is_empty() && t.short.is_empty() {
        return None;
    }
    Some(if t.short.is_empty() {
        format!(
            "SELECT rowid FROM {tri} WHERE {tri} MATCH {}",
            p.push(fts_query(&t.long))
        )
    } else if t.long.is_empty() {
        format!("SELECT rowid FROM {bi} WHERE {bi} MATCH {}", p.push(bigram_query(&t)))
    } else {
        format!(
            "SELECT rowid FROM {bi} WHERE {bi} MATCH {} AND rowid IN (SELECT rowid FROM {tri} WHERE {tri} MATCH {})",
            p.push(bigram_query(&t)),
            p.push(fts_query(&t.long)),
        )
    })
}

/// The SQL (and its parameters) for one page of one kind: `limit` + 1 rows,
/// to know whether another page follows.
fn plan(s: &Source, t: &Terms, after: Option<&SearchCursor>, limit: u32) -> (String, Params) {
    let mut p = Params::default();
    let cols = s
        .text
        .iter()
        .map(|c| format!("COALESCE({c}, '')"))
        .collect::<Vec<_>>()
        .join(", ");
    let (index, matched) = if t.short.is_empty() {
        (s.trigrams, p.push(fts_query(&t.long)))
    } else {
        (s.bigrams, p.push(bigram_query(t)))
    };
    let mut candidates = format!("SELECT rowid AS r FROM {index} WHERE {index} MATCH {matched}");
    let mut filter = String::new();
    if !t.short.is_empty() && !t.long.is_empty() {
        // The pairs of a long term may be apart in a row; the trigram index
        // says whether the term itself is there.
        filter.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM {tri} WHERE {tri} MATCH {} AND rowid = f.r)",
            p.push(fts_query(&t.long)),
            tri = s.trigrams
        ));
    }
    let (keys, order) = match s.order {
        Order::Reading => {
            if let Some(c) = after {
                let reading = c.reading.clone().unwrap_or_default();
                filter.push_str(&format!(
                    " AND (x.name_kana = '', x.name_kana, x.name, x.rowid) > ({}, {}, {}, {})",
                    p.push(i64::from(reading.is_empty())),
                    p.push(reading),
                    p.push(c.name.clone().unwrap_or_default()),
                    p.push(c.row)
                ));
            }
            (
                "x.rowid, x.name_kana, x.name",
                "x.name_kana = '', x.name_kana, x.name, x.rowid",
            )
        }
        Order::Newest => {
            if let Some(c) = after {
                candidates.push_str(&format!(" AND rowid < {}", p.push(c.row)));
            }
            ("x.rowid, NULL, NULL", "f.r DESC")
        }
    };
    let sql = format!(
        "SELECT {head}, {keys}, {cols} FROM ({candidates}) f
         JOIN {table} x ON x.rowid = f.r {join}
         WHERE x.deleted_at IS NULL{filter}
         ORDER BY {order} LIMIT {fetch}",
        head = s.head,
        table = s.table,
        join = s.join,
        fetch = p.push(i64::from(limit) + 1)
    );
    (sql, p)
}

fn find(
    conn: Sql,
    s: &Source,
    t: &Terms,
    after: Option<&SearchCursor>,
    limit: u32,
    lang: Language,
) -> Result<SearchGroup> {
    let all: Vec<&String> = t.long.iter().chain(&t.short).collect();
    let (sql, p) = match conn {
        Sql::File(_) => plan(s, t, after, limit),
        Sql::Server(_) => {
            let terms: Vec<String> = all.iter().map(|t| t.to_string()).collect();
            crate::timeline::server_search::page(s.kind, s.head, &terms, after, limit)
        }
    };
    let mut rows = conn.query(&sql, &p.0, |r| {
        let engine_text = EngineText::from_cells(r.get(9)?, r.get(10)?);
        let mut texts: Vec<String> = Vec::with_capacity(s.text.len() + 1);
        // The reader's words first, then the other languages'.
        if let Some(e) = &engine_text {
            texts.push(e.render(lang));
        }
        for i in 0..s.text.len() {
            texts.push(r.get(HEAD_COLUMNS + 3 + i)?);
        }
        let expected_close: Option<String> = r.get(7)?;
        let hit = SearchHit {
            id: r.get(0)?,
            title: r.get(1)?,
            engine_text,
            detail: r.get(2)?,
            company_id: r.get(3)?,
            deal_id: r.get(4)?,
            occurred_at: r.get(5)?,
            updated_at: r.get(6)?,
            expected_close: expected_close.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            last_contact_at: r.get(8)?,
            snippet: snippet(&texts, &all),
        };
        let cursor = SearchCursor {
            row: r.get(HEAD_COLUMNS)?,
            id: hit.id.clone(),
            reading: r.get(HEAD_COLUMNS + 1)?,
            name: r.get(HEAD_COLUMNS + 2)?,
        };
        Ok((hit, cursor))
    })?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|(_, c)| c.clone())
    } else {
        None
    };
    Ok(SearchGroup {
        hits: rows.into_iter().map(|(h, _)| h).collect(),
        next,
    })
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
    use crate::customers::company::{self, NewCompany};
    use crate::customers::contact::NewContact;
    use crate::language::Language;
    use crate::store::sql;
    use crate::store::write::{Saves, Store};
    use crate::testutil::{entry, file_fixture, fixture, log, seed_pipeline, FileFixture, Fixture, Seed};
    use crate::timeline::activity::{delete_activity, update_activity, ActivityEdit, ActivityKind};
    use crate::Db;
    use rusqlite::Connection;

    /// A team on the store this run tests (`testutil::fixture`).
    fn setup() -> (Fixture, Seed) {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        (f, s)
    }

    /// A team file: for what the file's own indexes hold (FTS5's and the
    /// bigram tables' terms, their rowids), which a server does not have;
    /// its trigram index is PostgreSQL's own, and `tests/team_server.rs`
    /// compares its hits with the file's.
    fn file_setup() -> (FileFixture, Seed) {
        let mut f = file_fixture();
        let s = seed_pipeline(&mut f.db);
        (f, s)
    }

    fn titles(g: &SearchGroup) -> Vec<&str> {
        g.hits.iter().map(|h| h.title.as_str()).collect()
    }

    fn marked(h: &SearchHit) -> String {
        h.snippet
            .iter()
            .map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() })
            .collect()
    }

    /// The file's search indexes are whole (FTS5's own check). A server's
    /// trigram index is PostgreSQL's, which keeps it within each save.
    fn integrity(db: &impl Store) {
        if matches!(db.sql(), Sql::Server(_)) {
            return;
        }
        for t in [
            "companies_fts",
            "contacts_fts",
            "deals_fts",
            "activities_fts",
            "companies_bigrams",
            "contacts_bigrams",
            "deals_bigrams",
            "activities_bigrams",
        ] {
            db.sql()
                .execute(&format!("INSERT INTO {t} ({t}) VALUES ('integrity-check')"), &[])
                .unwrap();
        }
    }

    fn company(db: &mut impl Store, name: &str, kana: &str, industry: &str) -> String {
        let c = NewCompany {
            name: name.into(),
            name_kana: kana.into(),
            industry: industry.into(),
            ..Default::default()
        };
        db.save(|ctx| company::create(ctx, &c)).unwrap()
    }

    /// Every page of one kind, following the cursors.
    fn all_pages(conn: Sql, q: &str, kind: SearchKind, per_page: u32) -> Vec<String> {
        let first = search(conn, q, per_page, Language::Ja).unwrap();
        let mut group = match kind {
            SearchKind::Companies => first.companies,
            SearchKind::Contacts => first.contacts,
            SearchKind::Deals => first.deals,
            SearchKind::Activities => first.activities,
        };
        let mut titles: Vec<String> = Vec::new();
        loop {
            assert!(group.hits.len() <= per_page as usize);
            titles.extend(group.hits.iter().map(|h| h.title.clone()));
            match group.next {
                Some(c) => group = search_more(conn, q, kind, &c, per_page, Language::Ja).unwrap(),
                None => return titles,
            }
        }
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

    /// The pairs the bigram index holds for a row, read back through fts5vocab.
    fn indexed_pairs(db: &Db, table: &str, rowid: i64) -> Vec<String> {
        let conn = db.conn();
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.vocab; CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {table}, 'instance')"
        ))
        .unwrap();
        let mut st = conn
            .prepare("SELECT term FROM temp.vocab WHERE doc = ?1 ORDER BY term")
            .unwrap();
        let terms = st
            .query_map([rowid], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        terms
    }

    /// What migration 0011's triggers should index for one text: each pair of
    /// neighbours, a run's last character alone, no white space.
    fn expected_pairs(text: &str) -> Vec<String> {
        let blank = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{3000}');
        let chars: Vec<char> = text.chars().collect();
        let mut out: Vec<String> = Vec::new();
        for (i, &a) in chars.iter().enumerate() {
            if blank(a) {
                continue;
            }
            let mut token = String::new();
            hex_char(&mut token, a);
            if let Some(&b) = chars.get(i + 1).filter(|b| !blank(**b)) {
                hex_char(&mut token, b);
            }
            out.push(token);
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn the_triggers_index_every_pair_of_a_text_of_any_length() {
        // Lengths around the chunks of 64 and 4096 characters the SQL cuts the
        // text into, and well beyond them; mixed scripts, case and blanks.
        let (mut f, s) = file_setup();
        let unit = "田中様 より、稟議の件でTEL。\n見積\u{3000}Ａb c";
        for n in [0usize, 1, 2, 63, 64, 65, 4095, 4096, 4097, 4098, 8193, 9000] {
            let text: String = unit.chars().cycle().take(n).collect();
            let mut a = entry(&s.company_id, ActivityKind::Note, "2026-11-24T00:00:00Z", "メモ");
            a.body = text.clone();
            let id = log(&mut f.db, &a);
            let rowid: i64 =
                f.db.conn()
                    .query_row("SELECT rowid FROM activities WHERE id = ?1", [&id], |r| r.get(0))
                    .unwrap();
            // The row's text as stored, joined as the trigger joins it.
            let joined: String =
                f.db.conn()
                    .query_row(
                        "SELECT COALESCE(search_text, summary) || char(10) || body || char(10) || minutes
                            || char(10) || next_todos
                     FROM activities WHERE rowid = ?1",
                        [rowid],
                        |r| r.get(0),
                    )
                    .unwrap();
            assert_eq!(
                indexed_pairs(&f.db, "activities_bigrams", rowid),
                expected_pairs(&joined),
                "{n} characters"
            );
        }
        integrity(&f.db);
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
        let r = search(f.db.sql(), "議事録", 0, Language::Ja).unwrap();
        assert_eq!(r.activities.hits.len(), 1);
        assert_eq!(r.activities.next, None);
        let hit = &r.activities.hits[0];
        assert_eq!((hit.id.as_str(), hit.title.as_str()), (id.as_str(), "初回訪問"));
        assert_eq!(hit.company_id, s.company_id);
        assert_eq!(hit.detail, "株式会社テスト");
        assert_eq!(hit.occurred_at.as_deref(), Some("2026-11-24T00:00:00Z"));
        assert_eq!(
            marked(hit),
            "先方の部長より、前回の[議事録]の内容に誤りがあるとのご指摘をいただいた。"
        );
    }

    #[test]
    fn a_company_is_found_by_a_piece_of_its_reading_or_name() {
        let (mut f, _s) = setup();
        let id = company(&mut f.db, "株式会社さくら商事", "さくらしょうじ", "卸売業");
        company(&mut f.db, "青葉物産", "あおばぶっさん", "商社");
        let r = search(f.db.sql(), "らしょう", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.companies), ["株式会社さくら商事"]);
        assert_eq!(r.companies.hits[0].company_id, id);
        assert_eq!(r.companies.hits[0].detail, "さくらしょうじ");
        assert_eq!(marked(&r.companies.hits[0]), "さく[らしょう]じ");
        assert_eq!(
            titles(&search(f.db.sql(), "さくら商", 0, Language::Ja).unwrap().companies),
            ["株式会社さくら商事"]
        );
        // Industry too.
        assert_eq!(
            titles(&search(f.db.sql(), "卸売業", 0, Language::Ja).unwrap().companies),
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
        let r = search(f.db.sql(), "PROPOSAL", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.activities), ["提案書", "Pricing"], "newest first");
        assert_eq!(
            marked(&r.activities.hits[1]),
            "Sent the revised [Proposal] for the Cloud migration."
        );
        // Mixed scripts, every term must match.
        let r = search(f.db.sql(), "proposal 議事録", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.activities), ["提案書"]);
        assert_eq!(
            marked(&r.activities.hits[0]),
            "クラウド移行の[proposal]を送付。[議事録]も添付。"
        );
        let r = search(f.db.sql(), "cloud　migration", 0, Language::Ja).unwrap();
        assert_eq!(
            titles(&r.activities),
            ["Pricing"],
            "the ideographic space separates terms"
        );
        // Short terms fold ASCII case too.
        assert_eq!(
            titles(&search(f.db.sql(), "PR", 0, Language::Ja).unwrap().activities),
            ["提案書", "Pricing"]
        );
    }

    #[test]
    fn two_character_terms_are_found_in_every_kind() {
        let (mut f, s) = setup();
        let tanaka = company(&mut f.db, "田中工業", "たなかこうぎょう", "");
        let c = NewContact {
            company_id: s.company_id.clone(),
            name: "田中 健太".into(),
            name_kana: "たなか けんた".into(),
            ..Default::default()
        };
        f.db.write(|ctx| crate::customers::contact::create_contact(ctx, &c))
            .unwrap();
        let deal = s.deal(&mut f.db, "稟議待ちの案件", s.stage("提案"), 1, "JPY");
        let mut a = entry(
            &s.company_id,
            ActivityKind::Call,
            "2026-11-24T00:00:00Z",
            "田中様から電話",
        );
        a.body = "見積の件、稟議は来週。".into();
        log(&mut f.db, &a);
        let r = search(f.db.sql(), "田中", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.companies), ["田中工業"]);
        assert_eq!(r.companies.hits[0].company_id, tanaka);
        assert_eq!(titles(&r.contacts), ["田中 健太"]);
        assert_eq!(r.contacts.hits[0].detail, "株式会社テスト");
        assert_eq!(titles(&r.activities), ["田中様から電話"]);
        assert_eq!(marked(&r.activities.hits[0]), "[田中]様から電話");
        let r = search(f.db.sql(), "稟議", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.deals), ["稟議待ちの案件"]);
        assert_eq!(r.deals.hits[0].deal_id.as_deref(), Some(deal.as_str()));
        assert_eq!(titles(&r.activities), ["田中様から電話"]);
        assert_eq!(marked(&r.activities.hits[0]), "見積の件、[稟議]は来週。");
        // A short term narrows what a long one found, and the other way round.
        assert_eq!(
            titles(&search(f.db.sql(), "田中 から電話", 0, Language::Ja).unwrap().activities),
            ["田中様から電話"]
        );
        assert!(search(f.db.sql(), "鈴木 から電話", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "田中 から手紙", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        // Two characters that are never neighbours are not a match.
        assert!(search(f.db.sql(), "田電", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
    }

    #[test]
    fn a_long_term_with_a_short_one_must_appear_whole() {
        // Every pair of 議事録 is in the text, but not the word itself: the
        // trigram index has the last word.
        let (mut f, s) = setup();
        let mut a = entry(&s.company_id, ActivityKind::Note, "2026-11-24T00:00:00Z", "田中メモ");
        a.body = "議事の記録、事録".into();
        log(&mut f.db, &a);
        assert!(search(f.db.sql(), "田中 議事録", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        let mut b = entry(&s.company_id, ActivityKind::Note, "2026-11-24T01:00:00Z", "田中議事録");
        b.body = String::new();
        log(&mut f.db, &b);
        assert_eq!(
            titles(&search(f.db.sql(), "田中 議事録", 0, Language::Ja).unwrap().activities),
            ["田中議事録"]
        );
    }

    #[test]
    fn a_two_character_name_is_found_in_the_oldest_of_many_records() {
        // Before the bigram index a two-character term was looked for only
        // among the newest 50,000 timeline entries. Here the one with 田中 is
        // the oldest of 60,001.
        let (mut f, s) = setup();
        let mut old = entry(&s.company_id, ActivityKind::Meeting, "2023-04-01T00:00:00Z", "初回訪問");
        old.minutes = "先方は田中部長、稟議は年度初め。".into();
        let old_id = log(&mut f.db, &old);
        // One statement, counted by the database itself (both stores know
        // WITH RECURSIVE): sixty thousand round trips would time the network.
        f.db.write(|ctx| {
            ctx.sql().execute(
                "WITH RECURSIVE n(i) AS (SELECT 10000 UNION ALL SELECT i + 1 FROM n WHERE i < 69999)
                 INSERT INTO activities (id, company_id, kind, occurred_at, summary, body, signals,
                                         created_at, updated_at)
                 SELECT 'a' || i, ?1, 'call', ?2, '電話でフォロー', '鈴木様に見積の説明。', '[]', ?2, ?2 FROM n",
                sql::params![s.company_id, ctx.now],
            )?;
            Ok(())
        })
        .unwrap();
        let r = search(f.db.sql(), "田中", 0, Language::Ja).unwrap();
        assert_eq!(
            r.activities.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            [old_id.as_str()]
        );
        assert_eq!(r.activities.next, None);
        let r = search(f.db.sql(), "稟議 初回訪問", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.activities), ["初回訪問"]);
        // A common two-character term pages through all of them.
        let r = search(f.db.sql(), "見積", 10, Language::Ja).unwrap();
        assert_eq!(r.activities.hits.len(), 10);
        assert!(r.activities.next.is_some());
    }

    #[test]
    fn a_one_character_query_finds_every_kind() {
        let (mut f, s) = setup();
        company(&mut f.db, "林産業", "はやしさんぎょう", "");
        // A name that ends with the character: no pair starts with it there.
        let c = NewContact {
            company_id: s.company_id.clone(),
            name: "小林".into(),
            ..Default::default()
        };
        f.db.write(|ctx| crate::customers::contact::create_contact(ctx, &c))
            .unwrap();
        s.deal(&mut f.db, "林様の追加案件", s.stage("提案"), 1, "JPY");
        log(
            &mut f.db,
            &entry(&s.company_id, ActivityKind::Call, "2026-11-24T00:00:00Z", "林"),
        );
        let r = search(f.db.sql(), "林", 0, Language::Ja).unwrap();
        assert_eq!(titles(&r.companies), ["林産業"]);
        assert_eq!(titles(&r.contacts), ["小林"]);
        assert_eq!(titles(&r.deals), ["林様の追加案件"]);
        assert_eq!(titles(&r.activities), ["林"]);
        assert_eq!(marked(&r.contacts.hits[0]), "小[林]");
        assert!(search(f.db.sql(), "森", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        // ASCII, any case.
        assert_eq!(
            titles(&search(f.db.sql(), "X", 0, Language::Ja).unwrap().companies),
            Vec::<&str>::new()
        );
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
            search(f.db.sql(), q, 0, Language::Ja)
                .unwrap()
                .activities
                .hits
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
        assert_eq!(find("\""), [texts[2]]);
        assert_eq!(find("*"), [texts[3]]);
        for q in ["\"\"\"", "(", ")", "-", "NOT", ":", "\u{0}", "'", "\\", "AND OR NEAR"] {
            search(f.db.sql(), q, 0, Language::Ja).unwrap();
        }
        assert_eq!(
            search(f.db.sql(), "   ", 0, Language::Ja).unwrap(),
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
        let contact =
            f.db.write(|ctx| crate::customers::contact::create_contact(ctx, &contact))
                .unwrap();
        let deal = s.deal(&mut f.db, "消える案件", s.stage("提案"), 1, "JPY");
        assert_eq!(
            search(f.db.sql(), "議事録", 0, Language::Ja)
                .unwrap()
                .activities
                .hits
                .len(),
            1
        );
        assert_eq!(
            search(f.db.sql(), "leaver@", 0, Language::Ja)
                .unwrap()
                .contacts
                .hits
                .len(),
            1
        );
        assert_eq!(
            search(f.db.sql(), "消える案件", 0, Language::Ja)
                .unwrap()
                .deals
                .hits
                .len(),
            1
        );
        assert_eq!(
            search(f.db.sql(), "誤っ", 0, Language::Ja)
                .unwrap()
                .activities
                .hits
                .len(),
            1
        );
        assert_eq!(
            search(f.db.sql(), "退職", 0, Language::Ja).unwrap().contacts.hits.len(),
            1
        );
        assert_eq!(search(f.db.sql(), "消え", 0, Language::Ja).unwrap().deals.hits.len(), 1);

        f.db.write(|ctx| delete_activity(ctx, &gone, 1)).unwrap();
        f.db.write(|ctx| crate::customers::contact::delete_contact(ctx, &contact, 1))
            .unwrap();
        f.db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE deals SET deleted_at = ?2, version = version + 1 WHERE id = ?1",
                sql::params![deal, ctx.now],
            )?;
            Ok(())
        })
        .unwrap();
        let mut e = ActivityEdit::from(&b);
        e.summary = "書き直した見出し".into();
        f.db.write(|ctx| update_activity(ctx, &edited, 1, &e)).unwrap();

        assert!(search(f.db.sql(), "議事録", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "leaver@", 0, Language::Ja)
            .unwrap()
            .contacts
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "消える案件", 0, Language::Ja)
            .unwrap()
            .deals
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "最初の見出し", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        assert_eq!(
            titles(&search(f.db.sql(), "書き直", 0, Language::Ja).unwrap().activities),
            ["書き直した見出し"]
        );
        // The bigram index forgets them too.
        assert!(search(f.db.sql(), "誤っ", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "退職", 0, Language::Ja)
            .unwrap()
            .contacts
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "消え", 0, Language::Ja)
            .unwrap()
            .deals
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "最初", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        assert_eq!(
            titles(&search(f.db.sql(), "書き", 0, Language::Ja).unwrap().activities),
            ["書き直した見出し"]
        );
        integrity(&f.db);
    }

    #[test]
    fn a_lost_deal_is_found_by_its_detail_and_the_competitor_who_won() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "基幹システム刷新", s.stage("見積"), 1, "JPY");
        s.deal(&mut f.db, "別の案件", s.stage("提案"), 1, "JPY");
        let lose = |version: i64| crate::pipeline::moves::MoveDeal {
            deal_id: deal.clone(),
            version,
            to_stage_id: s.stage("失注"),
            lost: Some(crate::pipeline::moves::LostInfo {
                reason: "価格".into(),
                detail: "先方の予算が半分に削られた".into(),
                lost_to: "ライバルソフト株式会社".into(),
                competitor_contract_end: None,
            }),
            ..Default::default()
        };
        f.db.write(|ctx| crate::pipeline::moves::move_to(ctx, &lose(1)))
            .unwrap();
        let found = crate::testutil::deal_hits;
        assert_eq!(
            found(&f.db, "予算が半分"),
            [deal.as_str()],
            "the detail typed when losing"
        );
        assert_eq!(found(&f.db, "ライバルソフト"), [deal.as_str()], "the competitor");
        assert_eq!(found(&f.db, "ライバル 半分"), [deal.as_str()], "terms across both");
        assert_eq!(found(&f.db, "価格"), [deal.as_str()], "the reason (a short term)");
        assert_eq!(found(&f.db, "予算"), [deal.as_str()], "a short word of the detail");
        let hit = &search(f.db.sql(), "ライバルソフト", 0, Language::Ja)
            .unwrap()
            .deals
            .hits[0];
        assert_eq!(hit.title, "基幹システム刷新");
        assert!(marked(hit).contains("[ライバルソフト]株式会社"), "{}", marked(hit));
        integrity(&f.db);
        // Reopened: the loss is no longer the deal's, nor in the index.
        s.move_deal(&mut f.db, &deal, 2, s.stage("提案"));
        assert!(found(&f.db, "ライバルソフト").is_empty());
        assert!(found(&f.db, "予算が半分").is_empty());
        integrity(&f.db);
    }

    #[test]
    fn stage_changes_are_not_searched() {
        let (mut f, s) = setup();
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        s.move_deal(&mut f.db, &deal, 1, s.stage("見積"));
        assert!(search(f.db.sql(), "提案 → 見積", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
        assert!(search(f.db.sql(), "見積", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
            .is_empty());
    }

    #[test]
    fn results_are_limited_per_kind_newest_first() {
        let (mut f, s) = setup();
        f.db.write(|ctx| {
            for i in 0..30 {
                crate::timeline::activity::log(
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
        let r = search(f.db.sql(), "フォロー", 5, Language::Ja).unwrap();
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
            search(f.db.sql(), "フォ", 7, Language::Ja)
                .unwrap()
                .activities
                .hits
                .len(),
            7
        );
        assert_eq!(
            search(f.db.sql(), "フォロー", 0, Language::Ja)
                .unwrap()
                .activities
                .hits
                .len(),
            10
        );
    }

    #[test]
    fn show_more_pages_through_every_hit_once_in_order() {
        let (mut f, s) = setup();
        f.db.write(|ctx| {
            for i in 0..23 {
                crate::timeline::activity::log(
                    ctx,
                    &entry(
                        &s.company_id,
                        ActivityKind::Call,
                        "2026-11-01T00:00:00Z",
                        &format!("見積の電話 {i:02}"),
                    ),
                )?;
            }
            // Companies sharing a reading (ties by row), and some without one (last).
            for (name, kana) in [
                ("見積商事 B", "みつもり"),
                ("見積商事 A", "みつもり"),
                ("見積物産", "あいうえお"),
                ("見積 X", ""),
                ("見積 W", ""),
                ("見積興業", "みつもり"),
            ] {
                company::create(
                    ctx,
                    &NewCompany {
                        name: name.into(),
                        name_kana: kana.into(),
                        ..Default::default()
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
        let conn = f.db.sql();
        for q in ["見積", "見積の電話", "見 電話"] {
            let got = all_pages(conn, q, SearchKind::Activities, 4);
            let want: Vec<String> = (0..23).rev().map(|i| format!("見積の電話 {i:02}")).collect();
            assert_eq!(got, want, "{q}");
        }
        for q in ["見積", "見"] {
            assert_eq!(
                all_pages(conn, q, SearchKind::Companies, 2),
                ["見積物産", "見積商事 A", "見積商事 B", "見積興業", "見積 W", "見積 X"],
                "{q}"
            );
        }
        // A page size that divides the hits exactly ends without an empty page.
        let first = search(conn, "見積の電話", 23, Language::Ja).unwrap();
        assert_eq!(first.activities.hits.len(), 23);
        assert_eq!(first.activities.next, None);
        // A cursor with a query that finds nothing more is just an empty page.
        let after = SearchCursor {
            row: 1,
            id: String::new(),
            reading: None,
            name: None,
        };
        assert_eq!(
            search_more(conn, "見積", SearchKind::Deals, &after, 5, Language::Ja).unwrap(),
            SearchGroup::default()
        );
        assert_eq!(
            search_more(conn, "  ", SearchKind::Deals, &after, 5, Language::Ja).unwrap(),
            SearchGroup::default()
        );
    }

    #[test]
    fn hits_carry_the_dates_to_show() {
        let (mut f, s) = setup();
        let deal = crate::pipeline::deal::NewDeal {
            pipeline_id: s.pipeline_id.clone(),
            stage_id: s.stage("提案"),
            company_id: s.company_id.clone(),
            title: "基幹システム刷新".into(),
            expected_close: NaiveDate::from_ymd_opt(2027, 3, 31),
            ..Default::default()
        };
        f.db.write(|ctx| crate::pipeline::deal::create(ctx, &deal)).unwrap();
        log(
            &mut f.db,
            &entry(
                &s.company_id,
                ActivityKind::Call,
                "2026-11-20T05:00:00Z",
                "基幹システムの電話",
            ),
        );
        let r = search(f.db.sql(), "基幹システム", 0, Language::Ja).unwrap();
        let d = &r.deals.hits[0];
        assert_eq!(d.expected_close, NaiveDate::from_ymd_opt(2027, 3, 31));
        assert_eq!(d.updated_at.as_deref(), Some("2026-11-25T01:00:00Z"));
        assert_eq!((d.occurred_at.as_deref(), d.last_contact_at.as_deref()), (None, None));
        let a = &r.activities.hits[0];
        assert_eq!(a.occurred_at.as_deref(), Some("2026-11-20T05:00:00Z"));
        let c = &search(f.db.sql(), "テスト", 0, Language::Ja).unwrap().companies.hits[0];
        assert_eq!(c.last_contact_at.as_deref(), Some("2026-11-20T05:00:00Z"));
    }

    #[test]
    fn vacuum_keeps_the_index_pointing_at_the_right_rows() {
        let (mut f, s) = file_setup();
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
            for q in [format!("メモ{i:02}番"), format!("{i:02}")] {
                let r = search(f.db.conn(), &q, 0, Language::Ja).unwrap();
                assert_eq!(
                    r.activities.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
                    [id.as_str()],
                    "{q}"
                );
            }
        }
        assert!(search(f.db.conn(), "メモ03番", 0, Language::Ja)
            .unwrap()
            .activities
            .hits
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
        // Short terms are tokens, one character a prefix; a long term adds its pairs.
        let t = terms("田中 A 議事録");
        assert_eq!(bigram_query(&t), "000061* 004e8b009332 007530004e2d 008b70004e8b");
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
    use crate::testutil::file_fixture;
    use rusqlite::{params_from_iter, Connection};

    fn explain(conn: &Connection, s: &Source, q: &str, after: Option<&SearchCursor>) -> String {
        let (sql, p) = plan(s, &terms(q), after, 10);
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        st.query_map(params_from_iter(p.0), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join(" | ")
    }

    #[test]
    fn timeline_hits_come_in_index_order_without_sorting() {
        let f = file_fixture();
        let after = SearchCursor {
            row: 100,
            id: String::new(),
            reading: None,
            name: None,
        };
        // Which index leads, newest first, and whether a long term beside a
        // short one is confirmed row by row (rowid = and MATCH on the trigrams).
        for (q, leads, confirms) in [
            ("議事録", "activities_fts", false),
            ("proposal quote", "activities_fts", false),
            ("佐藤", "activities_bigrams", false),
            ("林", "activities_bigrams", false),
            ("佐藤 議事録", "activities_bigrams", true),
        ] {
            for a in [None, Some(&after)] {
                let p = explain(f.db.conn(), &ACTIVITIES, q, a);
                assert!(p.starts_with(&format!("SCAN {leads} VIRTUAL TABLE")), "{q}: {p}");
                assert_eq!(
                    p.contains("SCAN activities_fts VIRTUAL TABLE INDEX 0:=M"),
                    confirms,
                    "{q}: {p}"
                );
                assert!(!p.contains("TEMP B-TREE"), "{q}: {p}");
            }
        }
    }
}
