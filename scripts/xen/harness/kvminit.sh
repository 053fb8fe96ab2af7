#!/bin/busybox sh
# /init of the KVM host kit (RunKVMHost): dom0's Debian kernel booted
# by QEMU as an ordinary guest, whose CPU lets it offer /dev/kvm: on
# amd64 a PC, whose emulated AMD SVM kvm-amd drives; on arm64 the virt
# machine entered at EL2, where the kernel's own KVM starts. It runs
# /job.sh, which the caller's archive adds, and prints "mirago-kvm:
# exit status N" with the script's status before it powers off.
/bin/busybox --install -s 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run
# A tender maps all of its guest's memory at once; let it, as a host
# with swap would.
echo 1 >/proc/sys/vm/overcommit_memory
while read -r m; do
	insmod "/lib/modules/mirago/$m.ko" || echo "kvm init: insmod $m failed"
done </etc/mirago/modules
ip link set lo up
if [ -c /dev/kvm ]; then
	sh /job.sh
	echo "mirago-kvm: exit status $?"
else
	echo "kvm init: no /dev/kvm: the CPU offers no virtualization (SVM, EL2) to this kernel"
	echo "mirago-kvm: exit status 125"
fi
poweroff -f
