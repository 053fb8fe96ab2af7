#!/bin/busybox sh
# /init of the dom0 initramfs that scripts/xen builds (package harness).
# It brings up what xl needs in a Linux PV dom0 of Debian's Xen 4.17:
# the Xen device modules, /proc/xen, devpts, xenstored, xenconsoled, a
# bridge xenbr0 with an address and a DHCP server on it, blkback; then
# it hands over to the agent (mirago-dom0), which runs the job that the
# host appended to this initramfs as /job, and powers off.
#
# Every line this script prints reaches the host on Xen's serial line;
# the host shows it only with -v, or when the job never starts.
/bin/busybox --install -s 2>/dev/null
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
# xenconsoled allocates a pty per guest; without devpts xl create hangs.
mount -t devpts devpts /dev/pts
# xl's console client locks /var/lock/xenconsole.N.
mkdir -p /run/xen /run/xenstored /run/lock /var/lock /var/log/xen/console /var/lib/xen /var/lib/misc /tmp
fail() { echo "mirago-dom0-init: $*"; }
# Progress with dom0's uptime, for the host's -v and for boot timing.
mark() { echo "mirago-dom0-init: $* uptime=$(cut -d' ' -f1 /proc/uptime)"; }
mark start

# Modules, in the dependency order the build computed.
while read -r m; do
	insmod "/lib/modules/mirago/$m.ko" || fail "insmod $m failed"
done </etc/mirago/modules
mount -t xenfs xenfs /proc/xen || fail "mount xenfs failed"
mark modules loaded

XENSTORED_ROOTDIR=/run/xenstored xenstored --pid-file /run/xenstored.pid || fail "xenstored failed"
i=0
while ! xenstore-read -s / >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && { fail "xenstored did not answer in 10s"; break; }
	usleep 100000
done
xen-init-dom0 >/dev/null || fail "xen-init-dom0 failed"
mark xenstored up
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || fail "xenconsoled failed"

# Host disks arrive as virtio-blk devices whose serial names them;
# /dev/mirago/NAME is what guest configurations point blkback at.
mkdir -p /dev/mirago
for b in /sys/block/vd*; do
	[ -e "$b/serial" ] || continue
	ln -s "/dev/${b##*/}" "/dev/mirago/$(cat "$b/serial")"
done

# The guests' network: a bridge that xl's vif-bridge script adds each
# vif to, an address for dom0 on it, and udhcpd. Guest number N of a
# job has MAC 00:16:3e:00:99:NN (hex) and gets 10.99.0.N by a static
# lease; anything else gets an address from the pool.
# A new bridge has STP off and so forwards from a port's first frame.
brctl addbr xenbr0
ip addr add 10.99.0.1/24 dev xenbr0
ip link set xenbr0 up
ip link set lo up
{
	echo "interface xenbr0"
	echo "start 10.99.0.100"
	echo "end 10.99.0.200"
	echo "option subnet 255.255.255.0"
	echo "option router 10.99.0.1"
	echo "option dns 10.99.0.1"
	echo "option lease 86400"
	echo "lease_file /var/lib/misc/udhcpd.leases"
	n=10
	while [ $n -lt 100 ]; do
		printf 'static_lease 00:16:3e:00:99:%02x 10.99.0.%d\n' $n $n
		n=$((n + 1))
	done
} >/etc/udhcpd.conf
touch /var/lib/misc/udhcpd.leases
udhcpd /etc/udhcpd.conf || fail "udhcpd failed"

mark network up
if [ -e /job/job.json ]; then
	/bin/mirago-dom0 run /job/job.json
else
	fail "no job in the initramfs"
fi
sync
poweroff -f
