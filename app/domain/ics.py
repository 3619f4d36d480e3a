"""iCalendar (RFC 5545) text for the calendar export.

One VEVENT per meeting occurrence. The UID is stable (the caller derives it
from the meeting, not from the export) and SEQUENCE rises when the meeting
changes, so calendar programs update the event instead of adding a copy.
Times are written in UTC, which needs no VTIMEZONE block. A cancelled
meeting stays in the file with STATUS:CANCELLED so subscribers remove it.

Privacy: this module writes exactly the summary and location it is given.
The caller guarantees they name the forum and the site only, never a child
or any case text: calendar files leave the vault unencrypted.

The text is written by hand (the ``icalendar`` package is only used by the
tests to read it back): no runtime dependency for thirty lines of format.
No I/O, no clock: the DTSTAMP is an argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
UID_DOMAIN = "samraad"
DEFAULT_PRODID = "-//Samraad//Samraad calendar//EN"

# RFC 5545 section 3.3.11: TEXT may not hold control characters other than HTAB.
_CONTROL = {*range(0x00, 0x20), 0x7F} - {0x09}


@dataclass(frozen=True)
class IcsEvent:
    """One occurrence as it goes into the file.

    ``uid`` is the stable part before ``@samraad``. ``sequence`` starts at 0
    and rises with every change subscribers should see. All datetimes are
    timezone-aware; they are written in UTC.
    """

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str
    cancelled: bool
    last_modified: datetime

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("an event needs a uid")
        if self.sequence < 0:
            raise ValueError("the sequence cannot be negative")
        for value in (self.start, self.end, self.last_modified):
            _require_aware(value)
        if self.end < self.start:
            raise ValueError("an event cannot end before it starts")


def render_calendar(
    events: Iterable[IcsEvent],
    stamp: datetime,
    prodid: str = DEFAULT_PRODID,
    name: str | None = None,
) -> str:
    """The whole VCALENDAR as text with CRLF line endings.

    Events are written in the order given. ``stamp`` (aware) is the export
    time, written as every event's DTSTAMP. ``name`` becomes X-WR-CALNAME,
    the name most calendar programs show for a subscribed calendar.
    """
    _require_aware(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(prodid)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name is not None:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    seen: set[str] = set()
    for event in events:
        if event.uid in seen:
            # Without RECURRENCE-ID two VEVENTs with one UID are the same event twice.
            raise ValueError("two events share a uid")
        seen.add(event.uid)
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11).

    Backslash, semicolon and comma get a backslash; any line break becomes
    ``\\n``. Control characters, which TEXT may not contain, are dropped, and
    a lone surrogate (not encodable as UTF-8) becomes U+FFFD.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for char in value:
        code = ord(char)
        if char in "\\;,":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif code in _CONTROL:
            continue
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def fold_line(line: str) -> str:
    """Fold one content line so no physical line exceeds 75 octets of UTF-8.

    Continuation lines start with one space (which counts toward the 75).
    The fold falls between characters, never inside a multi-byte one, so
    each physical line is valid UTF-8 on its own. No trailing CRLF.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > MAX_LINE_OCTETS:
            parts.append("".join(current))
            current = [" "]
            size = 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return CRLF.join(parts)


def format_utc(value: datetime) -> str:
    """An aware datetime as an RFC 5545 UTC DATE-TIME (``20250203T090000Z``).

    Seconds are the finest unit the format has; microseconds are dropped.
    """
    _require_aware(value)
    u = value.astimezone(UTC)
    # Not strftime: its %Y does not zero-pad years before 1000 on every platform.
    return f"{u.year:04d}{u.month:02d}{u.day:02d}T{u.hour:02d}{u.minute:02d}{u.second:02d}Z"


def _event_lines(event: IcsEvent, stamp: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}@{UID_DOMAIN}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{format_utc(event.start)}",
    ]
    # RFC 5545 wants DTEND later than DTSTART; without DTEND a timed event
    # lasts zero time, which is exactly what a zero-length meeting is.
    if event.end > event.start:
        lines.append(f"DTEND:{format_utc(event.end)}")
    lines += [
        f"SEQUENCE:{event.sequence}",
        f"LAST-MODIFIED:{format_utc(event.last_modified)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    lines += [
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        # A cancelled meeting no longer blocks the advisor's time in free/busy.
        f"TRANSP:{'TRANSPARENT' if event.cancelled else 'OPAQUE'}",
        "END:VEVENT",
    ]
    return lines


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("calendar times must be timezone-aware")
