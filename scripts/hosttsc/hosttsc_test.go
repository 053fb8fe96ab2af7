// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package hosttsc

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKHz measures the host's TSC, and takes a second call's
// answer from the cache.
func TestKHz(t *testing.T) {
	if !haveTSC {
		t.Skip("no TSC on this host's architecture")
	}
	dir := t.TempDir()
	khz := KHz(dir)
	// Any x86 CPU of the last twenty years: between 500 MHz and 10 GHz.
	if khz < 500_000 || khz > 10_000_000 {
		t.Fatalf("host TSC: %d kHz, not a plausible frequency", khz)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tsc-khz-*"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	if err := os.WriteFile(files[0], []byte("1234567\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := KHz(dir); got != 1234567 {
		t.Errorf("second call: %d kHz, want the cached 1234567", got)
	}
}
