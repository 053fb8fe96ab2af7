// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// Epoll and eventfd, for Linux code that runs its own event loop over
// golang.org/x/sys/unix (gnet, evio and the like) rather than through
// package net and the runtime's netpoller.
//
// An epoll instance is a descriptor whose inode holds an interest list.
// Readiness is taken from the files themselves when epoll_wait looks:
// a socket's from its endpoint, a pipe's and an eventfd's from their
// buffers. Every change that can make a file ready bumps pollGen and
// wakes the waiters, which then look again. Readiness is reported
// level-triggered; EPOLLET is accepted and reported the same way,
// which wakes an edge-triggered loop at least as often as Linux would
// and never less. EPOLLONESHOT disables an entry once it is reported.
// Regular files and directories cannot be added (EPERM), as on Linux.

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

const (
	EPOLLIN      = 0x1
	EPOLLPRI     = 0x2
	EPOLLOUT     = 0x4
	EPOLLERR     = 0x8
	EPOLLHUP     = 0x10
	EPOLLRDNORM  = 0x40
	EPOLLRDBAND  = 0x80
	EPOLLWRNORM  = 0x100
	EPOLLWRBAND  = 0x200
	EPOLLMSG     = 0x400
	EPOLLRDHUP   = 0x2000
	EPOLLONESHOT = 0x40000000
	EPOLLET      = -0x80000000

	EPOLL_CTL_ADD = 0x1
	EPOLL_CTL_DEL = 0x2
	EPOLL_CTL_MOD = 0x3

	EPOLL_CLOEXEC = 0x80000
)

// pollGen counts changes that may make some file ready; pollCond wakes
// the epoll_wait calls that wait for one. pollWaiters counts those
// calls, so that a change with none waiting (every socket event of a
// program without an event loop of its own) costs no lock.
var (
	pollMu      sync.Mutex
	pollCond    = sync.Cond{L: &pollMu}
	pollGen     uint64
	pollWaiters atomic.Int32
)

// pollChanged tells waiting epoll_wait calls to look again. A waiter
// counts itself before it first looks, so a change it does not see in
// that look finds it counted.
func pollChanged() {
	if pollWaiters.Load() == 0 {
		return
	}
	pollMu.Lock()
	pollGen++
	pollCond.Broadcast()
	pollMu.Unlock()
}

// An epoll is the device of an epoll instance's inode.
type epoll struct {
	mu       sync.Mutex
	interest map[int]*epollEntry // by descriptor
}

type epollEntry struct {
	file     *openFile // the open file the descriptor had when added
	events   uint32
	data     uint64
	disabled bool // EPOLLONESHOT, reported
}

func (*epoll) read(p []byte) (int, error)  { return 0, EINVAL }
func (*epoll) write(p []byte) (int, error) { return 0, EINVAL }

// EpollCreate1 makes an epoll instance. flags may hold EPOLL_CLOEXEC.
func EpollCreate1(flags int) (fd int, err error) {
	if flags&^EPOLL_CLOEXEC != 0 {
		return -1, EINVAL
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip := fs.newInode(0600) // an anonymous inode, of no file type
	ip.nlink = 0
	ip.dev = &epoll{interest: make(map[int]*epollEntry)}
	return fs.install(&openFile{ip: ip, flags: O_RDWR, refs: 1}, 0, flags&EPOLL_CLOEXEC != 0)
}

func EpollCreate(size int) (fd int, err error) {
	if size <= 0 {
		return -1, EINVAL
	}
	return EpollCreate1(0)
}

// An EpollEvent is Linux/amd64's struct epoll_event, which is packed:
// Fd and Pad are the 8-byte data that epoll_wait gives back.
type EpollEvent struct {
	Events uint32
	Fd     int32
	Pad    int32
}

// epollOf returns the epoll instance of descriptor epfd.
func epollOf(epfd int) (*epoll, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(epfd)
	if err != nil {
		return nil, err
	}
	ep, ok := f.ip.dev.(*epoll)
	if !ok {
		return nil, EINVAL
	}
	return ep, nil
}

func EpollCtl(epfd int, op int, fd int, event *EpollEvent) error {
	var data uint64
	var events uint32
	if event != nil {
		events = event.Events
		data = uint64(uint32(event.Fd)) | uint64(uint32(event.Pad))<<32
	}
	return epollCtl(epfd, op, fd, events, data, event != nil)
}

func epollCtl(epfd, op, fd int, events uint32, data uint64, haveEvent bool) error {
	ep, err := epollOf(epfd)
	if err != nil {
		return err
	}
	if fd == epfd {
		return EINVAL
	}
	fs.mu.Lock()
	f, err := fs.file(fd)
	fs.mu.Unlock()
	if err != nil {
		return err
	}
	switch f.ip.dev.(type) {
	case *socket, *pipe, *eventFD, *epoll:
	default:
		return EPERM // not pollable, as regular files are not on Linux
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	e := ep.interest[fd]
	if e != nil && e.file != f {
		// The descriptor was closed and reused since it was added.
		delete(ep.interest, fd)
		e = nil
	}
	switch op {
	case EPOLL_CTL_ADD:
		if e != nil {
			return EEXIST
		}
		if !haveEvent {
			return EFAULT
		}
		ep.interest[fd] = &epollEntry{file: f, events: events, data: data}
	case EPOLL_CTL_MOD:
		if e == nil {
			return ENOENT
		}
		if !haveEvent {
			return EFAULT
		}
		e.events, e.data, e.disabled = events, data, false
	case EPOLL_CTL_DEL:
		if e == nil {
			return ENOENT
		}
		delete(ep.interest, fd)
	default:
		return EINVAL
	}
	pollChanged()
	return nil
}

// readiness returns the poll events that hold for open file f now; a
// socket's endpoint reports them with Linux's values.
func readiness(f *openFile) uint32 {
	switch d := f.ip.dev.(type) {
	case *socket:
		return d.ep.Readiness()
	case *eventFD:
		d.mu.Lock()
		defer d.mu.Unlock()
		var ev uint32
		if d.count > 0 {
			ev |= EPOLLIN
		}
		if d.count < eventFDMax {
			ev |= EPOLLOUT
		}
		return ev
	case *pipe:
		d.mu.Lock()
		defer d.mu.Unlock()
		var ev uint32
		if f.readable() {
			if len(d.buf) > 0 {
				ev |= EPOLLIN
			}
			if d.writers == 0 {
				ev |= EPOLLIN | EPOLLHUP
			}
		}
		if f.writable() {
			if len(d.buf) < pipeSize {
				ev |= EPOLLOUT
			}
			if d.readers == 0 {
				ev |= EPOLLERR
			}
		}
		return ev
	case *epoll:
		if d.ready(nil) > 0 {
			return EPOLLIN
		}
		return 0
	}
	if f.ip.isDir() || f.ip.dev != nil {
		return 0
	}
	return EPOLLIN | EPOLLOUT // regular files are always ready, for poll(2)
}

// ready fills out with the entries that are ready, and returns how
// many there are (at most len(out), if out is not nil).
func (ep *epoll) ready(out []EpollEvent) int {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	n := 0
	for fd, e := range ep.interest {
		fs.mu.Lock()
		cur := fs.files[fd]
		fs.mu.Unlock()
		if cur == nil || cur.file != e.file {
			delete(ep.interest, fd) // closed: Linux drops it too
			continue
		}
		if e.disabled {
			continue
		}
		ev := readiness(e.file) & (e.events | EPOLLERR | EPOLLHUP)
		if ev == 0 {
			continue
		}
		if out == nil {
			n++
			continue
		}
		if n == len(out) {
			break
		}
		out[n] = EpollEvent{Events: ev, Fd: int32(e.data), Pad: int32(e.data >> 32)}
		n++
		if e.events&EPOLLONESHOT != 0 {
			e.disabled = true
		}
	}
	return n
}

// EpollWait waits for events on epfd, at most msec milliseconds (-1:
// for ever), and returns how many it put in events.
func EpollWait(epfd int, events []EpollEvent, msec int) (n int, err error) {
	ep, err := epollOf(epfd)
	if err != nil {
		return 0, err
	}
	if len(events) == 0 {
		return 0, EINVAL
	}
	return waitReady(func() int { return ep.ready(events) }, msec), nil
}

// waitReady calls scan until it reports something ready, waiting for
// a change in between, or until msec milliseconds have passed (-1: no
// limit), and returns what scan last returned.
func waitReady(scan func() int, msec int) int {
	pollWaiters.Add(1)
	defer pollWaiters.Add(-1)
	var expired bool // guarded by pollMu
	if msec > 0 {
		go func() {
			sleep(int64(msec) * 1e6)
			pollMu.Lock()
			expired = true
			pollCond.Broadcast()
			pollMu.Unlock()
		}()
	}
	for {
		pollMu.Lock()
		gen := pollGen
		pollMu.Unlock()
		if n := scan(); n > 0 || msec == 0 {
			return n
		}
		pollMu.Lock()
		for pollGen == gen && !expired {
			pollCond.Wait()
		}
		done := expired
		pollMu.Unlock()
		if done {
			return scan()
		}
	}
}

// An eventFD is the device of an eventfd's inode: a counter that
// writes add to and reads take, all of it or, with EFD_SEMAPHORE, one.
type eventFD struct {
	mu        sync.Mutex
	cond      sync.Cond
	count     uint64
	semaphore bool
}

const (
	EFD_SEMAPHORE = 0x1
	EFD_NONBLOCK  = 0x800
	EFD_CLOEXEC   = 0x80000

	eventFDMax = 1<<64 - 2
)

// Eventfd makes an eventfd with the counter at initval.
func Eventfd(initval uint, flags int) (fd int, err error) {
	if flags&^(EFD_SEMAPHORE|EFD_NONBLOCK|EFD_CLOEXEC) != 0 {
		return -1, EINVAL
	}
	e := &eventFD{count: uint64(uint32(initval)), semaphore: flags&EFD_SEMAPHORE != 0}
	e.cond.L = &e.mu
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip := fs.newInode(0600)
	ip.nlink = 0
	ip.dev = e
	return fs.install(&openFile{ip: ip, flags: O_RDWR | flags&O_NONBLOCK, refs: 1}, 0, flags&EFD_CLOEXEC != 0)
}

func (e *eventFD) read(p []byte) (int, error)  { return e.readNB(p, false) }
func (e *eventFD) write(p []byte) (int, error) { return e.writeNB(p, false) }

func (e *eventFD) readNB(p []byte, nonblock bool) (int, error) {
	if len(p) < 8 {
		return 0, EINVAL
	}
	e.mu.Lock()
	for e.count == 0 {
		if nonblock {
			e.mu.Unlock()
			return 0, EAGAIN
		}
		e.cond.Wait()
	}
	v := e.count
	if e.semaphore {
		v = 1
	}
	e.count -= v
	e.cond.Broadcast()
	e.mu.Unlock()
	pollChanged()
	*(*uint64)(unsafe.Pointer(&p[0])) = v
	return 8, nil
}

func (e *eventFD) writeNB(p []byte, nonblock bool) (int, error) {
	if len(p) < 8 {
		return 0, EINVAL
	}
	v := *(*uint64)(unsafe.Pointer(&p[0]))
	if v == 1<<64-1 {
		return 0, EINVAL
	}
	e.mu.Lock()
	for e.count > eventFDMax-v {
		if nonblock {
			e.mu.Unlock()
			return 0, EAGAIN
		}
		e.cond.Wait()
	}
	e.count += v
	e.cond.Broadcast()
	e.mu.Unlock()
	pollChanged()
	return 8, nil
}
