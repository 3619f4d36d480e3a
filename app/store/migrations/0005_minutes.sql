-- Schema 5: minutes, attendance, addenda, agreements, staged-procedure
-- templates, interventions (with an editable catalogue) and SDQ assessments.
--
-- Approved minutes are locked: the services refuse changes, and triggers
-- refuse them here too, so no code path can rewrite an approved record.
-- Rows about a child cascade to its case (erasure removes them).

CREATE TABLE meeting_minutes (
    id              TEXT PRIMARY KEY,
    meeting_id      TEXT NOT NULL UNIQUE REFERENCES meetings (id) ON DELETE CASCADE,
    approved_on     TEXT,
    approved_by     TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table meeting_minutes

CREATE TABLE item_minutes (
    id                  TEXT PRIMARY KEY,
    agenda_item_id      TEXT NOT NULL UNIQUE REFERENCES agenda_items (id) ON DELETE CASCADE,
    meeting_id          TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    knowledge           TEXT NOT NULL DEFAULT '',
    discussion          TEXT NOT NULL DEFAULT '',
    evaluation          TEXT NOT NULL DEFAULT '',
    general_text        TEXT NOT NULL DEFAULT '',
    outcome             TEXT CHECK (outcome IN ('continue-locally', 'network-meeting',
                                                'notification', 'close-case')),
    notification_on     TEXT,
    notification_by     TEXT NOT NULL DEFAULT '',
    new_level           INTEGER CHECK (new_level BETWEEN 0 AND 3),
    new_relay_holder_id TEXT REFERENCES contacts (id),
    leak_override       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX item_minutes_by_meeting ON item_minutes (meeting_id);
-- samraad:record-table item_minutes
-- Only the record's content is locked: a leak override (which decides what
-- may be printed, not what was said) can still be recorded after approval.
CREATE TRIGGER item_minutes_locked
BEFORE UPDATE OF knowledge, discussion, evaluation, general_text, outcome, notification_on,
                 notification_by, new_level, new_relay_holder_id ON item_minutes
WHEN EXISTS (SELECT 1 FROM meeting_minutes
             WHERE meeting_id = OLD.meeting_id AND approved_on IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'the minutes are approved and locked');
END;

CREATE TABLE addenda (
    id              TEXT PRIMARY KEY,
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    written_on      TEXT NOT NULL,
    author          TEXT NOT NULL,
    text            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX addenda_by_meeting ON addenda (meeting_id);
-- samraad:record-table addenda

CREATE TABLE attendance (
    id              TEXT PRIMARY KEY,
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    contact_id      TEXT NOT NULL REFERENCES contacts (id),
    present         INTEGER NOT NULL CHECK (present IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    UNIQUE (meeting_id, contact_id)
) STRICT;
-- samraad:record-table attendance

CREATE TABLE agreements (
    id               TEXT PRIMARY KEY,
    case_id          TEXT REFERENCES cases (id) ON DELETE CASCADE,
    meeting_id       TEXT REFERENCES meetings (id) ON DELETE SET NULL,
    agenda_item_id   TEXT REFERENCES agenda_items (id) ON DELETE SET NULL,
    what             TEXT NOT NULL,
    owner_contact_id TEXT REFERENCES contacts (id),
    deadline         TEXT,
    parent_contact   INTEGER NOT NULL DEFAULT 0 CHECK (parent_contact IN (0, 1)),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    template_step_id TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX agreements_by_deadline ON agreements (status, deadline);
CREATE INDEX agreements_by_case ON agreements (case_id);
CREATE INDEX agreements_by_item ON agreements (agenda_item_id);
-- samraad:record-table agreements

CREATE TABLE procedure_templates (
    id              TEXT PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table procedure_templates

CREATE TABLE procedure_steps (
    id              TEXT PRIMARY KEY,
    template_id     TEXT NOT NULL REFERENCES procedure_templates (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    what            TEXT NOT NULL,
    owner_role_id   TEXT REFERENCES roles (id),
    offset_days     INTEGER NOT NULL CHECK (offset_days >= 0),
    school_days     INTEGER NOT NULL DEFAULT 1 CHECK (school_days IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table procedure_steps

CREATE TABLE intervention_types (
    id              TEXT PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table intervention_types

CREATE TABLE interventions (
    id                     TEXT PRIMARY KEY,
    case_id                TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    type_id                TEXT NOT NULL REFERENCES intervention_types (id),
    goal                   TEXT NOT NULL DEFAULT '',
    responsible_contact_id TEXT REFERENCES contacts (id),
    start_on               TEXT NOT NULL,
    evaluation_on          TEXT NOT NULL,
    status                 TEXT NOT NULL DEFAULT 'active'
                           CHECK (status IN ('planned', 'active', 'evaluated', 'stopped')),
    evaluation             TEXT NOT NULL DEFAULT '',
    result                 TEXT CHECK (result IN ('met', 'partly', 'not-met')),
    meeting_id             TEXT REFERENCES meetings (id) ON DELETE SET NULL,
    agenda_item_id         TEXT REFERENCES agenda_items (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX interventions_by_case ON interventions (case_id);
CREATE INDEX interventions_by_evaluation ON interventions (status, evaluation_on);
-- samraad:record-table interventions

CREATE TABLE sdq_assessments (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    on_date         TEXT NOT NULL,
    informant       TEXT NOT NULL CHECK (informant IN ('parent', 'teacher', 'self')),
    version         TEXT NOT NULL,
    answers         TEXT,
    scale_scores    TEXT,
    impact_answers  TEXT,
    no_difficulties INTEGER NOT NULL DEFAULT 0 CHECK (no_difficulties IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    -- Either the 25 answers by item number or the scale scores, never neither.
    CHECK (answers IS NOT NULL OR scale_scores IS NOT NULL)
) STRICT;
CREATE INDEX sdq_by_case ON sdq_assessments (case_id, on_date);
-- samraad:record-table sdq_assessments

-- Seeds.
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('ccbb5ba2-86fd-553e-aafe-8e9430d5ef36', 'short-counselling', 'Short counselling course', 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('49775de7-c643-56df-897a-425bdb4e9728', 'foster-care-learning', 'Learning environment of a child in foster care', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('043762ed-295f-504d-8543-238655dba14d', 'refugee-trauma-support', 'Support for refugee children with signs of trauma', 2, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('621c9dbb-9a9c-5f62-b26e-46d5b6b506ba', 'divorce-group', 'Divorce group', 3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('04cfe4ed-6602-548e-b007-6b7392ecb8dc', 'parent-guidance', 'Parent guidance', 4, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('3db0cb08-dc60-5cbe-8413-acefa9904693', 'pmto', 'PMTO', 5, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('d03f428f-523d-5375-872e-a775eed10a77', 'activity-group', 'Activity group', 6, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO intervention_types (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('604b2465-6601-5aa4-bc3e-f64cc495f8e9', 'other', 'Other intervention', 7, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO procedure_templates (id, key, name, created_at, updated_at, writer_vault_id)
VALUES ('a38a74d0-df79-53ae-ae23-c5c6c6c3a10d', 'concerning-absence', 'Concerning absence', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO procedure_steps (id, template_id, position, what, owner_role_id, offset_days, school_days,
    created_at, updated_at, writer_vault_id)
VALUES ('08835c73-5421-5fc0-b9e3-d8abe58e63ef', 'a38a74d0-df79-53ae-ae23-c5c6c6c3a10d', 1, 'The class teacher contacts the parents about the absence',
    'fe11ec79-d626-5ac2-bfca-62eb30c74057', 2, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO procedure_steps (id, template_id, position, what, owner_role_id, offset_days, school_days,
    created_at, updated_at, writer_vault_id)
VALUES ('c91bcc8d-4ddd-56bd-b609-3a30580b3f66', 'a38a74d0-df79-53ae-ae23-c5c6c6c3a10d', 2, 'The school leader holds a meeting with the parents and the child',
    'f6d12e64-8779-5786-9805-0c6d6d6fcf2a', 10, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO procedure_steps (id, template_id, position, what, owner_role_id, offset_days, school_days,
    created_at, updated_at, writer_vault_id)
VALUES ('774b913c-d6b2-50b9-bd1e-c6dc49bfc315', 'a38a74d0-df79-53ae-ae23-c5c6c6c3a10d', 3, 'The case is discussed in the resource team with the district advisor',
    'f6d12e64-8779-5786-9805-0c6d6d6fcf2a', 15, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO procedure_steps (id, template_id, position, what, owner_role_id, offset_days, school_days,
    created_at, updated_at, writer_vault_id)
VALUES ('a48a0b2b-2e48-5629-93d1-7fc74d3a6c14', 'a38a74d0-df79-53ae-ae23-c5c6c6c3a10d', 4, 'If the absence continues: the school leader considers a notification to child services',
    'f6d12e64-8779-5786-9805-0c6d6d6fcf2a', 20, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
