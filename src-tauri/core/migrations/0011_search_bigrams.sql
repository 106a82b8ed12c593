-- Kizuna schema: search finds words of one and two characters in every record (issue 11).
--
-- The trigram indexes of migration 0003 hold nothing shorter than three
-- characters, so 田中, 稟議, 見積 or 林 (the commonest Japanese names and
-- terms) were only looked for, with LIKE, among the newest entries. Beside
-- each trigram index there is now a bigram index: one token per pair of
-- neighbouring characters (田中 in 田中様 gives 田中 and 中様), plus the last
-- character of a run on its own, so that a one-character query is a prefix
-- lookup and a two-character query one token (search.rs).
--
-- How a token is written: each character as six hexadecimal digits of its
-- code point, lowercase ASCII first (SQLite's lower(), the same folding the
-- query applies), so "田中" is 007530004e2d. The 'ascii' tokenizer keeps
-- such a token whole, and with fixed-width characters the prefix index on six
-- digits answers a one-character query without merging every pair that starts
-- with it. White space never starts or ends a pair (a query term never holds
-- any), and the columns of a row are joined by a line break, so no pair spans
-- two of them.
--
-- The tokens are made here in SQL, by the triggers, so the file stays
-- writable by any SQLite with FTS5 (3.43+, as contentless_delete already
-- needs): no function of Kizuna's has to be registered on a connection for a
-- write to succeed. The text is cut into chunks of 4096 and then 64
-- characters before it is paired, because substr() walks a UTF-8 string from
-- its start: pairing a long text directly would cost its length squared (a
-- 100,000-character minutes field: seconds; this way about 70 ms).
-- The same expression appears in every trigger and in the backfill below:
-- SQL has no functions of its own to put it in once, and one registered
-- from Rust is what this file avoids.
--
-- Each table covers the same columns as its trigram twin (a deal's lost
-- reason, detail and competitor since 0007; an entry the engine wrote by its
-- words in every language, search_text, since 0009).
--
-- The tables are contentless like the trigram ones (no copy of the text),
-- with contentless_delete=1 so a trigger removes a row by its rowid alone,
-- and detail=none: a query term is a single token here, so positions are
-- never needed and the index keeps only which rows hold each pair.

-- companies
CREATE VIRTUAL TABLE companies_bigrams USING fts5(
    grams, content='', contentless_delete=1, detail=none, tokenize='ascii', prefix='6');
CREATE TRIGGER companies_bigrams_insert AFTER INSERT ON companies WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO companies_bigrams (rowid, grams) VALUES (new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.name || char(10) || new.name_kana || char(10) || new.industry) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288))));
END;
CREATE TRIGGER companies_bigrams_update AFTER UPDATE OF name, name_kana, industry, deleted_at ON companies BEGIN
    DELETE FROM companies_bigrams WHERE rowid = old.rowid;
    INSERT INTO companies_bigrams (rowid, grams) SELECT new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.name || char(10) || new.name_kana || char(10) || new.industry) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
    WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER companies_bigrams_delete AFTER DELETE ON companies BEGIN
    DELETE FROM companies_bigrams WHERE rowid = old.rowid;
END;

-- contacts
CREATE VIRTUAL TABLE contacts_bigrams USING fts5(
    grams, content='', contentless_delete=1, detail=none, tokenize='ascii', prefix='6');
CREATE TRIGGER contacts_bigrams_insert AFTER INSERT ON contacts WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO contacts_bigrams (rowid, grams) VALUES (new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.name || char(10) || new.name_kana || char(10) || new.email) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288))));
END;
CREATE TRIGGER contacts_bigrams_update AFTER UPDATE OF name, name_kana, email, deleted_at ON contacts BEGIN
    DELETE FROM contacts_bigrams WHERE rowid = old.rowid;
    INSERT INTO contacts_bigrams (rowid, grams) SELECT new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.name || char(10) || new.name_kana || char(10) || new.email) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
    WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER contacts_bigrams_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_bigrams WHERE rowid = old.rowid;
END;

-- deals
CREATE VIRTUAL TABLE deals_bigrams USING fts5(
    grams, content='', contentless_delete=1, detail=none, tokenize='ascii', prefix='6');
CREATE TRIGGER deals_bigrams_insert AFTER INSERT ON deals WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO deals_bigrams (rowid, grams) VALUES (new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.title || char(10) || new.notes || char(10) || COALESCE(new.lost_reason, '') || char(10) || COALESCE(new.lost_detail, '') || char(10) || COALESCE(new.lost_to, '')) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288))));
END;
CREATE TRIGGER deals_bigrams_update AFTER UPDATE OF title, notes, lost_reason, lost_detail, lost_to, deleted_at ON deals BEGIN
    DELETE FROM deals_bigrams WHERE rowid = old.rowid;
    INSERT INTO deals_bigrams (rowid, grams) SELECT new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.title || char(10) || new.notes || char(10) || COALESCE(new.lost_reason, '') || char(10) || COALESCE(new.lost_detail, '') || char(10) || COALESCE(new.lost_to, '')) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
    WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER deals_bigrams_delete AFTER DELETE ON deals BEGIN
    DELETE FROM deals_bigrams WHERE rowid = old.rowid;
END;

-- activities
CREATE VIRTUAL TABLE activities_bigrams USING fts5(
    grams, content='', contentless_delete=1, detail=none, tokenize='ascii', prefix='6');
CREATE TRIGGER activities_bigrams_insert AFTER INSERT ON activities WHEN new.deleted_at IS NULL AND new.kind NOT IN ('stage_change', 'system') BEGIN
    INSERT INTO activities_bigrams (rowid, grams) VALUES (new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(COALESCE(new.search_text, new.summary) || char(10) || new.body || char(10) || new.minutes || char(10) || new.next_todos) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288))));
END;
CREATE TRIGGER activities_bigrams_update AFTER UPDATE OF summary, search_text, body, minutes, next_todos, kind, deleted_at ON activities BEGIN
    DELETE FROM activities_bigrams WHERE rowid = old.rowid;
    INSERT INTO activities_bigrams (rowid, grams) SELECT new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(COALESCE(new.search_text, new.summary) || char(10) || new.body || char(10) || new.minutes || char(10) || new.next_todos) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
    WHERE new.deleted_at IS NULL AND new.kind NOT IN ('stage_change', 'system');
END;
CREATE TRIGGER activities_bigrams_delete AFTER DELETE ON activities BEGIN
    DELETE FROM activities_bigrams WHERE rowid = old.rowid;
END;

-- What the file already holds.
INSERT INTO companies_bigrams (rowid, grams) SELECT x.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(x.name || char(10) || x.name_kana || char(10) || x.industry) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
FROM companies x WHERE x.deleted_at IS NULL;
INSERT INTO contacts_bigrams (rowid, grams) SELECT x.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(x.name || char(10) || x.name_kana || char(10) || x.email) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
FROM contacts x WHERE x.deleted_at IS NULL;
INSERT INTO deals_bigrams (rowid, grams) SELECT x.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(x.title || char(10) || x.notes || char(10) || COALESCE(x.lost_reason, '') || char(10) || COALESCE(x.lost_detail, '') || char(10) || COALESCE(x.lost_to, '')) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
FROM deals x WHERE x.deleted_at IS NULL;
INSERT INTO activities_bigrams (rowid, grams) SELECT x.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(COALESCE(x.search_text, x.summary) || char(10) || x.body || char(10) || x.minutes || char(10) || x.next_todos) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
FROM activities x WHERE x.deleted_at IS NULL AND x.kind NOT IN ('stage_change', 'system');
