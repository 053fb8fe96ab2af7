// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import (
	"internal/runtime/atomic"
	_ "unsafe" // for go:linkname
)

// The scheduler's idle point. With one CPU and one M, findRunnable
// calls netpoll(delay) when no goroutine can run and a timer is
// pending (or a goroutine waits for I/O): this is where the CPU waits,
// as on wasip1. Waiting here rather than in stopm keeps checkdead from
// declaring a deadlock while work is still due.
//
// The machine-specific idleWait does the waiting. Goroutines waiting
// for a device interrupt (irq_unikernel.go) are netpoll waiters: netpoll
// readies them when their interrupt fires.
//
// With no sysmon, this is also where a GC is forced when none has run
// for forcegcperiod, as sysmon does: an idle program still returns to
// a collected heap.

func netpollinit() {}

func netpollIsPollDescriptor(fd uintptr) bool {
	return false
}

// Descriptors do not wait in netpoll: package syscall's sockets call
// syscall.netpollReady when the TCP/IP stack reports an event, and it
// readies the goroutines waiting on the descriptor's pollDesc at once,
// as netpoll does with what epoll returns on Linux. Readiness is edge
// triggered, as with EPOLLET: package internal/poll tries the call
// first and waits only after EAGAIN.
var netpollFDs struct {
	lock mutex
	pds  []*pollDesc // by descriptor
}

func netpollopen(fd uintptr, pd *pollDesc) int32 {
	lock(&netpollFDs.lock)
	for uintptr(len(netpollFDs.pds)) <= fd {
		netpollFDs.pds = append(netpollFDs.pds, nil)
	}
	netpollFDs.pds[fd] = pd
	// Events before now went nowhere: package net connects a socket
	// and only then registers it, and the connection may be made in
	// between. epoll reports a descriptor's state when it is added;
	// here it is reported ready both ways, which internal/poll takes
	// as a hint: it tries the call, and waits again on EAGAIN (or, for
	// a connect, on a socket not yet connected).
	var list gList
	netpollready(&list, pd, 'r'+'w')
	unlock(&netpollFDs.lock)
	return 0
}

func netpollclose(fd uintptr) int32 {
	lock(&netpollFDs.lock)
	if fd < uintptr(len(netpollFDs.pds)) {
		netpollFDs.pds[fd] = nil
	}
	unlock(&netpollFDs.lock)
	return 0
}

// syscall_netpollReady readies the goroutines waiting to read ('r'),
// write ('w') or both ('r'+'w') on descriptor fd. A descriptor the
// poller does not know is ignored; with no goroutine waiting, the
// readiness is kept for the next wait. It runs on a goroutine, not in
// the scheduler. The lock keeps netpollclose from freeing the pollDesc
// under it.
//
//go:linkname syscall_netpollReady syscall.netpollReady
func syscall_netpollReady(fd uintptr, mode int32) {
	var list gList
	lock(&netpollFDs.lock)
	if fd < uintptr(len(netpollFDs.pds)) {
		if pd := netpollFDs.pds[fd]; pd != nil {
			netpollAdjustWaiters(netpollready(&list, pd, mode))
		}
	}
	unlock(&netpollFDs.lock)
	for !list.empty() {
		goready(list.pop(), 0)
	}
}

func netpollarm(pd *pollDesc, mode int) {}

// netpollWakeSig is set by netpollBreak to end a wait early.
var netpollWakeSig atomic.Uint32

func netpollBreak() {
	netpollWakeSig.Store(1)
}

// netpoll waits up to delay nanoseconds (forever if delay < 0) for
// work and returns the goroutines it readied.
func netpoll(delay int64) (gList, int32) {
	var list gList
	now := nanotime()
	delta := irqPoll(&list, now)
	if forceGC(now, &list) || delay == 0 || !list.empty() {
		return list, delta
	}
	until := int64(-1)
	if delay > 0 {
		until = now + delay
		if until < 0 {
			until = -1 // overflow: wait without a deadline
		}
	}
	// Wake up for the next forced GC, if one is due.
	if lastgc := int64(atomic.Load64(&memstats.last_gc_nanotime)); lastgc != 0 && gcController.gcPercent.Load() >= 0 {
		if next := lastgc + forcegcperiod + 1; next > now && (until < 0 || next < until) {
			until = next
		}
	}
	if next := nextNoteDeadline(); next >= 0 && (until < 0 || next < until) {
		until = next
	}
	if next := irqNextDeadline(); next >= 0 && (until < 0 || next < until) {
		until = next
	}
	idleWait(until)
	netpollWakeSig.Store(0)
	now = nanotime()
	forceGC(now, &list)
	delta += irqPoll(&list, now)
	return list, delta
}

// forceGC adds the forced-GC goroutine to list if a periodic GC is
// due, and reports whether it did.
func forceGC(now int64, list *gList) bool {
	if t := (gcTrigger{kind: gcTriggerTime, now: now}); !t.test() || !forcegc.idle.Load() {
		return false
	}
	lock(&forcegc.lock)
	forcegc.idle.Store(false)
	list.push(forcegc.g)
	unlock(&forcegc.lock)
	return true
}
