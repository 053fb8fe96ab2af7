// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "funcdata.h"
#include "textflag.h"

// svcCall is injected at the instruction after an SVC, with the LR
// pushed (syscalltrap_xen_arm64.go): on entry LR is where to return,
// 0(RSP) the caller's own LR, and every other register is as the SVC
// left it. Its frame is laid out as asyncPreempt's: 0(RSP) the return
// address, 8(RSP) svcServe's argument, then an svcFrame (X0 to X26)
// and NZCV; the frame pointer goes below RSP. It returns through R27,
// the assembler's temporary, which Go assembly keeps nothing in.
TEXT runtime·svcCall(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	R30, -240(RSP)
	SUB	$240, RSP
	MOVD	R29, -8(RSP)
	SUB	$8, RSP, R29
	NO_LOCAL_POINTERS
	STP	(R0, R1), 16(RSP)
	STP	(R2, R3), 32(RSP)
	STP	(R4, R5), 48(RSP)
	STP	(R6, R7), 64(RSP)
	STP	(R8, R9), 80(RSP)
	STP	(R10, R11), 96(RSP)
	STP	(R12, R13), 112(RSP)
	STP	(R14, R15), 128(RSP)
	STP	(R16, R17), 144(RSP)
	STP	(R18_PLATFORM, R19), 160(RSP)
	STP	(R20, R21), 176(RSP)
	STP	(R22, R23), 192(RSP)
	STP	(R24, R25), 208(RSP)
	MOVD	R26, 224(RSP)
	MOVD	NZCV, R0
	MOVD	R0, 232(RSP)
	ADD	$16, RSP, R0
	MOVD	R0, 8(RSP)
	CALL	runtime·svcServe(SB)
	MOVD	232(RSP), R0
	MOVD	R0, NZCV
	MOVD	224(RSP), R26
	LDP	208(RSP), (R24, R25)
	LDP	192(RSP), (R22, R23)
	LDP	176(RSP), (R20, R21)
	LDP	160(RSP), (R18_PLATFORM, R19)
	LDP	144(RSP), (R16, R17)
	LDP	128(RSP), (R14, R15)
	LDP	112(RSP), (R12, R13)
	LDP	96(RSP), (R10, R11)
	LDP	80(RSP), (R8, R9)
	LDP	64(RSP), (R6, R7)
	LDP	48(RSP), (R4, R5)
	LDP	32(RSP), (R2, R3)
	LDP	16(RSP), (R0, R1)
	MOVD	240(RSP), R30
	MOVD	-8(RSP), R29
	MOVD	(RSP), R27
	ADD	$256, RSP
	RET	(R27)
