// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package httpd is the HTTP server that scripts/bench measures. The
// host process, the Linux VM's /init and the Mirago image all run this
// code, so that the three differ only in what runs under it.
package httpd

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"runtime/metrics"
)

// Body is what GET / answers; the load generator checks it.
const Body = "hello, world\n"

// Serve listens on addr and serves HTTP until it fails. It prints
// "listening on ADDR" to standard output once the listener is open, so
// that a console log shows when the server was ready and the benchmark
// can tell a slow network path from a slow boot.
func Serve(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		// A fixed Content-Type saves net/http sniffing the body on
		// every request.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(Body))
	})
	mux.HandleFunc("GET /gc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, GCPauses())
	})
	return http.Serve(ln, mux)
}

// GCPauses returns, as a JSON object, the number of GC cycles since the
// process started and its stop-the-world pauses for the GC (the
// runtime/metrics histogram /sched/pauses/total/gc:seconds): the count
// and the 50th and 99th percentiles and the maximum in microseconds,
// each the upper bound of the histogram bucket it falls in.
func GCPauses() string {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/sched/pauses/total/gc:seconds"}}
	metrics.Read(s)
	h := s[1].Value.Float64Histogram()
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	// quantile returns the upper bound of the bucket holding the q-th
	// quantile, in microseconds.
	quantile := func(q float64) float64 {
		if n == 0 {
			return 0
		}
		want := uint64(math.Ceil(q * float64(n)))
		var sum uint64
		for i, c := range h.Counts {
			sum += c
			if sum >= want {
				b := h.Buckets[i+1]
				if math.IsInf(b, 1) {
					b = h.Buckets[i]
				}
				return b * 1e6
			}
		}
		return 0
	}
	return fmt.Sprintf(`{"gcs":%d,"pauses":%d,"p50_us":%.1f,"p99_us":%.1f,"max_us":%.1f}`,
		s[0].Value.Uint64(), n, quantile(0.5), quantile(0.99), quantile(1))
}
