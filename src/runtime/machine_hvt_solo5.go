// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/sys"
	"math/bits"
	"unsafe"
)

// The hvt platform: the image runs in a virtual machine of its own
// under the solo5-hvt tender (KVM on Linux, bhyve, vmm). The tender
// enters the image in its most privileged mode (ring 0 on amd64, EL1
// on arm64) with interrupts disabled, the MMU on with page tables of
// its own that identity-map guest memory, and the boot information at
// 0x10000. The machine has no devices and no interrupts: everything
// goes through hypercalls, each a 32-bit write of the guest address of
// the call's arguments to a port or MMIO address for call n
// (hvtHypercall, sys_solo5_GOARCH.s). (Layouts: Solo5's
// include/hvt_abi.h, also defined in mirago.dev/sys/solo5.) Time is
// the cycle counter (cputicks: the TSC on amd64, the generic timer's
// count on arm64), at the frequency the tender reports.
//
// There are no exception vectors: the tender installs none, and a
// guest with nothing to interrupt it needs none for interrupts. An
// exception therefore stops the virtual machine (the tender reports an
// unhandled exit); the compiler checks nil pointers explicitly on
// GOOS=solo5, so a nil dereference is a Go panic as under spt.

// hvtBootInfoAddr is where the hvt tender puts the boot information;
// spt's is elsewhere (0x11000), which is how rt0 and selectMachine
// tell the tenders apart.
const hvtBootInfoAddr = 0x10000

// hvtBootInfoT is struct hvt_boot_info.
type hvtBootInfoT struct {
	memSize       uint64 // end of guest memory
	kernelEnd     uint64 // end of the image's segments
	cpuCycleFreq  uint64 // cputicks' frequency, Hz
	cmdline       uintptr
	mft           uintptr // the manifest, with the devices attached
	hostFeatures  uint32
	guestFeatures uint32
	netRing       uintptr
}

// Hypercalls (enum hvt_hypercall).
const (
	hvtCallWalltime   = 1
	hvtCallPuts       = 2
	hvtCallPoll       = 3
	hvtCallBlockWrite = 4
	hvtCallBlockRead  = 5
	hvtCallNetWrite   = 6
	hvtCallNetRead    = 7
	hvtCallHalt       = 8
)

// Results of a hypercall (solo5_result_t).
const (
	solo5OK     = 0
	solo5Again  = 1
	solo5Inval  = 2
	solo5Unspec = 3
)

// The hypercalls' arguments (struct hvt_hc_*).
type hvtPutsArgs struct {
	data uintptr
	len  uint64
}

type hvtPollArgs struct {
	timeout  uint64 // ns, relative
	readySet uint64
	ret      int32
}

type hvtHaltArgs struct {
	cookie uintptr
	status int32
}

type hvtNetArgs struct {
	handle uint64
	data   uintptr
	len    uint64
	ret    int32
}

type hvtBlockArgs struct {
	handle uint64
	offset uint64
	data   uintptr
	len    uint64
	ret    int32
}

func hvtBootInfo() *hvtBootInfoT {
	return (*hvtBootInfoT)(unsafe.Pointer(solo5BootInfo))
}

// hvtInit reads the boot information: the command line, the heap's
// memory and the devices.
func hvtInit() {
	bi := hvtBootInfo()
	if bi.cmdline != 0 {
		p := (*byte)(unsafe.Pointer(bi.cmdline))
		bootCmdline = unsafe.String(p, findnull(p))
	}
	solo5Devices = solo5Attached(bi.mft)

	// The heap is the guest memory between the image and the stack,
	// which the tender put at the top of guest memory, as spt does.
	bloc = max(bloc, alignUp(uintptr(bi.kernelEnd), physPageSize))
	blocMax = alignDown(uintptr(bi.memSize)-solo5StackReserve, physPageSize)
	if blocMax <= bloc || blocMax-bloc < 4<<20 {
		fatalBoot("less than 4 MiB of guest memory after the image (solo5-hvt --mem)")
	}
}

type hvtMachine struct{}

func (*hvtMachine) name() string { return "hvt" }

// hvtClock converts cycle counter ticks to the monotonic clock, and holds the
// time of day at the clock's zero.
var hvtClock struct {
	tickBase  uint64
	tickNsMul uint64 // ns = ticks * tickNsMul >> 32
	wallBase  int64  // walltime at nanotime 0, ns
}

// init starts the clocks from the counter's frequency the tender
// reports (KVM's TSC frequency for the virtual CPU on amd64, CNTFRQ_EL0
// on arm64) and the time of day it reports.
func (m *hvtMachine) init() uint64 {
	hz := hvtBootInfo().cpuCycleFreq
	if hz == 0 {
		fatalBoot("the hvt tender reported no cycle counter frequency")
	}
	hvtClock.tickNsMul = (1e9 << 32) / hz
	hvtClock.tickBase = uint64(cputicks())
	var wt uint64 // struct hvt_hc_walltime
	hvtHypercall(hvtCallWalltime, unsafe.Pointer(&wt))
	hvtClock.wallBase = int64(wt) - m.nanotime()
	return hz
}

//go:nosplit
func (*hvtMachine) consolePutc(c byte) { solo5ConsolePutc(c) }

//go:nosplit
func (*hvtMachine) consoleFlush() { solo5ConsoleFlush() }

// hvtPuts writes b to the console, the tender's standard output.
//
//go:nosplit
func hvtPuts(b []byte) {
	if len(b) == 0 {
		return
	}
	a := hvtPutsArgs{data: uintptr(unsafe.Pointer(&b[0])), len: uint64(len(b))}
	hvtHypercall(hvtCallPuts, unsafe.Pointer(&a))
}

// hvt has no console input: standard input reads as empty.
func (*hvtMachine) consoleRead(p []byte) int { return 0 }
func (*hvtMachine) consoleInputLine() int    { return 0 }

//go:nosplit
func (*hvtMachine) nanotime() int64 {
	hi, lo := bits.Mul64(uint64(cputicks())-hvtClock.tickBase, hvtClock.tickNsMul)
	return int64(hi<<32 | lo>>32)
}

//go:nosplit
func (m *hvtMachine) walltime() (sec int64, nsec int32) {
	ns := hvtClock.wallBase + m.nanotime()
	return ns / 1e9, int32(ns % 1e9)
}

// exit halts the virtual machine; the tender exits with code.
//
//go:nosplit
func (*hvtMachine) exit(code int32) {
	solo5ConsoleFlush()
	a := hvtHaltArgs{status: code}
	hvtHypercall(hvtCallHalt, unsafe.Pointer(&a))
	for {
	}
}

func (*hvtMachine) cmdlineWord(word string) bool { return false }

// The tender's guest memory is an anonymous mapping: zeroed.
func (*hvtMachine) ramZeroed() bool { return true }

// The hvt ABI gives the guest one CPU.
func (*hvtMachine) cpuCount() int { return 1 }
func (*hvtMachine) startCPUs()    {}

// A device's line is its handle, as under spt, and the poll hypercall
// reports a device ready until its driver has read all it has.
func (*hvtMachine) lineEnable(i int) {}

func (*hvtMachine) lineRouted(i int) bool {
	return i > 0 && i <= maxIRQLine && solo5Devices&(1<<i) != 0
}

// hvtIdle waits in the poll hypercall until the monotonic clock reaches
// until, or for ever if until < 0, or a device is ready, and raises
// the line of each ready device.
func hvtIdle(until int64) {
	timeout := uint64(1 << 62)
	if until >= 0 {
		timeout = uint64(max(until-nanotime(), 0))
	}
	hvtWait(timeout)
}

func hvtWait(timeout uint64) {
	a := hvtPollArgs{timeout: timeout}
	hvtHypercall(hvtCallPoll, unsafe.Pointer(&a))
	for set := a.readySet & solo5Devices; set != 0; set &= set - 1 {
		irqRaised(int(sys.TrailingZeros64(set)))
	}
}

// hvtErrno turns a hypercall's result into the negated Linux errno that
// the drivers expect from a device port, as spt's system calls return.
func hvtErrno(ret int32) int {
	switch ret {
	case solo5Again:
		return -_EAGAIN
	case solo5Inval:
		return -_EINVAL
	}
	return -_EIO
}

const (
	_EIO    = 5
	_EAGAIN = 11
	_EINVAL = 22
)

func hvtNetRead(h int, p unsafe.Pointer, n int) int {
	a := hvtNetArgs{handle: uint64(h), data: uintptr(p), len: uint64(n)}
	hvtHypercall(hvtCallNetRead, unsafe.Pointer(&a))
	if a.ret != solo5OK {
		return hvtErrno(a.ret)
	}
	return int(a.len)
}

func hvtNetWrite(h int, p unsafe.Pointer, n int) int {
	a := hvtNetArgs{handle: uint64(h), data: uintptr(p), len: uint64(n)}
	hvtHypercall(hvtCallNetWrite, unsafe.Pointer(&a))
	if a.ret != solo5OK {
		return hvtErrno(a.ret)
	}
	return n
}

func hvtBlockIO(call uintptr, h int, p unsafe.Pointer, n int, off int64) int {
	a := hvtBlockArgs{handle: uint64(h), offset: uint64(off), data: uintptr(p), len: uint64(n)}
	hvtHypercall(call, unsafe.Pointer(&a))
	if a.ret != solo5OK {
		return hvtErrno(a.ret)
	}
	return n
}

// hvtHypercall makes hypercall n with its arguments at arg, which must
// lie below 4 GiB (guest memory does). Implemented in sys_solo5_GOARCH.s.
//
//go:noescape
func hvtHypercall(n uintptr, arg unsafe.Pointer)
