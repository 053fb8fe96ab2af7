// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import _ "unsafe" // for go:linkname

// System calls that code written for Linux makes with the machine's own
// instruction (SYSCALL on amd64, SVC on arm64) trap to the runtime,
// which serves them with package syscall's table of Linux calls, the
// one that also serves syscall.Syscall (syscall/linux_unikernel.go).
// The instruction becomes a call on the goroutine's own stack:
// syscalltrap_xen_amd64.go and syscalltrap_xen_arm64.go say how.

// syscallServer serves a trapped call; package syscall provides it.
var syscallServer func(trap, a1, a2, a3, a4, a5, a6 uintptr) uintptr

//go:linkname syscall_serveSyscalls syscall.serveSyscalls
func syscall_serveSyscalls(fn func(trap, a1, a2, a3, a4, a5, a6 uintptr) uintptr) {
	syscallServer = fn
}

// serveTrappedSyscall serves system call trap with its arguments and
// returns its result, a negative error number on failure, as Linux
// does. A goroutine that entered the system call state first (as
// golang.org/x/sys/unix's SyscallNoError does) leaves it while the
// call is served, which may block, and enters it again afterwards, at
// the frame it entered from; that frame's stack may have moved
// meanwhile, by as much as the stack's top has.
//
// It is nosplit, as is the path into package syscall's table: address
// arguments are still numbers until the table makes them pointers, and
// the stack must not move before then.
//
//go:nosplit
func serveTrappedSyscall(trap, a1, a2, a3, a4, a5, a6 uintptr) uintptr {
	gp := getg()
	sp, pc, bp := gp.syscallsp, gp.syscallpc, gp.syscallbp
	inSyscall := sp != 0
	var spOff, bpOff uintptr
	if inSyscall {
		spOff, bpOff = gp.stack.hi-sp, gp.stack.hi-bp
		exitsyscall()
	}
	r := ^uintptr(_ENOSYS - 1) // -ENOSYS
	if syscallServer != nil {
		r = syscallServer(trap, a1, a2, a3, a4, a5, a6)
	}
	if inSyscall {
		if bp != 0 {
			bp = gp.stack.hi - bpOff
		}
		reentersyscall(pc, gp.stack.hi-spOff, bp)
	}
	return r
}
