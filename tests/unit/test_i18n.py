"""The Danish and Norwegian catalogues are complete and are used at runtime."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app import i18n
from app.errors import WrongSecret

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TRANSLATED = ("da", "nb")

WRONG_PASSPHRASE = "The passphrase is wrong."
WRONG_PASSPHRASE_DA = "Adgangsfrasen er forkert."
WRONG_PASSPHRASE_NB = "Passordfrasen er feil."


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "samraad.po"


def _template_ids() -> list[str]:
    """Every msgid of the template; a plural entry by its singular form (its key)."""
    template = _read(TRANSLATIONS / "samraad.pot")
    ids = [m.id[0] if isinstance(m.id, tuple) else m.id for m in template if m.id]
    assert ids, "the .pot template has no messages"
    return ids


@pytest.fixture
def compiled_translations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Compile both .po files into a temp dir and point Samråd at it."""
    for lang in TRANSLATED:
        catalog = _read(_po_path(lang), locale=lang)
        target = tmp_path / lang / "LC_MESSAGES" / "samraad.mo"
        target.parent.mkdir(parents=True)
        with target.open("wb") as f:
            write_mo(f, catalog)
    monkeypatch.setenv("SAMRAAD_TRANSLATIONS_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    catalog = _read(_po_path(lang), locale=lang)
    assert not catalog.fuzzy, f"{lang}: the header is still marked fuzzy"
    problems: list[str] = []
    for msgid in _template_ids():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        # A plural entry has one translation per plural form; each must be whole.
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        for translation in forms:
            if not isinstance(translation, str) or not translation.strip():
                problems.append(f"empty: {msgid!r}")
            elif set(PLACEHOLDER.findall(translation)) != wanted:
                problems.append(f"placeholders differ: {msgid!r} -> {translation!r}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_header_names_language_and_plural_forms(lang: str) -> None:
    catalog = _read(_po_path(lang), locale=lang)
    assert str(catalog.locale) == lang
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"


@pytest.mark.usefixtures("compiled_translations")
def test_set_language_switches_the_catalogue() -> None:
    try:
        i18n.set_language("da")
        assert i18n.current_language() == "da"
        assert i18n._(WRONG_PASSPHRASE) == WRONG_PASSPHRASE_DA
        i18n.set_language("nb")
        assert i18n.current_language() == "nb"
        assert i18n._(WRONG_PASSPHRASE) == WRONG_PASSPHRASE_NB
        i18n.set_language("en")
        assert i18n._(WRONG_PASSPHRASE) == WRONG_PASSPHRASE
    finally:
        i18n.set_language("en")


@pytest.mark.usefixtures("compiled_translations")
def test_errors_translate_at_raise_time() -> None:
    try:
        i18n.set_language("da")
        with pytest.raises(WrongSecret) as caught:
            raise WrongSecret.passphrase()
        assert str(caught.value) == WRONG_PASSPHRASE_DA
        assert caught.value.message == WRONG_PASSPHRASE_DA
    finally:
        i18n.set_language("en")


def test_missing_catalogue_falls_back_to_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMRAAD_TRANSLATIONS_DIR", str(tmp_path / "nothing-here"))
    try:
        i18n.set_language("da")
        assert i18n._(WRONG_PASSPHRASE) == WRONG_PASSPHRASE
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(
    ("requested", "expected"),
    [("nb_NO.UTF-8", "nb"), ("no", "nb"), ("da_DK", "da"), ("en", "en"), ("NB", "nb")],
)
def test_choose_language_honours_an_explicit_request(
    requested: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMRAAD_LANG", "da")
    assert i18n.choose_language(requested) == expected


def test_choose_language_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRAAD_LANG", "nb")
    assert i18n.choose_language("fr") == "nb"
    assert i18n.choose_language(None) == "nb"


def test_choose_language_defaults_to_danish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAMRAAD_LANG", raising=False)
    assert i18n.choose_language(None) == "da"
    assert i18n.choose_language("") == "da"
    assert i18n.choose_language("fr") == "da"


def test_set_language_rejects_unknown_languages() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.set_language("fr")
    assert i18n.current_language() == "en"
