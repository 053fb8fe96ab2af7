// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// Entry of a GOOS=solo5 image on amd64.
//
// Under solo5-spt, the tender loads the image into its own address
// space (guest addresses are host addresses), writes the boot
// information at 0x11000 and jumps here in 64-bit mode with %rdi =
// 0x11000 and the stack pointer at the top of guest memory. The CPU is
// already set up as for any Linux process (SSE and AVX state enabled);
// only the FS base, where the runtime keeps its TLS, is left to the
// guest (settls).
//
// Under solo5-hvt, the tender enters a virtual machine here in 64-bit
// ring 0, interrupts disabled, with its own GDT and identity-mapping
// page tables, %rdi = the boot information at 0x10000 and the stack
// pointer at the top of guest memory. SSE is enabled; the FS base is
// an MSR (settls).
TEXT _rt0_amd64_solo5(SB),NOSPLIT|NOFRAME,$0
	// Linux starts a program with %rdi zero, so an image run as a
	// host program (./hello.spt) says what it is and exits with 126
	// (hostedExit). The tender's seccomp filter would not allow its
	// calls, but it never enters here with %rdi zero.
	TESTQ	DI, DI
	JNE	tender
	JMP	runtime·hostedExit(SB)

tender:
	MOVQ	DI, runtime·solo5BootInfo(SB)
	CMPQ	DI, $const_hvtBootInfoAddr
	SETEQ	runtime·solo5HVT(SB)
	// Enter the runtime as a process with no arguments: goenvs
	// takes os.Args and the environment from the command line in
	// the boot information. g0 runs on the tender's stack, at the
	// top of guest memory (the heap stays below it).
	XORL	DI, DI	// argc
	XORL	SI, SI	// argv
	JMP	runtime·rt0_go(SB)
