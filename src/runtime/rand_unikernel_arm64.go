// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

// readRandom fills r from RNDR, the random number register of FEAT_RNG
// (which QEMU's -cpu max has), and returns how many bytes it filled: 0
// on a CPU without it (ID_AA64ISAR0_EL1.RNDR, bits 63:60, is 0). It is
// what crypto/rand reads through package syscall, as RDSEED is on amd64
// (rand_unikernel_amd64.go).
func readRandom(r []byte) int {
	if idAA64ISAR0()>>60&0xf == 0 {
		return 0
	}
	return fillRandom(r, rndr)
}

// In cpu_unikernel_arm64.s.
func idAA64ISAR0() uint64
func rndr() (uint64, bool)
