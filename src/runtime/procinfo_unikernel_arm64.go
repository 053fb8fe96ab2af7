// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import _ "unsafe" // for go:linkname

// cputicks is the generic timer's virtual count, as on linux/arm64 it
// is the clock. Every platform of both GOOSes has it, and reports its
// frequency (CNTFRQ_EL0) as the cycle counter's.
//
//go:nosplit
func cputicks() int64 {
	return int64(cntvct())
}

// In cpu_unikernel_arm64.s.
func cntvct() uint64
func cntfrq() uint64

// syscall_cpuInfo describes the CPU for /proc/cpuinfo.
//
//go:linkname syscall_cpuInfo syscall.cpuInfo
func syscall_cpuInfo() (vendor, model string, family, modelID, stepping uint32, mhz uint64) {
	return "ARM", "", 8, 0, 0, 0
}
