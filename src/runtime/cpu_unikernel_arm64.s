// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

#include "textflag.h"

// The instructions GOOS=xen and GOOS=solo5 read the CPU with on arm64.
// Each works at EL1 (xen, solo5-hvt) and at EL0 of a Linux process
// (solo5-spt): Linux lets a process read the virtual count and its
// frequency, and emulates reads of the ID registers.

// func cntvct() uint64
TEXT runtime·cntvct(SB),NOSPLIT|NOFRAME,$0-8
	ISB	$15
	MRS	CNTVCT_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func cntfrq() uint64
TEXT runtime·cntfrq(SB),NOSPLIT|NOFRAME,$0-8
	MRS	CNTFRQ_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func idAA64ISAR0() uint64
TEXT runtime·idAA64ISAR0(SB),NOSPLIT|NOFRAME,$0-8
	MRS	ID_AA64ISAR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func rndr() (uint64, bool)
// RNDR clears the flags when it returns a random number and sets Z
// when it has none to give.
TEXT runtime·rndr(SB),NOSPLIT|NOFRAME,$0-9
	MRS	RNDR, R0
	CSET	NE, R1
	MOVD	R0, ret+0(FP)
	MOVB	R1, ret1+8(FP)
	RET
