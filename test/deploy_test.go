// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Deploy helpers (issue 12): mirago-exec deploy writes what other
// engines need to run an image. These tests run what it writes where
// this machine can: the QEMU script here, and the OCI archive through
// Docker in docker_test.go (TestDockerDeployOCI). The xl and
// Firecracker configurations are checked field by field in
// scripts/goexec (deploy_test.go).

// deployWrapper builds scripts/goexec, the code under test, rather than
// taking $GOROOT/bin's copy, which is as old as the last
// scripts/goroot.sh run.
func deployWrapper(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mirago-exec")
	build := exec.Command("go", "build", "-o", bin, "./scripts/goexec")
	build.Dir = repoRoot(t)
	build.Env = env(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the wrapper: %v\n%s", err, out)
	}
	return bin
}

// runFor is run with a time limit: the deployed script has no
// MIRAGO_TIMEOUT of its own.
func runFor(t *testing.T, limit time.Duration, dir string, e []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, e
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{cmd: name + " " + strings.Join(args, " "), stdout: stdout.String(), stderr: stderr.String(), code: -1, err: err}
	if cmd.ProcessState != nil {
		r.code = cmd.ProcessState.ExitCode()
	}
	if ctx.Err() != nil {
		t.Fatalf("still running after %v; killed:\n%s", limit, r)
	}
	return r
}

// TestDeployQEMUScript boots a program with the script deploy qemu
// writes, in a directory of its own with nothing of the wrapper's
// around: the program's arguments and environment arrive, and QEMU's
// exit status is 2N+1 for the program's status N.
func TestDeployQEMUScript(t *testing.T) {
	img := progImage(t, "exitargs")
	mx := deployWrapper(t)
	dir := t.TempDir()
	r := run(t, dir, env(t), mx, "deploy", "qemu", "-o", dir, "-name", "ea", "-mem", "128M", img, "one", "two words", `q"uote`)
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("deploy qemu failed:\n%s", r)
	}
	script := filepath.Join(dir, "ea.sh")
	r = runFor(t, 3*time.Minute, t.TempDir(), env(t), script)
	if r.code != 3<<1|1 {
		t.Errorf("exit status %d, want %d (QEMU's for the program's 3):\n%s", r.code, 3<<1|1, r)
	}
	for _, want := range []string{`arg[1]="one"` + "\n", `arg[2]="two words"` + "\n", `arg[3]="q\"uote"` + "\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("console lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout, "arg[4]") {
		t.Errorf("console has a fourth argument:\n%s", r)
	}
}

// TestDeployQEMUNet: -net gives the guest QEMU's user network, and its
// hostfwd reaches a server in the guest.
func TestDeployQEMUNet(t *testing.T) {
	img := progImage(t, "netprobe")
	mx := deployWrapper(t)
	dir := t.TempDir()
	port := freePort(t)
	r := run(t, dir, env(t), mx, "deploy", "qemu", "-o", dir, "-net", fmt.Sprintf("user,hostfwd=tcp:127.0.0.1:%d-:80", port), img, "serve")
	if r.code != 0 {
		t.Fatalf("deploy qemu failed:\n%s", r)
	}
	g := startCommand(t, nil, []string{filepath.Join(dir, "netprobe.sh")})
	g.waitLine(t, `^listening on \[::\]:80 and \[::\]:443$`, 3*time.Minute)
	client := &http.Client{Timeout: time.Minute}
	get := func(path string) string {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatalf("GET %s: %v\nguest:\n%s", path, err, g.output())
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s %v", path, resp.Status, err)
		}
		return string(b)
	}
	if got := get("/"); got != "hello, world\n" {
		t.Errorf("GET / = %q, want %q", got, "hello, world\n")
	}
	get("/quit")
	select {
	case err := <-g.done:
		g.done <- err // for startCommand's cleanup
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 0<<1|1 {
			t.Errorf("script: %v, want exit status 1 (QEMU's for the program's 0):\n%s", err, g.output())
		}
	case <-time.After(time.Minute):
		t.Fatalf("guest still running a minute after /quit:\n%s", g.output())
	}
	if !strings.Contains(g.output(), "served\n") {
		t.Errorf("guest did not print \"served\":\n%s", g.output())
	}
}

// TestDeployNomadCommandLine boots a program with the QEMU command line
// Nomad's qemu driver would build from docs/deploy.md's job: the
// driver's own arguments (a pc machine, the image as an IDE disk, see
// drivers/qemu/driver.go in Nomad), then the job's args. Nomad itself
// is not run.
func TestDeployNomadCommandLine(t *testing.T) {
	img := progImage(t, "exitargs")
	dir := t.TempDir()
	local := filepath.Join(dir, "local")
	if err := os.Mkdir(local, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(local, "hello"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	driver := []string{"-machine", "type=pc,accel=tcg", "-name", "hello", "-m", "256M", "-drive", "file=local/hello,if=ide", "-nographic"}
	job := []string{"-kernel", "local/hello", "-append", "-- hello a", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"}
	r := runFor(t, 3*time.Minute, dir, env(t), "qemu-system-x86_64", append(driver, job...)...)
	if r.code != 3<<1|1 || !strings.Contains(r.stdout, `arg[1]="a"`+"\n") {
		t.Errorf("want exit status 7 and arg[1]=\"a\":\n%s", r)
	}
}
