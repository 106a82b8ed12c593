-- Kizuna schema v3: customers, the customer timeline and global search (issue 5).

-- The timeline filtered by kind ("only meetings"): one index range per kind,
-- merged newest first (timeline.rs), so a filtered page costs the same for a
-- rare kind as for a common one. Without it a filter for a kind the customer
-- has few of walked the whole customer's history, row by row.
CREATE INDEX activities_company_kind_time ON activities(company_id, kind, occurred_at DESC, id DESC);

-- The appointment follow-up planned from a meeting log is found again when
-- the log is edited or deleted.
CREATE INDEX follow_ups_activity ON follow_ups(activity_id) WHERE activity_id IS NOT NULL;

-- Buying-signal codes: "asked_questions" (written by earlier sample data)
-- became the fixed code "questions_after_meeting".
UPDATE activities SET signals = replace(signals, '"asked_questions"', '"questions_after_meeting"')
 WHERE signals LIKE '%"asked_questions"%';

-- Global search: FTS5 with the trigram tokenizer, so Japanese text, which
-- has no spaces between words, is found by any substring of 3 or more
-- characters (shorter queries fall back to LIKE, search.rs). Case is folded.
--
-- The tables are contentless (`content=''`): the text stays only in the
-- tables themselves, the index adds no copy. `contentless_delete=1` lets a
-- trigger remove a row by its rowid alone, so an edit or a soft delete can
-- never leave stale terms behind (an external-content table needs the exact
-- old text for that and silently corrupts itself when it differs).
--
-- Each index row is keyed by the rowid of its source row. The source tables
-- have a TEXT PRIMARY KEY, i.e. an index over their rowids, and SQLite keeps
-- such rowids through VACUUM (search.rs has a test that would notice a change).
--
-- Only live rows are indexed: soft-deleted rows leave the index, and stage
-- changes and system entries (bookkeeping whose body is JSON) never enter it.

CREATE VIRTUAL TABLE companies_fts USING fts5(
    name, name_kana, industry,
    content='', contentless_delete=1, tokenize='trigram');
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    name, name_kana, email,
    content='', contentless_delete=1, tokenize='trigram');
CREATE VIRTUAL TABLE deals_fts USING fts5(
    title, notes,
    content='', contentless_delete=1, tokenize='trigram');
CREATE VIRTUAL TABLE activities_fts USING fts5(
    summary, body, minutes, next_todos,
    content='', contentless_delete=1, tokenize='trigram');

-- companies
CREATE TRIGGER companies_fts_insert AFTER INSERT ON companies WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO companies_fts (rowid, name, name_kana, industry)
    VALUES (new.rowid, new.name, new.name_kana, new.industry);
END;
CREATE TRIGGER companies_fts_update AFTER UPDATE OF name, name_kana, industry, deleted_at ON companies BEGIN
    DELETE FROM companies_fts WHERE rowid = old.rowid;
    INSERT INTO companies_fts (rowid, name, name_kana, industry)
    SELECT new.rowid, new.name, new.name_kana, new.industry WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER companies_fts_delete AFTER DELETE ON companies BEGIN
    DELETE FROM companies_fts WHERE rowid = old.rowid;
END;

-- contacts
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO contacts_fts (rowid, name, name_kana, email)
    VALUES (new.rowid, new.name, new.name_kana, new.email);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, name_kana, email, deleted_at ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.rowid;
    INSERT INTO contacts_fts (rowid, name, name_kana, email)
    SELECT new.rowid, new.name, new.name_kana, new.email WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.rowid;
END;

-- deals
CREATE TRIGGER deals_fts_insert AFTER INSERT ON deals WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO deals_fts (rowid, title, notes) VALUES (new.rowid, new.title, new.notes);
END;
CREATE TRIGGER deals_fts_update AFTER UPDATE OF title, notes, deleted_at ON deals BEGIN
    DELETE FROM deals_fts WHERE rowid = old.rowid;
    INSERT INTO deals_fts (rowid, title, notes)
    SELECT new.rowid, new.title, new.notes WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER deals_fts_delete AFTER DELETE ON deals BEGIN
    DELETE FROM deals_fts WHERE rowid = old.rowid;
END;

-- activities
CREATE TRIGGER activities_fts_insert AFTER INSERT ON activities
WHEN new.deleted_at IS NULL AND new.kind NOT IN ('stage_change', 'system') BEGIN
    INSERT INTO activities_fts (rowid, summary, body, minutes, next_todos)
    VALUES (new.rowid, new.summary, new.body, new.minutes, new.next_todos);
END;
CREATE TRIGGER activities_fts_update AFTER UPDATE OF summary, body, minutes, next_todos, kind, deleted_at ON activities BEGIN
    DELETE FROM activities_fts WHERE rowid = old.rowid;
    INSERT INTO activities_fts (rowid, summary, body, minutes, next_todos)
    SELECT new.rowid, new.summary, new.body, new.minutes, new.next_todos
    WHERE new.deleted_at IS NULL AND new.kind NOT IN ('stage_change', 'system');
END;
CREATE TRIGGER activities_fts_delete AFTER DELETE ON activities BEGIN
    DELETE FROM activities_fts WHERE rowid = old.rowid;
END;

-- Backfill what a v2 database already holds.
INSERT INTO companies_fts (rowid, name, name_kana, industry)
SELECT rowid, name, name_kana, industry FROM companies WHERE deleted_at IS NULL;
INSERT INTO contacts_fts (rowid, name, name_kana, email)
SELECT rowid, name, name_kana, email FROM contacts WHERE deleted_at IS NULL;
INSERT INTO deals_fts (rowid, title, notes)
SELECT rowid, title, notes FROM deals WHERE deleted_at IS NULL;
INSERT INTO activities_fts (rowid, summary, body, minutes, next_todos)
SELECT rowid, summary, body, minutes, next_todos FROM activities
 WHERE deleted_at IS NULL AND kind NOT IN ('stage_change', 'system');
