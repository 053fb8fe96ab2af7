// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import (
	"runtime"
	"unsafe"
)

// The Linux system calls served in the guest (linux_unikernel.go), one
// function each, for the tables by number of linux_unikernel_GOARCH.go.
// Each takes its arguments as Linux does and reports errors as Linux's
// numbers, which are this package's.

const (
	at_EMPTY_PATH = 0x1000

	// ioctl requests
	tCGETS     = 0x5401
	tIOCGWINSZ = 0x5413
	fIONREAD   = 0x541b
	fIONBIO    = 0x5421
	fIOCLEX    = 0x5451
	fIONCLEX   = 0x5450
)

func sysRead(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret(Read(a.int32(0), b))
}

func sysWrite(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret(Write(a.int32(0), b))
}

func sysPread(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret(Pread(a.int32(0), b, int64(a.v[3])))
}

func sysPwrite(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret(Pwrite(a.int32(0), b, int64(a.v[3])))
}

// linuxIovec is Linux's struct iovec.
type linuxIovec struct {
	base unsafe.Pointer
	len  uint64
}

// iovecs are the iovcnt (argument n) buffers at argument i. The
// addresses in them are read now, after the stack may have moved, which
// is right: the caller holds them as pointers, which a moving stack
// carries along.
func (a *linuxArgs) iovecs(i, n int) ([][]byte, Errno) {
	cnt := a.int32(n)
	if cnt < 0 || cnt > 1024 {
		return nil, EINVAL
	}
	if cnt > 0 && a.p[i] == nil {
		return nil, EFAULT
	}
	iov := unsafe.Slice((*linuxIovec)(a.p[i]), cnt)
	bufs := make([][]byte, cnt)
	for k, v := range iov {
		if v.len > 0 {
			if v.base == nil {
				return nil, EFAULT
			}
			bufs[k] = unsafe.Slice((*byte)(v.base), v.len)
		}
	}
	return bufs, 0
}

func sysReadv(a linuxArgs) (uintptr, Errno)  { return vectored(&a, Read) }
func sysWritev(a linuxArgs) (uintptr, Errno) { return vectored(&a, Write) }

// vectored reads or writes (op) the buffers of an iovec array in turn,
// stopping at a short transfer; an error after some bytes moved ends
// the call with the count, as on Linux.
func vectored(a *linuxArgs, op func(int, []byte) (int, error)) (uintptr, Errno) {
	bufs, e := a.iovecs(1, 2)
	if e != 0 {
		return 0, e
	}
	total := 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		n, err := op(a.int32(0), b)
		if err != nil {
			if total > 0 {
				break
			}
			return 0, errnoOf(err)
		}
		total += n
		if n < len(b) {
			break
		}
	}
	return uintptr(total), 0
}

func sysOpen(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	return ret(Open(path, a.int32(1)&^o_LARGEFILE, uint32(a.v[2])))
}

func sysOpenat(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(1)
	if e != 0 {
		return 0, e
	}
	return ret(Openat(a.int32(0), path, a.int32(2)&^o_LARGEFILE, uint32(a.v[3])))
}

func sysCreat(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	return ret(Open(path, O_CREAT|O_WRONLY|O_TRUNC, uint32(a.v[1])))
}

func sysClose(a linuxArgs) (uintptr, Errno) { return ret0(Close(a.int32(0))) }

// Stat_t is Linux/amd64's struct stat.

func statOut(a *linuxArgs, i int, err error, st *Stat_t) (uintptr, Errno) {
	if err != nil {
		return 0, errnoOf(err)
	}
	return 0, out(a, i, *st)
}

func sysStat(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	var st Stat_t
	return statOut(&a, 1, Stat(path, &st), &st)
}

func sysLstat(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	var st Stat_t
	return statOut(&a, 1, Lstat(path, &st), &st)
}

func sysFstat(a linuxArgs) (uintptr, Errno) {
	var st Stat_t
	return statOut(&a, 1, Fstat(a.int32(0), &st), &st)
}

func sysNewfstatat(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(1)
	if e != 0 {
		return 0, e
	}
	flags := a.int32(3)
	var st Stat_t
	if path == "" && flags&at_EMPTY_PATH != 0 {
		return statOut(&a, 2, Fstat(a.int32(0), &st), &st)
	}
	return statOut(&a, 2, Fstatat(a.int32(0), path, &st, flags&^at_EMPTY_PATH), &st)
}

func sysLseek(a linuxArgs) (uintptr, Errno) {
	off, err := Seek(a.int32(0), int64(a.v[1]), a.int32(2))
	return ret(int(off), err)
}

// Memory mappings: the address that mmap returns is the start of what
// Mmap returned, which munmap and mremap find again.

func sysMmap(a linuxArgs) (uintptr, Errno) {
	if a.v[0] != 0 && a.int32(3)&MAP_FIXED != 0 {
		return 0, EINVAL // Mmap cannot place a mapping
	}
	b, err := Mmap(a.int32(4), int64(a.v[5]), a.int(1), a.int32(2), a.int32(3))
	if err != nil {
		return 0, errnoOf(err)
	}
	return uintptr(unsafe.Pointer(&b[0])), 0
}

// mappingAt is the live mapping that starts at address p.
func mappingAt(p uintptr) []byte {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, m := range mappings {
		if uintptr(unsafe.Pointer(&m.b[0])) == p {
			return m.b
		}
	}
	return nil
}

// mappingIn is the part [p, p+n) of the live mapping that contains it.
func mappingIn(p, n uintptr) []byte {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, m := range mappings {
		start := uintptr(unsafe.Pointer(&m.b[0]))
		if p >= start && p+n <= start+uintptr(len(m.b)) && p+n >= p {
			return m.b[p-start : p-start+n]
		}
	}
	return nil
}

// sysMunmap removes the mapping at the address. Unmapping part of a
// mapping leaves it whole: the memory is the Go heap's and cannot be
// given back piecemeal, and what was unmapped is not touched again by a
// correct program.
func sysMunmap(a linuxArgs) (uintptr, Errno) {
	p, n := a.v[0], a.v[1]
	if p%pageSize != 0 || n == 0 {
		return 0, EINVAL
	}
	b := mappingAt(p)
	if b == nil || uintptr(len(b)) > (n+pageSize-1)&^(pageSize-1) {
		return 0, 0 // unmapping what is not mapped succeeds, as on Linux
	}
	return ret0(Munmap(b))
}

const mREMAP_MAYMOVE = 1

// sysMremap grows or shrinks an anonymous or private mapping; it moves
// it (with MREMAP_MAYMOVE) to grow it.
func sysMremap(a linuxArgs) (uintptr, Errno) {
	oldp, oldn, newn, flags := a.v[0], a.v[1], a.v[2], a.int32(3)
	if flags&^mREMAP_MAYMOVE != 0 || newn == 0 {
		return 0, EINVAL
	}
	b := mappingAt(oldp)
	if b == nil || uintptr(len(b)) < oldn {
		return 0, EFAULT
	}
	if newn <= uintptr(len(b)) {
		return oldp, 0 // the tail stays mapped, as munmap leaves it
	}
	if flags&mREMAP_MAYMOVE == 0 {
		return 0, ENOMEM
	}
	nb, err := Mmap(-1, 0, int(newn), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)
	if err != nil {
		return 0, errnoOf(err)
	}
	copy(nb, b[:oldn])
	Munmap(b)
	return uintptr(unsafe.Pointer(&nb[0])), 0
}

func sysMprotect(a linuxArgs) (uintptr, Errno) {
	if a.v[0]%pageSize != 0 {
		return 0, EINVAL
	}
	return ret0(Mprotect(nil, a.int32(2)))
}

func sysMadvise(a linuxArgs) (uintptr, Errno) {
	if a.v[0]%pageSize != 0 {
		return 0, EINVAL
	}
	if a.v[1] == 0 {
		return ret0(Madvise(nil, a.int32(2)))
	}
	b := mappingIn(a.v[0], a.v[1])
	if b == nil {
		return 0, ENOMEM // Linux's answer for addresses not mapped
	}
	return ret0(Madvise(b, a.int32(2)))
}

// sysBrk reports a break of 0, which callers take as no data segment to
// grow: memory comes from mmap.
func sysBrk(a linuxArgs) (uintptr, Errno) { return 0, 0 }

func sysIoctl(a linuxArgs) (uintptr, Errno) {
	fd := a.int32(0)
	var st Stat_t
	if err := Fstat(fd, &st); err != nil {
		return 0, errnoOf(err)
	}
	switch a.v[1] {
	case fIONBIO:
		if a.p[2] == nil {
			return 0, EFAULT
		}
		return ret0(SetNonblock(fd, *(*int32)(a.p[2]) != 0))
	case fIOCLEX:
		CloseOnExec(fd)
		return 0, 0
	case fIONCLEX:
		_, err := Fcntl(fd, F_SETFD, 0)
		return ret0(err)
	}
	// No descriptor is a terminal (the console is a serial line the
	// program cannot configure), so isatty(3) is false everywhere.
	return 0, ENOTTY
}

func sysAccess(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	return access(AT_FDCWD, path, a.int32(1), 0)
}

func sysFaccessat(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(1)
	if e != 0 {
		return 0, e
	}
	return access(a.int32(0), path, a.int32(2), 0)
}

// access checks as root does: a file exists and is readable and
// writable; executable if it is a directory or has an execute bit.
func access(dirfd int, path string, mode, flags int) (uintptr, Errno) {
	const xOK = 1
	if mode&^7 != 0 {
		return 0, EINVAL
	}
	var st Stat_t
	if err := Fstatat(dirfd, path, &st, flags); err != nil {
		return 0, errnoOf(err)
	}
	if mode&xOK != 0 && st.Mode&S_IFMT != S_IFDIR && st.Mode&0111 == 0 {
		return 0, EACCES
	}
	return 0, 0
}

func sysPipe(a linuxArgs) (uintptr, Errno) {
	return pipeOut(&a, 0)
}

func sysPipe2(a linuxArgs) (uintptr, Errno) {
	return pipeOut(&a, a.int32(1))
}

func pipeOut(a *linuxArgs, flags int) (uintptr, Errno) {
	if a.p[0] == nil {
		return 0, EFAULT
	}
	p := make([]int, 2)
	if err := Pipe2(p, flags); err != nil {
		return 0, errnoOf(err)
	}
	return 0, out(a, 0, [2]int32{int32(p[0]), int32(p[1])})
}

func sysSchedYield(a linuxArgs) (uintptr, Errno) {
	runtime.Gosched()
	return 0, 0
}

func sysDup(a linuxArgs) (uintptr, Errno) { return ret(Dup(a.int32(0))) }

func sysDup2(a linuxArgs) (uintptr, Errno) {
	if err := Dup2(a.int32(0), a.int32(1)); err != nil {
		return 0, errnoOf(err)
	}
	return uintptr(a.int32(1)), 0
}

func sysDup3(a linuxArgs) (uintptr, Errno) {
	if err := Dup3(a.int32(0), a.int32(1), a.int32(2)); err != nil {
		return 0, errnoOf(err)
	}
	return uintptr(a.int32(1)), 0
}

// sleep is time.Sleep, from the runtime.
func sleep(ns int64)

// nanosleep sleeps for the Timespec at argument i; nothing interrupts
// it, so the time left, at argument rem, is never written.
func (a *linuxArgs) nanosleep(i int) (uintptr, Errno) {
	if a.p[i] == nil {
		return 0, EFAULT
	}
	ts := *(*Timespec)(a.p[i])
	if ts.Sec < 0 || ts.Nsec < 0 || ts.Nsec >= 1e9 {
		return 0, EINVAL
	}
	sleep(ts.Sec*1e9 + ts.Nsec)
	return 0, 0
}

func sysNanosleep(a linuxArgs) (uintptr, Errno) { return a.nanosleep(0) }

const tIMER_ABSTIME = 1

func sysClockNanosleep(a linuxArgs) (uintptr, Errno) {
	if a.int32(1)&tIMER_ABSTIME == 0 {
		return a.nanosleep(2)
	}
	if a.p[2] == nil {
		return 0, EFAULT
	}
	ts := *(*Timespec)(a.p[2])
	var now Timespec
	if e := clockNow(a.int32(0), &now); e != 0 {
		return 0, e
	}
	if d := (ts.Sec-now.Sec)*1e9 + ts.Nsec - now.Nsec; d > 0 {
		sleep(d)
	}
	return 0, 0
}

// clockNow reads clock id. The process's and thread's CPU clocks are
// the monotonic clock: the program has the CPU to itself.
func clockNow(id int, ts *Timespec) Errno {
	sec, nsec, mono := now()
	switch id {
	case 0, 5, 8, 11: // REALTIME, REALTIME_COARSE, REALTIME_ALARM, TAI
		*ts = Timespec{Sec: sec, Nsec: int64(nsec)}
	case 1, 2, 3, 4, 6, 7, 9: // MONOTONIC, the CPU clocks, MONOTONIC_RAW and _COARSE, BOOTTIME and _ALARM
		*ts = NsecToTimespec(mono)
	default:
		return EINVAL
	}
	return 0
}

func sysClockGettime(a linuxArgs) (uintptr, Errno) {
	var ts Timespec
	if e := clockNow(a.int32(0), &ts); e != 0 {
		return 0, e
	}
	return 0, out(&a, 1, ts)
}

func sysClockGetres(a linuxArgs) (uintptr, Errno) {
	var ts Timespec
	if e := clockNow(a.int32(0), &ts); e != 0 {
		return 0, e
	}
	if a.p[1] == nil {
		return 0, 0
	}
	return 0, out(&a, 1, Timespec{Nsec: 1})
}

func sysGettimeofday(a linuxArgs) (uintptr, Errno) {
	if a.p[0] == nil {
		return 0, 0
	}
	sec, nsec, _ := now()
	return 0, out(&a, 0, Timeval{Sec: sec, Usec: int64(nsec) / 1e3})
}

func sysTime(a linuxArgs) (uintptr, Errno) {
	sec, _, _ := now()
	if a.p[0] != nil {
		if e := out(&a, 0, sec); e != 0 {
			return 0, e
		}
	}
	return uintptr(sec), 0
}

func sysGetpid(a linuxArgs) (uintptr, Errno)  { return uintptr(pid), 0 }
func sysGetppid(a linuxArgs) (uintptr, Errno) { return uintptr(ppid), 0 }
func sysGetuid(a linuxArgs) (uintptr, Errno)  { return uintptr(Getuid()), 0 }
func sysGetgid(a linuxArgs) (uintptr, Errno)  { return uintptr(Getgid()), 0 }
func sysGeteuid(a linuxArgs) (uintptr, Errno) { return uintptr(Geteuid()), 0 }
func sysGetegid(a linuxArgs) (uintptr, Errno) { return uintptr(Getegid()), 0 }

func sysGetpgid(a linuxArgs) (uintptr, Errno) { return ret(Getpgid(a.int32(0))) }

func sysSetuid(a linuxArgs) (uintptr, Errno) { return ret0(Setuid(a.int32(0))) }
func sysSetgid(a linuxArgs) (uintptr, Errno) { return ret0(Setgid(a.int32(0))) }
func sysSetreuid(a linuxArgs) (uintptr, Errno) {
	return ret0(Setreuid(a.int32(0), a.int32(1)))
}
func sysSetregid(a linuxArgs) (uintptr, Errno) {
	return ret0(Setregid(a.int32(0), a.int32(1)))
}
func sysSetresuid(a linuxArgs) (uintptr, Errno) {
	return ret0(Setresuid(a.int32(0), a.int32(1), a.int32(2)))
}
func sysSetresgid(a linuxArgs) (uintptr, Errno) {
	return ret0(Setresgid(a.int32(0), a.int32(1), a.int32(2)))
}

func sysGetgroups(a linuxArgs) (uintptr, Errno) {
	g, err := Getgroups()
	if err != nil {
		return 0, errnoOf(err)
	}
	n := a.int32(0)
	if n == 0 {
		return uintptr(len(g)), 0
	}
	if n < len(g) {
		return 0, EINVAL
	}
	if len(g) > 0 && a.p[1] == nil {
		return 0, EFAULT
	}
	dst := unsafe.Slice((*uint32)(a.p[1]), len(g))
	for i, id := range g {
		dst[i] = uint32(id)
	}
	return uintptr(len(g)), 0
}

func sysExit(a linuxArgs) (uintptr, Errno) {
	Exit(a.int32(0))
	return 0, 0
}

// sysKill and sysTgkill reach the one process, with the signals that
// Kill knows.
func sysKill(a linuxArgs) (uintptr, Errno) {
	return ret0(Kill(a.int32(0), Signal(a.int32(1))))
}

func sysTgkill(a linuxArgs) (uintptr, Errno) {
	if a.int32(0) != pid || a.int32(1) != pid {
		return 0, ESRCH
	}
	return ret0(Kill(pid, Signal(a.int32(2))))
}

// sysUname names the system as what it is, a Mirago unikernel, with
// the Linux release whose system call interface it serves, so that
// version checks of the kind golang.org/x/sys/unix.KernelVersion makes
// see a kernel that has what they look for.
func sysUname(a linuxArgs) (uintptr, Errno) {
	var u Utsname
	host, _ := Sysctl("kern.hostname")
	set := func(f *[65]int8, s string) {
		for i := 0; i < len(s) && i < len(f)-1; i++ {
			f[i] = int8(s[i])
		}
	}
	set(&u.Sysname, "Mirago")
	set(&u.Nodename, host)
	set(&u.Release, "6.1.0-mirago")
	set(&u.Version, "#1 "+runtime.Version()+" "+runtime.GOOS)
	set(&u.Machine, unameMachine)
	names.Lock()
	domain := names.domain
	names.Unlock()
	if domain == "" {
		domain = "(none)"
	}
	set(&u.Domainname, domain)
	return 0, out(&a, 0, u)
}

// sysFcntl adds POSIX record locks to Fcntl. Those locks belong to a
// process and never conflict with the same process's own, so for the
// one process here every lock is granted and F_GETLK finds none, as
// Linux answers a process that is alone with a file. The open file
// description locks (F_OFD_*) are not served.
func sysFcntl(a linuxArgs) (uintptr, Errno) {
	fd, cmd := a.int32(0), a.int32(1)
	switch cmd {
	case F_GETLK, F_SETLK, F_SETLKW:
		if _, err := Fcntl(fd, F_GETFL, 0); err != nil {
			return 0, errnoOf(err)
		}
		if a.p[2] == nil {
			return 0, EFAULT
		}
		l := (*Flock_t)(a.p[2])
		if l.Type < F_RDLCK || l.Type > F_UNLCK || l.Whence < 0 || l.Whence > 2 {
			return 0, EINVAL
		}
		if cmd == F_GETLK {
			l.Type = F_UNLCK
		}
		return 0, 0
	case F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC:
		return ret(Fcntl(fd, cmd, a.int32(2)))
	}
	return 0, EINVAL
}

func sysFlock(a linuxArgs) (uintptr, Errno) { return ret0(Flock(a.int32(0), a.int32(1))) }
func sysFsync(a linuxArgs) (uintptr, Errno) { return ret0(Fsync(a.int32(0))) }

func sysTruncate(a linuxArgs) (uintptr, Errno) {
	path, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	return ret0(Truncate(path, int64(a.v[1])))
}

// sysFallocate grows a file to off+len with mode 0; other modes fail
// with EOPNOTSUPP, as on file systems that lack them.
func sysFallocate(a linuxArgs) (uintptr, Errno) {
	fd, mode, off, n := a.int32(0), a.v[1], int64(a.v[2]), int64(a.v[3])
	if off < 0 || n <= 0 {
		return 0, EINVAL
	}
	var st Stat_t
	if err := Fstat(fd, &st); err != nil {
		return 0, errnoOf(err)
	}
	if mode != 0 {
		return 0, EOPNOTSUPP
	}
	switch {
	case st.Mode&S_IFMT == S_IFDIR:
		return 0, EISDIR
	case st.Mode&S_IFMT != S_IFREG:
		return 0, ENODEV
	case off+n <= st.Size:
		return 0, 0
	}
	return ret0(Ftruncate(fd, off+n))
}

func sysFtruncate(a linuxArgs) (uintptr, Errno) {
	return ret0(Ftruncate(a.int32(0), int64(a.v[1])))
}

// sysGetcwd returns the length of the path with its NUL, as the system
// call does.
func sysGetcwd(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(0, 1)
	if e != 0 {
		return 0, e
	}
	if len(b) == 0 {
		return 0, ERANGE
	}
	n, err := Getcwd(b[:len(b)-1])
	if err != nil {
		return 0, errnoOf(err)
	}
	b[n] = 0
	return uintptr(n + 1), 0
}

func sysGetdents64(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret(ReadDirent(a.int32(0), b))
}

// path1 and path2 run f with the paths at arguments i and j.
func path1(a *linuxArgs, i int, f func(string) error) (uintptr, Errno) {
	p, e := a.str(i)
	if e != 0 {
		return 0, e
	}
	return ret0(f(p))
}

func path2(a *linuxArgs, i, j int, f func(string, string) error) (uintptr, Errno) {
	p, e := a.str(i)
	if e != 0 {
		return 0, e
	}
	q, e := a.str(j)
	if e != 0 {
		return 0, e
	}
	return ret0(f(p, q))
}

func sysChdir(a linuxArgs) (uintptr, Errno)  { return path1(&a, 0, Chdir) }
func sysFchdir(a linuxArgs) (uintptr, Errno) { return ret0(Fchdir(a.int32(0))) }
func sysRmdir(a linuxArgs) (uintptr, Errno)  { return path1(&a, 0, Rmdir) }
func sysUnlink(a linuxArgs) (uintptr, Errno) { return path1(&a, 0, Unlink) }
func sysRename(a linuxArgs) (uintptr, Errno) { return path2(&a, 0, 1, Rename) }
func sysLink(a linuxArgs) (uintptr, Errno)   { return path2(&a, 0, 1, Link) }
func sysSymlink(a linuxArgs) (uintptr, Errno) {
	return path2(&a, 0, 1, Symlink)
}

func sysMkdir(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 0, func(p string) error { return Mkdir(p, uint32(a.v[1])) })
}

func sysMkdirat(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 1, func(p string) error { return Mkdirat(a.int32(0), p, uint32(a.v[2])) })
}

func sysChmod(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 0, func(p string) error { return Chmod(p, uint32(a.v[1])) })
}

func sysFchmod(a linuxArgs) (uintptr, Errno) {
	return ret0(Fchmod(a.int32(0), uint32(a.v[1])))
}

func sysFchmodat(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 1, func(p string) error { return Fchmodat(a.int32(0), p, uint32(a.v[2]), 0) })
}

func sysChown(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 0, func(p string) error { return Chown(p, a.int32(1), a.int32(2)) })
}

func sysLchown(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 0, func(p string) error { return Lchown(p, a.int32(1), a.int32(2)) })
}

func sysFchown(a linuxArgs) (uintptr, Errno) {
	return ret0(Fchown(a.int32(0), a.int32(1), a.int32(2)))
}

func sysFchownat(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 1, func(p string) error {
		return Fchownat(a.int32(0), p, a.int32(2), a.int32(3), a.int32(4))
	})
}

func sysUnlinkat(a linuxArgs) (uintptr, Errno) {
	return path1(&a, 1, func(p string) error { return unlinkat(a.int32(0), p, a.int32(2)) })
}

func sysRenameat(a linuxArgs) (uintptr, Errno) {
	return path2(&a, 1, 3, func(p, q string) error { return Renameat(a.int32(0), p, a.int32(2), q) })
}

// sysRenameat2 serves renameat2 without flags; RENAME_NOREPLACE and the
// others fail with EINVAL, which callers take as "not supported here".
func sysRenameat2(a linuxArgs) (uintptr, Errno) {
	if a.v[4] != 0 {
		return 0, EINVAL
	}
	return sysRenameat(a)
}

func sysLinkat(a linuxArgs) (uintptr, Errno) {
	return path2(&a, 1, 3, func(p, q string) error { return Linkat(a.int32(0), p, a.int32(2), q, a.int32(4)) })
}

func sysSymlinkat(a linuxArgs) (uintptr, Errno) {
	return path2(&a, 0, 2, func(p, q string) error { return Symlinkat(p, a.int32(1), q) })
}

func sysReadlink(a linuxArgs) (uintptr, Errno) {
	p, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret(Readlink(p, b))
}

func sysReadlinkat(a linuxArgs) (uintptr, Errno) {
	p, e := a.str(1)
	if e != 0 {
		return 0, e
	}
	b, e := a.bytes(2, 3)
	if e != 0 {
		return 0, e
	}
	return ret(Readlinkat(a.int32(0), p, b))
}

func sysUtimensat(a linuxArgs) (uintptr, Errno) {
	var ts *[2]Timespec
	if a.p[2] != nil {
		ts = (*[2]Timespec)(a.p[2])
	}
	if a.p[1] == nil { // futimens
		return 0, ENOSYS
	}
	return path1(&a, 1, func(p string) error { return Utimensat(a.int32(0), p, ts, a.int32(3)) })
}

func sysUmask(a linuxArgs) (uintptr, Errno) { return uintptr(Umask(a.int32(0))), 0 }

func sysGetrlimit(a linuxArgs) (uintptr, Errno) {
	var r Rlimit
	if err := Getrlimit(a.int32(0), &r); err != nil {
		return 0, errnoOf(err)
	}
	return 0, out(&a, 1, r)
}

func sysPrlimit(a linuxArgs) (uintptr, Errno) {
	var old Rlimit
	if err := prlimit(a.int32(0), a.int32(1), (*Rlimit)(a.p[2]), &old); err != nil {
		return 0, errnoOf(err)
	}
	if a.p[3] != nil {
		return 0, out(&a, 3, old)
	}
	return 0, 0
}

func sysGetrusage(a linuxArgs) (uintptr, Errno) {
	var r Rusage
	if err := Getrusage(a.int32(0), &r); err != nil {
		return 0, errnoOf(err)
	}
	return 0, out(&a, 1, r)
}

// sysSysinfo reports the uptime and the one process; the memory figures
// are the runtime's view of the machine's RAM.
func sysSysinfo(a linuxArgs) (uintptr, Errno) {
	_, _, mono := now()
	total, free := memInfo()
	return 0, out(&a, 0, Sysinfo_t{
		Uptime:   mono / 1e9,
		Totalram: total,
		Freeram:  free,
		Procs:    1,
		Unit:     1,
	})
}

// memInfo returns the bytes of RAM the machine has and those the
// runtime has not taken; it is pushed here by the runtime.
func memInfo() (total, free uint64)

// statfs describes the one file system, which lives in memory as
// tmpfs does; like a tmpfs mounted without a size, it reports no block
// counts.
func statfs(a *linuxArgs, i int) (uintptr, Errno) {
	const tmpfsMagic = 0x01021994
	return 0, out(a, i, Statfs_t{Type: tmpfsMagic, Bsize: pageSize, Frsize: pageSize, Namelen: nameMax})
}

func sysStatfs(a linuxArgs) (uintptr, Errno) {
	p, e := a.str(0)
	if e != 0 {
		return 0, e
	}
	var st Stat_t
	if err := Stat(p, &st); err != nil {
		return 0, errnoOf(err)
	}
	return statfs(&a, 1)
}

func sysFstatfs(a linuxArgs) (uintptr, Errno) {
	var st Stat_t
	if err := Fstat(a.int32(0), &st); err != nil {
		return 0, errnoOf(err)
	}
	return statfs(&a, 1)
}

// sysSchedGetaffinity reports the CPUs the program runs on, all of
// them (runtime.NumCPU).
func sysSchedGetaffinity(a linuxArgs) (uintptr, Errno) {
	if n := a.v[1]; n < 8 || n%8 != 0 {
		return 0, EINVAL
	}
	b, e := a.bytes(2, 1)
	if e != 0 {
		return 0, e
	}
	// The program may run on every CPU; the mask is a long, as
	// Linux's is with up to 64 CPUs.
	clear(b)
	for c := range runtime.NumCPU() {
		b[c/8] |= 1 << (c % 8)
	}
	return 8, 0
}

func sysGetrandom(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(0, 1)
	if e != 0 {
		return 0, e
	}
	if err := RandomGet(b); err != nil {
		return 0, EIO
	}
	return uintptr(len(b)), 0
}

// Sockets, with Linux's struct sockaddr forms at the boundary.

// sockaddrIn reads the address of length argument n at argument i.
func (a *linuxArgs) sockaddrIn(i, n int) (Sockaddr, Errno) {
	b, e := a.bytes(i, n)
	if e != 0 {
		return nil, e
	}
	return sockaddrFrom(b)
}

// sockaddrFrom decodes a struct sockaddr.
func sockaddrFrom(b []byte) (Sockaddr, Errno) {
	if len(b) < 2 {
		return nil, EINVAL
	}
	switch int(b[0]) | int(b[1])<<8 {
	case AF_INET:
		if len(b) < 16 {
			return nil, EINVAL
		}
		sa := &SockaddrInet4{Port: int(b[2])<<8 | int(b[3])}
		copy(sa.Addr[:], b[4:8])
		return sa, 0
	case AF_INET6:
		if len(b) < 24 {
			return nil, EINVAL
		}
		sa := &SockaddrInet6{Port: int(b[2])<<8 | int(b[3])}
		copy(sa.Addr[:], b[8:24])
		if len(b) >= 28 {
			sa.ZoneId = uint32(b[24]) | uint32(b[25])<<8 | uint32(b[26])<<16 | uint32(b[27])<<24
		}
		return sa, 0
	case AF_UNIX:
		name := b[2:]
		if len(name) > 0 && name[0] == 0 {
			// An abstract name: all of the address's length.
			return &SockaddrUnix{Name: "@" + string(name[1:])}, 0
		}
		for k, c := range name {
			if c == 0 {
				name = name[:k]
				break
			}
		}
		return &SockaddrUnix{Name: string(name)}, 0
	}
	return nil, EAFNOSUPPORT
}

// sockaddrOut writes sa at argument i, whose room is the socklen_t at
// argument n; it truncates as Linux does and stores the full length.
func (a *linuxArgs) sockaddrOut(i, n int, sa Sockaddr) Errno {
	if a.p[n] == nil {
		if a.p[i] == nil {
			return 0
		}
		return EFAULT
	}
	sockaddrTo(a.p[i], (*uint32)(a.p[n]), sa)
	return 0
}

// sockaddrTo writes sa as a struct sockaddr at p, whose room is *room
// bytes, truncating as Linux does, and stores its full length in room.
func sockaddrTo(p unsafe.Pointer, room *uint32, sa Sockaddr) {
	var b []byte
	switch sa := sa.(type) {
	case *SockaddrInet4:
		b = make([]byte, 16)
		b[0] = AF_INET
		b[2], b[3] = byte(sa.Port>>8), byte(sa.Port)
		copy(b[4:8], sa.Addr[:])
	case *SockaddrInet6:
		b = make([]byte, 28)
		b[0] = AF_INET6
		b[2], b[3] = byte(sa.Port>>8), byte(sa.Port)
		copy(b[8:24], sa.Addr[:])
		b[24], b[25], b[26], b[27] = byte(sa.ZoneId), byte(sa.ZoneId>>8), byte(sa.ZoneId>>16), byte(sa.ZoneId>>24)
	case *SockaddrUnix:
		if sa.Name != "" && sa.Name[0] == '@' {
			b = make([]byte, 2+len(sa.Name)) // abstract: no NUL at the end
			copy(b[3:], sa.Name[1:])
		} else if sa.Name == "" {
			b = make([]byte, 2) // unnamed
		} else {
			b = make([]byte, 2+len(sa.Name)+1)
			copy(b[2:], sa.Name)
		}
		b[0] = AF_UNIX
	default:
		b = []byte{AF_UNSPEC, 0}
	}
	if p != nil {
		copy(unsafe.Slice((*byte)(p), *room), b)
	}
	*room = uint32(len(b))
}

func sysSocket(a linuxArgs) (uintptr, Errno) {
	return ret(Socket(a.int32(0), a.int32(1), a.int32(2)))
}

func sysBind(a linuxArgs) (uintptr, Errno) {
	sa, e := a.sockaddrIn(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret0(Bind(a.int32(0), sa))
}

func sysConnect(a linuxArgs) (uintptr, Errno) {
	sa, e := a.sockaddrIn(1, 2)
	if e != 0 {
		return 0, e
	}
	return ret0(Connect(a.int32(0), sa))
}

func sysListen(a linuxArgs) (uintptr, Errno) {
	return ret0(Listen(a.int32(0), a.int32(1)))
}

func sysAccept(a linuxArgs) (uintptr, Errno) { return accept(&a, 0) }

func sysAccept4(a linuxArgs) (uintptr, Errno) { return accept(&a, a.int32(3)) }

func accept(a *linuxArgs, flags int) (uintptr, Errno) {
	nfd, sa, err := Accept4(a.int32(0), flags)
	if err != nil {
		return 0, errnoOf(err)
	}
	if e := a.sockaddrOut(1, 2, sa); e != 0 {
		Close(nfd)
		return 0, e
	}
	return uintptr(nfd), 0
}

func sysGetsockname(a linuxArgs) (uintptr, Errno) {
	sa, err := Getsockname(a.int32(0))
	if err != nil {
		return 0, errnoOf(err)
	}
	return 0, a.sockaddrOut(1, 2, sa)
}

func sysGetpeername(a linuxArgs) (uintptr, Errno) {
	sa, err := Getpeername(a.int32(0))
	if err != nil {
		return 0, errnoOf(err)
	}
	return 0, a.sockaddrOut(1, 2, sa)
}

func sysShutdown(a linuxArgs) (uintptr, Errno) {
	return ret0(Shutdown(a.int32(0), a.int32(1)))
}

func sysSendto(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	var to Sockaddr
	if a.p[4] != nil {
		if to, e = a.sockaddrIn(4, 5); e != 0 {
			return 0, e
		}
	}
	return ret(SendmsgN(a.int32(0), b, nil, to, a.int32(3)))
}

func sysRecvfrom(a linuxArgs) (uintptr, Errno) {
	b, e := a.bytes(1, 2)
	if e != 0 {
		return 0, e
	}
	n, from, err := Recvfrom(a.int32(0), b, a.int32(3))
	if err != nil {
		return 0, errnoOf(err)
	}
	if a.p[4] != nil {
		if e := a.sockaddrOut(4, 5, from); e != 0 {
			return 0, e
		}
	}
	return uintptr(n), 0
}

// sysSetsockopt takes the options whose value is an int or a struct
// linger; the others fail with ENOPROTOOPT, as options a socket lacks.
func sysSetsockopt(a linuxArgs) (uintptr, Errno) {
	fd, level, opt, n := a.int32(0), a.int32(1), a.int32(2), a.v[4]
	if a.p[3] == nil {
		return 0, EFAULT
	}
	if level == SOL_SOCKET && opt == SO_LINGER {
		if n < 8 {
			return 0, EINVAL
		}
		return ret0(SetsockoptLinger(fd, level, opt, (*Linger)(a.p[3])))
	}
	if n < 4 {
		return 0, EINVAL
	}
	if n != 4 {
		if _, _, err := sock(fd); err != nil {
			return 0, errnoOf(err)
		}
		return 0, ENOPROTOOPT
	}
	return ret0(SetsockoptInt(fd, level, opt, int(*(*int32)(a.p[3]))))
}

func sysGetsockopt(a linuxArgs) (uintptr, Errno) {
	if a.p[3] == nil || a.p[4] == nil {
		return 0, EFAULT
	}
	if *(*uint32)(a.p[4]) < 4 {
		return 0, EINVAL
	}
	v, err := GetsockoptInt(a.int32(0), a.int32(1), a.int32(2))
	if err != nil {
		return 0, errnoOf(err)
	}
	*(*int32)(a.p[3]) = int32(v)
	*(*uint32)(a.p[4]) = 4
	return 0, 0
}

// Event loops (epoll_unikernel.go).

func sysEpollCreate(a linuxArgs) (uintptr, Errno) { return ret(EpollCreate(a.int32(0))) }

func sysEpollCreate1(a linuxArgs) (uintptr, Errno) { return ret(EpollCreate1(a.int32(0))) }

func sysEpollCtl(a linuxArgs) (uintptr, Errno) {
	var ev EpollEvent
	if a.p[3] != nil {
		ev = *(*EpollEvent)(a.p[3])
	} else if op := a.int32(1); op != EPOLL_CTL_DEL {
		return 0, EFAULT
	}
	return ret0(EpollCtl(a.int32(0), a.int32(1), a.int32(2), &ev))
}

// sysEpollWait serves epoll_wait and epoll_pwait, whose signal mask
// does not matter: no signal interrupts a wait.
func sysEpollWait(a linuxArgs) (uintptr, Errno) {
	n := a.int32(2)
	if n <= 0 || n > 1<<20 {
		return 0, EINVAL
	}
	if a.p[1] == nil {
		return 0, EFAULT
	}
	return ret(EpollWait(a.int32(0), unsafe.Slice((*EpollEvent)(a.p[1]), n), a.int32(3)))
}

// sysEventfd serves eventfd (whose flags are 0) and eventfd2.
func sysEventfd(a linuxArgs) (uintptr, Errno) {
	flags := 0
	if a.v[1] != 0 {
		flags = a.int32(1)
	}
	return ret(Eventfd(a.uint32(0), flags))
}

// linuxPollfd is Linux's struct pollfd.
type linuxPollfd struct {
	fd      int32
	events  int16
	revents int16
}

func sysPoll(a linuxArgs) (uintptr, Errno) {
	return poll(&a, a.int32(2))
}

func sysPpoll(a linuxArgs) (uintptr, Errno) {
	ms := -1
	if a.p[2] != nil {
		ts := *(*Timespec)(a.p[2])
		if ts.Sec < 0 || ts.Nsec < 0 || ts.Nsec >= 1e9 {
			return 0, EINVAL
		}
		ms = int(ts.Sec*1e3 + (ts.Nsec+999999)/1e6)
	}
	return poll(&a, ms)
}

// poll waits, as epoll_wait does, for one of the descriptors to be
// ready, or msec milliseconds (-1: for ever).
func poll(a *linuxArgs, msec int) (uintptr, Errno) {
	n := a.v[1]
	if n > 1<<16 {
		return 0, EINVAL
	}
	if n > 0 && a.p[0] == nil {
		return 0, EFAULT
	}
	fds := unsafe.Slice((*linuxPollfd)(a.p[0]), n)
	scan := func() int {
		ready := 0
		for i := range fds {
			p := &fds[i]
			p.revents = 0
			if p.fd < 0 {
				continue
			}
			fs.mu.Lock()
			f, err := fs.file(int(p.fd))
			fs.mu.Unlock()
			if err != nil {
				p.revents = 0x20 // POLLNVAL
			} else {
				p.revents = int16(readiness(f) & (uint32(uint16(p.events)) | EPOLLERR | EPOLLHUP))
			}
			if p.revents != 0 {
				ready++
			}
		}
		return ready
	}
	return uintptr(waitReady(scan, msec)), 0
}

// linuxMsghdr is Linux/amd64's struct msghdr.
type linuxMsghdr struct {
	name       unsafe.Pointer
	namelen    uint32
	_          uint32
	iov        *linuxIovec
	iovlen     uint64
	control    unsafe.Pointer
	controllen uint64
	flags      int32
	_          uint32
}

// msghdr reads the struct msghdr at argument i: its buffers (gathered
// into one for sending, or one to scatter from after receiving), and
// its control buffer.
func (a *linuxArgs) msghdr(i int) (m *linuxMsghdr, bufs [][]byte, total int, control []byte, e Errno) {
	if a.p[i] == nil {
		return nil, nil, 0, nil, EFAULT
	}
	m = (*linuxMsghdr)(a.p[i])
	if m.iovlen > 1024 {
		return nil, nil, 0, nil, EMSGSIZE
	}
	if m.iovlen > 0 && m.iov == nil {
		return nil, nil, 0, nil, EFAULT
	}
	for _, v := range unsafe.Slice(m.iov, m.iovlen) {
		if v.len == 0 {
			continue
		}
		if v.base == nil {
			return nil, nil, 0, nil, EFAULT
		}
		bufs = append(bufs, unsafe.Slice((*byte)(v.base), v.len))
		total += int(v.len)
	}
	if m.controllen > 0 {
		if m.control == nil {
			return nil, nil, 0, nil, EFAULT
		}
		control = unsafe.Slice((*byte)(m.control), m.controllen)
	}
	return m, bufs, total, control, 0
}

func sysSendmsg(a linuxArgs) (uintptr, Errno) {
	m, bufs, total, control, e := a.msghdr(1)
	if e != 0 {
		return 0, e
	}
	p := make([]byte, 0, total)
	for _, b := range bufs {
		p = append(p, b...)
	}
	var to Sockaddr
	if m.name != nil && m.namelen > 0 {
		if to, e = sockaddrFrom(unsafe.Slice((*byte)(m.name), m.namelen)); e != 0 {
			return 0, e
		}
	}
	return ret(SendmsgN(a.int32(0), p, control, to, a.int32(2)))
}

func sysRecvmsg(a linuxArgs) (uintptr, Errno) {
	m, bufs, total, control, e := a.msghdr(1)
	if e != 0 {
		return 0, e
	}
	p := make([]byte, total)
	n, oobn, recvflags, from, err := Recvmsg(a.int32(0), p, control, a.int32(2))
	if err != nil {
		return 0, errnoOf(err)
	}
	left := p[:min(n, total)]
	for _, b := range bufs {
		left = left[copy(b, left):]
	}
	if m.name != nil && from != nil {
		sockaddrTo(m.name, &m.namelen, from)
	} else {
		m.namelen = 0
	}
	m.controllen = uint64(oobn)
	m.flags = int32(recvflags)
	return uintptr(n), 0
}

func sysSocketpair(a linuxArgs) (uintptr, Errno) {
	if a.p[3] == nil {
		return 0, EFAULT
	}
	fd, err := Socketpair(a.int32(0), a.int32(1), a.int32(2))
	if err != nil {
		return 0, errnoOf(err)
	}
	return 0, out(&a, 3, [2]int32{int32(fd[0]), int32(fd[1])})
}
