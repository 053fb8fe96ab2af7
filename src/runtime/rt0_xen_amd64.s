// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "asm_amd64.h"
#include "textflag.h"

// Boot of a GOOS=xen image on amd64.
//
// The image carries a Xen PVH entry note (see cmd/link) naming
// _rt0_amd64_xen. Xen, QEMU (-kernel), Firecracker and Cloud Hypervisor
// enter it in 32-bit protected mode: paging off, interrupts off, flat
// 4 GiB segments, %ebx = physical address of struct hvm_start_info, all
// other registers (the stack pointer too) undefined. The image is loaded
// at its link addresses, which are physical addresses.
//
// The code up to the far return below runs in 32-bit mode, but is
// assembled as amd64 code. It is therefore written with encodings that
// mean the same in both modes: 32-bit operations on AX..DI only (no REX
// prefix), no 64-bit immediates. Memory operands are register-based,
// because a RIP-relative operand in 64-bit mode is an absolute one in
// 32-bit mode; LEAL sym(SB) thus yields sym minus the address of the
// next instruction, which is how the code finds its data.

// bootStackSize is the size of the boot stack, which becomes g0's stack
// on m0 (rt0_go takes the top 64 KiB of it).
#define bootStackSize 131072

// Offsets in pvhBoot, the table of absolute addresses at the end.
#define pvhBoot_tables 0
#define pvhBoot_stack 8
#define pvhBoot_gdt 16
#define pvhBoot_long 24

TEXT _rt0_amd64_xen(SB),NOSPLIT|NOFRAME,$0
	// The ELF entry point is this one too, so Linux runs the image as
	// a program when it is executed on a host (./hello.xen). It enters
	// in 64-bit mode with every register but the stack pointer zero,
	// where a PVH loader has %ebx point at the start info. The test
	// and the jump mean the same in both modes.
	TESTL	BX, BX
	JNE	pvh
	// A Linux program: say what the image is and exit with 126.
	JMP	runtime·hostedExit(SB)

pvh:
	CLI
	CLD
	MOVL	BX, SI	// start info, handed to Go below

	// Find where we are. CALL needs a stack; borrow the start info's
	// 32-bit version field as one for a moment and restore it.
	MOVL	4(BX), DI
	LEAL	8(BX), SP
	BYTE	$0xe8; LONG $0	// CALL to the next instruction
	POPQ	AX	// AX = address of this 1-byte POP
	LEAL	pvhBoot<>(SB), CX	// 6 bytes: CX = pvhBoot - (AX+7)
	ADDL	AX, CX
	ADDL	$7, CX
	MOVL	CX, BP	// BP = &pvhBoot
	MOVL	DI, 4(BX)

	// pvhBoot holds the absolute addresses of everything else.
	MOVL	pvhBoot_stack(BP), SP
	MOVL	pvhBoot_tables(BP), DI
	ADDL	$4095, DI
	ANDL	$~4095, DI	// DI = PML4, then PDPT, then 4 PDs

	// Identity-map the low 4 GiB with 2 MiB pages. The runtime
	// replaces these tables once it runs Go code.
	MOVL	DI, DX
	MOVL	$(6*4096/4), CX
	XORL	AX, AX
	REP;	STOSL
	MOVL	DX, DI
	LEAL	0x1003(DI), AX	// PML4[0] -> PDPT, present+writable
	MOVL	AX, 0(DI)
	LEAL	0x2003(DI), AX	// PDPT[0..3] -> PD0..PD3
	MOVL	AX, 0x1000(DI)
	ADDL	$0x1000, AX
	MOVL	AX, 0x1008(DI)
	ADDL	$0x1000, AX
	MOVL	AX, 0x1010(DI)
	ADDL	$0x1000, AX
	MOVL	AX, 0x1018(DI)
	LEAL	0x2000(DI), DX
	MOVL	$0x83, AX	// present+writable+2 MiB page, address 0
	MOVL	$2048, CX
fill:
	MOVL	AX, 0(DX)
	ADDL	$0x200000, AX
	ADDL	$8, DX
	DECL	CX
	JNE	fill

	// Long mode: PAE, the page tables, EFER.LME, paging.
	MOVL	DI, CR3
	MOVL	CR4, AX
	ORL	$0x20, AX	// CR4.PAE
	MOVL	AX, CR4
	MOVL	$0xc0000080, CX	// IA32_EFER
	RDMSR
	ORL	$0x100, AX	// LME
	WRMSR
	MOVL	CR0, AX
	ORL	$0x80000001, AX	// PG | PE
	MOVL	AX, CR0

	// Load a GDT with a 64-bit code segment and far-return into it.
	// The 6-byte GDT pointer is built on the stack.
	MOVL	pvhBoot_gdt(BP), AX
	SUBL	$8, SP
	MOVL	AX, 2(SP)
	MOVW	$(3*8-1), 0(SP)
	LGDT	0(SP)
	ADDL	$8, SP
	MOVL	pvhBoot_long(BP), AX
	PUSHQ	$0x08	// code segment selector
	PUSHQ	AX
	BYTE	$0xcb	// RETF

// LOAD_DATA_SEGMENTS loads pvhGDT's data segment into DS, ES and SS,
// and the null selector into FS and GS, whose bases the runtime sets
// through MSRs. It clobbers AX.
#define LOAD_DATA_SEGMENTS \
	MOVL	$0x10, AX; \
	MOVW	AX, DS; \
	MOVW	AX, ES; \
	MOVW	AX, SS; \
	XORL	AX, AX; \
	MOVW	AX, FS; \
	MOVW	AX, GS

// pvhLong continues in 64-bit mode with SI = start info.
TEXT pvhLong<>(SB),NOSPLIT|NOFRAME,$0
	LOAD_DATA_SEGMENTS
	// Upper halves of registers are undefined after the mode switch.
	MOVL	SI, SI
	MOVQ	SI, runtime·pvhStartInfo(SB)
	LEAQ	runtime·xenBootStack+bootStackSize(SB), SP

	CALL	enableFPU<>(SB)

	// Enter the runtime as a process with no arguments; goenvs takes
	// os.Args and the environment from the start info's command line.
	XORL	DI, DI	// argc
	XORL	SI, SI	// argv
	JMP	runtime·rt0_go(SB)

// apEntry is where another CPU enters the runtime, in long mode with
// interrupts off, from a PC's trampoline or as Xen starts a vCPU
// (smp_xen_amd64.go): it takes the runtime's page tables, the boot
// CPU's CR0, and the stack and TLS of its idle thread from apBoot, and
// continues in apMain.
TEXT runtime·apEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	runtime·apBoot+0(SB), AX	// cr3
	MOVQ	AX, CR3
	MOVQ	runtime·apBoot+24(SB), AX	// cr0
	MOVQ	AX, CR0
	MOVQ	runtime·apBoot+8(SB), SP	// sp
	// Xen starts a vCPU with flat segments, but with null selectors
	// and no GDT, which the first interrupt's IRET would fault on:
	// load pvhGDT and every selector, CS by a far return. (apMain
	// then loads the runtime's GDT, with the same selectors.)
	SUBQ	$16, SP
	MOVW	$(3*8-1), 0(SP)
	MOVQ	$pvhGDT<>(SB), AX
	MOVQ	AX, 2(SP)
	LGDT	0(SP)
	ADDQ	$16, SP
	MOVQ	$apSegments<>(SB), AX
	PUSHQ	$0x08	// code segment selector
	PUSHQ	AX
	BYTE	$0x48; BYTE $0xcb	// RETFQ

TEXT apSegments<>(SB),NOSPLIT|NOFRAME,$0
	LOAD_DATA_SEGMENTS
	CALL	enableFPU<>(SB)
	MOVQ	runtime·apBoot+16(SB), DI	// tls
	CALL	runtime·settls(SB)
	CALL	runtime·apMain(SB)
	INT	$3	// apMain does not return

// enableFPU turns on SSE, which the compiler and the runtime assume,
// and AVX where the CPU has it, except under QEMU's TCG: there AVX is
// emulated more slowly than SSE, and its state makes every interrupt
// save and restore the vector registers with XSAVE rather than FXSAVE
// (trapCommon); an HTTP server served 5% more requests at 16
// connections with it off (docs/benchmarks.md). TCG's "max" CPU names
// itself in its brand string, "QEMU TCG CPU version ..."; other CPU
// models under TCG are not recognized and get AVX. A program built for
// GOAMD64=v3 or later uses AVX unconditionally and always gets it.
// useXSAVE records the choice for the trap path.
TEXT enableFPU<>(SB),NOSPLIT|NOFRAME,$0
	MOVQ	CR0, AX
	ANDQ	$~0x4, AX	// clear EM
	ORQ	$0x22, AX	// set MP, NE
	MOVQ	AX, CR0
	MOVQ	CR4, AX
	ORQ	$0x600, AX	// OSFXSR | OSXMMEXCPT
	MOVQ	AX, CR4
	MOVL	$1, AX
	CPUID
	BTL	$26, CX	// XSAVE
	JCC	done
	MOVL	CX, R8
	MOVQ	CR4, AX
	ORQ	$0x40000, AX	// OSXSAVE
	MOVQ	AX, CR4
	MOVL	$3, R9	// x87 | SSE
	BTL	$28, R8	// AVX
	JCC	xcr0
#ifndef hasAVX
	MOVL	$0x80000000, AX
	CPUID
	CMPL	AX, $0x80000002
	JCS	avx	// no brand string
	MOVL	$0x80000002, AX
	CPUID
	CMPL	AX, $0x554d4551	// "QEMU"
	JNE	avx
	CMPL	BX, $0x47435420	// " TCG"
	JEQ	xcr0
avx:
#endif
	ORL	$4, R9	// | AVX
	MOVB	$1, runtime·useXSAVE(SB)
xcr0:
	MOVL	R9, AX
	XORL	CX, CX
	XORL	DX, DX
	XSETBV
done:
	RET

// Absolute addresses for the 32-bit code (see above).
DATA pvhBoot<>+pvhBoot_tables(SB)/8, $pvhTables<>(SB)
DATA pvhBoot<>+pvhBoot_stack(SB)/8, $runtime·xenBootStack+bootStackSize(SB)
DATA pvhBoot<>+pvhBoot_gdt(SB)/8, $pvhGDT<>(SB)
DATA pvhBoot<>+pvhBoot_long(SB)/8, $pvhLong<>(SB)
GLOBL pvhBoot<>(SB), RODATA|NOPTR, $32

// Null descriptor, 64-bit code segment (0x08), data segment (0x10).
DATA pvhGDT<>+0(SB)/8, $0
DATA pvhGDT<>+8(SB)/8, $0x00af9a000000ffff
DATA pvhGDT<>+16(SB)/8, $0x00cf92000000ffff
GLOBL pvhGDT<>(SB), RODATA|NOPTR, $24

// Page tables for boot: 6 pages, plus one for alignment.
GLOBL pvhTables<>(SB), NOPTR, $(7*4096)

GLOBL runtime·xenBootStack(SB), NOPTR, $bootStackSize
