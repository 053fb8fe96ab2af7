// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package netstack

import (
	"bytes"
	"internal/sockets"
	"sync"
	"syscall"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// A socket is a sockets.Socket over an endpoint of the stack.
type socket struct {
	ep     tcpip.Endpoint
	wq     *waiter.Queue
	entry  waiter.Entry
	family int
	sotype int

	// The writer a read copies into, and the reader a write copies
	// from and the address it sends to, kept so that none of them
	// allocates, as package net's TestTCPReadWriteAllocs and
	// TestAllocs want.
	rmu sync.Mutex
	w   tcpip.SliceWriter
	wmu sync.Mutex
	r   bytes.Reader
	to  tcpip.FullAddress
}

// allEvents are the events a socket passes to its notify function.
const allEvents = waiter.ReadableEvents | waiter.WritableEvents | waiter.EventErr | waiter.EventHUp

func newSocket(ep tcpip.Endpoint, wq *waiter.Queue, family, sotype int, notify func(uint32)) *socket {
	s := &socket{ep: ep, wq: wq, family: family, sotype: sotype}
	s.entry = waiter.NewFunctionEntry(allEvents, func(m waiter.EventMask) {
		notify(uint32(m))
	})
	wq.EventRegister(&s.entry)
	return s
}

// makeSocket makes an endpoint of st for socket(family, sotype, proto).
func makeSocket(st *stack.Stack, family, sotype, proto int, notify func(uint32)) (sockets.Socket, error) {
	var netProto tcpip.NetworkProtocolNumber
	switch family {
	case syscall.AF_INET:
		netProto = ipv4.ProtocolNumber
	case syscall.AF_INET6:
		netProto = ipv6.ProtocolNumber
	default:
		return nil, syscall.EAFNOSUPPORT
	}
	var transProto tcpip.TransportProtocolNumber
	switch {
	case sotype == syscall.SOCK_STREAM && (proto == 0 || proto == syscall.IPPROTO_TCP):
		transProto = tcp.ProtocolNumber
	case sotype == syscall.SOCK_DGRAM && (proto == 0 || proto == syscall.IPPROTO_UDP):
		transProto = udp.ProtocolNumber
	case sotype == syscall.SOCK_DGRAM && family == syscall.AF_INET && proto == syscall.IPPROTO_ICMP:
		transProto = icmp.ProtocolNumber4
	case sotype == syscall.SOCK_DGRAM && family == syscall.AF_INET6 && proto == syscall.IPPROTO_ICMPV6:
		transProto = icmp.ProtocolNumber6
	case sotype == syscall.SOCK_RAW && proto > 0 && proto < 256:
		// A raw IP socket, as package net's "ip4:icmp" makes: IPv4
		// ones receive the IP header, as on Linux.
		wq := new(waiter.Queue)
		ep, err := st.NewRawEndpoint(tcpip.TransportProtocolNumber(proto), netProto, wq, true)
		if err != nil {
			return nil, errno(err)
		}
		return newSocket(ep, wq, family, sotype, notify), nil
	case sotype != syscall.SOCK_STREAM && sotype != syscall.SOCK_DGRAM:
		return nil, syscall.ESOCKTNOSUPPORT
	default:
		return nil, syscall.EPROTONOSUPPORT
	}
	wq := new(waiter.Queue)
	ep, err := st.NewEndpoint(transProto, netProto, wq)
	if err != nil {
		return nil, errno(err)
	}
	return newSocket(ep, wq, family, sotype, notify), nil
}

// fullAddress converts a for the stack. The unspecified address, which
// means any address in bind, is the empty address to the stack.
func (s *socket) fullAddress(a sockets.Addr) (tcpip.FullAddress, error) {
	if a.Family != s.family {
		return tcpip.FullAddress{}, syscall.EAFNOSUPPORT
	}
	fa := tcpip.FullAddress{Port: uint16(a.Port), NIC: tcpip.NICID(a.Zone)}
	// By array, not slice: a slice of a would move it to the heap on
	// every send.
	if a.Family == syscall.AF_INET {
		if ip := [4]byte(a.IP[:4]); ip != [4]byte{} {
			fa.Addr = tcpip.AddrFrom4(ip)
		}
	} else if a.IP != [16]byte{} {
		fa.Addr = tcpip.AddrFrom16(a.IP)
	}
	return fa, nil
}

// sockAddr converts a stack address for this socket's family: an
// IPv4 address of a dual-stack IPv6 socket is IPv4-mapped.
func (s *socket) sockAddr(fa tcpip.FullAddress) sockets.Addr {
	a := sockets.Addr{Family: s.family, Port: int(fa.Port)}
	ip := fa.Addr.AsSlice()
	switch {
	case len(ip) == 0:
		// The unspecified address: all zeros.
	case s.family == syscall.AF_INET:
		copy(a.IP[:4], ip)
	case len(ip) == 4:
		a.IP[10], a.IP[11] = 0xff, 0xff
		copy(a.IP[12:], ip)
	default:
		copy(a.IP[:], ip)
		if ip[0] == 0xfe && ip[1]&0xc0 == 0x80 {
			a.Zone = uint32(fa.NIC) // link-local: scoped by interface
		}
	}
	return a
}

func (s *socket) Bind(a sockets.Addr) error {
	fa, err := s.fullAddress(a)
	if err != nil {
		return err
	}
	return errno(s.ep.Bind(fa))
}

func (s *socket) Listen(backlog int) error {
	return errno(s.ep.Listen(backlog))
}

func (s *socket) Accept(notify func(uint32)) (sockets.Socket, sockets.Addr, error) {
	var peer tcpip.FullAddress
	ep, wq, err := s.ep.Accept(&peer)
	if err != nil {
		return nil, sockets.Addr{}, errno(err)
	}
	return newSocket(ep, wq, s.family, s.sotype, notify), s.sockAddr(peer), nil
}

func (s *socket) Connect(a sockets.Addr) error {
	fa, err := s.fullAddress(a)
	if err != nil {
		return err
	}
	if fa.Addr.Len() == 0 {
		// connect to the unspecified address reaches this host, as on
		// Linux.
		if s.family == syscall.AF_INET {
			fa.Addr = tcpip.AddrFrom4([4]byte{127, 0, 0, 1})
		} else {
			fa.Addr = tcpip.AddrFrom16([16]byte{15: 1})
		}
	}
	return errno(s.ep.Connect(fa))
}

func (s *socket) Read(p []byte) (int, error) {
	n, _, err := s.RecvFrom(p, 0)
	return n, err
}

func (s *socket) RecvFrom(p []byte, flags int) (int, sockets.Addr, error) {
	n, from, _, err := s.RecvMsg(p, flags)
	return n, from, err
}

func (s *socket) RecvMsg(p []byte, flags int) (int, sockets.Addr, *sockets.PacketInfo, error) {
	if flags&^(syscall.MSG_PEEK|syscall.MSG_TRUNC|syscall.MSG_NOSIGNAL) != 0 {
		return 0, sockets.Addr{}, nil, syscall.EOPNOTSUPP
	}
	// The stack copies into w until it is full, and then takes the
	// rest of a stream for the next read and drops the rest of a
	// datagram.
	dgram := s.sotype != syscall.SOCK_STREAM
	buf := p
	if len(buf) == 0 && dgram {
		// Linux takes the datagram and returns 0 (or its length
		// with MSG_TRUNC); the stack wants room for a byte.
		buf = make([]byte, 1)
	}
	s.rmu.Lock()
	s.w = buf
	res, err := s.ep.Read(&s.w, tcpip.ReadOptions{
		Peek:           flags&syscall.MSG_PEEK != 0,
		NeedRemoteAddr: dgram,
	})
	s.w = nil
	s.rmu.Unlock()
	if _, eof := err.(*tcpip.ErrClosedForReceive); eof {
		return 0, sockets.Addr{}, nil, nil
	}
	if err != nil {
		return 0, sockets.Addr{}, nil, errno(err)
	}
	n := min(res.Count, len(p))
	if flags&syscall.MSG_TRUNC != 0 && dgram {
		n = res.Total
	}
	var from sockets.Addr
	if dgram {
		from = s.sockAddr(res.RemoteAddr)
	}
	var info *sockets.PacketInfo
	switch cm := res.ControlMessages; {
	case cm.HasIPPacketInfo:
		info = &sockets.PacketInfo{Family: syscall.AF_INET, Ifindex: int(cm.PacketInfo.NIC)}
		copy(info.Addr[:], cm.PacketInfo.DestinationAddr.AsSlice())
	case cm.HasIPv6PacketInfo:
		info = &sockets.PacketInfo{Family: syscall.AF_INET6, Ifindex: int(cm.IPv6PacketInfo.NIC)}
		copy(info.Addr[:], cm.IPv6PacketInfo.Addr.AsSlice())
	}
	return n, from, info, nil
}

func (s *socket) Write(p []byte) (int, error) {
	return s.SendTo(p, 0, sockets.Addr{})
}

func (s *socket) SendTo(p []byte, flags int, a sockets.Addr) (int, error) {
	return s.SendMsg(p, flags, a, nil)
}

// SendMsg takes IPV6_PKTINFO to the stack, which sends from the address
// and interface asked for. The stack has no such choice for IPv4: it
// sends from the address of the interface the route goes out on, so an
// IP_PKTINFO that asks for a source address is taken only if that is
// an address of this host, which, with an address per interface, is the
// one the route gives for a reply to a datagram that came in on it.
func (s *socket) SendMsg(p []byte, flags int, a sockets.Addr, info *sockets.PacketInfo) (int, error) {
	if flags&^syscall.MSG_NOSIGNAL != 0 {
		return 0, syscall.EOPNOTSUPP
	}
	var opts tcpip.WriteOptions
	var to tcpip.FullAddress
	sendTo := a.Family != syscall.AF_UNSPEC && s.sotype != syscall.SOCK_STREAM
	if sendTo {
		var err error
		if to, err = s.fullAddress(a); err != nil {
			return 0, err
		}
	}
	if info != nil {
		if s.sotype == syscall.SOCK_STREAM {
			return 0, syscall.EINVAL
		}
		switch info.Family {
		case syscall.AF_INET6:
			opts.ControlMessages.HasIPv6PacketInfo = true
			opts.ControlMessages.IPv6PacketInfo = tcpip.IPv6PacketInfo{Addr: tcpip.AddrFrom16(info.Addr), NIC: tcpip.NICID(info.Ifindex)}
		case syscall.AF_INET:
			addr := tcpip.AddrFrom4([4]byte(info.Addr[:4]))
			if addr != (tcpip.Address{}) && addr != tcpip.AddrFrom4([4]byte{}) && theStack.s.CheckLocalAddress(0, ipv4.ProtocolNumber, addr) == 0 {
				return 0, syscall.EINVAL // not an address of this host
			}
		}
	}
	s.wmu.Lock()
	s.r.Reset(p)
	if sendTo {
		// The stack reads the address during the call and keeps
		// nothing of it.
		s.to = to
		opts.To = &s.to
	}
	n, err := s.ep.Write(&s.r, opts)
	s.r.Reset(nil)
	s.wmu.Unlock()
	if err != nil && n == 0 {
		return 0, errno(err)
	}
	return int(n), nil
}

func (s *socket) Shutdown(how int) error {
	var f tcpip.ShutdownFlags
	switch how {
	case syscall.SHUT_RD:
		f = tcpip.ShutdownRead
	case syscall.SHUT_WR:
		f = tcpip.ShutdownWrite
	case syscall.SHUT_RDWR:
		f = tcpip.ShutdownRead | tcpip.ShutdownWrite
	default:
		return syscall.EINVAL
	}
	return errno(s.ep.Shutdown(f))
}

func (s *socket) Close() error {
	s.wq.EventUnregister(&s.entry)
	s.ep.Close()
	return nil
}

func (s *socket) LocalAddr() (sockets.Addr, error) {
	fa, err := s.ep.GetLocalAddress()
	if err != nil {
		return sockets.Addr{}, errno(err)
	}
	return s.sockAddr(fa), nil
}

func (s *socket) RemoteAddr() (sockets.Addr, error) {
	fa, err := s.ep.GetRemoteAddress()
	if err != nil {
		return sockets.Addr{}, errno(err)
	}
	return s.sockAddr(fa), nil
}

func (s *socket) Readiness() uint32 {
	return uint32(s.ep.Readiness(allEvents))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *socket) GetsockoptInt(level, opt int) (int, error) {
	so := s.ep.SocketOptions()
	switch level {
	case syscall.SOL_SOCKET:
		switch opt {
		case syscall.SO_ERROR:
			if err := errno(s.ep.LastError()); err != nil {
				return int(err.(syscall.Errno)), nil
			}
			return 0, nil
		case syscall.SO_REUSEADDR:
			return b2i(so.GetReuseAddress()), nil
		case syscall.SO_REUSEPORT:
			return b2i(so.GetReusePort()), nil
		case syscall.SO_KEEPALIVE:
			return b2i(so.GetKeepAlive()), nil
		case syscall.SO_BROADCAST:
			return b2i(so.GetBroadcast()), nil
		case syscall.SO_RCVBUF:
			return int(so.GetReceiveBufferSize()), nil
		case syscall.SO_SNDBUF:
			return int(so.GetSendBufferSize()), nil
		case syscall.SO_ACCEPTCONN:
			return b2i(tcp.EndpointState(s.ep.State()) == tcp.StateListen && s.sotype == syscall.SOCK_STREAM), nil
		}
	case syscall.IPPROTO_TCP:
		if s.sotype != syscall.SOCK_STREAM {
			return 0, syscall.EOPNOTSUPP
		}
		switch opt {
		case syscall.TCP_NODELAY:
			return b2i(!so.GetDelayOption()), nil
		case syscall.TCP_KEEPCNT:
			v, err := s.ep.GetSockOptInt(tcpip.KeepaliveCountOption)
			return v, errno(err)
		case syscall.TCP_KEEPIDLE:
			var v tcpip.KeepaliveIdleOption
			err := s.ep.GetSockOpt(&v)
			return int(time.Duration(v) / time.Second), errno(err)
		case syscall.TCP_KEEPINTVL:
			var v tcpip.KeepaliveIntervalOption
			err := s.ep.GetSockOpt(&v)
			return int(time.Duration(v) / time.Second), errno(err)
		case syscall.TCP_MAXSEG:
			v, err := s.ep.GetSockOptInt(tcpip.MaxSegOption)
			return v, errno(err)
		}
	case syscall.IPPROTO_IP:
		switch opt {
		case syscall.IP_PKTINFO:
			return b2i(so.GetReceivePacketInfo()), nil
		case syscall.IP_TTL:
			v, err := s.ep.GetSockOptInt(tcpip.IPv4TTLOption)
			return v, errno(err)
		case syscall.IP_TOS:
			v, err := s.ep.GetSockOptInt(tcpip.IPv4TOSOption)
			return v, errno(err)
		case syscall.IP_MULTICAST_TTL:
			v, err := s.ep.GetSockOptInt(tcpip.MulticastTTLOption)
			return v, errno(err)
		case syscall.IP_MULTICAST_LOOP:
			return b2i(so.GetMulticastLoop()), nil
		}
	case syscall.IPPROTO_IPV6:
		switch opt {
		case syscall.IPV6_V6ONLY:
			return b2i(so.GetV6Only()), nil
		case syscall.IPV6_RECVPKTINFO:
			return b2i(so.GetIPv6ReceivePacketInfo()), nil
		case syscall.IPV6_UNICAST_HOPS:
			v, err := s.ep.GetSockOptInt(tcpip.IPv6HopLimitOption)
			return v, errno(err)
		case syscall.IPV6_MULTICAST_LOOP:
			return b2i(so.GetMulticastLoop()), nil
		}
	}
	return 0, syscall.ENOPROTOOPT
}

func (s *socket) SetsockoptInt(level, opt, value int) error {
	so := s.ep.SocketOptions()
	on := value != 0
	switch level {
	case syscall.SOL_SOCKET:
		switch opt {
		case syscall.SO_REUSEADDR:
			so.SetReuseAddress(on)
			return nil
		case syscall.SO_REUSEPORT:
			so.SetReusePort(on)
			return nil
		case syscall.SO_KEEPALIVE:
			so.SetKeepAlive(on)
			return nil
		case syscall.SO_BROADCAST:
			so.SetBroadcast(on)
			return nil
		case syscall.SO_RCVBUF:
			// Linux doubles the size asked for, to leave room for
			// its bookkeeping; SO_RCVBUF reads back the doubled
			// value.
			so.SetReceiveBufferSize(int64(value)*2, true)
			return nil
		case syscall.SO_SNDBUF:
			so.SetSendBufferSize(int64(value)*2, true)
			return nil
		case syscall.SO_LINGER:
			// From syscall.SetsockoptLinger: seconds, or -1 for off.
			so.SetLinger(tcpip.LingerOption{Enabled: value >= 0, Timeout: time.Duration(max(value, 0)) * time.Second})
			return nil
		}
	case syscall.IPPROTO_TCP:
		if s.sotype != syscall.SOCK_STREAM {
			return syscall.EOPNOTSUPP
		}
		switch opt {
		case syscall.TCP_NODELAY:
			so.SetDelayOption(!on)
			return nil
		case syscall.TCP_KEEPCNT:
			return errno(s.ep.SetSockOptInt(tcpip.KeepaliveCountOption, value))
		case syscall.TCP_KEEPIDLE:
			if value < 1 {
				return syscall.EINVAL
			}
			v := tcpip.KeepaliveIdleOption(time.Duration(value) * time.Second)
			return errno(s.ep.SetSockOpt(&v))
		case syscall.TCP_KEEPINTVL:
			if value < 1 {
				return syscall.EINVAL
			}
			v := tcpip.KeepaliveIntervalOption(time.Duration(value) * time.Second)
			return errno(s.ep.SetSockOpt(&v))
		case syscall.TCP_MAXSEG:
			return errno(s.ep.SetSockOptInt(tcpip.MaxSegOption, value))
		}
	case syscall.IPPROTO_IP:
		switch opt {
		case syscall.IP_PKTINFO:
			if s.sotype != syscall.SOCK_DGRAM {
				return syscall.ENOPROTOOPT
			}
			so.SetReceivePacketInfo(on)
			return nil
		case syscall.IP_TTL:
			return errno(s.ep.SetSockOptInt(tcpip.IPv4TTLOption, value))
		case syscall.IP_TOS:
			return errno(s.ep.SetSockOptInt(tcpip.IPv4TOSOption, value))
		case syscall.IP_MULTICAST_TTL:
			return errno(s.ep.SetSockOptInt(tcpip.MulticastTTLOption, value))
		case syscall.IP_MULTICAST_LOOP:
			so.SetMulticastLoop(on)
			return nil
		}
	case syscall.IPPROTO_IPV6:
		switch opt {
		case syscall.IPV6_V6ONLY:
			so.SetV6Only(on)
			return nil
		case syscall.IPV6_RECVPKTINFO:
			if s.sotype != syscall.SOCK_DGRAM || s.family != syscall.AF_INET6 {
				return syscall.ENOPROTOOPT
			}
			so.SetIPv6ReceivePacketInfo(on)
			return nil
		case syscall.IPV6_UNICAST_HOPS:
			return errno(s.ep.SetSockOptInt(tcpip.IPv6HopLimitOption, value))
		case syscall.IPV6_MULTICAST_LOOP:
			so.SetMulticastLoop(on)
			return nil
		}
	}
	return syscall.ENOPROTOOPT
}
