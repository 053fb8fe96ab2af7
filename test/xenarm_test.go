// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xenharness

// GOOS=xen GOARCH=arm64 images as domains of real Xen on Arm (issue
// 14): Debian's Xen 4.17 for arm64 with a Linux dom0, nested in
// qemu-system-aarch64 (the harness's arm64 build, scripts/xen). The
// same image that boots on QEMU's virt machine finds Xen's /hypervisor
// node in its device tree and runs on hypercalls, the console ring,
// event channels and netfront.

package test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

// TestXenArm64 runs, in one boot of Xen on Arm: a program's arguments
// and exit status, a panic, the clocks and timers, an HTTP server that
// dom0 reaches over netfront, a domain too small to boot, and a 2-vCPU
// domain that starts its second vCPU by PSCI and passes messages
// across both.
func TestXenArm64(t *testing.T) {
	a, err := harness.FindArch("arm64")
	if err != nil {
		t.Fatalf("%v", err)
	}
	exitargs, panicking := arm64Image(t, "exitargs"), arm64Image(t, "panic")
	rt, np := arm64Image(t, "rtprobe"), arm64Image(t, "netprobe")
	host := time.Now().Unix()

	var out, errs strings.Builder
	start := time.Now()
	res, err := harness.Run(context.Background(), a, harness.Options{
		Guests: []harness.Guest{
			{Name: "exitargs", Image: exitargs, Extra: "-- exitargs one two", Timeout: 2 * time.Minute},
			{Name: "panic", Image: panicking, Extra: "-- panic", Timeout: 2 * time.Minute},
			{Name: "info", Image: rt, Extra: "-- rtprobe info", Timeout: 2 * time.Minute},
			{Name: "sleeps", Image: rt, Extra: "-- rtprobe sleeps 21 10ms", Timeout: 2 * time.Minute},
			{Name: "serve", Image: np, Extra: "-- netprobe serve", Vif: true, Timeout: 3 * time.Minute,
				Side: `mirago-dom0 get -n 120 -t 2s "http://$GUEST_IP/" && mirago-dom0 get -t 30s "http://$GUEST_IP/quit"`},
			// Too little memory: the runtime says so on the emulated
			// UART, before it has found the console ring.
			{Name: "small", Image: exitargs, Extra: "-- exitargs", Memory: 6, Timeout: 2 * time.Minute},
			{Name: "smpinfo", Image: rt, Extra: "-- rtprobe info", VCPUs: 2, Timeout: 2 * time.Minute},
			{Name: "stress", Image: rt, Extra: "-- rtprobe stress 15s", VCPUs: 2, Timeout: 2 * time.Minute},
		},
		Stdout: &out, Stderr: &errs,
	})
	t.Logf("one boot of Xen on Arm: %v\n--- consoles ---\n%s--- harness ---\n%s", time.Since(start).Round(time.Millisecond), out.String(), errs.String())
	if err != nil {
		t.Fatalf("harness.Run: %v", err)
	}
	t.Logf("Xen and dom0 up in %v", res.BootTime.Round(time.Millisecond))
	if len(res.Guests) != 8 {
		t.Fatalf("%d results, want 8", len(res.Guests))
	}
	status := func(g harness.GuestResult, want int) {
		t.Helper()
		if g.Status != want || !g.HasLine {
			t.Errorf("%s: status %d (status line seen: %v), want %d; console %q", g.Name, g.Status, g.HasLine, want, g.Console)
		}
	}

	g := res.Guests[0]
	status(g, 3)
	wantConsole(t, g, `arg[1]="one"`, `arg[2]="two"`)

	g = res.Guests[1]
	status(g, 2)
	wantConsole(t, g, "panic: boom from the guest", "goroutine 1 [running]:")

	g = res.Guests[2]
	status(g, 0)
	var guestUnix int64 = -1
	for _, l := range g.Console {
		if m := regexp.MustCompile(`^GOOS=xen GOARCH=arm64 .* unix=(\d+)`).FindStringSubmatch(l); m != nil {
			guestUnix, _ = strconv.ParseInt(m[1], 10, 64)
		}
	}
	// Xen on Arm states the wall clock at the domain's creation to the
	// second; the guest is created after Xen and dom0 boot and the
	// guests before it.
	if d := guestUnix - host; guestUnix < 0 || d < -5 || d > 180 {
		t.Errorf("info: guest wall clock %d is %d s off the host's %d at the start of the run; console %q", guestUnix, d, host, g.Console)
	}

	g = res.Guests[3]
	status(g, 0)
	n := 0
	for _, l := range g.Console {
		var req, obs int64
		if _, err := fmt.Sscanf(l, "slept %d %d", &req, &obs); err == nil {
			n++
			if obs < req {
				t.Errorf("sleeps: a sleep of %d ns ended after %d ns", req, obs)
			}
		}
	}
	if n != 21 {
		t.Errorf("sleeps: %d sleeps reported, want 21: %q", n, g.Console)
	}

	g = res.Guests[4]
	status(g, 0)
	wantConsole(t, g, "served")
	sum := sha256.Sum256([]byte("hello, world\n"))
	if !slices.Contains(g.Side, fmt.Sprintf("status 200 bytes 13 sha256 %x", sum)) {
		t.Errorf("serve: dom0's GET over netfront said %q", g.Side)
	}

	g = res.Guests[5]
	status(g, 2)
	wantConsole(t, g, "xen: less than 4 MiB of free RAM after the image")

	// The 2-vCPU domains.
	lineLike := func(g harness.GuestResult, prefix, suffix string) {
		t.Helper()
		status(g, 0)
		if !slices.ContainsFunc(g.Console, func(l string) bool { return strings.HasPrefix(l, prefix) && strings.HasSuffix(l, suffix) }) {
			t.Errorf("%s: no line %q...%q in %q", g.Name, prefix, suffix, g.Console)
		}
	}
	lineLike(res.Guests[6], "GOOS=xen GOARCH=arm64 NumCPU=2 GOMAXPROCS=2 ", "")
	lineLike(res.Guests[7], "stress ok: ", " on 2 CPUs")
}

// TestXenArm64Wrapper runs go run and go test for GOARCH=arm64 on Xen
// on Arm through the exec wrapper (MIRAGO_VMM=xen): the test binary
// reads testdata/ from the boot archive, which reaches the domain as
// its ramdisk (the device tree's /chosen initrd).
func TestXenArm64Wrapper(t *testing.T) {
	testWrapperOnXen(t, "xen/arm64")
}

// TestXenArm64GICv2 runs netprobe on Xen on Arm with a GICv2, which Xen
// emulates for its domains: the timer's and the event channels' PPIs
// through the GICv2's CPU interface rather than GICv3's system
// registers.
func TestXenArm64GICv2(t *testing.T) {
	a, err := harness.FindArch("arm64")
	if err != nil {
		t.Fatalf("%v", err)
	}
	np := arm64Image(t, "netprobe")
	var out, errs strings.Builder
	res, err := harness.Run(context.Background(), a, harness.Options{
		Guests: []harness.Guest{
			{Name: "serve", Image: np, Extra: "-- netprobe serve", Vif: true, Timeout: 3 * time.Minute,
				Side: `mirago-dom0 get -n 120 -t 2s "http://$GUEST_IP/" && mirago-dom0 get -t 30s "http://$GUEST_IP/quit"`},
		},
		GICVersion: 2,
		Stdout:     &out, Stderr: &errs,
	})
	t.Logf("--- console ---\n%s--- harness ---\n%s", out.String(), errs.String())
	if err != nil {
		t.Fatalf("harness.Run: %v", err)
	}
	g := res.Guests[0]
	sum := sha256.Sum256([]byte("hello, world\n"))
	if g.Status != 0 || !slices.Contains(g.Side, fmt.Sprintf("status 200 bytes 13 sha256 %x", sum)) {
		t.Errorf("serve under GICv2: status %d, dom0's GET said %q", g.Status, g.Side)
	}
}
