#!/usr/bin/env bash
# bench-runtime.sh measures the xen runtime (issue 4; arm64: issue 14) and prints the
# numbers docs/benchmarks.md records:
#
#	(a) timer accuracy: time.Sleep of 1 ms, 10 ms, 100 ms and 500 ms in
#	    the guest, observed with time.Since, over $RUNS boots (default 5)
#	(b) boot to main: QEMU start to the first line main prints, median of
#	    $RUNS boots (the exec wrapper's MIRAGO_TIMING)
#	(c) the smallest -m (MiB) with which examples/hello runs
#
# Usage: scripts/bench-runtime.sh [amd64|arm64]: xen/amd64 (default) on
# microvm, or xen/arm64 on QEMU's virt machine. Needs a built toolchain
# (make toolchain).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${RUNS:-5}
arch=${1:-amd64}
case $arch in
amd64) qemu=qemu-system-x86_64 ;;
arm64) qemu=qemu-system-aarch64 ;;
*) echo "bench-runtime.sh: $arch: want amd64 or arm64" >&2; exit 2 ;;
esac
goroot=$top/_build/goroot
[ -x "$goroot/bin/go" ] || { echo "bench-runtime.sh: no $goroot; run make toolchain" >&2; exit 1; }
# The boots measure the guest, not the archive of this checkout that the
# exec wrapper would make and pass.
export MIRAGO_NOMOUNT=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mgo() {
	env -u GOROOT -u GOFLAGS GOTOOLCHAIN=local GOOS=xen GOARCH=$arch PATH="$goroot/bin:$PATH" "$goroot/bin/go" "$@"
}
exe=$goroot/bin/go_xen_${arch}_exec
(cd test/testdata/progs && mgo build -o "$tmp/rtprobe.xen" ./rtprobe)
mgo build -o "$tmp/hello.xen" ./examples/hello

echo "# xen/$arch; machine: $(nproc) cores, $(uname -m), $($qemu --version | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# (a) Each boot prints "slept REQUESTED OBSERVED" in nanoseconds.
for i in $(seq "$runs"); do
	"$exe" "$tmp/rtprobe.xen" sleep
done | awk '$1 == "slept" { print $2, $3 }' >"$tmp/sleeps"
for req in $(awk '{print $1}' "$tmp/sleeps" | sort -nu); do
	awk -v r="$req" '$1 == r { print ($2 - $1) / 1e6 }' "$tmp/sleeps" >"$tmp/over"
	printf 'time.Sleep(%s ms): oversleep median %.3f ms, max %.3f ms (%d sleeps)\n' \
		"$(awk -v r="$req" 'BEGIN { print r / 1e6 }')" "$(median <"$tmp/over")" \
		"$(sort -n "$tmp/over" | tail -1)" "$(wc -l <"$tmp/over")"
done

# (b)
firsts=()
for i in $(seq "$runs"); do
	line=$(MIRAGO_TIMING=1 "$exe" "$tmp/rtprobe.xen" info 2>&1 >/dev/null | grep 'timing:')
	firsts+=("$(sed -n 's/.*first-line=\([0-9.]*\)ms.*/\1/p' <<<"$line")")
done
echo "QEMU start to main's first line (TCG, median of $runs): $(printf '%s\n' "${firsts[@]}" | median) ms (runs: ${firsts[*]} ms)"

# (c) Bisect the memory size in MiB, on one CPU and on two: each CPU
# costs the runtime some metadata.
for smp in 1 2; do
	ok() { MIRAGO_SMP=$smp MIRAGO_MEM=${1}M "$exe" "$tmp/hello.xen" >/dev/null 2>&1; }
	lo=1 hi=256
	ok $hi || { echo "hello does not run with -m ${hi}M" >&2; exit 1; }
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if ok $mid; then hi=$mid; else lo=$mid; fi
	done
	echo "smallest -m for examples/hello on $smp CPU(s): ${hi} MiB (fails with ${lo} MiB); image $(stat -c %s "$tmp/hello.xen") bytes"
done
