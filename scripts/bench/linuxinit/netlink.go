// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build linux && amd64

package main

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"time"
)

// The guest's network is configured with rtnetlink, as ip(8) does:
// RTM_NEWLINK to bring an interface up, RTM_NEWADDR for its address and
// RTM_NEWROUTE for the default route. Each request asks for an
// acknowledgement (NLM_F_ACK), so a refusal arrives as an errno.
// Messages are laid out by hand in the host's byte order, which is
// netlink's.

type netlink struct {
	fd  int
	seq uint32
}

func openNetlink() (*netlink, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %v", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("netlink bind: %v", err)
	}
	return &netlink{fd: fd}, nil
}

var ne = binary.NativeEndian

// msg is a netlink message under construction.
type msg []byte

func (m msg) attr(typ uint16, data []byte) msg {
	n := syscall.SizeofRtAttr + len(data)
	m = ne.AppendUint16(m, uint16(n))
	m = ne.AppendUint16(m, typ)
	m = append(m, data...)
	for len(m)%4 != 0 { // attributes are 4-byte aligned
		m = append(m, 0)
	}
	return m
}

// request sends a message of type typ with body (the fixed header and
// attributes after the nlmsghdr) and waits for its acknowledgement.
func (nl *netlink) request(typ, flags uint16, body []byte) error {
	nl.seq++
	m := make([]byte, 0, syscall.NLMSG_HDRLEN+len(body))
	m = ne.AppendUint32(m, uint32(syscall.NLMSG_HDRLEN+len(body)))
	m = ne.AppendUint16(m, typ)
	m = ne.AppendUint16(m, flags|syscall.NLM_F_REQUEST|syscall.NLM_F_ACK)
	m = ne.AppendUint32(m, nl.seq)
	m = ne.AppendUint32(m, 0) // port ID: 0 lets the kernel fill it in
	m = append(m, body...)
	if err := syscall.Sendto(nl.fd, m, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := syscall.Recvfrom(nl.fd, buf, 0)
		if err != nil {
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, r := range msgs {
			if r.Header.Seq != nl.seq || r.Header.Type != syscall.NLMSG_ERROR {
				continue
			}
			if len(r.Data) < 4 {
				return fmt.Errorf("short netlink error message")
			}
			// struct nlmsgerr: a negative errno, 0 for an ack.
			if e := int32(ne.Uint32(r.Data)); e != 0 {
				return syscall.Errno(-e)
			}
			return nil
		}
	}
}

// linkUp sets IFF_UP on interface index.
func (nl *netlink) linkUp(index int) error {
	// struct ifinfomsg: family, pad, type, index, flags, change.
	var b msg
	b = append(b, syscall.AF_UNSPEC, 0)
	b = ne.AppendUint16(b, 0)
	b = ne.AppendUint32(b, uint32(index))
	b = ne.AppendUint32(b, syscall.IFF_UP)
	b = ne.AppendUint32(b, syscall.IFF_UP)
	return nl.request(syscall.RTM_NEWLINK, 0, b)
}

// addAddr gives interface index the IPv4 address ip/prefix.
func (nl *netlink) addAddr(index int, ip [4]byte, prefix uint8) error {
	// struct ifaddrmsg: family, prefixlen, flags, scope, index.
	var b msg
	b = append(b, syscall.AF_INET, prefix, 0, syscall.RT_SCOPE_UNIVERSE)
	b = ne.AppendUint32(b, uint32(index))
	b = b.attr(syscall.IFA_LOCAL, ip[:])
	b = b.attr(syscall.IFA_ADDRESS, ip[:])
	return nl.request(syscall.RTM_NEWADDR, syscall.NLM_F_CREATE|syscall.NLM_F_EXCL, b)
}

// addDefaultRoute routes 0.0.0.0/0 through gw on interface index.
func (nl *netlink) addDefaultRoute(index int, gw [4]byte) error {
	// struct rtmsg: family, dst_len, src_len, tos, table, protocol,
	// scope, type, flags.
	var b msg
	b = append(b, syscall.AF_INET, 0, 0, 0, syscall.RT_TABLE_MAIN, syscall.RTPROT_BOOT, syscall.RT_SCOPE_UNIVERSE, syscall.RTN_UNICAST)
	b = ne.AppendUint32(b, 0)
	b = b.attr(syscall.RTA_GATEWAY, gw[:])
	b = b.attr(syscall.RTA_OIF, ne.AppendUint32(nil, uint32(index)))
	return nl.request(syscall.RTM_NEWROUTE, syscall.NLM_F_CREATE|syscall.NLM_F_EXCL, b)
}

// waitLink returns the index of the interface called name, waiting up to
// timeout for it to appear.
func waitLink(name string, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		index, err := linkIndex(name)
		if err != nil || index > 0 {
			return index, err
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no interface %s after %v (is the virtio-net device there?)", name, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// linkIndex dumps the interfaces (RTM_GETLINK) and returns the index of
// the one called name, or 0.
func linkIndex(name string) (int, error) {
	rib, err := syscall.NetlinkRIB(syscall.RTM_GETLINK, syscall.AF_UNSPEC)
	if err != nil {
		return 0, fmt.Errorf("RTM_GETLINK: %v", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if m.Header.Type != syscall.RTM_NEWLINK || len(m.Data) < syscall.SizeofIfInfomsg {
			continue
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return 0, err
		}
		for _, a := range attrs {
			if a.Attr.Type == syscall.IFLA_IFNAME && string(trimNUL(a.Value)) == name {
				return int(int32(ne.Uint32(m.Data[4:8]))), nil
			}
		}
	}
	return 0, nil
}

func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}
