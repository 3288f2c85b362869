#!/usr/bin/env bash
# renderer = gpu forced where GL is Mesa's llvmpipe (no GPU: this machine):
# every GL frame is a full-screen quad the CPU draws (20-26 ms of it at
# 1080p), and the ticker must move 30 times a second as on the software
# path, not 60 (1.7 cores before, 0.8 after). Counts the presents with the
# bench's LD_PRELOAD spy over 4 s of a ticker on an Xvfb 1920x1080.
#   gl_pacing_test.sh BIN SRC_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home"
unset XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME CACHE_DIRECTORY STATE_DIRECTORY
command -v xvfb-run >/dev/null || { echo "xvfb-run missing: install xvfb"; exit 1; }
gcc -O2 -shared -fPIC -o "$tmp/present_spy.so" "$src/bench/vs-chromium/lib/present_spy.c" -ldl
python3 - "$src/config/default-feed.json" "$tmp/feed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['ticker'] = ["マイナンバーカードがあれば全国のコンビニで住民票の写しが取得できます",
               "役場窓口では「書かない窓口」で申請書の記入が不要になりました"]
json.dump(d, open(sys.argv[2], 'w'), ensure_ascii=False)
PY
mkdir -p "$tmp/c" "$tmp/s" "$tmp/m"
printf 'renderer = gpu\nslide_seconds = 600\ncache_dir = %s/c\nstate_dir = %s/s\nmedia_dir = %s/m\n' \
    "$tmp" "$tmp" "$tmp" >"$tmp/gpu.conf"
cat >"$tmp/inner.sh" <<'INNER'
#!/usr/bin/env bash
set -euo pipefail
bin=$1 tmp=$2
unset SDL_VIDEODRIVER SDL_RENDER_DRIVER
LD_PRELOAD="$tmp/present_spy.so" PRESENT_SPY_OUT="$tmp/spy" \
    "$bin" --config "$tmp/gpu.conf" --feed "$tmp/feed.json" --at 2026-11-24T09:00 2>"$tmp/log" &
pid=$!
for _ in $(seq 200); do grep -q "first frame on screen" "$tmp/log" && break; sleep 0.1; done
sleep 1
date +%s.%N >"$tmp/t0"
sleep 4
date +%s.%N >"$tmp/t1"
kill -TERM "$pid"
wait "$pid" || true
INNER
chmod +x "$tmp/inner.sh"
xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "$tmp/inner.sh" "$bin" "$tmp" || true
grep -E "renderer|GL" "$tmp/log" || true
grep -q "GL renderer: " "$tmp/log" || { echo "SKIP: no GL renderer here"; exit 77; }
grep -Eq "GL renderer: (llvmpipe|softpipe|swrast)" "$tmp/log" || { echo "SKIP: GL is a GPU here"; exit 77; }
python3 - "$tmp/spy" "$(cat "$tmp/t0")" "$(cat "$tmp/t1")" <<'PY'
import sys
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
p = [float(l.split()[1]) for l in open(sys.argv[1]) if l.startswith('P ')]
n = sum(1 for t in p if t0 <= t < t1)
rate = n / (t1 - t0)
print('presents with the ticker on llvmpipe GL: %d in %.2f s = %.1f a second' % (n, t1 - t0, rate))
if rate > 40:
    sys.exit('FAIL: %.1f frames a second: the ticker on a CPU GL renderer is to move 30 times a second' % rate)
if rate < 10:
    sys.exit('FAIL: %.1f frames a second: the ticker barely moves' % rate)
PY
