// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ethlink

import (
	"errors"
	"net/netip"

	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// Announce broadcasts an ARP announcement of the IPv4 address addr
// (RFC 5227, section 2.3): an ARP request whose sender and target are
// both addr, from the link's MAC address.
//
// Hosts on the link that already have a neighbour entry for addr take
// the link's address from it. Two such entries are common when a
// unikernel boots: one left by an earlier run at the same address with
// another MAC address (Solo5's tenders and a device without one pick a
// new MAC address each run), which a host would otherwise go on using
// until its entry expires; and one still waiting for an answer, because
// the host asked before the device was up and Linux asks again only
// after a second. Linux updates an existing entry from an announcement
// but makes no new one (net.ipv4.conf.*.arp_accept is 0 by default), so
// it costs the other hosts nothing.
func (l *Link) Announce(addr netip.Addr) error {
	addr = addr.Unmap()
	if !addr.Is4() {
		return errors.New("ethlink: ARP announcement of " + addr.String() + ": not an IPv4 address")
	}
	frame := make([]byte, header.EthernetMinimumSize+header.ARPSize)
	header.Ethernet(frame).Encode(&header.EthernetFields{
		SrcAddr: l.mac,
		DstAddr: header.EthernetBroadcastAddress,
		Type:    header.ARPProtocolNumber,
	})
	a := header.ARP(frame[header.EthernetMinimumSize:])
	a.SetIPv4OverEthernet()
	a.SetOp(header.ARPRequest)
	ip := addr.As4()
	copy(a.HardwareAddressSender(), l.mac)
	copy(a.ProtocolAddressSender(), ip[:])
	copy(a.ProtocolAddressTarget(), ip[:]) // the target's MAC address stays zero
	return l.WriteFrame(frame)
}
