// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package evtchn delivers Xen event channels, 2-level ABI
// (xen/include/public/event_channel.h, the pending and mask bitmaps of
// struct shared_info in xen.h), to goroutines: it implements the
// xenring.EventChannel and xenring.EventChannels interfaces the
// frontends use, on top of four hypercalls the runtime provides (Ops)
// and the shared_info page it maps.
//
// The division of work with the runtime: Xen raises the upcall vector
// (HVM_PARAM_CALLBACK_IRQ) when a port becomes pending; the runtime's
// handler only wakes a goroutine (as it does for a virtio interrupt),
// and that goroutine calls Table.Scan, which finds the pending ports,
// clears their bits and wakes whoever waits on each.
//
// Scanning, as xen.h describes the 2-level ABI for one vCPU: clear
// vcpu_info.evtchn_upcall_pending first, then take (atomically swap to
// zero) evtchn_pending_sel, whose bit i says word i of evtchn_pending
// may hold pending ports; for each, take the bits pending and not
// masked, clearing each pending bit atomically before delivering it, so
// an event that arrives during the scan sets the bits again and is seen
// by this scan or the next upcall.
package evtchn

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"mirago.dev/drivers/xenring"
	"mirago.dev/sys/xen"
)

// Ops are the event-channel hypercalls (HYPERVISOR_event_channel_op).
type Ops interface {
	// AllocUnbound is EVTCHNOP_alloc_unbound for domain DOMID_SELF.
	AllocUnbound(remote uint16) (port uint32, err error)
	// Send is EVTCHNOP_send.
	Send(port uint32) error
	// Unmask is EVTCHNOP_unmask: clears the port's mask bit and
	// raises the upcall if the port is pending.
	Unmask(port uint32) error
	// Close is EVTCHNOP_close.
	Close(port uint32) error
}

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

// ErrPort is returned for a port outside the 2-level ABI's range.
const ErrPort = Error("evtchn: port out of range")

// Stats counts the table's events.
type Stats struct {
	Scans     uint64
	Delivered uint64 // events handed to a bound port
	Unbound   uint64 // events on ports nobody bound
}

// Table is the domain's event channels on vCPU 0.
type Table struct {
	si  *xen.SharedInfo
	ops Ops

	mu    sync.Mutex
	ports map[uint32]*Port
	stats Stats
}

var _ xenring.EventChannels = (*Table)(nil)

// New returns a table over the mapped shared_info page.
func New(si *xen.SharedInfo, ops Ops) *Table {
	return &Table{si: si, ops: ops, ports: make(map[uint32]*Port)}
}

// Port is a bound event channel. It implements xenring.EventChannel.
type Port struct {
	t    *Table
	port uint32
	ch   chan struct{}
	fn   func()
}

var _ xenring.EventChannel = (*Port)(nil)

// AllocUnbound allocates a port for domain remote to bind to, binds it
// here and unmasks it.
func (t *Table) AllocUnbound(remote uint16) (xenring.EventChannel, error) {
	port, err := t.ops.AllocUnbound(remote)
	if err != nil {
		return nil, err
	}
	p, err := t.Bind(port)
	if err != nil {
		t.ops.Close(port)
		return nil, err
	}
	return p, nil
}

// Bind delivers events on an existing port (the xenstore or console
// port from the HVM parameters) and unmasks it.
func (t *Table) Bind(port uint32) (*Port, error) {
	if port == 0 || port >= xen.Evtchn2LNrChannels {
		return nil, ErrPort
	}
	p := &Port{t: t, port: port, ch: make(chan struct{}, 1)}
	t.mu.Lock()
	t.ports[port] = p
	t.mu.Unlock()
	if err := t.ops.Unmask(port); err != nil {
		t.mu.Lock()
		delete(t.ports, port)
		t.mu.Unlock()
		return nil, err
	}
	return p, nil
}

// Stats returns a copy of the counters.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// Scan delivers every pending, unmasked event and returns how many it
// found. Call it after each upcall, and whenever a wait times out if
// upcalls may be lost.
func (t *Table) Scan() int {
	vi := &t.si.VCPUInfo[0]
	clearUpcallPending(vi)
	n := 0
	sel := atomic.SwapUint64(&vi.EvtchnPendingSel, 0)
	for sel != 0 {
		i := bits.TrailingZeros64(sel)
		sel &= sel - 1
		for {
			ready := atomic.LoadUint64(&t.si.EvtchnPending[i]) &^ atomic.LoadUint64(&t.si.EvtchnMask[i])
			if ready == 0 {
				break
			}
			j := bits.TrailingZeros64(ready)
			atomic.AndUint64(&t.si.EvtchnPending[i], ^(uint64(1) << j))
			t.deliver(uint32(i*64 + j))
			n++
		}
	}
	t.mu.Lock()
	t.stats.Scans++
	t.mu.Unlock()
	return n
}

// clearUpcallPending clears vcpu_info's evtchn_upcall_pending byte.
// sync/atomic has no 8-bit operations, so it swaps the aligned word
// holding it (pending, mask and two bytes of padding); the mask byte is
// kept as read.
func clearUpcallPending(vi *xen.VCPUInfo) {
	w := (*uint32)(unsafe.Pointer(&vi.EvtchnUpcallPending))
	for {
		old := atomic.LoadUint32(w)
		if old&0xff == 0 || atomic.CompareAndSwapUint32(w, old, old&^0xff) {
			return
		}
	}
}

func (t *Table) deliver(port uint32) {
	t.mu.Lock()
	p := t.ports[port]
	if p == nil {
		t.stats.Unbound++
		t.mu.Unlock()
		return
	}
	t.stats.Delivered++
	fn := p.fn
	t.mu.Unlock()
	if fn != nil {
		fn()
	}
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

// Port returns the port number.
func (p *Port) Port() uint32 { return p.port }

// Notify sends an event to the remote end.
func (p *Port) Notify() { p.t.ops.Send(p.port) }

// OnEvent sets a function that Scan calls for each event on the port,
// besides waking Wait. It must not block.
func (p *Port) OnEvent(fn func()) {
	p.t.mu.Lock()
	p.fn = fn
	p.t.mu.Unlock()
}

// Wait waits for an event delivered since the last Wait, up to timeout.
func (p *Port) Wait(timeout time.Duration) bool {
	select {
	case <-p.ch:
		return true
	default:
	}
	if timeout <= 0 {
		return false
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.ch:
		return true
	case <-t.C:
		return false
	}
}

// Close unbinds and closes the port.
func (p *Port) Close() error {
	p.t.mu.Lock()
	delete(p.t.ports, p.port)
	p.t.mu.Unlock()
	return p.t.ops.Close(p.port)
}
