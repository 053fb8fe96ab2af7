// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// The boot stack, from which rt0_go carves g0's 64 KiB. Exceptions
// arrive on excStack (SP_EL1; Go code runs on SP_EL0), trap_xen_arm64.go.
#define BOOT_STACK 0x12000
GLOBL runtime·bootStack(SB), NOPTR, $BOOT_STACK

// _rt0_arm64_xen is the image's entry point: the arm64 Image header
// that the linker writes over the image's first bytes branches here
// (cmd/link/internal/ld/arm64image.go). The loader, QEMU's -kernel or
// Xen's domain builder, enters at EL1 with the MMU and caches off,
// interrupts masked and x0 holding the device tree's address.
TEXT _rt0_arm64_xen(SB),NOSPLIT|NOFRAME|TOPFRAME,$0
	MOVD	R0, R19			// the device tree, kept in a callee-saved register
	MRS	CurrentEL, R1
	LSR	$2, R1
	CMP	$1, R1
	BNE	notEL1
	BL	fpEnable<>(SB)

	// Exceptions take SP_EL1 (a stack of their own); Go code runs on
	// SP_EL0, so that a fault never lands on the goroutine's stack.
	MOVD	$runtime·excStack+const_excStackSize(SB), R1
	MOVD	R1, RSP
	MSR	$0, SPSel
	MOVD	$runtime·bootStack+BOOT_STACK(SB), R1
	MOVD	R1, RSP
	MOVD	$runtime·excVectors(SB), R1
	MSR	R1, VBAR_EL1
	MOVD	$runtime·excCPUs(SB), R1	// the boot CPU's excCPU
	MSR	R1, TPIDR_EL1

	// The loaders load the image's file, not its BSS (Xen does not
	// even reserve it), so clear it, stacks included: nothing is on
	// them yet.
	MOVD	$runtime·bss(SB), R1
	MOVD	$runtime·end(SB), R2
clearBSS:
	CMP	R2, R1
	BHS	cleared
	MOVD.P	ZR, 8(R1)
	B	clearBSS
cleared:
	MOVD	R19, runtime·bootDTB(SB)
	BL	runtime·mmuEnable(SB)

	MOVD	$0, R0			// argc
	MOVD	$0, R1			// argv
	B	runtime·rt0_go(SB)

notEL1:
	// At EL2 (QEMU's virt machine with virtualization=on) the EL1
	// registers set up here would not apply. There is no console yet
	// to say so: stop.
	WFI
	B	notEL1

// fpEnable turns on FP and SIMD, which Go code uses everywhere
// (CPACR_EL1.FPEN), and SVE where the CPU has it (ID_AA64PFR0_EL1.SVE,
// bits 35:32), as Linux gives it to programs: code that finds it in the
// ID registers (golang.org/x/sys/cpu does, with no auxiliary vector)
// uses it, and would trap otherwise. CPACR_EL1.ZEN, and ZCR_EL1.LEN 0:
// vectors of 128 bits, which every SVE CPU has, so that the Z registers
// are the Q registers that exception entry saves (sys_xen_arm64.s). SVE
// code must work with any vector length, this one included. It uses R1
// and R2, and no stack.
TEXT fpEnable<>(SB),NOSPLIT|NOFRAME,$0
	MOVD	$(3<<20), R1
	MSR	R1, CPACR_EL1
	ISB	$15
	MRS	ID_AA64PFR0_EL1, R2
	UBFX	$32, R2, $4, R2
	CBZ	R2, nosve
	ORR	$(3<<16), R1
	MSR	R1, CPACR_EL1
	ISB	$15
	MSR	ZR, ZCR_EL1
	ISB	$15
nosve:
	RET

// Block descriptors of the boot page tables (VMSAv8-64, 4 KiB granule):
// a valid block (bits 1:0 = 01) with the access flag (bit 10) set, the
// MAIR index in bits 4:2, and for device memory execute-never at EL1
// and EL0 (bits 53, 54).
#define DESC_NORMAL (1 | 1<<2 | 3<<8 | 1<<10)
#define DESC_DEVICE (1 | 0<<2 | 1<<10 | 1<<53 | 1<<54)
#define DESC_TABLE 3
// MAIR_EL1: index 0 Device-nGnRnE, index 1 Normal write-back.
#define MAIR_VALUE 0xff00
// TCR_EL1: 39-bit addresses from TTBR0 (T0SZ 25, so walks start at
// level 1), write-back inner shareable walks, 4 KiB granule, no TTBR1
// walks (EPD1), 40-bit physical addresses (IPS).
#define TCR_VALUE (25 | 1<<8 | 1<<10 | 3<<12 | 1<<23 | 2<<32)
// SCTLR_EL1: MMU, data and instruction caches on; alignment and stack
// alignment checks, and write-implies-execute-never, off.
#define SCTLR_SET (1 | 1<<2 | 1<<12)
#define SCTLR_CLEAR (1<<1 | 1<<3 | 1<<4 | 1<<19)

// mmuEnable turns the MMU on with an identity map built after the
// image's end: the first GiB as device memory in 2 MiB blocks, but for
// the first block, left unmapped so that nil pointers fault; GiBs 1 to
// 15, where RAM is on QEMU's virt machine and in a Xen domain, as
// normal memory. Until the MMU is on every access is to device memory,
// which does not allow the unaligned accesses Go code makes.
TEXT runtime·mmuEnable(SB),NOSPLIT|NOFRAME,$0
	MOVD	$runtime·end(SB), R0
	ADD	$4095, R0
	AND	$~4095, R0		// level 1 table
	MOVD	R0, runtime·bootPageTables(SB)
	ADD	$4096, R0, R1		// level 2 table for the first GiB
	MOVD	R0, R2
	MOVD	$1024, R3
zero:
	STP.P	(ZR, ZR), 16(R2)
	SUB	$2, R3
	CBNZ	R3, zero

	ORR	$DESC_TABLE, R1, R2
	MOVD	R2, (R0)
	MOVD	$1, R3
	MOVD	$DESC_NORMAL, R4
gib:
	LSL	$30, R3, R2
	ORR	R4, R2
	MOVD	R2, (R0)(R3<<3)
	ADD	$1, R3
	CMP	$16, R3
	BNE	gib
	MOVD	$1, R3
	MOVD	$DESC_DEVICE, R4
block:
	LSL	$21, R3, R2
	ORR	R4, R2
	MOVD	R2, (R1)(R3<<3)
	ADD	$1, R3
	CMP	$512, R3
	BNE	block
	B	mmuOn<>(SB)

// mmuOn turns the MMU on, with the level 1 table at R0. It uses R2 and
// R3, and no stack.
TEXT mmuOn<>(SB),NOSPLIT|NOFRAME,$0
	MOVD	$MAIR_VALUE, R2
	MSR	R2, MAIR_EL1
	MOVD	$TCR_VALUE, R2
	MSR	R2, TCR_EL1
	MSR	R0, TTBR0_EL1
	DSB	$0xf			// SY: the tables are written
	TLBI	VMALLE1
	DSB	$0xf
	ISB	$15
	MRS	SCTLR_EL1, R2
	MOVD	$SCTLR_SET, R3
	ORR	R3, R2
	MOVD	$SCTLR_CLEAR, R3
	BIC	R3, R2
	MSR	R2, SCTLR_EL1
	ISB	$15
	RET

// apEntry is where another CPU enters the runtime, as PSCI's CPU_ON
// starts it (smp_xen_arm64.go): at EL1 with the MMU and caches off,
// interrupts masked, and x0 holding the runtime's translation table
// base. It turns the MMU on as the boot CPU has it, and only then reads
// apBoot, which the boot CPU wrote through its caches; takes its
// exception stack and state, and its idle thread's stack and g, from
// it; and continues in apMain.
TEXT runtime·apEntry(SB),NOSPLIT|NOFRAME|TOPFRAME,$0
	BL	fpEnable<>(SB)
	BL	mmuOn<>(SB)		// the table base is in R0

	MOVD	$runtime·apBoot(SB), R20
	MOVD	apBootInfo_exc(R20), R1
	MSR	R1, TPIDR_EL1
	MSR	$1, SPSel
	MOVD	apBootInfo_excSP(R20), R1
	MOVD	R1, RSP
	MSR	$0, SPSel
	MOVD	apBootInfo_sp(R20), R1
	MOVD	R1, RSP
	MOVD	$runtime·excVectors(SB), R1
	MSR	R1, VBAR_EL1
	ISB	$15
	MOVD	apBootInfo_g(R20), g
	MOVD	$0, R29
	BL	runtime·apMain(SB)
	UNDEF				// apMain does not return
