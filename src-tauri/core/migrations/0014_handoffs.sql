-- Kizuna schema v14: hand-offs between sales and support (issue 15).
--
-- Sales → support (導入引き継ぎ): the sheet a rep fills when a deal is won,
-- which support acknowledges or questions. The sheet is one row; what it
-- lists (promises, key persons) are rows of their own because they name
-- other rows (the follow-up a promise became, the contact). The checklist is
-- the team's template copied at creation with a tick each: it names nothing
-- and is only ever read whole, so it is JSON.
CREATE TABLE handoffs (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    deal_id         TEXT REFERENCES deals(id),
    contract_id     TEXT REFERENCES contracts(id),
    sold            TEXT NOT NULL DEFAULT '',   -- what was sold, in the rep's words
    amount          INTEGER NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL DEFAULT 'JPY',
    goals           TEXT NOT NULL DEFAULT '',   -- the customer's goals and expectations
    risks           TEXT NOT NULL DEFAULT '',
    checklist       TEXT NOT NULL DEFAULT '[]', -- JSON [{"item": "...", "done": true}]
    from_user_id    TEXT NOT NULL REFERENCES users(id),   -- the rep
    to_user_id      TEXT REFERENCES users(id),            -- NULL: the whole support team
    status          TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent','acknowledged')),
    sent_at         TEXT NOT NULL,
    -- Fixed in business time when sent, so every desktop reminds at the same moment.
    ack_due_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT REFERENCES users(id),
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT,
    deleted_at      TEXT,
    deletion_id     TEXT
);
CREATE INDEX handoffs_status ON handoffs(status, sent_at) WHERE deleted_at IS NULL;
CREATE INDEX handoffs_company ON handoffs(company_id, sent_at DESC);
CREATE INDEX handoffs_deal ON handoffs(deal_id) WHERE deal_id IS NOT NULL;

-- Promises made to the customer, each kept by someone; a dated one is a
-- follow-up of its keeper.
CREATE TABLE handoff_promises (
    id           TEXT PRIMARY KEY,
    handoff_id   TEXT NOT NULL REFERENCES handoffs(id),
    position     INTEGER NOT NULL,
    text         TEXT NOT NULL,
    due_on       TEXT,                          -- YYYY-MM-DD
    keeper_id    TEXT REFERENCES users(id),
    follow_up_id TEXT REFERENCES follow_ups(id),
    -- A member merge moves keepers with a new version, as everywhere.
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   TEXT,
    updated_by   TEXT
);
CREATE INDEX handoff_promises_handoff ON handoff_promises(handoff_id, position);

-- The customer's key persons and how they like to be contacted.
CREATE TABLE handoff_contacts (
    handoff_id TEXT NOT NULL REFERENCES handoffs(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    position   INTEGER NOT NULL,
    channel    TEXT NOT NULL DEFAULT 'any' CHECK (channel IN ('any','phone','mail','visit','chat')),
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (handoff_id, contact_id)
);

-- Questions support asks back and the rep's answers; each also stands on
-- the customer's timeline (activity_id).
CREATE TABLE handoff_messages (
    id          TEXT PRIMARY KEY,
    handoff_id  TEXT NOT NULL REFERENCES handoffs(id),
    kind        TEXT NOT NULL CHECK (kind IN ('question','answer')),
    body        TEXT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users(id),
    at          TEXT NOT NULL,
    activity_id TEXT REFERENCES activities(id),
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT,
    updated_by  TEXT
);
CREATE INDEX handoff_messages_handoff ON handoff_messages(handoff_id, at, id);
CREATE INDEX handoff_messages_at ON handoff_messages(at);

-- Support → sales: from a case, something the account owner must act on.
-- The deal or contract it led to shows where it came from ("from case #12").
CREATE TABLE case_handoffs (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES support_cases(id),
    company_id   TEXT NOT NULL REFERENCES companies(id),
    kind         TEXT NOT NULL CHECK (kind IN ('opportunity','renewal_risk','complaint')),
    note         TEXT NOT NULL DEFAULT '',
    owner_id     TEXT NOT NULL REFERENCES users(id),   -- the account owner it went to
    follow_up_id TEXT REFERENCES follow_ups(id),
    deal_id      TEXT REFERENCES deals(id),
    contract_id  TEXT REFERENCES contracts(id),
    created_at   TEXT NOT NULL,
    created_by   TEXT REFERENCES users(id),
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT,
    deleted_at   TEXT
);
CREATE INDEX case_handoffs_case ON case_handoffs(case_id);
CREATE INDEX case_handoffs_deal ON case_handoffs(deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX case_handoffs_contract ON case_handoffs(contract_id) WHERE contract_id IS NOT NULL;
