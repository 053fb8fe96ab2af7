// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ethlink

import (
	"errors"
	"net/netip"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/raw"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

// NIC numbers, as Linux numbers a machine with one network device:
// lo is 1, the Ethernet device 2.
const (
	LoopbackNIC tcpip.NICID = 1
	EthernetNIC tcpip.NICID = 2
)

// NewStack returns a stack with IPv4 (and ARP), IPv6, TCP, UDP, ICMP
// echo and raw IP sockets, and the loopback interface lo with
// 127.0.0.1/8 and ::1.
// TCP has SACK on, and its buffers may grow to Linux's defaults.
//
// clock is the stack's clock, or nil for gVisor's, which reads package
// time.
func NewStack(clock tcpip.Clock) (*stack.Stack, error) {
	s := stack.New(stack.Options{
		Clock: clock,
		NetworkProtocols: []stack.NetworkProtocolFactory{
			ipv4.NewProtocol,
			ipv6.NewProtocolWithOptions(ipv6.Options{
				NDPConfigs: ipv6.NDPConfigurations{
					HandleRAs:              ipv6.HandlingRAsEnabledWhenForwardingDisabled,
					DiscoverDefaultRouters: true,
					DiscoverOnLinkPrefixes: true,
					AutoGenGlobalAddresses: true,
				},
				AutoGenLinkLocal: true,
			}),
			arp.NewProtocol,
		},
		TransportProtocols: []stack.TransportProtocolFactory{
			tcp.NewProtocol,
			udp.NewProtocol,
			icmp.NewProtocol4,
			icmp.NewProtocol6,
		},
		RawFactory:  raw.EndpointFactory{},
		HandleLocal: true,
		// Empty netfilter tables instead of gVisor's default ruleset,
		// which accepts everything: nothing here can add rules (there
		// are no netfilter socket options), gVisor skips tables that
		// were never replaced, and the default ones are built by one
		// large function, 4% of the instructions QEMU's TCG translates
		// before a booting HTTP server's first answer. Whoever adds
		// rules must start from stack.DefaultTables.
		IPTables: &stack.IPTables{},
	})
	sack := tcpip.TCPSACKEnabled(true)
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &sack); err != nil {
		return nil, errors.New("ethlink: TCP SACK: " + err.String())
	}
	// Linux's tcp_rmem and tcp_wmem: receive and send buffers start
	// at 128 KiB and 16 KiB and grow to 6 MiB and 4 MiB.
	rcv := tcpip.TCPReceiveBufferSizeRangeOption{Min: 4096, Default: 128 << 10, Max: 6 << 20}
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &rcv); err != nil {
		return nil, errors.New("ethlink: TCP receive buffer: " + err.String())
	}
	snd := tcpip.TCPSendBufferSizeRangeOption{Min: 4096, Default: 16 << 10, Max: 4 << 20}
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &snd); err != nil {
		return nil, errors.New("ethlink: TCP send buffer: " + err.String())
	}
	if err := s.CreateNICWithOptions(LoopbackNIC, loopback.New(), stack.NICOptions{Name: "lo"}); err != nil {
		return nil, errors.New("ethlink: lo: " + err.String())
	}
	for _, a := range []netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/8"),
		netip.MustParsePrefix("::1/128"),
	} {
		if err := AddAddress(s, LoopbackNIC, a); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// AddEthernet adds link to s as NIC id, named name.
func AddEthernet(s *stack.Stack, id tcpip.NICID, name string, link *Link) error {
	if err := s.CreateNICWithOptions(id, link, stack.NICOptions{Name: name}); err != nil {
		return errors.New("ethlink: " + name + ": " + err.String())
	}
	return nil
}

// AddAddress assigns the address and subnet of p to NIC id and routes
// the subnet through it.
func AddAddress(s *stack.Stack, id tcpip.NICID, p netip.Prefix) error {
	a := p.Addr().Unmap()
	proto := ipv4.ProtocolNumber
	if a.Is6() {
		proto = ipv6.ProtocolNumber
	}
	pa := tcpip.ProtocolAddress{
		Protocol: proto,
		AddressWithPrefix: tcpip.AddressWithPrefix{
			Address:   tcpip.AddrFromSlice(a.AsSlice()),
			PrefixLen: p.Bits(),
		},
	}
	if err := s.AddProtocolAddress(id, pa, stack.AddressProperties{}); err != nil {
		return errors.New("ethlink: address " + p.String() + ": " + err.String())
	}
	subnet := pa.AddressWithPrefix.Subnet()
	s.AddRoute(tcpip.Route{Destination: subnet, NIC: id})
	return nil
}

// AddDefaultRoute routes everything not on a subnet through gw on
// NIC id.
func AddDefaultRoute(s *stack.Stack, id tcpip.NICID, gw netip.Addr) {
	gw = gw.Unmap()
	dst := header.IPv4EmptySubnet
	if gw.Is6() {
		dst = header.IPv6EmptySubnet
	}
	s.AddRoute(tcpip.Route{Destination: dst, Gateway: tcpip.AddrFromSlice(gw.AsSlice()), NIC: id})
}
