// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Server is the benchmark's HTTP server as a program of its own: the
// host process (built with the host's go) and the Mirago image (built
// with GOOS=xen) both come from this source.
//
//	server [-addr ADDR]
//
// It listens on -addr, default $BENCH_ADDR or ":80", and answers
// GET / with "hello, world\n".
package main

import (
	"flag"
	"fmt"
	"os"

	"mirago.dev/mirago/scripts/bench/httpd"
)

func main() {
	def := os.Getenv("BENCH_ADDR")
	if def == "" {
		def = ":80"
	}
	addr := flag.String("addr", def, "listen `address`")
	flag.Parse()
	if err := httpd.Serve(*addr); err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
}
