// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The shared_info page of Xen on Arm (xen.h, arch-arm.h). Its common
// part is x86's, but for three differences: xen_ulong_t is 64 bits on
// both Arm architectures, only one vcpu_info lives in the page
// (XEN_LEGACY_MAX_VCPUS is 1), and arch_vcpu_info and arch_shared_info
// are empty. Arm has no upcall mask byte (XEN_HAVE_PV_UPCALL_MASK is
// x86's): the guest masks the event channel interrupt at its GIC. Xen
// on Arm does not keep vcpu_time_info up to date: guests read the
// generic timer, whose virtual count starts at the domain's creation,
// and the wall clock in the page is the time of day at that moment
// (to the second).

// LegacyMaxVCPUsArm is XEN_LEGACY_MAX_VCPUS on Arm.
const LegacyMaxVCPUsArm = 1

// VCPUInfoArm is struct vcpu_info on Arm (48 bytes).
type VCPUInfoArm struct {
	EvtchnUpcallPending uint8
	_                   [7]byte
	EvtchnPendingSel    uint64
	Time                VCPUTimeInfo // not updated by Xen on Arm
}

// SharedInfoArm is struct shared_info on Arm (1088 bytes).
type SharedInfoArm struct {
	VCPUInfo      [LegacyMaxVCPUsArm]VCPUInfoArm
	EvtchnPending [64]uint64
	EvtchnMask    [64]uint64
	WcVersion     uint32
	WcSec         uint32
	WcNsec        uint32
	WcSecHi       uint32
}

// HypercallTagArm is XEN_HYPERCALL_TAG, the immediate of the HVC
// instruction that makes a hypercall on Arm (arch-arm.h). The
// hypercall's number goes in x16, its arguments in x0 to x4, and its
// result comes back in x0.
const HypercallTagArm = 0xEA1

// Guest interrupts on Arm (arch-arm.h): the event channel upcall is a
// private peripheral interrupt, which the device tree's /hypervisor
// node also names.
const EvtchnPPIArm = 31
