// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"testing"

	"mirago.dev/drivers/ethernet"
	"mirago.dev/sys/virtiospec"
)

// FuzzNetReceive lets the fuzzer play the device side of the receive
// queue: script is a list of 8-byte steps, each returning a posted
// buffer with an arbitrary header (flags, num_buffers, checksum
// position), used length and id, or moving the used index anywhere.
// Whatever the device does, Receive must not panic, must return only
// frames within bounds, and the queue must neither leak nor duplicate a
// descriptor.
func FuzzNetReceive(f *testing.F) {
	step := func(op, flags byte, nbuf, length, csum uint16) []byte {
		return []byte{op, flags, byte(nbuf), byte(nbuf >> 8), byte(length), byte(length >> 8), byte(csum), byte(csum >> 8)}
	}
	cat := func(steps ...[]byte) []byte {
		var b []byte
		for _, s := range steps {
			b = append(b, s...)
		}
		return b
	}
	f.Add(true, uint8(0), cat(step(0, 0, 1, 12+60, 0)))                                                             // one good frame
	f.Add(true, uint8(4), cat(step(0, 0, 3, 96, 0), step(0, 0, 0, 96, 0), step(0, 0, 0, 40, 0)))                    // merged over 3 small buffers
	f.Add(true, uint8(0), cat(step(0, 0, 1, 5, 0)))                                                                 // truncated header
	f.Add(true, uint8(0), cat(step(0, 0, 0xffff, 80, 0)))                                                           // num_buffers too large
	f.Add(true, uint8(0), cat(step(0, 0, 1, 0xffff, 0)))                                                            // length beyond the buffer
	f.Add(true, uint8(0), cat(step(0x80, 0, 1, 80, 0x1234)))                                                        // bad id
	f.Add(true, uint8(0), cat(step(1, 0, 0, 0, 0x4000)))                                                            // used index jump
	f.Add(true, uint8(0), cat(step(0, virtiospec.NetHdrFNeedsCsum, 1, 12+60, 0xffff)))                              // checksum field outside the frame
	f.Add(false, uint8(0), cat(step(0, virtiospec.NetHdrFNeedsCsum|virtiospec.NetHdrFDataValid, 7, 12+60, 0x0a14))) // no merging: num_buffers ignored
	f.Add(true, uint8(2), cat(step(0, 0, 2, 80, 0), step(0, 0, 5, 80, 0), step(0, 0, 1, 30, 0)))                    // a header where data was expected

	f.Fuzz(func(t *testing.T, mrg bool, bufSize uint8, script []byte) {
		offered := allNet
		if !mrg {
			offered &^= bit(virtiospec.NetFMrgRxbuf)
		}
		d, _, n := newTestNet(t, offered, &NetOptions{RxBufSize: 32 + 16*int(bufSize)})
		rx, _ := n.Queues()
		p := make([]byte, n.MaxFrame())
		drain := func() {
			for i := 0; ; i++ {
				size, _, err := n.Receive(p)
				switch err {
				case nil:
					if size < ethHeader || size > n.MaxFrame() {
						t.Fatalf("Receive returned a frame of %d bytes", size)
					}
				case ethernet.ErrNoFrame, ErrBroken:
					return
				default:
					t.Fatalf("Receive: %v", err)
				}
				if i > rx.Size() {
					t.Fatalf("more frames than buffers were returned")
				}
			}
		}
		for ; len(script) >= 8; script = script[8:] {
			s := script[:8]
			nbuf, length, csum := le16(s[2:]), le16(s[4:]), le16(s[6:])
			switch s[0] & 0x7f {
			case 1:
				d.setUsedIdx(virtiospec.NetQueueRX, d.queues[virtiospec.NetQueueRX].usedIdx+csum)
			default:
				head, chain, ok := d.pop(virtiospec.NetQueueRX)
				if !ok {
					drain()
					continue
				}
				buf := chain[0].buf
				for i := range buf {
					buf[i] = byte(i) ^ s[7]
				}
				if len(buf) >= virtiospec.NetHdrSize {
					buf[virtiospec.NetHdrOffFlags] = s[1]
					put16(buf[virtiospec.NetHdrOffCsumStart:], csum&0xff)
					put16(buf[virtiospec.NetHdrOffCsumOffset:], csum>>8)
					put16(buf[virtiospec.NetHdrOffNumBuffers:], nbuf)
				}
				id := uint32(head)
				if s[0]&0x80 != 0 {
					id = uint32(csum) // any id the device likes
				}
				d.pushRaw(virtiospec.NetQueueRX, id, uint32(length))
			}
			if s[1]&0x80 != 0 {
				drain()
			}
		}
		drain()
		checkQueue(t, rx)
		if rx.Err() == nil && len(n.rxIdle) != 0 {
			t.Fatalf("%d receive buffers not reposted", len(n.rxIdle))
		}
		noDeviceErrors(t, d)
	})
}
