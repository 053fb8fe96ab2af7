// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// Scheduler operations (sched.h), HYPERVISOR_sched_op(cmd, arg).
const (
	SchedOpYield          = 0 // arg NULL
	SchedOpBlock          = 1 // arg NULL; returns when an event is pending
	SchedOpShutdown       = 2 // arg *SchedShutdown
	SchedOpPoll           = 3
	SchedOpRemoteShutdown = 4
	SchedOpShutdownCode   = 5 // latch a reason for a later shutdown
	SchedOpWatchdog       = 6
)

// SchedShutdown is struct sched_shutdown.
type SchedShutdown struct {
	Reason uint32 // Shutdown*
}

// Reasons for SCHEDOP_shutdown (SHUTDOWN_*). xl's on_poweroff,
// on_reboot and on_crash settings decide what the toolstack does.
const (
	ShutdownPoweroff  = 0 // exited normally
	ShutdownReboot    = 1
	ShutdownSuspend   = 2
	ShutdownCrash     = 3
	ShutdownWatchdog  = 4
	ShutdownSoftReset = 5
)

// vCPU operations (vcpu.h), HYPERVISOR_vcpu_op(cmd, vcpuid, arg).
const (
	VCPUOpInitialise               = 0
	VCPUOpUp                       = 1
	VCPUOpDown                     = 2
	VCPUOpIsUp                     = 3
	VCPUOpGetRunstateInfo          = 4
	VCPUOpSetPeriodicTimer         = 6
	VCPUOpStopPeriodicTimer        = 7
	VCPUOpSetSingleshotTimer       = 8
	VCPUOpStopSingleshotTimer      = 9
	VCPUOpRegisterVCPUInfo         = 10
	VCPUOpRegisterVCPUTimePhysArea = 15
)

// VCPUSetSingleshotTimer is struct vcpu_set_singleshot_timer: raise
// VIRQ_TIMER when Xen system time reaches TimeoutAbsNs.
type VCPUSetSingleshotTimer struct {
	TimeoutAbsNs uint64
	Flags        uint32 // VCPUSshottmrFuture
	_            uint32
}

// VCPUSshottmrFuture asks for -ETIME if the timeout has passed
// (VCPU_SSHOTTMR_future); Xen may ignore it.
const VCPUSshottmrFuture = 1

// VCPURegisterVCPUInfo is struct vcpu_register_vcpu_info.
type VCPURegisterVCPUInfo struct {
	MFN    uint64
	Offset uint32
	_      uint32
}
