// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

// The CPU's random number instructions, which work the same on every
// platform of both unikernel GOOSes: RDSEED and RDRAND are not
// privileged, so a solo5-spt process uses them as a PVH guest does.

// readRandom fills r from RDSEED, or RDRAND where there is no RDSEED.
// It returns how many bytes it filled: 0 without either instruction.
func readRandom(r []byte) int {
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	hasRDSEED, hasRDRAND := ebx7&(1<<18) != 0, ecx1&(1<<30) != 0
	if !hasRDSEED && !hasRDRAND {
		return 0
	}
	if hasRDSEED {
		return fillRandom(r, rdseed64)
	}
	return fillRandom(r, rdrand64)
}

// Implemented in cpu_unikernel_amd64.s.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func rdseed64() (uint64, bool)
func rdrand64() (uint64, bool)
