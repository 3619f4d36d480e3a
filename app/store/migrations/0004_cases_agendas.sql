-- Schema 4: cases, guardians, consents (with scanned forms) and agendas.
--
-- No national ID number has a column anywhere. Free text about a child lives
-- only in this encrypted database. Child rows cascade to their case so that
-- erasing a case (retention issue) removes everything that belongs to it.

-- Roles invited to a meeting (JSON list of role ids); NULL = the forum's defaults.
ALTER TABLE meetings ADD COLUMN invited_roles TEXT;

CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('anonymous', 'named')),
    first_name       TEXT NOT NULL,
    surname          TEXT,
    birth_date       TEXT,
    age_or_year      TEXT NOT NULL DEFAULT '',
    site_id          TEXT NOT NULL REFERENCES sites (id),
    concern          TEXT NOT NULL DEFAULT '',
    level            INTEGER NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 3),
    relay_holder_id  TEXT REFERENCES contacts (id),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_on        TEXT NOT NULL,
    closed_on        TEXT,
    custody_exception TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    -- A named case always has its full name and birth date; an anonymous one
    -- never has them (they arrive only with a valid consent).
    CHECK ((kind = 'named') = (surname IS NOT NULL AND birth_date IS NOT NULL))
) STRICT;
CREATE INDEX cases_by_site ON cases (site_id, status);
-- samraad:record-table cases

CREATE TABLE guardians (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    relation        TEXT NOT NULL DEFAULT '',
    has_custody     INTEGER NOT NULL DEFAULT 1 CHECK (has_custody IN (0, 1)),
    contact         TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX guardians_by_case ON guardians (case_id);
-- samraad:record-table guardians

CREATE TABLE case_levels (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    level           INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    on_date         TEXT NOT NULL,
    relay_holder_id TEXT REFERENCES contacts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX case_levels_by_case ON case_levels (case_id, on_date);
-- samraad:record-table case_levels

CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    sha256          TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL,
    data            BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table attachments

CREATE TABLE consents (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    given_on        TEXT NOT NULL,
    form            TEXT NOT NULL CHECK (form IN ('written', 'oral')),
    documented_by   TEXT NOT NULL DEFAULT '',
    purpose         TEXT NOT NULL DEFAULT '',
    valid_until     TEXT,
    withdrawn_on    TEXT,
    withdrawn_by    TEXT NOT NULL DEFAULT '',
    withdrawal_note TEXT NOT NULL DEFAULT '',
    attachment_id   TEXT REFERENCES attachments (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE INDEX consents_by_case ON consents (case_id);
-- samraad:record-table consents

CREATE TABLE consent_guardians (
    id              TEXT PRIMARY KEY,
    consent_id      TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    guardian_id     TEXT NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    UNIQUE (consent_id, guardian_id)
) STRICT;
-- samraad:record-table consent_guardians

CREATE TABLE consent_roles (
    id              TEXT PRIMARY KEY,
    consent_id      TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    role_id         TEXT NOT NULL REFERENCES roles (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    UNIQUE (consent_id, role_id)
) STRICT;
-- samraad:record-table consent_roles

CREATE TABLE agenda_items (
    id              TEXT PRIMARY KEY,
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('case', 'general')),
    case_id         TEXT REFERENCES cases (id) ON DELETE CASCADE,
    title           TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    minutes         INTEGER NOT NULL DEFAULT 15 CHECK (minutes >= 0),
    sl49a           INTEGER NOT NULL DEFAULT 0 CHECK (sl49a IN (0, 1)),
    -- For an anonymous case shared under SL § 49 a: the name for this one
    -- meeting only (the case itself stays anonymous).
    sl49a_surname   TEXT,
    sl49a_birth_date TEXT,
    leak_override   TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    CHECK ((kind = 'case') = (case_id IS NOT NULL))
) STRICT;
CREATE INDEX agenda_items_by_meeting ON agenda_items (meeting_id, position);
CREATE INDEX agenda_items_by_case ON agenda_items (case_id);
-- samraad:record-table agenda_items

