-- Kizuna: the contacts a touch was with, and lost deals found by search (issue 11).

-- The people met on a touch (a meeting with the section chief and her
-- engineer): one row per contact, in the order the user picked them. A link
-- table rather than a JSON list in a column, so a contact's own history can
-- be read through an index, and the rows name real contacts.
--
-- activities.contact_id stays, holding the first contact picked: an older
-- Kizuna that opens a newer file read-only still shows who was met, and
-- nothing that reads it has to change. The link rows are the whole list.
-- A contact deleted later (softly) keeps its rows: the entry is history.
CREATE TABLE activity_contacts (
    activity_id TEXT NOT NULL REFERENCES activities(id),
    contact_id  TEXT NOT NULL REFERENCES contacts(id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (activity_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX activity_contacts_contact ON activity_contacts(contact_id);

-- Touches logged so far name at most one contact (sample data, the engine's
-- own callers); stage changes copy the deal's contact as bookkeeping and are
-- not meetings with anyone.
INSERT INTO activity_contacts (activity_id, contact_id, position)
SELECT id, contact_id, 0 FROM activities
 WHERE contact_id IS NOT NULL AND kind NOT IN ('stage_change', 'system');

-- Search over deals also finds why a deal was lost: the reason, the detail
-- typed with it (詳細), and the competitor who won. The index is contentless
-- (migration 0003), so its columns cannot be altered: it is built again
-- with the new columns, still with the trigram tokenizer, from the rows
-- the file holds. A deal that leaves 失注 has these cleared (deal.rs), and
-- the update trigger takes them out of the index with it.
DROP TRIGGER deals_fts_insert;
DROP TRIGGER deals_fts_update;
DROP TRIGGER deals_fts_delete;
DROP TABLE deals_fts;

CREATE VIRTUAL TABLE deals_fts USING fts5(
    title, notes, lost_reason, lost_detail, lost_to,
    content='', contentless_delete=1, tokenize='trigram');

CREATE TRIGGER deals_fts_insert AFTER INSERT ON deals WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO deals_fts (rowid, title, notes, lost_reason, lost_detail, lost_to)
    VALUES (new.rowid, new.title, new.notes, new.lost_reason, new.lost_detail, new.lost_to);
END;
CREATE TRIGGER deals_fts_update
AFTER UPDATE OF title, notes, lost_reason, lost_detail, lost_to, deleted_at ON deals BEGIN
    DELETE FROM deals_fts WHERE rowid = old.rowid;
    INSERT INTO deals_fts (rowid, title, notes, lost_reason, lost_detail, lost_to)
    SELECT new.rowid, new.title, new.notes, new.lost_reason, new.lost_detail, new.lost_to
     WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER deals_fts_delete AFTER DELETE ON deals BEGIN
    DELETE FROM deals_fts WHERE rowid = old.rowid;
END;

INSERT INTO deals_fts (rowid, title, notes, lost_reason, lost_detail, lost_to)
SELECT rowid, title, notes, lost_reason, lost_detail, lost_to FROM deals WHERE deleted_at IS NULL;
