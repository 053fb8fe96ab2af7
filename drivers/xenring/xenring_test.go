// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenring

import (
	"encoding/binary"
	"testing"

	"mirago.dev/sys/xen"
)

const entry = 8 // like netif's rx ring: 256 entries in a page

func newPair(t testing.TB, start uint32) (*Front, *Back) {
	t.Helper()
	page := make([]byte, xen.PageSize)
	f, err := NewFront(page, entry)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBack(page, entry)
	if err != nil {
		t.Fatal(err)
	}
	if start != 0 {
		// Start both ends at start, as FRONT_RING_ATTACH does, to
		// test the wrap of the free-running indices.
		f.reqProdPvt, f.reqProd, f.rspCons = start, start, start
		b.reqCons, b.rspProdPvt, b.rspProd = start, start, start
		f.store(xen.SringOffReqProd, start)
		f.store(xen.SringOffRspProd, start)
		f.store(xen.SringOffReqEvent, start+1)
		f.store(xen.SringOffRspEvent, start+1)
	}
	return f, b
}

// echo plays a well-behaved backend: it answers every waiting request
// with its own contents plus one.
func echo(b *Back) (notify bool) {
	var req [entry]byte
	for {
		if _, ok := b.Request(req[:]); !ok {
			break
		}
		slot, _ := b.Response()
		binary.LittleEndian.PutUint64(slot, binary.LittleEndian.Uint64(req[:])+1)
	}
	return b.Push()
}

func TestInit(t *testing.T) {
	page := make([]byte, xen.PageSize)
	for i := range page {
		page[i] = 0xa5
	}
	f, err := NewFront(page, entry)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size() != 256 || f.Free() != 256 {
		t.Errorf("Size, Free = %d, %d; want 256, 256", f.Size(), f.Free())
	}
	want := []uint32{0, 1, 0, 1}
	for i, w := range want {
		if got := binary.LittleEndian.Uint32(page[4*i:]); got != w {
			t.Errorf("header word %d = %#x; want %#x", i, got, w)
		}
	}
	for _, bad := range [][]byte{make([]byte, 64), make([]byte, 100)[1:]} {
		if _, err := NewFront(bad, entry); err != ErrRingPage {
			t.Errorf("NewFront(%d bytes) = %v; want ErrRingPage", len(bad), err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, start := range []uint32{0, 0xffffff00, 0xfffffffe} {
		f, b := newPair(t, start)
		var rsp [entry]byte
		next := uint64(0)
		for round := 0; round < 5; round++ {
			n := 0
			for {
				slot, _, ok := f.Request()
				if !ok {
					break
				}
				binary.LittleEndian.PutUint64(slot, next+uint64(n))
				n++
			}
			if n != 256 {
				t.Fatalf("start %#x round %d: %d requests fit; want 256", start, round, n)
			}
			f.Push()
			echo(b)
			for i := 0; i < n; i++ {
				if _, ok := f.Response(rsp[:]); !ok {
					t.Fatalf("start %#x: response %d missing", start, i)
				}
				if got := binary.LittleEndian.Uint64(rsp[:]); got != next+uint64(i)+1 {
					t.Fatalf("start %#x: response %d = %d; want %d", start, i, got, next+uint64(i)+1)
				}
			}
			if _, ok := f.Response(rsp[:]); ok {
				t.Fatalf("a response beyond those produced")
			}
			next += uint64(n)
		}
		if f.Err() != nil || f.Outstanding() != 0 {
			t.Errorf("start %#x: Err %v, Outstanding %d", start, f.Err(), f.Outstanding())
		}
	}
}

// TestNotify checks the event-index handshake both ways: the backend is
// told of the first request, not of later ones while it has not asked
// again, and the frontend re-arms rsp_event when it finds the ring
// empty.
func TestNotify(t *testing.T) {
	f, b := newPair(t, 0)
	var buf [entry]byte
	f.Request()
	if !f.Push() {
		t.Errorf("the first push did not ask for a notify (req_event starts at 1)")
	}
	f.Request()
	if f.Push() {
		t.Errorf("second push notified although the backend has not re-armed req_event")
	}
	if got := f.Push(); got {
		t.Errorf("an empty push notified")
	}
	// The backend drains, re-arming req_event at 3.
	b.Request(buf[:])
	b.Request(buf[:])
	if _, ok := b.Request(buf[:]); ok {
		t.Fatal("backend saw a third request")
	}
	f.Request()
	if !f.Push() {
		t.Errorf("push after the backend re-armed did not notify")
	}
	// The frontend found no response, so it asked for an event at
	// rsp_cons+1.
	if _, ok := f.Response(buf[:]); ok {
		t.Fatal("response before any was produced")
	}
	b.Response()
	if !b.Push() {
		t.Errorf("backend's first response did not notify")
	}
	b.Response()
	if b.Push() {
		t.Errorf("backend's second response notified though the frontend has not looked")
	}
	f.Response(buf[:])
	f.Response(buf[:])
	if _, ok := f.Response(buf[:]); ok {
		t.Fatal("third response")
	}
	b.Request(buf[:])
	b.Response()
	if !b.Push() {
		t.Errorf("response after the frontend re-armed did not notify")
	}
}

// TestReclaimAsksNoEvent: a frontend that takes responses with Reclaim
// never asks for an event, so after the first response (rsp_event
// starts one ahead) the backend raises none, however the ring wraps.
func TestReclaimAsksNoEvent(t *testing.T) {
	for _, start := range []uint32{0, 0xffff_ff00} {
		f, b := newPair(t, start)
		var buf [entry]byte
		events := 0
		for i := range 1000 {
			if _, _, ok := f.Request(); !ok {
				t.Fatalf("start %#x, round %d: ring full", start, i)
			}
			f.Push()
			if echo(b) {
				events++
			}
			for {
				if _, ok := f.Reclaim(buf[:]); !ok {
					break
				}
			}
		}
		if events != 1 {
			t.Errorf("start %#x: the backend raised %d events for 1000 responses taken by Reclaim, want 1", start, events)
		}
		if f.Outstanding() != 0 {
			t.Errorf("start %#x: %d requests outstanding after Reclaim took every response", start, f.Outstanding())
		}
	}
}

// TestHostileProducer is the table of response producer indices a
// broken or hostile backend may store: any that claims more responses
// than pushed requests breaks the ring, and the frontend neither panics
// nor returns phantom responses.
func TestHostileProducer(t *testing.T) {
	tests := []struct {
		name     string
		pushed   int    // requests pushed
		prod     uint32 // rsp_prod the backend stores, relative to 0
		wantResp int
		broken   bool
	}{
		{"as many as pushed", 4, 4, 4, false},
		{"fewer", 4, 2, 2, false},
		{"one more than pushed", 4, 5, 0, true},
		{"jump by the ring size", 4, 256, 0, true},
		{"jump past the ring size", 4, 1000, 0, true},
		{"backwards", 4, 0xffffffff, 0, true},
		{"far backwards", 4, 0x80000000, 0, true},
		{"none pushed, one claimed", 0, 1, 0, true},
		{"filled but unpushed do not count", -4, 4, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b := newPair(t, 0)
			n := tt.pushed
			if n < 0 {
				n = -n
			}
			for i := 0; i < n; i++ {
				f.Request()
			}
			if tt.pushed > 0 {
				f.Push()
			}
			b.SetRspProd(tt.prod)
			var buf [entry]byte
			got := 0
			for i := 0; i < 300; i++ {
				if _, ok := f.Response(buf[:]); !ok {
					break
				}
				got++
			}
			if got != tt.wantResp {
				t.Errorf("took %d responses; want %d", got, tt.wantResp)
			}
			if (f.Err() == ErrBroken) != tt.broken {
				t.Errorf("Err = %v; broken want %v", f.Err(), tt.broken)
			}
			if tt.broken {
				if _, _, ok := f.Request(); ok {
					t.Errorf("a broken ring accepted a request")
				}
			}
			if f.Outstanding() < 0 || f.Outstanding() > f.Size() {
				t.Errorf("Outstanding = %d", f.Outstanding())
			}
		})
	}
}

func TestIDs(t *testing.T) {
	s := NewIDs(3)
	var got []uint16
	for {
		id, ok := s.Get()
		if !ok {
			break
		}
		got = append(got, id)
	}
	if len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 2 {
		t.Fatalf("ids %v; want [0 1 2]", got)
	}
	if s.Outstanding() != 3 {
		t.Errorf("Outstanding = %d", s.Outstanding())
	}
	for _, bad := range []uint64{3, 1 << 16, 1 << 63} {
		if s.Put(bad) {
			t.Errorf("Put(%d) of an id never handed out succeeded", bad)
		}
	}
	if !s.Put(1) || s.Put(1) {
		t.Errorf("Put(1) twice: want true then false")
	}
	if s.Busy(1) || !s.Busy(2) {
		t.Errorf("Busy wrong")
	}
	if id, ok := s.Get(); !ok || id != 1 {
		t.Errorf("Get after Put(1) = %d, %v", id, ok)
	}
}

// FuzzFrontResponses lets the fuzzer drive a ring from both sides: each
// script byte either posts requests or has the backend answer, skip, or
// store an arbitrary producer index. The frontend must never hand out
// more responses than requests, never panic, and stop at a broken ring.
func FuzzFrontResponses(f *testing.F) {
	f.Add([]byte{0x05, 0x83, 0x84})
	f.Add([]byte{0x7f, 0x7f, 0x7f, 0x7f, 0xff, 0xff})
	f.Add([]byte{0x02, 0x40, 0x10})
	f.Add([]byte{0x01, 0x41, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, script []byte) {
		fr, b := newPair(t, 0)
		var buf [entry]byte
		taken, pushed := 0, 0
		for len(script) > 0 {
			op := script[0]
			script = script[1:]
			switch op >> 6 {
			case 0: // frontend posts op&0x3f requests
				for i := 0; i < int(op&0x3f); i++ {
					if _, _, ok := fr.Request(); ok {
						pushed++
					}
				}
				fr.Push()
			case 1: // backend stores a raw producer index
				if len(script) >= 4 {
					b.SetRspProd(binary.LittleEndian.Uint32(script))
					script = script[4:]
				}
			default: // backend answers up to op&0x3f requests
				for i := 0; i < int(op&0x3f); i++ {
					if _, ok := b.Request(buf[:]); !ok {
						break
					}
					b.Response()
				}
				b.Push()
			}
			for i := 0; i < 2*fr.Size(); i++ {
				if _, ok := fr.Response(buf[:]); !ok {
					break
				}
				taken++
			}
			if taken > pushed {
				t.Fatalf("%d responses taken for %d requests", taken, pushed)
			}
			if fr.Outstanding() < 0 || fr.Outstanding() > fr.Size() || fr.Free() < 0 {
				t.Fatalf("Outstanding %d Free %d", fr.Outstanding(), fr.Free())
			}
		}
	})
}
