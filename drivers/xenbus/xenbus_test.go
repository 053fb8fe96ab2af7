// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenbus

import (
	"strings"
	"testing"
	"time"

	"mirago.dev/drivers/xenring/xenringtest"
	"mirago.dev/drivers/xenstore"
	"mirago.dev/drivers/xenstore/xenstoretest"
)

const (
	fe = "device/vif/0"
	be = "/local/domain/0/backend/vif/3/0"
)

// newTest sets up a store with a frontend directory and a backend in
// InitWait, whose reactions to the frontend's states react runs.
func newTest(t *testing.T, react func(st *xenstoretest.Store, state string)) (*xenstoretest.Server, *xenstore.Client) {
	t.Helper()
	s, page, ev := xenstoretest.NewServer(3)
	s.Do(func(st *xenstoretest.Store) {
		st.Write(fe+"/backend", be)
		st.Write(fe+"/backend-id", "0")
		st.Write(be+"/state", "2")
		st.Write(be+"/feature-rx-copy", "1")
	})
	s.OnWrite = func(st *xenstoretest.Store, path, value string) {
		if react != nil && path == s.Home()+"/"+fe+"/state" {
			react(st, value)
		}
	}
	c, err := xenstore.New(page, ev, xenringtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = int64(2 * time.Second)
	t.Cleanup(c.Close)
	return s, c
}

// backendLike answers as Linux's backends do: Connected once the
// frontend is Initialised or Connected, Closed once it is Closing.
func backendLike(st *xenstoretest.Store, state string) {
	switch state {
	case "3", "4":
		if _, ok := st.Read(be + "/state"); ok {
			st.Write(be+"/state", "4")
		}
	case "5":
		st.Write(be+"/state", "5")
		st.Write(be+"/state", "6")
	}
}

func TestConnect(t *testing.T) {
	s, c := newTest(t, backendLike)
	f, err := Open(c, fe)
	if err != nil {
		t.Fatal(err)
	}
	if f.Backend() != be || f.BackendID() != 0 {
		t.Errorf("backend %q id %d", f.Backend(), f.BackendID())
	}
	if st, _ := f.State(); st != Initialising {
		t.Errorf("state after Open = %v", st)
	}
	if st, err := f.WaitBackend(int64(time.Second), InitWait, Connected); err != nil || st != InitWait {
		t.Fatalf("WaitBackend = %v, %v", st, err)
	}
	if !f.BackendFeature("feature-rx-copy") || f.BackendFeature("feature-gso-tcpv4") {
		t.Errorf("BackendFeature wrong")
	}
	// The backend sees the keys together with the state: check from
	// its hook.
	var sawKeys bool
	s.OnWrite = func(st *xenstoretest.Store, path, value string) {
		if path == s.Home()+"/"+fe+"/state" && value == "3" {
			_, a := st.Read(fe + "/ring-ref")
			_, b := st.Read(fe + "/event-channel")
			sawKeys = a && b
		}
		if path == s.Home()+"/"+fe+"/state" {
			backendLike(st, value)
		}
	}
	s.FailCommits = 1
	if err := f.Publish([]KV{{"ring-ref", "8"}, {"event-channel", "10"}}, Initialised); err != nil {
		t.Fatal(err)
	}
	if !sawKeys {
		t.Errorf("the backend saw the state before the keys")
	}
	if st, err := f.WaitBackend(int64(time.Second), Connected); err != nil || st != Connected {
		t.Fatalf("WaitBackend(Connected) = %v, %v", st, err)
	}
	if err := f.SetState(Connected); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(int64(time.Second)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if st, _ := f.State(); st != Closed {
		t.Errorf("state after Close = %v", st)
	}
}

func TestTimeoutAndClosing(t *testing.T) {
	s, c := newTest(t, nil) // a backend that never moves
	f, err := Open(c, fe)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if st, err := f.WaitBackend(int64(100*time.Millisecond), Connected); err != ErrTimeout || st != InitWait {
		t.Errorf("WaitBackend = %v, %v; want InitWait, ErrTimeout", st, err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > time.Second {
		t.Errorf("waited %v", d)
	}
	// The backend closes while we wait for Connected.
	go func() {
		time.Sleep(20 * time.Millisecond)
		s.Do(func(st *xenstoretest.Store) { st.Write(be+"/state", "5") })
	}()
	if st, err := f.WaitBackend(int64(2*time.Second), Connected); err != ErrBackendClosed || st != Closing {
		t.Errorf("WaitBackend while closing = %v, %v", st, err)
	}
	// Garbage in the state reads as Unknown.
	s.Do(func(st *xenstoretest.Store) { st.Write(be+"/state", "4x") })
	if st, _ := f.BackendState(); st != Unknown {
		t.Errorf("garbage state = %v", st)
	}
	s.Do(func(st *xenstoretest.Store) { st.Write(be+"/state", "5") })
	if err := f.Close(int64(50 * time.Millisecond)); err != ErrTimeout {
		t.Errorf("Close with a stuck backend = %v; want ErrTimeout", err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name    string
		backend string
		id      string
		noID    bool
		wantErr error
	}{
		{"relative backend", "backend/vif", "0", false, ErrNoBackend},
		{"empty backend", "", "0", false, ErrNoBackend},
		{"id not a number", be, "zero", false, ErrNoBackend},
		{"reserved id", be, "32752", false, ErrNoBackend},
		{"id too big", be, "70000", false, ErrNoBackend},
		{"no id", be, "", true, ErrNoBackend},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t, nil)
			s.Do(func(st *xenstoretest.Store) {
				st.Write(fe+"/backend", tt.backend)
				if tt.noID {
					st.Rm(fe + "/backend-id")
				} else {
					st.Write(fe+"/backend-id", tt.id)
				}
			})
			if _, err := Open(c, fe); err != tt.wantErr {
				t.Errorf("Open = %v; want %v", err, tt.wantErr)
			}
		})
	}
	_, c := newTest(t, nil)
	if _, err := Open(c, "device/vbd/768"); err != ErrNoBackend {
		t.Errorf("Open of a missing device = %v", err)
	}
}

func TestStateString(t *testing.T) {
	var names []string
	for s := Unknown; s <= Reconfigured+1; s++ {
		names = append(names, s.String())
	}
	if got := strings.Join(names, " "); got != "Unknown Initialising InitWait Initialised Connected Closing Closed Reconfiguring Reconfigured State(9)" {
		t.Errorf("names: %s", got)
	}
}

// FuzzParseState checks the parser of a backend's "state" key.
func FuzzParseState(f *testing.F) {
	for _, s := range []string{"4", "0", "8", "9", " 4", "4\n", "-1", "04", "255", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st := parseState(s)
		if st < Unknown || st > Reconfigured {
			t.Fatalf("parseState(%q) = %d", s, st)
		}
		if st != Unknown && strings.TrimSpace(s) == "" {
			t.Fatalf("parseState(%q) = %v", s, st)
		}
	})
}
