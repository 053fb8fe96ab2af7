// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"mirago.dev/drivers/dma"
	"mirago.dev/sys/virtiospec"
)

// Transport is what a device driver needs from the bus a device sits
// on. MMIO and PCI implement it.
type Transport interface {
	// DeviceType returns the virtio device type (virtiospec.IDNet, ...).
	DeviceType() uint32
	Status() uint8
	SetStatus(s uint8)
	// DeviceFeatures returns the 64 feature bits the device offers.
	DeviceFeatures() uint64
	SetDriverFeatures(f uint64)
	// QueueMax returns the largest size queue i may have, 0 if the
	// device has no such queue, and whether it is already enabled.
	QueueMax(i uint16) (max uint16, enabled bool)
	// SetQueue gives the device queue i's size and ring addresses and
	// enables it.
	SetQueue(i, size uint16, desc, driver, device uint64) error
	// Notify tells the device that queue i has new buffers.
	Notify(i uint16)
	// ConfigGeneration changes whenever the device configuration
	// does, so a reader can tell a torn read.
	ConfigGeneration() uint32
	// Config is the device-specific configuration window.
	Config() Regs
	// InterruptStatus reads and acknowledges the reasons for an
	// interrupt (virtiospec.IntVring, virtiospec.IntConfig).
	InterruptStatus() uint8
}

// DefaultQueueSize caps the queue size a driver asks for when the
// caller leaves it to the device: 256 entries is what QEMU offers by
// default and keeps the rings under two pages each.
const DefaultQueueSize = 256

// Device is a virtio device being initialised or driven: the transport,
// the negotiated features and the queues. Device-type drivers (Net, Blk,
// RNG) are built on it.
type Device struct {
	t        Transport
	mem      dma.Memory
	features uint64
	queues   []*Queue
}

// Init resets the device behind t and negotiates features, the first
// steps of §3.1.1: reset, ACKNOWLEDGE, DRIVER, read the offered
// features, write back those in supported, set FEATURES_OK and check the
// device kept it. The device must be of type want and must offer
// VIRTIO_F_VERSION_1, which Init always accepts. On success the device
// waits for its queues to be set up and for Ready; on failure it is
// marked FAILED.
func Init(t Transport, mem dma.Memory, want uint32, supported uint64) (*Device, error) {
	if t.DeviceType() != want {
		return nil, ErrWrongDevice
	}
	d := &Device{t: t, mem: mem}
	if err := d.Reset(); err != nil {
		return nil, err
	}
	t.SetStatus(virtiospec.StatusAcknowledge)
	t.SetStatus(virtiospec.StatusAcknowledge | virtiospec.StatusDriver)
	offered := t.DeviceFeatures()
	if offered&bit(virtiospec.FVersion1) == 0 {
		d.Fail()
		return nil, ErrNoVersion1
	}
	d.features = offered & (supported | bit(virtiospec.FVersion1))
	t.SetDriverFeatures(d.features)
	t.SetStatus(virtiospec.StatusAcknowledge | virtiospec.StatusDriver | virtiospec.StatusFeaturesOK)
	if t.Status()&virtiospec.StatusFeaturesOK == 0 {
		d.Fail()
		return nil, ErrFeaturesRejected
	}
	return d, nil
}

// Transport returns the device's transport.
func (d *Device) Transport() Transport { return d.t }

// Features returns the negotiated feature bits.
func (d *Device) Features() uint64 { return d.features }

// Has reports whether feature bit f was negotiated.
func (d *Device) Has(f uint) bool { return d.features&bit(f) != 0 }

// Reset writes 0 to the status and waits until the device reports it
// has finished resetting (§2.4, §4.1.4.3.2). The device then forgets its
// queues; callers Reset their Queue objects before setting them up
// again.
func (d *Device) Reset() error {
	d.t.SetStatus(0)
	for i := 0; d.t.Status() != 0; i++ {
		if i == maxPolls {
			return ErrResetTimeout
		}
	}
	return nil
}

// Fail tells the device the driver has given up on it.
func (d *Device) Fail() {
	d.t.SetStatus(d.t.Status() | virtiospec.StatusFailed)
}

// SetupQueue allocates queue i with size entries (0: the device's
// maximum, at most DefaultQueueSize), rounded down to a power of 2 and
// to the device's maximum, and gives it to the device. Calling it again
// for the same i after Reset reuses the queue's memory.
func (d *Device) SetupQueue(i, size uint16) (*Queue, error) {
	max, enabled := d.t.QueueMax(i)
	if max == 0 {
		return nil, ErrNoQueue
	}
	if enabled {
		return nil, ErrQueueInUse
	}
	if size == 0 {
		size = DefaultQueueSize
	}
	size = min(size, max, virtiospec.MaxQueueSize)
	for size&(size-1) != 0 {
		size &= size - 1 // round down to a power of 2
	}
	for int(i) >= len(d.queues) {
		d.queues = append(d.queues, nil)
	}
	q := d.queues[i]
	if q == nil || q.Size() != int(size) {
		var err error
		t := d.t
		q, err = newQueue(d.mem, i, size, d.Has(virtiospec.FRingEventIdx), func() { t.Notify(i) })
		if err != nil {
			return nil, err
		}
		d.queues[i] = q
	} else {
		// Reused after a device reset: start from empty rings. The
		// owner should have reclaimed its chains with Queue.Reset
		// first; this one only clears what is left.
		q.Reset(nil)
	}
	if err := d.t.SetQueue(i, size, q.descPhys, q.availPhys, q.usedPhys); err != nil {
		return nil, err
	}
	return q, nil
}

// Ready sets DRIVER_OK: the device may now use the queues (§3.1.1 step
// 8). Receive queues should be filled first.
func (d *Device) Ready() {
	d.t.SetStatus(d.t.Status() | virtiospec.StatusDriverOK)
}

// NeedsReset reports whether the device has flagged an error it cannot
// recover from without a reset.
func (d *Device) NeedsReset() bool {
	return d.t.Status()&virtiospec.StatusDeviceNeedsReset != 0
}

// InterruptStatus reads and acknowledges the device's interrupt reasons
// (virtiospec.IntVring: some queue has used buffers;
// virtiospec.IntConfig: the configuration changed). It neither
// allocates nor blocks, so the runtime may call it from an interrupt
// handler; with a level-triggered line (INTx, or MMIO on a GSI) it
// must, to lower the line.
func (d *Device) InterruptStatus() uint8 { return d.t.InterruptStatus() }

// ReadConfig calls read with the device configuration window until the
// configuration generation is the same before and after, so that fields
// read together, or a 64-bit field read as two halves, belong to one
// version of the configuration (§2.5.1).
func (d *Device) ReadConfig(read func(c Regs)) error {
	c := d.t.Config()
	for i := 0; i < 100; i++ {
		before := d.t.ConfigGeneration()
		read(c)
		if d.t.ConfigGeneration() == before {
			return nil
		}
	}
	return ErrConfigUnstable
}

// config64 reads a le64 configuration field as two 32-bit halves, the
// access width every transport allows; callers hold the generation
// check of ReadConfig.
func config64(c Regs, off uint32) uint64 {
	return uint64(c.Read32(off)) | uint64(c.Read32(off+4))<<32
}

// window is a Regs at an offset inside another Regs.
type window struct {
	r    Regs
	base uint32
}

func (w window) Read8(off uint32) uint8       { return w.r.Read8(w.base + off) }
func (w window) Read16(off uint32) uint16     { return w.r.Read16(w.base + off) }
func (w window) Read32(off uint32) uint32     { return w.r.Read32(w.base + off) }
func (w window) Write8(off uint32, v uint8)   { w.r.Write8(w.base+off, v) }
func (w window) Write16(off uint32, v uint16) { w.r.Write16(w.base+off, v) }
func (w window) Write32(off uint32, v uint32) { w.r.Write32(w.base+off, v) }
