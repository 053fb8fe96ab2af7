// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/sys"
)

// GICRouteAcrossCPUs routes the SPIs with interrupt IDs first to
// first+n-1, which no device should drive, from n goroutines at once,
// as drivers set up on first use on several CPUs do, and checks the
// result: each SPI has a line of its own that maps back to it,
// configured level-sensitive and, on a GICv3, in group 1. It returns
// how many CPUs the goroutines ran on, and the ID of the first SPI
// found wrong with what is wrong with it. The SPIs stay routed and
// masked.
func GICRouteAcrossCPUs(first uint32, n int) (ncpu int, spi uint32, bad string) {
	if mach.name() != "virt" {
		return 0, 0, "not on QEMU's virt machine: " + mach.name()
	}
	st := new(gicRace)
	st.first, st.n = first, uint32(n)
	st.lines = make([]int, n)
	for k := range n {
		go st.run(k)
	}
	for st.done.Load() < st.n {
		Gosched()
	}
	ncpu = sys.OnesCount64(atomic.Load64(&st.cpus))
	for k := range n {
		id := first + uint32(k)
		line := st.lines[k]
		switch {
		case line == 0:
			return ncpu, id, "got no line"
		case gicLineOf(id) != line:
			return ncpu, id, "shares its line with another"
		case gicRead(gic.dist, gicdICFGR+uintptr(id/16)*4)&(2<<(2*(id%16))) != 0:
			return ncpu, id, "is not level-sensitive"
		case gic.v3 && gicRead(gic.dist, gicdIGROUPR+uintptr(id/32)*4)&(1<<(id%32)) == 0:
			return ncpu, id, "is not in group 1"
		}
	}
	return ncpu, 0, ""
}

// gicRace is the state of GICRouteAcrossCPUs's goroutines.
type gicRace struct {
	first, n    uint32
	lines       []int
	ready, done atomic.Uint32
	cpus        uint64 // the CPUs the goroutines routed on (atomic)
}

func (st *gicRace) run(k int) {
	st.ready.Add(1)
	// Wait until every goroutine has started and this one stands on a
	// CPU that no other has claimed, so that they route on several
	// CPUs at once. Having been seen on two CPUs is not enough: each
	// Gosched may move a goroutine back to the CPU the others are on.
	// Nothing between the claim and the routing can reschedule, so
	// the claimed CPU is the one that routes. After a second, route
	// anyway: the test reports on how many CPUs the routing ran.
	deadline := nanotime() + 1e9
	for {
		if st.ready.Load() == st.n {
			bit := uint64(1) << (getg().m.threadCPU & 63)
			old := atomic.Load64(&st.cpus)
			if old&bit == 0 && atomic.Cas64(&st.cpus, old, old|bit) {
				break
			}
			if nanotime() > deadline {
				atomic.Or64(&st.cpus, bit)
				break
			}
		}
		// Not a bare spin: functions of package runtime are never
		// preempted, and a goroutine still to start may need this
		// CPU.
		Gosched()
	}
	st.lines[k] = gicRouteSPI(st.first + uint32(k))
	st.done.Add(1)
}
