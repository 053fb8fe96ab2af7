#!/usr/bin/env bash
# bootstrap-go.sh prints the bin directory of a host Go that can build
# Mirago: it must bootstrap go1.27 (make.bash wants go1.24.6 or newer)
# and build the root module (go 1.26.0), so go1.26.0 or newer.
#
# If the go on $PATH is new enough, that is the answer. Otherwise
# (Debian 12 ships go1.19; bookworm-backports stops at go1.23) any older
# go, down to Debian's, fetches the official toolchain module
# golang.org/toolchain@v0.0.1-$MIRAGO_BOOTSTRAP_GO.<os>-<arch> through the
# module proxy, which verifies it against the checksum database, into
# $MIRAGO_CACHE/bootstrap-$MIRAGO_BOOTSTRAP_GO. The module is a complete
# Go release; only its exec bits are lost in the module zip.
#
# Usage: PATH="$(scripts/bootstrap-go.sh):$PATH" make.bash ...
set -euo pipefail

min=go1.26.0
want=${MIRAGO_BOOTSTRAP_GO:-go1.26.8}
cache=${MIRAGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mirago}

die() {
	echo "bootstrap-go.sh: $*" >&2
	exit 1
}

# newer_or_equal A B reports whether Go version A >= B (go1.N.M form).
newer_or_equal() {
	[ "$(printf '%s\n%s\n' "${1#go}" "${2#go}" | sort -V | head -1)" = "${2#go}" ]
}

if command -v go >/dev/null; then
	have=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || true)
	# go env GOVERSION exists since go1.16; older ones are too old anyway.
	case $have in
	go1.*)
		# A release like go1.26.8, not devel or an rc.
		if [[ $have =~ ^go1\.[0-9]+(\.[0-9]+)?$ ]] && newer_or_equal "$have" "$min"; then
			echo "$(GOTOOLCHAIN=local go env GOROOT)/bin"
			exit 0
		fi
		;;
	esac
fi

dest=$cache/bootstrap-$want
if [ -x "$dest/bin/go" ]; then
	echo "$dest/bin"
	exit 0
fi

command -v go >/dev/null ||
	die "no go command on \$PATH; install one first (on Debian: apt-get install golang-go)"

case $(uname -s)-$(uname -m) in
Linux-x86_64) plat=linux-amd64 ;;
Linux-aarch64) plat=linux-arm64 ;;
*) die "no known Go toolchain module for $(uname -s)-$(uname -m)" ;;
esac
mod=golang.org/toolchain@v0.0.1-$want.$plat
echo "bootstrap-go.sh: $(go version 2>/dev/null | cut -d' ' -f3) is older than $min; fetching $mod" >&2

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/bootstrap.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
# A private module cache, so that the download is removed with $tmp;
# GOFLAGS=-modcacherw makes it deletable. Run outside any module.
dir=$(cd / && GOPATH="$tmp/gopath" GOFLAGS=-modcacherw GO111MODULE=on GOTOOLCHAIN=local \
	go mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] && [ -f "$dir/VERSION" ] || die "could not download $mod through the module proxy"
cp -r "$dir" "$tmp/go"
chmod -R u+w "$tmp/go"
chmod +x "$tmp/go/bin/"* "$tmp/go/pkg/tool/"*/*
"$tmp/go/bin/go" version >/dev/null || die "the downloaded $want does not run"
rm -rf "$dest"
mv "$tmp/go" "$dest"
echo "$dest/bin"
