#!/usr/bin/env bash
# The panel really off outside display hours, read back from the device
# (#17), where there is one: for a VM with a KMS device or the kernel's
# emulated CEC adapters (the vivid module), such as the device harness of
# #15. Run as root on the console (the player must become DRM master).
#   panel_device_test.sh PLAYER kms|cec
# kms: panel_power = dpms on SDL's KMSDRM; /sys/class/drm/<connector>/dpms
#      says Off at night, On after --panel on, Off again after --panel auto.
# cec: vivid's /dev/cec0 is the TV (cec-follower answers for it), the player
#      uses /dev/cec1; the TV's power status, asked with cec-ctl, is standby
#      at night and on after --panel on.
# Exit 77 (skipped) where the device is missing: this development machine
# has no /dev/dri and no vivid.
set -euo pipefail
bin=$1 kind=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && tail -n 40 "$tmp/log"; exit 1; }
ok() { echo "ok: $*"; }

case $kind in
kms)
    conn=
    for s in /sys/class/drm/card*-*/status; do
        [ -e "$s" ] && [ "$(cat "$s")" = connected ] && { conn=${s%/status}; break; }
    done
    [ -n "$conn" ] || skip "no KMS connector with a display connected (/sys/class/drm/*/status)"
    read_state() { cat "$conn/dpms"; }
    settings="panel_power = dpms"
    driver=kmsdrm
    ;;
cec)
    [ -e /dev/cec0 ] && [ -e /dev/cec1 ] || skip "no /dev/cec0 and /dev/cec1 (modprobe vivid)"
    command -v cec-ctl >/dev/null && command -v cec-follower >/dev/null || skip "cec-ctl/cec-follower missing (v4l-utils)"
    cec-ctl -d0 2>/dev/null | grep -q "Driver Name *: vivid" || skip "/dev/cec0 is not vivid's"
    read_state() {
        local out
        out=$(cec-ctl -d1 --to 0 --give-device-power-status 2>&1 || true)
        # cec-ctl says "standby", "on", or a transition: "to-standby", "to-on".
        if grep -q 'pwr-state: \(to-\)\?standby' <<<"$out"; then echo Off
        elif grep -q 'pwr-state: \(to-\)\?on' <<<"$out"; then echo On
        else echo "unknown: $out"; fi
    }
    settings=$'panel_power = cec\ncec_device = /dev/cec1'
    driver=${SDL_VIDEODRIVER:-offscreen}
    ;;
*) echo "usage: $0 PLAYER kms|cec"; exit 64 ;;
esac

tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
if [ "$kind" = cec ]; then
    cec-ctl -d0 --tv >/dev/null || fail "cec-ctl -d0 --tv"
    cec-follower -d0 >"$tmp/follower.log" 2>&1 &
    pids+=($!)
    sleep 1
fi
cat >"$tmp/signage.conf" <<EOF
display_hours = 07:30-19:00
state_dir = $tmp/state
cache_dir = $tmp/cache
media_dir = $tmp/media
usb_roots = none
$settings
EOF
# 22:00: outside display hours from the start.
HOME=$tmp SDL_VIDEODRIVER=$driver "$bin" --config "$tmp/signage.conf" --at 2026-11-24T22:00 2>"$tmp/log" &
player=$!
pids+=("$player")
# Until the first frame is on screen: on KMS, SDL's first mode set turns the
# connector back on, after the standby the start-up asked for (#15 found it).
for _ in $(seq 600); do
    grep -q "first frame on screen" "$tmp/log" && break
    grep -q "panel: could not switch\|panel: no way" "$tmp/log" && break
    sleep 0.1
done
grep -q "panel: standby through" "$tmp/log" || fail "the player did not put the panel in standby"
sleep 0.5
[ "$(read_state)" = Off ] || fail "at night the device says: $(read_state)"
ok "outside display hours the panel is off ($kind, read back: Off)"
"$bin" --config "$tmp/signage.conf" --panel on || fail "--panel on"
sleep 1
[ "$(read_state)" = On ] || fail "after --panel on the device says: $(read_state)"
ok "--panel on wakes it (read back: On)"
"$bin" --config "$tmp/signage.conf" --panel auto || fail "--panel auto"
sleep 1
[ "$(read_state)" = Off ] || fail "after --panel auto the device says: $(read_state)"
ok "--panel auto puts it back in standby (read back: Off)"
kill -TERM "$player"
set +e
wait "$player"
rc=$?
set -e
[ "$rc" = 0 ] || fail "the player exited with $rc"
echo "passed: panel $kind"
