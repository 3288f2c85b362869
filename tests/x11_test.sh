#!/usr/bin/env bash
# The real fullscreen window on an X server (Xvfb): it takes the display's
# real size, draws the slides, and a screenshot of the root window shows them.
#   x11_test.sh BIN PNG_CHECK [SHOT.png]
set -euo pipefail
bin=$1 check=$2 shot_out=${3:-}
tmp=$(mktemp -d)
export HOME="$tmp/home" # hermetic: no cache of the user's
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY
trap 'rm -rf "$tmp"' EXIT
command -v xvfb-run >/dev/null || { echo "xvfb-run missing: install xvfb"; exit 1; }

cat >"$tmp/inner.sh" <<'INNER'
#!/usr/bin/env bash
set -euo pipefail
bin=$1 tmp=$2
unset SDL_VIDEODRIVER
"$bin" --at 2026-11-24T09:00 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
    grep -q "first frame on screen" "$tmp/log" && break
    sleep 0.1
done
sleep 0.5
xwd -root -silent >"$tmp/shot.xwd"
kill -TERM "$pid"
set +e
wait "$pid"
echo $? >"$tmp/rc"
INNER
chmod +x "$tmp/inner.sh"
xvfb-run -a -s "-screen 0 1600x900x24 -nolisten tcp" "$tmp/inner.sh" "$bin" "$tmp" || true
cat "$tmp/log"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] || { echo "FAIL: the player exited with $(cat "$tmp/rc" 2>/dev/null)"; exit 1; }
grep -q "video driver x11" "$tmp/log" || { echo "FAIL: not on the X11 driver"; exit 1; }
grep -q ", 1600x900" "$tmp/log" || { echo "FAIL: the window did not take the display's size"; exit 1; }
convert "xwd:$tmp/shot.xwd" "png:$tmp/shot.png"
# The header colour in both top corners and the footer colour at the bottom:
# the window covers the whole screen.
"$check" shot "$tmp/shot.png" 16 2 2 0f3556 1597 2 0f3556 2 897 e4e9ef
if [ -n "$shot_out" ]; then cp "$tmp/shot.png" "$shot_out"; echo "screenshot: $shot_out"; fi
echo "passed: x11"
