// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/abi"
	"internal/runtime/fdt"
	"unsafe"
)

type fdtNode = fdt.Node

// An excFrame is the state an exception interrupted, as
// sys_xen_arm64.s saves it on the exception stack.
type excFrame struct {
	r    [31]uint64 // x0 to x30
	sp   uint64     // SP_EL0
	elr  uint64
	spsr uint64
	esr  uint64
	far  uint64
}

// An excCPU is a CPU's exception state, which its TPIDR_EL1 points
// to: g is the g that exception handlers run as, on the CPU's
// exception stack (SP_EL1; a fault must not run on the stack it may
// have overflowed), and fp holds the interrupted SIMD and
// floating-point registers (Q0 to Q31, FPSR, FPCR; see
// sys_xen_arm64.s).
type excCPU struct {
	g  g
	fp [32*2 + 2]uint64
}

// excCPUs is each CPU's exception state; excStack is the boot CPU's
// exception stack (smpStart allocates the others').
var (
	excCPUs  [maxCPUs]excCPU
	excStack [excStackSize]byte
)

const excStackSize = 32 << 10

// trapInit gives the boot CPU's exception g its stack's bounds.
func trapInit() {
	excCPUInit(0, uintptr(unsafe.Pointer(&excStack)), excStackSize)
}

// excCPUInit gives CPU c's exception g the stack at stk, so that a
// handler that overruns the stack throws (newstack: wrong goroutine)
// instead of writing over the data below it. Before this the guard is
// 0, and an exception's handler runs unchecked.
func excCPUInit(c int, stk, size uintptr) {
	eg := &excCPUs[c].g
	eg.stack = stack{lo: stk, hi: stk + size}
	eg.stackguard0 = stk + stackGuard
	eg.stackguard1 = eg.stackguard0
}

// threadSwitchTrap has nothing to do: exceptions have a stack of their
// own, whatever thread they interrupt.
func threadSwitchTrap(mp *m) {}

// inTrapHandler reports whether an exception handler is running: it
// runs as its CPU's excCPUs[c].g.
//
//go:nosplit
func inTrapHandler() bool {
	off := uintptr(unsafe.Pointer(getg())) - uintptr(unsafe.Pointer(&excCPUs))
	return off < unsafe.Sizeof(excCPUs) && off%unsafe.Sizeof(excCPUs[0]) == 0
}

// Exception kinds, as sys_xen_arm64.s passes them.
const (
	excKindSync  = 0 // from Go code (EL1, SP_EL0)
	excKindIRQ   = 1
	excKindFatal = 2 // anything else: in a handler, or at EL0
)

// Exception classes (ESR_EL1.EC, bits 31:26) of the synchronous
// exceptions Go code can raise.
const (
	ecUnknown      = 0x00 // undefined instruction
	ecSVC64        = 0x15
	ecInstAbort    = 0x21 // at the same EL
	ecPCAlign      = 0x22
	ecDataAbort    = 0x25 // at the same EL
	ecSPAlign      = 0x26
	ecFPException  = 0x2c
	ecBRK          = 0x3c
	esrFaultStatus = 0x3f // ISS bits 5:0 of an abort: DFSC or IFSC
)

// excHandler handles an exception. It runs on the CPU's exception
// stack as its excCPU.g, with the interrupted state in f; what it
// leaves in f is what the exception returns to.
func excHandler(f *excFrame, kind uintptr) {
	gp := (*g)(unsafe.Pointer(uintptr(f.r[28])))
	if virtExiting {
		// semihostExit's HLT, where semihosting is off.
		psciCall(psciSystemOff, 0, 0, 0)
	}
	if kind == excKindIRQ && gp != nil && gp.m != nil {
		irqInterrupt(&sigctxt{f: f}, gp)
		return
	}
	if kind != excKindSync || gp == nil || gp.m == nil {
		excFatal(f, kind)
	}
	if f.esr>>26&0x3f == ecSVC64 {
		// ELR is the instruction after the SVC.
		(&sigctxt{f: f}).pushCall(abi.FuncPCABI0(svcCall), uintptr(f.elr))
		return
	}
	sig, code, ok := excSignal(f.esr)
	if !ok {
		excFatal(f, kind)
	}
	trapSignal(&sigctxt{f: f}, gp, sig, code, f.far)
}

// excSignal returns the signal, and its code, that Linux makes of the
// synchronous exception with syndrome esr.
func excSignal(esr uint64) (sig uint32, code uint64, ok bool) {
	switch esr >> 26 & 0x3f {
	case ecDataAbort, ecInstAbort:
		switch fs := esr & esrFaultStatus; {
		case fs&^3 == 0x04: // translation fault, level in bits 1:0
			return _SIGSEGV, _SEGV_MAPERR, true
		case fs&^3 == 0x08 || fs&^3 == 0x0c: // access flag, permission
			return _SIGSEGV, _SEGV_ACCERR, true
		case fs == 0x21: // alignment
			return _SIGBUS, _BUS_ADRALN, true
		}
		return _SIGSEGV, _SI_KERNEL, true
	case ecPCAlign, ecSPAlign:
		return _SIGBUS, _BUS_ADRALN, true
	case ecUnknown:
		return _SIGILL, _ILL_ILLOPC, true
	case ecFPException:
		return _SIGFPE, 0, true
	case ecBRK:
		return _SIGTRAP, _SI_KERNEL, true
	}
	return 0, 0, false
}

// excFatal reports an exception that no signal stands for, or that
// came where nothing can handle it, and stops.
func excFatal(f *excFrame, kind uintptr) {
	print("xen: unexpected exception (kind ", kind, "): ESR=", hex(f.esr), " ELR=", hex(f.elr), " FAR=", hex(f.far), " SPSR=", hex(f.spsr), " SP=", hex(f.sp), "\n")
	exit(2)
}
