// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "funcdata.h"
#include "textflag.h"

// syscallEntry is where SYSCALL lands (IA32_LSTAR), on the caller's
// stack with interrupts off, the return address in CX and the caller's
// flags in R11. Pushing the return address makes the instruction a call
// of syscallTrap: the stack then unwinds through the caller as if it
// had made one.
TEXT runtime·syscallEntry(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	CX
	JMP	syscallTrap<>(SB)

// syscallTrap saves the call's registers in a syscallFrame at 8(SP), gives
// interrupts back as the caller had them, and has syscallServe serve
// the call. It returns the result in AX with the other registers as
// they were, but CX, which holds the return address on Linux, and R11,
// which holds the flags.
// The frame is the argument slot and a syscallFrame (104 bytes, which
// syscalltrap_xen_amd64.go checks).
TEXT syscallTrap<>(SB),NOSPLIT,$112-0
	NO_LOCAL_POINTERS
	MOVQ	AX, (syscallFrame_ax+8)(SP)
	MOVQ	DI, (syscallFrame_di+8)(SP)
	MOVQ	SI, (syscallFrame_si+8)(SP)
	MOVQ	DX, (syscallFrame_dx+8)(SP)
	MOVQ	R10, (syscallFrame_r10+8)(SP)
	MOVQ	R8, (syscallFrame_r8+8)(SP)
	MOVQ	R9, (syscallFrame_r9+8)(SP)
	MOVQ	BX, (syscallFrame_bx+8)(SP)
	MOVQ	R12, (syscallFrame_r12+8)(SP)
	MOVQ	R13, (syscallFrame_r13+8)(SP)
	MOVQ	R14, (syscallFrame_r14+8)(SP)
	MOVQ	R15, (syscallFrame_r15+8)(SP)
	MOVQ	R11, (syscallFrame_flags+8)(SP)
	PUSHQ	R11
	POPFQ
	LEAQ	8(SP), AX
	MOVQ	AX, 0(SP)
	CALL	runtime·syscallServe(SB)
	MOVQ	(syscallFrame_flags+8)(SP), R11
	MOVQ	(syscallFrame_r15+8)(SP), R15
	MOVQ	(syscallFrame_r14+8)(SP), R14
	MOVQ	(syscallFrame_r13+8)(SP), R13
	MOVQ	(syscallFrame_r12+8)(SP), R12
	MOVQ	(syscallFrame_bx+8)(SP), BX
	MOVQ	(syscallFrame_r9+8)(SP), R9
	MOVQ	(syscallFrame_r8+8)(SP), R8
	MOVQ	(syscallFrame_r10+8)(SP), R10
	MOVQ	(syscallFrame_dx+8)(SP), DX
	MOVQ	(syscallFrame_si+8)(SP), SI
	MOVQ	(syscallFrame_di+8)(SP), DI
	MOVQ	(syscallFrame_ax+8)(SP), AX
	PUSHQ	R11
	POPFQ
	RET
