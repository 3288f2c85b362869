#!/usr/bin/env bash
# renderer = gpu forced where GL is Mesa's llvmpipe (no GPU: this machine):
# every GL frame was a full-screen quad the CPU drew (20-26 ms of it at
# 1080p) and a swap that sent all of it.
#  1. The ticker moves 30 times a second, as on the software path, not 60
#     (1.7 cores before, 0.8 after): presents counted by the bench's
#     LD_PRELOAD spy over 4 s on an Xvfb 1920x1080.
#  2. A frame where only the ticker moved draws and sends only its strip
#     (GLX_MESA_copy_sub_buffer): every screen update the X server reports
#     (DAMAGE) over those 4 s is at most the strip, not the 2-Mpx screen.
#     The minute turns 3 s in (--at 08:59:57): one whole frame for the
#     clock, not one every frame of the minute's first second (30 of them).
#  3. What is on screen is right: above the strip, the software path's
#     picture of the same slide at the same time (the clock at 9:00); in the
#     strip, a ticker that moves (two screenshots 0.3 s apart differ there,
#     and only there).
#   gl_pacing_test.sh BIN SRC_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT; [ -n "${KEEP:-}" ] && echo "tmp: $tmp"
export HOME="$tmp/home"
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY
command -v xvfb-run >/dev/null || { echo "xvfb-run missing: install xvfb"; exit 1; }
command -v xwd >/dev/null || { echo "xwd missing: install x11-apps"; exit 1; }
gcc -O2 -shared -fPIC -o "$tmp/present_spy.so" "$src/bench/vs-chromium/lib/present_spy.c" -ldl
gcc -O2 -o "$tmp/xdamage_mon" "$src/bench/vs-chromium/lib/xdamage_mon.c" -lX11 -lXdamage
python3 - "$src/config/default-feed.json" "$tmp/feed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['ticker'] = ["マイナンバーカードがあれば全国のコンビニで住民票の写しが取得できます",
               "役場窓口では「書かない窓口」で申請書の記入が不要になりました"]
json.dump(d, open(sys.argv[2], 'w'), ensure_ascii=False)
PY
mkdir -p "$tmp/c" "$tmp/s" "$tmp/m"
for r in gpu software; do
    printf 'renderer = %s\nslide_seconds = 600\ncache_dir = %s/c\nstate_dir = %s/s\nmedia_dir = %s/m\n' \
        "$r" "$tmp" "$tmp" "$tmp" >"$tmp/$r.conf"
done
cat >"$tmp/inner.sh" <<'INNER'
#!/usr/bin/env bash
set -euo pipefail
bin=$1 tmp=$2 r=$3
unset SDL_VIDEODRIVER SDL_RENDER_DRIVER
"$tmp/xdamage_mon" "$DISPLAY" "$tmp/damage-$r" &
mon=$!
LD_PRELOAD="$tmp/present_spy.so" PRESENT_SPY_OUT="$tmp/spy-$r" \
    "$bin" --config "$tmp/$r.conf" --feed "$tmp/feed.json" --at 2026-11-24T08:59:57 2>"$tmp/log-$r" &
pid=$!
for _ in $(seq 200); do grep -q "first frame on screen" "$tmp/log-$r" && break; sleep 0.1; done
sleep 1
date +%s.%N >"$tmp/t0-$r"
sleep 4
date +%s.%N >"$tmp/t1-$r"
xwd -root -silent >"$tmp/a-$r.xwd"
sleep 0.3
xwd -root -silent >"$tmp/b-$r.xwd"
kill -TERM "$pid" "$mon"
wait "$pid" || true
wait "$mon" || true
INNER
chmod +x "$tmp/inner.sh"
for r in gpu software; do
    xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "$tmp/inner.sh" "$bin" "$tmp" "$r" || true
done
grep -E "renderer|GL" "$tmp/log-gpu" || true
grep -q "GL renderer: " "$tmp/log-gpu" || { echo "SKIP: no GL renderer here"; exit 77; }
grep -Eq "GL renderer: (llvmpipe|softpipe|swrast)" "$tmp/log-gpu" || { echo "SKIP: GL is a GPU here"; exit 77; }
for s in a-gpu b-gpu a-software; do convert "xwd:$tmp/$s.xwd" -depth 8 "rgb:$tmp/$s.rgb"; done
python3 - "$tmp" <<'PY'
import sys
tmp = sys.argv[1]
fail = []
t0, t1 = float(open(tmp + '/t0-gpu').read()), float(open(tmp + '/t1-gpu').read())

# 1. the pace
p = [float(l.split()[1]) for l in open(tmp + '/spy-gpu') if l.startswith('P ')]
n = sum(1 for t in p if t0 <= t < t1)
rate = n / (t1 - t0)
print('presents with the ticker on llvmpipe GL: %d in %.2f s = %.1f a second' % (n, t1 - t0, rate))
if rate > 40:
    fail.append('%.1f frames a second: the ticker on a CPU GL renderer is to move 30 times a second' % rate)
if rate < 10:
    fail.append('%.1f frames a second: the ticker barely moves' % rate)

def rows(path, w=1920, h=1080):  # the Xvfb screen, raw RGB
    px = open(path, 'rb').read()
    if len(px) != w * h * 3:
        sys.exit('FAIL: %s is %d bytes, not a %dx%d screen' % (path, len(px), w, h))
    return [px[y * w * 3:(y + 1) * w * 3] for y in range(h)]

w, h = 1920, 1080
a, b, ref = rows(tmp + '/a-gpu.rgb'), rows(tmp + '/b-gpu.rgb'), rows(tmp + '/a-software.rgb')
moved = [y for y in range(h) if a[y] != b[y]]
if not moved:
    fail.append('two screenshots 0.3 s apart are the same: the ticker does not move on screen')
else:
    y0, y1 = moved[0], moved[-1] + 1
    print('rows that changed in 0.3 s: %d-%d (%d rows)' % (y0, y1, y1 - y0))
    if y1 - y0 > 160 or y1 < h * 0.7:
        fail.append('rows %d-%d changed: more than a ticker strip near the bottom' % (y0, y1))
    # 2. what was sent: every update at most the strip (1920x76 at 1080p; an
    # eighth of the screen), not the whole screen
    strip = w * h // 8
    ups = {}
    for line in open(tmp + '/damage-gpu'):
        v = line.split()
        if len(v) == 7 and t0 * 1000 <= float(v[0]) <= t1 * 1000:
            ups[v[1]] = ups.get(v[1], 0) + int(v[4]) * int(v[5])  # by server time: one present
    big = max(ups.values()) if ups else 0
    print('screen updates over the 4 s: %d, the largest %d px (at most %d)' % (len(ups), big, strip))
    if len(ups) < 20:
        fail.append('only %d screen updates in 4 s' % len(ups))
    whole = sorted(k for k, v in ups.items() if v > strip)
    print('updates larger than that: %d (the new minute\'s: one) at server ms %s' % (len(whole), whole))
    if len(whole) > 1:
        fail.append('%d updates larger than the strip while only the ticker moved and a minute turned: '
                    'whole frames sent, not the strip' % len(whole))
    # 3. above the strip: the software path's picture of the same moment
    diff, far = 0, 0
    for r in range(0, y0):
        for x, y in zip(a[r], ref[r]):
            diff += abs(x - y)
            far += abs(x - y) > 48
    mae = diff / (y0 * w * 3)
    print('above the strip, GL vs the software path: mean difference %.3f (of 255), %d values far apart' % (mae, far))
    if mae > 2.0 or far > 600:
        fail.append('above the strip the GL screen is not the software path\'s (%.2f, %d far apart): '
                    'not the slide, or not its clock' % (mae, far))
for f in fail:
    print('FAIL: ' + f)
sys.exit(1 if fail else 0)
PY
