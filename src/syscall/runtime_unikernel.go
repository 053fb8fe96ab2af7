// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import "errors"

// The devices that package syscall needs and that only the runtime
// drives: the console, the clock and the CPU's random number generator.
// The runtime pushes these functions here with //go:linkname;
// asm_unikernel.s lets them be declared without a body.

// consoleWrite writes p to the console on behalf of descriptor fd (1 or
// 2) and returns the number of bytes written.
//
//go:noescape
func consoleWrite(fd int, p []byte) int

// consoleRead reads standard input from the console, waiting until
// some arrives; it returns 0 on a platform without console input.
func consoleRead(p []byte) int

// runtimeRandom fills p from the CPU's hardware random number generator
// and reports whether it could; false means there is none.
//
//go:noescape
func runtimeRandom(p []byte) bool

// now returns the wall clock time and the monotonic time in nanoseconds.
func now() (sec int64, nsec int32, mono int64)

// yieldPoint yields the CPU if the calling goroutine has run for a
// time slice and nothing has preempted it.
func yieldPoint()

// RandomGet fills b with random bytes from the CPU's random number
// generator, or else from the machine's entropy device (randomDevice,
// per GOOS). There is no weak fallback: without either, RandomGet
// fails, and crypto/rand with it.
func RandomGet(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if !runtimeRandom(b) {
		return randomDevice(b)
	}
	return nil
}

var errNoRandom = errors.New("no hardware random number generator (RDSEED, RDRAND or RNDR) and no entropy device (virtio-rng)")
