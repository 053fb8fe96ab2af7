// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtiospec

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNumbers pins every constant to the value in the specification,
// typed in by hand from the section named in the comment. A change to a
// constant has to change this table too.
func TestNumbers(t *testing.T) {
	tests := []struct {
		name      string
		got, want uint64
	}{
		// §2.1 Device Status Field.
		{"StatusAcknowledge", StatusAcknowledge, 1},
		{"StatusDriver", StatusDriver, 2},
		{"StatusDriverOK", StatusDriverOK, 4},
		{"StatusFeaturesOK", StatusFeaturesOK, 8},
		{"StatusDeviceNeedsReset", StatusDeviceNeedsReset, 64},
		{"StatusFailed", StatusFailed, 128},

		// §6 Reserved Feature Bits.
		{"FLegacyNotifyOnEmpty", FLegacyNotifyOnEmpty, 24},
		{"FLegacyAnyLayout", FLegacyAnyLayout, 27},
		{"FIndirectDesc", FIndirectDesc, 28},
		{"FRingEventIdx", FRingEventIdx, 29},
		{"FVersion1", FVersion1, 32},
		{"FAccessPlatform", FAccessPlatform, 33},
		{"FRingPacked", FRingPacked, 34},
		{"FInOrder", FInOrder, 35},
		{"FOrderPlatform", FOrderPlatform, 36},
		{"FSRIOV", FSRIOV, 37},
		{"FNotificationData", FNotificationData, 38},
		{"FNotifConfigData", FNotifConfigData, 39},
		{"FRingReset", FRingReset, 40},

		// §5 Device Types.
		{"IDInvalid", IDInvalid, 0},
		{"IDNet", IDNet, 1},
		{"IDBlock", IDBlock, 2},
		{"IDConsole", IDConsole, 3},
		{"IDEntropy", IDEntropy, 4},
		{"IDBalloon", IDBalloon, 5},
		{"IDSCSI", IDSCSI, 8},
		{"ID9P", ID9P, 9},
		{"IDGPU", IDGPU, 16},
		{"IDInput", IDInput, 18},
		{"IDVsock", IDVsock, 19},
		{"IDCrypto", IDCrypto, 20},
		{"IDIOMMU", IDIOMMU, 23},
		{"IDMem", IDMem, 24},
		{"IDFS", IDFS, 26},
		{"IDPMem", IDPMem, 27},

		// §2.7 Split Virtqueues: sizes, alignment, flags.
		{"MaxQueueSize", MaxQueueSize, 32768},
		{"DescTableAlign", DescTableAlign, 16},
		{"AvailRingAlign", AvailRingAlign, 2},
		{"UsedRingAlign", UsedRingAlign, 4},
		{"DescSize", DescSize, 16},
		{"DescFNext", DescFNext, 1},
		{"DescFWrite", DescFWrite, 2},
		{"DescFIndirect", DescFIndirect, 4},
		{"AvailFNoInterrupt", AvailFNoInterrupt, 1},
		{"UsedFNoNotify", UsedFNoNotify, 1},
		{"UsedElemSize", UsedElemSize, 8},

		// §4.2.2 MMIO Device Register Layout.
		{"MMIOMagic", MMIOMagic, 0x74726976},
		{"MMIOVersionLegacy", MMIOVersionLegacy, 1},
		{"MMIOVersion", MMIOVersion, 2},
		{"MMIOMagicValue", MMIOMagicValue, 0x000},
		{"MMIOVersionReg", MMIOVersionReg, 0x004},
		{"MMIODeviceID", MMIODeviceID, 0x008},
		{"MMIOVendorID", MMIOVendorID, 0x00c},
		{"MMIODeviceFeatures", MMIODeviceFeatures, 0x010},
		{"MMIODeviceFeaturesSel", MMIODeviceFeaturesSel, 0x014},
		{"MMIODriverFeatures", MMIODriverFeatures, 0x020},
		{"MMIODriverFeaturesSel", MMIODriverFeaturesSel, 0x024},
		{"MMIOQueueSel", MMIOQueueSel, 0x030},
		{"MMIOQueueNumMax", MMIOQueueNumMax, 0x034},
		{"MMIOQueueNum", MMIOQueueNum, 0x038},
		{"MMIOQueueReady", MMIOQueueReady, 0x044},
		{"MMIOQueueNotify", MMIOQueueNotify, 0x050},
		{"MMIOInterruptStatus", MMIOInterruptStatus, 0x060},
		{"MMIOInterruptACK", MMIOInterruptACK, 0x064},
		{"MMIOStatus", MMIOStatus, 0x070},
		{"MMIOQueueDescLow", MMIOQueueDescLow, 0x080},
		{"MMIOQueueDescHigh", MMIOQueueDescHigh, 0x084},
		{"MMIOQueueDriverLow", MMIOQueueDriverLow, 0x090},
		{"MMIOQueueDriverHigh", MMIOQueueDriverHigh, 0x094},
		{"MMIOQueueDeviceLow", MMIOQueueDeviceLow, 0x0a0},
		{"MMIOQueueDeviceHigh", MMIOQueueDeviceHigh, 0x0a4},
		{"MMIOSHMSel", MMIOSHMSel, 0x0ac},
		{"MMIOSHMLenLow", MMIOSHMLenLow, 0x0b0},
		{"MMIOSHMLenHigh", MMIOSHMLenHigh, 0x0b4},
		{"MMIOSHMBaseLow", MMIOSHMBaseLow, 0x0b8},
		{"MMIOSHMBaseHigh", MMIOSHMBaseHigh, 0x0bc},
		{"MMIOQueueReset", MMIOQueueReset, 0x0c0},
		{"MMIOConfigGeneration", MMIOConfigGeneration, 0x0fc},
		{"MMIOConfig", MMIOConfig, 0x100},
		// §4.2.4 Legacy interface.
		{"MMIOLegacyGuestPageSize", MMIOLegacyGuestPageSize, 0x028},
		{"MMIOLegacyQueueAlign", MMIOLegacyQueueAlign, 0x03c},
		{"MMIOLegacyQueuePFN", MMIOLegacyQueuePFN, 0x040},
		// §4.2.2 InterruptStatus; §4.1.4.5 ISR status capability.
		{"IntVring", IntVring, 1},
		{"IntConfig", IntConfig, 2},

		// §4.1.2 PCI Device Discovery.
		{"PCIVendorID", PCIVendorID, 0x1af4},
		{"PCIDeviceIDBase", PCIDeviceIDBase, 0x1040},
		{"PCIDeviceIDTransitionalFirst", PCIDeviceIDTransitionalFirst, 0x1000},
		{"PCIDeviceIDTransitionalLast", PCIDeviceIDTransitionalLast, 0x103f},
		// §4.1.4 Virtio Structure PCI Capabilities.
		{"PCICapCommonCfg", PCICapCommonCfg, 1},
		{"PCICapNotifyCfg", PCICapNotifyCfg, 2},
		{"PCICapISRCfg", PCICapISRCfg, 3},
		{"PCICapDeviceCfg", PCICapDeviceCfg, 4},
		{"PCICapPCICfg", PCICapPCICfg, 5},
		{"PCICapSharedMem", PCICapSharedMem, 8},
		{"PCICapVendorCfg", PCICapVendorCfg, 9},
		{"PCIMaxBAR", PCIMaxBAR, 5},
		// §4.1.5.1.2 MSI-X Vector Configuration.
		{"PCIMSINoVector", PCIMSINoVector, 0xffff},

		// §5.1.3 Network device feature bits.
		{"NetFCsum", NetFCsum, 0},
		{"NetFGuestCsum", NetFGuestCsum, 1},
		{"NetFCtrlGuestOffload", NetFCtrlGuestOffload, 2},
		{"NetFMTU", NetFMTU, 3},
		{"NetFMAC", NetFMAC, 5},
		{"NetFGuestTSO4", NetFGuestTSO4, 7},
		{"NetFGuestTSO6", NetFGuestTSO6, 8},
		{"NetFGuestECN", NetFGuestECN, 9},
		{"NetFGuestUFO", NetFGuestUFO, 10},
		{"NetFHostTSO4", NetFHostTSO4, 11},
		{"NetFHostTSO6", NetFHostTSO6, 12},
		{"NetFHostECN", NetFHostECN, 13},
		{"NetFHostUFO", NetFHostUFO, 14},
		{"NetFMrgRxbuf", NetFMrgRxbuf, 15},
		{"NetFStatus", NetFStatus, 16},
		{"NetFCtrlVQ", NetFCtrlVQ, 17},
		{"NetFCtrlRX", NetFCtrlRX, 18},
		{"NetFCtrlVLAN", NetFCtrlVLAN, 19},
		{"NetFGuestAnnounce", NetFGuestAnnounce, 21},
		{"NetFMQ", NetFMQ, 22},
		{"NetFCtrlMACAddr", NetFCtrlMACAddr, 23},
		{"NetFHashReport", NetFHashReport, 57},
		{"NetFRSS", NetFRSS, 60},
		{"NetFRSCExt", NetFRSCExt, 61},
		{"NetFStandby", NetFStandby, 62},
		{"NetFSpeedDuplex", NetFSpeedDuplex, 63},
		// §5.1.4 Network device configuration layout.
		{"NetSLinkUp", NetSLinkUp, 1},
		{"NetSAnnounce", NetSAnnounce, 2},
		// §5.1.2 Virtqueues: receiveq1, transmitq1.
		{"NetQueueRX", NetQueueRX, 0},
		{"NetQueueTX", NetQueueTX, 1},
		// §5.1.6 virtio_net_hdr.
		{"NetHdrSize", NetHdrSize, 12},
		{"NetHdrFNeedsCsum", NetHdrFNeedsCsum, 1},
		{"NetHdrFDataValid", NetHdrFDataValid, 2},
		{"NetHdrFRSCInfo", NetHdrFRSCInfo, 4},
		{"NetHdrGSONone", NetHdrGSONone, 0},
		{"NetHdrGSOTCPv4", NetHdrGSOTCPv4, 1},
		{"NetHdrGSOUDP", NetHdrGSOUDP, 3},
		{"NetHdrGSOTCPv6", NetHdrGSOTCPv6, 4},
		{"NetHdrGSOUDPL4", NetHdrGSOUDPL4, 5},
		{"NetHdrGSOECN", NetHdrGSOECN, 0x80},

		// §5.2.3 Block device feature bits.
		{"BlkFSizeMax", BlkFSizeMax, 1},
		{"BlkFSegMax", BlkFSegMax, 2},
		{"BlkFGeometry", BlkFGeometry, 4},
		{"BlkFRO", BlkFRO, 5},
		{"BlkFBlkSize", BlkFBlkSize, 6},
		{"BlkFFlush", BlkFFlush, 9},
		{"BlkFTopology", BlkFTopology, 10},
		{"BlkFConfigWCE", BlkFConfigWCE, 11},
		{"BlkFMQ", BlkFMQ, 12},
		{"BlkFDiscard", BlkFDiscard, 13},
		{"BlkFWriteZeroes", BlkFWriteZeroes, 14},
		{"BlkFLifetime", BlkFLifetime, 15},
		{"BlkFSecureErase", BlkFSecureErase, 16},
		{"BlkFZoned", BlkFZoned, 17},
		// §5.2.4 and §5.2.6: sector unit, request types, status.
		{"BlkSectorSize", BlkSectorSize, 512},
		{"BlkReqHdrSize", BlkReqHdrSize, 16},
		{"BlkTIn", BlkTIn, 0},
		{"BlkTOut", BlkTOut, 1},
		{"BlkTFlush", BlkTFlush, 4},
		{"BlkTGetID", BlkTGetID, 8},
		{"BlkTGetLifetime", BlkTGetLifetime, 10},
		{"BlkTDiscard", BlkTDiscard, 11},
		{"BlkTWriteZeroes", BlkTWriteZeroes, 13},
		{"BlkTSecureErase", BlkTSecureErase, 14},
		{"BlkIDBytes", BlkIDBytes, 20},
		{"BlkSOK", BlkSOK, 0},
		{"BlkSIOErr", BlkSIOErr, 1},
		{"BlkSUnsupp", BlkSUnsupp, 2},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %#x; the specification says %#x", tt.name, tt.got, tt.want)
		}
	}
}

// C layouts of the structures, as Go structs with the same natural
// alignment (every field in these structures is naturally aligned, so
// Go and C agree). The test compares their offsets with the exported
// constants.
type (
	cDesc struct { // §2.7.5 struct virtq_desc
		Addr  uint64
		Len   uint32
		Flags uint16
		Next  uint16
	}
	cUsedElem struct { // §2.7.8 struct virtq_used_elem
		ID  uint32
		Len uint32
	}
	cPCICap struct { // §4.1.4 struct virtio_pci_cap
		CapVndr, CapNext, CapLen, CfgType, Bar, ID uint8
		Padding                                    [2]uint8
		Offset, Length                             uint32
	}
	cPCINotifyCap struct { // §4.1.4.4 struct virtio_pci_notify_cap
		Cap                 cPCICap
		NotifyOffMultiplier uint32
	}
	cPCICommonCfg struct { // §4.1.4.3 struct virtio_pci_common_cfg
		DeviceFeatureSelect uint32
		DeviceFeature       uint32
		DriverFeatureSelect uint32
		DriverFeature       uint32
		ConfigMSIXVector    uint16
		NumQueues           uint16
		DeviceStatus        uint8
		ConfigGeneration    uint8
		QueueSelect         uint16
		QueueSize           uint16
		QueueMSIXVector     uint16
		QueueEnable         uint16
		QueueNotifyOff      uint16
		QueueDesc           uint64
		QueueDriver         uint64
		QueueDevice         uint64
		QueueNotifyData     uint16
		QueueReset          uint16
	}
	cNetHdr struct { // §5.1.6 struct virtio_net_hdr
		Flags, GSOType                                     uint8
		HdrLen, GSOSize, CsumStart, CsumOffset, NumBuffers uint16
	}
	cNetConfig struct { // §5.1.4 struct virtio_net_config
		MAC               [6]uint8
		Status            uint16
		MaxVirtqueuePairs uint16
		MTU               uint16
		Speed             uint32
		Duplex            uint8
	}
	cBlkReq struct { // §5.2.6 struct virtio_blk_req, header part
		Type, Reserved uint32
		Sector         uint64
	}
	cBlkConfig struct { // §5.2.4 struct virtio_blk_config
		Capacity                        uint64
		SizeMax, SegMax                 uint32
		Cylinders                       uint16
		Heads, Sectors                  uint8
		BlkSize                         uint32
		PhysicalBlockExp, AlignmentOffs uint8
		MinIOSize                       uint16
		OptIOSize                       uint32
		Writeback, Unused0              uint8
		NumQueues                       uint16
	}
)

func offsets(v any) map[string]uintptr {
	t := reflect.TypeOf(v)
	m := make(map[string]uintptr)
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.Name != "Padding" && f.Name != "Unused0" && f.Name != "Reserved" {
			m[f.Name] = f.Offset
		}
	}
	return m
}

func TestLayout(t *testing.T) {
	tests := []struct {
		name string
		v    any
		size uintptr // 0: not checked
		want map[string]uintptr
	}{
		{"virtq_desc", cDesc{}, DescSize, map[string]uintptr{
			"Addr": DescOffAddr, "Len": DescOffLen, "Flags": DescOffFlags, "Next": DescOffNext,
		}},
		{"virtq_used_elem", cUsedElem{}, UsedElemSize, map[string]uintptr{
			"ID": UsedElemOffID, "Len": UsedElemOffLen,
		}},
		{"virtio_pci_cap", cPCICap{}, PCICapSize, map[string]uintptr{
			"CapVndr": PCICapOffVndr, "CapNext": PCICapOffNext, "CapLen": PCICapOffLen,
			"CfgType": PCICapOffCfgType, "Bar": PCICapOffBAR, "ID": PCICapOffID,
			"Offset": PCICapOffOffset, "Length": PCICapOffLength,
		}},
		{"virtio_pci_notify_cap", cPCINotifyCap{}, PCINotifyCapSize, map[string]uintptr{
			"Cap": 0, "NotifyOffMultiplier": PCINotifyCapOffMultiplier,
		}},
		{"virtio_pci_common_cfg", cPCICommonCfg{}, 0, map[string]uintptr{
			"DeviceFeatureSelect": PCICommonDeviceFeatureSelect,
			"DeviceFeature":       PCICommonDeviceFeature,
			"DriverFeatureSelect": PCICommonDriverFeatureSelect,
			"DriverFeature":       PCICommonDriverFeature,
			"ConfigMSIXVector":    PCICommonConfigMSIXVector,
			"NumQueues":           PCICommonNumQueues,
			"DeviceStatus":        PCICommonDeviceStatus,
			"ConfigGeneration":    PCICommonConfigGeneration,
			"QueueSelect":         PCICommonQueueSelect,
			"QueueSize":           PCICommonQueueSize,
			"QueueMSIXVector":     PCICommonQueueMSIXVector,
			"QueueEnable":         PCICommonQueueEnable,
			"QueueNotifyOff":      PCICommonQueueNotifyOff,
			"QueueDesc":           PCICommonQueueDesc,
			"QueueDriver":         PCICommonQueueDriver,
			"QueueDevice":         PCICommonQueueDevice,
			"QueueNotifyData":     PCICommonQueueNotifyData,
			"QueueReset":          PCICommonQueueReset,
		}},
		{"virtio_net_hdr", cNetHdr{}, NetHdrSize, map[string]uintptr{
			"Flags": NetHdrOffFlags, "GSOType": NetHdrOffGSOType, "HdrLen": NetHdrOffHdrLen,
			"GSOSize": NetHdrOffGSOSize, "CsumStart": NetHdrOffCsumStart,
			"CsumOffset": NetHdrOffCsumOffset, "NumBuffers": NetHdrOffNumBuffers,
		}},
		{"virtio_net_config", cNetConfig{}, 0, map[string]uintptr{
			"MAC": NetCfgMAC, "Status": NetCfgStatus, "MaxVirtqueuePairs": NetCfgMaxVirtqueuePairs,
			"MTU": NetCfgMTU, "Speed": NetCfgSpeed, "Duplex": NetCfgDuplex,
		}},
		{"virtio_blk_req", cBlkReq{}, BlkReqHdrSize, map[string]uintptr{
			"Type": BlkReqOffType, "Sector": BlkReqOffSector,
		}},
		{"virtio_blk_config", cBlkConfig{}, 0, map[string]uintptr{
			"Capacity": BlkCfgCapacity, "SizeMax": BlkCfgSizeMax, "SegMax": BlkCfgSegMax,
			"Cylinders": BlkCfgCylinders, "Heads": BlkCfgHeads, "Sectors": BlkCfgSectors,
			"BlkSize": BlkCfgBlkSize, "PhysicalBlockExp": BlkCfgPhysicalBlockExp,
			"AlignmentOffs": BlkCfgAlignmentOffset, "MinIOSize": BlkCfgMinIOSize,
			"OptIOSize": BlkCfgOptIOSize, "Writeback": BlkCfgWriteback,
			"NumQueues": BlkCfgNumQueues,
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, offsets(tt.v)); diff != "" {
			t.Errorf("%s: offsets (-constants +C layout):\n%s", tt.name, diff)
		}
		if got := reflect.TypeOf(tt.v).Size(); tt.size != 0 && got != tt.size {
			t.Errorf("%s: size %d, constant says %d", tt.name, got, tt.size)
		}
	}
	if PCICommonCfgSize != reflect.TypeOf(cPCICommonCfg{}).Field(15).Offset+8 {
		t.Errorf("PCICommonCfgSize = %#x; want the end of queue_device", PCICommonCfgSize)
	}
}

// TestRingSizes checks the split ring areas for a few queue sizes
// against the C structure sizes of §2.7 (with the event fields).
func TestRingSizes(t *testing.T) {
	tests := []struct {
		n                            int
		desc, avail, used, uev, aevt int
	}{
		{1, 16, 8, 14, 6, 12},
		{2, 32, 10, 22, 8, 20},
		{256, 4096, 518, 2054, 516, 2052},
		{32768, 524288, 65542, 262150, 65540, 262148},
	}
	for _, tt := range tests {
		got := []int{DescTableSize(tt.n), AvailRingSize(tt.n), UsedRingSize(tt.n), UsedEventOffset(tt.n), AvailEventOffset(tt.n)}
		want := []int{tt.desc, tt.avail, tt.used, tt.uev, tt.aevt}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("n=%d: [desc avail used used_event avail_event] (-want +got):\n%s", tt.n, diff)
		}
	}
}

// TestNeedEvent checks the wrap-around comparison of §2.7.7.
func TestNeedEvent(t *testing.T) {
	tests := []struct {
		event, new, old uint16
		want            bool
	}{
		{0, 1, 0, true},           // the other side waits for entry 0, which just arrived
		{5, 5, 0, false},          // entry 5 not reached yet
		{4, 5, 0, true},           // entry 4 is among 0..4
		{4, 5, 5, false},          // nothing new
		{0xffff, 1, 0xfffe, true}, // across the wrap
		{1, 1, 0xfffe, false},
		{0xfffe, 2, 0xfffe, true},
		{3, 2, 0xfffe, false},
	}
	for _, tt := range tests {
		if got := NeedEvent(tt.event, tt.new, tt.old); got != tt.want {
			t.Errorf("NeedEvent(event=%d, new=%d, old=%d) = %v; want %v", tt.event, tt.new, tt.old, got, tt.want)
		}
	}
}
