// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ethlink

import (
	"bytes"
	"fmt"
	"testing"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// seg describes a TCP segment for tcpFrame.
type seg struct {
	v6      bool
	port    uint16 // the source port, which tells the connections apart
	ack     uint32
	flags   header.TCPFlags
	payload string
	sack    bool // with a SACK block
}

func (s seg) String() string {
	return fmt.Sprintf("{v6 %v port %d ack %d flags %v %q sack %v}", s.v6, s.port, s.ack, s.flags, s.payload, s.sack)
}

// tcpFrame returns an Ethernet frame that carries s.
func tcpFrame(s seg) []byte {
	var opts []byte
	if s.sack {
		opts = []byte{header.TCPOptionNOP, header.TCPOptionNOP, header.TCPOptionSACK, 10, 0, 0, 0, 1, 0, 0, 0, 2}
	}
	tcp := make([]byte, header.TCPMinimumSize+len(opts)+len(s.payload))
	header.TCP(tcp).Encode(&header.TCPFields{
		SrcPort:    s.port,
		DstPort:    80,
		SeqNum:     1,
		AckNum:     s.ack,
		DataOffset: uint8(header.TCPMinimumSize + len(opts)),
		Flags:      s.flags,
		WindowSize: 1000,
	})
	copy(tcp[header.TCPMinimumSize:], opts)
	copy(tcp[header.TCPMinimumSize+len(opts):], s.payload)
	var ip []byte
	typ := uint16(header.IPv4ProtocolNumber)
	if s.v6 {
		typ = uint16(header.IPv6ProtocolNumber)
		ip = make([]byte, header.IPv6MinimumSize)
		header.IPv6(ip).Encode(&header.IPv6Fields{
			PayloadLength:     uint16(len(tcp)),
			TransportProtocol: header.TCPProtocolNumber,
			HopLimit:          64,
			SrcAddr:           tcpip.AddrFrom16([16]byte{0xfd, 15: 1}),
			DstAddr:           tcpip.AddrFrom16([16]byte{0xfd, 15: 2}),
		})
	} else {
		ip = make([]byte, header.IPv4MinimumSize)
		header.IPv4(ip).Encode(&header.IPv4Fields{
			TotalLength: uint16(header.IPv4MinimumSize + len(tcp)),
			Protocol:    uint8(header.TCPProtocolNumber),
			TTL:         64,
			SrcAddr:     tcpip.AddrFrom4([4]byte{192, 0, 2, 1}),
			DstAddr:     tcpip.AddrFrom4([4]byte{192, 0, 2, 2}),
		})
	}
	return ethFrame([6]byte{2, 0, 0, 0, 0, 2}, typ, string(ip)+string(tcp))
}

// writeFrame sends a whole frame through l as the stack would.
func writeFrame(t *testing.T, l *Link, frame []byte) {
	t.Helper()
	pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(frame)})
	var pkts stack.PacketBufferList
	pkts.PushBack(pkt)
	defer pkts.DecRef()
	if n, err := l.WritePackets(pkts); n != 1 || err != nil {
		t.Fatalf("WritePackets = %d, %v", n, err)
	}
}

// TestAckHold: between a Poll that hands frames to the stack and the
// next Poll, a bare ACK is held; a later segment of its connection with
// data or a FIN and as much acknowledged replaces it, any other segment
// of its connection sends it first, and the next Poll sends what is
// still held. Outside that time, and with SACK blocks, ACKs go at once.
func TestAckHold(t *testing.T) {
	const ack, psh, fin, rst = header.TCPFlagAck, header.TCPFlagAck | header.TCPFlagPsh, header.TCPFlagAck | header.TCPFlagFin, header.TCPFlagRst | header.TCPFlagAck
	type step struct {
		poll bool  // a frame arrives and Poll hands it to the stack
		idle bool  // Poll finds nothing
		s    seg   // else the stack writes s
		want []seg // sent by the step, in order
	}
	received, idle := step{poll: true}, step{idle: true}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"not after a poll", []step{
			{s: seg{port: 1, ack: 10, flags: ack}, want: []seg{{port: 1, ack: 10, flags: ack}}},
		}},
		{"answered", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{s: seg{port: 1, ack: 10, flags: psh, payload: "answer"}, want: []seg{{port: 1, ack: 10, flags: psh, payload: "answer"}}},
			idle,
		}},
		{"answered over IPv6", []step{
			received,
			{s: seg{v6: true, port: 1, ack: 10, flags: ack}},
			{s: seg{v6: true, port: 1, ack: 10, flags: psh, payload: "answer"}, want: []seg{{v6: true, port: 1, ack: 10, flags: psh, payload: "answer"}}},
		}},
		{"closed", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{s: seg{port: 1, ack: 11, flags: fin}, want: []seg{{port: 1, ack: 11, flags: fin}}},
		}},
		{"not answered", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{idle: true, want: []seg{{port: 1, ack: 10, flags: ack}}},
			{s: seg{port: 1, ack: 20, flags: ack}, want: []seg{{port: 1, ack: 20, flags: ack}}},
		}},
		{"frames keep coming", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{poll: true, want: []seg{{port: 1, ack: 10, flags: ack}}},
			{s: seg{port: 1, ack: 20, flags: ack}},
			{idle: true, want: []seg{{port: 1, ack: 20, flags: ack}}},
		}},
		{"another connection answered", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{s: seg{port: 2, ack: 10, flags: psh, payload: "x"}, want: []seg{{port: 2, ack: 10, flags: psh, payload: "x"}}},
			{idle: true, want: []seg{{port: 1, ack: 10, flags: ack}}},
		}},
		{"the same address over IPv6", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{s: seg{v6: true, port: 1, ack: 10, flags: psh, payload: "x"}, want: []seg{{v6: true, port: 1, ack: 10, flags: psh, payload: "x"}}},
			{idle: true, want: []seg{{port: 1, ack: 10, flags: ack}}},
		}},
		{"second ACK, as a duplicate would be", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{s: seg{port: 1, ack: 10, flags: ack}, want: []seg{{port: 1, ack: 10, flags: ack}}},
			{s: seg{port: 1, ack: 10, flags: psh, payload: "x"}, want: []seg{{port: 1, ack: 10, flags: psh, payload: "x"}}},
		}},
		{"reset", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{s: seg{port: 1, ack: 10, flags: rst}, want: []seg{{port: 1, ack: 10, flags: ack}, {port: 1, ack: 10, flags: rst}}},
		}},
		{"data acknowledging less", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack}},
			{s: seg{port: 1, ack: 9, flags: psh, payload: "x"}, want: []seg{{port: 1, ack: 10, flags: ack}, {port: 1, ack: 9, flags: psh, payload: "x"}}},
		}},
		{"acknowledgment wraps", []step{
			received,
			{s: seg{port: 1, ack: 0xffff_fff0, flags: ack}},
			{s: seg{port: 1, ack: 5, flags: psh, payload: "x"}, want: []seg{{port: 1, ack: 5, flags: psh, payload: "x"}}},
		}},
		{"SACK", []step{
			received,
			{s: seg{port: 1, ack: 10, flags: ack, sack: true}, want: []seg{{port: 1, ack: 10, flags: ack, sack: true}}},
		}},
		{"more connections than slots", func() []step {
			steps := []step{received}
			var acks []seg
			for p := range maxHeldAcks + 1 {
				a := seg{port: uint16(p + 1), ack: 10, flags: ack}
				steps = append(steps, step{s: a})
				acks = append(acks, a)
			}
			// The last is sent at once, the others when Poll
			// finds nothing.
			steps[len(steps)-1].want = acks[maxHeldAcks:]
			return append(steps, step{idle: true, want: acks[:maxHeldAcks]})
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dev := newFakeEth(1)
			l := NewLink(dev, [6]byte{})
			l.Attach(new(recorder))
			for i, st := range tc.steps {
				dev.tx = nil
				switch {
				case st.poll:
					dev.queue(ethFrame(dev.mac, uint16(header.IPv4ProtocolNumber), "x"))
					if n := l.Poll(); n != 1 {
						t.Fatalf("step %d: Poll = %d, want 1", i, n)
					}
				case st.idle:
					if n := l.Poll(); n != 0 {
						t.Fatalf("step %d: Poll = %d, want 0", i, n)
					}
				default:
					writeFrame(t, l, tcpFrame(st.s))
				}
				var want [][]byte
				for _, s := range st.want {
					want = append(want, tcpFrame(s))
				}
				if !equalFrames(dev.tx, want) {
					t.Fatalf("step %d (%+v): sent %d frames %x, want %v", i, st, len(dev.tx), dev.tx, st.want)
				}
			}
		})
	}
}

func equalFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestParseTCP: frames that are not a whole TCP segment over IPv4 or
// IPv6 are not taken for one.
func TestParseTCP(t *testing.T) {
	good := tcpFrame(seg{port: 1, ack: 10, flags: header.TCPFlagAck})
	if s, ok := parseTCP(good); !ok || !s.bare() || s.ack != 10 {
		t.Fatalf("parseTCP(bare ACK) = %+v, %v", s, ok)
	}
	frag := bytes.Clone(good)
	header.IPv4(frag[header.EthernetMinimumSize:]).SetFlagsFragmentOffset(header.IPv4FlagMoreFragments, 0)
	udp := bytes.Clone(good)
	udp[header.EthernetMinimumSize+9] = uint8(header.UDPProtocolNumber)
	longIP := bytes.Clone(good)
	header.IPv4(longIP[header.EthernetMinimumSize:]).SetTotalLength(1000)
	badOff := bytes.Clone(good)
	badOff[header.EthernetMinimumSize+header.IPv4MinimumSize+12] = 15 << 4
	for name, f := range map[string][]byte{
		"fragment":            frag,
		"UDP":                 udp,
		"IP longer than sent": longIP,
		"TCP header too long": badOff,
		"truncated":           good[:header.EthernetMinimumSize+header.IPv4MinimumSize+10],
		"ARP":                 ethFrame([6]byte{}, uint16(header.ARPProtocolNumber), string(make([]byte, 28))),
		"short":               good[:10],
	} {
		if s, ok := parseTCP(f); ok {
			t.Errorf("parseTCP(%s) = %+v, true", name, s)
		}
	}
}
