// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import "mirago.dev/sys/virtiospec"

// ErrMMIOVersion is returned for an MMIO device reporting a version
// that is neither 1 (legacy) nor 2.
const ErrMMIOVersion = Error("virtio: unknown MMIO transport version")

// MMIO is the virtio-mmio transport, version 2 (§4.2), over a register
// window such as QEMU microvm's or Firecracker's.
type MMIO struct {
	r  Regs
	id uint32
}

// NewMMIO probes the window r: the magic value, version 2 and a device
// type other than 0 (an empty slot). A version 1 device is the legacy
// interface, which has a different queue layout, and is refused with
// ErrLegacy. Probing does not change the device's state.
func NewMMIO(r Regs) (*MMIO, error) {
	if r.Read32(virtiospec.MMIOMagicValue) != virtiospec.MMIOMagic {
		return nil, ErrNoDevice
	}
	switch r.Read32(virtiospec.MMIOVersionReg) {
	case virtiospec.MMIOVersion:
	case virtiospec.MMIOVersionLegacy:
		return nil, ErrLegacy
	default:
		return nil, ErrMMIOVersion
	}
	id := r.Read32(virtiospec.MMIODeviceID)
	if id == virtiospec.IDInvalid {
		return nil, ErrNoDevice
	}
	return &MMIO{r: r, id: id}, nil
}

func (m *MMIO) DeviceType() uint32 { return m.id }

func (m *MMIO) Status() uint8 { return uint8(m.r.Read32(virtiospec.MMIOStatus)) }

func (m *MMIO) SetStatus(s uint8) { m.r.Write32(virtiospec.MMIOStatus, uint32(s)) }

func (m *MMIO) DeviceFeatures() uint64 {
	return readFeatures(m.r, virtiospec.MMIODeviceFeaturesSel, virtiospec.MMIODeviceFeatures)
}

func (m *MMIO) SetDriverFeatures(f uint64) {
	writeFeatures(m.r, virtiospec.MMIODriverFeaturesSel, virtiospec.MMIODriverFeatures, f)
}

func (m *MMIO) QueueMax(i uint16) (uint16, bool) {
	m.r.Write32(virtiospec.MMIOQueueSel, uint32(i))
	max := m.r.Read32(virtiospec.MMIOQueueNumMax)
	enabled := m.r.Read32(virtiospec.MMIOQueueReady) != 0
	return uint16(min(max, virtiospec.MaxQueueSize)), enabled
}

// SetQueue follows §4.2.3.2 "Virtqueue Configuration".
func (m *MMIO) SetQueue(i, size uint16, desc, driver, device uint64) error {
	max, enabled := m.QueueMax(i) // also selects i
	if err := queueSetupErr(max, enabled, size); err != nil {
		return err
	}
	m.r.Write32(virtiospec.MMIOQueueNum, uint32(size))
	m.r.Write32(virtiospec.MMIOQueueDescLow, uint32(desc))
	m.r.Write32(virtiospec.MMIOQueueDescHigh, uint32(desc>>32))
	m.r.Write32(virtiospec.MMIOQueueDriverLow, uint32(driver))
	m.r.Write32(virtiospec.MMIOQueueDriverHigh, uint32(driver>>32))
	m.r.Write32(virtiospec.MMIOQueueDeviceLow, uint32(device))
	m.r.Write32(virtiospec.MMIOQueueDeviceHigh, uint32(device>>32))
	m.r.Write32(virtiospec.MMIOQueueReady, 1)
	return nil
}

func (m *MMIO) Notify(i uint16) { m.r.Write32(virtiospec.MMIOQueueNotify, uint32(i)) }

func (m *MMIO) ConfigGeneration() uint32 { return m.r.Read32(virtiospec.MMIOConfigGeneration) }

func (m *MMIO) Config() Regs { return window{m.r, virtiospec.MMIOConfig} }

func (m *MMIO) InterruptStatus() uint8 {
	v := m.r.Read32(virtiospec.MMIOInterruptStatus)
	if v != 0 {
		m.r.Write32(virtiospec.MMIOInterruptACK, v)
	}
	return uint8(v)
}
