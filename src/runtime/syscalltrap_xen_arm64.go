// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "unsafe"

// The SVC instruction. Code written for Linux executes it itself in a
// few places, golang.org/x/sys/unix's SyscallNoError and
// RawSyscallNoError among them, with Linux's system call number in X8
// and the arguments in X0 to X5. Here there is no kernel to enter: Go
// code runs at EL1, and SVC is a synchronous exception taken at EL1.
// Its handler (excHandler) injects a call of svcCall at the instruction
// after the SVC, as a signal handler injects asyncPreempt: the LR is
// pushed on the goroutine's stack, and the unwinder knows svcCall as
// an injected call, so that the stack unwinds through a leaf function
// that makes the SVC. svcCall serves the call on the goroutine's stack
// (syscalltrap_xen.go) and returns to the caller with the result in X0
// and every other register as it was, as Linux does; SIMD registers
// are not preserved, as Go code holds none across a call.

// An svcFrame holds X0 to X26 as svcCall saves them; X0 becomes the
// result.
type svcFrame struct {
	r [27]uint64
}

// svcCall's frame, in the assembly, has room for 216 bytes.
var _ [unsafe.Sizeof(svcFrame{}) - 216]byte
var _ [216 - unsafe.Sizeof(svcFrame{})]byte

// svcServe serves the call in f.
//
//go:nosplit
func svcServe(f *svcFrame) {
	r := &f.r
	f.r[0] = uint64(serveTrappedSyscall(uintptr(r[8]), uintptr(r[0]), uintptr(r[1]), uintptr(r[2]), uintptr(r[3]), uintptr(r[4]), uintptr(r[5])))
}

// svcCall is in syscalltrap_xen_arm64.s.
func svcCall()
