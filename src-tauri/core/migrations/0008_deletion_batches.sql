-- Deleting a deal or a customer, and undoing it (issue 11).
--
-- One delete can take several rows with it (a customer's deals, contracts,
-- contacts and open follow-ups; a deal's open follow-ups). Every row one
-- delete marks gets the same deletion_id beside its deleted_at, so "Undo"
-- puts back exactly those rows and never one that was removed earlier on
-- its own. Restoring clears both columns.
ALTER TABLE companies ADD COLUMN deletion_id TEXT;
ALTER TABLE deals ADD COLUMN deletion_id TEXT;
ALTER TABLE contracts ADD COLUMN deletion_id TEXT;
ALTER TABLE contacts ADD COLUMN deletion_id TEXT;
ALTER TABLE follow_ups ADD COLUMN deletion_id TEXT;

CREATE INDEX companies_deletion ON companies(deletion_id) WHERE deletion_id IS NOT NULL;
CREATE INDEX deals_deletion ON deals(deletion_id) WHERE deletion_id IS NOT NULL;
CREATE INDEX contracts_deletion ON contracts(deletion_id) WHERE deletion_id IS NOT NULL;
CREATE INDEX contacts_deletion ON contacts(deletion_id) WHERE deletion_id IS NOT NULL;
CREATE INDEX follow_ups_deletion ON follow_ups(deletion_id) WHERE deletion_id IS NOT NULL;
