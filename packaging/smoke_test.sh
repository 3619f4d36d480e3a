#!/usr/bin/env bash
# Smoke test of the frozen one-folder build (issue 10): `make package-test`.
#
#   packaging/smoke_test.sh [DIST]        DIST defaults to dist/samraad
#
# Runs the built program, never the source: --version, demo, self-test, a
# wrong passphrase, SDQ scoring, an agenda PDF, the window offscreen (first
# start and a demo vault), the window on a real X server when Xvfb and
# xdotool are there (typing the demo passphrase and unlocking), and
# install.sh into a throw-away prefix.
#
# Everything the program writes goes into one temporary folder (HOME, XDG
# folders, TMPDIR, the log, the vaults), deleted on exit whatever happens.
# The data is the fictional demo; the test also checks that none of it is
# readable on disk, so a build with an unencrypting SQLite would fail here.
# Ends with "N passed, N failed" and a non-zero exit if anything failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIST=$(cd "${1:-$ROOT/dist/samraad}" 2>/dev/null && pwd) || {
    echo "smoke_test: no build at ${1:-$ROOT/dist/samraad}; run 'make package' first" >&2
    exit 2
}
BIN="$DIST/samraad"
[ -x "$BIN" ] || { echo "smoke_test: $BIN is missing; run 'make package' first" >&2; exit 2; }
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$ROOT/app/__init__.py")
GUI_SECONDS=${SMOKE_GUI_SECONDS:-8}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/samraad-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# The program sees a fresh user: nothing of the caller's home, keyring,
# settings or vault is read or written.
mkdir -p "$WORK"/{home,config,data,cache,state,tmp,xtmp,log,out} && mkdir -m 700 "$WORK/run"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
export XDG_CACHE_HOME="$WORK/cache" XDG_STATE_HOME="$WORK/state" XDG_RUNTIME_DIR="$WORK/run"
export TMPDIR="$WORK/tmp" SAMRAAD_LOG_DIR="$WORK/log" LANG=C.UTF-8
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
unset SAMRAAD_DATA_DIR SAMRAAD_PASSPHRASE SAMRAAD_NEW_PASSPHRASE SAMRAAD_RECOVERY_CODE LC_ALL
unset DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM
VAULT="$WORK/vault"

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2" | head -20; }
# no_traceback FILE: the program's stderr holds no Python traceback and no
# "internal error" sentence (a bug caught by the excepthook).
no_traceback() { ! grep -qE 'Traceback|internal error|Error:|could not load the Qt platform' -i "$1"; }

# 0. the data files the code looks up beside app/ (an explicit list in build.spec)
INTERNAL="$DIST/_internal"
expected="resources/icons/samraad.svg resources/fonts/DejaVuSans.ttf
resources/instruments/sdq-default.json app/store/migrations/0001_foundation.sql
holidays/locale/da/LC_MESSAGES/DK.mo holidays/locale/no/LC_MESSAGES/NO.mo"
for po in "$ROOT"/resources/translations/*/LC_MESSAGES/samraad.po; do
    mo=${po%.po}.mo
    expected="$expected ${mo#"$ROOT"/}"
done
if [ -d "$ROOT/resources/help" ]; then
    for lang_dir in "$ROOT"/resources/help/*/; do
        [ -f "$lang_dir/index.html" ] && expected="$expected resources/help/$(basename "$lang_dir")/index.html"
    done
fi
absent=
for file in $expected; do
    [ -f "$INTERNAL/$file" ] || absent="$absent $file"
done
if [ -z "$absent" ]; then
    ok "bundle holds its data files ($(echo "$expected" | wc -w) checked)"
else
    bad "bundle lacks:$absent"
fi

# 1. --version
if out=$("$BIN" --version 2>"$WORK/err") && [ "$out" = "samraad $VERSION" ]; then
    ok "--version prints 'samraad $VERSION'"
else
    echo "$out" >>"$WORK/err"; bad "--version (got: $out)" "$WORK/err"
fi

# 2. demo vault
if "$BIN" --lang en demo --data-dir "$VAULT" >"$WORK/out/demo.txt" 2>"$WORK/err" \
    && [ -s "$VAULT/vault.db" ] && [ -s "$VAULT/vault.key" ]; then
    ok "demo creates a vault $(head -1 "$WORK/out/demo.txt" | grep -o '([^)]*)')"
else
    bad "demo" "$WORK/err"
fi

# 3. self-test with the demo passphrase
if SAMRAAD_PASSPHRASE=demo "$BIN" --lang en self-test --data-dir "$VAULT" \
    >"$WORK/out/selftest.txt" 2>"$WORK/err" && grep -q "Vault OK" "$WORK/out/selftest.txt"; then
    ok "self-test: $(cat "$WORK/out/selftest.txt")"
else
    cat "$WORK/out/selftest.txt" >>"$WORK/err"; bad "self-test" "$WORK/err"
fi

# 4. a wrong passphrase is one sentence and a non-zero exit, not a traceback
if SAMRAAD_PASSPHRASE=not-the-passphrase "$BIN" --lang en self-test --data-dir "$VAULT" \
    >/dev/null 2>"$WORK/err"; then
    bad "a wrong passphrase was accepted"
elif [ "$(wc -l <"$WORK/err")" -eq 1 ] && no_traceback "$WORK/err"; then
    ok "wrong passphrase refused: $(cat "$WORK/err")"
else
    bad "wrong passphrase: not one plain sentence" "$WORK/err"
fi

# 5. SDQ scoring (the instrument file travels with the build)
if "$BIN" sdq score --version parent --age 8 --answers 0120120120120120120120120 \
    >"$WORK/out/sdq.json" 2>"$WORK/err" && grep -q '"total": 22' "$WORK/out/sdq.json"; then
    ok "sdq score reads resources/instruments"
else
    bad "sdq score" "$WORK/err"
fi

# 6. an agenda PDF (reportlab, the DejaVu fonts, holiday names)
SITE=
if SAMRAAD_PASSPHRASE=demo "$BIN" calendar --data-dir "$VAULT" --format json \
    >"$WORK/out/calendar.json" 2>"$WORK/err"; then
    MEETING=$(grep -m1 -o '"id": "[^"]*"' "$WORK/out/calendar.json" | cut -d'"' -f4)
    SITE=$(grep -m1 -o '"site_name": "[^"]*"' "$WORK/out/calendar.json" | cut -d'"' -f4)
fi
if [ -n "${MEETING:-}" ] && SAMRAAD_PASSPHRASE=demo "$BIN" --lang en agenda "$MEETING" \
    --data-dir "$VAULT" --out "$WORK/out/agenda.pdf" >/dev/null 2>"$WORK/err" \
    && [ "$(head -c 5 "$WORK/out/agenda.pdf")" = "%PDF-" ]; then
    ok "agenda PDF for a demo meeting"
else
    bad "calendar/agenda PDF" "$WORK/err"
fi

# 7. the window, offscreen: still running after GUI_SECONDS means it started.
gui_offscreen() { # NAME DATA_DIR
    QT_QPA_PLATFORM=offscreen timeout "$GUI_SECONDS" "$BIN" --data-dir "$2" 2>"$WORK/err" >/dev/null
    local rc=$?
    if [ "$rc" -eq 124 ] && no_traceback "$WORK/err"; then
        ok "window offscreen, $1: running after ${GUI_SECONDS}s"
    else
        bad "window offscreen, $1: exit $rc" "$WORK/err"
    fi
}
gui_offscreen "first start" "$WORK/first-start"
gui_offscreen "demo vault" "$VAULT"

# 8. the window on an X server: it maps, and the demo passphrase unlocks it.
if command -v Xvfb >/dev/null && command -v xdotool >/dev/null; then
    cat >"$WORK/x11.sh" <<'EOF'
[ ! -e "$VAULT/vault.db-wal" ] || { echo "vault.db-wal there before unlocking" >>"$WORK/err"; exit 1; }
"$BIN" --lang en --data-dir "$VAULT" 2>"$WORK/err" >/dev/null &
pid=$!
win=
for _ in $(seq 1 80); do
    win=$(xdotool search --onlyvisible --name 'Samråd' 2>/dev/null | head -1)
    [ -n "$win" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
done
[ -n "$win" ] || { echo "no window" >>"$WORK/err"; kill "$pid" 2>/dev/null; exit 1; }
sleep 1
xdotool windowfocus --sync "$win" 2>/dev/null
xdotool type --delay 20 demo
xdotool key Return
# Unlocked means the database is open: SQLite's write-ahead log appears
# beside it (the CLI closed it cleanly before, so it was not there).
for _ in $(seq 1 40); do
    [ -e "$VAULT/vault.db-wal" ] && break
    sleep 0.25
done
[ -e "$VAULT/vault.db-wal" ] || { echo "not unlocked: the vault was never opened" >>"$WORK/err"; }
sleep 2
kill -0 "$pid" 2>/dev/null || { echo "exited after unlock" >>"$WORK/err"; exit 1; }
kill "$pid"
wait "$pid" 2>/dev/null
[ -e "$VAULT/vault.db-wal" ]
EOF
    # Xvfb's own files stay out of the program's TMPDIR (checked below).
    # One retry when the program could not reach the new X server (seen
    # when another Xvfb starts or stops at the same moment on a shared machine).
    export BIN VAULT WORK
    x11() { TMPDIR="$WORK/xtmp" "$ROOT/packaging/linux/with-xvfb.sh" bash "$WORK/x11.sh"; }
    if { x11 || { grep -q "could not connect to display" "$WORK/err" && x11; }; } \
        && no_traceback "$WORK/err"; then
        ok "window on X11 (xcb): shown, unlocked with the demo passphrase"
    else
        bad "window on X11" "$WORK/err"
    fi
else
    echo "skip window on X11: needs Xvfb and xdotool (apt-get install xvfb xdotool)"
fi

# 9. nothing readable at rest, after the CLI and the windows: a demo site
# name is in no file of the vault folder (database, key file, backups) nor
# in the log.
if [ -z "$SITE" ]; then
    bad "no demo site name to look for"
elif grep -rlF -- "$SITE" "$VAULT" "$WORK/log" >"$WORK/err" 2>&1; then
    bad "plaintext '$SITE' found on disk" "$WORK/err"
else
    ok "no plaintext at rest (looked for '$SITE' in the vault folder and the log)"
fi

# 10. the log: written, and without errors
LOG=$(find "$WORK/log" -type f -name '*.log' -print -quit)
if [ -n "$LOG" ] && ! grep -qE 'CRITICAL|ERROR|Traceback' "$LOG"; then
    ok "log written, no errors in it"
else
    bad "log missing or has errors" "${LOG:-/dev/null}"
fi

# 11. the program left no temporary files behind
if [ -z "$(find "$WORK/tmp" -mindepth 1 -print -quit)" ]; then
    ok "no temporary files left in TMPDIR"
else
    find "$WORK/tmp" -mindepth 1 >"$WORK/err"; bad "temporary files left behind" "$WORK/err"
fi

# 12. install.sh into a throw-away prefix, then uninstall
PREFIX="$WORK/prefix"
if [ -x "$DIST/install.sh" ] && "$DIST/install.sh" --prefix "$PREFIX" >/dev/null 2>"$WORK/err" \
    && [ "$("$PREFIX/bin/samraad" --version 2>>"$WORK/err")" = "samraad $VERSION" ] \
    && [ -f "$PREFIX/share/icons/hicolor/256x256/apps/dk.samraad.Samraad.png" ] \
    && [ -f "$PREFIX/share/metainfo/dk.samraad.Samraad.metainfo.xml" ] \
    && grep -qx "Exec=$PREFIX/lib/samraad/samraad" "$PREFIX/share/applications/dk.samraad.Samraad.desktop"; then
    ok "install.sh: installed program runs, desktop entry and icons in place"
    if command -v desktop-file-validate >/dev/null; then
        if desktop-file-validate "$PREFIX/share/applications/dk.samraad.Samraad.desktop" >"$WORK/err" 2>&1; then
            ok "installed desktop entry validates"
        else
            bad "installed desktop entry" "$WORK/err"
        fi
    fi
    if "$DIST/install.sh" --uninstall --prefix "$PREFIX" >/dev/null 2>"$WORK/err" \
        && [ ! -e "$PREFIX/lib/samraad" ] && [ ! -e "$PREFIX/bin/samraad" ] \
        && [ -z "$(find "$PREFIX" -type f ! -name '*.cache' -print -quit)" ] \
        && [ -s "$VAULT/vault.db" ]; then
        ok "install.sh --uninstall removes every installed file, keeps the vault"
    else
        bad "install.sh --uninstall" "$WORK/err"
    fi
else
    bad "install.sh" "$WORK/err"
fi

echo "smoke test of $DIST ($(du -sh "$DIST" | cut -f1)):"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
