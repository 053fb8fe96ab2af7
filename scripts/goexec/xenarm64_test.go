// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// arm64Image writes the 64-byte header of an arm64 Image, and a little
// code after it, to a file and returns its path.
func arm64Image(t *testing.T) string {
	t.Helper()
	return writeFile(t, "hello.arm64", arm64Header(arm64ImageMagic, "some code"))
}

// arm64Header returns a header with magic at its place, then rest.
func arm64Header(magic, rest string) []byte {
	h := make([]byte, arm64HeaderSize)
	binary.LittleEndian.PutUint64(h[8:], 0x200000)  // text_offset
	binary.LittleEndian.PutUint64(h[16:], 0x140000) // image_size
	binary.LittleEndian.PutUint64(h[24:], 2)        // flags: 4K pages
	copy(h[arm64MagicOffset:], magic)
	return append(h, rest...)
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckArm64Image(t *testing.T) {
	hostELF, err := os.Executable() // this test binary: an ELF without a PVH note
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(hostELF)
	if err != nil {
		t.Fatal(err)
	}
	hostMachine := f.Machine.String()
	f.Close()
	good := arm64Image(t)
	short := writeFile(t, "short", arm64Header(arm64ImageMagic, "")[:arm64HeaderSize-1])
	noMagic := writeFile(t, "nomagic", arm64Header("ARM\x65", "code"))
	empty := writeFile(t, "empty", nil)
	pvh := pvhImage(t, "hello.xen")
	tests := []struct {
		image string
		want  string // "" means no error
	}{
		{good, ""},
		{short, short + `: not an arm64 Image (no "ARM\x64" magic at offset 0x38); build it with GOOS=xen GOARCH=arm64`},
		{noMagic, noMagic + `: not an arm64 Image (no "ARM\x64" magic at offset 0x38); build it with GOOS=xen GOARCH=arm64`},
		{empty, empty + `: not an arm64 Image (no "ARM\x64" magic at offset 0x38); build it with GOOS=xen GOARCH=arm64`},
		{pvh, pvh + ": a GOOS=xen GOARCH=amd64 image, not an arm64 Image; run it with go_xen_amd64_exec"},
		{hostELF, hostELF + ": an ELF for " + hostMachine + ", not an arm64 Image; build it with GOOS=xen GOARCH=arm64"},
		{good + ".missing", "cannot read image: open " + good + ".missing: no such file or directory"},
	}
	for _, tt := range tests {
		err := checkArm64Image(tt.image)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("checkArm64Image(%s) = %q, want %q", filepath.Base(tt.image), got, tt.want)
		}
	}
	// The converse, for xen/amd64: only an arm64 Image is refused.
	for _, img := range []string{pvh, hostELF, short, empty, good + ".missing"} {
		if err := checkNotArm64Image(img); err != nil {
			t.Errorf("checkNotArm64Image(%s) = %v, want nil", filepath.Base(img), err)
		}
	}
	if err := checkNotArm64Image(good); err == nil || !strings.Contains(err.Error(), "go_xen_arm64_exec") {
		t.Errorf("checkNotArm64Image(arm64 Image) = %v, want an error naming go_xen_arm64_exec", err)
	}
}

func TestQEMUArm64Args(t *testing.T) {
	got := qemuArm64Args("/tmp/hello", "-- /tmp/hello a", "512M", 1, []string{"-d", "int"})
	want := []string{
		"-M", "virt",
		"-accel", "tcg", "-cpu", "max",
		"-m", "512M",
		"-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
		"-kernel", "/tmp/hello",
		"-append", "-- /tmp/hello a",
		"-chardev", "stdio,id=mirago-con,mux=on",
		"-serial", "chardev:mirago-con",
		"-semihosting-config", "enable=on,target=native",
		"-global", "virtio-mmio.force-legacy=false",
		"-d", "int",
		"-device", "virtio-serial-device",
		"-device", "virtconsole,chardev=mirago-con",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// More than one CPU: multi-threaded TCG, as for amd64.
	got = qemuArm64Args("/tmp/hello", "-- /tmp/hello a", "512M", 4, nil)
	if i := indexOf(got, "-accel"); i < 0 || !slices.Equal(got[i:i+6], []string{"-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "4"}) {
		t.Errorf("4 CPUs: %q", got)
	}
}

func TestGuestStatusArm64(t *testing.T) {
	qemuErr := []byte("qemu-system-aarch64: could not load kernel '/nonexistent'\n")
	warning := []byte("qemu-system-aarch64: warning: something the guest does not need\n")
	signaled := []byte("qemu-system-aarch64: terminating on signal 15 from pid 42 (kill)\n")
	tests := []struct {
		name       string
		qemuStatus int
		stderr     []byte
		want       int
		wantMsg    string // substring; "" means no message
	}{
		{"exit 0", 0, nil, 0, ""},
		{"exit 0 after a QEMU warning", 0, warning, 0, ""},
		{"exit 1", 1, nil, 1, ""},
		{"exit 1 after a QEMU warning", 1, warning, 1, ""},
		{"panic", 2, nil, 2, ""},
		{"os.Exit(127)", 127, nil, 127, ""},
		{"os.Exit(200)", 200, nil, 200, ""},
		{"os.Exit(255)", 255, nil, 255, ""},
		{"QEMU error", 1, qemuErr, exitFailed, "QEMU failed with exit status 1"},
		{"QEMU stopped by a signal", 0, signaled, exitFailed, "QEMU stopped before the guest reported an exit status"},
		// Not QEMU's own status: it fails only with 1.
		{"exit 3 after a QEMU message", 3, qemuErr, 3, ""},
		// The x86 program's messages are not this QEMU's.
		{"another QEMU's message", 1, []byte("qemu-system-x86_64: oops\n"), 1, ""},
	}
	for _, tt := range tests {
		got, msg := guestStatusArm64(tt.qemuStatus, tt.stderr)
		if got != tt.want {
			t.Errorf("%s: guestStatusArm64(%d) = %d, want %d", tt.name, tt.qemuStatus, got, tt.want)
		}
		if (tt.wantMsg == "") != (msg == "") || !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("%s: message %q, want one containing %q", tt.name, msg, tt.wantMsg)
		}
	}
}

func TestReadArm64Config(t *testing.T) {
	// The default is the host's CPUs up to 4, as for amd64.
	fakeHostCPUs(t, 3)
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr string
	}{
		{"defaults", nil, config{mem: "1G", smp: 3, timeout: defaultTimeout}, ""},
		{"auto is TCG", map[string]string{"MIRAGO_ACCEL": "auto"}, config{mem: "1G", smp: 3, timeout: defaultTimeout}, ""},
		{"all set", map[string]string{
			"MIRAGO_ACCEL": "tcg", "MIRAGO_MEM": "256M", "MIRAGO_TIMEOUT": "90s",
			"MIRAGO_QEMU_FLAGS": "-d int", "MIRAGO_TIMING": "", "MIRAGO_SMP": "1",
		}, config{mem: "256M", smp: 1, timeout: 90e9, extra: []string{"-d", "int"}, timing: true}, ""},
		{"kvm", map[string]string{"MIRAGO_ACCEL": "kvm"}, config{}, "MIRAGO_ACCEL=kvm: xen/arm64 images run under TCG only"},
		{"bad accel", map[string]string{"MIRAGO_ACCEL": "hvf"}, config{}, `MIRAGO_ACCEL="hvf": want tcg or auto`},
		{"network", map[string]string{"MIRAGO_NET": "user"}, config{mem: "1G", smp: 3, timeout: defaultTimeout, extra: []string{"-netdev", "user,id=mirago-net0", "-device", "virtio-net-device,netdev=mirago-net0"}}, ""},
		{"bad timeout", map[string]string{"MIRAGO_TIMEOUT": "soon"}, config{}, `MIRAGO_TIMEOUT="soon"`},
		{"two CPUs", map[string]string{"MIRAGO_SMP": "2"}, config{mem: "1G", smp: 2, timeout: defaultTimeout}, ""},
		{"too many CPUs", map[string]string{"MIRAGO_SMP": "17"}, config{}, `MIRAGO_SMP="17": want a number of CPUs from 1 to 16`},
		{"one CPU", map[string]string{"MIRAGO_SMP": "1"}, config{mem: "1G", smp: 1, timeout: defaultTimeout}, ""},
	}
	for _, tt := range tests {
		got, err := readArm64Config(env(tt.env))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestRunArm64WithFakeQEMU(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		env        map[string]string
		image      []byte // nil: a good Image
		wantStatus int
		wantStdout string
		wantStderr string // substring; "" means stderr must be empty
	}{
		{"exit 0", `echo hi; exit 0`, nil, nil, 0, "hi\n", ""},
		{"exit 1", `printf 'no newline'; exit 1`, nil, nil, 1, "no newline", ""},
		{"panic", `echo "panic: boom"; exit 2`, nil, nil, 2, "panic: boom\n", ""},
		{"exit 200, all 8 bits", `exit 200`, nil, nil, 200, "", ""},
		{"QEMU error", `echo "qemu-system-aarch64: could not load kernel" >&2; exit 1`, nil, nil,
			exitFailed, "", "QEMU failed with exit status 1"},
		{"QEMU crash", `kill -ABRT $$`, nil, nil, exitFailed, "", "QEMU died of signal 6"},
		{"timeout", `exec /bin/sleep 30`, map[string]string{"MIRAGO_TIMEOUT": "300ms"}, nil,
			exitTimeout, "", "did not finish within 300ms (MIRAGO_TIMEOUT); killed QEMU"},
		{"timing", `echo hi; exit 0`, map[string]string{"MIRAGO_TIMING": ""}, nil, 0, "hi\n", "timing: first-line="},
		{"kvm", `exit 0`, map[string]string{"MIRAGO_ACCEL": "kvm"}, nil, exitFailed, "", "MIRAGO_ACCEL=kvm"},
		{"bad network", `exit 0`, map[string]string{"MIRAGO_NET": "user,id=n"}, nil, exitFailed, "", "leave out the id"},
		{"Xen, not built", `exit 0`, map[string]string{"MIRAGO_VMM": "xen"}, nil, exitFailed, "",
			"MIRAGO_VMM=xen: no Xen harness for arm64"},
		{"bad VMM", `exit 0`, map[string]string{"MIRAGO_VMM": "kvmtool"}, nil, exitFailed, "", `MIRAGO_VMM="kvmtool"`},
		{"not an Image", `exit 0`, nil, []byte("\x7fELF"), exitFailed, "", "not an arm64 Image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeQEMUNamed(t, "qemu-system-aarch64", tt.body)
			// The harness, which the wrapper runs in its own process,
			// finds its artefacts through this process's environment:
			// an empty cache has none.
			t.Setenv("MIRAGO_CACHE", t.TempDir())
			img := arm64Image(t)
			if tt.image != nil {
				img = writeFile(t, "img", tt.image)
			}
			var stdout, stderr bytes.Buffer
			got := run([]string{"/usr/local/bin/go_xen_arm64_exec", img}, env(tt.env), &stdout, &stderr)
			if got != tt.wantStatus {
				t.Errorf("status %d, want %d; stderr:\n%s", got, tt.wantStatus, stderr.String())
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.wantStdout)
			}
			errText := stderr.String()
			if tt.wantStderr == "" && errText != "" || !strings.Contains(errText, tt.wantStderr) {
				t.Errorf("stderr %q, want it to contain %q", errText, tt.wantStderr)
			}
			if tt.wantStderr != "" && !strings.HasPrefix(lastLine(errText), "go_xen_arm64_exec: ") {
				t.Errorf("stderr's last line %q does not name the wrapper", lastLine(errText))
			}
		})
	}
}

// TestRunArm64PassesArguments checks what reaches QEMU: the image, the
// command line with the forwarded environment and nothing else (no
// working directory with MIRAGO_NOMOUNT=1, no TSC frequency), the
// memory size and the extra flags, and no devices or monitor, whatever
// the environment asks of the amd64 runner.
func TestRunArm64PassesArguments(t *testing.T) {
	argsFile := fakeQEMUNamed(t, "qemu-system-aarch64", "exit 0")
	img := arm64Image(t)
	var stdout, stderr bytes.Buffer
	e := env(map[string]string{
		"GOGC": "50", "HOME": "/root", "MIRAGO_ENV": "HOME",
		"MIRAGO_MEM": "256M", "MIRAGO_QEMU_FLAGS": "-d  guest_errors",
		"MIRAGO_TSC_KHZ": "2100000",
		"MIRAGO_NOMOUNT": "1", // TestRunMountsCwd covers the mount
		"MIRAGO_SMP":     "2",
	})
	if got := run([]string{"go_xen_arm64_exec", img, "a", "b c"}, e, &stdout, &stderr); got != 0 {
		t.Fatalf("status %d, want 0; stderr:\n%s", got, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr %q, want none", stderr.String())
	}
	data, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	want := qemuArm64Args(img, `GOGC=50 HOME=/root -- `+img+` a "b c"`, "256M", 2, []string{"-d", "guest_errors"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("QEMU arguments (-want +got):\n%s", diff)
	}
	// The console's devices come last; nothing else asked for one.
	console := []string{"-device", "virtio-serial-device", "-device", "virtconsole,chardev=mirago-con"}
	if len(got) < len(console) || !slices.Equal(got[len(got)-len(console):], console) {
		t.Errorf("QEMU arguments %q do not end with the console's %q", got, console)
	} else {
		got = got[:len(got)-len(console)]
	}
	for _, opt := range []string{"-device", "-initrd", "-drive", "-netdev", "-monitor"} {
		if indexOf(got, opt) >= 0 {
			t.Errorf("QEMU arguments %q have %s, which nothing asked for", got, opt)
		}
	}
}
