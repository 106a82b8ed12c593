-- Kizuna schema v5: renewal management (先行管理, issue 7).

-- Per-contract lead times (NULL: the team's), and what the renewal steps
-- recorded: the hearing's satisfaction (1–5) and the problems heard, the
-- proposal's kind (same / upsell / downsell) and amount, when it was
-- decided, and the period that followed.
ALTER TABLE contracts ADD COLUMN hearing_days INTEGER;
ALTER TABLE contracts ADD COLUMN proposal_days INTEGER;
ALTER TABLE contracts ADD COLUMN satisfaction INTEGER;
ALTER TABLE contracts ADD COLUMN hearing_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE contracts ADD COLUMN proposal_kind TEXT;
ALTER TABLE contracts ADD COLUMN proposed_amount INTEGER;
ALTER TABLE contracts ADD COLUMN decided_at TEXT;
ALTER TABLE contracts ADD COLUMN next_contract_id TEXT REFERENCES contracts(id);

-- Which renewal step a renewal follow-up stands for, so reaching the step
-- completes it.
ALTER TABLE follow_ups ADD COLUMN renewal_step TEXT;
CREATE INDEX follow_ups_contract ON follow_ups(contract_id) WHERE contract_id IS NOT NULL;
-- The renewal rate reads decided contracts by end date.
CREATE INDEX contracts_status_end ON contracts(status, end_date) WHERE deleted_at IS NULL;
