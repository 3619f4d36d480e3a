"""The printed agendas: content, page numbering, language, metadata without names."""

from __future__ import annotations

import io
import os
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from app import i18n
from app.reports import pdf_common
from app.reports.agenda_pdf import (
    ChildAgenda,
    MeetingAgenda,
    PrintedItem,
    child_agenda_pdf,
    meeting_agenda_pdf,
)

TZ = ZoneInfo("Europe/Copenhagen")
START = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
END = datetime(2026, 11, 24, 11, 0, tzinfo=TZ)
SITE = "Skovvangskolen"
FORUM = "Netværksmøde"
CHILD = "Şükrü Nguyễn Østergård"
PARENT = "Åsa Ødegård"
BIRTH = date(2015, 5, 1)
OVER_TIME_EN = "Over time by"
OVER_TIME_DA = "Tiden er overskredet med"
INFO_KEYS = {
    "/Title",
    "/Author",
    "/Subject",
    "/Keywords",
    "/Creator",
    "/Producer",
    "/CreationDate",
    "/ModDate",
    "/Trapped",
}


def _items(count: int, minutes: int = 15) -> tuple[PrintedItem, ...]:
    return tuple(
        PrintedItem(
            position=n,
            kind="case" if n % 2 else "general",
            title=f"Punkt {n} Ørnereden" if n % 2 == 0 else f"Barn {n}",
            text="Bekymring for fravær og trivsel; forældrene er orienteret. " * (1 + n % 3),
            minutes=minutes,
        )
        for n in range(1, count + 1)
    )


def _meeting(
    language: str = "da",
    items: tuple[PrintedItem, ...] | None = None,
    meeting_minutes: int = 120,
) -> MeetingAgenda:
    return MeetingAgenda(
        language=language,
        site_name=SITE,
        forum_name=FORUM,
        start=START,
        end=END,
        iso_week=48,
        iso_year=2026,
        participants=("Skoleleder", "Sundhedsplejerske", "PPR-psykolog"),
        items=_items(4) if items is None else items,
        meeting_minutes=meeting_minutes,
    )


def _child(language: str = "da") -> ChildAgenda:
    return ChildAgenda(
        language=language,
        site_name=SITE,
        forum_name=FORUM,
        start=START,
        end=END,
        iso_week=48,
        iso_year=2026,
        full_name=CHILD,
        birth_date=BIRTH,
        concern="Meget fravær siden efterårsferien.\nLæreren har talt med forældrene.",
        basis=f"Samtykke givet 2026-05-01 af {PARENT} (mor), gyldigt til 2027-05-01.",
        minutes=20,
        position=3,
    )


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    """All pages' text with runs of whitespace (line breaks too) made one space."""
    return " ".join(" ".join(_pages(pdf)).split())


def _info(pdf: bytes) -> dict[str, str]:
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    return {key: str(value) for key, value in metadata.items()}


def _raw_info(pdf: bytes) -> bytes:
    """The bytes of the document information dictionary as written in the file."""
    reference = PdfReader(io.BytesIO(pdf)).trailer.raw_get("/Info")
    match = re.search(rb"\b%d 0 obj\b(.*?)\bendobj\b" % reference.idnum, pdf, re.S)
    assert match is not None
    return match.group(1)


def _spellings(word: str) -> set[bytes]:
    """Ways ``word`` could sit in a PDF string: UTF-8, UTF-16, Latin-1, octal escapes."""
    found = {word.encode("utf-8"), word.encode("utf-16-be")}
    try:
        latin = word.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        found.add(latin)
        found.add(b"".join(bytes([b]) if b < 128 else b"\\%03o" % b for b in latin))
    # The plain-ASCII runs ("Nguy", "sterg") survive any encoding of the rest.
    found.update(run.encode() for run in re.findall(r"[A-Za-z]{3,}", word))
    return found


def test_meeting_pdf_lists_forum_site_week_items_and_marks_pages() -> None:
    agenda = _meeting()
    text = _text(meeting_agenda_pdf(agenda))
    for expected in (FORUM, SITE, "Uge 48", "Tirsdag den 24. november 2026", "09:00–11:00"):
        assert expected in text
    for item in agenda.items:
        assert item.title in text
    for role in agenda.participants:
        assert role in text
    assert "Fortroligt" in text
    assert "Side 1 af 1" in text


def test_danish_pdf_has_no_english_labels() -> None:
    text = _text(meeting_agenda_pdf(_meeting(meeting_minutes=30)))
    for english in ("Agenda", "Participants", "Week", "Page", "Confidential", "Total", "minutes"):
        assert english not in text


def test_forty_items_span_pages_numbered_of_the_total() -> None:
    pages = _pages(meeting_agenda_pdf(_meeting(items=_items(40), meeting_minutes=600)))
    total = len(pages)
    assert total > 1
    for number, page in enumerate(pages, start=1):
        assert f"Side {number} af {total}" in page
    assert f"Side {total} af {total}" in pages[-1]
    text = "\n".join(pages)
    for item in _items(40):
        assert item.title in text


def test_an_item_longer_than_a_page_splits_instead_of_failing() -> None:
    long_item = PrintedItem(1, "general", "Lang sag", "Meget lang tekst. " * 1500, 30)
    pages = _pages(meeting_agenda_pdf(_meeting(items=(long_item,))))
    assert len(pages) > 1
    assert "Lang sag" in pages[0]


def test_meeting_metadata_is_title_author_subject_only() -> None:
    pdf = meeting_agenda_pdf(_meeting())
    info = _info(pdf)
    assert set(info) <= INFO_KEYS
    assert info["/Title"] == f"Dagsorden – {FORUM} – 24.11.2026"
    assert info["/Author"] == "Samråd"
    assert info["/Creator"] == "Samråd"
    assert info["/Producer"] == "Samråd"
    assert info["/Subject"] == SITE
    assert info["/Keywords"] == ""


def test_child_pdf_prints_names_exactly_and_the_birth_date() -> None:
    text = _text(child_agenda_pdf(_child()))
    assert CHILD in text
    assert PARENT in text
    assert "01.05.2015" in text
    assert "Dagsorden til barnets journal" in text
    assert "Meget fravær siden efterårsferien." in text
    assert "Fortroligt" in text
    assert "Side 1 af 1" in text


def test_child_name_never_reaches_the_metadata() -> None:
    pdf = child_agenda_pdf(_child())
    info = _info(pdf)
    assert set(info) <= INFO_KEYS
    assert info["/Title"] == "Dagsorden til barnets journal – 24.11.2026"
    assert info["/Author"] == "Samråd"
    assert info["/Subject"] == SITE
    assert info["/Keywords"] == ""
    for value in info.values():
        for part in CHILD.split():
            assert part not in value
        assert "01.05.2015" not in value
    raw = _raw_info(pdf)
    assert b"/Title" in raw and SITE.encode() in raw  # the right object
    for part in CHILD.split():
        for spelling in _spellings(part):
            assert spelling not in raw, (part, spelling)


def test_norwegian_output() -> None:
    meeting = _text(meeting_agenda_pdf(_meeting(language="nb")))
    child = _text(child_agenda_pdf(_child(language="nb")))
    for text in (meeting, child):
        assert "Konfidensielt" in text
        assert "Uke 48" in text
        assert "Side 1 av 1" in text
    assert "Tirsdag 24. november 2026" in meeting
    assert "Deltakere" in meeting
    assert "01.05.2015" in child
    assert _info(meeting_agenda_pdf(_meeting(language="nb")))["/Title"].startswith("Dagsorden – ")


def test_english_output() -> None:
    text = _text(meeting_agenda_pdf(_meeting(language="en")))
    for expected in (
        "Agenda",
        "Confidential",
        "Week 48",
        "Page 1 of 1",
        "Tuesday 24 November 2026",
    ):
        assert expected in text
    assert "2015-05-01" in _text(child_agenda_pdf(_child(language="en")))


@pytest.mark.parametrize(("minutes", "warned"), [(121, False), (120, False), (119, True)])
def test_over_time_warning_only_when_items_exceed_the_meeting(minutes: int, warned: bool) -> None:
    items = _items(4, minutes=30)  # 120 minutes in all
    english = _text(meeting_agenda_pdf(_meeting("en", items, meeting_minutes=minutes)))
    danish = _text(meeting_agenda_pdf(_meeting("da", items, meeting_minutes=minutes)))
    assert (OVER_TIME_EN in english) is warned
    assert (OVER_TIME_DA in danish) is warned


def test_over_time_warning_states_the_overrun() -> None:
    items = _items(4, minutes=30)
    english = _text(meeting_agenda_pdf(_meeting("en", items, meeting_minutes=100)))
    danish = _text(meeting_agenda_pdf(_meeting("da", items, meeting_minutes=100)))
    norwegian = _text(meeting_agenda_pdf(_meeting("nb", items, meeting_minutes=100)))
    assert "Over time by 20 min: the items take 120 min, the meeting lasts 100 min." in english
    assert "Tiden er overskredet med 20 min: punkterne tager 120 min, mødet varer 100 min." in (
        danish
    )
    assert "punktene tar 120 min, møtet varer 100 min." in norwegian


def test_markup_in_user_text_prints_literally() -> None:
    item = PrintedItem(1, "general", "Mad & <b>drikke</b>", "a < b & c", 10)
    text = _text(meeting_agenda_pdf(_meeting(items=(item,))))
    assert "Mad & <b>drikke</b>" in text
    assert "a < b & c" in text


def test_empty_agenda_says_so() -> None:
    text = _text(meeting_agenda_pdf(_meeting(items=())))
    assert "Ingen punkter på dagsordenen." in text


def test_write_pdf_creates_a_private_file_and_no_temp(tmp_path: Path) -> None:
    data = child_agenda_pdf(_child())
    target = tmp_path / "dagsorden.pdf"
    pdf_common.write_pdf(target, data)
    assert target.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["dagsorden.pdf"]
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600


def test_pdf_language_leaves_the_ui_language_alone() -> None:
    i18n.set_language("en")
    meeting_agenda_pdf(_meeting(language="da"))
    assert i18n.current_language() == "en"
    assert i18n._("Confidential") == "Confidential"


def test_translator_and_language_for_country() -> None:
    assert i18n.translator("en")("Confidential") == "Confidential"
    assert i18n.translator("da")("No such message") == "No such message"
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.translator("fr")
    assert i18n.language_for_country("DK") == "da"
    assert i18n.language_for_country("NO") == "nb"
    assert i18n.language_for_country("SE") == "en"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("da", "Søndag den 1. marts 2026"),
        ("nb", "Søndag 1. mars 2026"),
        ("en", "Sunday 1 March 2026"),
    ],
)
def test_long_date_does_not_depend_on_the_os_locale(lang: str, expected: str) -> None:
    assert pdf_common.long_date(date(2026, 3, 1), lang) == expected


def test_fonts_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRAAD_FONTS_DIR", str(tmp_path))
    assert pdf_common.fonts_dir() == tmp_path
    monkeypatch.delenv("SAMRAAD_FONTS_DIR")
    assert (pdf_common.fonts_dir() / "DejaVuSans.ttf").is_file()
    assert (pdf_common.fonts_dir() / "DejaVuSans-Bold.ttf").is_file()
