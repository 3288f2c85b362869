#!/usr/bin/env bash
# bench/vs-chromium/run.sh: the player against a Chromium kiosk page (signage.html, the same kind of
# slides) on one Xvfb 1920x1080x24, one series, the programs interleaved (order rotated every
# repetition) so that whatever else loads the machine hits them alike. Called by
# `scripts/bench --vs-chromium`; prints the table of issue #16 at the end.
#
#   bench/vs-chromium/run.sh [REPS]        from the project's root, after a build; REPS defaults to 3
#   env: PROGS="chromium player-auto player-gpu player-software"  (the columns)
#        DUR=121 MEMAT=60 CPU0=60 WIN=60   (run length; memory snapshot; CPU window [CPU0, CPU0+WIN])
#        PLAYER=build/misato-signage  BENCH_WORK=build/bench-vs-chromium  DISPLAY_NUM=(first free >= 120)
#        SOAK=0 (seconds of the memory run at the end; 7200 = the 2-hour run)  SOAK_EVERY=10
#        BENCH_LEGACY_RENDERER=1 for a player without the renderer key (SDL environment variables)
# Writes everything under $BENCH_WORK/runs/<date-time>/ (JSON per run, the player's logs, DAMAGE logs,
# smaps at the snapshot, driver.log with /proc/loadavg before every run), then table.md.
# Nothing here passes or fails: the machine is shared, read the columns of one series side by side.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$PWD
export BENCH_WORK=${BENCH_WORK:-$SRC/build/bench-vs-chromium}
mkdir -p "$BENCH_WORK" && cd "$BENCH_WORK" || exit 1
REPS=${1:-3}
export PLAYER=$(cd "$SRC" && realpath "${PLAYER:-build/misato-signage}")
DUR=${DUR:-121}; MEMAT=${MEMAT:-60}; CPU0=${CPU0:-60}; WIN=${WIN:-60}
read -r -a PROGS <<<"${PROGS:-chromium player-auto player-gpu player-software}"
SOAK=${SOAK:-0}; SOAK_EVERY=${SOAK_EVERY:-10}
[ -x "$PLAYER" ] || { echo "no player binary at $PLAYER (build first)"; exit 1; }
command -v chromium >/dev/null || { echo "chromium is not installed (scripts/lib.sh TEST_PACKAGES)"; exit 1; }

# ---- helpers, built here
mkdir -p bin tmp conf anchor runs
gcc -O2 -Wall -o bin/xdamage_mon "$HERE/lib/xdamage_mon.c" -lX11 -lXdamage || exit 1
for spy in present_spy texture_spy startup_spy; do
    gcc -O2 -Wall -shared -fPIC -o "bin/$spy.so" "$HERE/lib/$spy.c" -ldl || exit 1
done
cp "$HERE/signage.html" anchor/
# the player's ticker feed: the embedded plan + the page's five lines
python3 - "$SRC/config/default-feed.json" conf/ticker-feed.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d['ticker'] = [
 "マイナンバーカードがあれば全国のコンビニで住民票の写し・印鑑登録証明書が取得できます（6:30〜23:00）",
 "役場窓口では「書かない窓口」タブレットで申請書の記入が不要になりました",
 "各種証明書の手数料はキャッシュレス決済（クレジット・電子マネー・QR）に対応しています",
 "オンライン手続きは町ホームページの「電子申請」からご利用いただけます",
 "ご不明な点は総務課DX推進係（内線 123）までお問い合わせください"]
json.dump(d, open(sys.argv[2], 'w'), ensure_ascii=False, indent=1)
EOF
"$PLAYER" --validate conf/ticker-feed.json >/dev/null || { echo "ticker feed does not validate"; exit 1; }

# ---- our own Xvfb on a free display (stopped by its PID at the end)
DN=${DISPLAY_NUM:-}
if [ -z "$DN" ]; then
    for DN in $(seq 120 199); do [ -e /tmp/.X$DN-lock ] || [ -e /tmp/.X11-unix/X$DN ] || break; done
fi
DISP=:$DN
if [ -e /tmp/.X$DN-lock ] || [ -e /tmp/.X11-unix/X$DN ]; then echo "display $DISP is in use"; exit 1; fi
D=$BENCH_WORK/runs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$D"
Xvfb $DISP -screen 0 1920x1080x24 -nolisten tcp >"$D/xvfb.log" 2>&1 &
XPID=$!
cleanup() { kill -TERM $XPID 2>/dev/null; wait $XPID 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 50); do DISPLAY=$DISP xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
DISPLAY=$DISP xdpyinfo >/dev/null 2>&1 || { echo "Xvfb did not start"; exit 1; }

log() { echo "[$(date +%T)] $* | loadavg $(cat /proc/loadavg)" | tee -a "$D/driver.log"; }
export DUR MEMAT CPU0 WIN DISP
python3 - "$D/meta.json" "$PLAYER" "$SRC" <<'EOF'
import json, subprocess, sys, os, platform
def sh(c):
    return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
m = {'date': sh('date -Is'), 'host': platform.node(), 'cpus': os.cpu_count(),
     'cpu model': sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
     'chromium': sh('chromium --version 2>/dev/null'),
     'player': sh(sys.argv[2] + ' --version | head -1'),
     'player source': sys.argv[3] + ' @ ' + sh('git -C %s log -1 --format=%%h' % sys.argv[3]),
     'SDL2 / Mesa': sh("dpkg-query -W -f='${Package} ${Version}\\n' libsdl2-2.0-0 libgl1-mesa-dri | tr '\\n' ' '"),
     'display': 'Xvfb ' + os.environ['DISP'] + ' 1920x1080x24',
     'windows': 'CPU window [%s s, %s s], memory at %s s, run length %s s' % (
         os.environ['CPU0'], float(os.environ['CPU0']) + float(os.environ['WIN']), os.environ['MEMAT'],
         os.environ['DUR'])}
json.dump(m, open(sys.argv[1], 'w'), indent=1)
EOF

B="python3 $HERE/harness.py"
args() { case $1 in chromium) echo "--prog chromium" ;; player-*) echo "--prog player --renderer ${1#player-}" ;; esac; }
order() { local r=$1 n=${#PROGS[@]} i; for i in $(seq 0 $((n - 1))); do echo -n "${PROGS[$(((i + r - 1) % n))]} "; done; }

log "warm-up (page cache, fontconfig cache; not measured)"
for pr in "${PROGS[@]}"; do
    # shellcheck disable=SC2046
    $B shot $(args "$pr") --display $DISP --out "$D/warmup-$pr" >/dev/null 2>>"$D/driver.log"
done
for rep in $(seq "$REPS"); do
    ORD=$(order "$rep")
    log "rep $rep: order $ORD"
    for k in 1 2; do
        for pr in $ORD; do
            sleep 2; log "shot $pr r$rep-$k"
            # shellcheck disable=SC2046
            $B shot $(args "$pr") --mode full --display $DISP --out "$D/shot-$pr-r$rep-$k" >>"$D/driver.log" 2>&1
            if [ "$pr" != chromium ]; then
                sleep 1
                # shellcheck disable=SC2046
                $B startup $(args "$pr") --mode full --display $DISP --out "$D/startup-$pr-r$rep-$k" \
                    >>"$D/driver.log" 2>&1
            fi
        done
    done
    for mode in static noticker full; do
        for pr in $ORD; do
            sleep 2; log "live $pr $mode r$rep"
            # shellcheck disable=SC2046
            $B live $(args "$pr") --mode $mode --dur "$DUR" --memat "$MEMAT" --cpu0 "$CPU0" --win "$WIN" \
                --display $DISP --out "$D/live-$pr-$mode-r$rep" >>"$D/driver.log" 2>&1
        done
    done
done
if [ "$SOAK" -gt 0 ]; then
    log "soak player-auto ${SOAK} s"
    $B soak --prog player --renderer auto --dur "$SOAK" --every "$SOAK_EVERY" --display $DISP \
        --out "$D/soak-player-auto" >>"$D/driver.log" 2>&1
fi
log "series done"
python3 "$HERE/table.py" "$D"
[ -f "$D/soak-player-auto.json" ] && cat "$D/soak-player-auto.json"
echo "everything: $D"
