// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"mirago.dev/drivers/block"
	"mirago.dev/drivers/dma"
	"mirago.dev/sys/virtiospec"
)

// BlkOptions tune a Blk; the zero value is a good default.
type BlkOptions struct {
	// QueueSize is the request queue's size; 0 lets the device choose,
	// up to DefaultQueueSize.
	QueueSize uint16
	// MaxTransfer bounds the data of one request, in bytes; larger
	// reads and writes are split. 0 means 64 KiB. It is rounded down
	// to whole sectors and to what the device's SIZE_MAX and SEG_MAX
	// allow.
	MaxTransfer int
	// Idle is called while waiting for the device; it may wait for an
	// interrupt, and returns false to give up (ErrTimeout). If nil,
	// the driver polls for a bounded time.
	Idle func() bool
	// Refuse lists feature bits not to negotiate even if offered.
	Refuse uint64
}

// Blk is a virtio block device (§5.2), and a block.Device. It runs one
// request at a time through a bounce buffer it owns and waits for each:
// requests are header, data and status descriptors, and the status byte
// decides the error.
type Blk struct {
	dev      *Device
	sq       syncQueue
	capacity uint64 // in 512-byte sectors
	blkSize  uint32
	ro       bool
	sizeMax  uint32 // largest data segment
	maxXfer  int

	req     []byte // header (16 bytes), then the status byte
	reqPhys uint64
	data    []byte
	phys    uint64
	segs    []Seg
}

var _ block.Device = (*Blk)(nil)

// NewBlk sets up the block device behind t and sets DRIVER_OK.
func NewBlk(t Transport, mem dma.Memory, o *BlkOptions) (*Blk, error) {
	if o == nil {
		o = &BlkOptions{}
	}
	supported := bit(virtiospec.BlkFSizeMax) | bit(virtiospec.BlkFSegMax) | bit(virtiospec.BlkFRO) |
		bit(virtiospec.BlkFBlkSize) | bit(virtiospec.BlkFFlush) | bit(virtiospec.FRingEventIdx)
	dev, err := Init(t, mem, virtiospec.IDBlock, supported&^o.Refuse)
	if err != nil {
		return nil, err
	}
	b := &Blk{dev: dev, blkSize: virtiospec.BlkSectorSize, ro: dev.Has(virtiospec.BlkFRO)}
	segMax := uint32(0)
	err = dev.ReadConfig(func(c Regs) {
		b.capacity = config64(c, virtiospec.BlkCfgCapacity)
		if dev.Has(virtiospec.BlkFBlkSize) {
			b.blkSize = c.Read32(virtiospec.BlkCfgBlkSize)
		}
		if dev.Has(virtiospec.BlkFSizeMax) {
			b.sizeMax = c.Read32(virtiospec.BlkCfgSizeMax)
		}
		if dev.Has(virtiospec.BlkFSegMax) {
			segMax = c.Read32(virtiospec.BlkCfgSegMax)
		}
	})
	if err != nil {
		dev.Fail()
		return nil, err
	}
	q, err := dev.SetupQueue(0, o.QueueSize)
	if err != nil {
		dev.Fail()
		return nil, err
	}
	b.sq = syncQueue{q: q, idle: o.Idle}

	// Size the bounce buffer: MaxTransfer, cut to what fits in
	// the queue and in the device's segment limits.
	xfer := o.MaxTransfer
	if xfer <= 0 {
		xfer = 64 << 10
	}
	segs := q.Size() - 2 // header and status take two
	if segMax > 0 {
		segs = min(segs, int(segMax))
	}
	if b.sizeMax < virtiospec.BlkSectorSize {
		b.sizeMax = 0 // absent or unusable: no limit
	}
	if b.sizeMax > 0 {
		xfer = min(xfer, segs*int(b.sizeMax))
	} else if segs < 1 {
		xfer = 0
	}
	b.maxXfer = xfer &^ (virtiospec.BlkSectorSize - 1)
	if b.maxXfer == 0 {
		dev.Fail()
		return nil, ErrQueueSize
	}
	b.req, b.reqPhys = mem.Alloc(virtiospec.BlkReqHdrSize+1, 16)
	b.data, b.phys = mem.Alloc(b.maxXfer, 512)
	b.segs = make([]Seg, 0, segs+2)
	dev.Ready()
	return b, nil
}

// Device returns the underlying device.
func (b *Blk) Device() *Device { return b.dev }

// Capacity returns the device's size in 512-byte sectors.
func (b *Blk) Capacity() uint64 { return b.capacity }

// SectorSize returns 512: virtio-blk addresses and sizes every request
// in 512-byte sectors, whatever the device's BlockSize.
func (b *Blk) SectorSize() uint32 { return virtiospec.BlkSectorSize }

// BlockSize returns the device's preferred I/O unit in bytes; requests
// are still addressed in 512-byte sectors.
func (b *Blk) BlockSize() uint32 { return b.blkSize }

// ReadOnly reports whether the device refuses writes.
func (b *Blk) ReadOnly() bool { return b.ro }

// ReadSectors reads len(p) bytes, a multiple of 512, from sector on.
func (b *Blk) ReadSectors(sector uint64, p []byte) error {
	return b.rw(virtiospec.BlkTIn, sector, p)
}

// WriteSectors writes p, a multiple of 512 bytes, from sector on. The
// data may sit in the device's cache until Flush.
func (b *Blk) WriteSectors(sector uint64, p []byte) error {
	if b.ro {
		return ErrReadOnly
	}
	return b.rw(virtiospec.BlkTOut, sector, p)
}

func (b *Blk) rw(typ uint32, sector uint64, p []byte) error {
	if len(p)%virtiospec.BlkSectorSize != 0 {
		return ErrUnaligned
	}
	n := uint64(len(p) / virtiospec.BlkSectorSize)
	if sector > b.capacity || n > b.capacity-sector {
		return ErrOutOfRange
	}
	for len(p) > 0 {
		chunk := p[:min(len(p), b.maxXfer)]
		if typ == virtiospec.BlkTOut {
			copy(b.data, chunk)
		}
		if err := b.do(typ, sector, len(chunk)); err != nil {
			return err
		}
		if typ == virtiospec.BlkTIn {
			copy(chunk, b.data)
		}
		p = p[len(chunk):]
		sector += uint64(len(chunk) / virtiospec.BlkSectorSize)
	}
	return nil
}

// Flush asks the device to commit written data to stable storage. A
// device without VIRTIO_BLK_F_FLUSH has no write cache to flush.
func (b *Blk) Flush() error {
	if !b.dev.Has(virtiospec.BlkFFlush) {
		return nil
	}
	return b.do(virtiospec.BlkTFlush, 0, 0)
}

// ID returns the device's serial number (VIRTIO_BLK_T_GET_ID), or
// ErrUnsupported.
func (b *Blk) ID() (string, error) {
	clear(b.data[:virtiospec.BlkIDBytes])
	if err := b.do(virtiospec.BlkTGetID, 0, virtiospec.BlkIDBytes); err != nil {
		return "", err
	}
	id := b.data[:virtiospec.BlkIDBytes]
	for i, c := range id {
		if c == 0 {
			id = id[:i]
			break
		}
	}
	return string(id), nil
}

// do runs one request with n bytes of data in b.data.
func (b *Blk) do(typ uint32, sector uint64, n int) error {
	hdr, status := b.req[:virtiospec.BlkReqHdrSize], b.req[virtiospec.BlkReqHdrSize:]
	put32(hdr[virtiospec.BlkReqOffType:], typ)
	put32(hdr[4:], 0) // reserved
	put64(hdr[virtiospec.BlkReqOffSector:], sector)
	// A status the device never writes reads as unknown, not OK.
	status[0] = 0xff

	write := typ != virtiospec.BlkTOut // the device writes the data of reads
	segs := append(b.segs[:0], Seg{Addr: b.reqPhys, Len: virtiospec.BlkReqHdrSize})
	for off := 0; off < n; {
		l := n - off
		if b.sizeMax > 0 {
			l = min(l, int(b.sizeMax))
		}
		segs = append(segs, Seg{Addr: b.phys + uint64(off), Len: uint32(l), Write: write})
		off += l
	}
	segs = append(segs, Seg{Addr: b.reqPhys + virtiospec.BlkReqHdrSize, Len: 1, Write: true})
	u, err := b.sq.run(segs)
	if err != nil {
		return err
	}
	if u.Err != nil {
		return u.Err
	}
	switch status[0] {
	case virtiospec.BlkSOK:
		return nil
	case virtiospec.BlkSIOErr:
		return ErrIO
	case virtiospec.BlkSUnsupp:
		return ErrUnsupported
	}
	return ErrBadStatus
}
