#!/usr/bin/env bash
# Slide changes under the offscreen driver: with a transition the loop
# animates (many frames during the change, composition only), with "none"
# it draws one frame per slide; between changes it sleeps either way.
#   transition_test.sh BIN
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
export HOME="$tmp/home"
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; cat "$tmp/log" >&2; exit 1; }

frames_for() { # frames_for TRANSITION: frames drawn over 7.5 s with 3 s slides
    printf 'slide_seconds = 3\ntransition = %s\ntransition_ms = 800\n' "$1" >"$tmp/conf"
    SDL_VIDEODRIVER=offscreen "$bin" --config "$tmp/conf" --windowed --size 640x360 2>"$tmp/log" &
    pid=$!
    sleep 7.5
    kill -TERM "$pid"
    wait "$pid" || fail "exit code $? with transition $1"
    pid=
    sed -n 's/.*info: \([0-9]*\) frames drawn.*/\1/p' "$tmp/log"
}

n_none=$(frames_for none)
n_fade=$(frames_for crossfade)
n_push=$(frames_for push)
echo "frames in 7.5 s with two slide changes: none $n_none, crossfade $n_fade, push $n_push"
[ "$n_none" -le 6 ] || fail "without a transition the loop drew $n_none frames"
[ "$n_fade" -ge 20 ] || fail "crossfade drew only $n_fade frames"
[ "$n_push" -ge 20 ] || fail "push drew only $n_push frames"
[ "$n_fade" -le 200 ] || fail "crossfade drew $n_fade frames: not paced"

# A ticker line moves on every frame (paced), even with no transition.
src=$(cd "$(dirname "$0")/.." && pwd)
printf 'slide_seconds = 60\ntransition = none\n' >"$tmp/conf"
SDL_VIDEODRIVER=offscreen "$bin" --config "$tmp/conf" --feed "$src/docs/feed-example.json" \
    --windowed --size 640x360 2>"$tmp/log" &
pid=$!
sleep 3
kill -TERM "$pid"
wait "$pid" || fail "exit code $? with a ticker"
pid=
n_tick=$(sed -n 's/.*info: \([0-9]*\) frames drawn.*/\1/p' "$tmp/log")
echo "ticker: $n_tick frames in 3 s"
[ "$n_tick" -ge 30 ] || fail "the ticker did not move ($n_tick frames)"
[ "$n_tick" -le 200 ] || fail "the ticker is not paced ($n_tick frames)"

# Outside display hours (today is not a display day): a black screen, the
# reason in the log, and the loop asleep.
days=(sun mon tue wed thu fri sat)
tomorrow=${days[$(( ($(TZ=Asia/Tokyo date +%w) + 1) % 7 ))]}
printf 'display_days = %s\ndisplay_hours = 08:00-17:00\n' "$tomorrow" >"$tmp/conf"
SDL_VIDEODRIVER=offscreen "$bin" --config "$tmp/conf" --windowed --size 640x360 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do grep -q "first frame on screen" "$tmp/log" && break; sleep 0.1; done
grep -q "outside display hours: screen off until" "$tmp/log" || fail "no word of display hours"
cs0=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/task/$pid/status")
sleep 2
cs1=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/task/$pid/status")
echo "screen off: $(grep -o 'screen off until.*' "$tmp/log" | head -1); $((cs1 - cs0)) wake-ups in 2 s"
[ $((cs1 - cs0)) -lt 100 ] || fail "the loop is busy while the screen is off"
kill -TERM "$pid"
wait "$pid" || fail "exit code $? after SIGTERM with the screen off"
pid=
echo "passed: transitions and display hours"
