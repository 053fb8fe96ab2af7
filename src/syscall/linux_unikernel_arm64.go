// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// linuxCalls are the Linux/arm64 system calls served in the guest
// (linux_unikernel.go), by number. Each takes its arguments as Linux
// does and reports errors as Linux's numbers, which are this package's.
// The ptrs bits name the arguments that are addresses.
var linuxCalls = [...]linuxCall{
	SYS_READ:              {sysRead, 1 << 1},
	SYS_WRITE:             {sysWrite, 1 << 1},
	SYS_CLOSE:             {sysClose, 0},
	SYS_FSTAT:             {sysFstat, 1 << 1},
	SYS_LSEEK:             {sysLseek, 0},
	SYS_MMAP:              {sysMmap, 0},
	SYS_MPROTECT:          {sysMprotect, 0},
	SYS_MUNMAP:            {sysMunmap, 0},
	SYS_BRK:               {sysBrk, 0},
	SYS_IOCTL:             {sysIoctl, 1 << 2},
	SYS_PREAD64:           {sysPread, 1 << 1},
	SYS_PWRITE64:          {sysPwrite, 1 << 1},
	SYS_READV:             {sysReadv, 1 << 1},
	SYS_WRITEV:            {sysWritev, 1 << 1},
	SYS_SCHED_YIELD:       {sysSchedYield, 0},
	SYS_MREMAP:            {sysMremap, 0},
	SYS_MADVISE:           {sysMadvise, 0},
	SYS_DUP:               {sysDup, 0},
	SYS_NANOSLEEP:         {sysNanosleep, 1<<0 | 1<<1},
	SYS_GETPID:            {sysGetpid, 0},
	SYS_SOCKET:            {sysSocket, 0},
	SYS_CONNECT:           {sysConnect, 1 << 1},
	SYS_ACCEPT:            {sysAccept, 1<<1 | 1<<2},
	SYS_SENDTO:            {sysSendto, 1<<1 | 1<<4},
	SYS_RECVFROM:          {sysRecvfrom, 1<<1 | 1<<4 | 1<<5},
	SYS_SHUTDOWN:          {sysShutdown, 0},
	SYS_BIND:              {sysBind, 1 << 1},
	SYS_LISTEN:            {sysListen, 0},
	SYS_GETSOCKNAME:       {sysGetsockname, 1<<1 | 1<<2},
	SYS_GETPEERNAME:       {sysGetpeername, 1<<1 | 1<<2},
	SYS_SETSOCKOPT:        {sysSetsockopt, 1 << 3},
	SYS_GETSOCKOPT:        {sysGetsockopt, 1<<3 | 1<<4},
	SYS_EXIT:              {sysExit, 0},
	SYS_KILL:              {sysKill, 0},
	SYS_UNAME:             {sysUname, 1 << 0},
	SYS_FCNTL:             {sysFcntl, 1 << 2},
	SYS_FLOCK:             {sysFlock, 0},
	SYS_FSYNC:             {sysFsync, 0},
	SYS_FDATASYNC:         {sysFsync, 0},
	SYS_TRUNCATE:          {sysTruncate, 1 << 0},
	SYS_FTRUNCATE:         {sysFtruncate, 0},
	SYS_GETCWD:            {sysGetcwd, 1 << 0},
	SYS_CHDIR:             {sysChdir, 1 << 0},
	SYS_FCHDIR:            {sysFchdir, 0},
	SYS_FCHMOD:            {sysFchmod, 0},
	SYS_FCHOWN:            {sysFchown, 0},
	SYS_UMASK:             {sysUmask, 0},
	SYS_GETTIMEOFDAY:      {sysGettimeofday, 1<<0 | 1<<1},
	SYS_GETRLIMIT:         {sysGetrlimit, 1 << 1},
	SYS_GETRUSAGE:         {sysGetrusage, 1 << 1},
	SYS_SYSINFO:           {sysSysinfo, 1 << 0},
	SYS_GETUID:            {sysGetuid, 0},
	SYS_GETGID:            {sysGetgid, 0},
	SYS_SETUID:            {sysSetuid, 0},
	SYS_SETGID:            {sysSetgid, 0},
	SYS_GETEUID:           {sysGeteuid, 0},
	SYS_GETEGID:           {sysGetegid, 0},
	SYS_GETPPID:           {sysGetppid, 0},
	SYS_SETREUID:          {sysSetreuid, 0},
	SYS_SETREGID:          {sysSetregid, 0},
	SYS_GETGROUPS:         {sysGetgroups, 1 << 1},
	SYS_SETRESUID:         {sysSetresuid, 0},
	SYS_SETRESGID:         {sysSetresgid, 0},
	SYS_GETPGID:           {sysGetpgid, 0},
	SYS_GETSID:            {sysGetpgid, 0},
	SYS_STATFS:            {sysStatfs, 1<<0 | 1<<1},
	SYS_FSTATFS:           {sysFstatfs, 1 << 1},
	SYS_GETTID:            {sysGetpid, 0},
	SYS_SCHED_GETAFFINITY: {sysSchedGetaffinity, 1 << 2},
	SYS_GETDENTS64:        {sysGetdents64, 1 << 1},
	SYS_CLOCK_GETTIME:     {sysClockGettime, 1 << 1},
	SYS_CLOCK_GETRES:      {sysClockGetres, 1 << 1},
	SYS_CLOCK_NANOSLEEP:   {sysClockNanosleep, 1<<2 | 1<<3},
	SYS_EXIT_GROUP:        {sysExit, 0},
	SYS_TGKILL:            {sysTgkill, 0},
	SYS_OPENAT:            {sysOpenat, 1 << 1},
	SYS_MKDIRAT:           {sysMkdirat, 1 << 1},
	SYS_FCHOWNAT:          {sysFchownat, 1 << 1},
	SYS_FSTATAT:           {sysNewfstatat, 1<<1 | 1<<2},
	SYS_UNLINKAT:          {sysUnlinkat, 1 << 1},
	SYS_RENAMEAT:          {sysRenameat, 1<<1 | 1<<3},
	SYS_LINKAT:            {sysLinkat, 1<<1 | 1<<3},
	SYS_SYMLINKAT:         {sysSymlinkat, 1<<0 | 1<<2},
	SYS_READLINKAT:        {sysReadlinkat, 1<<1 | 1<<2},
	SYS_FCHMODAT:          {sysFchmodat, 1 << 1},
	SYS_FACCESSAT:         {sysFaccessat, 1 << 1},
	SYS_UTIMENSAT:         {sysUtimensat, 1<<1 | 1<<2},
	SYS_ACCEPT4:           {sysAccept4, 1<<1 | 1<<2},
	SYS_DUP3:              {sysDup3, 0},
	SYS_PIPE2:             {sysPipe2, 1 << 0},
	SYS_PRLIMIT64:         {sysPrlimit, 1<<2 | 1<<3},
	SYS_FALLOCATE:         {sysFallocate, 0},
	SYS_SOCKETPAIR:        {sysSocketpair, 1 << 3},
	SYS_SENDMSG:           {sysSendmsg, 1 << 1},
	SYS_RECVMSG:           {sysRecvmsg, 1 << 1},
	SYS_PPOLL:             {sysPpoll, 1<<0 | 1<<2},
	SYS_EPOLL_CREATE1:     {sysEpollCreate1, 0},
	SYS_EPOLL_CTL:         {sysEpollCtl, 1 << 3},
	SYS_EPOLL_PWAIT:       {sysEpollWait, 1 << 1},
	SYS_EVENTFD2:          {sysEventfd, 0},
	SYS_RENAMEAT2:         {sysRenameat2, 1<<1 | 1<<3},
	SYS_GETRANDOM:         {sysGetrandom, 1 << 0},
}

func (r *PtraceRegs) PC() uint64      { return r.Pc }
func (r *PtraceRegs) SetPC(pc uint64) { r.Pc = pc }

// setNlink sets st's link count, whose width is the architecture's.
func setNlink(st *Stat_t, n uint64) { st.Nlink = uint32(n) }

const (
	o_LARGEFILE = 0x20000 // on 64-bit systems the kernel sets it itself

	// unameMachine is uname(2)'s machine.
	unameMachine = "aarch64"
)
