#!/usr/bin/env bash
# std-status.sh runs standard-library tests inside GOOS=xen GOARCH=amd64
# images (or those of another target) and writes a pass/fail table.
#
#	scripts/std-status.sh [-t GOOS/GOARCH] [-o FILE] [-j N] [-l DIR] [PACKAGE ...]
#
# -t is the target: xen/amd64 (the default, run in QEMU), xen/arm64 (run
# in qemu-system-aarch64) or solo5/amd64 (run under solo5-spt); -j runs N packages at once (each build and each
# guest uses one core); -l keeps each package's log in DIR.
#
# Each package's test binary is built with the Mirago toolchain
# (_build/goroot) and run once, with -test.short -test.v, through the
# exec wrapper. Tests listed in scripts/std-skip.txt are not run: they
# crash the whole binary (so nothing after them would run) for a reason
# given there. The table records, per package, the result and the
# failing tests, each with its reason from scripts/std-failures.txt or
# else its first message. For solo5, the files std-skip-solo5.txt and
# std-failures-solo5.txt add to those two; for xen/arm64,
# std-skip-arm64.txt and std-failures-arm64.txt.
# With no packages, it runs every std package that has tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out= jobs=1 logs= target=xen/amd64
while [ $# -gt 0 ]; do
	case $1 in
	-t) target=$2 ;;
	-o) out=$2 ;;
	-j) jobs=$2 ;;
	-l) logs=$2 ;;
	*) break ;;
	esac
	shift 2
done
[ -x "$top/_build/goroot/bin/go" ] || die "no _build/goroot; run make toolchain"
# The tree the link names now, so that a rebuild during the run does not
# mix two trees.
export PATH=$(readlink -f "$top/_build/goroot")/bin:$PATH
case $target in
xen/amd64)
	# The exec wrapper's default: the host's CPUs, up to 4.
	cpus=${MIRAGO_SMP:-$(($(nproc) < 4 ? $(nproc) : 4))}
	guest="one QEMU (TCG) boot on $cpus CPUs (MIRAGO_SMP=$cpus)" extra= ;;
xen/arm64) guest="one qemu-system-aarch64 (TCG) boot" extra=arm64 ;;
solo5/amd64) guest="one solo5-spt process" extra=solo5 ;;
*) die "-t $target: want xen/amd64, xen/arm64 or solo5/amd64" ;;
esac
export GOOS=${target%/*} GOARCH=${target#*/} GOFLAGS=
wrapper=go_${GOOS}_${GOARCH}_exec
# The lists of known skips and failures that apply to the target.
skipfiles=("$top/scripts/std-skip.txt") failfiles=("$top/scripts/std-failures.txt")
if [ -n "$extra" ]; then
	[ ! -e "$top/scripts/std-skip-$extra.txt" ] || skipfiles+=("$top/scripts/std-skip-$extra.txt")
	[ ! -e "$top/scripts/std-failures-$extra.txt" ] || failfiles+=("$top/scripts/std-failures-$extra.txt")
fi

pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
	mapfile -t pkgs < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' std | grep -v '^cmd/')
fi

skipfor() {
	awk -v p="$1" '$1 == p { print $2 }' "${skipfiles[@]}" | paste -sd'|'
}

started=$SECONDS
# The commit the run starts from; a dirty tree says so.
rev=$(git -C "$top" describe --always --dirty --abbrev=7)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$logs" ] || logs=$work/logs
mkdir -p "$logs" "$work/res"

# runpkg tests one package, writing one result line to $work/res/N.
runpkg() {
	local n=$1 p=$2
	local name log bin dir res skip status fails passes skips counts why f r t0 secs
	name=$(echo "$p" | tr / _)
	log=$logs/$name.log
	bin=$work/$name.test
	res=$work/res/$n
	dir=$(go list -f '{{.Dir}}' "$p")
	if ! (cd "$dir" && go test -short -c -o "$bin" . >"$log" 2>&1); then
		printf '%s\tbuild\t\t%s\n' "$p" "$(grep -m1 -v '^#' "$log" | cut -c1-120)" >"$res"
		echo "$p: build failed"
		return
	fi
	[ -x "$bin" ] || { printf '%s\tnotest\t\t\n' "$p" >"$res"; return; }
	skip=$(skipfor "$p")
	args=(-test.short -test.v -test.timeout=5m)
	[ -n "$skip" ] && args+=(-test.skip "$skip")
	status=0
	t0=$SECONDS
	(cd "$dir" && MIRAGO_TIMEOUT=6m "$wrapper" "$bin" "${args[@]}") >"$log" 2>&1 || status=$?
	secs=$((SECONDS - t0))
	rm -f "$bin"
	fails=$(grep -E '^--- FAIL' "$log" | awk '{print $3}' | paste -sd' ' | cut -c1-300 || true)
	passes=$(grep -cE '^\s*--- PASS' "$log" || true)
	skips=$(grep -cE '^\s*--- SKIP' "$log" || true)
	counts="$passes passed, $skips skipped"
	if [ $status -eq 0 ]; then
		printf '%s\tok\t%s\t%s\n' "$p" "$secs" "$counts" >"$res"
	else
		# Per failing test: the known reason, else its first message.
		why=
		for f in $fails; do
			r=$(awk -F'\t' -v p="$p" -v t="$f" '$1 == p && $2 == t { print $3; exit }' "${failfiles[@]}")
			[ -n "$r" ] || r=$(awk -v t="$f" '$1 == "===" && $2 == "RUN" { cur = $3 } cur ~ "^" t "(/|$)" && /^ +[^ ]+_test\.go:[0-9]+:/ && !/skipping/ { sub(/^ +/, ""); print; exit }' "$log" | cut -c1-160)
			why="$why$f: ${r:-see the log}; "
		done
		if [ -z "$fails" ]; then
			# The binary died before a test could fail: a crash,
			# a timeout or a reason recorded for the whole package.
			why=$(awk -F'\t' -v p="$p" '$1 == p && $2 == "*" { print $3; exit }' "${failfiles[@]}")
			[ -n "$why" ] || why=$(grep -m1 -E "^(panic:|fatal error:|$wrapper:)" "$log" | cut -c1-160 || true)
			[ -n "$why" ] || why="exit status $status: $(tail -n1 "$log" | cut -c1-120)"
		fi
		printf '%s\tFAIL\t%s\t%s; %s\n' "$p" "$secs" "$counts" "$why" >"$res"
	fi
	echo "$p: status $status in ${secs}s, $counts${fails:+, failed: $fails}"
}

n=0
for p in "${pkgs[@]}"; do
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	runpkg "$(printf '%04d' $n)" "$p" &
done
wait
results=$work/results
cat "$work"/res/* >"$results"

total=$(wc -l <"$results")
ok=$(awk -F'\t' '$2 == "ok"' "$results" | wc -l)
{
	echo "# Standard library tests in GOOS=$GOOS GOARCH=$GOARCH images"
	echo
	echo "Generated by \`scripts/std-status.sh -t $target -j $jobs$([ ${#@} -gt 0 ] && printf ' %s' "$@")\` (\`make std-status\`) on $(date -u +%Y-%m-%d)"
	echo "with $(go version | cut -d' ' -f3) + Mirago $rev."
	echo "Each package's tests ran with -short in $guest;"
	echo "the whole run took $(((SECONDS - started + 30) / 60)) minutes."
	echo
	echo "$ok of $total packages with tests pass ($((100 * ok / total))%)."
	echo
	echo "| package | result | seconds | details |"
	echo "|---|---|---|---|"
	sed 's/|/\\|/g; s/\t/ | /g; s/^/| /; s/$/ |/' "$results"
	echo
	echo "Tests not run (they stop the whole test binary), from $(for f in "${skipfiles[@]}"; do printf 'scripts/%s ' "$(basename "$f")"; done | sed 's/ $//'):"
	echo
	cat "${skipfiles[@]}" | grep -v '^#' | sed 's/^/    /'
} >"$work/table.md"
if [ -n "$out" ]; then
	cp "$work/table.md" "$out"
else
	cat "$work/table.md"
fi
echo "$ok passed, $((total - ok)) failed"
