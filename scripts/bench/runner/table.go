// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build linux

package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// column is one column of the table: its heading and its values for a
// target, NaN where there is none. Most columns have one value; a
// latency column has two (p50, p99).
type column struct {
	head   string
	values func(t *target) []float64
	format func(v float64) string
}

func columns() []column {
	nan := math.NaN()
	lat := func(i int) func(t *target) []float64 {
		return func(t *target) []float64 {
			if i >= len(t.load) || t.load[i].Requests == 0 {
				return []float64{nan, nan}
			}
			return []float64{t.load[i].P50us, t.load[i].P99us}
		}
	}
	rps := func(i int) func(t *target) []float64 {
		return func(t *target) []float64 {
			if i >= len(t.load) || t.load[i].Requests == 0 {
				return []float64{nan}
			}
			return []float64{t.load[i].RPS}
		}
	}
	orNaN := func(v float64) []float64 {
		if v == 0 {
			return []float64{nan}
		}
		return []float64{v}
	}
	us := func(v float64) string { return fmtDur(time.Duration(v * float64(time.Microsecond))) }
	kib := func(v float64) string { return fmt.Sprintf("%.0f MiB", v/1024) }
	var cols []column
	for i, c := range concurrencies {
		cols = append(cols, column{fmt.Sprintf("req/s c=%d", c), rps(i), func(v float64) string { return fmt.Sprintf("%.0f", v) }})
	}
	for i, c := range concurrencies {
		cols = append(cols, column{fmt.Sprintf("p50/p99 c=%d", c), lat(i), us})
	}
	cols = append(cols,
		column{"boot to 1st response", func(t *target) []float64 { return orNaN(median(t.boots)) }, us},
		column{"image", func(t *target) []float64 { return orNaN(float64(t.size)) }, func(v float64) string { return fmt.Sprintf("%.1f MiB", v/(1<<20)) }},
		column{"RSS/peak after load", func(t *target) []float64 { return []float64{orNaN(float64(t.rssKB))[0], orNaN(float64(t.hwmKB))[0]} }, kib},
		column{"guest used", func(t *target) []float64 { return orNaN(float64(t.guestKB)) }, kib},
		column{"GC pause p99/max in load", func(t *target) []float64 {
			if t.gc.Pauses == 0 {
				return []float64{nan, nan}
			}
			return []float64{t.gc.P99us, t.gc.MaxUs}
		}, us},
	)
	return cols
}

// median returns the median duration in microseconds, 0 if none.
func median(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return float64(m) / float64(time.Microsecond)
}

// vals is c's values for t, all NaN if t did not run.
func vals(c column, t *target) []float64 {
	v := c.values(t)
	if t.skip != "" {
		for i := range v {
			v[i] = math.NaN()
		}
	}
	return v
}

func printTable(targets []*target) {
	byName := map[string]*target{}
	var shown []*target
	for _, t := range targets {
		byName[t.name] = t
		if !strings.HasPrefix(t.skip, "not selected") {
			shown = append(shown, t)
		}
	}
	cols := columns()
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	// tabwriter right-aligns every column; the names read better
	// left-aligned, so they come padded to one width.
	width := 0
	for _, t := range shown {
		width = max(width, len(t.name))
	}
	width = max(width, len("mirago/linux-vm"))
	name := func(s string) string { return fmt.Sprintf("%-*s", width, s) }
	row := []string{name("target")}
	for _, c := range cols {
		row = append(row, c.head)
	}
	fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	for _, t := range shown {
		row = []string{name(t.name)}
		for _, c := range cols {
			row = append(row, cell(vals(c, t), c.format))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	for _, pair := range ratioPairs {
		a, b := byName[pair[0]], byName[pair[1]]
		row = []string{name(pair[0] + "/" + pair[1])}
		for _, c := range cols {
			va, vb := vals(c, a), vals(c, b)
			var parts []string
			for i := range va {
				parts = append(parts, ratio(va[i], vb[i]))
			}
			row = append(row, strings.Join(parts, "/"))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Println("(ratio rows divide each figure, p50 and p99 separately; above 1 is more: better for req/s, worse for the rest)")

	fmt.Println()
	for _, t := range shown {
		fmt.Printf("%s: %s\n", t.name, notes(t))
	}
}

// ratioPairs are the ratio rows under the tables: each pair's first
// target's figures divided by the second's.
var ratioPairs = [][2]string{{"mirago", "linux-vm"}, {"mirago", "host"}, {"spt", "host"}, {"spt", "mirago"}}

// printSummary prints the median over the rounds of each target's
// figures, and of each round's ratios: the median of the ratios rather
// than the ratio of the medians, so that each ratio compares targets
// measured minutes apart under the same conditions.
func printSummary(w io.Writer, rounds [][]*target) {
	cols := columns()
	fmt.Fprintf(w, "\n## median of %d rounds\n\n", len(rounds))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	width := len("mirago/linux-vm")
	for _, t := range rounds[0] {
		width = max(width, len(t.name))
	}
	name := func(s string) string { return fmt.Sprintf("%-*s", width, s) }
	row := []string{name("target")}
	for _, c := range cols {
		row = append(row, c.head)
	}
	fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	// medianOver returns, for each of column c's values, the median
	// over the rounds of f's result, NaNs left out.
	medianOver := func(c column, f func(round []*target) []float64) []float64 {
		var per [][]float64
		for _, round := range rounds {
			for i, v := range f(round) {
				if i == len(per) {
					per = append(per, nil)
				}
				if !math.IsNaN(v) {
					per[i] = append(per[i], v)
				}
			}
		}
		m := make([]float64, len(per))
		for i, vs := range per {
			m[i] = medianFloat(vs)
		}
		return m
	}
	byName := func(round []*target, n string) *target {
		for _, t := range round {
			if t.name == n {
				return t
			}
		}
		return nil
	}
	for _, t := range rounds[0] {
		if strings.HasPrefix(t.skip, "not selected") {
			continue
		}
		row = []string{name(t.name)}
		for _, c := range cols {
			m := medianOver(c, func(round []*target) []float64 { return vals(c, byName(round, t.name)) })
			row = append(row, cell(m, c.format))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	for _, pair := range ratioPairs {
		if byName(rounds[0], pair[0]).skip != "" || byName(rounds[0], pair[1]).skip != "" {
			continue
		}
		row = []string{name(pair[0] + "/" + pair[1])}
		for _, c := range cols {
			m := medianOver(c, func(round []*target) []float64 {
				va, vb := vals(c, byName(round, pair[0])), vals(c, byName(round, pair[1]))
				r := make([]float64, len(va))
				for i := range va {
					r[i] = va[i] / vb[i]
					if math.IsInf(r[i], 0) {
						r[i] = math.NaN()
					}
				}
				return r
			})
			row = append(row, cell(m, func(v float64) string { return fmt.Sprintf("%.2f", v) }))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w, "(medians over the rounds; a ratio is the median of the rounds' ratios)")
}

// medianFloat returns the median of vs, NaN if it is empty.
func medianFloat(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

func cell(vs []float64, format func(float64) string) string {
	var parts []string
	for _, v := range vs {
		if math.IsNaN(v) {
			parts = append(parts, "-")
		} else {
			parts = append(parts, format(v))
		}
	}
	if len(parts) == 2 && parts[0] == "-" && parts[1] == "-" {
		return "-"
	}
	return strings.Join(parts, "/")
}

func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// notes is the line under the table for one target: what went wrong,
// or the details the table leaves out.
func notes(t *target) string {
	if t.skip != "" {
		return "not run: " + t.skip
	}
	var s []string
	if t.failure != "" {
		s = append(s, t.failure)
	}
	if len(t.boots) > 0 {
		var b []string
		for _, d := range t.boots {
			b = append(b, fmtDur(d))
		}
		s = append(s, "boots "+strings.Join(b, " "))
	}
	if t.listen > 0 {
		s = append(s, "\"listening\" on the console at "+fmtDur(t.listen)+" (last boot)")
	}
	for _, r := range t.load {
		n := fmt.Sprintf("c=%d: %d requests, %d errors, %d connections, max %s", r.Concurrency, r.Requests, r.Errors, r.Connections, fmtDur(time.Duration(r.MaxUs*float64(time.Microsecond))))
		if r.OtherErrors > 0 {
			// A request that failed in the warm-up by its timeout
			// held its client idle into the measurement.
			n += fmt.Sprintf(", %d more failed in the warm-up or past the end", r.OtherErrors)
		}
		if r.FirstError != "" {
			n += ", first error: " + r.FirstError
		}
		s = append(s, n)
	}
	if t.gc.GCs > 0 {
		n := fmt.Sprintf("in the load %d GCs, %d GC pauses, p50 %s", t.gc.GCs, t.gc.Pauses, fmtDur(time.Duration(t.gc.P50us*float64(time.Microsecond))))
		if t.gc.Pauses < 100 {
			n += " (under 100 pauses: the p99 is the largest; a longer -d gives more)"
		}
		s = append(s, n)
	}
	if t.rssKB > 0 {
		s = append(s, fmt.Sprintf("RSS %d KiB = anon %d + file %d", t.rssKB, t.anonKB, t.fileKB))
	}
	s = append(s, fmt.Sprintf("size is the %s (%d bytes)", t.sizeOf, t.size))
	if len(t.logPaths) > 0 {
		s = append(s, "console "+t.logPaths[len(t.logPaths)-1])
	}
	return strings.Join(s, "; ")
}

// fmtDur prints a duration with three significant digits or so, in the
// unit that suits it.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}
