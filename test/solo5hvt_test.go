// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xenharness

package test

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

// TestSolo5HVT runs GOOS=solo5 images built with -ldflags=-solo5=hvt
// under the genuine solo5-hvt, which needs KVM. This machine has none,
// so the test boots a KVM host (the Xen harness's KVM kit: Debian's
// kernel in QEMU, whose emulated AMD CPU has SVM, with kvm-amd loaded)
// and runs the tender there, nested, with the images, their arguments
// and expected exit statuses, a block device file across two runs, and
// a network device on a tap device that busybox's nc fetches pages
// through. One boot serves all the runs.
func TestSolo5HVT(t *testing.T) {
	a, err := harness.Find()
	if err != nil {
		t.Fatal(err)
	}
	bin := solo5Tenders(t)
	hvt := filepath.Join(bin, "solo5-hvt")
	dir := t.TempDir()
	files := map[string]string{"/bin/solo5-hvt": hvt}
	libs, err := sharedLibraries(hvt)
	if err != nil {
		t.Fatalf("solo5-hvt's libraries: %v", err)
	}
	for _, l := range libs {
		files[l] = l
	}
	for _, p := range []string{"exitargs", "panic", "sleepgc", "rtprobe", "devprobe", "netprobe"} {
		img := filepath.Join(dir, p+".hvt")
		if r := mgo(t, progsDir(t), "solo5/amd64", "build", "-ldflags=-solo5=hvt", "-o", img, "./"+p); r.code != 0 {
			t.Fatalf("build %s failed:\n%s", p, r)
		}
		files["/hvt/"+p+".hvt"] = img
	}

	// The tender joins its arguments into the guest's command line
	// with spaces, so the message has none.
	msg := "persisted-across-runs"
	// Each case prints "=== NAME" before its run and "=== NAME
	// status N" after it.
	script := `
cd /hvt
run() { name=$1; shift; echo "=== $name"; "$@"; echo "=== $name status $?"; }
run exitargs solo5-hvt exitargs.hvt exitargs a b
run panic solo5-hvt panic.hvt panic
run sleepgc solo5-hvt sleepgc.hvt sleepgc
run nil solo5-hvt rtprobe.hvt rtprobe nil
run nilfatal solo5-hvt rtprobe.hvt rtprobe nilfatal
run oom solo5-hvt --mem=64 rtprobe.hvt rtprobe oom
dd if=/dev/zero of=/tmp/disk.img bs=4096 count=256 2>/dev/null
run diskwrite solo5-hvt --block:storage=/tmp/disk.img devprobe.hvt devprobe diskwrite "` + msg + `"
run diskread solo5-hvt --block:storage=/tmp/disk.img devprobe.hvt devprobe diskread "` + msg + `"
tunctl -t tap0 >/dev/null
ip addr add 10.0.0.1/24 dev tap0
ip link set tap0 up
timeout 120 solo5-hvt --net:service0=tap0 netprobe.hvt MIRAGO_IP=10.0.0.2/24 -- netprobe serve >/tmp/net.log 2>&1 &
for i in $(seq 120); do grep -q listening /tmp/net.log && break; sleep 0.5; done
get() { printf 'GET %s HTTP/1.0\r\n\r\n' "$1" | nc -w 30 10.0.0.2 80; }
run get get /
run quit get /quit
wait
echo "=== serve"
cat /tmp/net.log
echo "=== serve status 0"
`
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	r, err := a.RunKVMHost(ctx, dir, script, files)
	t.Logf("KVM host: %.1fs", time.Since(start).Seconds())
	if err != nil || r.Status != 0 {
		out := ""
		if r != nil {
			out = r.Console
		}
		t.Fatalf("KVM host: %v (status %d)\n%s", err, statusOf(r), out)
	}
	runs := splitRuns(r.Console)
	for _, c := range solo5ProbeChecks(msg) {
		checkRun(t, runs, r.Console, c.name, c.status, c.want)
	}
}

// A runCheck is what one run of a probe under a tender must print and
// exit with.
type runCheck struct {
	name   string
	status int
	want   []string
}

// solo5ProbeChecks are the runs of the probes under a tender that
// TestSolo5HVT and TestSolo5Arm64Tenders make, msg being what devprobe
// writes to the block device and reads back.
func solo5ProbeChecks(msg string) []runCheck {
	return []runCheck{
		{"exitargs", 3, []string{`arg[1]="a"`, `arg[2]="b"`}},
		{"panic", 2, []string{"panic: boom from the guest", "main.main()"}},
		{"sleepgc", 0, []string{"sleepgc ok"}},
		{"nil", 0, []string{"recovered: runtime error: invalid memory address or nil pointer dereference"}},
		{"nilfatal", 2, []string{"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=", "main.main()"}},
		{"oom", 2, []string{"fatal error: out of memory"}},
		{"diskwrite", 0, []string{fmt.Sprintf("wrote %d bytes; size %d <nil>", len(msg), 1<<20)}},
		{"diskread", 0, []string{fmt.Sprintf("read %q", msg)}},
		{"get", 0, []string{"hello, world"}},
		{"quit", 0, []string{"bye"}},
		{"serve", 0, []string{"listening on "}},
	}
}

// checkRun checks that the run name of the script whose console is
// console (split into runs) ended with status and printed each of
// want.
func checkRun(t *testing.T, runs map[string]hvtRun, console, name string, status int, want []string) {
	t.Helper()
	got, ok := runs[name]
	if !ok {
		t.Errorf("%s: did not run to its end\n%s", name, console)
		return
	}
	if got.status != status {
		t.Errorf("%s: exit status %d, want %d:\n%s", name, got.status, status, got.out)
	}
	for _, w := range want {
		if !strings.Contains(got.out, w) {
			t.Errorf("%s: want %q in the output:\n%s", name, w, got.out)
		}
	}
}

func statusOf(r *harness.KVMResult) int {
	if r == nil {
		return -1
	}
	return r.Status
}

type hvtRun struct {
	out    string
	status int
}

var runMark = regexp.MustCompile(`^=== (\S+)(?: status (\d+))?\r?$`)

// splitRuns splits the console into the script's runs.
func splitRuns(console string) map[string]hvtRun {
	runs := map[string]hvtRun{}
	var name string
	var out strings.Builder
	for _, line := range strings.Split(console, "\n") {
		m := runMark.FindStringSubmatch(line)
		switch {
		case m != nil && m[2] == "":
			name = m[1]
			out.Reset()
		case m != nil && m[1] == name:
			var st int
			fmt.Sscan(m[2], &st)
			runs[name] = hvtRun{out.String(), st}
			name = ""
		case name != "":
			out.WriteString(line + "\n")
		}
	}
	return runs
}

// sharedLibraries returns the host files that the dynamically linked
// program at path loads: its interpreter and the libraries it needs,
// directly or through others, found in Debian's library directories.
func sharedLibraries(path string) ([]string, error) {
	dirs := []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64"}
	var out []string
	seen := map[string]bool{}
	var walk func(p string) error
	walk = func(p string) error {
		f, err := elf.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				b := make([]byte, prog.Filesz)
				if _, err := prog.ReadAt(b, 0); err != nil {
					return err
				}
				interp := strings.TrimRight(string(b), "\x00")
				if !seen[interp] {
					seen[interp] = true
					out = append(out, interp)
				}
			}
		}
		libs, err := f.ImportedLibraries()
		if err != nil {
			return err
		}
	next:
		for _, l := range libs {
			for _, d := range dirs {
				lp := filepath.Join(d, l)
				if _, err := os.Stat(lp); err != nil {
					continue
				}
				if !seen[lp] {
					seen[lp] = true
					out = append(out, lp)
					if err := walk(lp); err != nil {
						return err
					}
				}
				continue next
			}
			return fmt.Errorf("%s needs %s, which is in none of %v", p, l, dirs)
		}
		return nil
	}
	return out, walk(path)
}
