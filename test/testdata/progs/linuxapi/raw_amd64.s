// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "textflag.h"

TEXT ·rawSyscall(SB),NOSPLIT,$0-40
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	$0, R10
	MOVQ	$0, R8
	MOVQ	$0, R9
	MOVQ	trap+0(FP), AX
	SYSCALL
	MOVQ	AX, ret+32(FP)
	RET

TEXT ·blockingSyscall(SB),NOSPLIT,$0-40
	CALL	runtime·entersyscall(SB)
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	$0, R10
	MOVQ	$0, R8
	MOVQ	$0, R9
	MOVQ	trap+0(FP), AX
	SYSCALL
	MOVQ	AX, ret+32(FP)
	CALL	runtime·exitsyscall(SB)
	RET

// Linux preserves every register but AX, CX and R11 across SYSCALL;
// BP and R14 are left out, as the frame pointer and g.
TEXT ·clobberSyscall(SB),NOSPLIT,$8-17
	MOVQ	BX, 0(SP)
	MOVQ	trap+0(FP), AX
	MOVQ	$0x1111, BX
	MOVQ	$0x2222, DX
	MOVQ	$0x3333, SI
	MOVQ	$0x4444, DI
	MOVQ	$0x8888, R8
	MOVQ	$0x9999, R9
	MOVQ	$0xaaaa, R10
	MOVQ	$0xcccc, R12
	MOVQ	$0xdddd, R13
	MOVQ	$0xffff, R15
	SYSCALL
	MOVQ	AX, ret+8(FP)
	MOVB	$0, kept+16(FP)
	CMPQ	BX, $0x1111
	JNE	out
	CMPQ	DX, $0x2222
	JNE	out
	CMPQ	SI, $0x3333
	JNE	out
	CMPQ	DI, $0x4444
	JNE	out
	CMPQ	R8, $0x8888
	JNE	out
	CMPQ	R9, $0x9999
	JNE	out
	CMPQ	R10, $0xaaaa
	JNE	out
	CMPQ	R12, $0xcccc
	JNE	out
	CMPQ	R13, $0xdddd
	JNE	out
	CMPQ	R15, $0xffff
	JNE	out
	MOVB	$1, kept+16(FP)
out:
	MOVQ	0(SP), BX
	RET
