-- Schema 2: districts, the first domain record table (the calendar issue
-- adds sites, contacts and forums on top of it).

CREATE TABLE districts (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
CREATE TRIGGER districts_log_insert AFTER INSERT ON districts
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('districts', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER districts_log_update AFTER UPDATE ON districts
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('districts', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER districts_log_delete AFTER DELETE ON districts
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('districts', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
