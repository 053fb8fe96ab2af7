#!/usr/bin/env bash
# goroot.sh assembles and builds the Mirago GOROOT and points _build/goroot
# at it:
#
#	pristine upstream (scripts/upstream.env) + patches/ + src/ overlay
#	+ sys/ and drivers/ vendored into std + exec wrappers in bin/
#
# Results are cached outside the checkout ($MIRAGO_CACHE, default
# ~/.cache/mirago) at two levels:
#
#	tools-KEY	bin/ and pkg/ from make.bash. KEY hashes only what the
#			host toolchain is built from that we change: the pin,
#			patches touching cmd/, go/ or the packages that list
#			the ports (internal/{syslist,platform,goos,buildcfg}),
#			and the overlay's src/cmd. Other overlay files build
#			only for GOOS=xen/solo5 (by name or build tag), and the
#			other patches (runtime, syscall, os, ...) only add those
#			GOOSes to build constraints or code paths; the go
#			command compiles all that from source on demand.
#	goroot-KEY	the assembled tree; KEY hashes every input.
#
# So an unchanged tree takes a second, a runtime edit a few seconds, and
# only toolchain edits pay for make.bash (about 6 minutes on 2 cores).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$top"
# Patches to the tools' sources, not counting those that touch only
# their tests (go/build's deps_test.go lists every std package).
toolpatches=$(for p in patches/*.patch; do
	if [ -e "$p" ] && awk '/^diff --git a\/src\/(cmd|go|internal\/(syslist|platform|goos|buildcfg))\// &&
		!/_test\.go |\/testdata\// { found = 1 } END { exit !found }' "$p"; then
		echo "$p"
	fi
done)
toolkey=$(hash_files scripts/upstream.env scripts/lib.sh $toolpatches src/cmd)
fullkey=$(hash_files scripts patches src sys drivers go.mod go.sum)
tools=$cache/tools-$GO_UPSTREAM-$toolkey
goroot=$cache/goroot-$GO_UPSTREAM-$fullkey

link() {
	mkdir -p "$top/_build"
	ln -sfn "$goroot" "$top/_build/goroot"
	echo "GOROOT: $top/_build/goroot -> $goroot"
}

if [ -f "$goroot/.mirago-ok" ]; then
	link
	exit 0
fi

tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t=$tmp/goroot

echo "assembling $GO_UPSTREAM + $(ls patches/*.patch 2>/dev/null | wc -l) patches + src/ overlay"
copy_pristine "$t"
for p in patches/*.patch; do
	[ -e "$p" ] || continue
	(cd "$t" && GIT_CEILING_DIRECTORIES="$tmp" git apply -p1 "$top/$p") ||
		die "$p does not apply to $GO_UPSTREAM"
done
cp -r src/. "$t/src/"

# Vendor our modules into std, as std vendors golang.org/x/...: the files
# under src/vendor/<module path>, a require line in src/go.mod and the
# package list in src/vendor/modules.txt.
vendor_module() {
	local dir=$1 mod pkgs
	mod=$(sed -n 's/^module //p' "$dir/go.mod")
	(cd "$dir" && find . -name '*.go' ! -name '*_test.go' ! -path '*/testdata/*') | while read -r f; do
		mkdir -p "$t/src/vendor/$mod/$(dirname "$f")"
		cp "$dir/$f" "$t/src/vendor/$mod/$f"
	done
	pkgs=$(cd "$dir" && find . -name '*.go' ! -name '*_test.go' ! -path '*/testdata/*' -printf '%h\n' | LC_ALL=C sort -u)
	sed -i "0,/^require (/s|^require (|&\\n\\t$mod v0.0.0|" "$t/src/go.mod"
	{
		echo "# $mod v0.0.0"
		echo "## explicit; go 1.27"
		for p in $pkgs; do
			echo "$mod${p#.}"
		done
	} >>"$t/src/vendor/modules.txt"
}
for m in sys drivers; do
	[ -f "$m/go.mod" ] && vendor_module "$m"
done

if [ ! -f "$tools/.mirago-ok" ]; then
	echo "building the toolchain with make.bash (tools key $toolkey)"
	(cd "$t/src" && env -u GOOS -u GOARCH -u GOFLAGS -u GOROOT -u GOPATH \
		GOROOT_BOOTSTRAP="$(hostgo env GOROOT)" bash make.bash)
	rm -rf "$tools.tmp"
	mkdir -p "$tools.tmp"
	cp -a "$t/bin" "$t/pkg" "$tools.tmp/"
	touch "$tools.tmp/.mirago-ok"
	rm -rf "$tools"
	mv "$tools.tmp" "$tools"
else
	echo "reusing toolchain $tools"
	cp -a "$tools/bin" "$tools/pkg" "$t/"
	# make.bash copies these headers for assembly; take the current ones.
	for h in "$t"/pkg/include/*.h; do
		[ -f "$t/src/runtime/$(basename "$h")" ] && cp "$t/src/runtime/$(basename "$h")" "$h"
	done
fi

# Exec wrappers, so that go run and go test boot images: the go command
# finds go_$GOOS_$GOARCH_exec on $PATH, which holds $GOROOT/bin.
if [ -d scripts/goexec ] && [ -f go.mod ]; then
	hostgo build -trimpath -o "$t/bin/mirago-exec" ./scripts/goexec
	for pair in xen_amd64 xen_arm64 solo5_amd64 solo5_arm64; do
		ln -s mirago-exec "$t/bin/go_${pair}_exec"
	done
fi

touch "$t/.mirago-ok"
rm -rf "$goroot"
mv "$t" "$goroot"
# Keep the newest few trees of each kind.
ls -dt "$cache"/goroot-* 2>/dev/null | tail -n +4 | xargs -r rm -rf
ls -dt "$cache"/tools-* 2>/dev/null | grep -v '\.tmp$' | tail -n +4 | xargs -r rm -rf
link
