// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/goarch"
	"unsafe"
)

// GOOS=solo5: an image that a Solo5 tender loads and enters
// (rt0_solo5_GOARCH.s). The tender is a platform under the machine
// contract (machine_unikernel.go): spt, where the image runs as a
// Linux process confined by seccomp and the platform is a handful of
// system calls (machine_spt_solo5.go), or hvt, where it runs in a
// virtual machine of its own and the platform is a handful of
// hypercalls (machine_hvt_solo5.go). Both are written once for amd64
// and arm64; what differs is how a system call or a hypercall is made
// (sys_solo5_GOARCH.s) and a few layouts (os_solo5_GOARCH.go). The linker records the
// tender in the image, which the tender checks; the runtime tells
// them apart by where the boot information is.
//
// Neither tender gives the guest exceptions to take or a timer
// interrupt, and both hand over memory already mapped, so what a
// GOARCH provides for all its platforms is mostly empty here. In
// particular:
//
//   - There are no signals: a fault such as a wild pointer kills the
//     process with SIGSEGV under spt (the host's shell reports 139)
//     and stops the virtual machine under hvt. A nil dereference is
//     still a Go panic, because the compiler checks nil pointers
//     explicitly on GOOS=solo5.
//   - No goroutine is preempted, so a goroutine that loops without
//     calling into the runtime keeps the CPU, as on wasip1.
//   - The CPU profiler has no clock.
//   - Under spt, a system call instruction executed by the program
//     (SYSCALL, SVC) goes to the host kernel, and the tender's filter
//     kills the process for any call it does not allow (see
//     syscall_serveSyscalls).

// hostedMessage is printed by an image that is run as a Linux program
// instead of under a tender (hostedExit, in cpu_unikernel_amd64.s and
// sys_solo5_arm64.s), which then exits 126.
var hostedMessage = "this is a GOOS=solo5 image, not a Linux program: run it with its tender (solo5-spt or solo5-hvt IMAGE [ARGS...]) or go_solo5_" + goarch.GOARCH + "_exec IMAGE [ARGS...] (in $GOROOT/bin)\n"

// solo5BootInfo is the address of the tender's boot information, saved
// by rt0: struct spt_boot_info or struct hvt_boot_info.
var solo5BootInfo uintptr

// solo5HVT reports whether the tender is hvt. rt0 sets it, because on
// amd64 settls, which runs before osinit, sets the FS base differently.
var solo5HVT bool

// solo5StackReserve is the memory below the top of guest memory that
// the heap leaves to g0, which runs on the stack the tender set up
// there (rt0_go gives it 64 KiB).
const solo5StackReserve = 256 << 10

// solo5Devices has bit h set for each device handle h the tender
// attached. The runtime's interrupt line h is device h: the idle wait
// raises it when the tender reports the device ready.
var solo5Devices uint64

// solo5Console holds the console's output until a line, or as much as
// fits, is complete: each tender takes the console a write at a time
// (write(2) under spt, the puts hypercall under hvt) and each write is
// a system call or an exit from the virtual machine.
var solo5Console struct {
	buf [512]byte
	n   int
}

//go:nosplit
func solo5ConsolePutc(c byte) {
	solo5Console.buf[solo5Console.n] = c
	solo5Console.n++
	if solo5Console.n == len(solo5Console.buf) || c == '\n' {
		solo5ConsoleFlush()
	}
}

//go:nosplit
func solo5ConsoleFlush() {
	b := solo5Console.buf[:solo5Console.n]
	if solo5HVT {
		hvtPuts(b)
	} else {
		sptPuts(b)
	}
	solo5Console.n = 0
}

func osinit() {
	mach = selectMachine()
	physPageSize = 4096
	initBloc()
	if solo5HVT {
		hvtInit()
	} else {
		sptInit()
	}
	getg().m.procid = 1
	threadsInit()
	cpuHz = mach.init()
	machCPUs = int32(mach.cpuCount())
	numCPUStartup = getCPUCount()
}

// selectMachine returns the platform the image runs on: the tender
// whose boot information rt0 found.
func selectMachine() machine {
	if solo5HVT {
		return &hvtMachine{}
	}
	return &sptMachine{}
}

// The machine contract's per-architecture functions. A process has no
// traps to install and its memory is already mapped.

func minit() {
	if getg().m == &m0 {
		mach.startCPUs()
	}
}

// There are no interrupts to turn off: the tender reports device
// events only when asked, and only the idle thread and the scheduler
// ask (idleWait, pollDevices).

//go:nosplit
func intrOff() bool { return false }

//go:nosplit
func intrRestore(on bool) {}

// threadSwitchTrap has nothing to do: there are no traps.
func threadSwitchTrap(mp *m) {}

//go:nosplit
func inTrapHandler() bool { return false }

// There is no other CPU whose M to preempt, and no way to interrupt the
// one there is.
const preemptMSupported = false

func preemptM(mp *m) {}

// A tender gives the guest one CPU, and no tick.
type tickState struct{}

func cpuWake(c int) {}

// idleWait waits until nanotime reaches until (for ever if until < 0),
// or a device is ready.
func idleWait(until int64) {
	start := nanotime()
	if solo5HVT {
		hvtIdle(until)
	} else {
		sptIdle(until)
	}
	cpus[0].idleTime += nanotime() - start
}

// pollDevices looks for device events that raise no interrupt: a
// device is ready when the tender says so, and only the idle wait asks
// it, so the scheduler asks too (irqReadyWaiters) when it is busy,
// without waiting, so that a program whose goroutines keep the CPU
// busy still hears from its network device. Asking costs a system call
// or an exit from the virtual machine, and the scheduler looks at every
// park and yield, so only one look in solo5PollEvery asks.
func pollDevices() {
	if solo5Devices == 0 {
		return
	}
	solo5Polls++
	if solo5Polls%solo5PollEvery != 0 {
		return
	}
	if solo5HVT {
		hvtWait(0)
	} else {
		sptWait(0)
	}
}

// solo5Polls counts pollDevices calls.
var solo5Polls uint32

const solo5PollEvery = 16

func setProcessCPUProfiler(hz int32) {}

// setThreadCPUProfiler records the rate, but no samples are taken:
// there is no timer interrupt or signal to take them.
func setThreadCPUProfiler(hz int32) {
	getg().m.profilehz = hz
}

// syscall_serveSyscalls would serve the system call instruction, as on
// GOOS=xen (syscalltrap_xen_GOARCH.go). Under spt the instruction goes
// to the host kernel itself, which the runtime cannot intercept, and
// under hvt the guest has no exception vectors to take it, so only
// package syscall's own table (syscall.Syscall) serves Linux calls; raw
// system call instructions in a program kill it.
//
//go:linkname syscall_serveSyscalls syscall.serveSyscalls
func syscall_serveSyscalls(fn func(trap, a1, a2, a3, a4, a5, a6 uintptr) uintptr) {}

// Offsets in struct mft and struct mft_entry (Solo5's mft_abi.h; also
// mirago.dev/sys/solo5).
const (
	solo5MftEntries       = 4
	solo5MftHeader        = 8
	solo5MftEntrySize     = 104
	solo5MftEntryHostFD   = 88
	solo5MftEntryAttached = 96
)

// solo5Attached returns the set of handles of the devices the tender
// attached, as the manifest at mft lists them. The tender has checked
// the manifest (at most 64 entries).
func solo5Attached(mft uintptr) uint64 {
	if mft == 0 {
		return 0
	}
	n := *(*uint32)(unsafe.Pointer(mft + solo5MftEntries))
	var set uint64
	for h := uintptr(1); h < uintptr(n) && h <= maxIRQLine; h++ {
		if *(*bool)(unsafe.Pointer(mft + solo5MftHeader + h*solo5MftEntrySize + solo5MftEntryAttached)) {
			set |= 1 << h
		}
	}
	return set
}

// solo5Manifest returns the address of the tender's manifest, which
// both tenders' boot information holds.
func solo5Manifest() uintptr {
	if solo5HVT {
		return hvtBootInfo().mft
	}
	return sptBootInfo().mft
}

// sptHostFD returns the host descriptor that spt attached device h to.
func sptHostFD(h int) int32 {
	return *(*int32)(unsafe.Pointer(solo5Manifest() + solo5MftHeader + uintptr(h)*solo5MftEntrySize + solo5MftEntryHostFD))
}

// devices_solo5Manifest gives package internal/devices the manifest,
// which lists the devices and their properties.
//
//go:linkname devices_solo5Manifest internal/devices.solo5Manifest
func devices_solo5Manifest() unsafe.Pointer {
	return unsafe.Pointer(solo5Manifest())
}

// devices_solo5NetRead and devices_solo5NetWrite read a frame from and
// write a frame to the network device with handle h. They return at
// once, with a length or a negated Linux errno (EAGAIN: no frame to
// read, or no room). Under spt they are read(2) and write(2) on the
// device's host descriptor, which the tender made non-blocking and
// the filter allows only on network devices.
//
//go:linkname devices_solo5NetRead internal/devices.solo5NetRead
func devices_solo5NetRead(h int, p unsafe.Pointer, n int) int {
	if solo5HVT {
		return hvtNetRead(h, p, n)
	}
	return sptReadFD(sptHostFD(h), p, n)
}

//go:linkname devices_solo5NetWrite internal/devices.solo5NetWrite
func devices_solo5NetWrite(h int, p unsafe.Pointer, n int) int {
	if solo5HVT {
		return hvtNetWrite(h, p, n)
	}
	return sptWriteFD(sptHostFD(h), p, n)
}

// devices_solo5BlockRead and devices_solo5BlockWrite transfer one
// block at a block-aligned offset off of the block device with handle
// h, and return a length or a negated Linux errno. Under spt they are
// pread64(2) and pwrite64(2) on the device's host descriptor, a
// regular file, which the filter allows only for exactly that.
//
//go:linkname devices_solo5BlockRead internal/devices.solo5BlockRead
func devices_solo5BlockRead(h int, p unsafe.Pointer, n int, off int64) int {
	if solo5HVT {
		return hvtBlockIO(hvtCallBlockRead, h, p, n, off)
	}
	return sptPread(sptHostFD(h), p, n, off)
}

//go:linkname devices_solo5BlockWrite internal/devices.solo5BlockWrite
func devices_solo5BlockWrite(h int, p unsafe.Pointer, n int, off int64) int {
	if solo5HVT {
		return hvtBlockIO(hvtCallBlockWrite, h, p, n, off)
	}
	return sptPwrite(sptHostFD(h), p, n, off)
}

// syscall_memInfo tells package syscall (sysinfo(2)) how much guest
// memory there is and how much of it the runtime has not taken.
//
//go:linkname syscall_memInfo syscall.memInfo
func syscall_memInfo() (total, free uint64) {
	// mem_size is the first word of both tenders' boot information.
	total = *(*uint64)(unsafe.Pointer(solo5BootInfo))
	return total, min(ramFree(), total)
}
