// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// This file builds and parses whole Ethernet frames carrying BOOTP
// messages. The client runs before the stack has an address, so it
// cannot use sockets and must do the Ethernet, IPv4 and UDP layers
// itself. Everything received is treated as hostile: a frame that is
// not exactly what it claims to be is dropped, never trusted in part.

package dhcp

import (
	"encoding/binary"
	"net/netip"
)

// Header sizes and values from the Ethernet, IPv4 (RFC 791) and UDP
// (RFC 768) layers.
const (
	ethHdr     = 14
	ethTypeIP  = 0x0800
	ipHdr      = 20 // without options
	ipProtoUDP = 17
	ipTTL      = 64
	udpHdr     = 8

	serverPort = 67
	clientPort = 68
)

// Offsets of the fields of a BOOTP message (RFC 951, RFC 2131 §2).
const (
	bootpOp      = 0
	bootpHtype   = 1
	bootpHlen    = 2
	bootpHops    = 3
	bootpXID     = 4
	bootpSecs    = 8
	bootpFlags   = 10
	bootpCiaddr  = 12
	bootpYiaddr  = 16
	bootpSiaddr  = 20
	bootpGiaddr  = 24
	bootpChaddr  = 28
	bootpSname   = 44
	bootpFile    = 108
	bootpCookie  = 236
	bootpOptions = 240

	// bootpMin is the size of a BOOTP message with its original 64-byte
	// vendor area (RFC 951). Some relay agents and servers still drop
	// shorter messages, so the client pads to it.
	bootpMin = 300

	bootRequest = 1
	bootReply   = 2
	htypeEther  = 1

	// flagBroadcast asks the server to broadcast its reply, since a
	// client without an address may not receive unicast (RFC 2131 §4.1).
	flagBroadcast = 0x8000

	// magicCookie marks the rest of the message as DHCP options
	// (RFC 2131 §3, 99.130.83.99).
	magicCookie = 0x63825363
)

// DHCP option codes (RFC 2132, RFC 3396 for splitting).
const (
	optPad         = 0
	optSubnetMask  = 1
	optRouter      = 3
	optDNS         = 6
	optHostname    = 12
	optDomainName  = 15
	optMTU         = 26
	optRequestedIP = 50
	optLeaseTime   = 51
	optOverload    = 52
	optMessageType = 53
	optServerID    = 54
	optParamList   = 55
	optT1          = 58
	optT2          = 59
	optClientID    = 61
	optEnd         = 255
)

// DHCP message types, the value of option 53 (RFC 2132 §9.6).
const (
	msgDiscover = 1
	msgOffer    = 2
	msgRequest  = 3
	msgDecline  = 4
	msgACK      = 5
	msgNAK      = 6
	msgRelease  = 7
)

// paramList is what the client asks servers for (option 55): what a
// Lease holds. Servers may send options not asked for, but some send
// only these.
var paramList = []byte{
	optSubnetMask, optRouter, optDNS, optDomainName, optMTU,
	optLeaseTime, optServerID, optT1, optT2,
}

var (
	broadcastMAC = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	broadcastIP  = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	zeroIP       = netip.AddrFrom4([4]byte{})
)

// An outgoing message is a client message not yet encoded: its DHCP
// type, the BOOTP fields that vary, and where it goes. Addresses left
// invalid are sent as zero or, for options, left out.
type outgoing struct {
	typ       byte
	xid       uint32
	broadcast bool       // set the BROADCAST flag
	ciaddr    netip.Addr // the client's address, once it has one
	requested netip.Addr // option 50
	server    netip.Addr // option 54
	params    bool       // ask for parameters: options 55 and 12

	srcIP, dstIP netip.Addr
	dstMAC       [6]byte
}

// encode returns o as a whole Ethernet frame from mac, naming the
// client by hostname (option 12) if it is not empty.
func (o *outgoing) encode(mac [6]byte, hostname string) []byte {
	opts := make([]byte, 0, 64+len(hostname))
	opts = append(opts, optMessageType, 1, o.typ)
	// The client identifier is what the server keys the lease on; send
	// it explicitly (type 1, Ethernet) so that the lease survives a
	// server that would otherwise key on something else.
	opts = append(opts, optClientID, 7, htypeEther)
	opts = append(opts, mac[:]...)
	opts = appendAddrOpt(opts, optRequestedIP, o.requested)
	opts = appendAddrOpt(opts, optServerID, o.server)
	if o.params {
		opts = append(opts, optParamList, byte(len(paramList)))
		opts = append(opts, paramList...)
		if hostname != "" {
			h := hostname[:min(len(hostname), 255)]
			opts = append(opts, optHostname, byte(len(h)))
			opts = append(opts, h...)
		}
	}
	opts = append(opts, optEnd)

	n := max(bootpOptions+len(opts), bootpMin)
	f := make([]byte, ethHdr+ipHdr+udpHdr+n)
	eth, ip, udp, b := f[:ethHdr], f[ethHdr:ethHdr+ipHdr], f[ethHdr+ipHdr:ethHdr+ipHdr+udpHdr], f[ethHdr+ipHdr+udpHdr:]

	b[bootpOp] = bootRequest
	b[bootpHtype] = htypeEther
	b[bootpHlen] = 6
	binary.BigEndian.PutUint32(b[bootpXID:], o.xid)
	if o.broadcast {
		binary.BigEndian.PutUint16(b[bootpFlags:], flagBroadcast)
	}
	putAddr(b[bootpCiaddr:], o.ciaddr)
	copy(b[bootpChaddr:], mac[:])
	binary.BigEndian.PutUint32(b[bootpCookie:], magicCookie)
	copy(b[bootpOptions:], opts)

	binary.BigEndian.PutUint16(udp[0:], clientPort)
	binary.BigEndian.PutUint16(udp[2:], serverPort)
	binary.BigEndian.PutUint16(udp[4:], uint16(udpHdr+n))

	ip[0] = 4<<4 | ipHdr/4
	binary.BigEndian.PutUint16(ip[2:], uint16(ipHdr+udpHdr+n))
	ip[8] = ipTTL
	ip[9] = ipProtoUDP
	putAddr(ip[12:], o.srcIP)
	putAddr(ip[16:], o.dstIP)
	binary.BigEndian.PutUint16(ip[10:], fold(sum(0, ip)))

	// UDP checksums are optional over IPv4, but a frame with one can
	// be checked by everything on its way, so send one. An all-zero
	// result is sent as all ones, since zero means "none" (RFC 768).
	c := fold(sum(pseudoSum(ip), f[ethHdr+ipHdr:]))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(udp[6:], c)

	copy(eth[0:], o.dstMAC[:])
	copy(eth[6:], mac[:])
	binary.BigEndian.PutUint16(eth[12:], ethTypeIP)
	return f
}

func appendAddrOpt(opts []byte, code byte, a netip.Addr) []byte {
	if !a.Is4() {
		return opts
	}
	b := a.As4()
	return append(append(opts, code, 4), b[:]...)
}

// putAddr writes a to b[:4], or zero if a is not an IPv4 address.
func putAddr(b []byte, a netip.Addr) {
	if a.Is4() {
		v := a.As4()
		copy(b, v[:])
	}
}

// sum adds b to s as big-endian 16-bit words, an odd last byte padded
// with zero, for the Internet checksum (RFC 1071). A 64-bit sum cannot
// overflow for any frame.
func sum(s uint64, b []byte) uint64 {
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

// fold returns the Internet checksum of a sum: its carries folded back
// in, complemented. Over data that includes a correct checksum it is 0.
func fold(s uint64) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// pseudoSum is the sum of the IPv4 pseudo-header that the UDP checksum
// covers (RFC 768): addresses, protocol and UDP length, the last taken
// from the IP header's total length.
func pseudoSum(ip []byte) uint64 {
	ihl := int(ip[0]&0xf) * 4
	udpLen := int(binary.BigEndian.Uint16(ip[2:])) - ihl
	return sum(0, ip[12:20]) + ipProtoUDP + uint64(udpLen)
}

// udpOf returns the IPv4 header and UDP datagram (header and payload,
// without Ethernet padding) of frame, if it is an Ethernet frame with an
// unfragmented IPv4/UDP datagram whose lengths agree. If verify, both
// checksums must be right too, except that a UDP checksum of 0 means
// none was sent.
//
// Fragments are refused: servers do not fragment replies this small,
// and the client will not hold on to pieces sent by anyone else.
// 802.1Q tags are refused too: the link below hands over untagged frames.
func udpOf(frame []byte, verify bool) (ip, udp []byte, ok bool) {
	if len(frame) < ethHdr+ipHdr || binary.BigEndian.Uint16(frame[12:]) != ethTypeIP {
		return nil, nil, false
	}
	ip = frame[ethHdr:]
	ihl := int(ip[0]&0xf) * 4
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if ip[0]>>4 != 4 || ihl < ipHdr || total < ihl+udpHdr || total > len(ip) {
		return nil, nil, false
	}
	ip = ip[:total] // drop the Ethernet padding of short frames
	if binary.BigEndian.Uint16(ip[6:])&0x3fff != 0 || ip[9] != ipProtoUDP {
		return nil, nil, false // MF set or a non-zero offset: a fragment
	}
	udp = ip[ihl:]
	if int(binary.BigEndian.Uint16(udp[4:])) != len(udp) {
		return nil, nil, false
	}
	if verify {
		if fold(sum(0, ip[:ihl])) != 0 {
			return nil, nil, false
		}
		if binary.BigEndian.Uint16(udp[6:]) != 0 && fold(sum(pseudoSum(ip), udp)) != 0 {
			return nil, nil, false
		}
	}
	return ip[:ihl], udp, true
}

// A message is a BOOTP message parsed from a frame, with the addresses
// it came with.
type message struct {
	srcMAC           [6]byte
	srcIP, dstIP     netip.Addr
	srcPort, dstPort uint16

	op, htype, hlen byte
	xid             uint32
	flags           uint16
	ciaddr, yiaddr  netip.Addr
	chaddr          [16]byte
	typ             byte // DHCP message type (option 53), 0 if none

	// areas are the parts of the message holding options, in the order
	// RFC 3396 §7 joins them: the options field, then the file and
	// sname fields if option 52 says they were overloaded. Each has
	// been checked to be well formed.
	areas [3][]byte
}

// parse parses a BOOTP message between the server and client ports, in
// either direction, from a whole Ethernet frame. It reports false for
// anything malformed, with a bad checksum, or without the DHCP magic
// cookie; it never looks outside frame.
func parse(frame []byte) (m message, ok bool) {
	ip, udp, ok := udpOf(frame, true)
	if !ok {
		return m, false
	}
	m.srcPort = binary.BigEndian.Uint16(udp[0:])
	m.dstPort = binary.BigEndian.Uint16(udp[2:])
	if !(m.srcPort == serverPort && m.dstPort == clientPort || m.srcPort == clientPort && m.dstPort == serverPort) {
		return m, false
	}
	b := udp[udpHdr:]
	if len(b) < bootpOptions || binary.BigEndian.Uint32(b[bootpCookie:]) != magicCookie {
		return m, false
	}
	copy(m.srcMAC[:], frame[6:12])
	m.srcIP = netip.AddrFrom4([4]byte(ip[12:16]))
	m.dstIP = netip.AddrFrom4([4]byte(ip[16:20]))
	m.op = b[bootpOp]
	m.htype = b[bootpHtype]
	m.hlen = b[bootpHlen]
	m.xid = binary.BigEndian.Uint32(b[bootpXID:])
	m.flags = binary.BigEndian.Uint16(b[bootpFlags:])
	m.ciaddr = netip.AddrFrom4([4]byte(b[bootpCiaddr:]))
	m.yiaddr = netip.AddrFrom4([4]byte(b[bootpYiaddr:]))
	m.chaddr = [16]byte(b[bootpChaddr:])

	m.areas[0] = b[bootpOptions:]
	if !walk(m.areas[0], nil) {
		return m, false
	}
	// Option 52 counts only in the options field (RFC 2132 §9.3).
	var overload []byte
	walk(m.areas[0], func(code byte, v []byte) {
		if code == optOverload {
			overload = v
		}
	})
	if len(overload) == 1 {
		if overload[0]&1 != 0 {
			m.areas[1] = b[bootpFile:bootpCookie]
		}
		if overload[0]&2 != 0 {
			m.areas[2] = b[bootpSname:bootpFile]
		}
		if !walk(m.areas[1], nil) || !walk(m.areas[2], nil) {
			return m, false
		}
	}
	if v := m.option(optMessageType); len(v) == 1 {
		m.typ = v[0]
	}
	return m, true
}

// walk calls fn, if not nil, with each option in area, and reports
// whether area is well formed: every option lies within it, and it stops
// at the end option or exactly at the end of area.
func walk(area []byte, fn func(code byte, v []byte)) bool {
	for i := 0; i < len(area); {
		switch code := area[i]; code {
		case optPad:
			i++
		case optEnd:
			return true
		default:
			if i+2 > len(area) || i+2+int(area[i+1]) > len(area) {
				return false
			}
			n := int(area[i+1])
			if fn != nil {
				fn(code, area[i+2:i+2+n])
			}
			i += 2 + n
		}
	}
	return true
}

// option returns the value of option code, nil if absent. An option
// that occurs more than once is one long option split up, and its
// parts are joined (RFC 3396).
func (m *message) option(code byte) []byte {
	var val []byte
	for _, a := range m.areas {
		walk(a, func(c byte, v []byte) {
			switch {
			case c != code:
			case val == nil:
				val = v
			default:
				val = append(val[:len(val):len(val)], v...)
			}
		})
	}
	return val
}

// addrOption returns the address in option code, invalid unless the
// option is exactly one address long.
func (m *message) addrOption(code byte) netip.Addr {
	v := m.option(code)
	if len(v) != 4 {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(v))
}

// IsReply reports whether frame is an unfragmented IPv4/UDP Ethernet
// frame to the DHCP client port, 68. The caller sends such frames to the
// client instead of the stack, from before Acquire until after the last
// Renew: the stack may have no address to accept them for, and has no
// socket on port 68 if it does. IsReply checks only the headers, not
// checksums or contents; the client does that.
func IsReply(frame []byte) bool {
	_, udp, ok := udpOf(frame, false)
	return ok && binary.BigEndian.Uint16(udp[2:]) == clientPort
}
