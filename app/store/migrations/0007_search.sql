-- Schema 7: full-text search over cases, meetings, agenda items, minutes and
-- addenda (the Ctrl+K search).
--
-- Derived data, not records: search_docs and search_index have no change-log
-- triggers and are not in sync_repo.SYNC_TABLES, so they never travel in a
-- bundle. Each vault keeps its own index, current through the triggers below,
-- which fire on every write (services, sync import, cascading deletes).
--
-- search_docs holds one document per source row: kind ('case', 'meeting',
-- 'agenda_item', 'minutes', 'addendum'), the source row's id, and its text
-- (body). search_index is an FTS5 index over it (external content: the text
-- is stored once). It indexes ``folded``, the body with the letters that have
-- no Unicode decomposition spelled in plain Latin (ø→o, æ→ae, œ→oe, đ→d, ł→l,
-- ı→i, ß→ss), so "sorensen" and "sørensen" both find "Sørensen";
-- search_repo.fold does the same to the query, and the tokenizer removes the
-- other diacritics itself (å→a, é→e, ş→s, ễ→e) and folds case. Folding
-- changes letters only, never word boundaries, so search_repo maps a snippet
-- of the folded text back onto the body as written.
-- secure-delete: a deleted document leaves the index at once, not at the
-- next merge, so erasing a case erases its words from the index too.

CREATE TABLE search_docs (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('case', 'meeting', 'agenda_item', 'minutes', 'addendum')),
    ref_id  TEXT NOT NULL,
    body    TEXT NOT NULL,
    folded  TEXT GENERATED ALWAYS AS (
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(body, 'ø', 'o'), 'Ø', 'O'), 'æ', 'ae'), 'Æ', 'Ae'), 'œ', 'oe'), 'Œ', 'Oe'),
        'đ', 'd'), 'Đ', 'D'), 'ł', 'l'), 'Ł', 'L'), 'ı', 'i'), 'ß', 'ss')
    ) VIRTUAL,
    UNIQUE (kind, ref_id)
) STRICT;

CREATE VIRTUAL TABLE search_index USING fts5 (
    folded,
    content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs
BEGIN
    INSERT INTO search_index (rowid, folded) VALUES (NEW.id, NEW.folded);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs
BEGIN
    INSERT INTO search_index (search_index, rowid, folded) VALUES ('delete', OLD.id, OLD.folded);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs
BEGIN
    INSERT INTO search_index (search_index, rowid, folded) VALUES ('delete', OLD.id, OLD.folded);
    INSERT INTO search_index (rowid, folded) VALUES (NEW.id, NEW.folded);
END;

-- The text of each kind of document. Fields are joined by line breaks.
-- A meeting carries its forum's and site's names (LEFT JOIN: a sync import
-- may write a meeting before its site; the site's trigger catches up).
CREATE VIEW search_src_case (ref_id, body) AS
SELECT id, first_name || ' ' || coalesce(surname, '') || char(10) || age_or_year
           || char(10) || concern
FROM cases;

CREATE VIEW search_src_meeting (ref_id, site_id, forum_id, body) AS
SELECT m.id, m.site_id, m.forum_id,
       coalesce(f.name, '') || char(10) || coalesce(s.name, '') || char(10) || m.note
FROM meetings m
LEFT JOIN forums f ON f.id = m.forum_id
LEFT JOIN sites s ON s.id = m.site_id;

CREATE VIEW search_src_agenda_item (ref_id, body) AS
SELECT id, title || char(10) || notes
FROM agenda_items;

CREATE VIEW search_src_minutes (ref_id, body) AS
SELECT id, knowledge || char(10) || discussion || char(10) || evaluation
           || char(10) || general_text || char(10) || notification_by
FROM item_minutes;

CREATE VIEW search_src_addendum (ref_id, body) AS
SELECT id, text
FROM addenda;

-- Cases.
CREATE TRIGGER search_cases_ai AFTER INSERT ON cases
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'case', ref_id, body FROM search_src_case WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_cases_au AFTER UPDATE OF first_name, surname, age_or_year, concern ON cases
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'case', ref_id, body FROM search_src_case WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_cases_ad AFTER DELETE ON cases
BEGIN
    DELETE FROM search_docs WHERE kind = 'case' AND ref_id = OLD.id;
END;

-- Meetings, and the names they carry.
CREATE TRIGGER search_meetings_ai AFTER INSERT ON meetings
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'meeting', ref_id, body FROM search_src_meeting WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_meetings_au AFTER UPDATE OF note, site_id, forum_id ON meetings
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'meeting', ref_id, body FROM search_src_meeting WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_meetings_ad AFTER DELETE ON meetings
BEGIN
    DELETE FROM search_docs WHERE kind = 'meeting' AND ref_id = OLD.id;
END;
CREATE TRIGGER search_sites_ai AFTER INSERT ON sites
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'meeting', ref_id, body FROM search_src_meeting WHERE site_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_sites_au AFTER UPDATE OF name ON sites
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'meeting', ref_id, body FROM search_src_meeting WHERE site_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_forums_ai AFTER INSERT ON forums
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'meeting', ref_id, body FROM search_src_meeting WHERE forum_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_forums_au AFTER UPDATE OF name ON forums
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'meeting', ref_id, body FROM search_src_meeting WHERE forum_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;

-- Agenda items.
CREATE TRIGGER search_agenda_items_ai AFTER INSERT ON agenda_items
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'agenda_item', ref_id, body FROM search_src_agenda_item WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_agenda_items_au AFTER UPDATE OF title, notes ON agenda_items
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'agenda_item', ref_id, body FROM search_src_agenda_item WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_agenda_items_ad AFTER DELETE ON agenda_items
BEGIN
    DELETE FROM search_docs WHERE kind = 'agenda_item' AND ref_id = OLD.id;
END;

-- Minutes of agenda items.
CREATE TRIGGER search_item_minutes_ai AFTER INSERT ON item_minutes
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'minutes', ref_id, body FROM search_src_minutes WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_item_minutes_au
AFTER UPDATE OF knowledge, discussion, evaluation, general_text, notification_by ON item_minutes
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'minutes', ref_id, body FROM search_src_minutes WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_item_minutes_ad AFTER DELETE ON item_minutes
BEGIN
    DELETE FROM search_docs WHERE kind = 'minutes' AND ref_id = OLD.id;
END;

-- Addenda to approved minutes.
CREATE TRIGGER search_addenda_ai AFTER INSERT ON addenda
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'addendum', ref_id, body FROM search_src_addendum WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_addenda_au AFTER UPDATE OF text ON addenda
BEGIN
    INSERT INTO search_docs (kind, ref_id, body)
    SELECT 'addendum', ref_id, body FROM search_src_addendum WHERE ref_id = NEW.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body
    WHERE body IS NOT excluded.body;
END;
CREATE TRIGGER search_addenda_ad AFTER DELETE ON addenda
BEGIN
    DELETE FROM search_docs WHERE kind = 'addendum' AND ref_id = OLD.id;
END;

-- Backfill: a vault upgraded from schema 6 already has text to find.
INSERT INTO search_docs (kind, ref_id, body) SELECT 'case', ref_id, body FROM search_src_case;
INSERT INTO search_docs (kind, ref_id, body) SELECT 'meeting', ref_id, body FROM search_src_meeting;
INSERT INTO search_docs (kind, ref_id, body)
SELECT 'agenda_item', ref_id, body FROM search_src_agenda_item;
INSERT INTO search_docs (kind, ref_id, body) SELECT 'minutes', ref_id, body FROM search_src_minutes;
INSERT INTO search_docs (kind, ref_id, body) SELECT 'addendum', ref_id, body FROM search_src_addendum;
