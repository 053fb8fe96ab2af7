#!/usr/bin/env bash
# run.sh measures one small Go HTTP server (scripts/bench/server: GET /
# answers "hello, world\n") back to back in three forms and prints a
# table comparing them:
#
#	host      the server as a host process (host go)
#	linux-vm  Debian's kernel booted by PVH on QEMU microvm, with a
#	          Go /init (scripts/bench/linuxinit) that loads the virtio
#	          modules, configures the network and runs the same server
#	mirago    the server built with GOOS=xen GOARCH=amd64 by
#	          _build/goroot, booted on QEMU microvm; like the Linux
#	          VM it is given the TSC's frequency and a static address
#	          (10.0.2.15/24 via 10.0.2.2) on its command line
#	spt       the server built with GOOS=solo5 GOARCH=amd64, run by
#	          Solo5's solo5-spt tender (scripts/solo5-tenders.sh) on a
#	          tap device with the host at 10.78.0.1/24 and the guest at
#	          10.78.0.2: a host process, no QEMU (needs root for the tap)
#
# Both VMs run under the same QEMU flags: TCG (no KVM here), microvm,
# one vCPU, -m 256M, user-mode networking forwarding a host port on
# 127.0.0.1 to the guest's port 80, virtio-net on virtio-mmio. For each
# form it reports requests per second and p50/p99 latency with 1 and 16
# keep-alive clients (scripts/bench/load), process start to the first
# good response, the size of what boots, and memory. A form that does not
# answer is reported as such and the others still run. It measures the
# forms in turn, in three rounds (-rounds), prints each round's table
# and then the median of each figure and of each round's ratios, with
# the machine's load average at the start, at each round and at the end.
#
# Usage: scripts/bench/run.sh [runner flags]   (or make bench-http)
#        BENCH_NET=tap scripts/bench/run.sh ...   (or make bench-http-tap):
#        the VMs on a tap device rather than user-mode networking (root)
# e.g. -d 5s (load per concurrency, default 10s), -boots 1, -rounds 1, -only host,linux-vm,
# -mirago-timeout 60s; scripts/bench/runner's -h lists them.
# -insns -only linux-vm,mirago (make bench-insns) boots each VM once
# under QEMU's -d in_asm instead and reports how many guest instructions
# QEMU translated up to the program's start, main.main and the first
# response: the boot's work in a unit this machine's speed does not move.
# About six minutes with the defaults, plus the first run's downloads.
#
# Needs: the host go, apt-get (as root, for what is missing: QEMU,
# xz-utils, zstd, and Debian's kernel package, downloaded once into
# $MIRAGO_CACHE/bench, by default ~/.cache/mirago/bench). The mirago
# form needs a built toolchain (make toolchain); this script never
# builds one.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
cache=${MIRAGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mirago}/bench
bin=$cache/bin
mkdir -p "$bin" "$cache/deb"

say() { echo "run.sh: $*" >&2; }

# Host tools, from Debian, only when missing.
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v xz >/dev/null || need+=(xz-utils)
command -v zstd >/dev/null || need+=(zstd)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		say "missing ${need[*]}; install them (on Debian: apt-get install ${need[*]})"
		exit 1
	fi
	say "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
command -v go >/dev/null || { say "no go on PATH"; exit 1; }

# Our programs, built by the host's go. /init must be static: the
# initramfs has no C library.
# An empty GOOS/GOARCH means the host's, whatever the caller exported.
hostgo() { env -u GOFLAGS GOTOOLCHAIN=local GOOS= GOARCH= go "$@"; }
say "building the load generator, runner, host server and Linux /init"
hostgo build -o "$bin/load" ./scripts/bench/load
hostgo build -o "$bin/runner" ./scripts/bench/runner
hostgo build -o "$bin/mklinux" ./scripts/bench/mklinux
hostgo build -o "$bin/server" ./scripts/bench/server
env -u GOFLAGS GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o "$bin/linuxinit" ./scripts/bench/linuxinit

# Debian's kernel: the package linux-image-amd64 points at today, or
# the one downloaded before (so that runs compare), unless
# BENCH_KERNEL_PKG names one.
deb=
if [ -n "${BENCH_KERNEL_PKG:-}" ]; then
	deb=$(ls "$cache/deb/${BENCH_KERNEL_PKG}"_*.deb 2>/dev/null | tail -1 || true)
else
	deb=$(ls -t "$cache"/deb/linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | head -1 || true)
fi
if [ -z "$deb" ]; then
	pkg=${BENCH_KERNEL_PKG:-}
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1\.0-.*-amd64/ { print $2; exit }')
		if [ -z "$pkg" ]; then
			apt-get update >/dev/null
			pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6\.1\.0-.*-amd64/ { print $2; exit }')
		fi
	fi
	[ -n "$pkg" ] || { say "cannot find Debian's linux-image-6.1.0-*-amd64 package"; exit 1; }
	say "downloading $pkg"
	(cd "$cache/deb" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >/dev/null)
	deb=$(ls "$cache/deb/${pkg}"_*.deb | tail -1)
fi
kroot=$cache/linux/$(basename "$deb" .deb)
if [ ! -d "$kroot/boot" ]; then
	rm -rf "$kroot.tmp"
	mkdir -p "$kroot.tmp"
	dpkg-deb -x "$deb" "$kroot.tmp"
	mv "$kroot.tmp" "$kroot"
fi
guest=$cache/guest
"$bin/mklinux" -root "$kroot" -init "$bin/linuxinit" -out "$guest" | sed 's/^/run.sh: /' >&2

# The Mirago image. The toolchain is under construction; a failed build
# is reported in the table, not fatal.
mirago_args=()
mgo=$(readlink -f _build/goroot/bin/go 2>/dev/null || true)
mver="none"
if [ -z "$mgo" ] || [ ! -x "$mgo" ]; then
	mirago_args=(-mirago-skip "no toolchain at _build/goroot (make toolchain)")
else
	mver="$("$mgo" version 2>/dev/null | cut -d' ' -f3) ($(dirname "$(dirname "$mgo")"))"
	say "building the Mirago image with $mgo"
	if env -u GOROOT -u GOFLAGS GOTOOLCHAIN=local GOOS=xen GOARCH=amd64 PATH="$(dirname "$mgo"):$PATH" \
		"$mgo" build -o "$bin/server.xen" ./scripts/bench/server 2>"$cache/mirago-build.log"; then
		mirago_args=(-mirago "$bin/server.xen")
	else
		mirago_args=(-mirago-skip "GOOS=xen build failed: $(grep -v '^#' "$cache/mirago-build.log" | head -1) (log: $cache/mirago-build.log)")
	fi
fi

# The tap devices made below, deleted on exit.
taps=()
trap 'for t in "${taps[@]}"; do ip tuntap del dev "$t" mode tap 2>/dev/null || true; done' EXIT

# The spt image, its tender and a tap for it: reported as not run when
# any is missing.
spt_args=()
if [ -z "$mgo" ] || [ ! -x "$mgo" ]; then
	spt_args=(-spt-skip "no toolchain at _build/goroot (make toolchain)")
elif [ "$(id -u)" != 0 ]; then
	spt_args=(-spt-skip "needs root to make its tap device")
elif ! tenders=$(bash scripts/solo5-tenders.sh 2>"$cache/spt-tenders.log"); then
	spt_args=(-spt-skip "scripts/solo5-tenders.sh failed (log: $cache/spt-tenders.log)")
elif ! env -u GOROOT -u GOFLAGS GOTOOLCHAIN=local GOOS=solo5 GOARCH=amd64 PATH="$(dirname "$mgo"):$PATH" \
	"$mgo" build -o "$bin/server.spt" ./scripts/bench/server 2>"$cache/spt-build.log"; then
	spt_args=(-spt-skip "GOOS=solo5 build failed: $(grep -v '^#' "$cache/spt-build.log" | head -1) (log: $cache/spt-build.log)")
else
	tap=mirb$$
	ip tuntap add dev "$tap" mode tap
	taps+=("$tap")
	ip addr add 10.78.0.1/24 dev "$tap"
	ip link set "$tap" up
	spt_args=(-spt "$tenders/solo5-spt" -spt-image "$bin/server.spt" -spt-tap "$tap" -spt-addr 10.78.0.2/24)
fi

# BENCH_NET=tap: the VMs on a tap device of their own rather than on
# QEMU's user-mode networking, whose forward is a proxy in QEMU's main
# loop. The guests keep the addresses user-mode networking would give
# them, 10.0.2.15 via 10.0.2.2, which is the host's end of the tap.
vm_args=()
case ${BENCH_NET:-user} in
user) ;;
tap)
	[ "$(id -u)" = 0 ] || { say "BENCH_NET=tap needs root to make the tap device"; exit 1; }
	vmtap=mirv$$
	ip tuntap add dev "$vmtap" mode tap
	taps+=("$vmtap")
	ip addr add 10.0.2.2/24 dev "$vmtap"
	# The host asks for the guest's MAC address again every 10 ms, not
	# every second: before a guest is up its ARP requests go
	# unanswered, and with the default the first answer came a second
	# after the guest listened.
	sysctl -q -w "net.ipv4.neigh.$vmtap.retrans_time_ms=10"
	ip link set "$vmtap" up
	vm_args=(-vm-tap "$vmtap")
	;;
*) say "BENCH_NET=$BENCH_NET: want user or tap"; exit 1 ;;
esac

# The header. GIT_OPTIONAL_LOCKS=0: git status must not rewrite the
# index, which someone else may be using.
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit (with uncommitted changes)"
fi
echo "# command: scripts/bench/run.sh $*"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
echo "# $(qemu-system-x86_64 --version | head -1); host go: $(go version | cut -d' ' -f3); Mirago toolchain: $mver"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# kernel: $(basename "$deb"); the VMs' network: ${BENCH_NET:-user}"

# Not exec: the trap above deletes the tap afterwards.
"$bin/runner" -server "$bin/server" -load "$bin/load" \
	-kernel "$guest/vmlinux" -initrd "$guest/initramfs.cpio" -linux-init "$bin/linuxinit" \
	"${mirago_args[@]}" "${spt_args[@]}" "${vm_args[@]}" -logdir "$cache/logs" "$@"
