#!/usr/bin/env bash
# The display loop under SDL's offscreen driver: it draws a first frame, then
# sleeps (no busy loop) and ends cleanly within a second on SIGTERM and SIGINT.
#   signal_test.sh BIN [VALGRIND...]
# With a valgrind command line after BIN, the player runs under it: then only
# the clean exit is checked (valgrind's exit code reports memory errors and
# definite leaks), not the timings.
set -euo pipefail
bin=$1; shift
runner=("$@")
tmp=$(mktemp -d)
export HOME="$tmp/home" # hermetic: no cache of the user's
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/log" ] && cat "$tmp/log" >&2; exit 1; }

sigs=(TERM INT)
[ ${#runner[@]} -gt 0 ] && sigs=(TERM)
for sig in "${sigs[@]}"; do
    SDL_VIDEODRIVER=offscreen "${runner[@]}" "$bin" --windowed --size 960x540 2>"$tmp/log" &
    pid=$!
    for _ in $(seq 600); do
        grep -q "first frame on screen" "$tmp/log" && break
        kill -0 "$pid" 2>/dev/null || fail "the player exited before its first frame"
        sleep 0.1
    done
    grep -q "first frame on screen" "$tmp/log" || fail "no first frame within 60 s"
    if [ ${#runner[@]} -gt 0 ]; then
        kill -"$sig" "$pid"
        set +e; wait "$pid"; rc=$?; set -e
        pid=
        [ "$rc" -eq 0 ] || fail "exit code $rc under ${runner[0]}"
        grep -q "stopping (SIG$sig)" "$tmp/log" || fail "no clean stop logged"
        echo "SIG$sig under ${runner[0]}: clean exit, no memory errors or definite leaks"
        continue
    fi
    # Idle: count the wake-ups over two seconds. Polling SDL every millisecond
    # would give ~2000; the loop wakes at most every 250 ms.
    cs0=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/task/$pid/status")
    sleep 2
    cs1=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/task/$pid/status")
    wakeups=$((cs1 - cs0))
    echo "SIG$sig: main thread woke $wakeups times in 2 s while idle"
    [ "$wakeups" -lt 100 ] || fail "the main loop is busy ($wakeups wake-ups in 2 s)"
    t0=$(date +%s%N)
    kill -"$sig" "$pid"
    set +e; wait "$pid"; rc=$?; set -e
    pid=
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    echo "SIG$sig: exited with $rc after $ms ms"
    [ "$rc" -eq 0 ] || fail "exit code $rc after SIG$sig"
    [ "$ms" -lt 1000 ] || fail "took $ms ms to stop"
    grep -q "stopping (SIG$sig)" "$tmp/log" || fail "no clean stop logged"
done
echo "passed: signals"
