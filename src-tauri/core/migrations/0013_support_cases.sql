-- Kizuna schema v13: support cases (issue 15).
--
-- Schema 1 sketched a support_cases table that no Kizuna ever wrote (its
-- statuses could not say "waiting for the customer" and it had no service
-- levels). It is replaced, not altered: a file that somehow holds rows keeps
-- them, mapped onto the new statuses.

CREATE TEMP TABLE support_cases_before_v13 AS SELECT * FROM support_cases;
DROP TABLE support_cases;

CREATE TABLE support_cases (
    id                  TEXT PRIMARY KEY,
    number              INTEGER NOT NULL,        -- #1, #2…: what people say on the phone
    company_id          TEXT NOT NULL REFERENCES companies(id),
    contact_id          TEXT REFERENCES contacts(id),   -- who asked
    deal_id             TEXT REFERENCES deals(id),
    contract_id         TEXT REFERENCES contracts(id),
    subject             TEXT NOT NULL,
    body                TEXT NOT NULL DEFAULT '',
    channel             TEXT NOT NULL DEFAULT 'phone' CHECK (channel IN ('phone','mail','web','visit')),
    category            TEXT NOT NULL DEFAULT 'question' CHECK (category IN ('question','trouble','request','complaint')),
    priority            TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('urgent','high','normal','low')),
    status              TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_progress','waiting','resolved','closed')),
    assignee_id         TEXT REFERENCES users(id),
    received_at         TEXT NOT NULL,           -- when the customer asked (may be before it was logged)
    -- Service levels, fixed in business time when the case is opened (or its
    -- priority changes), so every desktop agrees when it breaches.
    -- The warn times are the due times less the team's warning, also in
    -- business minutes (the reminder scheduler reads them by SQL).
    first_response_due  TEXT NOT NULL,
    first_response_warn_at TEXT NOT NULL,
    first_response_at   TEXT,
    resolution_due      TEXT NOT NULL,
    resolution_warn_at  TEXT NOT NULL,
    resolved_at         TEXT,
    closed_at           TEXT,
    -- The target the case runs against now: first response until answered,
    -- then resolution; NULL once resolved or closed. One column so every
    -- inbox tab is one index range in due order.
    next_due            TEXT,
    created_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT,
    deleted_at          TEXT,
    deletion_id         TEXT
);
CREATE UNIQUE INDEX support_cases_number ON support_cases(number);
-- The inbox tabs (docs/support.md): open cases by status, by assignee and
-- by due time, each in due order; a customer's cases newest first.
CREATE INDEX support_cases_inbox ON support_cases(status, next_due, id) WHERE deleted_at IS NULL;
CREATE INDEX support_cases_assignee ON support_cases(assignee_id, next_due, id) WHERE deleted_at IS NULL AND next_due IS NOT NULL;
CREATE INDEX support_cases_due ON support_cases(next_due, id) WHERE deleted_at IS NULL AND next_due IS NOT NULL;
CREATE INDEX support_cases_company ON support_cases(company_id, received_at DESC);
CREATE INDEX support_cases_deletion ON support_cases(deletion_id) WHERE deletion_id IS NOT NULL;

INSERT INTO support_cases (id, number, company_id, contact_id, subject, body, status, assignee_id,
                           received_at, first_response_due, first_response_warn_at, first_response_at,
                           resolution_due, resolution_warn_at, resolved_at, next_due,
                           created_at, version, updated_at, updated_by, deleted_at)
SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id), company_id, contact_id, subject, body,
       CASE status WHEN 'open' THEN 'new' WHEN 'acknowledged' THEN 'in_progress' ELSE 'resolved' END,
       assignee_id, created_at, created_at, created_at, acknowledged_at, created_at, created_at, resolved_at,
       CASE WHEN status IN ('open', 'acknowledged') THEN created_at END,
       created_at, version, updated_at, updated_by, deleted_at
  FROM temp.support_cases_before_v13;
DROP TABLE temp.support_cases_before_v13;

-- A case's thread: replies to the customer, internal notes, and every step
-- (status, assignee, priority). Each also stands on the customer's timeline
-- (activity_id), so sales sees the trouble before the next call.
CREATE TABLE case_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES support_cases(id),
    kind        TEXT NOT NULL CHECK (kind IN ('opened','reply','note','status','assign','priority','handoff')),
    body        TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}',     -- JSON: from/to of a step
    author_id   TEXT REFERENCES users(id),
    at          TEXT NOT NULL,
    activity_id TEXT REFERENCES activities(id),
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT,
    deleted_at  TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, at, id);
-- Search finds timeline entries; this leads from an entry back to its case.
CREATE INDEX case_events_activity ON case_events(activity_id) WHERE activity_id IS NOT NULL;
