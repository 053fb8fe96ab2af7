// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPatchRoundTrip applies patches/ to pristine upstream with
// scripts/upstream-edit.sh (git am, so every patch must apply) and
// exports the result with scripts/upstream-export.sh: the series must
// come back byte for byte. It works on a copy of scripts/ and patches/,
// never on the checkout's patches/ or _build/upstream.
func TestPatchRoundTrip(t *testing.T) {
	root := repoRoot(t)
	want := readPatches(t, filepath.Join(root, "patches"))
	if len(want) == 0 {
		t.Fatal("patches/ holds no *.patch files")
	}

	tmp := t.TempDir()
	copyDir := filepath.Join(tmp, "repo")
	for _, d := range []string{"scripts", "patches"} {
		if err := os.MkdirAll(copyDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("cp", "-r", filepath.Join(root, d), copyDir).CombinedOutput(); err != nil {
			t.Fatalf("copying %s: %v\n%s", d, err, out)
		}
	}
	e := append(env(t),
		"MIRAGO_UPSTREAM_DIR="+filepath.Join(tmp, "upstream"),
		"MIRAGO_CACHE="+filepath.Join(tmp, "cache"),
	)
	if r := run(t, copyDir, e, "bash", "scripts/upstream-edit.sh"); r.code != 0 {
		t.Fatalf("upstream-edit.sh failed: the series does not apply to pristine upstream:\n%s", r)
	}
	// Export into an empty patches/, so that a series that loses a
	// patch cannot pass on leftovers.
	if err := os.RemoveAll(filepath.Join(copyDir, "patches")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(copyDir, "patches"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := run(t, copyDir, e, "bash", "scripts/upstream-export.sh"); r.code != 0 {
		t.Fatalf("upstream-export.sh failed:\n%s", r)
	}
	got := readPatches(t, filepath.Join(copyDir, "patches"))
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: missing after the round trip", name)
		case !bytes.Equal(g, w):
			t.Errorf("%s: differs after the round trip (%d bytes, want %d); first difference at byte %d:\n got: %q\nwant: %q",
				name, len(g), len(w), firstDiff(g, w), around(g, firstDiff(g, w)), around(w, firstDiff(g, w)))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: new after the round trip", name)
		}
	}
}

func readPatches(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.patch"))
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string][]byte)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(f)] = data
	}
	return m
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(b []byte, i int) []byte {
	return b[max(0, i-40):min(len(b), i+40)]
}
