// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xenharness

// GOOS=xen programs as PVH domains of real Xen (issue 11): the runtime's
// Xen platform (hypercalls, the console ring, Xen's clocks, event
// channels, shutdown) and Xen's PV devices behind package net and
// /dev/xvda. See xen_test.go for the harness.

package test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

// TestXenRuntime: in one Xen boot, timers, goroutines and the
// collector, preemption, the wall clock, and an idle domain's CPU time
// as xl reports it. (TestXenGoRuntime checks statuses, arguments and a
// panic.)
func TestXenRuntime(t *testing.T) {
	rt := progImage(t, "rtprobe")
	host := time.Now().Unix()
	// The side script reads the domain's CPU time (xl list, in tenths
	// of a second) 2 s into an 8 s sleep and 5 s later.
	idleSide := `
cpu() { xl list "$GUEST_NAME" | tail -n 1 | awk '{print $6}'; }
sleep 2; a=$(cpu); sleep 5; b=$(cpu)
echo "cpu $a $b"
`
	res := xenRun(t, []harness.Guest{
		{Name: "info", Image: rt, Extra: "-- rtprobe info", Timeout: 2 * time.Minute},
		{Name: "sleeps", Image: rt, Extra: "-- rtprobe sleeps 21 10ms", Timeout: 2 * time.Minute},
		{Name: "churn", Image: rt, Extra: "-- rtprobe churn", Timeout: 2 * time.Minute},
		{Name: "spin8", Image: rt, Extra: "-- rtprobe spin8", Timeout: 2 * time.Minute},
		{Name: "idle", Image: rt, Extra: "-- rtprobe idle 8s", Timeout: 2 * time.Minute, Side: idleSide},
		// Past its timeout the harness sends an NMI (xl trigger), which
		// the runtime takes as SIGQUIT.
		{Name: "hang", Image: rt, Extra: "-- rtprobe hang", Timeout: 20 * time.Second},
	}, nil)
	if len(res.Guests) != 6 {
		t.Fatalf("%d results, want 6", len(res.Guests))
	}
	status := func(g harness.GuestResult, want int) {
		t.Helper()
		if g.Status != want || !g.HasLine {
			t.Errorf("%s: status %d (status line seen: %v), want %d", g.Name, g.Status, g.HasLine, want)
		}
	}

	g := res.Guests[0]
	status(g, 0)
	var guestUnix int64 = -1
	for _, l := range g.Console {
		if m := regexp.MustCompile(`unix=(\d+)`).FindStringSubmatch(l); m != nil {
			guestUnix, _ = strconv.ParseInt(m[1], 10, 64)
		}
	}
	// Within a few seconds of the host, allowing for the boot of Xen
	// and dom0 before the guest (res.BootTime) and the guests before.
	if d := guestUnix - host; guestUnix < 0 || d < -5 || d > 180 {
		t.Errorf("info: guest wall clock %d is %d s off the host's %d at the start of the run", guestUnix, d, host)
	}

	g = res.Guests[1]
	status(g, 0)
	var over []time.Duration
	for _, l := range g.Console {
		var req, obs int64
		if _, err := fmt.Sscanf(l, "slept %d %d", &req, &obs); err == nil {
			over = append(over, time.Duration(obs-req))
		}
	}
	if len(over) != 21 {
		t.Fatalf("sleeps: %d sleeps reported, want 21: %q", len(over), g.Console)
	}
	sort.Slice(over, func(i, j int) bool { return over[i] < over[j] })
	t.Logf("10 ms sleeps on Xen: oversleep min %v, median %v, max %v", over[0], over[10], over[20])
	if over[0] < 0 {
		t.Errorf("sleeps: a 10 ms sleep ended %v early", -over[0])
	}
	// The median is a measurement, not a verdict: under nested TCG it
	// follows the host's load (about 1 ms here, 9 ms once on a busy CI
	// host), so it is recorded in docs/benchmarks.md rather than
	// checked. A timer that never fired would leave the guest asleep
	// past its timeout, which status catches.

	g = res.Guests[2]
	if !slices.ContainsFunc(g.Console, func(l string) bool { return strings.HasPrefix(l, "churned 10000 buffers in 100 goroutines; ") }) {
		t.Errorf("churn: no churned line in %q", g.Console)
	}
	status(g, 0)

	g = res.Guests[3]
	status(g, 0)
	n := 0
	for _, l := range g.Console {
		if strings.HasPrefix(l, "slept ") {
			n++
		}
	}
	if n != 10 {
		t.Errorf("spin8: %d sleeps beside 8 spinning goroutines, want 10: %q", n, g.Console)
	}

	g = res.Guests[4]
	wantConsole(t, g, "woke")
	status(g, 0)
	var a, b float64
	if len(g.Side) != 1 {
		t.Fatalf("idle: the side script said %q", g.Side)
	}
	if _, err := fmt.Sscanf(g.Side[0], "cpu %g %g", &a, &b); err != nil {
		t.Fatalf("idle: the side script said %q: %v", g.Side, err)
	}
	t.Logf("idle domain: %.1f s of CPU time over 5 s of sleep", b-a)
	if b-a > 0.5 {
		t.Errorf("idle: the sleeping domain used %.1f s of CPU in 5 s, want under 10%%", b-a)
	}

	g = res.Guests[5]
	wantConsole(t, g, "hanging", "SIGQUIT: quit", "main.main()", "mirago: exit status 2")
	if !slices.ContainsFunc(g.Console, func(l string) bool { return strings.HasSuffix(l, " [chan receive]:") }) {
		t.Errorf("hang: no goroutine blocked on a channel in the dump: %q", g.Console)
	}
	if g.Reason != "timeout" {
		t.Errorf("hang: the domain ended by %q, want timeout", g.Reason)
	}
	// The NMI's line of interrupt state names the vCPU's timer channel:
	// the domain's timer is Xen's single-shot timer, not the local
	// APIC's, whose interrupt Xen was seen to lose.
	if !slices.ContainsFunc(g.Console, func(l string) bool {
		return strings.HasPrefix(l, "interrupts: ") && strings.Contains(l, " xen-timer-port=")
	}) {
		t.Errorf("hang: no timer channel in the NMI's interrupt line: %q", g.Console)
	}
}

// TestXenSMP: 2-vCPU domains (issue 15). The runtime counts the vCPUs
// and starts the second with VCPUOP_up; then the runtime probes and an
// HTTP server run on both, and xl shows that both vCPUs ran.
func TestXenSMP(t *testing.T) {
	rt, np := progImage(t, "rtprobe"), progImage(t, "netprobe")
	// xl vcpu-list's columns: name, domid, vCPU, CPU, state, time (s),
	// affinity. The stress runs 20 s; read it 10 s in. The shell splits
	// the columns: dom0's awk once failed on a line of this list
	// ("Access to negative field"), and the check lost its input. xl
	// itself once aborted in libxl's fork lock while other xl commands
	// ran in dom0, so a failed listing is tried up to three times.
	vcpus := `for try in 1 2 3; do list=$(xl vcpu-list "$GUEST_NAME") && break; echo "xl vcpu-list failed (try $try)"; sleep 1; done
echo "$list" | tail -n +2 | while read -r name id vcpu cpu state secs rest; do echo "vcpu $vcpu $secs"; done`
	vcpuSide := `sleep 10; ` + vcpus
	serveSide := `
mirago-dom0 get -n 200 -t 2s "http://$GUEST_IP/" || exit 1
mirago-dom0 get -t 2m "http://$GUEST_IP/blob?n=10485760" || exit 1
` + vcpus + `
mirago-dom0 get -t 30s "http://$GUEST_IP/quit"
`
	const to = 3 * time.Minute
	res := xenRun(t, []harness.Guest{
		{Name: "info", Image: rt, Extra: "-- rtprobe info", VCPUs: 2, Timeout: to},
		{Name: "churn", Image: rt, Extra: "-- rtprobe churn", VCPUs: 2, Timeout: to},
		{Name: "parallel", Image: rt, Extra: "-- rtprobe parallel 4", VCPUs: 2, Timeout: to},
		{Name: "locked", Image: rt, Extra: "-- rtprobe locked", VCPUs: 2, Timeout: to},
		{Name: "stress", Image: rt, Extra: "-- rtprobe stress 20s", VCPUs: 2, Timeout: to, Side: vcpuSide},
		{Name: "serve", Image: np, Extra: "-- netprobe serve", VCPUs: 2, Vif: true, Timeout: to, Side: serveSide},
	}, nil)
	if len(res.Guests) != 6 {
		t.Fatalf("%d results, want 6", len(res.Guests))
	}
	for _, g := range res.Guests {
		if g.Status != 0 || !g.HasLine {
			t.Errorf("%s: status %d (status line seen: %v), want 0", g.Name, g.Status, g.HasLine)
		}
	}
	g := res.Guests[0]
	if !slices.ContainsFunc(g.Console, func(l string) bool { return strings.Contains(l, " NumCPU=2 GOMAXPROCS=2 ") }) {
		t.Errorf("info: want NumCPU=2 GOMAXPROCS=2 in %q", g.Console)
	}
	wantConsole(t, res.Guests[3], "locked ok")
	for i, prefix := range map[int]string{1: "churned 10000 buffers in 100 goroutines; ", 2: "parallel 4 ", 4: "stress ok: "} {
		g := res.Guests[i]
		if !slices.ContainsFunc(g.Console, func(l string) bool { return strings.HasPrefix(l, prefix) }) {
			t.Errorf("%s: no line %q... in %q", g.Name, prefix, g.Console)
		}
	}
	// Both vCPUs took CPU time.
	ran := func(g harness.GuestResult) {
		t.Helper()
		secs := map[string]float64{}
		for _, l := range g.Side {
			var v string
			var s float64
			if _, err := fmt.Sscanf(l, "vcpu %s %g", &v, &s); err == nil {
				secs[v] = s
			}
		}
		if len(secs) != 2 || secs["0"] <= 0 || secs["1"] <= 0 {
			t.Errorf("%s: xl vcpu-list, want 2 vCPUs that ran: %q", g.Name, g.Side)
		}
		t.Logf("%s: CPU seconds by vCPU: %v", g.Name, secs)
	}
	ran(res.Guests[4])
	g = res.Guests[5]
	ran(g)
	want := []string{
		fmt.Sprintf("status 200 bytes 13 sha256 %x", sha256.Sum256([]byte("hello, world\n"))),
		fmt.Sprintf("status 200 bytes %d sha256 %s", 10<<20, blobSum(10<<20)),
	}
	for _, w := range want {
		if !slices.Contains(g.Side, w) {
			t.Errorf("serve: dom0 did not see %q; its side script said %q (exit %d)", w, g.Side, g.SideExit)
		}
	}
}

// TestXenNetwork: an unmodified net/http server (netprobe) in a domain
// with a vif on dom0's bridge and its address from dom0's DHCP server
// answers dom0, 100 MB each way with matching SHA-256s; a second
// domain echoes over TCP and UDP with servers in dom0 and resolves a
// name with dom0's DNS server.
func TestXenNetwork(t *testing.T) {
	np := progImage(t, "netprobe")
	const size = 100 << 20
	blob := blobSum(size)
	zeros := sha256.New()
	io.CopyN(zeros, zeroReader{}, size)
	serveSide := fmt.Sprintf(`
mirago-dom0 get -n 120 -t 2s "http://$GUEST_IP/" || exit 1
mirago-dom0 get -t 10m "http://$GUEST_IP/blob?n=%d" || exit 1
mirago-dom0 post -t 10m -n %d "http://$GUEST_IP/sum" || exit 1
mirago-dom0 get -t 30s "http://$GUEST_IP/quit"
`, size, size)
	echoSide := `
mirago-dom0 tcp-echo 10.99.0.1:7 &
mirago-dom0 udp-echo 10.99.0.1:7 &
mirago-dom0 dns 10.99.0.1:53 host.test=10.99.0.77 &
wait
`
	res := xenRun(t, []harness.Guest{
		{Name: "serve", Image: np, Extra: "-- netprobe serve", Vif: true, Timeout: 15 * time.Minute, Side: serveSide},
		{Name: "echo", Image: np, Extra: "MIRAGO_DNS=10.99.0.1 -- netprobe echo tcp=10.99.0.1:7 udp=10.99.0.1:7 hello-xen",
			Vif: true, Timeout: 3 * time.Minute, Side: echoSide},
		{Name: "lookup", Image: np, Extra: "MIRAGO_DNS=10.99.0.1 -- netprobe lookup host.test",
			Vif: true, Timeout: 3 * time.Minute, Side: echoSide},
	}, nil)
	if len(res.Guests) != 3 {
		t.Fatalf("%d results, want 3", len(res.Guests))
	}
	g := res.Guests[0]
	wantConsole(t, g, "served")
	if g.Status != 0 {
		t.Errorf("serve: status %d, want 0", g.Status)
	}
	hello := sha256.Sum256([]byte("hello, world\n"))
	want := []string{
		fmt.Sprintf("status 200 bytes 13 sha256 %x", hello),
		fmt.Sprintf("status 200 bytes %d sha256 %s", size, blob),
		fmt.Sprintf("status 200 body %d %x", size, zeros.Sum(nil)),
	}
	for _, w := range want {
		if !slices.Contains(g.Side, w) {
			t.Errorf("serve: dom0 did not see %q; its side script said %q (exit %d)", w, g.Side, g.SideExit)
		}
	}

	g = res.Guests[1]
	if g.Status != 0 {
		t.Errorf("echo: status %d, want 0", g.Status)
	}
	for _, proto := range []string{"tcp", "udp"} {
		re := regexp.MustCompile(`^` + proto + ` echo from 10\.99\.0\.1:7 via ` + regexp.QuoteMeta(harness.GuestIP(1)) + `:\d+: hello-xen$`)
		if !slices.ContainsFunc(g.Console, re.MatchString) {
			t.Errorf("echo: no %s echo from dom0 in %q", proto, g.Console)
		}
	}

	g = res.Guests[2]
	wantConsole(t, g, "lookup host.test: 10.99.0.77")
	if g.Status != 0 {
		t.Errorf("lookup: status %d, want 0", g.Status)
	}
}

// TestXenDisk: a domain writes /dev/xvda through blkfront and syncs, and
// is gone; a second domain reads the bytes back; the host checks the
// backing file.
func TestXenDisk(t *testing.T) {
	dev := progImage(t, "devprobe")
	disk := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(disk, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	res := xenRun(t, []harness.Guest{
		{Name: "write", Image: dev, Extra: "-- devprobe diskwrite over-xen", Disk: disk, Timeout: 2 * time.Minute},
		{Name: "read", Image: dev, Extra: "-- devprobe diskread over-xen", Disk: disk, Timeout: 2 * time.Minute},
	}, nil)
	wantConsole(t, res.Guests[0], "wrote 8 bytes; size 1048576 <nil>")
	wantConsole(t, res.Guests[1], `read "over-xen"`)
	for _, g := range res.Guests {
		if g.Status != 0 {
			t.Errorf("%s: status %d, want 0", g.Name, g.Status)
		}
	}
	data, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data[1000:1008]); got != "over-xen" {
		t.Errorf("the backing file holds %q at 1000, want %q", got, "over-xen")
	}
}

// TestXenSameImage boots the same image files, unchanged, under QEMU
// (virtio, through the exec wrapper) and as Xen domains (PV devices):
// hello, and the HTTP server answering a page.
func TestXenSameImage(t *testing.T) {
	hello, np := progImage(t, "exitargs"), progImage(t, "netprobe")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")

	r := run(t, t.TempDir(), env(t, "MIRAGO_NOMOUNT=1"), wrapper, hello, "one")
	if r.code != 3 || !strings.Contains(r.stdout, `arg[1]="one"`) {
		t.Errorf("exitargs under QEMU: want status 3 and arg[1]=\"one\":\n%s", r)
	}
	port := freePort(t)
	g := startGuest(t, []string{fmt.Sprintf("MIRAGO_NET=user,hostfwd=tcp:127.0.0.1:%d-:80", port)}, nil, "serve")
	g.waitLine(t, `^listening on `, 2*time.Minute)
	c := &http.Client{Timeout: time.Minute}
	for _, path := range []string{"/", "/quit"} {
		resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatalf("netprobe under QEMU: GET %s: %v\n%s", path, err, g.output())
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/" && string(body) != "hello, world\n" {
			t.Errorf("netprobe under QEMU: GET / = %q", body)
		}
	}
	g.wait(t, time.Minute)

	res := xenRun(t, []harness.Guest{
		{Name: "exitargs", Image: hello, Extra: "-- exitargs one", Timeout: 2 * time.Minute},
		{Name: "serve", Image: np, Extra: "-- netprobe serve", Vif: true, Timeout: 3 * time.Minute,
			Side: `mirago-dom0 get -n 120 -t 2s "http://$GUEST_IP/" && mirago-dom0 get -t 30s "http://$GUEST_IP/quit"`},
	}, nil)
	x := res.Guests[0]
	wantConsole(t, x, `arg[1]="one"`)
	if x.Status != 3 {
		t.Errorf("exitargs on Xen: status %d, want 3", x.Status)
	}
	sum := sha256.Sum256([]byte("hello, world\n"))
	if s := res.Guests[1]; !slices.Contains(s.Side, fmt.Sprintf("status 200 bytes 13 sha256 %x", sum)) || s.Status != 0 {
		t.Errorf("netprobe on Xen: status %d, dom0 said %q", s.Status, s.Side)
	}
}

// zeroReader reads as an endless stream of zero bytes, as dom0's post
// sends.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestXenStdSample runs a sample of the standard library's own tests
// (-short) on Xen through the exec wrapper, one Xen boot per package.
func TestXenStdSample(t *testing.T) {
	vars := []string{"MIRAGO_VMM=xen", "MIRAGO_MEM=512M"}
	if c := os.Getenv("MIRAGO_CACHE"); c != "" {
		vars = append(vars, "MIRAGO_CACHE="+c)
	}
	pkgs := []string{"strings", "fmt", "strconv", "encoding/json", "crypto/sha256", "net/http"}
	// One package at a time: each boot is a nested Xen of 1.5 GB.
	r := mgoEnv(t, t.TempDir(), "xen/amd64", vars, append([]string{"test", "-short", "-count=1", "-p=1"}, pkgs...)...)
	t.Logf("go test on Xen:\n%s", r.stdout)
	for _, p := range pkgs {
		if !regexp.MustCompile(`(?m)^ok  \t` + regexp.QuoteMeta(p) + `\t`).MatchString(r.stdout) {
			t.Errorf("%s did not pass on Xen", p)
		}
	}
	if r.code != 0 {
		t.Errorf("go test on Xen: exit status %d:\n%s", r.code, r)
	}
}
