// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"unsafe"
)

// Device interrupt lines on xen/amd64: the I/O APICs, which turn a
// device's line (a GSI, global system interrupt number) into an
// interrupt vector for the local APIC.
//
// The I/O APICs are found in the ACPI MADT, whose root pointer is in the
// PVH start info or, as on QEMU microvm (which leaves the field 0), in
// the BIOS area 0xe0000-0xfffff. Without ACPI (microvm,acpi=off) there
// is the one I/O APIC every PC has, at 0xfec00000 with GSIs from 0.
// Nothing is looked at until a driver asks for a line, so a program
// without devices pays nothing at boot.
//
// A line is programmed level-triggered and active-high, as microvm's
// ACPI tables describe its virtio-mmio lines, and starts masked. When
// it fires, ioapicInterrupt masks it, records it (irq_unikernel.go) and
// acknowledges the local APIC; the line stays masked until the driver's
// goroutine has acknowledged the device and waits again (lineEnable).
//
// Line i (1 to ioapicLines) is vector ioapicVectorBase+i: vectors 33-47,
// which have trap stubs (trap_xen_amd64.s).
// Masking before the EOI is what stops a level-triggered line that the
// device still holds up from firing again at once.

// I/O APIC registers: an index register and a data window.
const (
	ioapicRegSel = 0x00
	ioapicWin    = 0x10

	ioapicVersion  = 0x01
	ioapicRedirTbl = 0x10 // two registers per pin

	redirLevel  = 1 << 15
	redirMasked = 1 << 16

	lapicIDReg = 0x020

	ioapicDefaultBase = 0xfec00000

	ioapicVectorBase = vectorTimer
	ioapicLines      = 15
)

type ioapic struct {
	base    uintptr
	gsiBase uint32
	pins    uint32
}

var (
	ioapicsDone bool
	acpiFound   bool
	ioapics     [4]ioapic
	nioapics    int

	// irqLines says which I/O APIC pin feeds line i, and the low
	// word of its redirection entry, unmasked. Entry 0 is unused.
	irqLines [ioapicLines + 1]struct {
		apic  *ioapic
		pin   uint32
		gsi   uint32
		entry uint32
	}
)

// ioapicLock is held, with interrupts off, around every use of an I/O
// APIC's registers and while irqLines changes. A register is reached
// in two steps, its index written to IOREGSEL and then the data window
// used, so two CPUs whose steps interleave read or write each other's
// register: a CPU unmasking one line while another CPU's handler masks
// another could leave the first masked for ever. With interrupts off
// while it is held, a line's handler never spins on a lock that its
// own CPU holds.
var ioapicLock uint32

func ioapicAcquire() {
	for !atomic.Cas(&ioapicLock, 0, 1) {
		procyield(10)
	}
}

func ioapicRelease() {
	atomic.Store(&ioapicLock, 0)
}

// ioapicSetPin writes the low word of pin's redirection entry, which
// holds its vector, trigger mode and mask.
func ioapicSetPin(a *ioapic, pin, low uint32) {
	on := intrOff()
	ioapicAcquire()
	ioapicWrite(a, ioapicRedirTbl+2*pin, low)
	ioapicRelease()
	intrRestore(on)
}

// ioapicRead and ioapicWrite need ioapicLock.
func ioapicRead(a *ioapic, reg uint32) uint32 {
	atomic.Store((*uint32)(unsafe.Pointer(a.base+ioapicRegSel)), reg)
	return atomic.Load((*uint32)(unsafe.Pointer(a.base + ioapicWin)))
}

func ioapicWrite(a *ioapic, reg, v uint32) {
	atomic.Store((*uint32)(unsafe.Pointer(a.base+ioapicRegSel)), reg)
	atomic.Store((*uint32)(unsafe.Pointer(a.base+ioapicWin)), v)
}

// ioapicInit finds the I/O APICs, once. ioapicLock is held.
func ioapicInit() {
	if ioapicsDone {
		return
	}
	ioapicsDone = true
	if madt := acpiFindTable([4]byte{'A', 'P', 'I', 'C'}); madt != 0 {
		acpiFound = true
		// Entries follow the 36-byte header, the local APIC address
		// and the flags. Type 1 is an I/O APIC: id, reserved, u32
		// address, u32 GSI base.
		end := madt + uintptr(*(*uint32)(unsafe.Pointer(madt + 4)))
		for p := madt + 44; p+2 <= end; {
			typ, n := *(*uint8)(unsafe.Pointer(p)), uintptr(*(*uint8)(unsafe.Pointer(p + 1)))
			if n < 2 || p+n > end {
				break
			}
			if typ == 1 && n >= 12 {
				ioapicAdd(uintptr(*(*uint32)(unsafe.Pointer(p + 4))), *(*uint32)(unsafe.Pointer(p + 8)))
			}
			p += n
		}
		return
	}
	ioapicAdd(ioapicDefaultBase, 0)
}

// ioapicAdd records the I/O APIC at base if it answers like one.
func ioapicAdd(base uintptr, gsiBase uint32) {
	if nioapics == len(ioapics) || base == 0 || base >= identityMapEnd {
		return
	}
	a := &ioapics[nioapics]
	a.base = base
	v := ioapicRead(a, ioapicVersion)
	// No device reads as all zeros or all ones.
	if v == 0 || v == ^uint32(0) {
		return
	}
	a.gsiBase = gsiBase
	a.pins = (v>>16)&0xff + 1
	for pin := uint32(0); pin < a.pins; pin++ {
		ioapicWrite(a, ioapicRedirTbl+2*pin, redirMasked)
	}
	nioapics++
}

// acpiFindTable returns the address of the ACPI table with signature
// sig, or 0.
func acpiFindTable(sig [4]byte) uintptr {
	rsdp := uintptr(0)
	if si := (*hvmStartInfo)(unsafe.Pointer(pvhStartInfo)); si.rsdpPaddr != 0 && si.rsdpPaddr < identityMapEnd {
		rsdp = uintptr(si.rsdpPaddr)
	} else {
		// "RSD PTR " on a 16-byte boundary. (The EBDA, the other
		// place to look, is found through page 0, which is unmapped.)
		for a := uintptr(0xe0000); a < 0x100000; a += 16 {
			if *(*uint64)(unsafe.Pointer(a)) == 0x2052545020445352 && acpiChecksum(a, 20) {
				rsdp = a
				break
			}
		}
	}
	if rsdp == 0 || !acpiChecksum(rsdp, 20) {
		return 0
	}
	// ACPI 2.0 and later have the XSDT, with 64-bit entries.
	root, entry := uintptr(*(*uint32)(unsafe.Pointer(rsdp + 16))), uintptr(4)
	if *(*uint8)(unsafe.Pointer(rsdp + 15)) >= 2 {
		if x := *(*uint64)(unsafe.Pointer(rsdp + 24)); x != 0 && x < identityMapEnd {
			root, entry = uintptr(x), 8
		}
	}
	if !acpiTableOK(root) {
		return 0
	}
	end := root + uintptr(*(*uint32)(unsafe.Pointer(root + 4)))
	for p := root + 36; p+entry <= end; p += entry {
		t := uintptr(*(*uint32)(unsafe.Pointer(p)))
		if entry == 8 {
			t64 := *(*uint64)(unsafe.Pointer(p))
			if t64 >= identityMapEnd {
				continue
			}
			t = uintptr(t64)
		}
		if acpiTableOK(t) && *(*[4]byte)(unsafe.Pointer(t)) == sig {
			return t
		}
	}
	return 0
}

// acpiTableOK reports whether a system description table at t is
// believable: mapped, of a sane length, with a good checksum.
func acpiTableOK(t uintptr) bool {
	if t < pageSize4K || t >= identityMapEnd-36 {
		return false
	}
	n := uintptr(*(*uint32)(unsafe.Pointer(t + 4)))
	return n >= 36 && n <= 1<<20 && t+n <= identityMapEnd && acpiChecksum(t, n)
}

// acpiChecksum reports whether the n bytes at p sum to 0 (mod 256).
func acpiChecksum(p, n uintptr) bool {
	sum := uint8(0)
	for _, b := range unsafe.Slice((*uint8)(unsafe.Pointer(p)), n) {
		sum += b
	}
	return sum == 0
}

// devices_interruptController tells drivers how the machine wires its
// lines: whether it has ACPI tables, and how many GSIs its I/O APICs
// serve (their highest GSI plus one; 0 without an I/O APIC). QEMU
// microvm's virtio-mmio lines depend on both.
//
//go:linkname devices_interruptController internal/devices.interruptController
func devices_interruptController() (acpi bool, ngsi int) {
	on := intrOff()
	ioapicAcquire()
	ioapicInit()
	ioapicRelease()
	intrRestore(on)
	for i := 0; i < nioapics; i++ {
		ngsi = max(ngsi, int(ioapics[i].gsiBase+ioapics[i].pins))
	}
	return acpiFound, ngsi
}

// devices_routeGSI routes the level-triggered, active-high line gsi to
// a free device interrupt line, masked until the first waitIRQ, and
// returns the line. Routing the same GSI again returns the same line.
// It returns 0 if no I/O APIC serves gsi or all lines are taken.
//
//go:linkname devices_routeGSI internal/devices.routeGSI
func devices_routeGSI(gsi int) int {
	if mach.name() != "pc" {
		return 0
	}
	on := intrOff()
	ioapicAcquire()
	line := ioapicRoute(gsi)
	ioapicRelease()
	intrRestore(on)
	return line
}

// ioapicRoute is routeGSI's work, with ioapicLock held.
func ioapicRoute(gsi int) int {
	ioapicInit()
	var a *ioapic
	for i := 0; i < nioapics; i++ {
		if g := uint32(gsi); gsi >= 0 && g >= ioapics[i].gsiBase && g < ioapics[i].gsiBase+ioapics[i].pins {
			a = &ioapics[i]
		}
	}
	if a == nil {
		return 0
	}
	free := 0
	for i := 1; i < len(irqLines); i++ {
		l := &irqLines[i]
		if l.apic == nil && free == 0 {
			free = i
		}
		if l.apic != nil && l.gsi == uint32(gsi) {
			return i
		}
	}
	if free == 0 {
		return 0
	}
	l := &irqLines[free]
	l.pin = uint32(gsi) - a.gsiBase
	l.gsi = uint32(gsi)
	// Fixed delivery to this CPU, in physical destination mode.
	l.entry = uint32(ioapicVectorBase+free) | redirLevel
	ioapicWrite(a, ioapicRedirTbl+2*l.pin+1, lapicID()<<24)
	ioapicWrite(a, ioapicRedirTbl+2*l.pin, l.entry|redirMasked)
	l.apic = a
	return free
}

// ioapicLineRouted reports whether line i has an I/O APIC pin. A
// line's entry in irqLines is filled in once, before routeGSI returns
// it, so whoever has the line from routeGSI reads it without the lock.
func ioapicLineRouted(i int) bool {
	return i < len(irqLines) && irqLines[i].apic != nil
}

// ioapicLineEnable unmasks the pin of line i.
func ioapicLineEnable(i int) {
	l := &irqLines[i]
	ioapicSetPin(l.apic, l.pin, l.entry)
}

// ioapicInterrupt handles the vectors of the lines, on gsignal, with
// interrupts off.
func ioapicInterrupt(f *trapFrame, _ *g) {
	i := int(f.vector - ioapicVectorBase)
	if l := &irqLines[i]; l.apic != nil {
		ioapicSetPin(l.apic, l.pin, l.entry|redirMasked)
		irqRaised(i)
	}
	lapicEOI()
}
