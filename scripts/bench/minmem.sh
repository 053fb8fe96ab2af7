#!/usr/bin/env bash
# minmem.sh finds the smallest QEMU -m (in MiB) with which the Mirago
# form of the benchmark's HTTP server (scripts/bench/run.sh) boots and
# serves its 1- and 16-connection loads without an error: a bisection
# of run.sh -mem between LO and HI MiB (default 8 and 64), each step one
# boot and 3 s of load per concurrency.
#
# Usage: scripts/bench/minmem.sh [LO HI]   (make bench-minmem)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
lo=${1:-8} hi=${2:-64}

# ok MIB: the server answered every request of both loads.
ok() {
	local out
	out=$("$top/scripts/bench/run.sh" -rounds 1 -boots 1 -d 3s -only mirago -mem "${1}M" 2>/dev/null | grep '^mirago: ' || true)
	echo "minmem.sh: -m ${1}M: ${out:0:300}" >&2
	[[ $out =~ c=1:\ ([0-9]+)\ requests,\ 0\ errors ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
		[[ $out =~ c=16:\ ([0-9]+)\ requests,\ 0\ errors ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
		[[ $out != *"during the load"* ]]
}

ok "$hi" || { echo "minmem.sh: the server fails with -m ${hi}M too" >&2; exit 1; }
while [ $((hi - lo)) -gt 1 ]; do
	mid=$(((lo + hi) / 2))
	if ok "$mid"; then hi=$mid; else lo=$mid; fi
done
echo "smallest -m for the HTTP server under its 1- and 16-connection loads: ${hi} MiB (fails with ${lo} MiB); load average $(cut -d' ' -f1-3 /proc/loadavg)"
