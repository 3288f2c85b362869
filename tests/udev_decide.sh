#!/bin/sh
# Runs inside a Debian root (systemd-nspawn, see nspawn_test.sh): asks udev
# itself, with `udevadm test`, what the package's USB rule does for each kind
# of block device (#14.5). The devices are synthetic: a tmpfs over /sys in a
# private mount namespace holds their sysfs folders (the parent disk's
# `removable` attribute, the USB path) and their uevent properties, i.e. what
# udev's blkid and usb_id builtins would have found (ID_BUS, ID_FS_USAGE,
# ID_FS_TYPE); SYSTEMD_DEVICE_VERIFY_SYSFS=0 lets sd-device read it, as
# systemd's own udev tests do. Only the rule under test is loaded.
#   udev_decide.sh RULES_FILE    prints "NAME ACTION: mount|unmount|nothing"
set -eu
rules=$1
mount -t tmpfs tmpfs /sys
for d in /etc/udev/rules.d /usr/lib/udev/rules.d /lib/udev/rules.d /run/udev; do
    [ -d "$d" ] && mount -t tmpfs tmpfs "$d"
done
cp "$rules" /usr/lib/udev/rules.d/
mkdir -p /sys/class/block
usb=/sys/devices/pci0000:00/0000:00:14.0/usb1
sdio=/sys/devices/platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:0001
# disk PARENT NAME MAJOR MINOR REMOVABLE [PROP=VALUE...]
disk() {
    p=$1/block/$2; mkdir -p "$p"; echo "$5" > "$p/removable"; echo "$3:$4" > "$p/dev"
    n=$2 ma=$3 mi=$4; shift 5
    { printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\nDEVTYPE=disk\n' "$ma" "$mi" "$n"; printf '%s\n' "$@"; } > "$p/uevent"
    ln -s /sys/class/block "$p/subsystem"; ln -s "$p" "/sys/class/block/$n"
}
# part DISK NAME MAJOR MINOR [PROP=VALUE...]
part() {
    p=$(readlink -f "/sys/class/block/$1")/$2; mkdir -p "$p"; echo "$3:$4" > "$p/dev"; echo 1 > "$p/partition"
    n=$2 ma=$3 mi=$4; shift 4
    { printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\nDEVTYPE=partition\n' "$ma" "$mi" "$n"; printf '%s\n' "$@"; } > "$p/uevent"
    ln -s /sys/class/block "$p/subsystem"; ln -s "$p" "/sys/class/block/$n"
}
# scsi PORT HOST: the SCSI disk's folder under a USB device, with the USB
# devices' own `removable` attribute as the kernel has it ("unknown" on the
# root hub and QEMU's ports, "removable"/"fixed" where the hub says): a rule
# that tests ATTRS{removable} must not trip over these parents (#15: the
# VM's stick was never mounted because of them).
scsi() {
    mkdir -p "$usb/$1" /sys/bus/usb
    for u in "$usb" "$usb/$1"; do
        echo unknown > "$u/removable"; echo DEVTYPE=usb_device > "$u/uevent"; ln -sfn /sys/bus/usb "$u/subsystem"
    done
    echo "$usb/$1/$1:1.0/host$2/target$2:0:0/$2:0:0:0"
}
# A USB stick with a FAT partition.
disk "$(scsi 1-1 0)" sdb 8 16 1 ID_BUS=usb
part sdb sdb1 8 17 ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=vfat
# A stick formatted whole (no partition table), exFAT.
disk "$(scsi 1-2 1)" sdc 8 32 1 ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=exfat
# The Pi's own USB SSD it boots from: not removable.
disk "$(scsi 1-3 2)" sda 8 0 0 ID_BUS=usb
part sda sda1 8 1 ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=vfat
part sda sda2 8 2 ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=ext4
# The SD card (not USB).
disk "$sdio" mmcblk0 179 0 0
part mmcblk0 mmcblk0p2 179 2 ID_FS_USAGE=filesystem ID_FS_TYPE=ext4
# A removable USB stick with an encrypted volume, and a card reader with no card.
disk "$(scsi 1-4 3)" sdd 8 48 1 ID_BUS=usb
part sdd sdd1 8 49 ID_BUS=usb ID_FS_USAGE=crypto ID_FS_TYPE=crypto_LUKS
disk "$(scsi 1-5 4)" sde 8 64 1 ID_BUS=usb
for case in sdb1:add sdc:add sda1:add sda2:add mmcblk0p2:add sdd1:add sde:add sdb1:remove sda2:remove; do
    dev=${case%:*} action=${case#*:}
    out=$(SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action="$action" "/sys/class/block/$dev" 2>&1) || {
        echo "$out" | tail -n 5; echo "$dev $action: udevadm test failed"; continue; }
    run=$(echo "$out" | sed -n "s/^run: '\(.*\)'$/\1/p")
    case $run in
        "/usr/libexec/misato-signage/usb-mount add /dev/$dev $dev") echo "$dev $action: mount" ;;
        "/usr/libexec/misato-signage/usb-mount remove /dev/$dev $dev") echo "$dev $action: unmount" ;;
        "") echo "$dev $action: nothing" ;;
        *) echo "$dev $action: unexpected: $run" ;;
    esac
done
