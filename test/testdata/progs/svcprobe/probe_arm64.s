// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "textflag.h"

// As golang.org/x/sys/unix's RawSyscallNoError: a leaf, no frame.
TEXT ·rawSyscall(SB),NOSPLIT,$0-40
	MOVD	a1+8(FP), R0
	MOVD	a2+16(FP), R1
	MOVD	a3+24(FP), R2
	MOVD	$0, R3
	MOVD	$0, R4
	MOVD	$0, R5
	MOVD	trap+0(FP), R8
	SVC
	MOVD	R0, ret+32(FP)
	RET

// As its SyscallNoError.
TEXT ·blockingSyscall(SB),NOSPLIT,$0-40
	BL	runtime·entersyscall(SB)
	MOVD	a1+8(FP), R0
	MOVD	a2+16(FP), R1
	MOVD	a3+24(FP), R2
	MOVD	$0, R3
	MOVD	$0, R4
	MOVD	$0, R5
	MOVD	trap+0(FP), R8
	SVC
	MOVD	R0, ret+32(FP)
	BL	runtime·exitsyscall(SB)
	RET

// Linux preserves every register but X0 across SVC. R27 (the
// assembler's temporary), R28 (g) and R29 (the frame pointer) are left
// out, and R30, the link register, which this function saves.
TEXT ·clobberSyscall(SB),NOSPLIT,$16-17
	MOVD	R19, 8(RSP)
	MOVD	trap+0(FP), R8
	MOVD	$0x1111, R1
	MOVD	$0x2222, R2
	MOVD	$0x3333, R3
	MOVD	$0x4444, R4
	MOVD	$0x5555, R5
	MOVD	$0x6666, R6
	MOVD	$0x7777, R7
	MOVD	$0x9999, R9
	MOVD	$0xaaaa, R10
	MOVD	$0xbbbb, R11
	MOVD	$0xcccc, R12
	MOVD	$0xdddd, R13
	MOVD	$0xeeee, R14
	MOVD	$0xffff, R15
	MOVD	$0x1616, R16
	MOVD	$0x1717, R17
	MOVD	$0x1919, R19
	MOVD	$0x2020, R20
	MOVD	$0x2121, R21
	MOVD	$0x2222, R22
	MOVD	$0x2323, R23
	MOVD	$0x2424, R24
	MOVD	$0x2525, R25
	MOVD	$0x2626, R26
	SVC
	MOVD	R0, ret+8(FP)
	MOVB	ZR, kept+16(FP)
	CMP	$0x1111, R1
	BNE	out
	CMP	$0x2222, R2
	BNE	out
	CMP	$0x3333, R3
	BNE	out
	CMP	$0x4444, R4
	BNE	out
	CMP	$0x5555, R5
	BNE	out
	CMP	$0x6666, R6
	BNE	out
	CMP	$0x7777, R7
	BNE	out
	CMP	$0x9999, R9
	BNE	out
	CMP	$0xaaaa, R10
	BNE	out
	CMP	$0xbbbb, R11
	BNE	out
	CMP	$0xcccc, R12
	BNE	out
	CMP	$0xdddd, R13
	BNE	out
	CMP	$0xeeee, R14
	BNE	out
	CMP	$0xffff, R15
	BNE	out
	CMP	$0x1616, R16
	BNE	out
	CMP	$0x1717, R17
	BNE	out
	CMP	$0x1919, R19
	BNE	out
	CMP	$0x2020, R20
	BNE	out
	CMP	$0x2121, R21
	BNE	out
	CMP	$0x2222, R22
	BNE	out
	CMP	$0x2323, R23
	BNE	out
	CMP	$0x2424, R24
	BNE	out
	CMP	$0x2525, R25
	BNE	out
	CMP	$0x2626, R26
	BNE	out
	MOVD	$1, R0
	MOVB	R0, kept+16(FP)
out:
	MOVD	8(RSP), R19
	RET
