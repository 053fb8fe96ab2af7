// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/abi"
	"unsafe"
)

// The SYSCALL instruction. Code written for Linux executes it itself in
// a few places, golang.org/x/sys/unix's SyscallNoError and
// RawSyscallNoError among them, with Linux's system call number in AX
// and the arguments in DI, SI, DX, R10, R8 and R9. Here there is no
// kernel to enter: the program runs in ring 0, and SYSCALL, enabled in
// EFER, lands in syscallEntry on the caller's own stack. syscallEntry
// turns the instruction into a call, so that the goroutine's stack
// unwinds through it, and syscallServe hands the call to package
// syscall's table (syscalltrap_xen.go). The result comes back in AX, a
// negative error number on failure, and the registers Linux preserves
// are preserved, except the vector registers, which Linux code does not
// hold across SYSCALL.

const (
	msrSTAR  = 0xc0000081
	msrLSTAR = 0xc0000082
	msrFMASK = 0xc0000084
	eferSCE  = 1 << 0

	rflagsTF = 1 << 8
	rflagsIF = 1 << 9
	rflagsDF = 1 << 10
	rflagsAC = 1 << 18
)

// syscallTrapInit enables SYSCALL. It loads CS from STAR[47:32] and
// SS from the descriptor after it: the boot GDT's code (0x08) and data
// (0x10) segments, the ones the program runs in. It clears the RFLAGS
// bits in FMASK: IF, so that no interrupt comes before the entry has
// made its frame, and TF, DF and AC, as Linux does.
func syscallTrapInit() {
	wrmsr(msrSTAR, 0x08<<32)
	wrmsr(msrLSTAR, uint64(abi.FuncPCABI0(syscallEntry)))
	wrmsr(msrFMASK, rflagsTF|rflagsIF|rflagsDF|rflagsAC)
	wrmsr(msrEFER, rdmsr(msrEFER)|eferSCE)
}

// syscallEntry is in syscalltrap_xen_amd64.s.
func syscallEntry()

// A syscallFrame holds a trapped call's registers: the number (and
// then the result) in ax, the arguments, and the registers that Linux
// preserves and Go code does not.
type syscallFrame struct {
	ax, di, si, dx, r10, r8, r9 uintptr
	bx, r12, r13, r14, r15      uintptr
	flags                       uintptr
}

// syscallTrap's frame, in the assembly, has room for 104 bytes.
var _ [unsafe.Sizeof(syscallFrame{}) - 104]byte
var _ [104 - unsafe.Sizeof(syscallFrame{})]byte

// syscallServe serves the call in f (syscalltrap_xen.go).
//
//go:nosplit
func syscallServe(f *syscallFrame) {
	f.ax = serveTrappedSyscall(f.ax, f.di, f.si, f.dx, f.r10, f.r8, f.r9)
}
