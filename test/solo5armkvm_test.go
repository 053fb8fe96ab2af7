// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xenharness

package test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

// TestSolo5Arm64Tenders runs GOOS=solo5 GOARCH=arm64 images under the
// genuine solo5-spt and solo5-hvt of Solo5 v0.12.1, cross-built for
// aarch64 (scripts/solo5-tenders.sh arm64). They need an arm64 Linux
// host, and hvt needs KVM too, so the test boots one: the arm64 Xen
// harness's KVM kit, Debian's arm64 kernel in QEMU's virt machine
// (TCG) entered at EL2, where the kernel starts KVM. Each tender runs
// the same images as TestSolo5HVT does on amd64: arguments and exit
// status, a panic, sleeping goroutines and GC, a recovered and a fatal
// nil dereference, out of memory, a block device file across two runs,
// and net/http answering busybox's nc over a tap device. One boot
// serves all the runs.
func TestSolo5Arm64Tenders(t *testing.T) {
	a, err := harness.FindArch("arm64")
	if err != nil {
		t.Fatal(err)
	}
	elftool := solo5ElftoolArm64(t) // builds the tenders beside it
	bin := filepath.Dir(elftool[1])
	dir := t.TempDir()
	files := map[string]string{
		"/bin/solo5-spt": filepath.Join(bin, "solo5-spt"),
		"/bin/solo5-hvt": filepath.Join(bin, "solo5-hvt"),
	}
	tenders := []string{"spt", "hvt"}
	for _, p := range []string{"exitargs", "panic", "sleepgc", "rtprobe", "devprobe", "netprobe"} {
		for _, tender := range tenders {
			img := filepath.Join(dir, p+"."+tender)
			if r := mgo(t, progsDir(t), "solo5/arm64", "build", "-ldflags=-solo5="+tender, "-o", img, "./"+p); r.code != 0 {
				t.Fatalf("build %s for %s failed:\n%s", p, tender, r)
			}
			files["/img/"+p+"."+tender] = img
		}
	}

	// The tender joins its arguments into the guest's command line
	// with spaces, so the message has none. Each case prints "===
	// T-NAME" before its run and "=== T-NAME status N" after it, T
	// the tender.
	msg := "persisted-across-runs"
	script := `
cd /img
run() { name=$1; shift; echo "=== $name"; "$@"; echo "=== $name status $?"; }
get() { printf 'GET %s HTTP/1.0\r\n\r\n' "$1" | nc -w 30 10.0.0.2 80; }
for t in spt hvt; do
	run $t-exitargs solo5-$t exitargs.$t exitargs a b
	run $t-panic solo5-$t panic.$t panic
	run $t-sleepgc solo5-$t sleepgc.$t sleepgc
	run $t-nil solo5-$t rtprobe.$t rtprobe nil
	run $t-nilfatal solo5-$t rtprobe.$t rtprobe nilfatal
	run $t-oom solo5-$t --mem=64 rtprobe.$t rtprobe oom
	dd if=/dev/zero of=/tmp/disk.img bs=4096 count=256 2>/dev/null
	run $t-diskwrite solo5-$t --block:storage=/tmp/disk.img devprobe.$t devprobe diskwrite "` + msg + `"
	run $t-diskread solo5-$t --block:storage=/tmp/disk.img devprobe.$t devprobe diskread "` + msg + `"
	tunctl -t tap0 >/dev/null
	ip addr add 10.0.0.1/24 dev tap0
	ip link set tap0 up
	timeout 120 solo5-$t --net:service0=tap0 netprobe.$t MIRAGO_IP=10.0.0.2/24 -- netprobe serve >/tmp/net.log 2>&1 &
	for i in $(seq 120); do grep -q listening /tmp/net.log && break; sleep 0.5; done
	run $t-get get /
	run $t-quit get /quit
	wait
	echo "=== $t-serve"
	cat /tmp/net.log
	echo "=== $t-serve status 0"
	tunctl -d tap0 >/dev/null
done
`
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	r, err := a.RunKVMHost(ctx, dir, script, files)
	t.Logf("arm64 KVM host: %.1fs", time.Since(start).Seconds())
	if err != nil || r.Status != 0 {
		out := ""
		if r != nil {
			out = r.Console
		}
		t.Fatalf("arm64 KVM host: %v (status %d)\n%s", err, statusOf(r), out)
	}
	runs := splitRuns(r.Console)
	for _, tender := range tenders {
		for _, c := range []struct {
			name   string
			status int
			want   []string
		}{
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
		} {
			name := tender + "-" + c.name
			got, ok := runs[name]
			if !ok {
				t.Errorf("%s: did not run to its end\n%s", name, r.Console)
				continue
			}
			if got.status != c.status {
				t.Errorf("%s: exit status %d, want %d:\n%s", name, got.status, c.status, got.out)
			}
			for _, w := range c.want {
				if !strings.Contains(got.out, w) {
					t.Errorf("%s: want %q in the output:\n%s", name, w, got.out)
				}
			}
		}
	}
}
