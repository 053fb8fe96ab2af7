// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// consoleLines is what rtprobe's "lines n" mode prints.
func consoleLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "line %d of the console test\n", i)
	}
	return b.String()
}

// TestConsoleVirtio: on QEMU's microvm (amd64) and virt (arm64)
// machines the runtime writes to a virtio console when the machine has
// one on a version 2 transport, and to the UART (COM1, the PL011)
// otherwise. QEMU runs directly, with the virtio console writing to a
// file of its own, so that each byte's way out shows.
func TestConsoleVirtio(t *testing.T) {
	t.Run("amd64", func(t *testing.T) {
		testConsoleVirtio(t, func(t *testing.T, args []string, flags ...string) result {
			return bootPC(t, "microvm,auto-kernel-cmdline=off", "rtprobe", args, flags...)
		})
	})
	t.Run("arm64", func(t *testing.T) {
		testConsoleVirtio(t, func(t *testing.T, args []string, flags ...string) result {
			argv := append([]string{"-M", "virt", "-accel", "tcg", "-cpu", "max", "-m", "256M",
				"-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
				"-kernel", arm64Image(t, "rtprobe"), "-append", "-- " + strings.Join(append([]string{"rtprobe"}, args...), " "),
				"-serial", "stdio", "-semihosting-config", "enable=on,target=native"}, flags...)
			r := run(t, t.TempDir(), env(t), "qemu-system-aarch64", argv...)
			// Semihosting's exit makes QEMU's status the program's;
			// make it read as isa-debug-exit's, as for amd64.
			if r.code >= 0 {
				r.code = r.code<<1 | 1
			}
			return r
		})
	})
}

// testConsoleVirtio runs the cases of TestConsoleVirtio with boot,
// which boots rtprobe with args and more QEMU flags and returns QEMU's
// result, its status as isa-debug-exit gives it ((status<<1)|1).
func testConsoleVirtio(t *testing.T, boot func(t *testing.T, args []string, flags ...string) result) {
	const n = 3000
	virtconsole := func(path string) []string {
		return []string{
			"-chardev", "file,id=vc,path=" + path,
			"-device", "virtio-serial-device",
			"-device", "virtconsole,chardev=vc",
		}
	}
	modern := []string{"-global", "virtio-mmio.force-legacy=false"}
	for _, tt := range []struct {
		name    string
		args    []string
		virtio  bool // the virtio console is there and used
		flags   func(vc string) []string
		status  int
		wantOut string // the program's output, wherever it goes
	}{
		{"virtio", []string{"lines", fmt.Sprint(n)}, true,
			func(vc string) []string { return append(virtconsole(vc), modern...) },
			0, consoleLines(n)},
		{"virtio and a panic", []string{"lines", "10", "panic"}, true,
			func(vc string) []string { return append(virtconsole(vc), modern...) },
			2, consoleLines(10) + "panic: after the lines\n\ngoroutine 1 [running]:\n"},
		{"no virtio console", []string{"lines", fmt.Sprint(n)}, false,
			func(vc string) []string { return modern },
			0, consoleLines(n)},
		{"legacy transport", []string{"lines", "10"}, false,
			func(vc string) []string { return virtconsole(vc) },
			0, consoleLines(10)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vc := filepath.Join(t.TempDir(), "virtconsole")
			r := boot(t, tt.args, tt.flags(vc)...)
			if r.code != tt.status<<1|1 {
				t.Errorf("QEMU's status %d, want %d (the program's %d):\n%s", r.code, tt.status<<1|1, tt.status, r)
			}
			vout, err := os.ReadFile(vc)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			serial := r.stdout
			if tt.virtio {
				if serial != "" {
					t.Errorf("COM1 has %q, want nothing: all output on the virtio console", excerpt(serial))
				}
				serial, r.stdout = string(vout), string(vout)
			} else if len(vout) != 0 {
				t.Errorf("the virtio console has %q, want nothing", excerpt(string(vout)))
			}
			if !strings.HasPrefix(serial, tt.wantOut) || (tt.status == 0 && serial != tt.wantOut) {
				t.Errorf("output is not the program's (%d bytes, want %d):\n%s", len(serial), len(tt.wantOut), r)
			}
		})
	}
}

// TestConsoleWrapper: the exec wrappers give the guest a virtio
// console beside the UART, both on their standard output. A
// write-heavy program's output arrives whole and in order, and a
// panic's report and status follow it.
func TestConsoleWrapper(t *testing.T) {
	for arch, probe := range map[string]func(*testing.T, []string, ...string) result{"amd64": probe, "arm64": probeArm64} {
		t.Run(arch, func(t *testing.T) {
			const n = 20000
			r := probe(t, nil, "lines", fmt.Sprint(n))
			if r.code != 0 || r.stdout != consoleLines(n) {
				t.Errorf("status %d, want 0, and %d bytes of output, want %d:\n%s", r.code, len(r.stdout), len(consoleLines(n)), r)
			}
			r = probe(t, nil, "lines", "5", "panic")
			if r.code != 2 || !strings.HasPrefix(r.stdout, consoleLines(5)+"panic: after the lines\n") {
				t.Errorf("want status 2 and the lines, then the panic:\n%s", r)
			}
		})
	}
}

// TestConsoleSlowReader: a reader that takes the wrapper's output late
// still gets all of it. QEMU's virtio console drops what its standard
// output refuses, and QEMU makes that non-blocking: a pipe that filled
// up lost the guest's output (found as a flaky TestConsoleWrapper under
// load), so the wrapper gives QEMU a file and copies it on.
func TestConsoleSlowReader(t *testing.T) {
	const n = 20000
	cmd, out, stderr := startProbe(t, nil, "lines", fmt.Sprint(n))
	// The guest writes its 600 KB within about half a second; a
	// pipe holds 64 KB.
	time.Sleep(time.Second)
	got, err := io.ReadAll(out)
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	t.Logf("%s with the reader a second late: %d bytes, %v", strings.Join(cmd.Args, " "), len(got), err)
	if want := consoleLines(n); err != nil || string(got) != want {
		t.Errorf("status %v, want success, and %d bytes of output, want %d (stderr: %s)", err, len(got), len(want), stderr.String())
	}
}
