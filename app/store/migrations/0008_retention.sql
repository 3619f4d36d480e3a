-- Schema 8: retention and erasure.
--
-- cases gains why and when it was closed and reopened: the retention rules
-- (app/domain/retention.py) run on these dates. The reason is a code word
-- (resolved, referred, moved, family-declined, other), never free text.
--
-- Two local bookkeeping tables (no change-log triggers, never in a bundle):
--
-- erased_records: every record an erasure removed, by table and id only —
-- no personal data. The importer refuses these ids (and records that hang
-- on them) from any bundle, so an older bundle can never bring an erased
-- child back; the exporter marks their tombstones as erasures.
--
-- bundle_exports: every bundle file this vault wrote (where, when, how) and
-- the ids of the cases it held, so that erasing a case can name the files
-- that may still contain it. The case ids are a JSON list, not a case_id
-- column: the table is about files, not about a child.

ALTER TABLE cases ADD COLUMN closure_reason TEXT
    CHECK (closure_reason IN ('resolved', 'referred', 'moved', 'family-declined', 'other'));
ALTER TABLE cases ADD COLUMN reopened_on TEXT;

CREATE TABLE erased_records (
    table_name TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    erased_at  TEXT NOT NULL,
    PRIMARY KEY (table_name, record_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE bundle_exports (
    id         TEXT PRIMARY KEY,
    path       TEXT NOT NULL,
    written_at TEXT NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('peer', 'cases', 'all')),
    peer_id    TEXT REFERENCES sync_peers (id) ON DELETE SET NULL,
    case_ids   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(case_ids))
) STRICT;
CREATE INDEX bundle_exports_by_time ON bundle_exports (written_at);
