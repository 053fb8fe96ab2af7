// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

// Package sockets is the meeting point of package syscall and the
// TCP/IP stack on a unikernel. The stack (internal/netstack, which
// package net imports) lives above syscall in the import graph, so
// syscall cannot call it directly: the stack installs itself here, and
// syscall's socket calls (net_unikernel.go) turn descriptors and
// Sockaddrs into calls on it.
//
// Errors are syscall.Errno values, with Linux's meaning, passed as
// error.
package sockets

// An Addr is an IPv4, IPv6 or Unix socket address.
type Addr struct {
	Family int      // AF_INET, AF_INET6 or AF_UNIX
	IP     [16]byte // an IPv4 address in the first 4 bytes
	Port   int
	Zone   uint32 // the IPv6 scope: an interface index
	Name   string // AF_UNIX: a path, or an abstract name starting with NUL
}

// Events a socket reports to its notify function, with Linux's poll
// values.
const (
	EventIn  = 0x1
	EventOut = 0x4
	EventErr = 0x8
	EventHup = 0x10
)

// PacketInfo is what IP_PKTINFO and IPV6_PKTINFO control messages
// carry: a datagram's destination address and the interface it came in
// on, or, when sending, the source address and interface asked for.
type PacketInfo struct {
	Family  int      // AF_INET or AF_INET6
	Addr    [16]byte // an IPv4 address in the first 4 bytes
	Ifindex int
}

// A Socket is one endpoint of the stack. Calls never block: where
// Linux would wait, they return EAGAIN (or EINPROGRESS from Connect),
// and the socket's notify function is called when the state changes.
type Socket interface {
	Bind(a Addr) error
	Listen(backlog int) error
	// Accept returns the next connection, which calls notify.
	Accept(notify func(events uint32)) (Socket, Addr, error)
	Connect(a Addr) error
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	// RecvFrom reads one datagram or stream data, and the sender's
	// address where the socket has one.
	RecvFrom(p []byte, flags int) (int, Addr, error)
	// SendTo sends to a, or to the connected peer if a is the zero
	// Addr (family AF_UNSPEC). The address is a value, not a pointer,
	// so that a send does not move it to the heap.
	SendTo(p []byte, flags int, a Addr) (int, error)
	// RecvMsg is RecvFrom that also returns where a datagram was sent
	// to, if the socket was asked to tell (IP_PKTINFO,
	// IPV6_RECVPKTINFO); info is nil otherwise.
	RecvMsg(p []byte, flags int) (n int, from Addr, info *PacketInfo, err error)
	// SendMsg is SendTo with the packet information that the caller
	// gave as a control message, or nil.
	SendMsg(p []byte, flags int, a Addr, info *PacketInfo) (int, error)
	Shutdown(how int) error
	Close() error
	LocalAddr() (Addr, error)
	RemoteAddr() (Addr, error)
	GetsockoptInt(level, opt int) (int, error)
	SetsockoptInt(level, opt, value int) error
	// Readiness returns the events that hold now.
	Readiness() uint32
}

// An Interface describes a network interface for package net.
type Interface struct {
	Index        int
	MTU          int
	Name         string
	HardwareAddr []byte
	Up           bool
	Loopback     bool
	Broadcast    bool
	Multicast    bool
	Addrs        []Prefix
}

// A Prefix is an interface address and its prefix length.
type Prefix struct {
	IP   []byte // 4 or 16 bytes
	Bits int
}

// A Stack makes sockets.
type Stack interface {
	// Socket makes a socket of the given family, type (without the
	// SOCK_NONBLOCK and SOCK_CLOEXEC flags) and protocol. notify is
	// called, from any goroutine, when the socket's readiness may
	// have changed.
	Socket(family, sotype, proto int, notify func(events uint32)) (Socket, error)
	Interfaces() []Interface
}

// Default is the stack, installed by internal/netstack's init. It is nil
// in a program that does not import package net.
var Default Stack
