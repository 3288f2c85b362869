#!/usr/bin/env bash
# The package's life under a real systemd, as IT lives it (#14): a minimal
# Debian 12 booted with systemd-nspawn (tests/nspawn_rootfs.sh; cached), no
# network (--private-network: only lo, systemd-networkd waiting in vain for
# a DHCP lease), SDL_VIDEODRIVER=offscreen through a unit drop-in.
#   the USB rule's decisions (udevadm test on synthetic devices) ->
#   install -> power-off/boot (time to READY=1) -> reinstall ->
#   upgrade with an edited conffile, a drop-in and the unit disabled ->
#   remove -> purge
# and at each step the files, the unit's state and what is left over.
#   nspawn_test.sh SOURCE_DIR WORK_DIR
# Exit 77 (skipped) only where systemd-nspawn cannot boot a container here.
set -euo pipefail
src=$(cd "$1" && pwd) work=$2
SKIP=77
fail() { echo "FAIL: $*"; show_logs; exit 1; }
ok() { echo "ok: $*"; }
root=$work/root
nspawn_pid=
show_logs() {
    [ -n "$nspawn_pid" ] || return 0
    echo "--- the player's journal in the container:"
    ci journalctl -b --no-pager -u misato-signage 2>/dev/null | tail -n 40 || true
}
stop_container() {
    [ -n "$nspawn_pid" ] || return 0
    if kill -0 "$nspawn_pid" 2>/dev/null; then
        ci systemctl poweroff >/dev/null 2>&1 || kill -TERM "$nspawn_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$nspawn_pid" 2>/dev/null || true
    fi
    wait "$nspawn_pid" 2>/dev/null || true
    nspawn_pid=
}
trap stop_container EXIT

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: systemd-nspawn needs root"; exit $SKIP; fi
for tool in systemd-nspawn mmdebstrap nsenter; do
    command -v $tool >/dev/null || fail "$tool is missing (scripts/lib.sh TEST_PACKAGES: systemd-container, mmdebstrap)"
done
rm -rf "$work" && mkdir -p "$work"
t0=$(date +%s)

# --- two packages: this tree, and the next commit after it -----------------
# The next one is this tree committed once more in a clone, with a changed
# shipped signage.conf: git gives it a greater version by itself (#14.8), and
# the changed conffile meets the admin's edit on the upgrade (#14.12).
MISATO_PACKAGE_OUT=$work/out MISATO_PACKAGE_BUILD=$work/build-a "$src/scripts/package" >"$work/package-a.log" 2>&1 ||
    { tail -n 30 "$work/package-a.log"; fail "scripts/package"; }
deb_a=$(ls "$work"/out/misato-signage_*.deb)
git clone -q --no-hardlinks "$src" "$work/next"
(cd "$src" && git diff HEAD --binary) | (cd "$work/next" && git apply --allow-empty)
(cd "$src" && git ls-files --others --exclude-standard -z) | (cd "$src" && xargs -0r cp --parents -t "$work/next")
printf '\n# (next version: a changed comment, as a new release might bring)\n' >> "$work/next/config/signage.conf"
(cd "$work/next" && git add -A && git -c user.name=test -c user.email=test@localhost commit -qm "next version (test)")
mkdir -p "$work/out-b"
MISATO_PACKAGE_OUT=$work/out-b MISATO_PACKAGE_BUILD=$work/build-b "$work/next/scripts/package" >"$work/package-b.log" 2>&1 ||
    { tail -n 30 "$work/package-b.log"; fail "scripts/package of the next commit"; }
deb_b=$(ls "$work"/out-b/misato-signage_*.deb)
va=$(dpkg-deb -f "$deb_a" Version) vb=$(dpkg-deb -f "$deb_b" Version)
dpkg --compare-versions "$vb" gt "$va" || fail "the next commit's version $vb is not greater than $va"
ok "versions from git: $va < $vb"
echo "figure: two packages built in $(( $(date +%s) - t0 )) s"

# --- the container ----------------------------------------------------------
t1=$(date +%s)
tar=$("$src/tests/nspawn_rootfs.sh" "$deb_a")
mkdir -p "$root"
tar -C "$root" -xf "$tar"
cp "$deb_a" "$root/root/a.deb"
cp "$deb_b" "$root/root/b.deb"
# The site's own choice, as an admin would write it: no screen here.
mkdir -p "$root/etc/systemd/system/misato-signage.service.d"
printf '[Service]\nEnvironment=SDL_VIDEODRIVER=offscreen\n' \
    > "$root/etc/systemd/system/misato-signage.service.d/50-test-offscreen.conf"
echo "figure: root filesystem ready in $(( $(date +%s) - t1 )) s ($(du -sm "$root" | cut -f1) MiB)"

# --- 5. the USB rule's decisions, by udev itself (udevadm test, synthetic devices)
mkdir -p "$root/root/udev" "$work/deb-a"
dpkg-deb -x "$deb_a" "$work/deb-a"
cp "$work/deb-a/lib/udev/rules.d/90-misato-signage-usb.rules" "$src/tests/udev_decide.sh" "$root/root/udev/"
decisions=$(systemd-nspawn -q -D "$root" --register=no --keep-unit --private-network --console=pipe \
    unshare -m sh /root/udev/udev_decide.sh /root/udev/90-misato-signage-usb.rules 2>&1 |
    tr -d '\r' | grep -v "^Attempted to remove disk file system" || true)
echo "$decisions" | sed 's/^/  udev: /'
expected="sdb1 add: mount
sdc add: mount
sda1 add: nothing
sda2 add: nothing
mmcblk0p2 add: nothing
sdd1 add: nothing
sde add: nothing
sdb1 remove: unmount
sda2 remove: unmount"
[ "$decisions" = "$expected" ] || fail "the USB rule's decisions (udevadm test) differ from:
$expected"
ok "udev rule: a stick (partitioned or whole) is mounted; a USB SSD, the SD card, LUKS and an empty reader are not"

boot() { # boot LOG [any]: starts the container ("power-on") and waits until its
         # boot has finished (with "any": until its systemd answers)
    : > "$1"
    read -r power_on _ < /proc/uptime
    # A pseudo-terminal as the console; tty1 is linked to it in the container,
    # so what ExecStartPre's setterm writes to tty1 lands in the log.
    script -qfec "systemd-nspawn -q -D '$root' --boot --private-network --register=no --keep-unit" \
        /dev/null < /dev/null > "$1" 2>&1 &
    nspawn_pid=$!
    local i n
    ct=
    for i in $(seq 1 150); do
        n=$(pgrep -f "^systemd-nspawn -q -D $root" | head -n 1 || true)
        [ -n "$n" ] && ct=$(pgrep -P "$n" | head -n 1 || true)
        [ -n "$ct" ] && ci true 2>/dev/null && break
        kill -0 "$nspawn_pid" 2>/dev/null || { cat "$1"; return 1; }
        sleep 0.2
    done
    [ -n "$ct" ] || { cat "$1"; return 1; }
    ci ln -sf /dev/console /dev/tty1
    for i in $(seq 1 300); do
        state=$(ci systemctl is-system-running 2>/dev/null || true)
        case $state in running|degraded) return 0 ;; starting) [ "${2:-}" = any ] && return 0 ;; esac
        sleep 0.2
    done
    cat "$1"
    fail "the container's boot did not finish in 60 s: $state"
}
ci() { # ci CMD...: runs CMD inside the container, with a clean environment
    nsenter -t "$ct" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}
prop() { ci systemctl show -P "$2" "$1"; }

if ! boot "$work/boot-0.log"; then
    if grep -qiE "permission|not permitted|cgroup|namespace" "$work/boot-0.log"; then
        echo "SKIP: systemd-nspawn cannot boot a container here:"; tail -n 5 "$work/boot-0.log"; exit $SKIP
    fi
    fail "systemd-nspawn stopped"
fi
ok "container booted (systemd $(ci systemctl --version | head -n 1 | cut -d' ' -f2))"

wait_active() { # wait_active SECONDS: until the unit is active (READY=1 given)
    local i
    for i in $(seq 1 $(( $1 * 5 ))); do
        [ "$(ci systemctl is-active misato-signage 2>/dev/null)" = active ] && return 0
        sleep 0.2
    done
    return 1
}

# --- 1. install ------------------------------------------------------------
out=$(ci dpkg -i /root/a.deb 2>&1) || { echo "$out"; fail "dpkg -i"; }
echo "$out" | sed 's/^/  dpkg: /'
grep -qiE "warning|error" <<<"$out" && fail "dpkg -i printed a warning (e.g. adduser's /nonexistent)"
wait_active 60 || fail "the service is not active 60 s after the install"
[ "$(ci systemctl is-enabled misato-signage)" = enabled ] || fail "not enabled on the first install"
grep -q ':/var/lib/misato-signage:' <<<"$(ci getent passwd signage)" || fail "the signage user's home"
for f in /usr/bin/misato-signage /usr/share/misato-signage/feed.schema.json \
         /usr/share/misato-signage/feed-example.json /usr/share/man/man1/misato-signage.1.gz \
         /usr/share/doc/misato-signage/changelog.gz /etc/misato-signage/signage.conf /media/misato \
         /etc/misato-signage/signage.conf.d; do
    ci test -e "$f" || fail "$f missing after the install"
done
ci misato-signage --validate /usr/share/misato-signage/feed-example.json >/dev/null ||
    fail "the shipped example feed does not validate"
[ "$(ci zcat /usr/share/doc/misato-signage/changelog.gz | sed -n 1p)" = "misato-signage ($va) bookworm; urgency=medium" ] ||
    fail "the changelog's first entry is not $va"
v=$(ci misato-signage --version)
[[ $v =~ ^"misato-signage $va (commit "[0-9a-f]{40}(-dirty)?")"$ ]] || fail "--version: $v"
ok "install: enabled and active, user, files, changelog and --version agree"

# --- 2. power-off and boot with no network: time to READY=1 ----------------
stop_container
boot "$work/boot-1.log" any || fail "the second boot"
wait_active 150 || fail "the service is not active 150 s after boot (network-online.target?)"
boot_us=$(ci systemctl show -P UserspaceTimestampMonotonic)
start_us=$(prop misato-signage InactiveExitTimestampMonotonic)
ready_us=$(prop misato-signage ActiveEnterTimestampMonotonic)
boot_ms=$(( (ready_us - boot_us) / 1000 )) player_ms=$(( (ready_us - start_us) / 1000 ))
power_ms=$(awk -v r="$ready_us" -v p="$power_on" 'BEGIN { printf "%d", r / 1000 - p * 1000 }')
echo "figure: boot with no network: READY=1 ${power_ms} ms after power-on (nspawn started), $boot_ms ms after" \
    "the container's systemd started, $player_ms ms after the unit started"
[ "$boot_ms" -lt 30000 ] || fail "READY=1 took $boot_ms ms after boot (the network wait is back?)"
grep -q network-online <<<"$(ci systemctl show --value -p After -p Wants misato-signage)" &&
    fail "the unit still waits for network-online.target"
journal=$(ci journalctl -b --no-pager -o cat -u misato-signage)
grep -q "Fontconfig error" <<<"$journal" && fail "fontconfig has no cache folder: $(grep -m1 Fontconfig <<<"$journal")"
# (tty1 is a pseudo-terminal here, so setterm's powersave ioctl may fail; a
# Pi's tty1 is a real console. TERM must never be missing.)
grep -q "TERM is not defined" <<<"$journal" && fail "ExecStartPre: $(grep -m1 setterm <<<"$journal")"
ci test -d /var/cache/misato-signage/fontconfig || fail "no fontconfig cache in /var/cache/misato-signage"
# setterm's escapes reached the console that stands in for tty1: cursor off, no blanking.
grep -qaF $'\e[?25l' "$work/boot-1.log" || fail "setterm --cursor off did not reach tty1"
grep -qaF $'\e[9;0]' "$work/boot-1.log" || fail "setterm --blank 0 did not reach tty1"
ok "boot: READY=1 with no network, setterm on tty1, no fontconfig errors"

# --- 13. a root shell's run beside the service leaves the service's files alone
# (the service itself is stopped meanwhile: it rewrites its status and
# metrics files on its own, within seconds of a slide change)
ci systemctl stop misato-signage
before=$(ci sh -c 'sha256sum /var/lib/misato-signage/status.json 2>/dev/null; ls -la --time-style=+%s.%N /var/lib/misato-signage')
ci sh -c 'SDL_VIDEODRIVER=offscreen timeout -s INT 4 misato-signage --windowed >/dev/null 2>&1; true'
after=$(ci sh -c 'sha256sum /var/lib/misato-signage/status.json 2>/dev/null; ls -la --time-style=+%s.%N /var/lib/misato-signage')
[ "$before" = "$after" ] || fail "a run as root without --config changed /var/lib/misato-signage:
$before
---
$after"
ci misato-signage --status >/dev/null || fail "--status does not read the service's status"
ci systemctl start misato-signage
wait_active 60 || fail "not active again after the root run's check"
ok "root's own run kept to its folders; --status reads the service's"

# --- 3. reinstall ------------------------------------------------------------
pid1=$(prop misato-signage MainPID)
out=$(ci dpkg -i /root/a.deb 2>&1) || { echo "$out"; fail "reinstall"; }
wait_active 60 || fail "not active after the reinstall"
[ "$(prop misato-signage MainPID)" != "$pid1" ] || fail "the reinstall did not restart the player"
[ "$(ci systemctl is-enabled misato-signage)" = enabled ] || fail "not enabled after the reinstall"
ok "reinstall: restarted, still enabled"

# --- 4. upgrade: edited conffile, a drop-in, the unit disabled --------------
ci sh -c 'echo "slide_seconds = 20   # 会場の都合 / the site" >> /etc/misato-signage/signage.conf'
ci sh -c 'printf "town_name = 美郷町役場\n" > /etc/misato-signage/signage.conf.d/50-site.conf'
ci systemctl disable --now misato-signage >/dev/null 2>&1
conf_before=$(ci sha256sum /etc/misato-signage/signage.conf)
out=$(ci dpkg -i --force-confold /root/b.deb 2>&1) || { echo "$out"; fail "upgrade"; }
echo "$out" | sed 's/^/  dpkg: /'
grep -q "Configuration file '/etc/misato-signage/signage.conf'" <<<"$out" ||
    fail "dpkg did not meet the edited conffile (the question docs/deploy.md describes)"
[ "$(ci dpkg-query -W -f='${Version}' misato-signage)" = "$vb" ] || fail "the upgrade did not install $vb"
[ "$(ci sha256sum /etc/misato-signage/signage.conf)" = "$conf_before" ] || fail "the admin's signage.conf changed"
ci test -f /etc/misato-signage/signage.conf.dpkg-dist || fail "no signage.conf.dpkg-dist beside the kept file"
ci grep -q 美郷町役場 /etc/misato-signage/signage.conf.d/50-site.conf || fail "the drop-in changed"
[ "$(ci systemctl is-enabled misato-signage 2>&1)" = disabled ] || fail "the upgrade enabled a unit the admin disabled"
[ "$(ci systemctl is-active misato-signage 2>&1)" != active ] || fail "the upgrade started a unit the admin disabled"
ok "upgrade $va -> $vb: conffile question met, edit and drop-in kept, the unit left disabled and stopped"
# The drop-in and the comment after a value are read by the real service.
ci systemctl enable --now misato-signage >/dev/null 2>&1
wait_active 60 || fail "not active after enable --now"
grep -q "signage.conf.d/50-site.conf" <<<"$(ci journalctl -b --no-pager -o cat -u misato-signage)" &&
    fail "the drop-in was reported as a problem"
ok "the service starts again with the edited file and the drop-in"

# --- 5. remove ---------------------------------------------------------------
out=$(ci dpkg -r misato-signage 2>&1) || { echo "$out"; fail "dpkg -r"; }
[ "$(ci systemctl is-active misato-signage 2>&1)" != active ] || fail "still active after remove"
ci pgrep -x misato-signage >/dev/null && fail "the player still runs after remove"
ci test -e /usr/bin/misato-signage && fail "the binary is left after remove"
ci test -e /lib/systemd/system/misato-signage.service && fail "the unit file is left after remove"
ci test -f /etc/misato-signage/signage.conf || fail "remove took the settings (only purge may)"
ci test -d /var/lib/misato-signage || fail "remove took the state (only purge may)"
ok "remove: stopped, program gone, settings and state kept"

# --- 6. purge -----------------------------------------------------------------
out=$(ci dpkg -P misato-signage 2>&1) || { echo "$out"; fail "dpkg -P"; }
left=$(ci sh -c 'ls -d /etc/misato-signage /var/lib/misato-signage /var/cache/misato-signage /media/misato \
    /etc/systemd/system/multi-user.target.wants/misato-signage.service \
    /var/lib/systemd/deb-systemd-helper-enabled/misato-signage.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/misato-signage.service 2>/dev/null' || true)
[ -z "$left" ] || fail "left after purge: $left"
ci dpkg-query -W misato-signage >/dev/null 2>&1 && fail "dpkg still knows the package"
ci getent passwd signage >/dev/null || fail "the signage user went (Debian keeps system users)"
ok "purge: settings, drop-ins, state, cache, /media/misato and the enablement state gone (the user stays)"

stop_container
echo "figure: the whole test took $(( $(date +%s) - t0 )) s"
echo "1 passed, 0 failed"
