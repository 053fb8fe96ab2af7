// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// GOOS=solo5 GOARCH=amd64 images under the genuine Solo5 spt tender
// (v0.12.1, built from the release tarball beside the checkout by
// scripts/solo5-tenders.sh and cached). Not being able to build the
// tender is a failure, not a reason to skip: these tests exist to run
// images under it.

var (
	tendersOnce sync.Once
	tendersDir  string
	tendersOut  string
)

// solo5Tenders returns the directory holding solo5-spt and
// solo5-elftool.
func solo5Tenders(t *testing.T) string {
	t.Helper()
	tendersOnce.Do(func() {
		cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "solo5-tenders.sh"))
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			tendersOut = string(ee.Stderr)
		}
		if err == nil {
			tendersDir = strings.TrimSpace(string(out))
		} else {
			tendersOut += err.Error()
		}
	})
	if tendersDir == "" {
		t.Fatalf("cannot build the Solo5 tenders with scripts/solo5-tenders.sh:\n%s", tendersOut)
	}
	return tendersDir
}

// buildSolo5 builds the program in progs/dir for solo5/amd64 and
// returns the image's path.
func buildSolo5(t *testing.T, dir string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), filepath.Base(dir)+".spt")
	if r := mgo(t, progsDir(t), "solo5/amd64", "build", "-o", img, "./"+dir); r.code != 0 {
		t.Fatalf("build failed:\n%s", r)
	}
	return img
}

// TestSolo5Image checks the image's notes with Solo5's own elftool, and
// that the linker refuses a tender it has no runtime for.
func TestSolo5Image(t *testing.T) {
	bin := solo5Tenders(t)
	img := buildSolo5(t, "exitargs")
	r := run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-abi", img)
	if r.code != 0 || !strings.Contains(r.stdout, `"target": "spt"`) || !strings.Contains(r.stdout, `"version": 2`) {
		t.Errorf("want ABI target spt, version 2:\n%s", r)
	}
	r = run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-manifest", img)
	if r.code != 0 || !strings.Contains(r.stdout, `"version": 1`) || strings.Contains(r.stdout, `"name"`) {
		t.Errorf("want an empty manifest (version 1, no devices):\n%s", r)
	}

	r = mgo(t, progsDir(t), "solo5/amd64", "build", "-ldflags=-solo5=hvt", "-o", img+".hvt", "./exitargs")
	if r.code == 0 || !strings.Contains(r.stderr, "-solo5=hvt: the hvt runtime is not written yet") {
		t.Errorf("want the linker to refuse -solo5=hvt:\n%s", r)
	}

	// The audit of TestImageAudit: the only system calls are spt's,
	// in the functions of sys_solo5_amd64.s, and the entry's two for
	// an image run as a host program.
	hits, err := auditSyscalls(img)
	if err != nil {
		t.Fatalf("auditing the image: %v", err)
	}
	allowed := map[string]bool{
		"_rt0_amd64_solo5":          true,
		"runtime.settls":            true,
		"runtime.sptWrite":          true,
		"runtime.sptExit":           true,
		"runtime.sptClockGettime":   true,
		"runtime.sptTimerfdSettime": true,
		"runtime.sptEpollPwait":     true,
	}
	n := 0
	for _, h := range hits {
		if h.inst == "syscall" && allowed[strings.TrimSuffix(h.fn, ".abi0")] {
			n++
			continue
		}
		t.Errorf("forbidden instruction outside spt's system calls: %v", h)
	}
	if n != 8 {
		t.Errorf("want 8 SYSCALLs in the spt stubs and the entry, found %d", n)
	}

	// Run on the host, the image says what it is.
	r = run(t, "", env(t), img)
	if r.code != 126 || !strings.Contains(r.stderr, "this is a GOOS=solo5 image") {
		t.Errorf("want exit status 126 and a message, run as a host program:\n%s", r)
	}
}

// TestSolo5SPT runs images under solo5-spt, directly and through the
// exec wrapper.
func TestSolo5SPT(t *testing.T) {
	spt := filepath.Join(solo5Tenders(t), "solo5-spt")
	wrapper := filepath.Join(goroot(t), "bin", "go_solo5_amd64_exec")
	e := env(t, "SOLO5_SPT="+spt)

	img := buildSolo5(t, "exitargs")
	// The tender's own command line: the words after the image are
	// the guest's, argv[0] first.
	r := run(t, "", e, spt, img, "exitargs", "a", "b")
	if r.code != 3 || r.stdout != "arg[1]=\"a\"\narg[2]=\"b\"\n" {
		t.Errorf("want the arguments and exit status 3:\n%s", r)
	}
	r = run(t, "", e, wrapper, img, "a", "two words", `x"y`, "--", "K=V")
	if r.code != 3 || r.stdout != "arg[1]=\"a\"\narg[2]=\"two words\"\narg[3]=\"x\\\"y\"\narg[4]=\"--\"\narg[5]=\"K=V\"\n" {
		t.Errorf("want the arguments and exit status 3 through the wrapper:\n%s", r)
	}

	img = buildSolo5(t, "panic")
	r = run(t, "", e, wrapper, img)
	if r.code != 2 || !strings.Contains(r.stdout, "panic: boom from the guest") || !strings.Contains(r.stdout, "main.main()") {
		t.Errorf("want exit status 2 and the panic with its traceback on stdout:\n%s", r)
	}

	img = buildSolo5(t, "sleepgc")
	r = run(t, "", e, wrapper, img)
	if r.code != 0 || !strings.Contains(r.stdout, "sleepgc ok") {
		t.Errorf("want sleepgc ok:\n%s", r)
	}

	// go run finds the wrapper in $GOROOT/bin.
	r = mgoEnv(t, progsDir(t), "solo5/amd64", []string{"SOLO5_SPT=" + spt}, "run", "./exitargs", "x")
	if !strings.Contains(r.stdout, "arg[1]=\"x\"\n") || !strings.Contains(r.stderr, "exit status 3\n") {
		t.Errorf("want go run to print the argument and exit status 3:\n%s", r)
	}

	// Without a tender, the wrapper says so in one line.
	r = run(t, "", append(e, "SOLO5_SPT="+filepath.Join(t.TempDir(), "none")), wrapper, img)
	if r.code != 127 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "SOLO5_SPT=") {
		t.Errorf("want exit status 127 and one line without the tender:\n%s", r)
	}
}

// TestSolo5Std checks that the standard library builds for solo5/amd64.
func TestSolo5Std(t *testing.T) {
	if r := mgo(t, repoRoot(t), "solo5/amd64", "build", "std"); r.code != 0 {
		t.Errorf("go build std failed:\n%s", r)
	}
}
