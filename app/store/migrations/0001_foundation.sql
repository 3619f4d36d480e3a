-- Schema 1: vault identity, the change log that sync builds on, the
-- hash-chained audit log, and settings (the first record table).
--
-- Every record table follows one pattern, which later migrations repeat:
--   id TEXT PRIMARY KEY            a UUID, stable across vaults (sync)
--   created_at, updated_at         ISO 8601 UTC, e.g. 2026-11-23T10:15:00.000Z
--   writer_vault_id                the vault that wrote the current version
-- and three triggers append each insert/update/delete to change_log, so no
-- code path can change a record without the change log knowing. The line
-- "-- samraad:record-table NAME" after a table stands for those triggers;
-- app/store/migrate.py writes them out before the migration runs.

CREATE TABLE vault_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    vault_id   TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX change_log_by_record ON change_log (table_name, record_id);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT,
    entity_id TEXT,
    details   TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE settings (
    id              TEXT PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    value           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table settings
