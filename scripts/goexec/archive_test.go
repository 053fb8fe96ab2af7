// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type newcTestEntry struct {
	mode uint32
	data string
}

// readNewc is a reader of newc archives written independently of the
// writer, to the rules package syscall's parser follows: 110-byte
// header, name with NUL padded to 4, data padded to 4, TRAILER!!! last.
func readNewc(b []byte) (map[string]newcTestEntry, error) {
	m := make(map[string]newcTestEntry)
	off := 0
	for {
		if len(b)-off < 110 || string(b[off:off+6]) != "070701" {
			return nil, fmt.Errorf("at %d: no header", off)
		}
		field := func(i int) int {
			v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 32)
			if err != nil {
				panic(err)
			}
			return int(v)
		}
		mode, size, namesize := field(1), field(6), field(11)
		name := string(b[off+110 : off+110+namesize])
		if !strings.HasSuffix(name, "\x00") {
			return nil, fmt.Errorf("at %d: name %q lacks NUL", off, name)
		}
		name = name[:len(name)-1]
		if (off+110+namesize)%4 != 0 && b[off+110+namesize] != 0 {
			return nil, fmt.Errorf("at %d: name padding is not zero", off)
		}
		data := (off + 110 + namesize + 3) &^ 3
		if name == "TRAILER!!!" {
			if end := (data + 3) &^ 3; end != len(b) {
				return nil, fmt.Errorf("trailer ends at %d, archive at %d", end, len(b))
			}
			return m, nil
		}
		m[name] = newcTestEntry{uint32(mode), string(b[data : data+size])}
		off = (data + size + 3) &^ 3
	}
}

func TestTreeArchiveRoundTrip(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "testdata", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "testdata", "hello.txt"), []byte("hello\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "testdata", "sub", "odd"), []byte("12345"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "empty"), nil, 0o755))
	must(os.Symlink("testdata/hello.txt", filepath.Join(dir, "link")))

	var buf bytes.Buffer
	must(writeTreeArchive(&buf, []tree{{dir: dir}}, 1<<20, 100))
	got, err := readNewc(buf.Bytes())
	if err != nil {
		t.Fatalf("reading the archive back: %v", err)
	}
	base := strings.TrimPrefix(dir, "/")
	want := map[string]newcTestEntry{
		base:                         {0o040755, ""},
		base + "/testdata":           {0o040755, ""},
		base + "/testdata/sub":       {0o040755, ""},
		base + "/testdata/hello.txt": {0o100644, "hello\n"},
		base + "/testdata/sub/odd":   {0o100600, "12345"},
		base + "/empty":              {0o100755, ""},
		base + "/link":               {0o120777, "testdata/hello.txt"},
	}
	// The temporary directory's own mode depends on the host.
	if e, ok := got[base]; ok && e.mode&0o170000 == 0o040000 {
		got[base] = want[base]
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("archive lacks %s", name)
		} else if g != w {
			t.Errorf("%s: mode %#o data %q, want mode %#o data %q", name, g.mode, g.data, w.mode, w.data)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("archive has unexpected %s", name)
		}
	}
}

func TestTreeArchiveLimits(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeTreeArchive(&buf, []tree{{dir: dir}}, 999, 100); !errors.Is(err, errTreeTooBig) {
		t.Errorf("1000 bytes with a 999-byte limit: err = %v, want errTreeTooBig", err)
	}
	if err := writeTreeArchive(&buf, []tree{{dir: dir}}, 1000, 1); !errors.Is(err, errTreeTooBig) {
		t.Errorf("2 entries with a limit of 1: err = %v, want errTreeTooBig", err)
	}
	buf.Reset()
	if err := writeTreeArchive(&buf, []tree{{dir: dir}}, 1000, 2); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

func TestMountTrees(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"testdata", "a/testdata", "a/b/c", "a/b/c/testdata", "a/b/notestdata", "testdata/x"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// a/b/testdata is a file, not a directory: it goes in with a/b's
	// files.
	if err := os.WriteFile(filepath.Join(root, "a", "b", "testdata"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(root, "a", "b", "c")
	if got, want := mountTrees(pkg), []tree{{dir: pkg}}; !slices.Equal(got, want) {
		t.Errorf("outside a module: mountTrees = %v, want %v", got, want)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []tree{
		{dir: filepath.Join(root, "testdata")},
		{dir: filepath.Join(root, "a"), shallow: true},
		{dir: filepath.Join(root, "a", "testdata")},
		{dir: filepath.Join(root, "a", "b"), shallow: true},
		{dir: pkg},
	}
	if got := mountTrees(pkg); !slices.Equal(got, want) {
		t.Errorf("in a module: mountTrees = %v, want %v", got, want)
	}
	if got, want := mountTrees(root), []tree{{dir: root}}; !slices.Equal(got, want) {
		t.Errorf("at the module root: mountTrees = %v, want %v", got, want)
	}
	x := filepath.Join(root, "testdata", "x")
	want = []tree{{dir: filepath.Join(root, "testdata"), shallow: true}, {dir: x}}
	if got := mountTrees(x); !slices.Equal(got, want) {
		t.Errorf("in the module's testdata: mountTrees = %v, want %v", got, want)
	}
}

// TestTreeArchiveShallow checks that a shallow tree has the directory
// and its files but nothing below them.
func TestTreeArchiveShallow(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"top.go", "sub/deep.go"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := writeTreeArchive(&buf, []tree{{dir: dir, shallow: true}}, 1<<20, 100); err != nil {
		t.Fatal(err)
	}
	got, err := readNewc(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimPrefix(dir, "/")
	var names []string
	for name := range got {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{base, base + "/top.go"}; !slices.Equal(names, want) {
		t.Errorf("shallow archive has %q, want %q", names, want)
	}
}

// TestRunMountsCwd checks that run passes the working directory's tree
// with -initrd and its path as PWD, and removes the archive afterwards.
func TestRunMountsCwd(t *testing.T) {
	for _, target := range []struct {
		wrapper, qemu, exit string
		image               func(*testing.T) string
	}{
		// QEMU's exit status 1 is status 0 through isa-debug-exit
		// on amd64, and semihosting's 0 on arm64.
		{"go_xen_amd64_exec", "qemu-system-x86_64", "exit 1", image},
		{"go_xen_arm64_exec", "qemu-system-aarch64", "exit 0", arm64Image},
	} {
		t.Run(target.wrapper, func(t *testing.T) {
			testRunMountsCwd(t, target.wrapper, target.qemu, target.exit, target.image(t))
		})
	}
}

func testRunMountsCwd(t *testing.T, wrapper, qemu, exit, img string) {
	copyDir := t.TempDir()
	copied := filepath.Join(copyDir, "initrd")
	argsFile := fakeQEMUNamed(t, qemu, `prev=; for a in "$@"; do if [ "$prev" = -initrd ]; then /bin/cp "$a" `+copied+`; fi; prev=$a; done; `+exit)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if got := run([]string{wrapper, img}, env(map[string]string{"MIRAGO_ACCEL": "tcg", "MIRAGO_TSC_KHZ": "0"}), &stdout, &stderr); got != 0 {
		t.Fatalf("status %d, want 0; stderr:\n%s", got, stderr.String())
	}
	data, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	wd, _ := os.Getwd()
	var cmdline, initrd string
	for i, a := range args[:len(args)-1] {
		switch a {
		case "-append":
			cmdline = args[i+1]
		case "-initrd":
			initrd = args[i+1]
		}
	}
	if want := "PWD=" + wd + " -- "; !strings.Contains(cmdline, want) {
		t.Errorf("command line %q lacks %q", cmdline, want)
	}
	if initrd == "" {
		t.Fatalf("no -initrd in the QEMU arguments %q", args)
	}
	if _, err := os.Stat(initrd); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("archive %s still there after the run: %v", initrd, err)
	}
	b, err := os.ReadFile(copied)
	if err != nil {
		t.Fatalf("the fake QEMU did not get the archive: %v", err)
	}
	entries, err := readNewc(b)
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[strings.TrimPrefix(wd, "/")+"/hello.txt"]; e.data != "hi\n" {
		t.Errorf("hello.txt in the archive: %+v; entries %v", e, entries)
	}
}
