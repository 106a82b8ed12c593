-- The team server's schema (PostgreSQL), version 23: the same tables,
-- columns, checks and indexes as a team file after the SQLite migrations
-- 0001-0025 (../), written at once because a server database is always new.
-- Later versions add a numbered file here beside the SQLite one, with the
-- same version; tests/team_server.rs compares the two schemas column by
-- column, so neither can drift (docs/team-server.md, "Two dialects").
--
-- Dialect notes: SQLite's INTEGER is BIGINT here, REAL is DOUBLE PRECISION,
-- and times stay ISO-8601 UTC text as in the file. Foreign keys are
-- checked at commit (DEFERRABLE INITIALLY DEFERRED): the file checks them
-- per statement, and a copy of a whole team (kizuna migrate) writes its
-- tables in any order inside one transaction.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    notify_prefs TEXT NOT NULL DEFAULT '{}',
    deactivated_at TEXT,
    merged_into TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    roles TEXT NOT NULL DEFAULT '["sales"]',
    mail_signature TEXT NOT NULL DEFAULT ''
);

CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_kana TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT '',
    segment TEXT NOT NULL DEFAULT 'normal' CHECK (segment IN ('key','normal','small')),
    owner_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    last_contact_at TEXT,
    retention_days BIGINT,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    deletion_id TEXT,
    archived_at TEXT,
    archived_by TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    name_kana TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    deletion_id TEXT,
    mail_opt_out_at TEXT
);

CREATE TABLE pipelines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT
);

CREATE TABLE stages (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    probability BIGINT NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    idle_days BIGINT NOT NULL DEFAULT 14,
    kind TEXT NOT NULL DEFAULT 'open' CHECK (kind IN ('open','won','lost')),
    is_closing BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT
);

CREATE TABLE deals (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) DEFERRABLE INITIALLY DEFERRED,
    stage_id TEXT NOT NULL REFERENCES stages(id) DEFERRABLE INITIALLY DEFERRED,
    company_id TEXT NOT NULL REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    contact_id TEXT REFERENCES contacts(id) DEFERRABLE INITIALLY DEFERRED,
    title TEXT NOT NULL,
    amount BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'JPY',
    owner_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    position DOUBLE PRECISION NOT NULL DEFAULT 0,
    expected_close TEXT,
    decision_deadline TEXT,
    stage_entered_at TEXT NOT NULL,
    last_activity_at TEXT,
    won_at TEXT,
    lost_at TEXT,
    lost_reason TEXT,
    lost_to TEXT,
    competitor_contract_end TEXT,
    reapproach_on TEXT,
    nurture_state TEXT NOT NULL DEFAULT 'sales' CHECK (nurture_state IN ('sales','marketing')),
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    lost_detail TEXT,
    deletion_id TEXT
);

CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    contact_id TEXT REFERENCES contacts(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL CHECK (kind IN ('meeting','call','email','sns','note','quote', 'support','stage_change','contract','handoff','system')),
    direction TEXT CHECK (direction IN ('outbound','inbound')),
    occurred_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    next_todos TEXT NOT NULL DEFAULT '',
    next_appointment_at TEXT,
    signals TEXT NOT NULL DEFAULT '[]',
    author_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    text_kind TEXT,
    text_params TEXT,
    search_text TEXT
);

CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    previous_contract_id TEXT REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
    plan TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    auto_renew BIGINT NOT NULL DEFAULT 0,
    amount BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'JPY',
    billing TEXT NOT NULL DEFAULT 'annual' CHECK (billing IN ('monthly','annual')),
    notice_days BIGINT NOT NULL DEFAULT 30,
    owner_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','in_renewal','renewed','churned')),
    renewal_stage TEXT,
    churn_reason TEXT,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    hearing_days BIGINT,
    proposal_days BIGINT,
    satisfaction BIGINT,
    hearing_notes TEXT NOT NULL DEFAULT '',
    proposal_kind TEXT,
    proposed_amount BIGINT,
    decided_at TEXT,
    next_contract_id TEXT REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
    deletion_id TEXT
);

CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'follow_up' CHECK (kind IN ('follow_up','decision_deadline', 'reapproach','renewal','retention','appointment')),
    title TEXT NOT NULL,
    due_at TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    company_id TEXT REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    contract_id TEXT REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
    activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY DEFERRED,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    snoozed_until TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    done_activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY DEFERRED,
    renewal_step TEXT,
    deletion_id TEXT,
    text_kind TEXT,
    text_params TEXT,
    handed_over_by TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE notification_log (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    item_kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    due_at TEXT NOT NULL,
    notified_at TEXT NOT NULL,
    UNIQUE (user_id, item_kind, item_id, due_at)
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

CREATE TABLE change_log (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    user_id TEXT,
    at TEXT NOT NULL
);

CREATE TABLE applied_ops (
    op_id TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL,
    user_id TEXT
);

CREATE TABLE activity_contacts (
    activity_id TEXT NOT NULL REFERENCES activities(id) DEFERRABLE INITIALLY DEFERRED,
    contact_id TEXT NOT NULL REFERENCES contacts(id) DEFERRABLE INITIALLY DEFERRED,
    position BIGINT NOT NULL,
    PRIMARY KEY (activity_id, contact_id)
);

CREATE TABLE member_sessions (
    computer_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    computer_name TEXT NOT NULL,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);

CREATE TABLE support_cases (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    contact_id TEXT REFERENCES contacts(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    contract_id TEXT REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
    subject TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT 'phone' CHECK (channel IN ('phone','mail','web','visit')),
    category TEXT NOT NULL DEFAULT 'question' CHECK (category IN ('question','trouble','request','complaint')),
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('urgent','high','normal','low')),
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_progress','waiting','resolved','closed')),
    assignee_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    received_at TEXT NOT NULL,
    first_response_due TEXT NOT NULL,
    first_response_warn_at TEXT NOT NULL,
    first_response_at TEXT,
    resolution_due TEXT NOT NULL,
    resolution_warn_at TEXT NOT NULL,
    resolved_at TEXT,
    closed_at TEXT,
    next_due TEXT,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    deletion_id TEXT
);

CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES support_cases(id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL CHECK (kind IN ('opened','reply','note','status','assign','priority','handoff')),
    body TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    author_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    at TEXT NOT NULL,
    activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY DEFERRED,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT
);

CREATE TABLE handoffs (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    contract_id TEXT REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
    sold TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'JPY',
    goals TEXT NOT NULL DEFAULT '',
    risks TEXT NOT NULL DEFAULT '',
    checklist TEXT NOT NULL DEFAULT '[]',
    from_user_id TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    to_user_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent','acknowledged')),
    sent_at TEXT NOT NULL,
    ack_due_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    deletion_id TEXT
);

CREATE TABLE handoff_promises (
    id TEXT PRIMARY KEY,
    handoff_id TEXT NOT NULL REFERENCES handoffs(id) DEFERRABLE INITIALLY DEFERRED,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    due_on TEXT,
    keeper_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    follow_up_id TEXT REFERENCES follow_ups(id) DEFERRABLE INITIALLY DEFERRED,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT,
    updated_by TEXT
);

CREATE TABLE handoff_contacts (
    handoff_id TEXT NOT NULL REFERENCES handoffs(id) DEFERRABLE INITIALLY DEFERRED,
    contact_id TEXT NOT NULL REFERENCES contacts(id) DEFERRABLE INITIALLY DEFERRED,
    position BIGINT NOT NULL,
    channel TEXT NOT NULL DEFAULT 'any' CHECK (channel IN ('any','phone','mail','visit','chat')),
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (handoff_id, contact_id)
);

CREATE TABLE handoff_messages (
    id TEXT PRIMARY KEY,
    handoff_id TEXT NOT NULL REFERENCES handoffs(id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL CHECK (kind IN ('question','answer')),
    body TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    at TEXT NOT NULL,
    activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY DEFERRED,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT,
    updated_by TEXT
);

CREATE TABLE case_handoffs (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES support_cases(id) DEFERRABLE INITIALLY DEFERRED,
    company_id TEXT NOT NULL REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL CHECK (kind IN ('opportunity','renewal_risk','complaint')),
    note TEXT NOT NULL DEFAULT '',
    owner_id TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    follow_up_id TEXT REFERENCES follow_ups(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    contract_id TEXT REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
    created_at TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT
);

CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'inquiry' CHECK (origin IN ('inquiry','lost_deal')),
    source TEXT NOT NULL,
    received_at TEXT NOT NULL,
    person_name TEXT NOT NULL DEFAULT '',
    company_name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    mail TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    company_key TEXT NOT NULL DEFAULT '',
    phone_key TEXT NOT NULL DEFAULT '',
    mail_key TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','contacted','qualified','disqualified','nurture')),
    owner_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    assigned_at TEXT,
    assigned_by TEXT,
    first_response_due TEXT NOT NULL,
    first_response_at TEXT,
    disqualify_reason TEXT NOT NULL DEFAULT '',
    nurture_reason TEXT NOT NULL DEFAULT '',
    nurture_since TEXT,
    nurture_until TEXT,
    check_in_follow_up_id TEXT REFERENCES follow_ups(id) DEFERRABLE INITIALLY DEFERRED,
    resurfaced_at TEXT,
    resurfaced_count BIGINT NOT NULL DEFAULT 0,
    resurface_trigger TEXT,
    company_id TEXT REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    contact_id TEXT REFERENCES contacts(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    converted_at TEXT,
    mail_opt_out_at TEXT,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT
);

CREATE TABLE lead_events (
    id TEXT PRIMARY KEY,
    lead_id TEXT NOT NULL REFERENCES leads(id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    text_kind TEXT,
    text_params TEXT,
    author_id TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    at TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE mail_sends (
    key TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    state TEXT NOT NULL,
    computer_id TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    finished_at TEXT,
    to_name TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    message_id TEXT,
    error_code TEXT,
    error TEXT,
    attempts BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE sequences (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('ja','en')),
    steps TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    deletion_id TEXT
);

CREATE TABLE sequence_enrolments (
    id TEXT PRIMARY KEY,
    sequence_id TEXT NOT NULL REFERENCES sequences(id) DEFERRABLE INITIALLY DEFERRED,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('contact','deal','lead')),
    target_id TEXT NOT NULL,
    company_id TEXT REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
    contact_id TEXT REFERENCES contacts(id) DEFERRABLE INITIALLY DEFERRED,
    deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
    deal_stage_id TEXT,
    owner_id TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    status TEXT NOT NULL CHECK (status IN ('active','stopped','done')),
    step_index BIGINT NOT NULL DEFAULT 0,
    due_at TEXT,
    waiting TEXT,
    last_error TEXT,
    follow_up_id TEXT REFERENCES follow_ups(id) DEFERRABLE INITIALLY DEFERRED,
    confirmed_step BIGINT,
    claimed_at TEXT,
    stop_reason TEXT,
    stopped_at TEXT,
    started_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted_at TEXT,
    deletion_id TEXT
);

CREATE TABLE sequence_sends (
    enrolment_id TEXT NOT NULL REFERENCES sequence_enrolments(id) DEFERRABLE INITIALLY DEFERRED,
    step_index BIGINT NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id) DEFERRABLE INITIALLY DEFERRED,
    mail_key TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (enrolment_id, step_index)
);

CREATE TABLE import_batches (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 1,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    layout_key TEXT NOT NULL,
    status TEXT NOT NULL,
    rows_total BIGINT NOT NULL DEFAULT 0,
    added BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    undone_at TEXT,
    created_by TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE import_batch_rows (
    batch_id TEXT NOT NULL REFERENCES import_batches(id) DEFERRABLE INITIALLY DEFERRED,
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    action TEXT NOT NULL,
    version BIGINT NOT NULL,
    before TEXT,
    PRIMARY KEY (batch_id, entity, row_id)
);

CREATE TABLE import_mappings (
    layout_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    columns TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (layout_key, kind)
);

CREATE TABLE merged_ids (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('company','contact')),
    survivor_id TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    merged_by TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE duplicate_dismissals (
    kind TEXT NOT NULL CHECK (kind IN ('company','contact')),
    first_id TEXT NOT NULL,
    second_id TEXT NOT NULL,
    dismissed_at TEXT NOT NULL,
    dismissed_by TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (kind, first_id, second_id)
);

CREATE TABLE erasures (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('contact')),
    record_id TEXT NOT NULL,
    erased_at TEXT NOT NULL,
    erased_by TEXT REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
    rows_changed BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE mail_suppressions (
    hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('erased')),
    added_at TEXT NOT NULL
);

CREATE INDEX companies_kana ON companies(name_kana) WHERE deleted_at IS NULL;

CREATE INDEX contacts_company ON contacts(company_id);

CREATE INDEX stages_pipeline ON stages(pipeline_id, position);

CREATE INDEX deals_company ON deals(company_id);

CREATE INDEX activities_company_time ON activities(company_id, occurred_at DESC, id DESC);

CREATE INDEX activities_deal_time ON activities(deal_id, occurred_at DESC, id DESC) WHERE deal_id IS NOT NULL;

CREATE INDEX follow_ups_due ON follow_ups(status, due_at) WHERE deleted_at IS NULL;

CREATE INDEX follow_ups_deal ON follow_ups(deal_id) WHERE deal_id IS NOT NULL;

CREATE INDEX follow_ups_company ON follow_ups(company_id);

CREATE INDEX contracts_end ON contracts(end_date) WHERE deleted_at IS NULL;

CREATE INDEX contracts_company ON contracts(company_id);

CREATE INDEX audit_entity ON audit_log(entity, entity_id);

CREATE INDEX follow_ups_deal_open ON follow_ups(deal_id, due_at) WHERE status = 'open' AND deleted_at IS NULL;

CREATE INDEX activities_deal_signals ON activities(deal_id, signals) WHERE deleted_at IS NULL AND signals <> '[]';

CREATE INDEX deals_stage ON deals(stage_id, position, id) WHERE deleted_at IS NULL;

CREATE INDEX deals_board ON deals(pipeline_id, stage_id, position, id) WHERE deleted_at IS NULL;

CREATE INDEX activities_company_kind_time ON activities(company_id, kind, occurred_at DESC, id DESC);

CREATE INDEX follow_ups_activity ON follow_ups(activity_id) WHERE activity_id IS NOT NULL;

CREATE INDEX follow_ups_assignee_open ON follow_ups(assignee_id, due_at) WHERE status = 'open' AND deleted_at IS NULL;

CREATE INDEX follow_ups_done ON follow_ups(assignee_id, done_at) WHERE status = 'done';

CREATE INDEX companies_owner ON companies(owner_id) WHERE deleted_at IS NULL;

CREATE INDEX deals_owner ON deals(owner_id) WHERE deleted_at IS NULL;

CREATE INDEX follow_ups_contract ON follow_ups(contract_id) WHERE contract_id IS NOT NULL;

CREATE INDEX contracts_status_end ON contracts(status, end_date) WHERE deleted_at IS NULL;

CREATE INDEX applied_ops_at ON applied_ops(applied_at);

CREATE INDEX activity_contacts_contact ON activity_contacts(contact_id);

CREATE INDEX companies_deletion ON companies(deletion_id) WHERE deletion_id IS NOT NULL;

CREATE INDEX deals_deletion ON deals(deletion_id) WHERE deletion_id IS NOT NULL;

CREATE INDEX contracts_deletion ON contracts(deletion_id) WHERE deletion_id IS NOT NULL;

CREATE INDEX contacts_deletion ON contacts(deletion_id) WHERE deletion_id IS NOT NULL;

CREATE INDEX follow_ups_deletion ON follow_ups(deletion_id) WHERE deletion_id IS NOT NULL;

CREATE INDEX users_login ON users(login) WHERE deleted_at IS NULL;

CREATE INDEX member_sessions_user ON member_sessions(user_id, seen_at);

CREATE UNIQUE INDEX support_cases_number ON support_cases(number);

CREATE INDEX support_cases_inbox ON support_cases(status, next_due, id) WHERE deleted_at IS NULL;

CREATE INDEX support_cases_assignee ON support_cases(assignee_id, next_due, id) WHERE deleted_at IS NULL AND next_due IS NOT NULL;

CREATE INDEX support_cases_due ON support_cases(next_due, id) WHERE deleted_at IS NULL AND next_due IS NOT NULL;

CREATE INDEX support_cases_company ON support_cases(company_id, received_at DESC);

CREATE INDEX support_cases_deletion ON support_cases(deletion_id) WHERE deletion_id IS NOT NULL;

CREATE INDEX case_events_case ON case_events(case_id, at, id);

CREATE INDEX case_events_activity ON case_events(activity_id) WHERE activity_id IS NOT NULL;

CREATE INDEX handoffs_status ON handoffs(status, sent_at) WHERE deleted_at IS NULL;

CREATE INDEX handoffs_company ON handoffs(company_id, sent_at DESC);

CREATE INDEX handoffs_deal ON handoffs(deal_id) WHERE deal_id IS NOT NULL;

CREATE INDEX handoff_promises_handoff ON handoff_promises(handoff_id, position);

CREATE INDEX handoff_messages_handoff ON handoff_messages(handoff_id, at, id);

CREATE INDEX handoff_messages_at ON handoff_messages(at);

CREATE INDEX case_handoffs_case ON case_handoffs(case_id);

CREATE INDEX case_handoffs_deal ON case_handoffs(deal_id) WHERE deal_id IS NOT NULL;

CREATE INDEX case_handoffs_contract ON case_handoffs(contract_id) WHERE contract_id IS NOT NULL;

CREATE INDEX support_cases_health ON support_cases( company_id, status, category, received_at, first_response_due, first_response_at, resolution_due, resolved_at, closed_at ) WHERE deleted_at IS NULL;

CREATE UNIQUE INDEX leads_number ON leads(number);

CREATE INDEX leads_status ON leads(status, received_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE INDEX leads_owner ON leads(owner_id, received_at DESC, id DESC) WHERE deleted_at IS NULL AND status IN ('new','contacted');

CREATE INDEX leads_overdue ON leads(first_response_due, id) WHERE deleted_at IS NULL AND status = 'new' AND first_response_at IS NULL;

CREATE INDEX leads_company_key ON leads(company_key) WHERE deleted_at IS NULL AND company_key <> '';

CREATE INDEX leads_mail_key ON leads(mail_key) WHERE deleted_at IS NULL AND mail_key <> '';

CREATE INDEX leads_phone_key ON leads(phone_key) WHERE deleted_at IS NULL AND phone_key <> '';

CREATE INDEX leads_company ON leads(company_id) WHERE company_id IS NOT NULL;

CREATE INDEX leads_deal ON leads(deal_id) WHERE deal_id IS NOT NULL;

CREATE INDEX leads_received ON leads(received_at) WHERE deleted_at IS NULL;

CREATE INDEX lead_events_lead ON lead_events(lead_id, at, id);

CREATE INDEX mail_sends_member_state ON mail_sends(member_id, state);

CREATE UNIQUE INDEX sequence_enrolments_one_active ON sequence_enrolments(sequence_id, target_kind, target_id) WHERE status = 'active' AND deleted_at IS NULL;

CREATE INDEX sequence_enrolments_due ON sequence_enrolments(owner_id, due_at) WHERE status = 'active' AND deleted_at IS NULL;

CREATE INDEX sequence_enrolments_company ON sequence_enrolments(company_id) WHERE status = 'active' AND deleted_at IS NULL;

CREATE INDEX sequence_enrolments_target ON sequence_enrolments(target_kind, target_id);

CREATE INDEX sequence_sends_activity ON sequence_sends(activity_id);

CREATE INDEX import_batches_started ON import_batches(started_at DESC);

CREATE INDEX merged_ids_survivor ON merged_ids(survivor_id);

CREATE INDEX companies_archived ON companies(archived_at) WHERE archived_at IS NOT NULL;

CREATE INDEX activities_stage_changes ON activities(occurred_at) WHERE kind = 'stage_change' AND deleted_at IS NULL;

CREATE INDEX deals_lost_at ON deals(lost_at) WHERE lost_at IS NOT NULL AND deleted_at IS NULL;

CREATE INDEX erasures_at ON erasures(erased_at);

CREATE INDEX audit_at ON audit_log(at DESC, id DESC);

CREATE INDEX audit_user_at ON audit_log(user_id, at DESC, id DESC);

CREATE INDEX audit_entity_at ON audit_log(entity, entity_id, at DESC, id DESC);


-- Search: its indexes are search.sql's, which `kizuna server init` runs
-- after the migrations every time (it says why).

-- Live refresh: a desktop LISTENs on kizuna_changes and reads change_log
-- by sequence when woken (and after any reconnect, so a dropped connection
-- misses nothing). One notification per statement, and PostgreSQL sends
-- it at commit: a rolled-back save wakes nobody.
CREATE FUNCTION kizuna_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kizuna_changes', '');
    RETURN NULL;
END $$;
CREATE TRIGGER change_log_notify AFTER INSERT ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION kizuna_changes_notify();

-- Sequence order is commit order, as in the file, where one writer commits
-- at a time: a desktop that has read the log up to N must never later find
-- a smaller number committed, or it would miss that change for good.
-- PostgreSQL numbers rows at insert and commits in any order, so a
-- statement that appends to the log first takes a lock held to the end of
-- its transaction, before its rows get their numbers: the next one waits
-- until this one has committed or rolled back. Saves run side by side up
-- to their log rows; the server's writer is to append those at the end of
-- a save (docs/team-server.md, step 2), so that only commits take turns.
CREATE FUNCTION kizuna_changes_in_turn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('kizuna_changes'));
    RETURN NULL;
END $$;
CREATE TRIGGER change_log_in_turn BEFORE INSERT ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION kizuna_changes_in_turn();

-- Who really wrote an audit entry: the role the server authenticated, set
-- by the server whatever the client sends (the file can only record the
-- member a desktop says it is). The only column a team file does not have.
ALTER TABLE audit_log ADD COLUMN db_role TEXT;
CREATE FUNCTION kizuna_audit_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_role := session_user;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_log_role BEFORE INSERT OR UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION kizuna_audit_role();

-- SQLite's functions that the domain's SQL calls, with SQLite's meaning on
-- the values Kizuna stores, so that each statement is written once for
-- both stores (docs/team-server.md, "Two dialects"). Times are ISO-8601
-- text, UTC with a "Z"; a date is YYYY-MM-DD; a day number is a Julian day.
-- tests/team_server.rs compares each with SQLite's on the same inputs.

-- A stored time or date as a UTC timestamp, read as SQLite reads one: a
-- time without a zone is UTC, and text that is no time is NULL (never an
-- error, which would stop a whole list over one bad row).
CREATE FUNCTION kizuna_utc(t TEXT) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN t !~ '^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?([Zz]|[+-]\d\d:?\d\d)?$' THEN NULL
        WHEN t ~ '([Zz]|[+-]\d\d:?\d\d)$' THEN CAST(t AS timestamptz) AT TIME ZONE 'UTC'
        ELSE CAST(t AS timestamp) END
$$;

-- The Julian day of a time or date.
CREATE FUNCTION julianday(t TEXT) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CAST(extract(epoch FROM kizuna_utc(t)) AS DOUBLE PRECISION) / 86400.0 + 2440587.5
$$;

-- strftime with the one format the domain asks for, Kizuna's own form of a
-- time ('%Y-%m-%dT%H:%M:%SZ'), optionally moved by a modifier such as
-- '-1 day' or '+30 days'. Any other format is refused, not guessed.
CREATE FUNCTION strftime(format TEXT, t TEXT, modifier TEXT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF format <> '%Y-%m-%dT%H:%M:%SZ' THEN
        RAISE EXCEPTION 'strftime: the server knows only Kizuna''s time format, not %', format;
    END IF;
    RETURN to_char(kizuna_utc(t) + CAST(modifier AS interval), 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
END $$;
CREATE FUNCTION strftime(format TEXT, t TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT strftime(format, t, '+0 seconds') $$;

-- The date (YYYY-MM-DD) of a Julian day moved by a modifier such as
-- '+540 minutes' (the user's UTC offset): the user's calendar day.
CREATE FUNCTION date(day DOUBLE PRECISION, modifier TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_char((to_timestamp((day - 2440587.5) * 86400.0) AT TIME ZONE 'UTC')
                   + CAST(modifier AS interval), 'YYYY-MM-DD')
$$;

-- SQLite's max() of several values (not the aggregate): NULL if any is.
CREATE FUNCTION max(a DOUBLE PRECISION, b DOUBLE PRECISION) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT GREATEST(a, b) $$;
CREATE FUNCTION max(a TEXT, b TEXT, c TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT GREATEST(a, b, c) $$;

-- The length of a JSON array held as text (as the file holds JSON). An
-- integer, so that a SUM of lengths is a bigint (of bigints, numeric).
CREATE FUNCTION json_array_length(j TEXT) RETURNS INTEGER
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT json_array_length(CAST(j AS json)) $$;

-- The elements of a JSON array held as text, as the rows of SQLite's
-- json_each with their `value` column (the only one the domain reads).
CREATE FUNCTION json_each(j TEXT) RETURNS TABLE (value TEXT)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT json_array_elements_text(CAST(j AS json)) $$;
