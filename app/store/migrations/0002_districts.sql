-- Schema 2: districts, the first domain record table (the calendar issue
-- adds sites, contacts and forums on top of it).

CREATE TABLE districts (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    writer_vault_id TEXT NOT NULL
) STRICT;
-- samraad:record-table districts
