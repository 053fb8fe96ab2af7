// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewcParserOnHost runs host-side unit tests of package syscall's
// boot archive parser (src/syscall/newc_unikernel.go), which imports
// nothing so that it compiles outside syscall: the test copies it into a
// scratch package and runs newcParserTest there with the host go.
func TestNewcParserOnHost(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "src", "syscall", "newc_unikernel.go"))
	if err != nil {
		t.Fatal(err)
	}
	code := strings.Replace(string(src), "//go:build xen || solo5", "", 1)
	code = strings.Replace(code, "\npackage syscall\n", "\npackage newc\n", 1)
	if !strings.Contains(code, "package newc") {
		t.Fatal("newc_unikernel.go: cannot find its package clause")
	}
	dir := t.TempDir()
	for name, data := range map[string]string{
		"go.mod":       "module newc\n\ngo 1.22\n",
		"newc.go":      code,
		"newc_test.go": newcParserTest,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := mgo(t, dir, "", "test", "-count=1", "-v", ".")
	if r.code != 0 || !strings.Contains(r.stdout, "--- PASS: TestParse") {
		t.Errorf("host test of the newc parser failed:\n%s", r)
	}
}

const newcParserTest = `package newc

import (
	"fmt"
	"strings"
	"testing"
)

func hdr(name string, mode uint32, data string) string {
	s := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		1, mode, 0, 0, 1, 1700000000, len(data), 0, 0, 0, 0, len(name)+1, 0) + name + "\x00"
	for len(s)%4 != 0 {
		s += "\x00"
	}
	s += data
	for len(s)%4 != 0 {
		s += "\x00"
	}
	return s
}

func TestParse(t *testing.T) {
	good := hdr(".", 0o40755, "") + hdr("./a", 0o40755, "") + hdr("a/f.txt", 0o100644, "hello") +
		hdr("/a//l", 0o120777, "f.txt") + hdr("TRAILER!!!", 0, "") + "\x00\x00\x00\x00padding"
	var got []string
	if err := parseNewc([]byte(good), func(e newcEntry) {
		got = append(got, fmt.Sprintf("%s %o %d %q", e.name, e.mode, e.mtime, e.data))
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"a 40755 1700000000 \"\"", "a/f.txt 100644 1700000000 \"hello\"", "a/l 120777 1700000000 \"f.txt\""}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	bad := []struct{ name, archive, err string }{
		{"empty", "", "at byte 0: truncated header"},
		{"no trailer", hdr("a", 0o40755, ""), "at byte 112: truncated header (no TRAILER!!! entry)"},
		{"tar", strings.Repeat("x", 200), "at byte 0: bad magic \"xxxxxx\""},
		{"bad hex", "070701" + strings.Repeat("G", 104), "bad hex digits in header field 0"},
		{"dotdot", hdr("a/../../etc/passwd", 0o100644, "x") + hdr("TRAILER!!!", 0, ""), "has a \"..\" component"},
		{"short data", hdr("f", 0o100644, "hello")[:114], "\"f\": data runs past the end"},
		{"no NUL", strings.Replace(hdr("f", 0o100644, ""), "f\x00", "fg", 1), "name is not NUL-terminated"},
	}
	for _, tt := range bad {
		err := parseNewc([]byte(tt.archive), nil)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.err)
		}
	}
}
`
