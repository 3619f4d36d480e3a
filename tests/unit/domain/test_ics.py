from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.ics import IcsEvent, escape_text, fold_line, format_utc, render_calendar

CPH = timezone(timedelta(hours=1))
STAMP = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


def event(
    uid: str = "meeting-17-2025-03-04",
    *,
    sequence: int = 0,
    summary: str = "Ressourceteam",
    location: str = "Skovgårdsskolen",
    cancelled: bool = False,
    start: datetime = datetime(2025, 3, 4, 9, 0, tzinfo=CPH),
    minutes: int = 60,
) -> IcsEvent:
    return IcsEvent(
        uid=uid,
        sequence=sequence,
        start=start,
        end=start + timedelta(minutes=minutes),
        summary=summary,
        location=location,
        cancelled=cancelled,
        last_modified=datetime(2025, 3, 1, 8, 30, tzinfo=UTC),
    )


def parse(text: str) -> list[icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(text)
    return list(calendar.walk("VEVENT"))


def test_each_event_reads_back_with_uid_sequence_start_and_status() -> None:
    events = [
        event("a", sequence=0),
        event("b", sequence=3, cancelled=True, start=datetime(2025, 3, 5, 13, tzinfo=CPH)),
    ]
    parsed = parse(render_calendar(events, STAMP))
    assert len(parsed) == 2
    first, second = parsed
    assert str(first["UID"]) == "a@samraad"
    assert str(second["UID"]) == "b@samraad"
    assert int(first["SEQUENCE"]) == 0 and int(second["SEQUENCE"]) == 3
    assert first["DTSTART"].dt == events[0].start
    assert first["DTEND"].dt == events[0].end
    assert second["DTSTART"].dt == events[1].start
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(second["STATUS"]) == "CANCELLED"
    assert str(first["TRANSP"]) == "OPAQUE"
    assert str(second["TRANSP"]) == "TRANSPARENT"
    assert first["DTSTAMP"].dt == STAMP
    assert first["LAST-MODIFIED"].dt == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def test_calendar_header_lines() -> None:
    text = render_calendar([], STAMP, name="Distrikt Nord, skoler")
    lines = text.split("\r\n")
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Samraad//Samraad calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert "X-WR-CALNAME:Distrikt Nord\\, skoler" in lines
    assert text.endswith("END:VCALENDAR\r\n")
    assert "X-WR-CALNAME" not in render_calendar([], STAMP)
    # X- properties default to TEXT (RFC 5545 3.8.8.2), so the comma is escaped;
    # icalendar does not unescape unknown properties, hence a plain name here.
    plain = render_calendar([], STAMP, name="Distrikt Nord")
    assert str(icalendar.Calendar.from_ical(plain)["X-WR-CALNAME"]) == "Distrikt Nord"


def test_times_are_written_in_utc() -> None:
    text = render_calendar([event()], STAMP)
    assert "DTSTART:20250304T080000Z\r\n" in text
    assert "DTEND:20250304T090000Z\r\n" in text
    assert "DTSTAMP:20250305T120000Z\r\n" in text
    assert "VTIMEZONE" not in text


def test_long_summary_with_danish_letters_and_emoji_folds_and_round_trips() -> None:
    summary = ("Ressourceteam på Ærøskøbing skole 🙂 " * 10)[:200]
    assert len(summary) == 200
    text = render_calendar([event(summary=summary)], STAMP)
    assert "\r\n " in text  # it was folded
    (parsed,) = parse(text)
    assert str(parsed["SUMMARY"]) == summary


def test_every_physical_line_is_at_most_75_octets_and_valid_utf8() -> None:
    events = [event(summary="ø🙂" * 100, location="å" * 80), event("x" * 200)]
    text = render_calendar(events, STAMP, name="æ" * 90)
    for line in text.encode("utf-8").split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no multi-byte character was split


def test_crlf_everywhere() -> None:
    text = render_calendar([event(summary="line one\nline two\r\nthree")], STAMP)
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


def test_escaping_round_trips() -> None:
    summary = "Netværk; forum, site\\path\nnew line"
    (parsed,) = parse(render_calendar([event(summary=summary, location="a,b;c")], STAMP))
    assert str(parsed["SUMMARY"]) == summary
    assert str(parsed["LOCATION"]) == "a,b;c"


def test_escape_text_rules() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    assert escape_text("tab\there\x00\x07\x7f") == "tab\there"
    assert escape_text("\ud800") == "\ufffd"


def test_fold_line_never_splits_a_character() -> None:
    folded = fold_line("SUMMARY:" + "🙂" * 30)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0]] + [p[1:] for p in parts[1:]]) == "SUMMARY:" + "🙂" * 30
    assert fold_line("short") == "short"
    assert fold_line("x" * 75) == "x" * 75
    assert fold_line("x" * 76) == "x" * 75 + "\r\n x"


def test_empty_location_is_left_out_and_zero_length_has_no_dtend() -> None:
    text = render_calendar([event(location="", minutes=0)], STAMP)
    assert "LOCATION" not in text
    assert "DTEND" not in text
    assert "DTSTART:20250304T080000Z" in text


def test_format_utc_pads_and_drops_microseconds() -> None:
    assert format_utc(datetime(5, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "00050102T030405Z"


def test_invalid_events_are_refused() -> None:
    naive = datetime(2025, 3, 4, 9)
    with pytest.raises(ValueError):
        IcsEvent("a", 0, naive, naive, "s", "l", False, STAMP)
    with pytest.raises(ValueError):
        event(minutes=-1)
    with pytest.raises(ValueError):
        event(sequence=-1)
    with pytest.raises(ValueError):
        event("")
    with pytest.raises(ValueError):
        render_calendar([event("a"), event("a")], STAMP)
    with pytest.raises(ValueError):
        render_calendar([], naive)


text_values = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=300
)


@given(text_values, text_values)
def test_any_summary_and_location_round_trip(summary: str, location: str) -> None:
    text = render_calendar([event(summary=summary, location=location)], STAMP)
    for line in text.encode("utf-8").split(b"\r\n"):
        assert len(line) <= 75
    (parsed,) = parse(text)
    # Control characters other than tab are not allowed in TEXT and are dropped.
    expected = "".join(ch for ch in summary if ch in "\t\n" or (ord(ch) >= 0x20 and ch != "\x7f"))
    assert str(parsed["SUMMARY"]) == expected
