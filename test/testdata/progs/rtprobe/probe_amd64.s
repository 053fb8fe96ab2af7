#include "textflag.h"

// func divide(a, b uint64) uint64
TEXT ·divide(SB),NOSPLIT,$0-24
	MOVQ	a+0(FP), AX
	MOVQ	b+8(FP), CX
	XORQ	DX, DX
	DIVQ	CX
	MOVQ	AX, ret+16(FP)
	RET

// func ud2()
TEXT ·ud2(SB),NOSPLIT,$0-0
	BYTE	$0x0f; BYTE $0x0b
	RET

// func call(pc uintptr)
TEXT ·call(SB),NOSPLIT,$0-8
	MOVQ	pc+0(FP), AX
	CALL	AX
	RET

// func xcr0() uint64
// XCR0, the vector state the kernel enabled, or 0 where XGETBV would
// fault (CR4.OSXSAVE clear).
TEXT ·xcr0(SB),NOSPLIT,$0-8
	MOVL	$1, AX
	CPUID
	MOVQ	$0, ret+0(FP)
	BTL	$27, CX	// OSXSAVE
	JCC	done
	XORL	CX, CX
	XGETBV
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
done:
	RET
