// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ethlink

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"sync"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"mirago.dev/drivers/ethernet"
)

// fakeEth is an ethernet.Device: frames to receive are queued in rx,
// transmitted frames go to tx (or to peer's rx, for a wire).
type fakeEth struct {
	mu      sync.Mutex
	mac     [6]byte
	rx      [][]byte
	rxErr   []error // returned (once each) before the frames
	tx      [][]byte
	txRoom  int // frames Transmit accepts before ethernet.ErrFull; <0 for no limit
	peer    *fakeEth
	arrived chan struct{} // signalled when a frame is queued in rx
}

func newFakeEth(last byte) *fakeEth {
	return &fakeEth{mac: [6]byte{2, 0, 0, 0, 0, last}, txRoom: -1, arrived: make(chan struct{}, 1)}
}

func (f *fakeEth) Receive(p []byte) (int, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.rxErr) > 0 {
		err := f.rxErr[0]
		f.rxErr = f.rxErr[1:]
		return 0, false, err
	}
	if len(f.rx) == 0 {
		return 0, false, ethernet.ErrNoFrame
	}
	fr := f.rx[0]
	f.rx = f.rx[1:]
	return copy(p, fr), false, nil
}

func (f *fakeEth) Transmit(frame []byte) error {
	f.mu.Lock()
	if f.txRoom == 0 {
		f.mu.Unlock()
		return ethernet.ErrFull
	}
	if f.txRoom > 0 {
		f.txRoom--
	}
	fr := append([]byte(nil), frame...)
	f.tx = append(f.tx, fr)
	peer := f.peer
	f.mu.Unlock()
	if peer != nil {
		peer.queue(fr)
	}
	return nil
}

func (f *fakeEth) queue(fr []byte) {
	f.mu.Lock()
	f.rx = append(f.rx, fr)
	f.mu.Unlock()
	select {
	case f.arrived <- struct{}{}:
	default:
	}
}

func (f *fakeEth) ReclaimTx()                  {}
func (f *fakeEth) MaxFrame() int               { return 1514 }
func (f *fakeEth) MTU() int                    { return 1500 }
func (f *fakeEth) MAC() (mac [6]byte, ok bool) { return f.mac, true }

// recorder is a NetworkDispatcher that keeps what it is given.
type recorder struct {
	protos []tcpip.NetworkProtocolNumber
	frames [][]byte
	types  []tcpip.PacketType
}

func (r *recorder) DeliverNetworkPacket(p tcpip.NetworkProtocolNumber, pkt *stack.PacketBuffer) {
	r.protos = append(r.protos, p)
	r.types = append(r.types, pkt.PktType)
	r.frames = append(r.frames, pkt.Data().AsRange().ToSlice()) // after the Ethernet header
}

func (r *recorder) DeliverLinkPacket(tcpip.NetworkProtocolNumber, *stack.PacketBuffer) {}

func ethFrame(dst [6]byte, typ uint16, payload string) []byte {
	b := make([]byte, 14, 14+len(payload))
	copy(b, dst[:])
	copy(b[6:], []byte{2, 9, 9, 9, 9, 9})
	b[12], b[13] = byte(typ>>8), byte(typ)
	return append(b, payload...)
}

// TestLinkPoll: Poll hands whole frames to the stack with their type
// and drops what is shorter than an Ethernet header or failed in the
// device, counting each.
func TestLinkPoll(t *testing.T) {
	dev := newFakeEth(1)
	l := NewLink(dev, [6]byte{})
	var r recorder
	l.Attach(&r)
	bcast := [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	dev.rxErr = []error{errors.New("device trouble")}
	dev.rx = [][]byte{
		ethFrame(dev.mac, 0x0800, "to me"),
		{1, 2, 3}, // truncated
		ethFrame(bcast, 0x0806, "to all"),
		{},
		ethFrame([6]byte{2, 7, 7, 7, 7, 7}, 0x86dd, "to another"),
	}
	if n := l.Poll(); n != 6 {
		t.Errorf("Poll took %d frames, want 6", n)
	}
	if n := l.Poll(); n != 0 {
		t.Errorf("second Poll took %d frames, want 0", n)
	}
	wantProtos := []tcpip.NetworkProtocolNumber{0x0800, 0x0806, 0x86dd}
	wantTypes := []tcpip.PacketType{tcpip.PacketHost, tcpip.PacketBroadcast, tcpip.PacketOtherHost}
	if len(r.protos) != 3 {
		t.Fatalf("delivered %d frames, want 3", len(r.protos))
	}
	for i := range wantProtos {
		if r.protos[i] != wantProtos[i] || r.types[i] != wantTypes[i] {
			t.Errorf("frame %d: protocol %#x type %v, want %#x %v", i, r.protos[i], r.types[i], wantProtos[i], wantTypes[i])
		}
	}
	if got := string(r.frames[0]); got != "to me" {
		t.Errorf("payload %q, want %q", got, "to me")
	}
	if s := l.Stats(); s.RxShort != 2 || s.RxErrors != 1 {
		t.Errorf("stats %+v, want 2 short and 1 error", s)
	}
}

// TestLinkDivert: a frame Divert takes does not reach the stack, and
// Divert's slice stays valid only during the call.
func TestLinkDivert(t *testing.T) {
	dev := newFakeEth(1)
	l := NewLink(dev, [6]byte{})
	var r recorder
	l.Attach(&r)
	var kept [][]byte
	l.Divert = func(f []byte) bool {
		if bytes.HasSuffix(f, []byte("dhcp")) {
			kept = append(kept, append([]byte(nil), f...))
			return true
		}
		return false
	}
	dev.rx = [][]byte{ethFrame(dev.mac, 0x0800, "dhcp"), ethFrame(dev.mac, 0x0800, "tcp")}
	l.Poll()
	if len(kept) != 1 || len(r.frames) != 1 || string(r.frames[0]) != "tcp" {
		t.Errorf("diverted %d, delivered %q; want 1 and [tcp]", len(kept), r.frames)
	}
}

func testPacket(payload string) *stack.PacketBuffer {
	pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{
		ReserveHeaderBytes: header.EthernetMinimumSize,
		Payload:            buffer.MakeWithData([]byte(payload)),
	})
	pkt.NetworkProtocolNumber = ipv4.ProtocolNumber
	return pkt
}

// TestLinkFullRing: with the transmit ring full, a packet waits through
// WaitTx and is sent once there is room, or is refused with
// ErrNoBufferSpace, never blocking for ever.
func TestLinkFullRing(t *testing.T) {
	dev := newFakeEth(1)
	dev.txRoom = 0
	l := NewLink(dev, [6]byte{})

	var pkts stack.PacketBufferList
	pkts.PushBack(testPacket("one"))
	n, err := l.WritePackets(pkts)
	pkts.DecRef()
	if _, ok := err.(*tcpip.ErrNoBufferSpace); n != 0 || !ok {
		t.Errorf("WritePackets to a full ring without WaitTx = %d, %v; want 0, ErrNoBufferSpace", n, err)
	}

	waits := 0
	l.WaitTx = func() {
		waits++
		if waits == 3 {
			dev.mu.Lock()
			dev.txRoom = 1
			dev.mu.Unlock()
		}
	}
	pkts = stack.PacketBufferList{}
	pkts.PushBack(testPacket("two"))
	pkts.PushBack(testPacket("three"))
	n, err = l.WritePackets(pkts)
	pkts.DecRef()
	if n != 1 || err != nil {
		t.Errorf("WritePackets = %d, %v; want the first sent once there was room", n, err)
	}
	if len(dev.tx) != 1 || !bytes.HasSuffix(dev.tx[0], []byte("two")) {
		t.Errorf("sent %q", dev.tx)
	}
	if s := l.Stats(); s.TxFull != 2 {
		t.Errorf("TxFull = %d, want 2 (one per refused call)", s.TxFull)
	}
}

// TestLinkTCP connects two stacks through two Links on a fake wire and
// sends a megabyte over TCP, which needs ARP, IPv4 and TCP through the
// Link both ways.
func TestLinkTCP(t *testing.T) {
	a, b := newFakeEth(1), newFakeEth(2)
	a.peer, b.peer = b, a
	stacks := make([]*stack.Stack, 2)
	for i, dev := range []*fakeEth{a, b} {
		s, err := NewStack(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		l := NewLink(dev, [6]byte{})
		if err := AddEthernet(s, EthernetNIC, "eth0", l); err != nil {
			t.Fatal(err)
		}
		if err := AddAddress(s, EthernetNIC, netip.MustParsePrefix([]string{"192.0.2.1/24", "192.0.2.2/24"}[i])); err != nil {
			t.Fatal(err)
		}
		stacks[i] = s
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				// As the driver goroutine does: Poll until it
				// finds nothing, which sends the ACKs held.
				for l.Poll() > 0 {
				}
				select {
				case <-dev.arrived:
				case <-stop:
					return
				}
			}
		}()
	}
	ln, err := gonet.ListenTCP(stacks[1], tcpip.FullAddress{NIC: EthernetNIC, Addr: tcpip.AddrFrom4([4]byte{192, 0, 2, 2}), Port: 80}, ipv4.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- b
	}()
	c, err := gonet.DialTCP(stacks[0], tcpip.FullAddress{NIC: EthernetNIC, Addr: tcpip.AddrFrom4([4]byte{192, 0, 2, 2}), Port: 80}, ipv4.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case b := <-got:
		if !bytes.Equal(b, data) {
			t.Errorf("received %d bytes, want the %d sent", len(b), len(data))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no data after 30s")
	}
}

// TestLinkWaitTxOtherWriter: while one packet waits for room, another
// goroutine's packet may go first; the waiting packet is then sent as
// it was, not as the frame the other writer left in the link's buffer.
func TestLinkWaitTxOtherWriter(t *testing.T) {
	dev := newFakeEth(1)
	dev.txRoom = 0
	l := NewLink(dev, [6]byte{})
	first := true
	l.WaitTx = func() {
		if !first {
			return
		}
		first = false
		dev.mu.Lock()
		dev.txRoom = 2
		dev.mu.Unlock()
		var pkts stack.PacketBufferList
		pkts.PushBack(testPacket("the other writer's"))
		defer pkts.DecRef()
		if n, err := l.WritePackets(pkts); n != 1 || err != nil {
			t.Errorf("the other writer's WritePackets = %d, %v", n, err)
		}
	}
	var pkts stack.PacketBufferList
	pkts.PushBack(testPacket("the waiting one"))
	defer pkts.DecRef()
	if n, err := l.WritePackets(pkts); n != 1 || err != nil {
		t.Fatalf("WritePackets = %d, %v", n, err)
	}
	if len(dev.tx) != 2 || !bytes.HasSuffix(dev.tx[0], []byte("the other writer's")) || !bytes.HasSuffix(dev.tx[1], []byte("the waiting one")) {
		t.Errorf("sent %q, want the other writer's frame, then the waiting one", dev.tx)
	}
}
