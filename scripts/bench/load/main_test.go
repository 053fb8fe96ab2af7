// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// slowAccepter hands out the first connection at once and each later
// one delay after the one before, as QEMU's user-mode network accepts
// the connections it forwards.
type slowAccepter struct {
	net.Listener
	delay time.Duration
	mu    sync.Mutex
	n     int
}

func (l *slowAccepter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	l.mu.Lock()
	n := l.n
	l.n++
	l.mu.Unlock()
	if n > 0 {
		time.Sleep(l.delay)
	}
	return c, err
}

// TestRunOpensFirst: the measurement starts once every client has its
// connection, so a server slow to accept does not put its accept delay
// into the latencies or leave clients out of the measured time.
func TestRunOpensFirst(t *testing.T) {
	const delay = 300 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	})}
	go srv.Serve(&slowAccepter{Listener: ln, delay: delay})
	defer srv.Close()

	const c = 4
	r := run("http://"+ln.Addr().String()+"/", c, 0, 500*time.Millisecond, 5*time.Second, []byte("ok"))
	if r.Errors != 0 || r.OtherErrors != 0 || r.Requests == 0 {
		t.Fatalf("run: %d requests, %d errors, %d outside the measurement (%s)", r.Requests, r.Errors, r.OtherErrors, r.FirstError)
	}
	if r.Connections != c {
		t.Errorf("run dialed %d connections, want %d", r.Connections, c)
	}
	if r.MaxUs >= float64(delay/time.Microsecond)*3/4 {
		t.Errorf("slowest measured request %.0f µs: an accept delay (%v) was measured", r.MaxUs, delay)
	}
}
