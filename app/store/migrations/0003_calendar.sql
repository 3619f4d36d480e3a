-- Schema 3: sites, people and the meeting calendar.
--
-- Seeded roles and forums have fixed ids (UUIDv5 of their key), so the same
-- default is the same record in every vault and sync merges it instead of
-- duplicating it. Their English names are source strings of the UI catalogue.
-- Times: meetings store start/end in UTC (sortable text, ...Z); series store
-- their first start as naive local wall-clock time (the vault's country sets
-- the zone), so a 09:00 meeting stays at 09:00 across DST changes.

CREATE TABLE roles (
    id              TEXT PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table roles

CREATE TABLE sites (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('day-care', 'family-day-care', 'school', 'other')),
    district_id     TEXT REFERENCES districts (id),
    address         TEXT NOT NULL DEFAULT '',
    leader          TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX sites_by_district ON sites (district_id);
-- samraad:record-table sites

CREATE TABLE contacts (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    role_id         TEXT REFERENCES roles (id),
    site_id         TEXT REFERENCES sites (id),
    organisation    TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_by_site ON contacts (site_id);
-- samraad:record-table contacts

CREATE TABLE forums (
    id                       TEXT PRIMARY KEY,
    kind                     TEXT NOT NULL,
    name                     TEXT NOT NULL,
    default_rrule            TEXT,
    default_duration_minutes INTEGER NOT NULL CHECK (default_duration_minutes > 0),
    chair                    TEXT NOT NULL,
    minutes_by               TEXT NOT NULL,
    participant_roles        TEXT NOT NULL DEFAULT '[]',
    max_gap_days             INTEGER,
    school_holiday_policy    TEXT NOT NULL CHECK (school_holiday_policy IN ('skip', 'ignore')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table forums

CREATE TABLE series (
    id                    TEXT PRIMARY KEY,
    forum_id              TEXT NOT NULL REFERENCES forums (id),
    site_id               TEXT NOT NULL REFERENCES sites (id),
    rrule                 TEXT NOT NULL,
    first_start           TEXT NOT NULL,
    duration_minutes      INTEGER NOT NULL CHECK (duration_minutes > 0),
    holiday_policy        TEXT NOT NULL CHECK (holiday_policy IN ('skip', 'move')),
    school_holiday_policy TEXT NOT NULL CHECK (school_holiday_policy IN ('skip', 'ignore')),
    ends_on               TEXT,
    generated_until       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table series

CREATE TABLE series_sites (
    id              TEXT PRIMARY KEY,
    series_id       TEXT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    site_id         TEXT NOT NULL REFERENCES sites (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    UNIQUE (series_id, site_id)
) STRICT;
-- samraad:record-table series_sites

CREATE TABLE meetings (
    id              TEXT PRIMARY KEY,
    series_id       TEXT REFERENCES series (id),
    occurrence_key  TEXT,
    forum_id        TEXT NOT NULL REFERENCES forums (id),
    site_id         TEXT NOT NULL REFERENCES sites (id),
    start_utc       TEXT NOT NULL,
    end_utc         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    detached        INTEGER NOT NULL DEFAULT 0 CHECK (detached IN (0, 1)),
    moved_from      TEXT,
    note            TEXT NOT NULL DEFAULT '',
    sequence        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    UNIQUE (series_id, occurrence_key)
) STRICT;
CREATE INDEX meetings_by_start ON meetings (start_utc);
CREATE INDEX meetings_by_site ON meetings (site_id, forum_id, start_utc);
-- samraad:record-table meetings

CREATE TABLE school_holidays (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL DEFAULT '',
    first_day       TEXT NOT NULL,
    last_day        TEXT NOT NULL CHECK (last_day >= first_day),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table school_holidays

-- Seeds.
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('f6d12e64-8779-5786-9805-0c6d6d6fcf2a', 'leader', 'Leader', 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('fe11ec79-d626-5ac2-bfca-62eb30c74057', 'teacher', 'Teacher', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('cee98cac-873c-541e-aafa-858052c2b114', 'pedagogue', 'Pedagogue', 2, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('17ea9485-2cf5-56f7-86bb-b93f46aacf90', 'health-visitor', 'Health visitor', 3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('4ce80392-f38f-5c54-bffa-6680c8f680fa', 'psychologist', 'Psychologist', 4, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('d97cb88f-d425-548b-a991-672f8ef35f42', 'ppr', 'PPR', 5, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('850ca08e-494f-545f-8fb6-f03a7c0e9095', 'occupational-therapist', 'Occupational therapist', 6, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('0c1a0b97-116a-5fbc-81dc-6a02452e07bb', 'authority-caseworker', 'Authority caseworker', 7, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('5adda972-9495-5211-b06b-2d5d1a62dc6e', 'family-therapist', 'Family therapist', 8, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('62db2b75-c280-5809-a3c5-34b78b96d4da', 'ssp-worker', 'SSP worker', 9, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('a0bac28b-0536-5fcf-8384-92524d96ae2e', 'police', 'Police', 10, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('74f100ce-75ef-5ccc-966a-3f94f5411a41', 'parent', 'Parent', 11, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO roles (id, key, name, position, created_at, updated_at, writer_vault_id)
VALUES ('d4cb4838-0ba0-55f0-987c-e7b71e075935', 'other', 'Other', 12, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO forums (id, kind, name, default_rrule, default_duration_minutes, chair, minutes_by,
    participant_roles, max_gap_days, school_holiday_policy, created_at, updated_at, writer_vault_id)
VALUES ('95e3fc60-006b-5cb0-84f9-62efe65153d9', 'daycare-consultation', 'Day-care consultation', 'FREQ=WEEKLY;INTERVAL=5;BYDAY=MO', 120, 'advisor', 'advisor',
    '["leader", "pedagogue", "health-visitor", "psychologist", "occupational-therapist"]', 35, 'ignore', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO forums (id, kind, name, default_rrule, default_duration_minutes, chair, minutes_by,
    participant_roles, max_gap_days, school_holiday_policy, created_at, updated_at, writer_vault_id)
VALUES ('05685b7b-e7cd-58ff-b6b4-8af9c8bc5eaa', 'school-resource-team', 'School resource team', 'FREQ=WEEKLY;INTERVAL=2', 120, 'advisor', 'advisor',
    '["leader", "teacher", "ppr", "psychologist", "health-visitor", "ssp-worker"]', 14, 'skip', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO forums (id, kind, name, default_rrule, default_duration_minutes, chair, minutes_by,
    participant_roles, max_gap_days, school_holiday_policy, created_at, updated_at, writer_vault_id)
VALUES ('7e49cc49-43d4-5e1f-9fa3-de709dbd3af2', 'dialogue', 'Dialogue meeting', NULL, 60, 'leader', 'leader',
    '["leader", "parent", "pedagogue", "teacher"]', NULL, 'ignore', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO forums (id, kind, name, default_rrule, default_duration_minutes, chair, minutes_by,
    participant_roles, max_gap_days, school_holiday_policy, created_at, updated_at, writer_vault_id)
VALUES ('cdd6fdb6-d746-59ac-8afd-558ddcbe00a2', 'network', 'Network meeting', NULL, 90, 'authority-caseworker', 'authority-caseworker',
    '["authority-caseworker", "parent", "family-therapist", "leader"]', NULL, 'ignore', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO forums (id, kind, name, default_rrule, default_duration_minutes, chair, minutes_by,
    participant_roles, max_gap_days, school_holiday_policy, created_at, updated_at, writer_vault_id)
VALUES ('d47da72d-d729-5ed2-b376-b822f507bab7', 'district-half-yearly', 'Half-yearly district meeting', 'FREQ=MONTHLY;INTERVAL=6', 120, 'leader', 'leader',
    '["leader"]', 190, 'skip', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
INSERT INTO forums (id, kind, name, default_rrule, default_duration_minutes, chair, minutes_by,
    participant_roles, max_gap_days, school_holiday_policy, created_at, updated_at, writer_vault_id)
VALUES ('999bc034-a7c4-5a64-ab37-72f451fc80b4', 'other', 'Other meeting', NULL, 60, 'advisor', 'advisor',
    '[]', NULL, 'ignore', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', (SELECT value FROM vault_meta WHERE key = 'vault_id'));
