// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package dhcp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// The test network looks like QEMU's user networking.
var (
	clientMAC = [6]byte{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}
	serverMAC = [6]byte{0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}
	serverIP  = netip.MustParseAddr("10.0.2.2")
	offeredIP = netip.MustParseAddr("10.0.2.15")
)

// onesSum is the test's own ones' complement sum of b's 16-bit words
// (RFC 1071), carrying around at every step rather than folding at the
// end the way the package does. Over data with a correct checksum in
// it, the sum is 0xffff.
func onesSum(b []byte) uint16 {
	var s uint16
	for i := 0; i < len(b); i += 2 {
		w := uint16(b[i]) << 8
		if i+1 < len(b) {
			w |= uint16(b[i+1])
		}
		t := s + w
		if t < s {
			t++
		}
		s = t
	}
	return s
}

// udpSumData is the pseudo-header of a UDP datagram between src and
// dst followed by the datagram, what the UDP checksum covers.
func udpSumData(src, dst netip.Addr, udp []byte) []byte {
	s, d := src.As4(), dst.As4()
	b := append(s[:], d[:]...)
	b = append(b, 0, 17, byte(len(udp)>>8), byte(len(udp)))
	return append(b, udp...)
}

// A clientFrame is a frame from the client, decoded by the test.
type clientFrame struct {
	raw            []byte
	ethDst, ethSrc [6]byte
	ipSrc, ipDst   netip.Addr
	xid            uint32
	flags          uint16
	ciaddr         netip.Addr
	chaddr         [6]byte
	opts           map[byte][]byte
}

func (d *clientFrame) typ() byte {
	if v := d.opts[optMessageType]; len(v) == 1 {
		return v[0]
	}
	return 0
}

// decodeClient decodes and checks a frame sent by the client, field by
// field at the offsets of the RFCs, then checks that the package's own
// parser reads the same.
func decodeClient(t *testing.T, f []byte) clientFrame {
	t.Helper()
	d := clientFrame{raw: f, opts: map[byte][]byte{}}
	if len(f) < 14+20+8+300 {
		t.Fatalf("client frame of %d bytes, want at least %d", len(f), 14+20+8+300)
	}
	d.ethDst, d.ethSrc = [6]byte(f[0:6]), [6]byte(f[6:12])
	if d.ethSrc != clientMAC || f[12] != 0x08 || f[13] != 0x00 {
		t.Fatalf("Ethernet header % x", f[:14])
	}

	ip := f[14:34]
	switch {
	case ip[0] != 0x45:
		t.Fatalf("IPv4 version/IHL %#x, want 0x45", ip[0])
	case int(ip[2])<<8|int(ip[3]) != len(f)-14:
		t.Fatalf("IPv4 total length %d, frame holds %d", int(ip[2])<<8|int(ip[3]), len(f)-14)
	case ip[6]&0x3f != 0 || ip[7] != 0:
		t.Fatalf("IPv4 fragment fields % x", ip[6:8])
	case ip[8] != 64:
		t.Fatalf("TTL %d, want 64", ip[8])
	case ip[9] != 17:
		t.Fatalf("IP protocol %d, want UDP", ip[9])
	case onesSum(ip) != 0xffff:
		t.Fatalf("bad IPv4 header checksum in % x", ip)
	}
	d.ipSrc, d.ipDst = netip.AddrFrom4([4]byte(ip[12:16])), netip.AddrFrom4([4]byte(ip[16:20]))

	udp := f[34:]
	switch {
	case udp[0] != 0 || udp[1] != 68 || udp[2] != 0 || udp[3] != 67:
		t.Fatalf("UDP ports % x, want 68 to 67", udp[:4])
	case int(udp[4])<<8|int(udp[5]) != len(udp):
		t.Fatalf("UDP length %d, datagram has %d", int(udp[4])<<8|int(udp[5]), len(udp))
	case udp[6] == 0 && udp[7] == 0:
		t.Fatalf("no UDP checksum")
	case onesSum(udpSumData(d.ipSrc, d.ipDst, udp)) != 0xffff:
		t.Fatalf("bad UDP checksum")
	}

	b := udp[8:]
	if b[0] != 1 || b[1] != 1 || b[2] != 6 || b[3] != 0 {
		t.Fatalf("op/htype/hlen/hops % x, want 01 01 06 00", b[:4])
	}
	d.xid = uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	d.flags = uint16(b[10])<<8 | uint16(b[11])
	d.ciaddr = netip.AddrFrom4([4]byte(b[12:16]))
	d.chaddr = [6]byte(b[28:34])
	if !allZero(b[16:28]) || !allZero(b[34:236]) || b[8] != 0 || b[9] != 0 || d.flags&0x7fff != 0 {
		t.Fatalf("unexpected non-zero BOOTP fields: % x", b[:236])
	}
	if d.chaddr != clientMAC {
		t.Fatalf("chaddr % x, want % x", d.chaddr, clientMAC)
	}
	if !bytes.Equal(b[236:240], []byte{99, 130, 83, 99}) {
		t.Fatalf("magic cookie % x", b[236:240])
	}
	i := 240
	for {
		if i >= len(b) {
			t.Fatalf("options without end option")
		}
		code := b[i]
		if code == 255 {
			break
		}
		if code == 0 {
			i++
			continue
		}
		if i+2 > len(b) || i+2+int(b[i+1]) > len(b) {
			t.Fatalf("option %d runs past the end", code)
		}
		if _, dup := d.opts[code]; dup {
			t.Fatalf("option %d sent twice", code)
		}
		d.opts[code] = b[i+2 : i+2+int(b[i+1])]
		i += 2 + int(b[i+1])
	}
	if !allZero(b[i+1:]) {
		t.Fatalf("padding after the end option is not zero")
	}

	// The package's parser must read the same.
	m, ok := parse(f)
	switch {
	case !ok:
		t.Fatalf("parse refused a client frame")
	case m.op != 1 || m.xid != d.xid || m.flags != d.flags || m.ciaddr != d.ciaddr || m.yiaddr != zeroIP:
		t.Fatalf("parse read %+v", m)
	case m.srcMAC != d.ethSrc || m.srcIP != d.ipSrc || m.dstIP != d.ipDst || m.srcPort != 68 || m.dstPort != 67:
		t.Fatalf("parse read addresses %+v", m)
	case m.typ != d.typ():
		t.Fatalf("parse read type %d, want %d", m.typ, d.typ())
	case IsReply(f):
		t.Fatalf("IsReply reports a client frame as a reply")
	}
	for code, v := range d.opts {
		if got := m.option(code); !bytes.Equal(got, v) {
			t.Fatalf("parse read option %d as % x, want % x", code, got, v)
		}
	}
	return d
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// A reply is a server message that the test encodes with its own code,
// with knobs to spoil it.
type reply struct {
	op               byte // 0 means 2, BOOTREPLY
	xid              uint32
	chaddr           [6]byte
	typ              byte // option 53; 0 leaves it out
	yiaddr           netip.Addr
	opts             []byte // raw options after option 53, without the end option
	noEnd            bool   // leave out the end option
	sname, file      []byte
	noCookie         bool
	bootpLen         int // cut the BOOTP message to this length if not 0
	srcPort, dstPort uint16
	ipOpts           []byte // IPv4 options, a multiple of 4 bytes
	noUDPSum         bool
	dstMAC           [6]byte // zero means broadcast
	dstIP            netip.Addr
}

func (r reply) encode() []byte {
	b := make([]byte, 240)
	b[0] = 2
	if r.op != 0 {
		b[0] = r.op
	}
	b[1], b[2] = 1, 6
	binary.BigEndian.PutUint32(b[4:], r.xid)
	if r.yiaddr.IsValid() {
		a := r.yiaddr.As4()
		copy(b[16:], a[:])
	}
	s := serverIP.As4()
	copy(b[20:], s[:])
	copy(b[28:], r.chaddr[:])
	copy(b[44:108], r.sname)
	copy(b[108:236], r.file)
	if !r.noCookie {
		copy(b[236:], []byte{99, 130, 83, 99})
	}
	if r.typ != 0 {
		b = append(b, 53, 1, r.typ)
	}
	b = append(b, r.opts...)
	if !r.noEnd {
		b = append(b, 255)
	}
	if r.bootpLen != 0 {
		b = b[:r.bootpLen]
	}

	sp, dp := r.srcPort, r.dstPort
	if sp == 0 {
		sp = 67
	}
	if dp == 0 {
		dp = 68
	}
	udp := []byte{byte(sp >> 8), byte(sp), byte(dp >> 8), byte(dp), byte((8 + len(b)) >> 8), byte(8 + len(b)), 0, 0}
	udp = append(udp, b...)

	dst := r.dstIP
	if !dst.IsValid() {
		dst = netip.MustParseAddr("255.255.255.255")
	}
	if !r.noUDPSum {
		c := ^onesSum(udpSumData(serverIP, dst, udp))
		if c == 0 {
			c = 0xffff
		}
		udp[6], udp[7] = byte(c>>8), byte(c)
	}

	ihl := 20 + len(r.ipOpts)
	ip := make([]byte, ihl)
	ip[0] = 0x40 | byte(ihl/4)
	binary.BigEndian.PutUint16(ip[2:], uint16(ihl+len(udp)))
	ip[8], ip[9] = 64, 17
	d := dst.As4()
	copy(ip[12:], s[:])
	copy(ip[16:], d[:])
	copy(ip[20:], r.ipOpts)
	c := ^onesSum(ip)
	ip[10], ip[11] = byte(c>>8), byte(c)

	f := make([]byte, 0, 14+len(ip)+len(udp))
	if r.dstMAC == [6]byte{} {
		f = append(f, broadcastMAC[:]...)
	} else {
		f = append(f, r.dstMAC[:]...)
	}
	f = append(f, serverMAC[:]...)
	f = append(f, 0x08, 0x00)
	f = append(f, ip...)
	return append(f, udp...)
}

// fixIPSum recomputes the IPv4 header checksum of f after a change.
func fixIPSum(f []byte) []byte {
	ip := f[14 : 14+int(f[14]&0xf)*4]
	ip[10], ip[11] = 0, 0
	c := ^onesSum(ip)
	ip[10], ip[11] = byte(c>>8), byte(c)
	return f
}

func opt(code byte, v ...byte) []byte {
	return append([]byte{code, byte(len(v))}, v...)
}

func addrOpt(code byte, addrs ...string) []byte {
	var v []byte
	for _, s := range addrs {
		a := netip.MustParseAddr(s).As4()
		v = append(v, a[:]...)
	}
	return opt(code, v...)
}

func u32Opt(code byte, n uint32) []byte {
	return opt(code, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func cat(bs ...[]byte) []byte {
	return slices.Concat(bs...)
}

// ackOpts are the options of the test server's OFFERs and ACKs.
func ackOpts(leaseSecs uint32) []byte {
	return cat(
		addrOpt(optServerID, "10.0.2.2"),
		u32Opt(optLeaseTime, leaseSecs),
		addrOpt(optSubnetMask, "255.255.255.0"),
		addrOpt(optRouter, "10.0.2.2", "10.0.2.1"),
		addrOpt(optDNS, "10.0.2.3", "1.1.1.1"),
		opt(optDomainName, []byte("example.test\x00")...),
		opt(optMTU, 0x05, 0x78),
	)
}

// wantLease is what ackOpts(86400) grants.
var wantLease = Lease{
	Addr:      netip.MustParsePrefix("10.0.2.15/24"),
	Router:    netip.MustParseAddr("10.0.2.2"),
	DNS:       []netip.Addr{netip.MustParseAddr("10.0.2.3"), netip.MustParseAddr("1.1.1.1")},
	Domain:    "example.test",
	MTU:       1400,
	Server:    serverIP,
	ServerMAC: serverMAC,
	Lifetime:  86400 * time.Second,
	T1:        43200 * time.Second,
	T2:        75600 * time.Second,
}

func sameLease(a, b Lease) bool {
	return a.Addr == b.Addr && a.Router == b.Router && slices.Equal(a.DNS, b.DNS) &&
		a.Domain == b.Domain && a.MTU == b.MTU && a.Server == b.Server && a.ServerMAC == b.ServerMAC &&
		a.Lifetime == b.Lifetime && a.T1 == b.T1 && a.T2 == b.T2
}

// A spoiler turns a good reply into one the client must ignore.
type spoiler struct {
	name    string
	spoil   func(r reply) []byte
	parses  bool // parse accepts it; the client must still refuse it
	isReply bool // IsReply takes it
}

var spoilers = []spoiler{
	{"wrong xid", func(r reply) []byte { r.xid++; return r.encode() }, true, true},
	{"NAK with wrong xid", func(r reply) []byte { r.xid++; r.typ = msgNAK; return r.encode() }, true, true},
	{"NAK for another client", func(r reply) []byte { r.chaddr[5] ^= 1; r.typ = msgNAK; return r.encode() }, true, true},
	{"wrong chaddr", func(r reply) []byte { r.chaddr[0] ^= 2; return r.encode() }, true, true},
	{"op BOOTREQUEST", func(r reply) []byte { r.op = 1; return r.encode() }, true, true},
	{"from the client port", func(r reply) []byte { r.srcPort = 68; return r.encode() }, false, true},
	{"to another port", func(r reply) []byte { r.dstPort = 69; return r.encode() }, false, false},
	{"no message type", func(r reply) []byte { r.typ = 0; return r.encode() }, true, true},
	{"unknown message type", func(r reply) []byte { r.typ = 99; return r.encode() }, true, true},
	{"address 0.0.0.0", func(r reply) []byte { r.yiaddr = zeroIP; return r.encode() }, true, true},
	{"multicast address", func(r reply) []byte { r.yiaddr = netip.MustParseAddr("224.0.0.1"); return r.encode() }, true, true},
	{"no cookie", func(r reply) []byte { r.noCookie = true; return r.encode() }, false, true},
	{"option past the end", func(r reply) []byte { r.opts = cat(r.opts, []byte{optRouter, 200, 10, 0, 2, 2}); return r.encode() }, false, true},
	{"option without length", func(r reply) []byte { r.opts = cat(r.opts, []byte{optRouter}); r.noEnd = true; return r.encode() }, false, true},
	{"bad overload area", func(r reply) []byte {
		r.opts = cat(opt(optOverload, 1), r.opts)
		r.file = []byte{optDNS, 250}
		return r.encode()
	}, false, true},
	{"short BOOTP", func(r reply) []byte { r.bootpLen = 200; return r.encode() }, false, true},
	{"bad IP checksum", func(r reply) []byte { f := r.encode(); f[14+10] ^= 0x55; return f }, false, true},
	{"bad UDP checksum", func(r reply) []byte { f := r.encode(); f[14+20+8+44] ^= 1; return f }, false, true},
	{"UDP length too long", func(r reply) []byte { f := r.encode(); f[14+20+5]++; return f }, false, false},
	{"truncated", func(r reply) []byte { f := r.encode(); return f[:len(f)-20] }, false, false},
	{"truncated in the IP header", func(r reply) []byte { f := r.encode(); return f[:14+12] }, false, false},
	{"Ethernet header only", func(r reply) []byte { f := r.encode(); return f[:14] }, false, false},
	{"empty", func(r reply) []byte { return nil }, false, false},
	{"IHL below 5", func(r reply) []byte { f := r.encode(); f[14] = 0x44; return fixIPSum(f) }, false, false},
	{"IHL past the datagram", func(r reply) []byte {
		f := r.encode()
		f = f[:14+20+8]
		binary.BigEndian.PutUint16(f[14+2:], 28)
		f[14] = 0x4f
		return f
	}, false, false},
	{"IPv6 version", func(r reply) []byte { f := r.encode(); f[14] = 0x65; return fixIPSum(f) }, false, false},
	{"more fragments", func(r reply) []byte { f := r.encode(); f[14+6] = 0x20; return fixIPSum(f) }, false, false},
	{"fragment offset", func(r reply) []byte { f := r.encode(); f[14+7] = 1; return fixIPSum(f) }, false, false},
	{"TCP", func(r reply) []byte { f := r.encode(); f[14+9] = 6; return fixIPSum(f) }, false, false},
	{"not IPv4", func(r reply) []byte { f := r.encode(); f[12], f[13] = 0x86, 0xdd; return f }, false, false},
	{"VLAN tagged", func(r reply) []byte {
		f := r.encode()
		return cat(f[:12], []byte{0x81, 0x00, 0x00, 0x01}, f[12:])
	}, false, false},
}

// A fakeServer is the server side of the test network, as the client's
// Send function. It answers at once, into the channel the client reads.
type fakeServer struct {
	t       *testing.T
	replies chan []byte
	sent    []clientFrame // every frame the client sent

	silent        bool   // answer nothing
	dropDiscovers int    // ignore this many DISCOVERs
	dropRequests  int    // ignore this many REQUESTs
	naks          int    // refuse this many REQUESTs
	junk          bool   // send spoilt copies before each reply
	leaseSecs     uint32 // lease time of ACKs
}

func newFakeServer(t *testing.T) *fakeServer {
	return &fakeServer{t: t, replies: make(chan []byte, 1024), leaseSecs: 86400}
}

func (s *fakeServer) send(f []byte) error {
	d := decodeClient(s.t, f)
	s.sent = append(s.sent, d)
	if s.silent {
		return nil
	}
	switch d.typ() {
	case msgDiscover:
		if s.dropDiscovers > 0 {
			s.dropDiscovers--
			return nil
		}
		s.answer(&d, msgOffer, ackOpts(s.leaseSecs))
	case msgRequest:
		if id, ok := d.opts[optServerID]; ok && netip.AddrFrom4([4]byte(id)) != serverIP {
			return nil
		}
		switch {
		case s.dropRequests > 0:
			s.dropRequests--
		case s.naks > 0:
			s.naks--
			s.answer(&d, msgNAK, addrOpt(optServerID, "10.0.2.2"))
		default:
			s.answer(&d, msgACK, ackOpts(s.leaseSecs))
		}
	}
	return nil
}

// answer replies to d the way RFC 2131 §4.1 says: broadcast if the client
// asked, else to ciaddr.
func (s *fakeServer) answer(d *clientFrame, typ byte, opts []byte) {
	r := reply{xid: d.xid, chaddr: d.chaddr, typ: typ, opts: opts}
	if typ != msgNAK {
		r.yiaddr = offeredIP
		if d.ciaddr != zeroIP {
			r.yiaddr = d.ciaddr
		}
	}
	if d.flags&0x8000 == 0 && typ != msgNAK {
		r.dstMAC, r.dstIP = d.chaddr, d.ciaddr
	}
	if s.junk {
		for _, sp := range spoilers {
			s.replies <- sp.spoil(r)
		}
	}
	s.replies <- r.encode()
}

func (s *fakeServer) config() *Config {
	return &Config{MAC: clientMAC, Hostname: "mirago", XID: 0x1234abcd, Send: s.send, Timeout: time.Second}
}

// types returns the message types the client sent, with their xids.
func (s *fakeServer) types() (types []byte, xids []uint32) {
	for _, d := range s.sent {
		types = append(types, d.typ())
		xids = append(xids, d.xid)
	}
	return types, xids
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestAcquire(t *testing.T) {
	s := newFakeServer(t)
	c := s.config()
	l, err := Acquire(testContext(t, 10*time.Second), c, s.replies)
	if err != nil {
		t.Fatal(err)
	}
	if !sameLease(l, wantLease) {
		t.Errorf("lease\n%+v, want\n%+v", l, wantLease)
	}
	types, xids := s.types()
	if !bytes.Equal(types, []byte{msgDiscover, msgRequest}) || xids[0] != c.XID || xids[1] != c.XID {
		t.Fatalf("client sent types %v xids %#x, want DISCOVER, REQUEST in %#x", types, xids, c.XID)
	}
	wantParams := []byte{1, 3, 6, 15, 26, 51, 54, 58, 59}
	wantClientID := append([]byte{1}, clientMAC[:]...)
	for i, d := range s.sent {
		switch {
		case d.ethDst != broadcastMAC:
			t.Errorf("frame %d: to % x, want broadcast", i, d.ethDst)
		case d.ipSrc != netip.MustParseAddr("0.0.0.0") || d.ipDst != netip.MustParseAddr("255.255.255.255"):
			t.Errorf("frame %d: from %v to %v", i, d.ipSrc, d.ipDst)
		case d.flags != 0x8000:
			t.Errorf("frame %d: flags %#x, want broadcast", i, d.flags)
		case d.ciaddr != zeroIP:
			t.Errorf("frame %d: ciaddr %v", i, d.ciaddr)
		case !bytes.Equal(d.opts[optParamList], wantParams):
			t.Errorf("frame %d: parameter list %v, want %v", i, d.opts[optParamList], wantParams)
		case !bytes.Equal(d.opts[optClientID], wantClientID):
			t.Errorf("frame %d: client id % x", i, d.opts[optClientID])
		case string(d.opts[optHostname]) != "mirago":
			t.Errorf("frame %d: hostname %q", i, d.opts[optHostname])
		}
	}
	if _, ok := s.sent[0].opts[optRequestedIP]; ok {
		t.Errorf("DISCOVER has a requested address")
	}
	if _, ok := s.sent[0].opts[optServerID]; ok {
		t.Errorf("DISCOVER has a server identifier")
	}
	req := s.sent[1].opts
	if !bytes.Equal(req[optRequestedIP], []byte{10, 0, 2, 15}) || !bytes.Equal(req[optServerID], []byte{10, 0, 2, 2}) {
		t.Errorf("REQUEST asks for % x from % x", req[optRequestedIP], req[optServerID])
	}
}

func TestAcquireNoHostname(t *testing.T) {
	s := newFakeServer(t)
	c := s.config()
	c.Hostname = ""
	if _, err := Acquire(testContext(t, 10*time.Second), c, s.replies); err != nil {
		t.Fatal(err)
	}
	for _, d := range s.sent {
		if _, ok := d.opts[optHostname]; ok {
			t.Errorf("hostname option sent without a hostname")
		}
	}
}

func TestAcquireNAK(t *testing.T) {
	s := newFakeServer(t)
	s.naks = 1
	c := s.config()
	c.Timeout = 10 * time.Millisecond
	l, err := Acquire(testContext(t, 10*time.Second), c, s.replies)
	if err != nil {
		t.Fatal(err)
	}
	if !sameLease(l, wantLease) {
		t.Errorf("lease\n%+v, want\n%+v", l, wantLease)
	}
	types, xids := s.types()
	if !bytes.Equal(types, []byte{msgDiscover, msgRequest, msgDiscover, msgRequest}) {
		t.Fatalf("client sent types %v, want DISCOVER, REQUEST, DISCOVER, REQUEST", types)
	}
	if xids[0] != xids[1] || xids[2] != xids[3] || xids[0] == xids[2] {
		t.Errorf("xids %#x: want a new transaction after the NAK", xids)
	}
}

func TestAcquireRetransmit(t *testing.T) {
	s := newFakeServer(t)
	s.dropDiscovers = 2
	c := s.config()
	c.Timeout = 10 * time.Millisecond
	start := time.Now()
	l, err := Acquire(testContext(t, 10*time.Second), c, s.replies)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 30*time.Millisecond {
		t.Errorf("acquired after %v; two timeouts of 10ms and 20ms should have passed", elapsed)
	}
	if !sameLease(l, wantLease) {
		t.Errorf("lease\n%+v, want\n%+v", l, wantLease)
	}
	types, _ := s.types()
	if !bytes.Equal(types, []byte{msgDiscover, msgDiscover, msgDiscover, msgRequest}) {
		t.Fatalf("client sent types %v, want three DISCOVERs and a REQUEST", types)
	}
	if !bytes.Equal(s.sent[0].raw, s.sent[2].raw) {
		t.Errorf("retransmitted DISCOVER differs from the first")
	}
}

// A server that stops answering after its offer makes the client start
// over with a new transaction once its REQUESTs are used up.
func TestAcquireRequestUnanswered(t *testing.T) {
	s := newFakeServer(t)
	s.dropRequests = requestTries
	c := s.config()
	c.Timeout = time.Millisecond
	if _, err := Acquire(testContext(t, 10*time.Second), c, s.replies); err != nil {
		t.Fatal(err)
	}
	types, xids := s.types()
	want := []byte{msgDiscover}
	for range requestTries {
		want = append(want, msgRequest)
	}
	want = append(want, msgDiscover, msgRequest)
	if !bytes.Equal(types, want) {
		t.Fatalf("client sent types %v, want %v", types, want)
	}
	if xids[0] != c.XID || xids[len(xids)-1] != c.XID+1 {
		t.Errorf("xids %#x", xids)
	}
}

func TestAcquireIgnoresJunk(t *testing.T) {
	s := newFakeServer(t)
	s.junk = true
	l, err := Acquire(testContext(t, 10*time.Second), s.config(), s.replies)
	if err != nil {
		t.Fatal(err)
	}
	if !sameLease(l, wantLease) {
		t.Errorf("lease\n%+v, want\n%+v", l, wantLease)
	}
	if types, _ := s.types(); !bytes.Equal(types, []byte{msgDiscover, msgRequest}) {
		t.Errorf("client sent types %v, want DISCOVER, REQUEST", types)
	}
}

// An offer from another server is taken, and a reply of the first
// server to the REQUEST for that offer is not.
func TestAcquireOtherServer(t *testing.T) {
	other := netip.MustParseAddr("10.0.2.3")
	var sent []clientFrame
	replies := make(chan []byte, 16)
	send := func(f []byte) error {
		d := decodeClient(t, f)
		sent = append(sent, d)
		r := reply{xid: d.xid, chaddr: d.chaddr, yiaddr: netip.MustParseAddr("10.0.2.16")}
		switch d.typ() {
		case msgDiscover:
			r.typ, r.opts = msgOffer, addrOpt(optServerID, other.String())
		case msgRequest:
			// The first server NAKs what is not its business; the
			// client must not listen to it.
			r.typ, r.opts = msgNAK, addrOpt(optServerID, "10.0.2.2")
			replies <- r.encode()
			r.typ, r.opts = msgACK, addrOpt(optServerID, other.String())
		}
		replies <- r.encode()
		return nil
	}
	c := &Config{MAC: clientMAC, XID: 7, Send: send}
	l, err := Acquire(testContext(t, 10*time.Second), c, replies)
	if err != nil {
		t.Fatal(err)
	}
	want := Lease{
		Addr:      netip.MustParsePrefix("10.0.2.16/8"), // no mask: class A
		Server:    other,
		ServerMAC: serverMAC,
		Lifetime:  time.Hour,
		T1:        30 * time.Minute,
		T2:        52*time.Minute + 30*time.Second,
	}
	if !sameLease(l, want) {
		t.Errorf("lease\n%+v, want\n%+v", l, want)
	}
	if len(sent) != 2 {
		t.Errorf("client sent %d frames, want 2", len(sent))
	}
}

func TestAcquireNoServer(t *testing.T) {
	s := newFakeServer(t)
	s.silent = true
	c := s.config()
	c.Timeout = 5 * time.Millisecond
	_, err := Acquire(testContext(t, 100*time.Millisecond), c, s.replies)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "dhcp: no offer from any server") {
		t.Fatalf("error %v, want a missing offer and a deadline", err)
	}
	// 5, 10, 20, 40ms: at least 4 sends in 100ms.
	types, xids := s.types()
	if len(types) < 4 {
		t.Errorf("client sent %d frames, want at least 4", len(types))
	}
	for i := range types {
		if types[i] != msgDiscover || xids[i] != c.XID {
			t.Errorf("frame %d: type %d xid %#x", i, types[i], xids[i])
		}
	}
}

func TestAcquireCanceled(t *testing.T) {
	s := newFakeServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Acquire(ctx, s.config(), s.replies)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestAcquireSendError(t *testing.T) {
	errLink := errors.New("link down")
	c := &Config{MAC: clientMAC, Send: func([]byte) error { return errLink }, Timeout: 5 * time.Millisecond}
	_, err := Acquire(testContext(t, 30*time.Millisecond), c, nil)
	if !errors.Is(err, errLink) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want it to wrap the send error and the deadline", err)
	}
}

func TestAcquireRecvClosed(t *testing.T) {
	s := newFakeServer(t)
	s.silent = true
	close(s.replies)
	if _, err := Acquire(testContext(t, 10*time.Second), s.config(), s.replies); err != ErrRecvClosed {
		t.Fatalf("error %v, want %v", err, ErrRecvClosed)
	}
}

func TestBadConfig(t *testing.T) {
	send := func([]byte) error { return nil }
	for _, tt := range []struct {
		c    *Config
		want error
	}{
		{nil, ErrNoSend},
		{&Config{MAC: clientMAC}, ErrNoSend},
		{&Config{Send: send}, ErrBadMAC},
		{&Config{MAC: broadcastMAC, Send: send}, ErrBadMAC},
		{&Config{MAC: [6]byte{0x01, 0, 0x5e, 0, 0, 1}, Send: send}, ErrBadMAC},
	} {
		if _, err := Acquire(context.Background(), tt.c, nil); err != tt.want {
			t.Errorf("Acquire with %+v: %v, want %v", tt.c, err, tt.want)
		}
	}
}

func TestRenew(t *testing.T) {
	for _, rebind := range []bool{false, true} {
		s := newFakeServer(t)
		c := s.config()
		l, err := Acquire(testContext(t, 10*time.Second), c, s.replies)
		if err != nil {
			t.Fatal(err)
		}
		s.sent = nil
		s.leaseSecs = 7200
		c.XID = 0x5555
		nl, err := Renew(testContext(t, 10*time.Second), c, l, s.replies, rebind)
		if err != nil {
			t.Fatalf("rebind %v: %v", rebind, err)
		}
		want := wantLease
		want.Lifetime, want.T1, want.T2 = 2*time.Hour, time.Hour, 105*time.Minute
		if !sameLease(nl, want) {
			t.Errorf("rebind %v: lease\n%+v, want\n%+v", rebind, nl, want)
		}
		if len(s.sent) != 1 {
			t.Fatalf("rebind %v: client sent %d frames, want 1", rebind, len(s.sent))
		}
		d := s.sent[0]
		wantMAC, wantDst := serverMAC, serverIP
		if rebind {
			wantMAC, wantDst = broadcastMAC, netip.MustParseAddr("255.255.255.255")
		}
		switch {
		case d.typ() != msgRequest || d.xid != 0x5555:
			t.Errorf("rebind %v: type %d xid %#x", rebind, d.typ(), d.xid)
		case d.ethDst != wantMAC || d.ipDst != wantDst:
			t.Errorf("rebind %v: sent to % x %v, want % x %v", rebind, d.ethDst, d.ipDst, wantMAC, wantDst)
		case d.ipSrc != offeredIP || d.ciaddr != offeredIP:
			t.Errorf("rebind %v: from %v ciaddr %v, want %v", rebind, d.ipSrc, d.ciaddr, offeredIP)
		case d.flags != 0:
			t.Errorf("rebind %v: flags %#x", rebind, d.flags)
		}
		if _, ok := d.opts[optRequestedIP]; ok {
			t.Errorf("rebind %v: option 50 sent", rebind)
		}
		if _, ok := d.opts[optServerID]; ok {
			t.Errorf("rebind %v: option 54 sent", rebind)
		}

		// A NAK ends the lease.
		s.naks = 1
		if _, err := Renew(testContext(t, 10*time.Second), c, l, s.replies, rebind); err != ErrNAK {
			t.Errorf("rebind %v: error %v, want ErrNAK", rebind, err)
		}
	}
}

func TestRenewNoAnswer(t *testing.T) {
	s := newFakeServer(t)
	s.silent = true
	c := s.config()
	c.Timeout = 5 * time.Millisecond
	_, err := Renew(testContext(t, 30*time.Millisecond), c, wantLease, s.replies, false)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer to renewal from 10.0.2.2") {
		t.Fatalf("error %v", err)
	}
	l := wantLease
	l.Server = netip.Addr{}
	if _, err := Renew(context.Background(), c, l, s.replies, false); err != ErrNoServer {
		t.Errorf("renewing without a server: %v, want ErrNoServer", err)
	}
	if _, err := Renew(context.Background(), c, Lease{}, s.replies, true); err != ErrNoAddr {
		t.Errorf("rebinding without an address: %v, want ErrNoAddr", err)
	}
}

func TestRelease(t *testing.T) {
	s := newFakeServer(t)
	if err := Release(s.config(), wantLease); err != nil {
		t.Fatal(err)
	}
	if len(s.sent) != 1 {
		t.Fatalf("client sent %d frames, want 1", len(s.sent))
	}
	d := s.sent[0]
	switch {
	case d.typ() != msgRelease:
		t.Errorf("type %d, want RELEASE", d.typ())
	case d.ethDst != serverMAC || d.ipDst != serverIP || d.ipSrc != offeredIP || d.ciaddr != offeredIP:
		t.Errorf("sent from %v to % x %v, ciaddr %v", d.ipSrc, d.ethDst, d.ipDst, d.ciaddr)
	case !bytes.Equal(d.opts[optServerID], []byte{10, 0, 2, 2}):
		t.Errorf("server identifier % x", d.opts[optServerID])
	case d.opts[optParamList] != nil || d.opts[optHostname] != nil:
		t.Errorf("RELEASE asks for parameters")
	}
}

func goodOffer() reply {
	return reply{xid: 0x1234abcd, chaddr: clientMAC, typ: msgOffer, yiaddr: offeredIP, opts: ackOpts(86400)}
}

// TestParse checks the parser on replies encoded by the test, good ones
// in unusual shapes and spoilt ones.
func TestParse(t *testing.T) {
	cl, err := newClient(&Config{MAC: clientMAC, Send: func([]byte) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	good := []struct {
		name string
		f    func(r reply) []byte
		want func(l *Lease)
	}{
		{"plain", func(r reply) []byte { return r.encode() }, nil},
		{"IP options", func(r reply) []byte { r.ipOpts = []byte{1, 1, 1, 0}; return r.encode() }, nil},
		{"no UDP checksum", func(r reply) []byte { r.noUDPSum = true; return r.encode() }, nil},
		{"Ethernet padding", func(r reply) []byte { return append(r.encode(), make([]byte, 30)...) }, nil},
		{"no end option", func(r reply) []byte { r.noEnd = true; return r.encode() }, nil},
		{"pad options", func(r reply) []byte { r.opts = cat([]byte{0, 0, 0}, r.opts, []byte{0}); return r.encode() }, nil},
		{"unicast", func(r reply) []byte { r.dstMAC, r.dstIP = clientMAC, offeredIP; return r.encode() }, nil},
		{"split option", func(r reply) []byte {
			r.opts = cat(addrOpt(optServerID, "10.0.2.2"), addrOpt(optDNS, "9.9.9.9"), addrOpt(optDNS, "8.8.8.8"))
			return r.encode()
		}, func(l *Lease) {
			*l = Lease{
				Addr: netip.MustParsePrefix("10.0.2.15/8"), Server: serverIP, ServerMAC: serverMAC,
				DNS:      []netip.Addr{netip.MustParseAddr("9.9.9.9"), netip.MustParseAddr("8.8.8.8")},
				Lifetime: time.Hour, T1: 30 * time.Minute, T2: 52*time.Minute + 30*time.Second,
			}
		}},
		{"overloaded file and sname", func(r reply) []byte {
			r.opts = cat(opt(optOverload, 3), addrOpt(optServerID, "10.0.2.2"), u32Opt(optLeaseTime, 86400))
			r.file = cat(addrOpt(optRouter, "10.0.2.2"), opt(optDomainName, []byte("example.test")...), []byte{255})
			r.sname = cat(addrOpt(optSubnetMask, "255.255.255.0"), addrOpt(optDNS, "10.0.2.3", "1.1.1.1"), opt(optMTU, 0x05, 0x78))
			return r.encode()
		}, nil},
	}
	for _, tt := range good {
		f := tt.f(goodOffer())
		m, ok := parse(f)
		if !ok {
			t.Errorf("%s: refused", tt.name)
			continue
		}
		if !IsReply(f) {
			t.Errorf("%s: not IsReply", tt.name)
		}
		if !cl.answers(&m, 0x1234abcd) || m.typ != msgOffer || m.yiaddr != offeredIP || m.addrOption(optServerID) != serverIP {
			t.Errorf("%s: parsed as %+v", tt.name, m)
		}
		want := wantLease
		if tt.want != nil {
			tt.want(&want)
		}
		if l, ok := leaseFrom(&m, netip.Addr{}); !ok || !sameLease(l, want) {
			t.Errorf("%s: lease\n%+v, want\n%+v", tt.name, l, want)
		}
	}

	for _, sp := range spoilers {
		f := sp.spoil(goodOffer())
		if got := IsReply(f); got != sp.isReply {
			t.Errorf("%s: IsReply = %v, want %v", sp.name, got, sp.isReply)
		}
		m, ok := parse(f)
		if ok != sp.parses {
			t.Errorf("%s: parse ok = %v, want %v", sp.name, ok, sp.parses)
		}
		if ok && cl.answers(&m, 0x1234abcd) && m.typ == msgOffer && unicast(m.yiaddr) {
			t.Errorf("%s: taken as the offer", sp.name)
		}
	}
}

func TestLeaseFrom(t *testing.T) {
	server := addrOpt(optServerID, "10.0.2.2")
	for _, tt := range []struct {
		name   string
		yiaddr string
		opts   []byte
		ok     bool
		check  func(l Lease) bool
	}{
		{"class A", "10.1.2.3", server, true, func(l Lease) bool { return l.Addr.Bits() == 8 }},
		{"class B", "172.16.0.9", server, true, func(l Lease) bool { return l.Addr.Bits() == 16 }},
		{"class C", "192.168.1.9", server, true, func(l Lease) bool { return l.Addr.Bits() == 24 }},
		{"non-contiguous mask", "192.168.1.9", cat(server, addrOpt(optSubnetMask, "255.0.255.0")), true, func(l Lease) bool { return l.Addr.Bits() == 24 }},
		{"zero mask", "10.1.2.3", cat(server, addrOpt(optSubnetMask, "0.0.0.0")), true, func(l Lease) bool { return l.Addr.Bits() == 8 }},
		{"/32", "10.1.2.3", cat(server, addrOpt(optSubnetMask, "255.255.255.255")), true, func(l Lease) bool { return l.Addr.Bits() == 32 }},
		{"/1", "10.1.2.3", cat(server, addrOpt(optSubnetMask, "128.0.0.0")), true, func(l Lease) bool { return l.Addr.Bits() == 1 }},
		{"infinite", "10.1.2.3", cat(server, u32Opt(optLeaseTime, 0xffffffff)), true, func(l Lease) bool {
			return l.Lifetime == Infinite && l.T1 == Infinite && l.T2 == Infinite
		}},
		{"largest finite", "10.1.2.3", cat(server, u32Opt(optLeaseTime, 0xfffffffe)), true, func(l Lease) bool {
			return l.Lifetime == 0xfffffffe*time.Second && l.T1 == 0x7fffffff*time.Second && l.T1 < l.T2 && l.T2 < l.Lifetime
		}},
		{"T1 and T2", "10.1.2.3", cat(server, u32Opt(optLeaseTime, 1000), u32Opt(optT1, 100), u32Opt(optT2, 200)), true, func(l Lease) bool {
			return l.T1 == 100*time.Second && l.T2 == 200*time.Second
		}},
		{"T1 after T2", "10.1.2.3", cat(server, u32Opt(optLeaseTime, 1000), u32Opt(optT1, 300), u32Opt(optT2, 200)), true, func(l Lease) bool {
			return l.T1 == 500*time.Second && l.T2 == 875*time.Second
		}},
		{"T2 after lease", "10.1.2.3", cat(server, u32Opt(optLeaseTime, 1000), u32Opt(optT2, 2000)), true, func(l Lease) bool {
			return l.T1 == 500*time.Second && l.T2 == 875*time.Second
		}},
		{"short lease time", "10.1.2.3", cat(server, opt(optLeaseTime, 1, 2)), true, func(l Lease) bool { return l.Lifetime == time.Hour }},
		{"domain with newline", "10.1.2.3", cat(server, opt(optDomainName, []byte("a.test\nnameserver 6.6.6.6")...)), true, func(l Lease) bool { return l.Domain == "" }},
		{"domain of NULs", "10.1.2.3", cat(server, opt(optDomainName, 0, 0)), true, func(l Lease) bool { return l.Domain == "" }},
		{"small MTU", "10.1.2.3", cat(server, opt(optMTU, 0, 67)), true, func(l Lease) bool { return l.MTU == 0 }},
		{"minimum MTU", "10.1.2.3", cat(server, opt(optMTU, 0, 68)), true, func(l Lease) bool { return l.MTU == 68 }},
		{"odd DNS length", "10.1.2.3", cat(server, opt(optDNS, 1, 1, 1, 1, 2)), true, func(l Lease) bool { return l.DNS == nil }},
		{"bad DNS entries", "10.1.2.3", cat(server, addrOpt(optDNS, "0.0.0.0", "8.8.8.8", "255.255.255.255")), true, func(l Lease) bool {
			return slices.Equal(l.DNS, []netip.Addr{netip.MustParseAddr("8.8.8.8")})
		}},
		{"empty router", "10.1.2.3", cat(server, opt(optRouter)), true, func(l Lease) bool { return !l.Router.IsValid() }},
		{"broadcast router", "10.1.2.3", cat(server, addrOpt(optRouter, "255.255.255.255")), true, func(l Lease) bool { return !l.Router.IsValid() }},
		{"router off-link", "10.1.2.3", cat(server, addrOpt(optSubnetMask, "255.255.255.255"), addrOpt(optRouter, "10.9.9.9")), true, func(l Lease) bool {
			return l.Router == netip.MustParseAddr("10.9.9.9")
		}},
		{"no server id", "10.1.2.3", nil, true, func(l Lease) bool { return l.Server == netip.MustParseAddr("10.0.0.99") }},
		{"loopback", "127.0.0.1", server, false, nil},
		{"this network", "0.1.2.3", server, false, nil},
		{"class E", "240.0.0.1", server, false, nil},
	} {
		r := reply{xid: 1, chaddr: clientMAC, typ: msgACK, yiaddr: netip.MustParseAddr(tt.yiaddr), opts: tt.opts}
		m, ok := parse(r.encode())
		if !ok {
			t.Fatalf("%s: parse refused", tt.name)
		}
		l, ok := leaseFrom(&m, netip.MustParseAddr("10.0.0.99"))
		if ok != tt.ok {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if ok && !tt.check(l) {
			t.Errorf("%s: lease %+v", tt.name, l)
		}
	}
}

// FuzzParse feeds arbitrary frames to IsReply, the parser and the lease
// decoder, which must not panic and must agree with each other.
func FuzzParse(f *testing.F) {
	for _, typ := range []byte{msgDiscover, msgRequest, msgRelease} {
		o := outgoing{typ: typ, xid: 9, broadcast: true, params: true, requested: offeredIP, server: serverIP,
			srcIP: zeroIP, dstIP: broadcastIP, dstMAC: broadcastMAC}
		f.Add(o.encode(clientMAC, "mirago"))
	}
	r := goodOffer()
	f.Add(r.encode())
	r.typ = msgACK
	r.ipOpts = []byte{1, 1, 1, 1}
	f.Add(r.encode())
	r.opts = cat(opt(optOverload, 3), addrOpt(optServerID, "10.0.2.2"))
	r.file = cat(addrOpt(optRouter, "10.0.2.2"), opt(optDNS, 1, 2, 3, 4), []byte{255})
	r.sname = cat(addrOpt(optDNS, "10.0.2.3"), opt(optMTU, 5, 0))
	f.Add(r.encode())
	for _, sp := range spoilers {
		f.Add(sp.spoil(goodOffer()))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		checkParse(t, frame)
		// Random bytes seldom have right checksums; make them right so
		// that the fuzzer gets past them to the options.
		if ip, udp, ok := udpOf(frame, false); ok {
			frame = slices.Clone(frame)
			ip = frame[ethHdr : ethHdr+len(ip)]
			fixIPSum(frame)
			udp = frame[ethHdr+len(ip) : ethHdr+len(ip)+len(udp)]
			udp[6], udp[7] = 0, 0
			src, dst := netip.AddrFrom4([4]byte(ip[12:16])), netip.AddrFrom4([4]byte(ip[16:20]))
			c := ^onesSum(udpSumData(src, dst, udp))
			udp[6], udp[7] = byte(c>>8), byte(c)
			checkParse(t, frame)
		}
	})
}

func checkParse(t *testing.T, frame []byte) {
	isReply := IsReply(frame)
	m, ok := parse(frame)
	if !ok {
		return
	}
	if m.dstPort == clientPort && !isReply {
		t.Errorf("parse took a reply that IsReply refused")
	}
	for _, code := range []byte{optSubnetMask, optRouter, optDNS, optOverload, optServerID, 0, 255} {
		m.option(code)
	}
	if l, ok := leaseFrom(&m, netip.Addr{}); ok {
		if !unicast(l.Addr.Addr()) || l.T1 > l.T2 || l.T2 > l.Lifetime || l.MTU != 0 && l.MTU < 68 {
			t.Errorf("bad lease %+v", l)
		}
	}
}
