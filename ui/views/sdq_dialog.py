"""Recording an SDQ: the 25 answers by item number, or the five scale scores.

The questionnaire's wording is never shown (licence, see domain/sdq.md):
the advisor copies the answers from the paper form or the publisher's
service by item number, and the core computes scores and bands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QWidget,
)

from app.domain import sdq
from app.domain.case_display import age_on
from app.i18n import _
from app.reports.sdq_words import informant_name, scale_names
from app.services import sdq_service
from app.store.vault import Vault
from ui.views.consent_dialog import FormDialog, Outcome, date_edit, day_of, outcome

_AGE_WORDS = re.compile(r"(\d{1,2})\s*(?:år|aar|years?|yrs?|y)\b", re.IGNORECASE)


def impact_area_names() -> dict[str, str]:
    """The impact supplement's questions by key (names of areas, not item wording)."""
    return {
        "distress": _("Distress"),
        "home": _("Home life"),
        "friendships": _("Friendships"),
        "classroom": _("Classroom learning"),
        "leisure": _("Leisure activities"),
        "peers": _("Peer relations"),
    }


def impact_keys(informant: str) -> tuple[str, ...]:
    """The impact answers' order for ``informant`` (from the shipped instrument)."""
    if informant == "teacher":
        return ("distress", "peers", "classroom")
    return ("distress", "home", "friendships", "classroom", "leisure")


def guess_age(birth_date: date | None, age_or_year: str, on: date) -> int:
    """The child's age for choosing the form: from the birth date, or "5 år"; else 6."""
    if birth_date is not None and birth_date <= on:
        return max(2, min(17, age_on(birth_date, on)))
    match = _AGE_WORDS.search(age_or_year)
    if match:
        return max(2, min(17, int(match.group(1))))
    return 6


@dataclass(frozen=True)
class SdqValues:
    """An assessment as the advisor entered it."""

    on: date
    informant: str
    age: int
    answers: str | None  # 25 characters of 0/1/2/.; None when scales were given
    scales: dict[str, int | None]
    impact_answers: tuple[int | None, ...] | None
    no_difficulties: bool
    impact: int | None


class SdqDialog(FormDialog):
    """Add an SDQ assessment to the case."""

    def __init__(
        self, parent: QWidget, today: date, lang: str, birth_date: date | None, age_or_year: str
    ) -> None:
        super().__init__(_("Add SDQ results"), parent)
        self.on = date_edit(self, today, lang)
        self.row(_("&Date:"), self.on)
        self.informant = QComboBox(self)
        for key in sdq.INFORMANTS:
            self.informant.addItem(informant_name(key, _), key)
        self.row(_("&Informant:"), self.informant)
        self.age = QSpinBox(self)
        self.age.setRange(2, 17)
        self.age.setValue(guess_age(birth_date, age_or_year, today))
        self.age.setSuffix(" " + _("years"))
        self.row(_("&Age of the child:"), self.age)

        self.by_answers = QRadioButton(_("The 25 a&nswers"), self)
        self.by_scales = QRadioButton(_("The &scale scores"), self)
        self.by_answers.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_answers)
        group.addButton(self.by_scales)
        modes = QHBoxLayout()
        modes.addWidget(self.by_answers)
        modes.addWidget(self.by_scales)
        modes.addStretch(1)
        self.form.addRow(_("Record:"), modes)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._answers_page())
        self.pages.addWidget(self._scales_page())
        self.by_scales.toggled.connect(lambda on: self.pages.setCurrentIndex(1 if on else 0))
        self.body.insertWidget(1, self.pages)
        self.impact_box = self._impact_box()
        self.body.insertWidget(2, self.impact_box)
        self.by_scales.toggled.connect(self.impact_box.setHidden)
        self.informant.currentIndexChanged.connect(self._informant_changed)
        self._informant_changed()

    # --- building -------------------------------------------------------------------

    def _answers_page(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(
            _("Type each answer by item number: 0, 1 or 2, and . for a missing answer."), page
        )
        hint.setWordWrap(True)
        grid.addWidget(hint, 0, 0, 1, 10)
        validator = QRegularExpressionValidator(QRegularExpression("[012.]"), page)
        self.cells: list[QLineEdit] = []
        for number in range(1, sdq.ITEM_COUNT + 1):
            cell = QLineEdit(page)
            cell.setMaxLength(1)
            cell.setValidator(validator)
            cell.setFixedWidth(34)
            cell.setAccessibleName(_("Answer to item {number}").format(number=number))
            label = QLabel(f"{number}", page)
            label.setBuddy(cell)
            row, col = divmod(number - 1, 5)
            grid.addWidget(label, row + 1, col * 2)
            grid.addWidget(cell, row + 1, col * 2 + 1)
            cell.textEdited.connect(lambda text, n=number: self._advance(n, text))
            self.cells.append(cell)
        return page

    def _advance(self, number: int, text: str) -> None:
        # Typing an answer moves on to the next item, as on the paper form.
        if text and number < sdq.ITEM_COUNT:
            self.cells[number].setFocus()
            self.cells[number].selectAll()

    def _scales_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        names = scale_names(_)
        self.scale_boxes: dict[str, QSpinBox] = {}
        for key in sdq.SCALES:
            box = QSpinBox(page)
            box.setRange(-1, sdq.SCALE_MAX)
            box.setSpecialValueText(_("not given"))
            box.setValue(-1)
            form.addRow(names[key] + ":", box)
            box.setAccessibleName(names[key])
            self.scale_boxes[key] = box
        self.impact_score = QSpinBox(page)
        self.impact_score.setRange(-1, sdq.IMPACT_MAX)
        self.impact_score.setSpecialValueText(_("not given"))
        self.impact_score.setValue(-1)
        self.impact_score.setAccessibleName(names["impact"])
        form.addRow(names["impact"] + ":", self.impact_score)
        return page

    def _impact_box(self) -> QGroupBox:
        box = QGroupBox(_("Im&pact supplement answered"), self)
        box.setCheckable(True)
        box.setChecked(False)
        layout = QFormLayout(box)
        self.no_difficulties = QCheckBox(_("The respondent saw no difficulties"), box)
        layout.addRow(self.no_difficulties)
        self.impact_combos: dict[str, QComboBox] = {}
        names = impact_area_names()
        answers = [
            _("not answered"),
            _("not at all"),
            _("only a little"),
            _("quite a lot"),
            _("a great deal"),
        ]
        for key in names:
            combo = QComboBox(box)
            for index, text in enumerate(answers):
                combo.addItem(text, index - 1)
            combo.setAccessibleName(names[key])
            layout.addRow(names[key] + ":", combo)
            self.impact_combos[key] = combo
        self.impact_form = layout
        return box

    def _informant_changed(self) -> None:
        keys = impact_keys(str(self.informant.currentData()))
        for key, combo in self.impact_combos.items():
            self.impact_form.setRowVisible(combo, key in keys)

    # --- reading ----------------------------------------------------------------------

    def answers_text(self) -> str:
        """The 25 answers as typed ('.' for an empty cell)."""
        return "".join(cell.text() or sdq.MISSING_ANSWER for cell in self.cells)

    def problem(self) -> str | None:
        if self.by_answers.isChecked():
            if all(not cell.text() for cell in self.cells):
                return _("Type the answers, or choose to record the scale scores.")
            return None
        if all(box.value() < 0 for box in self.scale_boxes.values()):
            return _("Give at least one of the five scale scores, by the scale's name.")
        return None

    def values(self) -> SdqValues:
        """The assessment as entered."""
        informant = str(self.informant.currentData())
        impact_answers = None
        if self.impact_box.isChecked() and self.by_answers.isChecked():
            chosen = [int(self.impact_combos[k].currentData()) for k in impact_keys(informant)]
            impact_answers = tuple(None if value < 0 else value for value in chosen)
        by_answers = self.by_answers.isChecked()
        return SdqValues(
            on=day_of(self.on),
            informant=informant,
            age=self.age.value(),
            answers=self.answers_text() if by_answers else None,
            scales={
                k: (None if box.value() < 0 else box.value()) for k, box in self.scale_boxes.items()
            },
            impact_answers=impact_answers,
            no_difficulties=by_answers
            and self.impact_box.isChecked()
            and self.no_difficulties.isChecked(),
            impact=None if self.impact_score.value() < 0 else self.impact_score.value(),
        )


def save_sdq(vault: Vault, case_id: str, values: SdqValues) -> Outcome:
    """Record the assessment (database thread)."""
    if values.answers is not None:
        return outcome(
            sdq_service.record_answers(
                vault,
                case_id,
                values.on,
                values.informant,
                values.age,
                values.answers,
                impact_answers=None
                if values.impact_answers is None
                else list(values.impact_answers),
                no_difficulties=values.no_difficulties,
            )
        )
    return outcome(
        sdq_service.record_scales(
            vault,
            case_id,
            values.on,
            values.informant,
            values.age,
            values.scales,
            impact=values.impact,
        )
    )
