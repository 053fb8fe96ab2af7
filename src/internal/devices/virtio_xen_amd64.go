// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import "internal/strconv"

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

// cmdlineDevices returns the values of the command line's
// virtio_mmio.device words (runtime/os_unikernel.go).
func cmdlineDevices() []string

// platform returns the name of the platform the runtime found at boot
// (runtime/machine_unikernel.go): "pc" for a PVH guest of QEMU,
// Firecracker or Cloud Hypervisor, "xen" for a Xen domain. On Xen
// there are neither virtio-mmio windows nor PCI configuration ports,
// and an access to memory nothing emulates ends the domain, so only
// what the command line names is probed there.
func platform() string

func probeVirtioMMIO() []*VirtioMMIO {
	if words := cmdlineDevices(); len(words) > 0 {
		return namedVirtioMMIO(words)
	}
	if platform() != "pc" {
		return nil
	}
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
		if !d.open() {
			continue
		}
		found = append(found, d)
	}
	return found
}

// namedVirtioMMIO sets up the transports the command line names, each
// as SIZE@BASE:IRQ[:ID] in Linux's syntax (SIZE and BASE take K, M and
// G suffixes; BASE may be hex with 0x); the slot is the word's index.
// A word that does not parse, or a window the runtime does not map as
// device memory, is reported as a device with Err set.
func namedVirtioMMIO(words []string) []*VirtioMMIO {
	var found []*VirtioMMIO
	for slot, w := range words {
		d := &VirtioMMIO{Slot: slot, GSI: -1}
		size, rest, ok1 := cutNumber(w, '@')
		base, rest, ok2 := cutNumber(rest, ':')
		irq, _, ok3 := cutNumber(rest, ':')
		switch {
		case !ok1 || !ok2 || !ok3 || size == 0 || size > 1<<20:
			d.Err = Error("virtio_mmio.device=" + w + ": want SIZE@BASE:IRQ")
		default:
			r, ok := NewMMIO(uintptr(base), uint32(size))
			if !ok {
				d.Err = Error("virtio_mmio.device=" + w + ": not device memory")
				break
			}
			d.Regs, d.GSI = r, int(irq)
			if !d.open() {
				continue
			}
		}
		found = append(found, d)
	}
	return found
}

// cutNumber parses the number at the start of s, up to sep or the end,
// as Linux's memparse does, and returns it with what follows sep.
func cutNumber(s string, sep byte) (n uint64, rest string, ok bool) {
	end := 0
	for end < len(s) && s[end] != sep {
		end++
	}
	num := s[:end]
	if end < len(s) {
		rest = s[end+1:]
	}
	shift := 0
	if k := len(num); k > 0 {
		switch num[k-1] {
		case 'K', 'k':
			shift = 10
		case 'M', 'm':
			shift = 20
		case 'G', 'g':
			shift = 30
		}
		if shift != 0 {
			num = num[:k-1]
		}
	}
	v, err := strconv.ParseUint(num, 0, 64)
	if err != nil || v > (1<<48)>>shift {
		return 0, rest, false
	}
	return v << shift, rest, true
}
