"""Reading instrument files (the SDQ definition and its bands) from disk.

The rules live in ``app.domain.sdq`` and are pure; this module only finds and
reads the JSON files. The shipped default is
``resources/instruments/sdq-default.json``; a municipality's local norms are
another file in the same format, loaded with :func:`load_sdq`.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from app.domain.sdq import Instrument, parse_instrument
from app.errors import BadInput
from app.i18n import _

DEFAULT_SDQ_FILE = "sdq-default.json"


def instruments_dir() -> Path:
    """The folder of instrument files: ``SAMRAAD_INSTRUMENTS_DIR``, else ``resources/instruments``.

    ``resources`` is beside ``app`` in the source tree and in the packaged
    build alike (as for the translations in ``app/i18n.py``).
    """
    override = os.environ.get("SAMRAAD_INSTRUMENTS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "resources" / "instruments"


def load_sdq(path: Path) -> Instrument:
    """Read and check the SDQ instrument file at ``path``.

    Raises :class:`BadInput` with one translated sentence when the file
    cannot be read, is not UTF-8 JSON holding an object, or breaks a rule
    of :func:`app.domain.sdq.parse_instrument` (whose sentence is passed on).
    """
    try:
        raw = path.read_bytes()
    except OSError:
        raise BadInput(_("The file {name} cannot be read.").format(name=path)) from None
    try:
        # utf-8-sig: a file saved by Notepad starts with a BOM.
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise BadInput(
            _("The instrument file {name} is not valid JSON.").format(name=path)
        ) from None
    if not isinstance(data, dict):
        raise BadInput(_("The instrument file {name} is not valid JSON.").format(name=path))
    try:
        return parse_instrument(data)
    except ValueError as error:
        raise BadInput(str(error)) from None


def default_sdq() -> Instrument:
    """The shipped SDQ definition, read once per ``instruments_dir()``.

    Keyed on the folder so a test (or a packaged build) that points
    ``SAMRAAD_INSTRUMENTS_DIR`` elsewhere does not get a stale copy.
    """
    return _load_cached(instruments_dir() / DEFAULT_SDQ_FILE)


@functools.lru_cache(maxsize=4)
def _load_cached(path: Path) -> Instrument:
    return load_sdq(path)
