#!/bin/busybox sh
# /init of the Linux domU kit (LinuxGuest): dom0's own kernel booted as
# a PVH guest with busybox and the netfront and blkfront modules. It
# runs /job.sh, which the caller's archive adds, and ends with the
# status line of Mirago's exit protocol, so that the harness can be
# tested on networks and disks without a Go runtime for Xen.
/bin/busybox --install -s 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run /www
while read -r m; do
	insmod "/lib/modules/mirago/$m.ko" || echo "domu init: insmod $m failed"
done </etc/mirago/modules
ip link set lo up
sh /job.sh
echo "mirago: exit status $?"
poweroff -f
