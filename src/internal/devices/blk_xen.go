// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"mirago.dev/drivers/dma"
	"mirago.dev/drivers/virtio"
	"mirago.dev/sys/virtiospec"
)

// The disk on a machine with virtio: the first virtio-blk device.

// diskTimeout bounds the wait for one request, as rngTimeout does.
const diskTimeout = 30e9

// hasVirtioBlk reports whether the machine has a virtio-blk device,
// without setting it up.
func hasVirtioBlk() bool {
	return FindVirtio(virtiospec.IDBlock) != nil
}

// openVirtioBlk sets up the first virtio-blk device, or returns nil if
// there is none.
func openVirtioBlk() (*Disk, error) {
	d := FindVirtio(virtiospec.IDBlock)
	if d == nil {
		return nil, nil
	}
	if d.Err != nil {
		return nil, d.Err
	}
	name := "virtio-blk (" + d.Name + ")"
	opts := &virtio.BlkOptions{}
	// The driver looks at the queue before each Idle and after it.
	// Without a line, it polls, for a bounded number of times.
	if intr := d.Interrupt(); intr.Routed() {
		opts.Idle = func() bool { return intr.Wait(diskTimeout) }
	}
	blk, err := virtio.NewBlk(d.Transport, &dma.IdentityMemory{}, opts)
	if err != nil {
		return nil, Error(name + ": " + err.Error())
	}
	return newDisk(blk, name), nil
}
