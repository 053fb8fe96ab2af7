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
		if _, ok := names[want]; !ok {
			t.Errorf("exports lack %q", want)
		}
	}
	for k, want := range map[string]string{
		"func Open":         "func(string, int, uint32) (int, error)",
		"field Stat_t.Size": "int64",
		"type Errno":        "uintptr",
		"type Stat_t":       "",
	} {
		if got := names[k]; got != want {
			t.Errorf("%s: type %q, want %q", k, got, want)
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
	linux := map[string]string{"func Open": "func(string) int", "func Flock": "func()", "const LOCK_EX": "", "func Read": "func() int"}
	xen := map[string]string{"func Open": "func(string) int", "func Read": "func() uint"}
	var b strings.Builder
	report(&b, "amd64", linux, xen)
	out := b.String()
	for _, want := range []string{"Of the 4 names", "xen/amd64 has 2; 2 are missing, and\n1 have a different type", "| func | 3 | 1 |", "## func (1)\n\nFlock\n", "## const (1)\n\nLOCK_EX\n", "- func Read: linux `func() int`, xen `func() uint`"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
