#!/usr/bin/env bash
# bench-smp.sh measures how a CPU-bound parallel program scales with the
# CPUs of a xen/amd64 guest, or with ARCH=arm64 a xen/arm64 one on
# QEMU's virt machine (issue 15): rtprobe's "parallel N" mode
# starts N goroutines that each hash the same amount, and prints the
# time they took together. It runs with N = 2 on 1 and on 2 CPUs
# (MIRAGO_SMP; multi-threaded TCG), $RUNS times each (default 5),
# interleaved, and prints the medians and their ratio, beside the same
# program as a process on this host with GOMAXPROCS 1 and 2, measured
# in the same run: the ceiling the host's cores allow.
#
# Usage: [ARCH=arm64] scripts/bench-smp.sh. Needs a built toolchain (make toolchain)
# and a host with at least 2 cores.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${RUNS:-5}
arch=${ARCH:-amd64}
case $arch in
amd64) machine=microvm ;;
arm64) machine=virt ;;
*) echo "bench-smp.sh: ARCH=$arch: want amd64 or arm64" >&2; exit 1 ;;
esac
goroot=$top/_build/goroot
[ -x "$goroot/bin/go" ] || { echo "bench-smp.sh: no $goroot; run make toolchain" >&2; exit 1; }
export MIRAGO_NOMOUNT=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mgo() {
	env -u GOROOT -u GOFLAGS GOTOOLCHAIN=local PATH="$goroot/bin:$PATH" "$goroot/bin/go" "$@"
}
(cd test/testdata/progs && GOOS=xen GOARCH=$arch mgo build -o "$tmp/rtprobe.xen" ./rtprobe &&
	GOOS=linux GOARCH=amd64 mgo build -o "$tmp/rtprobe.linux" ./rtprobe)
exe=$goroot/bin/go_xen_${arch}_exec
qemu=qemu-system-x86_64
[ "$arch" = arm64 ] && qemu=qemu-system-aarch64

echo "# xen/$arch on $machine; machine: $(nproc) cores, $($qemu --version | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command: ARCH=$arch scripts/bench-smp.sh (RUNS=$runs)"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# ms prints the milliseconds of rtprobe's "parallel N NS" line.
ms() { awk '$1 == "parallel" { printf "%.1f\n", $3 / 1e6 }'; }

for i in $(seq "$runs"); do
	for n in 1 2; do
		MIRAGO_SMP=$n "$exe" "$tmp/rtprobe.xen" parallel 2 | ms >>"$tmp/guest$n"
		GOMAXPROCS=$n "$tmp/rtprobe.linux" parallel 2 | ms >>"$tmp/host$n"
	done
done
g1=$(median <"$tmp/guest1") g2=$(median <"$tmp/guest2")
h1=$(median <"$tmp/host1") h2=$(median <"$tmp/host2")
printf '2 goroutines hashing, guest: 1 CPU %s ms, 2 CPUs %s ms: %.2fx (runs: %s / %s)\n' \
	"$g1" "$g2" "$(awk -v a="$g1" -v b="$g2" 'BEGIN { print a / b }')" \
	"$(paste -sd' ' "$tmp/guest1")" "$(paste -sd' ' "$tmp/guest2")"
printf '2 goroutines hashing, host process: GOMAXPROCS=1 %s ms, GOMAXPROCS=2 %s ms: %.2fx\n' \
	"$h1" "$h2" "$(awk -v a="$h1" -v b="$h2" 'BEGIN { print a / b }')"
