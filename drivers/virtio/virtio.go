// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package virtio drives virtio 1.x devices: the split virtqueue, the MMIO
// (version 2) and modern PCI transports, and the network, block and
// entropy devices. QEMU (microvm and q35), Firecracker and Cloud
// Hypervisor give a Mirago guest its network, disks and entropy this way.
//
// The package is written to be tested on the host. Everything it needs
// from the machine comes through three small interfaces: dma.Memory,
// which hands out buffers the device can reach by physical address;
// Regs, a window of device registers (an MMIO region, a PCI BAR, PCI
// configuration space); and, for PCI, a BARMapper that turns a BAR and
// an offset into a Regs. The tests implement them with a fake device on
// the other side of the ring; the runtime implements them with real
// memory and MMIO.
//
// There are no goroutines, locks or timers here. A device is driven by
// calls: the caller adds buffers, the driver notifies the device, and
// the caller later polls for used buffers, typically after an interrupt.
// An interrupt handler needs only Device.InterruptStatus, which reads
// and acknowledges the device's interrupt reason without allocating.
// None of the types may be used by two goroutines at once; the caller
// serialises access.
//
// A device is a peer that may be buggy or hostile: everything it writes
// to shared memory (used ring indices, lengths, headers, status bytes)
// is checked before use, and a bad value costs a dropped frame or an
// error, never a crash, a lost descriptor or memory outside the
// buffers.
//
// The ABI numbers come from mirago.dev/sys/virtiospec. The package is
// vendored into the Mirago standard library, so it imports only packages
// the lowest layers of the standard library may use: sync/atomic,
// unsafe, and the device contracts of mirago.dev/drivers (dma,
// ethernet, block), which import nothing more.
package virtio

// Regs is a window of little-endian device registers: an MMIO region, a
// range of a PCI BAR, or PCI configuration space. Offsets are from the
// start of the window. Implementations must perform each access exactly
// once, with the width asked for, in program order, because device
// registers have side effects (a read of the PCI ISR clears it, a write
// to QueueNotify wakes the device).
type Regs interface {
	Read8(off uint32) uint8
	Read16(off uint32) uint16
	Read32(off uint32) uint32
	Write8(off uint32, v uint8)
	Write16(off uint32, v uint16)
	Write32(off uint32, v uint32)
}

// Error is the error type of this package. Its values are constants, so
// the package needs no errors or fmt.
type Error string

func (e Error) Error() string { return string(e) }

// Errors returned while finding and setting up a device.
const (
	ErrNoDevice         = Error("virtio: no device (bad magic value or empty slot)")
	ErrLegacy           = Error("virtio: legacy (pre-1.0) device not supported")
	ErrWrongDevice      = Error("virtio: unexpected device type")
	ErrNoVersion1       = Error("virtio: device does not offer VIRTIO_F_VERSION_1")
	ErrFeaturesRejected = Error("virtio: device did not accept the negotiated features")
	ErrResetTimeout     = Error("virtio: device did not finish resetting")
	ErrNoQueue          = Error("virtio: queue not available")
	ErrQueueInUse       = Error("virtio: queue already set up")
	ErrQueueSize        = Error("virtio: bad queue size")
	ErrConfigUnstable   = Error("virtio: device configuration kept changing while read")
	ErrNeedsReset       = Error("virtio: device needs a reset")
	ErrNoPCICap         = Error("virtio: PCI device lacks a required virtio capability")
	ErrBadPCICap        = Error("virtio: malformed virtio PCI capability")
)

// Errors returned while the device runs.
const (
	// ErrQueueFull means the ring has no free descriptors for the
	// request. Nothing was queued; try again after the device has
	// used some buffers.
	ErrQueueFull = Error("virtio: queue full")
	// ErrBroken means the device wrote something to a queue that
	// cannot be made sense of (its used index ran ahead of what was
	// made available). The queue stops until the device is reset.
	ErrBroken = Error("virtio: device broke the queue protocol; reset it")
	// ErrBadUsedLen marks a used buffer whose length exceeds what the
	// device was allowed to write. The buffer is returned to the driver
	// but its contents are not to be trusted.
	ErrBadUsedLen     = Error("virtio: device reported more bytes than the buffer holds")
	ErrTimeout        = Error("virtio: device did not complete the request")
	ErrBadChain       = Error("virtio: bad buffer chain")
	ErrFrameTooLarge  = Error("virtio: frame larger than the buffer")
	ErrIO             = Error("virtio: device I/O error")
	ErrUnsupported    = Error("virtio: request not supported by the device")
	ErrBadStatus      = Error("virtio: device returned an unknown status")
	ErrReadOnly       = Error("virtio: device is read-only")
	ErrOutOfRange     = Error("virtio: request beyond the end of the device")
	ErrUnaligned      = Error("virtio: length or offset not a multiple of the sector size")
	ErrDeviceNotReady = Error("virtio: device not set up")
)

// maxPolls bounds every wait on a register (reset completion) and every
// synchronous request without an idle hook, so that a wedged device
// becomes an error instead of a hung program.
const maxPolls = 1 << 22

// Little-endian accessors for device-visible memory that no one else
// writes concurrently (descriptors, headers). Indices shared with the
// device go through the atomic helpers in barrier.go instead.

func le16(b []byte) uint16 { _ = b[1]; return uint16(b[0]) | uint16(b[1])<<8 }

func le32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le64(b []byte) uint64 { return uint64(le32(b)) | uint64(le32(b[4:]))<<32 }

func put16(b []byte, v uint16) { _ = b[1]; b[0] = byte(v); b[1] = byte(v >> 8) }

func put32(b []byte, v uint32) {
	_ = b[3]
	b[0] = byte(v)
	b[1] = byte(v >> 8)
	b[2] = byte(v >> 16)
	b[3] = byte(v >> 24)
}

func put64(b []byte, v uint64) { put32(b, uint32(v)); put32(b[4:], uint32(v>>32)) }

func bit(f uint) uint64 { return 1 << f }

// readFeatures reads a 64-bit feature word that both transports show
// 32 bits at a time: writing 0 or 1 to the select register at sel picks
// the half that the register at val shows.
func readFeatures(r Regs, sel, val uint32) uint64 {
	r.Write32(sel, 0)
	lo := r.Read32(val)
	r.Write32(sel, 1)
	hi := r.Read32(val)
	return uint64(hi)<<32 | uint64(lo)
}

// writeFeatures writes f through the select register at sel and the
// value register at val, as readFeatures reads.
func writeFeatures(r Regs, sel, val uint32, f uint64) {
	r.Write32(sel, 0)
	r.Write32(val, uint32(f))
	r.Write32(sel, 1)
	r.Write32(val, uint32(f>>32))
}

// queueSetupErr reports why a queue whose device maximum is max (0: no
// such queue) cannot be set up with size entries, or nil if it can.
func queueSetupErr(max uint16, enabled bool, size uint16) error {
	switch {
	case max == 0:
		return ErrNoQueue
	case enabled:
		return ErrQueueInUse
	case size > max:
		return ErrQueueSize
	}
	return nil
}
