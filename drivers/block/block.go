// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package block states what the standard library needs of a block
// device: sectors read, written and flushed. virtio-blk, Xen's blkfront
// and Solo5's BLOCK_BASIC each implement Device; the file that os sees
// as /dev/vda or /dev/xvda knows only this interface.
package block

// A Device is an array of sectors. Its methods block until the device
// has finished, and may be called from one goroutine at a time.
type Device interface {
	// Capacity is the device's size in sectors.
	Capacity() uint64
	// SectorSize is the size of a sector in bytes: the unit of
	// every transfer.
	SectorSize() uint32
	// ReadOnly reports that writes will fail.
	ReadOnly() bool
	// ReadSectors fills p, a whole number of sectors, from sector on.
	ReadSectors(sector uint64, p []byte) error
	// WriteSectors writes p, a whole number of sectors, from sector on.
	WriteSectors(sector uint64, p []byte) error
	// Flush returns when every write before it is on stable storage.
	Flush() error
}
