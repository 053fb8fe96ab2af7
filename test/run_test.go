// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Note that go run's own exit status is not the program's: like for
// every GOOS, it prints "exit status N" and exits with 1 when the
// program fails (cmd/go: "The exit status of Run is not the exit status
// of the compiled binary"). The exact status is checked by running the
// exec wrapper on a built image, as go test and scripts do.

// combined is what a user sees on the terminal.
func (r result) combined() string { return r.stdout + r.stderr }

func TestGoRunArgsAndExit3(t *testing.T) {
	r := mgo(t, progsDir(t), "xen/amd64", "run", "./exitargs", "a", "two words", `x"y`, "--", "K=V")
	for _, want := range []string{
		"arg[1]=\"a\"\n",
		"arg[2]=\"two words\"\n",
		"arg[3]=\"x\\\"y\"\n",
		"arg[4]=\"--\"\n",
		"arg[5]=\"K=V\"\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r)
		}
	}
	if r.code == 0 || !strings.Contains(r.stderr, "exit status 3\n") {
		t.Errorf("want go run to fail with \"exit status 3\":\n%s", r)
	}
}

// TestGoRunWrapperInGOROOT: $GOROOT/bin/go finds the exec wrapper
// beside itself when $GOROOT/bin is not on PATH (a cmd/go patch), for
// go run and go test.
func TestGoRunWrapperInGOROOT(t *testing.T) {
	gr := goroot(t)
	e := env(t, "GOOS=xen", "GOARCH=amd64")
	var path string
	for _, kv := range e {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	var dirs []string
	for _, d := range filepath.SplitList(path) {
		if _, err := os.Stat(filepath.Join(d, "go_xen_amd64_exec")); err != nil {
			dirs = append(dirs, d)
		}
	}
	e = withPATH(e, false, dirs...)
	goCmd := filepath.Join(gr, "bin", "go")
	r := run(t, progsDir(t), e, goCmd, "run", "./return")
	if r.code != 0 || !strings.Contains(r.stdout, "returning from main\n") {
		t.Errorf("want exit status 0 and \"returning from main\":\n%s", r)
	}
	r = run(t, progsDir(t), e, goCmd, "test", "-count=1", "./pass")
	if r.code != 0 || !strings.Contains(r.stdout, "ok ") {
		t.Errorf("want go test to pass:\n%s", r)
	}
}

// TestCgoEnabled: CGO_ENABLED=1 stops a build with one line, whether
// or not the program uses cgo.
func TestCgoEnabled(t *testing.T) {
	want := "go: CGO_ENABLED=1 is not supported for GOOS=xen: its images have no C library; build with CGO_ENABLED=0, the default\n"
	for _, args := range [][]string{{"build", "-o", os.DevNull, "./return"}, {"run", "./return"}, {"test", "./pass"}} {
		r := mgoEnv(t, progsDir(t), "xen/amd64", []string{"CGO_ENABLED=1"}, args...)
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("want exit status 1 and only %q on stderr:\n%s", want, r)
		}
	}
}

func TestGoRunReturn(t *testing.T) {
	r := mgo(t, progsDir(t), "xen/amd64", "run", "./return")
	if r.code != 0 || !strings.Contains(r.stdout, "returning from main\n") {
		t.Errorf("want exit status 0 and \"returning from main\":\n%s", r)
	}
}

func TestGoRunPanic(t *testing.T) {
	r := mgo(t, progsDir(t), "xen/amd64", "run", "./panic")
	out := r.combined()
	for _, want := range []string{"panic: boom from the guest", "goroutine 1 [running]:", "exit status 2\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, r)
		}
	}
	if r.code == 0 {
		t.Errorf("go run of a panicking program succeeded:\n%s", r)
	}
}

var (
	imagesMu  sync.Mutex
	imagesDir string
	images    = make(map[string]result) // by program name: the build
)

// progImage returns the xen/amd64 image of the program in
// testdata/progs/name, building it once for all tests.
func progImage(t *testing.T, name string) string {
	t.Helper()
	imagesMu.Lock()
	defer imagesMu.Unlock()
	if imagesDir == "" {
		dir, err := os.MkdirTemp("", "mirago-images-")
		if err != nil {
			t.Fatal(err)
		}
		imagesDir = dir
		registerCleanup(dir)
	}
	img := filepath.Join(imagesDir, name)
	r, ok := images[name]
	if !ok {
		r = mgo(t, progsDir(t), "xen/amd64", "build", "-o", img, "./"+name)
		images[name] = r
	}
	if r.code != 0 {
		t.Fatalf("building testdata/progs/%s for xen/amd64 failed:\n%s", name, r)
	}
	return img
}

// TestExitStatus runs built images through the exec wrapper, the way
// go test does, and checks the exact status.
func TestExitStatus(t *testing.T) {
	tests := []struct {
		prog     string
		args     []string
		want     int
		wantText []string
	}{
		{"exitargs", []string{"x"}, 3, []string{"arg[1]=\"x\""}},
		{"return", nil, 0, []string{"returning from main"}},
		{"panic", nil, 2, []string{"panic: boom from the guest", "goroutine 1 [running]:"}},
	}
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	for _, tt := range tests {
		t.Run(tt.prog, func(t *testing.T) {
			img := progImage(t, tt.prog)
			r := run(t, progsDir(t), env(t), wrapper, append([]string{img}, tt.args...)...)
			if r.code != tt.want {
				t.Errorf("exit status %d, want %d:\n%s", r.code, tt.want, r)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(r.combined(), want) {
					t.Errorf("output lacks %q:\n%s", want, r)
				}
			}
		})
	}
}

func TestGoTestPass(t *testing.T) {
	r := mgo(t, progsDir(t), "xen/amd64", "test", "-count=1", "-v", "./pass")
	for _, want := range []string{"--- PASS: TestAdd", "\nPASS\n", "ok  \texample/pass"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("go test output lacks %q:\n%s", want, r)
		}
	}
	if r.code != 0 {
		t.Errorf("go test of a passing package: exit status %d, want 0:\n%s", r.code, r)
	}
}

func TestGoTestFail(t *testing.T) {
	r := mgo(t, progsDir(t), "xen/amd64", "test", "-count=1", "./fail")
	for _, want := range []string{"--- FAIL: TestFails", "this failure is intended", "FAIL\texample/fail"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("go test output lacks %q:\n%s", want, r)
		}
	}
	if r.code == 0 {
		t.Errorf("go test of a failing package succeeded:\n%s", r)
	}
}

// TestGoRunWithoutQEMU runs go run with only $GOROOT/bin on PATH: the
// wrapper is found, QEMU is not.
func TestGoRunWithoutQEMU(t *testing.T) {
	gr := goroot(t)
	e := withPATH(env(t, "GOOS=xen", "GOARCH=amd64"), false, filepath.Join(gr, "bin"))
	// The panic program needs only the runtime, so this checks the path
	// from go run to the wrapper whatever state the rest of std is in.
	r := run(t, progsDir(t), e, filepath.Join(gr, "bin", "go"), "run", "./panic")
	const want = "go_xen_amd64_exec: qemu-system-x86_64 not found in $PATH (on Debian: apt-get install qemu-system-x86)\n"
	if r.code == 0 {
		t.Errorf("go run without QEMU succeeded:\n%s", r)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks the line %q:\n%s", want, r)
	}
	for _, bad := range []string{"panic:", "goroutine "} {
		if strings.Contains(r.combined(), bad) {
			t.Errorf("output has %q, a Go panic trace:\n%s", bad, r)
		}
	}
}
