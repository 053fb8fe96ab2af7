// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package blkfront

import (
	"encoding/binary"
	"strconv"
	"sync"
	"testing"
	"time"

	"mirago.dev/drivers/gnttab"
	"mirago.dev/drivers/gnttab/gnttabtest"
	"mirago.dev/drivers/xenbus"
	"mirago.dev/drivers/xenring"
	"mirago.dev/drivers/xenring/xenringtest"
	"mirago.dev/drivers/xenstore"
	"mirago.dev/drivers/xenstore/xenstoretest"
	"mirago.dev/sys/xen"
)

// The fake blkback: domain 0 serving domain 3's disk 51712 (xvda)
// from a byte slice.

const (
	feDir = "device/vbd/51712"
	beDir = "/local/domain/0/backend/vbd/3/51712"
)

type request struct {
	op     uint8
	nseg   int
	id     uint64
	sector uint64
	segs   [][3]uint32 // gref, first, last
}

type blkback struct {
	t      testing.TB
	srv    *xenstoretest.Server
	store  *xenstore.Client
	frames *gnttabtest.Frames
	chans  *xenringtest.Channels
	table  *gnttab.Table
	gt     *gnttabtest.Backend

	mu      sync.Mutex
	ring    *xenring.Back
	ev      *xenringtest.End
	disk    []byte
	flushes []uint8
	hold    bool // leave requests unanswered
	held    []request
	// answer, if set, replaces the response to each request.
	answer func(r request) (id uint64, op uint8, status int16)
}

type diskOpts struct {
	sectors    string // "" for len(disk)/512
	sectorSize string // "" for none
	info       string
	mode       string
	flushCache bool
	barrier    bool
	neverConn  bool
	timeout    time.Duration
	reqTimeout time.Duration
}

func newBack(t testing.TB, diskBytes int, o diskOpts) *blkback {
	t.Helper()
	tableMem := gnttab.AllocPages(1)
	table, err := gnttab.New(tableMem, xen.GnttabNrReservedEntries)
	if err != nil {
		t.Fatal(err)
	}
	srv, page, ev := xenstoretest.NewServer(3)
	bb := &blkback{t: t, srv: srv, frames: &gnttabtest.Frames{}, chans: &xenringtest.Channels{},
		table: table, disk: make([]byte, diskBytes)}
	bb.gt = &gnttabtest.Backend{Table: tableMem, Frames: bb.frames, Domid: 0}
	srv.Do(func(st *xenstoretest.Store) {
		st.Write(feDir+"/backend", beDir)
		st.Write(feDir+"/backend-id", "0")
		st.Write(beDir+"/state", "2")
		if o.mode != "" {
			st.Write(beDir+"/mode", o.mode)
		}
	})
	srv.OnWrite = func(st *xenstoretest.Store, path, value string) {
		if path != srv.Home()+"/"+feDir+"/state" {
			return
		}
		switch value {
		case "3":
			if o.neverConn {
				return
			}
			bb.connect(st)
			sectors := o.sectors
			if sectors == "" {
				sectors = strconv.Itoa(diskBytes / 512)
			}
			st.Write(beDir+"/sectors", sectors)
			if o.sectorSize != "" {
				st.Write(beDir+"/sector-size", o.sectorSize)
			}
			info := o.info
			if info == "" {
				info = "0"
			}
			st.Write(beDir+"/info", info)
			if o.flushCache {
				st.Write(beDir+"/feature-flush-cache", "1")
			}
			if o.barrier {
				st.Write(beDir+"/feature-barrier", "1")
			}
			st.Write(beDir+"/state", "4")
		case "5":
			st.Write(beDir+"/state", "6")
		}
	}
	bb.store, err = xenstore.New(page, ev, xenringtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bb.store.Close)
	return bb
}

func (bb *blkback) config(o diskOpts) Config {
	c := Config{
		Device: xenbus.Device{Store: bb.store, Node: feDir, Grants: bb.table, Events: bb.chans,
			Frame: bb.frames.Frame, Timeout: int64(o.timeout)},
		RequestTimeout: int64(o.reqTimeout),
	}
	if c.Timeout == 0 {
		c.Timeout = int64(2 * time.Second)
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = int64(2 * time.Second)
	}
	return c
}

func newTest(t testing.TB, diskBytes int, o diskOpts) (*blkback, *Disk) {
	t.Helper()
	bb := newBack(t, diskBytes, o)
	d, err := New(bb.config(o))
	if err != nil {
		t.Fatal(err)
	}
	return bb, d
}

func (bb *blkback) connect(st *xenstoretest.Store) {
	read := func(k string) string {
		v, _ := st.Read(feDir + "/" + k)
		return v
	}
	if p := read("protocol"); p != "x86_64-abi" {
		bb.t.Errorf("protocol = %q", p)
	}
	ref, _ := strconv.ParseUint(read("ring-ref"), 10, 32)
	page, err := bb.gt.Access(uint32(ref), true)
	if err != nil {
		bb.t.Fatalf("ring: %v", err)
	}
	port, _ := strconv.ParseUint(read("event-channel"), 10, 32)
	bb.mu.Lock()
	defer bb.mu.Unlock()
	bb.ring, _ = xenring.NewBack(page, xen.BlkifEntrySize)
	bb.ev = bb.chans.Bind(uint32(port))
	if bb.ev == nil {
		bb.t.Fatalf("event channel %d not allocated", port)
	}
	bb.ev.OnEvent(bb.kick)
}

func (bb *blkback) kick() {
	bb.mu.Lock()
	defer bb.mu.Unlock()
	var req [xen.BlkifEntrySize]byte
	for {
		if _, ok := bb.ring.Request(req[:]); !ok {
			break
		}
		r := request{
			op:     req[xen.BlkifReqOffOperation],
			nseg:   int(req[xen.BlkifReqOffNrSegments]),
			id:     binary.LittleEndian.Uint64(req[xen.BlkifReqOffID:]),
			sector: binary.LittleEndian.Uint64(req[xen.BlkifReqOffSector:]),
		}
		for i := 0; i < r.nseg && i < xen.BlkifMaxSegmentsPerRequest; i++ {
			s := req[xen.BlkifReqOffSeg+i*xen.BlkifSegSize:]
			r.segs = append(r.segs, [3]uint32{binary.LittleEndian.Uint32(s), uint32(s[4]), uint32(s[5])})
		}
		if bb.hold {
			bb.held = append(bb.held, r)
			continue
		}
		bb.respond(r)
	}
	if bb.ring.Push() {
		bb.ev.Notify()
	}
}

// respond carries out r and writes its response; bb.mu is held.
func (bb *blkback) respond(r request) {
	status := int16(xen.BlkifRspOkay)
	switch r.op {
	case xen.BlkifOpRead, xen.BlkifOpWrite:
		pos := int(r.sector) * 512
		for _, s := range r.segs {
			page, err := bb.gt.Access(s[0], r.op == xen.BlkifOpRead)
			if err != nil || s[1] > s[2] || s[2] > 7 {
				bb.t.Errorf("bad segment %v: %v", s, err)
				status = xen.BlkifRspError
				break
			}
			lo, hi := int(s[1])*512, int(s[2]+1)*512
			if pos+hi-lo > len(bb.disk) {
				status = xen.BlkifRspError
				break
			}
			if r.op == xen.BlkifOpRead {
				copy(page[lo:hi], bb.disk[pos:])
			} else {
				copy(bb.disk[pos:], page[lo:hi])
			}
			pos += hi - lo
		}
	default:
		bb.flushes = append(bb.flushes, r.op)
	}
	id, op := r.id, r.op
	if bb.answer != nil {
		id, op, status = bb.answer(r)
	}
	slot, _ := bb.ring.Response()
	clear(slot)
	binary.LittleEndian.PutUint64(slot[xen.BlkifRspOffID:], id)
	slot[xen.BlkifRspOffOperation] = op
	binary.LittleEndian.PutUint16(slot[xen.BlkifRspOffStatus:], uint16(status))
}

// release answers the held requests.
func (bb *blkback) release() {
	bb.mu.Lock()
	defer bb.mu.Unlock()
	bb.hold = false
	for _, r := range bb.held {
		bb.respond(r)
	}
	bb.held = nil
	if bb.ring.Push() {
		bb.ev.Notify()
	}
}
