// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bootTimeout bounds each boot, so that a hung guest fails its test
// instead of running into go test's own timeout. It is no performance
// assertion: a healthy boot takes well under a second.
const bootTimeout = "3m"

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// repoRoot returns the top of the Mirago checkout: the nearest parent of
// the working directory (go test runs in test/) whose go.mod declares
// mirago.dev/mirago.
func repoRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && bytes.HasPrefix(data, []byte("module mirago.dev/mirago\n")) {
				rootDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = errors.New("no parent directory holds the mirago.dev/mirago go.mod")
				return
			}
			dir = parent
		}
	})
	if rootErr != nil {
		t.Fatalf("finding the repository root: %v", rootErr)
	}
	return rootDir
}

var (
	gorootOnce sync.Once
	gorootDir  string
)

// goroot returns the built Mirago GOROOT. The integration tests exist to
// check it, so its absence is a failure, not a reason to skip.
//
// _build/goroot is a link into the build cache; it is resolved once, so
// that all tests use one tree even if scripts/goroot.sh relinks it
// meanwhile.
func goroot(t testing.TB) string {
	t.Helper()
	link := filepath.Join(repoRoot(t), "_build", "goroot")
	gorootOnce.Do(func() {
		gorootDir, _ = filepath.EvalSymlinks(link)
	})
	if gorootDir == "" {
		t.Fatalf("no Mirago toolchain at %s: run `make toolchain` (scripts/goroot.sh) first", link)
	}
	if _, err := os.Stat(filepath.Join(gorootDir, "bin", "go")); err != nil {
		t.Fatalf("no Mirago toolchain at %s (%v): run `make toolchain` (scripts/goroot.sh) first", link, err)
	}
	return gorootDir
}

// progsDir is the module of small programs the tests build and boot.
func progsDir(t testing.TB) string {
	return filepath.Join(repoRoot(t), "test", "testdata", "progs")
}

// result is what a command did.
type result struct {
	cmd    string
	stdout string
	stderr string
	code   int // exit status; -1 if it did not run or died of a signal
	err    error
}

// String prints the result for a failure message.
func (r result) String() string {
	return "$ " + r.cmd + "\nexit status: " + strconv.Itoa(r.code) +
		"\n--- stdout ---\n" + excerpt(r.stdout) + "--- stderr ---\n" + excerpt(r.stderr)
}

// excerpt keeps failure messages readable: the first and last lines of
// long output.
func excerpt(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= 60 {
		return s
	}
	return strings.Join(lines[:20], "") + "[... " + strconv.Itoa(len(lines)-50) + " lines ...]\n" + strings.Join(lines[len(lines)-30:], "")
}

// env returns the environment for commands run by the tests: the test's
// own, less anything that would select another toolchain or target,
// plus extra (NAME=VALUE).
func env(t testing.TB, extra ...string) []string {
	drop := map[string]bool{"GOROOT": true, "GOOS": true, "GOARCH": true, "GOFLAGS": true, "GOTOOLCHAIN": true, "GOEXPERIMENT": true}
	var e []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] && !strings.HasPrefix(name, "MIRAGO_") {
			e = append(e, kv)
		}
	}
	e = append(e,
		"GOTOOLCHAIN=local",       // never fetch another toolchain
		"GOFLAGS=-buildvcs=false", // testdata is not a VCS checkout of its own
		"MIRAGO_TIMEOUT="+bootTimeout,
	)
	return append(e, extra...)
}

// withPATH returns e with PATH set to dirs followed by the old PATH, or
// to dirs alone if keepOld is false.
func withPATH(e []string, keepOld bool, dirs ...string) []string {
	path := strings.Join(dirs, string(os.PathListSeparator))
	var out []string
	for _, kv := range e {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			if keepOld && v != "" {
				path += string(os.PathListSeparator) + v
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PATH="+path)
}

// run runs name with args in dir with environment e.
func run(t testing.TB, dir string, e []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = e
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{
		cmd:    strings.TrimSpace(envPrefix(e) + " " + name + " " + strings.Join(args, " ")),
		stdout: stdout.String(),
		stderr: stderr.String(),
		code:   cmd.ProcessState.ExitCode(),
		err:    err,
	}
	if cmd.ProcessState == nil {
		r.code = -1
	}
	t.Logf("%s (%v, exit %d)", r.cmd, time.Since(start).Round(time.Millisecond), r.code)
	return r
}

// envPrefix shows the variables a reader needs to rerun a command.
func envPrefix(e []string) string {
	var s []string
	for _, kv := range e {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GOOS", "GOARCH", "MIRAGO_UPSTREAM_DIR", "MIRAGO_CACHE":
			s = append(s, kv)
		case "PATH":
			// Abbreviate the inherited part.
			if old := os.Getenv("PATH"); old != "" {
				kv = strings.Replace(kv, old, "$PATH", 1)
			}
			if kv != "PATH=$PATH" {
				s = append(s, kv)
			}
		}
	}
	return strings.Join(s, " ")
}

// mgo runs the Mirago go command in dir for GOOS/GOARCH target
// ("xen/amd64"; "" for the host), with $GOROOT/bin first on PATH so that go run and go
// test find the exec wrappers.
func mgo(t testing.TB, dir, target string, args ...string) result {
	t.Helper()
	return mgoEnv(t, dir, target, nil, args...)
}

// mgoEnv is mgo with more environment variables (NAME=VALUE), which
// override env's.
func mgoEnv(t testing.TB, dir, target string, vars []string, args ...string) result {
	t.Helper()
	gr := goroot(t)
	var extra []string
	if goos, goarch, ok := strings.Cut(target, "/"); ok {
		extra = []string{"GOOS=" + goos, "GOARCH=" + goarch}
	}
	extra = append(extra, vars...)
	e := withPATH(env(t, extra...), true, filepath.Join(gr, "bin"))
	return run(t, dir, e, filepath.Join(gr, "bin", "go"), args...)
}
