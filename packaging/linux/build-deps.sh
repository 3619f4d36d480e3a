#!/bin/sh
# Put the libraries that Qt's X11 (xcb) platform plugin links on the build
# machine, so PyInstaller bundles them and the frozen Samråd starts in an X11
# session on a laptop that lacks them (libxcb-cursor0 is missing on many).
# build.spec refuses to build while any is missing; `make package` runs this
# first. Installs with apt-get as root, else says what to install.
#
#   packaging/linux/build-deps.sh [PYTHON]     PYTHON: the venv's python
set -eu

PY=${1:-.venv/bin/python}
# The Debian packages of everything libqxcb.so links beyond libc and Qt.
PACKAGES="libegl1 libgl1 libfontconfig1 libfreetype6 libdbus-1-3 libx11-xcb1 libxcb-cursor0
libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0"

plugin=$("$PY" -c 'import importlib.util, pathlib
print(pathlib.Path(importlib.util.find_spec("PySide6").origin).parent
      / "Qt" / "plugins" / "platforms" / "libqxcb.so")')
missing() { ldd "$plugin" | awk '/not found/ {print $1}' | tr '\n' ' '; }

[ -z "$(missing)" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "build-deps: installing Qt's X11 libraries: $(missing)"
    # shellcheck disable=SC2086 # one package per word
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
fi
if [ -n "$(missing)" ]; then
    echo "build-deps: Qt's X11 plugin needs: $(missing)" >&2
    # shellcheck disable=SC2086 # one line, one space between packages
    echo "build-deps: on Debian/Ubuntu: apt-get install" $PACKAGES >&2
    exit 1
fi
