// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xen defines the parts of the Xen hypervisor's guest ABI that
// a PVH domU uses: hypercall and sub-operation numbers, the layouts of
// the structures the guest shares with Xen (shared_info, vcpu_info, the
// grant table), and the wire formats of the paravirtual devices
// (xenstore, console, netif, blkif) and of their shared rings.
//
// Every number and layout is typed in from Xen's public headers, named
// beside it as xen/include/public/<file>; the x86_64 layouts are the
// ones given there for a 64-bit guest (unsigned long and xen_ulong_t
// are 8 bytes). All fields are little-endian. The tests pin each value
// and each structure's size and offsets.
//
// Like sys/pvh, the package is vendored into the Mirago standard
// library where the runtime may use it, so it imports nothing.
package xen

// PageSize is the unit of grants, frames and ring pages
// (XEN_PAGE_SHIFT 12, io/ring.h).
const (
	PageShift = 12
	PageSize  = 1 << PageShift
)

// Hypercall numbers (__HYPERVISOR_*, xen.h). On x86 the call for
// number n is the 32-byte stub at offset n*32 of the hypercall page.
const (
	HypercallMemoryOp       = 12
	HypercallSetTimerOp     = 15
	HypercallXenVersion     = 17
	HypercallConsoleIO      = 18
	HypercallGrantTableOp   = 20
	HypercallVMAssist       = 21
	HypercallVCPUOp         = 24
	HypercallSchedOp        = 29
	HypercallCallbackOp     = 30
	HypercallEventChannelOp = 32
	HypercallPhysdevOp      = 33
	HypercallHVMOp          = 34
	HypercallSysctl         = 35
	HypercallDomctl         = 36
	HypercallStubSize       = 32
)

// Commands of HYPERVISOR_console_io (CONSOLEIO_*, xen.h). A domU's
// writes are dropped by a non-debug Xen; the console ring is the
// channel that always works.
const (
	ConsoleIOWrite = 0
	ConsoleIORead  = 1
)

// Sub-operations of HYPERVISOR_xen_version (XENVER_*, version.h).
const (
	XenVersionVersion      = 0 // returns major<<16 | minor
	XenVersionExtraversion = 1 // fills char[16]
	XenVersionGetFeatures  = 6 // struct xen_feature_info
	XenVersionPagesize     = 7
)

// FeatureInfo is struct xen_feature_info (version.h): SubmapIdx in,
// Submap out, a 32-bit slice of the XENFEAT_* bitmap.
type FeatureInfo struct {
	SubmapIdx uint32
	Submap    uint32
}

// Feature bits of XENVER_get_features (XENFEAT_*, features.h).
const (
	FeatAutoTranslatedPhysmap = 2
	FeatHVMCallbackVector     = 8
	FeatHVMSafePVClock        = 9
	FeatHVMPirqs              = 10
)

// Domain ids (xen.h): domid_t is 16 bits; values from DomidFirstReserved
// up are special.
const (
	DomidFirstReserved = 0x7ff0
	DomidSelf          = 0x7ff0
	DomidIO            = 0x7ff1
	DomidXen           = 0x7ff2
	DomidCOW           = 0x7ff3
	DomidInvalid       = 0x7ff4
	DomidAny           = 0x7ff5
	DomidIdle          = 0x7fff
	DomidMask          = 0x7fff
)

// Virtual interrupts a guest may bind an event channel to (VIRQ_*,
// xen.h).
const (
	VirqTimer   = 0
	VirqDebug   = 1
	VirqConsole = 2
	VirqDomExc  = 3
)

// Errors returned by hypercalls, negated (XEN_E*, errno.h).
const (
	EPERM     = 1
	ENOENT    = 2
	ESRCH     = 3
	EINTR     = 4
	EIO       = 5
	ENXIO     = 6
	E2BIG     = 7
	EAGAIN    = 11
	ENOMEM    = 12
	EACCES    = 13
	EFAULT    = 14
	EBUSY     = 16
	EEXIST    = 17
	ENODEV    = 19
	EISDIR    = 21
	EINVAL    = 22
	ENOSPC    = 28
	EROFS     = 30
	ENOSYS    = 38
	ENOTEMPTY = 39
	ETIME     = 62
	EISCONN   = 106
)

// CPUID leaves (arch-x86/cpuid.h). Xen's leaves start at 0x40000000
// but may be offset by a multiple of 0x100 when Xen also presents
// another hypervisor's leaves (viridian): search in steps of 0x100.
const (
	CPUIDFirstLeaf = 0x40000000
	CPUIDLeafStep  = 0x100
	// Signature of leaf base+0 in EBX, ECX, EDX: "XenVMMXenVMM".
	CPUIDSignatureEBX = 0x566e6558
	CPUIDSignatureECX = 0x65584d4d
	CPUIDSignatureEDX = 0x4d4d566e
	// Leaf base+1: EAX = major<<16 | minor.
	CPUIDLeafVersion = 1
	// Leaf base+2: EAX = number of hypercall pages, EBX = the MSR
	// to which the guest writes the physical address of the page
	// that Xen fills with hypercall stubs.
	CPUIDLeafHypercall = 2
	// Leaf base+3, sub-leaf 0: ECX = guest TSC frequency in kHz;
	// sub-leaf 1: ECX = tsc_to_system_mul, EDX = tsc_shift; sub-leaf
	// 2: EAX = host TSC frequency in kHz.
	CPUIDLeafTime = 3
	// Leaf base+4: HVM features; EAX bits below.
	CPUIDLeafHVM = 4
	// EAX bits of leaf base+4.
	CPUIDHVMVCPUIDPresent  = 1 << 3 // EBX holds the vCPU id
	CPUIDHVMDomidPresent   = 1 << 4 // ECX holds the domain id
	CPUIDHVMUpcallVector   = 1 << 6 // per-vCPU upcall vectors (HVMOP_set_evtchn_upcall_vector)
	CPUIDTSCModeNeverEmul  = 2      // leaf base+3 EBX tsc_mode
	CPUIDTSCModeDefault    = 0
	CPUIDTSCModeAlwaysEmul = 1
)
