// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netfront

import (
	"encoding/binary"
	"testing"

	"mirago.dev/drivers/ethernet"
	"mirago.dev/drivers/xenring"
	"mirago.dev/sys/xen"
)

// FuzzNetfrontRx lets the fuzzer play netback's receive side: script
// is a list of 8-byte steps, each answering a posted buffer with any
// id, offset, flags and status, delivering a good frame, draining, or
// moving the response producer index anywhere. Whatever the backend
// does, Receive must not panic, must return only frames within bounds,
// and must keep every buffer either posted or with the backend.
func FuzzNetfrontRx(f *testing.F) {
	step := func(op byte, id, off uint16, flags byte, status int16) []byte {
		b := []byte{op, 0, 0, 0, 0, flags, 0, 0}
		binary.LittleEndian.PutUint16(b[1:], id)
		binary.LittleEndian.PutUint16(b[3:], off)
		binary.LittleEndian.PutUint16(b[6:], uint16(status))
		return b
	}
	cat := func(steps ...[]byte) []byte {
		var b []byte
		for _, s := range steps {
			b = append(b, s...)
		}
		return b
	}
	f.Add(cat(step(1, 0, 0, 0, 60), step(2, 0, 0, 0, 0)))                                  // one good frame
	f.Add(cat(step(0x80, 0, 0, xen.NETRXFMoreData, 900), step(0x80, 0, 0, 0, 100)))        // two slots
	f.Add(cat(step(0x80, 0, 0, xen.NETRXFExtraInfo, 60), step(0, 0x0101, 0, 0, 0)))        // extra info chain
	f.Add(cat(step(0, 9, 0, 0, 60), step(0x80, 0, 4000, 0, 200), step(0x80, 0, 0, 0, -1))) // bad id, offset, status
	f.Add(cat(step(1, 0, 0, 0, 60), step(3, 0, 0, 0, 300)))                                // producer jump
	f.Add(cat(step(0x80, 0, 0, 0, 13), step(0x80, 0, 0, 0, 1519), step(1, 0, 0, 0, 1518)))
	f.Fuzz(func(t *testing.T, script []byte) {
		nb, n := newTest(t, setupOpts{rxBuffers: 8})
		// A moved producer index desynchronizes the fake backend
		// too: it may then read its own responses as requests.
		nb.lenient = true
		p := make([]byte, n.MaxFrame())
		drain := func() {
			for i := 0; ; i++ {
				size, _, err := n.Receive(p)
				switch err {
				case nil:
					if size < ethHeader || size > n.MaxFrame() {
						t.Fatalf("Receive returned %d bytes", size)
					}
				case ethernet.ErrNoFrame, xenring.ErrBroken:
					return
				default:
					t.Fatalf("Receive: %v", err)
				}
				if i > 300 {
					t.Fatalf("Receive keeps returning frames")
				}
			}
		}
		for ; len(script) >= 8; script = script[8:] {
			s := script[:8]
			id := int(binary.LittleEndian.Uint16(s[1:]))
			off := binary.LittleEndian.Uint16(s[3:])
			status := int16(binary.LittleEndian.Uint16(s[6:]))
			if s[0]&0x80 != 0 {
				id = -1 // the right id
			}
			switch s[0] & 3 {
			case 0:
				nb.raw(id, off, uint16(s[5]), status)
			case 1:
				nb.deliver(frame(int(uint16(status)%1600), s[5]), uint16(s[5]))
			case 2:
				nb.push()
				drain()
			case 3:
				nb.mu.Lock()
				nb.rx.SetRspProd(uint32(status))
				nb.mu.Unlock()
			}
		}
		nb.push()
		drain()
		// Every buffer is posted again or still with the backend
		// (which may have taken a request and never answered).
		if n.rx.Err() == nil && (n.rx.Outstanding() != 8 || len(n.rxIdle) != 0) {
			t.Fatalf("%d buffers outstanding and %d idle after draining; want 8 and 0", n.rx.Outstanding(), len(n.rxIdle))
		}
	})
}
