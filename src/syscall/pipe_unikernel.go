// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// Pipes, the one thing in package syscall on a unikernel that blocks.
//
// A pipe is a bounded buffer between its read end and its write end.
// Reading an empty pipe waits for a writer to write or for the last
// write end to close (end of file); writing a full pipe waits for a
// reader. Writing when no read end is left fails with EPIPE. Waiting
// parks only the calling goroutine: the pipe waits on a sync.Cond, not
// on a kernel.
//
// With O_NONBLOCK, reading an empty pipe and writing a full one fail
// with EAGAIN instead, and the pipe tells the runtime's netpoller when
// that changes, as a socket does: package os sets O_NONBLOCK on the
// pipes of os.Pipe and polls them, so that deadlines apply to them as
// on Linux.
//
// Mkfifo makes a named pipe: opening it attaches a read or write end to
// the pipe of its inode. Unlike on Unix, opening one end does not wait
// for the other: a reader that finds no writer reads end of file.

import (
	"slices"
	"sync"
)

// pipeSize is how many bytes a pipe buffers, as on Linux.
const pipeSize = 64 << 10

// pipeBuf is PIPE_BUF: a write of at most this many bytes goes into
// the pipe whole or not at all, so that writers' messages do not mix.
const pipeBuf = 4096

type pipe struct {
	mu      sync.Mutex
	cond    sync.Cond // signalled when buf, readers or writers change
	buf     []byte
	readers int   // open read ends
	writers int   // open write ends
	fds     []int // the descriptors that refer to the pipe
}

func Pipe(p []int) error {
	return Pipe2(p, 0)
}

// Pipe2 makes a pipe and puts its read end in p[0] and its write end in
// p[1]. flags may hold O_CLOEXEC and O_NONBLOCK.
func Pipe2(p []int, flags int) error {
	if len(p) != 2 {
		return EINVAL
	}
	if flags&^(O_CLOEXEC|O_NONBLOCK) != 0 {
		return EINVAL
	}
	pp := newPipe()
	pp.readers, pp.writers = 1, 1
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip := fs.newInode(S_IFIFO | 0600)
	ip.nlink = 0 // in no directory
	ip.dev = pp
	cloexec := flags&O_CLOEXEC != 0
	r := &openFile{ip: ip, flags: O_RDONLY | flags&O_NONBLOCK, refs: 1}
	w := &openFile{ip: ip, flags: O_WRONLY | flags&O_NONBLOCK, refs: 1}
	rfd, err := fs.install(r, 0, cloexec)
	if err != nil {
		return err
	}
	wfd, err := fs.install(w, 0, cloexec)
	if err != nil {
		fs.files[rfd] = nil
		return err
	}
	p[0], p[1] = rfd, wfd
	return nil
}

// Mkfifo makes the named pipe path.
func Mkfifo(path string, mode uint32) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	l, err := fs.resolveNew(AT_FDCWD, path)
	if err != nil {
		return err
	}
	ip := fs.newInode(S_IFIFO | (mode &^ fs.umask & 07777))
	ip.dev = newPipe()
	fs.link(l.dir, l.name, ip)
	return nil
}

func newPipe() *pipe {
	p := new(pipe)
	p.cond.L = &p.mu
	return p
}

func (p *pipe) read(b []byte) (int, error)  { return p.readNB(b, false) }
func (p *pipe) write(b []byte) (int, error) { return p.writeNB(b, false) }

// readNB reads what the pipe holds, up to len(b) bytes. An empty pipe
// with a writer waits for one to write, or fails with EAGAIN if
// nonblock is set.
func (p *pipe) readNB(b []byte, nonblock bool) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 {
		if p.writers == 0 {
			return 0, nil // end of file
		}
		if nonblock {
			return 0, EAGAIN
		}
		p.cond.Wait()
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	if len(p.buf) == 0 {
		p.buf = nil // let the buffer go
	}
	p.changed('w')
	return n, nil
}

// writeNB writes all of b, waiting for room as readers take bytes out.
// With nonblock set, it writes what fits instead, and fails with EAGAIN
// if nothing does; a write of at most pipeBuf bytes fits whole or not
// at all, as on Linux.
func (p *pipe) writeNB(b []byte, nonblock bool) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for n < len(b) {
		if p.readers == 0 {
			return n, EPIPE
		}
		room := pipeSize - len(p.buf)
		if room == 0 || len(b) <= pipeBuf && room < len(b) {
			if nonblock {
				if n > 0 {
					return n, nil
				}
				return 0, EAGAIN
			}
			p.cond.Wait()
			continue
		}
		m := min(room, len(b)-n)
		p.buf = append(p.buf, b[n:n+m]...)
		n += m
		p.changed('r')
	}
	return n, nil
}

// changed wakes whoever waits for the pipe: blocking readers and
// writers, epoll, and the goroutines that the netpoller parked on its
// descriptors, for reading ('r'), writing ('w') or both. p.mu must be
// held.
func (p *pipe) changed(mode int32) {
	p.cond.Broadcast()
	for _, fd := range p.fds {
		netpollReady(uintptr(fd), mode)
	}
	pollChanged()
}

// addFD and removeFD keep the pipe's descriptors, which changed wakes.
func (p *pipe) addFD(fd int) {
	p.mu.Lock()
	p.fds = append(p.fds, fd)
	p.mu.Unlock()
}

func (p *pipe) removeFD(fd int) {
	p.mu.Lock()
	p.fds = slices.DeleteFunc(p.fds, func(f int) bool { return f == fd })
	p.mu.Unlock()
}

// openEnd records that a named pipe was opened for reading, writing
// or both.
func (p *pipe) openEnd(reader, writer bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if reader {
		p.readers++
	}
	if writer {
		p.writers++
	}
	p.changed('r' + 'w')
}

// closeEnd records that the last descriptor of an open end closed, and
// wakes whoever waits for it.
func (p *pipe) closeEnd(reader, writer bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if reader {
		p.readers--
		if p.readers == 0 {
			p.buf = nil
		}
	}
	if writer {
		p.writers--
	}
	p.changed('r' + 'w')
}
