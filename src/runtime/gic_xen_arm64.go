// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"math/bits"
	"unsafe"
)

// The interrupt controller (a GICv2 or GICv3, as the device tree says)
// and the generic timer's virtual timer, which tick_xen.go drives: it
// interrupts on a private peripheral interrupt (PPI) that the device
// tree's timer node names, 27 on QEMU's virt machine and under Xen.

var gic struct {
	v3   bool
	dist uintptr // GICD
	cpu  uintptr // GICv2: GICC; GICv3: this CPU's redistributor (GICR)

	timerIntID uint32 // the virtual timer's interrupt ID
	ticksPerNs uint64 // generic timer ticks per ns, as a 32.32 fixed-point number
}

// GIC register offsets.
const (
	gicdCTLR       = 0x000
	gicdISENABLER  = 0x100
	gicdIPRIORITYR = 0x400

	giccCTLR = 0x000
	giccPMR  = 0x004
	giccIAR  = 0x00c
	giccEOIR = 0x010

	gicrWAKER      = 0x0014
	gicrSGIBase    = 0x10000 // the redistributor's second frame
	gicrIGROUPR0   = gicrSGIBase + 0x080
	gicrISENABLER0 = gicrSGIBase + 0x100
	gicrIPRIORITYR = gicrSGIBase + 0x400

	gicSpurious = 1023

	cntvCTLEnable = 1 << 0
	cntvCTLIMask  = 1 << 1
)

// gicInit finds the GIC and the timer's interrupt in the device tree
// and sets them up, with interrupts still masked at the CPU. hz is the
// generic timer's frequency.
func gicInit(hz uint64) {
	n, ok := bootTree.FindCompatible(fdtNode{}, "arm,gic-v3")
	if ok {
		gic.v3 = true
	} else if n, ok = bootTree.FindCompatible(fdtNode{}, "arm,cortex-a15-gic"); !ok {
		if n, ok = bootTree.FindCompatible(fdtNode{}, "arm,gic-400"); !ok {
			fatalBoot("the device tree has no GICv2 or GICv3")
		}
	}
	d, _, ok1 := n.Reg(0)
	c, _, ok2 := n.Reg(1)
	if !ok1 || !ok2 {
		fatalBoot("the GIC's device tree node lacks its registers")
	}
	gic.dist, gic.cpu = uintptr(d), uintptr(c)

	// The timer node's interrupts are the secure and non-secure
	// physical, the virtual and the hypervisor timers, 3 cells each
	// (type, number, flags); the virtual timer's is the third.
	gic.timerIntID = 16 + 11
	if t, ok := bootTree.FindCompatible(fdtNode{}, "arm,armv8-timer"); ok {
		if num, ok := t.Cell("interrupts", 2*3+1); ok {
			gic.timerIntID = 16 + num
		}
	}
	gic.ticksPerNs, _ = bits.Div64(hz>>32, hz<<32, 1e9)
	timerDisarm()

	id := gic.timerIntID
	if gic.v3 {
		gicWrite(gic.dist, gicdCTLR, 1<<4|1<<1|1) // ARE, group 1 and 0
		// Wake the redistributor (clear ProcessorSleep, wait for
		// ChildrenAsleep to clear).
		gicWrite(gic.cpu, gicrWAKER, gicRead(gic.cpu, gicrWAKER)&^(1<<1))
		for gicRead(gic.cpu, gicrWAKER)&(1<<2) != 0 {
		}
		gicWrite(gic.cpu, gicrIGROUPR0, gicRead(gic.cpu, gicrIGROUPR0)|1<<id)
		gicWrite8(gic.cpu, gicrIPRIORITYR+uintptr(id), 0xa0)
		gicWrite(gic.cpu, gicrISENABLER0, 1<<id)
		gicV3CPUInit()
	} else {
		gicWrite(gic.dist, gicdCTLR, 1)
		gicWrite8(gic.dist, gicdIPRIORITYR+uintptr(id), 0xa0)
		gicWrite(gic.dist, gicdISENABLER, 1<<id)
		gicWrite(gic.cpu, giccPMR, 0xf0)
		gicWrite(gic.cpu, giccCTLR, 1)
	}
}

func gicRead(base, reg uintptr) uint32 {
	return atomic.Load((*uint32)(unsafe.Pointer(base + reg)))
}

func gicWrite(base, reg uintptr, v uint32) {
	atomic.Store((*uint32)(unsafe.Pointer(base+reg)), v)
}

func gicWrite8(base, reg uintptr, v uint8) {
	atomic.Store8((*uint8)(unsafe.Pointer(base+reg)), v)
}

// gicAck acknowledges the highest-priority pending interrupt and
// returns its ID, gicSpurious if there is none.
//
//go:nosplit
func gicAck() uint32 {
	if gic.v3 {
		return uint32(gicV3Ack())
	}
	return gicRead(gic.cpu, giccIAR) & 0x3ff
}

//go:nosplit
func gicEOI(id uint32) {
	if gic.v3 {
		gicV3EOI(uint64(id))
		return
	}
	gicWrite(gic.cpu, giccEOIR, id)
}

// irqInterrupt handles an IRQ; gp is the interrupted goroutine.
func irqInterrupt(c *sigctxt, gp *g) {
	id := gicAck()
	if id == gicSpurious {
		return
	}
	gicEOI(id)
	if id == gic.timerIntID {
		cntvSetCTL(cntvCTLEnable | cntvCTLIMask) // until tickArm re-arms it
		timerTick(c, gp)
	}
}

// timerArm makes the timer interrupt at nanotime when (or right away if
// that has passed).
func timerArm(when int64) {
	d := max(when-nanotime(), 1000)
	hi, lo := bits.Mul64(uint64(d), gic.ticksPerNs)
	cntvSetCVAL(cntvct() + (hi<<32 | lo>>32))
	cntvSetCTL(cntvCTLEnable)
}

// timerDisarm stops the timer.
func timerDisarm() {
	cntvSetCTL(cntvCTLEnable | cntvCTLIMask)
}

// minit enables interrupts on m0: the tick preempts goroutines as
// sysmon would.
func minit() {
	if getg().m != &m0 {
		throw("minit: second M on " + GOOS)
	}
	haveTimerPreemption = true
	tickArm(nanotime())
	sti()
}

// In sys_xen_arm64.s.
func cntvSetCVAL(v uint64)
func cntvSetCTL(v uint64)
func gicV3CPUInit()
func gicV3Ack() uint64
func gicV3EOI(id uint64)
func cli()
func sti()
func stihlt()
