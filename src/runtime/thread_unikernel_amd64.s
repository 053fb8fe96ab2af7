// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

#include "go_asm.h"
#include "textflag.h"

// Thread switches (thread_unikernel.go). A switch is a function call
// that returns in another thread: Go code keeps nothing in registers
// across a call but the stack and frame pointers, and g, which is in
// TLS; the ABI wrapper reloads R14 and X15 from it on return.

// func threadSwitch(from, to *threadContext, tls unsafe.Pointer, dead *uint32)
TEXT runtime·threadSwitch(SB),NOSPLIT|NOFRAME,$0-32
	MOVQ	from+0(FP), AX
	MOVQ	0(SP), CX		// return address
	LEAQ	from+0(FP), DX		// SP once returned
	MOVQ	DX, threadContext_sp(AX)
	MOVQ	BP, threadContext_fp(AX)
	MOVQ	CX, threadContext_pc(AX)
	MOVQ	tls+16(FP), DI
	CALL	runtime·settls(SB)	// the new thread's m.tls: g
	MOVQ	to+8(FP), BX
	MOVQ	dead+24(FP), R8
	MOVQ	threadContext_sp(BX), SP
	MOVQ	threadContext_fp(BX), BP
	TESTQ	R8, R8
	JEQ	2(PC)
	MOVL	$0, (R8)		// the old stack is free now
	MOVQ	threadContext_pc(BX), CX
	JMP	CX

// threadStart begins a new M's thread, on its g0 stack, with TLS set
// and threads.lock held (threadRun switched to it).
TEXT runtime·threadStart(SB),NOSPLIT|TOPFRAME|NOFRAME,$0
	CALL	runtime·threadStarted(SB)
	JMP	runtime·mstart(SB)

// threadIdleStart begins the idle thread.
TEXT runtime·threadIdleStart(SB),NOSPLIT|TOPFRAME|NOFRAME,$0
	CALL	runtime·threadIdle(SB)
	INT	$3			// threadIdle does not return
