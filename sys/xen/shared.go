// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The shared_info page (xen.h, arch-x86/xen.h, arch-x86/xen-x86_64.h):
// Xen's per-domain page with each vCPU's event and time state, the
// 2-level event channel bitmaps and the wall clock. An HVM or PVH guest
// maps it with XENMEM_add_to_physmap(XENMAPSPACE_shared_info, idx 0).

// LegacyMaxVCPUs is XEN_LEGACY_MAX_VCPUS (arch-x86/xen.h): the vCPUs
// whose vcpu_info lives in shared_info. Others need
// VCPUOP_register_vcpu_info.
const LegacyMaxVCPUs = 32

// VCPUTimeInfo is struct vcpu_time_info (32 bytes). Xen increments
// Version before and after each update, so an odd Version, or one that
// changed while the fields were read, means read again. Xen system
// time now, in ns since boot, is
//
//	SystemTime + ((tsc - TSCTimestamp) << TSCShift) * TSCToSystemMul >> 32
//
// with a negative TSCShift shifting right instead.
type VCPUTimeInfo struct {
	Version        uint32
	_              uint32
	TSCTimestamp   uint64 // TSC at the last update
	SystemTime     uint64 // ns since boot at TSCTimestamp
	TSCToSystemMul uint32 // 32.32 fixed-point ns per (shifted) tick
	TSCShift       int8
	Flags          uint8 // XenPVClock*
	_              [2]byte
}

// Flags of vcpu_time_info (XEN_PVCLOCK_*).
const (
	XenPVClockTSCStableBit = 1 << 0
	XenPVClockGuestStopped = 1 << 1
)

// VCPUInfo is struct vcpu_info for x86_64 (64 bytes).
// EvtchnUpcallPending is set by Xen when an event is pending for the
// vCPU; the guest clears it before scanning. EvtchnPendingSel has a
// bit per word of SharedInfo.EvtchnPending with something pending.
type VCPUInfo struct {
	EvtchnUpcallPending uint8
	EvtchnUpcallMask    uint8 // XEN_HAVE_PV_UPCALL_MASK on x86
	_                   [6]byte
	EvtchnPendingSel    uint64
	ArchCR2             uint64 // struct arch_vcpu_info
	_                   uint64
	Time                VCPUTimeInfo
}

// SharedInfo is struct shared_info for x86_64. On x86_64 wc_sec_hi is
// in the common part, right after wc_nsec (xen.h: only i386 keeps it in
// arch_shared_info). The wall clock is
// (uint64(WcSecHi)<<32 | WcSec) s + WcNsec ns since the Unix epoch at
// Xen system time 0, read under WcVersion as VCPUTimeInfo is.
type SharedInfo struct {
	VCPUInfo      [LegacyMaxVCPUs]VCPUInfo
	EvtchnPending [64]uint64 // 2-level pending bits, one per port
	EvtchnMask    [64]uint64 // 2-level mask bits, one per port
	WcVersion     uint32
	WcSec         uint32
	WcNsec        uint32
	WcSecHi       uint32
	Arch          ArchSharedInfo
}

// ArchSharedInfo is struct arch_shared_info for x86_64; a PVH guest
// does not use it.
type ArchSharedInfo struct {
	MaxPFN                uint64
	PFNToMFNFrameListList uint64
	NMIReason             uint64
	P2MCR3                uint64
	P2MVaddr              uint64
	P2MGeneration         uint64
}
