// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build linux

package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestMedianFloat(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := medianFloat(tt.in); got != tt.want {
			t.Errorf("medianFloat(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := medianFloat(nil); !math.IsNaN(got) {
		t.Errorf("medianFloat(nil) = %v, want NaN", got)
	}
}

// The summary's ratio is the median of the rounds' ratios, not the
// ratio of the medians: here 2, where the medians' ratio is 1.
func TestSummaryRatio(t *testing.T) {
	round := func(mirago, linux float64) []*target {
		mk := func(name string, rps float64) *target {
			return &target{name: name, boots: []time.Duration{time.Second},
				load: []loadResult{{Concurrency: 1, Requests: 1, RPS: rps}, {Concurrency: 16, Requests: 1, RPS: rps}}}
		}
		return []*target{mk("linux-vm", linux), mk("mirago", mirago),
			{name: "host", skip: "not selected (-only)"}, {name: "spt", skip: "not selected (-only)"}}
	}
	var b strings.Builder
	printSummary(&b, [][]*target{round(200, 100), round(100, 100), round(400, 200)})
	var line string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "mirago/linux-vm") {
			line = l
		}
	}
	f := strings.Fields(line)
	if len(f) < 3 || f[1] != "2.00" || f[2] != "2.00" {
		t.Errorf("mirago/linux-vm row %q: want req/s ratios 2.00 and 2.00\n%s", line, b.String())
	}
	if strings.Contains(b.String(), "host") || strings.Contains(b.String(), "spt") {
		t.Errorf("a target not selected, or a ratio with one, is in the summary:\n%s", b.String())
	}
}

func TestGCBetween(t *testing.T) {
	before := gcHistogram{GCs: 3, Pauses: [][2]float64{{1e-3, 4}, {2e-3, 2}}}
	after := gcHistogram{GCs: 103, Pauses: [][2]float64{{1e-4, 150}, {2e-4, 48}, {1e-3, 5}, {2e-3, 3}}}
	got := gcBetween(before, after)
	want := gcResult{GCs: 100, Pauses: 200, P50us: 100, P99us: 200, MaxUs: 2000}
	if got != want {
		t.Errorf("gcBetween = %+v, want %+v", got, want)
	}
	if got := gcBetween(after, after); got != (gcResult{}) {
		t.Errorf("no pauses between: %+v", got)
	}
}
