// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ethlink

import (
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/seqnum"
)

// An ackHold keeps back the bare ACKs the stack sends just after Poll
// has handed it frames, until the next Poll.
//
// gVisor acknowledges received data at once, as soon as it has
// processed it, with a segment of its own. For a request that is
// answered at once, that ACK is followed within microseconds by the
// answer, which carries the same acknowledgment: on a virtual device
// each frame costs a VM exit and a trip through the host, so the
// first is pure cost. A held ACK is dropped when a later segment of its
// connection carries data or a FIN and acknowledges at least as much;
// any other segment of that connection sends it first, so the peer
// sees the connection's segments in order. The driver goroutine calls
// Poll again as soon as the goroutines the frames woke have run
// (devices.Interrupt.Serve yields between the two), and that Poll
// first sends whatever is still held. So an ACK is held for about one
// pass of the scheduler, far less than the 40 ms and more by which
// Linux delays its ACKs, and never while the driver goroutine waits
// for an interrupt: an ACK sent then, such as a window update after a
// reader drained its buffer, goes out at once.
//
// ACKs with SACK blocks are never held: they report a loss or
// reordering, and the peer counts them.
type ackHold struct {
	holding bool // the last Poll handed frames to the stack
	n       int  // slots not free
	slots   [maxHeldAcks]heldAck
}

// maxHeldAcks is how many ACKs, of different connections, may be held
// at once; one more is sent at once. gVisor processes the segments of
// several connections in one go under load.
const maxHeldAcks = 16

// heldAckMax is the longest frame held: an Ethernet, IPv6 and TCP
// header with options. A bare ACK is shorter.
const heldAckMax = 128

// A heldAck is a slot of an ackHold.
type heldAck struct {
	state ackState
	flow  tcpFlow
	ack   seqnum.Value
	len   int
	frame [heldAckMax]byte
}

type ackState uint8

const (
	ackFree ackState = iota
	ackHeld
	ackSending // being sent, possibly with l.mu free while the ring is full
)

// A tcpFlow is one direction of a TCP connection.
type tcpFlow struct {
	src, dst     tcpip.Address
	sport, dport uint16
}

// A tcpSeg is what the hold needs of the TCP segment in a frame.
type tcpSeg struct {
	flow    tcpFlow
	ack     seqnum.Value
	flags   header.TCPFlags
	payload int
	sack    bool
}

// bare reports whether s is an ACK that carries nothing else.
func (s *tcpSeg) bare() bool {
	return s.flags == header.TCPFlagAck && s.payload == 0 && !s.sack
}

// carries reports whether s makes an earlier ACK of ack on its
// connection redundant: it acknowledges as much or more, and it will
// not itself be taken for a duplicate ACK, since it carries data or a
// FIN.
func (s *tcpSeg) carries(ack seqnum.Value) bool {
	return s.flags&header.TCPFlagAck != 0 && s.flags&header.TCPFlagRst == 0 &&
		(s.payload > 0 || s.flags&header.TCPFlagFin != 0) &&
		!s.ack.LessThan(ack)
}

// holdLocked looks at frame, which is about to be sent, on behalf of the
// ACKs held: it sends or drops those of its connection, and keeps frame
// back if it is itself a bare ACK that the link holds. It reports
// whether it kept frame. Sending a held ACK may leave l.mu free for a
// while, and the caller must then frame its packet again.
func (l *Link) holdLocked(frame []byte) bool {
	if l.acks.n == 0 && len(frame) > heldAckMax {
		// Neither held nor to hold: the common case of a full
		// frame, which is not worth parsing.
		return false
	}
	seg, ok := parseTCP(frame)
	if !ok {
		return false
	}
	if l.acks.n > 0 {
		for i := range l.acks.slots {
			h := &l.acks.slots[i]
			if h.state != ackHeld || h.flow != seg.flow {
				continue
			}
			if seg.carries(h.ack) {
				h.state = ackFree
				l.acks.n--
			} else {
				l.sendHeldLocked(h)
			}
		}
	}
	if !l.acks.holding || !seg.bare() || len(frame) > heldAckMax {
		return false
	}
	for i := range l.acks.slots {
		h := &l.acks.slots[i]
		if h.state == ackFree {
			h.state = ackHeld
			h.flow, h.ack = seg.flow, seg.ack
			h.len = copy(h.frame[:], frame)
			l.acks.n++
			return true
		}
	}
	return false
}

// releaseLocked sends every ACK still held.
func (l *Link) releaseLocked() {
	if l.acks.n == 0 {
		return
	}
	for i := range l.acks.slots {
		if h := &l.acks.slots[i]; h.state == ackHeld {
			l.sendHeldLocked(h)
		}
	}
}

func (l *Link) sendHeldLocked(h *heldAck) {
	h.state = ackSending
	frame := h.frame[:h.len]
	// A failure is counted in l.stats, as for any frame; TCP recovers
	// from a lost ACK with the next segment.
	l.transmitLocked(frame, func() []byte { return frame })
	h.state = ackFree
	l.acks.n--
}

// parseTCP finds the TCP segment in an Ethernet frame that carries IPv4
// or IPv6 without extension headers, and reports whether it found one.
func parseTCP(frame []byte) (s tcpSeg, ok bool) {
	if len(frame) < header.EthernetMinimumSize {
		return s, false
	}
	ip := frame[header.EthernetMinimumSize:]
	var tcp header.TCP
	switch header.Ethernet(frame).Type() {
	case header.IPv4ProtocolNumber:
		h := header.IPv4(ip)
		if !h.IsValid(len(ip)) || h.Protocol() != uint8(header.TCPProtocolNumber) ||
			h.More() || h.FragmentOffset() != 0 {
			return s, false
		}
		s.flow.src, s.flow.dst = h.SourceAddress(), h.DestinationAddress()
		tcp = header.TCP(h.Payload())
	case header.IPv6ProtocolNumber:
		h := header.IPv6(ip)
		if !h.IsValid(len(ip)) || h.NextHeader() != uint8(header.TCPProtocolNumber) {
			return s, false
		}
		s.flow.src, s.flow.dst = h.SourceAddress(), h.DestinationAddress()
		tcp = header.TCP(h.Payload())
	default:
		return s, false
	}
	if len(tcp) < header.TCPMinimumSize {
		return s, false
	}
	off := int(tcp.DataOffset())
	if off < header.TCPMinimumSize || off > len(tcp) {
		return s, false
	}
	s.flow.sport, s.flow.dport = tcp.SourcePort(), tcp.DestinationPort()
	s.ack = seqnum.Value(tcp.AckNumber())
	s.flags = tcp.Flags()
	s.payload = len(tcp) - off
	s.sack = len(header.ParseTCPOptions(tcp[header.TCPMinimumSize:off]).SACKBlocks) > 0
	return s, true
}
