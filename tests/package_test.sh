#!/usr/bin/env bash
# The Debian package as IT gets it: built with CPack from a fresh build
# directory (as scripts/package does), then its control data and contents
# checked with dpkg-deb, its Depends against dpkg-shlibdeps, lintian (no
# errors), the systemd unit with systemd-analyze verify, and the USB mount
# helper's options.
#   package_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DMISATO_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null
(cd "$work/build" && cpack -G DEB -B "$work/out" >/dev/null)
arch=$(dpkg --print-architecture)
deb=$(ls "$work"/out/misato-signage_*_"$arch".deb)
ok "built $(basename "$deb")"

info=$(dpkg-deb -I "$deb")
for field in "Package: misato-signage" "Architecture: $arch" "Maintainer: " "Description: "; do
    grep -q "$field" <<<"$info" || fail "control lacks $field"
done
depends=$(dpkg-deb -f "$deb" Depends)
for p in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsdl2-image-2.0-0 libcurl4 libcjson1 libinih1 libunibreak1 \
         libfontconfig1 libssl3 libqrencode4 libsystemd0 fonts-morisawa-bizud-gothic adduser; do
    grep -qw -- "$p" <<<"$depends" || fail "Depends lacks $p"
done
ok "Depends names the runtime libraries, the font and adduser"
[ "$(dpkg-deb -f "$deb" Version)" = "$(sed -n 's/^project(misato-signage VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ] ||
    fail "version differs from CMakeLists.txt"

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/misato-signage ./etc/misato-signage/signage.conf ./lib/systemd/system/misato-signage.service \
         ./lib/udev/rules.d/90-misato-signage-usb.rules ./usr/libexec/misato-signage/usb-mount \
         ./usr/share/doc/misato-signage/deploy.md ./usr/share/doc/misato-signage/usb-import.md \
         ./usr/share/doc/misato-signage/copyright ./usr/share/doc/misato-signage/changelog.gz; do
    grep -q " $f\$" <<<"$contents" || fail "the package lacks $f"
done
grep -q "usr/local" <<<"$contents" && fail "files under /usr/local"
ok "contents: binary, conffile, unit, udev rule, mount helper, docs"

mkdir -p "$work/ctl" "$work/root"
dpkg-deb -e "$deb" "$work/ctl"
dpkg-deb -x "$deb" "$work/root"
grep -qx "/etc/misato-signage/signage.conf" "$work/ctl/conffiles" || fail "signage.conf is not a conffile"
for s in postinst prerm postrm; do
    [ -x "$work/ctl/$s" ] || fail "$s missing or not executable"
    sh -n "$work/ctl/$s" || fail "$s: shell syntax"
done
grep -q "adduser --system" "$work/ctl/postinst" || fail "postinst does not create the signage user"
ok "maintainer scripts and conffiles"

# What the binary links against must be in Depends (dpkg-shlibdeps reads
# the installed packages' shlibs/symbols files).
mkdir -p "$work/shl/debian" && touch "$work/shl/debian/control"
needed=$(cd "$work/shl" && dpkg-shlibdeps -O "$work/root/usr/bin/misato-signage" 2>/dev/null |
    sed 's/^shlibs:Depends=//' | tr ',' '\n' | sed 's/^ *//; s/ .*//; s/:.*//' | sort -u)
for p in $needed; do
    grep -qw -- "$p" <<<"$depends" || fail "dpkg-shlibdeps wants $p, not in Depends"
done
ok "Depends covers dpkg-shlibdeps: $(echo $needed)"

if command -v lintian >/dev/null; then
    lint=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v "running with root privileges" || true)
    echo "$lint"
    grep -q "^E:" <<<"$lint" && fail "lintian errors"
    ok "lintian: no errors ($(grep -c '^W:' <<<"$lint" || true) warnings)"
fi

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
ok "usb-mount: nosuid,nodev,noexec; unknown filesystems and odd names refused"
echo "passed"
