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

// TestDistList checks that go tool dist list names every Mirago port,
// none of them broken.
func TestDistList(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // ports listed
	}{
		{[]string{"tool", "dist", "list"}, append([]string{"linux/amd64"}, ports...)},
		{[]string{"tool", "dist", "list", "-broken"}, append([]string{"linux/amd64"}, ports...)},
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
	}
}

// TestListStd checks that the go command knows the standard library of
// every port.
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

// TestBuildStd compiles every standard package, and hello, for every
// port go tool dist list names.
func TestBuildStd(t *testing.T) {
	for _, port := range ports {
		if r := mgo(t, repoRoot(t), port, "build", "std"); r.code != 0 {
			t.Errorf("go build std for %s failed:\n%s", port, r)
		}
		out := filepath.Join(t.TempDir(), "hello")
		if r := mgo(t, repoRoot(t), port, "build", "-o", out, "./examples/hello"); r.code != 0 {
			t.Errorf("go build ./examples/hello for %s failed:\n%s", port, r)
		} else if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
			t.Errorf("go build ./examples/hello for %s wrote no image: %v", port, err)
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
