// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/abi"
	"unsafe"
)

// CPU exceptions and interrupts on xen/amd64.
//
// The runtime runs in ring 0, so the IDT is its signal table. Entry
// (trap_xen_amd64.s) saves the interrupted state as a trapFrame on the
// IST stack, which is m0's gsignal stack once the runtime is up, and
// calls trap, which runs the handler as a signal handler runs on Linux:
// on gsignal, with the interrupted g at hand. Faults in Go code become
// the same panics as the corresponding Linux signals (through
// sigctxt.preparePanic, shared with the Unix ports); the timer
// interrupt drives preemption (see apic_xen_amd64.go).

// trapFrame is the interrupted state, as trapCommon lays it out.
type trapFrame struct {
	ax, bx, cx, dx, si, di, bp uint64
	r8, r9, r10, r11           uint64
	r12, r13, r14, r15         uint64
	vector, errcode            uint64
	ip, cs, flags, sp, ss      uint64 // pushed by the CPU
}

// Vectors. 0-31 are the CPU's exceptions.
const (
	vectorNMI         = 2
	vectorDoubleFault = 8
	vectorPageFault   = 14
	vectorTimer       = 32
	vectorIPI         = 48 // another CPU's wakeup (smp_xen_amd64.go)
	vectorSpurious    = 255
)

// Vectors 33-47 are for device interrupts: the platform's init sets
// deviceInterrupt to its handler for them (the I/O APIC's lines on a PC,
// the event channel upcall on Xen), which runs on gsignal with
// interrupts off and sends the local APIC its EOI where one is due. f
// holds the vector and the interrupted context, and gp is the
// interrupted goroutine, for a platform whose timer interrupts this way
// (platformTimerArm).
const vectorDeviceEnd = 48

var deviceInterrupt func(f *trapFrame, gp *g)

// trapVector returns the vector of the i'th entry stub, in the order
// of trapStubs in trap_xen_amd64.s: 0-48, then the spurious vector.
func trapVector(i int) uint8 {
	if i <= vectorIPI {
		return uint8(i)
	}
	return vectorSpurious
}

const numTrapStubs = 50

// Segment selectors of the GDT below. Each CPU has a TSS, at selTSS +
// 16*cpu.
const (
	selCode = 0x08
	selData = 0x10
	selTSS  = 0x18
)

// descriptorTablePointer is the operand of LGDT and LIDT.
type descriptorTablePointer struct {
	_     [3]uint16 // align base to 8 bytes after limit
	limit uint16
	base  uint64
}

// taskState is the 64-bit TSS, as 32-bit words because its 64-bit
// fields are not 8-byte aligned. Only the IST stack pointers matter:
// the runtime never changes privilege level.
type taskState [26]uint32

// setIST sets IST slot i (1-7).
func (t *taskState) setIST(i int, sp uintptr) {
	t[(36+8*(i-1))/4] = uint32(sp)
	t[(36+8*(i-1))/4+1] = uint32(uint64(sp) >> 32)
}

var (
	gdt [3 + 2*maxCPUs]uint64 // null, code, data, a TSS (two slots) per CPU
	tss [maxCPUs]taskState
	idt [256][2]uint64

	// Stacks for traps before the runtime has a signal stack, and for
	// double faults (which may come from an overflowing trap stack).
	trapEarlyStack  [16 << 10]byte
	trapDoubleStack [16 << 10]byte

	// trapOnSignalStack is set once IST1 is m0's gsignal stack.
	trapOnSignalStack bool

	// useXSAVE tells trapCommon to save vector state with XSAVE
	// rather than FXSAVE: where AVX is on, whose state FXSAVE misses.
	// enableFPU (rt0_xen_amd64.s) sets it when it turns AVX on; with
	// x87 and SSE alone, FXSAVE saves all there is, and it is the
	// safer of the two under a hypervisor that loads the FPU lazily
	// (see trapCommon).
	useXSAVE bool
)

// trapInit loads the runtime's GDT, TSS and IDT. It runs first thing
// in osinit, so that any fault from then on is reported.
func trapInit() {
	gdt[1] = 0x00af9a000000ffff // 64-bit code
	gdt[2] = 0x00cf92000000ffff // data
	for c := range tss {
		t := &tss[c]
		base := uint64(uintptr(unsafe.Pointer(t)))
		limit := uint64(unsafe.Sizeof(*t) - 1)
		gdt[3+2*c] = limit&0xffff | (base&0xffffff)<<16 | 0x89<<40 | (base>>24&0xff)<<56 // available 64-bit TSS
		gdt[4+2*c] = base >> 32
		t[25] = uint32(unsafe.Sizeof(*t)) << 16 // I/O map base: no I/O permission bitmap
		// Double faults are fatal; the CPUs share a stack for them.
		t.setIST(2, uintptr(unsafe.Pointer(&trapDoubleStack[len(trapDoubleStack)-64])))
	}
	tss[0].setIST(1, uintptr(unsafe.Pointer(&trapEarlyStack[len(trapEarlyStack)-64])))

	for i := 0; i < numTrapStubs; i++ {
		v := trapVector(i)
		ist := uint64(1)
		if v == vectorDoubleFault {
			ist = 2
		}
		pc := uint64(trapStub(i))
		idt[v][0] = pc&0xffff | selCode<<16 | ist<<32 | 0x8e<<40 | (pc>>16&0xffff)<<48 // present interrupt gate
		idt[v][1] = pc >> 32
	}

	trapLoad(0)
}

// trapLoad loads the GDT, CPU c's TSS and the IDT on the calling CPU.
func trapLoad(c int) {
	var p descriptorTablePointer
	p.limit = uint16(unsafe.Sizeof(gdt) - 1)
	p.base = uint64(uintptr(unsafe.Pointer(&gdt)))
	lgdt(&p.limit)
	ltr(uint16(selTSS + 16*c))
	p.limit = uint16(unsafe.Sizeof(idt) - 1)
	p.base = uint64(uintptr(unsafe.Pointer(&idt)))
	lidt(&p.limit)
}

// trapUseSignalStack moves trap handling onto mp's gsignal stack, where
// trap runs handlers with g = gsignal.
func trapUseSignalStack(mp *m) {
	tss[0].setIST(1, mp.gsignal.stack.hi)
	trapOnSignalStack = true
}

// threadSwitchTrap gives the trap path mp's signal stack, as mp's
// thread takes the CPU (threadRun).
//
//go:nosplit
func threadSwitchTrap(mp *m) {
	if !trapOnSignalStack {
		return
	}
	c := mp.threadCPU
	gsignal := mp.gsignal
	if gsignal == nil {
		// An exiting M, whose signal stack mexit has freed; its
		// interrupts are off (sigblock). A fault would be fatal
		// anyway: give it the CPU's idle signal stack, which no
		// other CPU uses.
		gsignal = &cpus[c].idleSig
	}
	tss[c].setIST(1, gsignal.stack.hi)
}

// inTrapHandler reports whether a trap handler is running: it runs as
// the interrupted M's gsignal.
//
//go:nosplit
func inTrapHandler() bool {
	gp := getg()
	return gp == gp.m.gsignal
}

// trap is called by trapCommon on the IST stack with interrupts off.
// It finds the interrupted g in TLS and runs the handler on gsignal.
//
//go:nosplit
//go:nowritebarrierrec
func trap(f *trapFrame) {
	if f.vector >= vectorTimer && f.ip == uint64(abi.FuncPCABI0(stihlt))+1 {
		// The interrupt came between stihlt's STI and HLT, where
		// the STI's shadow should keep it out. It happens to a
		// domain of Xen nested in QEMU's TCG: QEMU's SVM saves the
		// shadow in the VMCB at a #VMEXIT but does not restore it
		// at VMRUN. Returning to the HLT would halt the CPU until
		// another interrupt, with whatever this one made runnable
		// waiting for it; past the HLT (STI is one byte), stihlt
		// returns as it does after any other.
		f.ip++
	}
	gp := getg()
	if !trapOnSignalStack || f.vector == vectorDoubleFault || gp == nil || gp.m == nil || gp.m.gsignal == nil || gp == gp.m.gsignal {
		if f.vector >= vectorTimer && (!trapOnSignalStack || gp != nil && gp.m != nil && gp.m.gsignal == nil) {
			// An interrupt before the runtime can take one: the
			// timer of an idle wait in a throw before m0 has its
			// gsignal (out of memory in mallocinit sleeps in
			// freezetheworld). The throw goes on to report itself.
			if f.vector != vectorSpurious {
				lapicEOI()
			}
			return
		}
		trapEarly(f)
		return
	}
	addr := uint64(0)
	if f.vector == vectorPageFault {
		addr = uint64(readCR2())
	}
	setg(gp.m.gsignal)
	trapHandler(f, gp, addr)
	setg(gp)
}

// trapEarly reports a trap that no Go code can handle, because there
// is no runtime yet, no stack for it, or the trap handler itself
// faulted, and stops the machine.
//
//go:nosplit
//go:nowritebarrierrec
func trapEarly(f *trapFrame) {
	trapPrint("xen: unexpected exception ")
	trapPrintHex(f.vector)
	trapPrint(" error ")
	trapPrintHex(f.errcode)
	trapPrint(" at rip ")
	trapPrintHex(f.ip)
	trapPrint(" rsp ")
	trapPrintHex(f.sp)
	trapPrint(" rflags ")
	trapPrintHex(f.flags)
	if f.vector == vectorPageFault {
		trapPrint(" cr2 ")
		trapPrintHex(uint64(readCR2()))
	}
	trapPrint("\n")
	exit(2)
}

//go:nosplit
func trapPrint(s string) {
	consoleWrite(unsafe.Slice(unsafe.StringData(s), len(s)))
}

//go:nosplit
func trapPrintHex(v uint64) {
	var buf [18]byte
	buf[0], buf[1] = '0', 'x'
	for i := 0; i < 16; i++ {
		buf[17-i] = "0123456789abcdef"[v&0xf]
		v >>= 4
	}
	consoleWrite(buf[:])
}

// trapHandler handles a trap on gsignal; gp is the interrupted g and
// addr the faulting address of a page fault.
func trapHandler(f *trapFrame, gp *g, addr uint64) {
	switch v := f.vector; {
	case v < 32:
		exception(&sigctxt{f: f}, gp, addr)
	case v == vectorTimer:
		timerInterrupt(&sigctxt{f: f}, gp)
	case v == vectorIPI:
		lapicEOI()
		ipiInterrupt(&sigctxt{f: f}, gp)
	case v == vectorSpurious:
		// No EOI for a spurious interrupt.
	case v > vectorTimer && v < vectorDeviceEnd && deviceInterrupt != nil:
		deviceInterrupt(f, gp)
	default:
		lapicEOI()
	}
}

// exception turns a CPU exception into the signal Linux makes of it
// (trapSignal).
func exception(c *sigctxt, gp *g, addr uint64) {
	if c.f.vector == vectorNMI {
		interruptDump()
	}
	sig, code := exceptionSignal(c.f)
	trapSignal(c, gp, sig, code, addr)
}

// exceptionSignal maps an exception to the signal and si_code Linux
// delivers for it (arch/x86/kernel/traps.c). An NMI, which only an
// operator sends (xl trigger DOMAIN nmi, QEMU's nmi command; the exec
// wrapper sends one for SIGQUIT and at its timeout), is SIGQUIT from
// a user: the program prints every goroutine's stack and exits with
// status 2, as a Go program on Linux does for kill -QUIT.
func exceptionSignal(f *trapFrame) (sig uint32, code uint64) {
	switch f.vector {
	case vectorNMI:
		return _SIGQUIT, _SI_USER
	case 0: // #DE
		return _SIGFPE, _FPE_INTDIV
	case 1, 3: // #DB, #BP
		return _SIGTRAP, _SI_KERNEL
	case 6: // #UD
		return _SIGILL, _ILL_ILLOPN
	case 11, 12, 17: // #NP, #SS, #AC
		return _SIGBUS, _SI_KERNEL
	case 14: // #PF
		if f.errcode&1 != 0 { // present: a protection violation
			return _SIGSEGV, _SEGV_ACCERR
		}
		return _SIGSEGV, _SEGV_MAPERR
	case 16, 19: // #MF, #XM
		return _SIGFPE, 0
	}
	// #GP and the rest.
	return _SIGSEGV, _SI_KERNEL
}

// Implemented in trap_xen_amd64.s.
func trapStub(i int) uintptr

// Implemented in sys_xen_amd64.s.
//
//go:noescape
func lgdt(limit *uint16)

//go:noescape
func lidt(limit *uint16)

func ltr(sel uint16)
func readCR2() uintptr
func cli()
func sti()
func stihlt()
func intrOff() (wasOn bool)
