#include "textflag.h"

// func divide(a, b uint64) uint64
// arm64's UDIV does not trap: a division by zero gives 0, as on Linux.
TEXT ·divide(SB),NOSPLIT,$0-24
	MOVD	a+0(FP), R0
	MOVD	b+8(FP), R1
	UDIV	R1, R0, R0
	MOVD	R0, ret+16(FP)
	RET

// func ud2()
// An undefined instruction (UDF #0), as x86's UD2.
TEXT ·ud2(SB),NOSPLIT,$0-0
	WORD	$0x00000000
	RET

// func call(pc uintptr)
TEXT ·call(SB),NOSPLIT,$0-8
	MOVD	pc+0(FP), R0
	CALL	(R0)
	RET

// func xcr0() uint64
// An x86 register: 0 here.
TEXT ·xcr0(SB),NOSPLIT,$0-8
	MOVD	ZR, ret+0(FP)
	RET
