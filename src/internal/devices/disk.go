// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package devices

import (
	"sync"

	"mirago.dev/drivers/block"
)

// The disk: the machine's block device, which package syscall offers
// as /dev/vda (or /dev/xvda). Reads and writes may start and end
// anywhere; partial sectors are read, patched and written back. The
// device is anything that implements block.Device: virtio-blk or Xen's
// blkfront (disk_xen.go), Solo5's BLOCK_BASIC (disk_solo5.go).

// ErrNoDisk means the machine has no block device.
const ErrNoDisk = Error("no block device")

// A Disk is the block device.
type Disk struct {
	mu     sync.Mutex
	dev    block.Device
	name   string
	sector []byte // one sector, for partial sectors
}

func newDisk(dev block.Device, name string) *Disk {
	return &Disk{dev: dev, name: name, sector: make([]byte, dev.SectorSize())}
}

var disk = sync.OnceValues(setupDisk)

// OpenDisk sets the disk up on first use and returns it.
func OpenDisk() (*Disk, error) { return disk() }

// Size returns the disk's size in bytes.
func (k *Disk) Size() int64 { return int64(k.dev.Capacity()) * int64(k.dev.SectorSize()) }

// ReadOnly reports whether the disk refuses writes.
func (k *Disk) ReadOnly() bool { return k.dev.ReadOnly() }

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
	ss := len(k.sector)
	n := 0
	for n < len(p) {
		at := off + int64(n)
		sec, in := uint64(at/int64(ss)), int(at%int64(ss))
		rest := p[n:]
		if in == 0 && len(rest) >= ss {
			whole := rest[:len(rest)/ss*ss]
			if err := k.dev.ReadSectors(sec, whole); err != nil {
				return n, k.err(err)
			}
			n += len(whole)
			continue
		}
		if err := k.dev.ReadSectors(sec, k.sector); err != nil {
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
	ss := len(k.sector)
	n := 0
	for n < len(p) {
		at := off + int64(n)
		sec, in := uint64(at/int64(ss)), int(at%int64(ss))
		rest := p[n:]
		if in == 0 && len(rest) >= ss {
			whole := rest[:len(rest)/ss*ss]
			if err := k.dev.WriteSectors(sec, whole); err != nil {
				return n, k.err(err)
			}
			n += len(whole)
			continue
		}
		if err := k.dev.ReadSectors(sec, k.sector); err != nil {
			return n, k.err(err)
		}
		m := copy(k.sector[in:], rest)
		if err := k.dev.WriteSectors(sec, k.sector); err != nil {
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
	if err := k.dev.Flush(); err != nil {
		return k.err(err)
	}
	return nil
}
