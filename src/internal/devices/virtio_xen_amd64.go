// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"internal/strconv"
	"sync"

	"mirago.dev/drivers/virtio"
)

// virtio-mmio transports on QEMU's microvm machine (hw/i386/microvm.c,
// QEMU 5.1 and later): 512-byte windows from 0xfeb00000, as many as the
// machine's interrupt wiring allows, each with its own GSI:
//
//   - two I/O APICs (ACPI on and ioapic2 not off, the default): 24
//     transports on GSIs 24-47, the second I/O APIC's pins;
//   - one I/O APIC with ACPI (ioapic2=off): 8 transports on GSIs 16-23;
//   - no ACPI (acpi=off): 8 transports on GSIs 5-12.
//
// QEMU plugs -device options into the free transport with the highest
// address first. The transports are always there: an empty one reads
// as a virtio-mmio device of type 0. QEMU tells Linux where the devices
// are on the kernel command line unless auto-kernel-cmdline=off (which
// the exec wrapper sets, and which ACPI turns off anyway), so they are
// found by probing each window for the magic value; an address with no
// transport behind it reads as 0.
//
// QEMU's transports are legacy (version 1) unless the machine is started
// with -global virtio-mmio.force-legacy=false; the drivers speak only
// version 2.
const (
	microvmMMIOBase = 0xfeb00000
	microvmMMIOSize = 0x200
)

// A VirtioMMIO is a virtio-mmio transport with a device behind it.
type VirtioMMIO struct {
	Slot      int
	Regs      MMIO
	GSI       int
	Transport *virtio.MMIO // nil if Err is set
	Err       error        // why the device cannot be driven
}

// DeviceID returns the virtio device type behind the transport.
func (d *VirtioMMIO) DeviceID() uint32 {
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

func probeVirtioMMIO() []*VirtioMMIO {
	acpi, ngsi := interruptController()
	n, gsiBase := 8, 5
	switch {
	case ngsi > 24:
		n, gsiBase = 24, 24
	case acpi:
		gsiBase = 16
	}
	var found []*VirtioMMIO
	for slot := 0; slot < n; slot++ {
		r, ok := NewMMIO(microvmMMIOBase+uintptr(slot)*microvmMMIOSize, microvmMMIOSize)
		if !ok {
			break
		}
		d := &VirtioMMIO{Slot: slot, Regs: r, GSI: gsiBase + slot}
		t, err := virtio.NewMMIO(r)
		switch err {
		case nil:
			d.Transport = t
		case virtio.ErrNoDevice:
			continue
		case virtio.ErrLegacy:
			if d.DeviceID() == 0 {
				continue // an empty legacy transport
			}
			d.Err = Error(d.String() + ": legacy (version 1) virtio-mmio transport; start QEMU with -global virtio-mmio.force-legacy=false")
		default:
			d.Err = Error(d.String() + ": " + err.Error())
		}
		found = append(found, d)
	}
	return found
}

// Error is the error type of this package.
type Error string

func (e Error) Error() string { return string(e) }
