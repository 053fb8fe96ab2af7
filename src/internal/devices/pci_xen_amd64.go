// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"internal/strconv"
	"sync"

	"mirago.dev/drivers/virtio"
	"mirago.dev/sys/virtiospec"
)

// PCI devices on QEMU's pc and q35 machines: configuration space
// through the legacy I/O ports 0xcf8 and 0xcfc (configuration
// mechanism #1), memory BARs as the firmware (SeaBIOS) assigned them,
// and INTx through the I/O APIC pin the firmware wrote in the Interrupt
// Line register, which is a GSI on these machines (QEMU's MADT makes
// the PCI lines level-triggered and active-high).
//
// Only bus 0 is scanned: QEMU puts devices there unless told otherwise.
// Machines without PCI (microvm) answer all ones, and nothing is found.

const (
	pciConfigAddress = 0xcf8
	pciConfigData    = 0xcfc

	pciHeaderType    = 0x0e
	pciBAR0          = 0x10
	pciInterruptLine = 0x3c
)

// pciMu serializes configuration cycles: each is an address write and
// a data access, which another goroutine must not split.
var pciMu sync.Mutex

// PCIConfig is the configuration space of one function. It implements
// mirago.dev/drivers/virtio.Regs.
type PCIConfig struct {
	Bus, Dev, Fn uint8
}

func (c PCIConfig) address(off uint32) uint32 {
	return 1<<31 | uint32(c.Bus)<<16 | uint32(c.Dev)<<11 | uint32(c.Fn)<<8 | off&0xfc
}

func (c PCIConfig) Read8(off uint32) uint8 {
	pciMu.Lock()
	defer pciMu.Unlock()
	outl(pciConfigAddress, c.address(off))
	return inb(pciConfigData + uint16(off&3))
}

func (c PCIConfig) Read16(off uint32) uint16 {
	pciMu.Lock()
	defer pciMu.Unlock()
	outl(pciConfigAddress, c.address(off))
	return inw(pciConfigData + uint16(off&2))
}

func (c PCIConfig) Read32(off uint32) uint32 {
	pciMu.Lock()
	defer pciMu.Unlock()
	outl(pciConfigAddress, c.address(off))
	return inl(pciConfigData)
}

func (c PCIConfig) Write8(off uint32, v uint8) {
	pciMu.Lock()
	defer pciMu.Unlock()
	outl(pciConfigAddress, c.address(off))
	outb(pciConfigData+uint16(off&3), v)
}

func (c PCIConfig) Write16(off uint32, v uint16) {
	pciMu.Lock()
	defer pciMu.Unlock()
	outl(pciConfigAddress, c.address(off))
	outw(pciConfigData+uint16(off&2), v)
}

func (c PCIConfig) Write32(off uint32, v uint32) {
	pciMu.Lock()
	defer pciMu.Unlock()
	outl(pciConfigAddress, c.address(off))
	outl(pciConfigData, v)
}

func (c PCIConfig) String() string {
	return "pci " + hex2(c.Bus) + ":" + hex2(c.Dev) + "." + strconv.Itoa(int(c.Fn))
}

func hex2(b uint8) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// MapBAR implements virtio.BARMapper: a window into a memory BAR.
func (c PCIConfig) MapBAR(bar uint8, offset, length uint32) (virtio.Regs, error) {
	if bar > 5 {
		return nil, Error(c.String() + ": no BAR " + strconv.Itoa(int(bar)))
	}
	lo := c.Read32(pciBAR0 + 4*uint32(bar))
	if lo&1 != 0 {
		return nil, Error(c.String() + ": BAR " + strconv.Itoa(int(bar)) + " is an I/O BAR")
	}
	addr := uint64(lo &^ 0xf)
	if lo&0x6 == 0x4 { // 64-bit
		if bar == 5 {
			return nil, Error(c.String() + ": 64-bit BAR 5")
		}
		addr |= uint64(c.Read32(pciBAR0+4*uint32(bar)+4)) << 32
	}
	if addr == 0 {
		return nil, Error(c.String() + ": BAR " + strconv.Itoa(int(bar)) + " is not assigned")
	}
	m, ok := NewMMIO(uintptr(addr)+uintptr(offset), length)
	if !ok {
		return nil, Error(c.String() + ": BAR " + strconv.Itoa(int(bar)) + " at 0x" + strconv.FormatUint(addr, 16) + " is outside device memory the runtime maps")
	}
	return m, nil
}

// A VirtioPCI is a virtio device on PCI.
type VirtioPCI struct {
	Config    PCIConfig
	Type      uint32      // the virtio device type
	GSI       int         // the INTx line, -1 if none
	Transport *virtio.PCI // nil if Err is set
	Err       error       // why the device cannot be driven
}

func (d *VirtioPCI) String() string { return "virtio-pci (" + d.Config.String() + ")" }

var virtioPCI = sync.OnceValue(probeVirtioPCI)

// VirtioPCIDevices returns the virtio devices on PCI bus 0, probing on
// the first call.
func VirtioPCIDevices() []*VirtioPCI {
	return virtioPCI()
}

func probeVirtioPCI() []*VirtioPCI {
	if platform() != "pc" {
		return nil // PVH domains have no PCI configuration ports
	}
	var found []*VirtioPCI
	for dev := uint8(0); dev < 32; dev++ {
		for fn := uint8(0); fn < 8; fn++ {
			c := PCIConfig{Dev: dev, Fn: fn}
			vendor := c.Read16(0)
			if vendor == 0xffff {
				if fn == 0 {
					break // no device
				}
				continue
			}
			id := uint32(c.Read16(2))
			typ := uint32(0)
			switch {
			case id >= virtiospec.PCIDeviceIDBase && id < virtiospec.PCIDeviceIDBase+0x40:
				typ = id - virtiospec.PCIDeviceIDBase
			case id >= virtiospec.PCIDeviceIDTransitionalFirst && id <= virtiospec.PCIDeviceIDTransitionalLast:
				typ = uint32(c.Read16(0x2e)) // the subsystem ID
			}
			if vendor == virtiospec.PCIVendorID && typ != 0 {
				d := &VirtioPCI{Config: c, Type: typ, GSI: -1}
				if line := c.Read8(pciInterruptLine); line != 0xff && c.Read8(pciInterruptLine+1) != 0 {
					d.GSI = int(line)
				}
				d.Transport, d.Err = virtio.NewPCI(c, c)
				if d.Err != nil {
					d.Transport = nil
					d.Err = Error(d.String() + ": " + d.Err.Error())
				}
				found = append(found, d)
			}
			if fn == 0 && c.Read8(pciHeaderType)&0x80 == 0 {
				break // a single-function device
			}
		}
	}
	return found
}

// FindVirtio returns the first virtio device of type typ (a
// mirago.dev/sys/virtiospec ID), looking at the virtio-mmio slots (QEMU
// microvm) and then at PCI (pc, q35), or nil if there is none.
func FindVirtio(typ uint32) *VirtioDevice {
	if v := findVirtioMMIO(typ); v != nil {
		return v
	}
	for _, d := range VirtioPCIDevices() {
		if d.Type == typ {
			v := &VirtioDevice{Name: d.String(), GSI: d.GSI, Err: d.Err}
			if d.Transport != nil {
				v.Transport = d.Transport
			}
			return v
		}
	}
	return nil
}
