// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import (
	"internal/runtime/atomic"
	_ "unsafe" // for go:linkname
)

// What package syscall reports of the machine and the program in
// /proc and getrusage (its proc_unikernel.go).

// cpuHz is the frequency of the cycle counter, which osinit learns
// from the platform (0 if it does not know it).
var cpuHz uint64

// syscall_cpuTime returns the nanoseconds since boot that CPU c ran
// and that it was halted in idleWait (cpus[c].idleTime, which each
// GOOS's idleWait keeps). A CPU counts from boot: the others start
// within milliseconds of it.
//
//go:linkname syscall_cpuTime syscall.cpuTime
func syscall_cpuTime(c int) (busy, idle int64) {
	now := nanotime()
	idle = atomic.Loadint64(&cpus[c].idleTime)
	return max(now-idle, 0), idle
}

// syscall_runtimeArgs returns the program's arguments, for
// /proc/self/cmdline.
//
//go:linkname syscall_runtimeArgs syscall.runtimeArgs
func syscall_runtimeArgs() []string {
	return append([]string{}, argslice...)
}
