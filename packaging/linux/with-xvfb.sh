#!/bin/sh
# Run a command on a private virtual X server (Xvfb), then stop the server.
#
#   packaging/linux/with-xvfb.sh COMMAND [ARG...]
#
# Unlike `xvfb-run -a`, which guesses a free display number and can collide
# with another Xvfb starting at the same moment on a shared machine, Xvfb
# picks the number itself (-displayfd). Used by smoke_test.sh and measure.sh.
# Exits with the command's status.
set -eu

[ $# -gt 0 ] || { echo "usage: with-xvfb.sh COMMAND [ARG...]" >&2; exit 2; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/samraad-xvfb.XXXXXX")
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$dir/display" 2>"$dir/log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

i=0
until [ -s "$dir/display" ]; do
    i=$((i + 1))
    if [ "$i" -gt 100 ] || ! kill -0 "$server" 2>/dev/null; then
        echo "with-xvfb: Xvfb did not start:" >&2
        cat "$dir/log" >&2
        exit 1
    fi
    sleep 0.1
done
DISPLAY=:$(cat "$dir/display")
export DISPLAY
status=0
"$@" || status=$?
exit "$status"
