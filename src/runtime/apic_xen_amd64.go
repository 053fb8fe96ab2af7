// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"math/bits"
	"unsafe"
)

// Local APIC registers (offsets into its MMIO page).
const (
	lapicTPR      = 0x080
	lapicPPR      = 0x0a0
	lapicEOIReg   = 0x0b0
	lapicSVR      = 0x0f0
	lapicISR      = 0x100 // 8 registers, 32 vectors each, 16 bytes apart
	lapicIRR      = 0x200
	lapicLVTTimer = 0x320
	lapicLVTLINT1 = 0x360
	lapicInitial  = 0x380
	lapicCurrent  = 0x390
	lapicDivide   = 0x3e0

	lvtMasked      = 1 << 16
	lvtTSCDeadline = 2 << 17
	lvtDeliverNMI  = 4 << 8

	msrAPICBase    = 0x1b
	msrTSCDeadline = 0x6e0
	msrX2APIC      = 0x800 // x2APIC registers: msrX2APIC + offset/16

	apicBaseEnable = 1 << 11
	apicBaseX2APIC = 1 << 10
)

var (
	lapicBase     uintptr
	lapicX2       bool   // x2APIC mode: registers are MSRs
	lapicDeadline bool   // TSC-deadline mode; else one-shot counts
	lapicPerNsMul uint64 // one-shot counts = ns * lapicPerNsMul >> 32
	tscPerNsMul   uint64 // ticks = ns * tscPerNsMul >> 32
)

// lapicInit sets up the local APIC timer; tscHz is the TSC's
// frequency, which TSC-deadline mode counts in. Interrupts stay
// disabled until minit.
func lapicInit(tscHz uint64) {
	tscPerNsMul, _ = bits.Div64(tscHz>>32, tscHz<<32, 1e9)
	base := rdmsr(msrAPICBase)
	lapicBase = uintptr(base &^ 0xfff & (1<<36 - 1))
	// x2APIC mode where the CPU has it, as Linux prefers: its
	// registers are MSRs, so a hypervisor handles an EOI or a timer
	// write as a plain MSR exit, without decoding the instruction
	// that wrote to an MMIO page.
	_, _, ecx, _ := cpuid(1, 0)
	lapicX2 = ecx&(1<<21) != 0
	lapicDeadline = ecx&(1<<24) != 0
	lapicCPUInit()
	if lapicDeadline || platformTimerArm != nil {
		return
	}
	// Measure the one-shot timer's rate against the TSC over 2 ms,
	// between two reads of its count, each followed by a read of the
	// clock: an emulated register access takes long enough under TCG
	// (tens of microseconds) that timing from the write that starts
	// the timer made it fire 3% late.
	lapicWrite(lapicDivide, 0xb) // divide by 1
	lapicWrite(lapicLVTTimer, lvtMasked|vectorTimer)
	lapicWrite(lapicInitial, 0xffffffff)
	c0 := lapicRead(lapicCurrent)
	start := nanotime()
	for nanotime()-start < 2_000_000 {
	}
	c1 := lapicRead(lapicCurrent)
	elapsed := uint64(nanotime() - start)
	counted := uint64(c0 - c1)
	lapicWrite(lapicInitial, 0)
	if counted == 0 {
		fatalBoot("the local APIC timer does not count")
	}
	lapicPerNsMul = counted << 32 / elapsed
	lapicWrite(lapicLVTTimer, vectorTimer) // one-shot
}

// lapicCPUInit enables the calling CPU's local APIC, in the mode
// lapicInit chose on the boot CPU, and programs its timer's mode; the
// CPUs' timers count alike, so the boot CPU's calibration holds.
func lapicCPUInit() {
	if lapicX2 {
		wrmsr(msrAPICBase, rdmsr(msrAPICBase)|apicBaseEnable|apicBaseX2APIC)
	}
	lapicWrite(lapicTPR, 0)
	lapicWrite(lapicSVR, 0x100|vectorSpurious) // enable
	// LINT1 delivers NMIs, as on a PC's boot CPU: QEMU's nmi command
	// comes in through it (see exceptionSignal).
	lapicWrite(lapicLVTLINT1, lvtDeliverNMI)
	if lapicDeadline {
		lapicWrite(lapicLVTTimer, lvtTSCDeadline|vectorTimer)
		return
	}
	lapicWrite(lapicDivide, 0xb)           // divide by 1
	lapicWrite(lapicLVTTimer, vectorTimer) // one-shot
}

// lapicIPI sends vector to the CPU with local APIC ID dest; mode is the
// ICR's delivery mode bits (0: fixed). In xAPIC mode the destination
// and the command are two writes, and an interrupt handler that sent
// an IPI in between would redirect this one: interrupts are off
// across them.
func lapicIPI(dest uint32, mode, vector uint32) {
	const icrLow, icrHigh = 0x300, 0x310
	const assert = 1 << 14
	if lapicX2 {
		wrmsr(msrX2APIC+icrLow>>4, uint64(dest)<<32|uint64(assert|mode|vector))
		return
	}
	intr := intrOff()
	lapicWrite(icrHigh, dest<<24)
	lapicWrite(icrLow, assert|mode|vector)
	intrRestore(intr)
}

// minit enables interrupts once m0 has a signal stack for them, and
// starts the tick. Other Ms share the CPU, which is set up already;
// threadRun gives the trap path each one's signal stack.
func minit() {
	mp := getg().m
	if mp != &m0 {
		return
	}
	trapUseSignalStack(mp)
	mach.startCPUs()
	tickArm(nanotime())
	sti()
}

// lapicRead and lapicWrite access the local APIC register at offset
// reg of the xAPIC page, in either mode.
func lapicRead(reg uintptr) uint32 {
	if lapicX2 {
		return uint32(rdmsr(msrX2APIC + uint32(reg>>4)))
	}
	return atomic.Load((*uint32)(unsafe.Pointer(lapicBase + reg)))
}

func lapicWrite(reg uintptr, v uint32) {
	if lapicX2 {
		wrmsr(msrX2APIC+uint32(reg>>4), uint64(v))
		return
	}
	atomic.Store((*uint32)(unsafe.Pointer(lapicBase+reg)), v)
}

// lapicID returns this CPU's local APIC ID.
func lapicID() uint32 {
	if lapicX2 {
		return lapicRead(lapicIDReg)
	}
	return lapicRead(lapicIDReg) >> 24
}

func lapicEOI() {
	lapicWrite(lapicEOIReg, 0)
}

// interruptDump prints, for an NMI's goroutine dump, what decides
// whether this CPU takes interrupts: the local APIC's in-service and
// requested vectors 32 to 63 (the timer, the devices, the IPI), its
// priorities and timer, and the platform's own (interruptDumpMore,
// which Xen sets to print the upcall's flags). A CPU that
// halts for good, with a timer armed that never fires, shows here
// whether a vector left in service (no EOI) blocks its priority class
// and those below, or the interrupt was never requested.
func interruptDump() {
	if !lapicX2 && lapicBase == 0 {
		return // before lapicInit
	}
	print("interrupts: isr[32:64]=", hex(lapicRead(lapicISR+0x10)), " irr[32:64]=", hex(lapicRead(lapicIRR+0x10)),
		" tpr=", hex(lapicRead(lapicTPR)), " ppr=", hex(lapicRead(lapicPPR)), " lvt-timer=", hex(lapicRead(lapicLVTTimer)))
	if lapicDeadline {
		print(" tsc-deadline=", hex(rdmsr(msrTSCDeadline)), " tsc=", hex(rdtsc()))
	} else {
		print(" timer-count=", hex(lapicRead(lapicCurrent)))
	}
	print(" nanotime=", nanotime())
	if interruptDumpMore != nil {
		interruptDumpMore()
	}
	print("\n")
}

// interruptDumpMore, if the platform sets it, adds the platform's
// interrupt state to interruptDump's line.
var interruptDumpMore func()

// A platform whose hypervisor gives each CPU a timer of its own sets
// platformTimerArm and platformTimerDisarm in init, and timerArm and
// timerDisarm program that timer instead of the local APIC's. Its
// interrupt comes through deviceInterrupt, whose handler calls
// timerTick. Xen does (machine_xenpvh_xen_amd64.go): its emulation of
// the local APIC's timer was seen to lose an interrupt.
var (
	platformTimerArm    func(when int64)
	platformTimerDisarm func()
)

// timerArm makes the timer interrupt at nanotime when (or right away if
// that has passed).
func timerArm(when int64) {
	if platformTimerArm != nil {
		platformTimerArm(when)
		return
	}
	now := nanotime()
	d := when - now
	if d < 1000 {
		d = 1000
	}
	if lapicDeadline {
		hi, lo := bits.Mul64(uint64(d), tscPerNsMul)
		wrmsr(msrTSCDeadline, rdtsc()+(hi<<32|lo>>32))
		return
	}
	hi, lo := bits.Mul64(uint64(d), lapicPerNsMul)
	count := hi<<32 | lo>>32
	if hi>>32 != 0 || count > 0xffffffff {
		count = 0xffffffff // the next tick re-arms
	}
	lapicWrite(lapicInitial, uint32(max(count, 1)))
}

// timerDisarm stops the timer.
func timerDisarm() {
	if platformTimerDisarm != nil {
		platformTimerDisarm()
		return
	}
	if lapicDeadline {
		wrmsr(msrTSCDeadline, 0)
		return
	}
	lapicWrite(lapicInitial, 0)
}

// timerInterrupt runs on gsignal; gp is the interrupted goroutine.
func timerInterrupt(c *sigctxt, gp *g) {
	lapicEOI()
	timerTick(c, gp)
}
