// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// The rest of the functions of Linux/amd64's package syscall, for Linux
// code that calls them: those the unikernel can serve, over the same
// implementation as the rest of the package, and those it cannot,
// which fail with the error Linux gives where the facility is absent
// (ENOSYS, EPERM, EAFNOSUPPORT), never silently. docs/syscall-api.md
// gives each name's reason.

import (
	"sync"
	"unsafe"
)

func Access(path string, mode uint32) error { return Faccessat(AT_FDCWD, path, mode, 0) }

// Faccessat checks as root does: a file exists, and is executable if
// it is a directory or has an execute bit.
func Faccessat(dirfd int, path string, mode uint32, flags int) error {
	_, e := access(dirfd, path, int(mode), flags&AT_SYMLINK_NOFOLLOW)
	return errnoErr(e)
}

func Creat(path string, mode uint32) (fd int, err error) {
	return Open(path, O_CREAT|O_WRONLY|O_TRUNC, mode)
}

// Getdents reads directory entries as Linux's linux_dirent64 records.
func Getdents(fd int, buf []byte) (n int, err error) { return ReadDirent(fd, buf) }

func Futimesat(dirfd int, path string, tv []Timeval) error {
	if len(tv) != 2 {
		return EINVAL
	}
	ts := [2]Timespec{NsecToTimespec(TimevalToNsec(tv[0])), NsecToTimespec(TimevalToNsec(tv[1]))}
	return Utimensat(dirfd, path, &ts, 0)
}

func Utime(path string, buf *Utimbuf) error {
	return UtimesNano(path, []Timespec{{Sec: buf.Actime}, {Sec: buf.Modtime}})
}

func Nanosleep(time *Timespec, leftover *Timespec) error {
	if time.Sec < 0 || time.Nsec < 0 || time.Nsec >= 1e9 {
		return EINVAL
	}
	sleep(TimespecToNsec(*time))
	if leftover != nil {
		*leftover = Timespec{}
	}
	return nil
}

// Pause waits for a signal, and none is ever delivered.
func Pause() error {
	for {
		sleep(1 << 62)
	}
}

func Time(t *Time_t) (Time_t, error) {
	sec, _, _ := now()
	if t != nil {
		*t = Time_t(sec)
	}
	return Time_t(sec), nil
}

// Times reports the CPU time the program ran as user time, and returns
// the clock ticks since boot.
func Times(tms *Tms) (ticks uintptr, err error) {
	busy, _ := totalCPUTime()
	_, _, mono := now()
	*tms = Tms{Utime: busy / (1e9 / userHZ)}
	return uintptr(mono / (1e9 / userHZ)), nil
}

// Sync has nothing to write back: files live in memory, and block
// devices are written through.
func Sync() {}

func SyncFileRange(fd int, off int64, n int64, flags int) error { return Fsync(fd) }

func Tgkill(tgid int, tid int, sig Signal) error {
	if tgid != pid || tid != pid {
		return ESRCH
	}
	return Kill(pid, sig)
}

func Sendmsg(fd int, p, oob []byte, to Sockaddr, flags int) error {
	_, err := SendmsgN(fd, p, oob, to, flags)
	return err
}

// Sendfile copies count bytes from infd (at *offset, which it
// advances, if offset is not nil) to outfd.
func Sendfile(outfd int, infd int, offset *int64, count int) (written int, err error) {
	buf := make([]byte, min(count, 64<<10))
	for written < count {
		b := buf[:min(len(buf), count-written)]
		var n int
		if offset != nil {
			n, err = Pread(infd, b, *offset)
		} else {
			n, err = Read(infd, b)
		}
		if n <= 0 || err != nil {
			break
		}
		m, werr := Write(outfd, b[:n])
		written += m
		if offset != nil {
			*offset += int64(m)
		}
		if werr != nil {
			err = werr
			break
		}
	}
	if written > 0 {
		err = nil
	}
	return written, err
}

// Splice moves up to len bytes from rfd to wfd, one of which must be a
// pipe, as on Linux, through a buffer.
func Splice(rfd int, roff *int64, wfd int, woff *int64, len int, flags int) (n int64, err error) {
	var st [2]Stat_t
	if err := Fstat(rfd, &st[0]); err != nil {
		return 0, err
	}
	if err := Fstat(wfd, &st[1]); err != nil {
		return 0, err
	}
	if st[0].Mode&S_IFMT != S_IFIFO && st[1].Mode&S_IFMT != S_IFIFO {
		return 0, EINVAL
	}
	buf := make([]byte, min(len, pipeSize))
	var r int
	if roff != nil {
		r, err = Pread(rfd, buf, *roff)
	} else {
		r, err = Read(rfd, buf)
	}
	if r <= 0 || err != nil {
		return 0, err
	}
	var w int
	if woff != nil {
		w, err = Pwrite(wfd, buf[:r], *woff)
		*woff += int64(w)
	} else {
		w, err = Write(wfd, buf[:r])
	}
	if roff != nil {
		*roff += int64(w)
	}
	return int64(w), err
}

// Select waits, as poll does, for the descriptors in r and w to be
// ready for reading or writing; e never is.
func Select(nfd int, r *FdSet, w *FdSet, e *FdSet, timeout *Timeval) (n int, err error) {
	if nfd < 0 || nfd > 1024 {
		return 0, EINVAL
	}
	msec := -1
	if timeout != nil {
		if timeout.Sec < 0 || timeout.Usec < 0 {
			return 0, EINVAL
		}
		msec = int(timeout.Sec*1000 + (timeout.Usec+999)/1000)
	}
	var rin, win FdSet
	if r != nil {
		rin = *r
	}
	if w != nil {
		win = *w
	}
	isSet := func(s *FdSet, fd int) bool { return s.Bits[fd/64]&(1<<(fd%64)) != 0 }
	for fd := 0; fd < nfd; fd++ {
		if isSet(&rin, fd) || isSet(&win, fd) {
			if _, err := fcntlGetfl(fd); err != nil {
				return 0, EBADF
			}
		}
	}
	var rout, wout FdSet
	scan := func() int {
		rout, wout = FdSet{}, FdSet{}
		ready := 0
		for fd := 0; fd < nfd; fd++ {
			wantR, wantW := isSet(&rin, fd), isSet(&win, fd)
			if !wantR && !wantW {
				continue
			}
			fs.mu.Lock()
			f, err := fs.file(fd)
			fs.mu.Unlock()
			if err != nil {
				continue
			}
			ev := readiness(f)
			if wantR && ev&(EPOLLIN|EPOLLHUP|EPOLLERR) != 0 {
				rout.Bits[fd/64] |= 1 << (fd % 64)
				ready++
			}
			if wantW && ev&(EPOLLOUT|EPOLLERR) != 0 {
				wout.Bits[fd/64] |= 1 << (fd % 64)
				ready++
			}
		}
		return ready
	}
	n = waitReady(scan, msec)
	if r != nil {
		*r = rout
	}
	if w != nil {
		*w = wout
	}
	if e != nil {
		*e = FdSet{}
	}
	return n, nil
}

func fcntlGetfl(fd int) (int, error) { return Fcntl(fd, F_GETFL, 0) }

// Mknod makes named pipes and regular files; device nodes cannot be
// made (EPERM), as for a process without CAP_MKNOD.
func Mknod(path string, mode uint32, dev int) error { return Mknodat(AT_FDCWD, path, mode, dev) }

func Mknodat(dirfd int, path string, mode uint32, dev int) error {
	switch mode & S_IFMT {
	case S_IFIFO:
		if dirfd != AT_FDCWD && (path == "" || path[0] != '/') {
			return ENOSYS // Mkfifo takes no directory
		}
		return Mkfifo(path, mode&07777)
	case 0, S_IFREG:
		fd, err := Openat(dirfd, path, O_CREAT|O_EXCL|O_WRONLY, mode&07777)
		if err != nil {
			return err
		}
		return Close(fd)
	}
	return EPERM
}

// Process attributes: one process, in its own group and session.

func Setpgid(pid int, pgid int) error {
	if pid != 0 && pid != 1 || pgid != 0 && pgid != 1 {
		return ESRCH
	}
	return nil
}

// Setsid fails as it does for a process group leader, which process 1
// is.
func Setsid() (pid int, err error) { return -1, EPERM }

var priority struct {
	sync.Mutex
	nice int
}

// Getpriority returns the raw value of the system call, 20 - nice.
func Getpriority(which int, who int) (prio int, err error) {
	if which != 0 || who != 0 && who != pid { // PRIO_PROCESS
		return -1, ESRCH
	}
	priority.Lock()
	defer priority.Unlock()
	return 20 - priority.nice, nil
}

// Setpriority records a nice value; with one process, it has nothing
// to weigh against.
func Setpriority(which int, who int, prio int) error {
	if which != 0 || who != 0 && who != pid {
		return ESRCH
	}
	priority.Lock()
	defer priority.Unlock()
	priority.nice = max(-20, min(prio, 19))
	return nil
}

func Seteuid(euid int) error { return Setresuid(-1, euid, -1) }
func Setegid(egid int) error { return Setresgid(-1, egid, -1) }

// Setfsuid and Setfsgid are not served: the file system checks as root.
func Setfsuid(uid int) error { return ENOSYS }
func Setfsgid(gid int) error { return ENOSYS }

// Setgroups needs the privilege that the euid 0 gives, and Getgroups
// reports the effective group only.
func Setgroups(gids []int) error {
	if Geteuid() != 0 {
		return EPERM
	}
	return ENOSYS
}

var names struct {
	sync.Mutex
	host, domain string
}

// Sethostname sets what os.Hostname and uname report.
func Sethostname(p []byte) error {
	if len(p) > 64 {
		return EINVAL
	}
	names.Lock()
	names.host = string(p)
	names.Unlock()
	return nil
}

func Setdomainname(p []byte) error {
	if len(p) > 64 {
		return EINVAL
	}
	names.Lock()
	names.domain = string(p)
	names.Unlock()
	return nil
}

// Settimeofday fails: the wall clock is the platform's.
func Settimeofday(tv *Timeval) error { return EPERM }

// Socket options of Linux's that the stack has no way to take.

func GetsockoptInet4Addr(fd, level, opt int) (value [4]byte, err error) {
	if _, _, err := sock(fd); err != nil {
		return value, err
	}
	return value, ENOPROTOOPT
}

func SetsockoptByte(fd, level, opt int, value byte) error {
	return SetsockoptInt(fd, level, opt, int(value))
}

func SetsockoptString(fd, level, opt int, s string) error {
	if _, _, err := sock(fd); err != nil {
		return err
	}
	return ENOPROTOOPT
}

// SetsockoptTimeval fails for SO_RCVTIMEO and SO_SNDTIMEO: a blocking
// call here has no timeout. Package net's deadlines work.
func SetsockoptTimeval(fd, level, opt int, tv *Timeval) error {
	if _, _, err := sock(fd); err != nil {
		return err
	}
	return ENOPROTOOPT
}

func SetsockoptIPMreq(fd, level, opt int, mreq *IPMreq) error     { return noSockopt(fd) }
func SetsockoptIPMreqn(fd, level, opt int, mreq *IPMreqn) error   { return noSockopt(fd) }
func SetsockoptIPv6Mreq(fd, level, opt int, mreq *IPv6Mreq) error { return noSockopt(fd) }

func GetsockoptIPMreq(fd, level, opt int) (*IPMreq, error)     { return nil, noSockopt(fd) }
func GetsockoptIPMreqn(fd, level, opt int) (*IPMreqn, error)   { return nil, noSockopt(fd) }
func GetsockoptIPv6Mreq(fd, level, opt int) (*IPv6Mreq, error) { return nil, noSockopt(fd) }

// noSockopt fails an option the stack's glue does not serve (group
// membership, ICMPv6 filters, binding to a device, BPF filters) as
// Linux fails an option a socket lacks.
func noSockopt(fd int) error {
	if _, _, err := sock(fd); err != nil {
		return err
	}
	return ENOPROTOOPT
}

func GetsockoptIPv6MTUInfo(fd, level, opt int) (*IPv6MTUInfo, error) {
	return nil, noSockopt(fd)
}

func GetsockoptICMPv6Filter(fd, level, opt int) (*ICMPv6Filter, error) {
	return nil, noSockopt(fd)
}

func SetsockoptICMPv6Filter(fd, level, opt int, filter *ICMPv6Filter) error {
	return noSockopt(fd)
}

// BindToDevice fails: the stack's glue binds to addresses only.
func BindToDevice(fd int, device string) error { return noSockopt(fd) }

// GetsockoptUcred answers SO_PEERCRED for a connected Unix socket: the
// peer is this process.
func GetsockoptUcred(fd, level, opt int) (*Ucred, error) {
	s, _, err := sock(fd)
	if err != nil {
		return nil, err
	}
	if s.family != AF_UNIX || level != SOL_SOCKET || opt != SO_PEERCRED {
		return nil, ENOPROTOOPT
	}
	if _, err := s.ep.RemoteAddr(); err != nil {
		return nil, err
	}
	return &Ucred{Pid: pid, Uid: uint32(Geteuid()), Gid: uint32(Getegid())}, nil
}

// UnixCredentials encodes credentials into a socket control message.
func UnixCredentials(ucred *Ucred) []byte {
	b := cmsg(SOL_SOCKET, SCM_CREDENTIALS, SizeofUcred)
	*(*Ucred)(unsafe.Pointer(&b[CmsgLen(0)])) = *ucred
	return b
}

// ParseUnixCredentials decodes a socket control message that contains
// credentials.
func ParseUnixCredentials(m *SocketControlMessage) (*Ucred, error) {
	if m.Header.Level != SOL_SOCKET || m.Header.Type != SCM_CREDENTIALS {
		return nil, EINVAL
	}
	if uintptr(len(m.Data)) < unsafe.Sizeof(Ucred{}) {
		return nil, EINVAL
	}
	u := *(*Ucred)(unsafe.Pointer(&m.Data[0]))
	return &u, nil
}

// StringSlicePtr and SlicePtrFromStrings are Linux's deprecated helpers
// for building argument vectors.
func StringSlicePtr(ss []string) []*byte {
	bb := make([]*byte, len(ss)+1)
	for i, s := range ss {
		bb[i] = StringBytePtr(s)
	}
	return bb
}

func SlicePtrFromStrings(ss []string) ([]*byte, error) {
	bb := make([]*byte, len(ss)+1)
	for i, s := range ss {
		p, err := BytePtrFromString(s)
		if err != nil {
			return nil, err
		}
		bb[i] = p
	}
	return bb, nil
}

// Facilities a unikernel does not have. Each fails as Linux does where
// the facility is absent.

// Inotify: the in-memory file system sends no change events.
func InotifyInit() (fd int, err error)                                  { return -1, ENOSYS }
func InotifyInit1(flags int) (fd int, err error)                        { return -1, ENOSYS }
func InotifyAddWatch(fd int, pathname string, mask uint32) (int, error) { return -1, ENOSYS }
func InotifyRmWatch(fd int, watchdesc uint32) (int, error)              { return -1, ENOSYS }

// Extended attributes: files have none, and the file system takes none
// (ENOTSUP, as a file system without xattr support answers).
func Getxattr(path string, attr string, dest []byte) (sz int, err error) { return 0, ENOTSUP }
func Listxattr(path string, dest []byte) (sz int, err error)             { return 0, nil }
func Removexattr(path string, attr string) error                         { return ENOTSUP }
func Setxattr(path string, attr string, data []byte, flags int) error    { return ENOTSUP }

// Mounts, root changes, namespaces, reboot: one fixed file system and
// no kernel to ask.
func Mount(source string, target string, fstype string, flags uintptr, data string) error {
	return EPERM
}
func Unmount(target string, flags int) error         { return EPERM }
func PivotRoot(newroot string, putold string) error  { return EPERM }
func Chroot(path string) error                       { return EPERM }
func Unshare(flags int) error                        { return EPERM }
func Reboot(cmd int) error                           { return EPERM }
func Acct(path string) error                         { return EPERM }
func Adjtimex(buf *Timex) (state int, err error)     { return -1, EPERM }
func Klogctl(typ int, buf []byte) (n int, err error) { return -1, EPERM }
func Ioperm(from int, num int, on int) error         { return EPERM }
func Iopl(level int) error                           { return EPERM }

// Ustat is obsolete on Linux too.
func Ustat(dev int, ubuf *Ustat_t) error { return ENOSYS }

// Tee duplicates a pipe's contents without consuming them, which the
// pipes here cannot.
func Tee(rfd int, wfd int, len int, flags int) (n int64, err error) { return 0, ENOSYS }

// AllThreadsSyscall and AllThreadsSyscall6 run a system call on every
// thread; there is one, so they run it once.
func AllThreadsSyscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno) {
	return Syscall(trap, a1, a2, a3)
}

func AllThreadsSyscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno) {
	return Syscall6(trap, a1, a2, a3, a4, a5, a6)
}

// Ptrace: there is no other process to trace.
func PtraceAttach(pid int) error                                     { return ESRCH }
func PtraceDetach(pid int) error                                     { return ESRCH }
func PtraceCont(pid int, signal int) error                           { return ESRCH }
func PtraceSyscall(pid int, signal int) error                        { return ESRCH }
func PtraceSingleStep(pid int) error                                 { return ESRCH }
func PtraceSetOptions(pid int, options int) error                    { return ESRCH }
func PtraceGetEventMsg(pid int) (msg uint, err error)                { return 0, ESRCH }
func PtraceGetRegs(pid int, regsout *PtraceRegs) error               { return ESRCH }
func PtraceSetRegs(pid int, regs *PtraceRegs) error                  { return ESRCH }
func PtracePeekData(pid int, addr uintptr, out []byte) (int, error)  { return 0, ESRCH }
func PtracePeekText(pid int, addr uintptr, out []byte) (int, error)  { return 0, ESRCH }
func PtracePokeData(pid int, addr uintptr, data []byte) (int, error) { return 0, ESRCH }
func PtracePokeText(pid int, addr uintptr, data []byte) (int, error) { return 0, ESRCH }

// Linux socket filters (BPF) and packet sockets: the stack's glue has
// neither.
func LsfSocket(ifindex, proto int) (int, error) { return -1, EAFNOSUPPORT }
func SetLsfPromisc(name string, m bool) error   { return ENODEV }
func AttachLsf(fd int, i []SockFilter) error    { return noSockopt(fd) }
func DetachLsf(fd int) error                    { return noSockopt(fd) }
func LsfStmt(code, k int) *SockFilter           { return &SockFilter{Code: uint16(code), K: uint32(k)} }
func LsfJump(code, k, jt, jf int) *SockFilter {
	return &SockFilter{Code: uint16(code), Jt: uint8(jt), Jf: uint8(jf), K: uint32(k)}
}

// Netlink: there are no netlink sockets; net.Interfaces asks the stack
// directly.
func NetlinkRIB(proto, family int) ([]byte, error) { return nil, EAFNOSUPPORT }

// Netlink and packet socket addresses and messages. There are no such
// sockets (Socket fails with EAFNOSUPPORT), but the types and the
// parsers of the bytes are Linux's, for code that names them.

type SockaddrLinklayer struct {
	Protocol uint16
	Ifindex  int
	Hatype   uint16
	Pkttype  uint8
	Halen    uint8
	Addr     [8]byte
}

type SockaddrNetlink struct {
	Family uint16
	Pad    uint16
	Pid    uint32
	Groups uint32
}

func (*SockaddrLinklayer) sockaddr() {}
func (*SockaddrNetlink) sockaddr()   {}

// NetlinkRouteRequest is a request for a routing table dump.
type NetlinkRouteRequest struct {
	Header NlMsghdr
	Data   RtGenmsg
}

// A NetlinkMessage is one netlink message.
type NetlinkMessage struct {
	Header NlMsghdr
	Data   []byte
}

// A NetlinkRouteAttr is one attribute of a routing message.
type NetlinkRouteAttr struct {
	Attr  RtAttr
	Value []byte
}

func align4(n int) int { return (n + 3) &^ 3 }

// ParseNetlinkMessage splits b into netlink messages.
func ParseNetlinkMessage(b []byte) ([]NetlinkMessage, error) {
	var msgs []NetlinkMessage
	for len(b) >= NLMSG_HDRLEN {
		h := *(*NlMsghdr)(unsafe.Pointer(&b[0]))
		n := int(h.Len)
		if n < NLMSG_HDRLEN || n > len(b) {
			return nil, EINVAL
		}
		msgs = append(msgs, NetlinkMessage{Header: h, Data: b[NLMSG_HDRLEN:n]})
		b = b[min(align4(n), len(b)):]
	}
	return msgs, nil
}

// ParseNetlinkRouteAttr returns the attributes of a link, address or
// route message.
func ParseNetlinkRouteAttr(m *NetlinkMessage) ([]NetlinkRouteAttr, error) {
	var skip int
	switch m.Header.Type {
	case RTM_NEWLINK, RTM_DELLINK:
		skip = SizeofIfInfomsg
	case RTM_NEWADDR, RTM_DELADDR:
		skip = SizeofIfAddrmsg
	case RTM_NEWROUTE, RTM_DELROUTE:
		skip = SizeofRtMsg
	default:
		return nil, EINVAL
	}
	if len(m.Data) < skip {
		return nil, EINVAL
	}
	b := m.Data[skip:]
	var attrs []NetlinkRouteAttr
	for len(b) >= SizeofRtAttr {
		a := *(*RtAttr)(unsafe.Pointer(&b[0]))
		n := int(a.Len)
		if n < SizeofRtAttr || n > len(b) {
			return nil, EINVAL
		}
		attrs = append(attrs, NetlinkRouteAttr{Attr: a, Value: b[SizeofRtAttr:n]})
		b = b[min(align4(n), len(b)):]
	}
	return attrs, nil
}

// SocketDisableIPv6 is Linux's switch for package net's tests; the
// stack here always has IPv6.
var SocketDisableIPv6 bool
