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
	var v struct {
		GCs    uint64       `json:"gcs"`
		Pauses [][2]float64 `json:"pauses"`
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	// Each cycle stops the world twice: sweep termination and mark
	// termination.
	n := 0.0
	for _, p := range v.Pauses {
		if p[0] <= 0 || p[1] < 1 {
			t.Errorf("bucket %v: want a positive bound and count", p)
		}
		n += p[1]
	}
	if v.GCs < 2 || n < 4 {
		t.Errorf("after two GCs: %s", s)
	}
}
