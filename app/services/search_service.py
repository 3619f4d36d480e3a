"""Search across cases, meetings, agenda items and minutes (the Ctrl+K dialog).

The vault's full-text index (schema 7, ``app/store/search_repo.py``) finds
the documents; this module turns them into hits the UI can list and open.

Matching, as the advisor sees it:

- Every typed word must occur (in any order); the last word also matches as
  the beginning of a word while it is being typed ("sør" finds "Sørensen").
  A space or punctuation after it ends the word.
- Case and accents do not matter: "sorensen", "Sørensen" and "SØRENSEN" find
  each other, as do "alborg"/"Ålborg", "muller"/"Müller", "sukru"/"Şükrü",
  "baek"/"Bæk". (ø, æ, œ, đ, ł, ı, ß count as o, ae, oe, d, l, i, ss.) The
  flip side: "for" also finds "før"; in a search box, finding too much is the
  lesser harm than missing a child because of a keyboard.
- Everything typed is searched as words: quotes, ``AND``, ``OR``, ``NEAR``,
  ``*``, parentheses and other query syntax are never interpreted, so no text
  can make the search fail.
- Best matches first (bm25); equal ones (the meetings of one site) newest
  document first.
- The snippet is a dozen words of the text as written around the matches.

What is searched: a case's first name, surname (named cases only), age or
year group and concern; a meeting's forum and site names (as stored, so a
seeded forum matches by its English name) and note; an agenda item's title
and notes; an item's minutes (knowledge, discussion, evaluation, general
text, notification by); addenda. Not searched: guardians, consents, the
§49a name recorded for one meeting (it names the child on that item only).

Titles: a case hit shows the case's label (the full name of a named case, so
that read is audited like the case list's; the first name and age of an
anonymous one). Agenda-item and minutes hits about a case show the anonymous
label on the meeting's date, never the name, so a search list cannot name a
child in the context of a meeting the consent may not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from app.domain import case_display, closures
from app.domain.case_model import CaseFacts, CaseKind
from app.domain.seeded_names import SEEDED_NAMES
from app.i18n import N_, catalogue
from app.store import audit, cases_repo, search_repo
from app.store.search_repo import ELLIPSIS, MARK_END, MARK_START, SearchRow
from app.store.vault import Vault

__all__ = [
    "ELLIPSIS",
    "MARK_END",
    "MARK_START",
    "HitKind",
    "SearchHit",
    "highlights",
    "plain",
    "search",
]

HitKind = Literal["case", "meeting", "minutes", "agenda_item"]
DEFAULT_LIMIT = 50
MAX_LIMIT = 500

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchHit:
    """One result of :func:`search`.

    ``ref_id`` is what the UI opens: the case id for a 'case' hit, else the
    meeting id. ``item_id`` is the agenda item for an 'agenda_item' hit and
    for the minutes of one item; None for cases, meetings and addenda (an
    addendum is a 'minutes' hit of the whole meeting). ``snippet`` is one
    line of the matching text with the matched words between
    :data:`MARK_START` and :data:`MARK_END` (see :func:`highlights`).
    ``when`` is the meeting's local date, or the day a case was opened.
    """

    kind: HitKind
    ref_id: str
    item_id: str | None
    title: str
    snippet: str
    when: date | None


def search(
    vault: Vault,
    text: str,
    *,
    limit: int = DEFAULT_LIMIT,
    lang: str | None = None,
    today: date | None = None,
) -> list[SearchHit]:
    """The hits for typed ``text``, best first; [] for text without a word.

    ``lang`` writes titles in that language (None: the UI's). ``today`` dates
    anonymous case labels that show an age (default: the vault clock's local
    day). Showing named cases' names is audited (ids and a count only).
    """
    query = search_repo.parse(text)
    if query is None or limit < 1:
        return []
    rows = search_repo.search(vault.conn, query, min(limit, MAX_LIMIT))
    if not rows:
        return []
    tz = ZoneInfo(closures.TIMEZONES[vault.country])
    day = today or datetime.fromisoformat(vault.now().replace("Z", "+00:00")).astimezone(tz).date()
    cases = _cases(vault, {r.case_id for r in rows if r.case_id})
    titles = _Titles(lang, day, tz, cases)
    hits = [titles.hit(row) for row in rows]
    named = sum(1 for h in hits if h.kind == "case" and (c := cases.get(h.ref_id)) and _named(c))
    if named:
        vault.audit(audit.Action.CASE_READ, "case", None, {"purpose": "search", "named": named})
    return hits


def highlights(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, highlighted) runs, for rich display."""
    runs: list[tuple[str, bool]] = []
    for i, part in enumerate(snippet.split(MARK_START)):
        if i == 0:
            runs.append((part, False))
            continue
        marked, _sep, rest = part.partition(MARK_END)
        runs.append((marked, True))
        runs.append((rest, False))
    return [(t, h) for t, h in runs if t]


def plain(snippet: str) -> str:
    """A snippet without its highlight marks."""
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def _cases(vault: Vault, ids: set[str]) -> dict[str, CaseFacts]:
    found = {}
    for case_id in sorted(ids):
        row = cases_repo.get(vault.conn, case_id)
        if row is not None:
            found[case_id] = cases_repo.facts(vault.conn, row)
    return found


def _named(case: CaseFacts) -> bool:
    return case.kind is CaseKind.NAMED and bool(case.surname) and case.birth_date is not None


def _one_line(snippet: str) -> str:
    return _SPACE.sub(" ", snippet).strip()


class _Titles:
    """Builds hits in one language for one day."""

    def __init__(
        self, lang: str | None, today: date, tz: ZoneInfo, cases: dict[str, CaseFacts]
    ) -> None:
        self.lang = lang
        self.tr = catalogue(lang).gettext
        self.today = today
        self.tz = tz
        self.cases = cases

    def hit(self, row: SearchRow) -> SearchHit:
        snippet = _one_line(row.snippet)
        if row.kind == "case":
            case = self.cases.get(row.ref_id)
            opened = date.fromisoformat(row.case_opened_on) if row.case_opened_on else None
            return SearchHit("case", row.ref_id, None, self._case_label(case), snippet, opened)
        day = self._day(row.meeting_start_utc)
        meeting = self._meeting_label(row)
        if row.kind == "meeting":
            return SearchHit("meeting", row.ref_id, None, meeting, snippet, day)
        meeting_id = row.meeting_id or ""
        if row.kind == "addendum":
            title = self.tr(N_("Addendum – {meeting}")).format(meeting=meeting)
            return SearchHit("minutes", meeting_id, None, title, snippet, day)
        item = self._item_label(row, day)
        title = self.tr(N_("{item} – {meeting}")).format(item=item, meeting=meeting)
        kind: HitKind = "minutes" if row.kind == "minutes" else "agenda_item"
        return SearchHit(kind, meeting_id, row.agenda_item_id, title, snippet, day)

    def _day(self, start_utc: str | None) -> date | None:
        if not start_utc:
            return None
        moment = datetime.fromisoformat(start_utc.replace("Z", "+00:00"))
        return moment.astimezone(self.tz).date()

    def _case_label(self, case: CaseFacts | None) -> str:
        if case is None:
            return self.tr(N_("Unnamed child"))
        if _named(case):
            return case_display.named_label(case, self.lang)
        return case_display.anonymous_label(case, self.today, self.lang)

    def _meeting_label(self, row: SearchRow) -> str:
        forum = row.forum_name or ""
        if forum in SEEDED_NAMES:
            forum = self.tr(forum)
        return self.tr(N_("{forum}, {site}")).format(forum=forum, site=row.site_name or "")

    def _item_label(self, row: SearchRow, day: date | None) -> str:
        if row.case_id:
            case = self.cases.get(row.case_id)
            if case is not None:
                return case_display.anonymous_label(case, day or self.today, self.lang)
        return (row.item_title or "").strip() or self.tr(N_("Agenda item"))
