// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package httpd is the HTTP server that scripts/bench measures. The
// host process, the Linux VM's /init and the Mirago image all run this
// code, so that the three differ only in what runs under it.
package httpd

import (
	"fmt"
	"net"
	"net/http"
	"os"
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
	return http.Serve(ln, mux)
}
