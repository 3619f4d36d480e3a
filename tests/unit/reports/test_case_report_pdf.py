"""The subject access report and the SDQ table and chart it shares with the extract."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from app.reports.case_report_pdf import CaseReport, ReportSection, case_report_pdf
from app.reports.pdf_common import FRAME_WIDTH, render_pdf
from app.reports.sdq_chart import SdqPoint, SdqSeries, sdq_chart, sdq_table

CHILD = "Şükrü Nguyễn Østergård"
MOTHER = "Åsa Ødegård"
FATHER = "Ngô Văn Đức"
SCALES = ("emotional", "conduct", "hyperactivity", "peer", "prosocial")


def _point(
    on: date,
    total: int | None,
    informant: str = "parent",
    emotional: int | None = 3,
    total_band: str | None = "borderline",
) -> SdqPoint:
    scores: dict[str, int | None] = {**dict.fromkeys(SCALES, 2), "total": total, "impact": 1}
    scores["emotional"] = emotional
    bands: dict[str, str | None] = {**dict.fromkeys(SCALES, "normal"), "total": total_band}
    return SdqPoint(on, informant, f"{informant}-4-17", scores, bands)


def _series() -> SdqSeries:
    return SdqSeries(
        points=(
            _point(date(2025, 9, 1), 18),
            _point(date(2025, 9, 3), 21, informant="teacher"),
            _point(date(2026, 1, 10), None, emotional=None, total_band=None),
            _point(date(2026, 3, 1), 14),
            _point(date(2026, 6, 1), 11, total_band="normal"),
            _point(date(2026, 10, 5), 9, total_band="normal"),
        ),
        intervention_starts=(
            (date(2025, 10, 1), "Reading support"),
            (date(2025, 10, 8), "Family counselling"),
        ),
    )


def _report(language: str = "da", sdq: SdqSeries | None = None) -> CaseReport:
    return CaseReport(
        language=language,
        generated_on=date(2026, 12, 3),
        child_label=CHILD,
        sections=(
            ReportSection(
                "Sagen",
                (("Navn", CHILD), ("Fødselsdato", "01.05.2015"), ("Skole", "Skovvangskolen")),
            ),
            ReportSection(
                "Forældremyndighed",
                (("Navn", MOTHER), ("Relation", "mor"), ("", ""), ("Navn", FATHER), ("", "")),
            ),
            ReportSection("Samtykker", ()),
            ReportSection(
                "Mødepunkter",
                (("24.11.2026 Netværksmøde", "Drøftet fravær. " * 400),),
            ),
        ),
        sdq=sdq,
    )


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    return " ".join(_pages(pdf))


def _drawing_pdf(drawing: Drawing) -> bytes:
    return render_pdf(lambda: [drawing], "SDQ", "", language="en")


def test_report_lists_every_section_and_value() -> None:
    report = _report()
    pages = _pages(case_report_pdf(report))
    assert len(pages) > 1  # the long value splits across pages
    text = " ".join(pages)
    for part in report.sections:
        assert part.title in text
    for part in report.sections[:-1]:
        for label, value in part.rows:
            assert f"{label} {value}".strip() in text
    # The last section's long value is there in full, across the page breaks.
    assert "Mødepunkter 24.11.2026 Netværksmøde Drøftet fravær." in text
    assert text.count("Drøftet fravær.") == 400
    assert "Samtykker (intet noteret)" in text
    assert f"Side {len(pages)} af {len(pages)}" in text
    assert "Indsigtsrapport" in text
    assert "SDQ" not in text


def test_empty_rows_separate_records_and_print_nothing() -> None:
    text = _text(case_report_pdf(_report("en")))
    assert f"Forældremyndighed Navn {MOTHER} Relation mor Navn {FATHER} Samtykker" in text
    assert "Samtykker (nothing recorded)" in text


def test_unicode_names_round_trip() -> None:
    text = _text(case_report_pdf(_report()))
    for name in (CHILD, MOTHER, FATHER):
        assert name in text


def test_report_metadata_never_holds_the_childs_name() -> None:
    for language, title in (
        ("da", "Indsigtsrapport – 03.12.2026"),
        ("en", "Subject access report – 2026-12-03"),
    ):
        metadata = PdfReader(io.BytesIO(case_report_pdf(_report(language)))).metadata
        assert metadata is not None
        assert metadata.title == title
        for value in metadata.values():
            for part in (*CHILD.split(), *MOTHER.split()):
                assert part not in str(value)


def test_report_with_sdq_prints_the_table_and_the_chart() -> None:
    text = _text(case_report_pdf(_report(sdq=_series())))
    assert "(SDQ)" in text
    assert "Samlede vanskeligheder 18 grænseområde 21 grænseområde –" in text
    assert "Reading support" in text and "Family counselling" in text
    assert "Lærer" in text


def test_table_lists_every_measurement_and_translates_bands() -> None:
    pdf = render_pdf(lambda: [sdq_table(_series(), "en")], "SDQ", "", language="en")
    text = _text(pdf)
    for day in ("2025-09-01", "2025-09-03", "2026-01-10", "2026-03-01", "2026-06-01"):
        assert day in text
    assert "Total difficulties 18 borderline 21 borderline –" in text
    assert "Emotional symptoms 3 normal 3 normal –" in text
    assert "Impact 1 1 1" in text
    assert "Parent ages 4–17" in text and "Teacher ages 4–17" in text


@pytest.mark.parametrize(
    "series",
    [
        SdqSeries((_point(date(2026, 3, 1), 14),), ()),
        SdqSeries((_point(date(2026, 3, 1), None, emotional=None),), ()),
        SdqSeries((), ((date(2026, 3, 1), "Reading support"),)),
        SdqSeries((), ()),
    ],
    ids=["one point", "one point without scores", "no points", "empty"],
)
def test_chart_renders_sparse_series(series: SdqSeries) -> None:
    drawing = sdq_chart(series, "da", FRAME_WIDTH, 80 * mm)
    assert (drawing.width, drawing.height) == (FRAME_WIDTH, 80 * mm)
    assert _pages(_drawing_pdf(drawing))


def test_chart_with_gaps_shows_the_intervention_labels() -> None:
    drawing = sdq_chart(_series(), "en", FRAME_WIDTH, 90 * mm)
    text = _text(_drawing_pdf(drawing))
    assert "Reading support" in text
    assert "Family counselling" in text
    assert "Total difficulties (0–40)" in text
    assert "Parent" in text and "Teacher" in text


def test_a_gap_breaks_the_line() -> None:
    def lines(series: SdqSeries) -> int:
        drawing = sdq_chart(series, "en", FRAME_WIDTH, 90 * mm)
        return sum(type(shape).__name__ == "Line" for shape in drawing.contents)

    days = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    whole = SdqSeries(tuple(_point(day, 10) for day in days), ())
    gap = SdqSeries((_point(days[0], 10), _point(days[1], None), _point(days[2], 10)), ())
    # The middle point has no total: both segments of the total line go; the
    # scales, all present, keep theirs.
    assert lines(whole) - lines(gap) == 2
