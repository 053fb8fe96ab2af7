// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"strings"
	"testing"
)

// TestLinuxTag: for code outside GOROOT, GOOS=xen is linux at the
// source level (issue 12): a package's _linux files and linux build
// constraints are chosen, unless the package has files named for xen
// or the build tag mirago.nolinux is set. runtime.GOOS stays xen.
func TestLinuxTag(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "GOOS xen\nfile name_linux.go\nconstraint linux || darwin\nnative native_xen.go\n"},
		{[]string{"-tags", "mirago.nolinux"}, "GOOS xen\nfile name_other.go\nconstraint !linux && !darwin\nnative native_xen.go\n"},
	}
	for _, tt := range tests {
		r := mgo(t, progsDir(t), "xen/amd64", append(append([]string{"run"}, tt.args...), "./linuxtag")...)
		if r.code != 0 || r.stdout != tt.want {
			t.Errorf("go run %s ./linuxtag: want exit status 0 and\n%s\ngot:\n%s", strings.Join(tt.args, " "), tt.want, r)
		}
	}
	// go list agrees, and the standard library keeps its own files.
	r := mgo(t, progsDir(t), "xen/amd64", "list", "-f", "{{.ImportPath}}: {{.GoFiles}}", "./linuxtag", "./linuxtag/native", "os")
	for _, want := range []string{
		"example/linuxtag: [constraint.go main.go name_linux.go]\n",
		"example/linuxtag/native: [native_xen.go]\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("go list lacks %q:\n%s", want, r)
		}
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "os: ") && (strings.Contains(line, "_linux.go") || !strings.Contains(line, "file_unix.go")) {
			t.Errorf("package os for xen/amd64: %s; want its Unix files and no Linux ones", line)
		}
	}
}
