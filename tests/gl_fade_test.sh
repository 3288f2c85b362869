#!/usr/bin/env bash
# renderer = gpu forced where GL is Mesa's llvmpipe: a crossfade frame was
# two full-screen quads and a swap (~30 ms of CPU). After a first frame
# drawn whole, only the tiles where the two slides differ are blended and
# sent (GLX_MESA_copy_sub_buffer), found by reading the slides back once.
#  1. The crossfade's screen updates (DAMAGE on an Xvfb 1920x1080) are
#     smaller than the screen, but for its first and last frames.
#  2. What is on screen mid-fade is a crossfade: screenshots taken while it
#     runs are, wherever the two slides differ, between them by one alpha
#     (none shows a part of the screen still the old slide or already the
#     new one), and where they do not differ, the slide. Checked for the
#     first crossfade and the second, which reads back only the new slide
#     (the current one's copy is the first crossfade's next slide).
#   gl_fade_test.sh BIN SRC_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
[ -n "${KEEP:-}" ] && echo "tmp: $tmp"
export HOME="$tmp/home"
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY
command -v xvfb-run >/dev/null || { echo "xvfb-run missing: install xvfb"; exit 1; }
command -v xwd >/dev/null || { echo "xwd missing: install x11-apps"; exit 1; }
gcc -O2 -o "$tmp/xdamage_mon" "$src/bench/vs-chromium/lib/xdamage_mon.c" -lX11 -lXdamage
mkdir -p "$tmp/c" "$tmp/s" "$tmp/m"
# A 2-s fade: the screenshots (~0.15 s each) catch it several times.
printf 'renderer = gpu\nslide_seconds = 4\ntransition = crossfade\ntransition_ms = 2000\ncache_dir = %s/c\nstate_dir = %s/s\nmedia_dir = %s/m\n' \
    "$tmp" "$tmp" "$tmp" >"$tmp/gpu.conf"
cat >"$tmp/inner.sh" <<'INNER'
#!/usr/bin/env bash
set -euo pipefail
bin=$1 tmp=$2 src=$3
unset SDL_VIDEODRIVER SDL_RENDER_DRIVER
"$tmp/xdamage_mon" "$DISPLAY" "$tmp/damage" &
mon=$!
# No ticker, and no minute turns in the 15 s (--at 09:00:05).
"$bin" --config "$tmp/gpu.conf" --feed "$src/config/default-feed.json" --at 2026-11-24T09:00:05 2>"$tmp/log" &
pid=$!
for _ in $(seq 200); do grep -q "first frame on screen" "$tmp/log" && break; sleep 0.1; done
t0=$(date +%s%N)
printf '%s.%s\n' "${t0:0:10}" "${t0:10}" >"$tmp/t-first"
# at MS: sleeps until MS milliseconds after the first frame.
at() {
    local left=$(( (t0 + $1 * 1000000 - $(date +%s%N)) / 1000000 ))
    [ "$left" -gt 0 ] && sleep "$(awk -v m="$left" 'BEGIN { printf "%.3f", m / 1000 }')"
    return 0
}
# Fades run 4-6 s and 10-12 s after the first frame: slides 1, 2, 3 still
# at 1.5, 7.8 and 13.8 s; screenshots as fast as they come within each fade.
at 1500; xwd -root -silent >"$tmp/still-1.xwd"
for f in 1 2; do
    at $(( f == 1 ? 3800 : 9800 ))
    k=0
    end=$(( t0 + (f == 1 ? 6600 : 12600) * 1000000 ))
    while [ "$(date +%s%N)" -lt "$end" ]; do
        xwd -root -silent >"$tmp/mid$f-$k.xwd"
        k=$((k + 1))
    done
    at $(( f == 1 ? 7800 : 13800 )); xwd -root -silent >"$tmp/still-$((f + 1)).xwd"
done
date +%s.%N >"$tmp/t-end"
kill -TERM "$pid" "$mon"
wait "$pid" || true
wait "$mon" || true
INNER
chmod +x "$tmp/inner.sh"
xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "$tmp/inner.sh" "$bin" "$tmp" "$src" || true
grep -E "GL renderer|GL on the CPU" "$tmp/log" || true
grep -q "GL renderer: " "$tmp/log" || { echo "SKIP: no GL renderer here"; exit 77; }
grep -Eq "GL renderer: (llvmpipe|softpipe|swrast)" "$tmp/log" || { echo "SKIP: GL is a GPU here"; exit 77; }
grep -q "GL on the CPU: " "$tmp/log" || { echo "SKIP: no GLX_MESA_copy_sub_buffer here"; exit 77; }
for f in "$tmp"/*.xwd; do convert "xwd:$f" -depth 8 "rgb:${f%.xwd}.rgb"; done
python3 - "$tmp" <<'PY'
import glob, statistics, sys
tmp = sys.argv[1]
W, H = 1920, 1080
fail = []

def load(path):
    d = open(path, 'rb').read()
    if len(d) != W * H * 3:
        sys.exit('FAIL: %s is not a %dx%d screen' % (path, W, H))
    return d

# Both crossfades: the first reads both slides back, the second only the
# new one (the current slide's copy is the first one's next).
for f in (1, 2):
    a, b = load('%s/still-%d.rgb' % (tmp, f)), load('%s/still-%d.rgb' % (tmp, f + 1))
    # Sample every 7th byte of the screen (all rows, all channels over the run).
    idx = range(0, W * H * 3, 7)
    diff = [i for i in idx if abs(a[i] - b[i]) >= 48]
    same = [i for i in idx if a[i] == b[i]]
    print('crossfade %d: slides %d and %d differ in %d of %d sampled values' % (f, f, f + 1, len(diff), len(idx)))
    if len(diff) < 1000:
        fail.append('crossfade %d: the two slides hardly differ: nothing to check' % f)
        continue
    mids = 0
    for path in sorted(glob.glob('%s/mid%d-*.rgb' % (tmp, f))):
        m = load(path)
        al = [(m[i] - a[i]) / (b[i] - a[i]) for i in diff]
        p = statistics.median(al)
        if not 0.15 <= p <= 0.85:
            continue  # before, at the very start or the end of the fade
        mids += 1
        off = sum(1 for x in al if abs(x - p) > 0.25) / len(al)
        wrong = sum(1 for i in same if abs(m[i] - a[i]) > 8) / len(same)
        print('%s: alpha %.2f; values off that alpha by > 0.25: %.2f%%; where the slides are the same, '
              'values not the slide: %.3f%%' % (path.rsplit('/', 1)[1], p, off * 100, wrong * 100))
        if off > 0.01:
            fail.append('%s: %.1f%% of the differing values are not the crossfade (parts of the screen old '
                        'or new)' % (path, off * 100))
        if wrong > 0.001:
            fail.append('%s: %.2f%% of the values that are the same on both slides are not' % (path, wrong * 100))
    if mids == 0:
        fail.append('crossfade %d: no screenshot caught it halfway (a machine too busy?)' % f)

# What was sent: the updates of the fade (those in its 2 s) are smaller than the screen, but a few.
t0 = float(open(tmp + '/t-first').read())
ups, last = [], None  # one present: rectangles within 3 ms of server time
for line in open(tmp + '/damage'):
    v = line.split()
    if len(v) == 7 and (t0 + 4.2) * 1000 <= float(v[0]) <= (t0 + 5.8) * 1000:
        sms = int(v[1])
        if last is not None and sms - last <= 3:
            ups[-1] += int(v[4]) * int(v[5])
        else:
            ups.append(int(v[4]) * int(v[5]))
        last = sms
whole = sum(1 for x in ups if x >= W * H)
print('crossfade updates: %d, %d of them the whole screen, %.2f Mpx on average' %
      (len(ups), whole, sum(ups) / max(len(ups), 1) / 1e6))
if len(ups) < 10:
    fail.append('only %d screen updates in the crossfade' % len(ups))
elif whole > 3:
    fail.append('%d of %d crossfade updates are the whole screen: not only where the slides differ' %
                (whole, len(ups)))
for f in fail:
    print('FAIL: ' + f)
sys.exit(1 if fail else 0)
PY
