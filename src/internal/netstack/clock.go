// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package netstack

// The stack's clock. The stack serves every goroutine, as a kernel
// would, and its time must be the machine's even when a goroutine in a
// testing/synctest bubble calls into it: package time gives such a
// goroutine the bubble's fake time, and timers it makes run on that
// time. So the clock reads the runtime's clocks directly, and makes,
// stops and resets its timers outside the caller's bubble.

import (
	"internal/synctest"
	"time"
	"unsafe"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// These are pushed here by the runtime: the machine's clocks, and fn
// run with the calling goroutine outside its bubble.
func runtimeNanotime() int64
func runtimeWalltime() (sec int64, nsec int32)
func unbubbled(fn func())

type realClock struct{}

func (realClock) Now() time.Time {
	sec, nsec := runtimeWalltime()
	return time.Unix(sec, int64(nsec))
}

// NowMonotonic makes the reading from the nanoseconds directly. The
// stack reads this clock several times per segment, and the exported
// way, MonotonicTime{}.Add, goes through time.Time's arithmetic, which
// cost more than the clock read itself: 3% of the guest's time under
// an HTTP load.
func (realClock) NowMonotonic() tcpip.MonotonicTime {
	return monotonicTime(runtimeNanotime())
}

// monotonicTime returns the MonotonicTime of ns nanoseconds, whose one
// field is those nanoseconds (clock_test.go checks it against
// MonotonicTime.Add).
func monotonicTime(ns int64) tcpip.MonotonicTime {
	return *(*tcpip.MonotonicTime)(unsafe.Pointer(&ns))
}

// A MonotonicTime is 8 bytes, as an int64.
var (
	_ [unsafe.Sizeof(tcpip.MonotonicTime{}) - 8]struct{}
	_ [8 - unsafe.Sizeof(tcpip.MonotonicTime{})]struct{}
)

func (realClock) AfterFunc(d time.Duration, f func()) tcpip.Timer {
	if !synctest.IsInBubble() {
		return realTimer{time.AfterFunc(d, f)}
	}
	var t *time.Timer
	unbubbled(func() { t = time.AfterFunc(d, f) })
	return realTimer{t}
}

// realTimer is a timer made outside any bubble.
type realTimer struct{ t *time.Timer }

func (r realTimer) Stop() bool {
	if !synctest.IsInBubble() {
		return r.t.Stop()
	}
	var stopped bool
	unbubbled(func() { stopped = r.t.Stop() })
	return stopped
}

func (r realTimer) Reset(d time.Duration) {
	if !synctest.IsInBubble() {
		r.t.Reset(d)
		return
	}
	unbubbled(func() { r.t.Reset(d) })
}
