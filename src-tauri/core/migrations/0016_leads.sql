-- Kizuna schema v16: inbound leads and nurture (issue 16, docs/leads.md).
--
-- A lead is an inquiry before it is a customer: the person and company as
-- they gave them (no companies row yet), where it came from, who owns it and
-- how fast they answered. It becomes a customer + contact + deal when
-- qualified (company_id, contact_id, deal_id), or is disqualified, or goes
-- to nurture (マーケティングに戻す) until it warms up again. A lost deal handed
-- to nurture is a lead too (origin 'lost_deal', linked to its deal), so the
-- nurture list, its cadence and its resurfacing are one thing.

-- Mail opt-out, recorded on a contact and on a lead: the nurture export and
-- the sequences (issue 16, another part) send nothing to either.
ALTER TABLE contacts ADD COLUMN mail_opt_out_at TEXT;

CREATE TABLE leads (
    id                  TEXT PRIMARY KEY,
    number              INTEGER NOT NULL,        -- L-1, L-2…
    origin              TEXT NOT NULL DEFAULT 'inquiry' CHECK (origin IN ('inquiry','lost_deal')),
    source              TEXT NOT NULL,           -- a code of the team's list (web_form…) or its own word
    received_at         TEXT NOT NULL,
    person_name         TEXT NOT NULL DEFAULT '',
    company_name        TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    mail                TEXT NOT NULL DEFAULT '',
    message             TEXT NOT NULL DEFAULT '',
    -- The same person or company said differently (leads/matching.rs):
    -- what qualify offers and resurfacing compares, kept beside the text.
    company_key         TEXT NOT NULL DEFAULT '',
    phone_key           TEXT NOT NULL DEFAULT '',
    mail_key            TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'new'
                        CHECK (status IN ('new','contacted','qualified','disqualified','nurture')),
    owner_id            TEXT REFERENCES users(id),
    assigned_at         TEXT,
    assigned_by         TEXT,
    -- The first-response target, fixed in business time when received.
    first_response_due  TEXT NOT NULL,
    first_response_at   TEXT,
    disqualify_reason   TEXT NOT NULL DEFAULT '',
    nurture_reason      TEXT NOT NULL DEFAULT '',
    nurture_since       TEXT,
    nurture_until       TEXT,
    check_in_follow_up_id TEXT REFERENCES follow_ups(id),
    resurfaced_at       TEXT,
    resurfaced_count    INTEGER NOT NULL DEFAULT 0,
    resurface_trigger   TEXT,
    company_id          TEXT REFERENCES companies(id),
    contact_id          TEXT REFERENCES contacts(id),
    deal_id             TEXT REFERENCES deals(id),
    converted_at        TEXT,
    mail_opt_out_at     TEXT,
    created_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT,
    deleted_at          TEXT
);
CREATE UNIQUE INDEX leads_number ON leads(number);
-- The inbox tabs (leads/inbox.rs), newest first; the overdue tab in due order.
CREATE INDEX leads_status ON leads(status, received_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX leads_owner ON leads(owner_id, received_at DESC, id DESC)
    WHERE deleted_at IS NULL AND status IN ('new','contacted');
CREATE INDEX leads_overdue ON leads(first_response_due, id)
    WHERE deleted_at IS NULL AND status = 'new' AND first_response_at IS NULL;
-- Resurfacing looks up nurtured leads by company, person and customer.
CREATE INDEX leads_company_key ON leads(company_key) WHERE deleted_at IS NULL AND company_key <> '';
CREATE INDEX leads_mail_key ON leads(mail_key) WHERE deleted_at IS NULL AND mail_key <> '';
CREATE INDEX leads_phone_key ON leads(phone_key) WHERE deleted_at IS NULL AND phone_key <> '';
CREATE INDEX leads_company ON leads(company_id) WHERE company_id IS NOT NULL;
CREATE INDEX leads_deal ON leads(deal_id) WHERE deal_id IS NOT NULL;
-- The numbers (leads/numbers.rs): a range of months.
CREATE INDEX leads_received ON leads(received_at) WHERE deleted_at IS NULL;

-- A lead's history, in the reader's language (text_kind/text_params as on
-- the timeline: engine_text/). Most leads have no customer to put a timeline
-- entry on yet, so the lead keeps its own.
CREATE TABLE lead_events (
    id          TEXT PRIMARY KEY,
    lead_id     TEXT NOT NULL REFERENCES leads(id),
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    text_kind   TEXT,
    text_params TEXT,
    author_id   TEXT REFERENCES users(id),
    at          TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events(lead_id, at, id);

-- Search over what the lead said and who they are, with the same two
-- indexes and rules as every other search (0003 trigrams, 0011 bigrams;
-- timeline/search.rs reads the query).
CREATE VIRTUAL TABLE leads_fts USING fts5(
    person_name, company_name, mail, phone, message,
    content='', contentless_delete=1, tokenize='trigram');
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO leads_fts (rowid, person_name, company_name, mail, phone, message)
    VALUES (new.rowid, new.person_name, new.company_name, new.mail, new.phone, new.message);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF person_name, company_name, mail, phone, message, deleted_at ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = old.rowid;
    INSERT INTO leads_fts (rowid, person_name, company_name, mail, phone, message)
    SELECT new.rowid, new.person_name, new.company_name, new.mail, new.phone, new.message WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = old.rowid;
END;

CREATE VIRTUAL TABLE leads_bigrams USING fts5(
    grams, content='', contentless_delete=1, detail=none, tokenize='ascii', prefix='6');
CREATE TRIGGER leads_bigrams_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO leads_bigrams (rowid, grams) VALUES (new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.person_name || char(10) || new.company_name || char(10) || new.mail || char(10) || new.phone || char(10) || new.message) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288))));
END;
CREATE TRIGGER leads_bigrams_update AFTER UPDATE OF person_name, company_name, mail, phone, message, deleted_at ON leads BEGIN
    DELETE FROM leads_bigrams WHERE rowid = old.rowid;
    INSERT INTO leads_bigrams (rowid, grams) SELECT new.rowid,
    (WITH RECURSIVE
      src(len, s) AS MATERIALIZED (SELECT length(t), t FROM (SELECT lower(new.person_name || char(10) || new.company_name || char(10) || new.mail || char(10) || new.phone || char(10) || new.message) AS t)),
      k(k) AS (SELECT 0 FROM src WHERE len > 0 UNION ALL SELECT k + 1 FROM k, src WHERE (k + 1) * 4096 < len),
      big(c) AS MATERIALIZED (SELECT substr(s, k * 4096 + 1, 4097) FROM k, src),
      m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m WHERE m < 63),
      small(c) AS MATERIALIZED (SELECT substr(c, m * 64 + 1, 65) FROM big, m WHERE m * 64 < length(c)),
      j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 64),
      pair(a, b) AS (SELECT substr(c, j, 1), substr(c, j + 1, 1) FROM small, j WHERE j <= length(c))
     SELECT group_concat(printf('%06x', unicode(a))
            || iif(b IN ('', ' ', char(9), char(10), char(13), char(12288)), '', printf('%06x', unicode(b))), ' ')
     FROM pair WHERE a NOT IN (' ', char(9), char(10), char(13), char(12288)))
    WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER leads_bigrams_delete AFTER DELETE ON leads BEGIN
    DELETE FROM leads_bigrams WHERE rowid = old.rowid;
END;
