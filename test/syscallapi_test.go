// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"regexp"
	"strings"
	"testing"
)

// syscallAPIDiffers are the names of package syscall whose Go type on
// xen differs from linux's, each with the reason (docs/std.md).
var syscallAPIDiffers = map[string]string{
	"type Sockaddr": "its one method is unexported, so no code outside syscall can implement or call it",
}

// TestSyscallAPI runs the exported-API check (scripts/syscallapi) on
// the built GOROOT: package syscall must export every name that it
// exports for linux/amd64, with the same type, but for the differences
// listed above.
func TestSyscallAPI(t *testing.T) {
	r := mgo(t, repoRoot(t), "", "run", "./scripts/syscallapi", "-goroot", goroot(t))
	if r.code != 0 {
		t.Fatalf("syscallapi failed:\n%s", r)
	}
	if !strings.Contains(r.stdout, "; 0 are missing") {
		t.Errorf("syscall for xen/amd64 lacks names that linux/amd64 has:\n%s", r.stdout)
	}
	diff := regexp.MustCompile("(?m)^- ([a-z]+ [A-Za-z0-9_.]+): linux `")
	for _, m := range diff.FindAllStringSubmatch(r.stdout, -1) {
		if syscallAPIDiffers[m[1]] == "" {
			t.Errorf("%s has a different type on xen than on linux:\n%s", m[1], r.stdout)
		}
	}
}
