// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenringtest provides fake event channels for host tests of
// Xen frontends: pairs of ends joined as an interdomain channel is, an
// allocator a fake backend binds to, and a clock (Now). Only tests use
// it, so unlike the drivers it may import time.
package xenringtest

import (
	"sync"
	"sync/atomic"
	"time"

	"mirago.dev/drivers/xenring"
)

// End is one end of a fake interdomain event channel. It implements
// xenring.EventChannel.
type End struct {
	port  uint32
	peer  *End
	ch    chan struct{}
	mu    sync.Mutex
	onEvt func()

	Sent     atomic.Uint64 // Notify calls
	Received atomic.Uint64 // events delivered to this end
}

var _ xenring.EventChannel = (*End)(nil)

// NewPair returns two joined ends with the given port numbers.
func NewPair(portA, portB uint32) (a, b *End) {
	a = &End{port: portA, ch: make(chan struct{}, 1)}
	b = &End{port: portB, ch: make(chan struct{}, 1)}
	a.peer, b.peer = b, a
	return a, b
}

// Port returns the end's port number.
func (e *End) Port() uint32 { return e.port }

// Peer returns the other end.
func (e *End) Peer() *End { return e.peer }

// OnEvent sets a function that runs, in the notifying goroutine, on
// every event sent to this end: how a fake backend reacts to a kick at
// once. Without one, events only wake Wait.
func (e *End) OnEvent(f func()) {
	e.mu.Lock()
	e.onEvt = f
	e.mu.Unlock()
}

// Notify sends an event to the peer.
func (e *End) Notify() {
	e.Sent.Add(1)
	e.peer.deliver()
}

func (e *End) deliver() {
	e.Received.Add(1)
	select {
	case e.ch <- struct{}{}:
	default:
	}
	e.mu.Lock()
	f := e.onEvt
	e.mu.Unlock()
	if f != nil {
		f()
	}
}

// Wait waits for an event sent since the last Wait, up to timeout
// nanoseconds; < 0 waits for ever.
func (e *End) Wait(timeout int64) bool {
	select {
	case <-e.ch:
		return true
	default:
	}
	if timeout == 0 {
		return false
	}
	if timeout < 0 {
		<-e.ch
		return true
	}
	t := time.NewTimer(time.Duration(timeout))
	defer t.Stop()
	select {
	case <-e.ch:
		return true
	case <-t.C:
		return false
	}
}

// epoch is the origin of Now.
var epoch = time.Now()

// Now is a monotonic clock in nanoseconds, built on time.Now, for the
// drivers' clock parameters (xenstore.New, xencons.New).
func Now() int64 { return int64(time.Since(epoch)) }

// Channels is a fake xenring.EventChannels: each AllocUnbound makes a
// pair, whose backend end a fake backend finds with Bind.
type Channels struct {
	mu    sync.Mutex
	next  uint32
	backs map[uint32]*End
	// Fail, if set, is returned by AllocUnbound.
	Fail error
	// Remote records the remote domain of each allocation, by port.
	Remote map[uint32]uint16
}

// AllocUnbound allocates a pair and returns its frontend end.
func (c *Channels) AllocUnbound(remote uint16) (xenring.EventChannel, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Fail != nil {
		return nil, c.Fail
	}
	if c.backs == nil {
		c.backs = make(map[uint32]*End)
		c.Remote = make(map[uint32]uint16)
		c.next = 10
	}
	port := c.next
	c.next++
	front, back := NewPair(port, 1000+port)
	c.backs[port] = back
	c.Remote[port] = remote
	return front, nil
}

// Bind returns the backend end of the channel whose frontend port is
// port, or nil.
func (c *Channels) Bind(port uint32) *End {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.backs[port]
}
