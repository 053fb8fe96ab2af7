// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Xen measures the benchmark's HTTP server (scripts/bench/server) as a
// domU of real Xen in two forms, under the same nested Xen (the test
// harness, scripts/xen/harness) in one boot:
//
//	mirago  the server built with GOOS=xen GOARCH=amd64 by the fork's
//	        toolchain, booted as a PVH domU: netfront and the runtime's
//	        own network stack
//	linux   dom0's Debian kernel booted as a PVH domU (harness.LinuxGuest:
//	        busybox, xen-netfront), running the same server built for
//	        linux/amd64
//
// Both guests get 1 vCPU, the same memory and a vif on dom0's bridge
// with the address from dom0's DHCP server. For each guest a side script
// in dom0 polls GET / until the first good answer (boot to first
// response, timed from xl's unpause of the domain and from the start of
// xl create, which adds the toolstack's work: building the domain and
// the vif's hotplug script) and then runs the load
// generator (scripts/bench/load, 1 and 16 keep-alive connections)
// against it from dom0. The forms alternate over -rounds rounds, and
// the table reports each measure's median and the median of the
// per-round ratios.
//
//	go run ./scripts/bench/xen [-rounds 3] [-d 10s] [-warmup 1s] [-mem 256]
//
// or make bench-xen. It needs a built toolchain (make toolchain) and the
// harness (make xen); about five minutes with the defaults.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

var (
	rounds  = flag.Int("rounds", 3, "rounds; each boots both forms once")
	dur     = flag.Duration("d", 10*time.Second, "measured load `duration` per concurrency")
	warmup  = flag.Duration("warmup", time.Second, "load warm-up `duration` per concurrency")
	mem     = flag.Int("mem", 256, "guest memory in `MiB`, both forms")
	goroot  = flag.String("goroot", "_build/goroot", "the fork's built GOROOT")
	keep    = flag.Bool("keep", false, "keep the work directory (images, consoles) and print its path")
	verbose = flag.Bool("v", false, "print Xen's and dom0's messages")
)

// loadResult is one line of scripts/bench/load -json (load.Result).
type loadResult struct {
	Concurrency int     `json:"concurrency"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	RPS         float64 `json:"rps"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
	FirstError  string  `json:"first_error,omitempty"`
}

// run is one guest's measurement.
type run struct {
	form  string
	round int
	first float64 // ms from xl create to the first good answer; NaN if none
	boot  float64 // ms from the domain's unpause to the first good answer
	load  map[int]loadResult
	err   string
}

const (
	formMirago = "mirago"
	formLinux  = "linux"
)

func main() {
	flag.Parse()
	if *rounds < 1 || *dur <= 0 || *warmup < 0 || *mem < 32 {
		fmt.Fprintln(os.Stderr, "xen: bad flags: want -rounds ≥ 1, -d > 0, -warmup ≥ 0, -mem ≥ 32")
		os.Exit(2)
	}
	if err := main1(); err != nil {
		fmt.Fprintf(os.Stderr, "xen: %v\n", err)
		os.Exit(1)
	}
}

func main1() error {
	gobin := filepath.Join(*goroot, "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		return fmt.Errorf("no toolchain at %s (make toolchain)", *goroot)
	}
	work, err := os.MkdirTemp("", "mirago-bench-xen-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintf(os.Stderr, "xen: work directory %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	a, err := harness.Build(os.Stderr)
	if err != nil {
		return fmt.Errorf("harness: %v", err)
	}
	image := filepath.Join(work, "server.xen")
	linuxServer := filepath.Join(work, "server.linux")
	load := filepath.Join(work, "load")
	fmt.Fprintln(os.Stderr, "xen: building the server for xen/amd64 and linux/amd64, and the load generator")
	if err := build(gobin, "xen", image, "./scripts/bench/server"); err != nil {
		return err
	}
	if err := build("go", "linux", linuxServer, "./scripts/bench/server"); err != nil {
		return err
	}
	if err := build("go", "linux", load, "./scripts/bench/load"); err != nil {
		return err
	}

	// The side script, the same for both forms. dom0's ARP retries
	// every 10 ms rather than every second while it resolves the
	// guest's address, so that boot to first response is not rounded
	// up to Linux's ARP timer.
	side := fmt.Sprintf(`
n=/proc/sys/net/ipv4/neigh/xenbr0
echo 10 >$n/retrans_time_ms; echo 100 >$n/mcast_solicit
mirago-dom0 first -t 3m "http://$GUEST_IP/" || exit 1
/bench/load -c 1,16 -d %s -warmup %s -json "http://$GUEST_IP/"
`, *dur, *warmup)
	linuxScript := `
while ! ip link set eth0 up 2>/dev/null; do sleep 0.01; done
udhcpc -i eth0 -n -q -t 20 -T 1 >/dev/null || exit 10
exec /server -addr :80
`
	var guests []harness.Guest
	var runs []*run
	for r := 0; r < *rounds; r++ {
		order := []string{formMirago, formLinux}
		if r%2 == 1 {
			order = []string{formLinux, formMirago}
		}
		for _, form := range order {
			name := fmt.Sprintf("%s%d", form, r+1)
			var g harness.Guest
			if form == formMirago {
				g = harness.Guest{Name: name, Image: image}
			} else {
				g, err = a.LinuxGuestFiles(name, linuxScript, map[string]string{"/server": linuxServer}, work)
				if err != nil {
					return err
				}
			}
			g.Memory = *mem
			g.Vif = true
			g.Side = side
			g.SideEndsGuest = true
			g.Timeout = 4*time.Minute + 2*(*dur+*warmup)
			guests = append(guests, g)
			runs = append(runs, &run{form: form, round: r + 1, first: math.NaN(), boot: math.NaN(), load: map[int]loadResult{}})
		}
	}

	consoles, err := os.Create(filepath.Join(work, "consoles.log"))
	if err != nil {
		return err
	}
	defer consoles.Close()
	fmt.Fprintf(os.Stderr, "xen: %d guests in one Xen boot; consoles in %s\n", len(guests), consoles.Name())
	start := time.Now()
	res, err := harness.Run(context.Background(), a, harness.Options{
		Guests:  guests,
		Files:   map[string]string{"/bench/load": load},
		Stdout:  consoles,
		Stderr:  os.Stderr,
		Verbose: *verbose,
	})
	if err != nil {
		return err
	}
	for i, g := range res.Guests {
		parseSide(runs[i], g)
	}
	printTable(os.Stdout, runs, a, start)
	return nil
}

// build builds pkg for goos/amd64 with the go command gobin, statically.
func build(gobin, goos, out, pkg string) error {
	cmd := exec.Command(gobin, "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s build (GOOS=%s) of %s: %v\n%s", gobin, goos, pkg, err, out)
	}
	return nil
}

// parseSide reads a guest's side-script output: "first C R" and the
// load generator's JSON lines.
func parseSide(r *run, g harness.GuestResult) {
	for _, line := range g.Side {
		if ms, ok := strings.CutPrefix(line, "first "); ok {
			f := strings.Fields(ms)
			if len(f) == 2 {
				if v, err := strconv.ParseFloat(f[0], 64); err == nil {
					r.first = v
				}
				if v, err := strconv.ParseFloat(f[1], 64); err == nil {
					r.boot = v
				}
			}
			continue
		}
		var l loadResult
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &l) == nil && l.Concurrency > 0 {
			r.load[l.Concurrency] = l
		}
	}
	if g.SideExit != 0 {
		r.err = fmt.Sprintf("side script exit %d (domain: %s)", g.SideExit, g.Reason)
		if n := len(g.Side); n > 0 {
			r.err += ": " + g.Side[n-1]
		}
	}
}

// rps returns r's requests per second at concurrency c; NaN if the run
// failed or saw errors.
func (r *run) rps(c int) float64 {
	l, ok := r.load[c]
	if !ok || l.Requests == 0 || l.Errors > 0 {
		return math.NaN()
	}
	return l.RPS
}

func median(vs []float64) float64 {
	var ok []float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			ok = append(ok, v)
		}
	}
	if len(ok) == 0 {
		return math.NaN()
	}
	slices.Sort(ok)
	if len(ok)%2 == 1 {
		return ok[len(ok)/2]
	}
	return (ok[len(ok)/2-1] + ok[len(ok)/2]) / 2
}

func spread(vs []float64, format string) string {
	m := median(vs)
	if math.IsNaN(m) {
		return "—"
	}
	var ok []float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			ok = append(ok, v)
		}
	}
	s := fmt.Sprintf(format, m)
	if len(ok) > 1 {
		s += fmt.Sprintf(" ("+format+"–"+format+")", slices.Min(ok), slices.Max(ok))
	}
	if len(ok) < len(vs) {
		s += fmt.Sprintf(", %d of %d failed", len(vs)-len(ok), len(vs))
	}
	return s
}

func printTable(w *os.File, runs []*run, a *harness.Artifacts, start time.Time) {
	load, _ := os.ReadFile("/proc/loadavg")
	rev, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	fmt.Fprintf(w, "# Xen %s harness %s, dom0 kernel %s; commit %s; %s; host load average %s; %d rounds, load %v + %v warm-up per concurrency, %d MiB guests, 1 vCPU\n\n",
		"4.17", a.Info.Key, a.Info.KernelRelease, strings.TrimSpace(string(rev)),
		start.UTC().Format("2006-01-02 15:04 UTC"), strings.Join(strings.Fields(string(load))[:3], " "),
		*rounds, *dur, *warmup, *mem)
	byForm := map[string][]*run{}
	for _, r := range runs {
		byForm[r.form] = append(byForm[r.form], r)
	}
	col := func(form string, f func(*run) float64) []float64 {
		var vs []float64
		for _, r := range byForm[form] {
			vs = append(vs, f(r))
		}
		return vs
	}
	first := func(r *run) float64 { return r.first }
	boot := func(r *run) float64 { return r.boot }
	rps := func(c int) func(*run) float64 { return func(r *run) float64 { return r.rps(c) } }
	p99 := func(c int) func(*run) float64 {
		return func(r *run) float64 {
			if math.IsNaN(r.rps(c)) {
				return math.NaN()
			}
			return r.load[c].P99us / 1000
		}
	}
	fmt.Fprintln(w, "| domU | unpause to first response, ms | xl create to first response, ms | req/s c=1 | req/s c=16 | p99 c=1, ms | p99 c=16, ms |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, form := range []string{formMirago, formLinux} {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", form,
			spread(col(form, boot), "%.0f"), spread(col(form, first), "%.0f"),
			spread(col(form, rps(1)), "%.0f"), spread(col(form, rps(16)), "%.0f"),
			spread(col(form, p99(1)), "%.1f"), spread(col(form, p99(16)), "%.1f"))
	}
	// Ratios per round, then their median: the two forms of a round ran
	// back to back, so a round's ratio sees the same host load.
	ratio := func(f func(*run) float64, inverse bool) string {
		var vs []float64
		for r := 1; r <= *rounds; r++ {
			var m, l float64 = math.NaN(), math.NaN()
			for _, x := range runs {
				if x.round != r {
					continue
				}
				if x.form == formMirago {
					m = f(x)
				} else {
					l = f(x)
				}
			}
			if inverse {
				m, l = l, m
			}
			vs = append(vs, m/l)
		}
		return spread(vs, "%.2f×")
	}
	fmt.Fprintf(w, "| mirago vs linux (median of the rounds' ratios) | %s faster | %s faster | %s | %s | | |\n",
		ratio(boot, true), ratio(first, true), ratio(rps(1), false), ratio(rps(16), false))
	var failed []string
	for _, r := range runs {
		if r.err != "" {
			failed = append(failed, fmt.Sprintf("%s%d: %s", r.form, r.round, r.err))
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "\nfailed: %s\n", strings.Join(failed, "; "))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "\nhost: %s/%s, %d CPUs, per run:", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	for _, r := range runs {
		fmt.Fprintf(&b, " %s%d boot=%.0fms create=%.0fms c1=%.0f c16=%.0f;", r.form, r.round, r.boot, r.first, r.rps(1), r.rps(16))
	}
	fmt.Fprintln(w, strings.TrimSuffix(b.String(), ";"))
}
