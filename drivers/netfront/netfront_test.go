// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netfront

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"mirago.dev/drivers/ethernet"
	"mirago.dev/drivers/xenring"
	"mirago.dev/drivers/xenstore/xenstoretest"
	"mirago.dev/sys/xen"
)

func TestConnect(t *testing.T) {
	nb, n := newTest(t, setupOpts{rxBuffers: 16, txBuffers: 8})
	mac, ok := n.MAC()
	if !ok || mac != [6]byte{0x00, 0x16, 0x3e, 1, 2, 3} {
		t.Errorf("MAC = %x, %v", mac, ok)
	}
	if n.MTU() != 1500 || n.MaxFrame() != 1518 {
		t.Errorf("MTU, MaxFrame = %d, %d", n.MTU(), n.MaxFrame())
	}
	for k, want := range map[string]string{
		"state": "4", "request-rx-copy": "1", "feature-rx-notify": "1",
		"feature-sg": "0", "feature-no-csum-offload": "1",
	} {
		if v, _ := nb.srv.Read(feDir + "/" + k); v != want {
			t.Errorf("%s = %q; want %q", k, v, want)
		}
	}
	if nb.rx.Pending() != 16 {
		t.Errorf("%d receive buffers posted; want 16", nb.rx.Pending())
	}
	// Two rings, 16 receive and 8 transmit pages.
	if got := nb.table.InUse(); got != 2+16+8 {
		t.Errorf("%d grants in use; want 26", got)
	}
	if err := n.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestTransmitReceive(t *testing.T) {
	nb, n := newTest(t, setupOpts{})
	var want [][]byte
	for i := 0; i < 300; i++ { // more than the ring: buffers must recycle
		f := frame(60+i%1400, byte(i))
		if err := n.Transmit(f); err != nil {
			t.Fatalf("Transmit %d: %v", i, err)
		}
		want = append(want, f)
	}
	sent := nb.Sent()
	if len(sent) != len(want) {
		t.Fatalf("backend got %d frames; want %d", len(sent), len(want))
	}
	for i := range want {
		if !bytes.Equal(sent[i], want[i]) {
			t.Fatalf("frame %d differs", i)
		}
	}
	p := make([]byte, n.MaxFrame())
	if _, _, err := n.Receive(p); err != ethernet.ErrNoFrame {
		t.Fatalf("Receive on an empty ring = %v", err)
	}
	flagTests := []struct {
		flags uint16
		valid bool
	}{
		{0, false},
		{xen.NETRXFDataValidated, true},
		{xen.NETRXFCsumBlank | xen.NETRXFDataValidated, true},
		{xen.NETRXFCsumBlank, true},
	}
	for round := 0; round < 40; round++ { // 40*4 > 64 buffers: they must be reposted
		for i, ft := range flagTests {
			f := frame(100+i, byte(round))
			if !nb.deliver(f, ft.flags) {
				t.Fatalf("round %d: no receive buffer posted", round)
			}
			nb.push()
			size, valid, err := n.Receive(p)
			if err != nil || !bytes.Equal(p[:size], f) || valid != ft.valid {
				t.Fatalf("round %d flags %#x: Receive = %d, %v, %v", round, ft.flags, size, valid, err)
			}
		}
	}
	if s := n.Stats(); s.RxFrames != 160 || s.TxFrames != 300 {
		t.Errorf("stats %+v", s)
	}
}

// TestTransmitAsksNoEvents: Transmit takes its buffers back itself, so
// the frontend asks for no event on transmit responses: each would
// wake the receive side for nothing. (The ring starts asking for one,
// at the first response.)
func TestTransmitAsksNoEvents(t *testing.T) {
	nb, n := newTest(t, setupOpts{})
	for i := range 300 {
		if err := n.Transmit(frame(60, byte(i))); err != nil {
			t.Fatalf("Transmit %d: %v", i, err)
		}
	}
	nb.mu.Lock()
	events := nb.txEvents
	nb.mu.Unlock()
	if len(nb.Sent()) != 300 || events > 1 {
		t.Errorf("the backend sent %d frames and raised %d events for them, want 300 and at most 1", len(nb.Sent()), events)
	}
}

func TestTxFull(t *testing.T) {
	nb, n := newTest(t, setupOpts{txBuffers: 4})
	nb.mu.Lock()
	nb.holdTx = true
	nb.mu.Unlock()
	for i := 0; i < 4; i++ {
		if err := n.Transmit(frame(64, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Transmit(frame(64, 1)); err != ethernet.ErrFull {
		t.Fatalf("Transmit with all buffers in flight = %v; want ErrFull", err)
	}
	nb.mu.Lock()
	nb.holdTx = false
	nb.answerTx(2)
	nb.mu.Unlock()
	n.ReclaimTx()
	if err := n.Transmit(frame(64, 2)); err != nil {
		t.Fatalf("Transmit after reclaim: %v", err)
	}
	for _, bad := range [][]byte{make([]byte, 13), make([]byte, 1519)} {
		if err := n.Transmit(bad); err == nil {
			t.Errorf("Transmit of %d bytes accepted", len(bad))
		}
	}
}

func TestReceiveTooSmall(t *testing.T) {
	nb, n := newTest(t, setupOpts{})
	nb.deliver(frame(200, 0), 0)
	nb.deliver(frame(100, 1), 0)
	nb.push()
	if _, _, err := n.Receive(make([]byte, 150)); err != ErrFrameTooLarge {
		t.Fatalf("Receive into a short buffer = %v", err)
	}
	p := make([]byte, 150)
	if size, _, err := n.Receive(p); err != nil || size != 100 {
		t.Fatalf("next Receive = %d, %v", size, err)
	}
}

// TestHostileRx is the table of receive responses a broken or hostile
// backend may write. Each bad one is dropped and counted, its buffer
// reposted, and the good frame after it still arrives.
func TestHostileRx(t *testing.T) {
	type step struct {
		id     int // -1: the right id
		off    uint16
		flags  uint16
		status int16
	}
	extra := func(more bool) step {
		f := 0
		if more {
			f = xen.NetifExtraFlagMore
		}
		return step{id: xen.NetifExtraTypeGSO | f<<8, status: 0}
	}
	tests := []struct {
		name  string
		steps []step
		check func(Stats) bool
	}{
		{"wrong id", []step{{5, 0, 0, 60}}, func(s Stats) bool { return s.RxBadID == 1 }},
		{"id beyond the ring", []step{{0xffff, 0, 0, 60}}, func(s Stats) bool { return s.RxBadID == 1 }},
		{"error status", []step{{-1, 0, 0, xen.NetifRspError}}, func(s Stats) bool { return s.RxErrors == 1 }},
		{"dropped status", []step{{-1, 0, 0, xen.NetifRspDropped}}, func(s Stats) bool { return s.RxErrors == 1 }},
		{"most negative status", []step{{-1, 0, 0, -32768}}, func(s Stats) bool { return s.RxErrors == 1 }},
		{"zero length", []step{{-1, 0, 0, 0}}, func(s Stats) bool { return s.RxBadLen == 1 }},
		{"offset beyond the page", []step{{-1, 4090, 0, 60}}, func(s Stats) bool { return s.RxBadLen == 1 }},
		{"offset 0xffff", []step{{-1, 0xffff, 0, 60}}, func(s Stats) bool { return s.RxBadLen == 1 }},
		{"length beyond the page", []step{{-1, 0, 0, 5000}}, func(s Stats) bool { return s.RxBadLen == 1 }},
		{"runt", []step{{-1, 0, 0, 13}}, func(s Stats) bool { return s.RxRunt == 1 }},
		{"larger than a frame", []step{{-1, 0, 0, 3000}}, func(s Stats) bool { return s.RxTooLarge == 1 }},
		{"multi-slot frame", []step{{-1, 0, xen.NETRXFMoreData, 1000}, {-1, 0, xen.NETRXFMoreData, 1000}, {-1, 0, 0, 500}},
			func(s Stats) bool { return s.RxMultiSlot == 1 }},
		{"extra info slots", []step{{-1, 0, xen.NETRXFExtraInfo, 60}, extra(true), extra(false)},
			func(s Stats) bool { return s.RxExtra == 2 && s.RxFrames == 2 }},
		{"extra info then more data", []step{{-1, 0, xen.NETRXFExtraInfo | xen.NETRXFMoreData, 60}, extra(false), {-1, 0, 0, 60}},
			func(s Stats) bool { return s.RxExtra == 1 && s.RxMultiSlot == 1 && s.RxFrames == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nb, n := newTest(t, setupOpts{rxBuffers: 8})
			for _, s := range tt.steps {
				nb.raw(s.id, s.off, s.flags, s.status)
			}
			good := frame(80, 0x5a)
			nb.deliver(good, 0)
			nb.push()
			p := make([]byte, n.MaxFrame())
			var got [][]byte
			for {
				size, _, err := n.Receive(p)
				if err == ethernet.ErrNoFrame {
					break
				}
				if err != nil {
					t.Fatalf("Receive: %v", err)
				}
				got = append(got, append([]byte(nil), p[:size]...))
			}
			if len(got) == 0 || !bytes.Equal(got[len(got)-1], good) {
				t.Errorf("the good frame after the bad ones was lost: got %d frames", len(got))
			}
			if s := n.Stats(); !tt.check(s) {
				t.Errorf("stats %+v", s)
			}
			if nb.rx.Pending() != 8 {
				t.Errorf("%d buffers posted after the drops; want 8", nb.rx.Pending())
			}
		})
	}
}

// TestHostileIndices has the backend move the response producer
// indices beyond what the frontend posted.
func TestHostileIndices(t *testing.T) {
	for _, prod := range []uint32{65, 256, 257, 0x80000000, 0xffffffff} {
		nb, n := newTest(t, setupOpts{}) // 64 receive buffers posted
		nb.mu.Lock()
		nb.rx.SetRspProd(prod)
		nb.mu.Unlock()
		if _, _, err := n.Receive(make([]byte, 2000)); err != xenring.ErrBroken {
			t.Errorf("rx prod %#x: Receive = %v; want ErrBroken", prod, err)
		}
		if n.Err() == nil {
			t.Errorf("rx prod %#x: Err = nil", prod)
		}
	}
	nb, n := newTest(t, setupOpts{})
	nb.mu.Lock()
	nb.holdTx = true
	nb.mu.Unlock()
	n.Transmit(frame(64, 0))
	nb.mu.Lock()
	nb.tx.SetRspProd(2)
	nb.mu.Unlock()
	if err := n.Transmit(frame(64, 0)); err != xenring.ErrBroken {
		t.Errorf("tx prod jump: Transmit = %v; want ErrBroken", err)
	}
}

// TestHostileTx answers transmits with ids never sent, twice, and with
// error statuses.
func TestHostileTx(t *testing.T) {
	nb, n := newTest(t, setupOpts{txBuffers: 3})
	nb.mu.Lock()
	nb.holdTx = true
	nb.mu.Unlock()
	for i := 0; i < 3; i++ {
		n.Transmit(frame(64, byte(i))) // ids 0, 1, 2
	}
	nb.mu.Lock()
	var req [xen.NetifTxEntrySize]byte
	for _, r := range []struct {
		id     uint16
		status int16
	}{{7, 0}, {0, xen.NetifRspError}, {0, 0}} { // unknown, error, duplicate
		nb.tx.Request(req[:])
		slot, _ := nb.tx.Response()
		slot[0], slot[1] = byte(r.id), byte(r.id>>8)
		slot[2], slot[3] = byte(r.status), byte(uint16(r.status)>>8)
	}
	nb.tx.Push()
	nb.mu.Unlock()
	n.ReclaimTx()
	s := n.Stats()
	if s.TxBadID != 2 || s.TxErrors != 1 {
		t.Errorf("stats %+v; want 2 bad ids and 1 error", s)
	}
	// Id 0 is free again, 1 and 2 still in flight: one transmit fits.
	if err := n.Transmit(frame(64, 3)); err != nil {
		t.Errorf("Transmit: %v", err)
	}
	if err := n.Transmit(frame(64, 4)); err != ethernet.ErrFull {
		t.Errorf("second Transmit = %v; want ErrFull", err)
	}
}

func TestSetupErrors(t *testing.T) {
	tests := []struct {
		name string
		o    setupOpts
		want error
	}{
		{"no rx copy", setupOpts{noRxCopy: true}, ErrNoRxCopy},
		{"no mac", setupOpts{mac: "-"}, ErrBadMAC},
		{"bad mac", setupOpts{mac: "00:16:3e:01:02"}, ErrBadMAC},
		{"backend never connects", setupOpts{neverConn: true, timeout: 100 * time.Millisecond}, nil},
		{"backend closes", setupOpts{closeOn: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nb := newBack(t, tt.o)
			_, err := New(nb.config(tt.o))
			if err == nil || tt.want != nil && err != tt.want {
				t.Fatalf("New = %v; want %v", err, tt.want)
			}
			if v, _ := nb.srv.Read(feDir + "/state"); v != "6" {
				t.Errorf("frontend state after a failed setup = %q; want 6 (Closed)", v)
			}
		})
	}
	// The backend's "mac" is used when the frontend has none.
	o := setupOpts{mac: "-"}
	nb := newBack(t, o)
	nb.srv.Do(func(st *xenstoretest.Store) { st.Write(beDir+"/mac", "02:00:00:00:00:01") })
	n, err := New(nb.config(o))
	if err != nil {
		t.Fatal(err)
	}
	if mac, _ := n.MAC(); mac != [6]byte{2, 0, 0, 0, 0, 1} {
		t.Errorf("MAC = %x", mac)
	}
}

func TestParseMAC(t *testing.T) {
	good := map[string][6]byte{
		"00:16:3e:01:02:03": {0, 0x16, 0x3e, 1, 2, 3},
		"AA:bb:CC:dd:EE:fe": {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xfe},
	}
	for s, want := range good {
		if got, err := ParseMAC(s); err != nil || got != want {
			t.Errorf("ParseMAC(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "00:16:3e:01:02", "00:16:3e:01:02:03:04", "0:16:3e:01:02:03",
		"00-16-3e-01-02-03", "00:16:3e:01:02:0g", "00:00:00:00:00:00", "01:00:5e:00:00:01",
		"ff:ff:ff:ff:ff:ff", "+0:16:3e:01:02:03", "00:16:3e:01:02:03 "} {
		if _, err := ParseMAC(s); err != ErrBadMAC {
			t.Errorf("ParseMAC(%q) = %v; want ErrBadMAC", s, err)
		}
	}
}

// FuzzParseMAC checks the parser of the "mac" key, which the toolstack
// or backend writes: whatever it accepts prints back the same way.
func FuzzParseMAC(f *testing.F) {
	for _, s := range []string{testMAC, "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "0:1:2:3:4:5", "aa:bb:cc:dd:ee:ff:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mac, err := ParseMAC(s)
		if err != nil {
			return
		}
		if mac == [6]byte{} || mac[0]&1 != 0 {
			t.Fatalf("ParseMAC(%q) accepted %x", s, mac)
		}
		const hex = "0123456789abcdef"
		var b []byte
		for i, c := range mac {
			if i > 0 {
				b = append(b, ':')
			}
			b = append(b, hex[c>>4], hex[c&15])
		}
		if !strings.EqualFold(string(b), s) {
			t.Fatalf("ParseMAC(%q) = %s", s, b)
		}
	})
}
