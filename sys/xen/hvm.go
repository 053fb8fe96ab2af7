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
