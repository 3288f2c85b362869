#!/usr/bin/env bash
# The part of scripts/test-device that ctest runs (label "device"): the
# package that package_deb built (build/package-test/out, its fixture), the
# cached disk image (tests/device/image.sh), then the cases given.
#   ctest_device.sh SOURCE_DIR BUILD_DIR WORK_DIR CASE...
# Exit 77 (skipped) where it cannot run: not root, or no QEMU.
set -euo pipefail
src=$1 build=$2 work=$3
shift 3
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the disk image needs root (chroot, mke2fs -d)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86 is missing (scripts/lib.sh TEST_PACKAGES)"; exit 77; }
arch=$(dpkg --print-architecture)
deb=$(ls -1t "$build"/package-test/out/misato-signage_*_"$arch".deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "FAIL: no package in $build/package-test/out (package_deb makes it)"; exit 1; }
# The base root filesystem comes from Debian's mirror once, then from the
# cache. With no cache and no mirror (CI has only loopback) it cannot be
# made: skipped, said plainly. With a mirror, a failure to make it fails.
cache=${MISATO_VM_CACHE:-/var/cache/misato-signage-tests}
if ! ls "$cache"/vm-base-"$arch"-*.tar >/dev/null 2>&1; then
    sources=/etc/apt/sources.list.d/debian.sources
    [ -f "$sources" ] || sources=/etc/apt/sources.list
    uri=$(awk '/^URIs:/ || /^deb / { print $2; exit }' "$sources")
    if [ -z "$uri" ] || ! curl -sfI --max-time 15 "${uri%/}/dists/bookworm/Release" >/dev/null; then
        echo "SKIP: no cached device image in $cache and Debian's mirror ($uri) is not reachable (run scripts/test-device once where it is)"
        exit 77
    fi
fi
image=$("$src/tests/device/image.sh" "$arch" "$deb")
rm -rf "$work" && mkdir -p "$work"
exec /usr/bin/python3 "$src/tests/device/device_test.py" "$image" "$work" "$src" "$@"
