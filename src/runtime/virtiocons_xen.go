// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"unsafe"
)

// A fast console for the platforms of QEMU: a virtio console (virtio
// 1.0 §5.3, device type 3) on a virtio-mmio transport, which the PC
// platform finds on microvm's transports and the virt platform in the
// device tree.
//
// Their UARTs (COM1, the PL011) cost an emulated register write per
// byte, and QEMU makes a write(2) per byte behind them: about 250 KB/s
// under TCG, so a chatty test's output takes seconds. The virtio console
// takes a whole write in one buffer and one notification. The runtime
// drives it itself, rather than internal/devices, because the console
// is written from trap handlers and before the heap exists: the queue is
// in the image's bss, the transmit is polled and nothing allocates. The
// UART stays the console until init finds the device, and after it for
// what must not wait (see vconsFlush).
//
// Only the transmit queue of port 0 is used; console input, like the
// UARTs', is not read.

// virtio-mmio registers (virtio 1.0 §4.2.2) and the values the console
// needs.
const (
	vmmioMagic        = 0x000
	vmmioVersion      = 0x004
	vmmioDeviceID     = 0x008
	vmmioDevFeatures  = 0x010
	vmmioDevFeatSel   = 0x014
	vmmioDrvFeatures  = 0x020
	vmmioDrvFeatSel   = 0x024
	vmmioQueueSel     = 0x030
	vmmioQueueNumMax  = 0x034
	vmmioQueueNum     = 0x038
	vmmioQueueReady   = 0x044
	vmmioQueueNotify  = 0x050
	vmmioStatus       = 0x070
	vmmioQueueDescLo  = 0x080
	vmmioQueueDescHi  = 0x084
	vmmioQueueAvailLo = 0x090
	vmmioQueueAvailHi = 0x094
	vmmioQueueUsedLo  = 0x0a0
	vmmioQueueUsedHi  = 0x0a4

	vmmioMagicValue = 0x74726976 // "virt"
	vmmioVersion2   = 2          // version 1 is the legacy layout

	virtioIDConsole = 3

	virtioStatusAck         = 1
	virtioStatusDriver      = 2
	virtioStatusDriverOK    = 4
	virtioStatusFeaturesOK  = 8
	virtioFVersion1High     = 1 << 0 // VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of the high word
	virtioConsoleTransmitQ0 = 1      // port 0's transmitq

)

// vconsQueueSize is the transmit queue's size. One buffer is in flight
// at a time, so the smallest queue does; a power of two, as split
// virtqueues require.
const vconsQueueSize = 2

// vring is a split virtqueue (virtio 1.0 §2.4) of vconsQueueSize
// entries, laid out as the device reads it. The descriptor table must
// be 16-byte aligned, which vconsRing's placement gives.
type vring struct {
	desc [vconsQueueSize]struct {
		addr  uint64
		len   uint32
		flags uint16
		next  uint16
	}
	// avail's flags and idx, and used's, are read and written as one
	// 32-bit word (flags low, idx high), for want of 16-bit atomics.
	avail     uint32
	availRing [vconsQueueSize]uint16
	_         uint32 // used_event, and padding to used's 4-byte alignment
	used      uint32
	usedRing  [vconsQueueSize]struct{ id, len uint32 }
	_         uint16 // avail_event
}

var vcons struct {
	regs  uintptr // the transport's registers, 0 until init finds one
	ring  *vring
	busy  bool // a buffer is with the device
	n     int  // bytes in buf
	avail uint16
	buf   [4096]byte
}

// vconsRing holds the vring, 16-byte aligned within it.
var vconsRing [unsafe.Sizeof(vring{}) + 16]byte

// vconsProbe reports whether the transport at regs is a version 2
// virtio console, and sets it up as the console if so.
func vconsProbe(regs uintptr) bool {
	if mmioRead32(regs+vmmioMagic) != vmmioMagicValue || mmioRead32(regs+vmmioVersion) != vmmioVersion2 ||
		mmioRead32(regs+vmmioDeviceID) != virtioIDConsole {
		return false
	}
	vconsSetup(regs)
	return true
}

// vconsSetup initializes the device at regs as virtio 1.0 §3.1.1
// orders it. A device that refuses the features or offers no transmit
// queue is left reset and the console stays on the UART.
func vconsSetup(regs uintptr) {
	status := uint32(0)
	setStatus := func(bit uint32) uint32 {
		status |= bit
		mmioWrite32(regs+vmmioStatus, status)
		return mmioRead32(regs + vmmioStatus)
	}
	mmioWrite32(regs+vmmioStatus, 0) // reset
	setStatus(virtioStatusAck)
	setStatus(virtioStatusDriver)
	mmioWrite32(regs+vmmioDevFeatSel, 1)
	if mmioRead32(regs+vmmioDevFeatures)&virtioFVersion1High == 0 {
		mmioWrite32(regs+vmmioStatus, 0)
		return
	}
	mmioWrite32(regs+vmmioDrvFeatSel, 1)
	mmioWrite32(regs+vmmioDrvFeatures, virtioFVersion1High)
	mmioWrite32(regs+vmmioDrvFeatSel, 0)
	mmioWrite32(regs+vmmioDrvFeatures, 0)
	if setStatus(virtioStatusFeaturesOK)&virtioStatusFeaturesOK == 0 {
		mmioWrite32(regs+vmmioStatus, 0)
		return
	}
	mmioWrite32(regs+vmmioQueueSel, virtioConsoleTransmitQ0)
	if mmioRead32(regs+vmmioQueueNumMax) < vconsQueueSize || mmioRead32(regs+vmmioQueueReady) != 0 {
		mmioWrite32(regs+vmmioStatus, 0)
		return
	}
	r := (*vring)(unsafe.Pointer(alignUp(uintptr(unsafe.Pointer(&vconsRing)), 16)))
	desc, avail, used := uint64(uintptr(unsafe.Pointer(&r.desc))), uint64(uintptr(unsafe.Pointer(&r.avail))), uint64(uintptr(unsafe.Pointer(&r.used)))
	mmioWrite32(regs+vmmioQueueNum, vconsQueueSize)
	mmioWrite32(regs+vmmioQueueDescLo, uint32(desc))
	mmioWrite32(regs+vmmioQueueDescHi, uint32(desc>>32))
	mmioWrite32(regs+vmmioQueueAvailLo, uint32(avail))
	mmioWrite32(regs+vmmioQueueAvailHi, uint32(avail>>32))
	mmioWrite32(regs+vmmioQueueUsedLo, uint32(used))
	mmioWrite32(regs+vmmioQueueUsedHi, uint32(used>>32))
	mmioWrite32(regs+vmmioQueueReady, 1)
	setStatus(virtioStatusDriverOK)
	vcons.ring = r
	vcons.regs = regs
}

// vconsPutc adds c to the buffer, sending it when it is full, and
// reports whether the virtio console took c.
//
//go:nosplit
func vconsPutc(c byte) bool {
	if vcons.regs == 0 || vcons.busy {
		return false
	}
	if vcons.n == len(vcons.buf) {
		vconsFlush()
	}
	vcons.buf[vcons.n] = c
	vcons.n++
	return true
}

// vconsFlush hands the buffer to the device and waits until it has
// taken it. The wait is for the host: a device that cannot write
// through yet (a full pipe) holds the buffer, as a terminal blocks a
// write on Linux. A trap handler that interrupts the wait on this CPU
// finds the device busy and writes to the UART (vconsPutc).
//
//go:nosplit
func vconsFlush() {
	if vcons.regs == 0 || vcons.busy || vcons.n == 0 {
		return
	}
	vcons.busy = true
	r := vcons.ring
	i := vcons.avail % vconsQueueSize
	r.desc[i].addr = uint64(uintptr(unsafe.Pointer(&vcons.buf)))
	r.desc[i].len = uint32(vcons.n)
	r.desc[i].flags = 0 // one device-readable buffer
	r.availRing[i] = i
	vcons.avail++
	// The store of idx publishes the descriptor: atomic, so that the
	// compiler keeps it after the stores above.
	atomic.Store(&r.avail, uint32(vcons.avail)<<16)
	// The notification is a store-release too (mmioWrite32), so the
	// device sees the descriptor and idx before it.
	mmioWrite32(vcons.regs+vmmioQueueNotify, virtioConsoleTransmitQ0)
	for uint16(atomic.Load(&r.used)>>16) != vcons.avail {
		procyield(10)
	}
	vcons.n = 0
	vcons.busy = false
}

// mmioRead32 and mmioWrite32 access a device register: one load or
// store of 32 bits, which the compiler neither drops nor merges, and,
// on arm64, a load-acquire and a store-release, ordered with the
// accesses to memory around them.
//
//go:nosplit
func mmioRead32(a uintptr) uint32 { return atomic.Load((*uint32)(unsafe.Pointer(a))) }

//go:nosplit
func mmioWrite32(a uintptr, v uint32) { atomic.Store((*uint32)(unsafe.Pointer(a)), v) }
