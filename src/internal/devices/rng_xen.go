// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"sync"

	"mirago.dev/drivers/dma"
	"mirago.dev/drivers/virtio"
	"mirago.dev/sys/virtiospec"
)

// The entropy device: the first virtio-rng device found, set up on
// first use.

// ErrNoRNG means the machine has no virtio-rng device.
const ErrNoRNG = Error("no virtio-rng device")

// rngTimeout bounds the wait for one request. QEMU answers at once; a
// device that does not within this time is broken, and reads fail
// rather than hang.
const rngTimeout = 5e9

// rngMaxWakeups bounds the interrupts one request may take without
// completing, against a device that interrupts but never answers.
const rngMaxWakeups = 1000

type rngDevice struct {
	mu      sync.Mutex
	rng     *virtio.RNG
	name    string
	wakeups int
}

var rng = sync.OnceValues(setupRNG)

func setupRNG() (*rngDevice, error) {
	d := FindVirtio(virtiospec.IDEntropy)
	if d == nil {
		return nil, ErrNoRNG
	}
	if d.Err != nil {
		return nil, d.Err
	}
	r := &rngDevice{name: "virtio-rng (" + d.Name + ")"}
	opts := &virtio.RNGOptions{}
	// The driver looks at the queue before each Idle and after it.
	// Without a line, it polls, for a bounded number of times.
	if intr := d.Interrupt(); intr.Routed() {
		opts.Idle = func() bool {
			r.wakeups++
			if r.wakeups > rngMaxWakeups {
				return false
			}
			return intr.Wait(rngTimeout)
		}
	}
	var err error
	r.rng, err = virtio.NewRNG(d.Transport, &dma.IdentityMemory{}, opts)
	if err != nil {
		return nil, Error(r.name + ": " + err.Error())
	}
	return r, nil
}

// ReadRNG fills p from the virtio-rng device. It returns ErrNoRNG if
// there is none, and an error naming the device if it misbehaves.
func ReadRNG(p []byte) (int, error) {
	r, err := rng()
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for n < len(p) {
		// One request at a time, so that the limits above are per
		// request.
		r.wakeups = 0
		m, err := r.rng.Read(p[n:min(len(p), n+256)])
		n += m
		if err != nil {
			return n, Error(r.name + ": " + err.Error())
		}
	}
	return n, nil
}
