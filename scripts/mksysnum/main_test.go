// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheck fails when src/syscall's numbers are not what the Go tree
// states.
func TestCheck(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	if err := run("", true); err != nil {
		t.Fatal(err)
	}
}

// TestRender checks the generated form on a small input.
func TestRender(t *testing.T) {
	dir := t.TempDir()
	src := "package syscall\n\nconst (\n"
	for i := 0; i < 320; i++ {
		src += "\tSYS_X" + strings.Repeat("Y", i%3) + string(rune('A'+i%26)) + itoa(i) + " = " + itoa(i) + "\n"
	}
	src += ")\n"
	path := filepath.Join(dir, "z.go")
	if err := os.WriteFile(path, []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	nums, err := readNumbers(path)
	if err != nil {
		t.Fatal(err)
	}
	text, err := render("arm64", nums)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"//go:build xen || solo5", "SYS_XA0 ", "SYS_XA0: ", "\"xa0\",", "the SVC instruction"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if _, err := readNumbers(filepath.Join(dir, "missing.go")); err == nil {
		t.Error("readNumbers of a missing file: no error")
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}
