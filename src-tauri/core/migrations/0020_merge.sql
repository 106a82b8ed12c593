-- Merging duplicates (docs/duplicates.md).
--
-- A merged-away company or contact keeps its id here, pointing at the record
-- it was merged into: colleagues' open screens and queued outbox work that
-- name the old id still resolve. Kept flat: merging a survivor again moves
-- its aliases along, so one lookup always answers.
CREATE TABLE merged_ids (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('company','contact')),
    survivor_id TEXT NOT NULL,
    merged_at   TEXT NOT NULL,
    merged_by   TEXT REFERENCES users(id)
);
CREATE INDEX merged_ids_survivor ON merged_ids(survivor_id);

-- Pairs someone said are not duplicates: not offered again to anyone.
-- The two ids in text order, so a pair has one row whichever side was asked.
CREATE TABLE duplicate_dismissals (
    kind         TEXT NOT NULL CHECK (kind IN ('company','contact')),
    first_id     TEXT NOT NULL,
    second_id    TEXT NOT NULL,
    dismissed_at TEXT NOT NULL,
    dismissed_by TEXT REFERENCES users(id),
    PRIMARY KEY (kind, first_id, second_id)
);
