// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestSMPRuntime runs the runtime probes on 2 and 4 CPUs (MIRAGO_SMP:
// QEMU's -smp, with multi-threaded TCG): the runtime finds the CPUs,
// starts them, and GOMAXPROCS defaults to their number; goroutines,
// collections, timers, preemption, faults and running out of memory
// behave as on one.
func TestSMPRuntime(t *testing.T) {
	for _, n := range []int{2, 4} {
		smp := fmt.Sprintf("MIRAGO_SMP=%d", n)
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			wantRun(t, probe(t, []string{smp}, "info"), 0,
				fmt.Sprintf("NumCPU=%d GOMAXPROCS=%d ", n, n))
			wantRun(t, probe(t, []string{smp, "GODEBUG=gctrace=1"}, "gc"), 0, "collected", "gc 3 @", fmt.Sprintf(" %d P (forced)", n))
			wantRun(t, probe(t, []string{smp}, "churn"), 0, "churned 10000 buffers in 100 goroutines")
			r := probe(t, []string{smp}, "sleep")
			wantRun(t, r, 0)
			req, obs := slept(t, r)
			if len(obs) != 4 {
				t.Errorf("%d sleeps, want 4:\n%s", len(obs), r)
			}
			for i := range obs {
				if obs[i] < req[i] {
					t.Errorf("slept %v, asked for %v:\n%s", obs[i], req[i], r)
				}
			}
			// Eight goroutines that never call a function, on fewer
			// CPUs: the tick preempts them, and the sleeper runs.
			wantRun(t, probe(t, []string{smp}, "spin8"), 0, "slept ")
			wantRun(t, probe(t, []string{smp}, "locked"), 0, "locked ok")
			wantRun(t, probe(t, []string{smp}, "nil"), 0, "recovered: runtime error: invalid memory address or nil pointer dereference")
			wantRun(t, probe(t, []string{smp}, "divide"), 0, "recovered: runtime error: integer divide by zero")
			wantRun(t, probe(t, []string{smp, "MIRAGO_MEM=64M"}, "oom"), 2, "fatal error: out of memory")
			wantRun(t, probe(t, []string{smp}, "parallel", "4"), 0, "parallel 4 ")
		})
	}
}

// TestSMPDefault boots an image as go run and go test do, with no
// MIRAGO_SMP: the guest gets the host's CPUs up to 4, and GOMAXPROCS
// follows them, as for the same program run on the host.
func TestSMPDefault(t *testing.T) {
	n := min(runtime.NumCPU(), 4)
	wantRun(t, probe(t, nil, "info"), 0, fmt.Sprintf("NumCPU=%d GOMAXPROCS=%d ", n, n))
}

// TestSMPSyscall executes the SYSCALL instruction, as Linux code does
// (golang.org/x/sys/unix), on each of 4 CPUs at once: every CPU must
// enable it and send it to the guest's system calls, not only the boot
// CPU.
func TestSMPSyscall(t *testing.T) {
	r := mgoEnv(t, progsDir(t), "xen/amd64", []string{"MIRAGO_SMP=4"}, "test", "-count=1", "-v", "-run", "^TestSyscallEveryCPU$", "./linuxapi")
	if r.code != 0 || !strings.Contains(r.stdout, "--- PASS: TestSyscallEveryCPU") {
		t.Errorf("go test -run TestSyscallEveryCPU ./linuxapi on 4 CPUs: exit status %d, want 0 and a pass:\n%s", r.code, r)
	}
}

// TestSMPRuntimeInternals runs, in one build of the runtime's tests
// (about 30 s of the test's time), two of them on 4 CPUs:
//
//   - TestIdleMsOnMutexWaitList, of the idle threads' Ms. A trap handler
//     on an idle CPU runs as that M and can wait for a runtime lock;
//     when the Ms were not allocated as the scheduler's are, the lock
//     woke the wrong address, and an NMI's goroutine dump hung in about
//     one boot in ten.
//   - TestIOAPICPinsAcrossCPUs, of the I/O APIC's registers, reached
//     through an index and a data window: without a lock around each
//     pair, CPUs that set two pins at once wrote each other's pin in
//     about 4% of 40,000 tries.
func TestSMPRuntimeInternals(t *testing.T) {
	tests := []struct{ name, log string }{
		{"TestIdleMsOnMutexWaitList", "4 CPUs have an idle M"},
		{"TestIOAPICPinsAcrossCPUs", "each set 20000 times by its own goroutine"},
	}
	var names []string
	for _, tt := range tests {
		names = append(names, tt.name)
	}
	r := mgoEnv(t, progsDir(t), "xen/amd64", []string{"MIRAGO_SMP=4"}, "test", "-count=1", "-v", "-run", "^("+strings.Join(names, "|")+")$", "runtime")
	for _, tt := range tests {
		if r.code != 0 || !strings.Contains(r.stdout, "--- PASS: "+tt.name) || !strings.Contains(r.stdout, tt.log) {
			t.Errorf("go test -run %s runtime on 4 CPUs: exit status %d, want 0 and a pass that logs %q:\n%s", tt.name, r.code, tt.log, r)
		}
	}
}

// TestArm64SMPRuntimeInternals runs the runtime's test of routing
// device interrupts from several CPUs at once on arm64, under a GICv2
// and a GICv3: without a lock around the routing, goroutines on 2 CPUs
// routing 4 SPIs gave two of them one line in 3 runs of 3.
func TestArm64SMPRuntimeInternals(t *testing.T) {
	for _, gic := range []string{"2", "3"} {
		t.Run("gicv"+gic, func(t *testing.T) {
			vars := []string{"MIRAGO_SMP=4", "MIRAGO_QEMU_FLAGS=-M virt,gic-version=" + gic}
			r := mgoEnv(t, progsDir(t), "xen/arm64", vars, "test", "-count=1", "-v", "-run", "^TestGICRouteAcrossCPUs$", "runtime")
			if r.code != 0 || !strings.Contains(r.stdout, "--- PASS: TestGICRouteAcrossCPUs") || !strings.Contains(r.stdout, "each to a line of its own") {
				t.Errorf("go test -run TestGICRouteAcrossCPUs runtime on 4 CPUs with a GICv%s: exit status %d, want 0 and a pass:\n%s", gic, r.code, r)
			}
		})
	}
}

// TestSMPStress passes messages between 1000 goroutines on 4 CPUs for
// a minute (rtprobe stress): every second some message moves, and every
// goroutine stops when told to. A lost wakeup or a deadlock in the
// scheduler, the thread switches or the IPIs ends it early, or hangs it
// until the wrapper's timeout dumps the goroutines.
func TestSMPStress(t *testing.T) {
	r := probe(t, []string{"MIRAGO_SMP=4", "MIRAGO_TIMEOUT=3m"}, "stress", "60s")
	wantRun(t, r, 0, "stress ok: ", " on 4 CPUs")
	t.Log(strings.TrimSpace(r.stdout))
}

// smpStdSample is the part of the standard library whose tests run on
// 2 CPUs on every change; smpSweep (make test-smp) adds the runtime's
// and net/http's, on 2 and on 4 CPUs.
var smpStdSample = []string{"sync", "sync/atomic", "context"}

// TestSMPStdPackages runs go test -short on smpStdSample for xen/amd64
// with MIRAGO_SMP=2, so with GOMAXPROCS 2, and requires each package
// to pass, less the tests the lists of known failures give.
func TestSMPStdPackages(t *testing.T) {
	testStdOnCPUs(t, "xen/amd64", smpStdSample, 2)
}

// testStdOnCPUs runs go test -short on pkgs in VMs of platform with n
// CPUs.
func testStdOnCPUs(t *testing.T, platform string, pkgs []string, n int) {
	t.Helper()
	skip, whole := knownStdFailures(t, pkgs, "xen")
	if len(whole) > 0 {
		t.Errorf("the lists of known failures stop whole packages: %v", whole)
	}
	args := []string{"test", "-short", "-timeout", "20m"}
	if len(skip) > 0 {
		args = append(args, "-skip", strings.Join(skip, "|"))
	}
	vars := []string{fmt.Sprintf("MIRAGO_SMP=%d", n), "MIRAGO_TIMEOUT=21m"}
	r := mgoEnv(t, progsDir(t), platform, vars, append(args, pkgs...)...)
	wantStdPass(t, r, pkgs, fmt.Sprintf("on %d CPUs", n))
}

// TestArm64SMP runs the runtime probes, the message stress and the
// tests of sync on several CPUs of QEMU's virt machine, which the
// runtime finds in the device tree and starts with PSCI: on 2 with a
// GICv2 and on 4 with a GICv3, whose interrupts (the CPUs' timers,
// the SGIs that wake and preempt) differ.
func TestArm64SMP(t *testing.T) {
	for _, tt := range []struct {
		n   int
		gic string
	}{{2, "2"}, {4, "3"}} {
		t.Run(fmt.Sprintf("%d-gicv%s", tt.n, tt.gic), func(t *testing.T) {
			e := []string{fmt.Sprintf("MIRAGO_SMP=%d", tt.n), "MIRAGO_QEMU_FLAGS=-M virt,gic-version=" + tt.gic}
			with := func(vars ...string) []string { return append(vars, e...) }
			wantRun(t, probeArm64(t, e, "info"), 0, fmt.Sprintf("NumCPU=%d GOMAXPROCS=%d ", tt.n, tt.n))
			wantRun(t, probeArm64(t, with("GODEBUG=gctrace=1"), "gc"), 0, "collected", "gc 3 @", fmt.Sprintf(" %d P (forced)", tt.n))
			wantRun(t, probeArm64(t, e, "churn"), 0, "churned 10000 buffers in 100 goroutines")
			r := probeArm64(t, e, "sleep")
			wantRun(t, r, 0)
			if req, obs := slept(t, r); len(obs) != 4 {
				t.Errorf("%d sleeps, want 4:\n%s", len(obs), r)
			} else {
				for i := range obs {
					if obs[i] < req[i] {
						t.Errorf("slept %v, asked for %v:\n%s", obs[i], req[i], r)
					}
				}
			}
			wantRun(t, probeArm64(t, e, "spin8"), 0, "slept ")
			wantRun(t, probeArm64(t, e, "locked"), 0, "locked ok")
			wantRun(t, probeArm64(t, e, "nil"), 0, "recovered: runtime error: invalid memory address or nil pointer dereference")
			wantRun(t, probeArm64(t, with("MIRAGO_MEM=64M"), "oom"), 2, "fatal error: out of memory")
			wantRun(t, probeArm64(t, e, "parallel", "4"), 0, "parallel 4 ")
			r = probeArm64(t, with("MIRAGO_TIMEOUT=3m"), "stress", "20s")
			wantRun(t, r, 0, "stress ok: ", fmt.Sprintf(" on %d CPUs", tt.n))
			t.Log(strings.TrimSpace(r.stdout))
		})
	}
	t.Run("sync", func(t *testing.T) {
		testStdOnCPUs(t, "xen/arm64", []string{"sync"}, 2)
	})
}
