// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"mirago.dev/drivers/dma"
	"mirago.dev/drivers/ethernet"
	"mirago.dev/sys/virtiospec"
)

// ErrBadFrame is returned by Transmit for a frame shorter than an
// Ethernet header or with a checksum position outside it.
const ErrBadFrame = Error("virtio: malformed frame")

// Ethernet sizes the driver needs to bound frames.
const (
	ethHeader  = 14
	ethVLANTag = 4
	defaultMTU = 1500
	minMTU     = 68 // the smallest IPv4 MTU (RFC 791)
)

// NetOptions tune a Net; the zero value is a good default.
type NetOptions struct {
	// QueueSize is the size of each queue; 0 lets the device choose, up
	// to DefaultQueueSize.
	QueueSize uint16
	// RxBufSize is the size of each receive buffer when the device
	// merges buffers (VIRTIO_NET_F_MRG_RXBUF); 0 means 2048. Without
	// merging every buffer holds a whole frame and this is ignored.
	RxBufSize int
	// Refuse lists feature bits not to negotiate even if offered.
	Refuse uint64
}

// NetStats counts frames and the ones dropped, by reason.
type NetStats struct {
	RxFrames, RxBytes uint64
	TxFrames, TxBytes uint64
	TxFull            uint64 // Transmit refused: no free transmit slot
	RxTooSmall        uint64 // Receive refused: caller's buffer too small
	RxRunt            uint64 // dropped: shorter than the virtio or Ethernet header
	RxTooLarge        uint64 // dropped: longer than the largest frame
	RxBadNumBuffers   uint64 // dropped: num_buffers 0 or more than can be posted
	RxBadLen          uint64 // dropped: the device's length exceeded the buffer
	RxBadCsum         uint64 // dropped: partial checksum position outside the frame
}

// Net is a virtio network device (§5.1): one receive and one transmit
// queue, frames copied between the caller's slices and buffers the
// driver owns. It negotiates VERSION_1, MAC, MTU, STATUS, MRG_RXBUF,
// CSUM, GUEST_CSUM and RING_EVENT_IDX when offered, and no segmentation
// offload, so no frame exceeds the MTU plus the Ethernet header.
//
// Net implements ethernet.Device. Receive and Transmit never block:
// with nothing received Receive returns ethernet.ErrNoFrame, with a full
// ring Transmit returns ethernet.ErrFull. The caller waits for an
// interrupt (or polls) and calls again. A frame the device mangled is
// dropped and counted in Stats.
type Net struct {
	dev      *Device
	rx, tx   *Queue
	mac      [6]byte
	hasMAC   bool
	mtu      int
	maxFrame int // largest Ethernet frame accepted or sent, without the virtio header
	mrg      bool
	txCsum   bool // the device completes partial checksums we send
	rxCsum   bool // the device may send partial checksums, or vouch for them

	rxBufs  []byte // rxCount buffers of rxSize bytes, one allocation
	rxPhys  uint64
	rxSize  int
	rxOwner []uint16 // receive buffer posted under each head
	rxIdle  []uint16 // receive buffers not posted
	txBufs  []byte
	txPhys  uint64
	txSize  int
	txOwner []uint16
	txIdle  []uint16

	// A frame spread over several merged buffers is gathered here.
	asm       []byte
	asmHdr    [virtiospec.NetHdrSize]byte
	asmLen    int
	asmLeft   int // buffers still to come; 0: no frame in progress
	asmTooBig bool

	Stats NetStats
}

var _ ethernet.Device = (*Net)(nil)

// NewNet sets up the network device behind t, fills its receive queue
// and sets DRIVER_OK.
func NewNet(t Transport, mem dma.Memory, o *NetOptions) (*Net, error) {
	if o == nil {
		o = &NetOptions{}
	}
	supported := bit(virtiospec.NetFMAC) | bit(virtiospec.NetFMTU) | bit(virtiospec.NetFStatus) |
		bit(virtiospec.NetFMrgRxbuf) | bit(virtiospec.NetFCsum) | bit(virtiospec.NetFGuestCsum) |
		bit(virtiospec.FRingEventIdx)
	dev, err := Init(t, mem, virtiospec.IDNet, supported&^o.Refuse)
	if err != nil {
		return nil, err
	}
	n := &Net{
		dev:    dev,
		mtu:    defaultMTU,
		mrg:    dev.Has(virtiospec.NetFMrgRxbuf),
		txCsum: dev.Has(virtiospec.NetFCsum),
		rxCsum: dev.Has(virtiospec.NetFGuestCsum),
		hasMAC: dev.Has(virtiospec.NetFMAC),
	}
	err = dev.ReadConfig(func(c Regs) {
		if n.hasMAC {
			for i := range n.mac {
				n.mac[i] = c.Read8(virtiospec.NetCfgMAC + uint32(i))
			}
		}
		if dev.Has(virtiospec.NetFMTU) {
			n.mtu = int(c.Read16(virtiospec.NetCfgMTU))
		}
	})
	if err != nil {
		dev.Fail()
		return nil, err
	}
	n.mtu = max(n.mtu, minMTU)
	n.maxFrame = ethHeader + ethVLANTag + n.mtu

	if n.rx, err = dev.SetupQueue(virtiospec.NetQueueRX, o.QueueSize); err == nil {
		n.tx, err = dev.SetupQueue(virtiospec.NetQueueTX, o.QueueSize)
	}
	if err != nil {
		dev.Fail()
		return nil, err
	}

	// Without merging, each buffer must hold the largest frame
	// (§5.1.6.3.1); with it, any size of at least the header will do.
	n.rxSize = virtiospec.NetHdrSize + n.maxFrame
	if n.mrg {
		n.rxSize = 2048
		if o.RxBufSize > 0 {
			n.rxSize = max(o.RxBufSize, virtiospec.NetHdrSize+1)
		}
		n.asm = make([]byte, n.maxFrame)
	}
	nrx := n.rx.Size()
	n.rxBufs, n.rxPhys = mem.Alloc(nrx*n.rxSize, 64)
	n.rxOwner = make([]uint16, nrx)
	n.rxIdle = make([]uint16, 0, nrx)
	for i := nrx - 1; i >= 0; i-- {
		n.rxIdle = append(n.rxIdle, uint16(i))
	}
	ntx := n.tx.Size()
	n.txSize = virtiospec.NetHdrSize + n.maxFrame
	n.txBufs, n.txPhys = mem.Alloc(ntx*n.txSize, 64)
	n.txOwner = make([]uint16, ntx)
	n.txIdle = make([]uint16, 0, ntx)
	for i := ntx - 1; i >= 0; i-- {
		n.txIdle = append(n.txIdle, uint16(i))
	}

	// Transmit takes back finished buffers itself (ReclaimTx), so no
	// one waits for the transmit queue's interrupts: each would only
	// wake the receiving goroutine for nothing.
	n.tx.DisableInterrupts()
	n.refill()
	dev.Ready()
	n.rx.Kick()
	return n, nil
}

// Device returns the underlying device.
func (n *Net) Device() *Device { return n.dev }

// Queues returns the receive and transmit queues, for interrupt
// control (EnableInterrupts, DisableInterrupts).
func (n *Net) Queues() (rx, tx *Queue) { return n.rx, n.tx }

// MAC returns the device's MAC address, if it has one.
func (n *Net) MAC() (mac [6]byte, ok bool) { return n.mac, n.hasMAC }

// MTU returns the largest IP packet the link carries.
func (n *Net) MTU() int { return n.mtu }

// MaxFrame returns the largest Ethernet frame (header included, virtio
// header excluded) that Receive returns and Transmit accepts.
func (n *Net) MaxFrame() int { return n.maxFrame }

// LinkUp reports the link state, or true if the device does not report
// one.
func (n *Net) LinkUp() bool {
	if !n.dev.Has(virtiospec.NetFStatus) {
		return true
	}
	var s uint16
	if n.dev.ReadConfig(func(c Regs) { s = c.Read16(virtiospec.NetCfgStatus) }) != nil {
		return false
	}
	return s&virtiospec.NetSLinkUp != 0
}

// rxBuf returns receive buffer b.
func (n *Net) rxBuf(b uint16) []byte {
	return n.rxBufs[int(b)*n.rxSize : (int(b)+1)*n.rxSize]
}

// refill posts every idle receive buffer.
func (n *Net) refill() {
	for len(n.rxIdle) > 0 {
		b := n.rxIdle[len(n.rxIdle)-1]
		head, err := n.rx.Add(Seg{Addr: n.rxPhys + uint64(b)*uint64(n.rxSize), Len: uint32(n.rxSize), Write: true})
		if err != nil {
			return
		}
		n.rxIdle = n.rxIdle[:len(n.rxIdle)-1]
		n.rxOwner[head] = b
	}
}

// Receive copies the next received frame, without the virtio header,
// into p and returns its length. valid reports that the frame's
// checksums need no checking: the device verified them
// (VIRTIO_NET_HDR_F_DATA_VALID), or the frame came with a partial
// checksum from a trusted local sender and the driver completed it.
//
// It returns ethernet.ErrNoFrame if no whole frame has arrived, and
// ErrFrameTooLarge, dropping the frame, if p is shorter than it
// (MaxFrame is always enough). Malformed frames are dropped silently
// and counted in Stats.
func (n *Net) Receive(p []byte) (size int, valid bool, err error) {
	defer func() {
		n.refill()
		n.rx.Kick()
	}()
	for {
		u, ok := n.rx.Pop()
		if !ok {
			if err := n.rx.Err(); err != nil {
				return 0, false, err
			}
			return 0, false, ethernet.ErrNoFrame
		}
		b := n.rxOwner[u.Head]
		n.rxIdle = append(n.rxIdle, b) // its bytes are read below, before any refill
		if u.Err != nil {
			n.Stats.RxBadLen++
			n.asmLeft = 0 // whatever was being gathered is suspect
			continue
		}
		data := n.rxBuf(b)[:u.Len]

		if n.asmLeft > 0 {
			// A further buffer of a merged frame.
			if n.asmLen+len(data) > len(n.asm) {
				n.asmTooBig = true
			} else {
				n.asmLen += copy(n.asm[n.asmLen:], data)
			}
			if n.asmLeft--; n.asmLeft > 0 {
				continue
			}
			if n.asmTooBig {
				n.Stats.RxTooLarge++
				continue
			}
			if size, valid, err, ok = n.deliver(n.asmHdr[:], n.asm[:n.asmLen], p); ok {
				return size, valid, err
			}
			continue
		}

		if len(data) < virtiospec.NetHdrSize {
			n.Stats.RxRunt++
			continue
		}
		hdr, frame := data[:virtiospec.NetHdrSize], data[virtiospec.NetHdrSize:]
		nbuf := 1
		if n.mrg {
			nbuf = int(le16(hdr[virtiospec.NetHdrOffNumBuffers:]))
			if nbuf == 0 || nbuf > n.rx.Size() {
				n.Stats.RxBadNumBuffers++
				continue
			}
		}
		if nbuf == 1 {
			if size, valid, err, ok = n.deliver(hdr, frame, p); ok {
				return size, valid, err
			}
			continue
		}
		// The first of several buffers: gather the frame in asm.
		n.asmLeft = nbuf - 1
		n.asmTooBig = len(frame) > len(n.asm)
		n.asmLen = copy(n.asm, frame)
		copy(n.asmHdr[:], hdr)
	}
}

// deliver checks a whole received frame and copies it into p. It
// reports ok=false if the frame was dropped, so Receive goes on to the
// next one.
func (n *Net) deliver(hdr, frame, p []byte) (size int, valid bool, err error, ok bool) {
	switch {
	case len(frame) < ethHeader:
		n.Stats.RxRunt++
		return 0, false, nil, false
	case len(frame) > n.maxFrame:
		n.Stats.RxTooLarge++
		return 0, false, nil, false
	case len(frame) > len(p):
		n.Stats.RxTooSmall++
		return 0, false, ErrFrameTooLarge, true
	}
	flags := hdr[virtiospec.NetHdrOffFlags]
	// The checksum flags mean something only if GUEST_CSUM was
	// negotiated; a device that sets them otherwise is ignored.
	valid = n.rxCsum && flags&virtiospec.NetHdrFDataValid != 0
	partial := n.rxCsum && flags&virtiospec.NetHdrFNeedsCsum != 0
	start := int(le16(hdr[virtiospec.NetHdrOffCsumStart:]))
	at := start + int(le16(hdr[virtiospec.NetHdrOffCsumOffset:]))
	if partial && at+2 > len(frame) {
		n.Stats.RxBadCsum++
		return 0, false, nil, false
	}
	size = copy(p, frame)
	if partial {
		// The frame comes from a local sender that left the
		// checksum to the hardware; complete it here so the stack
		// sees an ordinary frame (§5.1.6.4).
		putChecksum(p[:size], start, at)
		valid = true
	}
	n.Stats.RxFrames++
	n.Stats.RxBytes += uint64(size)
	return size, valid, nil, true
}

// putChecksum stores at b[at:at+2] the Internet checksum (RFC 1071) of
// b[start:], whose checksum field already holds the pseudo-header sum.
func putChecksum(b []byte, start, at int) {
	var sum uint32
	d := b[start:]
	for len(d) >= 2 {
		sum += uint32(d[0])<<8 | uint32(d[1])
		d = d[2:]
	}
	if len(d) == 1 {
		sum += uint32(d[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	c := ^uint16(sum)
	if c == 0 {
		c = 0xffff // 0 means "no checksum" to UDP; the same value to TCP
	}
	b[at], b[at+1] = byte(c>>8), byte(c)
}

// Transmit queues frame, a whole Ethernet frame, for sending and
// notifies the device. It returns ethernet.ErrFull if every transmit
// buffer is still with the device.
func (n *Net) Transmit(frame []byte) error {
	return n.transmit(frame, -1, -1)
}

// TransmitPartial is Transmit for a frame whose L4 checksum is not
// computed yet: its field, at csumStart+csumOffset, holds the
// pseudo-header sum, and the checksum covers frame[csumStart:]. The
// device completes it if it offered VIRTIO_NET_F_CSUM; otherwise the
// driver does, before queueing.
func (n *Net) TransmitPartial(frame []byte, csumStart, csumOffset int) error {
	if csumStart < 0 || csumOffset < 0 || csumStart+csumOffset+2 > len(frame) {
		return ErrBadFrame
	}
	return n.transmit(frame, csumStart, csumOffset)
}

func (n *Net) transmit(frame []byte, csumStart, csumOffset int) error {
	if len(frame) < ethHeader {
		return ErrBadFrame
	}
	if len(frame) > n.maxFrame {
		return ErrFrameTooLarge
	}
	n.ReclaimTx()
	if err := n.tx.Err(); err != nil {
		return err
	}
	if len(n.txIdle) == 0 {
		n.Stats.TxFull++
		return ethernet.ErrFull
	}
	slot := n.txIdle[len(n.txIdle)-1]
	buf := n.txBufs[int(slot)*n.txSize : int(slot)*n.txSize+virtiospec.NetHdrSize+len(frame)]
	hdr := buf[:virtiospec.NetHdrSize]
	clear(hdr)
	copy(buf[virtiospec.NetHdrSize:], frame)
	if csumStart >= 0 {
		if n.txCsum {
			hdr[virtiospec.NetHdrOffFlags] = virtiospec.NetHdrFNeedsCsum
			put16(hdr[virtiospec.NetHdrOffCsumStart:], uint16(csumStart))
			put16(hdr[virtiospec.NetHdrOffCsumOffset:], uint16(csumOffset))
		} else {
			putChecksum(buf[virtiospec.NetHdrSize:], csumStart, csumStart+csumOffset)
		}
	}
	head, err := n.tx.Add(Seg{Addr: n.txPhys + uint64(slot)*uint64(n.txSize), Len: uint32(len(buf))})
	if err != nil {
		if err == ErrQueueFull {
			n.Stats.TxFull++
			return ethernet.ErrFull
		}
		return err
	}
	n.txIdle = n.txIdle[:len(n.txIdle)-1]
	n.txOwner[head] = slot
	n.Stats.TxFrames++
	n.Stats.TxBytes += uint64(len(frame))
	n.tx.Kick()
	return nil
}

// ReclaimTx takes back the transmit buffers the device has finished
// with. Transmit calls it, and a sender that found the queue full may
// call it after a while: the transmit queue does not interrupt.
func (n *Net) ReclaimTx() {
	for {
		u, ok := n.tx.Pop()
		if !ok {
			return
		}
		n.txIdle = append(n.txIdle, n.txOwner[u.Head])
	}
}
