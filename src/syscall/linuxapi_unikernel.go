// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// Names of Linux/amd64's package syscall that Linux code uses, with
// Linux's layouts and values, served by the system call table
// (linux_unikernel_amd64.go) as the same calls by number are.

import "unsafe"

type Utsname struct {
	Sysname    [65]int8
	Nodename   [65]int8
	Release    [65]int8
	Version    [65]int8
	Machine    [65]int8
	Domainname [65]int8
}

func Uname(buf *Utsname) error {
	_, _, e := RawSyscall(SYS_UNAME, uintptr(unsafe.Pointer(buf)), 0, 0)
	return errnoErr(e)
}

type Sysinfo_t struct {
	Uptime    int64
	Loads     [3]uint64
	Totalram  uint64
	Freeram   uint64
	Sharedram uint64
	Bufferram uint64
	Totalswap uint64
	Freeswap  uint64
	Procs     uint16
	Pad       uint16
	Pad_cgo_0 [4]byte
	Totalhigh uint64
	Freehigh  uint64
	Unit      uint32
	X_f       [0]byte
	Pad_cgo_1 [4]byte
}

func Sysinfo(info *Sysinfo_t) error {
	_, _, e := RawSyscall(SYS_SYSINFO, uintptr(unsafe.Pointer(info)), 0, 0)
	return errnoErr(e)
}

type Fsid struct {
	X__val [2]int32
}

type Statfs_t struct {
	Type    int64
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Fsid    Fsid
	Namelen int64
	Frsize  int64
	Flags   int64
	Spare   [4]int64
}

func Statfs(path string, buf *Statfs_t) error {
	p, err := BytePtrFromString(path)
	if err != nil {
		return err
	}
	_, _, e := Syscall(SYS_STATFS, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(buf)), 0)
	return errnoErr(e)
}

func Fstatfs(fd int, buf *Statfs_t) error {
	_, _, e := Syscall(SYS_FSTATFS, uintptr(fd), uintptr(unsafe.Pointer(buf)), 0)
	return errnoErr(e)
}

// POSIX record locks, which fcntl serves for the one process: every
// lock is granted, and F_GETLK finds none (linux_unikernel_amd64.go).

type Flock_t struct {
	Type      int16
	Whence    int16
	Pad_cgo_0 [4]byte
	Start     int64
	Len       int64
	Pid       int32
	Pad_cgo_1 [4]byte
}

const (
	F_RDLCK  = 0x0
	F_WRLCK  = 0x1
	F_UNLCK  = 0x2
	F_GETLK  = 0x5
	F_SETLK  = 0x6
	F_SETLKW = 0x7
)

func FcntlFlock(fd uintptr, cmd int, lk *Flock_t) error {
	_, _, e := Syscall(SYS_FCNTL, fd, uintptr(cmd), uintptr(unsafe.Pointer(lk)))
	return errnoErr(e)
}

// Fallocate with mode 0 makes sure the file has room up to off+len,
// growing it as Linux does; the other modes (punching holes, keeping
// the size) fail with EOPNOTSUPP.
func Fallocate(fd int, mode uint32, off int64, len int64) error {
	_, _, e := Syscall6(SYS_FALLOCATE, uintptr(fd), uintptr(mode), uintptr(off), uintptr(len), 0, 0)
	return errnoErr(e)
}

// getsockopt and setsockopt are what golang.org/x/net/internal/socket
// links to, as on Linux.

type _Socklen uint32

//go:linkname getsockopt
func getsockopt(s int, level int, name int, val unsafe.Pointer, vallen *_Socklen) (err error) {
	_, _, e := Syscall6(SYS_GETSOCKOPT, uintptr(s), uintptr(level), uintptr(name), uintptr(val), uintptr(unsafe.Pointer(vallen)), 0)
	return errnoErr(e)
}

//go:linkname setsockopt
func setsockopt(s int, level int, name int, val unsafe.Pointer, vallen uintptr) (err error) {
	_, _, e := Syscall6(SYS_SETSOCKOPT, uintptr(s), uintptr(level), uintptr(name), uintptr(val), vallen, 0)
	return errnoErr(e)
}

// gettimeofday is what golang.org/x/sys/unix's assembly jumps to.
//
//go:linkname gettimeofday
func gettimeofday(tv *Timeval) (err Errno) {
	_, _, e := RawSyscall(SYS_GETTIMEOFDAY, uintptr(unsafe.Pointer(tv)), 0, 0)
	return e
}

func errnoErr(e Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// Socket options and levels that Linux code names; the stack answers
// those it has, and the others fail with ENOPROTOOPT.
const (
	SOL_TCP          = 0x6
	SO_RCVTIMEO      = 0x14
	SO_SNDTIMEO      = 0x15
	SO_PEERCRED      = 0x11
	TCP_DEFER_ACCEPT = 0x9
	TCP_INFO         = 0xb
	TCP_QUICKACK     = 0xc
	TCP_USER_TIMEOUT = 0x12
	TCP_FASTOPEN     = 0x17

	RUSAGE_SELF     = 0x0
	RUSAGE_CHILDREN = -0x1
	RUSAGE_THREAD   = 0x1
)

// Control messages, in Linux's layout. Sockets here carry none, so
// sending one fails (SendmsgN: EOPNOTSUPP), but code that builds or
// parses them compiles and works on the bytes.

type Cmsghdr struct {
	Len   uint64
	Level int32
	Type  int32
}

func (cmsg *Cmsghdr) SetLen(length int) { cmsg.Len = uint64(length) }

const (
	SCM_RIGHTS      = 0x1
	SCM_CREDENTIALS = 0x2
	SizeofCmsghdr   = 0x10
)

func cmsgAlignOf(salen int) int { return (salen + 7) &^ 7 }

// CmsgLen returns the value to store in the Len field of the Cmsghdr
// structure, taking into account any necessary alignment.
func CmsgLen(datalen int) int { return cmsgAlignOf(SizeofCmsghdr) + datalen }

// CmsgSpace returns the number of bytes an ancillary element with
// payload of the passed data length occupies.
func CmsgSpace(datalen int) int { return cmsgAlignOf(SizeofCmsghdr) + cmsgAlignOf(datalen) }

// UnixRights encodes a set of open file descriptors into a socket
// control message for sending to another process.
func UnixRights(fds ...int) []byte {
	datalen := len(fds) * 4
	b := make([]byte, CmsgSpace(datalen))
	h := (*Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level = SOL_SOCKET
	h.Type = SCM_RIGHTS
	h.SetLen(CmsgLen(datalen))
	for i, fd := range fds {
		*(*int32)(unsafe.Pointer(&b[cmsgAlignOf(SizeofCmsghdr)+4*i])) = int32(fd)
	}
	return b
}

// A SocketControlMessage is one control message.
type SocketControlMessage struct {
	Header Cmsghdr
	Data   []byte
}

// ParseSocketControlMessage parses b as an array of socket control
// messages.
func ParseSocketControlMessage(b []byte) ([]SocketControlMessage, error) {
	var msgs []SocketControlMessage
	i := 0
	for i+CmsgLen(0) <= len(b) {
		h := (*Cmsghdr)(unsafe.Pointer(&b[i]))
		if h.Len < SizeofCmsghdr || uint64(len(b)-i) < h.Len {
			return nil, EINVAL
		}
		msgs = append(msgs, SocketControlMessage{Header: *h, Data: b[i+cmsgAlignOf(SizeofCmsghdr) : i+int(h.Len)]})
		i += cmsgAlignOf(int(h.Len))
	}
	return msgs, nil
}

// ParseUnixRights decodes a socket control message that contains an
// integer array of open file descriptors from another process.
func ParseUnixRights(m *SocketControlMessage) ([]int, error) {
	if m.Header.Level != SOL_SOCKET || m.Header.Type != SCM_RIGHTS {
		return nil, EINVAL
	}
	fds := make([]int, len(m.Data)/4)
	for i := range fds {
		fds[i] = int(*(*int32)(unsafe.Pointer(&m.Data[4*i])))
	}
	return fds, nil
}

func (iov *Iovec) SetLen(length int) { iov.Len = uint64(length) }

func (msghdr *Msghdr) SetControllen(length int) { msghdr.Controllen = uint64(length) }
