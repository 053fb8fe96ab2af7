// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package solo5blk drives a Solo5 BLOCK_BASIC device under the spt
// tender. The tender opens the host file for reading and writing and
// hands the guest its descriptor, with the file's size and the block
// size in the manifest. The guest reads and writes it with pread64 and
// pwrite64, which the tender's seccomp filter allows on that
// descriptor only for exactly one block at a block-aligned offset
// inside the file: so the driver makes one call per block.
package solo5blk

// A Port is the host descriptor of the device. ReadAt and WriteAt are
// the pread64(2) and pwrite64(2) system calls on it and return what
// they do: a length, or a negated errno.
type Port interface {
	ReadAt(p []byte, off int64) int
	WriteAt(p []byte, off int64) int
}

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

// errnoINTR is Linux's EINTR: a call to make again.
const errnoINTR = 4

// A Blk is a BLOCK_BASIC device. It implements block.Device.
type Blk struct {
	port     Port
	capacity uint64 // bytes
	size     uint32 // bytes per block
}

// New returns the device behind port, with the capacity (in bytes) and
// block size that the tender wrote into the manifest.
func New(port Port, capacity uint64, blockSize uint16) (*Blk, error) {
	bs := uint64(blockSize)
	if bs < 512 || bs&(bs-1) != 0 {
		return nil, Error("solo5blk: bad block size in the manifest")
	}
	if capacity < bs || capacity%bs != 0 || capacity > 1<<62 {
		return nil, Error("solo5blk: bad capacity in the manifest")
	}
	return &Blk{port: port, capacity: capacity, size: uint32(bs)}, nil
}

// Capacity returns the device's size in blocks.
func (b *Blk) Capacity() uint64 { return b.capacity / uint64(b.size) }

// SectorSize returns the block size: Solo5's blocks are the sectors.
func (b *Blk) SectorSize() uint32 { return b.size }

// ReadOnly reports false: the tender opens the file for writing.
func (b *Blk) ReadOnly() bool { return false }

// ReadSectors fills p, a whole number of blocks, from block sector on.
func (b *Blk) ReadSectors(sector uint64, p []byte) error {
	return b.each(sector, p, "pread64", b.port.ReadAt)
}

// WriteSectors writes p, a whole number of blocks, from block sector on.
func (b *Blk) WriteSectors(sector uint64, p []byte) error {
	return b.each(sector, p, "pwrite64", b.port.WriteAt)
}

// Flush returns at once. Solo5 has no flush: a write is a pwrite64 to
// the host file, which the host kernel keeps after the tender exits,
// and the filter allows no fsync.
func (b *Blk) Flush() error { return nil }

func (b *Blk) each(sector uint64, p []byte, op string, call func([]byte, int64) int) error {
	bs := uint64(b.size)
	if uint64(len(p))%bs != 0 {
		return Error("solo5blk: " + op + ": not a whole number of blocks")
	}
	n := uint64(len(p)) / bs
	if sector >= b.Capacity() || n > b.Capacity()-sector {
		return Error("solo5blk: " + op + ": past the end of the device")
	}
	for i := uint64(0); i < n; i++ {
		blk := p[i*bs : (i+1)*bs]
		off := int64((sector + i) * bs)
		r := call(blk, off)
		for r == -errnoINTR {
			r = call(blk, off)
		}
		switch {
		case r < 0:
			return Error("solo5blk: " + op + ": errno " + itoa(-r))
		case r != len(blk):
			// A regular file: short only at its end, which the
			// capacity check above rules out unless the file
			// shrank under the guest.
			return Error("solo5blk: " + op + ": short transfer (" + itoa(r) + " of " + itoa(len(blk)) + " bytes)")
		}
	}
	return nil
}

// itoa formats a non-negative int, without strconv, which the
// packages below package syscall may not import.
func itoa(v int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}
