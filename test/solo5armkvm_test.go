// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xenharness

package test

import (
	"context"
	"fmt"
	"os"
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
// and net/http answering busybox's nc over a tap device; then the
// tests of eight std packages with -test.short under spt, and of three
// under hvt. One boot serves all the runs.
func TestSolo5Arm64Tenders(t *testing.T) {
	a, err := harness.FindArch("arm64")
	if err != nil {
		t.Fatal(err)
	}
	bin := solo5TendersFor(t, "arm64")
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

	// A sample of std's tests, which exercise far more of the runtime
	// than the probes: each binary under spt, a few under hvt too.
	// They read no testdata, so their boot archive (the initrd device
	// every test binary declares) is empty.
	var stdRuns []string
	for _, pkg := range []string{"bytes", "crypto/sha256", "errors", "fmt", "hash/crc32", "sort", "strconv", "strings"} {
		name := strings.ReplaceAll(pkg, "/", "_")
		for _, tender := range tenders {
			if tender == "hvt" && pkg != "fmt" && pkg != "strconv" && pkg != "strings" {
				continue
			}
			bin := filepath.Join(dir, name+".test."+tender)
			if r := mgo(t, progsDir(t), "solo5/arm64", "test", "-c", "-ldflags=-solo5="+tender, "-o", bin, pkg); r.code != 0 {
				t.Fatalf("go test -c %s for %s failed:\n%s", pkg, tender, r)
			}
			files["/img/"+name+".test."+tender] = bin
			stdRuns = append(stdRuns, tender+" "+name)
		}
	}
	empty := filepath.Join(dir, "empty.cpio")
	if err := os.WriteFile(empty, emptyNewc(32<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	files["/img/empty.cpio"] = empty

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
for r in ` + strings.Join(quoteAll(stdRuns), " ") + `; do
	set -- $r
	run $1-std-$2 solo5-$1 --block:initrd=empty.cpio --block-sector-size:initrd=32768 $2.test.$1 $2.test -test.short
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
		for _, c := range solo5ProbeChecks(msg) {
			checkRun(t, runs, r.Console, tender+"-"+c.name, c.status, c.want)
		}
	}
	for _, run := range stdRuns {
		tender, pkg, _ := strings.Cut(run, " ")
		checkRun(t, runs, r.Console, tender+"-std-"+pkg, 0, []string{"PASS"})
	}
}

// quoteAll quotes each of words for sh.
func quoteAll(words []string) []string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + w + "'"
	}
	return q
}

// emptyNewc returns a newc (cpio) archive with no entries, padded with
// zeros to size bytes: the boot archive of a test binary that reads
// no files.
func emptyNewc(size int) []byte {
	const name = "TRAILER!!!\x00"
	b := []byte("070701")
	for _, v := range []int{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, len(name), 0} {
		b = fmt.Appendf(b, "%08X", v)
	}
	b = append(b, name...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return append(b, make([]byte, size-len(b))...)
}
