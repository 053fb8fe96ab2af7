// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package virtiospec defines the virtio 1.x device ABI: device status bits,
// feature bits, device types, the register layouts of the MMIO and PCI
// transports, the split virtqueue in guest memory, and the request
// headers of the network and block devices.
//
// It holds facts only; the drivers live in mirago.dev/drivers/virtio.
// Every number comes from "Virtual I/O Device (VIRTIO) Version 1.2"
// (OASIS Committee Specification 01, 2022), cited below as "§n.n"; the
// same numbers appear in Linux's include/uapi/linux/virtio_*.h, which
// QEMU copies into include/standard-headers/linux. Only the non-legacy
// (virtio 1.x) interface is described, except where a legacy value is
// needed to recognise and refuse a legacy device.
//
// All multi-byte fields are little-endian (§1.4, "le16", "le32", "le64"
// for the non-legacy interface).
//
// The package is vendored into the Mirago standard library and imports
// nothing, like mirago.dev/sys/pvh.
package virtiospec

// Device status bits, written by the driver to the status field as it
// initialises the device (§2.1 "Device Status Field", §3.1.1 "Driver
// Requirements: Device Initialization"). Writing 0 resets the device.
const (
	StatusAcknowledge      = 1   // the guest has noticed the device
	StatusDriver           = 2   // the guest knows how to drive it
	StatusDriverOK         = 4   // the driver is set up and ready
	StatusFeaturesOK       = 8   // the driver accepted the negotiated features
	StatusDeviceNeedsReset = 64  // the device hit an error it cannot recover from
	StatusFailed           = 128 // the driver gave up on the device
)

// Feature bits independent of the device type, as bit numbers in the
// 64-bit feature space (§6 "Reserved Feature Bits"). Bits 0-23 and
// 50-127 belong to device types, 24-49 to the queues and transports.
const (
	FIndirectDesc     = 28 // descriptors may point to indirect tables (§2.7.5.3)
	FRingEventIdx     = 29 // used_event and avail_event suppress notifications (§2.7.7, §2.7.10)
	FVersion1         = 32 // the device complies with virtio 1.x; legacy devices lack it
	FAccessPlatform   = 33 // the device goes through an IOMMU or similar translation
	FRingPacked       = 34 // the packed virtqueue layout is supported
	FInOrder          = 35 // buffers are used in the order they were made available
	FOrderPlatform    = 36 // the platform needs real memory barriers, not just compiler ones
	FSRIOV            = 37 // single-root I/O virtualization
	FNotificationData = 38 // the driver passes extra data in notifications
	FNotifConfigData  = 39 // the device supplies the notification value
	FRingReset        = 40 // individual queues can be reset
)

// Legacy feature bits (§6): a driver that finds only these, without
// FVersion1, is looking at a pre-1.0 device.
const (
	FLegacyNotifyOnEmpty = 24
	FLegacyAnyLayout     = 27
)

// Device types (§5 "Device Types", the table of virtio device IDs). The
// MMIO transport reports the type in its DeviceID register; modern PCI
// devices have PCI device ID PCIDeviceIDBase plus the type.
const (
	IDInvalid = 0 // an MMIO slot with no device behind it
	IDNet     = 1
	IDBlock   = 2
	IDConsole = 3
	IDEntropy = 4 // virtio-rng
	IDBalloon = 5 // traditional memory balloon
	IDSCSI    = 8
	ID9P      = 9
	IDGPU     = 16
	IDInput   = 18
	IDVsock   = 19
	IDCrypto  = 20
	IDIOMMU   = 23
	IDMem     = 24
	IDFS      = 26
	IDPMem    = 27
)
