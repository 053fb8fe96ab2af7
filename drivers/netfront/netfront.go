// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package netfront is the frontend of Xen's paravirtual network device
// (xen/include/public/io/netif.h): an Ethernet device whose backend,
// netback in another domain, moves frames through two shared rings.
// It implements ethernet.Device, so the network stack's link endpoint
// uses it as it uses virtio-net.
//
// Receive uses the copying mode every current backend offers
// (feature-rx-copy, request-rx-copy): the frontend posts pages it has
// granted to the backend on the receive ring, the backend copies each
// frame into one and answers in the same ring slot with the offset,
// length and checksum flags. Transmit copies each frame into a page
// granted read-only to the backend and posts it on the transmit ring.
// No segmentation or checksum offload is asked for: frames never exceed
// a page, and the stack computes checksums. A frame spread over several
// receive slots (NETRXF_more_data, which the backend uses only if the
// frontend offers feature-sg, which this one does not) is dropped
// whole and counted.
//
// Buffers stay granted for the device's life, so the hot path makes no
// grant-table calls. A frame's buffer is reused only after the backend
// answered for it.
//
// Timeouts are int64 nanoseconds, measured by the xenstore client's
// clock: the package does not import time, because the standard
// library vendors it below package syscall.
package netfront

import (
	"strconv"
	"strings"
	"sync"

	"mirago.dev/drivers/ethernet"
	"mirago.dev/drivers/gnttab"
	"mirago.dev/drivers/xenbus"
	"mirago.dev/drivers/xenring"
	"mirago.dev/drivers/xenstore"
	"mirago.dev/sys/xen"
)

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrNoRxCopy is returned by New when the backend does not offer
	// feature-rx-copy.
	ErrNoRxCopy = Error("netfront: backend cannot copy received frames (no feature-rx-copy)")
	// ErrBadMAC is returned by New for a missing or malformed "mac".
	ErrBadMAC = Error("netfront: bad MAC address in xenstore")
	// ErrFrameTooLarge is returned by Transmit for a frame longer
	// than MaxFrame, and by Receive (dropping the frame) when p is
	// shorter than it.
	ErrFrameTooLarge = Error("netfront: frame too large")
	// ErrBadFrame is returned by Transmit for a frame shorter than
	// an Ethernet header.
	ErrBadFrame = Error("netfront: frame shorter than an Ethernet header")
)

// Ethernet sizes.
const (
	ethHeader  = 14
	ethVLANTag = 4
	defaultMTU = 1500
	minMTU     = 68
)

// Config says where the device is and what the hypervisor provides,
// and how many buffers to use.
type Config struct {
	xenbus.Device
	// RxBuffers and TxBuffers are the pages posted for receiving and
	// the frames in flight for sending; 0 means 64 each, at most the
	// ring size (256).
	RxBuffers, TxBuffers int
}

// Stats counts frames, and the ones dropped by reason.
type Stats struct {
	RxFrames, RxBytes uint64
	TxFrames, TxBytes uint64
	TxFull            uint64 // Transmit refused: every buffer in flight
	TxErrors          uint64 // the backend reported a transmit error or drop
	TxBadID           uint64 // transmit responses naming no frame in flight
	RxErrors          uint64 // receive responses with an error status
	RxBadID           uint64 // receive responses whose id is not their slot's
	RxBadLen          uint64 // offset and length outside the page, or zero
	RxRunt            uint64 // shorter than an Ethernet header
	RxTooLarge        uint64 // longer than the largest frame
	RxTooSmall        uint64 // Receive's buffer too small: dropped
	RxMultiSlot       uint64 // frames spread over several slots: dropped
	RxExtra           uint64 // extra-info slots skipped
}

// Net is a netfront device.
type Net struct {
	fe      *xenbus.Frontend
	grants  *gnttab.Table
	backend uint16
	ev      xenring.EventChannel
	timeout int64
	mac     [6]byte
	mtu     int
	max     int // largest frame

	// Receive side: used by one goroutine at a time (the driver's).
	rx      *xenring.Front
	rxRing  gnttab.Ref
	rxPages []byte
	rxRefs  []gnttab.Ref
	rxSlot  []int32 // per ring slot: the buffer posted there, -1 for none
	rxIdle  []int32
	rxExtra bool // the next slot holds extra info
	rxSkip  bool // the next slot continues a dropped frame

	// Transmit side, under txMu.
	txMu    sync.Mutex
	tx      *xenring.Front
	txRing  gnttab.Ref
	txPages []byte
	txRefs  []gnttab.Ref
	txIDs   *xenring.IDs

	statsMu sync.Mutex
	stats   Stats
}

var _ ethernet.Device = (*Net)(nil)

// New connects to the device's backend: it reads the MAC address and
// the backend's features, sets up and grants the rings and buffers,
// allocates the event channel, publishes them and waits for the
// backend to connect.
func New(cfg Config) (*Net, error) {
	fe, err := cfg.Open()
	if err != nil {
		return nil, err
	}
	n := &Net{fe: fe, grants: cfg.Grants, backend: fe.BackendID(), timeout: cfg.Timeout, mtu: defaultMTU}
	if err := n.setup(cfg); err != nil {
		n.teardown()
		return nil, err
	}
	return n, nil
}

func (n *Net) setup(cfg Config) error {
	fe := n.fe
	if _, err := fe.WaitBackend(cfg.Timeout, xenbus.InitWait, xenbus.Connected); err != nil {
		return err
	}
	if !fe.BackendFeature("feature-rx-copy") {
		return ErrNoRxCopy
	}
	s, err := fe.Read("mac")
	if err == xenstore.ENOENT {
		s, err = fe.ReadBackend("mac")
	}
	if err != nil {
		if err == xenstore.ENOENT {
			return ErrBadMAC
		}
		return err
	}
	if n.mac, err = ParseMAC(s); err != nil {
		return err
	}
	if m, err := fe.ReadBackendUint("mtu"); err == nil && m >= minMTU && m <= defaultMTU {
		n.mtu = int(m)
	}
	n.max = ethHeader + ethVLANTag + n.mtu

	// The rings, granted read-write: the backend writes responses.
	rings := gnttab.AllocPages(2)
	txPage, rxPage := rings[:xen.PageSize], rings[xen.PageSize:]
	if n.tx, err = xenring.NewFront(txPage, xen.NetifTxEntrySize); err != nil {
		return err
	}
	if n.rx, err = xenring.NewFront(rxPage, xen.NetifRxEntrySize); err != nil {
		return err
	}
	if n.txRing, err = n.grants.Grant(n.backend, cfg.Frame(txPage), false); err != nil {
		return err
	}
	if n.rxRing, err = n.grants.Grant(n.backend, cfg.Frame(rxPage), false); err != nil {
		return err
	}

	nrx := clampBuffers(cfg.RxBuffers, n.rx.Size())
	ntx := clampBuffers(cfg.TxBuffers, n.tx.Size())
	if n.rxPages, n.rxRefs, err = n.grantPages(cfg, nrx, false); err != nil {
		return err
	}
	if n.txPages, n.txRefs, err = n.grantPages(cfg, ntx, true); err != nil {
		return err
	}
	n.rxSlot = make([]int32, n.rx.Size())
	for i := range n.rxSlot {
		n.rxSlot[i] = -1
	}
	for b := nrx - 1; b >= 0; b-- {
		n.rxIdle = append(n.rxIdle, int32(b))
	}
	n.txIDs = xenring.NewIDs(ntx)

	if n.ev, err = cfg.Events.AllocUnbound(n.backend); err != nil {
		return err
	}
	n.refill(false)

	kv := func(k, v string) xenbus.KV { return xenbus.KV{Key: k, Value: v} }
	keys := []xenbus.KV{
		kv("tx-ring-ref", strconv.FormatUint(uint64(n.txRing), 10)),
		kv("rx-ring-ref", strconv.FormatUint(uint64(n.rxRing), 10)),
		kv("event-channel", strconv.FormatUint(uint64(n.ev.Port()), 10)),
		kv("request-rx-copy", "1"),
		kv("feature-rx-notify", "1"),
		kv("feature-sg", "0"),
		kv("feature-gso-tcpv4", "0"),
		kv("feature-gso-tcpv6", "0"),
		kv("feature-no-csum-offload", "1"),
		kv("feature-ipv6-csum-offload", "0"),
	}
	// netback connects when the frontend says Connected.
	if err := fe.Publish(keys, xenbus.Connected); err != nil {
		return err
	}
	if _, err := fe.WaitBackend(cfg.Timeout, xenbus.Connected); err != nil {
		return err
	}
	n.ev.Notify() // the receive buffers posted before the backend looked
	return nil
}

func clampBuffers(n, ring int) int {
	if n <= 0 {
		n = 64
	}
	return min(n, ring)
}

// grantPages allocates n pages and grants each to the backend.
func (n *Net) grantPages(cfg Config, count int, readonly bool) ([]byte, []gnttab.Ref, error) {
	pages := gnttab.AllocPages(count)
	refs := make([]gnttab.Ref, count)
	for i := range refs {
		r, err := n.grants.Grant(n.backend, cfg.Frame(pages[i*xen.PageSize:(i+1)*xen.PageSize]), readonly)
		if err != nil {
			for _, r := range refs[:i] {
				n.grants.EndLater(r, nil)
			}
			return nil, nil, err
		}
		refs[i] = r
	}
	return pages, refs, nil
}

// teardown ends the grants made so far, once the backend lets go.
func (n *Net) teardown() {
	for _, r := range []gnttab.Ref{n.txRing, n.rxRing} {
		if r != 0 {
			n.grants.EndLater(r, nil)
		}
	}
	for _, r := range n.rxRefs {
		n.grants.EndLater(r, nil)
	}
	for _, r := range n.txRefs {
		n.grants.EndLater(r, nil)
	}
	n.fe.SetState(xenbus.Closed)
}

// Close disconnects from the backend and ends the grants (at once, or
// when the backend unmaps them). The device cannot be used after.
func (n *Net) Close() error {
	err := n.fe.Close(n.timeout)
	n.teardown()
	return err
}

// ParseMAC parses a MAC address as xenstore holds it,
// "aa:bb:cc:dd:ee:ff". It rejects other forms, the zero address and
// multicast addresses.
func ParseMAC(s string) ([6]byte, error) {
	var mac [6]byte
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return mac, ErrBadMAC
	}
	for i, p := range parts {
		if len(p) != 2 {
			return mac, ErrBadMAC
		}
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return mac, ErrBadMAC
		}
		mac[i] = byte(v)
	}
	if mac == [6]byte{} || mac[0]&1 != 0 {
		return mac, ErrBadMAC
	}
	return mac, nil
}

// MAC returns the device's address.
func (n *Net) MAC() ([6]byte, bool) { return n.mac, true }

// MTU returns the largest IP packet the device carries.
func (n *Net) MTU() int { return n.mtu }

// MaxFrame returns the largest frame, with its Ethernet header and a
// VLAN tag.
func (n *Net) MaxFrame() int { return n.max }

// EventChannel returns the device's event channel, on which the driver
// goroutine waits for frames.
func (n *Net) EventChannel() xenring.EventChannel { return n.ev }

// Stats returns a copy of the counters.
func (n *Net) Stats() Stats {
	n.statsMu.Lock()
	defer n.statsMu.Unlock()
	return n.stats
}

func (n *Net) count(f func(*Stats)) {
	n.statsMu.Lock()
	f(&n.stats)
	n.statsMu.Unlock()
}

// Err returns xenring.ErrBroken once the backend broke either ring.
func (n *Net) Err() error {
	if err := n.rx.Err(); err != nil {
		return err
	}
	n.txMu.Lock()
	defer n.txMu.Unlock()
	return n.tx.Err()
}

// refill posts every idle receive buffer, and notifies the backend if
// it asked and notify is set.
func (n *Net) refill(notify bool) {
	for len(n.rxIdle) > 0 {
		slot, idx, ok := n.rx.Request()
		if !ok {
			break
		}
		b := n.rxIdle[len(n.rxIdle)-1]
		n.rxIdle = n.rxIdle[:len(n.rxIdle)-1]
		s := idx & uint32(n.rx.Size()-1)
		n.rxSlot[s] = b
		put16(slot[xen.NetifRxOffID:], uint16(s))
		put16(slot[2:], 0)
		put32(slot[xen.NetifRxOffGref:], n.rxRefs[b])
	}
	if n.rx.Push() && notify {
		n.ev.Notify()
	}
}

// Receive copies the next received frame into p and returns its length.
// valid reports that the backend vouched for its checksums: it checked
// them (NETRXF_data_validated), or the frame comes from a local sender
// that left them blank (NETRXF_csum_blank) and nothing will check them
// on the way. It returns ethernet.ErrNoFrame when none is waiting.
func (n *Net) Receive(p []byte) (size int, valid bool, err error) {
	defer n.refill(true)
	var rsp [xen.NetifRxEntrySize]byte
	for {
		idx, ok := n.rx.Response(rsp[:])
		if !ok {
			if err := n.rx.Err(); err != nil {
				return 0, false, err
			}
			return 0, false, ethernet.ErrNoFrame
		}
		s := idx & uint32(n.rx.Size()-1)
		b := n.rxSlot[s]
		n.rxSlot[s] = -1
		if b < 0 {
			// Cannot happen: the ring lets no response through
			// beyond the requests posted, and each posted
			// request's slot holds its buffer.
			continue
		}
		n.rxIdle = append(n.rxIdle, b) // its bytes are copied below, before any refill

		if n.rxExtra {
			// An extra-info slot overlaying a response; its flags
			// byte says whether another follows.
			n.rxExtra = rsp[1]&xen.NetifExtraFlagMore != 0
			n.count(func(s *Stats) { s.RxExtra++ })
			continue
		}
		id := le16(rsp[xen.NetifRxRspOffID:])
		off := int(le16(rsp[xen.NetifRxRspOffOffset:]))
		flags := le16(rsp[xen.NetifRxRspOffFlags:])
		status := int(int16(le16(rsp[xen.NetifRxRspOffStatus:])))
		n.rxExtra = flags&xen.NETRXFExtraInfo != 0
		if n.rxSkip {
			n.rxSkip = flags&xen.NETRXFMoreData != 0
			continue
		}
		if flags&xen.NETRXFMoreData != 0 {
			n.rxSkip = true
			n.count(func(s *Stats) { s.RxMultiSlot++ })
			continue
		}
		switch {
		case uint32(id) != s:
			n.count(func(s *Stats) { s.RxBadID++ })
			continue
		case status < 0:
			n.count(func(s *Stats) { s.RxErrors++ })
			continue
		case status == 0 || off+status > xen.PageSize:
			n.count(func(s *Stats) { s.RxBadLen++ })
			continue
		case status < ethHeader:
			n.count(func(s *Stats) { s.RxRunt++ })
			continue
		case status > n.max:
			n.count(func(s *Stats) { s.RxTooLarge++ })
			continue
		case status > len(p):
			n.count(func(s *Stats) { s.RxTooSmall++ })
			return 0, false, ErrFrameTooLarge
		}
		page := n.rxPages[int(b)*xen.PageSize : (int(b)+1)*xen.PageSize]
		size = copy(p, page[off:off+status])
		valid = flags&(xen.NETRXFDataValidated|xen.NETRXFCsumBlank) != 0
		n.count(func(s *Stats) { s.RxFrames++; s.RxBytes += uint64(size) })
		return size, valid, nil
	}
}

// Transmit copies frame into a transmit buffer and posts it. It returns
// ethernet.ErrFull if every buffer is still with the backend.
func (n *Net) Transmit(frame []byte) error {
	if len(frame) < ethHeader {
		return ErrBadFrame
	}
	if len(frame) > n.max {
		return ErrFrameTooLarge
	}
	n.txMu.Lock()
	defer n.txMu.Unlock()
	n.reclaim()
	if err := n.tx.Err(); err != nil {
		return err
	}
	if n.tx.Free() == 0 {
		n.count(func(s *Stats) { s.TxFull++ })
		return ethernet.ErrFull
	}
	id, ok := n.txIDs.Get()
	if !ok {
		n.count(func(s *Stats) { s.TxFull++ })
		return ethernet.ErrFull
	}
	copy(n.txPages[int(id)*xen.PageSize:], frame)
	slot, _, _ := n.tx.Request() // Free was checked
	put32(slot[xen.NetifTxOffGref:], n.txRefs[id])
	put16(slot[xen.NetifTxOffOffset:], 0)
	put16(slot[xen.NetifTxOffFlags:], 0)
	put16(slot[xen.NetifTxOffID:], id)
	put16(slot[xen.NetifTxOffSize:], uint16(len(frame)))
	if n.tx.Push() {
		n.ev.Notify()
	}
	n.count(func(s *Stats) { s.TxFrames++; s.TxBytes += uint64(len(frame)) })
	return nil
}

// ReclaimTx takes back the buffers of frames the backend has sent.
func (n *Net) ReclaimTx() {
	n.txMu.Lock()
	n.reclaim()
	n.txMu.Unlock()
}

func (n *Net) reclaim() {
	var rsp [xen.NetifTxEntrySize]byte
	for {
		// Reclaim asks for no event: Transmit takes buffers back
		// itself, and an event would only wake the receive side.
		if _, ok := n.tx.Reclaim(rsp[:]); !ok {
			return
		}
		id := le16(rsp[xen.NetifTxRspOffID:])
		status := int16(le16(rsp[xen.NetifTxRspOffStatus:]))
		if status == xen.NetifRspNull {
			continue // the answer to an extra-info slot; we send none
		}
		if !n.txIDs.Put(uint64(id)) {
			n.count(func(s *Stats) { s.TxBadID++ })
			continue
		}
		if status != xen.NetifRspOkay {
			n.count(func(s *Stats) { s.TxErrors++ })
		}
	}
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

func put16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
