// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import _ "unsafe" // for go:linkname

// GOOS=solo5 on amd64: an image that a Solo5 tender loads and enters
// (rt0_solo5_amd64.s). Only the spt tender is implemented: the image
// runs as a Linux process confined by seccomp, and the platform
// (machine_spt_solo5_amd64.go) is a handful of system calls. What a
// GOARCH provides for all its platforms under the machine contract
// (machine_unikernel.go) is therefore mostly empty here: a process has
// no exceptions to take, no page tables to build and no timer
// interrupt. In particular:
//
//   - There are no signals: a fault such as a nil pointer dereference
//     kills the process with SIGSEGV (the host's shell reports 139)
//     instead of becoming a Go panic, and no goroutine is preempted,
//     so a goroutine that loops without calling into the runtime
//     keeps the CPU, as on wasip1.
//   - The CPU profiler has no clock.
//   - A SYSCALL instruction executed by the program goes to the host
//     kernel, and the tender's filter kills the process for any call
//     it does not allow (see syscall_serveSyscalls).

// hostedMessage is printed by an image that is run as a Linux program
// instead of under a tender (hostedExit, cpu_unikernel_amd64.s), which
// then exits 126.
var hostedMessage = "this is a GOOS=solo5 image, not a Linux program: run it with solo5-spt IMAGE [ARGS...] or go_solo5_amd64_exec IMAGE [ARGS...] (in $GOROOT/bin)\n"

func osinit() {
	mach = selectMachine()
	physPageSize = 4096
	initBloc()
	sptInit()
	numCPUStartup = getCPUCount()
	getg().m.procid = 1
	cpuHz = mach.init()
}

// selectMachine returns the platform the image runs on. rt0 has taken
// the boot information from spt's entry; hvt is not implemented (the
// linker refuses -solo5=hvt).
func selectMachine() machine {
	return sptMachine{}
}

// The machine contract's per-architecture functions. A process has no
// traps to install and its memory is already mapped.

func minit() {}

// idleWait waits until nanotime reaches until (for ever if until < 0).
func idleWait(until int64) {
	start := nanotime()
	sptIdle(until)
	idleTotal += nanotime() - start
}

// pollDevices looks for device events that raise no interrupt: under
// spt a device is ready when epoll says so, and only the idle wait
// asks it, so the scheduler asks too (irqReadyWaiters) when it is
// busy.
func pollDevices() { sptPoll() }

// idleTotal is the time idleWait has waited since boot.
var idleTotal int64

func setProcessCPUProfiler(hz int32) {}

// setThreadCPUProfiler records the rate, but no samples are taken:
// there is no timer interrupt or signal to take them.
func setThreadCPUProfiler(hz int32) {
	getg().m.profilehz = hz
}

// syscall_serveSyscalls would serve the SYSCALL instruction, as on
// GOOS=xen (syscalltrap_xen_amd64.go). Under spt the instruction goes
// to the host kernel itself, which the runtime cannot intercept, so
// only package syscall's own table (syscall.Syscall) serves Linux
// calls; raw SYSCALL instructions in a program kill it.
//
//go:linkname syscall_serveSyscalls syscall.serveSyscalls
func syscall_serveSyscalls(fn func(trap, a1, a2, a3, a4, a5, a6 uintptr) uintptr) {}
