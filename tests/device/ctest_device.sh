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
image=$("$src/tests/device/image.sh" "$arch" "$deb")
rm -rf "$work" && mkdir -p "$work"
exec /usr/bin/python3 "$src/tests/device/device_test.py" "$image" "$work" "$src" "$@"
