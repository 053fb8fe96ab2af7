#!/usr/bin/env bash
# upstream-edit.sh makes _build/upstream: a git repository holding the
# pristine release as its first commit (tagged "upstream") and one commit
# per file in patches/. Edit upstream files there, one concern per commit
# (git commit --fixup and rebase -i --autosquash keep it that way), then run
# scripts/upstream-export.sh to write the series back to patches/.
# New files belong in src/, not here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=${MIRAGO_UPSTREAM_DIR:-$top/_build/upstream}
[ ! -e "$dir" ] || die "$dir exists; remove it first (rm -rf) if its commits are exported"
copy_pristine "$dir"
cd "$dir"
export GIT_CEILING_DIRECTORIES=$(dirname "$dir")
git init -q
git config user.name "Mirago"
git config user.email "mirago@localhost"
git config core.autocrlf false
git add -A
GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
	git commit -q -m "$GO_UPSTREAM"
git tag upstream
for p in "$top"/patches/*.patch; do
	[ -e "$p" ] || continue
	git am -q --keep-cr "$p" || die "$(basename "$p") does not apply"
done
echo "$dir: $(git rev-list --count upstream..HEAD) patches on $GO_UPSTREAM"
