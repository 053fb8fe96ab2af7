// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package linuxapi

// rawSyscall executes the SYSCALL instruction as golang.org/x/sys/unix's
// RawSyscallNoError does, and blockingSyscall as its SyscallNoError
// does, between runtime.entersyscall and runtime.exitsyscall. Both
// return RAX, a negative error number on failure.
func rawSyscall(trap, a1, a2, a3 uintptr) uintptr
func blockingSyscall(trap, a1, a2, a3 uintptr) uintptr

// clobberSyscall executes SYSCALL with every register it must preserve
// set to a pattern, and reports whether they all kept it.
func clobberSyscall(trap uintptr) (ret uintptr, kept bool)
