// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package httpd

import (
	"encoding/json"
	"runtime"
	"testing"
)

func TestGCPauses(t *testing.T) {
	runtime.GC()
	runtime.GC()
	s := GCPauses()
	var m map[string]float64
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	// Each cycle stops the world twice: sweep termination and mark
	// termination.
	if m["gcs"] < 2 || m["pauses"] < 4 || m["p50_us"] <= 0 || m["p99_us"] < m["p50_us"] || m["max_us"] < m["p99_us"] {
		t.Errorf("after two GCs: %s", s)
	}
}
