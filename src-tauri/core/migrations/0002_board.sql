-- Kizuna schema v2: the pipeline board (issue 4).

-- The free text about a lost deal, kept apart from the reason itself so lost
-- deals can be counted by reason (the reason is one of the team's presets
-- or a short typed one).
ALTER TABLE deals ADD COLUMN lost_detail TEXT;

-- The board asks, for each of up to 10,000 deals, for its next open
-- follow-up: without this index SQLite walked every open follow-up of the
-- team per deal (follow_ups_due), 9 s for 10,000 deals instead of ~50 ms.
CREATE INDEX follow_ups_deal_open ON follow_ups(deal_id, due_at) WHERE status = 'open' AND deleted_at IS NULL;

-- The buying-signal badge counts only timeline entries that carry signals;
-- most carry none, so this index is small and answers without the table.
CREATE INDEX activities_deal_signals ON activities(deal_id, signals) WHERE deleted_at IS NULL AND signals <> '[]';

-- One stage column in card order: placing a dropped card between its
-- neighbours, adding a deal at the bottom, counting a stage's deals.
CREATE INDEX deals_stage ON deals(stage_id, position, id) WHERE deleted_at IS NULL;

-- The board reads a pipeline column by column in card order; with the id in
-- the index (ties) SQLite streams the rows without sorting 10,000 of them.
DROP INDEX deals_board;
CREATE INDEX deals_board ON deals(pipeline_id, stage_id, position, id) WHERE deleted_at IS NULL;
