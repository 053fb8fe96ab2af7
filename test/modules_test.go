// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// modulesKnownFailing are the packages of testdata/modules that fail in
// the VM today, each with the reason. A package that starts passing
// fails the test until it is taken off the list.
var modulesKnownFailing = map[string]string{}

// TestModules builds, for xen/amd64 and xen/arm64, a test of each
// popular module on issue 12's list (testdata/modules: gin, fiber, gorm
// with SQLite, bbolt, nats, etcd's client, gnet, ...) and runs it in
// the VM. The modules come through the Go module proxy into the module
// cache, which is outside the checkout and kept between runs.
func TestModules(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) { testModules(t, "xen/"+arch) })
	}
}

func testModules(t *testing.T, target string) {
	dir := filepath.Join(repoRoot(t), "test", "testdata", "modules")
	r := mgo(t, dir, target, "test", "-count=1", "./...")
	t.Logf("go test ./... in testdata/modules:\n%s", r.stdout)
	results := map[string]string{}
	line := regexp.MustCompile(`(?m)^(ok|FAIL|\?)\s+example/modules/(\S+)`)
	for _, m := range line.FindAllStringSubmatch(r.stdout, -1) {
		results[m[2]] = m[1]
	}
	pkgs := []string{"bbolt", "buntdb", "dns", "etcd", "fiber", "gin", "gnet", "goleveldb", "gopsutil",
		"gorm", "kafka", "logrus", "memberlist", "mysql", "nats", "redcon", "viper"}
	var passed []string
	for _, p := range pkgs {
		got, why := results[p], modulesKnownFailing[p]
		switch {
		case got == "":
			t.Errorf("%s: no result from go test:\n%s", p, r)
		case got == "ok" && why != "":
			t.Errorf("%s passes now: take it off modulesKnownFailing", p)
		case got == "ok":
			passed = append(passed, p)
		case why == "":
			t.Errorf("%s fails in the VM:\n%s", p, r)
		default:
			t.Logf("%s fails, as known: %s", p, why)
		}
	}
	if len(results) != len(pkgs) {
		t.Errorf("go test reported %d packages, want %d: a new package needs adding to the list", len(results), len(pkgs))
	}
	slices.Sort(passed)
	t.Logf("%d of %d modules pass in the VM: %s", len(passed), len(pkgs), strings.Join(passed, ", "))
}
