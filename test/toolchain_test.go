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

var ports = []string{"xen/amd64", "xen/arm64", "solo5/amd64", "solo5/arm64"}

// brokenPorts are the ports whose runtime is not written yet: cmd/dist
// marks them broken, and the go command stops a build for them with one
// line (README.md, "Broken ports").
var brokenPorts = []string{"solo5/arm64"}

// TestDistList checks that go tool dist list names the working ports
// and leaves out the broken one, which -broken adds.
func TestDistList(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // ports listed
		not  []string // ports not listed
	}{
		{[]string{"tool", "dist", "list"}, []string{"xen/amd64", "xen/arm64", "solo5/amd64", "linux/amd64"}, brokenPorts},
		{[]string{"tool", "dist", "list", "-broken"}, append([]string{"linux/amd64"}, ports...), nil},
	} {
		r := mgo(t, repoRoot(t), "", tc.args...)
		if r.code != 0 {
			t.Errorf("go %s failed:\n%s", strings.Join(tc.args, " "), r)
			continue
		}
		have := make(map[string]bool)
		for _, p := range strings.Fields(r.stdout) {
			have[p] = true
		}
		for _, p := range tc.want {
			if !have[p] {
				t.Errorf("go %s does not list %s:\n%s", strings.Join(tc.args, " "), p, r)
			}
		}
		for _, p := range tc.not {
			if have[p] {
				t.Errorf("go %s lists the broken port %s:\n%s", strings.Join(tc.args, " "), p, r)
			}
		}
	}
}

// TestBrokenPortBuild checks that building for a broken port fails at
// once with exit status 1 and one line that says why, not with the
// compiler's list of runtime functions that do not exist yet: go build
// of hello for each broken port, and the other commands that compile
// (run, test, vet, install) for one of them.
func TestBrokenPortBuild(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hello")
	type step struct {
		port string
		dir  string // "" for the repository root
		args []string
	}
	var steps []step
	for _, port := range brokenPorts {
		steps = append(steps, step{port, "", []string{"build", "-o", out, "./examples/hello"}})
	}
	steps = append(steps,
		step{"solo5/arm64", "", []string{"run", "./examples/hello"}},
		step{"solo5/arm64", progsDir(t), []string{"test", "-count=1", "./pass"}},
		step{"solo5/arm64", "", []string{"vet", "./examples/hello"}},
		step{"solo5/arm64", "", []string{"install", "./examples/hello"}},
	)
	for _, s := range steps {
		goos, goarch, _ := strings.Cut(s.port, "/")
		want := "go: GOOS=" + goos + " GOARCH=" + goarch +
			" is a broken port in this toolchain: its runtime is not written yet\n"
		dir := s.dir
		if dir == "" {
			dir = repoRoot(t)
		}
		r := mgo(t, dir, s.port, s.args...)
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("GOOS=%s GOARCH=%s go %s: want exit status 1 and only %q on stderr, got:\n%s",
				goos, goarch, strings.Join(s.args, " "), want, r)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("go build for a broken port wrote %s", out)
	}

	// go list -json computes staleness with the same builder, without
	// compiling: it still works.
	for _, port := range brokenPorts {
		r := mgo(t, repoRoot(t), port, "list", "-json", "./examples/hello")
		if r.code != 0 || !strings.Contains(r.stdout, `"ImportPath": "mirago.dev/mirago/examples/hello"`) {
			t.Errorf("go list -json for %s failed:\n%s", port, r)
		}
	}
}

// TestListStd checks that the go command knows the standard library of
// every port, including the broken ones.
func TestListStd(t *testing.T) {
	for _, port := range ports {
		r := mgo(t, repoRoot(t), port, "list", "std")
		if r.code != 0 {
			t.Errorf("go list std for %s failed:\n%s", port, r)
			continue
		}
		pkgs := strings.Fields(r.stdout)
		for _, want := range []string{"runtime", "os", "fmt", "net"} {
			if !contains(pkgs, want) {
				t.Errorf("go list std for %s lacks %s:\n%s", port, want, r)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestBuildStd compiles every standard package for xen/amd64 and
// xen/arm64.
func TestBuildStd(t *testing.T) {
	for _, port := range []string{"xen/amd64", "xen/arm64"} {
		if r := mgo(t, repoRoot(t), port, "build", "std"); r.code != 0 {
			t.Errorf("go build std for %s failed:\n%s", port, r)
		}
	}
}

// TestVetStd runs go vet over the standard library for xen/amd64, which
// type-checks it, including the test files. The third-party modules
// vendored for the TCP/IP stack (gVisor and what it imports) are
// type-checked by TestBuildStd but not vetted: they follow their
// authors' rules (gVisor writes unkeyed struct literals of its own
// types), not ours.
func TestVetStd(t *testing.T) {
	r := mgo(t, repoRoot(t), "xen/amd64", "list", "std")
	if r.code != 0 {
		t.Fatalf("GOOS=xen GOARCH=amd64 go list std failed:\n%s", r)
	}
	var pkgs []string
	for _, p := range strings.Fields(r.stdout) {
		if thirdParty(p) {
			continue
		}
		pkgs = append(pkgs, p)
	}
	if r := mgo(t, repoRoot(t), "xen/amd64", append([]string{"vet"}, pkgs...)...); r.code != 0 {
		t.Fatalf("GOOS=xen GOARCH=amd64 go vet std failed:\n%s", r)
	}
}

// thirdParty reports whether the standard package p is vendored from a
// module that is neither upstream's (golang.org/x/{crypto,net,sys,text})
// nor ours (mirago.dev/...).
func thirdParty(p string) bool {
	rest, ok := strings.CutPrefix(p, "vendor/")
	if !ok || strings.HasPrefix(rest, "mirago.dev/") {
		return false
	}
	for _, m := range []string{"golang.org/x/crypto/", "golang.org/x/net/", "golang.org/x/sys/", "golang.org/x/text/"} {
		if strings.HasPrefix(rest, m) {
			return false
		}
	}
	return true
}
