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
	var blk *virtio.Blk
	opts := &virtio.BlkOptions{}
	if line, ok := RouteGSI(d.GSI); ok {
		// As for the entropy device: wait, then acknowledge, then
		// the driver looks again.
		opts.Idle = func() bool {
			fired := line.Wait(diskTimeout)
			blk.Device().InterruptStatus()
			return fired
		}
	}
	var err error
	blk, err = virtio.NewBlk(d.Transport, &dma.IdentityMemory{}, opts)
	if err != nil {
		return nil, Error(name + ": " + err.Error())
	}
	return newDisk(blk, name), nil
}
