// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// The Linux system calls a GOOS=solo5 image makes under solo5-spt, and
// the hypercall it makes under solo5-hvt (hvtHypercall). spt's seccomp
// filter allows only these calls, with these first arguments, and
// kills the process for any other:
//
//	write(1, ...)               the console
//	exit_group(status)
//	clock_gettime(CLOCK_MONOTONIC or CLOCK_REALTIME, ...)
//	timerfd_settime(timerfd, ...), epoll_pwait(epollfd, ...)
//	                            waiting, with the fds from the boot info
//	read(fd, ...), write(fd, ...)
//	                            on a network device's fd, from the manifest
//	pread64(fd, ...), pwrite64(fd, ...)
//	                            on a block device's fd, one block at a time
//
// A system call is SVC #0 with its number in R8 and its arguments in
// R0-R5; the result, or a negated errno, comes back in R0. The numbers
// are arm64 Linux's (the generic table).

#define SYS_epoll_pwait		22
#define SYS_read		63
#define SYS_write		64
#define SYS_pread64		67
#define SYS_pwrite64		68
#define SYS_timerfd_settime	86
#define SYS_exit_group		94
#define SYS_clock_gettime	113

// hvtHypercallBase is where hypercall n's MMIO slot is, 8 bytes apart
// (HVT_HYPERCALL_MMIO_BASE): the tender maps the range as device
// memory, which takes only aligned accesses.
#define hvtHypercallBase	0x100000000

// func hvtHypercall(n uintptr, arg unsafe.Pointer)
//
// Hypercall n under solo5-hvt: a 32-bit store of the arguments' guest
// address to hypercall n's MMIO slot. The store exits to the tender,
// which handles the call before the virtual CPU runs on.
TEXT runtime·hvtHypercall(SB),NOSPLIT|NOFRAME,$0-16
	MOVD	n+0(FP), R0
	MOVD	arg+8(FP), R1
	MOVD	$hvtHypercallBase, R2
	ADD	R0<<3, R2, R2
	MOVW	R1, (R2)
	RET

// func sptWrite(p unsafe.Pointer, n int32) int32
//
// write(1, p, n). Standard error goes there too: the tender allows no
// other descriptor.
TEXT runtime·sptWrite(SB),NOSPLIT|NOFRAME,$0-20
	MOVD	$1, R0
	MOVD	p+0(FP), R1
	MOVW	n+8(FP), R2
	MOVD	$SYS_write, R8
	SVC
	MOVW	R0, ret+16(FP)
	RET

// func sptExit(code int32)
TEXT runtime·sptExit(SB),NOSPLIT|NOFRAME,$0-4
	MOVW	code+0(FP), R0
	MOVD	$SYS_exit_group, R8
	SVC
	RET

// func sptClockGettime(clock int32, ts *sptTimespec) int32
TEXT runtime·sptClockGettime(SB),NOSPLIT|NOFRAME,$0-20
	MOVW	clock+0(FP), R0
	MOVD	ts+8(FP), R1
	MOVD	$SYS_clock_gettime, R8
	SVC
	MOVW	R0, ret+16(FP)
	RET

// func sptTimerfdSettime(fd, flags int32, new *sptItimerspec) int32
TEXT runtime·sptTimerfdSettime(SB),NOSPLIT|NOFRAME,$0-20
	MOVW	fd+0(FP), R0
	MOVW	flags+4(FP), R1
	MOVD	new+8(FP), R2
	MOVD	$0, R3	// the old setting is not wanted
	MOVD	$SYS_timerfd_settime, R8
	SVC
	MOVW	R0, ret+16(FP)
	RET

// func sptEpollPwait(epfd int32, ev unsafe.Pointer, n, timeout int32) int32
TEXT runtime·sptEpollPwait(SB),NOSPLIT|NOFRAME,$0-28
	MOVW	epfd+0(FP), R0
	MOVD	ev+8(FP), R1
	MOVW	n+16(FP), R2
	MOVW	timeout+20(FP), R3
	MOVD	$0, R4	// no signal mask
	MOVD	$0, R5
	MOVD	$SYS_epoll_pwait, R8
	SVC
	MOVW	R0, ret+24(FP)
	RET

// func sptReadFD(fd int32, p unsafe.Pointer, n int) int
//
// read(fd, p, n) on a device's descriptor: a length or a negated errno.
TEXT runtime·sptReadFD(SB),NOSPLIT|NOFRAME,$0-32
	MOVW	fd+0(FP), R0
	MOVD	p+8(FP), R1
	MOVD	n+16(FP), R2
	MOVD	$SYS_read, R8
	SVC
	MOVD	R0, ret+24(FP)
	RET

// func sptWriteFD(fd int32, p unsafe.Pointer, n int) int
//
// write(fd, p, n) on a device's descriptor: a length or a negated errno.
TEXT runtime·sptWriteFD(SB),NOSPLIT|NOFRAME,$0-32
	MOVW	fd+0(FP), R0
	MOVD	p+8(FP), R1
	MOVD	n+16(FP), R2
	MOVD	$SYS_write, R8
	SVC
	MOVD	R0, ret+24(FP)
	RET

// func sptPread(fd int32, p unsafe.Pointer, n int, off int64) int
//
// pread64(fd, p, n, off) on a block device's descriptor: a length or a
// negated errno.
TEXT runtime·sptPread(SB),NOSPLIT|NOFRAME,$0-40
	MOVW	fd+0(FP), R0
	MOVD	p+8(FP), R1
	MOVD	n+16(FP), R2
	MOVD	off+24(FP), R3
	MOVD	$SYS_pread64, R8
	SVC
	MOVD	R0, ret+32(FP)
	RET

// func sptPwrite(fd int32, p unsafe.Pointer, n int, off int64) int
//
// pwrite64(fd, p, n, off) on a block device's descriptor: a length or
// a negated errno.
TEXT runtime·sptPwrite(SB),NOSPLIT|NOFRAME,$0-40
	MOVW	fd+0(FP), R0
	MOVD	p+8(FP), R1
	MOVD	n+16(FP), R2
	MOVD	off+24(FP), R3
	MOVD	$SYS_pwrite64, R8
	SVC
	MOVD	R0, ret+32(FP)
	RET

// hostedExit is where the entry goes when the image is run as a Linux
// program instead of under a tender (rt0_solo5_arm64.s): it writes
// hostedMessage to standard error and exits with status 126.
TEXT runtime·hostedExit(SB),NOSPLIT|NOFRAME,$0
	MOVD	$2, R0	// standard error
	MOVD	$runtime·hostedMessage(SB), R3
	MOVD	0(R3), R1
	MOVD	8(R3), R2
	MOVD	$SYS_write, R8
	SVC
	MOVD	$126, R0
	MOVD	$SYS_exit_group, R8
	SVC
	UNDEF	// not reached

// sigpanicNilCheck is where the compiler's explicit nil checks go on
// GOOS=solo5 (cmd/compile/internal/arm64, OpARM64LoweredNilCheck): a
// nil dereference cannot fault into a handler here, so the code tests
// the pointer and calls this. The unwinder takes a sigpanic frame on
// arm64 for a call that a signal handler injected (preparePanic,
// signal_arm64.go), which leaves 16 bytes below the faulting frame,
// holding LR, and LR the pc in it; so does this, and it jumps to
// sigpanic, which finds no signal recorded and panics as a nil
// dereference does.
TEXT runtime·sigpanicNilCheck<ABIInternal>(SB),NOSPLIT|NOFRAME,$0-0
	MOVD.W	R30, -16(RSP)
	B	runtime·sigpanic<ABIInternal>(SB)
