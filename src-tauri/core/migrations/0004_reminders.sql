-- Kizuna schema v4: follow-up actions, reminders and quiet hours (issue 6).

-- Each person's own notification preferences (quiet hours, working days), in
-- the shared file so every desktop of theirs keeps the same quiet hours.
ALTER TABLE users ADD COLUMN notify_prefs TEXT NOT NULL DEFAULT '{}';

-- The touch logged in the same step as completing a follow-up (Done list).
ALTER TABLE follow_ups ADD COLUMN done_activity_id TEXT REFERENCES activities(id);

-- The reminder planner asks "what is open for this person, by time".
CREATE INDEX follow_ups_assignee_open ON follow_ups(assignee_id, due_at)
 WHERE status = 'open' AND deleted_at IS NULL;
-- The Done list: recent first.
CREATE INDEX follow_ups_done ON follow_ups(assignee_id, done_at) WHERE status = 'done';
-- Forgotten customers per owner.
CREATE INDEX companies_owner ON companies(owner_id) WHERE deleted_at IS NULL;
CREATE INDEX deals_owner ON deals(owner_id) WHERE deleted_at IS NULL;
