#!/bin/sh
# Install (or remove) the Samråd one-folder build on Linux.
#
# build.spec copies this script to the top of dist/samraad/, beside the
# program and share/ (desktop entry, AppStream metainfo, hicolor icons).
# Run it from there:
#
#   ./install.sh                      per user: ~/.local (no root needed)
#   sudo ./install.sh --prefix /usr/local      for every account
#   ./install.sh --uninstall [--prefix P]
#
# The program goes to PREFIX/lib/samraad, a link to PREFIX/bin/samraad.
# Uninstalling removes exactly those files. The vault and its backups
# (~/.local/share/Samraad) are never touched: they are records the
# municipality must keep or hand over, and deleting them is the advisor's
# and the office's decision, not a side effect of removing the program.
set -eu

APP_ID=dk.samraad.Samraad
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX="$HOME/.local"
ACTION=install

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --uninstall) ACTION=uninstall; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option: $1" >&2; exit 2 ;;
    esac
done

case "$PREFIX" in
    /*) ;;
    *) echo "install.sh: --prefix must be an absolute path" >&2; exit 2 ;;
esac
LIBDIR="$PREFIX/lib/samraad"
BINLINK="$PREFIX/bin/samraad"
SHARE="$PREFIX/share"
SIZES="16 32 48 64 128 256 512"

refresh_caches() {
    # Only an icon cache that is already there needs refreshing (GTK ignores
    # a stale one anyway). No desktop database: the entry declares no MIME type.
    if [ -f "$SHARE/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true
    fi
}

if [ "$ACTION" = uninstall ]; then
    rm -f "$BINLINK" "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml"
    for n in $SIZES; do
        rm -f "$SHARE/icons/hicolor/${n}x${n}/apps/$APP_ID.png"
    done
    rm -f "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
    rm -rf "$LIBDIR"
    refresh_caches
    echo "Samråd removed from $PREFIX. The vault and its backups were kept."
    exit 0
fi

if [ ! -x "$HERE/samraad" ] || [ ! -d "$HERE/_internal" ] || [ ! -d "$HERE/share" ]; then
    echo "install.sh: run me from the built dist/samraad folder" >&2
    exit 1
fi

mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$SHARE/applications" "$SHARE/metainfo"
# Replace an older copy as a whole, so no stale library is left behind.
rm -rf "$LIBDIR.new"
mkdir "$LIBDIR.new"
cp -R "$HERE/samraad" "$HERE/_internal" "$LIBDIR.new/"
rm -rf "$LIBDIR"
mv "$LIBDIR.new" "$LIBDIR"
ln -sf "$LIBDIR/samraad" "$BINLINK"

# Exec with the full path: ~/.local/bin is not on every desktop session's PATH.
sed "s|^Exec=samraad|Exec=$LIBDIR/samraad|" \
    "$HERE/share/applications/$APP_ID.desktop" >"$SHARE/applications/$APP_ID.desktop"
cp "$HERE/share/metainfo/$APP_ID.metainfo.xml" "$SHARE/metainfo/"
for n in $SIZES; do
    mkdir -p "$SHARE/icons/hicolor/${n}x${n}/apps"
    cp "$HERE/share/icons/hicolor/${n}x${n}/apps/$APP_ID.png" "$SHARE/icons/hicolor/${n}x${n}/apps/"
done
mkdir -p "$SHARE/icons/hicolor/scalable/apps"
cp "$HERE/share/icons/hicolor/scalable/apps/$APP_ID.svg" "$SHARE/icons/hicolor/scalable/apps/"
refresh_caches
echo "Samråd installed in $LIBDIR; start it from the menu or with $BINLINK."
