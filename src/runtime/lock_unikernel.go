// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import "unsafe"

// Locks and notes for a single CPU running a single M, as on wasip1.
// A lock is never contended: nothing else runs while it is held, so
// finding it held is a self-deadlock. Waiting happens in the scheduler
// (see netpoll_unikernel.go), never in a lock.

const (
	mutex_unlocked = 0
	mutex_locked   = 1

	active_spin     = 4
	active_spin_cnt = 30

	mutexMLocksDelta = 16
)

type mWaitList struct{}

func lockVerifyMSize() {}

func mutexContended(l *mutex) bool {
	return false
}

func lock(l *mutex) {
	lockWithRank(l, getLockRank(l))
}

func lock2(l *mutex) {
	if l.key == mutex_locked {
		throw("self deadlock")
	}
	gp := getg()
	if gp.m.locks < 0 {
		throw("lock count")
	}
	gp.m.locks += mutexMLocksDelta
	l.key = mutex_locked
}

func unlock(l *mutex) {
	unlockWithRank(l)
}

func unlock2(l *mutex) {
	if l.key == mutex_unlocked {
		throw("unlock of unlocked lock")
	}
	gp := getg()
	gp.m.locks -= mutexMLocksDelta
	if gp.m.locks < 0 {
		throw("lock count")
	}
	l.key = mutex_unlocked
}

// One-time notifications. There is no other thread to wake a sleeping
// M, so notesleep and notetsleep cannot work; notetsleepg, which user
// goroutines call (os/signal's signal_recv, the CPU profile reader),
// parks the goroutine instead of the M, as on js. n.key is 0 (cleared),
// noteWoken, or the parked goroutine.
const noteWoken = 1

func noteclear(n *note) {
	n.key = 0
}

func notewakeup(n *note) {
	old := n.key
	n.key = noteWoken
	switch old {
	case 0:
	case noteWoken:
		throw("notewakeup - double wakeup")
	default:
		goready((*g)(unsafe.Pointer(old)), 1)
	}
}

func notesleep(n *note) {
	throw("notesleep: no other thread on " + GOOS)
}

func notetsleep(n *note, ns int64) bool {
	throw("notetsleep: no other thread on " + GOOS)
	return false
}

// noteWaiters counts the goroutines in untimed notetsleepg.
var noteWaiters int

// noteDeadlines are the notes that goroutines wait on with a timeout,
// for checkTimeouts.
var noteDeadlines [8]struct {
	n        *note
	deadline int64
}

// notetsleepg waits on a user goroutine until n is woken or ns
// nanoseconds have passed (for ever if ns < 0), and reports whether n
// was woken.
func notetsleepg(n *note, ns int64) bool {
	gp := getg()
	if gp == gp.m.g0 {
		throw("notetsleepg on g0")
	}
	if ns < 0 {
		noteWaiters++
		for n.key != noteWoken {
			n.key = uintptr(unsafe.Pointer(gp))
			gopark(nil, nil, waitReasonZero, traceBlockGeneric, 1)
		}
		noteWaiters--
		return true
	}
	slot := -1
	for i := range noteDeadlines {
		if noteDeadlines[i].n == nil {
			slot = i
			break
		}
	}
	if slot < 0 {
		throw("notetsleepg: too many timed waits")
	}
	noteDeadlines[slot].n = n
	noteDeadlines[slot].deadline = nanotime() + ns
	if n.key != noteWoken {
		n.key = uintptr(unsafe.Pointer(gp))
		gopark(nil, nil, waitReasonSleep, traceBlockSleep, 1)
	}
	noteDeadlines[slot].n = nil
	return n.key == noteWoken
}

// checkTimeouts readies the goroutines whose timed note waits expired,
// and those whose device interrupt fired (irq_unikernel.go). The
// scheduler calls it as goroutines park and yield.
func checkTimeouts() {
	irqReadyWaiters()
	now := int64(0)
	for i := range noteDeadlines {
		d := &noteDeadlines[i]
		if d.n == nil || d.n.key == 0 || d.n.key == noteWoken {
			continue
		}
		if now == 0 {
			now = nanotime()
		}
		if now >= d.deadline {
			gp := (*g)(unsafe.Pointer(d.n.key))
			d.n.key = 0 // timed out: not woken
			goready(gp, 1)
		}
	}
}

// nextNoteDeadline returns the earliest deadline of a timed note wait,
// or -1, so that the idle wait ends in time for it.
func nextNoteDeadline() int64 {
	next := int64(-1)
	for i := range noteDeadlines {
		if d := &noteDeadlines[i]; d.n != nil && d.n.key != 0 && d.n.key != noteWoken && (next < 0 || d.deadline < next) {
			next = d.deadline
		}
	}
	return next
}

// beforeIdle waits while goroutines wait on notes. On Linux such a
// goroutine holds a blocked thread, so the program is not deadlocked
// (a program waiting in os/signal waits for ever); here it is parked,
// and checkdead would call it a deadlock. So wait in netpoll, until the
// next timer or note deadline or an interrupt, and look again.
func beforeIdle(now, pollUntil int64) (*g, bool) {
	if noteWaiters == 0 && nextNoteDeadline() < 0 {
		return nil, false
	}
	delay := int64(-1)
	if pollUntil != 0 {
		delay = max(pollUntil-now, 1)
	}
	list, delta := netpoll(delay)
	injectglist(&list)
	netpollAdjustWaiters(delta)
	checkTimeouts()
	return nil, true
}
