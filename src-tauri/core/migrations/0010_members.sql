-- Kizuna schema v7: members are chosen, not derived from the OS login (issue 11).
--
-- Until v6 a member *was* the OS login (users.login UNIQUE), so two people
-- sharing one Windows login ("user", "営業") became one member. Now each
-- computer profile says who it is (config.json remembers the member id per
-- team file) and the login is only a hint, which several members may share.
-- SQLite cannot drop a UNIQUE constraint, so the table is rebuilt: the
-- foreign keys pointing at it are deferred to the commit, where every row
-- they point at exists again (same ids).

PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE users_before_v7 AS
SELECT id, login, display_name, email, created_at, version, updated_at, updated_by, deleted_at, notify_prefs
  FROM users;
DROP TABLE users;
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    login          TEXT NOT NULL,                 -- OS login it was first seen with: a hint, not a key
    display_name   TEXT NOT NULL,
    email          TEXT,
    notify_prefs   TEXT NOT NULL DEFAULT '{}',
    deactivated_at TEXT,                          -- left the team: gone from pickers, history stays
    merged_into    TEXT REFERENCES users(id),     -- a stray merged into this member (and soft-deleted)
    created_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT,
    deleted_at     TEXT
);
INSERT INTO users (id, login, display_name, email, notify_prefs, created_at, version, updated_at, updated_by, deleted_at)
SELECT id, login, display_name, email, notify_prefs, created_at, version, updated_at, updated_by, deleted_at
  FROM temp.users_before_v7;
DROP TABLE temp.users_before_v7;
CREATE INDEX users_login ON users(login) WHERE deleted_at IS NULL;

-- Which member each computer profile acts as, and when it last said so: a
-- heartbeat written at most every few minutes (never per second: this is
-- the shared file), so a member active on two computers at once is noticed.
CREATE TABLE member_sessions (
    computer_id   TEXT PRIMARY KEY,               -- per computer profile, made on first start
    user_id       TEXT NOT NULL REFERENCES users(id),
    computer_name TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    seen_at       TEXT NOT NULL
);
CREATE INDEX member_sessions_user ON member_sessions(user_id, seen_at);

-- Who handed a follow-up to its assignee (planned it for them, or passed it
-- on); NULL when the assignee planned or took it themselves.
ALTER TABLE follow_ups ADD COLUMN handed_over_by TEXT REFERENCES users(id);

-- The team file's own id, so a profile remembers who it is in this team
-- file even when the path to it changes (a drive letter mapped anew).
INSERT OR IGNORE INTO settings (key, value, updated_at)
VALUES ('team_file_id', json_quote(lower(hex(randomblob(16)))), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
