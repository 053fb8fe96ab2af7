// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import (
	"internal/runtime/atomic"
	"unsafe"
)

// The machine contract.
//
// A GOOS=xen or GOOS=solo5 image is the only software on its machine,
// and one image meets several kinds of machine: a GOOS=xen image on
// amd64 boots as a PVH guest of QEMU, Firecracker or Cloud Hypervisor
// (a PC: a 16550 UART, the PIT and CMOS clock, I/O APICs, virtio) and
// as a PVH domain of Xen (hypercalls, shared info, event channels, the
// console ring); on arm64, under QEMU's virt machine and as a domain of
// Xen on Arm, as its device tree says. What differs between them is a
// platform, and this file states what a platform provides: the machine
// interface below. Each platform implements it in files of its own
// (machine_PLATFORM_GOOS_GOARCH.go, with what one platform shares
// across architectures in machine_PLATFORM_GOOS.go), and osinit picks
// one at boot (selectMachine), where one image serves several; the
// shared runtime files reach the machine only through mach.
//
// What one architecture does the same way on all of its platforms is
// not part of the interface, but each GOARCH provides it once, for all
// its platforms, under these names:
//
//	trapInit()          exception and interrupt entry (trap_GOOS_GOARCH.go)
//	minit()             enable interrupts on the M, start the tick
//	readRandom(p) int   the CPU's random number instructions
//	timerArm(when), timerDisarm()
//	                    the timer interrupt at nanotime when, or none
//	cli(), sti(), stihlt()
//	                    mask and unmask interrupts; unmask and wait
//
// and the page tables (page 0 unmapped): vmInit on amd64, which also
// protects the image's segments; on arm64 rt0 builds them, and vmInit
// replaces them with a map that protects the segments too. On GOOS=xen, tick_xen.go builds on the timer and the
// mask what the scheduler calls: idleWait(until), which halts until an
// interrupt or nanotime until, pollDevices (nothing: devices
// interrupt) and setThreadCPUProfiler. GOOS=solo5, whose tenders have
// no interrupts, provides those three itself (os_solo5.go).
//
// The tick, which preempts goroutines as sysmon would and drives the
// CPU profiler, and idleWait use the architecture's timer (the local
// APIC on amd64; the generic timer's virtual timer through the GIC on
// arm64), calibrated with the frequency the platform reports from
// init. A platform with a better timer of its own may take its place
// on amd64 (platformTimerArm): a Xen PVH domain uses Xen's.
//
// Memory is the RAM the boot memory map names, identity mapped: the
// heap grows over it with sbrk (mem_unikernel.go). Devices are found
// by the standard library (internal/devices), which asks the runtime
// which platform it is on (devices_platform) and waits for their
// interrupts through the lines of irq_unikernel.go.

// A machine is the platform under the runtime.
//
// Each platform implements it with pointer receivers, so that a call
// through the interface enters the method itself. A value receiver's
// method is entered through a wrapper that the compiler generates with
// a stack check, whatever the method's //go:nosplit, and nanotime,
// consolePutc, consoleFlush and exit are called where the stack must
// not grow: nanotime in exitsyscall, for one.
type machine interface {
	// name is the platform's name, for messages and for
	// internal/devices: "pc", "xen", ...
	name() string

	// init brings the platform up. osinit calls it after the traps,
	// the memory map and the break are set up, before the page
	// tables are replaced and before interrupts are enabled. It
	// returns the frequency in Hz of the CPU's cycle counter, which
	// the architecture's timer is programmed in.
	init() (cycleHz uint64)

	// consolePutc writes c to the console, which is standard output
	// and standard error, and consoleFlush sends what it holds on.
	// They are called from any context, trap handlers included, and
	// before init (the platform then uses its earliest channel), so
	// they must not allocate, lock or grow the stack. (A byte at a
	// time, because no pointer may pass through an interface call in
	// the runtime without escaping.)
	consolePutc(c byte)
	consoleFlush()

	// consoleRead moves console input that has arrived into p and
	// returns how much; consoleInputLine is the interrupt line that
	// fires when more may have arrived, 0 if the platform has no
	// console input (standard input then reads as empty).
	consoleRead(p []byte) int
	consoleInputLine() int

	// nanotime returns monotonic time in nanoseconds; walltime the
	// time of day. Both are called after init, from any context.
	nanotime() int64
	walltime() (sec int64, nsec int32)

	// exit stops the machine with the program's exit status, in a
	// way the host can read back. It does not return.
	exit(code int32)

	// cmdlineWord reports whether word of the kernel command line
	// is for the platform, which keeps what it needs of it; goenvs
	// leaves such words out of the environment and arguments.
	cmdlineWord(word string) bool

	// ramZeroed reports whether the RAM the loader hands over is
	// zeroed, as QEMU's is. Xen's is not (it does not scrub the
	// pages of a domain it is building), so sbrk clears what it hands
	// out there.
	ramZeroed() bool

	// lineEnable re-enables device interrupt line i (see
	// irq_unikernel.go), which the platform's interrupt handler
	// disabled when it fired; lineRouted reports whether line i has
	// a source.
	lineEnable(i int)
	lineRouted(i int) bool

	// cpuCount returns how many CPUs the runtime has (at most
	// maxCPUs), which is NumCPU; osinit calls it after init.
	// startCPUs starts the ones other than the boot CPU: each runs
	// its idle thread (cpuOnline), and the runtime's threads on the
	// shared run queue (thread_unikernel.go). m0's minit calls it,
	// once the heap is up.
	cpuCount() int
	startCPUs()
}

// mach is the platform the image runs on, set first thing in osinit.
var mach machine

// write1 writes fd 1 and 2 to the console.
//
//go:nosplit
func write1(fd uintptr, p unsafe.Pointer, n int32) int32 {
	if fd != 1 && fd != 2 {
		return -_EBADF
	}
	b := unsafe.Slice((*byte)(p), n)
	if inTrapHandler() {
		consoleWrite(b) // a handler's stack: nothing preempts it
		return n
	}
	// On g0: a goroutine preempted at a function call in the middle
	// of the write would keep the console from the other CPUs.
	systemstack(func() {
		consoleWrite(b)
	})
	return n
}

// consoleOwner is the CPU that writes to the console, plus one; 0 when
// none does. A write's bytes stay together, as a write(2) to a
// terminal's do on Linux, and a ring that Xen's console daemon shares
// sees one producer.
var consoleOwner uint32

//go:nosplit
func consoleWrite(b []byte) {
	me := uint32(1)
	if gp := getg(); gp != nil && gp.m != nil {
		me += uint32(gp.m.threadCPU)
	}
	// A trap handler that reports a fault in the middle of a write on
	// its CPU writes too, rather than wait for itself.
	mine := atomic.Load(&consoleOwner) == me
	if !mine {
		for !atomic.Cas(&consoleOwner, 0, me) {
			procyield(10)
		}
	}
	for _, c := range b {
		mach.consolePutc(c)
	}
	mach.consoleFlush()
	if !mine {
		atomic.Store(&consoleOwner, 0)
	}
}

const _EBADF = 9

//go:nosplit
func exit(code int32) {
	mach.exit(code)
}

//go:nosplit
func nanotime1() int64 {
	return mach.nanotime()
}

func walltime() (sec int64, nsec int32) {
	return mach.walltime()
}

// syscall_consoleRead reads standard input from the console: it waits
// until input arrives, or returns 0 (end of file) on a platform that
// has none.
//
//go:linkname syscall_consoleRead syscall.consoleRead
func syscall_consoleRead(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	for {
		if n := mach.consoleRead(p); n > 0 {
			return n
		}
		line := mach.consoleInputLine()
		if line == 0 {
			return 0
		}
		devices_waitIRQ(line, -1)
	}
}

// devices_nanotime gives internal/devices the clock, which it cannot
// take from package time (time imports syscall, which imports it).
//
//go:linkname devices_nanotime internal/devices.nanotime
func devices_nanotime() int64 {
	return nanotime()
}

// devices_platform tells internal/devices which platform it runs on,
// and so which devices to look for.
//
//go:linkname devices_platform internal/devices.platform
func devices_platform() string {
	return mach.name()
}

// fatalBoot reports a boot failure in one line and stops.
func fatalBoot(msg string) {
	print(GOOS, ": ", msg, "\n")
	exit(2)
}
