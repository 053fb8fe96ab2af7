// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestUpToDate checks that every generated runtime file is what mkdefs
// makes of sys/ today.
func TestUpToDate(t *testing.T) {
	for _, f := range files {
		want, err := f.render()
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		got, err := os.ReadFile(filepath.Join("..", "..", f.path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go run ./scripts/mkdefs", f.path)
		}
	}
}

func TestFieldName(t *testing.T) {
	for in, want := range map[string]string{
		"Magic":          "magic",
		"ModlistPaddr":   "modlistPaddr",
		"TSCToSystemMul": "tscToSystemMul",
		"ID":             "id",
		"Reserved":       "_",
		"Reserved2":      "_",
		"Pad0":           "_",
		"Type":           "typ",
		"Paddr":          "paddr",
		"CR0":            "cr0",
		"P2MCR3":         "p2MCR3",
	} {
		if got := fieldName(in); got != want {
			t.Errorf("fieldName(%q) = %q, want %q", in, got, want)
		}
	}
}
