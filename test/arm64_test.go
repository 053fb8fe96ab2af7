// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The xen/arm64 port on QEMU's virt machine (docs/arm64.md): the
// images boot as arm64 Linux Images under qemu-system-aarch64, through
// the exec wrapper go_xen_arm64_exec, with TCG.

var (
	arm64ImagesMu  sync.Mutex
	arm64ImagesDir string
	arm64Images    = map[string]string{}
)

// arm64Image builds testdata/progs/name for xen/arm64, once per test
// run, and returns the image's path.
func arm64Image(t *testing.T, name string) string {
	t.Helper()
	arm64ImagesMu.Lock()
	defer arm64ImagesMu.Unlock()
	if img, ok := arm64Images[name]; ok {
		return img
	}
	if arm64ImagesDir == "" {
		dir, err := os.MkdirTemp("", "mirago-arm64-images-")
		if err != nil {
			t.Fatal(err)
		}
		arm64ImagesDir = dir
		registerCleanup(dir)
	}
	img := filepath.Join(arm64ImagesDir, name)
	if r := mgo(t, progsDir(t), "xen/arm64", "build", "-o", img, "./"+name); r.code != 0 {
		t.Fatalf("building testdata/progs/%s for xen/arm64 failed:\n%s", name, r)
	}
	arm64Images[name] = img
	return img
}

// probeArm64 boots rtprobe for xen/arm64 with args.
func probeArm64(t *testing.T, e []string, args ...string) result {
	t.Helper()
	img := arm64Image(t, "rtprobe")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_arm64_exec")
	return run(t, progsDir(t), env(t, e...), wrapper, append([]string{img}, args...)...)
}

// TestArm64Image checks the image's format: an arm64 Linux Image that
// QEMU and Xen load at 0x40200000, and that a second go build may
// overwrite.
func TestArm64Image(t *testing.T) {
	img := filepath.Join(t.TempDir(), "hello")
	for range 2 {
		if r := mgo(t, repoRoot(t), "xen/arm64", "build", "-o", img, "./examples/hello"); r.code != 0 {
			t.Fatalf("go build for xen/arm64:\n%s", r)
		}
	}
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 64 {
		t.Fatalf("image of %d bytes", len(b))
	}
	le := binary.LittleEndian
	if string(b[0x38:0x3c]) != "ARM\x64" {
		t.Errorf("no arm64 Image magic at 0x38: % x", b[:64])
	}
	if off := le.Uint64(b[8:]); off != 0x200000 {
		t.Errorf("text_offset %#x, want 0x200000", off)
	}
	if size := le.Uint64(b[16:]); size < uint64(len(b)) {
		t.Errorf("image_size %#x, less than the file's %#x bytes", size, len(b))
	}
	if insn := le.Uint32(b); insn>>26 != 0x05 {
		t.Errorf("first instruction %#x is not a branch (B)", insn)
	}
}

// TestArm64Run: arguments and exit status through go run, a panic's
// exit status and traceback.
func TestArm64Run(t *testing.T) {
	r := mgo(t, progsDir(t), "xen/arm64", "run", "./exitargs", "a", "two words")
	for _, want := range []string{"arg[1]=\"a\"\n", "arg[2]=\"two words\"\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r)
		}
	}
	if r.code == 0 || !strings.Contains(r.stderr, "exit status 3\n") {
		t.Errorf("want go run to fail with \"exit status 3\":\n%s", r)
	}
	img := arm64Image(t, "panic")
	r = run(t, progsDir(t), env(t), filepath.Join(goroot(t), "bin", "go_xen_arm64_exec"), img)
	wantRun(t, r, 2, "goroutine 1 [running]:", "main.main()")
}

// TestArm64Runtime runs the runtime probes that xen/amd64 passes.
func TestArm64Runtime(t *testing.T) {
	t.Run("info", func(t *testing.T) {
		// As for amd64, the guest gets the host's CPUs up to 4.
		n := min(runtime.NumCPU(), 4)
		wantRun(t, probeArm64(t, nil, "info"), 0, fmt.Sprintf("GOOS=xen GOARCH=arm64 NumCPU=%d GOMAXPROCS=%d ", n, n))
	})
	t.Run("sleep", func(t *testing.T) {
		r := probeArm64(t, nil, "sleep")
		wantRun(t, r, 0)
		req, obs := slept(t, r)
		if len(obs) != 4 {
			t.Fatalf("want 4 sleeps, got %d:\n%s", len(obs), r)
		}
		for i := range obs {
			if obs[i] < req[i] || obs[i] > req[i]+500*time.Millisecond {
				t.Errorf("asked to sleep %v, slept %v", req[i], obs[i])
			}
		}
	})
	t.Run("churn", func(t *testing.T) {
		wantRun(t, probeArm64(t, nil, "churn"), 0)
	})
	t.Run("gc", func(t *testing.T) {
		wantRun(t, probeArm64(t, nil, "gc"), 0, "collected")
	})
	t.Run("spin1", func(t *testing.T) {
		r := probeArm64(t, nil, "spin1")
		wantRun(t, r, 0)
		if _, obs := slept(t, r); len(obs) != 1 || obs[0] < 100*time.Millisecond || obs[0] > 5*time.Second {
			t.Errorf("want one sleep of 100ms beside a spinning goroutine, got %v:\n%s", obs, r)
		}
	})
	for _, tt := range []struct {
		mode   string
		status int
		want   []string
	}{
		{"nil", 0, []string{"recovered: runtime error: invalid memory address or nil pointer dereference"}},
		{"nilfatal", 2, []string{
			"panic: runtime error: invalid memory address or nil pointer dereference",
			"[signal SIGSEGV: segmentation violation code=0x1 addr=0x320 pc=",
			"goroutine 1 [running]:",
		}},
		// As on linux/arm64: the hardware does not trap.
		{"divide", 0, []string{"recovered: <nil>"}},
		{"illegal", 2, []string{"SIGILL: illegal instruction", "main.ud2()", "pc ", "lr "}},
		{"wild", 2, []string{"unexpected fault address 0x7f0000000000", "fatal error: fault", "code=0x1 addr=0x7f0000000000"}},
		// Page protection: rodata and text are read-only, the heap
		// and stacks are not executable.
		{"rodata", 2, []string{"unexpected fault address", "fatal error: fault", "SIGSEGV: segmentation violation code=0x2"}},
		{"text", 2, []string{"unexpected fault address", "fatal error: fault", "SIGSEGV: segmentation violation code=0x2"}},
		{"exec", 2, []string{"unexpected fault address", "fatal error: fault", "SIGSEGV: segmentation violation code=0x2"}},
		{"stack", 2, []string{"runtime: goroutine stack exceeds", "fatal error: stack overflow"}},
		{"oom", 2, []string{"fatal error: out of memory"}},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			wantRun(t, probeArm64(t, nil, tt.mode), tt.status, tt.want...)
		})
	}
}

// TestArm64Idle: a sleeping guest halts (WFI until the timer's
// interrupt) instead of spinning, and its clock runs on past the 4.3 s
// where a 64-bit tick conversion wrapped: the 5 s sleep must measure
// 5 s by the guest's own clock.
func TestArm64Idle(t *testing.T) {
	arm64Image(t, "rtprobe") // built before the measurements
	cpu := func(args ...string) (time.Duration, result) {
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
		r := probeArm64(t, nil, args...)
		syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
		return time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano()), r
	}
	base, r := cpu("idle", "0s")
	wantRun(t, r, 0, "woke")
	long, r := cpu("sleeps", "1", "5s")
	wantRun(t, r, 0)
	if _, obs := slept(t, r); len(obs) != 1 || obs[0] < 5*time.Second || obs[0] > 5500*time.Millisecond {
		t.Errorf("want one sleep of 5s by the guest's clock, got %v:\n%s", obs, r)
	}
	t.Logf("CPU time: %v for a boot, %v with a 5 s sleep", base, long)
	if extra := long - base; extra > 500*time.Millisecond {
		t.Errorf("the 5 s sleep cost %v of host CPU, want < 500ms (10%%)", extra)
	}
}

// TestArm64Rand: crypto/rand reads RNDR (QEMU's -cpu max has FEAT_RNG):
// two reads in a boot and two in a second boot, all different.
func TestArm64Rand(t *testing.T) {
	img := arm64Image(t, "stdprobe")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_arm64_exec")
	seen := map[string]bool{}
	for range 2 {
		r := run(t, progsDir(t), env(t), wrapper, img, "rand")
		wantRun(t, r, 0)
		wantRandomLines(t, r, "crypto/rand", 2, 32, seen)
	}
}

// arm64Wrapper returns the exec wrapper for xen/arm64.
func arm64Wrapper(t *testing.T) string {
	return filepath.Join(goroot(t), "bin", "go_xen_arm64_exec")
}

// TestArm64GoTestFiles runs go test on a package whose test opens
// testdata/hello.txt by relative path, and the files program on a file
// of the mounted tree: the wrapper mounts the working directory with
// -initrd, which the runtime finds in the device tree.
func TestArm64GoTestFiles(t *testing.T) {
	testGoTestRelativeFile(t, "xen/arm64")
	dir := progsDir(t)
	img := arm64Image(t, "files")
	hello := filepath.Join(dir, "files", "testdata", "hello.txt")
	wantRun(t, run(t, dir, env(t), arm64Wrapper(t), img, hello), 0,
		`read `+hello+`: "hello from the package directory\n"`, "wd "+dir+"\n", "tmp round trip: ok", "files: ok")
}

// devprobeArm64 boots devprobe for xen/arm64 with extra QEMU flags.
func devprobeArm64(t *testing.T, qemuFlags string, args ...string) result {
	t.Helper()
	img := arm64Image(t, "devprobe")
	e := env(t, "MIRAGO_NOMOUNT=1", "MIRAGO_QEMU_FLAGS="+qemuFlags)
	return run(t, progsDir(t), e, arm64Wrapper(t), append([]string{img}, args...)...)
}

// TestArm64Devices drives virtio-mmio devices on the virt machine,
// found in the device tree, with their interrupts through the GIC: the
// entropy device made slow, so that the reader must be woken by its
// interrupt while another goroutine spins, under GICv2 and GICv3; and a
// disk, written in one boot and read in the next and by the host.
func TestArm64Devices(t *testing.T) {
	for _, gic := range []string{"2", "3"} {
		t.Run("hwrng-gicv"+gic, func(t *testing.T) {
			r := devprobeArm64(t, "-M virt,gic-version="+gic+" -object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-device,rng=rng0,max-bytes=64,period=50", "busy")
			wantRun(t, r, 0, "read while busy in ")
			wantRandomLines(t, r, "hwrng", 4, 64, map[string]bool{})
		})
	}
	t.Run("nohwrng", func(t *testing.T) {
		wantRun(t, devprobeArm64(t, "", "hwrng"), 3, "no hardware RNG: read /dev/hwrng: no such device\n")
	})
	t.Run("disk", func(t *testing.T) {
		testDiskPersists(t, func(flags string, args ...string) result { return devprobeArm64(t, flags, args...) })
	})
}

// TestArm64Net: the host talks to net/http in the guest over
// virtio-net, through QEMU's user networking: a page, the remote
// address the server sees, HTTPS with the guest's self-signed
// certificate, and 10 MB each way with matching checksums.
func TestArm64Net(t *testing.T) {
	httpPort, httpsPort := freePort(t), freePort(t)
	g := startCommand(t, []string{fmt.Sprintf("MIRAGO_NET=user,hostfwd=tcp:127.0.0.1:%d-:80,hostfwd=tcp:127.0.0.1:%d-:443", httpPort, httpsPort)},
		[]string{arm64Wrapper(t), arm64Image(t, "netprobe"), "serve"})
	cert := g.waitLine(t, `^certificate ([0-9a-f]{64})$`, 2*time.Minute)[1]
	g.waitLine(t, `^listening on \[::\]:80 and \[::\]:443$`, time.Minute)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	client := &http.Client{Timeout: 2 * time.Minute}
	get := func(c *http.Client, url string) string {
		t.Helper()
		return g.get(t, c, url)
	}
	if got := get(client, base+"/"); got != "hello, world\n" {
		t.Errorf("GET / = %q, want %q", got, "hello, world\n")
	}
	if got := get(client, base+"/remote"); !regexp.MustCompile(`^10\.0\.2\.2:\d+ \*net\.TCPAddr\n$`).MatchString(got) {
		t.Errorf("GET /remote = %q, want 10.0.2.2:PORT *net.TCPAddr", got)
	}
	if got := get(pinnedClient(cert), fmt.Sprintf("https://127.0.0.1:%d/", httpsPort)); got != "hello, world\n" {
		t.Errorf("GET https / = %q", got)
	}
	const size = 10 << 20
	if got, want := fmt.Sprintf("%x", sha256.Sum256([]byte(get(client, fmt.Sprintf("%s/blob?n=%d", base, size))))), blobSum(size); got != want {
		t.Errorf("downloaded blob: sha256 %s, want %s", got, want)
	}
	uploadBlob(t, client, base, size)
}

// TestArm64SVC: Linux system calls made with the SVC instruction, as
// golang.org/x/sys/unix makes some of them, are served in the guest
// (testdata/progs/svcprobe): from a leaf function and from between
// entersyscall and exitsyscall, with every register but X0 preserved,
// ENOSYS for an unknown call, and a read that blocks while the
// collector moves the reader's stack.
func TestArm64SVC(t *testing.T) {
	img := arm64Image(t, "svcprobe")
	wantRun(t, run(t, progsDir(t), env(t, "MIRAGO_NOMOUNT=1"), arm64Wrapper(t), img), 0,
		"ok: getpid from a leaf = 1\n",
		"ok: getuid between entersyscall and exitsyscall = 0\n",
		"ok: getpid with the registers set = 1, kept true\n",
		"ok: call 999 = -38 (function not implemented)\n",
		"ok: blocking read = \"through the pipe\", the reader's stack moved\n")
}
