# Shared helpers for the GOROOT scripts. Source it; do not run it.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$top/scripts/upstream.env"

cache=${MIRAGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mirago}
mkdir -p "$cache"

# vendor_omitted reports whether patches/vendor/omit.txt names the
# vendored file $1, given by its path below vendor/: by that path or by
# a shell pattern, whose * also matches a slash. The list is read on
# the first call.
vendor_omitted() {
	local p
	if [ -z "${vendor_omit_patterns+set}" ]; then
		mapfile -t vendor_omit_patterns < <(grep -v -e '^#' -e '^$' "$top/patches/vendor/omit.txt")
	fi
	for p in "${vendor_omit_patterns[@]}"; do
		# shellcheck disable=SC2053 # $p is a pattern
		[[ $1 == $p ]] && return 0
	done
	return 1
}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# hostgo is the machine's Go, used to fetch upstream, to bootstrap make.bash
# and to build the exec wrappers. It must not be Mirago's own go command.
hostgo() {
	env -u GOOS -u GOARCH -u GOFLAGS -u GOROOT GOTOOLCHAIN=local go "$@"
}

# pristine prints the directory of the upstream release's source, fetched
# as the official toolchain module through the module proxy; the go command
# verifies its checksum against the checksum database.
pristine() {
	local mod="golang.org/toolchain@v0.0.1-$GO_UPSTREAM.linux-amd64" out dir
	out=$(cd / && hostgo mod download -json "$mod" 2>&1) || true
	dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$out")
	[ -d "$dir/src" ] || die "cannot download $mod through the module proxy: $(sed -n 's/^[[:space:]]*"Error": //p' <<<"$out")"
	echo "$dir"
}

# copy_pristine DEST copies the source parts of the upstream release into
# DEST, which must not exist. The module's prebuilt bin/ and pkg/ are left
# out, and the go.mod files that module zips must rename are restored.
copy_pristine() {
	local src dest=$1 f
	src=$(pristine)
	mkdir -p "$dest"
	for f in src lib misc VERSION go.env LICENSE PATENTS; do
		[ -e "$src/$f" ] && cp -r "$src/$f" "$dest/"
	done
	chmod -R u+w "$dest"
	find "$dest" -name _go.mod | while read -r f; do mv "$f" "$(dirname "$f")/go.mod"; done
}

# hash_files prints one hash over the named files and directories, by
# path and content, in a stable order.
hash_files() {
	local p existing=()
	for p in "$@"; do
		[ -e "$top/$p" ] && existing+=("$p")
	done
	(cd "$top" && find "${existing[@]}" -type f | LC_ALL=C sort | while read -r f; do
		printf '%s\n' "$f"
		sha256sum <"$f"
	done) | sha256sum | cut -c1-16
}
