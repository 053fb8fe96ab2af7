#!/bin/sh
# xl's hotplug script for the harness's disks (disk = [ "...,script=
# /etc/xen/scripts/mirago-block" ]), in place of Debian's block script,
# which fails in this busybox dom0. A disk's target is a block device
# (/dev/mirago/diskN, QEMU's virtio disk); blkback needs its number.
# libxl runs it with XENBUS_PATH set to the backend's xenstore path.
case "$1" in
add)
	dev=$(xenstore-read "$XENBUS_PATH/params") || exit 1
	mm=$(stat -L -c '%t:%T' "$dev") || exit 1
	xenstore-write "$XENBUS_PATH/physical-device" "$mm" \
		"$XENBUS_PATH/physical-device-path" "$dev" \
		"$XENBUS_PATH/hotplug-status" connected
	;;
remove) ;;
esac
exit 0
