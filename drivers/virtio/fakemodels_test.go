// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import "mirago.dev/sys/virtiospec"

// fakeNet is a network device model: frames the driver transmits go to
// wire (and, with loopback, back to the receive queue); frames injected
// by the test are delivered into posted receive buffers, merged across
// several buffers when MRG_RXBUF was negotiated.
type fakeNet struct {
	loopback bool
	wire     [][]byte // transmitted frames, virtio header stripped
	txHdrs   [][]byte // their headers
	pending  [][]byte // frames waiting for receive buffers
	held     []heldBuf
	// rxHdr, if set, edits the header of each delivered frame.
	rxHdr func(hdr []byte)
	// holdTx keeps transmitted chains instead of returning them.
	holdTx bool
}

type heldBuf struct {
	head uint16
	buf  []byte
}

func netConfig(mac [6]byte, status, mtu uint16) []byte {
	c := make([]byte, 12)
	copy(c, mac[:])
	put16(c[virtiospec.NetCfgStatus:], status)
	put16(c[virtiospec.NetCfgMaxVirtqueuePairs:], 1)
	put16(c[virtiospec.NetCfgMTU:], mtu)
	return c
}

func (n *fakeNet) reset(d *fakeDev) { n.held = nil }

func (n *fakeNet) notify(d *fakeDev, q int) {
	if q == virtiospec.NetQueueTX {
		for {
			head, chain, ok := d.pop(q)
			if !ok {
				break
			}
			var b []byte
			for _, s := range chain {
				if s.write {
					d.fail("transmit chain has a writable buffer")
				}
				b = append(b, s.buf...)
			}
			if len(b) < virtiospec.NetHdrSize {
				d.fail("transmit of %d bytes, shorter than the header", len(b))
				continue
			}
			n.txHdrs = append(n.txHdrs, b[:virtiospec.NetHdrSize])
			frame := b[virtiospec.NetHdrSize:]
			n.wire = append(n.wire, frame)
			if n.loopback {
				n.pending = append(n.pending, frame)
			}
			if !n.holdTx {
				d.push(q, head, 0)
			}
		}
	}
	n.deliver(d)
}

// inject queues a frame for the driver to receive.
func (n *fakeNet) inject(d *fakeDev, frame []byte) {
	n.pending = append(n.pending, frame)
	n.deliver(d)
}

// deliver puts pending frames into receive buffers while there are
// enough of them.
func (n *fakeNet) deliver(d *fakeDev) {
	if !d.queues[virtiospec.NetQueueRX].ready {
		return
	}
	mrg := d.negotiated(virtiospec.NetFMrgRxbuf)
	for len(n.pending) > 0 {
		need := virtiospec.NetHdrSize + len(n.pending[0])
		have := 0
		for _, h := range n.held {
			have += len(h.buf)
		}
		for have < need && (mrg || len(n.held) == 0) {
			head, chain, ok := d.pop(virtiospec.NetQueueRX)
			if !ok {
				return // wait for more buffers
			}
			if len(chain) != 1 || !chain[0].write {
				d.fail("receive chain is not one writable buffer")
				return
			}
			n.held = append(n.held, heldBuf{head, chain[0].buf})
			have += len(chain[0].buf)
		}
		frame := n.pending[0]
		n.pending = n.pending[1:]
		if have < need {
			// Without merging a frame too large for a buffer is
			// dropped, as QEMU does; the buffer stays for the next.
			continue
		}
		b := make([]byte, need)
		b[virtiospec.NetHdrOffFlags] = 0
		copy(b[virtiospec.NetHdrSize:], frame)
		k := 0
		for rest := need; rest > 0; k++ {
			rest -= min(rest, len(n.held[k].buf))
		}
		put16(b[virtiospec.NetHdrOffNumBuffers:], uint16(k))
		if n.rxHdr != nil {
			n.rxHdr(b[:virtiospec.NetHdrSize])
		}
		for i := 0; i < k; i++ {
			c := copy(n.held[i].buf, b)
			b = b[c:]
			d.pushRaw(virtiospec.NetQueueRX, uint32(n.held[i].head), uint32(c))
		}
		d.interrupt(virtiospec.NetQueueRX, k)
		n.held = n.held[k:]
	}
}

// fakeBlk is a block device model backed by a byte slice that survives
// device resets, as a disk image does.
type fakeBlk struct {
	disk     []byte
	id       string
	ioErr    bool // answer every request with IOERR
	badState byte // if not 0, answer every request with this status
	noStatus bool // leave the status byte unwritten
	flushes  int
	reqs     []uint32 // request types seen
	hang     bool     // never complete requests
	hung     []uint16
}

func blkConfig(sectors uint64, sizeMax, segMax, blkSize uint32) []byte {
	c := make([]byte, 36)
	put64(c[virtiospec.BlkCfgCapacity:], sectors)
	put32(c[virtiospec.BlkCfgSizeMax:], sizeMax)
	put32(c[virtiospec.BlkCfgSegMax:], segMax)
	put32(c[virtiospec.BlkCfgBlkSize:], blkSize)
	return c
}

func (b *fakeBlk) reset(d *fakeDev) { b.hung = nil }

func (b *fakeBlk) notify(d *fakeDev, q int) {
	for {
		head, chain, ok := d.pop(q)
		if !ok {
			return
		}
		if b.hang {
			b.hung = append(b.hung, head)
			continue
		}
		if len(chain) < 2 || chain[0].write || len(chain[0].buf) != virtiospec.BlkReqHdrSize ||
			!chain[len(chain)-1].write || len(chain[len(chain)-1].buf) != 1 {
			d.fail("malformed block request chain")
			d.push(q, head, 0)
			continue
		}
		hdr, status := chain[0].buf, chain[len(chain)-1].buf
		data := chain[1 : len(chain)-1]
		typ, sector := le32(hdr[virtiospec.BlkReqOffType:]), le64(hdr[virtiospec.BlkReqOffSector:])
		b.reqs = append(b.reqs, typ)
		size := 0
		for _, s := range data {
			size += len(s.buf)
		}
		written := uint32(1)
		st := byte(virtiospec.BlkSOK)
		off := sector * virtiospec.BlkSectorSize
		inRange := off <= uint64(len(b.disk)) && uint64(size) <= uint64(len(b.disk))-off
		switch {
		case b.ioErr:
			st = virtiospec.BlkSIOErr
		case typ == virtiospec.BlkTIn || typ == virtiospec.BlkTOut:
			if size%virtiospec.BlkSectorSize != 0 || !inRange {
				st = virtiospec.BlkSIOErr
				break
			}
			for _, s := range data {
				if s.write != (typ == virtiospec.BlkTIn) {
					d.fail("data buffer direction wrong for request type %d", typ)
				}
				if typ == virtiospec.BlkTIn {
					copy(s.buf, b.disk[off:])
					written += uint32(len(s.buf))
				} else {
					copy(b.disk[off:], s.buf)
				}
				off += uint64(len(s.buf))
			}
		case typ == virtiospec.BlkTFlush:
			if !d.negotiated(virtiospec.BlkFFlush) {
				st = virtiospec.BlkSUnsupp
			}
			b.flushes++
		case typ == virtiospec.BlkTGetID:
			if len(data) != 1 || len(data[0].buf) != virtiospec.BlkIDBytes {
				d.fail("GET_ID data of %d segments", len(data))
			} else {
				copy(data[0].buf, b.id)
				written += virtiospec.BlkIDBytes
			}
		default:
			st = virtiospec.BlkSUnsupp
		}
		if b.badState != 0 {
			st = b.badState
		}
		if !b.noStatus {
			status[0] = st
		}
		d.push(q, head, written)
	}
}

// fakeRNG is an entropy device model that fills buffers with a counter,
// perhaps fewer bytes than asked.
type fakeRNG struct {
	next  byte
	short int // if > 0, at most this many bytes per request
	empty bool
}

func (r *fakeRNG) reset(d *fakeDev) {}

func (r *fakeRNG) notify(d *fakeDev, q int) {
	for {
		head, chain, ok := d.pop(q)
		if !ok {
			return
		}
		n := 0
		for _, s := range chain {
			if !s.write {
				d.fail("entropy buffer not writable")
				continue
			}
			for i := range s.buf {
				if r.empty || r.short > 0 && n == r.short {
					break
				}
				s.buf[i] = r.next
				r.next++
				n++
			}
		}
		d.push(q, head, uint32(n))
	}
}
