-- Archiving a customer (issue 17): a company the team no longer works with
-- but keeps — its history, contracts and contacts stay, search still finds
-- it (marked archived), and it leaves the customer list, the board and the
-- reminders by default. Unlike deleted_at, archived rows are live data: an
-- archived customer can be opened, edited, exported and unarchived.
ALTER TABLE companies ADD COLUMN archived_at TEXT;
ALTER TABLE companies ADD COLUMN archived_by TEXT REFERENCES users(id);

CREATE INDEX companies_archived ON companies(archived_at) WHERE archived_at IS NOT NULL;
