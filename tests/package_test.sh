#!/usr/bin/env bash
# The Debian package as IT gets it: built by scripts/package in a fresh build
# directory, then its control data and contents checked with dpkg-deb, the
# maintainer scripts, one version everywhere, the man page against --help,
# the hardening, its Depends against dpkg-shlibdeps and against what SDL
# dlopens, lintian (no errors, no warnings), the systemd unit with
# systemd-analyze verify, and the USB mount helper's decisions.
#   package_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# As IT's package is made: scripts/package (dpkg-buildflags, git's version).
MISATO_PACKAGE_OUT=$work/out MISATO_PACKAGE_BUILD=$work/build "$src/scripts/package" >"$work/package.log" 2>&1 ||
    { tail -n 30 "$work/package.log"; fail "scripts/package"; }
arch=$(dpkg --print-architecture)
deb=$(ls "$work"/out/misato-signage_*_"$arch".deb)
ok "built $(basename "$deb")"

info=$(dpkg-deb -I "$deb")
for field in "Package: misato-signage" "Architecture: $arch" "Maintainer: " "Description: "; do
    grep -q "$field" <<<"$info" || fail "control lacks $field"
done
depends=$(dpkg-deb -f "$deb" Depends)
for p in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsdl2-image-2.0-0 libcurl4 libcjson1 libinih1 libunibreak1 \
         libfontconfig1 libssl3 libqrencode4 libsystemd0 libjpeg62-turbo fonts-morisawa-bizud-gothic adduser \
         libegl1 libgles2 libgbm1 libgl1-mesa-dri init-system-helpers; do
    grep -qw -- "$p" <<<"$depends" || fail "Depends lacks $p"
done
ok "Depends names the runtime libraries, the font and adduser"

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/misato-signage ./usr/libexec/misato-signage/misato-signage ./etc/misato-signage/signage.conf ./lib/systemd/system/misato-signage.service \
         ./lib/udev/rules.d/90-misato-signage-usb.rules ./usr/libexec/misato-signage/usb-mount \
         ./usr/share/doc/misato-signage/deploy.md ./usr/share/doc/misato-signage/usb-import.md \
         ./usr/share/doc/misato-signage/copyright ./usr/share/doc/misato-signage/changelog.gz \
         ./usr/share/man/man1/misato-signage.1.gz ./usr/share/misato-signage/feed.schema.json \
         ./usr/share/misato-signage/feed-example.json ./etc/misato-signage/signage.conf.d/; do
    grep -q " $f\$" <<<"$contents" || fail "the package lacks $f"
done
grep -q "usr/local" <<<"$contents" && fail "files under /usr/local"
ok "contents: binary, conffile, drop-in folder, unit, udev rule, mount helper, docs, man page, schema"

mkdir -p "$work/ctl" "$work/root"
dpkg-deb -e "$deb" "$work/ctl"
dpkg-deb -x "$deb" "$work/root"
grep -qx "/etc/misato-signage/signage.conf" "$work/ctl/conffiles" || fail "signage.conf is not a conffile"
for s in postinst prerm postrm; do
    [ -x "$work/ctl/$s" ] || fail "$s missing or not executable"
    sh -n "$work/ctl/$s" || fail "$s: shell syntax"
done
grep -q "adduser --quiet --system" "$work/ctl/postinst" || fail "postinst does not create the signage user"
grep -q -- "--home /nonexistent" "$work/ctl/postinst" && fail "postinst gives the home /nonexistent (adduser warns about it)"
cat "$work/ctl/postinst" "$work/ctl/prerm" "$work/ctl/postrm" | grep -v '^ *#' |
    grep -qE "systemctl +(enable|restart|start|stop|disable)" &&
    fail "a maintainer script calls systemctl itself (deb-systemd-helper / deb-systemd-invoke do it)"
grep -q "deb-systemd-helper --quiet was-enabled" "$work/ctl/postinst" || fail "postinst enables without was-enabled"
grep -q "deb-systemd-helper purge" "$work/ctl/postrm" || fail "postrm does not purge the enablement state"
ok "maintainer scripts (deb-systemd-helper, deb-systemd-invoke) and conffiles"

# One version (#14.8): the control file, --version, the changelog and the
# man page say the same, and it is git's.
version=$(dpkg-deb -f "$deb" Version)
# /usr/bin/misato-signage is a launcher that execs the installed player in
# /usr/libexec: the extracted player is run directly.
bin=$work/root/usr/libexec/misato-signage/misato-signage
launcher=$work/root/usr/bin/misato-signage
[ -x "$bin" ] && [ -x "$launcher" ] || fail "the player or its launcher is missing"
v=$("$bin" --version)
commit=$(git -C "$src" rev-parse HEAD)
[[ $v == "misato-signage $version (commit $commit"* ]] || fail "--version says '$v', the package $version, git $commit"
case $version in *+*.g"$(git -C "$src" rev-parse --short=7 HEAD)"*|[0-9]*.[0-9]*.[0-9]) ;; *) fail "version $version is not from git" ;; esac
[ "$(zcat "$work/root/usr/share/doc/misato-signage/changelog.gz" | sed -n 1p)" = "misato-signage ($version) bookworm; urgency=medium" ] ||
    fail "the changelog's first entry is not $version"
grep -qF "misato-signage $version" <<<"$(zcat "$work/root/usr/share/man/man1/misato-signage.1.gz")" ||
    fail "the man page does not name $version"
ok "version $version: control, --version (commit), changelog and man page agree"

# The man page and --help come from one text (src/usage.txt): every option,
# exit code and signal of --help is in the man page.
man=$(MANWIDTH=200 LANG=C.UTF-8 man -l "$work/root/usr/share/man/man1/misato-signage.1.gz" 2>"$work/man.err")
[ -s "$work/man.err" ] && { cat "$work/man.err"; fail "man warns"; }
help=$("$bin" --help)
n=0
for w in $(grep -oE -- "--[a-z-]+|SIG[A-Z0-9]+|^  [0-9]+ " <<<"$help" | sort -u); do
    grep -qF -- "$w" <<<"$man" || fail "the man page lacks $w (in --help)"
    n=$((n + 1))
done
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" SIGNALS FILES ENVIRONMENT; do
    grep -q "$section" <<<"$man" || fail "the man page has no $section section"
done
ok "man page: $n options, exit codes and signals of --help, in Japanese and English"

# Hardening from dpkg-buildflags (#14.9): fortified calls, relro, BIND_NOW, PIE.
for b in "$bin" "$launcher"; do
    elf=$(readelf -dlhSW --dyn-syms "$b")   # (whole, so no grep -q cuts a pipe)
    grep -qE "BIND_NOW|FLAGS_1.*NOW" <<<"$elf" || fail "$b: no BIND_NOW"
    grep -q GNU_RELRO <<<"$elf" || fail "$b: no relro"
    grep -qE "Type: +DYN" <<<"$elf" || fail "$b: not PIE"
    grep -qE "__[a-z]+_chk@" <<<"$elf" || fail "$b: no fortified functions (_FORTIFY_SOURCE)"
    grep -q " \.comment " <<<"$elf" && fail "$b: keeps its .comment section"
done
ok "hardening: PIE, relro, BIND_NOW, _FORTIFY_SOURCE; stripped like dh_strip"

# What SDL loads with dlopen (#14.6), which dpkg-shlibdeps cannot see: the
# KMSDRM path's libraries by name in libSDL2, and what an offscreen run
# really opens (LD_DEBUG), each from a package in Depends or one that a
# Depends package depends on.
sdls=(/usr/lib/*/libSDL2-2.0.so.0)
sdl=$(readlink -f "${sdls[0]}")
closure=$(for p in $(tr ',' '\n' <<<"$depends" | sed 's/(.*//; s/|.*//; s/ //g'); do
    echo "$p"; dpkg-query -W -f='${Depends}\n' "$p" 2>/dev/null | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/ //g; s/:.*//'
done | sort -u)
sdl_strings=$(strings "$sdl")
pkg_of() { { dpkg -S "$1" 2>/dev/null || true; } | sed -n '1s/:.*//p'; }
for lib in libEGL.so.1 libGLESv2.so.2 libgbm.so.1; do
    grep -qx "$lib" <<<"$sdl_strings" || fail "libSDL2 no longer names $lib: check the list"
    p=$(pkg_of "/$lib") ; [ -n "$p" ] || p=$(pkg_of "$lib")
    grep -qw -- "$p" <<<"$depends" || fail "SDL's KMSDRM path loads $lib ($p), not in Depends"
done
# renderer = gpu: the path a machine with a GPU takes (with none, as here,
# `auto` loads no GL at all, #16).
printf 'renderer = gpu\n' >"$work/gpu.conf"
SDL_VIDEODRIVER=offscreen LD_DEBUG=files timeout -s INT 4 "$bin" --config "$work/gpu.conf" --windowed \
    >/dev/null 2>"$work/ld.log" || true
loaded=$({ grep -oE "file=[^ ]+ \[[0-9]+\]; +dynamically loaded by" "$work/ld.log" || true; } |
    sed 's/^file=//; s/ .*//' | sort -u)
[ -n "$loaded" ] || fail "LD_DEBUG shows nothing dlopened (did the player start?)"
ldcache=$(ldconfig -p)
for lib in $loaded; do
    path=$lib
    [ "${lib#/}" = "$lib" ] && path=$(awk -v l="$lib" '$1 == l { p = $NF } END { print p }' <<<"$ldcache")
    [ -n "$path" ] && [ -e "$path" ] || continue   # tried and absent (e.g. libd3d12.so): not needed
    p=$(pkg_of "$(readlink -f "$path")"); [ -n "$p" ] || p=$(pkg_of "$path")
    [ -n "$p" ] || continue
    grep -qx -- "$p" <<<"$closure" || fail "the player dlopens $lib ($p), which Depends does not bring"
done
ok "Depends brings what SDL dlopens: $(echo $loaded | wc -w) libraries at run time, EGL/GLESv2/GBM for KMSDRM"

# What the binary links against must be in Depends (dpkg-shlibdeps reads
# the installed packages' shlibs/symbols files).
mkdir -p "$work/shl/debian" && touch "$work/shl/debian/control"
needed=$(cd "$work/shl" && dpkg-shlibdeps -O "$bin" "$launcher" 2>/dev/null |
    sed 's/^shlibs:Depends=//' | tr ',' '\n' | sed 's/^ *//; s/ .*//; s/:.*//' | sort -u)
for p in $needed; do
    grep -qw -- "$p" <<<"$depends" || fail "dpkg-shlibdeps wants $p, not in Depends"
done
ok "Depends covers dpkg-shlibdeps: $(echo $needed)"

lint=$(lintian -I --tag-display-limit 0 "$deb" 2>&1 | grep -v "running with root privileges" || true)
echo "$lint"
grep -qE "^(E|W):" <<<"$lint" && fail "lintian errors or warnings"
grep -q "hardening-" <<<"$lint" && fail "lintian's hardening tags"
ok "lintian: no errors, no warnings, no hardening tags"

# The unit, with ExecStart pointing at the packaged binary.
sed "s|/usr/bin/misato-signage|$work/root/usr/bin/misato-signage|" \
    "$work/root/lib/systemd/system/misato-signage.service" > "$work/misato-signage.service"
systemd-analyze verify "$work/misato-signage.service" || fail "systemd-analyze verify"
ok "systemd-analyze verify"
score=$(systemd-analyze security --offline=true "$work/misato-signage.service" 2>/dev/null |
    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
echo "figure: systemd-analyze security exposure $score (0 best, 10 worst)"
awk -v s="$score" 'BEGIN { exit !(s != "" && s < 3.0) }' || fail "exposure $score is not below 3"
grep -q '^Type=notify' "$work/misato-signage.service" && grep -q '^WatchdogSec=' "$work/misato-signage.service" &&
    grep -q '^Restart=always' "$work/misato-signage.service" || fail "unit lacks notify/watchdog/restart"
ok "Type=notify, WatchdogSec and Restart=always"

# The mount helper: never exec, devices or set-uid from a stick.
helper=$work/root/usr/libexec/misato-signage/usb-mount
out=$(MISATO_USB_MOUNT_DRY_RUN=1 ID_FS_TYPE=vfat "$helper" add /dev/sda1 sda1)
echo "$out"
grep -q -- "--options=nosuid,nodev,noexec,noatime,uid=" <<<"$out" || fail "vfat options"
grep -q " /dev/sda1 /media/misato/sda1\$" <<<"$out" || fail "mount point"
out=$(MISATO_USB_MOUNT_DRY_RUN=1 ID_FS_TYPE=ext4 "$helper" add /dev/sdb1 sdb1)
grep -q -- "--options=nosuid,nodev,noexec,noatime " <<<"$out" || fail "ext4 options"
[ -z "$(MISATO_USB_MOUNT_DRY_RUN=1 ID_FS_TYPE=squashfs "$helper" add /dev/sdc1 sdc1 2>/dev/null)" ] ||
    fail "an unknown filesystem is mounted"
if MISATO_USB_MOUNT_DRY_RUN=1 ID_FS_TYPE=vfat "$helper" add /dev/sda1 "../etc" 2>/dev/null; then
    fail "a bad kernel name is accepted"
fi
# Never what the system already uses: a mounted partition (a Pi booted from
# a USB SSD) or one that /etc/fstab names.
printf '22 1 8:2 / / rw - ext4 /dev/sda2 rw\n30 22 8:1 / /boot/firmware rw - vfat /dev/sda1 rw\n' > "$work/mountinfo"
printf '# comment\nUUID=AB-CD /data vfat defaults 0 0\n' > "$work/fstab"
dry() { MISATO_USB_MOUNT_DRY_RUN=1 MISATO_USB_MOUNTINFO=$work/mountinfo MISATO_USB_FSTAB=$work/fstab "$@"; }
[ -z "$(dry env MAJOR=8 MINOR=1 ID_FS_TYPE=vfat "$helper" add /dev/sda1 sda1 2>/dev/null)" ] || fail "a mounted partition is mounted again"
[ -z "$(dry env MAJOR=8 MINOR=2 ID_FS_TYPE=ext4 "$helper" add /dev/sda2 sda2 2>/dev/null)" ] || fail "the root partition is mounted"
[ -z "$(dry env MAJOR=8 MINOR=33 ID_FS_TYPE=vfat ID_FS_UUID=AB-CD "$helper" add /dev/sdc1 sdc1 2>/dev/null)" ] ||
    fail "a partition named in fstab is mounted"
grep -q "/dev/sdb1 /media/misato/sdb1" <<<"$(dry env MAJOR=8 MINOR=17 ID_FS_TYPE=vfat ID_FS_UUID=12-34 "$helper" add /dev/sdb1 sdb1)" ||
    fail "a new stick is not mounted"
ok "usb-mount: nosuid,nodev,noexec; unknown filesystems, odd names, mounted and fstab partitions refused"
echo "passed"
