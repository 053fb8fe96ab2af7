# Mirago: see README.md. Every target that builds something first makes
# sure the host tools are there (scripts/deps.sh: QEMU, git, a host Go
# new enough to bootstrap go1.27) and puts that Go first on PATH.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

GOROOT_DIR := $(CURDIR)/_build/goroot
# The host Go, for the toolchain build and the host tests.
HOSTGO = PATH="$$($(CURDIR)/scripts/bootstrap-go.sh):$$PATH"
# The Mirago go command first on PATH, with its exec wrappers.
MIRAGO = PATH="$(GOROOT_DIR)/bin:$$($(CURDIR)/scripts/bootstrap-go.sh):$$PATH"

# Our Go code outside the fork's src/ (which is std, not a module).
GO_DIRS := sys drivers scripts examples test
ROOT_PKGS := ./scripts/... ./examples/... ./test/...

.PHONY: all deps toolchain demo test test-host vet patches bench std-status syscall-api clean clean-cache xen test-xen test-smp docker test-docker

all: toolchain

deps:
	scripts/deps.sh

toolchain: deps
	$(HOSTGO) scripts/goroot.sh

# Run from the program's directory: the exec wrapper mounts the working
# directory in the VM, and the repository root is too large for that.
demo: toolchain
	cd examples/hello && $(MIRAGO) GOOS=xen GOARCH=amd64 go run . a b

# Host tests of the modules and the exec wrapper: no toolchain needed.
test-host: deps
	cd sys && $(HOSTGO) go test ./...
	cd drivers && $(HOSTGO) go test ./...
	$(HOSTGO) go test ./scripts/...

vet: deps
	cd sys && $(HOSTGO) go vet ./...
	cd drivers && $(HOSTGO) go vet ./...
	$(HOSTGO) go vet $(ROOT_PKGS)
	$(HOSTGO) go vet -tags xenharness ./test/...
	$(HOSTGO) go vet -tags dockerharness ./test/...
	@bad=$$($(HOSTGO) gofmt -l $(GO_DIRS)); \
	if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi

# The integration tests drive _build/goroot; -v shows each step and
# each command a failing test ran. Then the tests on real Xen, as
# test-xen runs them: this is the command .ci/run and the README give.
test: toolchain test-host vet xen
	$(HOSTGO) go test -count=1 -v -timeout 75m ./test/...
	$(HOSTGO) go test -count=1 -v -tags xenharness -run '^(TestXen|TestSolo5HVT|TestSolo5Arm64Tenders)' -timeout 30m ./test/
	$(HOSTGO) scripts/docker.sh test

# The toolchain image (Dockerfile), built with a real Docker daemon:
# scripts/docker.sh uses the one `docker info` reaches, or starts
# Debian's. test-docker builds it and runs test/docker_test.go on it.
docker: deps
	$(HOSTGO) scripts/docker.sh build

test-docker: toolchain
	$(HOSTGO) scripts/docker.sh test

# The real-Xen harness (scripts/xen, docs/xen.md): Debian 12's Xen 4.17
# and a Linux dom0, nested in QEMU, for amd64 and for arm64, built into
# the cache by input key; about a minute each the first time, nothing
# after.
xen: deps
	$(HOSTGO) go run ./scripts/xen build
	$(HOSTGO) go run ./scripts/xen build -arch arm64

# The tests on real Xen (test/xen_test.go, test/xen_mirago_test.go,
# test/xenarm_test.go), about 20 s per Xen boot.
test-xen: toolchain xen
	$(HOSTGO) go test -count=1 -v -tags xenharness -run '^(TestXen|TestSolo5HVT|TestSolo5Arm64Tenders)' -timeout 30m ./test/

# The SMP sweep (test/smpsweep_test.go): go test -short of runtime,
# sync, sync/atomic, context and net/http on 2 and on 4 CPUs.
test-smp: toolchain
	$(HOSTGO) go test -count=1 -v -tags smpsweep -run '^TestSMPSweep$$' -timeout 60m ./test/

patches:
	scripts/upstream-export.sh

# Standard-library tests in the VM, one boot per package: all packages
# with tests unless PKGS names some (e.g. PKGS=runtime), STD_JOBS at a
# time. About 20 minutes on two cores. STD_TARGET=solo5/amd64 runs them
# under solo5-spt instead (as root, for the tap devices of net's tests)
# and writes docs/std-status-solo5.md; STD_TARGET=xen/arm64 runs them in
# qemu-system-aarch64 and writes docs/std-status-arm64.md.
STD_JOBS ?= $(shell nproc)
STD_TARGET ?= xen/amd64
STD_OUT = docs/std-status$(if $(filter xen/amd64,$(STD_TARGET)),,$(if $(filter xen/arm64,$(STD_TARGET)),-arm64,-$(firstword $(subst /, ,$(STD_TARGET))))).md
std-status: toolchain
	$(if $(filter solo5/%,$(STD_TARGET)),scripts/solo5-tenders.sh >/dev/null)
	$(HOSTGO) scripts/std-status.sh -t $(STD_TARGET) -j $(STD_JOBS) -o $(STD_OUT) $(PKGS)

# What package syscall exports for linux/amd64 and not for xen/amd64
# (issue 12), from the sources of the assembled GOROOT.
syscall-api: toolchain
	$(MIRAGO) go run ./scripts/syscallapi -goroot $(GOROOT_DIR) -o docs/syscall-api.md

bench: toolchain
	$(HOSTGO) scripts/bench-skeleton.sh

# How a CPU-bound program scales from 1 to 2 CPUs (scripts/bench-smp.sh);
# about a minute.
.PHONY: bench-smp
bench-smp: toolchain
	$(HOSTGO) scripts/bench-smp.sh

# The HTTP server on the host, in a Linux VM, as a Mirago image and under
# solo5-spt (as root), side by side (scripts/bench/run.sh), in three
# interleaved rounds with the median of each round's ratios; about six
# minutes. Not on toolchain: the Mirago and spt columns use whatever
# _build/goroot holds, or say why not.
.PHONY: bench-http bench-http-tap
bench-http: deps
	$(HOSTGO) scripts/bench/run.sh

# The same with both VMs on a tap device rather than QEMU's user-mode
# networking (as root).
bench-http-tap: deps
	BENCH_NET=tap $(HOSTGO) scripts/bench/run.sh

# What a boot costs under TCG, in guest instructions QEMU translated
# up to the program's start, its main.main and the first response, for
# the Linux VM and Mirago (scripts/bench/run.sh -insns); one boot each.
.PHONY: bench-insns
bench-insns: deps
	$(HOSTGO) scripts/bench/run.sh -insns -only linux-vm,mirago

# The server's size as a linux/amd64 binary, the same with gVisor's
# stack linked in, and as a Mirago image (scripts/bench/size.sh); about
# ten seconds once gVisor is in the module cache.
.PHONY: bench-size
bench-size: toolchain
	$(HOSTGO) scripts/bench/size.sh

# The smallest -m with which the Mirago form of that server serves its
# loads (scripts/bench/minmem.sh); a bisection, about two minutes.
.PHONY: bench-minmem
bench-minmem: deps
	$(HOSTGO) scripts/bench/minmem.sh

# The same server as a Mirago domU and as a Linux PVH domU under the
# same nested Xen (scripts/bench/xen); about five minutes.
.PHONY: bench-xen
bench-xen: toolchain xen
	$(HOSTGO) go run ./scripts/bench/xen

# clean removes the link to the built GOROOT; the build cache it points
# into (~/.cache/mirago, or $MIRAGO_CACHE) stays, so the next
# `make toolchain` takes seconds. _build/upstream is never removed here:
# it may hold patch edits not yet exported.
clean:
	rm -f _build/goroot

clean-cache: clean
	rm -rf "$${MIRAGO_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/mirago}"
