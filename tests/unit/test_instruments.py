"""Reading instrument files from disk: the shipped SDQ file and a municipality's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.domain.sdq import band, choose_version
from app.errors import BadInput, KnownError
from app.instruments import DEFAULT_SDQ_FILE, default_sdq, instruments_dir, load_sdq

REPO = Path(__file__).resolve().parents[2]


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (REPO / "resources" / "instruments" / DEFAULT_SDQ_FILE).read_text("utf-8")
    )
    return data


def test_instruments_dir_is_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAMRAAD_INSTRUMENTS_DIR", raising=False)
    assert instruments_dir() == REPO / "resources" / "instruments"
    assert (instruments_dir() / DEFAULT_SDQ_FILE).is_file()


def test_default_sdq_loads_the_shipped_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAMRAAD_INSTRUMENTS_DIR", raising=False)
    instrument = default_sdq()
    assert default_sdq() is instrument
    assert instrument.source.startswith("R. Goodman")
    assert set(instrument.versions) == {
        "parent-2-4",
        "parent-4-17",
        "teacher-2-4",
        "teacher-4-17",
        "self-11-17",
    }


def test_environment_points_at_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = shipped()
    data["source"] = "Local test norms, 2026-11-23"
    (tmp_path / DEFAULT_SDQ_FILE).write_text(json.dumps(data), "utf-8")
    monkeypatch.setenv("SAMRAAD_INSTRUMENTS_DIR", str(tmp_path))
    assert instruments_dir() == tmp_path
    assert default_sdq().source == "Local test norms, 2026-11-23"
    monkeypatch.delenv("SAMRAAD_INSTRUMENTS_DIR")
    assert default_sdq().source.startswith("R. Goodman")


def test_load_sdq_reads_local_norms(tmp_path: Path) -> None:
    data = shipped()
    ranges = data["band_tables"]["parent-4-17"]["ranges"]
    ranges["total"] = [
        {"band": "normal", "low": 0, "high": 12},
        {"band": "borderline", "low": 13, "high": 15},
        {"band": "abnormal", "low": 16, "high": 40},
    ]
    path = tmp_path / "local.json"
    # Written with a BOM, as Notepad does.
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode("utf-8"))
    instrument = load_sdq(path)
    parent = choose_version(instrument, "parent", 9)
    assert band(parent, "total", 13) == "borderline"
    assert band(parent, "total", 16) == "abnormal"


def test_load_sdq_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(BadInput) as raised:
        load_sdq(path)
    assert raised.value.message == f"The file {path} cannot be read."


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe{}", b"[1, 2]", b""])
def test_load_sdq_not_json(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(BadInput) as raised:
        load_sdq(path)
    assert raised.value.message == f"The instrument file {path} is not valid JSON."


def test_load_sdq_malformed_passes_on_the_reason(tmp_path: Path) -> None:
    data = shipped()
    data["band_tables"]["teacher-4-17"]["ranges"]["total"][0]["high"] = 10
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(KnownError) as raised:
        load_sdq(path)
    assert isinstance(raised.value, BadInput)
    assert raised.value.message == "The bands for total in the table teacher-4-17 leave out 11."
