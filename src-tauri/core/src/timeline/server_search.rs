//! Search on the team server: the same kinds, fields and reading of a
//! query as the file's search (timeline/search.rs), answered by `pg_trgm`
//! trigram GIN indexes (migrations/postgres/search.sql) instead of
//! FTS5. Each term must be found, literally (`%`, `_` and `\` are text),
//! case folded.
//!
//! A trigram index holds nothing for a term of two characters, and those are
//! the commonest Japanese names and words (田中, 見積): the file keeps bigram
//! tables for them. Here each kind has a second trigram index, over its text
//! with every character doubled (`*_search_pairs`): 田中 is then 田田中中,
//! whose trigrams that index holds, and the doubled text holds 田田中中
//! exactly where the text holds 田中. Over a million timeline entries a
//! two-character name only five of them say took 2 s read from the rows and
//! under 1 ms from that index. A term of one character (林) is still read
//! from the rows.
//!
//! The kinds' tables and fields are the file's search's own (`searched`),
//! so the two cannot drift; their text expression is the indexes',
//! character for character: PostgreSQL uses an expression index only for
//! the same expression. tests/team_server.rs checks that both stores find the same
//! records for the same queries, and that the server plans the index.

use crate::error::Result;
use crate::store::sql::for_server;
use crate::timeline::entries::Params;
use crate::timeline::search::{query_terms, searched, SearchCursor, SearchKind};
use postgres::types::ToSql;
use postgres::Client;

/// What the server adds to the file's description of a kind (`searched`).
struct Order {
    filter: &'static str,
    order: &'static str,
}

/// The file's order: by reading, names without one last; "C" so text
/// compares by code point, as SQLite does.
const BY_READING: Order = Order {
    filter: "",
    order: "x.name_kana = '', x.name_kana COLLATE \"C\", x.name COLLATE \"C\", x.id",
};
/// Newest first: ids are UUIDv7, in the order they were made.
const NEWEST: Order = Order {
    filter: "",
    order: "x.id DESC",
};

fn order(kind: SearchKind) -> Order {
    match kind {
        SearchKind::Companies | SearchKind::Contacts => BY_READING,
        SearchKind::Deals => NEWEST,
        // What the engine notes by itself (a stage moved) is not searched.
        SearchKind::Activities => Order {
            filter: " AND x.kind NOT IN ('stage_change', 'system')",
            ..NEWEST
        },
    }
}

/// The fields as one text, a line break between them so a term never
/// matches across two: character for character the expression of the
/// kind's trigram index (migrations/postgres/search.sql).
fn text(fields: &[&str]) -> String {
    let parts: Vec<String> = fields.iter().map(|f| format!("COALESCE({f}, '')")).collect();
    format!("({})", parts.join(" || E'\\n' || "))
}

/// The condition that `text` (a kind's [`text`]) holds `term`, its pattern
/// pushed to `p`. Written with `LIKE`, which the server is sent as `ILIKE`
/// (store::sql): case folded, as the file's index folds it. A term of two
/// characters is looked for doubled in the doubled text, the expression of
/// the kind's pair index (see the module's comment).
fn holds_term(text: &str, term: &str, p: &mut Params) -> String {
    if term.chars().count() == 2 {
        let doubled: String = term.chars().flat_map(|c| [c, c]).collect();
        format!("{} LIKE {}", doubled_text(text), p.push(pattern(&doubled)))
    } else {
        format!("{text} LIKE {}", p.push(pattern(term)))
    }
}

/// `text` with every character doubled: character for character the
/// expression of the kind's pair index (migrations/postgres/search.sql).
fn doubled_text(text: &str) -> String {
    format!("regexp_replace({text}, '(.)', '\\1\\1', 'g')")
}

/// The SQL (the server's spelling) and parameters for `kind` and `query`;
/// `None` for a query with no term.
fn plan(kind: SearchKind, query: &str, limit: i64) -> Option<(String, Params)> {
    let terms = query_terms(query);
    if terms.is_empty() {
        return None;
    }
    let mut p = Params::default();
    let (table, join, fields) = searched(kind);
    let (o, text) = (order(kind), text(fields));
    let mut sql = format!(
        "SELECT x.id FROM {table} x {join} WHERE x.deleted_at IS NULL{filter}",
        filter = o.filter
    );
    for t in &terms {
        sql.push_str(&format!(" AND {}", holds_term(&text, t, &mut p)));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {limit}", o.order));
    Some((for_server(&sql), p))
}

/// One page of `kind`'s hits, in the columns of the file's page
/// (timeline/search.rs: `head`, three sort keys, then the searched fields),
/// so that search makes hits, snippets and the next page's cursor the same
/// way from either store. The cursor's place is its id (with the reading
/// and name for companies and contacts), as the order is.
pub(crate) fn page(
    kind: SearchKind,
    head: &str,
    terms: &[String],
    after: Option<&SearchCursor>,
    limit: u32,
) -> (String, Params) {
    let mut p = Params::default();
    let (table, join, fields) = searched(kind);
    let (o, text) = (order(kind), text(fields));
    let mut filter = o.filter.to_string();
    for t in terms {
        filter.push_str(&format!(" AND {}", holds_term(&text, t, &mut p)));
    }
    let by_reading = matches!(kind, SearchKind::Companies | SearchKind::Contacts);
    if let Some(c) = after {
        if by_reading {
            let reading = c.reading.clone().unwrap_or_default();
            filter.push_str(&format!(
                " AND (CASE WHEN x.name_kana = '' THEN 1 ELSE 0 END, x.name_kana COLLATE \"C\", x.name COLLATE \"C\", x.id)
                    > ({}, {}, {}, {})",
                p.push(i64::from(reading.is_empty())),
                p.push(reading),
                p.push(c.name.clone().unwrap_or_default()),
                p.push(c.id.clone())
            ));
        } else {
            filter.push_str(&format!(" AND x.id < {}", p.push(c.id.clone())));
        }
    }
    let keys = if by_reading {
        "0, x.name_kana, x.name"
    } else {
        "0, NULL, NULL"
    };
    let cols = fields
        .iter()
        .map(|c| format!("COALESCE({c}, '')"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {head}, {keys}, {cols} FROM {table} x {join}
         WHERE x.deleted_at IS NULL{filter}
         ORDER BY {order} LIMIT {fetch}",
        order = o.order,
        fetch = p.push(i64::from(limit) + 1)
    );
    (sql, p)
}

/// The condition that a `kind` row `x` holds every term of `query`, for
/// another view's filter (the support inbox finds cases by what their
/// entries say); `None` for a query with no term. The file's counterpart
/// is search's index subquery (`activity_rows`).
pub(crate) fn holds(kind: SearchKind, query: &str, p: &mut Params) -> Option<String> {
    holds_in(searched(kind).2, query, p)
}

/// [`holds`] over `fields` of a table no search kind covers (the leads
/// inbox's own search), read by the same rules.
pub(crate) fn holds_in(fields: &[&str], query: &str, p: &mut Params) -> Option<String> {
    let terms = query_terms(query);
    if terms.is_empty() {
        return None;
    }
    let text = text(fields);
    Some(
        terms
            .iter()
            .map(|t| holds_term(&text, t, p))
            .collect::<Vec<_>>()
            .join(" AND "),
    )
}

/// `term` anywhere in the text, every character of it literal.
fn pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The ids of the `kind` records `query` finds, in the order the file's
/// search shows them, at most `limit`.
pub fn find(client: &mut Client, kind: SearchKind, query: &str, limit: i64) -> Result<Vec<String>> {
    let Some((sql, p)) = plan(kind, query, limit) else {
        return Ok(Vec::new());
    };
    Ok(client.query(&sql, &refs(&p))?.into_iter().map(|r| r.get(0)).collect())
}

fn refs(p: &Params) -> Vec<&(dyn ToSql + Sync)> {
    p.0.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// The query plan PostgreSQL chooses for `kind` and `query`, for tests and
/// the benchmark to see whether the trigram index answers.
#[doc(hidden)]
pub fn explain(client: &mut Client, kind: SearchKind, query: &str) -> Result<String> {
    let Some((sql, p)) = plan(kind, query, 20) else {
        return Ok(String::new());
    };
    Ok(client
        .query(&format!("EXPLAIN {sql}"), &refs(&p))?
        .into_iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>()
        .join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_a_term_are_text() {
        assert_eq!(pattern("100%"), "%100\\%%");
        assert_eq!(pattern("a_b\\c"), "%a\\_b\\\\c%");
        assert_eq!(pattern("見積"), "%見積%");
    }

    #[test]
    fn every_term_is_one_condition_and_an_empty_query_none() {
        let (sql, p) = plan(SearchKind::Deals, "見積書 再送する 見積書", 10).unwrap();
        let patterns: Vec<String> = p.0.iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(
            patterns,
            [r#"Text("%見積書%")"#, r#"Text("%再送する%")"#].map(String::from)
        );
        assert!(sql.contains("ILIKE $2") && !sql.contains("$3"), "{sql}");
        assert!(plan(SearchKind::Companies, "  \u{3000} ", 10).is_none());
    }

    #[test]
    fn a_two_character_term_is_looked_for_doubled_in_the_doubled_text() {
        let mut p = Params::default();
        assert_eq!(
            holds_term("(t)", "田中", &mut p),
            "regexp_replace((t), '(.)', '\\1\\1', 'g') LIKE ?1"
        );
        assert_eq!(holds_term("(t)", "林", &mut p), "(t) LIKE ?2");
        assert_eq!(
            holds_term("(t)", "a%", &mut p),
            "regexp_replace((t), '(.)', '\\1\\1', 'g') LIKE ?3"
        );
        assert_eq!(holds_term("(t)", "見積書", &mut p), "(t) LIKE ?4");
        let patterns: Vec<String> = p.0.iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(
            patterns,
            [
                r#"Text("%田田中中%")"#,
                r#"Text("%林%")"#,
                r#"Text("%aa\\%\\%%")"#,
                r#"Text("%見積書%")"#
            ]
            .map(String::from)
        );
    }
}
