// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package linuxapi

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// These tests make Linux system calls by number, through
// syscall.Syscall and through the SYSCALL instruction, as
// golang.org/x/sys/unix and C libraries translated to Go do. They pass
// on Linux too, which is how they were checked.

func cstr(s string) *byte {
	b := append([]byte(s), 0)
	return &b[0]
}

func TestSyscallGetpid(t *testing.T) {
	r, _, e := syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
	if e != 0 || int(r) != os.Getpid() {
		t.Fatalf("Syscall(SYS_GETPID) = %d, %v; want %d", r, e, os.Getpid())
	}
	if r := rawSyscall(syscall.SYS_GETPID, 0, 0, 0); int(r) != os.Getpid() {
		t.Fatalf("SYSCALL getpid = %d, want %d", r, os.Getpid())
	}
	if r := blockingSyscall(syscall.SYS_GETUID, 0, 0, 0); int(r) != os.Getuid() {
		t.Fatalf("SYSCALL getuid between entersyscall and exitsyscall = %d, want %d", r, os.Getuid())
	}
	r, kept := clobberSyscall(syscall.SYS_GETPID)
	if int(r) != os.Getpid() || !kept {
		t.Fatalf("SYSCALL getpid = %d, registers kept: %v", r, kept)
	}
}

// TestSyscallEveryCPU executes SYSCALL in as many goroutines as there
// are CPUs, all busy at once, so that each CPU executes it: each
// enables the instruction for itself.
func TestSyscallEveryCPU(t *testing.T) {
	n := runtime.NumCPU()
	errs := make(chan error, n)
	for range n {
		go func() {
			end := time.Now().Add(200 * time.Millisecond)
			for time.Now().Before(end) {
				if r := rawSyscall(syscall.SYS_GETPID, 0, 0, 0); int(r) != os.Getpid() {
					errs <- fmt.Errorf("SYSCALL getpid = %d, want %d", r, os.Getpid())
					return
				}
			}
			errs <- nil
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSyscallUnknown checks that a call the guest does not serve fails
// with ENOSYS. (Only in the guest: a kernel's answer is its own.)
func TestSyscallUnknown(t *testing.T) {
	if runtime.GOOS == "linux" {
		t.Skip("the guest's answer; Linux has its own")
	}
	// 335 is past the end of Linux/amd64's table of calls.
	if _, _, e := syscall.Syscall(335, 0, 0, 0); e != syscall.ENOSYS {
		t.Errorf("Syscall(335): %v, want ENOSYS", e)
	}
	if r := rawSyscall(335, 0, 0, 0); syscall.Errno(-r) != syscall.ENOSYS {
		t.Errorf("SYSCALL 335 = %#x, want -ENOSYS", r)
	}
}

// TestSyscallFiles makes a file with open, write and close, reads it
// back with openat, fstat and pread64, and lists its directory with
// getdents64, the structures in Linux's layout.
func TestSyscallFiles(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/f"
	fd, _, e := syscall.Syscall(syscall.SYS_OPEN, uintptr(unsafe.Pointer(cstr(path))), syscall.O_CREAT|syscall.O_WRONLY|syscall.O_TRUNC, 0o640)
	if e != 0 {
		t.Fatalf("open: %v", e)
	}
	msg := []byte("hello, linux")
	n, _, e := syscall.Syscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)))
	if e != 0 || int(n) != len(msg) {
		t.Fatalf("write: %d, %v", n, e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_CLOSE, fd, 0, 0); e != 0 {
		t.Fatalf("close: %v", e)
	}
	fd, _, e = syscall.Syscall6(syscall.SYS_OPENAT, atFDCWD, uintptr(unsafe.Pointer(cstr(path))), syscall.O_RDONLY, 0, 0, 0)
	if e != 0 {
		t.Fatalf("openat: %v", e)
	}
	defer syscall.Close(int(fd))
	var st syscall.Stat_t
	if _, _, e := syscall.Syscall(syscall.SYS_FSTAT, fd, uintptr(unsafe.Pointer(&st)), 0); e != 0 {
		t.Fatalf("fstat: %v", e)
	}
	if st.Size != int64(len(msg)) || st.Mode != syscall.S_IFREG|0o640 {
		t.Errorf("fstat: size %d mode %o, want %d %o", st.Size, st.Mode, len(msg), syscall.S_IFREG|0o640)
	}
	var buf [5]byte
	n, _, e = syscall.Syscall6(syscall.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&buf[0])), 5, 7, 0, 0)
	if e != 0 || string(buf[:n]) != "linux" {
		t.Errorf("pread64: %q, %v", buf[:n], e)
	}

	dfd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(dfd)
	var names []string
	dbuf := make([]byte, 4096)
	for {
		n, _, e := syscall.Syscall(syscall.SYS_GETDENTS64, uintptr(dfd), uintptr(unsafe.Pointer(&dbuf[0])), uintptr(len(dbuf)))
		if e != 0 {
			t.Fatalf("getdents64: %v", e)
		}
		if n == 0 {
			break
		}
		for b := dbuf[:n]; len(b) > 0; {
			// struct linux_dirent64: ino, off, reclen, type, name.
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 20 || reclen%8 != 0 || reclen > len(b) {
				t.Fatalf("getdents64: record length %d", reclen)
			}
			name, _, _ := strings.Cut(string(b[19:reclen]), "\x00")
			if name == "f" && b[18] != syscall.DT_REG {
				t.Errorf("getdents64: f has type %d, want DT_REG", b[18])
			}
			names = append(names, name)
			b = b[reclen:]
		}
	}
	if !strings.Contains(strings.Join(names, " "), "f") {
		t.Errorf("getdents64 of %s: %q, want f among them", dir, names)
	}
}

// caller returns a function that makes system call trap, by number,
// and fails t if it fails.
func caller(t *testing.T) func(name string, trap uintptr, a ...uintptr) uintptr {
	return func(name string, trap uintptr, a ...uintptr) uintptr {
		t.Helper()
		var v [6]uintptr
		copy(v[:], a)
		r, _, e := syscall.Syscall6(trap, v[0], v[1], v[2], v[3], v[4], v[5])
		if e != 0 {
			t.Fatalf("%s: %v", name, e)
		}
		return r
	}
}

const atFDCWD = ^uintptr(99) // AT_FDCWD, -100

// TestSyscallMmap maps anonymous memory with the mmap system call,
// writes it, and unmaps it.
func TestSyscallMmap(t *testing.T) {
	const size = 3 << 12
	p, _, e := syscall.Syscall6(syscall.SYS_MMAP, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS, ^uintptr(0), 0)
	if e != 0 {
		t.Fatalf("mmap: %v", e)
	}
	if p%4096 != 0 {
		t.Fatalf("mmap: %#x is not page-aligned", p)
	}
	b := unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), size)
	for i := range b {
		if b[i] != 0 {
			t.Fatalf("mmap: byte %d is %d, want 0", i, b[i])
		}
		b[i] = byte(i)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_MUNMAP, p, size, 0); e != 0 {
		t.Fatalf("munmap: %v", e)
	}
}

// TestSyscallUname checks what uname reports: a machine of the
// program's architecture, and a release that parses as Linux's do.
func TestSyscallUname(t *testing.T) {
	var u [6][65]byte
	if _, _, e := syscall.Syscall(syscall.SYS_UNAME, uintptr(unsafe.Pointer(&u)), 0, 0); e != 0 {
		t.Fatalf("uname: %v", e)
	}
	str := func(b [65]byte) string { s, _, _ := strings.Cut(string(b[:]), "\x00"); return s }
	if m := str(u[4]); m != "x86_64" {
		t.Errorf("uname machine %q, want x86_64", m)
	}
	if r := str(u[2]); len(r) < 3 || r[0] < '3' || r[0] > '9' || r[1] != '.' {
		t.Errorf("uname release %q, want a Linux-style version", r)
	}
}

// TestSyscallBlockingStackMoves reads from a pipe into a buffer on the
// goroutine's stack with a blocking SYSCALL, while another goroutine
// runs the garbage collector (which shrinks the reader's stack when it
// can) and only then writes. The data must land in the buffer where
// the stack is now.
func TestSyscallBlockingStackMoves(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	done := make(chan string)
	moved := make(chan bool, 1)
	go func() {
		grow(64) // a large stack, for the collector to shrink
		var buf [16]byte
		before := uintptr(unsafe.Pointer(&buf[0]))
		n := blockingSyscall(syscall.SYS_READ, uintptr(p[0]), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		moved <- uintptr(unsafe.Pointer(&buf[0])) != before
		if int(n) < 0 {
			done <- "read: " + syscall.Errno(-n).Error()
			return
		}
		done <- string(buf[:n])
	}()
	for range 3 {
		runtime.Gosched()
		runtime.GC()
	}
	if _, err := syscall.Write(p[1], []byte("through the pipe")); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != "through the pipe" {
		t.Fatalf("got %q", got)
	}
	// On Linux the reader waits in the kernel, where its stack stays
	// put; in the guest it waits as a parked goroutine, whose stack the
	// collector shrinks, and the test is about that.
	if !<-moved && runtime.GOOS != "linux" {
		t.Errorf("the reader's stack did not move: the test tested nothing")
	}
}

//go:noinline
func grow(n int) byte {
	var pad [1024]byte
	pad[n%1024] = byte(n)
	if n > 0 {
		return grow(n-1) + pad[0]
	}
	return pad[0]
}

// TestSyscallSockets runs a TCP connection over loopback made only of
// Linux system calls by number: socket, bind, listen, getsockname,
// connect, accept4, sendto, recvfrom, setsockopt and getsockopt.
func TestSyscallSockets(t *testing.T) {
	sys := caller(t)
	ln := sys("socket", syscall.SYS_SOCKET, syscall.AF_INET, syscall.SOCK_STREAM, 0)
	defer syscall.Close(int(ln))
	one := int32(1)
	sys("setsockopt", syscall.SYS_SETSOCKOPT, ln, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, uintptr(unsafe.Pointer(&one)), 4)
	// struct sockaddr_in for 127.0.0.1, port 0.
	sa := [16]byte{syscall.AF_INET, 0, 0, 0, 127, 0, 0, 1}
	sys("bind", syscall.SYS_BIND, ln, uintptr(unsafe.Pointer(&sa[0])), 16)
	sys("listen", syscall.SYS_LISTEN, ln, 8)
	var bound [16]byte
	l := uint32(len(bound))
	sys("getsockname", syscall.SYS_GETSOCKNAME, ln, uintptr(unsafe.Pointer(&bound[0])), uintptr(unsafe.Pointer(&l)))
	if l != 16 || bound[0] != syscall.AF_INET || bound[2]|bound[3] == 0 || !bytes.Equal(bound[4:8], []byte{127, 0, 0, 1}) {
		t.Fatalf("getsockname: %v (length %d)", bound, l)
	}

	c := sys("socket", syscall.SYS_SOCKET, syscall.AF_INET, syscall.SOCK_STREAM, 0)
	defer syscall.Close(int(c))
	sys("connect", syscall.SYS_CONNECT, c, uintptr(unsafe.Pointer(&bound[0])), 16)
	var peer [16]byte
	l = uint32(len(peer))
	s := sys("accept4", syscall.SYS_ACCEPT4, ln, uintptr(unsafe.Pointer(&peer[0])), uintptr(unsafe.Pointer(&l)), syscall.SOCK_CLOEXEC)
	defer syscall.Close(int(s))
	if peer[0] != syscall.AF_INET || !bytes.Equal(peer[4:8], []byte{127, 0, 0, 1}) {
		t.Errorf("accept4 peer: %v", peer)
	}
	msg := []byte("ping")
	sys("sendto", syscall.SYS_SENDTO, c, uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)), 0, 0, 0)
	var in [8]byte
	n := sys("recvfrom", syscall.SYS_RECVFROM, s, uintptr(unsafe.Pointer(&in[0])), uintptr(len(in)), 0, 0, 0)
	if string(in[:n]) != "ping" {
		t.Errorf("recvfrom: %q", in[:n])
	}
	var typ int32
	l = 4
	sys("getsockopt", syscall.SYS_GETSOCKOPT, s, syscall.SOL_SOCKET, syscall.SO_TYPE, uintptr(unsafe.Pointer(&typ)), uintptr(unsafe.Pointer(&l)))
	if typ != syscall.SOCK_STREAM || l != 4 {
		t.Errorf("getsockopt SO_TYPE: %d (length %d)", typ, l)
	}
}

// epollEvent is Linux/amd64's packed struct epoll_event.
type epollEvent struct {
	events uint32
	data   [8]byte
}

// TestSyscallEpoll runs an event loop as gnet does: a non-blocking
// listener and connection and an eventfd in one epoll instance, all by
// system call number.
func TestSyscallEpoll(t *testing.T) {
	sys := caller(t)
	ep := sys("epoll_create1", syscall.SYS_EPOLL_CREATE1, syscall.EPOLL_CLOEXEC)
	defer syscall.Close(int(ep))
	add := func(fd uintptr, events uint32, tag byte) {
		ev := epollEvent{events: events, data: [8]byte{tag}}
		sys("epoll_ctl", syscall.SYS_EPOLL_CTL, ep, syscall.EPOLL_CTL_ADD, fd, uintptr(unsafe.Pointer(&ev)))
	}
	wait := func(ms int) []epollEvent {
		evs := make([]epollEvent, 8)
		n := sys("epoll_wait", syscall.SYS_EPOLL_WAIT, ep, uintptr(unsafe.Pointer(&evs[0])), uintptr(len(evs)), uintptr(ms))
		return evs[:n]
	}
	if unsafe.Sizeof(epollEvent{}) != 12 {
		t.Fatalf("epollEvent is %d bytes, want 12", unsafe.Sizeof(epollEvent{}))
	}

	// Nothing is ready: a wait with a timeout returns none.
	efd := sys("eventfd2", syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC)
	defer syscall.Close(int(efd))
	add(efd, syscall.EPOLLIN, 'e')
	if evs := wait(20); len(evs) != 0 {
		t.Fatalf("epoll_wait with nothing ready: %v", evs)
	}
	// Another goroutine writes the eventfd while the loop waits.
	go func() {
		one := uint64(1)
		syscall.Syscall(syscall.SYS_WRITE, efd, uintptr(unsafe.Pointer(&one)), 8)
	}()
	if evs := wait(-1); len(evs) != 1 || evs[0].data[0] != 'e' || evs[0].events&syscall.EPOLLIN == 0 {
		t.Fatalf("epoll_wait after an eventfd write: %v", evs)
	}
	var cnt uint64
	if n := sys("read", syscall.SYS_READ, efd, uintptr(unsafe.Pointer(&cnt)), 8); n != 8 || cnt != 1 {
		t.Fatalf("eventfd read: %d bytes, count %d", n, cnt)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_READ, efd, uintptr(unsafe.Pointer(&cnt)), 8); e != syscall.EAGAIN {
		t.Fatalf("read of an empty non-blocking eventfd: %v, want EAGAIN", e)
	}

	// A non-blocking listener: an incoming connection makes it ready.
	ln := sys("socket", syscall.SYS_SOCKET, syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK, 0)
	defer syscall.Close(int(ln))
	sa := [16]byte{syscall.AF_INET, 0, 0, 0, 127, 0, 0, 1}
	sys("bind", syscall.SYS_BIND, ln, uintptr(unsafe.Pointer(&sa[0])), 16)
	sys("listen", syscall.SYS_LISTEN, ln, 8)
	l := uint32(16)
	sys("getsockname", syscall.SYS_GETSOCKNAME, ln, uintptr(unsafe.Pointer(&sa[0])), uintptr(unsafe.Pointer(&l)))
	add(ln, syscall.EPOLLIN, 'l')
	port := int(sa[2])<<8 | int(sa[3])
	go func() {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			c.Write([]byte("hello, loop"))
			time.Sleep(time.Second)
			c.Close()
		}
	}()
	if evs := wait(5000); len(evs) != 1 || evs[0].data[0] != 'l' {
		t.Fatalf("epoll_wait for a connection: %v", evs)
	}
	c := sys("accept4", syscall.SYS_ACCEPT4, ln, 0, 0, syscall.SOCK_NONBLOCK)
	defer syscall.Close(int(c))
	add(c, syscall.EPOLLIN|syscall.EPOLLRDHUP|1<<31, 'c') // EPOLLET
	var got []byte
	for len(got) < len("hello, loop") {
		evs := wait(5000)
		if len(evs) == 0 {
			t.Fatalf("epoll_wait for data: timed out with %q", got)
		}
		for _, ev := range evs {
			if ev.data[0] != 'c' {
				continue
			}
			var buf [64]byte
			for {
				n, _, e := syscall.Syscall(syscall.SYS_READ, c, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
				if e == syscall.EAGAIN {
					break
				}
				if e != 0 {
					t.Fatalf("read: %v", e)
				}
				got = append(got, buf[:n]...)
			}
		}
	}
	if string(got) != "hello, loop" {
		t.Fatalf("read %q", got)
	}
	sys("epoll_ctl", syscall.SYS_EPOLL_CTL, ep, syscall.EPOLL_CTL_DEL, c, 0)
	if _, _, e := syscall.Syscall6(syscall.SYS_EPOLL_CTL, ep, syscall.EPOLL_CTL_DEL, c, 0, 0, 0); e != syscall.ENOENT {
		t.Errorf("second EPOLL_CTL_DEL: %v, want ENOENT", e)
	}
	f, err := os.Create(t.TempDir() + "/regular")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ev := epollEvent{events: syscall.EPOLLIN}
	if _, _, e := syscall.Syscall6(syscall.SYS_EPOLL_CTL, ep, syscall.EPOLL_CTL_ADD, f.Fd(), uintptr(unsafe.Pointer(&ev)), 0, 0); e != syscall.EPERM {
		t.Errorf("EPOLL_CTL_ADD of a regular file: %v, want EPERM", e)
	}
}

// TestSyscallPoll waits with poll(2) for a pipe to become readable.
func TestSyscallPoll(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	type pollfd struct {
		fd              int32
		events, revents int16
	}
	const pollIn, pollOut = 1, 4
	fds := []pollfd{{fd: int32(p[0]), events: pollIn}, {fd: int32(p[1]), events: pollOut}}
	n, _, e := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), 1, 0)
	if e != 0 || n != 0 || fds[0].revents != 0 {
		t.Fatalf("poll of an empty pipe: %d, %v, revents %#x", n, e, fds[0].revents)
	}
	n, _, e = syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[1])), 1, 0)
	if e != 0 || n != 1 || fds[1].revents != pollOut {
		t.Fatalf("poll of a pipe's write end: %d, %v, revents %#x", n, e, fds[1].revents)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		syscall.Write(p[1], []byte("x"))
	}()
	n, _, e = syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), 1, 5000)
	if e != 0 || n != 1 || fds[0].revents != pollIn {
		t.Fatalf("poll for a write: %d, %v, revents %#x", n, e, fds[0].revents)
	}
}

// TestPacketInfo asks a UDP socket for IP_PKTINFO, as DNS servers do to
// answer from the address a query came to, reads the control message
// that comes with a datagram, and sends the answer with it; then the
// same through the sendmsg and recvmsg system calls.
func TestPacketInfo(t *testing.T) {
	srv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	raw, err := srv.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	raw.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_PKTINFO, 1) })
	if serr != nil {
		t.Fatalf("setsockopt IP_PKTINFO: %v", serr)
	}
	port := srv.LocalAddr().(*net.UDPAddr).Port
	cl, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Write([]byte("query")); err != nil {
		t.Fatal(err)
	}
	srv.SetDeadline(time.Now().Add(5 * time.Second))
	buf, oob := make([]byte, 64), make([]byte, 64)
	n, oobn, _, from, err := srv.ReadMsgUDP(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 || msgs[0].Header.Level != syscall.IPPROTO_IP || msgs[0].Header.Type != syscall.IP_PKTINFO || len(msgs[0].Data) < 12 {
		t.Fatalf("control messages %v (%v) from %d bytes, want one IP_PKTINFO", msgs, err, oobn)
	}
	if dst := net.IP(msgs[0].Data[8:12]); !dst.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("IP_PKTINFO destination %v, want 127.0.0.1", dst)
	}
	if string(buf[:n]) != "query" {
		t.Errorf("read %q", buf[:n])
	}
	// Answer from the address the query came to, as miekg/dns does.
	if _, _, err := srv.WriteMsgUDP([]byte("answer"), oob[:oobn], from); err != nil {
		t.Fatalf("WriteMsgUDP with IP_PKTINFO: %v", err)
	}
	cl.SetDeadline(time.Now().Add(5 * time.Second))
	n, err = cl.Read(buf)
	if err != nil || string(buf[:n]) != "answer" {
		t.Fatalf("answer: %q, %v", buf[:n], err)
	}

	// The same through sendmsg and recvmsg by number.
	type iovec struct {
		base *byte
		len  uint64
	}
	type msghdr struct {
		name       *byte
		namelen    uint32
		_          uint32
		iov        *iovec
		iovlen     uint64
		control    *byte
		controllen uint64
		flags      int32
		_          uint32
	}
	cfd, err := cl.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var sent, recvd uintptr
	var e1, e2 syscall.Errno
	part1, part2 := []byte("two "), []byte("parts")
	out := []iovec{{&part1[0], uint64(len(part1))}, {&part2[0], uint64(len(part2))}}
	cfd.Control(func(fd uintptr) {
		m := msghdr{iov: &out[0], iovlen: 2}
		sent, _, e1 = syscall.Syscall(syscall.SYS_SENDMSG, fd, uintptr(unsafe.Pointer(&m)), 0)
	})
	if e1 != 0 || sent != 9 {
		t.Fatalf("sendmsg: %d, %v", sent, e1)
	}
	in1, in2 := make([]byte, 5), make([]byte, 16)
	in := []iovec{{&in1[0], 5}, {&in2[0], 16}}
	var name [16]byte
	ctl := make([]byte, 64)
	m := msghdr{name: &name[0], namelen: 16, iov: &in[0], iovlen: 2, control: &ctl[0], controllen: 64}
	raw.Read(func(fd uintptr) bool {
		recvd, _, e2 = syscall.Syscall(syscall.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&m)), 0)
		return e2 != syscall.EAGAIN
	})
	if e2 != 0 || recvd != 9 || string(in1)+string(in2[:4]) != "two parts" {
		t.Fatalf("recvmsg: %d, %v: %q %q", recvd, e2, in1, in2[:4])
	}
	if m.namelen != 16 || name[0] != syscall.AF_INET || !bytes.Equal(name[4:8], []byte{127, 0, 0, 1}) {
		t.Errorf("recvmsg name %v (%d bytes)", name, m.namelen)
	}
	if m.controllen < 28 {
		t.Errorf("recvmsg control length %d, want an IP_PKTINFO message", m.controllen)
	}
}

// TestFallocate grows a file with fallocate's mode 0.
func TestFallocate(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, 8192); err != nil {
		t.Fatalf("Fallocate: %v", err)
	}
	if st, err := f.Stat(); err != nil || st.Size() != 8192 {
		t.Fatalf("size after Fallocate: %v, %v", st.Size(), err)
	}
}

// TestSchedGetaffinity asks which CPUs the program may run on, as
// golang.org/x/sys/unix.SchedGetaffinity and thread-pool sizers do:
// as many as runtime.NumCPU says.
func TestSchedGetaffinity(t *testing.T) {
	var mask [16]uint64
	n, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask)))
	if errno != 0 {
		t.Fatalf("sched_getaffinity: %v", errno)
	}
	cpus := 0
	for _, w := range mask[:n/8] {
		for ; w != 0; w &= w - 1 {
			cpus++
		}
	}
	if cpus != runtime.NumCPU() {
		t.Errorf("sched_getaffinity: %d CPUs in the mask %x, runtime.NumCPU() is %d", cpus, mask[:n/8], runtime.NumCPU())
	}
}

// TestProc reads what Linux programs read of /proc about the machine
// and themselves, and checks that it parses and agrees with what the
// program knows.
func TestProc(t *testing.T) {
	read := func(path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if self, err := os.Readlink("/proc/self"); err != nil || self != strconv.Itoa(os.Getpid()) {
		t.Errorf("/proc/self -> %q, %v; want %d", self, err, os.Getpid())
	}
	stat := read("/proc/stat")
	f := strings.Fields(stat)
	if len(f) < 5 || f[0] != "cpu" || !strings.Contains(stat, "\nbtime ") {
		t.Errorf("/proc/stat: %q", stat)
	}
	for _, v := range f[1:5] {
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			t.Errorf("/proc/stat cpu line: %v", err)
		}
	}
	mem := read("/proc/meminfo")
	var total, avail uint64
	for _, line := range strings.Split(mem, "\n") {
		k, v, _ := strings.Cut(line, ":")
		n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "MemTotal":
			total = n
		case "MemAvailable":
			avail = n
		}
	}
	if total == 0 || avail == 0 || avail > total {
		t.Errorf("/proc/meminfo: MemTotal %d kB, MemAvailable %d kB:\n%s", total, avail, mem)
	}
	if up := strings.Fields(read("/proc/uptime")); len(up) != 2 {
		t.Errorf("/proc/uptime: %q", up)
	} else if s, err := strconv.ParseFloat(up[0], 64); err != nil || s <= 0 {
		t.Errorf("/proc/uptime: %q, %v", up[0], err)
	}
	if ci := read("/proc/cpuinfo"); !strings.Contains(ci, "processor\t: 0") || !strings.Contains(ci, "vendor_id") {
		t.Errorf("/proc/cpuinfo: %q", ci)
	} else if n := strings.Count(ci, "processor\t: "); n != runtime.NumCPU() {
		t.Errorf("/proc/cpuinfo lists %d processors, runtime.NumCPU() is %d", n, runtime.NumCPU())
	}
	// A line for all CPUs, then one for each, as gopsutil's per-CPU
	// times read them.
	for c := range runtime.NumCPU() {
		if !strings.Contains(stat, "\ncpu"+strconv.Itoa(c)+" ") {
			t.Errorf("/proc/stat has no line for cpu%d:\n%s", c, stat)
		}
	}
	if cmd := strings.Split(read("/proc/self/cmdline"), "\x00"); cmd[0] != os.Args[0] {
		t.Errorf("/proc/self/cmdline: %q, want %q first", cmd, os.Args[0])
	}
	st := strings.Fields(read("/proc/self/stat"))
	if len(st) < 24 || st[0] != strconv.Itoa(os.Getpid()) {
		t.Errorf("/proc/self/stat: %q", st)
	}
	if s := read("/proc/self/status"); !strings.Contains(s, "\nPid:\t"+strconv.Itoa(os.Getpid())+"\n") {
		t.Errorf("/proc/self/status: %q", s)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil || ru.Utime.Sec == 0 && ru.Utime.Usec == 0 {
		t.Errorf("Getrusage: %+v, %v; want some user time", ru, err)
	}
}

// TestUnixSockets runs package net's Unix networks over AF_UNIX
// sockets: a stream listener at a path, a seqpacket one at an abstract
// name, datagrams between two bound sockets, and a socket pair.
func TestUnixSockets(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ network, addr string }{
		{"unix", dir + "/stream.sock"},
		{"unixpacket", "@mirago-test-" + strconv.Itoa(os.Getpid())},
	} {
		ln, err := net.Listen(tc.network, tc.addr)
		if err != nil {
			t.Fatalf("Listen(%s, %s): %v", tc.network, tc.addr, err)
		}
		done := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				done <- err
				return
			}
			defer c.Close()
			buf := make([]byte, 64)
			n, err := c.Read(buf)
			if err == nil {
				_, err = c.Write(append([]byte("echo: "), buf[:n]...))
			}
			done <- err
		}()
		c, err := net.Dial(tc.network, tc.addr)
		if err != nil {
			t.Fatalf("Dial(%s, %s): %v", tc.network, tc.addr, err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("hi")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != "echo: hi" {
			t.Errorf("%s: read %q, %v", tc.network, buf[:n], err)
		}
		if err := <-done; err != nil {
			t.Errorf("%s server: %v", tc.network, err)
		}
		// The server closed: the client reads end of file.
		if n, err := c.Read(buf); n != 0 || err == nil {
			t.Errorf("%s: read after the peer closed: %d, %v; want EOF", tc.network, n, err)
		}
		c.Close()
		ln.Close()
	}
	if st, err := os.Lstat(dir + "/stream.sock"); err == nil && st.Mode()&os.ModeSocket == 0 {
		t.Errorf("stream.sock: mode %v, want a socket", st.Mode())
	}
	if _, err := net.Dial("unix", dir+"/none.sock"); err == nil {
		t.Errorf("Dial of a missing name: no error")
	}

	a, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: dir + "/a.sock", Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: dir + "/b.sock", Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.WriteToUnix([]byte("datagram"), b.LocalAddr().(*net.UnixAddr)); err != nil {
		t.Fatal(err)
	}
	b.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, from, err := b.ReadFromUnix(buf)
	if err != nil || string(buf[:n]) != "datagram" || from == nil || from.Name != dir+"/a.sock" {
		t.Errorf("ReadFromUnix: %q from %v, %v", buf[:n], from, err)
	}

	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	if _, err := syscall.Write(fds[0], []byte("pair")); err != nil {
		t.Fatal(err)
	}
	if n, err := syscall.Read(fds[1], buf); err != nil || string(buf[:n]) != "pair" {
		t.Errorf("socket pair: %q, %v", buf[:n], err)
	}
}
