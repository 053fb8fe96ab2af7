// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package sysrand

import "syscall"

// read fills b from the CPU's hardware random number generator
// (RDSEED or RDRAND on amd64, RNDR on arm64), through package syscall.
// A machine without one has no source of randomness a unikernel could
// trust, so read fails and Read stops the program rather than fall
// back to something weaker.
func read(b []byte) error {
	return syscall.RandomGet(b)
}
