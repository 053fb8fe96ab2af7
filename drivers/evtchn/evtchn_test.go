// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package evtchn

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"mirago.dev/sys/xen"
)

// fakeXen plays the hypervisor's side of the 2-level ABI on a
// shared_info in Go memory.
type fakeXen struct {
	si      *xen.SharedInfo
	next    uint32
	sent    []uint32
	closed  []uint32
	upcalls atomic.Int64
	mu      sync.Mutex
	fail    error
}

func newFake() *fakeXen {
	x := &fakeXen{si: new(xen.SharedInfo), next: 5}
	for i := range x.si.EvtchnMask {
		x.si.EvtchnMask[i] = ^uint64(0) // every port starts masked
	}
	return x
}

// raise marks port pending as Xen does: pending bit, then, if the port
// is unmasked, the selector bit and the vCPU's upcall flag.
func (x *fakeXen) raise(port uint32) {
	w, b := port/64, uint64(1)<<(port%64)
	if atomic.OrUint64(&x.si.EvtchnPending[w], b)&b != 0 {
		return // already pending: no new edge
	}
	if atomic.LoadUint64(&x.si.EvtchnMask[w])&b != 0 {
		return
	}
	atomic.OrUint64(&x.si.VCPUInfo[0].EvtchnPendingSel, uint64(1)<<w)
	atomic.OrUint32((*uint32)(unsafe.Pointer(&x.si.VCPUInfo[0].EvtchnUpcallPending)), 1)
	x.upcalls.Add(1)
}

func (x *fakeXen) AllocUnbound(remote uint16) (uint32, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.fail != nil {
		return 0, x.fail
	}
	p := x.next
	x.next += 60 // spread over several words
	return p, nil
}

func (x *fakeXen) Send(port uint32) error {
	x.mu.Lock()
	x.sent = append(x.sent, port)
	x.mu.Unlock()
	return nil
}

func (x *fakeXen) Unmask(port uint32) error {
	w, b := port/64, uint64(1)<<(port%64)
	atomic.AndUint64(&x.si.EvtchnMask[w], ^b)
	if atomic.LoadUint64(&x.si.EvtchnPending[w])&b != 0 {
		atomic.OrUint64(&x.si.VCPUInfo[0].EvtchnPendingSel, uint64(1)<<w)
		atomic.OrUint32((*uint32)(unsafe.Pointer(&x.si.VCPUInfo[0].EvtchnUpcallPending)), 1)
	}
	return nil
}

func (x *fakeXen) Close(port uint32) error {
	x.mu.Lock()
	x.closed = append(x.closed, port)
	x.mu.Unlock()
	return nil
}

func TestDeliver(t *testing.T) {
	x := newFake()
	tab := New(x.si, x)
	var ports []*Port
	for i := 0; i < 3; i++ {
		ev, err := tab.AllocUnbound(0)
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, ev.(*Port))
	}
	if ports[0].Port() != 5 || ports[2].Port() != 125 {
		t.Errorf("ports %d, %d", ports[0].Port(), ports[2].Port())
	}
	x.raise(65)
	x.raise(125)
	x.raise(300) // nobody's
	x.raise(1)   // masked
	if n := tab.Scan(); n != 2 {
		t.Errorf("Scan found %d events; want 2", n)
	}
	if x.si.VCPUInfo[0].EvtchnUpcallPending != 0 || x.si.VCPUInfo[0].EvtchnPendingSel != 0 {
		t.Errorf("upcall flag or selector left set")
	}
	if ports[0].Wait(0) || !ports[1].Wait(0) || !ports[2].Wait(0) {
		t.Errorf("wrong ports woken")
	}
	if ports[1].Wait(0) {
		t.Errorf("one event woke Wait twice")
	}
	// The masked port stays pending, undelivered, until unmasked.
	if _, err := tab.Bind(1); err != nil {
		t.Fatal(err)
	}
	if n := tab.Scan(); n != 1 {
		t.Errorf("after Bind(1): Scan = %d; want 1", n)
	}
	ports[0].Notify()
	if len(x.sent) != 1 || x.sent[0] != 5 {
		t.Errorf("sent %v", x.sent)
	}
	ports[0].Close()
	x.raise(5)
	tab.Scan()
	if s := tab.Stats(); s.Unbound != 1 || s.Delivered != 3 {
		t.Errorf("stats %+v", s)
	}
	for _, bad := range []uint32{0, xen.Evtchn2LNrChannels} {
		if _, err := tab.Bind(bad); err != ErrPort {
			t.Errorf("Bind(%d) = %v", bad, err)
		}
	}
	x.fail = errors.New("no")
	if _, err := tab.AllocUnbound(0); err == nil {
		t.Errorf("AllocUnbound did not fail")
	}
}

func TestWaitTimeout(t *testing.T) {
	x := newFake()
	tab := New(x.si, x)
	p, _ := tab.Bind(7)
	start := time.Now()
	if p.Wait(20 * time.Millisecond) {
		t.Errorf("Wait without an event returned true")
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Errorf("returned early")
	}
	var hits atomic.Int32
	p.OnEvent(func() { hits.Add(1) })
	go func() {
		time.Sleep(10 * time.Millisecond)
		x.raise(7)
		tab.Scan()
	}()
	if !p.Wait(time.Second) || hits.Load() != 1 {
		t.Errorf("Wait missed the event (hits %d)", hits.Load())
	}
}

// TestNoLostEvents raises events on many ports from one goroutine while
// another scans, as the upcall would: every port raised is delivered.
// Run with -race.
func TestNoLostEvents(t *testing.T) {
	x := newFake()
	tab := New(x.si, x)
	const nports = 200
	var got [nports + 1]atomic.Int32
	for port := uint32(1); port <= nports; port++ {
		p, _ := tab.Bind(port)
		p.OnEvent(func() { got[port].Add(1) })
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for round := 0; round < 20; round++ {
			for port := uint32(1); port <= nports; port++ {
				x.raise(port)
			}
		}
	}()
	for {
		select {
		case <-done:
			tab.Scan()
			for port := 1; port <= nports; port++ {
				if got[port].Load() == 0 {
					t.Errorf("port %d never delivered", port)
				}
			}
			return
		default:
			tab.Scan()
		}
	}
}
