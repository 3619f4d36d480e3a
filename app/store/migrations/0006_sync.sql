-- Schema 6: synchronisation state. Local bookkeeping only — these tables do
-- not travel in bundles and have no change-log triggers.
--
-- sync_base holds, per peer and record, the hash of the content last
-- received from that peer (confirmed: both sides had it) and of the content
-- last sent to it (not yet confirmed). They tell "only one side changed this
-- since we last met" (that change wins) from "both changed" (a conflict,
-- both versions kept).

CREATE TABLE sync_peers (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    vault_id          TEXT UNIQUE,
    public_key        TEXT,
    last_exported_seq INTEGER NOT NULL DEFAULT 0,
    last_imported_seq INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
) STRICT;

CREATE TABLE sync_base (
    peer_id      TEXT NOT NULL REFERENCES sync_peers (id) ON DELETE CASCADE,
    table_name   TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    content_hash TEXT,
    sent_hash    TEXT,
    received_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (peer_id, table_name, record_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_conflicts (
    id           TEXT PRIMARY KEY,
    peer_id      TEXT REFERENCES sync_peers (id) ON DELETE SET NULL,
    table_name   TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('update', 'delete', 'withdrawal', 'deleted-here')),
    kept         TEXT,
    other        TEXT,
    other_hash   TEXT NOT NULL,
    detected_at  TEXT NOT NULL,
    resolved_at  TEXT,
    UNIQUE (table_name, record_id, other_hash)
) STRICT;

CREATE TABLE sync_imported_bundles (
    bundle_id   TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
) STRICT;
