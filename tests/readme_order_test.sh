#!/usr/bin/env bash
# The README's two commands in the order a newcomer runs them, on a clean
# clone: scripts/run, then scripts/test. scripts/run used to leave
# MISATO_TESTS=OFF in build/'s CMake cache, after which scripts/test ran no
# normal-build test at all (and passed), and test-arm64 missed png-check.
# Here scripts/run renders (no display), then `scripts/test --list`
# configures build/ exactly as scripts/test does and must find the tests.
#   readme_order_test.sh SOURCE_DIR
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
git clone -q "$src" "$tmp/clone"
[ -d "$src/../shared" ] && ln -s "$(cd "$src/.." && pwd)/shared" "$tmp/shared"
cd "$tmp/clone"
export HOME=$tmp/home
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER scripts/run >"$tmp/run.log" 2>&1 ||
    { tail -20 "$tmp/run.log"; fail "scripts/run failed"; }
n=$(ls out/*.png 2>/dev/null | wc -l)
[ "$n" -ge 20 ] || fail "scripts/run rendered $n slides to out/"
echo "ok: scripts/run rendered $n slides (no display)"
scripts/test --list >"$tmp/list.log" 2>&1 || { tail -20 "$tmp/list.log"; fail "scripts/test --list failed"; }
total=$(sed -n 's/^Total Tests: \([0-9]*\)/\1/p' "$tmp/list.log")
[ "${total:-0}" -ge 50 ] || { tail -5 "$tmp/list.log"; fail "after scripts/run, scripts/test would run ${total:-0} tests"; }
echo "ok: after scripts/run, scripts/test runs $total normal-build tests"
cmake --build build --target png-check >/dev/null || fail "png-check does not build"
echo "ok: png-check (scripts/test-arm64 needs it) builds"
