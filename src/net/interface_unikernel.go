// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package net

import "internal/sockets"

// The network interfaces of a unikernel are the TCP/IP stack's
// (internal/netstack): lo, and eth0 if the machine has a network device.

func stackInterfaces() []sockets.Interface {
	if sockets.Default == nil {
		return nil
	}
	return sockets.Default.Interfaces()
}

func toInterface(si *sockets.Interface) Interface {
	ifi := Interface{Index: si.Index, MTU: si.MTU, Name: si.Name}
	if len(si.HardwareAddr) > 0 {
		ifi.HardwareAddr = HardwareAddr(si.HardwareAddr)
	}
	if si.Up {
		ifi.Flags |= FlagUp | FlagRunning
	}
	if si.Loopback {
		ifi.Flags |= FlagLoopback
	}
	if si.Broadcast {
		ifi.Flags |= FlagBroadcast
	}
	if si.Multicast {
		ifi.Flags |= FlagMulticast
	}
	return ifi
}

// If the ifindex is zero, interfaceTable returns mappings of all
// network interfaces. Otherwise it returns a mapping of a specific
// interface.
func interfaceTable(ifindex int) ([]Interface, error) {
	var ift []Interface
	for _, si := range stackInterfaces() {
		if ifindex == 0 || si.Index == ifindex {
			ift = append(ift, toInterface(&si))
		}
	}
	return ift, nil
}

// If the ifi is nil, interfaceAddrTable returns addresses for all
// network interfaces. Otherwise it returns addresses for a specific
// interface.
func interfaceAddrTable(ifi *Interface) ([]Addr, error) {
	var addrs []Addr
	for _, si := range stackInterfaces() {
		if ifi != nil && si.Index != ifi.Index {
			continue
		}
		for _, p := range si.Addrs {
			// As on Linux (newAddr in interface_linux.go): an IPv4
			// address in its 16-byte form, with a 4-byte mask.
			var ip IP
			switch len(p.IP) {
			case IPv4len:
				ip = IPv4(p.IP[0], p.IP[1], p.IP[2], p.IP[3])
			case IPv6len:
				ip = make(IP, IPv6len)
				copy(ip, p.IP)
			default:
				continue
			}
			addrs = append(addrs, &IPNet{IP: ip, Mask: CIDRMask(p.Bits, 8*len(p.IP))})
		}
	}
	return addrs, nil
}

// interfaceMulticastAddrTable returns addresses for a specific
// interface. The stack does not list its multicast groups.
func interfaceMulticastAddrTable(ifi *Interface) ([]Addr, error) {
	return nil, nil
}
