-- Work a desktop kept in its local outbox while the share was unreachable
-- carries an id; applying it records the id in the same transaction, so the
-- same piece of work is never applied twice (a write that timed out may
-- still have landed before it was queued).
CREATE TABLE applied_ops (
    op_id      TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL,
    user_id    TEXT
);
CREATE INDEX applied_ops_at ON applied_ops(applied_at);
