-- Schema 9: indexes found missing by the benchmarks on a five-year vault
-- (issue 8, docs/performance.md). No table changes; every index serves a
-- query the app runs, or the foreign-key check of a delete, which otherwise
-- reads the whole child table for each deleted parent row.

-- Subject access, case export and erasure read a case's audit entries
-- (case_data_repo: entity = 'case' AND entity_id = ?): one full scan of the
-- audit log per case made a bundle of N cases cost N × the log.
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);

-- The minutes view reads each item's interventions (interventions_repo.of_item).
CREATE INDEX interventions_by_item ON interventions (agenda_item_id);

-- Deleting a meeting (a series changed, an erasure) sets these to NULL; the
-- foreign-key action looks the rows up by meeting.
CREATE INDEX agreements_by_meeting ON agreements (meeting_id);
CREATE INDEX interventions_by_meeting ON interventions (meeting_id);

-- Renaming a forum, or a bundle that carries the forums, rewrites the search
-- text of its meetings (0007_search.sql: search_forums_au).
CREATE INDEX meetings_by_forum ON meetings (forum_id);
