// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"runtime"
	"testing"
)

func TestVersion(t *testing.T) {
	if got := version(); got != 1 {
		t.Errorf("version() = %d, want 1", got)
	}
	t.Logf("GOOS=%s", runtime.GOOS)
}
