// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime_test

import (
	"runtime"
	"testing"
)

// An I/O APIC register is reached through an index register and a data
// window, so two CPUs that use them at once must not interleave: one
// CPU's driver unmasks its line while another CPU's handler masks
// another line, and either write may land on the other's pin.
func TestIOAPICPinsAcrossCPUs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs")
	}
	pins, ncpu, torn, err := runtime.IOAPICPinsAcrossCPUs(20000)
	if err != "" {
		t.Fatal(err)
	}
	if ncpu < 2 {
		t.Fatalf("the two goroutines ran on %d CPU", ncpu)
	}
	if torn > 0 {
		t.Fatalf("pins %d and %d, set by two goroutines on %d CPUs: %d of 40000 read-backs found another value than the one written", pins[0], pins[1], ncpu, torn)
	}
	t.Logf("pins %d and %d, each set 20000 times by its own goroutine, on %d CPUs", pins[0], pins[1], ncpu)
}
