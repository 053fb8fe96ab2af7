// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"mirago.dev/drivers/xenring/xenringtest"
	"mirago.dev/drivers/xenstore/xenstoretest"
	"mirago.dev/sys/xen"
)

func newTest(t testing.TB) (*xenstoretest.Server, *Client) {
	t.Helper()
	s, page, ev := xenstoretest.NewServer(5)
	c, err := New(page, ev, xenringtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = int64(2 * time.Second)
	t.Cleanup(c.Close)
	return s, c
}

func TestReadWrite(t *testing.T) {
	s, c := newTest(t)
	if err := c.Write("device/vif/0/state", "1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Read("/local/domain/5/device/vif/0/state"); v != "1" {
		t.Errorf("server has %q", v)
	}
	v, err := c.Read("device/vif/0/state")
	if err != nil || v != "1" {
		t.Errorf("Read = %q, %v", v, err)
	}
	if _, err := c.Read("device/vif/9"); err != ENOENT {
		t.Errorf("Read of a missing node = %v; want ENOENT", err)
	}
	if err := c.Mkdir("data"); err != nil {
		t.Fatal(err)
	}
	c.Write("data/b", "2")
	c.Write("data/a", "")
	names, err := c.Directory("data")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, names); diff != "" {
		t.Errorf("Directory (-want +got):\n%s", diff)
	}
	if names, err := c.Directory("data/a"); err != nil || len(names) != 0 {
		t.Errorf("Directory of a leaf = %q, %v", names, err)
	}
	if err := c.Rm("data"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read("data/b"); err != ENOENT {
		t.Errorf("child survived Rm: %v", err)
	}
	if err := c.Rm("data"); err != ENOENT {
		t.Errorf("second Rm = %v", err)
	}
	for _, bad := range []string{"", "a\x00b", strings.Repeat("x", 4000)} {
		if _, err := c.Read(bad); err != ErrPath {
			t.Errorf("Read(%.10q) = %v; want ErrPath", bad, err)
		}
	}
}

// TestLarge sends and receives messages larger than the 1 KiB rings,
// which both ends must move in pieces.
func TestLarge(t *testing.T) {
	_, c := newTest(t)
	big := strings.Repeat("0123456789abcdef", 250) // 4000 bytes
	if err := c.Write("big", big); err != nil {
		t.Fatal(err)
	}
	v, err := c.Read("big")
	if err != nil || v != big {
		t.Fatalf("Read = %d bytes, %v", len(v), err)
	}
	if err := c.Write("big", big+strings.Repeat("x", 200)); err != ErrPath {
		t.Errorf("Write of an oversized payload = %v; want ErrPath", err)
	}
}

func TestConcurrent(t *testing.T) {
	_, c := newTest(t)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				p := "g" + string(rune('a'+g)) + "/k"
				val := strings.Repeat(string(rune('a'+g)), 100+i*10)
				if err := c.Write(p, val); err != nil {
					errs <- err
					return
				}
				if v, err := c.Read(p); err != nil || v != val {
					errs <- errors.New("read back " + v)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTransaction(t *testing.T) {
	s, c := newTest(t)
	s.FailCommits = 2
	runs := 0
	err := c.Transaction(func(tx *Tx) error {
		runs++
		if err := tx.Write("fe/ring-ref", "8"); err != nil {
			return err
		}
		return tx.Write("fe/state", "3")
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 3 || c.Stats().TxRetries != 2 {
		t.Errorf("ran %d times, %d retries; want 3, 2", runs, c.Stats().TxRetries)
	}
	if v, _ := s.Read("fe/state"); v != "3" {
		t.Errorf("state = %q after commit", v)
	}
	// An error from fn aborts: nothing is written.
	boom := errors.New("boom")
	if err := c.Transaction(func(tx *Tx) error { tx.Write("fe/x", "1"); return boom }); err != boom {
		t.Errorf("Transaction = %v; want boom", err)
	}
	if _, ok := s.Read("fe/x"); ok {
		t.Errorf("an aborted transaction's write landed")
	}
	// EAGAIN forever gives up.
	s.FailCommits = 1000
	if err := c.Transaction(func(tx *Tx) error { return nil }); err != EAGAIN {
		t.Errorf("endless EAGAIN = %v", err)
	}
}

func recv(t *testing.T, w *Watch) string {
	t.Helper()
	select {
	case p, ok := <-w.C():
		if !ok {
			t.Fatal("watch closed")
		}
		return p
	case <-time.After(2 * time.Second):
		t.Fatal("no watch event")
	}
	return ""
}

func TestWatch(t *testing.T) {
	s, c := newTest(t)
	w, err := c.Watch("backend/vif")
	if err != nil {
		t.Fatal(err)
	}
	if p := recv(t, w); p != "backend/vif" {
		t.Errorf("first event %q; want the watched path", p)
	}
	s.Do(func(st *xenstoretest.Store) { st.Write("backend/vif/0/state", "4") })
	if p := recv(t, w); p != "backend/vif/0/state" {
		t.Errorf("event %q", p)
	}
	abs, err := c.Watch("/local/domain/0/backend")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, abs)
	s.Do(func(st *xenstoretest.Store) { st.Write("/local/domain/0/backend/vbd/5/51712/state", "2") })
	if p := recv(t, abs); p != "/local/domain/0/backend/vbd/5/51712/state" {
		t.Errorf("absolute event %q", p)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-w.C(); ok {
		t.Errorf("channel still open after Close")
	}
	if s.Watches() != 1 {
		t.Errorf("server has %d watches; want 1", s.Watches())
	}
}

func header(typ, id, tx, n uint32) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint32(b, typ)
	binary.LittleEndian.PutUint32(b[4:], id)
	binary.LittleEndian.PutUint32(b[8:], tx)
	binary.LittleEndian.PutUint32(b[12:], n)
	return b
}

func msg(typ, id uint32, payload string) []byte {
	return append(header(typ, id, 0, uint32(len(payload))), payload...)
}

// TestHostileReplies is the table of replies a broken or hostile
// xenstored may send to a read: each must give the request an error
// (or, for a stray reply, leave it to time out) without breaking other
// requests, except the protocol violations, which break the client.
func TestHostileReplies(t *testing.T) {
	tests := []struct {
		name   string
		reply  func(id uint32) []byte
		op     string // "read", "dir", "write", "start"
		want   error
		broken bool
	}{
		{"error reply", func(id uint32) []byte { return msg(xen.XSError, id, "EACCES\x00") }, "read", EACCES, false},
		{"unknown errno", func(id uint32) []byte { return msg(xen.XSError, id, "EWEIRD\x00") }, "read", Errno("EWEIRD"), false},
		{"garbage errno", func(id uint32) []byte { return msg(xen.XSError, id, "no\x01pe") }, "read", ErrBadReply, false},
		{"wrong type", func(id uint32) []byte { return msg(xen.XSDirectory, id, "a\x00") }, "read", ErrBadReply, false},
		{"write not OK", func(id uint32) []byte { return msg(xen.XSWrite, id, "KO\x00") }, "write", ErrBadReply, false},
		{"dir without NUL", func(id uint32) []byte { return msg(xen.XSDirectory, id, "a\x00b") }, "dir", ErrBadReply, false},
		{"dir empty name", func(id uint32) []byte { return msg(xen.XSDirectory, id, "a\x00\x00") }, "dir", ErrBadReply, false},
		{"dir with slash", func(id uint32) []byte { return msg(xen.XSDirectory, id, "../x\x00") }, "dir", ErrBadReply, false},
		{"tx id zero", func(id uint32) []byte { return msg(xen.XSTransactionStart, id, "0\x00") }, "start", ErrBadReply, false},
		{"tx id huge", func(id uint32) []byte { return msg(xen.XSTransactionStart, id, "99999999999\x00") }, "start", ErrBadReply, false},
		{"tx id text", func(id uint32) []byte { return msg(xen.XSTransactionStart, id, "x1\x00") }, "start", ErrBadReply, false},
		{"stray then right", func(id uint32) []byte {
			return append(msg(xen.XSRead, id+100, "no"), msg(xen.XSRead, id, "yes")...)
		}, "read", nil, false},
		{"bad watch event then right", func(id uint32) []byte {
			return append(msg(xen.XSWatchEvent, 0, "\x00tok"), msg(xen.XSRead, id, "yes")...)
		}, "read", nil, false},
		{"oversized length", func(id uint32) []byte { return header(xen.XSRead, id, 0, xen.XenstorePayloadMax+1) }, "read", ErrProtocol, true},
		{"length 2^32-1", func(id uint32) []byte { return header(xen.XSRead, id, 0, 0xffffffff) }, "read", ErrProtocol, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t)
			s.Reply = func(m xenstoretest.Msg) ([]byte, bool) { return tt.reply(m.ReqID), true }
			var err error
			switch tt.op {
			case "read":
				_, err = c.Read("x")
			case "dir":
				_, err = c.Directory("x")
			case "write":
				err = c.Write("x", "1")
			case "start":
				_, err = c.Start()
			}
			if err != tt.want {
				t.Errorf("got %v; want %v", err, tt.want)
			}
			if broken := c.Err() == ErrProtocol; broken != tt.broken {
				t.Errorf("client broken = %v; want %v", broken, tt.broken)
			}
			if !tt.broken {
				s.Reply = nil
				if err := c.Write("after", "ok"); err != nil {
					t.Errorf("next request failed: %v", err)
				}
			}
		})
	}
}

// TestHostileIndices has xenstored store reply and request indices
// that claim more than a ring's worth.
func TestHostileIndices(t *testing.T) {
	for _, off := range []int{xen.XsOffRspProd, xen.XsOffReqCons} {
		s, c := newTest(t)
		c.Timeout = int64(500 * time.Millisecond)
		s.Reply = func(m xenstoretest.Msg) ([]byte, bool) { return nil, true } // silence
		page := s.Page()
		binary.LittleEndian.PutUint32(page[off:], 5000)
		start := time.Now()
		_, err := c.Read("x")
		if err != ErrProtocol && err != ErrTimeout {
			t.Errorf("offset %d: Read = %v", off, err)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("took %v", time.Since(start))
		}
		if c.Err() != ErrProtocol {
			t.Errorf("offset %d: client not broken: %v", off, c.Err())
		}
		if _, err := c.Read("x"); err != ErrProtocol {
			t.Errorf("request after breakage = %v", err)
		}
	}
}

func TestTimeout(t *testing.T) {
	s, c := newTest(t)
	c.Timeout = int64(50 * time.Millisecond)
	s.Reply = func(m xenstoretest.Msg) ([]byte, bool) { return nil, true }
	if _, err := c.Read("x"); err != ErrTimeout {
		t.Errorf("Read = %v; want ErrTimeout", err)
	}
	s.Reply = nil
	c.Timeout = int64(2 * time.Second)
	if err := c.Write("x", "1"); err != nil {
		t.Errorf("after a timeout: %v", err)
	}
}

func TestClose(t *testing.T) {
	_, c := newTest(t)
	w, _ := c.Watch("x")
	c.Close()
	if _, err := c.Read("x"); err != ErrClosed {
		t.Errorf("Read after Close = %v", err)
	}
	for range w.C() {
	}
}

// TestWatchNext checks Watch.Next's three outcomes: a change, a
// timeout kept by the reader, and the end of the watch.
func TestWatchNext(t *testing.T) {
	_, c := newTest(t)
	w, err := c.Watch("x")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := w.Next(int64(time.Second)); err != nil || p != "x" {
		t.Errorf("first event: Next = %q, %v", p, err)
	}
	if _, err := w.Next(0); err != ErrTimeout {
		t.Errorf("Next(0) with nothing waiting = %v; want ErrTimeout", err)
	}
	start := time.Now()
	if _, err := w.Next(int64(50 * time.Millisecond)); err != ErrTimeout {
		t.Errorf("Next(50ms) = %v; want ErrTimeout", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > time.Second {
		t.Errorf("Next(50ms) took %v", d)
	}
	if err := c.Write("x", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Next(-1); err != nil {
		t.Errorf("Next(-1) after a write = %v", err)
	}
	w.Close()
	if _, err := w.Next(-1); err != ErrWatchClosed {
		t.Errorf("Next after Close = %v; want ErrWatchClosed", err)
	}
}
