// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build smpsweep

package test

import (
	"fmt"
	"testing"
)

// smpSweep is what make test-smp runs on 2 and 4 CPUs: a few minutes
// of QEMU time, too long for every change.
var smpSweep = []string{"runtime", "sync", "sync/atomic", "context", "net/http"}

func TestSMPSweep(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			testStdOnCPUs(t, "xen/amd64", smpSweep, n)
		})
	}
}
