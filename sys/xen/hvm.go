// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// HVM operations (hvm/hvm_op.h), HYPERVISOR_hvm_op(cmd, arg). A PVH
// guest is an HVM guest to Xen: it reads where its xenstore and console
// rings are, and sets how events reach it, through HVM parameters.
const (
	HVMOpSetParam              = 0
	HVMOpGetParam              = 1
	HVMOpGetTime               = 10
	HVMOpSetEvtchnUpcallVector = 23 // x86 only
)

// HVMParam is struct xen_hvm_param.
type HVMParam struct {
	Domid uint16 // DomidSelf
	_     uint16
	Index uint32 // HVMParam*
	Value uint64
}

// HVMEvtchnUpcallVector is struct xen_hvm_evtchn_upcall_vector
// (HVMOP_set_evtchn_upcall_vector, x86): deliver vcpu's event upcalls
// on Vector, in preference to HVM_PARAM_CALLBACK_IRQ.
type HVMEvtchnUpcallVector struct {
	VCPU   uint32
	Vector uint8
	_      [3]byte
}

// HVM parameter indices (HVM_PARAM_*, hvm/params.h).
const (
	HVMParamCallbackIRQ   = 0
	HVMParamStorePFN      = 1 // frame of the xenstore ring page
	HVMParamStoreEvtchn   = 2 // event channel of the xenstore ring
	HVMParamTimerMode     = 10
	HVMParamConsolePFN    = 17 // frame of the console ring page
	HVMParamConsoleEvtchn = 18 // event channel of the console ring
)

// HVM_PARAM_CALLBACK_IRQ's value: the type in bits 63:56
// (HVM_PARAM_CALLBACK_IRQ_TYPE_MASK), its argument below. Value 0
// turns event delivery off.
const (
	HVMParamCallbackTypeShift = 56
	HVMParamCallbackTypeMask  = 0xff << HVMParamCallbackTypeShift
	HVMParamCallbackTypeGSI   = 0 // bits 55:0: a GSI other than 0
	HVMParamCallbackTypePCI   = 1 // bits 55:0: a PCI INTx line
	// HVMParamCallbackTypeVector (x86): bits 7:0 are the vector Xen
	// injects into vCPU 0 for event upcalls; needs
	// XENFEAT_hvm_callback_vector.
	HVMParamCallbackTypeVector = 2
)

// CallbackVector is the HVM_PARAM_CALLBACK_IRQ value that delivers
// event upcalls on vector v.
func CallbackVector(v uint8) uint64 {
	return HVMParamCallbackTypeVector<<HVMParamCallbackTypeShift | uint64(v)
}

// VCPUHVMContext is struct vcpu_hvm_context (hvm/hvm_vcpu.h): the state
// VCPUOP_initialise gives a vCPU of an HVM or PVH guest before
// VCPUOP_up starts it. This is its 64-bit form (Mode VCPUHVMMode64B),
// in which the vCPU starts in long mode at RIP with the registers
// given and flat segments whose selectors are all zero, so it must
// load a GDT of its own before it reloads one. The struct's union is
// as large as its 32-bit form, which Xen copies in whole.
type VCPUHVMContext struct {
	Mode uint32 // VCPUHVMMode*
	_    uint32

	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI uint64
	RIP, RFLAGS                            uint64
	CR0, CR3, CR4, EFER                    uint64

	_ [8]byte // the rest of struct vcpu_hvm_x86_32's 120 bytes
}

// vcpu_hvm_context.mode.
const (
	VCPUHVMMode32B = 0
	VCPUHVMMode64B = 1
)
