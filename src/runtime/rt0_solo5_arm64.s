// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// Entry of a GOOS=solo5 image on arm64.
//
// Under solo5-spt, the tender loads the image into its own address
// space (guest addresses are host addresses), writes the boot
// information at 0x11000 and branches here at EL0 with x0 = 0x11000
// and the stack pointer at the top of guest memory, in a Linux process
// whose FP and SIMD state is enabled as for any program.
//
// Under solo5-hvt, the tender enters a virtual machine here at EL1 with
// interrupts masked, the MMU and caches on (its own page tables,
// identity-mapping guest memory), FP and SIMD enabled, x0 = the boot
// information at 0x10000 and SP_EL1 at the top of guest memory.
//
// Neither needs anything set up for TLS: Go code keeps g in R28, and
// only cgo, which GOOS=solo5 does not have, reads TPIDR_EL0.
TEXT _rt0_arm64_solo5(SB),NOSPLIT|NOFRAME|TOPFRAME,$0
	// Linux starts a program with x0 zero, so an image run as a host
	// program (./hello.spt) says what it is and exits with 126
	// (hostedExit). The tender's seccomp filter would not allow its
	// calls, but it never enters here with x0 zero.
	CBZ	R0, hosted
	MOVD	R0, runtime·solo5BootInfo(SB)
	CMP	$const_hvtBootInfoAddr, R0
	CSET	EQ, R1
	MOVB	R1, runtime·solo5HVT(SB)
	// Enter the runtime as a process with no arguments: goenvs takes
	// os.Args and the environment from the command line in the boot
	// information. g0 runs on the tender's stack, at the top of guest
	// memory (the heap stays below it).
	MOVD	$0, R0	// argc
	MOVD	$0, R1	// argv
	B	runtime·rt0_go(SB)
hosted:
	B	runtime·hostedExit(SB)
