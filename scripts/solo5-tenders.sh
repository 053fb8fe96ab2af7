#!/usr/bin/env bash
# solo5-tenders.sh builds the genuine Solo5 tenders (solo5-spt,
# solo5-hvt, solo5-elftool), which the GOOS=solo5 tests and the exec
# wrapper go_solo5_amd64_exec run images under, and prints the directory
# that holds them.
#
# Solo5 is not part of Mirago: its release tarball and build script live
# beside the checkout ($MIRAGO_SOLO5_SRC, default ../shared/third_party/solo5).
# The tenders are built once into the cache, keyed by the tarball's hash:
#
#	$MIRAGO_CACHE/solo5-tenders-HASH/bin/{solo5-spt,solo5-hvt,solo5-elftool}
#
# Building needs gcc, make and libseccomp-dev (the build script installs
# the last with apt-get when it is missing). It fails, with the reason, if
# the tenders cannot be built.
#
# solo5-tenders.sh arm64, on an amd64 host, cross-builds the three for
# aarch64 with aarch64-linux-gnu-gcc (scripts/deps.sh installs it), as
# static PIE executables, into
#
#	$MIRAGO_CACHE/solo5-cross-arm64-HASH/bin/{solo5-spt,solo5-hvt,solo5-elftool}
#
# with libseccomp from Debian 12's arm64 libseccomp-dev (pinned below,
# fetched by apt-get through an APT configuration of its own, which
# leaves the host's alone). elftool accepts only images of the machine
# it was compiled for, so checking solo5/arm64 images on an amd64 host
# takes this one, run under qemu-user (qemu-aarch64); the tenders run in
# an arm64 Linux guest (TestSolo5Arm64Tenders). The directory's name
# keeps them out of the exec wrapper's search for the host's tenders
# ($MIRAGO_CACHE/solo5-tenders-*).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case $(uname -m) in
x86_64) host=amd64 ;;
aarch64) host=arm64 ;;
*) host=$(uname -m) ;;
esac
arch=${1:-$host}
case $arch/$host in
"$host/$host") arch=native ;;
arm64/amd64) ;;
*) die "usage: solo5-tenders.sh [$host|arm64]: no Solo5 build for $arch on this $host host" ;;
esac

src=${MIRAGO_SOLO5_SRC:-$top/../shared/third_party/solo5}
tarball=$(ls "$src"/solo5-v*.tar.gz 2>/dev/null | head -n1) || true
[ -n "$tarball" ] && [ -f "$src/build-tenders.sh" ] ||
	die "no Solo5 release tarball and build-tenders.sh in $src (set MIRAGO_SOLO5_SRC)"
key=$(sha256sum <"$tarball" | cut -c1-16)

# install_tenders copies the three programs from the built Solo5 tree
# $1 to $tmp/bin, moves that to $dest/bin in one step, and prints it.
install_tenders() {
	local t
	mkdir -p "$tmp/bin"
	for t in tenders/spt/solo5-spt tenders/hvt/solo5-hvt elftool/solo5-elftool; do
		[ -x "$1/$t" ] || die "the Solo5 build made no $t"
		cp "$1/$t" "$tmp/bin/"
	done
	rm -rf "$dest"
	mv "$tmp/bin" "$dest.tmp" && mkdir -p "$dest" && mv "$dest.tmp" "$dest/bin"
	echo "$dest/bin"
}

if [ "$arch" = arm64 ]; then # on an amd64 host
	seccomp_pin=libseccomp-dev=2.5.4-1+deb12u1
	dest=$cache/solo5-cross-arm64-$(echo "$key $seccomp_pin" | sha256sum | cut -c1-16)
	if [ -x "$dest/bin/solo5-spt" ] && [ -x "$dest/bin/solo5-hvt" ] && [ -x "$dest/bin/solo5-elftool" ]; then
		echo "$dest/bin"
		exit 0
	fi
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		die "no aarch64-linux-gnu-gcc to build the Solo5 tenders for arm64 (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
	tmp=$(mktemp -d "$cache/tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT

	# libseccomp for aarch64, from Debian's signed archive.
	apt=$tmp/apt
	mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/debs" "$tmp/sysroot"
	: >"$apt/state/status"
	for suite in "debian bookworm bookworm-updates" "debian-security bookworm-security"; do
		set -- $suite
		printf 'Types: deb\nURIs: http://deb.debian.org/%s\nSuites: %s\nComponents: main\nArchitectures: arm64\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' \
			"$1" "${*:2}"
	done >"$apt/sources.list.d/debian.sources"
	printf '%s\n' \
		"Dir::State \"$apt/state\";" \
		"Dir::State::status \"$apt/state/status\";" \
		"Dir::Cache \"$apt/cache\";" \
		'Dir::Etc::SourceList "/dev/null";' \
		"Dir::Etc::SourceParts \"$apt/sources.list.d\";" \
		'APT::Architecture "arm64";' \
		'APT::Architectures { "arm64"; };' \
		'Acquire::Languages "none";' >"$apt/apt.conf"
	if ! (export APT_CONFIG=$apt/apt.conf && apt-get update -q && cd "$apt/debs" && apt-get download -q "$seccomp_pin") >"$tmp/apt.log" 2>&1; then
		cat "$tmp/apt.log" >&2
		die "cannot download $seccomp_pin for arm64 with apt-get"
	fi
	dpkg-deb -x "$apt"/debs/libseccomp-dev_*_arm64.deb "$tmp/sysroot"

	tar xzf "$tarball" -C "$tmp"
	s=$(echo "$tmp"/solo5-v*)
	# A release tarball has no version.h, which make writes from git
	# or from version.h.distrib, which it lacks too.
	[ -f "$s/include/version.h.distrib" ] ||
		printf '#ifndef __VERSION_H__\n#define __VERSION_H__\n#define SOLO5_VERSION "%s"\n#endif\n' \
			"$(basename "$s" | sed 's/^solo5-//')" >"$s/include/version.h.distrib"
	cp "$s/include/version.h.distrib" "$s/include/version.h"
	pc="env PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$tmp/sysroot/usr/lib/aarch64-linux-gnu/pkgconfig PKG_CONFIG_SYSROOT_DIR=$tmp/sysroot pkg-config"
	# Static PIE: the tenders need no libraries in the guest, and spt
	# wants its own code far above the guest's memory, where the
	# kernel puts a PIE.
	if ! (cd "$s" &&
		HOST_CC=aarch64-linux-gnu-gcc HOST_PKG_CONFIG=$pc \
			TARGET_CC=aarch64-linux-gnu-gcc TARGET_LD=aarch64-linux-gnu-ld \
			TARGET_OBJCOPY=aarch64-linux-gnu-objcopy ./configure.sh &&
		make -C tenders -j2 TOPDIR="$s" HOSTLDFLAGS="-static-pie -Wl,-z,noexecstack" &&
		make -C elftool TOPDIR="$s" HOSTLDFLAGS="-static-pie -Wl,-z,noexecstack") >"$tmp/build.log" 2>&1; then
		cat "$tmp/build.log" >&2
		die "building the Solo5 tenders for aarch64 from $tarball failed"
	fi
	install_tenders "$s"
	exit 0
fi

dest=$cache/solo5-tenders-$key
if [ -x "$dest/bin/solo5-spt" ] && [ -x "$dest/bin/solo5-elftool" ]; then
	echo "$dest/bin"
	exit 0
fi

tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! bash "$src/build-tenders.sh" "$tmp/build" >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log" >&2
	die "building the Solo5 tenders from $tarball failed"
fi
# build-tenders.sh prints the tenders' directory; elftool is beside it.
install_tenders "$(tail -n1 "$tmp/build.log")/.."
