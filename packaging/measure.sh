#!/usr/bin/env bash
# Size and start time of the frozen build, for the packaging note (issue 10).
#
#   packaging/measure.sh [DIST] [RUNS]     defaults: dist/samraad, 5
#
# Prints the folder's size (and as a .tar.gz), then the median of RUNS for
# `samraad --version` and for the window: from starting the program to its
# window being mapped on an X server (Xvfb, found with xdotool, polled every
# 20 ms), on a first start (no vault) and on the unlock screen of a demo vault.
# Each run is a fresh user (temporary HOME), so nothing is cached by Samråd;
# the operating system's file cache is warm after the first run. Timings are
# wall-clock and vary with the machine's load: a note, never a test.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIST=$(cd "${1:-$ROOT/dist/samraad}" && pwd)
RUNS=${2:-5}
BIN="$DIST/samraad"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/samraad-measure.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SAMRAAD_LOG_DIR="$WORK/log" PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
unset SAMRAAD_DATA_DIR QT_QPA_PLATFORM

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "build: $DIST"
echo "size: $(du -sh "$DIST" | cut -f1) on disk, $(find "$DIST" -type f | wc -l) files," \
    "$(tar -C "$(dirname "$DIST")" -czf - "$(basename "$DIST")" | wc -c | awk '{printf "%.0f MB", $1/1e6}') as .tar.gz"

times=()
for _ in $(seq "$RUNS"); do
    start=$(now_ms)
    HOME="$WORK/home-v" "$BIN" --version >/dev/null
    times+=($(($(now_ms) - start)))
done
echo "samraad --version: median $(printf '%s\n' "${times[@]}" | median) ms (runs: ${times[*]} ms)"

if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null; then
    echo "window: skipped (needs Xvfb and xdotool)"
    exit 0
fi
HOME="$WORK/home-demo" "$BIN" demo --data-dir "$WORK/demo" >/dev/null

cat >"$WORK/window.sh" <<'EOF'
# window.sh DATA_DIR: milliseconds from exec to a mapped "Samråd" window.
export HOME="$WORK/home-$RANDOM-$$"
start=$(date +%s%3N)
"$BIN" --lang en --data-dir "$1" >/dev/null 2>"$WORK/app.err" &
pid=$!
until xdotool search --onlyvisible --name 'Samråd' >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "exited early:" >&2; cat "$WORK/app.err" >&2; exit 1; }
    [ $(($(date +%s%3N) - start)) -gt 30000 ] && { echo "timeout" >&2; kill "$pid"; exit 1; }
    sleep 0.02
done
echo $(($(date +%s%3N) - start))
kill "$pid"
wait "$pid" 2>/dev/null || true
rm -rf "$HOME"
EOF
export BIN WORK
for label in "first start" "demo vault (unlock screen)"; do
    if [ "$label" = "first start" ]; then data="$WORK/empty"; else data="$WORK/demo"; fi
    times=()
    for _ in $(seq "$RUNS"); do
        rm -rf "$WORK/empty"
        # A second try when the program could not reach the new X server
        # (another Xvfb starting or stopping at the same moment).
        ms=$(TMPDIR="$WORK" "$ROOT/packaging/linux/with-xvfb.sh" bash "$WORK/window.sh" "$data") \
            || ms=$(TMPDIR="$WORK" "$ROOT/packaging/linux/with-xvfb.sh" bash "$WORK/window.sh" "$data")
        times+=("$ms")
    done
    echo "window, $label: median $(printf '%s\n' "${times[@]}" | median) ms (runs: ${times[*]} ms)"
done
