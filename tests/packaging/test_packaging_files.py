"""The packaging files agree with each other and with the app (issue 10).

These run in `make test` and need no PyInstaller: they catch, before anyone
builds, a version bump without its AppStream release, an identifier that
differs between the desktop entry, the metainfo, the macOS bundle and the
window, an installer script saved without its BOM, and icons that do not
render. The frozen build itself is tested by `make package-test`.
"""

from __future__ import annotations

import configparser
import importlib.util
import io
import plistlib
import re
from pathlib import Path
from types import ModuleType
from xml.etree import ElementTree

import pytest
from PIL import Image

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "dk.samraad.Samraad"


def _spec_constant(name: str) -> str:
    match = re.search(rf'^{name} = "([^"]+)"$', (ROOT / "build.spec").read_text("utf-8"), re.M)
    assert match, f"build.spec defines no {name}"
    return match.group(1)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keep "Comment[da]" as written
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def _metainfo() -> ElementTree.Element:
    return ElementTree.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()


def test_one_identifier_everywhere() -> None:
    assert _spec_constant("BUNDLE_ID") == APP_ID
    metainfo = _metainfo()
    assert metainfo.findtext("id") == APP_ID
    assert metainfo.findtext("launchable[@type='desktop-id']") == f"{APP_ID}.desktop"
    assert _desktop_entry()["Icon"] == APP_ID
    plist = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist.fragment").read_bytes())
    assert plist["CFBundleIdentifier"] == APP_ID
    # Wayland matches the window to the desktop entry by this name.
    assert f'setDesktopFileName("{APP_ID}")' in (ROOT / "ui" / "main.py").read_text("utf-8")


def test_the_entry_starts_the_program_the_build_makes() -> None:
    name = _spec_constant("NAME")
    assert _desktop_entry()["Exec"] == name
    assert _metainfo().findtext("provides/binary") == name
    scripts = (ROOT / "pyproject.toml").read_text("utf-8")
    assert f'\n{name} = "app.cli:main"' in scripts


def test_newest_appstream_release_is_this_version() -> None:
    releases = _metainfo().findall("releases/release")
    assert releases, "the metainfo lists no release"
    assert releases[0].get("version") == __version__


def test_metainfo_and_entry_speak_the_apps_languages() -> None:
    entry = _desktop_entry()
    summaries = {el.get("{http://www.w3.org/XML/1998/namespace}lang") for el in _metainfo()}
    for lang in ("da", "nb"):
        assert f"Comment[{lang}]" in entry
        assert lang in summaries


def test_inno_setup_script_keeps_its_bom_and_installs_per_user() -> None:
    raw = (ROOT / "packaging" / "windows" / "samraad.iss").read_bytes()
    # Without the BOM Inno Setup reads the file as ANSI and garbles "Samråd".
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\nPrivilegesRequired=lowest\n" in text
    assert "\nAppName=Samråd\n" in text
    # The data folder is deleted only after a question whose default is No.
    assert "MB_DEFBUTTON2" in text and "UninstallSilent()" in text


def _make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_icons", ROOT / "packaging" / "make_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("qapp")
def test_icons_render_at_every_size(tmp_path: Path) -> None:
    make_icons = _make_icons()
    written = make_icons.build(tmp_path)
    hicolor = tmp_path / "packaging" / "linux" / "icons" / "hicolor"
    for size in (16, 32, 48, 64, 128, 256, 512):
        with Image.open(hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png") as png:
            assert png.size == (size, size)
            rgba = png.convert("RGBA")
            assert rgba.getpixel((0, 0))[3] == 0, "the tile's corner is transparent"
            assert rgba.getpixel((size // 2, size // 2))[3] == 255, "the middle is drawn"
    assert (hicolor / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == (
        ROOT / "resources" / "icons" / "samraad.svg"
    ).read_bytes()
    with Image.open(tmp_path / "packaging" / "windows" / "samraad.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    icns_bytes = (tmp_path / "packaging" / "macos" / "samraad.icns").read_bytes()
    with Image.open(io.BytesIO(icns_bytes)) as icns:
        assert icns.size == (1024, 1024)
    # A second run writes nothing: a rebuild keeps the files and their times.
    assert len(written) == 10
    assert make_icons.build(tmp_path) == []
