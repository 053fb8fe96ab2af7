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
//	arch_prctl(ARCH_SET_FS, ...)
//	read(fd, ...), write(fd, ...)
//	                            on a network device's fd, from the manifest
//	pread64(fd, ...), pwrite64(fd, ...)
//	                            on a block device's fd, one block at a time

#define SYS_read		0
#define SYS_write		1
#define SYS_pread64		17
#define SYS_pwrite64		18
#define SYS_arch_prctl		158
#define SYS_clock_gettime	228
#define SYS_exit_group		231
#define SYS_epoll_pwait		281
#define SYS_timerfd_settime	286

#define ARCH_SET_FS	0x1002

// settls sets the FS base so that -8(FS) is m.tls[0] (DI = &m.tls[0]),
// as rt0_go and the ELF TLS model of the compiler expect. Neither
// tender sets FS for the guest: under spt it is arch_prctl, under hvt
// (ring 0) the IA32_FS_BASE MSR.
TEXT runtime·settls(SB),NOSPLIT,$0
	ADDQ	$8, DI	// ELF wants to use -8(FS)
	CMPB	runtime·solo5HVT(SB), $0
	JNE	hvt
	MOVQ	DI, SI
	MOVQ	$ARCH_SET_FS, DI
	MOVQ	$SYS_arch_prctl, AX
	SYSCALL
	CMPQ	AX, $0xfffffffffffff001
	JLS	2(PC)
	MOVL	$0xf1, 0xf1	// crash
	RET
hvt:
	MOVL	$0xc0000100, CX	// IA32_FS_BASE
	MOVL	DI, AX
	SHRQ	$32, DI
	MOVL	DI, DX
	WRMSR
	RET

// func hvtHypercall(n uintptr, arg unsafe.Pointer)
//
// Hypercall n under solo5-hvt: a 32-bit OUT to port 0x500+n
// (HVT_HYPERCALL_PIO_BASE) of the arguments' guest address. The tender
// handles it before the virtual CPU runs on.
TEXT runtime·hvtHypercall(SB),NOSPLIT,$0-16
	MOVQ	n+0(FP), DX
	ADDQ	$0x500, DX
	MOVQ	arg+8(FP), AX
	OUTL
	RET

// func sptWrite(p unsafe.Pointer, n int32) int32
//
// write(1, p, n). Standard error goes there too: the tender allows no
// other descriptor.
TEXT runtime·sptWrite(SB),NOSPLIT,$0-20
	MOVL	$1, DI
	MOVQ	p+0(FP), SI
	MOVL	n+8(FP), DX
	MOVL	$SYS_write, AX
	SYSCALL
	MOVL	AX, ret+16(FP)
	RET

// func sptExit(code int32)
TEXT runtime·sptExit(SB),NOSPLIT,$0-4
	MOVL	code+0(FP), DI
	MOVL	$SYS_exit_group, AX
	SYSCALL
	RET

// func sptClockGettime(clock int32, ts *sptTimespec) int32
TEXT runtime·sptClockGettime(SB),NOSPLIT,$0-20
	MOVL	clock+0(FP), DI
	MOVQ	ts+8(FP), SI
	MOVL	$SYS_clock_gettime, AX
	SYSCALL
	MOVL	AX, ret+16(FP)
	RET

// func sptTimerfdSettime(fd, flags int32, new *sptItimerspec) int32
TEXT runtime·sptTimerfdSettime(SB),NOSPLIT,$0-20
	MOVL	fd+0(FP), DI
	MOVL	flags+4(FP), SI
	MOVQ	new+8(FP), DX
	XORL	R10, R10	// the old setting is not wanted
	MOVL	$SYS_timerfd_settime, AX
	SYSCALL
	MOVL	AX, ret+16(FP)
	RET

// func sptEpollPwait(epfd int32, ev unsafe.Pointer, n, timeout int32) int32
TEXT runtime·sptEpollPwait(SB),NOSPLIT,$0-28
	MOVL	epfd+0(FP), DI
	MOVQ	ev+8(FP), SI
	MOVL	n+16(FP), DX
	MOVL	timeout+20(FP), R10
	XORL	R8, R8	// no signal mask
	XORL	R9, R9
	MOVL	$SYS_epoll_pwait, AX
	SYSCALL
	MOVL	AX, ret+24(FP)
	RET

// func sptReadFD(fd int32, p unsafe.Pointer, n int) int
//
// read(fd, p, n) on a device's descriptor: a length or a negated errno.
TEXT runtime·sptReadFD(SB),NOSPLIT,$0-32
	MOVL	fd+0(FP), DI
	MOVQ	p+8(FP), SI
	MOVQ	n+16(FP), DX
	MOVL	$SYS_read, AX
	SYSCALL
	MOVQ	AX, ret+24(FP)
	RET

// func sptWriteFD(fd int32, p unsafe.Pointer, n int) int
//
// write(fd, p, n) on a device's descriptor: a length or a negated errno.
TEXT runtime·sptWriteFD(SB),NOSPLIT,$0-32
	MOVL	fd+0(FP), DI
	MOVQ	p+8(FP), SI
	MOVQ	n+16(FP), DX
	MOVL	$SYS_write, AX
	SYSCALL
	MOVQ	AX, ret+24(FP)
	RET

// func sptPread(fd int32, p unsafe.Pointer, n int, off int64) int
//
// pread64(fd, p, n, off) on a block device's descriptor: a length or a
// negated errno.
TEXT runtime·sptPread(SB),NOSPLIT,$0-40
	MOVL	fd+0(FP), DI
	MOVQ	p+8(FP), SI
	MOVQ	n+16(FP), DX
	MOVQ	off+24(FP), R10
	MOVL	$SYS_pread64, AX
	SYSCALL
	MOVQ	AX, ret+32(FP)
	RET

// func sptPwrite(fd int32, p unsafe.Pointer, n int, off int64) int
//
// pwrite64(fd, p, n, off) on a block device's descriptor: a length or
// a negated errno.
TEXT runtime·sptPwrite(SB),NOSPLIT,$0-40
	MOVL	fd+0(FP), DI
	MOVQ	p+8(FP), SI
	MOVQ	n+16(FP), DX
	MOVQ	off+24(FP), R10
	MOVL	$SYS_pwrite64, AX
	SYSCALL
	MOVQ	AX, ret+32(FP)
	RET
