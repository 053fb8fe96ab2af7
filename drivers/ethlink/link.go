// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package ethlink connects gVisor's TCP/IP stack
// (gvisor.dev/gvisor/pkg/tcpip) to an Ethernet device: a link endpoint
// over an ethernet.Device (virtio-net, Xen's netfront, ...), and the
// stack with the protocols a unikernel needs.
package ethlink

import (
	"errors"
	"sync"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"mirago.dev/drivers/ethernet"
)

// A Link is a stack.LinkEndpoint over an Ethernet device. It adds and
// removes the Ethernet header itself. Frames reach the stack from Poll,
// which the device's driver goroutine calls when the device interrupts.
type Link struct {
	dev ethernet.Device
	mac tcpip.LinkAddress

	// Divert, if set, sees every received frame first and keeps it
	// from the stack by returning true. The DHCP client uses it while
	// the stack has no address.
	Divert func(frame []byte) bool

	// WaitTx, if set, waits for the device to finish sending when its
	// transmit ring is full. Without it, a frame that finds the ring
	// full is dropped, and the protocol above retransmits.
	WaitTx func()

	mu         sync.Mutex // serializes transmits and guards the fields below
	mtu        uint32
	dispatcher stack.NetworkDispatcher
	txbuf      []byte
	stats      LinkStats
	acks       ackHold
	waits      uint64 // WaitTx calls, each with l.mu free

	rx *buffer.View // the receive buffer Poll fills next
}

// LinkStats counts frames the Link dropped.
type LinkStats struct {
	RxShort   uint64 // shorter than an Ethernet header
	RxErrors  uint64 // the device's Receive failed
	TxFull    uint64 // the transmit ring stayed full
	TxErrors  uint64 // the device's Transmit failed otherwise
	TxTooLong uint64 // longer than the device's largest frame
}

// NewLink returns a Link over dev, whose MAC address it uses; a device
// without one gets a random locally administered address from mac.
func NewLink(dev ethernet.Device, fallbackMAC [6]byte) *Link {
	mac, ok := dev.MAC()
	if !ok {
		mac = fallbackMAC
		mac[0] = mac[0]&^1 | 2 // unicast, locally administered
	}
	return &Link{
		dev:   dev,
		mac:   tcpip.LinkAddress(mac[:]),
		mtu:   uint32(dev.MTU()),
		txbuf: make([]byte, dev.MaxFrame()),
	}
}

// MAC returns the link's address.
func (l *Link) MAC() [6]byte {
	var m [6]byte
	copy(m[:], l.mac)
	return m
}

// Stats returns the link's drop counters.
func (l *Link) Stats() LinkStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// MTU implements stack.LinkEndpoint: the largest IP packet.
func (l *Link) MTU() uint32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mtu
}

// SetMTU implements stack.LinkEndpoint. The MTU cannot grow past what
// the device carries.
func (l *Link) SetMTU(mtu uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mtu = min(mtu, uint32(l.dev.MTU()))
}

// MaxHeaderLength implements stack.LinkEndpoint.
func (*Link) MaxHeaderLength() uint16 { return header.EthernetMinimumSize }

// LinkAddress implements stack.LinkEndpoint.
func (l *Link) LinkAddress() tcpip.LinkAddress { return l.mac }

// SetLinkAddress implements stack.LinkEndpoint. The device's address
// is fixed; the request is ignored.
func (*Link) SetLinkAddress(tcpip.LinkAddress) {}

// Capabilities implements stack.LinkEndpoint. The link resolves
// addresses with ARP and NDP. Received checksums are checked by the
// stack unless the device vouches for a frame (Poll marks those).
func (*Link) Capabilities() stack.LinkEndpointCapabilities {
	return stack.CapabilityResolutionRequired
}

// Attach implements stack.LinkEndpoint.
func (l *Link) Attach(d stack.NetworkDispatcher) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dispatcher = d
}

// IsAttached implements stack.LinkEndpoint.
func (l *Link) IsAttached() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dispatcher != nil
}

// Wait implements stack.LinkEndpoint. The Link has no goroutines of its
// own.
func (*Link) Wait() {}

// ARPHardwareType implements stack.LinkEndpoint.
func (*Link) ARPHardwareType() header.ARPHardwareType { return header.ARPHardwareEther }

// AddHeader implements stack.LinkEndpoint.
func (*Link) AddHeader(pkt *stack.PacketBuffer) {
	eth := header.Ethernet(pkt.LinkHeader().Push(header.EthernetMinimumSize))
	eth.Encode(&header.EthernetFields{
		SrcAddr: pkt.EgressRoute.LocalLinkAddress,
		DstAddr: pkt.EgressRoute.RemoteLinkAddress,
		Type:    pkt.NetworkProtocolNumber,
	})
}

// ParseHeader implements stack.LinkEndpoint.
func (*Link) ParseHeader(pkt *stack.PacketBuffer) bool {
	_, ok := pkt.LinkHeader().Consume(header.EthernetMinimumSize)
	return ok
}

// Close implements stack.LinkEndpoint.
func (l *Link) Close() {}

// SetOnCloseAction implements stack.LinkEndpoint.
func (*Link) SetOnCloseAction(func()) {}

// WritePackets implements stack.LinkEndpoint: each packet, whose
// Ethernet header AddHeader has pushed, is copied into one frame.
func (l *Link) WritePackets(pkts stack.PacketBufferList) (int, tcpip.Error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, pkt := range pkts.AsSlice() {
		if err := l.writeLocked(pkt); err != nil {
			if n == 0 {
				return 0, err
			}
			break
		}
		n++
	}
	return n, nil
}

// txFullRetries is how many WaitTx calls a frame waits for a full
// transmit ring before it is dropped.
const txFullRetries = 100

func (l *Link) writeLocked(pkt *stack.PacketBuffer) tcpip.Error {
	if pkt.Size() > len(l.txbuf) {
		l.stats.TxTooLong++
		return &tcpip.ErrMessageTooLong{}
	}
	frame := l.frameLocked(pkt)
	if l.acks.holding || l.acks.n > 0 {
		waits := l.waits
		if l.holdLocked(frame) {
			return nil
		}
		if l.waits != waits {
			// Sending a held ACK waited for room, and another
			// writer may have used txbuf meanwhile.
			frame = l.frameLocked(pkt)
		}
	}
	// txbuf is framed again after each wait: another writer may have
	// used it while l.mu was free.
	switch err := l.transmitLocked(frame, func() []byte { return l.frameLocked(pkt) }); {
	case err == nil:
		return nil
	case errors.Is(err, ethernet.ErrFull):
		return &tcpip.ErrNoBufferSpace{}
	default:
		return &tcpip.ErrAborted{}
	}
}

// transmitLocked sends frame, waiting through WaitTx while the ring is
// full, and counts a failure. After each wait it sends what again
// returns instead, since l.mu was free meanwhile.
func (l *Link) transmitLocked(frame []byte, again func() []byte) error {
	for try := 0; ; try++ {
		err := l.dev.Transmit(frame)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ethernet.ErrFull) {
			l.stats.TxErrors++
			return err
		}
		if l.WaitTx == nil || try == txFullRetries {
			l.stats.TxFull++
			return err
		}
		l.waits++
		l.mu.Unlock()
		l.WaitTx()
		l.mu.Lock()
		l.dev.ReclaimTx()
		frame = again()
	}
}

// frameLocked copies pkt, its Ethernet header included, into txbuf.
func (l *Link) frameLocked(pkt *stack.PacketBuffer) []byte {
	frame := l.txbuf[:0]
	for _, s := range pkt.AsSlices() {
		frame = append(frame, s...)
	}
	return frame
}

// WriteFrame sends frame, a whole Ethernet frame built outside the
// stack (by the DHCP client), in turn with the stack's packets.
func (l *Link) WriteFrame(frame []byte) error {
	if len(frame) > len(l.txbuf) {
		return errors.New("ethlink: frame longer than the device's largest")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.transmitLocked(frame, func() []byte { return frame })
}

// Poll hands every frame the device has received to the stack (or to
// Divert) and reports how many it took from the device. The driver
// goroutine calls it until it returns 0, then waits for an interrupt.
//
// A Poll that hands frames to the stack starts holding the stack's bare
// ACKs, and the next Poll sends those still held (see ackHold): the
// driver goroutine yields between the two, and in that time the
// goroutines the frames woke usually answer, with the ACK in their
// answer.
func (l *Link) Poll() int {
	l.mu.Lock()
	l.acks.holding = false
	l.releaseLocked()
	l.mu.Unlock()
	n := 0
	for {
		if l.rx == nil {
			l.rx = buffer.NewViewSize(l.dev.MaxFrame())
		}
		size, valid, err := l.dev.Receive(l.rx.AsSlice())
		if errors.Is(err, ethernet.ErrNoFrame) {
			return n
		}
		n++
		if err != nil {
			l.count(&l.stats.RxErrors)
			continue
		}
		if size < header.EthernetMinimumSize {
			l.count(&l.stats.RxShort)
			continue
		}
		v := l.rx
		l.rx = nil
		v.CapLength(size)
		if l.Divert != nil && l.Divert(v.AsSlice()) {
			v.Release()
			continue
		}
		l.deliver(v, valid)
	}
}

func (l *Link) count(c *uint64) {
	l.mu.Lock()
	*c++
	l.mu.Unlock()
}

// deliver passes the frame in v to the stack, which takes v.
func (l *Link) deliver(v *buffer.View, valid bool) {
	l.mu.Lock()
	d := l.dispatcher
	l.acks.holding = d != nil
	l.mu.Unlock()
	if d == nil {
		v.Release()
		return
	}
	pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithView(v)})
	defer pkt.DecRef()
	if !l.ParseHeader(pkt) {
		return
	}
	eth := header.Ethernet(pkt.LinkHeader().Slice())
	switch dst := eth.DestinationAddress(); {
	case dst == header.EthernetBroadcastAddress:
		pkt.PktType = tcpip.PacketBroadcast
	case header.IsMulticastEthernetAddress(dst):
		pkt.PktType = tcpip.PacketMulticast
	case dst == l.mac:
		pkt.PktType = tcpip.PacketHost
	default:
		pkt.PktType = tcpip.PacketOtherHost
	}
	pkt.RXChecksumValidated = valid
	d.DeliverNetworkPacket(eth.Type(), pkt)
}
