// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "textflag.h"

// Device register accesses, one load or store each, of exactly the width
// asked for (see MMIO in devices_xen.go). This file also lets the
// package declare the functions the runtime provides without a body.
//
// The drivers publish ring entries with atomic stores (STLR) and read
// what the device wrote after atomic loads (LDAR) of normal memory,
// but neither orders a later store or an earlier load of device
// memory: a notification could reach the device before the entries it
// announces, or a descriptor be read before the interrupt status that
// says it is done. So a write is preceded by a barrier for earlier
// stores, and a read is followed by one for later loads, as Linux's
// writel and readl do (DMB OSHST, DMB OSHLD: the device is an observer
// in the outer shareable domain).

// func read8(addr uintptr) uint8
TEXT ·read8(SB),NOSPLIT,$0-9
	MOVD	addr+0(FP), R0
	MOVBU	(R0), R0
	DMB	$0x1	// OSHLD
	MOVB	R0, ret+8(FP)
	RET

// func read16(addr uintptr) uint16
TEXT ·read16(SB),NOSPLIT,$0-10
	MOVD	addr+0(FP), R0
	MOVHU	(R0), R0
	DMB	$0x1	// OSHLD
	MOVH	R0, ret+8(FP)
	RET

// func read32(addr uintptr) uint32
TEXT ·read32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	(R0), R0
	DMB	$0x1	// OSHLD
	MOVW	R0, ret+8(FP)
	RET

// func write8(addr uintptr, v uint8)
TEXT ·write8(SB),NOSPLIT,$0-9
	MOVD	addr+0(FP), R0
	MOVBU	v+8(FP), R1
	DMB	$0x2	// OSHST
	MOVB	R1, (R0)
	RET

// func write16(addr uintptr, v uint16)
TEXT ·write16(SB),NOSPLIT,$0-10
	MOVD	addr+0(FP), R0
	MOVHU	v+8(FP), R1
	DMB	$0x2	// OSHST
	MOVH	R1, (R0)
	RET

// func write32(addr uintptr, v uint32)
TEXT ·write32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	v+8(FP), R1
	DMB	$0x2	// OSHST
	MOVW	R1, (R0)
	RET
