// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

#include "go_asm.h"
#include "textflag.h"

// Thread switches (thread_unikernel.go). A switch is a function call
// that returns in another thread: Go code keeps nothing in registers
// across a call but the stack and frame pointers, the link register
// and g (R28).

// func threadSwitch(from, to *threadContext, tls unsafe.Pointer, dead *uint32)
TEXT runtime·threadSwitch(SB),NOSPLIT|NOFRAME,$0-32
	MOVD	from+0(FP), R0
	MOVD	RSP, R1
	MOVD	R1, threadContext_sp(R0)
	MOVD	R29, threadContext_fp(R0)
	MOVD	R30, threadContext_pc(R0)
	MOVD	g, threadContext_g(R0)
	MOVD	to+8(FP), R0
	MOVD	dead+24(FP), R2
	MOVD	threadContext_sp(R0), R1
	MOVD	R1, RSP
	MOVD	threadContext_fp(R0), R29
	MOVD	threadContext_pc(R0), R30
	MOVD	threadContext_g(R0), g
	CBZ	R2, 2(PC)
	STLRW	ZR, (R2)		// the old stack is free now, once what came before is seen
	RET	(R30)

// threadStart begins a new M's thread, on its g0 stack, with g set
// and threads.lock held (threadRun switched to it).
TEXT runtime·threadStart(SB),NOSPLIT|TOPFRAME|NOFRAME,$0
	BL	runtime·threadStarted(SB)
	B	runtime·mstart(SB)

// threadIdleStart begins the idle thread.
TEXT runtime·threadIdleStart(SB),NOSPLIT|TOPFRAME|NOFRAME,$0
	BL	runtime·threadIdle(SB)
	UNDEF				// threadIdle does not return
