#!/usr/bin/env bash
# A minimal Debian 12 root filesystem for the package tests under a real
# systemd (systemd-nspawn): mmdebstrap's minbase, systemd, udev, and the
# Depends of the package under test (so that `dpkg -i` of it, and of its
# next version, needs no network inside the container). Cached as a tarball
# named after a hash of its inputs (this script, the package list, the apt
# sources), so it is made once and reused until one of them changes.
# systemd-networkd is enabled with a DHCP network, as on a site that uses it:
# with the network down, network-online.target then takes its 2 minutes.
#   nspawn_rootfs.sh DEB        prints the path of the tarball
# MISATO_NSPAWN_CACHE: the cache folder (default /var/cache/misato-signage-tests).
set -euo pipefail
deb=$1
cache=${MISATO_NSPAWN_CACHE:-/var/cache/misato-signage-tests}
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
# The Depends without versions; of alternatives the first.
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/ //g' | grep -v '^$')
base="systemd systemd-sysv udev dbus libpam-systemd procps"
packages=$(printf '%s\n' $base $depends | sort -u | tr '\n' ',' | sed 's/,$//')
hash=$( { cat "$0"; echo "$packages"; cat "$sources"; } | sha256sum | cut -c1-16)
tar=$cache/rootfs-bookworm-$hash.tar
if [ ! -s "$tar" ]; then
    mkdir -p "$cache"
    echo "nspawn_rootfs: making $tar (once; packages: $packages)" >&2
    start=$(date +%s)
    # The apt lists and archives are left out: the tests install only the .deb.
    nice -n 10 mmdebstrap --quiet --variant=minbase --include="$packages" \
        --skip=cleanup/apt/lists --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
        --customize-hook='echo misato-test > "$1"/etc/hostname' \
        --customize-hook='printf "[Match]\nName=!lo\n\n[Network]\nDHCP=yes\n" > "$1"/etc/systemd/network/80-dhcp.network' \
        --customize-hook='chroot "$1" systemctl enable systemd-networkd.service systemd-networkd-wait-online.service' \
        --customize-hook='chroot "$1" systemctl mask console-getty.service' \
        bookworm "$cache/partial-$hash.tar" "$sources" >&2
    mv "$cache/partial-$hash.tar" "$tar"
    echo "nspawn_rootfs: made in $(( $(date +%s) - start )) s" >&2
fi
echo "$tar"
