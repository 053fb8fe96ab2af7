// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

// platform returns the name of the platform the runtime found at boot
// (runtime/machine_unikernel.go).
func platform() string

// virtioWindow returns the i-th virtio-mmio transport of the device
// tree: its registers, and its interrupt as a GIC interrupt ID (-1 if
// it has none the runtime can route); ok is false past the last one
// (runtime/os_xen_arm64.go).
func virtioWindow(i int) (base, size uintptr, intid int, ok bool)

// probeVirtioMMIO sets up the virtio-mmio transports the device tree
// lists (QEMU's virt machine lists 32, most of them empty) and returns
// those with a device behind them. A window that is not device memory
// is reported as a device with Err set.
func probeVirtioMMIO() []*VirtioMMIO {
	var found []*VirtioMMIO
	for slot := 0; ; slot++ {
		base, size, intid, ok := virtioWindow(slot)
		if !ok {
			break
		}
		d := &VirtioMMIO{Slot: slot, GSI: intid}
		r, ok := NewMMIO(base, uint32(min(size, 1<<20)))
		if !ok {
			d.Err = Error(d.String() + ": not device memory")
			found = append(found, d)
			continue
		}
		d.Regs = r
		if !d.open() {
			continue
		}
		found = append(found, d)
	}
	return found
}

// FindVirtio returns the first virtio device of type typ (a
// mirago.dev/sys/virtiospec ID) on the device tree's virtio-mmio
// transports, or nil if there is none.
func FindVirtio(typ uint32) *VirtioDevice {
	return findVirtioMMIO(typ)
}
