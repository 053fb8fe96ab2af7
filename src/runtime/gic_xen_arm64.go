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
	v3    bool
	dist  uintptr // GICD
	cpu   uintptr // GICv2: GICC, banked per CPU; GICv3: the redistributors' region
	rdEnd uintptr // GICv3: the end of that region

	// GICv3: each CPU's redistributor (GICR); GICv2: each CPU's CPU
	// interface, as a bit of GICD_SGIR's target list.
	redist   [maxCPUs]uintptr
	v2Target [maxCPUs]uint8

	timerIntID uint32 // the virtual timer's interrupt ID
	ticksPerNs uint64 // generic timer ticks per ns, as a 32.32 fixed-point number

	// ppi are the handlers of the private peripheral interrupts
	// (IDs 16 to 31) a platform takes besides the timer, set by its
	// init (Xen's event channel upcall); gicInit enables them.
	ppi [32]func()
}

// GIC register offsets.
const (
	gicdCTLR       = 0x000
	gicdTYPER      = 0x004
	gicdIGROUPR    = 0x080
	gicdISENABLER  = 0x100
	gicdICENABLER  = 0x180
	gicdIPRIORITYR = 0x400
	gicdITARGETSR  = 0x800 // GICv2
	gicdICFGR      = 0xc00
	gicdSGIR       = 0xf00  // GICv2
	gicdIROUTER    = 0x6000 // GICv3, with affinity routing

	giccCTLR = 0x000
	giccPMR  = 0x004
	giccIAR  = 0x00c
	giccEOIR = 0x010

	gicrTYPER      = 0x0008
	gicrWAKER      = 0x0014
	gicrSGIBase    = 0x10000 // the redistributor's second frame
	gicrIGROUPR0   = gicrSGIBase + 0x080
	gicrISENABLER0 = gicrSGIBase + 0x100
	gicrIPRIORITYR = gicrSGIBase + 0x400

	gicSpurious = 1023
	gicFirstSPI = 32
	gicMaxSPI   = 1019

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
	c, size, ok2 := n.Reg(1)
	if !ok1 || !ok2 {
		fatalBoot("the GIC's device tree node lacks its registers")
	}
	gic.dist, gic.cpu, gic.rdEnd = uintptr(d), uintptr(c), uintptr(c+size)

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

	if gic.v3 {
		gicWrite(gic.dist, gicdCTLR, 1<<4|1<<1|1) // ARE, group 1 and 0
	} else {
		gicWrite(gic.dist, gicdCTLR, 1)
	}
	gicCPUInit(0)
	for id, h := range gic.ppi {
		if h != nil {
			gicEnablePrivate(uint32(id))
		}
	}
}

// gicCPUInit sets up CPU c's interface to the GIC, on CPU c: its
// redistributor on a GICv3, found by the CPU's affinity, and the timer's
// interrupt and the SGI that other CPUs send it. The platform's other
// private interrupts (Xen's upcall) are the boot CPU's alone.
func gicCPUInit(c int) {
	if gic.v3 {
		r := gicFindRedistributor(cpuAffinity[c])
		if r == 0 {
			if c == 0 {
				fatalBoot("the GICv3 has no redistributor for the boot CPU")
			}
			throw("no GICv3 redistributor for a CPU")
		}
		gic.redist[c] = r
		// Wake the redistributor (clear ProcessorSleep, wait for
		// ChildrenAsleep to clear).
		gicWrite(r, gicrWAKER, gicRead(r, gicrWAKER)&^(1<<1))
		for gicRead(r, gicrWAKER)&(1<<2) != 0 {
		}
	} else {
		// GICD_ITARGETSR0 to 7, banked, read as this CPU's own bit.
		gic.v2Target[c] = uint8(gicRead(gic.dist, gicdITARGETSR))
	}
	gicEnablePrivate(gic.timerIntID)
	gicEnablePrivate(sgiIPI)
	if gic.v3 {
		gicV3CPUInit()
	} else {
		gicWrite(gic.cpu, giccPMR, 0xf0)
		gicWrite(gic.cpu, giccCTLR, 1)
	}
}

// gicFindRedistributor returns the GICv3 redistributor of the CPU with
// affinity aff (MPIDR_EL1's fields), 0 if the region has none: each
// redistributor's GICR_TYPER holds its CPU's affinity in bits 63:32,
// and bit 4 marks the last. One has two 64 KiB frames, or four with
// virtual LPIs (bit 1).
func gicFindRedistributor(aff uint64) uintptr {
	want := uint32(aff&0xffffff | aff>>32&0xff<<24)
	for r := gic.cpu; r < gic.rdEnd; {
		lo, hi := gicRead(r, gicrTYPER), gicRead(r, gicrTYPER+4)
		if hi == want {
			return r
		}
		if lo&(1<<4) != 0 {
			return 0
		}
		if lo&(1<<1) != 0 {
			r += 4 << 16
		} else {
			r += 2 << 16
		}
	}
	return 0
}

// gicSendSGI sends SGI id to CPU c.
func gicSendSGI(c int, id uint32) {
	if gic.v3 {
		// ICC_SGI1R_EL1: Aff3 in bits 55:48, Aff2 in 39:32, the
		// SGI in 27:24, Aff1 in 23:16, and a target list of Aff0
		// values 0 to 15 in 15:0. (QEMU's virt machine puts 16
		// CPUs in a cluster with a GICv3, and maxCPUs is 16.)
		a := cpuAffinity[c]
		v := (a>>32&0xff)<<48 | (a>>16&0xff)<<32 | uint64(id)<<24 | (a>>8&0xff)<<16 | 1<<(a&0xf)
		gicV3SendSGI(v)
		return
	}
	gicWrite(gic.dist, gicdSGIR, uint32(gic.v2Target[c])<<16|id)
}

// gicEnablePrivate enables private interrupt id (a PPI or an SGI) on
// this CPU, in group 1 on a GICv3, where the kernel takes its
// interrupts.
func gicEnablePrivate(id uint32) {
	if gic.v3 {
		r := gic.redist[getg().m.threadCPU]
		gicWrite(r, gicrIGROUPR0, gicRead(r, gicrIGROUPR0)|1<<id)
		gicWrite8(r, gicrIPRIORITYR+uintptr(id), 0xa0)
		gicWrite(r, gicrISENABLER0, 1<<id)
	} else {
		gicWrite8(gic.dist, gicdIPRIORITYR+uintptr(id), 0xa0)
		gicWrite(gic.dist, gicdISENABLER, 1<<id)
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
// returns what the GIC said, for gicEOI, and the interrupt's ID,
// gicSpurious if there is none. (A GICv2 adds an SGI's sender.)
//
//go:nosplit
func gicAck() (iar, id uint32) {
	if gic.v3 {
		iar = uint32(gicV3Ack())
		return iar, iar & 0xffffff
	}
	iar = gicRead(gic.cpu, giccIAR)
	return iar, iar & 0x3ff
}

// gicEOI ends the interrupt that gicAck returned iar for.
//
//go:nosplit
func gicEOI(iar uint32) {
	if gic.v3 {
		gicV3EOI(uint64(iar))
		return
	}
	gicWrite(gic.cpu, giccEOIR, iar)
}

// irqInterrupt handles an IRQ; gp is the interrupted goroutine.
func irqInterrupt(c *sigctxt, gp *g) {
	iar, id := gicAck()
	if id == gicSpurious {
		return
	}
	if id == sgiIPI {
		gicEOI(iar)
		ipiInterrupt(c, gp)
		return
	}
	if id == gic.timerIntID {
		gicEOI(iar)
		cntvSetCTL(cntvCTLEnable | cntvCTLIMask) // until tickArm re-arms it
		timerTick(c, gp)
		return
	}
	if id < uint32(len(gic.ppi)) {
		gicEOI(iar)
		if h := gic.ppi[id]; h != nil {
			h()
		}
		return
	}
	// A device's line is masked before the end of the interrupt, or
	// its level, still up until the driver acknowledges the device,
	// would raise it again at once.
	line := gicLineOf(id)
	if line != 0 {
		gicWrite(gic.dist, gicdICENABLER+uintptr(id/32)*4, 1<<(id%32))
	}
	gicEOI(iar)
	if line != 0 {
		irqRaised(line)
	}
}

// Device interrupts are shared peripheral interrupts (SPIs, interrupt
// IDs 32 to 1019), each routed to one of the lines of irq_unikernel.go:
// gicLines[i] is line i's interrupt ID, 0 if the line is free. The
// handler masks an SPI at the distributor when it fires, and
// gicLineEnable unmasks it when the driver waits again. A line is
// configured level-sensitive whatever the device tree says (QEMU's
// virt machine calls its virtio-mmio lines edge-triggered): a virtio
// device holds its line up until its interrupt status is read, which
// is what lets a driver that waits, acknowledges and looks again miss
// nothing.
var gicLines [maxIRQLine + 1]uint32

// gicLineOf returns the line that interrupt id is routed to, 0 if none.
//
//go:nosplit
func gicLineOf(id uint32) int {
	if id < gicFirstSPI {
		return 0
	}
	for i := 1; i <= maxIRQLine; i++ {
		if atomic.Load(&gicLines[i]) == id {
			return i
		}
	}
	return 0
}

// gicRouteLock serializes gicRouteSPI: drivers set up on first use,
// so two CPUs may route lines at once, and each would otherwise take
// the same free line, or undo the other's bit in a distributor
// register they both read, change and write. The interrupt handler
// reads gicLines atomically and needs no lock.
var gicRouteLock mutex

// gicRouteSPI routes interrupt id, an SPI, to this CPU, masked, and
// returns its line: the one it has if it was routed before, else a
// free one, or 0 if there is none or the distributor has no such
// interrupt.
func gicRouteSPI(id uint32) int {
	if id < gicFirstSPI || id > gicMaxSPI {
		return 0
	}
	if n := (gicRead(gic.dist, gicdTYPER)&0x1f + 1) * 32; id >= n {
		return 0
	}
	lock(&gicRouteLock)
	defer unlock(&gicRouteLock)
	if line := gicLineOf(id); line != 0 {
		return line
	}
	line := 0
	for i := 1; i <= maxIRQLine; i++ {
		if atomic.Load(&gicLines[i]) == 0 {
			line = i
			break
		}
	}
	if line == 0 {
		return 0
	}
	word, bit := uintptr(id/32)*4, uint32(1)<<(id%32)
	gicWrite(gic.dist, gicdICENABLER+word, bit)
	cfg := gicdICFGR + uintptr(id/16)*4
	gicWrite(gic.dist, cfg, gicRead(gic.dist, cfg)&^(2<<(2*(id%16)))) // level-sensitive
	gicWrite8(gic.dist, gicdIPRIORITYR+uintptr(id), 0xa0)
	if gic.v3 {
		// Group 1, which ICC_IAR1_EL1 acknowledges, and the boot
		// CPU's affinity: Aff2 to Aff0 in bits 23:0, Aff3 in 39:32,
		// as MPIDR_EL1 has them.
		a := cpuAffinity[0]
		gicWrite(gic.dist, gicdIGROUPR+word, gicRead(gic.dist, gicdIGROUPR+word)|bit)
		gicWrite(gic.dist, gicdIROUTER+uintptr(id)*8, uint32(a&0xffffff))
		gicWrite(gic.dist, gicdIROUTER+uintptr(id)*8+4, uint32(a>>32&0xff))
	} else {
		gicWrite8(gic.dist, gicdITARGETSR+uintptr(id), gic.v2Target[0]) // the boot CPU's interface
	}
	atomic.Store(&gicLines[line], id)
	return line
}

// gicLineRouted reports whether line i is routed to an SPI.
func gicLineRouted(i int) bool {
	return i > 0 && i <= maxIRQLine && atomic.Load(&gicLines[i]) != 0
}

// gicLineEnable unmasks line i's SPI.
func gicLineEnable(i int) {
	if !gicLineRouted(i) {
		return
	}
	id := atomic.Load(&gicLines[i])
	gicWrite(gic.dist, gicdISENABLER+uintptr(id/32)*4, 1<<(id%32))
}

// devices_routeGSI routes device interrupt gsi, on arm64 a GIC
// interrupt ID (32 + the device tree's SPI number), and returns its
// line, 0 if it cannot (see internal/devices.routeGSI).
//
//go:linkname devices_routeGSI internal/devices.routeGSI
func devices_routeGSI(gsi int) int {
	if gsi < 0 || gsi > gicMaxSPI {
		return 0
	}
	return gicRouteSPI(uint32(gsi))
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

// minit starts the other CPUs, enables interrupts and starts the tick
// on m0. Other Ms share the CPUs, which are set up already.
func minit() {
	if getg().m != &m0 {
		return
	}
	mach.startCPUs()
	tickArm(nanotime())
	sti()
}

// In sys_xen_arm64.s.
func cntvSetCVAL(v uint64)
func cntvSetCTL(v uint64)
func gicV3CPUInit()
func gicV3Ack() uint64
func gicV3EOI(id uint64)
func gicV3SendSGI(v uint64)
func cli()
func sti()
func stihlt()
func intrOff() (wasOn bool)
