// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

#include "textflag.h"

// CPU instructions that both unikernel GOOSes use on amd64. None is
// privileged, so they work the same in ring 0 on a PVH guest (xen) and
// in a sandboxed process under solo5-spt. And the exit of an image run
// as a Linux program, which both entries share.

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT runtime·cpuid(SB),NOSPLIT,$0-24
	MOVL	eaxArg+0(FP), AX
	MOVL	ecxArg+4(FP), CX
	CPUID
	MOVL	AX, eax+8(FP)
	MOVL	BX, ebx+12(FP)
	MOVL	CX, ecx+16(FP)
	MOVL	DX, edx+20(FP)
	RET

// func rdseed64() (uint64, bool)
TEXT runtime·rdseed64(SB),NOSPLIT,$0-9
	BYTE	$0x48; BYTE $0x0f; BYTE $0xc7; BYTE $0xf8	// RDSEED AX
	MOVQ	AX, ret+0(FP)
	SETCS	ret1+8(FP)
	RET

// func rdrand64() (uint64, bool)
TEXT runtime·rdrand64(SB),NOSPLIT,$0-9
	BYTE	$0x48; BYTE $0x0f; BYTE $0xc7; BYTE $0xf0	// RDRAND AX
	MOVQ	AX, ret+0(FP)
	SETCS	ret1+8(FP)
	RET

// hostedExit is where the entry of a GOOS=xen or GOOS=solo5 image
// jumps when Linux runs the image as a program (./hello.xen): it says
// what the image is (hostedMessage) and exits with 126, as a shell does
// for a file it cannot execute. These are the image's only system calls
// to a host kernel outside solo5-spt's stubs.
TEXT runtime·hostedExit(SB),NOSPLIT|NOFRAME,$0
	MOVL	$1, AX	// write
	MOVL	$2, DI	// standard error
	MOVQ	runtime·hostedMessage+0(SB), SI
	MOVQ	runtime·hostedMessage+8(SB), DX
	SYSCALL
	MOVL	$231, AX	// exit_group
	MOVL	$126, DI
	SYSCALL
	INT	$3	// not reached
