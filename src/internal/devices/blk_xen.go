// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"sync"

	"mirago.dev/drivers/virtio"
	sysvirtio "mirago.dev/sys/virtio"
)

// The disk: the first virtio-blk device, which package syscall offers
// as /dev/vda. Reads and writes may start and end anywhere; partial
// sectors are read, patched and written back.

// ErrNoDisk means the machine has no virtio-blk device.
const ErrNoDisk = Error("no virtio-blk device")

// diskTimeout bounds the wait for one request, as rngTimeout does.
const diskTimeout = 30e9

const sectorSize = 512

// A Disk is the block device.
type Disk struct {
	mu     sync.Mutex
	blk    *virtio.Blk
	name   string
	sector [sectorSize]byte // for partial sectors
}

var disk = sync.OnceValues(setupDisk)

// HasDisk reports whether the machine has a virtio-blk device, without
// setting it up.
func HasDisk() bool {
	return FindVirtio(sysvirtio.IDBlock) != nil
}

// OpenDisk sets the disk up on first use and returns it.
func OpenDisk() (*Disk, error) { return disk() }

func setupDisk() (*Disk, error) {
	d := FindVirtio(sysvirtio.IDBlock)
	if d == nil {
		return nil, ErrNoDisk
	}
	if d.Err != nil {
		return nil, d.Err
	}
	k := &Disk{name: "virtio-blk (" + d.Name + ")"}
	opts := &virtio.BlkOptions{}
	if line, ok := RouteGSI(d.GSI); ok {
		// As for the entropy device: wait, then acknowledge, then
		// the driver looks again.
		opts.Idle = func() bool {
			fired := line.Wait(diskTimeout)
			k.blk.Device().InterruptStatus()
			return fired
		}
	}
	var err error
	k.blk, err = virtio.NewBlk(d.Transport, &virtio.IdentityMemory{}, opts)
	if err != nil {
		return nil, Error(k.name + ": " + err.Error())
	}
	return k, nil
}

// Size returns the disk's size in bytes.
func (k *Disk) Size() int64 { return int64(k.blk.Capacity()) * sectorSize }

// ReadOnly reports whether the disk refuses writes.
func (k *Disk) ReadOnly() bool { return k.blk.ReadOnly() }

func (k *Disk) err(err error) error { return Error(k.name + ": " + err.Error()) }

// ReadAt reads from byte off; it stops at the end of the disk.
func (k *Disk) ReadAt(p []byte, off int64) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if off < 0 {
		return 0, Error("negative offset")
	}
	if size := k.Size(); off >= size {
		return 0, nil
	} else if int64(len(p)) > size-off {
		p = p[:size-off]
	}
	n := 0
	for n < len(p) {
		at := off + int64(n)
		sec, in := uint64(at/sectorSize), int(at%sectorSize)
		rest := p[n:]
		if in == 0 && len(rest) >= sectorSize {
			whole := rest[:len(rest)/sectorSize*sectorSize]
			if err := k.blk.ReadSectors(sec, whole); err != nil {
				return n, k.err(err)
			}
			n += len(whole)
			continue
		}
		if err := k.blk.ReadSectors(sec, k.sector[:]); err != nil {
			return n, k.err(err)
		}
		n += copy(rest, k.sector[in:])
	}
	return n, nil
}

// WriteAt writes from byte off. Writing past the end of the disk
// writes what fits and fails with ErrDiskFull.
func (k *Disk) WriteAt(p []byte, off int64) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if off < 0 {
		return 0, Error("negative offset")
	}
	full := false
	if size := k.Size(); off >= size {
		return 0, ErrDiskFull
	} else if int64(len(p)) > size-off {
		p, full = p[:size-off], true
	}
	n := 0
	for n < len(p) {
		at := off + int64(n)
		sec, in := uint64(at/sectorSize), int(at%sectorSize)
		rest := p[n:]
		if in == 0 && len(rest) >= sectorSize {
			whole := rest[:len(rest)/sectorSize*sectorSize]
			if err := k.blk.WriteSectors(sec, whole); err != nil {
				return n, k.err(err)
			}
			n += len(whole)
			continue
		}
		if err := k.blk.ReadSectors(sec, k.sector[:]); err != nil {
			return n, k.err(err)
		}
		m := copy(k.sector[in:], rest)
		if err := k.blk.WriteSectors(sec, k.sector[:]); err != nil {
			return n, k.err(err)
		}
		n += m
	}
	if full {
		return n, ErrDiskFull
	}
	return n, nil
}

// ErrDiskFull is WriteAt's error past the end of the disk.
const ErrDiskFull = Error("write past the end of the disk")

// Flush commits written data to stable storage.
func (k *Disk) Flush() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.blk.Flush(); err != nil {
		return k.err(err)
	}
	return nil
}
