// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseExecName(t *testing.T) {
	tests := []struct {
		name, goos, goarch string
		ok                 bool
	}{
		{"go_xen_amd64_exec", "xen", "amd64", true},
		{"go_solo5_arm64_exec", "solo5", "arm64", true},
		{"go_js_wasm_exec", "js", "wasm", true},
		{"mirago-exec", "", "", false},
		{"go_xen_exec", "", "", false},
		{"go_xen_amd64_extra_exec", "", "", false},
		{"go__amd64_exec", "", "", false},
		{"xgo_xen_amd64_exec", "", "", false},
	}
	for _, tt := range tests {
		goos, goarch, ok := parseExecName(tt.name)
		if goos != tt.goos || goarch != tt.goarch || ok != tt.ok {
			t.Errorf("parseExecName(%q) = %q, %q, %v; want %q, %q, %v", tt.name, goos, goarch, ok, tt.goos, tt.goarch, tt.ok)
		}
	}
}

func TestGuestStatus(t *testing.T) {
	qemuErr := []byte("qemu-system-x86_64: -kernel /nonexistent: could not load kernel\n")
	warning := []byte("qemu-system-x86_64: warning: host doesn't support requested feature\n")
	tests := []struct {
		name       string
		qemuStatus int
		stderr     []byte
		want       int
		wantMsg    string // substring; "" means no message
	}{
		{"exit 0", 1, nil, 0, ""},
		{"exit 0 after a QEMU warning", 1, warning, 0, ""},
		{"exit 1", 3, nil, 1, ""},
		{"panic", 5, nil, 2, ""},
		{"os.Exit(3)", 7, nil, 3, ""},
		{"os.Exit(127)", 255, nil, 127, ""},
		// os.Exit(200): QEMU exits with 401, of which the kernel
		// keeps 401&0xff = 145.
		{"os.Exit(200) arrives as 72", 401 & 0xff, nil, 72, ""},
		{"no status reported", 0, nil, exitFailed, "without reporting an exit status"},
		{"QEMU error", 1, qemuErr, exitFailed, "QEMU failed with exit status 1"},
		{"QEMU error status 2", 2, nil, exitFailed, "QEMU failed with exit status 2"},
	}
	for _, tt := range tests {
		got, msg := guestStatus(tt.qemuStatus, tt.stderr)
		if got != tt.want {
			t.Errorf("%s: guestStatus(%d) = %d, want %d", tt.name, tt.qemuStatus, got, tt.want)
		}
		if (tt.wantMsg == "") != (msg == "") || !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("%s: message %q, want one containing %q", tt.name, msg, tt.wantMsg)
		}
	}
}

func TestQEMUArgs(t *testing.T) {
	got := qemuArgs("/tmp/hello", "-- /tmp/hello a", "512M", 1, false, "/tmp/m/monitor", []string{"-d", "int"})
	want := []string{
		"-M", "microvm,auto-kernel-cmdline=off",
		"-accel", "tcg", "-cpu", "max",
		"-m", "512M",
		"-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
		"-kernel", "/tmp/hello",
		"-append", "-- /tmp/hello a",
		"-chardev", "stdio,id=mirago-con,mux=on",
		"-serial", "chardev:mirago-con",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-global", "virtio-mmio.force-legacy=false",
		"-monitor", "unix:/tmp/m/monitor,server=on,wait=off",
		"-d", "int",
		"-device", "virtio-serial-device",
		"-device", "virtconsole,chardev=mirago-con",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TCG (-want +got):\n%s", diff)
	}
	got = qemuArgs("img", "--", "256M", 1, true, "", nil)
	if i := indexOf(got, "-accel"); i < 0 || got[i+1] != "kvm" || got[i+2] != "-cpu" || got[i+3] != "host" {
		t.Errorf("KVM: args %q lack -accel kvm -cpu host", got)
	}
	if i := indexOf(got, "-smp"); i >= 0 {
		t.Errorf("one CPU: args %q have -smp", got)
	}
	got = qemuArgs("img", "--", "256M", 2, false, "", nil)
	if i := indexOf(got, "-accel"); i < 0 || got[i+1] != "tcg,thread=multi" {
		t.Errorf("2 CPUs under TCG: args %q lack -accel tcg,thread=multi", got)
	}
	if i := indexOf(got, "-smp"); i < 0 || got[i+1] != "2" {
		t.Errorf("2 CPUs: args %q lack -smp 2", got)
	}
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

func TestHasVirtFlag(t *testing.T) {
	tests := []struct {
		cpuinfo string
		want    bool
	}{
		{"processor\t: 0\nflags\t\t: fpu vme de pse vmx sse\n", true},
		{"processor\t: 0\nflags\t\t: fpu svm lm\n", true},
		{"processor\t: 0\nflags\t\t: fpu vme hypervisor lm\n", false},
		{"model name\t: vmx-like svm cpu\nflags\t\t: fpu\n", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := hasVirtFlag([]byte(tt.cpuinfo)); got != tt.want {
			t.Errorf("hasVirtFlag(%q) = %v, want %v", tt.cpuinfo, got, tt.want)
		}
	}
}

func TestUseKVMOverride(t *testing.T) {
	for accel, want := range map[string]bool{"kvm": true, "tcg": false} {
		got, err := useKVM(accel)
		if err != nil || got != want {
			t.Errorf("useKVM(%q) = %v, %v; want %v, nil", accel, got, err, want)
		}
	}
	if _, err := useKVM("hvf"); err == nil {
		t.Error("useKVM(\"hvf\") succeeded, want an error")
	}
}

// fakeQEMU installs a shell script as qemu-system-x86_64 in a fresh
// directory, makes that directory all of $PATH and returns the file the
// script writes its arguments to, one per line. The script's body plays
// the guest.
func fakeQEMU(t *testing.T, body string) (argsFile string) {
	t.Helper()
	return fakeQEMUNamed(t, "qemu-system-x86_64", body)
}

// fakeQEMUNamed is fakeQEMU for the QEMU program called qemu.
func fakeQEMUNamed(t *testing.T, qemu, body string) (argsFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + argsFile + "\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(dir, qemu), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return argsFile
}

// image returns the path of an existing file to pass as the image.
func image(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(p, []byte("\x7fELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestRunWithFakeQEMU(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		env        map[string]string
		wantStatus int
		wantStdout string
		wantStderr string // substring; "" means stderr must be empty
	}{
		{"exit 3", `echo "hello from the guest"; exit 7`, nil, 3, "hello from the guest\n", ""},
		{"exit 0", `printf 'no newline'; exit 1`, nil, 0, "no newline", ""},
		{"panic", `echo "panic: boom"; exit 5`, nil, 2, "panic: boom\n", ""},
		{"triple fault", `exit 0`, nil, exitFailed, "", "without reporting an exit status"},
		{"QEMU error", `echo "qemu-system-x86_64: -kernel x: could not load kernel" >&2; exit 1`, nil,
			exitFailed, "", "QEMU failed with exit status 1"},
		{"QEMU crash", `kill -ABRT $$`, nil, exitFailed, "", "QEMU died of signal 6"},
		{"timeout", `exec /bin/sleep 30`, map[string]string{"MIRAGO_TIMEOUT": "300ms"},
			exitTimeout, "", "did not finish within 300ms (MIRAGO_TIMEOUT); killed QEMU"},
		{"bad timeout", `exit 1`, map[string]string{"MIRAGO_TIMEOUT": "soon"}, exitFailed, "", `MIRAGO_TIMEOUT="soon"`},
		{"bad accel", `exit 1`, map[string]string{"MIRAGO_ACCEL": "hvf"}, exitFailed, "", `MIRAGO_ACCEL="hvf"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeQEMU(t, tt.body)
			var stdout, stderr bytes.Buffer
			got := run([]string{"/usr/local/bin/go_xen_amd64_exec", image(t)}, env(tt.env), &stdout, &stderr)
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
			if tt.wantStderr != "" && !strings.HasPrefix(lastLine(errText), "go_xen_amd64_exec: ") {
				t.Errorf("stderr's last line %q does not name the wrapper", lastLine(errText))
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestRunPassesArguments checks what reaches QEMU: the image, the
// encoded command line with the forwarded environment, the memory size,
// the CPUs (the host's by default) and the extra flags.
func TestRunPassesArguments(t *testing.T) {
	fakeHostCPUs(t, 2)
	argsFile := fakeQEMU(t, "exit 1")
	img := image(t)
	var stdout, stderr bytes.Buffer
	e := env(map[string]string{
		"GOGC": "50", "HOME": "/root", "MIRAGO_ENV": "HOME",
		"MIRAGO_MEM": "1G", "MIRAGO_QEMU_FLAGS": "-d  guest_errors", "MIRAGO_ACCEL": "tcg",
		"MIRAGO_NOMOUNT": "1", // TestRunMountsCwd covers the mount
		"MIRAGO_TSC_KHZ": "2100000",
	})
	if got := run([]string{"go_xen_amd64_exec", img, "a", "b c"}, e, &stdout, &stderr); got != 0 {
		t.Fatalf("status %d, want 0; stderr:\n%s", got, stderr.String())
	}
	data, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	// The monitor's socket is in a temporary directory of its own.
	mon := ""
	if i := indexOf(got, "-monitor"); i >= 0 && i+1 < len(got) {
		mon = strings.TrimSuffix(strings.TrimPrefix(got[i+1], "unix:"), ",server=on,wait=off")
	}
	if filepath.Base(mon) != "monitor" {
		t.Errorf("monitor socket %q, want a file named monitor", mon)
	}
	want := qemuArgs(img, `GOGC=50 HOME=/root tsc_khz=2100000 -- `+img+` a "b c"`, "1G", 2, false, mon, []string{"-d", "guest_errors"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("QEMU arguments (-want +got):\n%s", diff)
	}
}

func TestRunRejects(t *testing.T) {
	fakeQEMU(t, "exit 1")
	img := image(t)
	arm64Img := arm64Image(t)
	tests := []struct {
		name       string
		argv       []string
		env        map[string]string
		wantStatus int
		wantStderr string
	}{
		{"solo5/arm64", []string{"go_solo5_arm64_exec", img}, nil, exitUnsupported,
			"go_solo5_arm64_exec: GOOS=solo5 GOARCH=arm64 images run only under an arm64 Solo5 tender (solo5-spt or solo5-hvt on an arm64 Linux host), and this host is amd64\n"},
		{"solo5/amd64 without its tender", []string{"go_solo5_amd64_exec", img}, map[string]string{"SOLO5_SPT": "/nonexistent/solo5-spt"}, exitNoQEMU,
			"go_solo5_amd64_exec: SOLO5_SPT=/nonexistent/solo5-spt: stat /nonexistent/solo5-spt: no such file or directory\n"},
		{"solo5/amd64 on two CPUs", []string{"go_solo5_amd64_exec", img}, map[string]string{"SOLO5_SPT": "/bin/true", "MIRAGO_SMP": "2"}, exitFailed,
			"go_solo5_amd64_exec: MIRAGO_SMP=2: Solo5 tenders run a guest on one CPU\n"},
		{"mirago-exec with GOOS", []string{"mirago-exec", img}, map[string]string{"GOOS": "solo5", "GOARCH": "arm64"}, exitUnsupported,
			"mirago-exec: GOOS=solo5 GOARCH=arm64 images run only under an arm64 Solo5 tender (solo5-spt or solo5-hvt on an arm64 Linux host), and this host is amd64\n"},
		{"mirago-exec with flags", []string{"mirago-exec", "-goos=solo5", "-goarch=arm64", img}, nil, exitUnsupported,
			"mirago-exec: GOOS=solo5 GOARCH=arm64 images run only under an arm64 Solo5 tender (solo5-spt or solo5-hvt on an arm64 Linux host), and this host is amd64\n"},
		{"arm64 Image for xen/amd64", []string{"go_xen_amd64_exec", arm64Img}, nil, exitFailed,
			"go_xen_amd64_exec: " + arm64Img + ": an arm64 Image, not an x86-64 ELF; run GOOS=xen GOARCH=arm64 images with go_xen_arm64_exec\n"},
		{"arm64 Image for xen/amd64 on Xen", []string{"go_xen_amd64_exec", arm64Img}, map[string]string{"MIRAGO_VMM": "xen"}, exitFailed,
			"go_xen_amd64_exec: " + arm64Img + ": an arm64 Image, not an x86-64 ELF; run GOOS=xen GOARCH=arm64 images with go_xen_arm64_exec\n"},
		{"mirago-exec without target", []string{"mirago-exec", img}, nil, exitFailed,
			"mirago-exec: unknown target GOOS=\"\" GOARCH=\"\" (want xen or solo5, amd64 or arm64)\n"},
		{"no image", []string{"go_xen_amd64_exec"}, nil, exitFailed, "usage: go_xen_amd64_exec IMAGE [ARGS...]\n"},
		{"missing image", []string{"go_xen_amd64_exec", img + ".missing"}, nil, exitFailed,
			"go_xen_amd64_exec: cannot read image: open " + img + ".missing: no such file or directory\n"},
		{"newline in argument", []string{"go_xen_amd64_exec", img, "a\nb"}, nil, exitFailed,
			"go_xen_amd64_exec: cannot pass to the guest: argument 1 (\"a\\nb\"): contains a newline or NUL, which the kernel command line cannot carry\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		got := run(tt.argv, env(tt.env), &stdout, &stderr)
		if got != tt.wantStatus || stderr.String() != tt.wantStderr || stdout.Len() != 0 {
			t.Errorf("%s: status %d, stdout %q, stderr %q;\nwant status %d, no stdout, stderr %q",
				tt.name, got, stdout.String(), stderr.String(), tt.wantStatus, tt.wantStderr)
		}
	}
}

// TestMissingQEMU runs the built wrapper, under the name the go command
// uses, with a $PATH that has no QEMU: one line on stderr, status 127,
// no Go panic.
func TestMissingQEMU(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "mirago-exec")
	build := exec.Command("go", "build", "-o", exe, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	empty := t.TempDir()
	for _, tt := range []struct {
		name, want string
	}{
		{"go_xen_amd64_exec", "go_xen_amd64_exec: qemu-system-x86_64 not found in $PATH (on Debian: apt-get install qemu-system-x86)\n"},
		{"go_xen_arm64_exec", "go_xen_arm64_exec: qemu-system-aarch64 not found in $PATH (on Debian: apt-get install qemu-system-arm)\n"},
	} {
		link := filepath.Join(dir, tt.name)
		if err := os.Symlink("mirago-exec", link); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(link, image(t), "arg")
		cmd.Env = append(os.Environ(), "PATH="+empty)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != exitNoQEMU {
			t.Errorf("%s without QEMU: %v, want exit status %d", tt.name, err, exitNoQEMU)
		}
		if stderr.String() != tt.want || stdout.Len() != 0 {
			t.Errorf("%s: stdout %q, stderr %q; want no stdout and stderr %q", tt.name, stdout.String(), stderr.String(), tt.want)
		}
	}
}

// fakeHostCPUs makes the wrapper see n CPUs on the host during t.
func fakeHostCPUs(t *testing.T, n int) {
	t.Helper()
	old := hostCPUs
	hostCPUs = func() int { return n }
	t.Cleanup(func() { hostCPUs = old })
}

// TestDefaultSMP checks MIRAGO_SMP's default: the host's CPUs, at most
// four.
func TestDefaultSMP(t *testing.T) {
	for host, want := range map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 8: 4, 64: 4} {
		fakeHostCPUs(t, host)
		if got, err := readSMP(env(nil)); got != want || err != nil {
			t.Errorf("on %d host CPUs: %d, %v; want %d", host, got, err, want)
		}
		if got, _ := readSMP(env(map[string]string{"MIRAGO_SMP": "1"})); got != 1 {
			t.Errorf("on %d host CPUs, MIRAGO_SMP=1 gives %d", host, got)
		}
	}
}

func TestReadConfig(t *testing.T) {
	fakeHostCPUs(t, 2)
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr string
	}{
		{"defaults", map[string]string{"MIRAGO_ACCEL": "tcg"},
			config{mem: "1G", smp: 2, timeout: 30 * time.Minute}, ""},
		{"one CPU", map[string]string{"MIRAGO_ACCEL": "tcg", "MIRAGO_SMP": "1"},
			config{mem: "1G", smp: 1, timeout: 30 * time.Minute}, ""},
		{"all set", map[string]string{
			"MIRAGO_ACCEL": "kvm", "MIRAGO_MEM": "2G", "MIRAGO_TIMEOUT": "90s",
			"MIRAGO_QEMU_FLAGS": " -d int  -D /tmp/log ", "MIRAGO_TIMING": "", "MIRAGO_SMP": "4",
		}, config{mem: "2G", smp: 4, timeout: 90 * time.Second, extra: []string{"-d", "int", "-D", "/tmp/log"}, kvm: true, timing: true}, ""},
		{"no timeout", map[string]string{"MIRAGO_ACCEL": "tcg", "MIRAGO_TIMEOUT": "0"},
			config{mem: "1G", smp: 2}, ""},
		{"no CPUs", map[string]string{"MIRAGO_ACCEL": "tcg", "MIRAGO_SMP": "0"}, config{}, `MIRAGO_SMP="0": want a number of CPUs from 1 to 16`},
		{"too many CPUs", map[string]string{"MIRAGO_ACCEL": "tcg", "MIRAGO_SMP": "17"}, config{}, `MIRAGO_SMP="17"`},
		{"CPUs not a number", map[string]string{"MIRAGO_ACCEL": "tcg", "MIRAGO_SMP": "two"}, config{}, `MIRAGO_SMP="two"`},
		{"negative timeout", map[string]string{"MIRAGO_ACCEL": "tcg", "MIRAGO_TIMEOUT": "-1s"},
			config{}, `MIRAGO_TIMEOUT="-1s"`},
		{"bad accel", map[string]string{"MIRAGO_ACCEL": "whpx"}, config{}, `MIRAGO_ACCEL="whpx"`},
	}
	for _, tt := range tests {
		got, err := readConfig(env(tt.env))
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

func TestIsRegularFile(t *testing.T) {
	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer pw.Close()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for _, tt := range []struct {
		f    *os.File
		want bool
	}{{pw, false}, {f, true}, {null, false}} {
		if got := isRegularFile(tt.f); got != tt.want {
			t.Errorf("isRegularFile(%s) = %v, want %v", tt.f.Name(), got, tt.want)
		}
	}
}
