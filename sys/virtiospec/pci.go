// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtiospec

// PCI transport, modern (non-legacy) interface (§4.1 "Virtio Over PCI
// Bus"). The device describes where its structures are with
// vendor-specific capabilities in PCI configuration space; each names a
// BAR and an offset and length inside it.

// PCI identification (§4.1.2 "PCI Device Discovery").
const (
	PCIVendorID = 0x1af4
	// PCIDeviceIDBase plus the device type is the PCI device ID of a
	// modern-only device.
	PCIDeviceIDBase = 0x1040
	// Transitional devices, which also speak the legacy interface, have
	// PCI device IDs in this range; their device type is the PCI
	// subsystem device ID.
	PCIDeviceIDTransitionalFirst = 0x1000
	PCIDeviceIDTransitionalLast  = 0x103f
)

// Virtio structure types, the cfg_type of a capability (§4.1.4 "Virtio
// Structure PCI Capabilities").
const (
	PCICapCommonCfg = 1 // common configuration
	PCICapNotifyCfg = 2 // notifications
	PCICapISRCfg    = 3 // ISR status
	PCICapDeviceCfg = 4 // device-specific configuration
	PCICapPCICfg    = 5 // access to the BARs through configuration space
	PCICapSharedMem = 8 // shared memory region
	PCICapVendorCfg = 9 // vendor data
)

// Layout of struct virtio_pci_cap, which follows the generic PCI
// capability header (§4.1.4): u8 cap_vndr (PCI capability ID 0x09),
// u8 cap_next, u8 cap_len, u8 cfg_type, u8 bar, u8 id, u8 padding[2],
// le32 offset, le32 length.
const (
	PCICapOffVndr    = 0
	PCICapOffNext    = 1
	PCICapOffLen     = 2
	PCICapOffCfgType = 3
	PCICapOffBAR     = 4
	PCICapOffID      = 5
	PCICapOffOffset  = 8
	PCICapOffLength  = 12
	PCICapSize       = 16

	// The notification capability appends le32 notify_off_multiplier
	// (§4.1.4.4 "Notification structure layout"): queue q is notified
	// by a 16-bit write of its index at the notification structure's
	// offset + queue_notify_off(q) * notify_off_multiplier.
	PCINotifyCapOffMultiplier = 16
	PCINotifyCapSize          = 20

	// BARs 0 to 5 are valid in the bar field; the rest are reserved
	// and a driver ignores capabilities naming them.
	PCIMaxBAR = 5
)

// Offsets in the common configuration structure, struct
// virtio_pci_common_cfg (§4.1.4.3 "Common configuration structure
// layout"). Fields after queue_device exist only on newer devices.
const (
	PCICommonDeviceFeatureSelect = 0x00 // le32 RW
	PCICommonDeviceFeature       = 0x04 // le32 R
	PCICommonDriverFeatureSelect = 0x08 // le32 RW
	PCICommonDriverFeature       = 0x0c // le32 RW
	PCICommonConfigMSIXVector    = 0x10 // le16 RW
	PCICommonNumQueues           = 0x12 // le16 R
	PCICommonDeviceStatus        = 0x14 // u8 RW
	PCICommonConfigGeneration    = 0x15 // u8 R
	PCICommonQueueSelect         = 0x16 // le16 RW
	PCICommonQueueSize           = 0x18 // le16 RW: the maximum until the driver writes
	PCICommonQueueMSIXVector     = 0x1a // le16 RW
	PCICommonQueueEnable         = 0x1c // le16 RW
	PCICommonQueueNotifyOff      = 0x1e // le16 R
	PCICommonQueueDesc           = 0x20 // le64 RW
	PCICommonQueueDriver         = 0x28 // le64 RW: available ring
	PCICommonQueueDevice         = 0x30 // le64 RW: used ring
	PCICommonQueueNotifyData     = 0x38 // le16 R, with FNotifConfigData
	PCICommonQueueReset          = 0x3a // le16 RW, with FRingReset

	// PCICommonCfgSize is the size of the structure every 1.x device
	// provides, up to and including queue_device.
	PCICommonCfgSize = 0x38
)

// PCIMSINoVector in an MSI-X vector field means "no vector": the event
// raises no MSI-X message (§4.1.5.1.2 "MSI-X Vector Configuration").
const PCIMSINoVector = 0xffff
