#!/usr/bin/env bash
# bench-skeleton.sh measures the walking skeleton (issue 3) and prints the
# numbers docs/benchmarks.md records:
#
#	(a) toolchain cold build: scripts/goroot.sh with an empty cache and
#	    an empty Go build cache
#	    (only with --cold: it takes about 6 minutes on 2 cores)
#	(b) examples/hello image size, GOOS=xen vs GOOS=linux (amd64)
#	(c) wall time from starting QEMU to the first console line of
#	    hello, median of $RUNS boots (default 5), as measured by the
#	    exec wrapper (MIRAGO_TIMING=1)
#
# Usage: scripts/bench-skeleton.sh [--cold]
# Run it from a checkout with a built toolchain (make toolchain).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${RUNS:-5}
cold=false
[ "${1:-}" = --cold ] && cold=true

echo "# machine: $(nproc) cores, $(uname -m), $(qemu-system-x86_64 --version | head -1)"
echo "# host go: $(go version)"

if $cold; then
	c=$(mktemp -d)
	start=$(date +%s.%N)
	# An empty Go build cache too: make.bash's bootstrap step uses it.
	MIRAGO_CACHE=$c GOCACHE=$c/gocache scripts/goroot.sh >/dev/null
	end=$(date +%s.%N)
	rm -rf "$c"
	# goroot.sh pointed _build/goroot into the deleted cache; point it
	# back at the regular one (a cache hit, or a build if there is none).
	scripts/goroot.sh >/dev/null
	awk -v s="$start" -v e="$end" 'BEGIN { printf "toolchain cold build (scripts/goroot.sh, empty MIRAGO_CACHE): %.0f s\n", e - s }'
else
	echo "toolchain cold build: skipped (pass --cold; about 6 minutes)"
fi

goroot=$top/_build/goroot
[ -x "$goroot/bin/go" ] || { echo "bench-skeleton.sh: no $goroot; run make toolchain" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mgo() {
	env -u GOROOT -u GOFLAGS GOTOOLCHAIN=local PATH="$goroot/bin:$PATH" "$goroot/bin/go" "$@"
}
GOOS=xen GOARCH=amd64 mgo build -o "$tmp/hello.xen" ./examples/hello
GOOS=linux GOARCH=amd64 mgo build -o "$tmp/hello.linux" ./examples/hello
xen=$(stat -c %s "$tmp/hello.xen")
linux=$(stat -c %s "$tmp/hello.linux")
awk -v x="$xen" -v l="$linux" 'BEGIN { printf "hello image size: xen/amd64 %d bytes, linux/amd64 %d bytes, ratio %.2f\n", x, l, x / l }'

firsts=()
for i in $(seq "$runs"); do
	line=$(MIRAGO_TIMING=1 "$goroot/bin/go_xen_amd64_exec" "$tmp/hello.xen" a b 2>&1 >/dev/null | grep 'timing:' || true)
	ms=$(sed -n 's/.*first-line=\([0-9.]*\)ms.*/\1/p' <<<"$line")
	[ -n "$ms" ] || { echo "boot $i printed no console line (wrapper said: ${line:-nothing})" >&2; exit 1; }
	firsts+=("$ms")
done
median=$(printf '%s\n' "${firsts[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "QEMU start to first console line of hello (TCG, median of $runs): $median ms (runs: ${firsts[*]} ms)"
