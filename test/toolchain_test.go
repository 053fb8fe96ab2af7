// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"strings"
	"testing"
)

var ports = []string{"xen/amd64", "xen/arm64", "solo5/amd64", "solo5/arm64"}

func TestDistList(t *testing.T) {
	r := mgo(t, repoRoot(t), "", "tool", "dist", "list")
	if r.code != 0 {
		t.Fatalf("go tool dist list failed:\n%s", r)
	}
	have := make(map[string]bool)
	for _, p := range strings.Fields(r.stdout) {
		have[p] = true
	}
	for _, p := range ports {
		if !have[p] {
			t.Errorf("go tool dist list does not list %s:\n%s", p, r)
		}
	}
	if !have["linux/amd64"] {
		t.Errorf("go tool dist list lost linux/amd64:\n%s", r)
	}
}

// TestListStd checks that the go command knows the standard library of
// every port, including those whose runtime is not written yet.
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

// TestBuildStd compiles every standard package for xen/amd64.
func TestBuildStd(t *testing.T) {
	if r := mgo(t, repoRoot(t), "xen/amd64", "build", "std"); r.code != 0 {
		t.Fatalf("GOOS=xen GOARCH=amd64 go build std failed:\n%s", r)
	}
}

// TestVetStd runs go vet over the standard library for xen/amd64, which
// type-checks it, including the test files.
func TestVetStd(t *testing.T) {
	if r := mgo(t, repoRoot(t), "xen/amd64", "vet", "std"); r.code != 0 {
		t.Fatalf("GOOS=xen GOARCH=amd64 go vet std failed:\n%s", r)
	}
}
