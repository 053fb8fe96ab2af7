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
#			and the overlay's src/cmd, src/go (go/build is part
#			of the go command) and src/internal/syscall/unix
#			(make.bash copies it for its bootstrap toolchain).
#			Other overlay files build only for GOOS=xen/solo5 (by
#			name or build tag), and the other patches (runtime,
#			syscall, os, ...) only add those GOOSes to build
#			constraints or code paths; the go command compiles
#			all that from source on demand.
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
# Also our files in the packages make.bash copies for its bootstrap
# toolchain (cmd/dist's bootstrapDirs): it checks their imports whatever
# their build tags, so a new import there can break make.bash.
toolkey=$(hash_files scripts/upstream.env scripts/lib.sh $toolpatches src/cmd src/go src/internal/syscall/unix)
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

# The third-party packages that drivers/ imports (gVisor's TCP/IP stack
# and what it needs) are vendored the same way, from the module cache at
# the versions drivers/go.sum pins. The package set is the union over
# linux (make.bash builds every std package for the host) and wasip1 (a
# GOOS with no Unix files, as xen and solo5 have none). A module std
# vendors already must be at the same version; its packages join its
# entry.
vendor_deps() {
	local list mod ver gover pkg dir f
	list=$(cd drivers && for target in linux/amd64 linux/arm64 wasip1/wasm; do
		env -u GOFLAGS -u GOROOT GOTOOLCHAIN=local GOOS=${target%/*} GOARCH=${target#*/} \
			go list -deps -f '{{if and .Module (not .Standard)}}{{.Module.Path}} {{.Module.Version}} {{.Module.GoVersion}} {{.ImportPath}} {{.Dir}}{{end}}' ./...
	done | grep -v '^mirago\.dev/' | LC_ALL=C sort -u) || die "listing the packages drivers/ imports failed"
	while read -r mod ver gover pkg dir; do
		[ -n "$mod" ] || continue
		mkdir -p "$t/src/vendor/$pkg"
		for f in "$dir"/*.go "$dir"/*.s "$dir"/*.h; do
			case $f in *_test.go | *'*'*) continue ;; esac
			vendor_omitted "$pkg/$(basename "$f")" && continue
			cp "$f" "$t/src/vendor/$pkg/"
		done
		chmod -R u+w "$t/src/vendor/$pkg"
		if grep -q "^# $mod " "$t/src/vendor/modules.txt"; then
			grep -qx "# $mod $ver" "$t/src/vendor/modules.txt" ||
				die "std vendors $(grep "^# $mod " "$t/src/vendor/modules.txt" | cut -d' ' -f3), drivers/ needs $mod $ver"
			grep -qx "$pkg" "$t/src/vendor/modules.txt" && continue
			# Add the package after its module's two header lines.
			awk -v hdr="# $mod $ver" -v pkg="$pkg" '
				{ print }
				$0 == hdr { getline; print; print pkg }' "$t/src/vendor/modules.txt" >"$t/modules.txt"
			mv "$t/modules.txt" "$t/src/vendor/modules.txt"
		else
			printf '# %s %s\n## explicit; go %s\n%s\n' "$mod" "$ver" "$gover" "$pkg" >>"$t/src/vendor/modules.txt"
			sed -i "0,/^require (/s|^require (|&\\n\\t$mod $ver|" "$t/src/go.mod"
			for f in "${dir%%"${pkg#"$mod"}"}"/LICENSE*; do
				[ -f "$f" ] && cp "$f" "$t/src/vendor/$mod/"
			done
		fi
	done <<<"$list"
	# Our edits to them, as patches against the vendored files; the
	# files left out are in patches/vendor/omit.txt.
	for p in patches/vendor/*.patch; do
		[ -e "$p" ] || continue
		(cd "$t" && GIT_CEILING_DIRECTORIES="$tmp" git apply -p1 "$top/$p") ||
			die "$p does not apply to the vendored packages"
	done
}
[ -f drivers/go.mod ] && vendor_deps

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
