-- Kizuna schema: the once-only ledger of mail Kizuna sends by itself
-- through a member's SMTP server (issue 16, docs/mail.md).
--
-- One row per logical mail (`key`, e.g. `seq:<enrolment>:<step>`), claimed
-- in a short write transaction before the send, so a second computer of
-- the same member sees the claim and sends nothing. A claim older than the
-- lease whose computer never reported back is marked `unknown`: the mail
-- may or may not have left, so it is never resent without the user.
CREATE TABLE mail_sends (
    key          TEXT PRIMARY KEY,
    member_id    TEXT NOT NULL REFERENCES users(id),
    state        TEXT NOT NULL,                 -- claimed | sent | failed | unknown
    computer_id  TEXT NOT NULL,                 -- the profile's computer_id (config.json) that claimed it
    claimed_at   TEXT NOT NULL,
    finished_at  TEXT,                          -- sent, failed or found unknown
    to_name      TEXT NOT NULL,
    to_address   TEXT NOT NULL,
    subject      TEXT NOT NULL,                 -- exactly as sent
    body         TEXT NOT NULL,
    message_id   TEXT,                          -- the Message-ID header of the sent mail
    error_code   TEXT,                          -- ErrorCode of the last failure
    error        TEXT,                          -- the server's words
    attempts     INTEGER NOT NULL DEFAULT 1,
    version      INTEGER NOT NULL DEFAULT 1
);

-- The scheduler's and the UI's question "what is stuck or failed for me".
CREATE INDEX mail_sends_member_state ON mail_sends(member_id, state);
