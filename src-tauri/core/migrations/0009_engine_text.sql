-- Text the engine writes is stored as what happened (issue 11): a kind and
-- its parameters (engine_text/mod.rs), rendered in each reader's language.
-- The text columns stay filled, in the writer's language, for a version
-- that does not know a kind. A step in Rust after this file
-- (engine_text/legacy.rs) recognises the Japanese sentences older versions
-- wrote and fills these columns for them.

-- The title of a follow-up the engine planned (next appointment, decision
-- deadline, re-approach, renewal work); NULL for one a person titled.
ALTER TABLE follow_ups ADD COLUMN text_kind TEXT;
ALTER TABLE follow_ups ADD COLUMN text_params TEXT;      -- JSON object

-- The summary of an entry the engine recorded (stage changes, contract
-- events, a thank-you mail without subject); NULL for one a person wrote.
ALTER TABLE activities ADD COLUMN text_kind TEXT;
ALTER TABLE activities ADD COLUMN text_params TEXT;      -- JSON object
-- Such an entry in every language, one per line: the search index holds
-- this instead of the summary, so it is found in either language.
ALTER TABLE activities ADD COLUMN search_text TEXT;

DROP TRIGGER IF EXISTS activities_fts_insert;
DROP TRIGGER IF EXISTS activities_fts_update;
CREATE TRIGGER activities_fts_insert AFTER INSERT ON activities
WHEN new.deleted_at IS NULL AND new.kind NOT IN ('stage_change', 'system') BEGIN
    INSERT INTO activities_fts (rowid, summary, body, minutes, next_todos)
    VALUES (new.rowid, COALESCE(new.search_text, new.summary), new.body, new.minutes, new.next_todos);
END;
CREATE TRIGGER activities_fts_update
AFTER UPDATE OF summary, search_text, body, minutes, next_todos, kind, deleted_at ON activities BEGIN
    DELETE FROM activities_fts WHERE rowid = old.rowid;
    INSERT INTO activities_fts (rowid, summary, body, minutes, next_todos)
    SELECT new.rowid, COALESCE(new.search_text, new.summary), new.body, new.minutes, new.next_todos
    WHERE new.deleted_at IS NULL AND new.kind NOT IN ('stage_change', 'system');
END;
