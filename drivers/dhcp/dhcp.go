// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package dhcp is a DHCPv4 client (RFC 2131, options from RFC 2132) for
// bringing up a unikernel's network interface.
//
// It works in whole Ethernet frames because it runs before the TCP/IP
// stack has an address: the caller gives it a function that sends
// frames and a channel of the received frames that IsReply picks out,
// and gets back a Lease to configure the stack with. The client starts
// no goroutines and keeps no state between calls. Keeping the lease is
// the caller's job: call Renew at Lease.T1, Renew with rebind at
// Lease.T2, and give up the address when Lease.Lifetime runs out.
//
// The package imports only a few standard packages, so that it can be
// vendored into the standard library.
package dhcp

import (
	"context"
	"net/netip"
	"time"
)

// Error is the error type of this package's constant errors.
type Error string

func (e Error) Error() string { return string(e) }

// Errors returned by the client.
const (
	// ErrNAK is returned by Renew when the server refuses to extend the
	// lease. The address must no longer be used; call Acquire.
	ErrNAK = Error("dhcp: server refused the lease (NAK)")

	ErrNoSend     = Error("dhcp: Config.Send is nil")
	ErrBadMAC     = Error("dhcp: Config.MAC is not a unicast Ethernet address")
	ErrNoAddr     = Error("dhcp: lease has no usable address")
	ErrNoServer   = Error("dhcp: lease has no server to renew with; rebind instead")
	ErrRecvClosed = Error("dhcp: receive channel closed")

	// errNoAnswer ends a wait whose retransmissions are used up.
	errNoAnswer = Error("dhcp: no answer")
)

const (
	defaultTimeout = 500 * time.Millisecond
	maxTimeout     = 4 * time.Second

	// requestTries is how many times Acquire sends a REQUEST before it
	// starts over with a DISCOVER, in case the server that made the
	// offer went away and another could answer.
	requestTries = 5
)

// Infinite is the Lifetime of a lease that never ends (0xffffffff
// seconds in option 51), and then also its T1 and T2.
const Infinite time.Duration = 1<<63 - 1

// A Lease is what a server granted: an address and the parameters to
// configure the interface with.
type Lease struct {
	// Addr is the address with the subnet's prefix length, from the
	// subnet mask (option 1). If the server sent no mask, or one whose
	// ones are not contiguous, the prefix is the one of the address's
	// class (RFC 791: A /8, B /16, C /24), which is what hosts assumed
	// before subnetting and what other clients fall back to as well.
	Addr netip.Prefix
	// Router is the first router in option 3, invalid if none. It need
	// not be inside Addr: some clouds grant a /32 and a router that the
	// caller has to reach with an on-link route.
	Router netip.Addr
	// DNS lists the name servers of option 6.
	DNS []netip.Addr
	// Domain is the domain name of option 15, for resolv.conf's search
	// list. It is empty unless it looks like a DNS name (letters, digits,
	// '-', '_' and '.'): a server could otherwise add lines of its own to
	// resolv.conf with a newline.
	Domain string
	// MTU is the interface MTU of option 26, 0 if absent or below the
	// IPv4 minimum of 68.
	MTU int
	// Server is the server identifier (option 54): the server to renew
	// with.
	Server netip.Addr
	// ServerMAC is the Ethernet source of the ACK, to which renewals are
	// sent. For a server behind a relay it is the relay's, which is the
	// right next hop to the server too.
	ServerMAC [6]byte
	// Lifetime is the lease time (option 51), counted from when Acquire
	// or Renew returned (the server counts from one round trip
	// earlier); Infinite for a lease that does not expire. A
	// server that sends none (which RFC 2131 does not allow) gets one
	// hour, so the client asks again rather than holding on forever.
	Lifetime time.Duration
	// T1 and T2 are when to renew (with the granting server) and to
	// rebind (with any server), from options 58 and 59. RFC 2131 §4.4.5
	// defaults them to 0.5 and 0.875 of Lifetime, used here also when
	// the server's are not in order (T1 <= T2 <= Lifetime).
	T1, T2 time.Duration
}

// Config is what the client needs to know about the interface and how
// to talk on it.
type Config struct {
	// MAC is the interface's Ethernet address, sent as the hardware
	// address and in the client identifier (option 61).
	MAC [6]byte
	// Hostname, if not empty, is sent in option 12 so that a server
	// that also serves DNS (dnsmasq) can register the name. It is cut at
	// 255 bytes.
	Hostname string
	// XID is the transaction ID. The caller supplies it because the
	// package has no random source it could rely on this early in boot;
	// it should be random, so that unikernels booted at the same moment
	// from the same image do not take each other's replies, and fresh
	// for each call. Acquire uses XID+1, XID+2, ... when a server
	// refuses its request and it has to start over.
	XID uint32
	// Send transmits one whole Ethernet frame. It may keep frame: the
	// client does not change a frame once sent. An error is taken as a
	// lost frame; the client sends again at the next retransmission,
	// and reports the last error if no answer comes.
	Send func(frame []byte) error
	// Timeout is the first retransmission timeout; 0 means 500ms. It
	// doubles with each retransmission up to 4s, or Timeout if larger.
	// RFC 2131 §4.1 suggests 4s to 64s, meant for busy shared networks;
	// a unikernel mostly asks its hypervisor's server, one hop away,
	// and should not take seconds more to boot for one lost frame.
	Timeout time.Duration
}

// A client is a checked Config and the timeouts derived from it.
type client struct {
	mac        [6]byte
	hostname   string
	send       func([]byte) error
	timeout    time.Duration
	maxTimeout time.Duration
}

func newClient(c *Config) (*client, error) {
	if c == nil || c.Send == nil {
		return nil, ErrNoSend
	}
	if c.MAC[0]&1 != 0 || c.MAC == [6]byte{} {
		return nil, ErrBadMAC
	}
	cl := &client{mac: c.MAC, hostname: c.Hostname, send: c.Send, timeout: c.Timeout}
	if cl.timeout <= 0 {
		cl.timeout = defaultTimeout
	}
	cl.maxTimeout = max(cl.timeout, maxTimeout)
	return cl, nil
}

// Acquire gets a lease: it broadcasts a DISCOVER, requests the first
// address offered, and returns the lease when the server acknowledges
// it (RFC 2131 §3.1). If the server refuses (NAK), it waits one Timeout
// and starts over, so that a confused server cannot make it spin.
//
// Acquire reads received frames from recv, ignoring any that are not
// the answer it waits for, and sends again whenever the timeout runs
// out. It returns when it has a lease or ctx is done; then the error
// says what was missing ("no offer from any server") and wraps
// ctx.Err().
//
// Acquire does not check that no other host uses the address (with
// ARP, RFC 2131 §4.4.1): the hypervisor's server is trusted to know.
func Acquire(ctx context.Context, c *Config, recv <-chan []byte) (Lease, error) {
	cl, err := newClient(c)
	if err != nil {
		return Lease{}, err
	}
	for xid := c.XID; ; xid++ {
		offer, err := cl.discover(ctx, recv, xid)
		if err != nil {
			return Lease{}, err
		}
		l, err := cl.request(ctx, recv, xid, offer)
		switch err {
		case nil:
			return l, nil
		case errNoAnswer:
			// Start over at once.
		case ErrNAK:
			t := time.NewTimer(cl.timeout)
			select {
			case <-ctx.Done():
				t.Stop()
				return Lease{}, &waitError{"every offered address was refused (NAK)", ctx.Err(), nil}
			case <-t.C:
			}
		default:
			return Lease{}, err
		}
	}
}

// discover broadcasts DISCOVER messages until a server offers an
// address, and returns the offer.
func (cl *client) discover(ctx context.Context, recv <-chan []byte, xid uint32) (*message, error) {
	o := outgoing{
		typ:       msgDiscover,
		xid:       xid,
		broadcast: true,
		params:    true,
		srcIP:     zeroIP,
		dstIP:     broadcastIP,
		dstMAC:    broadcastMAC,
	}
	return cl.exchange(ctx, recv, o.encode(cl.mac, cl.hostname), 0, "no offer from any server", func(m *message) bool {
		// An offer without a server identifier cannot be requested.
		return cl.answers(m, xid) && m.typ == msgOffer && unicast(m.yiaddr) && unicast(m.addrOption(optServerID))
	})
}

// request asks for the address in offer (the SELECTING state) and
// returns the lease if the server acknowledges it. It returns ErrNAK if
// the server refuses, and errNoAnswer if it does not answer at all.
func (cl *client) request(ctx context.Context, recv <-chan []byte, xid uint32, offer *message) (Lease, error) {
	server := offer.addrOption(optServerID)
	o := outgoing{
		typ:       msgRequest,
		xid:       xid,
		broadcast: true,
		params:    true,
		requested: offer.yiaddr,
		server:    server,
		srcIP:     zeroIP,
		dstIP:     broadcastIP,
		dstMAC:    broadcastMAC,
	}
	var l Lease
	m, err := cl.exchange(ctx, recv, o.encode(cl.mac, cl.hostname), requestTries, "no answer to request from "+server.String(), func(m *message) bool {
		if !cl.answers(m, xid) {
			return false
		}
		if id := m.addrOption(optServerID); id.IsValid() && id != server {
			return false // another server's business
		}
		switch m.typ {
		case msgNAK:
			return true
		case msgACK:
			var ok bool
			l, ok = leaseFrom(m, server)
			return ok && l.Addr.Addr() == offer.yiaddr
		}
		return false
	})
	if err != nil {
		return Lease{}, err
	}
	if m.typ == msgNAK {
		return Lease{}, ErrNAK
	}
	return l, nil
}

// Renew asks to extend l. Unless rebind, it is in the RENEWING state
// (RFC 2131 §4.4.5): the request goes to l.Server alone, by unicast to
// l.ServerMAC (or broadcast, if that is zero). With rebind it is in the
// REBINDING state, for when that server has not answered by T2: the
// request is broadcast and any server may answer.
//
// Renew returns the extended lease, with everything the server sent
// again, or ErrNAK if the server refused; then the address must no
// longer be used. It waits for an answer until ctx is done, which the
// caller should arrange for T2 when renewing and for the end of the
// lease when rebinding.
func Renew(ctx context.Context, c *Config, l Lease, recv <-chan []byte, rebind bool) (Lease, error) {
	cl, err := newClient(c)
	if err != nil {
		return Lease{}, err
	}
	addr := l.Addr.Addr()
	if !unicast(addr) {
		return Lease{}, ErrNoAddr
	}
	// The client has an address now: it sends from it and says so in
	// ciaddr, and the server answers to it. Options 50 and 54 must not be
	// sent (RFC 2131 §4.3.2).
	o := outgoing{
		typ:    msgRequest,
		xid:    c.XID,
		params: true,
		ciaddr: addr,
		srcIP:  addr,
		dstIP:  broadcastIP,
		dstMAC: broadcastMAC,
	}
	what := "no answer to rebinding request"
	if !rebind {
		if !unicast(l.Server) {
			return Lease{}, ErrNoServer
		}
		o.dstIP = l.Server
		if l.ServerMAC != [6]byte{} {
			o.dstMAC = l.ServerMAC
		}
		what = "no answer to renewal from " + l.Server.String()
	}
	var nl Lease
	m, err := cl.exchange(ctx, recv, o.encode(cl.mac, cl.hostname), 0, what, func(m *message) bool {
		if !cl.answers(m, c.XID) {
			return false
		}
		id := m.addrOption(optServerID)
		if !rebind && id.IsValid() && id != l.Server {
			return false
		}
		switch m.typ {
		case msgNAK:
			return true
		case msgACK:
			server := l.Server
			if rebind {
				server = m.srcIP // a new server, without option 54
			}
			var ok bool
			nl, ok = leaseFrom(m, server)
			return ok && nl.Addr.Addr() == addr
		}
		return false
	})
	if err != nil {
		return Lease{}, err
	}
	if m.typ == msgNAK {
		return Lease{}, ErrNAK
	}
	return nl, nil
}

// Release tells l's server that the client gives up its address, so
// that the server can grant it again at once, as a unikernel shutting
// down cleanly should (RFC 2131 §4.4.6). The server does not answer, so
// Release only sends, once. The caller must stop using the address.
func Release(c *Config, l Lease) error {
	cl, err := newClient(c)
	if err != nil {
		return err
	}
	addr := l.Addr.Addr()
	if !unicast(addr) {
		return ErrNoAddr
	}
	if !unicast(l.Server) {
		return ErrNoServer
	}
	o := outgoing{
		typ:    msgRelease,
		xid:    c.XID,
		ciaddr: addr,
		server: l.Server,
		srcIP:  addr,
		dstIP:  l.Server,
		dstMAC: broadcastMAC,
	}
	if l.ServerMAC != [6]byte{} {
		o.dstMAC = l.ServerMAC
	}
	return cl.send(o.encode(cl.mac, ""))
}

// exchange sends frame and waits for a message that accept takes,
// sending frame again each time the timeout runs out, the timeout
// doubling each time up to cl.maxTimeout. It gives up with errNoAnswer
// after tries sends if tries > 0, and when ctx is done with an error
// that says "dhcp: "+what.
func (cl *client) exchange(ctx context.Context, recv <-chan []byte, frame []byte, tries int, what string, accept func(*message) bool) (*message, error) {
	if err := ctx.Err(); err != nil {
		return nil, &waitError{what, err, nil}
	}
	timeout := cl.timeout
	sendErr := cl.send(frame)
	sent := 1
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, &waitError{what, ctx.Err(), sendErr}
		case <-t.C:
			if tries > 0 && sent >= tries {
				return nil, errNoAnswer
			}
			sendErr = cl.send(frame)
			sent++
			timeout = min(2*timeout, cl.maxTimeout)
			t.Reset(timeout)
		case f, ok := <-recv:
			if !ok {
				return nil, ErrRecvClosed
			}
			if m, ok := parse(f); ok && accept(&m) {
				return &m, nil
			}
		}
	}
}

// answers reports whether m is a server's reply in transaction xid to
// this client. Whatever else it is, it is not for us.
func (cl *client) answers(m *message, xid uint32) bool {
	return m.op == bootReply &&
		m.srcPort == serverPort && m.dstPort == clientPort &&
		m.xid == xid &&
		m.htype == htypeEther && m.hlen == 6 &&
		[6]byte(m.chaddr[:6]) == cl.mac
}

// A waitError says which answer never came. It wraps the context's
// error, and the last error from Send, if any, which is often the real
// reason.
type waitError struct {
	what    string
	ctxErr  error
	sendErr error
}

func (e *waitError) Error() string {
	s := "dhcp: " + e.what + ": " + e.ctxErr.Error()
	if e.sendErr != nil {
		s += " (last send: " + e.sendErr.Error() + ")"
	}
	return s
}

func (e *waitError) Unwrap() []error {
	if e.sendErr == nil {
		return []error{e.ctxErr}
	}
	return []error{e.ctxErr, e.sendErr}
}

// leaseFrom returns the lease granted by the ACK m, or false if m
// grants no usable address. server is the server identifier to assume
// if m has none.
func leaseFrom(m *message, server netip.Addr) (Lease, bool) {
	if !unicast(m.yiaddr) {
		return Lease{}, false
	}
	var l Lease
	bits := maskBits(m.option(optSubnetMask))
	if bits < 0 {
		bits = classfulBits(m.yiaddr)
	}
	l.Addr = netip.PrefixFrom(m.yiaddr, bits)
	if v := m.option(optRouter); len(v) >= 4 && len(v)%4 == 0 {
		if a := netip.AddrFrom4([4]byte(v)); unicast(a) {
			l.Router = a
		}
	}
	if v := m.option(optDNS); len(v)%4 == 0 {
		for ; len(v) > 0; v = v[4:] {
			if a := netip.AddrFrom4([4]byte(v)); unicast(a) {
				l.DNS = append(l.DNS, a)
			}
		}
	}
	l.Domain = domainName(m.option(optDomainName))
	if v := m.option(optMTU); len(v) == 2 {
		if mtu := int(v[0])<<8 | int(v[1]); mtu >= 68 {
			l.MTU = mtu
		}
	}
	l.Server = server
	if id := m.addrOption(optServerID); unicast(id) {
		l.Server = id
	}
	l.ServerMAC = m.srcMAC

	l.Lifetime = time.Hour
	if v, ok := seconds(m.option(optLeaseTime)); ok {
		l.Lifetime = v
	}
	if l.Lifetime == Infinite {
		l.T1, l.T2 = Infinite, Infinite
		return l, true
	}
	l.T1, l.T2 = l.Lifetime/2, l.Lifetime-l.Lifetime/8
	t1, ok1 := seconds(m.option(optT1))
	t2, ok2 := seconds(m.option(optT2))
	if !ok1 {
		t1 = l.T1
	}
	if !ok2 {
		t2 = l.T2
	}
	if t1 <= t2 && t2 <= l.Lifetime {
		l.T1, l.T2 = t1, t2
	}
	return l, true
}

// seconds decodes a time option: 32 bits of seconds, all ones meaning
// Infinite.
func seconds(v []byte) (time.Duration, bool) {
	if len(v) != 4 {
		return 0, false
	}
	s := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
	if s == 0xffffffff {
		return Infinite, true
	}
	return time.Duration(s) * time.Second, true
}

// maskBits returns the prefix length of a subnet mask option, or -1 if
// v is not a mask of 1 to 32 contiguous ones.
func maskBits(v []byte) int {
	if len(v) != 4 {
		return -1
	}
	m := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
	for bits := 1; bits <= 32; bits++ {
		if m == ^uint32(0)<<(32-bits) {
			return bits
		}
	}
	return -1
}

// classfulBits returns the prefix length of a's address class
// (RFC 791): 8 for class A, 16 for B, 24 for C. a is a unicast address,
// so below class D.
func classfulBits(a netip.Addr) int {
	switch b := a.As4()[0]; {
	case b < 128:
		return 8
	case b < 192:
		return 16
	default:
		return 24
	}
}

// unicast reports whether a can be a host's IPv4 address: not in 0/8
// ("this network"), 127/8 (loopback) or 224/3 (multicast, reserved, and
// the broadcast address).
func unicast(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	b := a.As4()[0]
	return b != 0 && b != 127 && b < 224
}

// domainName returns the domain name in option 15 if it looks like a
// DNS name, else "". Trailing NULs are dropped: some servers count the
// terminator of a C string.
func domainName(v []byte) string {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	if len(v) == 0 || len(v) > 254 {
		return ""
	}
	for _, c := range v {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.'
		if !ok {
			return ""
		}
	}
	return string(v)
}
