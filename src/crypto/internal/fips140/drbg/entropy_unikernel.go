// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package drbg

import (
	entropy "crypto/internal/entropy/v1.0.0"
	"sync"
)

// On a unikernel there is no demand paging: every byte of .bss is
// memory the image takes from the machine at boot. So the 32 MiB
// scratch buffer that the FIPS 140-3 entropy source works in (a global
// array elsewhere, see entropy_fips140.go) is allocated on first use:
// programs that never enable FIPS 140-3 mode never pay for it.
var (
	memoryOnce sync.Once
	memory     *entropy.ScratchBuffer
)

func getEntropy() *[SeedSize]byte {
	memoryOnce.Do(func() { memory = new(entropy.ScratchBuffer) })
	var retries int
	seed, err := entropy.Seed(memory)
	for err != nil {
		// The CPU jitter-based SP 800-90B entropy source can fail its
		// startup health tests; each failure is permanent for that
		// instance, so start anew, a bounded number of times.
		if retries++; retries > 100 {
			panic("fips140/drbg: failed to obtain initial entropy")
		}
		seed, err = entropy.Seed(memory)
	}
	return &seed
}
