#!/bin/sh
# xl's hotplug script for the harness's vifs (vif = [ "...,script=
# /etc/xen/scripts/mirago-vif" ]), in place of Debian's vif-bridge,
# which hangs in this busybox dom0: put the backend interface on the
# bridge and tell libxl it is connected. libxl runs it with the
# interface in $vif and the backend's xenstore path in $XENBUS_PATH.
case "$1" in
online | add)
	bridge=$(xenstore-read "$XENBUS_PATH/bridge" 2>/dev/null) || bridge=xenbr0
	ip link set "$vif" up || exit 1
	brctl addif "$bridge" "$vif" || exit 1
	xenstore-write "$XENBUS_PATH/hotplug-status" connected
	;;
offline | remove)
	ip link set "$vif" down 2>/dev/null
	;;
esac
exit 0
