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
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${MIRAGO_SOLO5_SRC:-$top/../shared/third_party/solo5}
tarball=$(ls "$src"/solo5-v*.tar.gz 2>/dev/null | head -n1) || true
[ -n "$tarball" ] && [ -f "$src/build-tenders.sh" ] ||
	die "no Solo5 release tarball and build-tenders.sh in $src (set MIRAGO_SOLO5_SRC)"
key=$(sha256sum <"$tarball" | cut -c1-16)
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
tenders=$(tail -n1 "$tmp/build.log")
mkdir -p "$tmp/bin"
# build-tenders.sh prints the tenders' directory; elftool is beside it.
for t in tenders/spt/solo5-spt tenders/hvt/solo5-hvt elftool/solo5-elftool; do
	[ -x "$tenders/../$t" ] || die "the Solo5 build made no $t"
	cp "$tenders/../$t" "$tmp/bin/"
done
rm -rf "$dest"
mv "$tmp/bin" "$dest.tmp" && mkdir -p "$dest" && mv "$dest.tmp" "$dest/bin"
echo "$dest/bin"
