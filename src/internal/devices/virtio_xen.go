// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"internal/strconv"
	"sync"

	"mirago.dev/drivers/virtio"
)

// A VirtioDevice is a virtio device on either transport.
type VirtioDevice struct {
	Name      string           // for messages: "virtio-mmio slot 3", "pci 00:03.0", ...
	Transport virtio.Transport // nil if Err is set
	GSI       int              // its interrupt line, -1 if none
	Err       error            // why the device cannot be driven
}

// Interrupt routes the device's interrupt line. The device is
// acknowledged by reading its interrupt status through the transport,
// which lowers the line.
func (d *VirtioDevice) Interrupt() *Interrupt {
	t := d.Transport
	return NewInterrupt(d.GSI, func() { t.InterruptStatus() })
}

// A VirtioMMIO is a virtio-mmio transport with a device behind it.
type VirtioMMIO struct {
	Slot      int
	Regs      MMIO
	GSI       int
	Transport *virtio.MMIO // nil if Err is set
	Err       error        // why the device cannot be driven
}

// DeviceID returns the virtio device type behind the transport, 0 if
// d has no register window (its Err says why).
func (d *VirtioMMIO) DeviceID() uint32 {
	if d.Regs.size == 0 {
		return 0
	}
	return d.Regs.Read32(0x008) // DeviceID, readable in both versions
}

func (d *VirtioMMIO) String() string {
	return "virtio-mmio slot " + strconv.Itoa(d.Slot) + " at 0x" + strconv.FormatUint(uint64(d.Regs.Addr()), 16)
}

var virtioMMIO = sync.OnceValue(probeVirtioMMIO)

// VirtioMMIODevices returns the virtio-mmio transports that have a
// device, probing them on the first call.
func VirtioMMIODevices() []*VirtioMMIO {
	return virtioMMIO()
}

// open sets up the transport of d, whose Regs are set, and reports
// whether there is a device behind it; a device that cannot be driven
// has Err set.
func (d *VirtioMMIO) open() bool {
	t, err := virtio.NewMMIO(d.Regs)
	switch err {
	case nil:
		d.Transport = t
	case virtio.ErrNoDevice:
		return false
	case virtio.ErrLegacy:
		if d.DeviceID() == 0 {
			return false // an empty legacy transport
		}
		d.Err = Error(d.String() + ": legacy (version 1) virtio-mmio transport; start QEMU with -global virtio-mmio.force-legacy=false")
	default:
		d.Err = Error(d.String() + ": " + err.Error())
	}
	return true
}

// findVirtioMMIO returns the first device of type typ on a virtio-mmio
// transport, or nil.
func findVirtioMMIO(typ uint32) *VirtioDevice {
	for _, d := range VirtioMMIODevices() {
		if d.DeviceID() == typ {
			v := &VirtioDevice{Name: d.String(), GSI: d.GSI, Err: d.Err}
			if d.Transport != nil {
				v.Transport = d.Transport
			}
			return v
		}
	}
	return nil
}
