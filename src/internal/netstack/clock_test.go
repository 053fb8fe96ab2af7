// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package netstack

import (
	"math"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
)

func TestMonotonicTime(t *testing.T) {
	for _, ns := range []int64{0, 1, 999_999_999, 1e9, 3_600e9 + 7, math.MaxInt64 / 2} {
		want := tcpip.MonotonicTime{}.Add(time.Duration(ns))
		if got := monotonicTime(ns); got != want {
			t.Errorf("monotonicTime(%d) = %v, want %v", ns, got, want)
		}
	}
	var c realClock
	a := c.NowMonotonic()
	time.Sleep(time.Millisecond)
	if d := c.NowMonotonic().Sub(a); d < time.Millisecond || d > time.Minute {
		t.Errorf("NowMonotonic advanced %v over a 1ms sleep", d)
	}
}
