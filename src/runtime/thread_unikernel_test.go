// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime_test

import (
	"runtime"
	"testing"
)

// A trap handler on an idle CPU runs as the CPU's idle M, and may wait
// for a runtime lock: when an NMI asks for the goroutines' stacks, the
// CPUs that take it at once each print a line, and wait in turn for
// the print lock. The M that waits must be found again where the lock
// keeps its waiters, or that CPU is never woken and the dump hangs.
func TestIdleMsOnMutexWaitList(t *testing.T) {
	n, lost := runtime.IdleMsOnWaitList()
	if n == 0 {
		t.Fatal("no CPU has an idle M")
	}
	if len(lost) > 0 {
		t.Fatalf("%d CPUs have an idle M; a mutex's wait list loses those of CPUs %v", n, lost)
	}
	t.Logf("%d CPUs have an idle M; a mutex's wait list finds each", n)
}
