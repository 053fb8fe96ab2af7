// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import (
	"internal/runtime/atomic"
	"unsafe"
)

// Device interrupts, for drivers in the standard library.
//
// A driver runs in a goroutine, not in the interrupt handler: the
// platform's handler only silences the line and records that it
// fired, and the goroutine that waits for it (waitIRQ) does the work.
// This is the split Linux makes between a hard interrupt handler and a
// threaded one, and it keeps the handler free of driver code, locks and
// allocation.
//
// A waiting goroutine is parked like one waiting in the network poller,
// and is counted in netpollWaiters, so the scheduler polls for it
// (netpoll calls irqPoll) and halts in netpoll rather than declaring a
// deadlock while it waits. The handler also ends an idle halt early
// (netpollBreak), so a wakeup is never lost between a look at the
// pending bits and the halt.
//
// Lines are numbered from 1 to maxIRQLine (0 is no line). The platform
// decides what a line is: an I/O APIC input routed to a vector on a PC
// (ioapic_xen_amd64.go), an event channel on Xen. Its interrupt handler
// disables the line and calls irqRaised; mach.lineEnable enables it
// again.

const maxIRQLine = 63

var (
	// irqPendingBits has bit i set when line i fired and its waiter
	// has not seen it yet. The handler sets bits; waitIRQ clears them.
	irqPendingBits uint64

	// irqWaiters are the goroutines parked in waitIRQ, one per line,
	// under irqLock: any M may poll for them.
	irqLock       mutex
	irqWaiters    [maxIRQLine + 1]irqWaiter
	irqNumWaiters int
)

type irqWaiter struct {
	gp       guintptr
	deadline int64  // when it gives up; -1: never
	bit      uint64 // its line's bit in irqPending
}

// irqRaised records that line i fired. It runs in the interrupt
// handler, with interrupts off.
func irqRaised(i int) {
	atomic.Or64(&irqPendingBits, 1<<i)
	netpollBreak()
}

// irqTake reports whether line i fired since the last call, and
// clears the record.
func irqTake(i int) bool {
	bit := uint64(1) << i
	if atomic.Load64(&irqPendingBits)&bit == 0 {
		return false
	}
	atomic.And64(&irqPendingBits, ^bit)
	return true
}

// devices_waitIRQ waits until the interrupt on line i fires, or for
// timeout nanoseconds (for ever if timeout < 0), and reports whether it
// fired. It first re-enables the line, which the handler masked; a
// device that still holds its level-triggered line up (its interrupt
// not yet acknowledged) makes it fire again at once. An interrupt that
// fired since the last wait ends this one immediately too. So a driver
// that looks for work, waits, then acknowledges the device, and looks
// again, misses nothing (see package internal/devices).
//
// One goroutine at a time may wait for a given line.
//
//go:linkname devices_waitIRQ internal/devices.waitIRQ
func devices_waitIRQ(i int, timeout int64) bool {
	if i <= 0 || i > maxIRQLine || !mach.lineRouted(i) {
		return false
	}
	mach.lineEnable(i)
	if irqTake(i) {
		return true
	}
	if timeout == 0 {
		return false
	}
	w := &irqWaiters[i]
	deadline := int64(-1)
	if timeout > 0 {
		deadline = nanotime() + timeout
	}
	lock(&irqLock)
	if w.gp != 0 || w.bit != 0 {
		throw("waitIRQ: two goroutines wait for one interrupt")
	}
	w.bit = 1 << i
	w.deadline = deadline
	unlock(&irqLock)
	netpollGenericInit()
	gopark(irqParkCommit, unsafe.Pointer(w), waitReasonIOWait, traceBlockNet, 1)
	return irqTake(i)
}

// irqParkCommit parks gp in irqWaiters unless the interrupt came while
// it was on its way there. It runs on g0 after gp stopped running.
func irqParkCommit(gp *g, p unsafe.Pointer) bool {
	w := (*irqWaiter)(p)
	lock(&irqLock)
	if atomic.Load64(&irqPendingBits)&w.bit != 0 {
		w.bit = 0
		unlock(&irqLock)
		return false
	}
	w.gp.set(gp)
	irqNumWaiters++
	unlock(&irqLock)
	netpollAdjustWaiters(1)
	return true
}

// irqPoll adds to list the waiters whose interrupt fired or whose time
// is up at now, and returns the change to netpollWaiters.
func irqPoll(list *gList, now int64) int32 {
	if irqNumWaiters == 0 {
		return 0
	}
	lock(&irqLock)
	defer unlock(&irqLock)
	pending := atomic.Load64(&irqPendingBits)
	delta := int32(0)
	for i := range irqWaiters {
		w := &irqWaiters[i]
		if w.gp == 0 {
			continue
		}
		if pending&w.bit != 0 || w.deadline >= 0 && now >= w.deadline {
			list.push(w.gp.ptr())
			w.gp = 0
			w.bit = 0
			irqNumWaiters--
			delta--
		}
	}
	return delta
}

// irqNextDeadline returns the earliest deadline of a waiter, or -1.
func irqNextDeadline() int64 {
	lock(&irqLock)
	defer unlock(&irqLock)
	next := int64(-1)
	for i := range irqWaiters {
		if w := &irqWaiters[i]; w.gp != 0 && w.deadline >= 0 && (next < 0 || w.deadline < next) {
			next = w.deadline
		}
	}
	return next
}

// irqReadyWaiters readies, from a running goroutine, the waiters that
// irqPoll finds, so that a device waiter need not wait for the
// scheduler to go idle while other goroutines keep it busy.
func irqReadyWaiters() {
	if irqNumWaiters == 0 {
		return
	}
	pollDevices()
	var list gList
	delta := irqPoll(&list, nanotime())
	for !list.empty() {
		goready(list.pop(), 1)
	}
	netpollAdjustWaiters(delta)
}
