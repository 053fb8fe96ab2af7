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
	"strings"
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
// process started and the histogram of its stop-the-world pauses for
// the GC (runtime/metrics' /sched/pauses/total/gc:seconds): for each
// bucket that is not empty, its upper bound in seconds and its count.
// A client that reads it before and after a load subtracts the two to
// get the pauses of the load alone.
func GCPauses() string {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/sched/pauses/total/gc:seconds"}}
	metrics.Read(s)
	h := s[1].Value.Float64Histogram()
	var b strings.Builder
	fmt.Fprintf(&b, `{"gcs":%d,"pauses":[`, s[0].Value.Uint64())
	sep := ""
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		upper := h.Buckets[i+1]
		if math.IsInf(upper, 1) {
			upper = h.Buckets[i] // the last bucket: its lower bound
		}
		fmt.Fprintf(&b, "%s[%g,%d]", sep, upper, c)
		sep = ","
	}
	b.WriteString("]}")
	return b.String()
}
