// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import (
	"internal/runtime/atomic"
	_ "unsafe" // for go:linkname
)

// The network poller. Goroutines waiting for a device interrupt
// (irq_unikernel.go) are its waiters: netpoll readies them when their
// interrupt fires. The M that findRunnable sends to wait in netpoll
// blocks (futexsleep) until an interrupt handler or another M calls
// netpollBreak, or its delay is up, as it blocks in epoll_wait on
// Linux; the CPU meanwhile runs other threads, or halts.

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

// netpollWakeSig is set by netpollBreak to end a wait early; netpoll
// waits on it.
var netpollWakeSig uint32

func netpollBreak() {
	if atomic.Cas(&netpollWakeSig, 0, 1) {
		futexwakeup(&netpollWakeSig, 1)
	}
}

// netpoll waits up to delay nanoseconds (forever if delay < 0) for
// work and returns the goroutines it readied.
func netpoll(delay int64) (gList, int32) {
	var list gList
	now := nanotime()
	delta := irqPoll(&list, now)
	if delay == 0 || !list.empty() {
		return list, delta
	}
	if next := irqNextDeadline(); next >= 0 && (delay < 0 || next-now < delay) {
		delay = max(next-now, 1)
	}
	if atomic.Load(&netpollWakeSig) == 0 {
		futexsleep(&netpollWakeSig, 0, delay)
	}
	atomic.Store(&netpollWakeSig, 0)
	delta += irqPoll(&list, nanotime())
	return list, delta
}
