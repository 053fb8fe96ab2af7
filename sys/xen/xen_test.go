// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

import (
	"testing"
	"unsafe"
)

// TestNumbers pins every constant to the value in Xen's public headers,
// typed in by hand from the file named in the comment. A change to a
// constant has to change this table too.
func TestNumbers(t *testing.T) {
	tests := []struct {
		name      string
		got, want int64
	}{
		// xen.h: __HYPERVISOR_*.
		{"HypercallMemoryOp", HypercallMemoryOp, 12},
		{"HypercallSetTimerOp", HypercallSetTimerOp, 15},
		{"HypercallXenVersion", HypercallXenVersion, 17},
		{"HypercallConsoleIO", HypercallConsoleIO, 18},
		{"HypercallGrantTableOp", HypercallGrantTableOp, 20},
		{"HypercallVMAssist", HypercallVMAssist, 21},
		{"HypercallVCPUOp", HypercallVCPUOp, 24},
		{"HypercallSchedOp", HypercallSchedOp, 29},
		{"HypercallCallbackOp", HypercallCallbackOp, 30},
		{"HypercallEventChannelOp", HypercallEventChannelOp, 32},
		{"HypercallPhysdevOp", HypercallPhysdevOp, 33},
		{"HypercallHVMOp", HypercallHVMOp, 34},
		{"HypercallSysctl", HypercallSysctl, 35},
		{"HypercallDomctl", HypercallDomctl, 36},
		{"ConsoleIOWrite", ConsoleIOWrite, 0},
		{"ConsoleIORead", ConsoleIORead, 1},
		{"DomidSelf", DomidSelf, 0x7ff0},
		{"DomidFirstReserved", DomidFirstReserved, 0x7ff0},
		{"DomidIO", DomidIO, 0x7ff1},
		{"DomidXen", DomidXen, 0x7ff2},
		{"DomidCOW", DomidCOW, 0x7ff3},
		{"DomidInvalid", DomidInvalid, 0x7ff4},
		{"DomidAny", DomidAny, 0x7ff5},
		{"DomidIdle", DomidIdle, 0x7fff},
		{"VirqTimer", VirqTimer, 0},
		{"VirqDebug", VirqDebug, 1},
		{"VirqConsole", VirqConsole, 2},
		{"VirqDomExc", VirqDomExc, 3},
		// errno.h.
		{"EPERM", EPERM, 1},
		{"ENOENT", ENOENT, 2},
		{"EIO", EIO, 5},
		{"E2BIG", E2BIG, 7},
		{"EAGAIN", EAGAIN, 11},
		{"ENOMEM", ENOMEM, 12},
		{"EACCES", EACCES, 13},
		{"EBUSY", EBUSY, 16},
		{"EEXIST", EEXIST, 17},
		{"EISDIR", EISDIR, 21},
		{"EINVAL", EINVAL, 22},
		{"ENOSPC", ENOSPC, 28},
		{"EROFS", EROFS, 30},
		{"ENOSYS", ENOSYS, 38},
		{"ENOTEMPTY", ENOTEMPTY, 39},
		{"ETIME", ETIME, 62},
		{"EISCONN", EISCONN, 106},
		// version.h, features.h.
		{"XenVersionVersion", XenVersionVersion, 0},
		{"XenVersionExtraversion", XenVersionExtraversion, 1},
		{"XenVersionGetFeatures", XenVersionGetFeatures, 6},
		{"XenVersionPagesize", XenVersionPagesize, 7},
		{"FeatAutoTranslatedPhysmap", FeatAutoTranslatedPhysmap, 2},
		{"FeatHVMCallbackVector", FeatHVMCallbackVector, 8},
		{"FeatHVMSafePVClock", FeatHVMSafePVClock, 9},
		// arch-x86/cpuid.h.
		{"CPUIDFirstLeaf", CPUIDFirstLeaf, 0x40000000},
		{"CPUIDSignatureEBX", CPUIDSignatureEBX, 0x566e6558},
		{"CPUIDSignatureECX", CPUIDSignatureECX, 0x65584d4d},
		{"CPUIDSignatureEDX", CPUIDSignatureEDX, 0x4d4d566e},
		{"CPUIDHVMUpcallVector", CPUIDHVMUpcallVector, 1 << 6},
		{"CPUIDHVMDomidPresent", CPUIDHVMDomidPresent, 1 << 4},
		// event_channel.h.
		{"EvtchnOpBindInterdomain", EvtchnOpBindInterdomain, 0},
		{"EvtchnOpBindVirq", EvtchnOpBindVirq, 1},
		{"EvtchnOpBindPirq", EvtchnOpBindPirq, 2},
		{"EvtchnOpClose", EvtchnOpClose, 3},
		{"EvtchnOpSend", EvtchnOpSend, 4},
		{"EvtchnOpStatus", EvtchnOpStatus, 5},
		{"EvtchnOpAllocUnbound", EvtchnOpAllocUnbound, 6},
		{"EvtchnOpBindIPI", EvtchnOpBindIPI, 7},
		{"EvtchnOpBindVCPU", EvtchnOpBindVCPU, 8},
		{"EvtchnOpUnmask", EvtchnOpUnmask, 9},
		{"EvtchnOpReset", EvtchnOpReset, 10},
		{"Evtchn2LNrChannels", Evtchn2LNrChannels, 4096},
		// grant_table.h.
		{"GnttabNrReservedEntries", GnttabNrReservedEntries, 8},
		{"GnttabReservedConsole", GnttabReservedConsole, 0},
		{"GnttabReservedXenstore", GnttabReservedXenstore, 1},
		{"GTFInvalid", GTFInvalid, 0},
		{"GTFPermitAccess", GTFPermitAccess, 1},
		{"GTFAcceptTransfer", GTFAcceptTransfer, 2},
		{"GTFTransitive", GTFTransitive, 3},
		{"GTFTypeMask", GTFTypeMask, 3},
		{"GTFReadonly", GTFReadonly, 4},
		{"GTFReading", GTFReading, 8},
		{"GTFWriting", GTFWriting, 16},
		{"GTFPWT", GTFPWT, 32},
		{"GTFPCD", GTFPCD, 64},
		{"GTFPAT", GTFPAT, 128},
		{"GTFSubPage", GTFSubPage, 256},
		{"GnttabOpMapGrantRef", GnttabOpMapGrantRef, 0},
		{"GnttabOpUnmapGrantRef", GnttabOpUnmapGrantRef, 1},
		{"GnttabOpSetupTable", GnttabOpSetupTable, 2},
		{"GnttabOpCopy", GnttabOpCopy, 5},
		{"GnttabOpQuerySize", GnttabOpQuerySize, 6},
		{"GnttabOpSetVersion", GnttabOpSetVersion, 8},
		{"GnttabOpGetVersion", GnttabOpGetVersion, 10},
		{"GNTSTOkay", GNTSTOkay, 0},
		{"GNTSTGeneralError", GNTSTGeneralError, -1},
		{"GNTSTBadGntref", GNTSTBadGntref, -3},
		{"GNTSTPermissionDenied", GNTSTPermissionDenied, -8},
		{"GNTSTEagain", GNTSTEagain, -12},
		{"GNTSTNoSpace", GNTSTNoSpace, -13},
		// memory.h.
		{"XenmemIncreaseReservation", XenmemIncreaseReservation, 0},
		{"XenmemDecreaseReservation", XenmemDecreaseReservation, 1},
		{"XenmemMaximumRAMPage", XenmemMaximumRAMPage, 2},
		{"XenmemCurrentReservation", XenmemCurrentReservation, 3},
		{"XenmemMaximumReservation", XenmemMaximumReservation, 4},
		{"XenmemPopulatePhysmap", XenmemPopulatePhysmap, 6},
		{"XenmemAddToPhysmap", XenmemAddToPhysmap, 7},
		{"XenmemMemoryMap", XenmemMemoryMap, 9},
		{"XenmemMaximumGPFN", XenmemMaximumGPFN, 14},
		{"XenmemRemoveFromPhysmap", XenmemRemoveFromPhysmap, 15},
		{"XenmapspaceSharedInfo", XenmapspaceSharedInfo, 0},
		{"XenmapspaceGrantTable", XenmapspaceGrantTable, 1},
		{"XenmapspaceGMFN", XenmapspaceGMFN, 2},
		{"XenmapspaceGMFNRange", XenmapspaceGMFNRange, 3},
		{"XenmapidxGrantTableStatus", XenmapidxGrantTableStatus, 0x80000000},
		{"E820EntrySize", E820EntrySize, 20},
		{"E820RAM", E820RAM, 1},
		// sched.h.
		{"SchedOpYield", SchedOpYield, 0},
		{"SchedOpBlock", SchedOpBlock, 1},
		{"SchedOpShutdown", SchedOpShutdown, 2},
		{"SchedOpPoll", SchedOpPoll, 3},
		{"SchedOpRemoteShutdown", SchedOpRemoteShutdown, 4},
		{"SchedOpShutdownCode", SchedOpShutdownCode, 5},
		{"SchedOpWatchdog", SchedOpWatchdog, 6},
		{"ShutdownPoweroff", ShutdownPoweroff, 0},
		{"ShutdownReboot", ShutdownReboot, 1},
		{"ShutdownSuspend", ShutdownSuspend, 2},
		{"ShutdownCrash", ShutdownCrash, 3},
		{"ShutdownWatchdog", ShutdownWatchdog, 4},
		{"ShutdownSoftReset", ShutdownSoftReset, 5},
		// vcpu.h.
		{"VCPUOpInitialise", VCPUOpInitialise, 0},
		{"VCPUOpUp", VCPUOpUp, 1},
		{"VCPUOpDown", VCPUOpDown, 2},
		{"VCPUOpIsUp", VCPUOpIsUp, 3},
		{"VCPUOpGetRunstateInfo", VCPUOpGetRunstateInfo, 4},
		{"VCPUOpSetPeriodicTimer", VCPUOpSetPeriodicTimer, 6},
		{"VCPUOpStopPeriodicTimer", VCPUOpStopPeriodicTimer, 7},
		{"VCPUOpSetSingleshotTimer", VCPUOpSetSingleshotTimer, 8},
		{"VCPUOpStopSingleshotTimer", VCPUOpStopSingleshotTimer, 9},
		{"VCPUOpRegisterVCPUInfo", VCPUOpRegisterVCPUInfo, 10},
		{"VCPUOpRegisterVCPUTimePhysArea", VCPUOpRegisterVCPUTimePhysArea, 15},
		{"VCPUSshottmrFuture", VCPUSshottmrFuture, 1},
		// hvm/hvm_vcpu.h.
		{"VCPUHVMMode32B", VCPUHVMMode32B, 0},
		{"VCPUHVMMode64B", VCPUHVMMode64B, 1},
		// hvm/hvm_op.h, hvm/params.h.
		{"HVMOpSetParam", HVMOpSetParam, 0},
		{"HVMOpGetParam", HVMOpGetParam, 1},
		{"HVMOpGetTime", HVMOpGetTime, 10},
		{"HVMOpSetEvtchnUpcallVector", HVMOpSetEvtchnUpcallVector, 23},
		{"HVMParamCallbackIRQ", HVMParamCallbackIRQ, 0},
		{"HVMParamStorePFN", HVMParamStorePFN, 1},
		{"HVMParamStoreEvtchn", HVMParamStoreEvtchn, 2},
		{"HVMParamTimerMode", HVMParamTimerMode, 10},
		{"HVMParamConsolePFN", HVMParamConsolePFN, 17},
		{"HVMParamConsoleEvtchn", HVMParamConsoleEvtchn, 18},
		{"HVMParamCallbackTypeGSI", HVMParamCallbackTypeGSI, 0},
		{"HVMParamCallbackTypePCI", HVMParamCallbackTypePCI, 1},
		{"HVMParamCallbackTypeVector", HVMParamCallbackTypeVector, 2},
		{"CallbackVector(0xf3)", int64(CallbackVector(0xf3)), 0x02000000000000f3},
		// xen.h: vcpu_time_info flags.
		{"XenPVClockTSCStableBit", XenPVClockTSCStableBit, 1},
		{"XenPVClockGuestStopped", XenPVClockGuestStopped, 2},
		{"LegacyMaxVCPUs", LegacyMaxVCPUs, 32},
		// io/ring.h.
		{"PageSize", PageSize, 4096},
		{"SringHeaderSize", SringHeaderSize, 64},
		{"SringOffReqProd", SringOffReqProd, 0},
		{"SringOffReqEvent", SringOffReqEvent, 4},
		{"SringOffRspProd", SringOffRspProd, 8},
		{"SringOffRspEvent", SringOffRspEvent, 12},
		// io/xs_wire.h.
		{"XSControl", XSControl, 0},
		{"XSDirectory", XSDirectory, 1},
		{"XSRead", XSRead, 2},
		{"XSGetPerms", XSGetPerms, 3},
		{"XSWatch", XSWatch, 4},
		{"XSUnwatch", XSUnwatch, 5},
		{"XSTransactionStart", XSTransactionStart, 6},
		{"XSTransactionEnd", XSTransactionEnd, 7},
		{"XSIntroduce", XSIntroduce, 8},
		{"XSRelease", XSRelease, 9},
		{"XSGetDomainPath", XSGetDomainPath, 10},
		{"XSWrite", XSWrite, 11},
		{"XSMkdir", XSMkdir, 12},
		{"XSRm", XSRm, 13},
		{"XSSetPerms", XSSetPerms, 14},
		{"XSWatchEvent", XSWatchEvent, 15},
		{"XSError", XSError, 16},
		{"XSIsDomainIntroduced", XSIsDomainIntroduced, 17},
		{"XSResume", XSResume, 18},
		{"XSSetTarget", XSSetTarget, 19},
		{"XSResetWatches", XSResetWatches, 21},
		{"XSDirectoryPart", XSDirectoryPart, 22},
		{"XSGetFeature", XSGetFeature, 23},
		{"XSSetFeature", XSSetFeature, 24},
		{"XSGetQuota", XSGetQuota, 25},
		{"XSSetQuota", XSSetQuota, 26},
		{"XSTypeCount", XSTypeCount, 27},
		{"XSInvalid", XSInvalid, 0xffff},
		{"XSWatchPath", XSWatchPath, 0},
		{"XSWatchToken", XSWatchToken, 1},
		{"XenstoreRingSize", XenstoreRingSize, 1024},
		{"XenstorePayloadMax", XenstorePayloadMax, 4096},
		{"XenstoreAbsPathMax", XenstoreAbsPathMax, 3072},
		{"XenstoreRelPathMax", XenstoreRelPathMax, 2048},
		{"XenstoreServerFeatureReconnection", XenstoreServerFeatureReconnection, 1},
		{"XenstoreServerFeatureError", XenstoreServerFeatureError, 2},
		{"XenstoreConnected", XenstoreConnected, 0},
		{"XenstoreReconnect", XenstoreReconnect, 1},
		{"XenstoreErrorProto", XenstoreErrorProto, 3},
		// io/xenbus.h.
		{"XenbusStateUnknown", XenbusStateUnknown, 0},
		{"XenbusStateInitialising", XenbusStateInitialising, 1},
		{"XenbusStateInitWait", XenbusStateInitWait, 2},
		{"XenbusStateInitialised", XenbusStateInitialised, 3},
		{"XenbusStateConnected", XenbusStateConnected, 4},
		{"XenbusStateClosing", XenbusStateClosing, 5},
		{"XenbusStateClosed", XenbusStateClosed, 6},
		{"XenbusStateReconfiguring", XenbusStateReconfiguring, 7},
		{"XenbusStateReconfigured", XenbusStateReconfigured, 8},
		// io/console.h.
		{"XenconsInSize", XenconsInSize, 1024},
		{"XenconsOutSize", XenconsOutSize, 2048},
		{"XenconsoleConnected", XenconsoleConnected, 0},
		{"XenconsoleDisconnected", XenconsoleDisconnected, 1},
		// io/netif.h.
		{"NETTXFCsumBlank", NETTXFCsumBlank, 1},
		{"NETTXFDataValidated", NETTXFDataValidated, 2},
		{"NETTXFMoreData", NETTXFMoreData, 4},
		{"NETTXFExtraInfo", NETTXFExtraInfo, 8},
		{"NETRXFDataValidated", NETRXFDataValidated, 1},
		{"NETRXFCsumBlank", NETRXFCsumBlank, 2},
		{"NETRXFMoreData", NETRXFMoreData, 4},
		{"NETRXFExtraInfo", NETRXFExtraInfo, 8},
		{"NETRXFGSOPrefix", NETRXFGSOPrefix, 16},
		{"NetifExtraTypeNone", NetifExtraTypeNone, 0},
		{"NetifExtraTypeGSO", NetifExtraTypeGSO, 1},
		{"NetifExtraTypeMcastAdd", NetifExtraTypeMcastAdd, 2},
		{"NetifExtraTypeMcastDel", NetifExtraTypeMcastDel, 3},
		{"NetifExtraTypeHash", NetifExtraTypeHash, 4},
		{"NetifExtraFlagMore", NetifExtraFlagMore, 1},
		{"NetifRspDropped", NetifRspDropped, -2},
		{"NetifRspError", NetifRspError, -1},
		{"NetifRspOkay", NetifRspOkay, 0},
		{"NetifRspNull", NetifRspNull, 1},
		{"NetifMaxTxSize", NetifMaxTxSize, 0xffff},
		{"NetifNrSlotsMin", NetifNrSlotsMin, 18},
		// io/blkif.h, io/protocols.h.
		{"BlkifOpRead", BlkifOpRead, 0},
		{"BlkifOpWrite", BlkifOpWrite, 1},
		{"BlkifOpWriteBarrier", BlkifOpWriteBarrier, 2},
		{"BlkifOpFlushDiskcache", BlkifOpFlushDiskcache, 3},
		{"BlkifOpDiscard", BlkifOpDiscard, 5},
		{"BlkifOpIndirect", BlkifOpIndirect, 6},
		{"BlkifMaxSegmentsPerRequest", BlkifMaxSegmentsPerRequest, 11},
		{"BlkifRspEOpNotSupp", BlkifRspEOpNotSupp, -2},
		{"BlkifRspError", BlkifRspError, -1},
		{"BlkifRspOkay", BlkifRspOkay, 0},
		{"VdiskCDROM", VdiskCDROM, 1},
		{"VdiskRemovable", VdiskRemovable, 2},
		{"VdiskReadonly", VdiskReadonly, 4},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %#x; the header says %#x", tt.name, tt.got, tt.want)
		}
	}
	if HVMParamCallbackTypeMask != uint64(0xff00000000000000) {
		t.Errorf("HVMParamCallbackTypeMask = %#x", uint64(HVMParamCallbackTypeMask))
	}
	if ProtoABIX86_64 != "x86_64-abi" {
		t.Errorf("ProtoABIX86_64 = %q", ProtoABIX86_64)
	}
	// xs_wire.h's xsd_errors, in order.
	want := []string{"EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO", "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM"}
	if len(XsdErrors) != len(want) {
		t.Fatalf("XsdErrors has %d names; want %d", len(XsdErrors), len(want))
	}
	for i := range want {
		if XsdErrors[i] != want[i] {
			t.Errorf("XsdErrors[%d] = %q; want %q", i, XsdErrors[i], want[i])
		}
	}
}

// TestLayouts checks each structure's size and field offsets against
// the header's layout for x86_64, and those that differ on Arm
// against Arm's.
func TestLayouts(t *testing.T) {
	var (
		ti  VCPUTimeInfo
		vi  VCPUInfo
		si  SharedInfo
		ge  GrantEntryV1
		atp AddToPhysmap
		mm  MemoryMap
		hp  HVMParam
		ss  VCPUSetSingleshotTimer
		hc  VCPUHVMContext
		sh  SringHeader
		xs  XenstoreDomainInterface
		xm  XsdSockmsg
		xc  XenconsInterface
		txq NetifTxRequest
		txr NetifTxResponse
		rxq NetifRxRequest
		rxr NetifRxResponse
		bq  BlkifRequest
		br  BlkifResponse
		au  EvtchnAllocUnbound
		bv  EvtchnBindVirq
		gq  GnttabQuerySize
		via VCPUInfoArm
		sia SharedInfoArm
	)
	tests := []struct {
		name      string
		got, want uintptr
	}{
		// xen.h: struct vcpu_time_info, "32 bytes".
		{"sizeof(vcpu_time_info)", unsafe.Sizeof(ti), 32},
		{"vcpu_time_info.version", unsafe.Offsetof(ti.Version), 0},
		{"vcpu_time_info.tsc_timestamp", unsafe.Offsetof(ti.TSCTimestamp), 8},
		{"vcpu_time_info.system_time", unsafe.Offsetof(ti.SystemTime), 16},
		{"vcpu_time_info.tsc_to_system_mul", unsafe.Offsetof(ti.TSCToSystemMul), 24},
		{"vcpu_time_info.tsc_shift", unsafe.Offsetof(ti.TSCShift), 28},
		{"vcpu_time_info.flags", unsafe.Offsetof(ti.Flags), 29},
		// xen.h: struct vcpu_info, "64 bytes (x86)".
		{"sizeof(vcpu_info)", unsafe.Sizeof(vi), 64},
		{"vcpu_info.evtchn_upcall_pending", unsafe.Offsetof(vi.EvtchnUpcallPending), 0},
		{"vcpu_info.evtchn_upcall_mask", unsafe.Offsetof(vi.EvtchnUpcallMask), 1},
		{"vcpu_info.evtchn_pending_sel", unsafe.Offsetof(vi.EvtchnPendingSel), 8},
		{"vcpu_info.arch.cr2", unsafe.Offsetof(vi.ArchCR2), 16},
		{"vcpu_info.time", unsafe.Offsetof(vi.Time), 32},
		// xen.h: struct shared_info for x86_64.
		{"shared_info.evtchn_pending", unsafe.Offsetof(si.EvtchnPending), 2048},
		{"shared_info.evtchn_mask", unsafe.Offsetof(si.EvtchnMask), 2560},
		{"shared_info.wc_version", unsafe.Offsetof(si.WcVersion), 3072},
		{"shared_info.wc_sec", unsafe.Offsetof(si.WcSec), 3076},
		{"shared_info.wc_nsec", unsafe.Offsetof(si.WcNsec), 3080},
		{"shared_info.wc_sec_hi", unsafe.Offsetof(si.WcSecHi), 3084},
		{"shared_info.arch", unsafe.Offsetof(si.Arch), 3088},
		{"sizeof(shared_info)", unsafe.Sizeof(si), 3136},
		// xen.h and arch-arm.h: the same structures on Arm.
		{"arm: sizeof(vcpu_info)", unsafe.Sizeof(via), 48},
		{"arm: vcpu_info.evtchn_pending_sel", unsafe.Offsetof(via.EvtchnPendingSel), 8},
		{"arm: vcpu_info.time", unsafe.Offsetof(via.Time), 16},
		{"arm: shared_info.evtchn_pending", unsafe.Offsetof(sia.EvtchnPending), 48},
		{"arm: shared_info.evtchn_mask", unsafe.Offsetof(sia.EvtchnMask), 560},
		{"arm: shared_info.wc_version", unsafe.Offsetof(sia.WcVersion), 1072},
		{"arm: shared_info.wc_sec_hi", unsafe.Offsetof(sia.WcSecHi), 1084},
		{"arm: sizeof(shared_info)", unsafe.Sizeof(sia), 1088},
		// grant_table.h.
		{"sizeof(grant_entry_v1)", unsafe.Sizeof(ge), GrantEntryV1Size},
		{"grant_entry_v1.flags", unsafe.Offsetof(ge.Flags), GrantEntryOffFlags},
		{"grant_entry_v1.domid", unsafe.Offsetof(ge.Domid), GrantEntryOffDomid},
		{"grant_entry_v1.frame", unsafe.Offsetof(ge.Frame), GrantEntryOffFrame},
		{"sizeof(gnttab_query_size)", unsafe.Sizeof(gq), 16},
		{"gnttab_query_size.status", unsafe.Offsetof(gq.Status), 12},
		// memory.h.
		{"sizeof(xen_add_to_physmap)", unsafe.Sizeof(atp), 24},
		{"xen_add_to_physmap.space", unsafe.Offsetof(atp.Space), 4},
		{"xen_add_to_physmap.idx", unsafe.Offsetof(atp.Idx), 8},
		{"xen_add_to_physmap.gpfn", unsafe.Offsetof(atp.GPFN), 16},
		{"sizeof(xen_memory_map)", unsafe.Sizeof(mm), 16},
		{"xen_memory_map.buffer", unsafe.Offsetof(mm.Buffer), 8},
		// hvm/hvm_op.h.
		{"sizeof(xen_hvm_param)", unsafe.Sizeof(hp), 16},
		{"xen_hvm_param.index", unsafe.Offsetof(hp.Index), 4},
		{"xen_hvm_param.value", unsafe.Offsetof(hp.Value), 8},
		// vcpu.h.
		{"sizeof(vcpu_set_singleshot_timer)", unsafe.Sizeof(ss), 16},
		{"vcpu_set_singleshot_timer.flags", unsafe.Offsetof(ss.Flags), 8},
		// hvm/hvm_vcpu.h: the union's x86_32 member is 120 bytes.
		{"sizeof(vcpu_hvm_context)", unsafe.Sizeof(hc), 128},
		{"vcpu_hvm_context.cpu_regs.x86_64.rsp", unsafe.Offsetof(hc.RSP), 40},
		{"vcpu_hvm_context.cpu_regs.x86_64.rip", unsafe.Offsetof(hc.RIP), 72},
		{"vcpu_hvm_context.cpu_regs.x86_64.cr0", unsafe.Offsetof(hc.CR0), 88},
		{"vcpu_hvm_context.cpu_regs.x86_64.efer", unsafe.Offsetof(hc.EFER), 112},
		// event_channel.h.
		{"sizeof(evtchn_alloc_unbound)", unsafe.Sizeof(au), 8},
		{"evtchn_alloc_unbound.remote_dom", unsafe.Offsetof(au.RemoteDom), 2},
		{"evtchn_alloc_unbound.port", unsafe.Offsetof(au.Port), 4},
		{"sizeof(evtchn_bind_virq)", unsafe.Sizeof(bv), 12},
		{"evtchn_bind_virq.port", unsafe.Offsetof(bv.Port), 8},
		// io/ring.h.
		{"sizeof(sring header)", unsafe.Sizeof(sh), SringHeaderSize},
		{"sring.req_event", unsafe.Offsetof(sh.ReqEvent), SringOffReqEvent},
		{"sring.rsp_prod", unsafe.Offsetof(sh.RspProd), SringOffRspProd},
		{"sring.rsp_event", unsafe.Offsetof(sh.RspEvent), SringOffRspEvent},
		{"sring.pvt", unsafe.Offsetof(sh.Pvt), SringOffPvt},
		// io/xs_wire.h.
		{"sizeof(xsd_sockmsg)", unsafe.Sizeof(xm), XsdSockmsgSize},
		{"xsd_sockmsg.req_id", unsafe.Offsetof(xm.ReqID), XsdOffReqID},
		{"xsd_sockmsg.tx_id", unsafe.Offsetof(xm.TxID), XsdOffTxID},
		{"xsd_sockmsg.len", unsafe.Offsetof(xm.Len), XsdOffLen},
		{"xenstore_domain_interface.rsp", unsafe.Offsetof(xs.Rsp), XsOffRsp},
		{"xenstore_domain_interface.req_cons", unsafe.Offsetof(xs.ReqCons), XsOffReqCons},
		{"xenstore_domain_interface.req_prod", unsafe.Offsetof(xs.ReqProd), XsOffReqProd},
		{"xenstore_domain_interface.rsp_cons", unsafe.Offsetof(xs.RspCons), XsOffRspCons},
		{"xenstore_domain_interface.rsp_prod", unsafe.Offsetof(xs.RspProd), XsOffRspProd},
		{"xenstore_domain_interface.server_features", unsafe.Offsetof(xs.ServerFeatures), XsOffServerFeatures},
		{"xenstore_domain_interface.connection", unsafe.Offsetof(xs.Connection), XsOffConnection},
		{"xenstore_domain_interface.error", unsafe.Offsetof(xs.Error), XsOffError},
		{"xenstore_domain_interface.evtchn_port", unsafe.Offsetof(xs.EvtchnPort), XsOffEvtchnPort},
		{"sizeof(xenstore_domain_interface)", unsafe.Sizeof(xs), XsInterfaceSize},
		// io/console.h.
		{"xencons_interface.out", unsafe.Offsetof(xc.Out), XenconsOffOut},
		{"xencons_interface.in_cons", unsafe.Offsetof(xc.InCons), XenconsOffInCons},
		{"xencons_interface.in_prod", unsafe.Offsetof(xc.InProd), XenconsOffInProd},
		{"xencons_interface.out_cons", unsafe.Offsetof(xc.OutCons), XenconsOffOutCons},
		{"xencons_interface.out_prod", unsafe.Offsetof(xc.OutProd), XenconsOffOutProd},
		{"xencons_interface.connection", unsafe.Offsetof(xc.Connection), XenconsOffConnection},
		{"sizeof(xencons_interface)", unsafe.Sizeof(xc), XenconsInterfaceSize},
		// io/netif.h: "Ring slot size is 12 octets" (tx), 8 (rx).
		{"sizeof(netif_tx_request)", unsafe.Sizeof(txq), NetifTxEntrySize},
		{"netif_tx_request.offset", unsafe.Offsetof(txq.Offset), NetifTxOffOffset},
		{"netif_tx_request.flags", unsafe.Offsetof(txq.Flags), NetifTxOffFlags},
		{"netif_tx_request.id", unsafe.Offsetof(txq.ID), NetifTxOffID},
		{"netif_tx_request.size", unsafe.Offsetof(txq.Size), NetifTxOffSize},
		{"sizeof(netif_tx_response)", unsafe.Sizeof(txr), 4},
		{"netif_tx_response.status", unsafe.Offsetof(txr.Status), NetifTxRspOffStatus},
		{"sizeof(netif_rx_request)", unsafe.Sizeof(rxq), NetifRxEntrySize},
		{"netif_rx_request.gref", unsafe.Offsetof(rxq.Gref), NetifRxOffGref},
		{"sizeof(netif_rx_response)", unsafe.Sizeof(rxr), NetifRxEntrySize},
		{"netif_rx_response.offset", unsafe.Offsetof(rxr.Offset), NetifRxRspOffOffset},
		{"netif_rx_response.flags", unsafe.Offsetof(rxr.Flags), NetifRxRspOffFlags},
		{"netif_rx_response.status", unsafe.Offsetof(rxr.Status), NetifRxRspOffStatus},
		// io/blkif.h.
		{"sizeof(blkif_request)", unsafe.Sizeof(bq), BlkifEntrySize},
		{"blkif_request.nr_segments", unsafe.Offsetof(bq.NrSegments), BlkifReqOffNrSegments},
		{"blkif_request.handle", unsafe.Offsetof(bq.Handle), BlkifReqOffHandle},
		{"blkif_request.id", unsafe.Offsetof(bq.ID), BlkifReqOffID},
		{"blkif_request.sector_number", unsafe.Offsetof(bq.SectorNumber), BlkifReqOffSector},
		{"blkif_request.seg", unsafe.Offsetof(bq.Seg), BlkifReqOffSeg},
		{"sizeof(blkif_request_segment)", unsafe.Sizeof(bq.Seg[0]), BlkifSegSize},
		{"blkif_request_segment.first_sect", unsafe.Offsetof(bq.Seg[0].FirstSect), BlkifSegOffFirstSect},
		{"blkif_request_segment.last_sect", unsafe.Offsetof(bq.Seg[0].LastSect), BlkifSegOffLastSect},
		{"sizeof(blkif_response)", unsafe.Sizeof(br), BlkifResponseSize},
		{"blkif_response.operation", unsafe.Offsetof(br.Operation), BlkifRspOffOperation},
		{"blkif_response.status", unsafe.Offsetof(br.Status), BlkifRspOffStatus},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d; want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestRingSize(t *testing.T) {
	tests := []struct{ size, entry, want int }{
		{PageSize, NetifTxEntrySize, 256}, // 4032/12 = 336
		{PageSize, NetifRxEntrySize, 256}, // 4032/8 = 504
		{PageSize, BlkifEntrySize, 32},    // 4032/112 = 36
		{PageSize, 4032, 1},
		{PageSize, 4033, 0},
		{64, 8, 0},
		{PageSize, 0, 0},
		{2 * PageSize, BlkifEntrySize, 64},
	}
	for _, tt := range tests {
		if got := RingSize(tt.size, tt.entry); got != tt.want {
			t.Errorf("RingSize(%d, %d) = %d; want %d", tt.size, tt.entry, got, tt.want)
		}
	}
}

func TestRingNeedEvent(t *testing.T) {
	tests := []struct {
		event, new, old uint32
		want            bool
	}{
		{1, 1, 0, true},          // the first request after SHARED_RING_INIT
		{1, 5, 0, true},          // a batch passing the event
		{6, 5, 0, false},         // the other side asked for later
		{5, 5, 4, true},          // exactly at the event
		{4, 5, 4, false},         // already past: it saw index 4 and is still busy
		{0, 2, 0xfffffffe, true}, // across the wrap
		{0xfffffff0, 2, 0xfffffffe, false},
	}
	for _, tt := range tests {
		if got := RingNeedEvent(tt.event, tt.new, tt.old); got != tt.want {
			t.Errorf("RingNeedEvent(%#x, %#x, %#x) = %v; want %v", tt.event, tt.new, tt.old, got, tt.want)
		}
	}
}
