// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// Unix domain sockets (AF_UNIX), within the one program: stream,
// seqpacket and datagram sockets, named by a path in the file system
// (a socket inode, as on Linux) or by an abstract name (one that starts
// with a NUL byte), and socket pairs. They are endpoints like the TCP/IP
// stack's (internal/sockets.Socket), so that descriptors, non-blocking
// calls, the netpoller and epoll treat them alike, and package net's
// "unix", "unixgram" and "unixpacket" networks work as on Linux.
//
// One lock, unixMu, guards every Unix socket. Notify functions are
// called after it is released.

import (
	"internal/sockets"
	"sync"
)

// unixBufSize is how many bytes a socket's receive queue holds before
// senders get EAGAIN (or wait), about Linux's default.
const unixBufSize = 212992

// unixMaxDgrams bounds a datagram socket's queue, as Linux's
// max_dgram_qlen does.
const unixMaxDgrams = 512

var (
	unixMu       sync.Mutex
	unixBound    = map[*inode]*unixSock{} // sockets bound to a path, by its inode
	unixAbstract = map[string]*unixSock{} // sockets bound to an abstract name
)

type unixMsg struct {
	data []byte
	from string // the sender's name (datagrams)
}

type unixSock struct {
	sotype int
	notify func(uint32)

	name      string // the bound name, or ""
	nameInode *inode // the inode of a path name

	listening bool
	backlog   []*unixSock // connected server ends, for Accept
	maxConns  int

	connected bool
	peer      *unixSock // the other end, for streams and seqpackets
	dgramPeer string    // the default destination of a datagram socket

	rq      []unixMsg
	rqBytes int
	shutRd  bool // no more reads: SHUT_RD, or the peer shut its writing
	shutWr  bool
	closed  bool
	hup     bool        // the peer closed
	waiting []*unixSock // datagram senders that found rq full
}

// newUnixSocket makes an AF_UNIX socket.
func newUnixSocket(sotype int, notify func(uint32)) (sockets.Socket, error) {
	switch sotype {
	case SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET:
	default:
		return nil, ESOCKTNOSUPPORT
	}
	return &unixSock{sotype: sotype, notify: notify}, nil
}

// Socketpair makes a pair of connected Unix sockets.
func Socketpair(domain, typ, proto int) (fd [2]int, err error) {
	if domain != AF_UNIX {
		return fd, EAFNOSUPPORT
	}
	if proto != 0 {
		return fd, EPROTONOSUPPORT
	}
	typ, flags := sockFlags(typ)
	var a, b *unixSock
	fd[0], err = installSocket(AF_UNIX, typ, flags, func(notify func(uint32)) (sockets.Socket, error) {
		ep, err := newUnixSocket(typ, notify)
		if err == nil {
			a = ep.(*unixSock)
		}
		return ep, err
	})
	if err != nil {
		return fd, err
	}
	fd[1], err = installSocket(AF_UNIX, typ, flags, func(notify func(uint32)) (sockets.Socket, error) {
		ep, _ := newUnixSocket(typ, notify)
		b = ep.(*unixSock)
		return ep, nil
	})
	if err != nil {
		Close(fd[0])
		return fd, err
	}
	unixMu.Lock()
	a.connected, b.connected = true, true
	a.peer, b.peer = b, a // datagram pairs too: they have no names to send to
	unixMu.Unlock()
	return fd, nil
}

// lookupUnix finds the socket bound to name. fs.mu must not be held.
func lookupUnix(name string) (*unixSock, error) {
	if name == "" {
		return nil, EINVAL
	}
	if name[0] == 0 {
		unixMu.Lock()
		s := unixAbstract[name]
		unixMu.Unlock()
		if s == nil {
			return nil, ECONNREFUSED
		}
		return s, nil
	}
	fs.mu.Lock()
	ip, err := fs.existing(AT_FDCWD, name, true)
	fs.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if !ip.isSocket() {
		return nil, ECONNREFUSED
	}
	unixMu.Lock()
	s := unixBound[ip]
	unixMu.Unlock()
	if s == nil {
		return nil, ECONNREFUSED
	}
	return s, nil
}

func (s *unixSock) Bind(a sockets.Addr) error {
	if a.Family != AF_UNIX {
		return EINVAL
	}
	name := a.Name
	if name == "" {
		return EINVAL // autobind is not served
	}
	unixMu.Lock()
	bound := s.name != ""
	unixMu.Unlock()
	if bound {
		return EINVAL
	}
	if name[0] == 0 {
		unixMu.Lock()
		defer unixMu.Unlock()
		if unixAbstract[name] != nil {
			return EADDRINUSE
		}
		unixAbstract[name] = s
		s.name = name
		return nil
	}
	fs.mu.Lock()
	l, err := fs.resolveNew(AT_FDCWD, name)
	if err != nil {
		fs.mu.Unlock()
		if err == EEXIST {
			return EADDRINUSE
		}
		return err
	}
	ip := fs.newInode(S_IFSOCK | (0777 &^ fs.umask))
	fs.link(l.dir, l.name, ip)
	fs.mu.Unlock()
	unixMu.Lock()
	defer unixMu.Unlock()
	unixBound[ip] = s
	s.name, s.nameInode = name, ip
	return nil
}

func (s *unixSock) Listen(backlog int) error {
	unixMu.Lock()
	defer unixMu.Unlock()
	if s.sotype == SOCK_DGRAM {
		return EOPNOTSUPP
	}
	if s.connected {
		return EINVAL
	}
	if s.name == "" {
		return EINVAL
	}
	s.listening = true
	s.maxConns = max(backlog, 0) + 1
	return nil
}

func (s *unixSock) Accept(notify func(events uint32)) (sockets.Socket, sockets.Addr, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	if !s.listening {
		return nil, sockets.Addr{}, EINVAL
	}
	if len(s.backlog) == 0 {
		return nil, sockets.Addr{}, EAGAIN
	}
	c := s.backlog[0]
	s.backlog = s.backlog[1:]
	c.notify = notify
	from := sockets.Addr{Family: AF_UNIX}
	if c.peer != nil {
		from.Name = c.peer.name
	}
	return c, from, nil
}

func (s *unixSock) Connect(a sockets.Addr) error {
	if a.Family != AF_UNIX {
		return EINVAL
	}
	l, err := lookupUnix(a.Name)
	if err != nil {
		return err
	}
	unixMu.Lock()
	if s.sotype == SOCK_DGRAM {
		if l.sotype != SOCK_DGRAM {
			unixMu.Unlock()
			return EPROTOTYPE
		}
		s.dgramPeer = a.Name
		s.connected = true
		unixMu.Unlock()
		return nil
	}
	switch {
	case s.connected:
		unixMu.Unlock()
		return EISCONN
	case s.listening:
		unixMu.Unlock()
		return EINVAL
	case l.sotype != s.sotype:
		unixMu.Unlock()
		return EPROTOTYPE
	case !l.listening || l.closed:
		unixMu.Unlock()
		return ECONNREFUSED
	case len(l.backlog) >= l.maxConns:
		unixMu.Unlock()
		return EAGAIN
	}
	srv := &unixSock{sotype: s.sotype, name: l.name, connected: true, peer: s}
	s.peer, s.connected = srv, true
	l.backlog = append(l.backlog, srv)
	n := l.notify
	unixMu.Unlock()
	n(sockets.EventIn)
	return nil
}

func (s *unixSock) Read(p []byte) (int, error) {
	n, _, err := s.RecvFrom(p, 0)
	return n, err
}

func (s *unixSock) Write(p []byte) (int, error) { return s.SendTo(p, 0, sockets.Addr{}) }

func (s *unixSock) RecvFrom(p []byte, flags int) (int, sockets.Addr, error) {
	n, a, _, err := s.RecvMsg(p, flags)
	return n, a, err
}

func (s *unixSock) RecvMsg(p []byte, flags int) (int, sockets.Addr, *sockets.PacketInfo, error) {
	if flags&^(MSG_PEEK|MSG_TRUNC|MSG_NOSIGNAL|MSG_WAITALL) != 0 {
		return 0, sockets.Addr{}, nil, EOPNOTSUPP
	}
	peek := flags&MSG_PEEK != 0
	unixMu.Lock()
	if len(s.rq) == 0 {
		var err error = EAGAIN
		if s.shutRd || s.hup || s.sotype != SOCK_DGRAM && !s.connected && !s.listening {
			err = nil // end of file
			if !s.connected && !s.hup && s.sotype != SOCK_DGRAM {
				err = ENOTCONN
			}
		}
		unixMu.Unlock()
		return 0, sockets.Addr{}, nil, err
	}
	from := sockets.Addr{Family: AF_UNIX, Name: s.rq[0].from}
	n := 0
	if s.sotype == SOCK_STREAM {
		for i := 0; n < len(p) && i < len(s.rq); i++ {
			m := &s.rq[i]
			k := copy(p[n:], m.data)
			n += k
			if !peek {
				m.data = m.data[k:]
			}
		}
		if !peek {
			for len(s.rq) > 0 && len(s.rq[0].data) == 0 {
				s.rq = s.rq[1:]
			}
			s.rqBytes -= n
		}
	} else {
		m := s.rq[0]
		n = copy(p, m.data)
		if flags&MSG_TRUNC != 0 {
			n = len(m.data)
		}
		if !peek {
			s.rq = s.rq[1:]
			s.rqBytes -= len(m.data)
		}
	}
	// Room freed: wake whoever waits to send here.
	var wake []func(uint32)
	if !peek {
		if s.peer != nil && s.peer.notify != nil {
			wake = append(wake, s.peer.notify)
		}
		for _, w := range s.waiting {
			if w.notify != nil {
				wake = append(wake, w.notify)
			}
		}
		s.waiting = nil
	}
	unixMu.Unlock()
	for _, w := range wake {
		w(sockets.EventOut)
	}
	return n, from, nil, nil
}

func (s *unixSock) SendTo(p []byte, flags int, a sockets.Addr) (int, error) {
	return s.SendMsg(p, flags, a, nil)
}

func (s *unixSock) SendMsg(p []byte, flags int, a sockets.Addr, info *sockets.PacketInfo) (int, error) {
	if flags&^(MSG_NOSIGNAL|MSG_DONTWAIT) != 0 || info != nil {
		return 0, EOPNOTSUPP
	}
	var dst *unixSock
	if s.sotype == SOCK_DGRAM {
		name := ""
		switch {
		case a.Family != AF_UNSPEC:
			name = a.Name
		case s.peer != nil: // a socket pair
			dst = s.peer
		case s.dgramPeer != "":
			name = s.dgramPeer
		default:
			return 0, EDESTADDRREQ
		}
		if dst == nil {
			var err error
			if dst, err = lookupUnix(name); err != nil {
				return 0, err
			}
		}
		if dst.sotype != SOCK_DGRAM {
			return 0, EPROTOTYPE
		}
	}
	unixMu.Lock()
	if s.sotype != SOCK_DGRAM {
		switch {
		case s.shutWr:
			unixMu.Unlock()
			return 0, EPIPE
		case !s.connected:
			unixMu.Unlock()
			return 0, ENOTCONN
		case s.hup || s.peer == nil || s.peer.closed:
			unixMu.Unlock()
			return 0, EPIPE
		}
		dst = s.peer
	}
	if dst.closed {
		unixMu.Unlock()
		return 0, ECONNREFUSED
	}
	if dst.shutRd && s.sotype != SOCK_DGRAM {
		unixMu.Unlock()
		return 0, EPIPE
	}
	if len(p) == 0 && s.sotype == SOCK_STREAM {
		unixMu.Unlock()
		return 0, nil // nothing to send, and an empty read would say end of file
	}
	room := unixBufSize - dst.rqBytes
	n := len(p)
	switch {
	case s.sotype == SOCK_STREAM:
		n = min(n, room)
	case len(p) > unixBufSize:
		unixMu.Unlock()
		return 0, EMSGSIZE
	case len(p) > room || s.sotype == SOCK_DGRAM && len(dst.rq) >= unixMaxDgrams:
		n = 0
	}
	if n == 0 && len(p) > 0 || s.sotype != SOCK_STREAM && n == 0 && room <= 0 {
		if s.sotype == SOCK_DGRAM {
			dst.waiting = append(dst.waiting, s)
		}
		unixMu.Unlock()
		return 0, EAGAIN
	}
	dst.rq = append(dst.rq, unixMsg{data: append([]byte(nil), p[:n]...), from: s.name})
	dst.rqBytes += n
	wake := dst.notify
	unixMu.Unlock()
	if wake != nil {
		wake(sockets.EventIn)
	}
	return n, nil
}

func (s *unixSock) Shutdown(how int) error {
	unixMu.Lock()
	if s.sotype != SOCK_DGRAM && !s.connected {
		unixMu.Unlock()
		return ENOTCONN
	}
	var wake []func(uint32)
	if how == SHUT_RD || how == SHUT_RDWR {
		s.shutRd = true
		if s.notify != nil {
			wake = append(wake, s.notify)
		}
	}
	if how == SHUT_WR || how == SHUT_RDWR {
		s.shutWr = true
		if p := s.peer; p != nil {
			p.shutRd = true
			if p.notify != nil {
				wake = append(wake, p.notify)
			}
		}
	}
	unixMu.Unlock()
	for _, w := range wake {
		w(sockets.EventIn | sockets.EventOut)
	}
	return nil
}

func (s *unixSock) Close() error {
	unixMu.Lock()
	s.closed = true
	if s.nameInode != nil && unixBound[s.nameInode] == s {
		delete(unixBound, s.nameInode)
	}
	if s.name != "" && s.name[0] == 0 && unixAbstract[s.name] == s {
		delete(unixAbstract, s.name)
	}
	var wake []func(uint32)
	if p := s.peer; p != nil {
		p.hup = true
		if p.notify != nil {
			wake = append(wake, p.notify)
		}
	}
	// Connections nobody accepted are reset.
	for _, c := range s.backlog {
		if p := c.peer; p != nil {
			p.hup = true
			if p.notify != nil {
				wake = append(wake, p.notify)
			}
		}
	}
	s.backlog = nil
	s.rq, s.rqBytes = nil, 0
	unixMu.Unlock()
	for _, w := range wake {
		w(sockets.EventIn | sockets.EventOut | sockets.EventHup)
	}
	return nil
}

func (s *unixSock) LocalAddr() (sockets.Addr, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	return sockets.Addr{Family: AF_UNIX, Name: s.name}, nil
}

func (s *unixSock) RemoteAddr() (sockets.Addr, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	switch {
	case s.sotype == SOCK_DGRAM && s.dgramPeer != "":
		return sockets.Addr{Family: AF_UNIX, Name: s.dgramPeer}, nil
	case s.peer != nil && s.connected:
		return sockets.Addr{Family: AF_UNIX, Name: s.peer.name}, nil
	}
	return sockets.Addr{}, ENOTCONN
}

func (s *unixSock) GetsockoptInt(level, opt int) (int, error) {
	if level == SOL_SOCKET {
		switch opt {
		case SO_ERROR:
			return 0, nil
		case SO_RCVBUF, SO_SNDBUF:
			return unixBufSize, nil
		case SO_ACCEPTCONN:
			unixMu.Lock()
			defer unixMu.Unlock()
			if s.listening {
				return 1, nil
			}
			return 0, nil
		}
	}
	return 0, ENOPROTOOPT
}

// SetsockoptInt takes the buffer sizes and the generic options that
// Unix sockets have no use for, as Linux does; the size stays
// unixBufSize.
func (s *unixSock) SetsockoptInt(level, opt, value int) error {
	if level == SOL_SOCKET {
		switch opt {
		case SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST:
			return nil
		}
	}
	return ENOPROTOOPT
}

func (s *unixSock) Readiness() uint32 {
	unixMu.Lock()
	defer unixMu.Unlock()
	var ev uint32
	if len(s.rq) > 0 || len(s.backlog) > 0 || s.shutRd || s.hup {
		ev |= sockets.EventIn
	}
	if s.hup {
		ev |= sockets.EventHup
	}
	switch {
	case s.listening:
	case s.sotype == SOCK_DGRAM:
		ev |= sockets.EventOut
	case s.connected && s.peer != nil && !s.hup && s.peer.rqBytes < unixBufSize:
		ev |= sockets.EventOut
	}
	return ev
}
