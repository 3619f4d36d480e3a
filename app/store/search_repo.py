"""Full-text search: the FTS5 index over cases, meetings, agenda items, minutes
and addenda (schema 7), and the safe translation of typed text into a query.

The index is derived data kept current by triggers (see
``migrations/0007_search.sql``); nothing here writes records. Typed text never
reaches FTS5 syntax: :func:`match_expression` keeps only the words, quotes each
one, and makes the last a prefix, so quotes, ``AND``, ``*``, parentheses,
``NEAR`` or ``column:`` in the text are searched as words or dropped.

FTS5 finds and ranks; the snippets are cut here, from the text as written:
FTS5's own ``snippet()`` would show the folded text ("Bornehuset") and, for a
prefix query, would expand the prefix again for every row shown.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from app.store.connection import Connection, DatabaseError

# Letters the unicode61 tokenizer cannot strip to a plain letter (they have no
# Unicode decomposition). The ``folded`` column spells them out the same way
# in SQL (0007_search.sql); both lists must stay equal.
FOLDS: tuple[tuple[str, str], ...] = (
    ("ø", "o"),
    ("Ø", "O"),
    ("æ", "ae"),
    ("Æ", "Ae"),
    ("œ", "oe"),
    ("Œ", "Oe"),
    ("đ", "d"),
    ("Đ", "D"),
    ("ł", "l"),
    ("Ł", "L"),
    ("ı", "i"),
    ("ß", "ss"),
)

# Snippet highlight marks: control characters that typed text does not
# contain, so callers can split on them without ambiguity.
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 12

MAX_TERMS = 16
MAX_TERM_LENGTH = 64

# A word as unicode61 sees one: letters and digits (the underscore and every
# other character separate words).
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """``text`` with the letters of :data:`FOLDS` spelled in plain Latin."""
    for letter, plain in FOLDS:
        text = text.replace(letter, plain)
    return text


def terms(text: str) -> list[str]:
    """The words of typed text, folded, at most :data:`MAX_TERMS` of them."""
    words = _WORD.findall(unicodedata.normalize("NFC", text))
    return [fold(word)[:MAX_TERM_LENGTH] for word in words[:MAX_TERMS]]


def _ends_in_word(text: str) -> bool:
    text = unicodedata.normalize("NFC", text)
    return (
        bool(text)
        and _WORD.fullmatch(text[-1]) is not None
        and len(_WORD.findall(text)) <= MAX_TERMS
    )


@dataclass(frozen=True)
class Query:
    """Typed text as a search: its folded words, whether the last one is a
    prefix, and the FTS5 expression for them."""

    terms: tuple[str, ...]
    prefix: bool

    @property
    def expression(self) -> str:
        """The FTS5 query: each word quoted (never an operator), implicitly ANDed."""
        quoted = [f'"{word}"' for word in self.terms]
        if self.prefix:
            quoted[-1] += " *"
        return " ".join(quoted)


def parse(text: str) -> Query | None:
    """The search for typed ``text``, or None when it has no word at all.

    The last word matches as a prefix unless the text ends after it (a space
    or punctuation), so results follow the typing.
    """
    found = terms(text)
    if not found:
        return None
    return Query(tuple(found), _ends_in_word(text))


def match_expression(text: str) -> str | None:
    """The FTS5 query for typed ``text`` (see :func:`parse`), or None."""
    query = parse(text)
    return query.expression if query else None


@dataclass(frozen=True)
class SearchRow:
    """One matching document with what is needed to show and open it.

    ``kind`` is the document's: 'case', 'meeting', 'agenda_item', 'minutes'
    (an item's minutes) or 'addendum'. ``snippet`` is a short piece of the
    text as written with the matched words wrapped in :data:`MARK_START` …
    :data:`MARK_END`; it may start or end with :data:`ELLIPSIS`.
    """

    kind: str
    ref_id: str
    snippet: str
    rank: float
    case_id: str | None
    meeting_id: str | None
    agenda_item_id: str | None
    item_title: str | None
    meeting_start_utc: str | None
    forum_name: str | None
    site_name: str | None
    case_opened_on: str | None


# Two steps, so that only one page of hits pays for joins and snippets: the
# best ``limit`` documents by bm25 (equal scores: the newest document first),
# then their texts and what the UI needs to show and open them.
_BEST = """
SELECT rowid, bm25(search_index) AS score
FROM search_index
WHERE search_index MATCH :query
ORDER BY score, rowid DESC
LIMIT :limit
"""

_DETAILS = """
SELECT d.id, d.kind, d.ref_id, d.body,
       CASE d.kind WHEN 'case' THEN d.ref_id ELSE a.case_id END,
       m.id, a.id, a.title, m.start_utc, f.name, s.name, c.opened_on
FROM search_docs d
LEFT JOIN item_minutes im ON d.kind = 'minutes' AND im.id = d.ref_id
LEFT JOIN addenda ad ON d.kind = 'addendum' AND ad.id = d.ref_id
LEFT JOIN agenda_items a ON a.id = CASE d.kind WHEN 'agenda_item' THEN d.ref_id
                                               WHEN 'minutes' THEN im.agenda_item_id END
LEFT JOIN meetings m ON m.id = CASE d.kind WHEN 'meeting' THEN d.ref_id
                                           WHEN 'addendum' THEN ad.meeting_id
                                           ELSE a.meeting_id END
LEFT JOIN forums f ON f.id = m.forum_id
LEFT JOIN sites s ON s.id = m.site_id
LEFT JOIN cases c ON c.id = CASE d.kind WHEN 'case' THEN d.ref_id ELSE a.case_id END
WHERE d.id IN (SELECT value FROM json_each(:docs))
"""


def search(conn: Connection, query: Query, limit: int) -> list[SearchRow]:
    """The ``limit`` best documents for ``query``.

    Best first by bm25; among equal scores, the newest document first (so the
    meetings of one site, whose texts are alike, come newest first).
    """
    best = conn.execute(_BEST, {"query": query.expression, "limit": limit}).fetchall()
    if not best:
        return []
    order = {int(doc): (n, float(score)) for n, (doc, score) in enumerate(best)}
    rows = conn.execute(_DETAILS, {"docs": json.dumps(list(order))}).fetchall()
    rows.sort(key=lambda row: order[int(row[0])][0])
    return [
        SearchRow(kind, ref_id, snippet(body, query), order[int(doc)][1], *context)
        for doc, kind, ref_id, body, *context in rows
    ]


def _plain_word(word: str) -> str:
    """A word as the index compares it: folded, without accents, lower case."""
    decomposed = unicodedata.normalize("NFD", fold(word))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def snippet(body: str, query: Query, tokens: int = SNIPPET_TOKENS) -> str:
    """About ``tokens`` words of ``body`` around its matches, matches marked.

    The window holds as many different query words as it can (the earliest
    such window wins) and starts a couple of words before its first match.
    :data:`ELLIPSIS` marks text left out before or after. Without a match
    (the tokenizer split a word differently) the text's beginning is shown.
    """
    words = [(m.start(), m.end(), _plain_word(m.group())) for m in _WORD.finditer(body)]
    if not words:
        return body.strip()
    wanted = [_plain_word(term) for term in query.terms]
    last = len(wanted) - 1

    def which(word: str) -> int | None:
        for n, term in enumerate(wanted):
            if word == term or (n == last and query.prefix and word.startswith(term)):
                return n
        return None

    hits = [which(word) for _start, _end, word in words]
    best_start, best_count = 0, 0
    for n, hit in enumerate(hits):
        if hit is None:
            continue
        start = max(0, min(n - 2, len(words) - tokens))
        count = len({h for h in hits[start : start + tokens] if h is not None})
        if count > best_count:
            best_start, best_count = start, count
    stop = min(len(words), best_start + tokens)
    begin = 0 if best_start == 0 else words[best_start][0]
    end = len(body) if stop == len(words) else words[stop - 1][1]
    out = [ELLIPSIS] if best_start > 0 else []
    done = begin
    for n in range(best_start, stop):
        if hits[n] is None:
            continue
        w_start, w_end, _word = words[n]
        out += [body[done:w_start], MARK_START, body[w_start:w_end], MARK_END]
        done = w_end
    out.append(body[done:end])
    if stop < len(words):
        out.append(ELLIPSIS)
    return "".join(out)


def document(conn: Connection, kind: str, ref_id: str) -> str | None:
    """The indexed text of one source row, or None when it has no document."""
    row = conn.execute(
        "SELECT body FROM search_docs WHERE kind = ? AND ref_id = ?", (kind, ref_id)
    ).fetchone()
    return str(row[0]) if row else None


def document_count(conn: Connection) -> int:
    """How many documents the index holds."""
    return int(conn.execute("SELECT count(*) FROM search_docs").fetchone()[0])


def check(conn: Connection) -> bool:
    """True when the FTS index agrees with its documents (FTS5 integrity-check)."""
    try:
        conn.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")
    except DatabaseError as exc:  # FTS5 reports a mismatch as a corrupt table
        message = str(exc)
        if message.startswith("fts5:") or "malformed" in message or "corrupt" in message:
            return False
        raise
    return True


def rebuild(conn: Connection) -> None:
    """Rebuild the FTS index from ``search_docs`` (repair; the caller holds a transaction)."""
    conn.execute("INSERT INTO search_index (search_index) VALUES ('rebuild')")
