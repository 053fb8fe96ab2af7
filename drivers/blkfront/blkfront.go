// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package blkfront is the frontend of Xen's paravirtual block device
// (xen/include/public/io/blkif.h): a disk served by blkback (or QEMU's
// qdisk) in another domain through one shared ring of requests, each
// naming up to 11 granted pages. It implements block.Device, so the
// file the standard library shows as /dev/xvda works as /dev/vda does
// over virtio-blk.
//
// One request is in flight at a time, through 11 pages granted to the
// backend for the device's life, into and out of which data is copied:
// simple, and enough for a unikernel's disk. Every request has a
// timeout. A request that times out keeps its pages (the backend may
// still write them), so the device stays busy, returning ErrTimeout,
// until the backend answers it.
//
// Timeouts are int64 nanoseconds, measured by the xenstore client's
// clock: the package does not import time, because the standard
// library vendors it below package syscall.
package blkfront

import (
	"strconv"
	"sync"

	"mirago.dev/drivers/block"
	"mirago.dev/drivers/gnttab"
	"mirago.dev/drivers/xenbus"
	"mirago.dev/drivers/xenring"
	"mirago.dev/sys/xen"
)

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	ErrIO          = Error("blkfront: I/O error reported by the backend")
	ErrUnsupported = Error("blkfront: operation not supported by the backend")
	ErrBadResponse = Error("blkfront: malformed response from the backend")
	ErrTimeout     = Error("blkfront: backend did not answer in time")
	ErrReadOnly    = Error("blkfront: device is read-only")
	ErrUnaligned   = Error("blkfront: transfer not a whole number of sectors")
	ErrOutOfRange  = Error("blkfront: transfer beyond the end of the device")
	ErrGeometry    = Error("blkfront: backend gave no usable size or sector size")
)

// Config says where the device is and what the hypervisor provides,
// and how long a request may take.
type Config struct {
	xenbus.Device
	// RequestTimeout bounds each request, in nanoseconds; 0 means 30
	// seconds, and < 0 waits for ever.
	RequestTimeout int64
}

// Stats counts requests and what went wrong.
type Stats struct {
	Reads, Writes, Flushes uint64
	Errors                 uint64 // requests the backend failed
	Timeouts               uint64
	BadID                  uint64 // responses naming another request id
	BadOp                  uint64 // responses echoing another operation
}

const segments = xen.BlkifMaxSegmentsPerRequest

// Disk is a blkfront device.
type Disk struct {
	fe      *xenbus.Frontend
	grants  *gnttab.Table
	backend uint16
	ev      xenring.EventChannel
	now     func() int64 // the xenstore client's clock
	timeout int64
	reqTime int64

	sectors    uint64 // in 512-byte units, as the backend says
	sectorSize uint32
	ro         bool
	flushOp    int // BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_WRITE_BARRIER, or -1

	mu       sync.Mutex
	ring     *xenring.Front
	ringRef  gnttab.Ref
	data     []byte // segments pages
	dataRefs []gnttab.Ref
	nextID   uint64
	pending  bool // a request timed out and is still with the backend
	pendID   uint64
	pendOp   uint8
	stats    Stats
}

var _ block.Device = (*Disk)(nil)

// New connects to the device's backend and reads its geometry.
func New(cfg Config) (*Disk, error) {
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30e9
	}
	fe, err := cfg.Open()
	if err != nil {
		return nil, err
	}
	d := &Disk{fe: fe, grants: cfg.Grants, backend: fe.BackendID(), now: cfg.Store.Now, timeout: cfg.Timeout,
		reqTime: cfg.RequestTimeout, flushOp: -1, nextID: 1}
	if err := d.setup(cfg); err != nil {
		d.teardown()
		return nil, err
	}
	return d, nil
}

func (d *Disk) setup(cfg Config) error {
	fe := d.fe
	if _, err := fe.WaitBackend(cfg.Timeout, xenbus.InitWait, xenbus.Connected); err != nil {
		return err
	}
	pages := gnttab.AllocPages(1 + segments)
	ringPage := pages[:xen.PageSize]
	d.data = pages[xen.PageSize:]
	var err error
	if d.ring, err = xenring.NewFront(ringPage, xen.BlkifEntrySize); err != nil {
		return err
	}
	if d.ringRef, err = d.grants.Grant(d.backend, cfg.Frame(ringPage), false); err != nil {
		return err
	}
	for i := 0; i < segments; i++ {
		r, err := d.grants.Grant(d.backend, cfg.Frame(d.data[i*xen.PageSize:(i+1)*xen.PageSize]), false)
		if err != nil {
			return err
		}
		d.dataRefs = append(d.dataRefs, r)
	}
	if d.ev, err = cfg.Events.AllocUnbound(d.backend); err != nil {
		return err
	}
	kv := func(k, v string) xenbus.KV { return xenbus.KV{Key: k, Value: v} }
	keys := []xenbus.KV{
		kv("ring-ref", strconv.FormatUint(uint64(d.ringRef), 10)),
		kv("event-channel", strconv.FormatUint(uint64(d.ev.Port()), 10)),
		kv("protocol", xen.ProtoABIX86_64),
	}
	// blkback connects when the frontend is Initialised, then
	// publishes the disk's size and features.
	if err := fe.Publish(keys, xenbus.Initialised); err != nil {
		return err
	}
	if _, err := fe.WaitBackend(cfg.Timeout, xenbus.Connected); err != nil {
		return err
	}
	if err := d.readGeometry(); err != nil {
		return err
	}
	return fe.SetState(xenbus.Connected)
}

// readGeometry reads what the backend publishes once Connected.
func (d *Disk) readGeometry() error {
	fe := d.fe
	sectors, err := fe.ReadBackendUint("sectors")
	if err != nil {
		return ErrGeometry
	}
	d.sectorSize = xen.BlkifSectorSize
	if ss, err := fe.ReadBackendUint("sector-size"); err == nil {
		if ss < xen.BlkifSectorSize || ss > xen.PageSize || ss&(ss-1) != 0 {
			return ErrGeometry
		}
		d.sectorSize = uint32(ss)
	}
	if sectors > (1<<64-1)/xen.BlkifSectorSize {
		return ErrGeometry
	}
	d.sectors = sectors
	if info, err := fe.ReadBackendUint("info"); err == nil && info&xen.VdiskReadonly != 0 {
		d.ro = true
	}
	if mode, err := fe.ReadBackend("mode"); err == nil && mode == "r" {
		d.ro = true
	}
	switch {
	case fe.BackendFeature("feature-flush-cache"):
		d.flushOp = xen.BlkifOpFlushDiskcache
	case fe.BackendFeature("feature-barrier"):
		d.flushOp = xen.BlkifOpWriteBarrier
	}
	return nil
}

func (d *Disk) teardown() {
	if d.ringRef != 0 {
		d.grants.EndLater(d.ringRef, nil)
	}
	for _, r := range d.dataRefs {
		d.grants.EndLater(r, nil)
	}
	d.fe.SetState(xenbus.Closed)
}

// Close disconnects from the backend and ends the grants (at once, or
// when the backend unmaps them).
func (d *Disk) Close() error {
	err := d.fe.Close(d.timeout)
	d.teardown()
	return err
}

// Capacity returns the device's size in sectors of SectorSize bytes.
func (d *Disk) Capacity() uint64 {
	return d.sectors * xen.BlkifSectorSize / uint64(d.sectorSize)
}

// SectorSize returns the backend's logical sector size ("sector-size",
// 512 if absent).
func (d *Disk) SectorSize() uint32 { return d.sectorSize }

// ReadOnly reports whether the backend refuses writes (info has
// VDISK_READONLY, or mode is "r").
func (d *Disk) ReadOnly() bool { return d.ro }

// EventChannel returns the device's event channel.
func (d *Disk) EventChannel() xenring.EventChannel { return d.ev }

// Stats returns a copy of the counters.
func (d *Disk) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// ReadSectors fills p, a whole number of sectors, from sector on.
func (d *Disk) ReadSectors(sector uint64, p []byte) error {
	return d.rw(xen.BlkifOpRead, sector, p)
}

// WriteSectors writes p, a whole number of sectors, from sector on.
func (d *Disk) WriteSectors(sector uint64, p []byte) error {
	if d.ro {
		return ErrReadOnly
	}
	return d.rw(xen.BlkifOpWrite, sector, p)
}

func (d *Disk) rw(op uint8, sector uint64, p []byte) error {
	ss := uint64(d.sectorSize)
	if uint64(len(p))%ss != 0 {
		return ErrUnaligned
	}
	n := uint64(len(p)) / ss
	if sector > d.Capacity() || n > d.Capacity()-sector {
		return ErrOutOfRange
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	max := segments * xen.PageSize
	for len(p) > 0 {
		chunk := p[:min(len(p), max)]
		if op == xen.BlkifOpWrite {
			copy(d.data, chunk)
		}
		if err := d.do(op, sector*(ss/xen.BlkifSectorSize), len(chunk)); err != nil {
			return err
		}
		if op == xen.BlkifOpRead {
			copy(chunk, d.data)
		}
		p = p[len(chunk):]
		sector += uint64(len(chunk)) / ss
	}
	return nil
}

// Flush asks the backend to commit written data to stable storage,
// with BLKIF_OP_FLUSH_DISKCACHE if it offers feature-flush-cache, else
// BLKIF_OP_WRITE_BARRIER if it offers feature-barrier; a backend with
// neither has no cache to flush. A backend that refuses the operation
// it offered makes Flush return ErrUnsupported, and is not asked again.
func (d *Disk) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.flushOp < 0 {
		return nil
	}
	err := d.do(uint8(d.flushOp), 0, 0)
	if err == ErrUnsupported {
		d.flushOp = -1
	}
	return err
}

// do runs one request with n bytes of data in d.data; d.mu is held.
func (d *Disk) do(op uint8, sector512 uint64, n int) error {
	if d.pending {
		// An earlier request timed out; has it come back since? Its
		// result, whatever it is, is no longer anyone's.
		err := d.wait(0)
		if d.pending || err == xenring.ErrBroken {
			return err
		}
	}
	slot, _, ok := d.ring.Request()
	if !ok {
		if err := d.ring.Err(); err != nil {
			return err
		}
		return ErrTimeout // cannot happen with one request at a time
	}
	id := d.nextID
	d.nextID++
	clear(slot)
	slot[xen.BlkifReqOffOperation] = op
	put64(slot[xen.BlkifReqOffID:], id)
	put64(slot[xen.BlkifReqOffSector:], sector512)
	nseg := 0
	for off := 0; off < n; off += xen.PageSize {
		bytes := min(n-off, xen.PageSize)
		seg := slot[xen.BlkifReqOffSeg+nseg*xen.BlkifSegSize:]
		put32(seg[xen.BlkifSegOffGref:], d.dataRefs[nseg])
		seg[xen.BlkifSegOffFirstSect] = 0
		seg[xen.BlkifSegOffLastSect] = uint8(bytes/xen.BlkifSectorSize - 1)
		nseg++
	}
	slot[xen.BlkifReqOffNrSegments] = uint8(nseg)
	switch op {
	case xen.BlkifOpRead:
		d.stats.Reads++
	case xen.BlkifOpWrite:
		d.stats.Writes++
	default:
		d.stats.Flushes++
	}
	d.pending, d.pendID, d.pendOp = true, id, op
	if d.ring.Push() {
		d.ev.Notify()
	}
	return d.wait(d.reqTime)
}

// waitSlice is the longest single wait for an event, in nanoseconds.
const waitSlice int64 = 50e6

// wait waits up to timeout nanoseconds (< 0 for ever) for the response
// to the pending request and returns its result; d.mu is held.
func (d *Disk) wait(timeout int64) error {
	now := d.now()
	deadline := now + timeout
	forever := timeout < 0 || deadline < now
	var rsp [xen.BlkifEntrySize]byte
	for {
		for {
			if _, ok := d.ring.Response(rsp[:]); !ok {
				break
			}
			// With one request in flight, the ring lets through only
			// its response: one that names another id is a bad
			// answer to it, not a stray to wait past.
			d.pending = false
			if le64(rsp[xen.BlkifRspOffID:]) != d.pendID {
				d.stats.BadID++
				return ErrBadResponse
			}
			if rsp[xen.BlkifRspOffOperation] != d.pendOp {
				d.stats.BadOp++
				return ErrBadResponse
			}
			switch int16(le16(rsp[xen.BlkifRspOffStatus:])) {
			case xen.BlkifRspOkay:
				return nil
			case xen.BlkifRspError:
				d.stats.Errors++
				return ErrIO
			case xen.BlkifRspEOpNotSupp:
				d.stats.Errors++
				return ErrUnsupported
			}
			d.stats.Errors++
			return ErrBadResponse
		}
		if err := d.ring.Err(); err != nil {
			return err
		}
		slice := waitSlice
		if !forever {
			left := deadline - d.now()
			if left <= 0 {
				d.stats.Timeouts++
				return ErrTimeout
			}
			slice = min(slice, left)
		}
		d.ev.Wait(slice)
	}
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func put64(b []byte, v uint64) {
	put32(b, uint32(v))
	put32(b[4:], uint32(v>>32))
}
