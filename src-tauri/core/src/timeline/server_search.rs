//! Search on the team server: the same kinds, fields and reading of a
//! query as the file's search (timeline/search.rs), answered by `pg_trgm`
//! trigram GIN indexes (migrations/postgres/0023_baseline.sql) instead of
//! FTS5. Each term must be found, literally (`%`, `_` and `\` are text),
//! case folded; a term of one or two characters is found too (the index
//! narrows nothing for it, and PostgreSQL reads the rows).
//!
//! The text expressions below are the indexes' own, character for
//! character: PostgreSQL uses an expression index only for the same
//! expression. tests/team_server.rs checks that both stores find the same
//! records for the same queries, and that the server plans the index.

use crate::error::Result;
use crate::timeline::search::{query_terms, SearchKind};
use postgres::types::ToSql;
use postgres::Client;

struct Source {
    table: &'static str,
    text: &'static str,
    join: &'static str,
    filter: &'static str,
    order: &'static str,
}

const COMPANIES: Source = Source {
    table: "companies",
    text: "(x.name || E'\\n' || x.name_kana || E'\\n' || x.industry)",
    join: "",
    filter: "",
    // The file's order: by reading, names without one last; "C" so text
    // compares by code point, as SQLite does.
    order: "x.name_kana = '', x.name_kana COLLATE \"C\", x.name COLLATE \"C\", x.id",
};
const CONTACTS: Source = Source {
    table: "contacts",
    text: "(x.name || E'\\n' || x.name_kana || E'\\n' || x.email)",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    filter: "",
    order: "x.name_kana = '', x.name_kana COLLATE \"C\", x.name COLLATE \"C\", x.id",
};
const DEALS: Source = Source {
    table: "deals",
    text:
        "(x.title || E'\\n' || x.notes || E'\\n' || COALESCE(x.lost_detail, '') || E'\\n' || COALESCE(x.lost_to, '') \
           || E'\\n' || COALESCE(x.lost_reason, ''))",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    filter: "",
    // Newest first: ids are UUIDv7, in the order they were made.
    order: "x.id DESC",
};
const ACTIVITIES: Source = Source {
    table: "activities",
    text: "(COALESCE(x.search_text, x.summary) || E'\\n' || x.minutes || E'\\n' || x.body || E'\\n' || x.next_todos)",
    join: "JOIN companies co ON co.id = x.company_id AND co.deleted_at IS NULL",
    // What the engine notes by itself (a stage moved) is not searched.
    filter: " AND x.kind NOT IN ('stage_change', 'system')",
    order: "x.id DESC",
};

fn source(kind: SearchKind) -> &'static Source {
    match kind {
        SearchKind::Companies => &COMPANIES,
        SearchKind::Contacts => &CONTACTS,
        SearchKind::Deals => &DEALS,
        SearchKind::Activities => &ACTIVITIES,
    }
}

/// The SQL and patterns for `kind` and `query`; `None` for a query with no term.
fn plan(kind: SearchKind, query: &str, limit: i64) -> Option<(String, Vec<String>)> {
    let terms = query_terms(query);
    if terms.is_empty() {
        return None;
    }
    let s = source(kind);
    let mut sql = format!(
        "SELECT x.id FROM {table} x {join} WHERE x.deleted_at IS NULL{filter}",
        table = s.table,
        join = s.join,
        filter = s.filter
    );
    for i in 1..=terms.len() {
        sql.push_str(&format!(" AND {} ILIKE ${i}", s.text));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {limit}", s.order));
    Some((sql, terms.iter().map(|t| pattern(t)).collect()))
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
    let Some((sql, patterns)) = plan(kind, query, limit) else {
        return Ok(Vec::new());
    };
    let params: Vec<&(dyn ToSql + Sync)> = patterns.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    Ok(client.query(&sql, &params)?.into_iter().map(|r| r.get(0)).collect())
}

/// The query plan PostgreSQL chooses for `kind` and `query`, for tests and
/// the benchmark to see whether the trigram index answers.
#[doc(hidden)]
pub fn explain(client: &mut Client, kind: SearchKind, query: &str) -> Result<String> {
    let Some((sql, patterns)) = plan(kind, query, 20) else {
        return Ok(String::new());
    };
    let params: Vec<&(dyn ToSql + Sync)> = patterns.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    Ok(client
        .query(&format!("EXPLAIN {sql}"), &params)?
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
        let (sql, p) = plan(SearchKind::Deals, "見積 再送 見積", 10).unwrap();
        assert_eq!(p, vec!["%見積%".to_string(), "%再送%".to_string()]);
        assert!(sql.contains("ILIKE $2") && !sql.contains("$3"), "{sql}");
        assert!(plan(SearchKind::Companies, "  \u{3000} ", 10).is_none());
    }
}
