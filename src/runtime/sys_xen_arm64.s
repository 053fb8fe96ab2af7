// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// The exception vector table (VBAR_EL1): 16 entries of 128 bytes, in
// four groups by where the exception came from. Go code runs at EL1 on
// SP_EL0, so its exceptions use the first group; the second (SP_EL1)
// gets exceptions in an exception handler or before rt0 switched
// stacks; nothing runs at EL0, so the last two groups never fire.
TEXT runtime·excVectors(SB),NOSPLIT|NOFRAME,$0
	PCALIGN	$2048
	B	excSync<>(SB)		// current EL, SP_EL0: synchronous
	PCALIGN	$128
	B	excIRQ<>(SB)		// IRQ
	PCALIGN	$128
	B	excFatal<>(SB)		// FIQ
	PCALIGN	$128
	B	excFatal<>(SB)		// SError
	PCALIGN	$128
	B	excFatal<>(SB)		// current EL, SP_EL1
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)		// lower EL
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)
	PCALIGN	$128
	B	excFatal<>(SB)

// An excFrame (trap_xen_arm64.go) on SP_EL1: x0 to x30, then SP_EL0,
// ELR_EL1, SPSR_EL1, ESR_EL1 and FAR_EL1.
#define FRAME 288

// The SIMD and floating-point registers Q0 to Q31, then FPSR and FPCR,
// go to the CPU's excCPU.fp (TPIDR_EL1 points to its excCPU). The
// handler's Go code may use the SIMD registers (memmove and memclr do),
// and the interrupted code may be in the middle of using them: an
// interrupt can come anywhere, as a signal can on Linux, whose kernel
// saves them too. With SVE the Q registers are the whole Z registers,
// since rt0 sets the vector length to 128 bits, and Go code uses no
// predicate registers. One save area per CPU is enough, as one
// exception stack is: handlers run with interrupts masked, and an
// exception in a handler is fatal.

// EXC saves the interrupted state, runs excHandler(frame, kind) on the
// exception stack as the CPU's excCPU.g, and returns to the state the
// frame then holds: the handler may change it, to inject a panic.
#define EXC(kind) \
	SUB	$FRAME, RSP; \
	STP	(R0, R1), 0(RSP); \
	STP	(R2, R3), 16(RSP); \
	STP	(R4, R5), 32(RSP); \
	STP	(R6, R7), 48(RSP); \
	STP	(R8, R9), 64(RSP); \
	STP	(R10, R11), 80(RSP); \
	STP	(R12, R13), 96(RSP); \
	STP	(R14, R15), 112(RSP); \
	STP	(R16, R17), 128(RSP); \
	STP	(R18_PLATFORM, R19), 144(RSP); \
	STP	(R20, R21), 160(RSP); \
	STP	(R22, R23), 176(RSP); \
	STP	(R24, R25), 192(RSP); \
	STP	(R26, R27), 208(RSP); \
	STP	(g, R29), 224(RSP); \
	MOVD	R30, 240(RSP); \
	MRS	SP_EL0, R0; \
	MRS	ELR_EL1, R1; \
	STP	(R0, R1), 248(RSP); \
	MRS	SPSR_EL1, R0; \
	MRS	ESR_EL1, R1; \
	STP	(R0, R1), 264(RSP); \
	MRS	FAR_EL1, R0; \
	MOVD	R0, 280(RSP); \
	MRS	TPIDR_EL1, R0; \
	ADD	$excCPU_fp, R0; \
	VST1.P	[V0.B16, V1.B16, V2.B16, V3.B16], 64(R0); \
	VST1.P	[V4.B16, V5.B16, V6.B16, V7.B16], 64(R0); \
	VST1.P	[V8.B16, V9.B16, V10.B16, V11.B16], 64(R0); \
	VST1.P	[V12.B16, V13.B16, V14.B16, V15.B16], 64(R0); \
	VST1.P	[V16.B16, V17.B16, V18.B16, V19.B16], 64(R0); \
	VST1.P	[V20.B16, V21.B16, V22.B16, V23.B16], 64(R0); \
	VST1.P	[V24.B16, V25.B16, V26.B16, V27.B16], 64(R0); \
	VST1.P	[V28.B16, V29.B16, V30.B16, V31.B16], 64(R0); \
	MOVD	FPSR, R1; \
	MOVD	FPCR, R2; \
	STP	(R1, R2), (R0); \
	MRS	TPIDR_EL1, R0; \
	CBZ	g, 3(PC); \
	MOVD	g_m(g), R1; \
	MOVD	R1, g_m(R0); \
	MOVD	R0, g; \
	MOVD	RSP, R0; \
	SUB	$32, RSP; \
	MOVD	R0, 8(RSP); \
	MOVD	$kind, R1; \
	MOVD	R1, 16(RSP); \
	MOVD	$0, R29; \
	BL	runtime·excHandler(SB); \
	ADD	$32, RSP; \
	MRS	TPIDR_EL1, R0; \
	ADD	$excCPU_fp, R0; \
	VLD1.P	64(R0), [V0.B16, V1.B16, V2.B16, V3.B16]; \
	VLD1.P	64(R0), [V4.B16, V5.B16, V6.B16, V7.B16]; \
	VLD1.P	64(R0), [V8.B16, V9.B16, V10.B16, V11.B16]; \
	VLD1.P	64(R0), [V12.B16, V13.B16, V14.B16, V15.B16]; \
	VLD1.P	64(R0), [V16.B16, V17.B16, V18.B16, V19.B16]; \
	VLD1.P	64(R0), [V20.B16, V21.B16, V22.B16, V23.B16]; \
	VLD1.P	64(R0), [V24.B16, V25.B16, V26.B16, V27.B16]; \
	VLD1.P	64(R0), [V28.B16, V29.B16, V30.B16, V31.B16]; \
	LDP	(R0), (R1, R2); \
	MOVD	R1, FPSR; \
	MOVD	R2, FPCR; \
	LDP	248(RSP), (R0, R1); \
	MSR	R0, SP_EL0; \
	MSR	R1, ELR_EL1; \
	MOVD	264(RSP), R0; \
	MSR	R0, SPSR_EL1; \
	LDP	0(RSP), (R0, R1); \
	LDP	16(RSP), (R2, R3); \
	LDP	32(RSP), (R4, R5); \
	LDP	48(RSP), (R6, R7); \
	LDP	64(RSP), (R8, R9); \
	LDP	80(RSP), (R10, R11); \
	LDP	96(RSP), (R12, R13); \
	LDP	112(RSP), (R14, R15); \
	LDP	128(RSP), (R16, R17); \
	LDP	144(RSP), (R18_PLATFORM, R19); \
	LDP	160(RSP), (R20, R21); \
	LDP	176(RSP), (R22, R23); \
	LDP	192(RSP), (R24, R25); \
	LDP	208(RSP), (R26, R27); \
	LDP	224(RSP), (g, R29); \
	MOVD	240(RSP), R30; \
	ADD	$FRAME, RSP; \
	ERET

TEXT excSync<>(SB),NOSPLIT|NOFRAME,$0
	EXC(0)

TEXT excIRQ<>(SB),NOSPLIT|NOFRAME,$0
	EXC(1)

TEXT excFatal<>(SB),NOSPLIT|NOFRAME,$0
	EXC(2)

// func semihostExit(block *[2]uint64)
// SYS_EXIT_EXTENDED (0x20) of Arm's semihosting, which QEMU serves
// with -semihosting-config enable=on,target=native: QEMU exits with
// block[1] as its status. Without semihosting HLT is an undefined
// instruction, which excHandler turns into a PSCI power-off.
TEXT runtime·semihostExit(SB),NOSPLIT|NOFRAME,$0-8
	MOVD	block+0(FP), R1
	MOVD	$0x20, R0
	HLT	$0xf000
	RET

// func psciCall(fn uint64, a1, a2, a3 uint64) uint64
// A PSCI call by HVC (the device tree's /psci method under QEMU's virt
// machine without EL2, and under Xen). The barrier first: a CPU that
// CPU_ON starts reads what this one wrote before the call.
TEXT runtime·psciCall(SB),NOSPLIT|NOFRAME,$0-40
	MOVD	fn+0(FP), R0
	MOVD	a1+8(FP), R1
	MOVD	a2+16(FP), R2
	MOVD	a3+24(FP), R3
	DSB	$0xf
	HVC	$0
	MOVD	R0, ret+32(FP)
	RET

// func xenHypercall(op, a1 uintptr, a2 unsafe.Pointer, a3 uintptr) uintptr
// A hypercall of Xen on Arm: HVC with Xen's tag as the immediate, the
// operation in R16 and the arguments in R0 to R2; Xen returns its
// result in R0 and may clobber R16 and the argument registers, which
// Go code does not keep anything in across a call.
TEXT runtime·xenHypercall(SB),NOSPLIT|NOFRAME,$0-40
	MOVD	op+0(FP), R16
	MOVD	a1+8(FP), R0
	MOVD	a2+16(FP), R1
	MOVD	a3+24(FP), R2
	HVC	$const_xenHypercallTag
	MOVD	R0, ret+32(FP)
	RET

// func mpidr() uint64
TEXT runtime·mpidr(SB),NOSPLIT|NOFRAME,$0-8
	MRS	MPIDR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ttbr0() uintptr
TEXT runtime·ttbr0(SB),NOSPLIT|NOFRAME,$0-8
	MRS	TTBR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func gicV3SendSGI(v uint64)
// Writes ICC_SGI1R_EL1: an SGI of group 1 to the CPUs v names.
TEXT runtime·gicV3SendSGI(SB),NOSPLIT|NOFRAME,$0-8
	MOVD	v+0(FP), R0
	DSB	$0xe			// ISHST: what the CPU wrote before, first
	MSR	R0, ICC_SGI1R_EL1
	ISB	$15
	RET

// func wfi()
TEXT runtime·wfi(SB),NOSPLIT|NOFRAME,$0
	DSB	$0xf
	WFI
	RET

// func cntvSetCVAL(v uint64)
TEXT runtime·cntvSetCVAL(SB),NOSPLIT|NOFRAME,$0-8
	MOVD	v+0(FP), R0
	MSR	R0, CNTV_CVAL_EL0
	ISB	$15
	RET

// func cntvSetCTL(v uint64)
TEXT runtime·cntvSetCTL(SB),NOSPLIT|NOFRAME,$0-8
	MOVD	v+0(FP), R0
	MSR	R0, CNTV_CTL_EL0
	ISB	$15
	RET

// func gicV3CPUInit()
// The GICv3 CPU interface, by system registers: enable them
// (ICC_SRE_EL1.SRE), let every priority through but the lowest
// (ICC_PMR_EL1), and enable group 1 (ICC_IGRPEN1_EL1).
TEXT runtime·gicV3CPUInit(SB),NOSPLIT|NOFRAME,$0
	MRS	ICC_SRE_EL1, R0
	ORR	$1, R0
	MSR	R0, ICC_SRE_EL1
	ISB	$15
	MOVD	$0xf0, R0
	MSR	R0, ICC_PMR_EL1
	MOVD	$1, R0
	MSR	R0, ICC_IGRPEN1_EL1
	ISB	$15
	RET

// func gicV3Ack() uint64
TEXT runtime·gicV3Ack(SB),NOSPLIT|NOFRAME,$0-8
	MRS	ICC_IAR1_EL1, R0
	DSB	$0xf
	MOVD	R0, ret+0(FP)
	RET

// func gicV3EOI(id uint64)
TEXT runtime·gicV3EOI(SB),NOSPLIT|NOFRAME,$0-8
	MOVD	id+0(FP), R0
	MSR	R0, ICC_EOIR1_EL1
	ISB	$15
	RET

// func cli()
TEXT runtime·cli(SB),NOSPLIT|NOFRAME,$0
	MSR	$2, DAIFSet
	RET

// func intrOff() (wasOn bool)
TEXT runtime·intrOff(SB),NOSPLIT|NOFRAME,$0-1
	MRS	DAIF, R0
	MSR	$2, DAIFSet
	LSR	$7, R0			// I: IRQs masked
	AND	$1, R0
	EOR	$1, R0
	MOVB	R0, wasOn+0(FP)
	RET

// func sti()
TEXT runtime·sti(SB),NOSPLIT|NOFRAME,$0
	MSR	$2, DAIFClr
	RET

// func stihlt()
// WFI returns when an interrupt is pending, masked or not; unmasking
// then takes it, so its handler runs before stihlt returns, as after
// x86's STI; HLT. The caller masks interrupts again.
TEXT runtime·stihlt(SB),NOSPLIT|NOFRAME,$0
	DSB	$0xf
	WFI
	MSR	$2, DAIFClr
	ISB	$15
	RET

// func ttbr0Switch(l1 uintptr)
TEXT runtime·ttbr0Switch(SB),NOSPLIT|NOFRAME,$0-8
	MOVD	l1+0(FP), R0
	DSB	$0xf			// SY: the tables are written
	MSR	R0, TTBR0_EL1
	ISB	$15
	TLBI	VMALLE1
	DSB	$0xf
	ISB	$15
	RET

// func tlbFlush()
TEXT runtime·tlbFlush(SB),NOSPLIT|NOFRAME,$0
	TLBI	VMALLE1
	DSB	$0x7			// NSH: this CPU's TLB only
	ISB	$15
	RET
