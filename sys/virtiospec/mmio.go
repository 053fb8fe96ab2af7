// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtiospec

// MMIO transport (§4.2 "Virtio Over MMIO"): a register window, typically
// 0x200 bytes, found through the device tree, ACPI or the kernel command
// line (QEMU microvm, Firecracker). All registers are 32 bits wide and
// must be accessed as such; the device-specific configuration at
// MMIOConfig allows narrower accesses.

// MMIOMagic is the MagicValue register's content, "virt" in
// little-endian ASCII.
const MMIOMagic = 0x74726976

// Values of the Version register. Version 1 is the legacy interface
// (§4.2.4), which this ABI does not describe beyond recognising it.
const (
	MMIOVersionLegacy = 1
	MMIOVersion       = 2
)

// Register offsets (§4.2.2 "MMIO Device Register Layout"). "Driver" and
// "device" areas are the available and used rings.
const (
	MMIOMagicValue        = 0x000 // R
	MMIOVersionReg        = 0x004 // R
	MMIODeviceID          = 0x008 // R: device type, IDInvalid for an empty slot
	MMIOVendorID          = 0x00c // R
	MMIODeviceFeatures    = 0x010 // R: 32 feature bits, selected below
	MMIODeviceFeaturesSel = 0x014 // W: which 32 bits DeviceFeatures shows
	MMIODriverFeatures    = 0x020 // W
	MMIODriverFeaturesSel = 0x024 // W
	MMIOQueueSel          = 0x030 // W: which queue the Queue* registers address
	MMIOQueueNumMax       = 0x034 // R: largest size of the selected queue; 0 if absent
	MMIOQueueNum          = 0x038 // W: size the driver chose
	MMIOQueueReady        = 0x044 // RW: 1 once the queue is set up
	MMIOQueueNotify       = 0x050 // W: queue index, to notify the device
	MMIOInterruptStatus   = 0x060 // R: MMIOInt* bits
	MMIOInterruptACK      = 0x064 // W: bits handled
	MMIOStatus            = 0x070 // RW: Status* bits; write 0 to reset
	MMIOQueueDescLow      = 0x080 // W: descriptor table address
	MMIOQueueDescHigh     = 0x084
	MMIOQueueDriverLow    = 0x090 // W: available ring address
	MMIOQueueDriverHigh   = 0x094
	MMIOQueueDeviceLow    = 0x0a0 // W: used ring address
	MMIOQueueDeviceHigh   = 0x0a4
	MMIOSHMSel            = 0x0ac // W: shared memory region
	MMIOSHMLenLow         = 0x0b0
	MMIOSHMLenHigh        = 0x0b4
	MMIOSHMBaseLow        = 0x0b8
	MMIOSHMBaseHigh       = 0x0bc
	MMIOQueueReset        = 0x0c0 // RW: with FRingReset
	MMIOConfigGeneration  = 0x0fc // R: changes when the configuration does
	MMIOConfig            = 0x100 // device-specific configuration
)

// Legacy (version 1) registers with no version 2 counterpart (§4.2.4).
// A driver that sees version 1 must not use the version 2 layout.
const (
	MMIOLegacyGuestPageSize = 0x028
	MMIOLegacyQueueAlign    = 0x03c
	MMIOLegacyQueuePFN      = 0x040
)

// Interrupt reasons, in the MMIO InterruptStatus register and in the PCI
// ISR status byte alike (§4.2.2, §4.1.4.5).
const (
	IntVring  = 1 // a queue has new used buffers
	IntConfig = 2 // the device configuration changed
)
