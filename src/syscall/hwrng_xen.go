// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package syscall

import "internal/devices"

// The entropy device on xen: a virtio-rng device, found and set up on
// first use (internal/devices). It backs /dev/hwrng, and RandomGet
// (crypto/rand, /dev/urandom) when the CPU has no random number
// generator.

func randomDevice(b []byte) error {
	n, err := devices.ReadRNG(b)
	if err == devices.ErrNoRNG {
		return errNoRandom
	}
	if err == nil && n < len(b) {
		err = EIO
	}
	return err
}

// hwrngRead reads /dev/hwrng.
func hwrngRead(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := devices.ReadRNG(p)
	if err == devices.ErrNoRNG {
		return 0, ENODEV
	}
	if err != nil && n > 0 {
		err = nil // a short read, as on Linux; the next read reports it
	}
	return n, err
}
