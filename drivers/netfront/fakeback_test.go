// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netfront

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

// The fake netback: a backend domain (0) serving domain 3's vif 0
// through the fake xenstored, fake grants and fake event channels.

const (
	feDir   = "device/vif/0"
	beDir   = "/local/domain/0/backend/vif/3/0"
	beDomid = 0
	testMAC = "00:16:3e:01:02:03"
)

type netback struct {
	t      testing.TB
	srv    *xenstoretest.Server
	store  *xenstore.Client
	frames *gnttabtest.Frames
	chans  *xenringtest.Channels
	table  *gnttab.Table
	gt     *gnttabtest.Backend

	mu       sync.Mutex
	tx, rx   *xenring.Back
	ev       *xenringtest.End
	sent     [][]byte
	holdTx   bool  // leave transmit requests unanswered
	lenient  bool  // a fuzzer drives the backend: bad grants are its own doing
	txStatus int16 // the status of transmit responses
	txEvents int   // events raised for transmit responses
}

// setupOpts are the knobs of a test's xenstore contents and backend.
type setupOpts struct {
	noRxCopy  bool
	mac       string // "" for testMAC; "-" for none
	neverConn bool   // the backend stays in InitWait
	closeOn   bool   // the backend closes when the frontend connects
	rxBuffers int
	txBuffers int
	timeout   time.Duration
}

func newBack(t testing.TB, o setupOpts) *netback {
	t.Helper()
	tableMem := gnttab.AllocPages(2)
	table, err := gnttab.New(tableMem, xen.GnttabNrReservedEntries)
	if err != nil {
		t.Fatal(err)
	}
	srv, page, ev := xenstoretest.NewServer(3)
	nb := &netback{
		t: t, srv: srv, frames: &gnttabtest.Frames{}, chans: &xenringtest.Channels{}, table: table,
	}
	nb.gt = &gnttabtest.Backend{Table: tableMem, Frames: nb.frames, Domid: beDomid}
	mac := o.mac
	if mac == "" {
		mac = testMAC
	}
	srv.Do(func(st *xenstoretest.Store) {
		st.Write(feDir+"/backend", beDir)
		st.Write(feDir+"/backend-id", strconv.Itoa(beDomid))
		if mac != "-" {
			st.Write(feDir+"/mac", mac)
		}
		st.Write(beDir+"/state", "2")
		if !o.noRxCopy {
			st.Write(beDir+"/feature-rx-copy", "1")
		}
	})
	srv.OnWrite = func(st *xenstoretest.Store, path, value string) {
		if path != srv.Home()+"/"+feDir+"/state" || o.neverConn {
			return
		}
		if value == "5" { // Closing: netback unmaps and closes
			st.Write(beDir+"/state", "6")
			return
		}
		if value != "4" {
			return
		}
		if o.closeOn {
			st.Write(beDir+"/state", "5")
			return
		}
		nb.connect(st)
		st.Write(beDir+"/state", "4")
	}
	nb.store, err = xenstore.New(page, ev, xenringtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nb.store.Close)
	return nb
}

func (nb *netback) config(o setupOpts) Config {
	timeout := o.timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	return Config{
		Device: xenbus.Device{
			Store: nb.store, Node: feDir, Grants: nb.table, Events: nb.chans,
			Frame: nb.frames.Frame, Timeout: int64(timeout),
		},
		RxBuffers: o.rxBuffers, TxBuffers: o.txBuffers,
	}
}

func newTest(t testing.TB, o setupOpts) (*netback, *Net) {
	t.Helper()
	nb := newBack(t, o)
	n, err := New(nb.config(o))
	if err != nil {
		t.Fatal(err)
	}
	return nb, n
}

// connect maps the rings the frontend published, as netback does.
func (nb *netback) connect(st *xenstoretest.Store) {
	read := func(k string) uint32 {
		v, _ := st.Read(feDir + "/" + k)
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			nb.t.Errorf("frontend key %s = %q", k, v)
		}
		return uint32(n)
	}
	if v, _ := st.Read(feDir + "/request-rx-copy"); v != "1" {
		nb.t.Errorf("request-rx-copy = %q", v)
	}
	txPage, err := nb.gt.Access(read("tx-ring-ref"), true)
	if err != nil {
		nb.t.Fatalf("tx ring: %v", err)
	}
	rxPage, err := nb.gt.Access(read("rx-ring-ref"), true)
	if err != nil {
		nb.t.Fatalf("rx ring: %v", err)
	}
	nb.mu.Lock()
	defer nb.mu.Unlock()
	nb.tx, _ = xenring.NewBack(txPage, xen.NetifTxEntrySize)
	nb.rx, _ = xenring.NewBack(rxPage, xen.NetifRxEntrySize)
	port := read("event-channel")
	nb.ev = nb.chans.Bind(port)
	if nb.ev == nil {
		nb.t.Fatalf("event channel %d was not allocated", port)
	}
	if nb.chans.Remote[port] != beDomid {
		nb.t.Errorf("event channel allocated for domain %d", nb.chans.Remote[port])
	}
	nb.ev.OnEvent(nb.kick)
}

// kick answers waiting transmit requests.
func (nb *netback) kick() {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	if nb.holdTx {
		return
	}
	nb.answerTx(-1)
}

// answerTx answers up to max (all if < 0) transmit requests; nb.mu held.
func (nb *netback) answerTx(max int) {
	var req [xen.NetifTxEntrySize]byte
	for ; max != 0; max-- {
		if _, ok := nb.tx.Request(req[:]); !ok {
			break
		}
		gref := binary.LittleEndian.Uint32(req[xen.NetifTxOffGref:])
		off := int(binary.LittleEndian.Uint16(req[xen.NetifTxOffOffset:]))
		flags := binary.LittleEndian.Uint16(req[xen.NetifTxOffFlags:])
		id := binary.LittleEndian.Uint16(req[xen.NetifTxOffID:])
		size := int(binary.LittleEndian.Uint16(req[xen.NetifTxOffSize:]))
		status := nb.txStatus
		if _, err := nb.gt.Access(gref, true); err == nil {
			nb.t.Errorf("transmit buffer %d is writable by the backend", gref)
		}
		page, err := nb.gt.Access(gref, false)
		if err != nil || off+size > xen.PageSize || flags != 0 {
			nb.t.Errorf("bad transmit request: gref %d off %d size %d flags %#x: %v", gref, off, size, flags, err)
			status = xen.NetifRspError
		} else {
			nb.sent = append(nb.sent, append([]byte(nil), page[off:off+size]...))
		}
		slot, _ := nb.tx.Response()
		binary.LittleEndian.PutUint16(slot[xen.NetifTxRspOffID:], id)
		binary.LittleEndian.PutUint16(slot[xen.NetifTxRspOffStatus:], uint16(status))
	}
	if nb.tx.Push() {
		nb.txEvents++
		nb.ev.Notify()
	}
}

// Sent returns the frames the backend took.
func (nb *netback) Sent() [][]byte {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.sent
}

// rxResponse consumes a posted receive request and answers it with
// whatever fields fill gives, after copying data into its page.
func (nb *netback) rxResponse(data []byte, fill func(id uint16, slot []byte)) bool {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	var req [xen.NetifRxEntrySize]byte
	if _, ok := nb.rx.Request(req[:]); !ok {
		return false
	}
	id := binary.LittleEndian.Uint16(req[xen.NetifRxOffID:])
	gref := binary.LittleEndian.Uint32(req[xen.NetifRxOffGref:])
	page, err := nb.gt.Access(gref, true)
	if err != nil {
		if !nb.lenient {
			nb.t.Errorf("receive buffer %d: %v", gref, err)
		}
		return false
	}
	copy(page, data)
	slot, _ := nb.rx.Response()
	fill(id, slot)
	return true
}

// deliver sends one frame the way netback does.
func (nb *netback) deliver(frame []byte, flags uint16) bool {
	return nb.rxResponse(frame, func(id uint16, slot []byte) {
		putRx(slot, id, 0, flags, int16(len(frame)))
	})
}

// raw answers a receive request with any fields.
func (nb *netback) raw(id16 int, off uint16, flags uint16, status int16) bool {
	return nb.rxResponse(nil, func(id uint16, slot []byte) {
		if id16 >= 0 {
			id = uint16(id16)
		}
		putRx(slot, id, off, flags, status)
	})
}

// push publishes receive responses and notifies the frontend.
func (nb *netback) push() {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	if nb.rx.Push() {
		nb.ev.Notify()
	}
}

func putRx(slot []byte, id, off, flags uint16, status int16) {
	binary.LittleEndian.PutUint16(slot[xen.NetifRxRspOffID:], id)
	binary.LittleEndian.PutUint16(slot[xen.NetifRxRspOffOffset:], off)
	binary.LittleEndian.PutUint16(slot[xen.NetifRxRspOffFlags:], flags)
	binary.LittleEndian.PutUint16(slot[xen.NetifRxRspOffStatus:], uint16(status))
}

// frame returns a test frame of size bytes, tagged with tag.
func frame(size int, tag byte) []byte {
	f := make([]byte, size)
	for i := range f {
		f[i] = byte(i) ^ tag
	}
	return f
}
