// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

// Provided by the runtime (ioapic_xen_amd64.go, vm_xen_amd64.go); the
// bodies are pushed here with //go:linkname.

// interruptController reports whether the machine has ACPI tables and
// how many GSIs its interrupt controllers serve.
func interruptController() (acpi bool, ngsi int)

// routeGSI routes the level-triggered line gsi to one of the runtime's
// interrupt lines and returns it, 0 if it cannot.
func routeGSI(gsi int) int

// deviceMemory reports whether the size bytes at physical address addr
// are device memory that the runtime maps uncached at that address.
func deviceMemory(addr, size uintptr) bool

// RouteGSI routes the level-triggered, active-high line gsi, and
// reports false if the machine has no controller for it or no line
// left.
func RouteGSI(gsi int) (Line, bool) {
	l := routeGSI(gsi)
	return Line{GSI: gsi, line: l}, l != 0
}

// MMIO is a window of device registers at a physical address. Each
// access is one load or store instruction of the width asked for (see
// mmio_xen_amd64.s): Go has no volatile accesses, and plain loads and
// stores through a pointer may be merged, split, reordered or dropped
// by the compiler, which device registers do not allow. sync/atomic
// would do for 32 bits but has no 8- or 16-bit operations, which
// device configuration fields need. The runtime maps device memory
// uncached, so the CPU does not reorder or combine the accesses either.
//
// MMIO implements mirago.dev/drivers/virtio.Regs.
type MMIO struct {
	base uintptr
	size uint32
}

// NewMMIO returns the window of size bytes at physical address addr,
// or false if that is not device memory the runtime has mapped.
func NewMMIO(addr uintptr, size uint32) (MMIO, bool) {
	if !deviceMemory(addr, uintptr(size)) {
		return MMIO{}, false
	}
	return MMIO{base: addr, size: size}, true
}

// Addr returns the window's physical address.
func (m MMIO) Addr() uintptr { return m.base }

// at returns the address of off, which must leave room for width bytes.
// An offset outside the window is a driver bug.
func (m MMIO) at(off, width uint32) uintptr {
	if off > m.size || m.size-off < width {
		panic("devices: MMIO access outside the window")
	}
	return m.base + uintptr(off)
}

func (m MMIO) Read8(off uint32) uint8       { return read8(m.at(off, 1)) }
func (m MMIO) Read16(off uint32) uint16     { return read16(m.at(off, 2)) }
func (m MMIO) Read32(off uint32) uint32     { return read32(m.at(off, 4)) }
func (m MMIO) Write8(off uint32, v uint8)   { write8(m.at(off, 1), v) }
func (m MMIO) Write16(off uint32, v uint16) { write16(m.at(off, 2), v) }
func (m MMIO) Write32(off uint32, v uint32) { write32(m.at(off, 4), v) }

// Implemented in mmio_xen_amd64.s.
func read8(addr uintptr) uint8
func read16(addr uintptr) uint16
func read32(addr uintptr) uint32
func write8(addr uintptr, v uint8)
func write16(addr uintptr, v uint16)
func write32(addr uintptr, v uint32)
