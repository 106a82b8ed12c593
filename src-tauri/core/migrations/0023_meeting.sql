-- The weekly sales meeting (issue 18, docs/meeting.md) asks two questions of
-- a week: which deals moved (their stage-change entries on the timeline) and
-- which were lost. Without these the first reads every timeline entry of the
-- file (a million on a large team's) and the second every deal, under the
-- read lock a colleague's save has to wait out; each partial index holds only
-- the rows it answers for.
CREATE INDEX activities_stage_changes ON activities(occurred_at)
    WHERE kind = 'stage_change' AND deleted_at IS NULL;
CREATE INDEX deals_lost_at ON deals(lost_at) WHERE lost_at IS NOT NULL AND deleted_at IS NULL;
