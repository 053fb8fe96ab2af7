// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"mirago.dev/drivers/dma"
	"mirago.dev/sys/virtiospec"
)

// RNGOptions tune an RNG; the zero value is a good default.
type RNGOptions struct {
	// Idle is called while waiting for the device, as in BlkOptions.
	Idle func() bool
}

// rngChunk is the most entropy asked for in one request.
const rngChunk = 256

// maxEmpty bounds consecutive requests the device answers with no
// bytes, so a device that never gives any cannot hang Read.
const maxEmpty = 16

// RNG is a virtio entropy device (§5.4): the driver offers writable
// buffers on its one queue and the device fills them with random bytes.
type RNG struct {
	dev  *Device
	sq   syncQueue
	buf  []byte
	phys uint64
}

// NewRNG sets up the entropy device behind t and sets DRIVER_OK.
func NewRNG(t Transport, mem dma.Memory, o *RNGOptions) (*RNG, error) {
	if o == nil {
		o = &RNGOptions{}
	}
	dev, err := Init(t, mem, virtiospec.IDEntropy, bit(virtiospec.FRingEventIdx))
	if err != nil {
		return nil, err
	}
	q, err := dev.SetupQueue(0, 0)
	if err != nil {
		dev.Fail()
		return nil, err
	}
	r := &RNG{dev: dev, sq: syncQueue{q: q, idle: o.Idle}}
	r.buf, r.phys = mem.Alloc(rngChunk, 64)
	dev.Ready()
	return r, nil
}

// Device returns the underlying device.
func (r *RNG) Device() *Device { return r.dev }

// Read fills p with bytes from the device. It returns fewer than
// len(p) only with an error.
func (r *RNG) Read(p []byte) (int, error) {
	n, empty := 0, 0
	for n < len(p) {
		want := min(len(p)-n, rngChunk)
		u, err := r.sq.run([]Seg{{Addr: r.phys, Len: uint32(want), Write: true}})
		if err == nil {
			err = u.Err
		}
		if err != nil {
			return n, err
		}
		if u.Len == 0 {
			if empty++; empty == maxEmpty {
				return n, ErrIO
			}
			continue
		}
		empty = 0
		n += copy(p[n:], r.buf[:u.Len])
	}
	return n, nil
}
