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
CREATE TRIGGER cases_log_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('cases', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER cases_log_update AFTER UPDATE ON cases
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('cases', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER cases_log_delete AFTER DELETE ON cases
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('cases', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

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
CREATE TRIGGER guardians_log_insert AFTER INSERT ON guardians
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('guardians', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER guardians_log_update AFTER UPDATE ON guardians
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('guardians', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER guardians_log_delete AFTER DELETE ON guardians
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('guardians', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

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
CREATE TRIGGER case_levels_log_insert AFTER INSERT ON case_levels
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('case_levels', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER case_levels_log_update AFTER UPDATE ON case_levels
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('case_levels', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER case_levels_log_delete AFTER DELETE ON case_levels
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('case_levels', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

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
CREATE TRIGGER attachments_log_insert AFTER INSERT ON attachments
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('attachments', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER attachments_log_update AFTER UPDATE ON attachments
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('attachments', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER attachments_log_delete AFTER DELETE ON attachments
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('attachments', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

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
CREATE TRIGGER consents_log_insert AFTER INSERT ON consents
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consents', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER consents_log_update AFTER UPDATE ON consents
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consents', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER consents_log_delete AFTER DELETE ON consents
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consents', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TABLE consent_guardians (
    id              TEXT PRIMARY KEY,
    consent_id      TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    guardian_id     TEXT NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    UNIQUE (consent_id, guardian_id)
) STRICT;
CREATE TRIGGER consent_guardians_log_insert AFTER INSERT ON consent_guardians
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consent_guardians', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER consent_guardians_log_update AFTER UPDATE ON consent_guardians
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consent_guardians', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER consent_guardians_log_delete AFTER DELETE ON consent_guardians
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consent_guardians', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TABLE consent_roles (
    id              TEXT PRIMARY KEY,
    consent_id      TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    role_id         TEXT NOT NULL REFERENCES roles (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL,
    UNIQUE (consent_id, role_id)
) STRICT;
CREATE TRIGGER consent_roles_log_insert AFTER INSERT ON consent_roles
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consent_roles', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER consent_roles_log_update AFTER UPDATE ON consent_roles
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consent_roles', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER consent_roles_log_delete AFTER DELETE ON consent_roles
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('consent_roles', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

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
CREATE TRIGGER agenda_items_log_insert AFTER INSERT ON agenda_items
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('agenda_items', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER agenda_items_log_update AFTER UPDATE ON agenda_items
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('agenda_items', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER agenda_items_log_delete AFTER DELETE ON agenda_items
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('agenda_items', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

