// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// Sockets on a unikernel. The TCP/IP stack (internal/netstack, which
// package net imports) installs itself in internal/sockets; a socket is
// a descriptor whose inode holds one of the stack's endpoints, so that
// package net takes its usual Unix path: non-blocking descriptors,
// EAGAIN, and the runtime's netpoller, which the endpoint's events feed
// through netpollReady. A program without package net has no stack, and
// Socket fails with EAFNOSUPPORT, as on a kernel built without
// networking.
//
// The constants have Linux's values, like the error numbers.

import (
	"internal/sockets"
	"sync"
	"unsafe"
)

const (
	AF_UNSPEC = 0x0
	AF_UNIX   = 0x1
	AF_INET   = 0x2
	AF_INET6  = 0xa
)

const (
	SOCK_STREAM    = 0x1
	SOCK_DGRAM     = 0x2
	SOCK_RAW       = 0x3
	SOCK_SEQPACKET = 0x5
	SOCK_NONBLOCK  = 0x800
	SOCK_CLOEXEC   = 0x80000
)

const (
	IPPROTO_IP     = 0x0
	IPPROTO_ICMP   = 0x1
	IPPROTO_IPV4   = 0x4
	IPPROTO_TCP    = 0x6
	IPPROTO_UDP    = 0x11
	IPPROTO_IPV6   = 0x29
	IPPROTO_ICMPV6 = 0x3a
)

const (
	SOL_SOCKET    = 0x1
	SO_REUSEADDR  = 0x2
	SO_TYPE       = 0x3
	SO_ERROR      = 0x4
	SO_DONTROUTE  = 0x5
	SO_BROADCAST  = 0x6
	SO_SNDBUF     = 0x7
	SO_RCVBUF     = 0x8
	SO_KEEPALIVE  = 0x9
	SO_OOBINLINE  = 0xa
	SO_LINGER     = 0xd
	SO_REUSEPORT  = 0xf
	SO_RCVLOWAT   = 0x12
	SO_SNDLOWAT   = 0x13
	SO_ACCEPTCONN = 0x1e
	SO_DOMAIN     = 0x27
	SO_PROTOCOL   = 0x26

	TCP_NODELAY   = 0x1
	TCP_MAXSEG    = 0x2
	TCP_CORK      = 0x3
	TCP_KEEPIDLE  = 0x4
	TCP_KEEPINTVL = 0x5
	TCP_KEEPCNT   = 0x6

	IP_TOS             = 0x1
	IP_TTL             = 0x2
	IP_PKTINFO         = 0x8
	IP_MULTICAST_IF    = 0x20
	IP_MULTICAST_TTL   = 0x21
	IP_MULTICAST_LOOP  = 0x22
	IP_ADD_MEMBERSHIP  = 0x23
	IP_DROP_MEMBERSHIP = 0x24

	IPV6_UNICAST_HOPS   = 0x10
	IPV6_MULTICAST_IF   = 0x11
	IPV6_MULTICAST_HOPS = 0x12
	IPV6_MULTICAST_LOOP = 0x13
	IPV6_JOIN_GROUP     = 0x14
	IPV6_LEAVE_GROUP    = 0x15
	IPV6_V6ONLY         = 0x1a
	IPV6_RECVPKTINFO    = 0x31
	IPV6_PKTINFO        = 0x32
	IPV6_TCLASS         = 0x43

	MSG_OOB      = 0x1
	MSG_CTRUNC   = 0x8
	MSG_PEEK     = 0x2
	MSG_TRUNC    = 0x20
	MSG_DONTWAIT = 0x40
	MSG_WAITALL  = 0x100
	MSG_NOSIGNAL = 0x4000

	SOMAXCONN = 0x1000

	SHUT_RD   = 0x0
	SHUT_WR   = 0x1
	SHUT_RDWR = 0x2
)

// A Sockaddr is a socket address: one of the Sockaddr* types below.
type Sockaddr interface {
	sockaddr()
}

type SockaddrInet4 struct {
	Port int
	Addr [4]byte
}

type SockaddrInet6 struct {
	Port   int
	ZoneId uint32
	Addr   [16]byte
}

type SockaddrUnix struct {
	Name string
}

// RawSockaddrUnix is Linux's struct sockaddr_un.
type RawSockaddrUnix struct {
	Family uint16
	Path   [108]int8
}

func (*SockaddrInet4) sockaddr() {}
func (*SockaddrInet6) sockaddr() {}
func (*SockaddrUnix) sockaddr()  {}

type Linger struct {
	Onoff  int32
	Linger int32
}

// netpollReady tells the runtime's netpoller that descriptor fd may be
// ready for reading ('r'), writing ('w') or both ('r'+'w'). The runtime
// pushes its body here (netpoll_unikernel.go).
func netpollReady(fd uintptr, mode int32)

// A socket is the device of a socket's inode.
type socket struct {
	ep     sockets.Socket
	family int
	sotype int

	mu   sync.Mutex
	cond sync.Cond // broadcast by notify, for blocking calls
	fds  []int     // the descriptors that refer to the socket
	gen  uint64    // counts notify calls
}

func newSocket(family, sotype int) *socket {
	s := &socket{family: family, sotype: sotype}
	s.cond.L = &s.mu
	return s
}

func (s *socket) addFD(fd int) {
	s.mu.Lock()
	s.fds = append(s.fds, fd)
	s.mu.Unlock()
}

func (s *socket) removeFD(fd int) {
	s.mu.Lock()
	for i, f := range s.fds {
		if f == fd {
			s.fds = append(s.fds[:i], s.fds[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
}

// notify is the stack's callback. It may come from any goroutine, with
// the stack's locks held, so it takes no lock but s.mu.
func (s *socket) notify(events uint32) {
	var mode int32
	if events&(sockets.EventIn|sockets.EventErr|sockets.EventHup) != 0 {
		mode += 'r'
	}
	if events&(sockets.EventOut|sockets.EventErr|sockets.EventHup) != 0 {
		mode += 'w'
	}
	s.mu.Lock()
	s.gen++
	if mode != 0 {
		for _, fd := range s.fds {
			netpollReady(uintptr(fd), mode)
		}
	}
	s.cond.Broadcast()
	s.mu.Unlock()
	pollChanged()
}

// wait makes a blocking call: it repeats op until op no longer fails
// with EAGAIN, waiting for an event in between.
func (s *socket) wait(nonblock bool, op func() error) error {
	for {
		s.mu.Lock()
		gen := s.gen
		s.mu.Unlock()
		err := op()
		if err != EAGAIN || nonblock {
			return err
		}
		s.mu.Lock()
		for s.gen == gen {
			s.cond.Wait()
		}
		s.mu.Unlock()
	}
}

func (s *socket) recv(p []byte, nonblock bool) (n int, err error) {
	err = s.wait(nonblock, func() error {
		n, err = s.ep.Read(p)
		return err
	})
	return n, err
}

func (s *socket) send(p []byte, nonblock bool) (n int, err error) {
	err = s.wait(nonblock, func() error {
		n, err = s.ep.Write(p)
		return err
	})
	return n, err
}

func (s *socket) close() {
	s.ep.Close()
}

// read and write make the socket a device. Read and Write call recv
// and send instead, which know the descriptor's O_NONBLOCK.
func (s *socket) read(p []byte) (int, error)  { return s.recv(p, false) }
func (s *socket) write(p []byte) (int, error) { return s.send(p, false) }

// installSocket makes a descriptor for the endpoint made by open,
// which receives the socket's notify function. fs.mu must not be held.
func installSocket(family, sotype, flags int, open func(notify func(uint32)) (sockets.Socket, error)) (int, error) {
	s := newSocket(family, sotype)
	ep, err := open(s.notify)
	if err != nil {
		return -1, err
	}
	s.ep = ep
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip := fs.newInode(S_IFSOCK | 0777)
	ip.nlink = 0 // in no directory
	ip.dev = s
	f := &openFile{ip: ip, flags: O_RDWR | flags&O_NONBLOCK, refs: 1}
	fd, err := fs.install(f, 0, flags&O_CLOEXEC != 0)
	if err != nil {
		ep.Close()
		return -1, err
	}
	return fd, nil
}

// sock returns the socket of descriptor fd.
func sock(fd int) (*socket, bool, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return nil, false, err
	}
	s, ok := f.ip.dev.(*socket)
	if !ok {
		return nil, false, ENOTSOCK
	}
	return s, f.flags&O_NONBLOCK != 0, nil
}

// sockFlags splits a socket type into the type and the descriptor's
// open flags that SOCK_NONBLOCK and SOCK_CLOEXEC ask for.
func sockFlags(typ int) (sotype, flags int) {
	if typ&SOCK_NONBLOCK != 0 {
		flags |= O_NONBLOCK
	}
	if typ&SOCK_CLOEXEC != 0 {
		flags |= O_CLOEXEC
	}
	return typ &^ (SOCK_NONBLOCK | SOCK_CLOEXEC), flags
}

func Socket(domain, typ, proto int) (fd int, err error) {
	typ, flags := sockFlags(typ)
	if domain == AF_UNIX {
		if proto != 0 {
			return -1, EPROTONOSUPPORT
		}
		return installSocket(domain, typ, flags, func(notify func(uint32)) (sockets.Socket, error) {
			return newUnixSocket(typ, notify)
		})
	}
	st := sockets.Default
	if st == nil || (domain != AF_INET && domain != AF_INET6) {
		return -1, EAFNOSUPPORT
	}
	return installSocket(domain, typ, flags, func(notify func(uint32)) (sockets.Socket, error) {
		return st.Socket(domain, typ, proto, notify)
	})
}

// toAddr converts sa for the stack.
func toAddr(sa Sockaddr) (sockets.Addr, error) {
	var a sockets.Addr
	switch sa := sa.(type) {
	case *SockaddrInet4:
		if sa == nil || sa.Port < 0 || sa.Port > 0xffff {
			return a, EINVAL
		}
		a.Family = AF_INET
		copy(a.IP[:4], sa.Addr[:])
		a.Port = sa.Port
	case *SockaddrInet6:
		if sa == nil || sa.Port < 0 || sa.Port > 0xffff {
			return a, EINVAL
		}
		a.Family = AF_INET6
		a.IP = sa.Addr
		a.Port = sa.Port
		a.Zone = sa.ZoneId
	case *SockaddrUnix:
		if sa == nil {
			return a, EINVAL
		}
		name := sa.Name
		if len(name) > len(RawSockaddrUnix{}.Path) {
			return a, EINVAL
		}
		if name != "" && name[0] == '@' {
			name = "\x00" + name[1:] // an abstract name, as on Linux
		}
		a.Family = AF_UNIX
		a.Name = name
	case nil:
		return a, EINVAL
	default:
		return a, EAFNOSUPPORT
	}
	return a, nil
}

func fromAddr(a sockets.Addr) Sockaddr {
	switch a.Family {
	case AF_INET:
		sa := &SockaddrInet4{Port: a.Port}
		copy(sa.Addr[:], a.IP[:4])
		return sa
	case AF_INET6:
		return &SockaddrInet6{Port: a.Port, ZoneId: a.Zone, Addr: a.IP}
	case AF_UNIX:
		name := a.Name
		if name != "" && name[0] == 0 {
			name = "@" + name[1:]
		}
		return &SockaddrUnix{Name: name}
	}
	return nil
}

// sockname is fromAddr for the names of sockets themselves, those that
// getsockname, getpeername and accept return. Linux gives an unnamed
// Unix socket's name as the address family alone, which package
// syscall there reads as "@" (an empty abstract name); programs and
// package net's tests expect that name.
func sockname(a sockets.Addr) Sockaddr {
	if a.Family == AF_UNIX && a.Name == "" {
		return &SockaddrUnix{Name: "@"}
	}
	return fromAddr(a)
}

func Bind(fd int, sa Sockaddr) error {
	s, _, err := sock(fd)
	if err != nil {
		return err
	}
	a, err := toAddr(sa)
	if err != nil {
		return err
	}
	return s.ep.Bind(a)
}

func Listen(fd int, backlog int) error {
	s, _, err := sock(fd)
	if err != nil {
		return err
	}
	return s.ep.Listen(backlog)
}

func Accept(fd int) (nfd int, sa Sockaddr, err error) {
	return Accept4(fd, 0)
}

// Accept4 accepts a connection; flags may hold SOCK_NONBLOCK and
// SOCK_CLOEXEC.
func Accept4(fd int, flags int) (nfd int, sa Sockaddr, err error) {
	if flags&^(SOCK_NONBLOCK|SOCK_CLOEXEC) != 0 {
		return -1, nil, EINVAL
	}
	s, nonblock, err := sock(fd)
	if err != nil {
		return -1, nil, err
	}
	oflags := 0
	if flags&SOCK_NONBLOCK != 0 {
		oflags |= O_NONBLOCK
	}
	if flags&SOCK_CLOEXEC != 0 {
		oflags |= O_CLOEXEC
	}
	var from sockets.Addr
	err = s.wait(nonblock, func() error {
		nfd, err = installSocket(s.family, s.sotype, oflags, func(notify func(uint32)) (sockets.Socket, error) {
			ep, a, err := s.ep.Accept(notify)
			from = a
			return ep, err
		})
		return err
	})
	if err != nil {
		return -1, nil, err
	}
	return nfd, sockname(from), nil
}

// Connect starts a connection. A blocking socket waits for it to be
// made; a non-blocking one returns EINPROGRESS, and SO_ERROR tells
// how it went.
func Connect(fd int, sa Sockaddr) error {
	s, nonblock, err := sock(fd)
	if err != nil {
		return err
	}
	a, err := toAddr(sa)
	if err != nil {
		return err
	}
	err = s.ep.Connect(a)
	if err != EINPROGRESS || nonblock {
		return err
	}
	err = s.wait(false, func() error {
		if s.ep.Readiness()&(sockets.EventOut|sockets.EventErr|sockets.EventHup) == 0 {
			return EAGAIN
		}
		return nil
	})
	if err != nil {
		return err
	}
	if e, _ := s.ep.GetsockoptInt(SOL_SOCKET, SO_ERROR); e != 0 {
		return Errno(e)
	}
	return nil
}

func Getsockname(fd int) (sa Sockaddr, err error) {
	s, _, err := sock(fd)
	if err != nil {
		return nil, err
	}
	a, err := s.ep.LocalAddr()
	if err != nil {
		return nil, err
	}
	return sockname(a), nil
}

func Getpeername(fd int) (sa Sockaddr, err error) {
	s, _, err := sock(fd)
	if err != nil {
		return nil, err
	}
	a, err := s.ep.RemoteAddr()
	if err != nil {
		return nil, err
	}
	return sockname(a), nil
}

func Recvfrom(fd int, p []byte, flags int) (n int, from Sockaddr, err error) {
	n, a, err := recvfrom(fd, p, flags)
	if err != nil {
		return n, nil, err
	}
	return n, fromAddr(a), nil
}

// recvfrom is Recvfrom with the sender's address as the stack's value.
func recvfrom(fd int, p []byte, flags int) (n int, from sockets.Addr, err error) {
	s, nonblock, err := sock(fd)
	if err != nil {
		return 0, from, err
	}
	err = s.wait(nonblock || flags&MSG_DONTWAIT != 0, func() error {
		n, from, err = s.ep.RecvFrom(p, flags&^MSG_DONTWAIT)
		return err
	})
	return n, from, err
}

func Sendto(fd int, p []byte, flags int, to Sockaddr) error {
	_, err := SendmsgN(fd, p, nil, to, flags)
	return err
}

// Recvmsg receives like Recvfrom. The only control data is a
// datagram's destination, as an IP_PKTINFO or IPV6_PKTINFO message
// for a socket that asked for it; MSG_CTRUNC says oob was too short.
func Recvmsg(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from Sockaddr, err error) {
	n, oobn, recvflags, a, err := recvmsg(fd, p, oob, flags)
	if err != nil {
		return n, oobn, recvflags, nil, err
	}
	return n, oobn, recvflags, fromAddr(a), nil
}

// recvmsg is Recvmsg with the sender's address as the stack's value.
func recvmsg(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from sockets.Addr, err error) {
	s, nonblock, err := sock(fd)
	if err != nil {
		return 0, 0, 0, from, err
	}
	var info *sockets.PacketInfo
	err = s.wait(nonblock || flags&MSG_DONTWAIT != 0, func() error {
		n, from, info, err = s.ep.RecvMsg(p, flags&^MSG_DONTWAIT)
		return err
	})
	if err != nil {
		return n, 0, 0, sockets.Addr{}, err
	}
	if info != nil {
		var msg []byte
		switch info.Family {
		case AF_INET:
			// struct in_pktinfo: the interface, the local address
			// (the one a reply goes from), the destination.
			msg = cmsg(IPPROTO_IP, IP_PKTINFO, 12)
			d := msg[CmsgLen(0):]
			d[0], d[1], d[2], d[3] = byte(info.Ifindex), byte(info.Ifindex>>8), byte(info.Ifindex>>16), byte(info.Ifindex>>24)
			copy(d[4:8], info.Addr[:4])
			copy(d[8:12], info.Addr[:4])
		case AF_INET6:
			// struct in6_pktinfo: the destination, the interface.
			msg = cmsg(IPPROTO_IPV6, IPV6_PKTINFO, 20)
			d := msg[CmsgLen(0):]
			copy(d[:16], info.Addr[:])
			d[16], d[17], d[18], d[19] = byte(info.Ifindex), byte(info.Ifindex>>8), byte(info.Ifindex>>16), byte(info.Ifindex>>24)
		}
		if len(msg) > len(oob) {
			recvflags |= MSG_CTRUNC
		} else {
			oobn = copy(oob, msg)
		}
	}
	return n, oobn, recvflags, from, nil
}

// cmsg returns a control message of the level and type with room for
// datalen bytes of data.
func cmsg(level, typ int32, datalen int) []byte {
	b := make([]byte, CmsgSpace(datalen))
	h := (*Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(CmsgLen(datalen))
	return b
}

// SendmsgN sends like Sendto. The control data may hold an IP_PKTINFO
// or IPV6_PKTINFO message, which asks for a source address and
// interface; the stack serves that as internal/netstack's SendMsg says.
// Other control messages fail with EOPNOTSUPP.
func SendmsgN(fd int, p, oob []byte, to Sockaddr, flags int) (n int, err error) {
	var a sockets.Addr // AF_UNSPEC: to the connected peer
	if to != nil {
		if a, err = toAddr(to); err != nil {
			return 0, err
		}
	}
	return sendmsg(fd, p, oob, a, flags)
}

// sendmsg is SendmsgN with the address as the stack's value, the zero
// Addr for none.
func sendmsg(fd int, p, oob []byte, to sockets.Addr, flags int) (n int, err error) {
	var info *sockets.PacketInfo
	if len(oob) > 0 {
		msgs, err := ParseSocketControlMessage(oob)
		if err != nil {
			return 0, err
		}
		for _, m := range msgs {
			switch {
			case m.Header.Level == IPPROTO_IP && m.Header.Type == IP_PKTINFO && len(m.Data) >= 12:
				info = &sockets.PacketInfo{Family: AF_INET, Ifindex: int(int32(uint32(m.Data[0]) | uint32(m.Data[1])<<8 | uint32(m.Data[2])<<16 | uint32(m.Data[3])<<24))}
				copy(info.Addr[:4], m.Data[4:8]) // ipi_spec_dst, the source asked for
			case m.Header.Level == IPPROTO_IPV6 && m.Header.Type == IPV6_PKTINFO && len(m.Data) >= 20:
				info = &sockets.PacketInfo{Family: AF_INET6, Ifindex: int(int32(uint32(m.Data[16]) | uint32(m.Data[17])<<8 | uint32(m.Data[18])<<16 | uint32(m.Data[19])<<24))}
				copy(info.Addr[:], m.Data[:16])
			default:
				return 0, EOPNOTSUPP
			}
		}
	}
	s, nonblock, err := sock(fd)
	if err != nil {
		return 0, err
	}
	err = s.wait(nonblock || flags&MSG_DONTWAIT != 0, func() error {
		n, err = s.ep.SendMsg(p, flags&^MSG_DONTWAIT, to, info)
		return err
	})
	return n, err
}

// The socket calls with typed addresses that package net uses on Unix,
// through internal/syscall/unix, so that a datagram costs no
// allocation. On Linux they take pointers that the kernel reads and
// writes; here the calls are Go, and internal/syscall/unix declares
// them without bodies, so a pointer would escape and move the caller's
// address to the heap. The addresses are values instead; a send to no
// address goes through SendmsgN.

//go:linkname recvfromInet4
func recvfromInet4(fd int, p []byte, flags int) (n int, from SockaddrInet4, err error) {
	n, a, err := recvfrom(fd, p, flags)
	inet4(&from, a)
	return n, from, err
}

//go:linkname recvfromInet6
func recvfromInet6(fd int, p []byte, flags int) (n int, from SockaddrInet6, err error) {
	n, a, err := recvfrom(fd, p, flags)
	inet6(&from, a)
	return n, from, err
}

//go:linkname recvmsgInet4
func recvmsgInet4(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from SockaddrInet4, err error) {
	n, oobn, recvflags, a, err := recvmsg(fd, p, oob, flags)
	inet4(&from, a)
	return n, oobn, recvflags, from, err
}

//go:linkname recvmsgInet6
func recvmsgInet6(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from SockaddrInet6, err error) {
	n, oobn, recvflags, a, err := recvmsg(fd, p, oob, flags)
	inet6(&from, a)
	return n, oobn, recvflags, from, err
}

//go:linkname sendmsgNInet4
func sendmsgNInet4(fd int, p, oob []byte, to SockaddrInet4, flags int) (n int, err error) {
	a, err := toAddr(&to)
	if err != nil {
		return 0, err
	}
	return sendmsg(fd, p, oob, a, flags)
}

//go:linkname sendmsgNInet6
func sendmsgNInet6(fd int, p, oob []byte, to SockaddrInet6, flags int) (n int, err error) {
	a, err := toAddr(&to)
	if err != nil {
		return 0, err
	}
	return sendmsg(fd, p, oob, a, flags)
}

// inet4 and inet6 set sa to a received address. One of the other
// family, which a socket of this one does not receive, leaves it zero.
func inet4(sa *SockaddrInet4, a sockets.Addr) {
	if a.Family == AF_INET {
		sa.Port = a.Port
		sa.Addr = [4]byte(a.IP[:4])
	}
}

func inet6(sa *SockaddrInet6, a sockets.Addr) {
	if a.Family == AF_INET6 {
		sa.Port = a.Port
		sa.ZoneId = a.Zone
		sa.Addr = a.IP
	}
}

func GetsockoptInt(fd, level, opt int) (value int, err error) {
	s, _, err := sock(fd)
	if err != nil {
		return 0, err
	}
	switch {
	case level == SOL_SOCKET && opt == SO_TYPE:
		return s.sotype, nil
	case level == SOL_SOCKET && opt == SO_DOMAIN:
		return s.family, nil
	case level == SOL_SOCKET && opt == SO_PROTOCOL:
		// golang.org/x/sys/unix asks, to decode an address.
		switch s.sotype {
		case SOCK_STREAM:
			return IPPROTO_TCP, nil
		case SOCK_DGRAM:
			return IPPROTO_UDP, nil
		}
	}
	return s.ep.GetsockoptInt(level, opt)
}

func SetsockoptInt(fd, level, opt int, value int) error {
	s, _, err := sock(fd)
	if err != nil {
		return err
	}
	return s.ep.SetsockoptInt(level, opt, value)
}

// SetsockoptLinger sets SO_LINGER: the stack takes the time in seconds,
// or -1 for off.
func SetsockoptLinger(fd, level, opt int, l *Linger) error {
	if level != SOL_SOCKET || opt != SO_LINGER {
		return ENOPROTOOPT
	}
	v := -1
	if l.Onoff != 0 {
		v = int(l.Linger)
	}
	return SetsockoptInt(fd, level, opt, v)
}

func Shutdown(fd int, how int) error {
	s, _, err := sock(fd)
	if err != nil {
		return err
	}
	return s.ep.Shutdown(how)
}

// SetsockoptInet4Addr sets an option whose value is an IPv4 address:
// only IP_MULTICAST_IF takes one, and the stack has no multicast
// interface selection.
func SetsockoptInet4Addr(fd, level, opt int, value [4]byte) error {
	if _, _, err := sock(fd); err != nil {
		return err
	}
	return ENOPROTOOPT
}
