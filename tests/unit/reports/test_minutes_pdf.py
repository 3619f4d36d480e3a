"""The printed minutes and the child's extract: order, approval, addenda, metadata."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from app.reports.minutes_pdf import (
    AddendumLine,
    AgreementLine,
    CaseMinutes,
    ChildExtract,
    GeneralMinutes,
    InterventionLine,
    MeetingMinutes,
    child_extract_pdf,
    meeting_minutes_pdf,
)
from app.reports.sdq_chart import SdqPoint, SdqSeries

TZ = ZoneInfo("Europe/Copenhagen")
START = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
END = datetime(2026, 11, 24, 11, 0, tzinfo=TZ)
SITE = "Skovvangskolen"
FORUM = "Netværksmøde"
CHILD = "Şükrü Nguyễn Østergård"
BIRTH = date(2015, 5, 1)

KNOWLEDGE = "Fourteen days of absence since the autumn holiday."
DISCUSSION = "Whether the absence is about the class; PPR suggests observing."
EVALUATION = "The counselling helped somewhat."
INTERVENTION_EVALUATION = "Break times are calmer; some conflicts remain."
OUTCOME = "The case continues; discussed again in February."
LEVEL = "Level changed from 1 to 2."
RELAY = "Relay holder: class teacher Hanne Juhl."
GENERAL_TEXT = "The school runs its well-being survey in January."
ADDENDUM = "Observation done on 1 December; note sent to the parents."

CALL = AgreementLine(
    "Call the mother about mornings", "Hanne Juhl", date(2026, 12, 1), True, "open"
)
OBSERVE = AgreementLine("Observe twice in class", "Ole Berg", date(2026, 12, 15), False, "done")
REPORT = AgreementLine("Send the survey results", "Mette Holm", None, False, "cancelled")
READING = InterventionLine(
    "Reading support",
    "Read 20 minutes a day with an adult",
    "Teacher Hanne Juhl",
    date(2026, 11, 25),
    date(2027, 2, 1),
    "active",
    None,
    "",
)
COUNSELLING = InterventionLine(
    "Counselling",
    "Better break times",
    "School psychologist",
    date(2026, 8, 15),
    date(2026, 11, 24),
    "evaluated",
    "partly",
    INTERVENTION_EVALUATION,
)


def _case(position: int = 1, label: str = "Boy, 10 years") -> CaseMinutes:
    return CaseMinutes(
        position=position,
        label=label,
        knowledge=KNOWLEDGE,
        discussion=DISCUSSION,
        agreements=(CALL, OBSERVE),
        interventions=(READING, COUNSELLING),
        evaluation=EVALUATION,
        outcome=OUTCOME,
        level_change=LEVEL,
        relay_change=RELAY,
    )


def _empty_case(position: int, label: str = "Girl, 9 years") -> CaseMinutes:
    return CaseMinutes(position, label, "", "", (), (), "", "", "", "")


def _general(position: int = 3) -> GeneralMinutes:
    return GeneralMinutes(position, "Well-being survey", GENERAL_TEXT, (REPORT,))


def _minutes(
    language: str = "en",
    items: tuple[CaseMinutes | GeneralMinutes, ...] | None = None,
    approved_on: date | None = None,
    addenda: tuple[AddendumLine, ...] = (AddendumLine(date(2026, 12, 2), "Ole Berg", ADDENDUM),),
) -> MeetingMinutes:
    return MeetingMinutes(
        language=language,
        site_name=SITE,
        forum_name=FORUM,
        start=START,
        end=END,
        iso_week=48,
        iso_year=2026,
        present=("Mette Holm", "Åsa Ødegård", "Ole Berg"),
        absent=("Jens Ærø",),
        items=(_case(), _empty_case(2), _general()) if items is None else items,
        approved_on=approved_on,
        approved_by="Mette Holm" if approved_on else "",
        addenda=addenda,
    )


def _sdq() -> SdqSeries:
    scales = ("emotional", "conduct", "hyperactivity", "peer", "prosocial")
    return SdqSeries(
        points=(
            SdqPoint(
                date(2026, 3, 1),
                "parent",
                "parent-4-17",
                {**dict.fromkeys(scales, 3), "total": 14},
                {**dict.fromkeys(scales, "close_to_average"), "total": "slightly_raised"},
            ),
        ),
        intervention_starts=(),
    )


def _extract(language: str = "da", sdq: SdqSeries | None = None) -> ChildExtract:
    return ChildExtract(
        language=language,
        site_name=SITE,
        forum_name=FORUM,
        start=START,
        end=END,
        iso_week=48,
        iso_year=2026,
        full_name=CHILD,
        birth_date=BIRTH,
        item=_case(label=CHILD),
        approved_on=date(2026, 11, 26),
        addenda=(AddendumLine(date(2026, 12, 2), "Ole Berg", ADDENDUM),),
        sdq=sdq,
    )


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    """All pages' text with runs of whitespace (line breaks too) made one space."""
    return " ".join(_pages(pdf))


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


def _assert_in_order(text: str, parts: list[str]) -> None:
    positions = [text.find(part) for part in parts]
    assert -1 not in positions, [p for p, at in zip(parts, positions, strict=True) if at < 0]
    assert positions == sorted(positions), parts


def test_case_item_prints_its_steps_in_order() -> None:
    text = _text(meeting_minutes_pdf(_minutes()))
    _assert_in_order(
        text,
        [
            "Minutes",
            "Attendance",
            "1. Boy, 10 years",
            "Knowledge shared",
            KNOWLEDGE,
            "Discussion",
            DISCUSSION,
            "Agreements",
            CALL.what,
            OBSERVE.what,
            "Interventions",
            "Reading support",
            "Counselling",
            "Evaluation of earlier interventions",
            EVALUATION,
            "Counselling (2026-08-15): Goal partly met",
            INTERVENTION_EVALUATION,
            "Outcome",
            OUTCOME,
            LEVEL,
            RELAY,
            "2. Girl, 9 years",
            "(nothing recorded)",
            "3. Well-being survey",
            GENERAL_TEXT,
            REPORT.what,
            "All agreements",
            "Addenda",
            ADDENDUM,
        ],
    )


def test_agreement_and_intervention_tables() -> None:
    text = _text(meeting_minutes_pdf(_minutes()))
    assert "What Who Deadline Parent contact Status" in text
    assert f"{CALL.what} {CALL.owner} 2026-12-01 ✓ Open" in text
    assert f"{OBSERVE.what} {OBSERVE.owner} 2026-12-15 Done" in text
    assert f"{REPORT.what} {REPORT.owner} – Cancelled" in text
    assert "Intervention Goal Responsible Start Evaluate on" in text
    assert "Read 20 minutes a day with an adult" in text
    assert "2026-11-25 2027-02-01" in text
    assert text.count("✓") == 1


def test_closing_table_collects_every_agreement_with_its_item() -> None:
    text = _text(meeting_minutes_pdf(_minutes()))
    closing = text[text.index("All agreements") :]
    assert f"1. {CALL.what} {CALL.owner} 2026-12-01" in closing
    assert f"1. {OBSERVE.what} {OBSERVE.owner} 2026-12-15" in closing
    assert f"3. {REPORT.what} {REPORT.owner} –" in closing


def test_attendance_lists_present_and_absent() -> None:
    text = _text(meeting_minutes_pdf(_minutes()))
    assert "Present Mette Holm, Åsa Ødegård, Ole Berg" in text
    assert "Absent Jens Ærø" in text


def test_draft_is_marked_on_every_page() -> None:
    pages = _pages(meeting_minutes_pdf(_minutes(items=tuple(_case(n) for n in range(1, 8)))))
    assert len(pages) > 1
    for page in pages:
        assert "Draft — not approved" in page
    assert "Approved" not in " ".join(pages)


def test_approved_minutes_say_when_and_by_whom() -> None:
    english = _text(meeting_minutes_pdf(_minutes(approved_on=date(2026, 11, 26))))
    assert "Approved 2026-11-26 by Mette Holm" in english
    assert "Draft" not in english
    danish = _text(meeting_minutes_pdf(_minutes("da", approved_on=date(2026, 11, 26))))
    assert "Godkendt 26.11.2026 af Mette Holm" in danish
    assert "Udkast" not in danish


def test_addenda_follow_all_of_the_original_text() -> None:
    addenda = (
        AddendumLine(date(2026, 12, 2), "Ole Berg", ADDENDUM),
        AddendumLine(date(2026, 12, 9), "Åsa Ødegård", "Parents informed by phone."),
    )
    text = _text(meeting_minutes_pdf(_minutes(approved_on=date(2026, 11, 26), addenda=addenda)))
    last_original = max(text.rindex(GENERAL_TEXT), text.rindex(REPORT.what))
    assert text.index("Addenda") > last_original
    assert text.index(ADDENDUM) > last_original
    _assert_in_order(
        text,
        ["Addenda", "2026-12-02 – Ole Berg", ADDENDUM, "2026-12-09 – Åsa Ødegård", "Parents"],
    )


def test_empty_sections_are_left_out() -> None:
    only_discussion = CaseMinutes(1, "Boy", "", DISCUSSION, (), (), "", "", "", "")
    text = _text(meeting_minutes_pdf(_minutes(items=(only_discussion,), addenda=())))
    assert "Discussion" in text and DISCUSSION in text
    for heading in (
        "Knowledge shared",
        "Agreements",
        "Interventions",
        "Evaluation",
        "Outcome",
        "All agreements",
        "Addenda",
        "(nothing recorded)",
    ):
        assert heading not in text


def test_an_item_with_nothing_written_says_so_once() -> None:
    text = _text(meeting_minutes_pdf(_minutes(items=(_empty_case(1),), addenda=())))
    assert text.count("(nothing recorded)") == 1
    assert "Knowledge shared" not in text


def test_metadata_never_holds_the_childs_name() -> None:
    pdf = meeting_minutes_pdf(_minutes("da", items=(_case(label=CHILD),)))
    assert CHILD in _text(pdf)
    info = _info(pdf)
    assert info["/Title"] == f"Referat – {FORUM} – 24.11.2026"
    assert info["/Subject"] == SITE
    assert info["/Author"] == "Samråd"
    assert info["/Keywords"] == ""
    raw = _raw_info(pdf)
    for part in CHILD.split():
        for value in info.values():
            assert part not in value
        for spelling in (part.encode(), part.encode("utf-16-be"), b"Nguy", b"sterg"):
            assert spelling not in raw


def test_danish_output() -> None:
    text = _text(meeting_minutes_pdf(_minutes("da")))
    for expected in (
        "Referat",
        "Uge 48",
        "Tirsdag den 24. november 2026",
        "09:00–11:00",
        "Fortroligt",
        "Side 1 af",
        "Udkast — ikke godkendt",
        "01.12.2026",
    ):
        assert expected in text
    for english in ("Minutes", "Confidential", "Page", "Agreements", "Draft", "Attendance"):
        assert english not in text


def test_thirty_items_span_pages_numbered_of_the_total() -> None:
    items = tuple(
        _case(n, f"Child {n}") if n % 3 else GeneralMinutes(n, f"Topic {n}", GENERAL_TEXT, ())
        for n in range(1, 31)
    )
    pages = _pages(meeting_minutes_pdf(_minutes("da", items=items)))
    total = len(pages)
    assert total > 5
    for number, page in enumerate(pages, start=1):
        assert f"Side {number} af {total}" in page
    text = " ".join(pages)
    for n in range(1, 31):
        assert (f"{n}. Child {n}" if n % 3 else f"{n}. Topic {n}") in text


def test_markup_in_user_text_prints_literally() -> None:
    item = GeneralMinutes(1, "Food & <b>drink</b>", "a < b & c", ())
    text = _text(meeting_minutes_pdf(_minutes(items=(item,))))
    assert "Food & <b>drink</b>" in text
    assert "a < b & c" in text


def test_child_extract_names_the_child_in_the_body_only() -> None:
    pdf = child_extract_pdf(_extract())
    text = _text(pdf)
    for expected in (
        "Uddrag til barnets journal",
        CHILD,
        "01.05.2015",
        KNOWLEDGE,
        OUTCOME,
        "Godkendt 26.11.2026",
        "Tilføjelser",
        ADDENDUM,
        "Fortroligt",
        "Side 1 af",
    ):
        assert expected in text
    assert text.index(ADDENDUM) > text.index(RELAY)
    assert "SDQ" not in text
    info = _info(pdf)
    assert info["/Title"] == "Uddrag til barnets journal – 24.11.2026"
    assert info["/Subject"] == SITE
    for part in CHILD.split():
        for value in info.values():
            assert part not in value
    assert "01.05.2015" not in " ".join(info.values())


def test_child_extract_prints_the_sdq_table_in_danish() -> None:
    text = _text(child_extract_pdf(_extract(sdq=_sdq())))
    assert "(SDQ)" in text
    assert "Samlede vanskeligheder 14 let forhøjet" in text
    assert "tæt på gennemsnittet" in text
    assert "01.03.2026" in text
    assert "Forælder 4–17 år" in text
    assert "ikke en diagnose" in text
    # The SDQ comes after the item and its addenda.
    assert text.index("(SDQ)") > text.index(ADDENDUM)


def test_draft_extract_is_marked() -> None:
    draft = replace(_extract("en"), approved_on=None)
    pages = _pages(child_extract_pdf(draft))
    assert all("Draft — not approved" in page for page in pages)
