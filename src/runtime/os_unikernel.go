// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import (
	"internal/runtime/sys"
	"unsafe"
)

// This file holds what GOOS=xen and GOOS=solo5 have in common: the
// program is the only thing on its virtual machine. There is one CPU,
// on which the runtime runs its Ms as threads of its own
// (thread_unikernel.go); no signals from
// outside but a non-maskable interrupt, which is SIGQUIT (CPU
// exceptions are reported as the signals Linux makes of them, see
// sigpanic); no files below package syscall. The per-GOOS
// files (os_xen*.go, trap_xen*.go, ...) supply the machine: osinit,
// console, clock, exit, entropy and traps.

// machCPUs is how many CPUs the machine gives the runtime
// (machine.cpuCount), from osinit.
var machCPUs int32 = 1

func getCPUCount() int32 {
	return machCPUs
}

type sigset struct{}

// gsignalStack is unused: there are no signals.
type gsignalStack struct{}

// There are no signals.
const _NSIG = 0

// Called to initialize a new m (including the bootstrap m).
// Called on the parent thread (main thread in case of bootstrap), can allocate memory.
// The gsignal stack is where trap handlers run.
func mpreinit(mp *m) {
	mp.gsignal = malg(32 * 1024)
	mp.gsignal.m = mp
	if mp == &m0 {
		bootCPUInit()
	}
}

// Called from dropm to undo the effect of an minit.
func unminit() {}

// Called from exitm, but not from drop, to undo the effect of thread-owned
// resources in minit, semacreate, or elsewhere. Do not take locks after calling this.
func mdestroy(mp *m) {}

func libpreinit() {}

//go:nosplit
func sigsave(p *sigset) {}

//go:nosplit
func msigrestore(sigmask sigset) {}

//go:nosplit
//go:nowritebarrierrec
func clearSignalHandlers() {}

// sigblock, as an M exits (mexit), turns interrupts off for good on its
// thread: its signal stack is freed before exitThread leaves it.
//
//go:nosplit
func sigblock(exiting bool) {
	if exiting {
		intrOff()
	}
}

func initsig(preinit bool) {}

func sigdisable(uint32) {}
func sigenable(uint32)  {}
func sigignore(uint32)  {}

// Writes to a closed pipe are not possible without pipes to other
// processes; os only calls this for EPIPE on stdout or stderr.
//
//go:linkname os_sigpipe os.sigpipe
func os_sigpipe() {
	throw("too many writes on closed pipe")
}

func crash() {
	exit(2)
}

// CPU exceptions are reported as the signals Linux makes of them, with
// Linux's numbers and codes, so that panics and crash reports read the
// same (see sigpanic). A non-maskable interrupt is SIGQUIT: the way to
// ask a hung guest for its goroutines, as kill -QUIT asks a process.
const (
	_SIGQUIT = 0x3
	_SIGILL  = 0x4
	_SIGTRAP = 0x5
	_SIGBUS  = 0x7
	_SIGFPE  = 0x8
	_SIGSEGV = 0xb

	_SI_USER     = 0x0
	_SI_KERNEL   = 0x80
	_ILL_ILLOPC  = 0x1
	_ILL_ILLOPN  = 0x2
	_FPE_INTDIV  = 0x1
	_FPE_INTOVF  = 0x2
	_BUS_ADRALN  = 0x1
	_BUS_ADRERR  = 0x2
	_SEGV_MAPERR = 0x1
	_SEGV_ACCERR = 0x2
)

func signame(sig uint32) string {
	switch sig {
	case _SIGQUIT:
		return "SIGQUIT: quit"
	case _SIGILL:
		return "SIGILL: illegal instruction"
	case _SIGTRAP:
		return "SIGTRAP: trace trap"
	case _SIGBUS:
		return "SIGBUS: bus error"
	case _SIGFPE:
		return "SIGFPE: floating-point exception"
	case _SIGSEGV:
		return "SIGSEGV: segmentation violation"
	}
	return ""
}

// sigpanic turns a fault in Go code into a panic, as on Unix
// (signal_unix.go). The trap handler records the signal in gp and
// makes the faulting code call sigpanic. On GOOS=solo5, where no fault
// can be caught under solo5-spt, the compiler tests pointers for nil
// instead of letting a load fault, and calls sigpanic itself with no
// signal recorded (see faultOnLoad in cmd/compile/internal/ssa): that
// is a nil pointer dereference.
func sigpanic() {
	gp := getg()
	if gp.sig == 0 {
		gp.sig = _SIGSEGV
		gp.sigcode0 = _SEGV_MAPERR
		gp.sigcode1 = 0
		gp.sigpc = sys.GetCallerPC()
	}
	if !canpanic() {
		throw("unexpected signal during runtime execution")
	}

	switch gp.sig {
	case _SIGBUS:
		if gp.sigcode0 == _BUS_ADRERR && gp.sigcode1 < 0x1000 {
			panicmem()
		}
		if gp.paniconfault {
			panicmemAddr(gp.sigcode1)
		}
		print("unexpected fault address ", hex(gp.sigcode1), "\n")
		throw("fault")
	case _SIGSEGV:
		if (gp.sigcode0 == 0 || gp.sigcode0 == _SEGV_MAPERR || gp.sigcode0 == _SEGV_ACCERR) && gp.sigcode1 < 0x1000 {
			panicmem()
		}
		if gp.paniconfault {
			panicmemAddr(gp.sigcode1)
		}
		print("unexpected fault address ", hex(gp.sigcode1), "\n")
		throw("fault")
	case _SIGFPE:
		switch gp.sigcode0 {
		case _FPE_INTDIV:
			panicdivide()
		case _FPE_INTOVF:
			panicoverflow()
		}
		panicfloat()
	}
	throw("unexpected signal value")
}

// The runtime opens no files by itself on these GOOSes.
func open(name *byte, mode, perm int32) int32        { return -1 }
func closefd(fd int32) int32                         { return -1 }
func read(fd int32, p unsafe.Pointer, n int32) int32 { return -1 }

// bootCmdline is the command line the image was started with, set by
// osinit. goenvs turns it into os.Args and the environment.
var bootCmdline string

// goenvs sets os.Args and the environment from the command line:
//
//	[NAME=VALUE ...] [--] ARGV0 [ARG ...]
//
// Words are separated by spaces or tabs. A word may be quoted with
// double quotes, in which \" and \\ stand for " and \, or with single
// quotes, which quote everything up to the next single quote. Leading
// words of the form NAME=VALUE are environment variables; "--" ends
// them. The first word after them is os.Args[0]; without one,
// os.Args[0] is GOOS.
//
// Some words, wherever they are, are for the machine, as a Linux
// kernel's parameters are, and are neither environment nor arguments:
// the platform takes them (machine.cmdlineWord), such as a PC's
// virtio_mmio.device=SIZE@BASE:IRQ.
func goenvs() {
	words, ok := splitCmdline(bootCmdline)
	if !ok {
		print(GOOS, ": bad kernel command line (unterminated quote): ", bootCmdline, "\n")
		exit(2)
	}
	n := 0
	for _, w := range words {
		if mach.cmdlineWord(w) {
			continue
		}
		words[n] = w
		n++
	}
	words = words[:n]
	envs = make([]string, 0, len(words)) // non-nil: the environment is initialized
	i := 0
	for ; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			i++
			break
		}
		if !isEnvWord(w) {
			break
		}
		envs = append(envs, w)
	}
	if i == len(words) {
		argslice = []string{GOOS}
		return
	}
	argslice = words[i:]
}

// isEnvWord reports whether w has the form NAME=VALUE, with NAME made
// of letters, digits and underscores and not starting with a digit.
func isEnvWord(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == '=':
			return i > 0
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return false
}

// splitCmdline splits s into words as described at goenvs. It reports
// false for an unterminated quote.
func splitCmdline(s string) ([]string, bool) {
	var words []string
	var w []byte
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n':
			if inWord {
				words = append(words, string(w))
				w = w[:0]
				inWord = false
			}
			continue
		case '"':
			inWord = true
			for i++; ; i++ {
				if i >= len(s) {
					return nil, false
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				w = append(w, s[i])
			}
		case '\'':
			inWord = true
			for i++; ; i++ {
				if i >= len(s) {
					return nil, false
				}
				if s[i] == '\'' {
					break
				}
				w = append(w, s[i])
			}
		default:
			inWord = true
			w = append(w, c)
		}
	}
	if inWord {
		words = append(words, string(w))
	}
	return words, true
}

// Package syscall reaches the machine through these.

//go:linkname syscall_consoleWrite syscall.consoleWrite
func syscall_consoleWrite(fd int, p []byte) int {
	if len(p) == 0 {
		return 0
	}
	return int(write1(uintptr(fd), unsafe.Pointer(&p[0]), int32(len(p))))
}

//go:linkname syscall_runtimeRandom syscall.runtimeRandom
func syscall_runtimeRandom(p []byte) bool {
	return readRandom(p) == len(p)
}

// internal_netstack_goUnbubbled starts fn in a goroutine outside the
// caller's testing/synctest bubble. The network stack, started by the
// first goroutine that uses the network, serves the whole program as a
// kernel does; its goroutines must not join that goroutine's bubble,
// which would wait for them to exit. Preemption is off while the
// caller's bubble is set aside, so that no status change of the caller
// escapes the bubble's count.
//
//go:linkname internal_netstack_goUnbubbled internal/netstack.goUnbubbled
func internal_netstack_goUnbubbled(fn func()) {
	mp := acquirem()
	gp := getg()
	b := gp.bubble
	gp.bubble = nil
	go fn()
	gp.bubble = b
	releasem(mp)
}

// internal_netstack_unbubbled runs fn with the calling goroutine
// outside its testing/synctest bubble, for the network stack's clock:
// its timers run on the machine's time. fn must not block; preemption
// is off meanwhile, as in internal_netstack_goUnbubbled.
//
//go:linkname internal_netstack_unbubbled internal/netstack.unbubbled
func internal_netstack_unbubbled(fn func()) {
	mp := acquirem()
	gp := getg()
	b := gp.bubble
	gp.bubble = nil
	fn()
	gp.bubble = b
	releasem(mp)
}

//go:linkname internal_netstack_runtimeNanotime internal/netstack.runtimeNanotime
func internal_netstack_runtimeNanotime() int64 { return nanotime() }

//go:linkname internal_netstack_runtimeWalltime internal/netstack.runtimeWalltime
func internal_netstack_runtimeWalltime() (sec int64, nsec int32) { return walltime() }

// yieldSlice is the state of syscall_yieldPoint: the scheduler tick
// of the P (there is one) when it last saw a newly scheduled goroutine,
// when it first read the clock after that, and how often it was called
// since.
var yieldSlice struct {
	schedtick uint32
	since     int64
	calls     uint32
}

// syscall_yieldPoint is called by package syscall as each file system
// operation starts. Where nothing preempts a goroutine (under solo5-spt
// there is no timer interrupt and no signal), one that loops on system
// calls that never block, such as those of the in-memory file system,
// would keep the CPU for good. Here it yields once it has run for
// forcePreemptNS (counted from its first such call since it was
// scheduled), as sysmon would preempt it on Linux. Where the tick
// preempts, it has done so first.
//
//go:linkname syscall_yieldPoint syscall.yieldPoint
func syscall_yieldPoint() {
	gp := getg()
	if gp.m.locks != 0 || gp.m.preemptoff != "" || gp != gp.m.curg {
		return
	}
	pp := gp.m.p.ptr()
	s := &yieldSlice
	if pp.schedtick != s.schedtick {
		s.schedtick, s.since, s.calls = pp.schedtick, 0, 0
	}
	// The clock is a system call of the host's under spt: look at
	// it every 64th time only.
	if s.calls++; s.calls%64 != 1 {
		return
	}
	now := nanotime()
	if s.since == 0 {
		s.since = now
	} else if now-s.since >= forcePreemptNS {
		Gosched()
	}
}

//go:linkname syscall_sleep syscall.sleep
func syscall_sleep(ns int64) {
	timeSleep(ns)
}

//go:linkname syscall_now syscall.now
func syscall_now() (sec int64, nsec int32, mono int64) {
	return time_now()
}

// The default maximum goroutine stack, 1 GB, is more than many of these
// machines have: a runaway recursion would end in "out of memory" while
// copying the stack instead of the usual stack overflow report. Limit
// it to a quarter of the heap's room (but at least 1 MB), in decimal
// megabytes for a readable message. runtime.main sets the default
// before the runtime's init functions run.
func init() {
	if limit := max((blocMax-bloc)/4/1e6, 1) * 1e6; maxstacksize > limit {
		maxstacksize = limit
	}
}
