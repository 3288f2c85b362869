#!/usr/bin/env bash
# The lobby device's disk for QEMU (#15): Debian 12 from Debian's packages
# (mmdebstrap from the configured mirror), with a kernel, systemd, udev,
# v4l-utils (cec-follower) and the player's package installed by apt.
# Two caches in $MISATO_VM_CACHE (default /var/cache/misato-signage-tests):
#   vm-base-ARCH-HASH.tar   the root filesystem without the player, named after
#                           a hash of this script, the package list and the apt
#                           sources (~6 min once, under nice);
#   vm-ARCH-HASH/           disk.img (ext4 made with mke2fs -d: no loop mount),
#                           vmlinuz, initrd.img; HASH adds the .deb's own hash
#                           (~30 s: unpack, apt install, mke2fs).
# No network is needed once the base is cached; apt installs the .deb offline
# (its Depends are in the base).
#   image.sh ARCH DEB    prints the vm-ARCH-HASH folder
set -euo pipefail
arch=$1 deb=$(realpath "$2")
cache=${MISATO_VM_CACHE:-/var/cache/misato-signage-tests}
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
case $arch in
    amd64) kernel=linux-image-amd64 ;;
    arm64) kernel=linux-image-arm64 ;;
    *) echo "image.sh: no kernel for $arch" >&2; exit 64 ;;
esac
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/ //g' | grep -v '^$')
# v4l-utils: cec-ctl and cec-follower (vivid's CEC adapters); kmod: modprobe.
base="systemd systemd-sysv udev dbus libpam-systemd procps kmod iproute2 v4l-utils $kernel"
packages=$(printf '%s\n' $base $depends | sort -u | tr '\n' ',' | sed 's/,$//')
# The base's hash covers this script up to the package step below.
hash=$( { sed '/^# --- the image with the package/q' "$0"; echo "$arch $packages"; cat "$sources"; } |
    sha256sum | cut -c1-16)
tar=$cache/vm-base-$arch-$hash.tar
mkdir -p "$cache"
# Another architecture (arm64 on this amd64 machine): mmdebstrap and apt run
# where qemu-user runs its programs (foreign.py: namespaces of their own).
here=$(cd "$(dirname "$0")" && pwd)
foreign=()
[ "$arch" = "$(dpkg --print-architecture)" ] || foreign=(python3 "$here/foreign.py")
if [ ! -s "$tar" ]; then
    echo "image.sh: making $tar (once; packages: $packages)" >&2
    start=$(date +%s)
    # The shell the harness speaks to: root on the virtio console hvc0.
    getty=$cache/partial-vm-$arch-$hash.getty.conf
    printf '%s\n' '[Service]' 'ExecStart=' \
        'ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 %I dumb' >"$getty"
    # The initramfs with only what finds the root disk (QEMU's virtio), made
    # in seconds rather than minutes (MODULES=most; twice, with the triggers).
    initramfs='mkdir -p "$1"/etc/initramfs-tools/conf.d && echo MODULES=list > "$1"/etc/initramfs-tools/conf.d/misato-vm.conf && printf "%s\n" virtio_pci virtio_blk ext4 crc32c_generic >> "$1"/etc/initramfs-tools/modules'
    nice -n 10 "${foreign[@]}" mmdebstrap --quiet --variant=minbase --architectures="$arch" --include="$packages" \
        --essential-hook="$initramfs" \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb' \
        --customize-hook='echo misato-lobby > "$1"/etc/hostname' \
        --customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" > "$1"/etc/fstab' \
        --customize-hook='printf "[Match]\nName=!lo\n\n[Network]\nDHCP=yes\n" > "$1"/etc/systemd/network/80-dhcp.network' \
        --customize-hook='chroot "$1" systemctl enable systemd-networkd.service systemd-networkd-wait-online.service' \
        --customize-hook='mkdir -p "$1"/etc/systemd/system/serial-getty@hvc0.service.d' \
        --customize-hook="copy-in $getty /etc/systemd/system/serial-getty@hvc0.service.d" \
        --customize-hook='mv "$1"/etc/systemd/system/serial-getty@hvc0.service.d/*.getty.conf "$1"/etc/systemd/system/serial-getty@hvc0.service.d/autologin.conf' \
        --customize-hook='chroot "$1" systemctl enable serial-getty@hvc0.service' \
        --customize-hook='chroot "$1" passwd -d root >/dev/null' \
        bookworm "$cache/partial-vm-$arch-$hash.tar" "$sources" >&2
    rm -f "$getty"
    mv "$cache/partial-vm-$arch-$hash.tar" "$tar"
    echo "image.sh: base made in $(( $(date +%s) - start )) s" >&2
fi
# --- the image with the package: unpacked base, apt install, mke2fs -d
img_hash=$( { cat "$0"; echo "$hash"; sha256sum "$deb" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
out=$cache/vm-$arch-$img_hash
if [ ! -s "$out/disk.img" ]; then
    start=$(date +%s)
    work=$cache/partial-vm-$arch-$img_hash
    rm -rf "$work" && mkdir -p "$work/root"
    tar --numeric-owner -xpf "$tar" -C "$work/root"
    cp "$deb" "$work/root/tmp/misato-signage.deb"
    # apt, as IT installs it (offline: the Depends are there already).
    nice -n 10 "${foreign[@]}" chroot "$work/root" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q /tmp/misato-signage.deb >"$work/apt.log" 2>&1 ||
        { tail -n 20 "$work/apt.log" >&2; exit 1; }
    rm -f "$work/root/tmp/misato-signage.deb"
    # The harness's shell: root's bash on hvc0 from early boot, without
    # getty, login or PAM, and without waiting for udev: serial-getty@hvc0
    # is bound to dev-hvc0.device, whose job timed out under a loaded TCG
    # (the shell then never came). virtio_console is loaded by
    # systemd-modules-load, and the unit retries until /dev/hvc0 opens.
    rm -f "$work"/root/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service
    rm -rf "$work"/root/etc/systemd/system/serial-getty@hvc0.service.d
    ln -sf /dev/null "$work/root/etc/systemd/system/serial-getty@hvc0.service"
    echo virtio_console >"$work/root/etc/modules-load.d/misato-test-console.conf"
    printf '%s\n' '[Unit]' 'Description=Root shell on hvc0 for tests/device (test image only)' \
        'DefaultDependencies=no' 'After=systemd-modules-load.service' \
        'Conflicts=shutdown.target' 'Before=shutdown.target' 'StartLimitIntervalSec=0' \
        '[Service]' 'ExecStart=/bin/bash -i' 'StandardInput=tty-force' 'StandardOutput=tty' \
        'StandardError=tty' 'TTYPath=/dev/hvc0' 'TTYReset=yes' 'TTYVHangup=yes' \
        'Environment=TERM=dumb HOME=/root' 'WorkingDirectory=/root' 'Restart=always' 'RestartSec=1' \
        '[Install]' 'WantedBy=sysinit.target' >"$work/root/etc/systemd/system/misato-test-shell.service"
    mkdir -p "$work/root/etc/systemd/system/sysinit.target.wants"
    ln -sf /etc/systemd/system/misato-test-shell.service "$work/root/etc/systemd/system/sysinit.target.wants/misato-test-shell.service"
    cp -L "$(ls "$work"/root/boot/vmlinuz-* | tail -n 1)" "$work/vmlinuz"
    cp -L "$(ls "$work"/root/boot/initrd.img-* | tail -n 1)" "$work/initrd.img"
    chmod 644 "$work/vmlinuz" "$work/initrd.img"
    nice -n 10 mke2fs -q -t ext4 -L misato-root -d "$work/root" "$work/disk.img" 3G >&2
    rm -rf "$work/root"
    rm -rf "$out" && mv "$work" "$out"
    # Each package makes a 1 GB image: keep the newest three of this architecture.
    ls -1dt "$cache"/vm-"$arch"-*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
    echo "image.sh: disk image made in $(( $(date +%s) - start )) s" >&2
fi
echo "$out"
