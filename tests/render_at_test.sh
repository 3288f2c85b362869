#!/usr/bin/env bash
# --render --at is one moment: the clock stands still for the whole render,
# so the header's time cannot change between slides however long the render
# takes. A render at 09:00:59 must equal, byte for byte, one at 09:00:00 (a
# render takes seconds: with a running clock, the slides after the first
# second showed 9:01).
#   render_at_test.sh PLAYER
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home"
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY
fail() { echo "FAIL: $*"; exit 1; }
"$bin" --render "$tmp/a" --at 2026-11-24T09:00:00 >/dev/null 2>"$tmp/a.log" || fail "render at 09:00:00"
t0=$(date +%s%N)
"$bin" --render "$tmp/b" --at 2026-11-24T09:00:59 >/dev/null 2>"$tmp/b.log" || fail "render at 09:00:59"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
n=$(ls "$tmp/a" | wc -l)
[ "$n" -gt 10 ] || fail "only $n slides rendered"
[ "$(ls "$tmp/b" | wc -l)" = "$n" ] || fail "the two renders have different slides"
differ=()
for f in "$tmp"/a/*.png; do
    cmp -s "$f" "$tmp/b/${f##*/}" || differ+=("${f##*/}")
done
echo "the render at 09:00:59 took $ms ms for $n slides"
[ ${#differ[@]} -eq 0 ] || fail "${#differ[@]} slides differ from the render at 09:00:00 (the clock ran on): ${differ[*]}"
echo "ok: all $n slides of the render at 09:00:59 equal those at 09:00:00 (the clock stood still)"
