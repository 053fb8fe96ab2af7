// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"unsafe"
)

// virtMachine is QEMU's virt machine: a PL011 UART, or a virtio console
// where QEMU offers one (virtiocons_xen.go), the generic timer, a PL031
// real-time clock, PSCI, and semihosting for the exit status.
type virtMachine struct{}

// virtWallBase is the wall clock at boot, in nanoseconds since 1970,
// and virtMonoBase the monotonic clock then.
var virtWallBase, virtMonoBase int64

const (
	pl031DR = 0x00 // seconds since 1970

	psciSystemOff = 0x84000008
)

func (*virtMachine) name() string { return "virt" }

func (m *virtMachine) init() uint64 {
	hz := timerInit()
	virtMonoBase = 0
	if rtc, ok := bootTree.FindCompatible(fdtNode{}, "arm,pl031"); ok {
		if addr, _, ok := rtc.Reg(0); ok {
			sec := atomic.Load((*uint32)(unsafe.Pointer(uintptr(addr) + pl031DR)))
			virtWallBase = int64(sec) * 1e9
			virtMonoBase = m.nanotime()
		}
	}
	// The first virtio console among the device tree's virtio-mmio
	// transports (in the device GiB, which rt0 maps).
	for n, ok := bootTree.FindCompatible(fdtNode{}, "virtio,mmio"); ok; n, ok = bootTree.FindCompatible(n, "virtio,mmio") {
		if addr, size, ok := n.Reg(0); ok && addr >= deviceMemStart && addr+size <= deviceMemEnd && vconsProbe(uintptr(addr)) {
			break
		}
	}
	return hz
}

//go:nosplit
func (*virtMachine) consolePutc(c byte) {
	if vconsPutc(c) {
		return
	}
	uartPutc(c)
}

//go:nosplit
func (*virtMachine) consoleFlush() { vconsFlush() }

func (*virtMachine) consoleRead(p []byte) int { return 0 }
func (*virtMachine) consoleInputLine() int    { return 0 }

//go:nosplit
func (*virtMachine) nanotime() int64 {
	return timerNanotime()
}

func (m *virtMachine) walltime() (sec int64, nsec int32) {
	ns := virtWallBase + m.nanotime() - virtMonoBase
	return ns / 1e9, int32(ns % 1e9)
}

// virtExiting is set while exit tries semihosting, so that the
// undefined-instruction exception it raises where semihosting is off
// powers off instead.
var virtExiting bool

//go:nosplit
func (*virtMachine) exit(code int32) {
	block := [2]uint64{0x20026, uint64(uint32(code))} // ADP_Stopped_ApplicationExit
	virtExiting = true
	semihostExit(&block)
	psciCall(psciSystemOff, 0, 0, 0)
	for {
		wfi()
	}
}

func (*virtMachine) cmdlineWord(word string) bool { return false }
func (*virtMachine) ramZeroed() bool              { return true }

func (*virtMachine) cpuCount() int         { return smpCount() }
func (*virtMachine) startCPUs()            { smpStart() }
func (*virtMachine) lineEnable(i int)      { gicLineEnable(i) }
func (*virtMachine) lineRouted(i int) bool { return gicLineRouted(i) }
