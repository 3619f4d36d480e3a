"""Render the app icon from resources/icons/samraad.svg for every platform.

Writes (all generated, none committed; see .gitignore):

- packaging/linux/icons/hicolor/<N>x<N>/apps/dk.samraad.Samraad.png for the
  freedesktop sizes, plus hicolor/scalable/apps/dk.samraad.Samraad.svg;
- packaging/windows/samraad.ico (16-256 px) for the .exe and the installer;
- packaging/macos/samraad.icns (16-1024 px) for the .app bundle.

Qt renders the SVG (QSvgRenderer, the same renderer the window uses), Pillow
packs the .ico and .icns (it comes with reportlab, so it is already there).
A file is rewritten only when its bytes change, so a rebuild keeps mtimes.
build.spec runs this before every build; run it by hand with
``python packaging/make_icons.py``.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "samraad.svg"
APP_ID = "dk.samraad.Samraad"
LINUX_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_BASE = 1024

# Where each output goes, relative to the repository root.
LINUX_DIR = Path("packaging", "linux", "icons", "hicolor")
ICO = Path("packaging", "windows", "samraad.ico")
ICNS = Path("packaging", "macos", "samraad.icns")


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def render_png(size: int) -> bytes:
    """The SVG rendered at ``size`` x ``size`` pixels, as PNG bytes (transparent corners)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"make_icons: could not encode a {size} px PNG")
    buffer.close()
    return bytes(data.data())


def build(out_root: Path = ROOT) -> list[Path]:
    """Write every icon file under ``out_root``; returns the files that changed.

    Needs a QGuiApplication (fonts and the SVG renderer's paint engine).
    """
    from PIL import Image

    sizes = sorted(set(LINUX_SIZES) | set(ICO_SIZES) | {ICNS_BASE})
    pngs = {size: render_png(size) for size in sizes}
    changed = []
    linux_dir = out_root / LINUX_DIR
    for size in LINUX_SIZES:
        path = linux_dir / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        if _write_if_changed(path, pngs[size]):
            changed.append(path)
    scalable = linux_dir / "scalable" / "apps" / f"{APP_ID}.svg"
    if _write_if_changed(scalable, SVG.read_bytes()):
        changed.append(scalable)

    # .ico: each size rendered by Qt (not scaled down by Pillow), so 16 px stays crisp.
    images = [Image.open(io.BytesIO(pngs[size])) for size in ICO_SIZES]
    out = io.BytesIO()
    images[-1].save(out, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])
    if _write_if_changed(out_root / ICO, out.getvalue()):
        changed.append(out_root / ICO)

    # .icns: Pillow takes the 1024 px image and the smaller ones it is given.
    base = Image.open(io.BytesIO(pngs[ICNS_BASE]))
    smaller = [Image.open(io.BytesIO(pngs[s])) for s in (16, 32, 64, 128, 256, 512)]
    out = io.BytesIO()
    base.save(out, format="ICNS", append_images=smaller)
    if _write_if_changed(out_root / ICNS, out.getvalue()):
        changed.append(out_root / ICNS)
    return changed


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    changed = build()
    del app
    for path in changed:
        print(f"make_icons: wrote {path.relative_to(ROOT)}")
    if not changed:
        print("make_icons: icons up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
