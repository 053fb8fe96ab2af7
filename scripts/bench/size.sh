#!/usr/bin/env bash
# size.sh weighs the benchmark's HTTP server (scripts/bench/server) in
# three builds, all by _build/goroot with its default flags, and prints
# their sizes and ratios:
#
#	linux          GOOS=linux GOARCH=amd64: the kernel does the network
#	linux+gvisor   the same server with gVisor's TCP/IP stack linked in
#	               as the unikernel sets it up (scripts/bench/gvisorsize,
#	               a lower bound), gVisor vendored as goroot.sh vendors
#	               it: omit.txt's files left out, patches/vendor applied
#	xen            GOOS=xen GOARCH=amd64: the image that boots
#
# so that the image's excess over the Linux binary splits into the
# stack's share and the rest (the machine layer, the system calls
# served in the guest, the drivers). About ten seconds; needs make
# toolchain, and the module proxy for gVisor the first time.
#
# Usage: scripts/bench/size.sh   (make bench-size)
set -euo pipefail
. "$(dirname "$0")/../lib.sh" # top, vendor_omitted
goroot=$top/_build/goroot
[ -x "$goroot/bin/go" ] || { echo "size.sh: no toolchain in _build/goroot: run make toolchain" >&2; exit 1; }
export PATH="$goroot/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
unset GOROOT GOOS GOARCH

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$top" && GOOS=linux GOARCH=amd64 go build -o "$tmp/linux" ./scripts/bench/server)
(cd "$top" && GOOS=xen GOARCH=amd64 go build -o "$tmp/xen" ./scripts/bench/server)

# The probe's module: gVisor at the version drivers/ pins, this
# checkout for the rest.
gvisor=$(grep -m1 -o 'gvisor.dev/gvisor v[^ ]*' "$top/drivers/go.mod")
mkdir "$tmp/probe"
# Without its build constraint, which keeps it out of this module.
sed '/^\/\/go:build ignore$/d' "$top/scripts/bench/gvisorsize/main.go" >"$tmp/probe/main.go"
cat "$top/go.sum" "$top/drivers/go.sum" >"$tmp/probe/go.sum"
cat >"$tmp/probe/go.mod" <<MOD
module gvisorsize

go 1.26.0

require (
	$gvisor
	mirago.dev/drivers v0.0.0
	mirago.dev/mirago v0.0.0
	mirago.dev/sys v0.0.0
)

replace (
	mirago.dev/drivers => $top/drivers
	mirago.dev/mirago => $top
	mirago.dev/sys => $top/sys
)
MOD
(
	cd "$tmp/probe"
	go mod tidy >/dev/null
	go mod vendor
	while read -r f; do
		vendor_omitted "${f#vendor/}" && rm "$f"
	done < <(find vendor -name '*.go')
	# The patches are against GOROOT's src/vendor.
	for p in "$top"/patches/vendor/*.patch; do
		git apply -p3 --directory=vendor "$p"
	done
	GOOS=linux GOARCH=amd64 go build -mod=vendor -o "$tmp/linux+gvisor" .
)

size() { stat -c %s "$1"; }
base=$(size "$tmp/linux") withstack=$(size "$tmp/linux+gvisor") image=$(size "$tmp/xen")
echo "# scripts/bench/server by $(go version | cut -d' ' -f3-) ($(readlink -f "$goroot")), default flags, $(date -u +%Y-%m-%dT%H:%MZ)"
awk -v base="$base" -v withstack="$withstack" -v image="$image" 'BEGIN {
	printf "%-14s %12s %8s\n", "build", "bytes", "ratio"
	printf "%-14s %12d %8.3f\n", "linux", base, 1
	printf "%-14s %12d %8.3f\n", "linux+gvisor", withstack, withstack / base
	printf "%-14s %12d %8.3f\n", "xen", image, image / base
	printf "the stack adds %d bytes (%.1f%% of the Linux build), the rest of the port %d (%.1f%%)\n",
		withstack - base, 100 * (withstack - base) / base, image - withstack, 100 * (image - withstack) / base
}'
