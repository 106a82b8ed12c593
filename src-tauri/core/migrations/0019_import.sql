-- Import from Excel and CSV (issue 17).
--
-- One import is one batch. Every row it added or changed is listed in
-- import_batch_rows with the version it left the row at, so Undo removes
-- exactly what the import added (and puts back what it changed) and can
-- tell a row a colleague has since edited (its version moved) from one
-- nobody touched: those it refuses, naming them.
CREATE TABLE import_batches (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 1,
    kind        TEXT NOT NULL,              -- companies / contacts / deals
    file_name   TEXT NOT NULL,
    layout_key  TEXT NOT NULL,
    status      TEXT NOT NULL,              -- running / done / cancelled / undone
    rows_total  INTEGER NOT NULL DEFAULT 0,
    added       INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    undone_at   TEXT,
    created_by  TEXT NOT NULL REFERENCES users(id),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX import_batches_started ON import_batches(started_at DESC);

CREATE TABLE import_batch_rows (
    batch_id  TEXT NOT NULL REFERENCES import_batches(id),
    entity    TEXT NOT NULL,               -- company / contact / deal
    row_id    TEXT NOT NULL,
    action    TEXT NOT NULL,               -- insert / update
    -- The row's version right after the import wrote it.
    version   INTEGER NOT NULL,
    -- For an update: the fields as they were, to put back on undo.
    before    TEXT,
    PRIMARY KEY (batch_id, entity, row_id)
);

-- The column mapping a team chose for a file layout (its header row,
-- normalised), so the next export of the same system is mapped already.
CREATE TABLE import_mappings (
    layout_key TEXT NOT NULL,
    kind       TEXT NOT NULL,
    columns    TEXT NOT NULL,              -- JSON: a field (or null) per column
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (layout_key, kind)
);
