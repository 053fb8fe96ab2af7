// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"runtime"
	"strings"
	"testing"
)

// TestExports reads the host's own syscall for linux/amd64, which any
// go command knows.
func TestExports(t *testing.T) {
	names, err := exports(runtime.GOROOT(), "linux", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"func Open", "method Errno.Error", "type Stat_t", "field Stat_t.Size", "const O_RDONLY", "var Stdin", "func Flock"} {
		if !names[want] {
			t.Errorf("exports lack %q", want)
		}
	}
	for k := range names {
		kind, name, _ := strings.Cut(k, " ")
		if _, after, ok := strings.Cut(name, "."); ok {
			name = after
		}
		if kind == "" || name == "" || strings.ToUpper(name[:1]) != name[:1] {
			t.Errorf("unexported or malformed name %q", k)
		}
	}
}

func TestReport(t *testing.T) {
	linux := map[string]bool{"func Open": true, "func Flock": true, "const LOCK_EX": true}
	xen := map[string]bool{"func Open": true}
	var b strings.Builder
	report(&b, "amd64", linux, xen)
	out := b.String()
	for _, want := range []string{"Of the 3 names", "xen/amd64 has 1; 2 are missing", "| func | 2 | 1 |", "## func (1)\n\nFlock\n", "## const (1)\n\nLOCK_EX\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
