// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Load is the benchmark's HTTP load generator: a bounded closed loop of
// keep-alive HTTP/1.1 clients against one URL on the loopback
// interface or a local network.
//
//	load [-c 1,16] [-d 10s] [-warmup 1s] [-json] URL
//
// For each concurrency in -c it runs that many clients, each with its
// own connection, each sending GET URL and reading the answer before the
// next request. Once every client has its connection open and one
// answer (within 30 s), it runs them for -warmup and then -d. Only
// requests sent after the warm-up and answered before the end count.
// Every answer must be 200 with the body -body; anything else counts
// as an error. It prints, per concurrency, requests per second and the
// 50th and 99th percentile latencies, as text or (-json) as one JSON
// object a line.
//
// The target must be a loopback address or a private address on a
// network this machine is attached to: the tool is a benchmark driver
// for local servers and VMs, never a way to load someone else's machine.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// openTimeout bounds the time the clients have to open their
// connections and get a first answer, before the warm-up.
const openTimeout = 30 * time.Second

// maxSamples bounds the latencies kept per run (8 bytes each); requests
// past it are still counted.
const maxSamples = 4 << 20

// Result is one concurrency level's outcome; the JSON form is what
// scripts/bench/runner reads.
type Result struct {
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	OtherErrors int64   `json:"other_errors"` // failed requests not counted: sent in the warm-up or answered after the end
	Connections int64   `json:"connections"`  // dialed during the whole run, warm-up included
	RPS         float64 `json:"rps"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
	MaxUs       float64 `json:"max_us"`
	FirstError  string  `json:"first_error,omitempty"`
}

func main() {
	conc := flag.String("c", "1,16", "comma-separated `concurrencies` to run, one after the other")
	dur := flag.Duration("d", 10*time.Second, "measured `duration` per concurrency")
	warm := flag.Duration("warmup", time.Second, "unmeasured `duration` before each measurement (connections open, caches warm)")
	timeout := flag.Duration("timeout", 5*time.Second, "per-request `timeout`")
	body := flag.String("body", "hello, world\n", "expected response `body`")
	jsonOut := flag.Bool("json", false, "print one JSON object per concurrency")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: load [flags] URL")
		flag.PrintDefaults()
		os.Exit(2)
	}
	target := flag.Arg(0)
	if err := checkTarget(target); err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(2)
	}
	var levels []int
	for _, s := range strings.Split(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 256 {
			fmt.Fprintf(os.Stderr, "load: bad concurrency %q (want 1 to 256)\n", s)
			os.Exit(2)
		}
		levels = append(levels, n)
	}
	if *dur <= 0 || *warm < 0 {
		fmt.Fprintln(os.Stderr, "load: -d must be positive and -warmup not negative")
		os.Exit(2)
	}

	failed := false
	for _, c := range levels {
		r := run(target, c, *warm, *dur, *timeout, []byte(*body))
		if r.Requests == 0 {
			failed = true
		}
		if *jsonOut {
			b, _ := json.Marshal(r)
			fmt.Printf("%s\n", b)
			continue
		}
		fmt.Printf("c=%-3d %9.0f req/s  p50 %8.0f µs  p99 %8.0f µs  max %8.0f µs  %d requests, %d errors (%d outside the measurement), %d connections\n",
			r.Concurrency, r.RPS, r.P50us, r.P99us, r.MaxUs, r.Requests, r.Errors, r.OtherErrors, r.Connections)
		if r.FirstError != "" {
			fmt.Printf("      first error: %s\n", r.FirstError)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// checkTarget accepts only http URLs whose host is a loopback IP or a
// private address on a network this machine is attached to (the Xen
// harness's bridge in dom0, a tap network).
func checkTarget(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" {
		return fmt.Errorf("%s: only http:// URLs", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip != nil && (ip.IsLoopback() || ip.IsPrivate() && attached(ip)) {
		return nil
	}
	return fmt.Errorf("%s: the host must be a loopback IP address such as 127.0.0.1, or a private one on a network of this machine's", raw)
}

// attached reports whether ip is on the network of one of this
// machine's interface addresses.
func attached(ip net.IP) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.Contains(ip) {
			return true
		}
	}
	return false
}

func run(target string, c int, warm, dur, timeout time.Duration, want []byte) Result {
	// The clock starts once every client has its connection and one
	// answer on it. QEMU's user-mode network accepts forwarded
	// connections one or two at a time (its listening socket has a
	// backlog of 1), so 16 clients dialing at once would otherwise
	// join the measurement over several seconds of SYN retransmits.
	openCtx, cancelOpen := context.WithTimeout(context.Background(), openTimeout)
	defer cancelOpen()
	var opened sync.WaitGroup
	ready := make(chan struct{}) // closed once the three below are set
	var measureFrom, end time.Time
	var ctx context.Context

	var (
		dials    atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		reqs     int64
		errs     int64
		others   int64
		firstErr string
		wg       sync.WaitGroup
	)
	opened.Add(c)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One transport per client: one keep-alive connection
			// each, as c separate HTTP clients would have. Proxy nil:
			// the environment's proxy settings must not apply.
			tr := &http.Transport{
				Proxy:               nil,
				MaxIdleConnsPerHost: 1,
				DisableCompression:  true,
				ForceAttemptHTTP2:   false,
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					dials.Add(1)
					var d net.Dialer
					return d.DialContext(ctx, network, addr)
				},
			}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: timeout}
			var myLat []time.Duration
			var myReqs, myErrs, myOthers int64
			var myErr string
			for {
				err := get(openCtx, client, target, want)
				if err == nil {
					break
				}
				if openCtx.Err() != nil {
					myOthers++
					myErr = err.Error()
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			opened.Done()
			<-ready
			for {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				err := get(ctx, client, target, want)
				t1 := time.Now()
				counted := !t0.Before(measureFrom) && !t1.After(end)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					if counted {
						myErrs++
					} else {
						myOthers++
					}
					if myErr == "" {
						myErr = err.Error()
					}
					// Do not spin on a refused connection.
					time.Sleep(10 * time.Millisecond)
					continue
				}
				if counted {
					myReqs++
					if len(myLat) < maxSamples/c {
						myLat = append(myLat, t1.Sub(t0))
					}
				}
			}
			mu.Lock()
			lat = append(lat, myLat...)
			reqs += myReqs
			errs += myErrs
			others += myOthers
			if firstErr == "" {
				firstErr = myErr
			}
			mu.Unlock()
		}()
	}
	opened.Wait()
	measureFrom = time.Now().Add(warm)
	end = measureFrom.Add(dur)
	// The hard stop: a request in flight at the end gets at most one
	// more timeout, so a wedged server cannot hold the run up.
	var cancel context.CancelFunc
	ctx, cancel = context.WithDeadline(context.Background(), end.Add(timeout))
	defer cancel()
	close(ready)
	wg.Wait()

	r := Result{
		Concurrency: c,
		Seconds:     dur.Seconds(),
		Requests:    reqs,
		Errors:      errs,
		OtherErrors: others,
		Connections: dials.Load(),
		RPS:         float64(reqs) / dur.Seconds(),
		FirstError:  firstErr,
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
		r.P50us = us(percentile(lat, 50))
		r.P99us = us(percentile(lat, 99))
		r.MaxUs = us(lat[len(lat)-1])
	}
	return r
}

// percentile returns the p-th percentile of sorted samples (nearest
// rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

// get sends one GET and checks the answer. The body is read to the end,
// which lets the transport reuse the connection.
func get(ctx context.Context, client *http.Client, target string, want []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	if !bytes.Equal(b, want) {
		return fmt.Errorf("body %.40q, want %q", b, want)
	}
	return nil
}
