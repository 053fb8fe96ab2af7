// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

// Package syscall on GOOS=xen and GOOS=solo5.
//
// A unikernel has no kernel below it: the Go runtime drives the
// (virtual) hardware itself and there is one process, this one. So
// package syscall is not a thin layer over system calls here but a
// small kernel of its own, shared by both GOOS values:
//
//   - an in-memory file system with the POSIX behaviour package os
//     expects (fs_unikernel.go), and the descriptor table and devices
//     in front of it (fd_unikernel.go): the console, /dev/null,
//     /dev/zero, /dev/urandom;
//   - the clock, the console and the hardware random number generator,
//     which the runtime provides (runtime_unikernel.go);
//   - sockets, whose endpoints are the TCP/IP stack's that package net
//     installs (net_unikernel.go);
//   - the one process: its pid, and its user and group IDs (ids_unikernel.go).
//
// Everything that needs a second process (fork, exec, wait, signals
// between processes) fails with ENOSYS, which names the operation in
// the error that package os wraps around it.
package syscall

import (
	errorspkg "errors"
	"internal/oserror"
	"internal/strconv"
	"runtime"
	"sync"
	_ "unsafe" // for go:linkname
)

// An Errno is an unsigned number describing an error condition.
// It implements the error interface. The zero Errno is by convention
// a non-error, so code to convert from Errno to error should use:
//
//	err = nil
//	if errno != 0 {
//		err = errno
//	}
//
// Errno values can be tested against error values using [errors.Is].
// For example:
//
//	_, _, err := syscall.Syscall(...)
//	if errors.Is(err, fs.ErrNotExist) ...
type Errno uintptr

func (e Errno) Error() string {
	if 0 <= int(e) && int(e) < len(errorstr) {
		s := errorstr[e]
		if s != "" {
			return s
		}
	}
	if s, ok := linuxErrors[e]; ok {
		return s
	}
	return "errno " + strconv.Itoa(int(e))
}

func (e Errno) Is(target error) bool {
	switch target {
	case oserror.ErrPermission:
		return e == EACCES || e == EPERM
	case oserror.ErrExist:
		return e == EEXIST || e == ENOTEMPTY
	case oserror.ErrNotExist:
		return e == ENOENT
	case errorspkg.ErrUnsupported:
		return e == ENOSYS || e == ENOTSUP || e == EOPNOTSUPP
	}
	return false
}

func (e Errno) Temporary() bool {
	return e == EINTR || e == EMFILE || e == ENFILE || e.Timeout()
}

func (e Errno) Timeout() bool {
	return e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT
}

// A Signal is a number describing a process signal.
// It implements the [os.Signal] interface.
//
// No signal is ever delivered on a unikernel; the values exist so that
// portable code that names them compiles.
type Signal int

const (
	SIGHUP   Signal = 1
	SIGINT   Signal = 2
	SIGQUIT  Signal = 3
	SIGILL   Signal = 4
	SIGTRAP  Signal = 5
	SIGABRT  Signal = 6
	SIGBUS   Signal = 7
	SIGFPE   Signal = 8
	SIGKILL  Signal = 9
	SIGUSR1  Signal = 10
	SIGSEGV  Signal = 11
	SIGUSR2  Signal = 12
	SIGPIPE  Signal = 13
	SIGALRM  Signal = 14
	SIGTERM  Signal = 15
	SIGCHLD  Signal = 17
	SIGCONT  Signal = 18
	SIGSTOP  Signal = 19
	SIGTSTP  Signal = 20
	SIGTTIN  Signal = 21
	SIGTTOU  Signal = 22
	SIGURG   Signal = 23
	SIGXCPU  Signal = 24
	SIGXFSZ  Signal = 25
	SIGPROF  Signal = 27
	SIGWINCH Signal = 28
	SIGIO    Signal = 29
	SIGSYS   Signal = 31
)

func (s Signal) Signal() {}

func (s Signal) String() string {
	if 0 <= s && int(s) < len(signals) {
		str := signals[s]
		if str != "" {
			return str
		}
	}
	return "signal " + strconv.Itoa(int(s))
}

var signals = [...]string{
	SIGHUP:   "hangup",
	SIGINT:   "interrupt",
	SIGQUIT:  "quit",
	SIGILL:   "illegal instruction",
	SIGTRAP:  "trace/breakpoint trap",
	SIGABRT:  "aborted",
	SIGBUS:   "bus error",
	SIGFPE:   "floating point exception",
	SIGKILL:  "killed",
	SIGUSR1:  "user defined signal 1",
	SIGSEGV:  "segmentation fault",
	SIGUSR2:  "user defined signal 2",
	SIGPIPE:  "broken pipe",
	SIGALRM:  "alarm clock",
	SIGTERM:  "terminated",
	SIGCHLD:  "child exited",
	SIGCONT:  "continued",
	SIGSTOP:  "stopped (signal)",
	SIGTSTP:  "stopped",
	SIGTTIN:  "stopped (tty input)",
	SIGTTOU:  "stopped (tty output)",
	SIGURG:   "urgent I/O condition",
	SIGXCPU:  "CPU time limit exceeded",
	SIGXFSZ:  "file size limit exceeded",
	SIGPROF:  "profiling timer expired",
	SIGWINCH: "window changed",
	SIGIO:    "I/O possible",
	SIGSYS:   "bad system call",
}

// File system

var (
	Stdin  = 0
	Stdout = 1
	Stderr = 2
)

const (
	O_RDONLY    = 0x0
	O_WRONLY    = 0x1
	O_RDWR      = 0x2
	O_ACCMODE   = 0x3
	O_CREAT     = 0x40
	O_CREATE    = O_CREAT
	O_EXCL      = 0x80
	O_NOCTTY    = 0x100
	O_TRUNC     = 0x200
	O_APPEND    = 0x400
	O_NONBLOCK  = 0x800
	O_SYNC      = 0x101000
	O_DIRECTORY = 0x10000
	O_NOFOLLOW  = 0x20000
	O_CLOEXEC   = 0x80000
)

const (
	F_DUPFD         = 0
	F_GETFD         = 1
	F_SETFD         = 2
	F_GETFL         = 3
	F_SETFL         = 4
	F_DUPFD_CLOEXEC = 1030

	FD_CLOEXEC = 1
)

const (
	SEEK_SET = 0
	SEEK_CUR = 1
	SEEK_END = 2
)

const (
	// AT_FDCWD as the directory of the *at functions means the
	// current working directory.
	AT_FDCWD            = -0x64
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_REMOVEDIR        = 0x200
	AT_EACCESS          = 0x200
)

const (
	S_IFMT   = 0xf000
	S_IFSOCK = 0xc000
	S_IFLNK  = 0xa000
	S_IFREG  = 0x8000
	S_IFBLK  = 0x6000
	S_IFDIR  = 0x4000
	S_IFCHR  = 0x2000
	S_IFIFO  = 0x1000

	S_ISUID = 0x800
	S_ISGID = 0x400
	S_ISVTX = 0x200

	S_IREAD  = 0400
	S_IWRITE = 0200
	S_IEXEC  = 0100

	S_IRWXU = 0700
	S_IRUSR = 0400
	S_IWUSR = 0200
	S_IXUSR = 0100

	S_IRWXG = 070
	S_IRGRP = 040
	S_IWGRP = 020
	S_IXGRP = 010

	S_IRWXO = 07
	S_IROTH = 04
	S_IWOTH = 02
	S_IXOTH = 01
)

// Directory entry types, in Dirent.Type.
const (
	DT_UNKNOWN = 0
	DT_FIFO    = 1
	DT_CHR     = 2
	DT_DIR     = 4
	DT_BLK     = 6
	DT_REG     = 8
	DT_LNK     = 10
	DT_SOCK    = 12
)

// PathMax is the longest path the file system accepts, in bytes.
const PathMax = 4096

// nameMax is the longest name of one directory entry, in bytes.
const nameMax = 255

// Stat_t (zerrors_unikernel_amd64.go) is Linux's, which Stat, Lstat
// and Fstat fill.

// Dirent (zerrors_unikernel_amd64.go) is Linux's struct
// linux_dirent64, the record that ReadDirent writes.

type Timespec struct {
	Sec  int64
	Nsec int64
}

type Timeval struct {
	Sec  int64
	Usec int64
}

func setTimespec(sec, nsec int64) Timespec {
	return Timespec{Sec: sec, Nsec: nsec}
}

func setTimeval(sec, usec int64) Timeval {
	return Timeval{Sec: sec, Usec: usec}
}

// Process: there is exactly one. It starts as the super-user: there is
// nobody else to protect files from, and so permission bits are
// recorded and reported but only the execute bits are enforced, as for
// root on Unix. Its user and group IDs change as on Linux
// (ids_unikernel.go), and new files take them, but the permission
// checks stay those of root.

const (
	pid  = 1
	ppid = 0
)

func Getpid() int  { return pid }
func Gettid() int  { return pid } // the one thread is the process
func Getpgrp() int { return pid }
func Getppid() int { return ppid }

// Getpgid reports the process group of pid, 0 or this process.
func Getpgid(pid int) (pgid int, err error) {
	if pid != 0 && pid != Getpid() {
		return 0, ESRCH
	}
	return Getpgrp(), nil
}

// Sysctl answers "kern.hostname", which package os asks for
// os.Hostname: the HOSTNAME environment variable (from the boot
// command line) or else the name of the GOOS.
func Sysctl(key string) (string, error) {
	if key == "kern.hostname" {
		names.Lock()
		h := names.host
		names.Unlock()
		if h != "" {
			return h, nil // from Sethostname
		}
		if h, ok := Getenv("HOSTNAME"); ok && h != "" {
			return h, nil
		}
		return runtime.GOOS, nil
	}
	return "", ENOSYS
}

const ImplementsGetwd = true

func Getwd() (wd string, err error) {
	var buf [PathMax]byte
	n, err := Getcwd(buf[0:])
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func Gettimeofday(tv *Timeval) error {
	sec, nsec, _ := now()
	*tv = setTimeval(sec, int64(nsec)/1e3)
	return nil
}

// Processes: there is no second process, so what would start, wait for
// or signal one fails with ENOSYS. Just enough for packages os and
// os/exec to compile and report the failure.

var ForkLock sync.RWMutex

type WaitStatus uint32

func (w WaitStatus) Exited() bool       { return false }
func (w WaitStatus) ExitStatus() int    { return -1 }
func (w WaitStatus) Signaled() bool     { return false }
func (w WaitStatus) Signal() Signal     { return 0 }
func (w WaitStatus) CoreDump() bool     { return false }
func (w WaitStatus) Stopped() bool      { return false }
func (w WaitStatus) Continued() bool    { return false }
func (w WaitStatus) StopSignal() Signal { return 0 }
func (w WaitStatus) TrapCause() int     { return 0 }

type ProcAttr struct {
	Dir   string
	Env   []string
	Files []uintptr
	Sys   *SysProcAttr
}

// SysProcAttr has Linux's fields, so that code that sets them compiles;
// StartProcess fails before it would read them.
type SysProcAttr struct {
	Chroot                     string
	Credential                 *Credential
	Ptrace                     bool
	Setsid                     bool
	Setpgid                    bool
	Setctty                    bool
	Noctty                     bool
	Ctty                       int
	Foreground                 bool
	Pgid                       int
	Pdeathsig                  Signal
	Cloneflags                 uintptr
	Unshareflags               uintptr
	UidMappings                []SysProcIDMap
	GidMappings                []SysProcIDMap
	GidMappingsEnableSetgroups bool
	AmbientCaps                []uintptr
	UseCgroupFD                bool
	CgroupFD                   int
	PidFD                      *int
}

// Credential holds user and group identities for a new process.
type Credential struct {
	Uid         uint32
	Gid         uint32
	Groups      []uint32
	NoSetGroups bool
}

// SysProcIDMap maps a user or group ID range in a user namespace.
type SysProcIDMap struct {
	ContainerID int
	HostID      int
	Size        int
}

func ForkExec(argv0 string, argv []string, attr *ProcAttr) (pid int, err error) {
	return 0, ENOSYS
}

func StartProcess(argv0 string, argv []string, attr *ProcAttr) (pid int, handle uintptr, err error) {
	return 0, 0, ENOSYS
}

func Exec(argv0 string, argv []string, envv []string) error {
	return ENOSYS
}

func Wait4(pid int, wstatus *WaitStatus, options int, rusage *Rusage) (wpid int, err error) {
	return 0, ECHILD
}

func Kill(pid int, signum Signal) error {
	return ENOSYS
}

// Getrusage reports the CPU time the program ran (not halted) as user
// time, for RUSAGE_SELF and RUSAGE_THREAD; there are no children.
func Getrusage(who int, rusage *Rusage) error {
	switch who {
	case 0, 1: // RUSAGE_SELF, RUSAGE_THREAD
		busy, _ := totalCPUTime()
		*rusage = Rusage{Utime: NsecToTimeval(busy)}
	case -1: // RUSAGE_CHILDREN
		*rusage = Rusage{}
	default:
		return EINVAL
	}
	return nil
}

type Rlimit struct {
	Cur uint64
	Max uint64
}

// Resource limits, with Linux's numbers.
const (
	RLIMIT_CPU    = 0x0
	RLIMIT_FSIZE  = 0x1
	RLIMIT_DATA   = 0x2
	RLIMIT_STACK  = 0x3
	RLIMIT_CORE   = 0x4
	RLIMIT_NOFILE = 0x7
	RLIMIT_AS     = 0x9
	RLIM_INFINITY = -0x1
)

// rlimits holds the limits; fs.mu guards it. RLIMIT_NOFILE's soft limit
// bounds the descriptors that open, dup and the like hand out, up to
// the size of the descriptor table; RLIMIT_FSIZE starts at the largest
// file the file system takes. The others are recorded and reported but
// not enforced: there is no core to dump, and memory and CPU time are
// the machine's.
var rlimits = [RLIMIT_AS + 1]Rlimit{
	RLIMIT_CPU:    {^uint64(0), ^uint64(0)},
	RLIMIT_FSIZE:  {maxFileSize, maxFileSize},
	RLIMIT_DATA:   {^uint64(0), ^uint64(0)},
	RLIMIT_STACK:  {^uint64(0), ^uint64(0)},
	RLIMIT_CORE:   {0, ^uint64(0)},
	RLIMIT_NOFILE: {maxFiles, maxFiles},
	RLIMIT_AS:     {^uint64(0), ^uint64(0)},
}

func knownRlimit(resource int) bool {
	switch resource {
	case RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_NOFILE, RLIMIT_AS:
		return true
	}
	return false
}

func Getrlimit(resource int, rlim *Rlimit) error {
	if !knownRlimit(resource) {
		return EINVAL
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	*rlim = rlimits[resource]
	return nil
}

// prlimit gets (into old, if not nil) and sets (from newlimit, if not
// nil) a limit of process pid, which must be 0 or this process, as
// Linux's prlimit does. golang.org/x/sys/unix linknames it for its
// Prlimit, and so for Getrlimit and Setrlimit on arm64.
//
//go:linkname prlimit
func prlimit(pid int, resource int, newlimit *Rlimit, old *Rlimit) error {
	if pid != 0 && pid != Getpid() {
		return ESRCH
	}
	var prev Rlimit
	if err := Getrlimit(resource, &prev); err != nil {
		return err
	}
	if newlimit != nil {
		if err := Setrlimit(resource, newlimit); err != nil {
			return err
		}
	}
	if old != nil {
		*old = prev
	}
	return nil
}

// Setrlimit sets a limit. As the super-user, the program may raise a
// hard limit, but not RLIMIT_NOFILE's past the descriptor table (EPERM,
// as past Linux's nr_open) nor RLIMIT_FSIZE's past the largest file.
func Setrlimit(resource int, rlim *Rlimit) error {
	if !knownRlimit(resource) || rlim.Cur > rlim.Max {
		return EINVAL
	}
	switch resource {
	case RLIMIT_NOFILE:
		if rlim.Max > maxFiles {
			return EPERM
		}
	case RLIMIT_FSIZE:
		if rlim.Max > maxFileSize && rlim.Max != ^uint64(0) {
			return EPERM
		}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	rlimits[resource] = *rlim
	return nil
}
