// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestPollFirst checks that pollFirst keeps asking through failures and
// stops at the first 200, and that it gives up at its deadline.
func TestPollFirst(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("hello, world\n"))
	}))
	defer srv.Close()
	start := time.Now()
	end, err := pollFirst(srv.URL, time.Now().Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d requests, want 3 (two refusals, then the answer)", n)
	}
	if end.Before(start) {
		t.Errorf("end %v before start %v", end, start)
	}

	calls.Store(-1 << 20) // refuse from now on
	_, err = pollFirst(srv.URL, time.Now().Add(50*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "status 503") {
		t.Errorf("against a server that always refuses: %v, want an error naming status 503", err)
	}
}
