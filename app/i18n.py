"""The one gettext catalogue shared by the core, the CLI, the PDFs and the UI.

Source strings are English. Catalogues live in
``resources/translations/<lang>/LC_MESSAGES/samraad.mo`` (compiled from the
``.po`` files with Babel by ``make translations``). A missing catalogue falls
back to the English source string rather than failing: a translation gap must
never stop an advisor from working.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable
from pathlib import Path

DOMAIN = "samraad"
LANGUAGES = ("da", "nb", "en")
DEFAULT_LANGUAGE = "da"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_current = "en"


def translations_dir() -> Path:
    """Return the folder holding ``<lang>/LC_MESSAGES/samraad.mo``."""
    override = os.environ.get("SAMRAAD_TRANSLATIONS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "resources" / "translations"


def choose_language(requested: str | None) -> str:
    """Pick the UI language: an explicit request, ``SAMRAAD_LANG``, else Danish."""
    for candidate in (requested, os.environ.get("SAMRAAD_LANG")):
        if candidate:
            short = candidate.split("_")[0].split(".")[0].lower()
            if short == "no":
                short = "nb"
            if short in LANGUAGES:
                return short
    return DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Install the catalogue for ``lang`` (one of LANGUAGES)."""
    global _translation, _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    _translation = gettext.translation(
        DOMAIN, localedir=str(translations_dir()), languages=[lang], fallback=True
    )
    _current = lang


def translator(lang: str) -> Callable[[str], str]:
    """A gettext function for ``lang`` that leaves the global language alone.

    PDFs are written in the vault's language (DK -> Danish, NO -> Norwegian)
    whatever the UI shows, so they cannot use :func:`_`. A missing catalogue or
    message falls back to the English source string, as :func:`_` does.
    """
    return catalogue(lang).gettext


def catalogue(lang: str | None = None) -> gettext.NullTranslations:
    """The translations of ``lang`` (None: the current language), for gettext and ngettext."""
    if lang is None:
        return _translation
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    return gettext.translation(
        DOMAIN, localedir=str(translations_dir()), languages=[lang], fallback=True
    )


def language_for_country(country: str) -> str:
    """The language of documents for a vault's country: DK -> da, NO -> nb, else en."""
    return {"DK": "da", "NO": "nb"}.get(country.upper(), "en")


def current_language() -> str:
    """Return the language installed by :func:`set_language`."""
    return _current


def _(message: str) -> str:
    """Translate ``message`` with the current catalogue."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark ``message`` for the catalogue without translating it yet."""
    return message
