// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"math/bits"
	"unsafe"
)

// virtMachine is QEMU's virt machine: a PL011 UART, the generic timer,
// a PL031 real-time clock, PSCI, and semihosting for the exit status.
type virtMachine struct{}

// virtUART is the PL011's base address, from the device tree.
var virtUART uintptr

// virtWallBase is the wall clock at boot, in nanoseconds since 1970,
// and virtMonoBase the monotonic clock then.
var virtWallBase, virtMonoBase int64

// virtTicksScale converts generic timer ticks to nanoseconds:
// ns = ticks * virtTicksScale >> 32, in 128 bits: at QEMU's 62.5 MHz
// the scale is 2^36, and a 64-bit product would wrap after 4.3 s.
var virtTicksScale uint64

const (
	pl011DR = 0x00
	pl011FR = 0x18

	pl011FRTXFF = 1 << 5 // transmit FIFO full

	pl031DR = 0x00 // seconds since 1970

	psciSystemOff = 0x84000008
)

func (virtMachine) name() string { return "virt" }

func (virtMachine) init() uint64 {
	if uart, ok := bootTree.FindCompatible(fdtNode{}, "arm,pl011"); ok {
		if addr, _, ok := uart.Reg(0); ok {
			virtUART = uintptr(addr)
		}
	}
	hz := cntfrq()
	if hz == 0 {
		fatalBoot("the generic timer's frequency (CNTFRQ_EL0) is 0")
	}
	virtTicksScale = (1e9 << 32) / hz
	virtMonoBase = 0
	if rtc, ok := bootTree.FindCompatible(fdtNode{}, "arm,pl031"); ok {
		if addr, _, ok := rtc.Reg(0); ok {
			sec := atomic.Load((*uint32)(unsafe.Pointer(uintptr(addr) + pl031DR)))
			virtWallBase = int64(sec) * 1e9
			virtMonoBase = virtMachine{}.nanotime()
		}
	}
	return hz
}

//go:nosplit
func (virtMachine) consolePutc(c byte) {
	if virtUART == 0 {
		return
	}
	for atomic.Load((*uint32)(unsafe.Pointer(virtUART+pl011FR)))&pl011FRTXFF != 0 {
	}
	atomic.Store((*uint32)(unsafe.Pointer(virtUART+pl011DR)), uint32(c))
}

//go:nosplit
func (virtMachine) consoleFlush() {}

func (virtMachine) consoleRead(p []byte) int { return 0 }
func (virtMachine) consoleInputLine() int    { return 0 }

//go:nosplit
func (virtMachine) nanotime() int64 {
	hi, lo := bits.Mul64(cntvct(), virtTicksScale)
	return int64(hi<<32 | lo>>32)
}

func (m virtMachine) walltime() (sec int64, nsec int32) {
	ns := virtWallBase + m.nanotime() - virtMonoBase
	return ns / 1e9, int32(ns % 1e9)
}

// virtExiting is set while exit tries semihosting, so that the
// undefined-instruction exception it raises where semihosting is off
// powers off instead.
var virtExiting bool

//go:nosplit
func (virtMachine) exit(code int32) {
	block := [2]uint64{0x20026, uint64(uint32(code))} // ADP_Stopped_ApplicationExit
	virtExiting = true
	semihostExit(&block)
	psciCall(psciSystemOff, 0, 0, 0)
	for {
		wfi()
	}
}

func (virtMachine) cmdlineWord(word string) bool { return false }
func (virtMachine) ramZeroed() bool              { return true }
func (virtMachine) lineEnable(i int)             { gicLineEnable(i) }
func (virtMachine) lineRouted(i int) bool        { return gicLineRouted(i) }
