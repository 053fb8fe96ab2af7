// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// Interrupt and exception entry for xen/amd64.
//
// Every vector the IDT uses has a stub that pushes a zero error code
// where the CPU pushes none, then the vector number, and jumps to
// trapCommon. trapCommon saves the general registers (as a trapFrame,
// see trap_xen_amd64.go) and the vector state, calls trap in Go, and
// returns to the interrupted code with what the frame then holds, so
// Go can redirect it (to sigpanic, or to asyncPreempt).
//
// The CPU switches to the stack of the vector's IST slot on entry: the
// signal stack of m0 for traps, an emergency stack for double faults.

// trapXsaveSize is room for the XSAVE area of the state the runtime
// enables (x87, SSE, AVX: 832 bytes) or the FXSAVE area, aligned.
#define trapXsaveSize 4096

// Stubs for vectors with and without a CPU-pushed error code.
#define TRAP(name, n) TEXT name(SB),NOSPLIT|NOFRAME,$0; PUSHQ $0; PUSHQ $n; JMP trapCommon<>(SB)
#define TRAPERR(name, n) TEXT name(SB),NOSPLIT|NOFRAME,$0; PUSHQ $n; JMP trapCommon<>(SB)

// trapCommon: the stack holds the vector, the error code and the CPU's
// interrupt frame (RIP, CS, RFLAGS, RSP, SS).
TEXT trapCommon<>(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	R15
	PUSHQ	R14
	PUSHQ	R13
	PUSHQ	R12
	PUSHQ	R11
	PUSHQ	R10
	PUSHQ	R9
	PUSHQ	R8
	PUSHQ	BP
	PUSHQ	DI
	PUSHQ	SI
	PUSHQ	DX
	PUSHQ	CX
	PUSHQ	BX
	PUSHQ	AX
	MOVQ	SP, BX	// BX = *trapFrame

	// Save the vector registers below the frame: Go code clobbers
	// them, and X15 is the zero register of the interrupted code.
	LEAQ	-trapXsaveSize(SP), DI
	ANDQ	$~63, DI
	// Xen on AMD gives a vCPU its FPU lazily: it sets CR0.TS, and
	// loads the vCPU's registers at the #NM of its first vector
	// instruction. QEMU's TCG, which runs the nested Xen of the tests,
	// raises that #NM for FXSAVE and FXRSTOR but not for XSAVE and
	// XRSTOR, which then save, and later restore, another vCPU's
	// registers: a 2-vCPU domain saw X15 non-zero at a safe point,
	// corrupt sudogs, and triple faults. So XSAVE is used only where
	// it must be (useXSAVE: AVX on, which the tests' Xen hides), and
	// an SSE instruction before it takes the #NM first. Should Xen
	// switch vCPUs between the two, that still fails; FXSAVE cannot.
	MOVAPS	X0, X0
	CMPB	runtime·useXSAVE(SB), $0
	JEQ	fxsave
	// XSAVE writes only the bits of the header's first word
	// (XSTATE_BV) for the state it saves, and XRSTOR faults unless
	// the other bits and the rest of the header are zero: the stack
	// may hold anything there (an M's signal stack is a reused one).
	XORL	AX, AX
	MOVQ	AX, 512(DI)
	MOVQ	AX, 520(DI)
	MOVQ	AX, 528(DI)
	MOVQ	AX, 536(DI)
	MOVQ	AX, 544(DI)
	MOVQ	AX, 552(DI)
	MOVQ	AX, 560(DI)
	MOVQ	AX, 568(DI)
	MOVL	$-1, AX
	MOVL	$-1, DX
	XSAVE64	(DI)
	JMP	saved
fxsave:
	FXSAVE64	(DI)
saved:
	LEAQ	-16(DI), SP
	MOVQ	BX, 8(SP)	// keep the frame across the call
	MOVQ	BX, 0(SP)	// argument
	CALL	runtime·trap(SB)
	MOVQ	8(SP), BX
	LEAQ	16(SP), DI
	MOVAPS	X0, X0	// as above: the vCPU may have been rescheduled
	CMPB	runtime·useXSAVE(SB), $0
	JEQ	fxrstor
	MOVL	$-1, AX
	MOVL	$-1, DX
	XRSTOR64	(DI)
	JMP	restored
fxrstor:
	FXRSTOR64	(DI)
restored:
	MOVQ	BX, SP
	POPQ	AX
	POPQ	BX
	POPQ	CX
	POPQ	DX
	POPQ	SI
	POPQ	DI
	POPQ	BP
	POPQ	R8
	POPQ	R9
	POPQ	R10
	POPQ	R11
	POPQ	R12
	POPQ	R13
	POPQ	R14
	POPQ	R15
	ADDQ	$16, SP	// vector, error code
	IRETQ

// func trapStub(i int) uintptr
TEXT runtime·trapStub(SB),NOSPLIT,$0-16
	MOVQ	i+0(FP), AX
	LEAQ	trapStubs<>(SB), BX
	MOVQ	(BX)(AX*8), AX
	MOVQ	AX, ret+8(FP)
	RET

TRAP(trap0<>, 0)
TRAP(trap1<>, 1)
TRAP(trap2<>, 2)
TRAP(trap3<>, 3)
TRAP(trap4<>, 4)
TRAP(trap5<>, 5)
TRAP(trap6<>, 6)
TRAP(trap7<>, 7)
TRAPERR(trap8<>, 8)
TRAP(trap9<>, 9)
TRAPERR(trap10<>, 10)
TRAPERR(trap11<>, 11)
TRAPERR(trap12<>, 12)
TRAPERR(trap13<>, 13)
TRAPERR(trap14<>, 14)
TRAP(trap15<>, 15)
TRAP(trap16<>, 16)
TRAPERR(trap17<>, 17)
TRAP(trap18<>, 18)
TRAP(trap19<>, 19)
TRAP(trap20<>, 20)
TRAPERR(trap21<>, 21)
TRAP(trap22<>, 22)
TRAP(trap23<>, 23)
TRAP(trap24<>, 24)
TRAP(trap25<>, 25)
TRAP(trap26<>, 26)
TRAP(trap27<>, 27)
TRAP(trap28<>, 28)
TRAPERR(trap29<>, 29)
TRAPERR(trap30<>, 30)
TRAP(trap31<>, 31)
TRAP(trap32<>, 32)
TRAP(trap33<>, 33)
TRAP(trap34<>, 34)
TRAP(trap35<>, 35)
TRAP(trap36<>, 36)
TRAP(trap37<>, 37)
TRAP(trap38<>, 38)
TRAP(trap39<>, 39)
TRAP(trap40<>, 40)
TRAP(trap41<>, 41)
TRAP(trap42<>, 42)
TRAP(trap43<>, 43)
TRAP(trap44<>, 44)
TRAP(trap45<>, 45)
TRAP(trap46<>, 46)
TRAP(trap47<>, 47)
TRAP(trap48<>, 48)
TRAP(trap255<>, 255)

// trapStubs is the address of the stub of each vector in trapVectors.
DATA trapStubs<>+0(SB)/8, $trap0<>(SB)
DATA trapStubs<>+8(SB)/8, $trap1<>(SB)
DATA trapStubs<>+16(SB)/8, $trap2<>(SB)
DATA trapStubs<>+24(SB)/8, $trap3<>(SB)
DATA trapStubs<>+32(SB)/8, $trap4<>(SB)
DATA trapStubs<>+40(SB)/8, $trap5<>(SB)
DATA trapStubs<>+48(SB)/8, $trap6<>(SB)
DATA trapStubs<>+56(SB)/8, $trap7<>(SB)
DATA trapStubs<>+64(SB)/8, $trap8<>(SB)
DATA trapStubs<>+72(SB)/8, $trap9<>(SB)
DATA trapStubs<>+80(SB)/8, $trap10<>(SB)
DATA trapStubs<>+88(SB)/8, $trap11<>(SB)
DATA trapStubs<>+96(SB)/8, $trap12<>(SB)
DATA trapStubs<>+104(SB)/8, $trap13<>(SB)
DATA trapStubs<>+112(SB)/8, $trap14<>(SB)
DATA trapStubs<>+120(SB)/8, $trap15<>(SB)
DATA trapStubs<>+128(SB)/8, $trap16<>(SB)
DATA trapStubs<>+136(SB)/8, $trap17<>(SB)
DATA trapStubs<>+144(SB)/8, $trap18<>(SB)
DATA trapStubs<>+152(SB)/8, $trap19<>(SB)
DATA trapStubs<>+160(SB)/8, $trap20<>(SB)
DATA trapStubs<>+168(SB)/8, $trap21<>(SB)
DATA trapStubs<>+176(SB)/8, $trap22<>(SB)
DATA trapStubs<>+184(SB)/8, $trap23<>(SB)
DATA trapStubs<>+192(SB)/8, $trap24<>(SB)
DATA trapStubs<>+200(SB)/8, $trap25<>(SB)
DATA trapStubs<>+208(SB)/8, $trap26<>(SB)
DATA trapStubs<>+216(SB)/8, $trap27<>(SB)
DATA trapStubs<>+224(SB)/8, $trap28<>(SB)
DATA trapStubs<>+232(SB)/8, $trap29<>(SB)
DATA trapStubs<>+240(SB)/8, $trap30<>(SB)
DATA trapStubs<>+248(SB)/8, $trap31<>(SB)
DATA trapStubs<>+256(SB)/8, $trap32<>(SB)
DATA trapStubs<>+264(SB)/8, $trap33<>(SB)
DATA trapStubs<>+272(SB)/8, $trap34<>(SB)
DATA trapStubs<>+280(SB)/8, $trap35<>(SB)
DATA trapStubs<>+288(SB)/8, $trap36<>(SB)
DATA trapStubs<>+296(SB)/8, $trap37<>(SB)
DATA trapStubs<>+304(SB)/8, $trap38<>(SB)
DATA trapStubs<>+312(SB)/8, $trap39<>(SB)
DATA trapStubs<>+320(SB)/8, $trap40<>(SB)
DATA trapStubs<>+328(SB)/8, $trap41<>(SB)
DATA trapStubs<>+336(SB)/8, $trap42<>(SB)
DATA trapStubs<>+344(SB)/8, $trap43<>(SB)
DATA trapStubs<>+352(SB)/8, $trap44<>(SB)
DATA trapStubs<>+360(SB)/8, $trap45<>(SB)
DATA trapStubs<>+368(SB)/8, $trap46<>(SB)
DATA trapStubs<>+376(SB)/8, $trap47<>(SB)
DATA trapStubs<>+384(SB)/8, $trap48<>(SB)
DATA trapStubs<>+392(SB)/8, $trap255<>(SB)
GLOBL trapStubs<>(SB), RODATA|NOPTR, $400
