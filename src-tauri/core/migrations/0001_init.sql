-- Kizuna schema v1.
-- Conventions (docs/architecture.md):
--  * ids are UUIDv7 text, created on any client without coordination;
--  * timestamps are UTC RFC 3339 text ("2026-11-25T06:00:00Z"), dates are "YYYY-MM-DD";
--  * money is an integer in the currency's minor unit plus an ISO currency code;
--  * mutable rows carry version / updated_at / updated_by and are soft-deleted
--    (deleted_at), so nothing a colleague still looks at vanishes under them.

CREATE TABLE users (
    id           TEXT PRIMARY KEY,
    login        TEXT NOT NULL UNIQUE,          -- OS login, the key a desktop knows itself by
    display_name TEXT NOT NULL,
    email        TEXT,
    created_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT,
    deleted_at   TEXT
);

CREATE TABLE companies (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    name_kana       TEXT NOT NULL DEFAULT '',   -- reading, the Japanese sort key
    industry        TEXT NOT NULL DEFAULT '',
    segment         TEXT NOT NULL DEFAULT 'normal' CHECK (segment IN ('key','normal','small')),
    owner_id        TEXT REFERENCES users(id),
    address         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    website         TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    last_contact_at TEXT,
    retention_days  INTEGER,                    -- overrides the segment's interval
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT,
    deleted_at      TEXT
);
CREATE INDEX companies_kana ON companies(name_kana) WHERE deleted_at IS NULL;

CREATE TABLE contacts (
    id         TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name       TEXT NOT NULL,
    name_kana  TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT
);
CREATE INDEX contacts_company ON contacts(company_id);

CREATE TABLE pipelines (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT
);

CREATE TABLE stages (
    id          TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id),
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    probability INTEGER NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    idle_days   INTEGER NOT NULL DEFAULT 14,    -- untouched this long = going cold
    kind        TEXT NOT NULL DEFAULT 'open' CHECK (kind IN ('open','won','lost')),
    is_closing  INTEGER NOT NULL DEFAULT 0,     -- entering asks for a decision deadline
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT,
    deleted_at  TEXT
);
CREATE INDEX stages_pipeline ON stages(pipeline_id, position);

CREATE TABLE deals (
    id                TEXT PRIMARY KEY,
    pipeline_id       TEXT NOT NULL REFERENCES pipelines(id),
    stage_id          TEXT NOT NULL REFERENCES stages(id),
    company_id        TEXT NOT NULL REFERENCES companies(id),
    contact_id        TEXT REFERENCES contacts(id),
    title             TEXT NOT NULL,
    amount            INTEGER NOT NULL DEFAULT 0,
    currency          TEXT NOT NULL DEFAULT 'JPY',
    owner_id          TEXT REFERENCES users(id),
    position          REAL NOT NULL DEFAULT 0,  -- order inside the stage column
    expected_close    TEXT,
    decision_deadline TEXT,
    stage_entered_at  TEXT NOT NULL,
    last_activity_at  TEXT,
    won_at            TEXT,
    lost_at           TEXT,
    lost_reason       TEXT,
    lost_to           TEXT,                     -- competitor who won
    competitor_contract_end TEXT,
    reapproach_on     TEXT,
    nurture_state     TEXT NOT NULL DEFAULT 'sales' CHECK (nurture_state IN ('sales','marketing')),
    notes             TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT,
    deleted_at        TEXT
);
CREATE INDEX deals_board ON deals(pipeline_id, stage_id, position) WHERE deleted_at IS NULL;
CREATE INDEX deals_company ON deals(company_id);

CREATE TABLE activities (
    id                  TEXT PRIMARY KEY,
    company_id          TEXT NOT NULL REFERENCES companies(id),
    contact_id          TEXT REFERENCES contacts(id),
    deal_id             TEXT REFERENCES deals(id),
    kind                TEXT NOT NULL CHECK (kind IN ('meeting','call','email','sns','note','quote',
                              'support','stage_change','contract','handoff','system')),
    direction           TEXT CHECK (direction IN ('outbound','inbound')),
    occurred_at         TEXT NOT NULL,
    summary             TEXT NOT NULL,
    body                TEXT NOT NULL DEFAULT '',
    minutes             TEXT NOT NULL DEFAULT '',  -- 議事録 of a meeting
    next_todos          TEXT NOT NULL DEFAULT '',
    next_appointment_at TEXT,
    signals             TEXT NOT NULL DEFAULT '[]', -- JSON array of buying-signal codes
    author_id           TEXT REFERENCES users(id),
    created_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT,
    deleted_at          TEXT
);
-- The timeline pages newest first per company and per deal; these keep a page
-- constant-time however large the table grows.
CREATE INDEX activities_company_time ON activities(company_id, occurred_at DESC, id DESC);
CREATE INDEX activities_deal_time ON activities(deal_id, occurred_at DESC, id DESC) WHERE deal_id IS NOT NULL;

CREATE TABLE follow_ups (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL DEFAULT 'follow_up' CHECK (kind IN ('follow_up','decision_deadline',
                        'reapproach','renewal','retention','appointment')),
    title         TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    assignee_id   TEXT REFERENCES users(id),
    company_id    TEXT REFERENCES companies(id),
    deal_id       TEXT REFERENCES deals(id),
    contract_id   TEXT REFERENCES contracts(id),
    activity_id   TEXT REFERENCES activities(id),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    snoozed_until TEXT,
    done_at       TEXT,
    created_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT,
    deleted_at    TEXT
);
CREATE INDEX follow_ups_due ON follow_ups(status, due_at) WHERE deleted_at IS NULL;
CREATE INDEX follow_ups_deal ON follow_ups(deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX follow_ups_company ON follow_ups(company_id);

CREATE TABLE contracts (
    id                   TEXT PRIMARY KEY,
    company_id           TEXT NOT NULL REFERENCES companies(id),
    deal_id              TEXT REFERENCES deals(id),
    previous_contract_id TEXT REFERENCES contracts(id),
    plan                 TEXT NOT NULL,
    start_date           TEXT NOT NULL,
    end_date             TEXT NOT NULL,
    auto_renew           INTEGER NOT NULL DEFAULT 0,
    amount               INTEGER NOT NULL DEFAULT 0,
    currency             TEXT NOT NULL DEFAULT 'JPY',
    billing              TEXT NOT NULL DEFAULT 'annual' CHECK (billing IN ('monthly','annual')),
    notice_days          INTEGER NOT NULL DEFAULT 30,
    owner_id             TEXT REFERENCES users(id),
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','in_renewal','renewed','churned')),
    renewal_stage        TEXT,                   -- hearing / proposal / procedure / post_renewal
    churn_reason         TEXT,
    created_at           TEXT NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    updated_at           TEXT NOT NULL,
    updated_by           TEXT,
    deleted_at           TEXT
);
CREATE INDEX contracts_end ON contracts(end_date) WHERE deleted_at IS NULL;
CREATE INDEX contracts_company ON contracts(company_id);

CREATE TABLE support_cases (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    contact_id      TEXT REFERENCES contacts(id),
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged','resolved')),
    handed_off_by   TEXT REFERENCES users(id),  -- sales person who handed it over
    handoff_note    TEXT NOT NULL DEFAULT '',
    assignee_id     TEXT REFERENCES users(id),
    acknowledged_at TEXT,
    resolved_at     TEXT,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT,
    deleted_at      TEXT
);
CREATE INDEX support_cases_company ON support_cases(company_id);

-- Who was told what: makes each notification once per user, across restarts
-- and machines (the unique key is the "once").
CREATE TABLE notification_log (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    item_kind   TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    notified_at TEXT NOT NULL,
    UNIQUE (user_id, item_kind, item_id, due_at)
);

CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   TEXT,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL,                     -- insert / update / delete
    detail    TEXT NOT NULL DEFAULT '{}'         -- JSON: the changed fields
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,                    -- JSON
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

-- A strictly increasing sequence of what changed, so an open client that sees
-- PRAGMA data_version move can ask "what changed since seq N" and refresh only that.
CREATE TABLE change_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op        TEXT NOT NULL,
    user_id   TEXT,
    at        TEXT NOT NULL
);
