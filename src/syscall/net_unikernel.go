// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// Sockets on a unikernel. Package net does not reach these calls yet:
// it uses its in-process fake network (net/net_fake.go) until the
// TCP/IP stack is in, and needs only the constants and address types
// here. Until then, every socket call fails with ENOSYS, which names
// the operation in the error package net or os wraps around it.
//
// The constants have Linux's values, like the error numbers.

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
	IPPROTO_IP   = 0x0
	IPPROTO_ICMP = 0x1
	IPPROTO_IPV4 = 0x4
	IPPROTO_TCP  = 0x6
	IPPROTO_UDP  = 0x11
	IPPROTO_IPV6 = 0x29
)

const (
	SOL_SOCKET   = 0x1
	SO_REUSEADDR = 0x2
	SO_ERROR     = 0x4
	SO_BROADCAST = 0x6
	SO_SNDBUF    = 0x7
	SO_RCVBUF    = 0x8
	SO_KEEPALIVE = 0x9
	SO_LINGER    = 0xd

	TCP_NODELAY = 0x1

	IPV6_V6ONLY = 0x1a

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

func (*SockaddrInet4) sockaddr() {}
func (*SockaddrInet6) sockaddr() {}
func (*SockaddrUnix) sockaddr()  {}

func Socket(domain, typ, proto int) (fd int, err error) {
	return -1, ENOSYS
}

func Bind(fd int, sa Sockaddr) error {
	return ENOSYS
}

func Listen(fd int, backlog int) error {
	return ENOSYS
}

func Accept(fd int) (newfd int, sa Sockaddr, err error) {
	return -1, nil, ENOSYS
}

func Connect(fd int, sa Sockaddr) error {
	return ENOSYS
}

func Recvfrom(fd int, p []byte, flags int) (n int, from Sockaddr, err error) {
	return 0, nil, ENOSYS
}

func Sendto(fd int, p []byte, flags int, to Sockaddr) error {
	return ENOSYS
}

func Recvmsg(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from Sockaddr, err error) {
	return 0, 0, 0, nil, ENOSYS
}

func SendmsgN(fd int, p, oob []byte, to Sockaddr, flags int) (n int, err error) {
	return 0, ENOSYS
}

func GetsockoptInt(fd, level, opt int) (value int, err error) {
	return 0, ENOSYS
}

func SetsockoptInt(fd, level, opt int, value int) error {
	return ENOSYS
}

func Shutdown(fd int, how int) error {
	return ENOSYS
}
