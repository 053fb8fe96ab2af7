// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"bytes"
	"testing"
	"time"

	"mirago.dev/drivers/xenring/xenringtest"
	"mirago.dev/drivers/xenstore/xenstoretest"
	"mirago.dev/sys/xen"
)

// FuzzReply feeds arbitrary payloads to the parser of each reply type:
// none may panic, and what they accept must be well formed.
func FuzzReply(f *testing.F) {
	for _, s := range []string{"OK\x00", "OK", "a\x00b\x00", "", "\x00", "17\x00", "ENOENT\x00",
		"path\x00token\x00", "path\x00tok", "\x00\x00", "a/b\x00", "4294967296\x00", "x\x00y\x00z\x00w"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		if err := parseOK(p); err == nil && string(bytes.TrimSuffix(p, []byte{0})) != "OK" {
			t.Fatalf("parseOK accepted %q", p)
		}
		if names, err := parseDirectory(p); err == nil {
			for _, n := range names {
				if n == "" || bytes.ContainsAny([]byte(n), "/\x00") {
					t.Fatalf("parseDirectory(%q) gave name %q", p, n)
				}
			}
		}
		if id, err := parseTxID(p); err == nil && id == 0 {
			t.Fatalf("parseTxID(%q) = 0", p)
		}
		if e := parseError(p); e != ErrBadReply {
			if name := string(e.(Errno)); name == "" || len(name) > 16 {
				t.Fatalf("parseError(%q) = %q", p, name)
			}
		}
		if path, _, err := parseWatchEvent(p); err == nil && path == "" {
			t.Fatalf("parseWatchEvent(%q) accepted an empty path", p)
		}
		if len(p) >= xen.XsdSockmsgSize {
			if _, n, err := parseHeader(p); err == nil && n > xen.XenstorePayloadMax {
				t.Fatalf("parseHeader accepted length %d", n)
			}
		}
	})
}

// FuzzReplyRing lets the fuzzer write the whole reply stream, headers
// included, in answer to one read: the client must give the read a
// value or an error within its timeout, and never panic or hang.
func FuzzReplyRing(f *testing.F) {
	f.Add(uint32(xen.XSRead), true, []byte("value"), []byte{})
	f.Add(uint32(xen.XSError), true, []byte("ENOENT\x00"), []byte{})
	f.Add(uint32(xen.XSWatchEvent), false, []byte("a\x00b\x00"), []byte("trailing garbage"))
	f.Add(uint32(xen.XSRead), false, []byte{}, msg(xen.XSRead, 1, "late"))
	f.Add(uint32(xen.XSRead), true, bytes.Repeat([]byte{'x'}, 3000), []byte{})
	f.Add(uint32(0xffffffff), true, []byte{0, 0, 0}, header(xen.XSRead, 1, 0, 0x7fffffff))
	f.Fuzz(func(t *testing.T, typ uint32, rightID bool, payload, extra []byte) {
		if len(payload) > xen.XenstorePayloadMax || len(extra) > 2*xen.XenstorePayloadMax {
			return
		}
		s, page, ev := xenstoretest.NewServer(1)
		c, err := New(page, ev, xenringtest.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Timeout = int64(30 * time.Millisecond)
		s.Reply = func(m xenstoretest.Msg) ([]byte, bool) {
			id := m.ReqID
			if !rightID {
				id += 7
			}
			return append(append(header(typ, id, 0, uint32(len(payload))), payload...), extra...), true
		}
		start := time.Now()
		v, err := c.Read("x")
		// A value can come only from a read reply in the stream: the
		// first message, or one the fuzzer hid in extra.
		if err == nil && !(typ == xen.XSRead && rightID && v == string(payload)) && !bytes.Contains(extra, []byte(v)) {
			t.Fatalf("Read = %q for a reply of type %d (right id %v)", v, typ, rightID)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Read took %v", d)
		}
	})
}
