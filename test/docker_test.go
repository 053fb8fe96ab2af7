// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build dockerharness

// The tests of the toolchain image (Dockerfile) with a real Docker
// daemon. scripts/docker.sh builds the image first and runs them as
//
//	go test -tags dockerharness -run '^TestDocker' -v ./test/
//
// with MIRAGO_IMAGE naming the image, MIRAGO_DOCKER the docker client
// and DOCKER_HOST its daemon (`make test-docker`). Without a daemon or
// an image they fail: they exist to check both.

package test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dockerClient returns the docker command and the image under test.
func dockerClient(t *testing.T) (docker, image string) {
	t.Helper()
	docker, image = os.Getenv("MIRAGO_DOCKER"), os.Getenv("MIRAGO_IMAGE")
	if docker == "" {
		docker = "docker"
	}
	if image == "" {
		image = "mirago"
	}
	if r := run(t, "", os.Environ(), docker, "image", "inspect", "--format", "{{.Id}}", image); r.code != 0 {
		t.Fatalf("no image %s to test; build it with `make docker` (scripts/docker.sh):\n%v", image, r)
	}
	return docker, image
}

// dockerRun runs args in a new container of image, with the flags the
// README gives plus extra, and returns the result.
func dockerRun(t *testing.T, docker, image string, extra []string, args ...string) result {
	t.Helper()
	a := []string{"run", "--rm"}
	// The test daemon has no bridge (scripts/docker.sh): downloads
	// use the host's network, unless extra says otherwise.
	if !slices.Contains(extra, "--network") {
		a = append(a, "--network", "host")
	}
	// Where HTTPS goes through an intercepting proxy, the host's CA
	// bundle knows its CA and the image's does not.
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		a = append(a, "-v", f+":/etc/ssl/certs/ca-certificates.crt:ro")
	}
	a = append(a, extra...)
	a = append(a, image)
	return run(t, "", os.Environ(), docker, append(a, args...)...)
}

// TestDockerImage checks what the image holds: the toolchain for the
// caller's use, a non-root default user, and no bootstrap Go or build
// cache.
func TestDockerImage(t *testing.T) {
	docker, image := dockerClient(t)
	r := run(t, "", os.Environ(), docker, "image", "inspect", "--format", "{{.Size}} {{.Config.User}}", image)
	if r.code != 0 {
		t.Fatalf("inspecting the image failed:\n%v", r)
	}
	size, user, _ := strings.Cut(strings.TrimSpace(r.stdout), " ")
	n, _ := strconv.ParseInt(size, 10, 64)
	t.Logf("image %s: %d MB, user %q", image, n/1e6, user)
	if user != "gopher" {
		t.Errorf("image user is %q, want gopher (not root)", user)
	}

	const probe = `id -un
go version
go env GOROOT GOPATH GOCACHE GOTOOLCHAIN
command -v qemu-system-x86_64
command -v go_xen_amd64_exec
ls /usr/lib/go* /root/.cache /cache 2>/dev/null | wc -l
find /go -mindepth 1 -not -type d | wc -l`
	r = dockerRun(t, docker, image, nil, "sh", "-ec", probe)
	if r.code != 0 {
		t.Fatalf("probing the image failed:\n%v", r)
	}
	want := []string{
		"gopher",
		"go version go1.27.4 linux/amd64",
		"/usr/local/mirago", "/go", "/go/cache", "local",
		"/usr/bin/qemu-system-x86_64", "/usr/local/mirago/bin/go_xen_amd64_exec",
		"0", // no Debian Go, no caches from the build
		"0", // nothing in the module or build cache
	}
	got := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the image's probe printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDockerBuildRunTest runs the commands README.md gives for the
// image, on a program with one third-party module: go build, go run
// (QEMU in the container boots the image; for arm64 too) and go test, with the module
// and build caches in a volume; then builds again with the network off,
// from that volume alone.
func TestDockerBuildRunTest(t *testing.T) {
	docker, image := dockerClient(t)
	src := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "test", "testdata", "docker"), src)
	vol := fmt.Sprintf("mirago-test-go-%d", os.Getpid())
	t.Cleanup(func() { run(t, "", os.Environ(), docker, "volume", "rm", "-f", vol) })

	// As README.md: the caller's user, so that what go build writes in
	// /src is theirs.
	user := fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
	flags := []string{"-v", src + ":/src", "-v", vol + ":/go", "-u", user, "-e", "GOOS=xen"}

	r := dockerRun(t, docker, image, flags, "go", "build", "-o", "app.xen", ".")
	if r.code != 0 {
		t.Fatalf("go build in the container failed:\n%v", r)
	}
	data, err := os.ReadFile(filepath.Join(src, "app.xen"))
	if err != nil {
		t.Fatalf("go build wrote no image: %v", err)
	}
	if !bytes.HasPrefix(data, []byte("\x7fELF")) {
		t.Errorf("app.xen is not an ELF file")
	}

	r = dockerRun(t, docker, image, flags, "go", "run", ".", "a", "b")
	const wantRun = "running on xen/amd64 with arguments [\"a\" \"b\"]\nuuid version: 1\n"
	if r.code != 0 || !strings.Contains(r.stdout, wantRun) {
		t.Errorf("go run in the container: want output\n%swith exit status 0, got:\n%v", wantRun, r)
	}

	r = dockerRun(t, docker, image, append([]string{"-e", "GOARCH=arm64"}, flags...), "go", "run", ".", "a", "b")
	const wantRunArm64 = "running on xen/arm64 with arguments [\"a\" \"b\"]\nuuid version: 1\n"
	if r.code != 0 || !strings.Contains(r.stdout, wantRunArm64) {
		t.Errorf("go run for arm64 in the container: want output\n%swith exit status 0, got:\n%v", wantRunArm64, r)
	}

	r = dockerRun(t, docker, image, flags, "go", "test", "-v", ".")
	if r.code != 0 || !strings.Contains(r.stdout, "GOOS=xen") || !strings.Contains(r.stdout, "ok  \texample.com/dockerdemo") {
		t.Errorf("go test in the container did not pass on xen:\n%v", r)
	}

	// The module came from the volume: no proxy, no network.
	offline := append([]string{"--network", "none", "-e", "GOPROXY=off"}, flags...)
	r = dockerRun(t, docker, image, offline, "go", "build", "-o", "app2.xen", ".")
	if r.code != 0 {
		t.Errorf("an offline go build with the module cache volume failed:\n%v", r)
	}
}

// TestDockerDefaultUser runs a program as the image's own user, with no
// -u: the way a reader tries the image first.
func TestDockerDefaultUser(t *testing.T) {
	docker, image := dockerClient(t)
	src := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "examples", "hello"), src)
	// The demo lives in the repository's module; here it is its own.
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.27\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := dockerRun(t, docker, image, []string{"-v", src + ":/src:ro", "-e", "GOOS=xen"}, "go", "run", ".", "x")
	if r.code != 0 || !strings.Contains(r.stdout, "Hello from Mirago!") || !strings.Contains(r.stdout, `arg 1: "x"`) {
		t.Errorf("go run as the image's user failed:\n%v", r)
	}
}

// TestDockerDeployOCI loads the archive that mirago-exec deploy oci
// writes (deploy_test.go tests the other kinds) into Docker, and copies
// the kernel back out of a container made from it.
func TestDockerDeployOCI(t *testing.T) {
	dockerCmd, _ := dockerClient(t)
	img := progImage(t, "exitargs")
	kernel, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	mx := deployWrapper(t)
	dir := t.TempDir()
	tag := "mirago-deploy-test:" + strconv.Itoa(os.Getpid())
	r := run(t, dir, env(t), mx, "deploy", "oci", "-o", dir, "-tag", tag, img, "x")
	if r.code != 0 {
		t.Fatalf("deploy oci failed:\n%s", r)
	}
	docker := func(args ...string) result {
		t.Helper()
		return runFor(t, 2*time.Minute, dir, os.Environ(), dockerCmd, args...)
	}
	if r := docker("load", "-i", filepath.Join(dir, "exitargs.tar")); r.code != 0 || !strings.Contains(r.stdout, "Loaded image: "+tag) {
		t.Fatalf("docker load: want \"Loaded image: %s\":\n%s", tag, r)
	}
	t.Cleanup(func() { docker("rmi", "-f", tag) })
	r = docker("image", "inspect", "--format", `{{.Os}}/{{.Architecture}} {{index .Config.Labels "dev.mirago.cmdline"}}`, tag)
	if want := "linux/amd64 -- exitargs x\n"; r.code != 0 || r.stdout != want {
		t.Errorf("docker image inspect: want %q:\n%s", want, r)
	}
	// The image has no command, being no container; create takes one
	// and never runs it.
	name := "mirago-deploy-test-" + strconv.Itoa(os.Getpid())
	if r := docker("create", "--name", name, tag, "/none"); r.code != 0 {
		t.Fatalf("docker create:\n%s", r)
	}
	t.Cleanup(func() { docker("rm", "-f", name) })
	out := filepath.Join(dir, "kernel")
	if r := docker("cp", name+":/boot/kernel", out); r.code != 0 {
		t.Fatalf("docker cp:\n%s", r)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, kernel) {
		t.Errorf("/boot/kernel from the container: %d bytes, differing from the image's %d", len(got), len(kernel))
	}
}

// copyTree copies the regular files of dir src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
