// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

func TestParseMiB(t *testing.T) {
	tests := []struct {
		in   string
		want int // 0: an error
	}{
		{"1G", 1024},
		{"512M", 512},
		{"300", 300},
		{"2G", 2048},
		{"", 0},
		{"0", 0},
		{"-5M", 0},
		{"1.5G", 0},
		{"1T", 0},
		{"lots", 0},
	}
	for _, tt := range tests {
		got, err := parseMiB(tt.in)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("parseMiB(%q) = %d, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseMiB(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestReadXenConfig(t *testing.T) {
	fakeHostCPUs(t, 3)
	cfg, err := readXenConfig(env(nil), false)
	if err != nil || cfg.memMiB != 1024 || cfg.vcpus != 1 || cfg.timeout != defaultTimeout || cfg.vif || cfg.disk != "" || cfg.bridge != "xenbr0" || cfg.arm {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
	cfg, err = readXenConfig(env(map[string]string{
		"MIRAGO_MEM": "64M", "MIRAGO_SMP": "2", "MIRAGO_TIMEOUT": "90s", "MIRAGO_XEN_VIF": "1",
		"MIRAGO_XEN_BRIDGE": "br1", "MIRAGO_XEN_DISK": "/tmp/d.img", "MIRAGO_XEN_VERBOSE": "1",
	}), false)
	if err != nil || cfg.memMiB != 64 || cfg.vcpus != 2 || cfg.timeout != 90*time.Second || !cfg.vif || cfg.bridge != "br1" || cfg.disk != "/tmp/d.img" || !cfg.verbose {
		t.Errorf("all set: %+v, %v", cfg, err)
	}
	if x := cfg.xlConfig("g", "/k", "", ""); x.VCPUs != 2 {
		t.Errorf("xl configuration with %d vCPUs, want 2", x.VCPUs)
	}
	// An arm64 guest too gets one vCPU unless MIRAGO_SMP says more.
	cfg, err = readXenConfig(env(nil), true)
	if err != nil || cfg.vcpus != 1 || !cfg.arm {
		t.Errorf("arm64 defaults: %+v, %v", cfg, err)
	}
	cfg, err = readXenConfig(env(map[string]string{"MIRAGO_SMP": "2"}), true)
	if err != nil || cfg.vcpus != 2 || !cfg.arm {
		t.Errorf("arm64 on 2 vCPUs: %+v, %v", cfg, err)
	}
	for _, bad := range []map[string]string{
		{"MIRAGO_MEM": "big"},
		{"MIRAGO_SMP": "0"},
		{"MIRAGO_TIMEOUT": "soon"},
		{"MIRAGO_XEN_VIF": "yes"},
		{"MIRAGO_NET": "user"},
		{"MIRAGO_QEMU_FLAGS": "-d int"},
	} {
		if _, err := readXenConfig(env(bad), false); err == nil {
			t.Errorf("readXenConfig(%v) succeeded, want an error", bad)
		}
	}
}

// fakeHarness makes the cache hold a harness of the current key whose
// files are empty, and puts a fake QEMU on PATH: a script that plays
// Xen's serial (stdout) and the dom0 agent's reports (fd 3) from
// script, with $INITRD set to the dom0 initramfs that the harness built
// for the run, so that the script can show what the job holds.
func fakeHarness(t *testing.T, script string) {
	t.Helper()
	cache := t.TempDir()
	t.Setenv("MIRAGO_CACHE", cache)
	dir := filepath.Join(cache, "xen-"+harness.Key())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"xen", "vmlinux", "dom0.cpio"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "info.json"), []byte(`{"key":"fake"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	sh := "#!/bin/sh\n" +
		"while [ $# -gt 0 ]; do [ \"$1\" = -initrd ] && INITRD=${2#*,}; shift; done\n" +
		"agent() { echo \"@mirago $*\" >&3; }\n" +
		script + "\nexec sleep 60\n"
	if err := os.WriteFile(filepath.Join(bin, "qemu-system-x86_64"), []byte(sh), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestRunXenNested(t *testing.T) {
	const boot = `echo "(XEN) Xen version 4.17"
agent ready dom0 uptime=1
agent create mirago
agent domid mirago 1
`
	tests := []struct {
		name       string
		script     string
		env        map[string]string
		want       int
		wantOut    string // exact stdout
		wantStderr string // substring of stderr; "" means empty
		oneLine    bool   // stderr must be wantStderr alone
	}{
		{
			name: "status from the console",
			script: boot + `echo "(d1) early, on port 0xE9"
agent console mirago hello from the PV console
agent console mirago mirago: exit status 42
agent end mirago reason=crash
agent done dom0`,
			want:    42,
			wantOut: "early, on port 0xE9\nhello from the PV console\nmirago: exit status 42\n",
		},
		{
			name: "status on port 0xE9 after the end",
			script: boot + `agent end mirago reason=poweroff
echo "(d1) mirago: exit status 0"
agent done dom0`,
			want:    0,
			wantOut: "mirago: exit status 0\n",
		},
		{
			name: "no status line",
			script: boot + `agent console mirago some output
agent end mirago reason=crash
agent done dom0`,
			want:       exitFailed,
			wantOut:    "some output\n",
			wantStderr: "ended without reporting an exit status (domain shut down: crash)",
		},
		{
			// Xen's serial line is read apart from the agent's;
			// the sleeps keep Xen's line within the domain's life.
			name: "Xen's word for a triple fault",
			script: boot + `sleep 0.3
echo "(XEN) d1v1 Triple fault - invoking HVM shutdown action 1"
sleep 0.3
agent end mirago reason=reboot
agent done dom0`,
			want:       exitFailed,
			wantStderr: "\n(XEN) d1v1 Triple fault - invoking HVM shutdown action 1\n",
		},
		{
			// A domain that powered off without a status: Xen has
			// nothing to say of it, and the wrapper one line.
			name: "no status line; powered off",
			script: boot + `sleep 0.3
echo "(XEN) d1v0 something Xen said"
sleep 0.3
agent end mirago reason=poweroff
agent done dom0`,
			want:       exitFailed,
			wantStderr: "go_xen_amd64_exec: the guest ended without reporting an exit status (domain shut down: poweroff)\n",
			oneLine:    true,
		},
		{
			name: "timeout",
			script: boot + `agent end mirago reason=timeout
agent done dom0`,
			env:        map[string]string{"MIRAGO_TIMEOUT": "7s"},
			want:       exitTimeout,
			wantStderr: "did not finish within 7s",
		},
		{
			name: "the job carries the command line and the ramdisk",
			script: boot + `grep -a '^extra = ' "$INITRD" | sed 's/^/(d1) /'
grep -a -c '^ramdisk = "/job/files/' "$INITRD" | sed 's/^/(d1) ramdisks: /'
agent end mirago reason=poweroff
agent done dom0`,
			env:     map[string]string{"GOGC": "50"},
			want:    exitFailed,
			wantOut: "extra = \"GOGC=50 PWD=" + mustGetwd(t) + " -- IMAGE arg \\\"two words\\\"\"\nramdisks: 1\n",
			// The wrapper's own archive is the ramdisk.
			wantStderr: "ended without reporting",
		},
		{
			name:       "dom0 never comes up",
			script:     `echo "(XEN) Panic on CPU 0:"`,
			want:       exitFailed,
			wantStderr: "Xen or dom0 failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeHarness(t, tt.script)
			img := image(t)
			e := map[string]string{"MIRAGO_VMM": "xen"}
			for k, v := range tt.env {
				e[k] = v
			}
			var stdout, stderr bytes.Buffer
			got := run([]string{"go_xen_amd64_exec", img, "arg", "two words"}, env(e), &stdout, &stderr)
			out := strings.ReplaceAll(stdout.String(), img, "IMAGE")
			// Xen's serial line and the agent's are read apart, so
			// only each one's own order is kept.
			if got != tt.want || sortLines(out) != sortLines(tt.wantOut) {
				t.Errorf("status %d, stdout %q; want %d, %q\nstderr: %s", got, out, tt.want, tt.wantOut, stderr.String())
			}
			if tt.wantStderr == "" && stderr.Len() != 0 || !strings.Contains(stderr.String(), tt.wantStderr) || tt.oneLine && stderr.String() != tt.wantStderr {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func sortLines(s string) string {
	lines := strings.Split(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestRunXenErrors(t *testing.T) {
	img := image(t)
	tests := []struct {
		name string
		env  map[string]string
		path bool // keep PATH (QEMU installed)
		want int
		msg  string
	}{
		{"unknown VMM", map[string]string{"MIRAGO_VMM": "kvmtool"}, true, exitFailed, `MIRAGO_VMM="kvmtool": want qemu or xen`},
		{"harness not built", map[string]string{"MIRAGO_VMM": "xen"}, true, exitFailed, "build it with `go run ./scripts/xen build`"},
		{"no QEMU", map[string]string{"MIRAGO_VMM": "xen"}, false, exitNoQEMU, "qemu-system-x86_64 not found"},
		{"QEMU flags", map[string]string{"MIRAGO_VMM": "xen", "MIRAGO_NET": "user"}, true, exitFailed, "MIRAGO_NET is for QEMU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("MIRAGO_CACHE", t.TempDir())
			bin := t.TempDir()
			if err := os.WriteFile(filepath.Join(bin, "qemu-system-x86_64"), []byte("#!/bin/sh\nexit 99\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.path {
				t.Setenv("PATH", bin)
			} else {
				t.Setenv("PATH", t.TempDir())
			}
			var stdout, stderr bytes.Buffer
			got := run([]string{"go_xen_amd64_exec", img}, env(tt.env), &stdout, &stderr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if got != tt.want || len(lines) != 1 || !strings.Contains(lines[0], tt.msg) {
				t.Errorf("status %d, stderr %q; want %d and one line containing %q", got, stderr.String(), tt.want, tt.msg)
			}
		})
	}
}

func TestStatusWriter(t *testing.T) {
	tests := []struct {
		chunks  []string
		status  int
		hasLine bool
	}{
		{[]string{"hello\nmirago: exit status 3\n"}, 3, true},
		{[]string{"mirago: exit sta", "tus 200\r\n"}, 200, true},
		{[]string{"mirago: exit status 1\n", "mirago: exit status 0\n"}, 0, true},
		{[]string{"mirago: exit status 256\n"}, exitFailed, false},
		{[]string{"say mirago: exit status 3\n"}, exitFailed, false},
		{[]string{"mirago: exit status 4"}, exitFailed, false}, // no newline yet
	}
	for _, tt := range tests {
		var out bytes.Buffer
		s := &statusWriter{w: &out}
		for _, c := range tt.chunks {
			s.Write([]byte(c))
		}
		status, hasLine := s.result()
		if status != tt.status || hasLine != tt.hasLine || out.String() != strings.Join(tt.chunks, "") {
			t.Errorf("%q: status %d, %v, copied %q; want %d, %v and all of it", tt.chunks, status, hasLine, out.String(), tt.status, tt.hasLine)
		}
	}
}
