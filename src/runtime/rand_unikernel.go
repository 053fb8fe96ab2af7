// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

// fillRandom fills r from the CPU's random number instruction, which
// next makes: it returns a 64-bit value and whether it had one to give.
// The instructions may run dry for a moment, so each word is tried up
// to 100 times. It returns how many bytes it filled, fewer than
// len(r) only if the instruction stayed dry.
func fillRandom(r []byte, next func() (uint64, bool)) int {
	n := 0
	for n < len(r) {
		var v uint64
		ok := false
		for try := 0; try < 100 && !ok; try++ {
			v, ok = next()
		}
		if !ok {
			break
		}
		for i := 0; i < 8 && n < len(r); i++ {
			r[n] = byte(v)
			v >>= 8
			n++
		}
	}
	return n
}
