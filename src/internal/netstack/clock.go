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
	_ "unsafe" // for go:linkname

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

func (realClock) NowMonotonic() tcpip.MonotonicTime {
	return tcpip.MonotonicTime{}.Add(time.Duration(runtimeNanotime()))
}

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
