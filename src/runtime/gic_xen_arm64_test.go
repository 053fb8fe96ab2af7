// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime_test

import (
	"runtime"
	"testing"
)

// Drivers route their interrupts when they are first used, so several
// CPUs may route at once: each SPI must still get a line of its own,
// and the distributor registers that several SPIs share must keep
// every CPU's bits.
func TestGICRouteAcrossCPUs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs")
	}
	// One goroutine per CPU, each routing one of the SPIs with
	// interrupt IDs 200 and up: QEMU's virt machine wires none of
	// them, and they share their distributor registers.
	const first = 200
	n := runtime.NumCPU()
	ncpu, spi, bad := runtime.GICRouteAcrossCPUs(first, n)
	if ncpu < 2 {
		t.Fatalf("the %d goroutines ran on %d CPU", n, ncpu)
	}
	if bad != "" {
		t.Fatalf("%d SPIs routed by goroutines on %d CPUs: interrupt %d %s", n, ncpu, spi, bad)
	}
	t.Logf("%d SPIs routed at once by goroutines on %d CPUs, each to a line of its own", n, ncpu)
}
