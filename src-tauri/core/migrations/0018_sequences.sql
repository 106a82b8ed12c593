-- Kizuna schema: follow-up sequences (追客シナリオ, issue 16, docs/sequences.md).
--
-- A sequence is the team's plan of steps (a mail from a template, a call, a
-- wait of business days). Its steps are JSON on the sequence row: they are
-- only ever read and edited whole, under the sequence's version, and name no
-- other row. An enrolment is one target (a contact, a deal, later a lead:
-- kind + id) walking through one sequence; its columns say where it stands,
-- so every desktop shows the same state and the owner's desktop does the work.
CREATE TABLE sequences (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL CHECK (language IN ('ja','en')),
    steps       TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT,
    deleted_at  TEXT,
    deletion_id TEXT
);

CREATE TABLE sequence_enrolments (
    id            TEXT PRIMARY KEY,
    sequence_id   TEXT NOT NULL REFERENCES sequences(id),
    target_kind   TEXT NOT NULL CHECK (target_kind IN ('contact','deal','lead')),
    target_id     TEXT NOT NULL,
    -- What the target resolves to, fixed at enrolment: whose replies stop it.
    company_id    TEXT REFERENCES companies(id),
    contact_id    TEXT REFERENCES contacts(id),
    deal_id       TEXT REFERENCES deals(id),
    -- The deal's stage when enrolled: a move stops the sequence.
    deal_stage_id TEXT,
    owner_id      TEXT NOT NULL REFERENCES users(id),
    status        TEXT NOT NULL CHECK (status IN ('active','stopped','done')),
    step_index    INTEGER NOT NULL DEFAULT 0,
    -- When the current step is due (waits already counted in).
    due_at        TEXT,
    -- Why the current step waits: 'pushy', 'complaint', 'confirm_late', 'send_failed'.
    waiting       TEXT,
    last_error    TEXT,
    -- The owner's follow-up standing for the current step (manual steps, a late mail to confirm).
    follow_up_id  TEXT REFERENCES follow_ups(id),
    -- A late automatic step the owner said to send (its index).
    confirmed_step INTEGER,
    -- The desktop that took the current automatic step to send, and when: another
    -- desktop of the same person leaves it alone while the claim is fresh.
    claimed_at    TEXT,
    stop_reason   TEXT,
    stopped_at    TEXT,
    started_at    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT,
    deleted_at    TEXT,
    deletion_id   TEXT
);
-- One active enrolment per target and sequence.
CREATE UNIQUE INDEX sequence_enrolments_one_active
    ON sequence_enrolments(sequence_id, target_kind, target_id) WHERE status = 'active' AND deleted_at IS NULL;
CREATE INDEX sequence_enrolments_due
    ON sequence_enrolments(owner_id, due_at) WHERE status = 'active' AND deleted_at IS NULL;
CREATE INDEX sequence_enrolments_company
    ON sequence_enrolments(company_id) WHERE status = 'active' AND deleted_at IS NULL;
CREATE INDEX sequence_enrolments_target ON sequence_enrolments(target_kind, target_id);

-- Each mail a sequence sent: the timeline entry that holds its exact text,
-- so the timeline can offer "they replied" beside it.
CREATE TABLE sequence_sends (
    enrolment_id TEXT NOT NULL REFERENCES sequence_enrolments(id),
    step_index   INTEGER NOT NULL,
    activity_id  TEXT NOT NULL REFERENCES activities(id),
    mail_key     TEXT NOT NULL,
    sent_at      TEXT NOT NULL,
    PRIMARY KEY (enrolment_id, step_index)
);
CREATE INDEX sequence_sends_activity ON sequence_sends(activity_id);

-- The rep's signature under a sequence's mails ({{署名}} / {{signature}}).
ALTER TABLE users ADD COLUMN mail_signature TEXT NOT NULL DEFAULT '';
