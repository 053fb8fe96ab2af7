#!/usr/bin/env bash
# deps.sh installs what building and testing Mirago needs beyond make and
# a go command: QEMU to boot images (amd64 and arm64), an aarch64 C
# compiler and qemu-user for Solo5's arm64 elftool, git for the patch scripts, ip for
# the network tests' namespaces and tap devices, xz and as for the Xen
# harness (scripts/xen) and its tests. Run as
# root on Debian, it installs missing packages with apt-get,
# non-interactively; otherwise it only says what is missing. Then it
# makes sure a new enough host Go is at hand (scripts/bootstrap-go.sh).
set -euo pipefail

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
command -v git >/dev/null || need+=(git)
command -v ip >/dev/null || need+=(iproute2)
# The Xen harness (scripts/xen) unpacks dom0's kernel with xz; its tests
# assemble a bare PVH guest with as and ld.
command -v xz >/dev/null || need+=(xz-utils)
command -v as >/dev/null || need+=(binutils)
# solo5/arm64 images are checked with Solo5's tools cross-built for
# aarch64 (scripts/solo5-tenders.sh arm64; elftool runs under qemu-user).
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
# The module proxy and checksum database are reached over HTTPS.
[ -e /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)

if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "deps.sh: installing ${need[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q --no-install-recommends "${need[@]}"
	else
		echo "deps.sh: missing ${need[*]}; install them (on Debian: apt-get install ${need[*]})" >&2
		exit 1
	fi
fi

"$(dirname "$0")/bootstrap-go.sh" >/dev/null
