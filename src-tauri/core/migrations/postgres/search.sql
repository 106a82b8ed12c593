-- The search's indexes (timeline/server_search.rs; the file's are FTS5
-- tables kept by triggers, timeline/search.rs). Per kind, over the same
-- fields joined by a line break, as the file's index keeps them apart (a
-- term never matches across two fields):
--  - `*_search`, a trigram GIN index: pg_trgm answers ILIKE '%term%' from
--    it for a term of three characters or more, Japanese included, in a
--    database whose ctype is C.UTF-8 (or any UTF-8 locale);
--  - `*_search_pairs`, a trigram GIN index over the same text with every
--    character doubled: a term of two characters (田中, 見積), which has no
--    trigram of its own, is looked for doubled (田田中中), and the doubled
--    text holds that exactly where the text holds 田中.
-- Each expression is server_search.rs's, character for character: the
-- planner uses an expression index only for the same expression.
--
-- Not partial (no `WHERE deleted_at IS NULL`): PostgreSQL keeps statistics
-- of an index's expression only for an index over the whole table, and
-- without them it guessed that a common word (見積, in a quarter of 100,000
-- leads) was in ten, went through the index and checked 25,000 rows again
-- (250 ms); with them it reads the newest rows first and stops (3 ms).
--
-- Not a numbered migration: the server's schema version is the team
-- file's, and these change no table's shape. `kizuna server init` runs
-- this after the migrations every time, so a server set up by an earlier
-- Kizuna gets them (and loses its partial ones) when its admin runs init
-- again. On a large team the build takes about a minute, and saves wait
-- for it.
DO $$
DECLARE
    old text;
BEGIN
    FOR old IN
        SELECT c.relname FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND i.indpred IS NOT NULL
           AND c.relname IN ('companies_search', 'contacts_search', 'deals_search',
                             'activities_search', 'leads_search')
    LOOP
        EXECUTE format('DROP INDEX %I', old);
    END LOOP;
END
$$;
CREATE INDEX IF NOT EXISTS companies_search ON companies USING gin ((
    COALESCE(name, '') || E'\n' || COALESCE(name_kana, '') || E'\n' || COALESCE(industry, '')
) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS companies_search_pairs ON companies USING gin (regexp_replace((
    COALESCE(name, '') || E'\n' || COALESCE(name_kana, '') || E'\n' || COALESCE(industry, '')
), '(.)', '\1\1', 'g') gin_trgm_ops);
CREATE INDEX IF NOT EXISTS contacts_search ON contacts USING gin ((
    COALESCE(name, '') || E'\n' || COALESCE(name_kana, '') || E'\n' || COALESCE(email, '')
) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS contacts_search_pairs ON contacts USING gin (regexp_replace((
    COALESCE(name, '') || E'\n' || COALESCE(name_kana, '') || E'\n' || COALESCE(email, '')
), '(.)', '\1\1', 'g') gin_trgm_ops);
CREATE INDEX IF NOT EXISTS deals_search ON deals USING gin ((
    COALESCE(title, '') || E'\n' || COALESCE(notes, '') || E'\n' || COALESCE(lost_detail, '')
    || E'\n' || COALESCE(lost_to, '') || E'\n' || COALESCE(lost_reason, '')
) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS deals_search_pairs ON deals USING gin (regexp_replace((
    COALESCE(title, '') || E'\n' || COALESCE(notes, '') || E'\n' || COALESCE(lost_detail, '')
    || E'\n' || COALESCE(lost_to, '') || E'\n' || COALESCE(lost_reason, '')
), '(.)', '\1\1', 'g') gin_trgm_ops);
CREATE INDEX IF NOT EXISTS activities_search ON activities USING gin ((
    COALESCE(COALESCE(search_text, summary), '') || E'\n' || COALESCE(minutes, '') || E'\n'
    || COALESCE(body, '') || E'\n' || COALESCE(next_todos, '')
) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS activities_search_pairs ON activities USING gin (regexp_replace((
    COALESCE(COALESCE(search_text, summary), '') || E'\n' || COALESCE(minutes, '') || E'\n'
    || COALESCE(body, '') || E'\n' || COALESCE(next_todos, '')
), '(.)', '\1\1', 'g') gin_trgm_ops);
CREATE INDEX IF NOT EXISTS leads_search ON leads USING gin ((
    COALESCE(person_name, '') || E'\n' || COALESCE(company_name, '') || E'\n' || COALESCE(mail, '')
    || E'\n' || COALESCE(phone, '') || E'\n' || COALESCE(message, '')
) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS leads_search_pairs ON leads USING gin (regexp_replace((
    COALESCE(person_name, '') || E'\n' || COALESCE(company_name, '') || E'\n' || COALESCE(mail, '')
    || E'\n' || COALESCE(phone, '') || E'\n' || COALESCE(message, '')
), '(.)', '\1\1', 'g') gin_trgm_ops);
