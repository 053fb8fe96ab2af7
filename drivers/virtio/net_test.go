// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"mirago.dev/drivers/ethernet"
	"mirago.dev/sys/virtiospec"
)

var testMAC = [6]byte{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}

// allNet is every network feature the driver can use.
var allNet = bit(virtiospec.FVersion1) | bit(virtiospec.FRingEventIdx) | bit(virtiospec.NetFMAC) |
	bit(virtiospec.NetFMTU) | bit(virtiospec.NetFStatus) | bit(virtiospec.NetFMrgRxbuf) |
	bit(virtiospec.NetFCsum) | bit(virtiospec.NetFGuestCsum)

// newTestNet returns a Net on a fake device offering the features given.
func newTestNet(t testing.TB, offered uint64, o *NetOptions) (*fakeDev, *fakeNet, *Net) {
	t.Helper()
	model := &fakeNet{}
	d := newFakeDev(virtiospec.IDNet, offered, model, netConfig(testMAC, virtiospec.NetSLinkUp, 1500), 16, 16)
	tr, err := NewMMIO(newFakeMMIO(d))
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNet(tr, d.mem, o)
	if err != nil {
		t.Fatal(err)
	}
	return d, model, n
}

// frame returns an Ethernet frame of n bytes with a recognisable body.
func frame(n int, seed byte) []byte {
	f := make([]byte, max(n, 14))
	copy(f, testMAC[:])
	copy(f[6:], []byte{2, 0, 0, 0, 0, 1, 0x08, 0x00})
	for i := 14; i < n; i++ {
		f[i] = seed + byte(i)
	}
	return f[:n]
}

func receiveAll(t testing.TB, n *Net) [][]byte {
	t.Helper()
	var got [][]byte
	buf := make([]byte, n.MaxFrame())
	for {
		size, _, err := n.Receive(buf)
		if err == ethernet.ErrNoFrame {
			return got
		}
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		got = append(got, bytes.Clone(buf[:size]))
	}
}

func TestNetConfig(t *testing.T) {
	d, _, n := newTestNet(t, allNet, nil)
	if mac, ok := n.MAC(); !ok || mac != testMAC {
		t.Errorf("MAC = %x, %v; want %x", mac, ok, testMAC)
	}
	if n.MTU() != 1500 || n.MaxFrame() != 1518 {
		t.Errorf("MTU %d, MaxFrame %d; want 1500, 1518", n.MTU(), n.MaxFrame())
	}
	if !n.LinkUp() {
		t.Errorf("LinkUp = false")
	}
	d.config[virtiospec.NetCfgStatus] = 0
	if n.LinkUp() {
		t.Errorf("LinkUp = true with the link down")
	}
	if d.status != virtiospec.StatusAcknowledge|virtiospec.StatusDriver|virtiospec.StatusFeaturesOK|virtiospec.StatusDriverOK {
		t.Errorf("status %#x; want DRIVER_OK and the rest", d.status)
	}
	if d.driverFeat != allNet {
		t.Errorf("negotiated %#x; want every feature offered, %#x", d.driverFeat, allNet)
	}
	noDeviceErrors(t, d)
}

// TestNetLoopback sends frames of many sizes through the device and
// back, with and without mergeable buffers and event indices.
func TestNetLoopback(t *testing.T) {
	configs := []struct {
		name    string
		offered uint64
		o       *NetOptions
	}{
		{"all features", allNet, nil},
		{"no MRG_RXBUF", allNet &^ bit(virtiospec.NetFMrgRxbuf), nil},
		{"no EVENT_IDX", allNet &^ bit(virtiospec.FRingEventIdx), nil},
		{"merged 128-byte buffers", allNet, &NetOptions{RxBufSize: 128}},
		{"bare VERSION_1", bit(virtiospec.FVersion1), nil},
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			d, model, n := newTestNet(t, c.offered, c.o)
			model.loopback = true
			var sent [][]byte
			for round := 0; round < 5; round++ {
				for _, size := range []int{14, 60, 127, 128, 1000, 1514, 1518} {
					f := frame(size, byte(round))
					if err := n.Transmit(f); err != nil {
						t.Fatalf("Transmit(%d bytes): %v", size, err)
					}
					sent = append(sent, f)
				}
				got := receiveAll(t, n)
				if diff := cmp.Diff(sent, got); diff != "" {
					t.Fatalf("round %d: received (-sent +got):\n%s", round, diff)
				}
				sent = nil
			}
			if n.Stats.RxFrames != 35 || n.Stats.TxFrames != 35 {
				t.Errorf("Stats: %+v; want 35 frames each way", n.Stats)
			}
			rx, _ := n.Queues()
			checkQueue(t, rx)
			noDeviceErrors(t, d)
		})
	}
}

// TestNetMergeable checks that one frame really spans several buffers
// and is reassembled in order.
func TestNetMergeable(t *testing.T) {
	d, model, n := newTestNet(t, allNet, &NetOptions{RxBufSize: 100})
	f := frame(1514, 7)
	model.inject(d, f)
	rx, _ := n.Queues()
	if d.queues[0].usedIdx != 16 {
		t.Fatalf("the device used %d buffers for 1526 bytes; want 16", d.queues[0].usedIdx)
	}
	got := receiveAll(t, n)
	if diff := cmp.Diff([][]byte{f}, got); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
	if rx.InFlight() != rx.Size() {
		t.Errorf("%d receive buffers posted after reassembly; want all %d", rx.InFlight(), rx.Size())
	}
	noDeviceErrors(t, d)
}

func TestNetTransmitFull(t *testing.T) {
	d, model, n := newTestNet(t, allNet, nil)
	model.holdTx = true
	for i := 0; i < 16; i++ {
		if err := n.Transmit(frame(60, 0)); err != nil {
			t.Fatalf("Transmit %d: %v", i, err)
		}
	}
	if err := n.Transmit(frame(60, 0)); err != ethernet.ErrFull {
		t.Fatalf("Transmit with the ring full = %v; want ethernet.ErrFull", err)
	}
	// The device sends them and returns the buffers.
	for i := 0; i < 16; i++ {
		d.push(virtiospec.NetQueueTX, uint16(i), 0)
	}
	if err := n.Transmit(frame(60, 0)); err != nil {
		t.Errorf("Transmit after the device caught up: %v", err)
	}
	if n.Stats.TxFull != 1 {
		t.Errorf("TxFull = %d; want 1", n.Stats.TxFull)
	}
	for _, tt := range []struct {
		size int
		want error
	}{{13, ErrBadFrame}, {1519, ErrFrameTooLarge}} {
		if err := n.Transmit(make([]byte, tt.size)); err != tt.want {
			t.Errorf("Transmit(%d bytes) = %v; want %v", tt.size, err, tt.want)
		}
	}
	noDeviceErrors(t, d)
}

// Sent frames' buffers are taken back by the next Transmit, so the
// transmit queue should not interrupt; received frames still do.
func TestNetTransmitNoInterrupts(t *testing.T) {
	for _, offered := range []uint64{allNet, allNet &^ bit(virtiospec.FRingEventIdx)} {
		d, model, n := newTestNet(t, offered, nil)
		for i := range 40 { // more than the ring's 16 entries
			if err := n.Transmit(frame(60, byte(i))); err != nil {
				t.Fatalf("Transmit %d: %v", i, err)
			}
		}
		if len(model.wire) != 40 || d.interrupts != 0 {
			t.Errorf("event index %v: 40 frames sent: %d on the wire, %d interrupts; want 40 and 0",
				offered&bit(virtiospec.FRingEventIdx) != 0, len(model.wire), d.interrupts)
		}
		model.inject(d, frame(60, 1))
		if d.interrupts != 1 {
			t.Errorf("event index %v: %d interrupts for a received frame; want 1",
				offered&bit(virtiospec.FRingEventIdx) != 0, d.interrupts)
		}
		noDeviceErrors(t, d)
	}
}

// udpFrame is an Ethernet/IPv4/UDP frame whose UDP checksum field holds
// the pseudo-header sum, as a stack leaves it for offload. It returns
// the frame and the complete checksum.
func udpFrame() (f []byte, want uint16) {
	f = frame(14+20+8+5, 0)
	ip := f[14:]
	copy(ip, []byte{0x45, 0, 0, 33, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2})
	udp := ip[20:]
	copy(udp, []byte{0x30, 0x39, 0x00, 0x35, 0, 13, 0, 0, 'h', 'e', 'l', 'l', 'o'})
	// Pseudo-header: addresses, protocol, UDP length.
	sum := uint32(0x0a00+0x0001+0x0a00+0x0002) + 17 + 13
	put16be := func(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }
	put16be(udp[6:], uint16(sum))
	// The whole checksum, the slow way.
	full := sum
	for i := 0; i < 13; i += 2 {
		w := uint32(udp[i]) << 8
		if i+1 < 13 {
			w |= uint32(udp[i+1])
		}
		if i == 6 {
			w = 0
		}
		full += w
	}
	for full > 0xffff {
		full = full>>16 + full&0xffff
	}
	return f, ^uint16(full)
}

func TestNetChecksum(t *testing.T) {
	const csumStart, csumOffset = 14 + 20, 6
	t.Run("receive NEEDS_CSUM completed by the driver", func(t *testing.T) {
		d, model, n := newTestNet(t, allNet, nil)
		model.rxHdr = func(h []byte) {
			h[virtiospec.NetHdrOffFlags] = virtiospec.NetHdrFNeedsCsum
			put16(h[virtiospec.NetHdrOffCsumStart:], csumStart)
			put16(h[virtiospec.NetHdrOffCsumOffset:], csumOffset)
		}
		f, want := udpFrame()
		model.inject(d, f)
		buf := make([]byte, 2000)
		size, valid, err := n.Receive(buf)
		if err != nil || !valid || size != len(f) {
			t.Fatalf("Receive = %d, %v, %v", size, valid, err)
		}
		if got := uint16(buf[csumStart+csumOffset])<<8 | uint16(buf[csumStart+csumOffset+1]); got != want {
			t.Errorf("completed checksum %#04x; want %#04x", got, want)
		}
	})
	t.Run("receive DATA_VALID", func(t *testing.T) {
		d, model, n := newTestNet(t, allNet, nil)
		model.rxHdr = func(h []byte) { h[virtiospec.NetHdrOffFlags] = virtiospec.NetHdrFDataValid }
		model.inject(d, frame(60, 0))
		if _, valid, err := n.Receive(make([]byte, 2000)); err != nil || !valid {
			t.Errorf("Receive = %v, %v; want valid", valid, err)
		}
	})
	t.Run("flags ignored without GUEST_CSUM", func(t *testing.T) {
		d, model, n := newTestNet(t, allNet&^bit(virtiospec.NetFGuestCsum), nil)
		model.rxHdr = func(h []byte) {
			h[virtiospec.NetHdrOffFlags] = virtiospec.NetHdrFDataValid | virtiospec.NetHdrFNeedsCsum
		}
		f := frame(60, 0)
		model.inject(d, f)
		buf := make([]byte, 2000)
		if size, valid, err := n.Receive(buf); err != nil || valid || !bytes.Equal(buf[:size], f) {
			t.Errorf("Receive = %v, %v; want the frame untouched, not valid", valid, err)
		}
	})
	t.Run("transmit with CSUM: offloaded", func(t *testing.T) {
		d, model, n := newTestNet(t, allNet, nil)
		f, _ := udpFrame()
		if err := n.TransmitPartial(f, csumStart, csumOffset); err != nil {
			t.Fatal(err)
		}
		h := model.txHdrs[0]
		if h[0] != virtiospec.NetHdrFNeedsCsum || le16(h[virtiospec.NetHdrOffCsumStart:]) != csumStart || le16(h[virtiospec.NetHdrOffCsumOffset:]) != csumOffset {
			t.Errorf("header %x; want NEEDS_CSUM at %d+%d", h, csumStart, csumOffset)
		}
		if !bytes.Equal(model.wire[0], f) {
			t.Errorf("frame changed on the way out")
		}
		noDeviceErrors(t, d)
	})
	t.Run("transmit without CSUM: done in software", func(t *testing.T) {
		_, model, n := newTestNet(t, allNet&^bit(virtiospec.NetFCsum), nil)
		f, want := udpFrame()
		if err := n.TransmitPartial(f, csumStart, csumOffset); err != nil {
			t.Fatal(err)
		}
		w := model.wire[0]
		if got := uint16(w[csumStart+csumOffset])<<8 | uint16(w[csumStart+csumOffset+1]); got != want || model.txHdrs[0][0] != 0 {
			t.Errorf("checksum %#04x, flags %d; want %#04x, 0", got, model.txHdrs[0][0], want)
		}
		if err := n.TransmitPartial(f, csumStart, 100); err != ErrBadFrame {
			t.Errorf("TransmitPartial with the field beyond the frame = %v; want ErrBadFrame", err)
		}
	})
}

func TestNetReceiveTooSmall(t *testing.T) {
	d, model, n := newTestNet(t, allNet, nil)
	model.inject(d, frame(1000, 0))
	model.inject(d, frame(100, 1))
	if _, _, err := n.Receive(make([]byte, 999)); err != ErrFrameTooLarge {
		t.Errorf("Receive into a short buffer = %v; want ErrFrameTooLarge", err)
	}
	got := receiveAll(t, n)
	if diff := cmp.Diff([][]byte{frame(100, 1)}, got); diff != "" {
		t.Errorf("after the refused frame (-want +got):\n%s", diff)
	}
}

// hostileRx lets a test write the device side of the receive queue
// directly: take k posted buffers, fill them and return them with the
// given lengths.
func hostileRx(t *testing.T, d *fakeDev, entries ...func(buf []byte) (id uint32, n uint32)) {
	t.Helper()
	for _, e := range entries {
		head, chain, ok := d.pop(virtiospec.NetQueueRX)
		if !ok {
			t.Fatal("no receive buffer posted")
		}
		id, n := e(chain[0].buf)
		if id == 0xffffffff {
			id = uint32(head)
		}
		d.pushRaw(virtiospec.NetQueueRX, id, n)
	}
}

// rxEntry fills a buffer with a virtio header (num_buffers nb) and a
// frame of size bytes, and reports length n (or the true length if n
// is -1).
func rxEntry(nb uint16, size int, n int) func(buf []byte) (uint32, uint32) {
	return func(buf []byte) (uint32, uint32) {
		clear(buf[:virtiospec.NetHdrSize])
		put16(buf[virtiospec.NetHdrOffNumBuffers:], nb)
		copy(buf[virtiospec.NetHdrSize:], frame(size, 3))
		if n < 0 {
			n = virtiospec.NetHdrSize + size
		}
		return 0xffffffff, uint32(n)
	}
}

// rxData is a continuation buffer of a merged frame.
func rxData(n int) func(buf []byte) (uint32, uint32) {
	return func(buf []byte) (uint32, uint32) { return 0xffffffff, uint32(n) }
}

func TestNetHostile(t *testing.T) {
	tests := []struct {
		name    string
		o       *NetOptions
		entries []func([]byte) (uint32, uint32)
		want    NetStats
		frames  int
		broken  bool
	}{
		{name: "used length shorter than the virtio header", entries: []func([]byte) (uint32, uint32){rxEntry(1, 0, 5)},
			want: NetStats{RxRunt: 1}},
		{name: "frame shorter than an Ethernet header", entries: []func([]byte) (uint32, uint32){rxEntry(1, 10, -1)},
			want: NetStats{RxRunt: 1}},
		{name: "num_buffers 0", entries: []func([]byte) (uint32, uint32){rxEntry(0, 60, -1)},
			want: NetStats{RxBadNumBuffers: 1}},
		{name: "num_buffers beyond the queue", entries: []func([]byte) (uint32, uint32){rxEntry(17, 60, -1)},
			want: NetStats{RxBadNumBuffers: 1}},
		{name: "length beyond the buffer", entries: []func([]byte) (uint32, uint32){rxEntry(1, 60, 5000)},
			want: NetStats{RxBadLen: 1}},
		{name: "merged frame longer than the MTU allows", o: &NetOptions{RxBufSize: 1024},
			entries: []func([]byte) (uint32, uint32){rxEntry(3, 1000, -1), rxData(1024), rxData(1024)},
			want:    NetStats{RxTooLarge: 1}},
		{name: "merged frame cut short by a bad length", o: &NetOptions{RxBufSize: 1024},
			entries: []func([]byte) (uint32, uint32){rxEntry(2, 1000, -1), rxData(99999), rxEntry(1, 60, -1)},
			want:    NetStats{RxBadLen: 1, RxFrames: 1, RxBytes: 60}, frames: 1},
		{name: "bad id between good frames", entries: []func([]byte) (uint32, uint32){
			rxEntry(1, 60, -1),
			func(buf []byte) (uint32, uint32) { return 999, 10 },
			rxEntry(1, 61, -1)},
			want: NetStats{RxFrames: 2, RxBytes: 121}, frames: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, n := newTestNet(t, allNet, tt.o)
			hostileRx(t, d, tt.entries...)
			got := receiveAll(t, n)
			if len(got) != tt.frames {
				t.Errorf("received %d frames; want %d", len(got), tt.frames)
			}
			if diff := cmp.Diff(tt.want, n.Stats); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
			rx, _ := n.Queues()
			checkQueue(t, rx)
			// Every buffer the queue got back is posted again (one
			// that a bad used id left with the device still counts as
			// posted until a reset).
			if rx.InFlight() != rx.Size() || len(n.rxIdle) != 0 {
				t.Errorf("%d buffers posted, %d idle, of %d", rx.InFlight(), len(n.rxIdle), rx.Size())
			}
			noDeviceErrors(t, d)
		})
	}
	t.Run("used index jump", func(t *testing.T) {
		d, _, n := newTestNet(t, allNet, nil)
		d.setUsedIdx(virtiospec.NetQueueRX, 100)
		if _, _, err := n.Receive(make([]byte, 2000)); err != ErrBroken {
			t.Errorf("Receive = %v; want ErrBroken", err)
		}
		d.setUsedIdx(virtiospec.NetQueueTX, 100)
		if err := n.Transmit(frame(60, 0)); err != ErrBroken {
			t.Errorf("Transmit = %v; want ErrBroken", err)
		}
	})
}
