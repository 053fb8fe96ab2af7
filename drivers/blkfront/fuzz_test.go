// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package blkfront

import (
	"encoding/binary"
	"testing"
	"time"

	"mirago.dev/drivers/xenring"
	"mirago.dev/sys/xen"
)

// FuzzBlkResponse lets the fuzzer write blkback's responses: script is
// a list of 12-byte steps, each a response (id offset from the right
// one, operation, status) to the next request, or, with the top bit of
// the first byte, a raw response producer index. The driver must return
// a result for every request within its timeout, succeed only on a
// response that matches, and never panic.
func FuzzBlkResponse(f *testing.F) {
	step := func(idDelta uint64, op uint8, status int16) []byte {
		b := make([]byte, 12)
		binary.LittleEndian.PutUint64(b, idDelta)
		b[8] = op
		binary.LittleEndian.PutUint16(b[10:], uint16(status))
		return b
	}
	f.Add(step(0, xen.BlkifOpRead, 0))
	f.Add(append(step(1, xen.BlkifOpRead, 0), step(0, xen.BlkifOpRead, 0)...))
	f.Add(step(0, xen.BlkifOpWrite, -1))
	f.Add(step(0, xen.BlkifOpRead, -2))
	f.Add(step(0, xen.BlkifOpRead, 1000))
	f.Add(append([]byte{0x80, 0, 0, 0, 40, 0, 0, 0}, step(0, 0, 0)...))
	f.Fuzz(func(t *testing.T, script []byte) {
		bb, d := newTest(t, 1<<16, diskOpts{reqTimeout: 20 * time.Millisecond})
		for ; len(script) >= 12; script = script[12:] {
			s := script[:12]
			if s[0]&0x80 != 0 {
				bb.mu.Lock()
				bb.ring.SetRspProd(binary.LittleEndian.Uint32(s[4:]))
				bb.mu.Unlock()
			} else {
				delta := binary.LittleEndian.Uint64(s)
				op := s[8]
				status := int16(binary.LittleEndian.Uint16(s[10:]))
				bb.answer = func(r request) (uint64, uint8, int16) { return r.id + delta, op, status }
			}
			start := time.Now()
			err := d.ReadSectors(1, make([]byte, 1024))
			if time.Since(start) > time.Second {
				t.Fatalf("ReadSectors took %v", time.Since(start))
			}
			if err == nil && s[0]&0x80 == 0 {
				delta := binary.LittleEndian.Uint64(s)
				if delta != 0 || s[8] != xen.BlkifOpRead || s[10] != 0 || s[11] != 0 {
					t.Fatalf("ReadSectors succeeded on response %x", s)
				}
			}
			if err == xenring.ErrBroken {
				return
			}
		}
	})
}
