#!/usr/bin/env bash
# upstream-export.sh writes the commits of _build/upstream after the
# pristine release back to patches/ as a git format-patch series. The
# options make the output a function of the commits alone, so assembling
# and exporting again gives the same files byte for byte.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=${MIRAGO_UPSTREAM_DIR:-$top/_build/upstream}
[ -d "$dir/.git" ] || die "no $dir; run scripts/upstream-edit.sh first"
export GIT_CEILING_DIRECTORIES=$(dirname "$dir")
[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
	echo "note: uncommitted changes in $dir are not exported" >&2
new=$(mktemp -d)
trap 'rm -rf "$new"' EXIT
git -C "$dir" -c diff.noprefix=false -c core.abbrev=12 format-patch -q \
	--zero-commit --no-signature --full-index --no-numbered --no-renames \
	--no-color --encoding=UTF-8 -o "$new" upstream..HEAD
# Replace the series file by file, so that a concurrent scripts/goroot.sh
# never sees an empty patches/ (it would still see a mix; run it again).
mkdir -p "$top/patches"
for f in "$top"/patches/*.patch; do
	[ -e "$f" ] && [ ! -e "$new/$(basename "$f")" ] && rm -f "$f"
done
for f in "$new"/*.patch; do
	[ -e "$f" ] && cp "$f" "$top/patches/"
done
echo "patches/: $(ls "$top"/patches/*.patch 2>/dev/null | wc -l) patches"
