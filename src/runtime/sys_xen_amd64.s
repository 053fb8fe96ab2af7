// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// Privileged instructions for the xen/amd64 runtime, which runs in ring 0
// with no operating system underneath.

// settls sets the FS base so that -8(FS) is m.tls[0] (DI = &m.tls[0]),
// as rt0_go and the ELF TLS model of the compiler expect.
TEXT runtime·settls(SB),NOSPLIT,$0
	ADDQ	$8, DI	// ELF wants to use -8(FS)
	MOVL	$0xc0000100, CX	// IA32_FS_BASE
	MOVL	DI, AX
	SHRQ	$32, DI
	MOVL	DI, DX
	WRMSR
	RET

// func outb(port uint16, val uint8)
TEXT runtime·outb(SB),NOSPLIT,$0-3
	MOVW	port+0(FP), DX
	MOVB	val+2(FP), AX
	OUTB
	RET

// func inb(port uint16) uint8
TEXT runtime·inb(SB),NOSPLIT,$0-9
	MOVW	port+0(FP), DX
	INB
	MOVB	AX, ret+8(FP)
	RET

// func outw(port uint16, val uint16)
TEXT runtime·outw(SB),NOSPLIT,$0-4
	MOVW	port+0(FP), DX
	MOVW	val+2(FP), AX
	OUTW
	RET

// func outl(port uint16, val uint32)
TEXT runtime·outl(SB),NOSPLIT,$0-8
	MOVW	port+0(FP), DX
	MOVL	val+4(FP), AX
	OUTL
	RET

// func inw(port uint16) uint16
TEXT runtime·inw(SB),NOSPLIT,$0-10
	MOVW	port+0(FP), DX
	INW
	MOVW	AX, ret+8(FP)
	RET

// func inl(port uint16) uint32
TEXT runtime·inl(SB),NOSPLIT,$0-12
	MOVW	port+0(FP), DX
	INL
	MOVL	AX, ret+8(FP)
	RET

// func rdtsc() uint64
//
// Plain RDTSC, not RDTSCP: nested Xen under QEMU TCG mishandles
// RDTSCP exits.
TEXT runtime·rdtsc(SB),NOSPLIT,$0-8
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET

// func haltForever()
//
// Stops the CPU for good: interrupts off, then HLT, which only an NMI
// ends; loop in case one does.
TEXT runtime·haltForever(SB),NOSPLIT|NOFRAME,$0
	CLI
again:
	HLT
	JMP	again

// func rdmsr(msr uint32) uint64
TEXT runtime·rdmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+8(FP)
	RET

// func wrmsr(msr uint32, v uint64)
TEXT runtime·wrmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	MOVQ	v+8(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	RET

// func readCR0() uintptr
TEXT runtime·readCR0(SB),NOSPLIT,$0-8
	MOVQ	CR0, AX
	MOVQ	AX, ret+0(FP)
	RET

// func writeCR0(v uintptr)
TEXT runtime·writeCR0(SB),NOSPLIT,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR0
	RET

// func readCR3() uintptr
TEXT runtime·readCR3(SB),NOSPLIT,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

// func writeCR3(v uintptr)
TEXT runtime·writeCR3(SB),NOSPLIT,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR3
	RET

// func lgdt(limit *uint16), with the base following the limit.
TEXT runtime·lgdt(SB),NOSPLIT,$0-8
	MOVQ	limit+0(FP), AX
	LGDT	(AX)
	// Reload CS with a far return, and the data segments.
	// (Encoded by hand: the assembler rejects unbalanced pushes.)
	LEAQ	reloaded<>(SB), AX
	BYTE	$0x6a; BYTE $0x08	// PUSHQ $0x08
	BYTE	$0x50	// PUSHQ AX
	BYTE	$0x48; BYTE $0xcb	// RETFQ
	RET

TEXT reloaded<>(SB),NOSPLIT|NOFRAME,$0
	MOVL	$0x10, AX
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS
	RET

// func lidt(limit *uint16), with the base following the limit.
TEXT runtime·lidt(SB),NOSPLIT,$0-8
	MOVQ	limit+0(FP), AX
	LIDT	(AX)
	RET

// func ltr(sel uint16)
TEXT runtime·ltr(SB),NOSPLIT,$0-2
	MOVW	sel+0(FP), AX
	LTR	AX
	RET

// func readCR2() uintptr
TEXT runtime·readCR2(SB),NOSPLIT,$0-8
	MOVQ	CR2, AX
	MOVQ	AX, ret+0(FP)
	RET

// func cli()
TEXT runtime·cli(SB),NOSPLIT,$0
	CLI
	RET

// func intrOff() (wasOn bool)
TEXT runtime·intrOff(SB),NOSPLIT,$0-1
	PUSHFQ
	POPQ	AX
	CLI
	SHRQ	$9, AX			// IF
	ANDQ	$1, AX
	MOVB	AX, wasOn+0(FP)
	RET

// func sti()
TEXT runtime·sti(SB),NOSPLIT,$0
	STI
	RET

// func stihlt()
//
// Waits for an interrupt with interrupts enabled. STI takes effect
// after the next instruction, so an interrupt that is already pending
// ends the HLT rather than slipping in before it. Should one slip in
// anyway, trap returns from it past the HLT, at stihlt+2.
TEXT runtime·stihlt(SB),NOSPLIT,$0
	STI
	HLT
	RET

// func xenHypercall(op, a1 uintptr, a2 unsafe.Pointer, a3 uintptr) uintptr
//
// A Xen hypercall from an HVM or PVH domain: the operation in AX, the
// arguments in DI, SI, DX, R10, R8, the result in AX (xenTrap).
TEXT runtime·xenHypercall(SB),NOSPLIT,$0-40
	MOVQ	op+0(FP), AX
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	CALL	xenTrap<>(SB)
	MOVQ	AX, ret+32(FP)
	RET

// func xenVCPUOp(cmd, vcpu uintptr, arg unsafe.Pointer) uintptr
TEXT runtime·xenVCPUOp(SB),NOSPLIT,$0-32
	MOVQ	$const_xenHypercallVCPUOp, AX
	MOVQ	cmd+0(FP), DI
	MOVQ	vcpu+8(FP), SI
	MOVQ	arg+16(FP), DX
	CALL	xenTrap<>(SB)
	MOVQ	AX, ret+24(FP)
	RET

// xenTrap makes the hypercall its caller set up, with the instruction
// the CPU's virtualization extension traps: VMMCALL on AMD, VMCALL on
// Intel (machine_xenpvh_xen_amd64.go sets xenVMMCALL).
TEXT xenTrap<>(SB),NOSPLIT|NOFRAME,$0
	CMPB	runtime·xenVMMCALL(SB), $0
	JNE	amd
	BYTE	$0x0f; BYTE $0x01; BYTE $0xc1	// VMCALL
	RET
amd:
	BYTE	$0x0f; BYTE $0x01; BYTE $0xd9	// VMMCALL
	RET
