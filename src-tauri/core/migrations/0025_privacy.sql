-- Personal-data requests and the audit trail (issue 20, docs/security.md).

-- That a person's data was erased, by whom and when, and which record it
-- was: never what was erased (that would keep a copy of it). An auditor
-- sees the erasure in the trail; the row is all that is left of the person.
CREATE TABLE erasures (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('contact')),
    record_id    TEXT NOT NULL,
    erased_at    TEXT NOT NULL,
    erased_by    TEXT REFERENCES users(id),
    rows_changed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX erasures_at ON erasures(erased_at);

-- Mail addresses never to be mailed again, kept only as a salted SHA-256
-- (privacy/suppression via mail/suppression.rs): an erased person who
-- comes back through an import or a new inquiry is still not mailed by a
-- sequence or the nurture newsletter, yet the list does not say who they were.
CREATE TABLE mail_suppressions (
    hash     TEXT PRIMARY KEY,
    reason   TEXT NOT NULL CHECK (reason IN ('erased')),
    added_at TEXT NOT NULL
);

-- The audit trail screen (Settings → 変更履歴) pages newest first, for the
-- whole team or one member, by keyset (at, id): each page is an index range.
CREATE INDEX audit_at ON audit_log(at DESC, id DESC);
CREATE INDEX audit_user_at ON audit_log(user_id, at DESC, id DESC);
CREATE INDEX audit_entity_at ON audit_log(entity, entity_id, at DESC, id DESC);
