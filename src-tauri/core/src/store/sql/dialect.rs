//! The file's spelling of a statement in the server's dialect. Only what
//! both understand differently is rewritten, outside quoted text and names:
//! placeholders (`?1` → `$1`) and `LIKE` (which folds ASCII case in SQLite
//! and not in PostgreSQL) → `ILIKE`.

/// `sql` as the server reads it.
pub fn for_server(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            // A quoted literal or name, with its doubled quotes, as it is.
            '\'' | '"' => {
                out.push(c);
                while let Some((_, d)) = chars.next() {
                    out.push(d);
                    if d == c {
                        if chars.peek().map(|(_, n)| *n) == Some(c) {
                            out.push(c);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            // A comment to the end of its line, as it is (an apostrophe in
            // it is no quote).
            '-' if chars.peek().map(|(_, n)| *n) == Some('-') => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' if chars.peek().is_some_and(|(_, n)| n.is_ascii_digit()) => out.push('$'),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = at + c.len_utf8();
                while let Some(&(i, n)) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        end = i + n.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &sql[at..end];
                if word.eq_ignore_ascii_case("like") {
                    out.push_str("ILIKE");
                } else {
                    out.push_str(word);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::for_server;

    #[test]
    fn placeholders_and_like_are_the_servers_and_quoted_text_is_left_alone() {
        assert_eq!(
            for_server("SELECT id FROM t WHERE (?1 IS NULL OR name LIKE ?12 ESCAPE '\\') AND x = ?2"),
            "SELECT id FROM t WHERE ($1 IS NULL OR name ILIKE $12 ESCAPE '\\') AND x = $2"
        );
        assert_eq!(
            for_server("SELECT 'is ?1 like it''s ?2', \"like\" FROM t WHERE a NOT like ?3"),
            "SELECT 'is ?1 like it''s ?2', \"like\" FROM t WHERE a NOT ILIKE $3"
        );
        // Words that only contain the letters, and ILIKE itself, stay.
        assert_eq!(
            for_server("SELECT unlikely, likes, ILIKE_x FROM t WHERE b ILIKE ?1"),
            "SELECT unlikely, likes, ILIKE_x FROM t WHERE b ILIKE $1"
        );
        assert_eq!(
            for_server("SELECT a -- it's like ?1\n FROM t WHERE b = ?1"),
            "SELECT a -- it's like ?1\n FROM t WHERE b = $1"
        );
        // Japanese in literals and names passes through whole.
        assert_eq!(
            for_server("SELECT '見積?1' WHERE 名前 = ?1"),
            "SELECT '見積?1' WHERE 名前 = $1"
        );
    }
}
